#!/usr/bin/env bash
# Formats the C++ sources with .clang-format (Debian 12's clang-format, 14).
#   scripts/format.sh          rewrite every tracked .h/.cc file in place
#   scripts/format.sh --check  change nothing; list the files that differ and exit 1
# test.sh runs the check first: a file that is not formatted fails the suite.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "format.sh: clang-format is not installed (apt-get install clang-format)" >&2; exit 69; }
# Tracked and new files that exist (a file deleted but not yet committed is skipped).
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.h' '*.cc' |
  while IFS= read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
case "${1:-}" in
  --check)
    bad=()
    for f in "${files[@]}"; do
      clang-format --dry-run -Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
      echo "format.sh: ${#bad[@]} file(s) are not formatted as .clang-format says (fix: scripts/format.sh):" >&2
      printf '  %s\n' "${bad[@]}" >&2
      exit 1
    fi
    echo "format: ${#files[@]} files formatted as .clang-format says"
    ;;
  "") clang-format -i "${files[@]}" ;;
  *) echo "format.sh: unknown option $1 (known: --check)" >&2; exit 64 ;;
esac
