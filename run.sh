#!/usr/bin/env bash
# Installs what is missing, builds, and starts the local Frontera network:
# three validators (US CBP, MX ANAM, CA CBSA) on loopback, each from its file
# in config/, with the example parties; then prints what to try next.
#   ./run.sh          start (or restart) the three validators
#   ./run.sh stop     stop them
#   ./run.sh reset    stop them and delete their data and keys
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh

net=.frontera/network
validators=(us-cbp mx-anam ca-cbsa)

stop() {
  local any=0
  for v in "${validators[@]}"; do
    local pidfile=$net/$v.pid
    if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      kill "$(cat "$pidfile")"
      any=1
    fi
  done
  for v in "${validators[@]}"; do
    local pidfile=$net/$v.pid
    [ -f "$pidfile" ] || continue
    for _ in $(seq 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    # Still there after 15 s: every acknowledged write is in the synced logs.
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
  if [ "$any" = 1 ]; then echo "run.sh: validators stopped"; fi
  return 0
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  reset) stop; rm -rf "$net"; echo "run.sh: removed $net"; exit 0 ;;
  start) ;;
  *) echo "run.sh: unknown command $1 (start, stop, reset)" >&2; exit 64 ;;
esac

frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_RUN_PACKAGES[@]}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target fronterad frontera

stop
mkdir -p "$net"
build/node/fronterad --init-network "$net"
for v in "${validators[@]}"; do
  rm -f "$net/$v.port"
  nohup build/node/fronterad --config "config/$v.toml" --port-file "$net/$v.port" \
    >>"$net/$v.log" 2>&1 &
  echo $! >"$net/$v.pid"
done
for v in "${validators[@]}"; do
  for _ in $(seq 100); do
    [ -s "$net/$v.port" ] && break
    kill -0 "$(cat "$net/$v.pid")" 2>/dev/null || { tail -n 40 "$net/$v.log"; exit 1; }
    sleep 0.1
  done
  [ -s "$net/$v.port" ] || { echo "run.sh: $v did not start; see $net/$v.log" >&2; exit 1; }
done
# A leader within a few election timeouts.
leader=""
for _ in $(seq 100); do
  leader=$(curl -sf http://127.0.0.1:7001/v1/status |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["raft"]["leader"] or "")' 2>/dev/null || true)
  [ -n "$leader" ] && break
  sleep 0.1
done

node=http://127.0.0.1:7001
cat <<MSG

Frontera is running: three validators of the local network, leader ${leader:-"(electing)"}.
  US CBP     http://127.0.0.1:7001   config/us-cbp.toml   log $net/us-cbp.log
  MX ANAM    http://127.0.0.1:7002   config/mx-anam.toml  log $net/mx-anam.log
  CA CBSA    http://127.0.0.1:7003   config/ca-cbsa.toml  log $net/ca-cbsa.log
  genesis    $net/genesis.json
  keys       $net/keys/  (mx-manufacturer, mx-carrier, us-distributor, us-cbp, mx-anam, ca-cbsa)
Any node takes any request: writes sent to a follower go to the leader.

Try next (the README walks through the whole US–MX–CA scenario):
  export PATH=\$PWD/build/tools:\$PATH FRONTERA_NODE=$node FRONTERA_GENESIS=$net/genesis.json
  frontera status
  frontera issue pharma --key $net/keys/mx-manufacturer.key --gtin 07501234000017 \\
      --lot LOT42A --serial SN$RANDOM --expiry 2028-10-31 --product-name "Amoxicillin 500 mg capsules" \\
      --strength-dosage-form "500 mg, capsule" --container-size "30 capsules"
  curl -s http://127.0.0.1:7002/v1/checkpoint     # signed by a majority of the validators

Stop them with ./run.sh stop (data stays in $net; ./run.sh reset removes it).
MSG
