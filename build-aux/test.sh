#!/usr/bin/env bash
# Installs what is missing, builds Wevion Jobs into _build and runs the whole test suite under a
# private session bus and an X server. The last line is "N passed, N failed".
#
# usage: build-aux/test.sh [MESON-TEST-ARGS...]   e.g. build-aux/test.sh --suite hub
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
build=${WEVION_BUILD_DIR:-_build}

fail() {
  echo "test.sh: $1" >&2
  echo "0 passed, 1 failed"
  exit 1
}

build-aux/install-deps.sh || fail "could not install the packages the build needs"

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dwerror=true || fail "meson setup failed"
else
  meson setup --reconfigure "$build" -Dwerror=true >/dev/null || fail "meson setup --reconfigure failed"
fi
ninja -C "$build" || fail "the build failed"

# Each test gets a fresh X server and session bus from the wrappers; tests that need a private
# bus of their own (notifications) start one themselves.
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1
rm -f "$build/meson-logs/testlog.json"
dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" \
  meson test -C "$build" --print-errorlogs --num-processes 2 "$@"
status=$?

counts=$(python3 - "$build/meson-logs/testlog.json" <<'PY'
import json, sys
passed = failed = 0
try:
    with open(sys.argv[1]) as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            r = json.loads(line).get("result", "")
            if r in ("OK", "EXPECTEDFAIL"):
                passed += 1
            elif r == "SKIP":
                pass
            else:
                failed += 1
except FileNotFoundError:
    failed = 1
print(passed, failed)
PY
)
read -r passed failed <<<"$counts"
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi
echo "${passed} passed, ${failed} failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
