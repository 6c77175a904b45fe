#!/bin/sh
# usage: check-translation.sh XGETTEXT MSGMERGE MSGATTRIB MSGFMT
# Extracts the messages of every file in po/POTFILES.in the way the wevion-jobs-pot target does
# (meson's glib preset keywords; ITS rules for .ui, .metainfo.xml and .gschema.xml; the desktop
# entry by xgettext's Desktop parser), merges each language of po/LINGUAS with it and fails when a
# message is untranslated or fuzzy, printing each one. To fix: translate them in po/LANG.po
# (`ninja -C _build wevion-jobs-update-po` brings the .po files up to date first).
set -u
# Diagnostics: TAP comments on stdout, and on stderr so that meson test --print-errorlogs shows them.
diag() { tee /dev/stderr | sed 's/^/# /'; }
xgettext=$1
msgmerge=$2
msgattrib=$3
msgfmt=$4
cd "${WEVION_SOURCE_ROOT:?}" || exit 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The same keywords and flags as meson's i18n.gettext(preset: 'glib').
if ! "$xgettext" --package-name=wevion-jobs --from-code=UTF-8 --add-comments \
    --keyword=_ --keyword=N_ --keyword=C_:1c,2 --keyword=NC_:1c,2 \
    --keyword=g_dcgettext:2 --keyword=g_dngettext:2,3 --keyword=g_dpgettext2:2c,3 \
    --keyword=ngettext:1,2 \
    --flag=N_:1:pass-c-format --flag=C_:2:pass-c-format --flag=NC_:2:pass-c-format \
    --flag=g_dngettext:2:pass-c-format --flag=g_strdup_printf:1:c-format \
    --flag=g_string_printf:2:c-format --flag=g_string_append_printf:2:c-format \
    --flag=g_error_new:3:c-format --flag=g_set_error:4:c-format \
    --flag=g_markup_printf_escaped:1:c-format --flag=g_log:3:c-format \
    --flag=g_print:1:c-format --flag=g_printerr:1:c-format --flag=g_printf:1:c-format \
    --flag=g_fprintf:2:c-format --flag=g_sprintf:2:c-format --flag=g_snprintf:3:c-format \
    --files-from=po/POTFILES.in --output="$tmp/wevion-jobs.pot" 2>"$tmp/xgettext.log"; then
  echo "1..1"
  echo "not ok 1 xgettext failed on the files of po/POTFILES.in"
  diag < "$tmp/xgettext.log"
  exit 1
fi
total=$(grep -c '^msgid ' "$tmp/wevion-jobs.pot")
total=$((total - 1))

languages=$(sed -e 's/#.*//' po/LINGUAS | tr -s ' \t' '\n\n' | sed '/^$/d')
n=0
echo "1..$(( $(printf '%s\n' $languages | wc -l) * 2 ))"
for lang in $languages; do
  po=po/$lang.po
  n=$((n + 1))
  if ! "$msgmerge" --quiet --no-wrap --previous "$po" "$tmp/wevion-jobs.pot" -o "$tmp/$lang.po" 2>"$tmp/msgmerge.log"; then
    echo "not ok $n $po: msgmerge failed"
    diag < "$tmp/msgmerge.log"
    fail=1
    n=$((n + 1))
    echo "not ok $n $po: not checked"
    continue
  fi
  # Entries that need work, without the header (the only entry whose msgid is "" when unwrapped).
  rm -f "$tmp/untranslated.po" "$tmp/fuzzy.po"
  "$msgattrib" --no-wrap --no-obsolete --untranslated "$tmp/$lang.po" -o "$tmp/untranslated.po"
  "$msgattrib" --no-wrap --no-obsolete --only-fuzzy "$tmp/$lang.po" -o "$tmp/fuzzy.po"
  count() {
    c=$(grep -c '^msgid "..*"$' "$1" 2>/dev/null)
    echo "${c:-0}"
  }
  untranslated=$(count "$tmp/untranslated.po")
  fuzzy=$(count "$tmp/fuzzy.po")
  if [ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ]; then
    echo "ok $n $po translates all $total messages"
  else
    echo "not ok $n $po: $untranslated untranslated and $fuzzy fuzzy of $total messages"
    for kind in untranslated fuzzy; do
      [ -s "$tmp/$kind.po" ] || continue
      echo "$kind messages (translate them in $po):" | diag
      awk 'BEGIN { RS = "" }
        /(^|\n)msgid ""\nmsgstr/ { next }
        { n = split($0, l, "\n")
          for (i = 1; i <= n; i++) printf "  %s\n", l[i]
          print "" }' "$tmp/$kind.po" | diag
    done
    fail=1
  fi
  n=$((n + 1))
  if "$msgfmt" --check --output-file=/dev/null "$tmp/$lang.po" 2>"$tmp/msgfmt.log"; then
    echo "ok $n $po passes msgfmt --check"
  else
    echo "not ok $n $po fails msgfmt --check:"
    diag < "$tmp/msgfmt.log"
    fail=1
  fi
done
exit $fail
