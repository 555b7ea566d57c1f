"""A small Redfish server for the tests: serves a mockup tree (DMTF's layout: each
`index.json` answers the URI of its folder below /redfish/v1/) over TLS with real HTTP Basic
and session authentication (POST /redfish/v1/SessionService/Sessions -> X-Auth-Token and
Location; DELETE of the session logs out). Only /redfish and /redfish/v1/ are open, as on a BMC.

Usage: redfish_mockup.py --root DIR --port N --cert PEM --key PEM --user U --password-file F
"""
import argparse
import base64
import hmac
import json
import os
import secrets
import ssl
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

args = None
sessions = {}
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *a):
        sys.stderr.write("%s %s\n" % (self.command, self.path))

    def send_json(self, status, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, message):
        self.send_json(status, {"error": {"code": "Base.1.0.GeneralError", "message": message}})

    def authorised(self):
        token = self.headers.get("X-Auth-Token")
        if token is not None:
            with lock:
                return token in sessions.values()
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Basic "):
            try:
                user, _, password = base64.b64decode(auth[6:]).decode().partition(":")
            except Exception:
                return False
            return hmac.compare_digest(user, args.user) and hmac.compare_digest(password, PASSWORD)
        return False

    def path_only(self):
        return self.path.split("?", 1)[0].rstrip("/")

    def do_GET(self):
        path = self.path_only()
        if path == "/redfish":
            return self.send_json(200, {"v1": "/redfish/v1/"})
        if path != "/redfish/v1" and not self.authorised():
            return self.error(401, "authentication required")
        if not path.startswith("/redfish/v1"):
            return self.error(404, "not found")
        rel = path[len("/redfish/v1"):].lstrip("/")
        if ".." in rel.split("/"):
            return self.error(404, "not found")
        f = os.path.join(args.root, rel, "index.json")
        if not os.path.isfile(f):
            return self.error(404, "not found")
        with open(f, encoding="utf-8") as fh:
            self.send_json(200, json.load(fh))

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def do_POST(self):
        path = self.path_only()
        raw = self.body()
        if path != "/redfish/v1/SessionService/Sessions":
            return self.error(405, "method not allowed")
        try:
            req = json.loads(raw)
        except ValueError:
            return self.error(400, "not JSON")
        user, password = str(req.get("UserName", "")), str(req.get("Password", ""))
        if not (hmac.compare_digest(user, args.user) and hmac.compare_digest(password, PASSWORD)):
            return self.error(401, "invalid credentials")
        sid, token = secrets.token_hex(8), secrets.token_hex(24)
        with lock:
            sessions[sid] = token
        location = "/redfish/v1/SessionService/Sessions/" + sid
        self.send_json(201, {"@odata.id": location, "Id": sid, "UserName": user},
                       [("X-Auth-Token", token), ("Location", location)])

    def do_DELETE(self):
        path = self.path_only()
        prefix = "/redfish/v1/SessionService/Sessions/"
        self.body()
        if not self.authorised():
            return self.error(401, "authentication required")
        if path.startswith(prefix):
            with lock:
                if sessions.pop(path[len(prefix):], None) is not None:
                    self.send_response(204)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
        self.error(404, "not found")


def main():
    global args, PASSWORD
    p = argparse.ArgumentParser()
    for a in ("--root", "--cert", "--key", "--user", "--password-file"):
        p.add_argument(a, required=True)
    p.add_argument("--port", type=int, required=True)
    args = p.parse_args()
    with open(args.password_file, encoding="utf-8") as fh:
        PASSWORD = fh.read().strip()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.cert, args.key)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
