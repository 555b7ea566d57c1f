#!/usr/bin/env bash
# The real inventory services for the tests: Keystone, Nova API, Glance, Ironic (one venv,
# gunicorn / ironic's own process), NetBox (its own venv, Python >= 3.12), sushy-tools' Redfish
# emulator and our Redfish mockup server (redfish_mockup.py), all from PyPI, on the machine's
# PostgreSQL, RabbitMQ and Redis. Loads the example cloud (examples/inventory/) into them
# through their own APIs (load.py) and writes an env file the Rust tests read.
#
#   tests/services/up.sh up     start (stops a previous run first), load, write $GXS_RUN/services.env
#   tests/services/up.sh down   stop by PID, drop the databases, remove the env file
#   tests/services/up.sh run CMD...   up, CMD (with GXS_SERVICES_ENV set), down; CMD's exit status
#
# Cache (kept between runs): ${GXS_CACHE:-$XDG_CACHE_HOME/gx-attest-services} holds the venvs,
# rebuilt only when a constraints file changes. Runtime state: $GXS_CACHE/run.
# Ports: ${GXS_PORT_BASE:-25000} .. +7 on 127.0.0.1. PostgreSQL: $GXS_PG (psql connection
# options, default "-h 127.0.0.1 -U postgres"); RabbitMQ guest on 127.0.0.1:5672; Redis on
# 127.0.0.1:6379 (databases 14 and 15).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cache="${GXS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gx-attest-services}"
run="$cache/run"
base="${GXS_PORT_BASE:-25000}"
pg_opts="${GXS_PG:--h 127.0.0.1 -U postgres}"
pg_host=127.0.0.1
netbox_version=4.7.3
dbs="gxs_keystone gxs_nova_api gxs_nova gxs_nova_cell0 gxs_glance gxs_ironic gxs_netbox"

p_keystone=$base p_nova=$((base + 1)) p_glance=$((base + 2)) p_ironic=$((base + 3))
p_netbox=$((base + 4)) p_sushy=$((base + 5)) p_mockup=$((base + 6)) p_example_bmc=$((base + 7))

die() { echo "services: $*" >&2; exit 1; }
say() { echo "services: $(date +%H:%M:%S) $*"; }
psql_() { # shellcheck disable=SC2086
    PGOPTIONS="--client-min-messages=warning" psql $pg_opts -v ON_ERROR_STOP=1 -qAt "$@"; }

# ---------------------------------------------------------------- stop
stop() {
    if [ -d "$run/pids" ]; then
        for f in "$run"/pids/*.pid; do
            [ -e "$f" ] || continue
            pid="$(cat "$f")"
            kill -TERM "$pid" 2>/dev/null || true
        done
        for f in "$run"/pids/*.pid; do
            [ -e "$f" ] || continue
            pid="$(cat "$f")"
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
            rm -f "$f"
        done
    fi
    if command -v psql >/dev/null && psql_ -c 'select 1' >/dev/null 2>&1; then
        for db in $dbs; do psql_ -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null; done
    fi
    if command -v redis-cli >/dev/null; then
        redis-cli -h 127.0.0.1 -n 14 flushdb >/dev/null 2>&1 || true
        redis-cli -h 127.0.0.1 -n 15 flushdb >/dev/null 2>&1 || true
    fi
    rm -f "$run/services.env"
}

# ---------------------------------------------------------------- prerequisites
need() { command -v "$1" >/dev/null || die "missing command $1 ($2)"; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check() {
    need psql "apt-get install postgresql-client"
    need pg_restore "apt-get install postgresql-client"
    need openssl "apt-get install openssl"
    need curl "apt-get install curl"
    py311="${GXS_PYTHON_OPENSTACK:-$(command -v python3.11 || true)}"
    [ -n "$py311" ] || die "missing python3.11 (the OpenStack venv; apt-get install python3 python3-venv)"
    "$py311" -c 'import venv, ensurepip' 2>/dev/null || die "$py311 has no venv/ensurepip (apt-get install python3-venv)"
    py312="${GXS_PYTHON_NETBOX:-}"
    if [ -z "$py312" ]; then
        # pyenv shims exist for versions that are not selected: try each one for real.
        for c in "$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3.12" python3.12 python3.13; do
            if "$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
                py312="$(command -v "$c")"; break
            fi
        done
    fi
    [ -n "$py312" ] || die "NetBox $netbox_version needs Python >= 3.12: none found (set GXS_PYTHON_NETBOX)"
    "$py312" -c 'import sys; sys.exit(sys.version_info < (3, 12))' || die "$py312 is older than 3.12"
    psql_ -c 'select 1' >/dev/null 2>&1 || die "PostgreSQL not reachable with psql $pg_opts (set GXS_PG)"
    port_open 5672 || die "RabbitMQ not listening on 127.0.0.1:5672"
    port_open 6379 || die "Redis not listening on 127.0.0.1:6379"
    for p in $(seq "$base" $((base + 7))); do
        port_open "$p" && die "port $p is in use (set GXS_PORT_BASE)"
    done
    return 0
}

# ---------------------------------------------------------------- venvs
venv() { # name python constraints
    local dir="$cache/$1" py="$2" cons="$here/$3" stamp
    stamp="$(sha256sum "$cons" | cut -c1-16)-$("$py" -c 'import sys; print(sys.version.split()[0])')"
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ]; then return 0; fi
    say "installing the $1 venv from PyPI ($3)"
    rm -rf "$dir"
    "$py" -m venv "$dir"
    "$dir/bin/pip" install -q --upgrade pip >/dev/null
    # The constraints file is a full `pip freeze`: install exactly it, without resolving again.
    "$dir/bin/pip" install -q --no-deps -r "$cons" || die "pip install of $3 failed"
    echo "$stamp" >"$dir/.stamp"
}

# ---------------------------------------------------------------- helpers
start() { # name command... (stdout/stderr to logs/name.log, PID to pids/name.pid)
    local name="$1"; shift
    setsid "$@" >"$run/logs/$name.log" 2>&1 </dev/null &
    echo $! >"$run/pids/$name.pid"
}

wait_http() { # name url [seconds]
    local name="$1" url="$2" n="${3:-90}"
    for _ in $(seq 1 $((n * 5))); do
        if curl -ks -o /dev/null "$url"; then return 0; fi
        if ! kill -0 "$(cat "$run/pids/$name.pid")" 2>/dev/null; then
            tail -30 "$run/logs/$name.log" >&2
            die "$name exited (log: $run/logs/$name.log)"
        fi
        sleep 0.2
    done
    tail -30 "$run/logs/$name.log" >&2
    die "$name did not answer at $url within ${n}s (log: $run/logs/$name.log)"
}

gunicorn_() { # name port wsgi-object [env...]
    local name="$1" port="$2" app="$3"; shift 3
    start "$name" env GXS_WSGI="$app" "$@" PYTHONPATH="$here" "$os/bin/gunicorn" \
        --no-control-socket --bind "127.0.0.1:$port" --workers 1 --threads 4 --timeout 120 wsgi:application
}

secret() { openssl rand -hex "${1:-24}"; }

pgurl() { echo "postgresql+psycopg2://postgres@$pg_host/$1"; }

# ---------------------------------------------------------------- up
up() {
    local t0=$SECONDS
    stop
    check
    mkdir -p "$cache" "$run"
    rm -rf "${run:?}"/*
    mkdir -p "$run/pids" "$run/logs" "$run/secrets" "$run/tls"
    chmod 700 "$run/secrets"
    venv openstack "$py311" constraints-openstack.txt
    venv netbox "$py312" constraints-netbox.txt
    os="$cache/openstack" nb="$cache/netbox"
    say "venvs ready ($((SECONDS - t0)) s)"

    for db in $dbs; do psql_ -c "CREATE DATABASE $db" >/dev/null; done

    # Secrets: generated per run, kept in files only.
    for s in admin service redfish netbox_admin; do secret 12 >"$run/secrets/$s.password"; done
    local admin_pw service_pw
    admin_pw="$(cat "$run/secrets/admin.password")" service_pw="$(cat "$run/secrets/service.password")"

    # TLS for the Redfish servers: a CA and a server certificate for 127.0.0.1 / localhost.
    (cd "$run/tls" &&
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
            -subj "/CN=gx-attest test services CA" -keyout ca.key -out ca.pem 2>/dev/null &&
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
            -keyout server.key -out server.csr 2>/dev/null &&
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext &&
        openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 30 \
            -extfile ext -out server.pem 2>/dev/null) || die "openssl failed"

    local ks="http://127.0.0.1:$p_keystone"
    local rabbit="rabbit://guest:guest@127.0.0.1:5672/"
    local authtoken="[keystone_authtoken]
www_authenticate_uri = $ks
auth_url = $ks
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
password = $service_pw
service_token_roles_required = true
# Validate every token with Keystone (no cache): a revoked token is refused at once, which the
# re-authentication test needs.
token_cache_time = -1"

    # ---- Keystone
    mkdir -p "$run/keystone"
    cat >"$run/keystone/keystone.conf" <<EOF
[database]
connection = $(pgurl gxs_keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $run/keystone/fernet-keys
[credential]
key_repository = $run/keystone/credential-keys
EOF
    # ---- Nova API
    mkdir -p "$run/nova"
    cp "$os/etc/nova/api-paste.ini" "$run/nova/api-paste.ini"
    cat >"$run/nova/nova.conf" <<EOF
[DEFAULT]
transport_url = $rabbit
use_stderr = true
[api]
auth_strategy = keystone
[api_database]
connection = $(pgurl gxs_nova_api)
[database]
connection = $(pgurl gxs_nova)
[oslo_concurrency]
lock_path = $run/nova/lock
[wsgi]
api_paste_config = $run/nova/api-paste.ini
$authtoken
username = nova
[service_user]
send_service_user_token = true
auth_url = $ks
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = $service_pw
[placement]
auth_url = $ks
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = nova
password = $service_pw
EOF
    # ---- Glance
    mkdir -p "$run/glance/images" "$run/glance/staging" "$run/glance/tasks"
    cp "$os/etc/glance/glance-api-paste.ini" "$run/glance/glance-api-paste.ini"
    cat >"$run/glance/glance-api.conf" <<EOF
[DEFAULT]
enabled_backends = fs:file
use_stderr = true
[database]
connection = $(pgurl gxs_glance)
[glance_store]
default_backend = fs
[fs]
filesystem_store_datadir = $run/glance/images
[os_glance_staging_store]
filesystem_store_datadir = $run/glance/staging
[os_glance_tasks_store]
filesystem_store_datadir = $run/glance/tasks
[paste_deploy]
flavor = keystone
config_file = $run/glance/glance-api-paste.ini
$authtoken
username = glance
[oslo_policy]
enforce_new_defaults = true
EOF
    # ---- Ironic
    mkdir -p "$run/ironic"
    cat >"$run/ironic/ironic.conf" <<EOF
[DEFAULT]
auth_strategy = keystone
rpc_transport = none
use_stderr = true
enabled_hardware_types = fake-hardware
enabled_boot_interfaces = fake
enabled_console_interfaces = fake,no-console
enabled_deploy_interfaces = fake
enabled_inspect_interfaces = agent,fake,no-inspect
default_inspect_interface = agent
enabled_management_interfaces = fake
enabled_power_interfaces = fake
enabled_raid_interfaces = fake,no-raid
enabled_vendor_interfaces = fake,no-vendor
enabled_network_interfaces = noop
enabled_bios_interfaces = fake,no-bios
enabled_firmware_interfaces = fake,no-firmware
enabled_rescue_interfaces = fake,no-rescue
host = gxs-ironic
[api]
host_ip = 127.0.0.1
port = $p_ironic
[database]
connection = $(pgurl gxs_ironic)
[dhcp]
dhcp_provider = none
[inventory]
data_backend = database
[inspector]
require_managed_boot = false
# No port creation or interface validation: the example hosts share invented MACs.
default_hooks = ramdisk-error,architecture
[oslo_concurrency]
lock_path = $run/ironic/lock
$authtoken
username = ironic
EOF
    # ---- NetBox
    mkdir -p "$run/netbox/conf"
    cat >"$run/netbox/conf/configuration.py" <<EOF
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "gxs_netbox",
    "USER": "postgres", "PASSWORD": "", "HOST": "$pg_host", "PORT": "", "CONN_MAX_AGE": 300}}
REDIS = {"tasks": {"HOST": "127.0.0.1", "PORT": 6379, "DATABASE": 14, "PASSWORD": "", "SSL": False},
         "caching": {"HOST": "127.0.0.1", "PORT": 6379, "DATABASE": 15, "PASSWORD": "", "SSL": False}}
SECRET_KEY = "$(secret 32)"
API_TOKEN_PEPPERS = {1: "$(secret 32)"}
CENSUS_REPORTING_ENABLED = False
ISOLATED_DEPLOYMENT = True
EOF

    # ---- databases and start (the slow steps in parallel)
    say "database set-up"
    local ksm="$os/bin/keystone-manage --config-file $run/keystone/keystone.conf"
    (
        $ksm db_sync && $ksm fernet_setup --keystone-user root --keystone-group root &&
            $ksm credential_setup --keystone-user root --keystone-group root &&
            $ksm bootstrap --bootstrap-password "$admin_pw" --bootstrap-region-id RegionOne \
                --bootstrap-admin-url "$ks/v3" --bootstrap-public-url "$ks/v3" \
                --bootstrap-internal-url "$ks/v3"
    ) >"$run/logs/keystone-setup.log" 2>&1 &
    local j_ks=$!
    (
        n="$os/bin/nova-manage --config-file $run/nova/nova.conf"
        $n api_db sync && $n cell_v2 map_cell0 --database_connection "$(pgurl gxs_nova_cell0)" &&
            $n cell_v2 create_cell --name cell1 && $n db sync
    ) >"$run/logs/nova-setup.log" 2>&1 &
    local j_nova=$!
    "$os/bin/glance-manage" --config-file "$run/glance/glance-api.conf" db_sync >"$run/logs/glance-setup.log" 2>&1 &
    local j_glance=$!
    "$os/bin/ironic-dbsync" --config-file "$run/ironic/ironic.conf" create_schema >"$run/logs/ironic-setup.log" 2>&1 &
    local j_ironic=$!
    # NetBox: the migrated schema of the pinned version, restored (a cold `migrate` takes ~10 min).
    local dump="$here/netbox-$netbox_version.dump"
    [ -f "$dump" ] || die "missing $dump (see tests/services/README.md: make it with '$0 netbox-dump')"
    # shellcheck disable=SC2086
    pg_restore $pg_opts --no-owner -d gxs_netbox "$dump" >"$run/logs/netbox-setup.log" 2>&1 &
    local j_netbox=$!

    wait $j_ks || { cat "$run/logs/keystone-setup.log" >&2; die "keystone set-up failed"; }
    gunicorn_ keystone "$p_keystone" keystone.wsgi.api:application \
        OS_KEYSTONE_CONFIG_DIR="$run/keystone" OS_KEYSTONE_CONFIG_FILES=keystone.conf
    wait $j_netbox || { cat "$run/logs/netbox-setup.log" >&2; die "NetBox schema restore failed"; }
    start netbox env NETBOX_ROOT="$run/netbox" "$nb/bin/gunicorn" --no-control-socket --bind "127.0.0.1:$p_netbox" \
        --workers 1 --threads 4 --timeout 120 --preload netbox.wsgi
    wait $j_glance || { cat "$run/logs/glance-setup.log" >&2; die "glance set-up failed"; }
    gunicorn_ glance "$p_glance" glance.wsgi.api:application OS_GLANCE_CONFIG_DIR="$run/glance"
    wait $j_ironic || { cat "$run/logs/ironic-setup.log" >&2; die "ironic set-up failed"; }
    start ironic "$os/bin/ironic" --config-file "$run/ironic/ironic.conf"
    wait $j_nova || { cat "$run/logs/nova-setup.log" >&2; die "nova set-up failed"; }
    gunicorn_ nova "$p_nova" nova.wsgi.osapi_compute:application OS_NOVA_CONFIG_DIR="$run/nova"

    # ---- Redfish: sushy-tools (fake driver) and our mockup server (DMTF mockup; example host)
    "$os/bin/python" - "$run/secrets/redfish.password" >"$run/redfish.htpasswd" <<'EOF'
import bcrypt, sys
pw = open(sys.argv[1]).read().strip().encode()
print("admin:" + bcrypt.hashpw(pw, bcrypt.gensalt(rounds=5)).decode())
EOF
    cat >"$run/sushy.conf" <<EOF
SUSHY_EMULATOR_LISTEN_IP = "127.0.0.1"
SUSHY_EMULATOR_LISTEN_PORT = $p_sushy
SUSHY_EMULATOR_SSL_CERT = "$run/tls/server.pem"
SUSHY_EMULATOR_SSL_KEY = "$run/tls/server.key"
SUSHY_EMULATOR_AUTH_FILE = "$run/redfish.htpasswd"
SUSHY_EMULATOR_FAKE_DRIVER = True
SUSHY_EMULATOR_FAKE_SYSTEMS = [{"uuid": "27946b59-9e44-4fa7-8e91-f3527a1ef094", "name": "fake-bmc-01",
    "power_state": "On", "nics": [{"mac": "00:5c:52:31:3a:9c", "ip": "172.22.130.10"}]}]
SUSHY_EMULATOR_STORAGE = {"27946b59-9e44-4fa7-8e91-f3527a1ef094": [{"Id": "1", "Name": "Local Storage Controller",
    "StorageControllers": [{"MemberId": "0", "Name": "Contoso SAS", "SpeedGbps": 12}], "Drives": ["32ADF365C6C1B7BD"]}]}
SUSHY_EMULATOR_DRIVES = {("27946b59-9e44-4fa7-8e91-f3527a1ef094", "1"): [{"Id": "32ADF365C6C1B7BD", "Name": "Drive Sample",
    "CapacityBytes": 899527000000, "Protocol": "SAS"}]}
EOF
    start sushy "$os/bin/sushy-emulator" --config "$run/sushy.conf"
    local mockups="${GXS_REDFISH_MOCKUP:-$repo/../shared/redfish-mockups/public-rackmount1}"
    [ -d "$mockups/Systems" ] || die "missing the DMTF Redfish mockup at $mockups (set GXS_REDFISH_MOCKUP)"
    "$os/bin/python" "$here/load.py" redfish-tree "$repo/examples/inventory/hosts" "$run/redfish-example"
    for m in "mockup:$p_mockup:$mockups" "example-bmc:$p_example_bmc:$run/redfish-example"; do
        IFS=: read -r name port root <<<"$m"
        start "$name" "$os/bin/python" "$here/redfish_mockup.py" --root "$root" --port "$port" \
            --cert "$run/tls/server.pem" --key "$run/tls/server.key" --user admin \
            --password-file "$run/secrets/redfish.password"
    done

    wait_http keystone "$ks/v3"
    wait_http nova "http://127.0.0.1:$p_nova/"
    wait_http glance "http://127.0.0.1:$p_glance/"
    wait_http ironic "http://127.0.0.1:$p_ironic/"
    wait_http netbox "http://127.0.0.1:$p_netbox/api/status/" 120
    wait_http sushy "https://127.0.0.1:$p_sushy/redfish/v1/"
    wait_http mockup "https://127.0.0.1:$p_mockup/redfish/v1/"
    wait_http example-bmc "https://127.0.0.1:$p_example_bmc/redfish/v1/"
    say "services answer ($((SECONDS - t0)) s); loading the example cloud"

    GXS_RUN="$run" GXS_PORT_BASE="$base" "$os/bin/python" "$here/load.py" load "$repo" ||
        die "loading the example cloud failed (logs: $run/logs)"
    say "up in $((SECONDS - t0)) s; env file $run/services.env"
}

# ---------------------------------------------------------------- netbox-dump
# Makes netbox-$netbox_version.dump: the migrated schema of the pinned NetBox (~10 min).
netbox_dump() {
    check
    venv netbox "$py312" constraints-netbox.txt
    mkdir -p "$run/netbox-dump/conf"
    psql_ -c "DROP DATABASE IF EXISTS gxs_netbox_dump WITH (FORCE)" -c "CREATE DATABASE gxs_netbox_dump"
    cat >"$run/netbox-dump/conf/configuration.py" <<EOF
ALLOWED_HOSTS = ["127.0.0.1"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "gxs_netbox_dump",
    "USER": "postgres", "PASSWORD": "", "HOST": "$pg_host", "PORT": ""}}
REDIS = {"tasks": {"HOST": "127.0.0.1", "PORT": 6379, "DATABASE": 14, "PASSWORD": "", "SSL": False},
         "caching": {"HOST": "127.0.0.1", "PORT": 6379, "DATABASE": 15, "PASSWORD": "", "SSL": False}}
SECRET_KEY = "$(secret 32)"
CENSUS_REPORTING_ENABLED = False
ISOLATED_DEPLOYMENT = True
EOF
    NETBOX_ROOT="$run/netbox-dump" "$cache/netbox/bin/netbox" migrate --no-input
    # shellcheck disable=SC2086
    pg_dump $pg_opts -Fc --no-owner gxs_netbox_dump >"$here/netbox-$netbox_version.dump"
    psql_ -c "DROP DATABASE gxs_netbox_dump WITH (FORCE)"
    say "wrote $here/netbox-$netbox_version.dump"
}

# Debian packages the test suite itself needs besides the services (softhsm2: PKCS#11 tests;
# util-linux: `unshare` for the no-network test; curl and openssh-client: the runner-exact upload
# tests; xmlsec1: signs the trusted lists of the registry tests), installed when missing and when this runs as root with apt-get, so that the README's
# test command works on a fresh machine; otherwise named.
system_packages() {
    local missing=()
    [ -e /usr/lib/softhsm/libsofthsm2.so ] || missing+=(softhsm2)
    command -v unshare >/dev/null || missing+=(util-linux)
    command -v curl >/dev/null || missing+=(curl)
    command -v ssh-keygen >/dev/null || missing+=(openssh-client)
    command -v xmlsec1 >/dev/null || missing+=(xmlsec1)
    [ ${#missing[@]} -eq 0 ] && return 0
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        die "the tests need the Debian packages ${missing[*]}: install them first"
    fi
}

case "${1:-}" in
up)
    # A failed start stops what it started (the logs stay in $run/logs).
    trap 'status=$?; [ $status = 0 ] || { stop; echo "services: stopped after the failure; logs in $run/logs" >&2; }' EXIT
    up
    ;;
run)
    shift
    [ $# -gt 0 ] || { echo "usage: $0 run COMMAND..." >&2; exit 2; }
    system_packages
    trap 'stop; say "stopped"' EXIT
    up
    export GXS_SERVICES_ENV="$run/services.env"
    status=0
    "$@" || status=$?
    exit $status
    ;;
down) stop; say "stopped" ;;
netbox-dump) netbox_dump ;;
*) echo "usage: $0 up|down|run COMMAND...|netbox-dump" >&2; exit 2 ;;
esac
