#!/usr/bin/python3
# The Flatpak manifest parses, names the app and its command, and asks for exactly the sandbox
# holes the app needs (no secrets bus name: libsecret goes through the portal).
import json
import os
import sys

src = os.environ['WEVION_SOURCE_ROOT']
path = os.path.join(src, 'build-aux', 'flatpak', 'com.wevion.Jobs.json')
FINISH_ARGS = ['--share=network', '--share=ipc', '--socket=wayland', '--socket=fallback-x11', '--device=dri']
n = 0
failed = False


def check(ok, name, details=()):
    global n, failed
    n += 1
    print(('ok %d %s' if ok else 'not ok %d %s') % (n, name))
    for d in details:
        print('# ' + d)
        if not ok:
            print(d, file=sys.stderr)
    if not ok:
        failed = True


print('1..6')
try:
    with open(path, encoding='utf-8') as f:
        m = json.load(f)
    err = None
except (OSError, ValueError) as e:
    m, err = {}, str(e)
check(isinstance(m, dict) and err is None, 'manifest parses as JSON', [err] if err else [])
check(m.get('id') == 'com.wevion.Jobs' and 'app-id' not in m, 'id is com.wevion.Jobs, no app-id')
check(m.get('runtime') == 'org.gnome.Platform' and m.get('sdk') == 'org.gnome.Sdk' and
      isinstance(m.get('runtime-version'), str),
      'GNOME runtime and SDK', ['runtime %r %r, sdk %r' % (m.get('runtime'), m.get('runtime-version'), m.get('sdk'))])
check(m.get('command') == 'wevion-jobs', 'command is wevion-jobs')
check(sorted(m.get('finish-args', [])) == sorted(FINISH_ARGS) and
      len(m.get('finish-args', [])) == len(FINISH_ARGS),
      'finish-args are exactly %s' % ' '.join(FINISH_ARGS), ['got: %s' % ' '.join(m.get('finish-args', []))])
mods = m.get('modules', [])
last = mods[-1] if mods else {}
names = [x.get('name') if isinstance(x, dict) else x for x in mods]
check('libnotify' in names and last.get('buildsystem') == 'meson' and
      {'type': 'dir', 'path': '../..'} in last.get('sources', []),
      'modules: libnotify, then the app built with meson from the source tree', ['modules: %s' % names])
sys.exit(1 if failed else 0)
