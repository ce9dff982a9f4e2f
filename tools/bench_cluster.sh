#!/usr/bin/env bash
# Frontera against its performance reference (docs/PERFORMANCE.md, "Three
# validators against a 3-member etcd cluster"): in one run, on this machine,
#   1. `frontera bench` against the 3-validator Frontera network (signed
#      certificates, each answered once committed on a quorum and applied), and
#   2. a 3-member etcd cluster on loopback taking 300-byte puts through its v3
#      JSON gateway, driven by wrk (tools/etcd_put.lua) at the same concurrency,
# then prints one JSON object with both and the throughput ratio. A benchmark,
# not a test: figures are printed, nothing is asserted.
#
#   tools/bench_cluster.sh                    # network already up (./run.sh)
#   START_FRONTERA=1 tools/bench_cluster.sh   # runs ./run.sh first, ./run.sh stop after
#
# Environment:
#   C               connections for both systems (default 64)
#   D               seconds of etcd load (default 20), after 3 s of unmeasured warm-up
#   N, WARMUP       measured / unmeasured Frontera requests (default 20000 / 1000)
#   FRONTERA_NODE   validator URL (default https://127.0.0.1:7001)
#   FRONTERA_CA     the CA its certificate is checked against (default
#                   .frontera/network/ca/ca.pem, the one ./run.sh made)
#   FRONTERA_OPS    that validator's operational listener, to find the leader
#                   (default http://127.0.0.1:7201, us-cbp's in config/us-cbp.toml)
#   FRONTERA_KEY    manufacturer key (default .frontera/network/keys/mx-manufacturer.key;
#                   relative paths are from the current directory, defaults from the repository)
#   FRONTERA_BIN    the CLI (default build/tools/frontera)
#   START_FRONTERA  1: start the network with ./run.sh and stop it after its run
#   ETCD_TARGET     member wrk loads: leader (default) or follower
# Installs etcd-server, etcd-client, wrk, curl and python3 with apt when
# missing. etcd runs with its default quota and snapshot count, data in a
# temporary directory under .frontera/ (removed at exit); every process
# started here is stopped on exit.
set -euo pipefail
# Paths given in the environment are taken from where the script was called.
absolute() { [[ -z "$1" || "$1" == /* ]] && echo "$1" || echo "$PWD/$1"; }
FRONTERA_KEY="$(absolute "${FRONTERA_KEY:-}")"
FRONTERA_BIN="$(absolute "${FRONTERA_BIN:-}")"
FRONTERA_CA="$(absolute "${FRONTERA_CA:-}")"
cd "$(dirname "$0")/.."
source scripts/deps.sh

concurrency="${C:-64}"
duration_s="${D:-20}"
frontera_n="${N:-20000}"
frontera_warmup="${WARMUP:-1000}"
frontera_node="${FRONTERA_NODE:-https://127.0.0.1:7001}"
# Read by curl --cacert below and by the CLI (FRONTERA_CA).
export FRONTERA_CA="${FRONTERA_CA:-$PWD/.frontera/network/ca/ca.pem}"
frontera_ops="${FRONTERA_OPS:-http://127.0.0.1:7201}"
frontera_key="${FRONTERA_KEY:-.frontera/network/keys/mx-manufacturer.key}"
frontera="${FRONTERA_BIN:-build/tools/frontera}"
etcd_target="${ETCD_TARGET:-leader}"
warmup_s=3
# The 1-minute load average before anything starts: figures taken while other
# work shares the cores are not comparable with quiet ones.
load_before="$(cut -d ' ' -f 1 /proc/loadavg)"

fail() {
  echo "bench_cluster: $*" >&2
  exit 1
}
[[ "$concurrency" =~ ^[1-9][0-9]*$ ]] || fail "C must be a positive integer (got '$concurrency')"
[[ "$duration_s" =~ ^[1-9][0-9]*$ ]] || fail "D must be a positive number of seconds (got '$duration_s')"
[[ "$etcd_target" == leader || "$etcd_target" == follower ]] ||
  fail "ETCD_TARGET must be leader or follower (got '$etcd_target')"
# wrk gives each connection to one of its 2 threads; it needs at least one each.
((concurrency >= 2)) || fail "C must be at least 2 (wrk runs 2 threads)"

# Standard output carries only the JSON.
frontera_install_packages etcd-server etcd-client wrk curl >&2
command -v python3 >/dev/null || frontera_install_packages python3 >&2

# etcd's data goes on the disk of the validators' data (.frontera/), not in
# /tmp, which may be a tmpfs where fsync costs nothing.
mkdir -p .frontera
work="$(mktemp -d "$PWD/.frontera/bench-cluster.XXXXXX")"
etcd_pids=()
started_frontera=0
cleanup() {
  local pid
  for pid in "${etcd_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${etcd_pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  if ((started_frontera)); then ./run.sh stop >&2 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- 1. Frontera -----------------------------------------------------------
if [[ "${START_FRONTERA:-0}" == 1 ]]; then
  started_frontera=1
  ./run.sh >&2
  for _ in $(seq 150); do
    curl -fsS -o /dev/null --max-time 1 --cacert "$FRONTERA_CA" "$frontera_node/healthz" 2>/dev/null && break
    sleep 0.2
  done
fi
curl -fsS -o /dev/null --max-time 5 --cacert "$FRONTERA_CA" "$frontera_node/healthz" ||
  fail "no Frontera validator answers at $frontera_node (start it with ./run.sh, or set START_FRONTERA=1 or FRONTERA_NODE)"
[[ -r "$frontera_key" ]] || fail "cannot read the manufacturer key $frontera_key (set FRONTERA_KEY)"
[[ -x "$frontera" ]] || fail "no frontera CLI at $frontera (build it, or set FRONTERA_BIN)"

# Without FRONTERA_NODE, load the leader (as wrk loads etcd's leader): a
# follower forwards every write to it, one more hop.
if [[ -z "${FRONTERA_NODE:-}" ]]; then
  leader_api=$(curl -fsS --max-time 5 "$frontera_ops/v1/status" | python3 -c '
import json, sys
s = json.load(sys.stdin)
leader = s["raft"]["leader"]
print(next((v["api"] for v in s["validators"] if v["name"] == leader and v.get("api")), ""))' || true)
  [[ -n "$leader_api" ]] && frontera_node="$leader_api"
fi
echo "bench_cluster: Frontera: $frontera_n certificates over $concurrency connections to $frontera_node" >&2
"$frontera" bench --node "$frontera_node" --key "$frontera_key" -n "$frontera_n" \
  -c "$concurrency" --warmup "$frontera_warmup" >"$work/frontera.json"
# The network is idle from here on; stopping it now keeps its timers off the
# cores etcd is measured on.
if ((started_frontera)); then
  ./run.sh stop >&2
  started_frontera=0
fi

# ---- 2. etcd ---------------------------------------------------------------
# Six free loopback ports, held together while chosen so that none repeats.
read -r -a ports <<<"$(python3 -c '
import socket
held = [socket.socket() for _ in range(6)]
for s in held: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in held))')"
cluster=""
for i in 0 1 2; do
  cluster+="${cluster:+,}m$i=http://127.0.0.1:${ports[$((3 + i))]}"
done
for i in 0 1 2; do
  client="http://127.0.0.1:${ports[$i]}"
  peer="http://127.0.0.1:${ports[$((3 + i))]}"
  etcd --name "m$i" --data-dir "$work/m$i" --logger zap --log-level warn \
    --listen-client-urls "$client" --advertise-client-urls "$client" \
    --listen-peer-urls "$peer" --initial-advertise-peer-urls "$peer" \
    --initial-cluster "$cluster" --initial-cluster-state new \
    --initial-cluster-token "bench-$$" >"$work/m$i.log" 2>&1 &
  etcd_pids+=($!)
done
endpoints="http://127.0.0.1:${ports[0]},http://127.0.0.1:${ports[1]},http://127.0.0.1:${ports[2]}"
healthy=0
for _ in $(seq 150); do
  for pid in "${etcd_pids[@]}"; do
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$work"/m*.log >&2; fail "an etcd member exited"; }
  done
  if ETCDCTL_API=3 etcdctl --endpoints="$endpoints" --command-timeout=2s endpoint health \
    >/dev/null 2>&1; then
    healthy=1
    break
  fi
  sleep 0.2
done
((healthy)) || { tail -n 20 "$work"/m*.log >&2; fail "the etcd cluster was not healthy within 30 s"; }

# The member to load: the leader, or a follower (which forwards to it).
target="$(ETCDCTL_API=3 etcdctl --endpoints="$endpoints" endpoint status -w json |
  python3 -c '
import json, sys
want = sys.argv[1]
for member in json.load(sys.stdin):
    is_leader = member["Status"]["leader"] == member["Status"]["header"]["member_id"]
    if is_leader == (want == "leader"):
        print(member["Endpoint"])
        break' "$etcd_target")"
[[ -n "$target" ]] || fail "could not tell the etcd $etcd_target from 'etcdctl endpoint status'"

# etcd 3.4's gateway serves /v3/ (and the older /v3beta/); check that a put
# through /v3/kv/put lands and reads back as 300 bytes before loading it.
put_path=/v3/kv/put
probe_value="$(head -c 300 /dev/zero | tr '\0' 'v' | base64 -w0)"
status="$(curl -sS -o "$work/put.out" -w '%{http_code}' -X POST "$target$put_path" \
  -H 'Content-Type: application/json' \
  -d "{\"key\":\"$(printf probe | base64)\",\"value\":\"$probe_value\"}" || true)"
if [[ "$status" != 200 ]]; then
  beta="$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$target/v3beta/kv/put" \
    -d "{\"key\":\"$(printf probe | base64)\",\"value\":\"$probe_value\"}" || true)"
  fail "etcd $(etcd --version | sed -n 's/^etcd Version: //p') does not take puts at $target$put_path" \
    "(HTTP $status: $(head -c 200 "$work/put.out"); /v3beta/kv/put answers HTTP $beta)"
fi
curl -sS -X POST "$target/v3/kv/range" -d "{\"key\":\"$(printf probe | base64)\"}" |
  python3 -c '
import base64, json, sys
kvs = json.load(sys.stdin).get("kvs", [])
sys.exit(0 if kvs and len(base64.b64decode(kvs[0]["value"])) == 300 else 1)' ||
  fail "a put through $target$put_path did not read back as 300 bytes"

lua="tools/etcd_put.lua"
echo "bench_cluster: etcd: ${duration_s} s of 300-byte puts over $concurrency connections to the $etcd_target $target" >&2
wrk -t 2 -c "$concurrency" -d "${warmup_s}s" -s "$lua" "$target$put_path" >/dev/null
wrk -t 2 -c "$concurrency" -d "${duration_s}s" --latency -s "$lua" "$target$put_path" \
  >"$work/wrk.txt"

# ---- 3. One JSON object ----------------------------------------------------
python3 - "$work/frontera.json" "$work/wrk.txt" "$concurrency" "$duration_s" "$etcd_target" \
  "$target" "$(etcd --version | sed -n 's/^etcd Version: //p')" "$load_before" <<'PY'
import json, os, platform, re, sys

(frontera_file, wrk_file, concurrency, duration_s, role, target, etcd_version,
 load_before) = sys.argv[1:]

def fail(message):
    sys.exit("bench_cluster: " + message)

def to_ms(text):  # wrk prints latencies as 512.00us, 3.21ms or 1.02s
    match = re.fullmatch(r"([0-9.]+)(us|ms|s|m)", text)
    if not match:
        fail("unexpected latency %r in wrk's output" % text)
    value, unit = float(match.group(1)), match.group(2)
    return value * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

frontera_raw = json.load(open(frontera_file))
latency = frontera_raw["latency_ms"]
frontera = {
    "throughput_per_s": round(frontera_raw["throughput_per_s"], 1),
    "p50_ms": round(latency["p50"], 2), "p90_ms": round(latency["p90"], 2),
    "p99_ms": round(latency["p99"], 2), "max_ms": round(latency["max"], 2),
    "requests": frontera_raw["n"],
    "seconds": round(frontera_raw["seconds"], 2), "errors": frontera_raw["errors"],
    "node": frontera_raw["node"],
}
if frontera_raw.get("first_error"):
    frontera["first_error"] = frontera_raw["first_error"]

wrk = open(wrk_file).read()
def field(pattern, what):
    match = re.search(pattern, wrk, re.M)
    if not match:
        fail("no %s in wrk's output:\n%s" % (what, wrk))
    return match
percentiles = {p: to_ms(field(r"^[ \t]+%s%%[ \t]+(\S+)" % p, "%s%% latency" % p).group(1))
               for p in ("50", "90", "99")}
requests = field(r"^[ \t]+(\d+) requests in ([0-9.]+)([a-z]+)", "request count")
socket_errors = re.search(
    r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", wrk)
non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", wrk)
errors = (sum(int(n) for n in socket_errors.groups()) if socket_errors else 0) + (
    int(non_2xx.group(1)) if non_2xx else 0)
etcd = {
    "throughput_per_s": round(float(field(r"^Requests/sec:\s+([0-9.]+)", "Requests/sec").group(1)), 1),
    "p50_ms": percentiles["50"], "p90_ms": percentiles["90"], "p99_ms": percentiles["99"],
    "max_ms": to_ms(field(r"^[ \t]+Latency[ \t]+\S+[ \t]+\S+[ \t]+(\S+)", "latency max").group(1)),
    "requests": int(requests.group(1)),
    "seconds": to_ms(requests.group(2) + requests.group(3)) / 1000.0,
    "errors": errors, "members": 3, "target": role, "url": target + "/v3/kv/put",
    "value_bytes": 300, "wrk_threads": 2, "version": etcd_version,
}

def cpu_model():
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor()

def mem_gib():
    for line in open("/proc/meminfo"):
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return None

def os_name():
    try:
        for line in open("/etc/os-release"):
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()

print(json.dumps({
    "frontera": frontera,
    "etcd": etcd,
    "ratio": round(frontera["throughput_per_s"] / etcd["throughput_per_s"], 3)
             if etcd["throughput_per_s"] else None,
    "p99_ratio": round(frontera["p99_ms"] / etcd["p99_ms"], 3) if etcd["p99_ms"] else None,
    "concurrency": int(concurrency),
    "etcd_duration_s": int(duration_s),
    "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "mem_gib": mem_gib(),
                "kernel": platform.release(), "os": os_name(),
                "load_1m_before": float(load_before)},
}, indent=2))
PY
