"""Loads the scale benchmark's inventory into the running test services (tests/services/up.sh
up) through their APIs: N flavors with SCS extra specs, N images with scs-0102 properties,
N Ironic nodes inspected through /v1/continue_inspection, N NetBox devices. Run with the
services' OpenStack venv python; GXS_RUN names the services' run directory.

  scale_load.py FLAVORS IMAGES NODES DEVICES
"""
import concurrent.futures
import json
import os
import sys
import time

import requests

run = os.environ["GXS_RUN"]
env = dict(line.strip().split("=", 1) for line in open(os.path.join(run, "services.env")))
clouds = json.load(open(env["GXS_CLOUDS_YAML"]))["clouds"]
secure = json.load(open(env["GXS_SECURE_YAML"]))["clouds"]
ks = env["GXS_KEYSTONE_URL"]
S = requests.Session()
POOL = concurrent.futures.ThreadPoolExecutor(8)


def check(r, what):
    if r.status_code >= 300:
        sys.exit(f"scale_load: {what}: HTTP {r.status_code}: {r.text[:300]}")
    return r


def token():
    a = clouds["gxs"]["auth"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": a["username"], "domain": {"name": "Default"}, "password": secure["gxs"]["auth"]["password"]}}},
        "scope": {"project": {"name": "admin", "domain": {"name": "Default"}}}}}
    r = check(S.post(ks + "/auth/tokens", json=body, timeout=60), "auth")
    return r.headers["X-Subject-Token"], r.json()["token"]


def endpoint(tok, stype):
    for s in tok["catalog"]:
        if s["type"] == stype:
            return next(e["url"] for e in s["endpoints"] if e["interface"] == "public")
    sys.exit("no " + stype)


def run_all(fn, items, what):
    t = time.time()
    for _ in POOL.map(fn, items):
        pass
    print(f"scale_load: {len(items)} {what} in {time.time() - t:.1f} s", flush=True)


def main():
    n_flavors, n_images, n_nodes, n_devices = map(int, sys.argv[1:5])
    tk, body = token()
    h = {"X-Auth-Token": tk}
    nova, glance, ironic = endpoint(body, "compute"), endpoint(body, "image"), endpoint(body, "baremetal")

    def flavor(i):
        v, ram = 1 + i % 64, 1 + i % 256
        name = f"SCS-{v}V-{ram}-{10 + i}"
        hh = dict(h, **{"OpenStack-API-Version": "compute 2.61"})
        flavor_id = check(requests.post(nova + "/flavors", headers=hh, timeout=60, json={"flavor": {
            "name": name, "ram": ram * 1024, "vcpus": v, "disk": 10 + i}}), name).json()["flavor"]["id"]
        check(requests.post(f"{nova}/flavors/{flavor_id}/os-extra_specs", headers=hh, timeout=60, json={"extra_specs": {
            "scs:cpu-type": "shared-core", "scs:name-v2": name, "hw_rng:allowed": "True"}}), "extra specs")

    def image(i):
        check(requests.post(glance + "/v2/images", headers=h, timeout=60, json={
            "name": f"Bench Linux {i}", "disk_format": "qcow2", "container_format": "bare",
            "min_disk": 8, "min_ram": 512, "visibility": "public", "os_distro": "ubuntu",
            "os_version": "24.04", "architecture": "x86_64", "hypervisor_type": "qemu",
            "image_build_date": "2026-11-02 08:15", "image_original_user": "ubuntu",
            "image_source": "https://cloud-images.ubuntu.com/", "replace_frequency": "monthly",
            "provided_until": "none", "uuid_validity": "last-3", "hw_firmware_type": "uefi"}), "image")

    hi = dict(h, **{"X-OpenStack-Ironic-API-Version": "1.84"})

    def node(i):
        name = f"bench-node-{i:04d}"
        n = check(requests.post(ironic + "/v1/nodes", headers=hi, timeout=60, json={
            "name": name, "driver": "fake-hardware", "owner": body["project"]["id"],
            "inspect_interface": "agent"}), name).json()

        def to(target, state):
            check(requests.put(f"{ironic}/v1/nodes/{n['uuid']}/states/provision", headers=hi, timeout=60,
                               json={"target": target}), target)
            for _ in range(600):
                if requests.get(f"{ironic}/v1/nodes/{n['uuid']}", headers=hi, timeout=60).json()["provision_state"] == state:
                    return
                time.sleep(0.2)
            sys.exit(f"{name}: not {state}")
        to("manage", "manageable")
        to("inspect", "inspect wait")
        inv = {"cpu": {"model_name": "AMD EPYC 9354 32-Core Processor", "frequency": "3250", "count": 64,
                       "architecture": "x86_64", "flags": ["avx2", "aes"]},
               "memory": {"total": 549755813888, "physical_mb": 524288},
               "disks": [{"name": "/dev/nvme0n1", "model": "SAMSUNG MZQL23T8HCLS", "size": 3840755982336,
                          "rotational": False, "serial": f"BN{i:05d}-D0"}],
               "interfaces": [{"name": "eno1", "mac_address": "52:54:00:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)}],
               "system_vendor": {"product_name": "SYS-2029U-TR4", "serial_number": f"BN{i:05d}", "manufacturer": "Supermicro"},
               "boot": {"current_boot_mode": "uefi"}, "hostname": name}
        # The node may still be locked by the conductor that moved it to "inspect wait": 409,
        # retried as the agent does.
        for _ in range(100):
            r = requests.post(f"{ironic}/v1/continue_inspection?node_uuid={n['uuid']}", timeout=60,
                              headers={"X-OpenStack-Ironic-API-Version": "1.84"},
                              json={"inventory": inv, "pci_devices": []})
            if r.status_code != 409:
                break
            time.sleep(0.3)
        check(r, "continue_inspection")

    run_all(flavor, list(range(n_flavors)), "flavors")
    run_all(image, list(range(n_images)), "images")
    run_all(node, list(range(n_nodes)), "Ironic nodes")
    nb = env["GXS_NETBOX_URL"]
    nh = {"Authorization": "Bearer " + open(env["GXS_NETBOX_TOKEN_V2_FILE"]).read().strip()}
    get = lambda p: check(requests.get(nb + p, headers=nh, timeout=60), p).json()["results"][0]["id"]  # noqa: E731
    site, role, dtype = get("/api/dcim/sites/?slug=fra1-dc1"), get("/api/dcim/device-roles/?slug=compute"), get("/api/dcim/device-types/?slug=sys-2029u-tr4")
    t = time.time()
    for start in range(0, n_devices, 250):
        batch = [{"name": f"bench-dev-{i:05d}", "serial": f"BD{i:05d}", "device_type": dtype, "role": role,
                  "site": site, "status": "active", "custom_fields": {"availability_zone": "fra1-a"}}
                 for i in range(start, min(n_devices, start + 250))]
        check(requests.post(nb + "/api/dcim/devices/", headers=nh, json=batch, timeout=300), "devices")
    print(f"scale_load: {n_devices} NetBox devices in {time.time() - t:.1f} s", flush=True)


if __name__ == "__main__":
    main()
