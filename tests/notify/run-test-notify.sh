#!/bin/sh
# Runs test-notify.py with an X server and a private session bus of its own (another test's window
# must not take the focus; nothing may leak onto the user's bus), with Debian's python3:
# python3-dbusmock and python3-dbus live there, not in a pyenv build.
#
# The private bus can start wevion-jobs by D-Bus activation, as a desktop does for DBusActivatable
# apps: the service file points at the built binary (its output goes to a log, not to TAP).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${WEVION_BUILD_ROOT:-$here/../../_build}

if [ -z "${WEVION_NOTIFY_OWN_X:-}" ]; then
  WEVION_NOTIFY_OWN_X=1 exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$0" "$@"
fi

services=$(mktemp -d "${TMPDIR:-/tmp}/wevion-notify-services-XXXXXX")
trap 'rm -rf "$services"' EXIT
mkdir -p "$services/dbus-1/services"
cat >"$services/dbus-1/services/com.wevion.Jobs.service" <<EOF
[D-BUS Service]
Name=com.wevion.Jobs
Exec=/bin/sh -c 'exec "$build/src/app/wevion-jobs" --gapplication-service >>"\$WEVION_ACTIVATION_LOG" 2>&1'
EOF
export XDG_DATA_DIRS="$services:${XDG_DATA_DIRS:-/usr/local/share:/usr/share}"
export WEVION_BUILD_ROOT="$build"
dbus-run-session -- /usr/bin/python3 "$here/test-notify.py" "$@"
