#!/usr/bin/env python3
"""Slowloris against a gx-attest service on loopback: CONNECTIONS connections each send the start
of a request head and then one header byte every TRICKLE seconds; one more connection stays
silent. Meanwhile GET /healthz is asked every 100 ms on fresh connections. Reports when the
service closed the slow connections and the latency of the probes, and fails (exit 1) when a
slow connection outlived the header timeout by more than GRACE seconds or a probe failed.

    benches/hostile/slowloris.py --port 18090 [--connections 300] [--header-timeout 10]

Loopback only (refuses any other address); runs at most --duration seconds (default 30).
"""

import argparse
import ipaddress
import selectors
import socket
import sys
import time


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--connections", type=int, default=300)
    ap.add_argument("--header-timeout", type=float, default=10.0)
    ap.add_argument("--trickle", type=float, default=1.0)
    ap.add_argument("--grace", type=float, default=2.0)
    ap.add_argument("--duration", type=float, default=30.0)
    args = ap.parse_args()
    if not ipaddress.ip_address(args.host).is_loopback:
        sys.exit("loopback only")

    start = time.monotonic()
    slow = []
    for _ in range(args.connections):
        s = socket.create_connection((args.host, args.port))
        s.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nx-slow: ")
        s.setblocking(False)
        slow.append(s)
    silent = socket.create_connection((args.host, args.port))
    silent.setblocking(False)
    closed_at = {}
    sel = selectors.DefaultSelector()
    for s in slow + [silent]:
        sel.register(s, selectors.EVENT_READ)
    probes = []
    next_trickle = start + args.trickle
    next_probe = start
    while time.monotonic() - start < args.duration and len(closed_at) < len(slow) + 1:
        now = time.monotonic()
        if now >= next_probe:
            t = time.monotonic()
            try:
                p = socket.create_connection((args.host, args.port), timeout=5)
                p.sendall(b"GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
                answer = b""
                while chunk := p.recv(4096):
                    answer += chunk
                p.close()
                ok = answer.startswith(b"HTTP/1.1 200")
            except OSError:
                ok = False
            probes.append((ok, (time.monotonic() - t) * 1000))
            next_probe = now + 0.1
        if now >= next_trickle:
            for s in slow:
                if s not in closed_at:
                    try:
                        s.send(b"a")
                    except OSError:
                        pass
            next_trickle = now + args.trickle
        for key, _ in sel.select(timeout=0.05):
            s = key.fileobj
            try:
                data = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                data = b""
            if not data:
                closed_at[s] = time.monotonic() - start
                sel.unregister(s)
    open_slow = [s for s in slow if s not in closed_at]
    times = sorted(closed_at[s] for s in slow if s in closed_at)
    ok = sorted(ms for good, ms in probes if good)
    failed_probes = sum(1 for good, _ in probes if not good)
    p99 = ok[min(len(ok) - 1, int(len(ok) * 0.99))] if ok else float("nan")
    print(f"{args.connections} slowloris connections (one byte per {args.trickle} s): "
          f"{len(times)} closed by the service, first after {times[0] if times else float('nan'):.1f} s, "
          f"last after {times[-1] if times else float('nan'):.1f} s; {len(open_slow)} still open")
    print(f"silent connection closed after {closed_at.get(silent, float('nan')):.1f} s")
    print(f"GET /healthz meanwhile: {len(ok)} answered 200, {failed_probes} failed; "
          f"p50 {ok[len(ok) // 2] if ok else float('nan'):.1f} ms, p99 {p99:.1f} ms")
    limit = args.header_timeout + args.grace
    bad = open_slow or (times and times[-1] > limit) or silent not in closed_at \
        or closed_at[silent] > limit or failed_probes
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
