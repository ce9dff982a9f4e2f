#!/usr/bin/env bash
# ./test.sh --package (docs/operations.md#install): builds the Debian package with
# ./package.sh, makes a fresh Debian 12 root (mmdebstrap from the Debian mirror), boots it
# with systemd-nspawn, installs the package there with apt-get (which brings its
# dependencies), makes a single-validator network with the packaged frontera (keygen,
# genesis) and a TLS certificate, writes /etc/frontera/fronterad.toml from the packaged
# example, checks it with fronterad --check-config, verifies the unit (systemd-analyze
# verify), starts frontera-validator.service, waits for /healthz on its operational port and
# the API over HTTPS, checks the process's user and the data directory, stops the unit and
# reads its exit status and journal. Prints the package size and the install-to-serving time.
# The container shares the host's network (its ports are picked free on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/deps.sh
frontera_install_packages "${FRONTERA_PACKAGE_TEST_PACKAGES[@]}"

fail() { echo "package_test: FAILED: $*" >&2; exit 1; }
step() { echo "== package_test: $*"; }

step "build the package (./package.sh)"
./package.sh
deb=$(ls build-package/frontera_*.deb)
deb_bytes=$(stat -c %s "$deb")
installed_kib=$(dpkg-deb -f "$deb" Installed-Size)
dpkg-deb -c "$deb" | awk '{print $6}' >"$(dirname "$deb")/contents.txt"
for path in ./usr/bin/fronterad ./usr/bin/frontera ./usr/share/man/man1/fronterad.1.gz \
  ./usr/share/man/man1/frontera.1.gz ./usr/lib/systemd/system/frontera-validator.service \
  ./usr/lib/sysusers.d/frontera.conf ./usr/lib/libfrontera_http.so \
  ./usr/share/doc/frontera/examples/fronterad.toml.example; do
  grep -qx "$path" "$(dirname "$deb")/contents.txt" || fail "$deb does not hold $path"
done

work=$(mktemp -d /tmp/frontera-package-XXXXXX)
root=$work/root
nspawn_pid=""
cleanup() {
  if [ -n "$nspawn_pid" ] && kill -0 "$nspawn_pid" 2>/dev/null; then
    kill -TERM "$nspawn_pid" 2>/dev/null || true  # nspawn powers the container off
    for _ in $(seq 1 50); do kill -0 "$nspawn_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL "$nspawn_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

step "a fresh Debian 12 root (mmdebstrap, minbase + systemd, man-db)"
started=$SECONDS
mmdebstrap --quiet --variant=minbase \
  --include=systemd,systemd-sysv,dbus,ca-certificates,curl,openssl,man-db \
  bookworm "$root" http://deb.debian.org/debian >"$work/mmdebstrap.log" 2>&1 ||
  { tail -n 30 "$work/mmdebstrap.log" >&2; fail "mmdebstrap"; }
echo "root made in $((SECONDS - started)) s"

step "boot it (systemd-nspawn -b)"
systemd-nspawn --quiet --register=no --keep-unit --machine=frontera-package -D "$root" -b \
  </dev/null >"$work/console.log" 2>&1 &
nspawn_pid=$!
init_pid=""
for _ in $(seq 1 100); do
  init_pid=$(pgrep -P "$nspawn_pid" | head -n 1 || true)
  [ -n "$init_pid" ] && break
  sleep 0.1
done
[ -n "$init_pid" ] || fail "systemd-nspawn started no init (console: $(tail -n 5 "$work/console.log"))"
in_root() { nsenter --target "$init_pid" --mount --uts --ipc --net --pid -- "$@"; }
state=""
for _ in $(seq 1 300); do
  state=$(in_root systemctl is-system-running 2>/dev/null || true)
  [ "$state" = running ] || [ "$state" = degraded ] && break
  sleep 0.2
done
[ "$state" = running ] || [ "$state" = degraded ] ||
  fail "the container did not boot (state \"$state\"; console: $(tail -n 5 "$work/console.log"))"
echo "booted: systemd $state"

step "install the package with apt-get"
cp "$deb" "$root/root/"
in_root apt-get update -qq
install_started=$(date +%s.%N)
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -qq --no-install-recommends \
  "/root/$(basename "$deb")" >"$work/apt.log" 2>&1 || { cat "$work/apt.log" >&2; fail "apt-get install"; }
installed=$(date +%s.%N)
in_root id frontera >/dev/null || fail "postinst made no user frontera"
[ "$(in_root stat -c '%a %U:%G' /etc/frontera)" = "750 root:frontera" ] ||
  fail "postinst made no /etc/frontera (750 root:frontera)"
in_root fronterad --version | grep -q "^fronterad 0.9.0$" || fail "fronterad --version"
in_root man -w fronterad >/dev/null || fail "man finds no page of fronterad"
in_root man -w frontera >/dev/null || fail "man finds no page of frontera"
in_root systemd-analyze verify frontera-validator.service ||
  fail "systemd-analyze verify frontera-validator.service"

step "a single-validator network in /etc/frontera"
read -r api_port ops_port < <(python3 -c '
import socket
ports = []
for _ in range(2):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); ports.append(s.getsockname()[1]); s.close()
print(*ports)')
cat >"$root/etc/frontera/network.toml" <<TOML
network = "frontera.example/package-test"
resolver = "127.0.0.1:$api_port"
created = "2026-12-01T00:00:00Z"

[[validator]]
name = "us-cbp"
key = "validator.key"
api = "https://127.0.0.1:$api_port"
TOML
in_root frontera keygen -o /etc/frontera/validator.key >/dev/null
in_root frontera genesis --from /etc/frontera/network.toml -o /etc/frontera/genesis.json
mkdir -p "$root/etc/frontera/tls"
in_root openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -subj /CN=us-cbp -addext subjectAltName=IP:127.0.0.1 -keyout /etc/frontera/tls/privkey.pem \
  -out /etc/frontera/tls/fullchain.pem 2>/dev/null
# The packaged example, with this test's loopback address and ports.
sed -e 's/^host = "0.0.0.0"/host = "127.0.0.1"/' -e "s/^port = 7001/port = $api_port/" \
  -e "s/^port = 7201/port = $ops_port/" \
  "$root/usr/share/doc/frontera/examples/fronterad.toml.example" >"$root/etc/frontera/fronterad.toml"
in_root chown frontera: /etc/frontera/validator.key /etc/frontera/tls/privkey.pem
in_root chgrp -R frontera /etc/frontera
in_root chmod 0750 /etc/frontera /etc/frontera/tls
in_root runuser -u frontera -- fronterad --check-config /etc/frontera/fronterad.toml ||
  fail "fronterad --check-config on the example config"

step "start frontera-validator.service"
unit_started=$(date +%s.%N)
in_root systemctl enable --now frontera-validator.service 2>/dev/null
serving=""
for _ in $(seq 1 300); do
  if in_root curl -fsS "http://127.0.0.1:$ops_port/healthz" >/dev/null 2>&1; then
    serving=$(date +%s.%N)
    break
  fi
  sleep 0.1
done
[ -n "$serving" ] || {
  in_root journalctl -u frontera-validator.service --no-pager | tail -n 30 >&2
  fail "no /healthz on the operational port within 30 s"
}
in_root curl -fsS --cacert /etc/frontera/tls/fullchain.pem "https://127.0.0.1:$api_port/healthz" \
  >/dev/null || fail "the API does not answer over HTTPS"
# The packaged client, over HTTPS (its HTTP module is loaded from /usr/lib).
in_root frontera --ca-file /etc/frontera/tls/fullchain.pem checkpoint \
  --node "https://127.0.0.1:$api_port" --genesis /etc/frontera/genesis.json >"$work/checkpoint.txt" ||
  { cat "$work/checkpoint.txt" >&2; fail "frontera checkpoint against the packaged validator"; }
main_pid=$(in_root systemctl show -p MainPID --value frontera-validator.service)
uid=$(in_root stat -c %U "/proc/$main_pid")
[ "$uid" = frontera ] || fail "fronterad runs as $uid, not frontera"
[ "$(cat "$root/var/lib/frontera/FORMAT")" = 1 ] || fail "/var/lib/frontera/FORMAT is not 1"
in_root curl -fsS "http://127.0.0.1:$ops_port/metrics" | grep -q '^frontera_build_info{version="0.9.0"' ||
  fail "/metrics has no frontera_build_info"
exposure=$(in_root systemd-analyze security frontera-validator.service 2>/dev/null |
  grep -o 'Overall exposure level for .*' || true)

step "stop it"
in_root systemctl stop frontera-validator.service
result=$(in_root systemctl show -p Result --value frontera-validator.service)
status=$(in_root systemctl show -p ExecMainStatus --value frontera-validator.service)
in_root journalctl -u frontera-validator.service --no-pager >"$work/journal.txt"
[ "$result" = success ] && [ "$status" = 0 ] ||
  { cat "$work/journal.txt" >&2; fail "the unit stopped with Result=$result, status $status"; }
grep -q "fronterad: validator us-cbp serving https://127.0.0.1:$api_port" "$work/journal.txt" ||
  { cat "$work/journal.txt" >&2; fail "the journal has no serving line"; }
grep -q "fronterad: stopped" "$work/journal.txt" ||
  { cat "$work/journal.txt" >&2; fail "the journal has no stopped line"; }

in_root systemctl poweroff >/dev/null 2>&1 || true
wait "$nspawn_pid" 2>/dev/null || true
nspawn_pid=""

seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }
echo "package_test: $(basename "$deb"): $((deb_bytes / 1024)) KiB (installed $installed_kib KiB)"
echo "package_test: apt-get install (with its dependencies from the mirror) $(seconds "$install_started" "$installed") s;" \
  "unit start to /healthz $(seconds "$unit_started" "$serving") s;" \
  "install to serving $(seconds "$install_started" "$serving") s (the config steps between included)"
[ -n "$exposure" ] && echo "package_test: systemd-analyze security: $exposure"
echo "package_test: passed"
