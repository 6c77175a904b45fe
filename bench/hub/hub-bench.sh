#!/usr/bin/env bash
# bench/hub/hub-bench.sh: wevion-hub against nginx serving the same JSON bytes as static files.
#
# Fills a fresh db with 10 000 jobs (wevion-hub --fill), starts wevion-hub on a free loopback port,
# saves the answers of GET jobs/{id} and GET jobs?limit=100 as static files, starts nginx (non-daemon,
# one worker, a temporary config on another free loopback port) serving them, then runs wrk against
# all four and prints requests/s, p99 latency and the hub/nginx ratio.
#
# usage: bench/hub/hub-bench.sh [path/to/wevion-hub]
# env:   BENCH_SECONDS (default 5), BENCH_CONNECTIONS (default 32), BENCH_THREADS (default 2),
#        BENCH_JOBS (default 10000)
# needs: wrk, nginx-light (build-aux/install-deps.sh --bench)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
hub_bin=${1:-${WEVION_HUB:-$here/../../_build/src/hub/wevion-hub}}
seconds=${BENCH_SECONDS:-5}
conns=${BENCH_CONNECTIONS:-32}
threads=${BENCH_THREADS:-2}
jobs=${BENCH_JOBS:-10000}
token=demo-token

for tool in wrk nginx curl; do
  if ! command -v "$tool" >/dev/null && [ ! -x "/usr/sbin/$tool" ]; then
    echo "hub-bench: $tool is missing (build-aux/install-deps.sh --bench)" >&2
    exit 77
  fi
done
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$hub_bin" ] || { echo "hub-bench: no wevion-hub at $hub_bin" >&2; exit 1; }

tmp=$(mktemp -d /tmp/hub-bench-XXXXXX)
chmod 755 "$tmp"
hub_pid=
nginx_pid=
cleanup() {
  [ -n "$hub_pid" ] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null
  [ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

echo "Filling a db with $jobs jobs…"
start=$(date +%s.%N)
"$hub_bin" --db "$tmp/hub.db" --data-dir "$tmp/files" --seed 1 --fill "$jobs" 2>/dev/null
echo "  filled in $(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"

"$hub_bin" --port 0 --db "$tmp/hub.db" --data-dir "$tmp/files" >"$tmp/hub.out" 2>"$tmp/hub.err" &
hub_pid=$!
for _ in $(seq 100); do
  grep -q '^wevion-hub listening on ' "$tmp/hub.out" 2>/dev/null && break
  sleep 0.1
done
hub_url=$(sed -n 's/^wevion-hub listening on //p' "$tmp/hub.out")
[ -n "$hub_url" ] || { echo "hub-bench: the hub did not start" >&2; cat "$tmp/hub.err" >&2; exit 1; }

api=/api/v1/creative-hub/generate/jobs
mkdir -p "$tmp/www/jobs"
curl -sf -H "Authorization: Bearer $token" "$hub_url$api?limit=100" -o "$tmp/www/list.json"
job_id=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["jobs"][50]["id"])' "$tmp/www/list.json")
curl -sf -H "Authorization: Bearer $token" "$hub_url$api/$job_id" -o "$tmp/www/jobs/$job_id"

nginx_port=$(free_port)
mkdir -p "$tmp/nginx"
cat >"$tmp/nginx/nginx.conf" <<CONF
daemon off;
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $tmp/nginx/body;
  proxy_temp_path $tmp/nginx/proxy;
  fastcgi_temp_path $tmp/nginx/fastcgi;
  uwsgi_temp_path $tmp/nginx/uwsgi;
  scgi_temp_path $tmp/nginx/scgi;
  default_type application/json;
  server {
    listen 127.0.0.1:$nginx_port;
    root $tmp/www;
    location = /list { try_files /list.json =404; }
  }
}
CONF
"$nginx_bin" -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log" 2>"$tmp/nginx/stderr" &
nginx_pid=$!
for _ in $(seq 50); do
  curl -sf "http://127.0.0.1:$nginx_port/list" -o /dev/null 2>/dev/null && break
  sleep 0.1
done
cmp -s <(curl -sf "http://127.0.0.1:$nginx_port/jobs/$job_id") "$tmp/www/jobs/$job_id" \
  || { echo "hub-bench: nginx is not serving the files" >&2; cat "$tmp/nginx/error.log" >&2; exit 1; }

# wrk prints "Requests/sec: N" and, with --latency, a "99%  12.34ms" line
run_wrk() {
  local url=$1 out
  out=$(wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -H "Authorization: Bearer $token" "$url")
  local rps p99
  rps=$(echo "$out" | awk '/^Requests\/sec:/ {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  local non2xx
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  echo "$rps ${p99:-?} ${non2xx:-0}"
}

to_ms() {
  # wrk latency: 812.00us, 1.23ms, 2.01s
  echo "$1" | awk '/us$/ {sub("us",""); print $1/1000; next} /ms$/ {sub("ms",""); print $1+0; next} /s$/ {sub("s",""); print $1*1000; next} {print "?"}'
}

echo
echo "wrk: $threads threads, $conns connections, ${seconds}s each; db of $jobs jobs; job bytes $(stat -c %s "$tmp/www/jobs/$job_id"), list bytes $(stat -c %s "$tmp/www/list.json")"
read -r hub_job_rps hub_job_p99 hub_job_bad < <(run_wrk "$hub_url$api/$job_id")
read -r ngx_job_rps ngx_job_p99 ngx_job_bad < <(run_wrk "http://127.0.0.1:$nginx_port/jobs/$job_id")
read -r hub_list_rps hub_list_p99 hub_list_bad < <(run_wrk "$hub_url$api?limit=100")
read -r ngx_list_rps ngx_list_p99 ngx_list_bad < <(run_wrk "http://127.0.0.1:$nginx_port/list")

printf '\n%-28s %12s %12s %8s\n' "target" "requests/s" "p99 (ms)" "non-2xx"
printf '%-28s %12s %12s %8s\n' "hub GET jobs/{id}" "$hub_job_rps" "$(to_ms "$hub_job_p99")" "$hub_job_bad"
printf '%-28s %12s %12s %8s\n' "nginx same bytes" "$ngx_job_rps" "$(to_ms "$ngx_job_p99")" "$ngx_job_bad"
printf '%-28s %12s %12s %8s\n' "hub GET jobs?limit=100" "$hub_list_rps" "$(to_ms "$hub_list_p99")" "$hub_list_bad"
printf '%-28s %12s %12s %8s\n' "nginx same bytes" "$ngx_list_rps" "$(to_ms "$ngx_list_p99")" "$ngx_list_bad"
echo
awk -v a="$hub_job_rps" -v b="$ngx_job_rps" 'BEGIN { printf "ratio hub/nginx, single job: %.3f (nginx %.1fx faster)\n", a/b, b/a }'
awk -v a="$hub_list_rps" -v b="$ngx_list_rps" 'BEGIN { printf "ratio hub/nginx, list of 100: %.3f (nginx %.1fx faster)\n", a/b, b/a }'
