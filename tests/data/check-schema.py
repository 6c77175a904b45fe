#!/usr/bin/python3
# usage: check-schema.py GLIB-COMPILE-SCHEMAS GSETTINGS
# The GSettings schema compiles with --strict, holds exactly the keys the app is written against
# (names, types, defaults, the poll-interval range), and the schema compiled into the build
# directory (GSETTINGS_SCHEMA_DIR) serves those defaults, so the app runs from _build.
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

SCHEMA_ID = 'com.wevion.Jobs'
EXPECTED = {
    # name: (type, default as written in the XML, default as gsettings prints it)
    'server-url': ('s', '""', "''"),
    'poll-interval': ('i', '5', '5'),
    'download-folder': ('s', '""', "''"),
    'per-job-folder': ('b', 'false', 'false'),
    'auto-download': ('b', 'false', 'false'),
    'notify-completed': ('b', 'true', 'true'),
    'notify-failed': ('b', 'true', 'true'),
    'notify-when-focused': ('b', 'false', 'false'),
    'run-in-background': ('b', 'false', 'false'),
    'campaign-url-template': ('s', '"{server}/campaigns/new?creative_job_id={id}&result_url={url}"',
                              "'{server}/campaigns/new?creative_job_id={id}&result_url={url}'"),
    'window-width': ('i', '1100', '1100'),
    'window-height': ('i', '720', '720'),
    'window-maximized': ('b', 'false', 'false'),
    'last-view': ('s', '"all"', "'all'"),
}

compile_schemas, gsettings = sys.argv[1], sys.argv[2]
src = os.environ['WEVION_SOURCE_ROOT']
schema_dir = os.environ.get('GSETTINGS_SCHEMA_DIR') or os.path.join(os.environ['WEVION_BUILD_ROOT'], 'data')
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


print('1..5')
r = subprocess.run([compile_schemas, '--strict', '--dry-run', os.path.join(src, 'data')],
                   capture_output=True, text=True)
check(r.returncode == 0, 'glib-compile-schemas --strict --dry-run data/', (r.stdout + r.stderr).splitlines())

root = ET.parse(os.path.join(src, 'data', SCHEMA_ID + '.gschema.xml')).getroot()
schema = root.find("schema[@id='%s']" % SCHEMA_ID)
check(schema is not None and schema.get('path') == '/com/wevion/Jobs/' and
      root.get('gettext-domain') == 'wevion-jobs',
      'schema %s at /com/wevion/Jobs/ in gettext domain wevion-jobs' % SCHEMA_ID)

problems = []
keys = {k.get('name'): k for k in schema.findall('key')} if schema is not None else {}
for name in sorted(set(keys) - set(EXPECTED)):
    problems.append('unexpected key %s' % name)
for name, (typ, default, _) in EXPECTED.items():
    k = keys.get(name)
    if k is None:
        problems.append('missing key %s' % name)
        continue
    if k.get('type') != typ:
        problems.append('%s: type %s, expected %s' % (name, k.get('type'), typ))
    if (k.findtext('default') or '').strip() != default:
        problems.append('%s: default %s, expected %s' % (name, k.findtext('default'), default))
    if not (k.findtext('summary') or '').strip() or not (k.findtext('description') or '').strip():
        problems.append('%s: needs a summary and a description' % name)
rng = keys['poll-interval'].find('range') if 'poll-interval' in keys else None
if rng is None or rng.get('min') != '5' or rng.get('max') != '10':
    problems.append('poll-interval: needs <range min="5" max="10"/>')
elif 'no speedup' not in keys['poll-interval'].findtext('description') or \
        'unresponsive' not in keys['poll-interval'].findtext('description'):
    problems.append('poll-interval: the description must give the reason for the range')
check(not problems, 'exactly the expected keys, types and defaults', problems)

env = dict(os.environ, GSETTINGS_SCHEMA_DIR=schema_dir, GSETTINGS_BACKEND='memory')
problems = []
for name, (_, _, printed) in EXPECTED.items():
    r = subprocess.run([gsettings, 'get', SCHEMA_ID, name], capture_output=True, text=True, env=env)
    if r.returncode != 0 or r.stdout.strip() != printed:
        problems.append('%s: gsettings says %r %s, expected %s' % (name, r.stdout.strip(), r.stderr.strip(), printed))
check(not problems, 'compiled schema in %s serves the defaults' % schema_dir, problems)

r = subprocess.run([gsettings, 'range', SCHEMA_ID, 'poll-interval'], capture_output=True, text=True, env=env)
check(r.stdout.split() == ['range', 'i', '5', '10'], 'compiled poll-interval range is 5..10',
      (r.stdout + r.stderr).splitlines())
sys.exit(1 if failed else 0)
