#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test.
#   ./test.sh            release build + tests, then an ASan/UBSan build + tests
#   ./test.sh --quick    skip the sanitizer build
set -euo pipefail
cd "$(dirname "$0")"
source scripts/deps.sh

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    *) echo "test.sh: unknown option $arg (known: --quick)" >&2; exit 64 ;;
  esac
done

frontera_install_packages "${FRONTERA_BUILD_PACKAGES[@]}" "${FRONTERA_TEST_PACKAGES[@]}"

run_suite() {  # run_suite <build dir> <cmake args...>
  local dir=$1; shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j2
  ctest --test-dir "$dir" --output-on-failure --timeout 900
}

echo "== release build and tests"
run_suite build -DCMAKE_BUILD_TYPE=RelWithDebInfo
if [ "$quick" -eq 0 ]; then
  echo "== ASan+UBSan build and tests"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build-asan -DCMAKE_BUILD_TYPE=Debug -DFRONTERA_SANITIZE=ON
fi
echo "test.sh: all tests passed"
