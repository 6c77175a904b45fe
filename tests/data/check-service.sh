#!/bin/sh
# usage: check-service.sh CONFIGURED.service BINDIR
# The D-Bus service file activates the app by its application id, in service mode.
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
file=$1
bindir=$2
fail=0

echo "1..3"
if [ "$(sed -n 1p "$file")" = "[D-BUS Service]" ]; then
  echo "ok 1 group [D-BUS Service]"
else
  echo "not ok 1 first line is not [D-BUS Service]"
  fail=1
fi
if [ "$(grep -c '^Name=' "$file")" = 1 ] && grep -qxF 'Name=com.wevion.Jobs' "$file"; then
  echo "ok 2 Name=com.wevion.Jobs"
else
  echo "not ok 2 Name is not com.wevion.Jobs"
  fail=1
fi
if [ "$(grep -c '^Exec=' "$file")" = 1 ] &&
   grep -qxF "Exec=$bindir/wevion-jobs --gapplication-service" "$file"; then
  echo "ok 3 Exec=$bindir/wevion-jobs --gapplication-service"
else
  echo "not ok 3 Exec is not $bindir/wevion-jobs --gapplication-service:"
  grep '^Exec=' "$file" | diag
  fail=1
fi
exit $fail
