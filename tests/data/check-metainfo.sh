#!/bin/sh
# usage: check-metainfo.sh APPSTREAMCLI MERGED.metainfo.xml
# The merged AppStream metainfo validates (without network access) and has its translations merged.
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
appstreamcli=$1
file=$2
fail=0

echo "1..2"
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
exit $fail
