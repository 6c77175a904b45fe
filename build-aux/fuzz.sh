#!/usr/bin/env bash
# Runs the libFuzzer harnesses of tests/fuzz/ for a while each and prints, per harness, executions,
# exec/s, corpus size and crashes. Builds them with clang -fsanitize=fuzzer,address,undefined in
# _build-fuzz (a separate meson build whose c_args hold -fsanitize=fuzzer-no-link; see
# tests/fuzz/meson.build). Each harness starts from a scratch copy of tests/fuzz/corpus/NAME, so the
# checked-in corpus never changes behind your back. A crash is minimised; its input and the
# minimised one are kept under the scratch dir: fix the bug, then add the input to the corpus.
#
# usage: build-aux/fuzz.sh [SECONDS] [NAME...]     (default 60 s each, every harness)
#   FUZZ_JOBS=N    harnesses run at once (default: the number of CPUs)
#   FUZZ_KEEP=DIR  keep the scratch dir in DIR (default: a temporary dir, printed at the end)
#   FUZZ_MAX_LEN   longest input libFuzzer makes (default 8192; longer seeds still load whole in the
#                  replay tests of the suite 'fuzz')
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
src=$PWD
build=${WEVION_FUZZ_BUILD_DIR:-_build-fuzz}
seconds=${1:-60}
shift || true
all=(job list submit query signed-url filename headers)
names=("$@")
[ ${#names[@]} -eq 0 ] && names=("${all[@]}")
jobs=${FUZZ_JOBS:-$(nproc)}
max_len=${FUZZ_MAX_LEN:-8192}

build-aux/install-deps.sh --fuzz || { echo "fuzz.sh: could not install the packages it needs" >&2; exit 1; }

scratch_log=$(mktemp /tmp/wevion-fuzz-setup.XXXXXX)
if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" \
    -Dbuildtype=debugoptimized -Dwerror=false -Db_lundef=false -Db_sanitize=address,undefined \
    -Dc_args="-fsanitize=fuzzer-no-link -fno-sanitize-recover=all -fno-omit-frame-pointer" \
    -Dc_link_args="-fno-sanitize-recover=all" >"$scratch_log" 2>&1 \
    || { cat "$scratch_log"; exit 1; }
fi
targets=()
for n in "${names[@]}"; do targets+=("tests/fuzz/fuzz-$n"); done
ninja -C "$build" "${targets[@]}" || exit 1

scratch=${FUZZ_KEEP:-$(mktemp -d /tmp/wevion-fuzz.XXXXXX)}
mkdir -p "$scratch"

# GLib: plain malloc so ASan sees every block; no criticals are expected (the harnesses abort).
export G_SLICE=always-malloc G_DEBUG=gc-friendly LC_ALL=C.UTF-8
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

run_one () {
  local n=$1 dir="$scratch/$1" exe="$src/$build/tests/fuzz/fuzz-$1"
  rm -rf "$dir"
  mkdir -p "$dir/corpus" "$dir/artifacts"
  cp "$src/tests/fuzz/corpus/$n/"* "$dir/corpus/"
  "$exe" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "$dir/corpus" >"$dir/log" 2>&1
  echo $? >"$dir/rc"
  for crash in "$dir"/artifacts/*; do
    [ -f "$crash" ] || continue
    case "$crash" in *.min) continue ;; esac
    # -max_total_time bounds each round of the minimiser, not the whole: bound it with timeout
    timeout 60 "$exe" -minimize_crash=1 -max_total_time=20 -exact_artifact_path="$crash.min" "$crash" \
      >"$dir/minimize.log" 2>&1 || true
  done
}

echo "fuzz.sh: ${#names[@]} harness(es), ${seconds}s each, $jobs at a time, scratch $scratch"
running=0
for n in "${names[@]}"; do
  run_one "$n" &
  running=$((running + 1))
  if [ "$running" -ge "$jobs" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

status=0
printf '\n%-12s %12s %10s %8s %8s  %s\n' harness executions exec/s corpus crashes seeds
for n in "${names[@]}"; do
  dir="$scratch/$n"
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$dir/log" | tail -1)
  corpus=$(find "$dir/corpus" -type f | wc -l)
  seeds=$(find "$src/tests/fuzz/corpus/$n" -type f | wc -l)
  crashes=$(find "$dir/artifacts" -type f ! -name '*.min' | wc -l)
  printf '%-12s %12s %10s %8s %8s  %s\n' "$n" "${execs:-?}" "${rate:-?}" "$corpus" "$crashes" "$seeds"
  if [ "$crashes" -gt 0 ] || [ "$(cat "$dir/rc")" != 0 ]; then
    status=1
    for crash in "$dir"/artifacts/*; do
      case "$crash" in *.min) continue ;; esac
      [ -f "$crash" ] && echo "    $crash (minimised: $crash.min)"
    done
    grep -m3 -E 'ERROR: |invariant failed|runtime error|SUMMARY' "$dir/log" | sed 's/^/    /'
  fi
done
echo "logs and grown corpora: $scratch"
exit $status
