#!/bin/sh
# usage: check-metainfo.sh APPSTREAMCLI MERGED.metainfo.xml
# The merged AppStream metainfo validates (without network access) and has its translations merged.
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
appstreamcli=$1
file=$2
fail=0

echo "1..4"
if out=$("$appstreamcli" validate --no-net "$file" 2>&1); then
  echo "ok 1 appstreamcli validate --no-net $file"
  printf '%s\n' "$out" | sed 's/^/# /'
else
  echo "not ok 1 appstreamcli validate --no-net $file"
  printf '%s\n' "$out" | diag
  fail=1
fi

if grep -q '<summary xml:lang="de">.' "$file" && grep -q '<p xml:lang="de">.' "$file"; then
  echo "ok 2 German translations merged"
else
  echo "not ok 2 German summary or description missing from $file"
  fail=1
fi

# What the software centre and the desktop need from it (the validator allows leaving these out).
missing=
for pattern in '<id>com.wevion.Jobs</id>' \
               '<launchable type="desktop-id">com.wevion.Jobs.desktop</launchable>' \
               '<binary>wevion-jobs</binary>' \
               '<developer id="com.wevion">' '<developer_name[^>]*>Wevion</developer_name>' \
               '<content_rating type="oars-1.1"' '<display_length compare="ge">360</display_length>' \
               '<project_license>GPL-3.0-or-later</project_license>' \
               '<metadata_license>CC0-1.0</metadata_license>' \
               '<url type="homepage">' '<url type="bugtracker">' \
               '<release version="[^"]*" date="[0-9-]*"' '<screenshot type="default">' '<caption>.' \
               '<color type="primary" scheme_preference="light">' \
               '<color type="primary" scheme_preference="dark">'; do
  grep -q -- "$pattern" "$file" || missing="$missing
$pattern"
done
if [ -z "$missing" ]; then
  echo "ok 3 launchable, provides, developer, OARS rating, display length, licences, URLs, release, screenshots, branding"
else
  echo "not ok 3 elements missing from $file"
  printf '%s\n' "$missing" | sed '/^$/d; s/^/  /' | diag
  fail=1
fi
# Every screenshot is one of ours, kept in data/screenshots/ (the published URL ends in its name).
names=$(sed -n 's|.*<image>[^<]*/\([^/<]*\)</image>.*|\1|p' "$file")
absent=
for name in $names; do
  [ -f "${WEVION_SOURCE_ROOT:?}/data/screenshots/$name" ] || absent="$absent $name"
done
if [ -n "$names" ] && [ -z "$absent" ]; then
  echo "ok 4 screenshots are ours:" $names
else
  echo "not ok 4 screenshots not in data/screenshots/:${absent:- none listed}"
  fail=1
fi
exit $fail
