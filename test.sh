#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   ./test.sh            release build + tests, then an ASan/UBSan build + tests
#   ./test.sh --quick    skip the sanitizer build
#   ./test.sh --sim-seeds N   only the cluster simulator (release), with N seeds
#                        (FRONTERA_SIM_FIRST_SEED=S starts at seed S; FRONTERA_SIM_SEED=S replays one)
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh

quick=0
sim_seeds=""
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1 ;;
    --sim-seeds)
      sim_seeds=${2:-}
      [[ "$sim_seeds" =~ ^[1-9][0-9]*$ ]] || { echo "test.sh: --sim-seeds needs a positive number" >&2; exit 64; }
      shift ;;
    *) echo "test.sh: unknown option $1 (known: --quick, --sim-seeds N)" >&2; exit 64 ;;
  esac
  shift
done

frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_TEST_PACKAGES[@]}"

run_suite() {  # run_suite <build dir> <cmake args...>
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j2
  ctest --test-dir "$dir" --output-on-failure --timeout 900
}

if [ -n "$sim_seeds" ]; then
  echo "== cluster simulator, $sim_seeds seeds"
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build build -j2 --target sim_test
  FRONTERA_SIM_SEEDS=$sim_seeds build/tests/sim_test
  echo "test.sh: simulator passed"
  exit 0
fi

echo "== release build and tests (the simulator runs 2,000 seeds)"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "$quick" -eq 0 ]; then
  echo "== ASan+UBSan build and tests (the simulator runs 250 seeds)"
  FRONTERA_SIM_SEEDS=250 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DFRONTERA_SANITIZE=ON
fi
echo "test.sh: all tests passed"
