#!/usr/bin/env bash
# Installs what is missing, builds Wevion Jobs and runs the whole test suite under a private session
# bus and an X server, in two phases:
#   normal     the usual build in _build
#   sanitize   the same suite built with AddressSanitizer + UndefinedBehaviorSanitizer in _build-asan;
#              LeakSanitizer is on except for the GTK programs (see tests/app/meson.build) and
#              build-aux/lsan.supp holds the only suppressions (system libraries).
# Each phase prints its own "phase NAME: N passed, N failed"; the last line is the sum,
# "N passed, N failed" (each test program counts once per phase).
#
# usage: build-aux/test.sh [--no-sanitize | --sanitize] [MESON-TEST-ARGS...]
#   --no-sanitize  only the normal phase (the fast local loop)
#   --sanitize     only the sanitizer phase
#   e.g. build-aux/test.sh --no-sanitize --suite hub
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
root=$PWD
build=${WEVION_BUILD_DIR:-_build}
asan_build=${WEVION_ASAN_BUILD_DIR:-_build-asan}

run_normal=1
run_sanitize=1
case "${1:-}" in
  --no-sanitize) run_sanitize=0; shift ;;
  --sanitize) run_normal=0; shift ;;
esac

total_passed=0
total_failed=0

fail() {
  echo "test.sh: $1" >&2
  echo "${total_passed} passed, $((total_failed + 1)) failed"
  exit 1
}

build-aux/install-deps.sh || fail "could not install the packages the build needs"

# Counts the results of one meson test run: prints "PASSED FAILED".
count_results() {
  python3 - "$1" <<'PY'
import json, sys
passed = failed = 0
try:
    with open(sys.argv[1], encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                r = json.loads(line).get("result", "")
            except ValueError:
                r = "unreadable"
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
}

# run_phase NAME BUILD-DIR [MESON-SETUP-ARGS...] -- [MESON-TEST-ARGS...]
run_phase() {
  local name=$1 dir=$2
  shift 2
  local setup_args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do
    setup_args+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift
  local start=$SECONDS

  echo "=== phase ${name}: build in ${dir}"
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" -Dwerror=true "${setup_args[@]}" || { phase_failed "$name" "meson setup failed"; return; }
  else
    meson setup --reconfigure "$dir" -Dwerror=true "${setup_args[@]}" >/dev/null ||
      { phase_failed "$name" "meson setup --reconfigure failed"; return; }
  fi
  ninja -C "$dir" || { phase_failed "$name" "the build failed"; return; }
  local built=$SECONDS

  echo "=== phase ${name}: test"
  # The whole phase shares one X server and one session bus from the wrappers; tests that need a
  # private bus of their own (notifications) or their own X server (the demo) start one themselves.
  rm -f "$dir/meson-logs/testlog.json"
  dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" \
    meson test -C "$dir" --print-errorlogs --num-processes 2 "$@"
  local status=$?
  local passed failed
  read -r passed failed <<<"$(count_results "$dir/meson-logs/testlog.json")"
  [[ "$passed" =~ ^[0-9]+$ && "$failed" =~ ^[0-9]+$ ]] || { passed=0; failed=1; }
  if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
    failed=1
  fi
  phase_reports "$name" || failed=$((failed + 1))
  echo "phase ${name}: ${passed} passed, ${failed} failed" \
    "(build $((built - start)) s, tests $((SECONDS - built)) s)"
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed))
}

phase_failed() {
  echo "test.sh: phase $1: $2" >&2
  echo "phase $1: 0 passed, 1 failed"
  total_failed=$((total_failed + 1))
}

# Sanitizer reports go to files (log_path below) so that reports from child processes — the
# wevion-hub and wevion-jobs that the tests start — are seen too, not only the test program's own.
# A phase with any report fails; each report is printed.
report_dir=
phase_reports() {
  [ -n "$report_dir" ] || return 0
  local reports
  reports=$(find "$report_dir" -type f 2>/dev/null | sort)
  [ -n "$reports" ] || { echo "phase $1: no sanitizer reports"; return 0; }
  local n
  n=$(echo "$reports" | wc -l)
  echo "phase $1: ${n} sanitizer report(s):" >&2
  local f
  for f in $reports; do
    echo "--- $f" >&2
    cat "$f" >&2
  done
  return 1
}

export GSK_RENDERER=cairo
export NO_AT_BRIDGE=1

if [ "$run_normal" -eq 1 ]; then
  run_phase normal "$build" -- "$@"
fi

if [ "$run_sanitize" -eq 1 ]; then
  case "$asan_build" in
    /*) report_dir=$asan_build/meson-logs/sanitizer-reports ;;
    *) report_dir=$root/$asan_build/meson-logs/sanitizer-reports ;;
  esac
  rm -rf "$report_dir"
  mkdir -p "$report_dir"
  # ASan/UBSan: stop at the first report and abort (meson records the SIGABRT as a failure).
  # LSan: on (detect_leaks=1); the GTK programs append detect_leaks=0 (tests/meson.build says why).
  # fast_unwind_on_malloc=0: full allocation stacks through the system libraries (built without
  #   frame pointers), which the suppressions in build-aux/lsan.supp match on.
  # intercept_tls_get_addr=0: GCC 12's LSan otherwise crashes ("Tracer caught signal 11") walking
  #   the dynamic TLS of glibc 2.36 once a module is dlopen()ed (GIO's TLS backend).
  # log_path: reports go to files, so that those of child processes (the wevion-hub and wevion-jobs
  #   the tests start) are seen too.
  # G_SLICE=always-malloc: GLib 2.74's slice allocator would hide leaks and overflows from ASan.
  export ASAN_OPTIONS="abort_on_error=1:halt_on_error=1:detect_leaks=1:strict_string_checks=1:fast_unwind_on_malloc=0:malloc_context_size=30:intercept_tls_get_addr=0:log_exe_name=1:log_path=$report_dir/asan"
  export LSAN_OPTIONS="suppressions=$root/build-aux/lsan.supp:print_suppressions=0"
  export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_exe_name=1:log_path=$report_dir/ubsan"
  export G_SLICE=always-malloc
  # Everything runs 2-4 times slower under ASan: scale meson's timeouts and the deadlines of the
  # scripts that wait on a program (tests/notify), drop no test.
  export WEVION_TEST_TIMEOUT_MULTIPLIER=3
  run_phase sanitize "$asan_build" -Db_sanitize=address,undefined -Db_lundef=false -- \
    --timeout-multiplier "$WEVION_TEST_TIMEOUT_MULTIPLIER" "$@"
  unset ASAN_OPTIONS LSAN_OPTIONS UBSAN_OPTIONS G_SLICE WEVION_TEST_TIMEOUT_MULTIPLIER
fi

echo "${total_passed} passed, ${total_failed} failed"
[ "$total_failed" -eq 0 ]
