#!/bin/sh
# usage: check-format.sh CLANG-FORMAT
# Every C source and header under src/, tests/ and bench/ is formatted with the repository's
# .clang-format. To fix a file: clang-format -i FILE
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
clang_format=$1
cd "${WEVION_SOURCE_ROOT:?}" || exit 1
[ -f .clang-format ] || { echo "1..0 # no .clang-format"; echo "Bail out! .clang-format missing"; exit 1; }

files=$(find src tests bench -type f \( -name '*.c' -o -name '*.h' \) 2>/dev/null | LC_ALL=C sort)
bad=
for f in $files; do
  "$clang_format" --style=file --dry-run -Werror "$f" >/dev/null 2>&1 || bad="$bad $f"
done
echo "1..1"
if [ -z "$bad" ]; then
  echo "ok 1 $(printf '%s\n' $files | wc -l) files are formatted"
  exit 0
fi
echo "not ok 1 files not formatted with .clang-format (fix: clang-format -i FILE):"
{ echo "not formatted (fix: clang-format -i FILE):"; for f in $bad; do echo "  $f"; done; } | diag
exit 1
