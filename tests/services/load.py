"""Loads the example cloud (examples/inventory/) into the running test services through their
own REST APIs, and writes what the Rust tests read: clouds.yaml + secure.yaml, NetBox tokens,
inventory.toml (for `gx-attest inventory pull`) and services.env. Run by up.sh.

  load.py redfish-tree HOSTS_DIR OUT   a mockup tree (DMTF layout) from the *.redfish.json hosts
  load.py load REPO                    everything else (GXS_RUN, GXS_PORT_BASE from the env)
  load.py flavor-spec ID KEY VALUE     sets one extra spec of a loaded flavor (tests change the
                                       cloud with it; they set it back)
"""
import datetime
import glob
import json
import os
import subprocess
import sys
import time

import requests

J = "application/json"


def die(msg):
    sys.exit("load.py: " + msg)


def check(r, what):
    if r.status_code >= 300:
        die(f"{what}: HTTP {r.status_code}: {r.text[:500]}")
    return r


# ------------------------------------------------------------------ Redfish tree
def redfish_tree(hosts_dir, out):
    def put(rel, body):
        d = os.path.join(out, rel)
        os.makedirs(d, exist_ok=True)
        body.setdefault("@odata.id", "/redfish/v1/" + rel if rel else "/redfish/v1/")
        with open(os.path.join(d, "index.json"), "w", encoding="utf-8") as fh:
            json.dump(body, fh, indent=1)

    def collection(rel, members):
        put(rel, {"Name": rel, "Members@odata.count": len(members),
                  "Members": [{"@odata.id": m} for m in members]})

    systems = []
    for path in sorted(glob.glob(os.path.join(hosts_dir, "*.redfish.json"))):
        with open(path, encoding="utf-8") as fh:
            host = json.load(fh)
        cs = dict(host["ComputerSystem"])
        sid = cs["Id"]
        base = f"Systems/{sid}"
        systems.append("/redfish/v1/" + base)
        cs["Processors"] = {"@odata.id": f"/redfish/v1/{base}/Processors"}
        cs["Memory"] = {"@odata.id": f"/redfish/v1/{base}/Memory"}
        cs["Storage"] = {"@odata.id": f"/redfish/v1/{base}/Storage"}
        put(base, cs)
        for kind in ("Processors", "Memory"):
            ids = []
            for item in host.get(kind, []):
                rel = f"{base}/{kind}/{item['Id']}"
                put(rel, dict(item))
                ids.append("/redfish/v1/" + rel)
            collection(f"{base}/{kind}", ids)
        drives = []
        for d in host.get("Drives", []):
            rel = f"{base}/Storage/1/Drives/{d['Id']}"
            put(rel, dict(d))
            drives.append({"@odata.id": "/redfish/v1/" + rel})
        put(f"{base}/Storage/1", {"Id": "1", "Name": "Storage", "Drives": drives,
                                  "Drives@odata.count": len(drives)})
        collection(f"{base}/Storage", [f"/redfish/v1/{base}/Storage/1"])
    collection("Systems", systems)
    put("", {"Id": "RootService", "Name": "Root Service", "RedfishVersion": "1.15.0",
             "Systems": {"@odata.id": "/redfish/v1/Systems"},
             "SessionService": {"@odata.id": "/redfish/v1/SessionService"},
             "Links": {"Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}}})
    put("SessionService", {"Id": "SessionService", "ServiceEnabled": True,
                           "Sessions": {"@odata.id": "/redfish/v1/SessionService/Sessions"}})


# ------------------------------------------------------------------ OpenStack
class Keystone:
    def __init__(self, url, password):
        self.url = url
        self.password = password
        self.token, self.body = self.auth("admin", password, {"project": {"name": "admin", "domain": {"id": "default"}}})

    def auth(self, user, password, scope):
        body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
            "name": user, "domain": {"id": "default"}, "password": password}}}, "scope": scope}}
        r = check(requests.post(self.url + "/v3/auth/tokens", json=body, timeout=60), "keystone auth")
        return r.headers["X-Subject-Token"], r.json()["token"]

    def req(self, method, path, what, **kw):
        h = kw.pop("headers", {})
        h["X-Auth-Token"] = self.token
        return check(requests.request(method, self.url + path, headers=h, timeout=60, **kw), what)

    def find(self, coll, name):
        items = self.req("GET", f"/v3/{coll}?name={name}", coll).json()[coll]
        return items[0]["id"] if items else None


def setup_keystone(ks, ports, service_pw):
    roles = {r["name"]: r["id"] for r in ks.req("GET", "/v3/roles", "roles").json()["roles"]}
    if "service" not in roles:
        roles["service"] = ks.req("POST", "/v3/roles", "role", json={"role": {"name": "service"}}).json()["role"]["id"]
    svc_project = ks.req("POST", "/v3/projects", "project", json={"project": {
        "name": "service", "domain_id": "default"}}).json()["project"]["id"]
    for user in ("nova", "glance", "ironic"):
        uid = ks.req("POST", "/v3/users", "user", json={"user": {
            "name": user, "domain_id": "default", "password": service_pw}}).json()["user"]["id"]
        for role in ("admin", "service"):
            ks.req("PUT", f"/v3/projects/{svc_project}/users/{uid}/roles/{roles[role]}", "grant")
    for stype, name, url in (("compute", "nova", f"http://127.0.0.1:{ports['nova']}/v2.1"),
                             ("image", "glance", f"http://127.0.0.1:{ports['glance']}"),
                             ("baremetal", "ironic", f"http://127.0.0.1:{ports['ironic']}")):
        sid = ks.req("POST", "/v3/services", "service", json={"service": {"type": stype, "name": name}}).json()["service"]["id"]
        for iface in ("public", "internal"):
            ks.req("POST", "/v3/endpoints", "endpoint", json={"endpoint": {
                "service_id": sid, "interface": iface, "url": url, "region_id": "RegionOne"}})
    # Admin's system role (system-scoped pulls, Ironic under the new policy defaults).
    admin_id = ks.body["user"]["id"]
    ks.req("PUT", f"/v3/system/users/{admin_id}/roles/{roles['admin']}", "system grant")


def wait_ok(fn, what, seconds=90):
    last = None
    for _ in range(seconds * 2):
        try:
            r = fn()
            if r.status_code < 300:
                return r
            last = f"HTTP {r.status_code}: {r.text[:300]}"
        except requests.RequestException as e:
            last = str(e)
        time.sleep(0.5)
    die(f"{what}: not ready: {last}")


def load_flavors(ks, nova, flavors):
    h = {"X-Auth-Token": ks.token, "OpenStack-API-Version": "compute 2.61"}
    wait_ok(lambda: requests.get(nova + "/flavors", headers=h, timeout=30), "nova")
    for f in flavors:
        body = {"flavor": {"name": f["Name"], "id": f["ID"], "ram": f["RAM"], "vcpus": f["VCPUs"],
                           "disk": f["Disk"], "OS-FLV-EXT-DATA:ephemeral": f.get("Ephemeral", 0),
                           "os-flavor-access:is_public": f.get("Is Public", True)}}
        check(requests.post(nova + "/flavors", json=body, headers=h, timeout=60), f"flavor {f['Name']}")
        specs = {k: str(v) for k, v in (f.get("Properties") or {}).items()}
        if specs:
            check(requests.post(f"{nova}/flavors/{f['ID']}/os-extra_specs", json={"extra_specs": specs},
                                headers=h, timeout=60), f"extra specs of {f['Name']}")


# Properties Glance keeps for itself (set by uploads or reserved): never sent.
GLANCE_RESERVED = {"os_hash_algo", "os_hash_value", "checksum", "size", "virtual_size", "status", "id"}


def load_images(ks, glance, images):
    h = {"X-Auth-Token": ks.token}
    wait_ok(lambda: requests.get(glance + "/v2/images", headers=h, timeout=30), "glance")
    for i in images:
        body = {k: i[k] for k in ("name", "disk_format", "container_format", "min_disk", "min_ram",
                                  "visibility", "os_hidden") if k in i}
        for k, v in (i.get("properties") or {}).items():
            if k not in GLANCE_RESERVED and not k.startswith("os_glance"):
                body[k] = v if isinstance(v, str) else json.dumps(v)
        check(requests.post(glance + "/v2/images", json=body, headers=h, timeout=60), f"image {i['name']}")


def load_ironic(ks, ironic, hosts_dir):
    h = {"X-Auth-Token": ks.token, "X-OpenStack-Ironic-API-Version": "1.84"}
    wait_ok(lambda: requests.get(ironic + "/v1/nodes", headers=h, timeout=30), "ironic")
    project = ks.body["project"]["id"]
    nodes = []
    for path in sorted(glob.glob(os.path.join(hosts_dir, "*.ironic.json"))):
        with open(path, encoding="utf-8") as fh:
            rec = json.load(fh)
        inv = rec["inventory"]
        node = check(requests.post(ironic + "/v1/nodes", headers=h, timeout=60, json={
            "name": inv["hostname"], "driver": "fake-hardware", "owner": project,
            "inspect_interface": "agent"}), f"node {inv['hostname']}").json()
        # No ports: the example hosts share invented MAC addresses, so the agent's lookup by
        # MAC would be ambiguous; it names the node instead (?node_uuid=, API 1.84).
        nodes.append((node["uuid"], rec))

    def provision(uuid, target, state):
        check(requests.put(f"{ironic}/v1/nodes/{uuid}/states/provision", headers=h, timeout=60,
                           json={"target": target}), f"{target} {uuid}")
        for _ in range(240):
            n = requests.get(f"{ironic}/v1/nodes/{uuid}", headers=h, timeout=30).json()
            if n["provision_state"] == state:
                return
            if n.get("last_error"):
                die(f"node {uuid}: {n['last_error']}")
            time.sleep(0.25)
        die(f"node {uuid} did not reach {state} (is {n['provision_state']})")

    for uuid, rec in nodes:
        provision(uuid, "manage", "manageable")
        provision(uuid, "inspect", "inspect wait")
        # What ironic-python-agent posts at the end of inspection: the inventory and, beside
        # it, the collectors' data (which Ironic keeps as plugin_data).
        payload = dict(rec.get("plugin_data") or {})
        payload["inventory"] = rec["inventory"]
        # The conductor that moved the node to "inspect wait" may still hold its lock: 409,
        # retried as the agent does.
        for _ in range(100):
            r = requests.post(f"{ironic}/v1/continue_inspection?node_uuid={uuid}", json=payload, timeout=60,
                              headers={"X-OpenStack-Ironic-API-Version": "1.84"})
            if r.status_code != 409:
                break
            time.sleep(0.3)
        check(r, "continue_inspection")
    for uuid, _ in nodes:
        for _ in range(240):
            n = requests.get(f"{ironic}/v1/nodes/{uuid}", headers=h, timeout=30).json()
            if n["provision_state"] == "manageable":
                break
            if n["provision_state"] == "inspect failed":
                die(f"inspection of {uuid} failed: {n.get('last_error')}")
            time.sleep(0.25)
        check(requests.get(f"{ironic}/v1/nodes/{uuid}/inventory", headers=h, timeout=30), "inventory")


# ------------------------------------------------------------------ NetBox
def load_netbox(run, netbox, cache, example):
    nb = os.path.join(cache, "netbox")
    pw = open(os.path.join(run, "secrets", "netbox_admin.password")).read().strip()
    env = dict(os.environ, NETBOX_ROOT=os.path.join(run, "netbox"),
               DJANGO_SUPERUSER_USERNAME="admin", DJANGO_SUPERUSER_PASSWORD=pw,
               DJANGO_SUPERUSER_EMAIL="admin@example.invalid")
    subprocess.run([os.path.join(nb, "bin", "netbox"), "createsuperuser", "--noinput"],
                   env=env, check=True, stdout=subprocess.DEVNULL)
    tokens = {}
    for version in (1, 2):
        r = check(requests.post(netbox + "/api/users/tokens/provision/", timeout=60,
                                json={"username": "admin", "password": pw, "version": version}), "token")
        t = r.json()
        if version == 1:
            tokens[1] = "Token " + t["token"]
        else:
            tokens[2] = f"Bearer nbt_{t['key']}.{t['token']}"
    for v, header in tokens.items():
        with open(os.path.join(run, "secrets", f"netbox-v{v}.token"), "w") as fh:
            fh.write(header.split(" ", 1)[1] + "\n")
    h = {"Authorization": tokens[2], "Accept": J}

    def post(path, body):
        return check(requests.post(netbox + path, json=body, headers=h, timeout=60), path).json()

    regions, sites, devices = (example[k]["results"] for k in ("regions", "sites", "devices"))
    zones = sorted({z for s in sites for z in s["custom_fields"].get("availability_zones", [])})
    cs = post("/api/extras/custom-field-choice-sets/", {"name": "availability-zones",
                                                         "extra_choices": [[z, z] for z in zones]})
    post("/api/extras/custom-fields/", {"name": "country_code", "type": "text", "object_types": ["dcim.site"]})
    post("/api/extras/custom-fields/", {"name": "availability_zones", "type": "multiselect",
                                        "object_types": ["dcim.site"], "choice_set": cs["id"]})
    post("/api/extras/custom-fields/", {"name": "availability_zone", "type": "select",
                                        "object_types": ["dcim.device"], "choice_set": cs["id"]})
    region_ids = {}
    for r in regions:  # parents first: the example lists them so
        body = {"name": r["name"], "slug": r["slug"], "description": r.get("description", "")}
        if r.get("parent"):
            body["parent"] = region_ids[r["parent"]["slug"]]
        region_ids[r["slug"]] = post("/api/dcim/regions/", body)["id"]
    site_ids = {}
    for s in sites:
        cf = s["custom_fields"]
        site_ids[s["slug"]] = post("/api/dcim/sites/", {
            "name": s["name"], "slug": s["slug"], "status": s["status"]["value"],
            "region": region_ids[s["region"]["slug"]], "facility": s.get("facility", ""),
            "time_zone": s.get("time_zone"), "physical_address": s.get("physical_address", ""),
            "custom_fields": {"country_code": cf.get("country_code"),
                              "availability_zones": cf.get("availability_zones", [])}})["id"]
    ids = {"manufacturer": {}, "device_type": {}, "role": {}}
    body_devices = []
    for d in devices:
        dt = d["device_type"]
        m = dt["manufacturer"]
        if m["slug"] not in ids["manufacturer"]:
            ids["manufacturer"][m["slug"]] = post("/api/dcim/manufacturers/", {"name": m["name"], "slug": m["slug"]})["id"]
        if dt["slug"] not in ids["device_type"]:
            ids["device_type"][dt["slug"]] = post("/api/dcim/device-types/", {
                "manufacturer": ids["manufacturer"][m["slug"]], "model": dt["model"], "slug": dt["slug"]})["id"]
        role = d["role"]
        if role["slug"] not in ids["role"]:
            ids["role"][role["slug"]] = post("/api/dcim/device-roles/", {"name": role["name"], "slug": role["slug"]})["id"]
        body_devices.append({
            "name": d["name"], "serial": d.get("serial", ""), "asset_tag": d.get("asset_tag"),
            "device_type": ids["device_type"][dt["slug"]], "role": ids["role"][role["slug"]],
            "site": site_ids[d["site"]["slug"]], "status": d["status"]["value"],
            "custom_fields": {"availability_zone": d["custom_fields"].get("availability_zone")}})
    post("/api/dcim/devices/", body_devices)  # bulk create: a JSON list


# ------------------------------------------------------------------ main
def load(repo):
    run = os.environ["GXS_RUN"]
    cache = os.path.dirname(run)
    base = int(os.environ["GXS_PORT_BASE"])
    ports = {"keystone": base, "nova": base + 1, "glance": base + 2, "ironic": base + 3,
             "netbox": base + 4, "sushy": base + 5, "mockup": base + 6, "example_bmc": base + 7}
    sec = lambda n: open(os.path.join(run, "secrets", n)).read().strip()  # noqa: E731
    ks_url = f"http://127.0.0.1:{ports['keystone']}"
    ex = os.path.join(repo, "examples", "inventory")
    t = time.time()
    ks = Keystone(ks_url, sec("admin.password"))
    setup_keystone(ks, ports, sec("service.password"))
    # Application credentials of the admin user: one valid, one that expires in two seconds.
    uid = ks.body["user"]["id"]
    appcred = ks.req("POST", f"/v3/users/{uid}/application_credentials", "appcred", json={
        "application_credential": {"name": "gx-attest-pull"}}).json()["application_credential"]
    soon = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S")
    expired = ks.req("POST", f"/v3/users/{uid}/application_credentials", "appcred", json={
        "application_credential": {"name": "gx-attest-expired", "expires_at": soon}}).json()["application_credential"]
    print(f"load.py: keystone {time.time() - t:.1f} s", flush=True)

    with open(os.path.join(ex, "openstack.json"), encoding="utf-8") as fh:
        catalog = json.load(fh)
    load_flavors(ks, f"http://127.0.0.1:{ports['nova']}/v2.1", catalog["flavors"])
    print(f"load.py: nova {time.time() - t:.1f} s", flush=True)
    load_images(ks, f"http://127.0.0.1:{ports['glance']}", catalog["images"])
    print(f"load.py: glance {time.time() - t:.1f} s", flush=True)
    load_ironic(ks, f"http://127.0.0.1:{ports['ironic']}", os.path.join(ex, "hosts"))
    print(f"load.py: ironic {time.time() - t:.1f} s", flush=True)
    with open(os.path.join(ex, "netbox.json"), encoding="utf-8") as fh:
        load_netbox(run, f"http://127.0.0.1:{ports['netbox']}", cache, json.load(fh))
    print(f"load.py: netbox {time.time() - t:.1f} s", flush=True)

    auth = {"auth_url": ks_url + "/v3", "username": "admin", "user_domain_name": "Default",
            "project_name": "admin", "project_domain_name": "Default"}
    clouds = {"clouds": {
        "gxs": {"auth": auth, "region_name": "RegionOne", "interface": "public", "identity_api_version": 3},
        "gxs-system": {"auth": {k: v for k, v in auth.items() if not k.startswith("project")} | {"system_scope": "all"},
                       "region_name": "RegionOne"},
        "gxs-appcred": {"auth_type": "v3applicationcredential", "region_name": "RegionOne",
                        "auth": {"auth_url": ks_url + "/v3", "application_credential_id": appcred["id"]}},
        "gxs-expired": {"auth_type": "v3applicationcredential", "region_name": "RegionOne",
                        "auth": {"auth_url": ks_url + "/v3", "application_credential_id": expired["id"]}},
        "gxs-wrong": {"auth": auth, "region_name": "RegionOne"},
    }}
    secure = {"clouds": {
        "gxs": {"auth": {"password": sec("admin.password")}},
        "gxs-system": {"auth": {"password": sec("admin.password")}},
        "gxs-appcred": {"auth": {"application_credential_secret": appcred["secret"]}},
        "gxs-expired": {"auth": {"application_credential_secret": expired["secret"]}},
        "gxs-wrong": {"auth": {"password": "not-the-password"}},
    }}
    # JSON is YAML: no YAML library needed here.
    with open(os.path.join(run, "clouds.yaml"), "w") as fh:
        json.dump(clouds, fh, indent=1)
    with open(os.path.join(run, "secure.yaml"), "w") as fh:
        json.dump(secure, fh, indent=1)
    os.chmod(os.path.join(run, "secure.yaml"), 0o600)

    ca = os.path.join(run, "tls", "ca.pem")
    toml = f"""# Written by tests/services/load.py for the running test services.
[openstack]
cloud = "gxs"
clouds_yaml = "{run}/clouds.yaml"
secure_yaml = "{run}/secure.yaml"

[netbox]
url = "http://127.0.0.1:{ports['netbox']}"
token_file = "{run}/secrets/netbox-v2.token"

[[redfish]]
url = "https://127.0.0.1:{ports['example_bmc']}"
username = "admin"
password_file = "{run}/secrets/redfish.password"
auth = "session"
ca_file = "{ca}"
"""
    with open(os.path.join(run, "inventory.toml"), "w") as fh:
        fh.write(toml)
    env = {
        "GXS_INVENTORY_TOML": os.path.join(run, "inventory.toml"),
        "GXS_CLOUDS_YAML": os.path.join(run, "clouds.yaml"),
        "GXS_SECURE_YAML": os.path.join(run, "secure.yaml"),
        "GXS_KEYSTONE_URL": ks_url + "/v3",
        "GXS_NETBOX_URL": f"http://127.0.0.1:{ports['netbox']}",
        "GXS_NETBOX_TOKEN_V1_FILE": os.path.join(run, "secrets", "netbox-v1.token"),
        "GXS_NETBOX_TOKEN_V2_FILE": os.path.join(run, "secrets", "netbox-v2.token"),
        "GXS_SUSHY_URL": f"https://127.0.0.1:{ports['sushy']}",
        "GXS_REDFISH_MOCKUP_URL": f"https://127.0.0.1:{ports['mockup']}",
        "GXS_REDFISH_EXAMPLE_URL": f"https://127.0.0.1:{ports['example_bmc']}",
        "GXS_REDFISH_USER": "admin",
        "GXS_REDFISH_PASSWORD_FILE": os.path.join(run, "secrets", "redfish.password"),
        "GXS_CA_FILE": ca,
        # For tests that change the loaded cloud (load.py flavor-spec ...).
        "GXS_RUN": run,
        "GXS_PORT_BASE": str(base),
        "GXS_PYTHON": sys.executable,
        "GXS_LOAD_PY": os.path.abspath(__file__),
    }
    with open(os.path.join(run, "services.env"), "w") as fh:
        fh.writelines(f"{k}={v}\n" for k, v in env.items())


def flavor_spec(flavor_id, key, value):
    """Sets one extra spec of a loaded flavor through the Nova API (GXS_RUN, GXS_PORT_BASE)."""
    run = os.environ["GXS_RUN"]
    base = int(os.environ["GXS_PORT_BASE"])
    with open(os.path.join(run, "secrets", "admin.password")) as fh:
        ks = Keystone(f"http://127.0.0.1:{base}", fh.read().strip())
    nova = f"http://127.0.0.1:{base + 1}/v2.1"
    h = {"X-Auth-Token": ks.token, "OpenStack-API-Version": "compute 2.61"}
    check(requests.put(f"{nova}/flavors/{flavor_id}/os-extra_specs/{key}", json={key: value},
                       headers=h, timeout=60), f"extra spec {key} of flavor {flavor_id}")


if __name__ == "__main__":
    if sys.argv[1] == "redfish-tree":
        redfish_tree(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "load":
        load(sys.argv[2])
    elif sys.argv[1] == "flavor-spec":
        flavor_spec(sys.argv[2], sys.argv[3], sys.argv[4])
    else:
        die("usage: load.py redfish-tree HOSTS OUT | load REPO")
