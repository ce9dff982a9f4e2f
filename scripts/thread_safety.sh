#!/usr/bin/env bash
# Checks the lock annotations (common/mutex.h) with clang's -Wthread-safety:
# every translation unit that declares or takes a Mutex, compiled for syntax
# only with the flags CMake gave it in BUILD_DIR/compile_commands.json.
#   scripts/thread_safety.sh [BUILD_DIR]   (default: build; needs clang++-16)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
db=$build/compile_commands.json
[ -f "$db" ] || { echo "thread_safety.sh: no $db; build first" >&2; exit 2; }

# Sources that name Mutex, and the sources beside headers that do.
mapfile -t sources < <(
  {
    git grep -l -E '\bMutex(Lock)?\b' -- '*.cc' ':!tests' ':!common'
    git grep -l -E '\bMutex\b' -- '*.h' ':!tests' ':!common' | sed 's/\.h$/.cc/'
  } | sort -u | while read -r f; do [ -f "$f" ] && echo "$f"; done
)
failed=0
for f in "${sources[@]}"; do
  line=$(grep -F -- "-c $PWD/$f\"" "$db" || true)
  if [ -z "$line" ]; then
    echo "thread_safety.sh: $f is not in $db" >&2
    failed=1
    continue
  fi
  # The command without its compiler, output and input; the file's own
  # warnings are clang's thread-safety ones only (the build has the rest).
  read -r -a flags <<<"$(sed -e 's/^ *"command": "[^ ]* //' -e 's/ -o [^ ]* -c [^ ]*",\{0,1\}$//' \
    -e 's/ -W[a-z-]*//g' <<<"$line")"
  if ! clang++-16 "${flags[@]}" -fsyntax-only -Wthread-safety -Wthread-safety-beta \
      -Werror=thread-safety -ferror-limit=0 "$f"; then
    failed=1
  fi
done
[ "$failed" -eq 0 ] && echo "thread safety: ${#sources[@]} translation units checked"
exit "$failed"
