#!/usr/bin/env bash
# wevion-hub under wrk: 50 connections for 60 s, a mix of GET one job, GET the list and POST a
# generation, while its worker runs. Checks: no answer outside 2xx/3xx, no socket errors, and no
# lost job (every id answered 202 is in the database at the end, completed or failed).
#
# usage: bench/soak/hub-load.sh [SECONDS] [CONNECTIONS] [TIMEOUT]   (default 60 50 2s: wrk counts an
#        answer slower than TIMEOUT as a socket timeout; wrk comes with install-deps.sh --bench)
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
build=${WEVION_BUILD_DIR:-_build}
seconds=${1:-60}
connections=${2:-50}
timeout=${3:-2s}
command -v wrk >/dev/null || { echo "hub-load.sh: wrk is missing (build-aux/install-deps.sh --bench)"; exit 2; }
ninja -C "$build" src/hub/wevion-hub >/dev/null

dir=$(mktemp -d /tmp/wevion-hub-load-XXXXXX)
hub_pid=
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT

"$build/src/hub/wevion-hub" --port 0 --db "$dir/hub.db" --speed 200 --workers 4 >"$dir/hub.out" 2>"$dir/hub.err" &
hub_pid=$!
for _ in $(seq 100); do
  grep -q "listening on" "$dir/hub.out" 2>/dev/null && break
  sleep 0.1
done
url=$(sed -n 's/.*listening on \(http[^ ]*\).*/\1/p' "$dir/hub.out" | head -1)
[ -n "$url" ] || { echo "hub-load.sh: wevion-hub did not start"; cat "$dir/hub.err"; exit 1; }

api=$url/api/v1/creative-hub/generate
seed=$(curl -sf -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' \
  -d '{"provider":"sdxl_turbo","prompt":"seed [ok]","settings":{}}' "$api/image" |
  sed -n 's/.*"job_id" *: *"\([^"]*\)".*/\1/p')
[ -n "$seed" ] || { echo "hub-load.sh: the seed submit failed"; exit 1; }

echo "wrk: $connections connections, $seconds s, against $url (worker --speed 200 --workers 4)"
wrk -t 2 -c "$connections" -d "${seconds}s" --timeout "$timeout" --latency -s "$root/bench/soak/hub-load.lua" \
  "$url" -- "$seed" "$dir/ids" | tee "$dir/wrk.out"

# the worker finishes what was queued; then every 202'd id must be in the db, ended
total=$(($(wc -l <"$dir/ids") + 1))
echo "$seed" >>"$dir/ids"
for _ in $(seq 600); do
  active=$(sqlite3 "$dir/hub.db" "SELECT count(*) FROM creative_job WHERE status IN ('pending','processing')")
  [ "$active" = 0 ] && break
  sleep 1
done
sqlite3 "$dir/hub.db" "CREATE TEMP TABLE ids(id TEXT PRIMARY KEY);" ".import $dir/ids ids" \
  "SELECT 'ended: ' || count(*) FROM creative_job WHERE id IN (SELECT id FROM ids) AND status IN ('completed','failed');" \
  "SELECT 'lost (202 but not in the db): ' || count(*) FROM ids WHERE id NOT IN (SELECT id FROM creative_job);" \
  "SELECT 'not ended: ' || count(*) FROM creative_job WHERE id IN (SELECT id FROM ids) AND status NOT IN ('completed','failed');" \
  >"$dir/verdict"
echo "jobs answered 202: $total"
cat "$dir/verdict"
ended=$(sed -n 's/^ended: //p' "$dir/verdict")
status=0
if [ "$ended" = "$total" ]; then echo "no lost job"; else echo "LOST JOBS"; status=1; fi
other=$(sed -n 's/^answers: .*, \([0-9]*\) other.*/\1/p' "$dir/wrk.out")
socket=$(sed -n 's/^socket errors: connect \([0-9]*\), read \([0-9]*\), write \([0-9]*\), timeout \([0-9]*\).*/\1 \2 \3 \4/p' "$dir/wrk.out")
if [ "$other" = 0 ]; then echo "no answer outside 2xx/3xx"; else echo "ANSWERS OUTSIDE 2xx/3xx: $other"; status=1; fi
if [ "$socket" = "0 0 0 0" ]; then
  echo "no socket errors or timeouts"
else
  echo "SOCKET ERRORS (connect read write timeout): $socket"
  status=1
fi
exit $status
