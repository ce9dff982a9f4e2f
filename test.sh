#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   ./test.sh            release build + the simulator, e2e and script tests, the lock
#                        annotations checked by clang (scripts/thread_safety.sh), the
#                        fuzzers for 2 s each, then an ASan/UBSan build + the unit tests
#                        and the simulator (the unit tests run in that build only)
#   ./test.sh --tsan     only the ThreadSanitizer build of the node tests and the e2e
#                        cluster tests (about 9 minutes; out of the default run since it
#                        outgrew 40 minutes: README "Tests")
#   ./test.sh --upgrade  only the rolling upgrade: the baseline named in
#                        tests/upgrade/rolling_upgrade_test.py is built in a git worktree
#                        in a temporary directory, three validators run it under writes
#                        and are upgraded one at a time to this build
#   ./test.sh --quick    the release build and all its tests (unit ones included); no
#                        fuzzers, no sanitizer build
#   ./test.sh --asan-e2e also runs the e2e tests (fronterad processes) in the ASan build
#                        (about 4 more minutes; the TSan stage runs the cluster ones anyway)
#   ./test.sh --unit     the format check, then the release build and its unit tests only
#                        (ctest label `unit`; `cluster` is the simulator, `e2e` the processes)
#   ./test.sh --sim-seeds N   only the cluster simulator (release), with N seeds
#                        (FRONTERA_SIM_FIRST_SEED=S starts at seed S; FRONTERA_SIM_SEED=S replays one)
#   ./test.sh --package  only the Debian package: ./package.sh, then the package installed
#                        and its systemd unit run in a fresh Debian 12 root booted with
#                        systemd-nspawn (tests/package/package_test.sh; about 3 minutes,
#                        reaches the Debian mirror)
#   ./test.sh --fuzz SECONDS   only the libFuzzer targets (clang build in build-fuzz),
#                        each for SECONDS (tests/fuzz/README.md); the default run
#                        gives each 2 s over its checked-in corpus
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh

quick=0
unit=0
asan_e2e=0
tsan=0
package=0
upgrade=0
sim_seeds=""
fuzz_seconds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --unit) unit=1 ;;
    --asan-e2e) asan_e2e=1 ;;
    --tsan) tsan=1 ;;
    --package) package=1 ;;
    --upgrade) upgrade=1 ;;
    --sim-seeds)
      sim_seeds=${2:-}
      [[ "$sim_seeds" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: --sim-seeds needs a positive number" >&2; exit 64; }
      shift ;;
    --fuzz)
      fuzz_seconds=${2:-}
      [[ "$fuzz_seconds" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: --fuzz needs a positive number of seconds" >&2; exit 64; }
      shift ;;
    *) echo "test.sh: unknown option $1 (known: --quick, --unit, --asan-e2e, --tsan, --package, --upgrade, --sim-seeds N, --fuzz SECONDS)" >&2; exit 64 ;;
  esac
  shift
done

if [ "$package" -eq 1 ]; then
  exec tests/package/package_test.sh
fi

frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_TEST_PACKAGES[@]}"

started=$SECONDS
stage() {  # stage <title>: prints the title and the minutes elapsed so far
  echo "== $1 (at $(( (SECONDS - started) / 60 )) min)"
}

run_suite() {  # run_suite <build dir> <ctest args...> -- <cmake args...>
  # RUN_SUITE_TARGET: build only these targets (default: everything).
  local dir=$1; shift
  local ctest_args=()
  while [ "$1" != "--" ]; do ctest_args+=("$1"); shift; done
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  # shellcheck disable=SC2086 # RUN_SUITE_TARGET is a list of target names
  cmake --build "$dir" -j2 ${RUN_SUITE_TARGET:+--target $RUN_SUITE_TARGET}
  ctest --test-dir "$dir" --output-on-failure --timeout 900 "${ctest_args[@]}"
}

# The fuzz build needs clang >= 16 (C++20 lambdas capturing structured
# bindings); scripts/deps.sh installs clang-16 with the test packages.
run_fuzzers() {  # run_fuzzers <seconds per target>
  local seconds=$1 bin target out log failed=0
  cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-16 -DFRONTERA_FUZZ=ON >/dev/null
  cmake --build build-fuzz -j2 --target fuzz_all
  for bin in build-fuzz/tests/fuzz/*_fuzz; do
    target=$(basename "$bin")
    # New inputs go to build-fuzz/fuzz/<target>/corpus; the checked-in seeds
    # (run first) are only read; a crashing input lands beside the log.
    out=build-fuzz/fuzz/$target
    log=$out/log.txt
    mkdir -p "$out/corpus"
    if "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$out/" "$out/corpus" "tests/fuzz/corpus/$target" >"$log" 2>&1; then
      echo "fuzz $target: $(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$') execs/s," \
        "$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$') runs in ${seconds}s"
    else
      failed=1
      echo "fuzz $target FAILED; the last lines of $log:" >&2
      tail -n 60 "$log" >&2
      grep -o 'Test unit written to .*' "$log" | sed 's/^Test unit written to /crashing input: /' >&2 || true
    fi
  done
  return "$failed"
}

if [ -n "$fuzz_seconds" ]; then
  echo "== libFuzzer targets, ${fuzz_seconds}s each"
  run_fuzzers "$fuzz_seconds"
  echo "test.sh: fuzzers passed"
  exit 0
fi

if [ -n "$sim_seeds" ]; then
  echo "== cluster simulator, $sim_seeds seeds"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target sim_test
  FRONTERA_SIM_SEEDS=$sim_seeds build/tests/sim_test
  echo "test.sh: simulator passed"
  exit 0
fi

if [ "$upgrade" -eq 1 ]; then
  echo "== rolling upgrade from the baseline of tests/upgrade/rolling_upgrade_test.py"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target fronterad frontera
  python3 tests/upgrade/rolling_upgrade_test.py build
  echo "test.sh: rolling upgrade passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
  exit 0
fi

echo "== source format (scripts/format.sh --check)"
scripts/format.sh --check

if [ "$unit" -eq 1 ]; then
  echo "== release build and unit tests"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2
  ctest --test-dir build --output-on-failure --timeout 900 -L unit
  echo "test.sh: unit tests passed"
  exit 0
fi

if [ "$tsan" -eq 1 ]; then
  # The e2e driver is the release build's.
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target e2e_test
  # The validator's threads (raft, apply, transport, HTTP) run in fronterad:
  # the e2e cluster tests start TSan-built processes. Reports go to files
  # (a child's report would otherwise only reach its log), checked after.
  stage "ThreadSanitizer build: the node tests and the e2e cluster tests"
  cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFRONTERA_TSAN=ON \
    -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1 -DNDEBUG" >/dev/null
  cmake --build build-tsan -j2 --target node_test fronterad frontera
  rm -rf build-tsan/tsan && mkdir -p build-tsan/tsan
  export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 log_path=$PWD/build-tsan/tsan/report \
suppressions=$PWD/tests/tsan_suppressions.txt"
  build-tsan/tests/node_test
  # The cluster tests (the release build's driver, the TSan build's
  # fronterad): replication with forwarding and co-signing, SIGKILL and
  # SIGSTOP under load, a leadership hand-over, a node cut off, snapshots
  # streamed and installed: every thread of fronterad at work.
  # The membership test (the longest, about 90 s under TSan) runs in the
  # release stage only.
  FRONTERA_E2E_BINARY_DIR=$PWD/build-tsan build/tests/e2e_test --source-file="*cluster_test.cc" \
    --test-case-exclude="*agencies add a validator*"
  unset TSAN_OPTIONS
  if compgen -G "build-tsan/tsan/report*" >/dev/null; then
    echo "test.sh: ThreadSanitizer reports:" >&2
    cat build-tsan/tsan/report* >&2
    exit 1
  fi
  echo "ThreadSanitizer: no reports"
  echo "test.sh: ThreadSanitizer stage passed in $(( (SECONDS - started) / 60 )) min"
  exit 0
fi

if [ "$quick" -eq 1 ]; then
  stage "release build and tests (the simulator runs 700 seeds)"
  run_suite build -- -DCMAKE_BUILD_TYPE=RelWithDebInfo
else
  # The unit test binaries are compiled and run once, in the ASan+UBSan stage
  # below (they were half of this stage's compile time); the release build
  # makes what needs its speed or runs as processes: the simulator, the e2e
  # tests, and the tests that run scripts (label `script`).
  stage "release build: the simulator (700 seeds), the e2e and script tests"
  RUN_SUITE_TARGET="sim_test e2e_test" run_suite build -L 'cluster|e2e|script' -- -DCMAKE_BUILD_TYPE=RelWithDebInfo
fi
stage "lock annotations (clang -Wthread-safety)"
scripts/thread_safety.sh build
if [ "$quick" -eq 0 ]; then
  stage "libFuzzer targets, 2 s each over the checked-in corpus"
  run_fuzzers 2
fi
if [ "$quick" -eq 0 ]; then
  # The unit and cluster labels; the e2e processes with --asan-e2e (--tsan
  # runs the cluster ones in sanitized processes).
  # Without the e2e tests, only their binaries are built (not fronterad,
  # frontera, hostile_peer and e2e_test, whose Debug+ASan compiles and links
  # are the largest the stage would otherwise do).
  asan_labels=(-LE e2e)
  asan_target=in_process_tests
  [ "$asan_e2e" -eq 1 ] && asan_labels=() && asan_target=
  stage "ASan+UBSan build and tests (the simulator runs 20 seeds, the Raft model 30 %$([ "$asan_e2e" -eq 1 ] && echo ", and the e2e tests"))"
  RUN_SUITE_TARGET=$asan_target FRONTERA_SIM_SEEDS=20 FRONTERA_RAFT_SIM_PERCENT=30 ASAN_OPTIONS=detect_leaks=1 \
    UBSAN_OPTIONS=print_stacktrace=1 run_suite build-asan "${asan_labels[@]}" -- -DCMAKE_BUILD_TYPE=Debug -DFRONTERA_SANITIZE=ON
fi
echo "test.sh: all tests passed in $(( (SECONDS - started) / 60 )) min $(( (SECONDS - started) % 60 )) s"
