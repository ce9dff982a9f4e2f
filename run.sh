#!/usr/bin/env bash
# Installs what is missing, builds, and starts a local Frontera network with
# example parties, then prints what to try next.
#   ./run.sh          start (or restart) the development validator
#   ./run.sh stop     stop it
#   ./run.sh reset    stop it and delete its data and keys
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh

dev=.frontera/dev
port=${FRONTERA_PORT:-7001}
pidfile=$dev/fronterad.pid

stop() {
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 150); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.1; done
    # Still there after 15 s: every acknowledged write is in the synced log.
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    echo "run.sh: validator stopped"
  fi
  rm -f "$pidfile"
}

case "${1:-start}" in
  stop) stop; exit 0 ;;
  reset) stop; rm -rf "$dev"; echo "run.sh: removed $dev"; exit 0 ;;
  start) ;;
  *) echo "run.sh: unknown command $1 (start, stop, reset)" >&2; exit 64 ;;
esac

frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j2 --target fronterad frontera

stop
mkdir -p "$dev"
rm -f "$dev/port"
nohup build/node/fronterad --dev "$dev" --port "$port" --port-file "$dev/port" \
  >"$dev/fronterad.log" 2>&1 &
echo $! >"$pidfile"
for _ in $(seq 100); do
  [ -s "$dev/port" ] && break
  kill -0 "$(cat "$pidfile")" 2>/dev/null || { cat "$dev/fronterad.log"; exit 1; }
  sleep 0.1
done
[ -s "$dev/port" ] || { echo "run.sh: validator did not start; see $dev/fronterad.log" >&2; exit 1; }

node=http://127.0.0.1:$(cat "$dev/port")
cat <<MSG

Frontera is running: one validator (US CBP) of the development network.
  API        $node            (log: $dev/fronterad.log)
  genesis    $dev/genesis.json
  keys       $dev/keys/  (mx-manufacturer, mx-carrier, us-distributor, us-cbp, mx-anam, ca-cbsa)

Try next (the README walks through the whole US–MX–CA scenario):
  export PATH=\$PWD/build/tools:\$PATH FRONTERA_NODE=$node FRONTERA_GENESIS=$dev/genesis.json
  frontera issue pharma --key $dev/keys/mx-manufacturer.key --gtin 07501234000017 \\
      --lot LOT42A --serial SN$RANDOM --expiry 2028-10-31 --product-name "Amoxicillin 500 mg capsules" \\
      --strength-dosage-form "500 mg, capsule" --container-size "30 capsules"
  curl -s $node/v1/status
  curl -s $node/v1/checkpoint

Stop it with ./run.sh stop (data stays in $dev; ./run.sh reset removes it).
MSG
