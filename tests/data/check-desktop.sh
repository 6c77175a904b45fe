#!/bin/sh
# usage: check-desktop.sh DESKTOP-FILE-VALIDATE MERGED.desktop
# The merged desktop entry validates and carries the keys the app relies on
# (D-Bus activation, notifications, the icon and command names).
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
validate=$1
file=$2
fail=0

echo "1..3"
# Errors fail the validator; warnings are failures here too. Hints are shown, not fatal.
if out=$("$validate" "$file" 2>&1) && ! printf '%s\n' "$out" | grep -qE ': (error|warning): '; then
  echo "ok 1 desktop-file-validate $file"
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/# /'
else
  echo "not ok 1 desktop-file-validate $file"
  printf '%s\n' "$out" | diag
  fail=1
fi

missing=
for line in 'Name=Wevion Jobs' 'Exec=wevion-jobs' 'Icon=com.wevion.Jobs' 'Terminal=false' \
            'Type=Application' 'StartupNotify=true' 'DBusActivatable=true' \
            'X-GNOME-UsesNotifications=true'; do
  grep -qxF "$line" "$file" || missing="$missing
$line"
done
for key in GenericName Comment Keywords Categories; do
  grep -q "^$key=." "$file" || missing="$missing
$key="
done
if [ -z "$missing" ]; then
  echo "ok 2 required keys present"
else
  echo "not ok 2 required keys missing:"
  printf '%s\n' "$missing" | sed '/^$/d; s/^/  /' | diag
  fail=1
fi

# The translations were merged in: every translatable key has a German variant.
nomerge=
for key in Name GenericName Comment Keywords; do
  grep -q "^$key\[de\]=." "$file" || nomerge="$nomerge $key"
done
if [ -z "$nomerge" ]; then
  echo "ok 3 German translations merged"
else
  echo "not ok 3 no German translation merged for:$nomerge"
  fail=1
fi
exit $fail
