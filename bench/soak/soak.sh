#!/usr/bin/env bash
# The ten-minute soak of the core against a real wevion-hub: 1000 active jobs, the real 5 s poll
# interval, RSS and fds sampled every minute. Prints the figures; exit status 0 when every check held.
#
# usage: bench/soak/soak.sh [DURATION-SECONDS] [SOAK-CORE-ARGS...]   (default 600)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${WEVION_BUILD_DIR:-_build}
duration=${1:-600}
shift || true
ninja -C "$build" bench/soak/soak-core src/hub/wevion-hub >/dev/null
unset WEVION_POLL_INTERVAL_MS
exec "$build/bench/soak/soak-core" --duration "$duration" --hub "$build/src/hub/wevion-hub" "$@"
