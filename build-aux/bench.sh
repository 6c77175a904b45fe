#!/usr/bin/env bash
# Runs the benchmarks (bench/) and prints their figures: the hub against nginx (wrk), the core's
# poll load and scale, the panel with 100 000 jobs (under Xvfb), downloads against curl.
# Benchmarks print figures; they do not pass or fail on speed (a shared machine is noisy).
#
# usage: build-aux/bench.sh [SUITE...]    e.g. build-aux/bench.sh app core
set -uo pipefail
cd "$(dirname "$0")/.." || exit 2
build=${WEVION_BUILD_DIR:-_build}

build-aux/install-deps.sh --bench || { echo "bench.sh: could not install the packages it needs" >&2; exit 1; }
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" || exit 1
fi
ninja -C "$build" || exit 1

suites=()
for s in "$@"; do suites+=(--suite "$s"); done
export GSK_RENDERER=cairo NO_AT_BRIDGE=1
dbus-run-session -- xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" \
  meson test -C "$build" --benchmark --num-processes 1 --verbose "${suites[@]}"
