#!/bin/sh
# po/POTFILES.in lists every file with translatable strings, and nothing that does not exist:
#  - C sources and headers under src/ that call _(), N_(), C_(), NC_(), ngettext() or g_dngettext(),
#  - GtkBuilder .ui files under src/ with translatable="yes",
#  - the desktop entry, the AppStream metainfo and the GSettings schema.
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
cd "${WEVION_SOURCE_ROOT:?}" || exit 1
potfiles=po/POTFILES.in
listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles")
fail=0

echo "1..2"

# Files that need to be listed.
needed=$(
  {
    find src -type f \( -name '*.c' -o -name '*.h' \) -exec \
      grep -lE '(^|[^A-Za-z0-9_])(_|N_|C_|NC_|ngettext|g_dngettext)[[:space:]]*\(' {} +
    find src -type f -name '*.ui' -exec grep -l 'translatable="yes"' {} +
    find . -maxdepth 1 -type f -name '*.desktop.in'
    find data -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' -o -name '*.gschema.xml' \)
  } 2>/dev/null | sed 's|^\./||' | LC_ALL=C sort -u
)
missing=
for f in $needed; do
  printf '%s\n' "$listed" | grep -qxF "$f" || missing="$missing $f"
done
if [ -z "$missing" ]; then
  echo "ok 1 every file with translatable strings is in $potfiles"
else
  echo "not ok 1 files with translatable strings missing from $potfiles:"
  { echo "add these files to $potfiles:"; for f in $missing; do echo "  $f"; done; } | diag
  fail=1
fi

stale=
for f in $listed; do
  [ -f "$f" ] || stale="$stale $f"
done
if [ -z "$stale" ]; then
  echo "ok 2 every file in $potfiles exists"
else
  echo "not ok 2 $potfiles lists files that do not exist:"
  { echo "remove these files from $potfiles, they do not exist:"; for f in $stale; do echo "  $f"; done; } | diag
  fail=1
fi
exit $fail
