#!/usr/bin/env bash
# Installs what is missing, builds, and starts the local Frontera network:
# three validators (US CBP, MX ANAM, CA CBSA) on loopback, each from its file
# in config/, with the example parties, serving their APIs over HTTPS with
# certificates of a local CA made here; then prints what to try next.
#   ./run.sh          start (or restart) the three validators
#   ./run.sh stop     stop them
#   ./run.sh reset    stop them and delete their data, keys, CA and certificates
#   ./run.sh restart NAME   stop one validator (us-cbp, mx-anam, ca-cbsa) cleanly and start it
#                     again with the command line it was started with (nothing is built:
#                     a binary rebuilt meanwhile is the one that starts, as in an upgrade)
#   ./run.sh logs NAME      its log: followed on a terminal, printed whole otherwise. A log
#                     is appended to across restarts, never truncated
# For tests and side-by-side networks (the defaults are what a new user gets):
#   FRONTERA_RUN_DIR=DIR        keys, genesis, data, logs, pid and port files in DIR
#                               instead of .frontera/network (each validator's config is
#                               then written to DIR/config/, from config/<name>.toml)
#   FRONTERA_RUN_PORTS=free     a new network's six ports (API and peer link) are picked
#                               free on 127.0.0.1 instead of 7001-7003 and 7101-7103; the
#                               genesis keeps them, so a restart reuses them; the operational
#                               listeners (config [ops], 7201-7203) then take a free port
#                               at each start
#   FRONTERA_RUN_SKIP_INSTALL=1 do not install Debian packages
#   FRONTERA_BUILD_DIR=DIR      run DIR/node/fronterad as built (no configure, no build)
# Each validator's API port is in <dir>/<name>.port once it listens, the port of its
# operational listener (/v1/status, /metrics; loopback only) in <dir>/<name>.ops.port.
# The CA that signed their certificates is <dir>/ca/ca.pem (FRONTERA_CA, curl --cacert).
set -euo pipefail
caller_dir=$PWD
cd "$(dirname "$0")"
source scripts/deps.sh

default_net=.frontera/network
net=${FRONTERA_RUN_DIR:-$default_net}
if [ -n "${FRONTERA_RUN_DIR:-}" ] && [ "${net#/}" = "$net" ]; then net=$caller_dir/$net; fi
ports=${FRONTERA_RUN_PORTS:-fixed}
case "$ports" in fixed | free) ;; *)
  echo "run.sh: FRONTERA_RUN_PORTS is fixed or free, not $ports" >&2; exit 64 ;;
esac
validators=(us-cbp mx-anam ca-cbsa)

# Stops the validators named (all when none): SIGTERM, then SIGKILL after 15 s.
stop() {
  local names=("$@") any=0
  [ ${#names[@]} -gt 0 ] || names=("${validators[@]}")
  for v in "${names[@]}"; do
    local pidfile=$net/$v.pid
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill "$(cat "$pidfile")"
      any=1
    fi
  done
  for v in "${names[@]}"; do
    local pidfile=$net/$v.pid
    [ -f "$pidfile" ] || continue
    for _ in $(seq 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    # Still there after 15 s: every acknowledged write is in the synced logs.
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  if [ "$any" = 1 ]; then echo "run.sh: stopped ${names[*]}"; fi
  return 0
}

# Starts validator $1 with the command line in $net/$1.cmdline (written by
# the start below), its output appended to $net/$1.log.
launch() {
  local v=$1 cmdline
  cmdline=$(cat "$net/$v.cmdline")
  rm -f "$net/$v.port" "$net/$v.ops.port"
  echo "run.sh: starting $v at $(date -u +%Y-%m-%dT%H:%M:%SZ): $cmdline" >>"$net/$v.log"
  eval "nohup $cmdline >>\"\$net/\$v.log\" 2>&1 &"
  echo $! >"$net/$v.pid"
}

# Waits until validator $1 listens (its port file is written).
await_port() {
  local v=$1
  for _ in $(seq 100); do
    [ -s "$net/$v.port" ] && return 0
    kill -0 "$(cat "$net/$v.pid")" 2>/dev/null || { tail -n 40 "$net/$v.log"; exit 1; }
    sleep 0.1
  done
  echo "run.sh: $v did not start; see $net/$v.log" >&2
  exit 1
}

validator_named() {
  local name=${1:-}
  for v in "${validators[@]}"; do [ "$v" = "$name" ] && return 0; done
  echo "run.sh: ${2:-restart} takes the name of a validator (${validators[*]}), not \"$name\"" >&2
  exit 64
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  reset) stop; rm -rf "$net"; echo "run.sh: removed $net"; exit 0 ;;
  restart)
    validator_named "${2:-}" restart
    [ -f "$net/$2.cmdline" ] || { echo "run.sh: $2 was never started in $net (./run.sh starts it)" >&2; exit 1; }
    stop "$2"
    launch "$2"
    await_port "$2"
    echo "run.sh: $2 restarted, API on port $(cat "$net/$2.port"), log $net/$2.log"
    exit 0 ;;
  logs)
    validator_named "${2:-}" logs
    [ -f "$net/$2.log" ] || { echo "run.sh: no log of $2 in $net" >&2; exit 1; }
    if [ -t 1 ]; then exec tail -n 100 -F "$net/$2.log"; fi
    exec cat "$net/$2.log" ;;
  start) ;;
  *) echo "run.sh: unknown command $1 (start, stop, reset, restart NAME, logs NAME)" >&2; exit 64 ;;
esac

if [ "${FRONTERA_RUN_SKIP_INSTALL:-0}" != 1 ]; then
  frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_RUN_PACKAGES[@]}"
fi
if [ -n "${FRONTERA_BUILD_DIR:-}" ]; then
  build=$FRONTERA_BUILD_DIR
  case "$build" in /*) ;; *) build=$caller_dir/$build ;; esac
  [ -x "$build/node/fronterad" ] || { echo "run.sh: no $build/node/fronterad" >&2; exit 1; }
else
  build=build
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target fronterad frontera
fi

stop
mkdir -p "$net"
if [ "$ports" = free ] && [ ! -f "$net/genesis.json" ]; then
  # A new network on six ports free now: the genesis written for 7001-7003
  # (APIs, the resolver) and 7101-7103 (peer links) is moved onto them
  # before any validator reads it.
  "$build/node/fronterad" --init-network "$net"
  python3 - "$net/genesis.json" <<'PY'
import json, socket, sys
path = sys.argv[1]
socks = []
for _ in range(6):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    socks.append(s)
ports = [s.getsockname()[1] for s in socks]
for s in socks:
    s.close()
with open(path, encoding="utf-8") as f:
    genesis = json.load(f)
order = {"us-cbp": 0, "mx-anam": 1, "ca-cbsa": 2}
for v in genesis["validators"]:
    i = order[v["name"]]
    v["api"] = f"https://127.0.0.1:{ports[i]}"
    v["peer"] = f"127.0.0.1:{ports[3 + i]}"
genesis["resolver"] = f"127.0.0.1:{ports[0]}"
with open(path, "w", encoding="utf-8") as f:
    json.dump(genesis, f, indent=2, ensure_ascii=False)
    f.write("\n")
PY
else
  "$build/node/fronterad" --init-network "$net"
fi

# HTTPS (docs/operations.md#https). On a new network: a local certificate
# authority, $net/ca/ca.pem and ca.key (mode 0600), ECDSA P-256, valid 10
# years, whose name constraints allow only 127.0.0.0/8 and localhost (trusting
# it lets it vouch for no other site). For each validator: $net/tls/<name>.key (0600) and <name>.pem, a
# P-256 certificate the CA signs for IP:127.0.0.1 and DNS:localhost, valid
# 397 days. A restart reuses them; a certificate that expires within 30 days,
# or that this CA did not sign, is made again.
ca=$net/ca
tls=$net/tls
mkdir -p "$ca" "$tls"
if [ ! -s "$ca/ca.pem" ] || [ ! -s "$ca/ca.key" ]; then
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=Frontera local network CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "nameConstraints=critical,permitted;IP:127.0.0.0/255.0.0.0,permitted;DNS:localhost" \
    -keyout "$ca/ca.key" -out "$ca/ca.pem") 2>"$ca/openssl.log" ||
    { cat "$ca/openssl.log" >&2; echo "run.sh: cannot create the local CA in $ca" >&2; exit 1; }
  chmod 0644 "$ca/ca.pem"
  rm -f "$ca/openssl.log"
  echo "run.sh: created the local certificate authority $ca/ca.pem"
fi
for v in "${validators[@]}"; do
  if [ -s "$tls/$v.pem" ] && [ -s "$tls/$v.key" ] &&
    openssl x509 -checkend 2592000 -noout -in "$tls/$v.pem" >/dev/null 2>&1 &&
    openssl verify -CAfile "$ca/ca.pem" "$tls/$v.pem" >/dev/null 2>&1; then
    continue
  fi
  printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature" "extendedKeyUsage=serverAuth" >"$tls/$v.ext"
  (umask 077 && openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=$v" -keyout "$tls/$v.key" -out "$tls/$v.csr" &&
    openssl x509 -req -days 397 -in "$tls/$v.csr" -CA "$ca/ca.pem" -CAkey "$ca/ca.key" \
      -CAserial "$ca/ca.srl" -CAcreateserial -extfile "$tls/$v.ext" -out "$tls/$v.pem") \
    2>"$tls/openssl.log" ||
    { cat "$tls/openssl.log" >&2; echo "run.sh: cannot create the certificate of $v in $tls" >&2; exit 1; }
  chmod 0644 "$tls/$v.pem"
  rm -f "$tls/$v.csr" "$tls/$v.ext" "$tls/openssl.log"
done

if grep -q '"api": "http://' "$net/genesis.json"; then
  echo "run.sh: $net/genesis.json predates HTTPS (it lists http:// APIs, so frontera status" \
    "cannot reach the other validators); ./run.sh reset makes a new network" >&2
fi

# Each validator's API port, from the genesis (7001-7003 unless picked free).
api_port() {
  python3 -c 'import json,sys
for v in json.load(open(sys.argv[1], encoding="utf-8"))["validators"]:
    if v["name"] == sys.argv[2]: print(v["api"].rsplit(":", 1)[1])' "$net/genesis.json" "$1"
}

# config/<name>.toml names .frontera/network and the fixed ports; another
# directory or other ports get a copy in $net/config with both replaced.
config_of() {
  local v=$1
  if [ "$net" = "$default_net" ] && [ "$(api_port "$v")" = "$(sed -n '/^\[api\]/,/^\[/ s/^port = //p' "config/$v.toml")" ]; then
    echo "config/$v.toml"
    return
  fi
  local abs_net
  abs_net=$(cd "$net" && pwd)
  mkdir -p "$net/config"
  # Free ports: the operational listener takes a free one at each start.
  local ops_port='&'
  if [ "$ports" = free ]; then ops_port='port = 0'; fi
  sed -e "s#\"\.\./\.frontera/network/#\"$abs_net/#" \
    -e "/^\[api\]/,/^\[/ s/^port = .*/port = $(api_port "$v")/" \
    -e "/^\[ops\]/,/^\[/ s/^port = .*/$ops_port/" \
    "config/$v.toml" >"$net/config/$v.toml"
  echo "$net/config/$v.toml"
}

declare -A configs
for v in "${validators[@]}"; do
  configs[$v]=$(config_of "$v")
  # Absolute paths: ./run.sh restart may run from another directory.
  printf '%q ' "$(cd "$(dirname "$build/node/fronterad")" && pwd)/fronterad" \
    --config "$(cd "$(dirname "${configs[$v]}")" && pwd)/$(basename "${configs[$v]}")" \
    --port-file "$(cd "$net" && pwd)/$v.port" --ops-port-file "$(cd "$net" && pwd)/$v.ops.port" \
    >"$net/$v.cmdline"
  launch "$v"
done
for v in "${validators[@]}"; do await_port "$v"; done
url() { echo "https://127.0.0.1:$(cat "$net/$1.port")"; }
ops_url() { echo "http://127.0.0.1:$(cat "$net/$1.ops.port")"; }
# A leader within a few election timeouts (the detailed status is on the
# operational listener).
leader=""
for _ in $(seq 100); do
  leader=$(curl -sf "$(ops_url us-cbp)/v1/status" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["raft"]["leader"] or "")' 2>/dev/null || true)
  [ -n "$leader" ] && break
  sleep 0.1
done

node=$(url us-cbp)
tools=\$PWD/build/tools
case "$build" in /*) tools=$build/tools ;; esac
# The exported paths, absolute (the keys' stay relative to this folder, as the README's).
abs_net=$(cd "$net" && pwd)
cat <<MSG

Frontera is running: three validators of the local network, leader ${leader:-"(electing)"}.
  US CBP     $(url us-cbp)   ${configs[us-cbp]}   log $net/us-cbp.log
  MX ANAM    $(url mx-anam)   ${configs[mx-anam]}  log $net/mx-anam.log
  CA CBSA    $(url ca-cbsa)   ${configs[ca-cbsa]}  log $net/ca-cbsa.log
  operational listeners (/v1/status, /metrics; loopback only, ports in $net/<name>.ops.port):
             $(ops_url us-cbp)   $(ops_url mx-anam)   $(ops_url ca-cbsa)
  genesis    $net/genesis.json
  HTTPS CA   $net/ca/ca.pem  (certificates in $net/tls/; FRONTERA_CA or curl --cacert)
  keys       $net/keys/  (mx-manufacturer, mx-carrier, us-distributor, us-cbp, mx-anam, ca-cbsa)
Any node takes any request: writes sent to a follower go to the leader.

Try next (the README walks through the whole US–MX–CA scenario):
  export PATH=$tools:\$PATH FRONTERA_NODE=$node
  export FRONTERA_GENESIS=$abs_net/genesis.json FRONTERA_CA=$abs_net/ca/ca.pem
  export FRONTERA_OPS_DIR=$abs_net
  frontera status
  frontera issue pharma --key $net/keys/mx-manufacturer.key --gtin 07501234000017 \\
      --lot LOT42A --serial SN$RANDOM --expiry 2028-10-31 --product-name "Amoxicillin 500 mg capsules" \\
      --strength-dosage-form "500 mg, capsule" --container-size "30 capsules"
  curl -s --cacert \$FRONTERA_CA $(url mx-anam)/v1/checkpoint     # signed by a majority of the validators
  curl -s $(ops_url us-cbp)/metrics | grep frontera_raft   # the operational listener only

Stop them with ./run.sh stop (data stays in $net; ./run.sh reset removes it, CA included).
MSG
