#!/usr/bin/env python3
"""A rolling upgrade from the baseline below to this build, under writes.

Usage: rolling_upgrade_test.py BUILD_DIR   (this build: node/fronterad, tools/frontera)

The baseline is df8c5d2, the parent of d40d33a, the last commit that changed
what validators write to disk or send each other (found with
`git log -- node/peer_wire.* consensus/codec.* storage/keys.h ledger/
node/validator_peer_frames.cc node/validator_internal.h node/state_note.*
node/snapshot_transfer.* node/applied_mark.*`): d40d33a added the item
filter note and its peer frame (kind 7, kItemFilterSignature). Every commit
since leaves the Raft codec, the peer frames, the store keys, the ledger
state and the snapshot format as they were: what came after (two views of a
record, signed reads, the audit trail, the operational listener, HTTPS for
./run.sh, backups) is in the HTTP API, the config and files beside the
stores. So df8c5d2 is the newest build whose formats differ from today's:
a baseline validator gets frames of a kind it does not know from upgraded
ones (it refuses each, counted, as it does any unknown frame), and an
upgraded validator opens a data directory the baseline wrote (the audit
trail's directory is created on first open).

The baseline is built in a git worktree in a temporary directory (ccache
makes a second run cheap). The configs are ones both builds accept: the
baseline knows no [ops], [audit] or [backup] section (the upgraded nodes
take their defaults: the operational listener on a free loopback port).

Three validators start on the baseline binaries on free ports; two client
threads issue certificates with this build's `frontera issue` round robin
over the running validators and record every acknowledged id. One validator
at a time, followers first: SIGTERM, wait for it to exit, start this
build's fronterad on the same config and data directory, wait until it
serves a checkpoint at least as large as the one it stopped at and a few
more writes were acknowledged. Then the load stops and every validator must
serve the same co-signed checkpoint (tree size and root), and every
acknowledged certificate from every validator.

Prints the durations; exit 0 when all holds. Temporary files and processes
are removed on every exit (SIGTERM and SIGINT included); the worktree is
unregistered from the repository.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BASELINE = "df8c5d2"
VALIDATORS = ["us-cbp", "mx-anam", "ca-cbsa"]
BUILD_TIMEOUT_S = 3600
START_TIMEOUT_S = 30
CATCH_UP_TIMEOUT_S = 60
CONVERGE_TIMEOUT_S = 60
ACKS_BETWEEN_STEPS = 40


def log(message):
    print(f"[upgrade {time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_ports(n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def http_get(url, timeout_s=3):
    """(status, body) or (None, error text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")
    except (urllib.error.URLError, OSError) as e:
        return None, str(e)


def checkpoint(api):
    """(tree size, root) of a validator's latest co-signed checkpoint, or None."""
    status, body = http_get(api + "/v1/checkpoint")
    if status != 200:
        return None
    lines = body.split("\n")
    # A signed note (C2SP tlog-checkpoint): origin, tree size, root, blank, signatures.
    if len(lines) < 3 or not lines[1].isdigit():
        return None
    return int(lines[1]), lines[2]


def build_baseline(work):
    src = os.path.join(work, "baseline")
    subprocess.run(["git", "-C", ROOT, "worktree", "add", "--detach", src, BASELINE], check=True,
                   stdout=subprocess.DEVNULL)
    build = os.path.join(src, "build")
    # ccache (a test package): a second run compiles nothing.
    subprocess.run(["cmake", "-S", src, "-B", build, "-G", "Ninja",
                    "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
                    "-DCMAKE_CXX_COMPILER_LAUNCHER=ccache"], check=True, stdout=subprocess.DEVNULL)
    ninja = ["nice", "-n", "10", "ninja", "-C", build, "-j2", "fronterad"]
    lock = os.environ.get("FRONTERA_BUILD_LOCK")
    if lock:  # builds of several worktrees on one machine take turns
        ninja = ["flock", lock] + ninja
    # Paths relative to the worktree, whatever the temporary directory is
    # called: a second run's compiles are cache hits.
    env = dict(os.environ, CCACHE_BASEDIR=src, CCACHE_NOHASHDIR="1")
    started = time.monotonic()
    subprocess.run(ninja, check=True, stdout=subprocess.DEVNULL, timeout=BUILD_TIMEOUT_S, env=env)
    log(f"built the baseline {BASELINE} in {time.monotonic() - started:.0f} s")
    return src, os.path.join(build, "node", "fronterad")


class Network:
    def __init__(self, work, baseline_fronterad, current_build):
        self.dir = os.path.join(work, "net")
        self.current_fronterad = os.path.join(current_build, "node", "fronterad")
        self.frontera = os.path.join(current_build, "tools", "frontera")
        self.binary = {v: baseline_fronterad for v in VALIDATORS}
        self.procs = {}
        subprocess.run([baseline_fronterad, "--init-network", self.dir], check=True,
                       stdout=subprocess.DEVNULL)
        ports = free_ports(6)
        genesis_path = os.path.join(self.dir, "genesis.json")
        with open(genesis_path, encoding="utf-8") as f:
            genesis = json.load(f)
        self.api = {}
        for v in genesis["validators"]:
            i = VALIDATORS.index(v["name"])
            v["api"] = f"http://127.0.0.1:{ports[i]}"
            v["peer"] = f"127.0.0.1:{ports[3 + i]}"
            self.api[v["name"]] = v["api"]
        genesis["resolver"] = f"127.0.0.1:{ports[0]}"
        self.resolver = genesis["resolver"]
        with open(genesis_path, "w", encoding="utf-8") as f:
            json.dump(genesis, f, indent=2)
        for i, name in enumerate(VALIDATORS):
            with open(self.config(name), "w", encoding="utf-8") as f:
                f.write(f'[node]\nname = "{name}"\ndata_dir = "data/{name}"\n'
                        f'key_file = "keys/{name}.key"\ngenesis_file = "genesis.json"\n'
                        f'[api]\nhost = "127.0.0.1"\nport = {ports[i]}\nallow_plain_http = true\n'
                        f'[raft]\nlisten = "127.0.0.1:{ports[3 + i]}"\ntick_ms = 50\n')

    def config(self, name):
        return os.path.join(self.dir, f"{name}.toml")

    def start(self, name):
        port_file = os.path.join(self.dir, f"{name}.port")
        if os.path.exists(port_file):
            os.remove(port_file)
        out = open(os.path.join(self.dir, f"{name}.log"), "a", encoding="utf-8")
        out.write(f"--- upgrade test: starting {self.binary[name]}\n")
        out.flush()
        self.procs[name] = subprocess.Popen(
            [self.binary[name], "--config", self.config(name), "--port-file", port_file],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        out.close()
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if os.path.exists(port_file) and os.path.getsize(port_file) > 0:
                return
            if self.procs[name].poll() is not None:
                raise SystemExit(f"{name} exited {self.procs[name].returncode} at start")
            time.sleep(0.05)
        raise SystemExit(f"{name} did not listen within {START_TIMEOUT_S} s")

    def stop(self, name):
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise SystemExit(f"{name} did not stop within 15 s of SIGTERM")

    def stop_all(self):
        for name in list(self.procs):
            try:
                self.stop(name)
            except SystemExit:
                pass

    def log_tail(self, name, lines=30):
        path = os.path.join(self.dir, f"{name}.log")
        if not os.path.exists(path):
            return ""
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-lines:])


class Load:
    """Client threads issuing certificates with `frontera issue`."""

    def __init__(self, net, threads=2):
        self.net = net
        self.lock = threading.Lock()
        self.down = set()
        self.acked = []  # certificate ids acknowledged
        self.failures = 0
        self.last_failure = ""
        self.stopping = False
        self.threads = [threading.Thread(target=self.run, args=(t,), daemon=True)
                        for t in range(threads)]
        for t in self.threads:
            t.start()

    def run(self, thread):
        n = 0
        key = os.path.join(self.net.dir, "keys", "mx-manufacturer.key")
        while not self.stopping:
            name = VALIDATORS[(thread + n) % len(VALIDATORS)]
            n += 1
            with self.lock:
                if name in self.down:
                    continue
            serial = f"UP{thread}N{n}"
            result = subprocess.run(
                [self.net.frontera, "issue", "pharma", "--node", self.net.api[name], "--key", key,
                 "--gtin", "07501234000017", "--lot", "LOTUP", "--serial", serial,
                 "--expiry", "2028-10-31", "--product-name", "Amoxicillin 500 mg capsules",
                 "--strength-dosage-form", "500 mg, capsule", "--container-size", "30 capsules",
                 # The baseline's /v1/validators does not name the resolver yet.
                 "--resolver", self.net.resolver, "--json"], capture_output=True, text=True, timeout=60, check=False,
                env=dict(os.environ, HOME=self.net.dir))
            if result.returncode == 0:
                with self.lock:
                    self.acked.append(json.loads(result.stdout)["id"])
            else:
                with self.lock:
                    self.failures += 1
                    self.last_failure = f"{name}: {result.stdout}{result.stderr}".strip()
                time.sleep(0.05)

    def set_down(self, name, down):
        with self.lock:
            (self.down.add if down else self.down.discard)(name)

    def count(self):
        with self.lock:
            return len(self.acked)

    def await_acks(self, more, timeout_s=60):
        target = self.count() + more
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self.count() >= target:
                return
            time.sleep(0.05)
        raise SystemExit(f"fewer than {more} writes acknowledged in {timeout_s} s "
                         f"({self.failures} refused or failed so far; the last: "
                         f"{self.last_failure})")

    def stop(self):
        self.stopping = True
        for t in self.threads:
            t.join()


def leader_last(net):
    """The validators, followers first: the one every node names as leader goes last."""
    for _ in range(100):
        for name in VALIDATORS:
            status, body = http_get(net.api[name] + "/v1/status")
            if status == 200:
                leader = json.loads(body).get("raft", {}).get("leader")
                if leader in VALIDATORS:
                    return [v for v in VALIDATORS if v != leader] + [leader]
        time.sleep(0.1)
    raise SystemExit("no leader within 10 s")


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: rolling_upgrade_test.py BUILD_DIR")
    current = os.path.abspath(sys.argv[1])
    for binary in ("node/fronterad", "tools/frontera"):
        if not os.access(os.path.join(current, binary), os.X_OK):
            raise SystemExit(f"no {binary} in {current}: build fronterad and frontera first")
    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, lambda signum, _frame: sys.exit(f"upgrade test: signal {signum}"))
    work = tempfile.mkdtemp(prefix="frontera-upgrade-")
    net = None
    load = None
    src = None
    started = time.monotonic()
    try:
        src, baseline_fronterad = build_baseline(work)
        run_started = time.monotonic()
        net = Network(work, baseline_fronterad, current)
        for name in VALIDATORS:
            net.start(name)
        order = leader_last(net)
        log(f"baseline network up; upgrade order {', '.join(order)} (the leader last)")
        load = Load(net)
        load.await_acks(ACKS_BETWEEN_STEPS)
        for name in order:
            before = checkpoint(net.api[name])
            load.set_down(name, True)
            net.stop(name)
            net.binary[name] = net.current_fronterad
            net.start(name)
            load.set_down(name, False)
            deadline = time.monotonic() + CATCH_UP_TIMEOUT_S
            while True:
                now = checkpoint(net.api[name])
                if now and (before is None or now[0] >= before[0]):
                    break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} on this build serves no checkpoint as large as "
                                     f"before ({before}) within {CATCH_UP_TIMEOUT_S} s:\n"
                                     + net.log_tail(name))
                time.sleep(0.1)
            # This build serves /v1/status on the operational listener only;
            # the baseline served it on the API.
            status, _ = http_get(net.api[name] + "/v1/status")
            if status != 404:
                raise SystemExit(f"{name} answers /v1/status on its API with {status}: "
                                 f"not this build")
            load.await_acks(ACKS_BETWEEN_STEPS)
            log(f"{name} upgraded; {load.count()} writes acknowledged so far")
        load.stop()
        acked = list(load.acked)
        # Every validator on one co-signed checkpoint covering every write.
        deadline = time.monotonic() + CONVERGE_TIMEOUT_S
        while True:
            points = {name: checkpoint(net.api[name]) for name in VALIDATORS}
            if None not in points.values() and len(set(points.values())) == 1:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"the validators do not converge on one checkpoint: {points}")
            time.sleep(0.2)
        tree_size, root = next(iter(points.values()))
        missing = []
        for cert in acked:
            for name in VALIDATORS:
                status, _ = http_get(net.api[name] + "/v1/certificates/" +
                                     urllib.request.quote(cert, safe=""))
                if status != 200:
                    missing.append(f"{cert} on {name} ({status})")
        if missing:
            raise SystemExit(f"{len(missing)} acknowledged writes missing: {missing[:5]}")
        if tree_size < len(acked):
            raise SystemExit(f"tree size {tree_size} below the {len(acked)} acknowledged writes")
        # What the baseline validators made of the upgraded ones' new frames.
        refused = 0
        for name in VALIDATORS:
            with open(os.path.join(net.dir, f"{name}.log"), encoding="utf-8",
                      errors="replace") as f:
                refused += sum(1 for line in f if "unknown kind 7" in line)
        log(f"baseline validators logged {refused} refusals of item-filter frames (kind 7)")
        log(f"all three on this build: checkpoint tree size {tree_size}, root {root}; "
            f"{len(acked)} acknowledged writes on every validator "
            f"({load.failures} refused or failed during the restarts); network part "
            f"{time.monotonic() - run_started:.0f} s, total {time.monotonic() - started:.0f} s")
    except SystemExit as e:
        if e.code not in (None, 0):
            print(f"FAILED: {e.code}", flush=True)
            if net is not None:
                for name in VALIDATORS:
                    print(f"--- last lines of {name}.log\n{net.log_tail(name)}")
        raise
    finally:
        if load is not None:
            load.stopping = True
        if net is not None:
            net.stop_all()
        if src is not None:
            subprocess.run(["git", "-C", ROOT, "worktree", "remove", "--force", src],
                           check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
