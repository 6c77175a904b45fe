#!/bin/sh
# Runs test-notify.py on a private session bus of its own (and an X server of its own when there is
# none), with Debian's python3: python3-dbusmock and python3-dbus live there, not in a pyenv build.
here=$(cd "$(dirname "$0")" && pwd)
if [ -z "${DISPLAY:-}" ]; then
  exec xvfb-run -a -s "-screen 0 1280x1024x24 -nolisten tcp" "$0" "$@"
fi
exec dbus-run-session -- /usr/bin/python3 "$here/test-notify.py" "$@"
