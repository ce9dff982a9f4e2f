#!/usr/bin/env python3
"""The README's walk-through, run as written against a network ./run.sh starts.

Usage: walkthrough_test.py BUILD_DIR   (a build with node/fronterad and tools/frontera)

Takes every ```sh block of README.md marked by a `<!-- walkthrough -->` line just
before it, in order, and runs them in one bash (-euo pipefail, as a script: the
later blocks continue in the shell of the earlier ones, as the README says).
The network is started by ./run.sh with FRONTERA_RUN_DIR in a temporary
directory (the blocks' working directory, so `.frontera/network/...` resolves
there), FRONTERA_RUN_PORTS=free, FRONTERA_RUN_SKIP_INSTALL=1 and
FRONTERA_BUILD_DIR (no package installed, nothing built); `build` in that
directory links to BUILD_DIR, so `$PWD/build/tools` is the build's frontera.

After the blocks, `./run.sh restart mx-anam` stops that validator and starts it
again: it must serve /healthz again and its log (`./run.sh logs mx-anam`) must
still hold every line written before the restart, then the restart's own.

Each block must exit 0. A comment `# → A; B` in a block states output lines:
lines starting with A, then with B, must appear in the block's output in that
order (after the outputs of the block's earlier statements). Exit 0 when all
hold; on failure prints the block, the README line that failed, the output and
the validators' logs. The network is stopped (./run.sh stop) and the directory
removed on every exit, SIGTERM and SIGINT included.
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
README = os.path.join(ROOT, "README.md")
MARKER = "<!-- walkthrough -->"
EXPECT = re.compile(r"#\s*→\s*(.+?)\s*$")
BLOCK_DONE = "@@walkthrough-block-done"
RUN_TIMEOUT_S = 90
BLOCKS_TIMEOUT_S = 240


class Block:
    def __init__(self, number, first_line, lines):
        self.number = number
        self.first_line = first_line  # README line of the block's first line (1-based)
        self.lines = lines
        self.expected = []
        for line in lines:
            m = EXPECT.search(line)
            if m:
                self.expected += [part.strip() for part in m.group(1).split(";") if part.strip()]


def extract_blocks():
    with open(README, encoding="utf-8") as f:
        text = f.read().split("\n")
    blocks = []
    i = 0
    while i < len(text):
        if text[i].strip() != MARKER:
            i += 1
            continue
        j = i + 1
        while j < len(text) and not text[j].strip():
            j += 1
        if j >= len(text) or text[j].strip() != "```sh":
            raise SystemExit(f"README.md:{i + 1}: {MARKER} is not followed by a ```sh block")
        k = j + 1
        while k < len(text) and text[k].strip() != "```":
            k += 1
        if k >= len(text):
            raise SystemExit(f"README.md:{j + 1}: the ```sh block is not closed")
        blocks.append(Block(len(blocks) + 1, j + 2, text[j + 1:k]))
        i = k + 1
    if not blocks:
        raise SystemExit(f"README.md: no block marked {MARKER}")
    return blocks


def build_script(blocks):
    """One script; returns it and, per script line, (block, README line) or None."""
    lines = []
    origin = []

    def add(line, where=None):
        lines.append(line)
        origin.append(where)

    # Names the README line of the statement that failed ($LINENO is the script's).
    add("trap 'echo \"@@walkthrough-failed line $LINENO: $BASH_COMMAND\" >&2' ERR")
    for b in blocks:
        for n, line in enumerate(b.lines):
            add(line, (b, b.first_line + n))
        # A statement left open (a quote, a `\` at the end) swallows this line
        # and the block is not seen to end.
        add(f"echo {BLOCK_DONE} {b.number}")
    return "\n".join(lines) + "\n", origin


def check_outputs(blocks, output):
    """Splits the output at the blocks' end lines; returns the failures."""
    parts = re.split(rf"^{BLOCK_DONE} (\d+)$", output, flags=re.M)
    # parts: out1, "1", out2, "2", ..., rest
    done = {int(n): parts[2 * i] for i, n in enumerate(parts[1::2])}
    failures = []
    for b in blocks:
        if b.number not in done:
            failures.append(f"block {b.number} (README.md:{b.first_line}) did not finish")
            continue
        out_lines = [line.strip() for line in done[b.number].split("\n")]
        at = 0
        for want in b.expected:
            while at < len(out_lines) and not out_lines[at].startswith(want):
                at += 1
            if at == len(out_lines):
                failures.append(f"block {b.number} (README.md:{b.first_line}): no line starting "
                                f"with {want!r} (in order after the earlier outcomes)")
                break
            at += 1
    return failures


def check_restart(run_sh, run_env, work, net):
    """./run.sh restart NAME and ./run.sh logs NAME; returns the failures."""
    name = "mx-anam"
    log_path = os.path.join(net, f"{name}.log")
    with open(log_path, encoding="utf-8", errors="replace") as f:
        before = f.read()
    bad = subprocess.run([run_sh, "restart", "nobody"], env=run_env, cwd=work,
                         capture_output=True, text=True, timeout=60, check=False)
    if bad.returncode != 64 or "nobody" not in bad.stderr:
        return [f"./run.sh restart nobody exited {bad.returncode} ({bad.stderr.strip()!r}), "
                f"not 64 naming it"]
    with open(os.path.join(net, f"{name}.pid"), encoding="utf-8") as f:
        old_pid = f.read().strip()
    restart = subprocess.run([run_sh, "restart", name], env=run_env, cwd="/", capture_output=True,
                             text=True, timeout=RUN_TIMEOUT_S, check=False)
    if restart.returncode != 0:
        return [f"./run.sh restart {name} exited {restart.returncode}:\n"
                f"{restart.stdout}{restart.stderr}"]
    with open(os.path.join(net, f"{name}.pid"), encoding="utf-8") as f:
        new_pid = f.read().strip()
    if new_pid == old_pid:
        return [f"./run.sh restart {name} left the same process {old_pid}"]
    with open(os.path.join(net, f"{name}.port"), encoding="utf-8") as f:
        port = f.read().strip()
    health = subprocess.run(["curl", "-sf", "--cacert", os.path.join(net, "ca", "ca.pem"),
                             f"https://127.0.0.1:{port}/healthz"], capture_output=True, text=True,
                            timeout=30, check=False)
    if health.returncode != 0 or health.stdout != "ok":
        return [f"{name} does not answer /healthz after ./run.sh restart (curl exit "
                f"{health.returncode})"]
    logs = subprocess.run([run_sh, "logs", name], env=run_env, cwd=work, capture_output=True,
                          text=True, timeout=30, check=False, stdin=subprocess.DEVNULL)
    if logs.returncode != 0:
        return [f"./run.sh logs {name} exited {logs.returncode}: {logs.stderr}"]
    if not logs.stdout.startswith(before):
        return [f"the log of {name} lost lines written before ./run.sh restart"]
    after = logs.stdout[len(before):]
    if "serving https://127.0.0.1:" not in after or "run.sh: starting " + name not in after:
        return [f"the log of {name} has no start after ./run.sh restart:\n{after[-2000:]}"]
    print(f"./run.sh restart {name}: pid {old_pid} -> {new_pid}, log kept its "
          f"{before.count(chr(10))} earlier lines")
    return []


def main():
    if len(sys.argv) != 2:
        raise SystemExit("usage: walkthrough_test.py BUILD_DIR")
    build = os.path.abspath(sys.argv[1])
    for binary in ("node/fronterad", "tools/frontera"):
        if not os.access(os.path.join(build, binary), os.X_OK):
            raise SystemExit(f"no {binary} in {build}: build fronterad and frontera first")
    blocks = extract_blocks()
    script, origin = build_script(blocks)

    work = tempfile.mkdtemp(prefix="frontera-walkthrough-")
    net = os.path.join(work, ".frontera", "network")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FRONTERA_")}
    env.update(HOME=os.path.join(work, "home"), TMPDIR=work, LC_ALL="C.UTF-8",
               PATH=os.path.join(build, "tools") + os.pathsep + env.get("PATH", "/usr/bin:/bin"))
    run_env = dict(env, FRONTERA_RUN_DIR=net, FRONTERA_RUN_PORTS="free",
                   FRONTERA_RUN_SKIP_INSTALL="1", FRONTERA_BUILD_DIR=build)
    run_sh = os.path.join(ROOT, "run.sh")
    shell = None

    def stop_network():
        if os.path.isdir(net):
            subprocess.run([run_sh, "stop"], env=run_env, cwd=work, check=False,
                           stdout=subprocess.DEVNULL, timeout=60)

    def on_signal(signum, _frame):
        raise SystemExit(f"walkthrough_test: signal {signum}")

    for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(s, on_signal)
    failures = []
    output = ""
    started = time.monotonic()
    try:
        os.makedirs(env["HOME"])
        os.symlink(build, os.path.join(work, "build"))
        run = subprocess.run([run_sh], env=run_env, cwd=work, capture_output=True, text=True,
                             timeout=RUN_TIMEOUT_S, check=False)
        if run.returncode != 0:
            failures.append(f"./run.sh exited {run.returncode}:\n{run.stdout}{run.stderr}")
        else:
            print(f"./run.sh started the network in {time.monotonic() - started:.1f} s; "
                  f"running {len(blocks)} README blocks")
            script_path = os.path.join(work, "walkthrough.sh")
            with open(script_path, "w", encoding="utf-8") as f:
                f.write(script)
            shell = subprocess.Popen(["bash", "-euo", "pipefail", script_path], env=env, cwd=work,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, start_new_session=True)
            try:
                output, _ = shell.communicate(timeout=BLOCKS_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.killpg(shell.pid, signal.SIGKILL)
                output, _ = shell.communicate()
                failures.append(f"the blocks did not finish in {BLOCKS_TIMEOUT_S} s")
            if shell.returncode != 0:
                failed = re.search(r"^@@walkthrough-failed line (\d+): (.*)$", output, re.M)
                where = ""
                if failed and 0 < int(failed.group(1)) <= len(origin) and origin[int(failed.group(1)) - 1]:
                    b, readme_line = origin[int(failed.group(1)) - 1]
                    where = (f" in block {b.number} at README.md:{readme_line} "
                             f"(command: {failed.group(2)})")
                failures.append(f"the blocks exited {shell.returncode}{where}")
            failures += check_outputs(blocks, output)
            if not failures:
                failures += check_restart(run_sh, run_env, work, net)
    except SystemExit as e:
        failures.append(str(e))
    finally:
        if shell is not None and shell.poll() is None:
            os.killpg(shell.pid, signal.SIGKILL)
            shell.wait()
        try:
            if failures:
                print(output)
                for v in ("us-cbp", "mx-anam", "ca-cbsa"):
                    log = os.path.join(net, f"{v}.log")
                    if os.path.exists(log):
                        with open(log, encoding="utf-8", errors="replace") as f:
                            print(f"--- last lines of {v}.log\n" + "".join(f.readlines()[-20:]))
            stop_network()
        finally:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        for f in failures:
            print(f"FAILED: {f}")
        sys.exit(1)
    print(f"walkthrough_test: {len(blocks)} README blocks passed, "
          f"{sum(len(b.expected) for b in blocks)} stated outcomes seen, "
          f"in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
