#!/bin/sh
# The README's first command, headless: build-aux/demo.sh --screenshot writes a picture of the
# window connected to a demo wevion-hub, and leaves nothing running behind it.
# Reads WEVION_SOURCE_ROOT and WEVION_BUILD_ROOT (test_env); prints TAP.
set -u
src=${WEVION_SOURCE_ROOT:?}
build=${WEVION_BUILD_ROOT:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "1..4"

# Everything the demo starts (hub, Xvfb, bus, app, what the bus activates) inherits the
# environment of demo.sh, which names the picture: SHOT=<this folder>/shot.png. Zombies are not
# running (whoever adopted them reaps them).
watched() {
  for d in /proc/[0-9]*; do
    grep -qs "^State:.*Z" "$d/status" && continue
    tr '\0' '\n' <"$d/environ" 2>/dev/null | grep -qx "SHOT=$tmp/shot.png" && echo "${d#/proc/}"
  done | sort
}
watched >"$tmp/before"

# a relative file name is taken from where the command runs, as a user would expect
cd "$tmp" || exit 1
if WEVION_BUILD_DIR="$build" "$src/build-aux/demo.sh" --screenshot shot.png --size 900x700 --wait 4 >"$tmp/out" 2>&1; then
  echo "ok 1 - demo.sh --screenshot succeeded"
else
  echo "not ok 1 - demo.sh --screenshot failed"; sed 's/^/# /' "$tmp/out"
fi

size=$(/usr/bin/python3 - "$tmp/shot.png" <<'PY'
import struct, sys
try:
    data = open(sys.argv[1], "rb").read(24)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    print("%dx%d" % struct.unpack(">II", data[16:24]))
except Exception:
    print("none")
PY
)
if [ "$size" = 900x700 ]; then echo "ok 2 - a 900x700 PNG in the caller's folder"; else echo "not ok 2 - picture: $size"; fi

grep -q "demo Creative Hub at http://127.0.0.1:" "$tmp/out" \
  && echo "ok 3 - the app was pointed at the demo hub on loopback" \
  || { echo "not ok 3 - no demo hub address"; sed 's/^/# /' "$tmp/out"; }

# give what is ending a few seconds to end
for i in 1 2 3 4 5 6 7 8 9 10; do
  sleep 0.5
  watched >"$tmp/after"
  left=$(comm -13 "$tmp/before" "$tmp/after" | tr '\n' ' ')
  [ -z "$left" ] && break
done
if [ -z "$left" ]; then
  echo "ok 4 - nothing left running"
else
  echo "not ok 4 - left running: $left"
  for pid in $left; do ps -o pid=,ppid=,args= -p "$pid" | sed 's/^/# /'; done
fi
