#!/usr/bin/env bash
# Installs what is missing, builds Wevion Jobs into _build, starts a local demo Creative Hub
# (wevion-hub --demo) on a free loopback port and opens the Jobs panel connected to it.
# Ctrl+C, or closing the window, stops both.
#
# usage: build-aux/demo.sh                      open the app on this display
#        build-aux/demo.sh --screenshot FILE.png  headless under Xvfb: write a screenshot and exit
#                 [--size WxH] [--dark] [--wait SECONDS]
set -uo pipefail
caller=$PWD
cd "$(dirname "$0")/.." || exit 2
root=$PWD
build=${WEVION_BUILD_DIR:-_build}
case "$build" in /*) ;; *) build="$root/$build" ;; esac

screenshot=
size=1280x800
dark=0
wait_s=6
while [ $# -gt 0 ]; do
  case "$1" in
    --screenshot) screenshot=${2:?--screenshot needs a file name}; shift 2 ;;
    --size) size=${2:?--size needs WxH}; shift 2 ;;
    --dark) dark=1; shift ;;
    --wait) wait_s=${2:?--wait needs seconds}; shift 2 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (try --help)" >&2; exit 2 ;;
  esac
done

if [ -z "$screenshot" ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo.sh: there is no display here (neither DISPLAY nor WAYLAND_DISPLAY is set)." >&2
  echo "         Run it in a desktop session, or take a picture instead:" >&2
  echo "         build-aux/demo.sh --screenshot shot.png" >&2
  exit 1
fi

build-aux/install-deps.sh || { echo "demo.sh: could not install the packages it needs" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" || exit 1
fi
ninja -C "$build" || { echo "demo.sh: the build failed" >&2; exit 1; }

state=$(mktemp -d "${TMPDIR:-/tmp}/wevion-demo.XXXXXX")
hub_pid=
app_pid=
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The hub prints one line when it is ready: "wevion-hub listening on http://127.0.0.1:PORT".
mkfifo "$state/hub.out"
"$build/src/hub/wevion-hub" --demo --port 0 --db "$state/hub.db" --data-dir "$state/files" \
  >"$state/hub.out" 2>"$state/hub.log" &
hub_pid=$!
url=
if read -r -t 30 line <"$state/hub.out"; then
  url=${line##* }
fi
case "$url" in
  http://*) ;;
  *) echo "demo.sh: wevion-hub did not start:" >&2; cat "$state/hub.log" >&2; exit 1 ;;
esac
echo "demo.sh: demo Creative Hub at $url (user demo)"

printf '%s' demo-token >"$state/token"
chmod 600 "$state/token"
export GSETTINGS_SCHEMA_DIR="$build/data"
export GSETTINGS_BACKEND=memory
export XDG_CACHE_HOME="$state/cache"
export XDG_DATA_HOME="$state/data"
# --quit-on-close: the demo ends with its window, even though demo jobs are always running
app=("$build/src/app/wevion-jobs" --server "$url" --token-file "$state/token" --quit-on-close)
[ "$dark" = 1 ] && export ADW_DEBUG_COLOR_SCHEME=prefer-dark

if [ -z "$screenshot" ]; then
  "${app[@]}" &
  app_pid=$!
  wait "$app_pid"
  app_pid=
  exit 0
fi

# Headless: our own X server, a window of the requested size, a picture of the screen.
case "$screenshot" in /*) ;; *) screenshot="$caller/$screenshot" ;; esac
w=${size%x*}; h=${size#*x}
export WEVION_WINDOW_SIZE="$size"
export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1 GTK_A11Y=none
export WAIT_S="$wait_s" SHOT="$screenshot"
# The app runs inside the private bus's own session, so when the picture is taken and the app has
# ended, dbus-run-session takes its bus down too: nothing is left running.
xvfb-run -a -s "-screen 0 ${w}x${h}x24 -nolisten tcp" dbus-run-session -- bash -c '
  "$@" &
  pid=$!
  sleep "$WAIT_S"
  import -window root "$SHOT"
  shot=$?
  kill $pid; wait $pid 2>/dev/null
  exit $shot
' demo "${app[@]}" 2>"$state/app.log"
status=$?
if [ $status -ne 0 ] || [ ! -s "$screenshot" ]; then
  echo "demo.sh: no screenshot was taken:" >&2
  cat "$state/app.log" >&2
  exit 1
fi
echo "demo.sh: wrote $screenshot"
