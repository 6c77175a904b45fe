#!/usr/bin/env bash
# Installs every Debian/Ubuntu package that Wevion Jobs needs to build, run, test and benchmark.
# The one package list of the project: build-aux/demo.sh and build-aux/test.sh both call this.
# Only missing packages are installed; a machine that has them all is left untouched.
#
# usage: build-aux/install-deps.sh [--bench | --fuzz]
set -euo pipefail

packages=(
  # toolchain
  gcc meson ninja-build pkg-config gettext
  # libraries (pkg-config names in meson.build)
  libglib2.0-dev libglib2.0-bin libgtk-4-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev
  libnotify-dev libsqlite3-dev libsecret-1-dev libcairo2-dev
  # wevion-hub's video results: VP8 in WebM through GStreamer (appsrc, videoconvert, vp8enc, webmmux)
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-plugins-base
  # playing videos (WebM) and speech in the details pane: GTK's GStreamer media backend
  libgtk-4-media-gstreamer gstreamer1.0-plugins-good
  # what a GTK window needs to draw: fonts, icons, SVG loader
  fonts-cantarell fonts-dejavu-core fonts-noto-color-emoji adwaita-icon-theme hicolor-icon-theme
  librsvg2-common
  # validators used by the test suite
  desktop-file-utils appstream clang-format
  # running UI and notification tests: X server, session bus, notification daemon mock
  xvfb xauth dbus dbus-bin python3 python3-dbusmock python3-gi
  # screenshots and HTTP checks
  imagemagick curl
)
if [ "${1:-}" = "--bench" ]; then
  packages+=(wrk nginx-light sqlite3)
fi
if [ "${1:-}" = "--fuzz" ]; then
  # build-aux/fuzz.sh: clang with the libFuzzer, ASan and UBSan runtimes
  packages+=(clang clang-14 libclang-rt-14-dev)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  SUDO=sudo
fi

echo "install-deps: installing ${#missing[@]} package(s): ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh machine may have no package lists yet; refresh them once.
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ] || \
   ! $SUDO apt-get install -y --no-install-recommends "${missing[@]}"; then
  $SUDO apt-get update -q
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
fi
