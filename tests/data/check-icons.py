#!/usr/bin/python3
# The app icon (128×128, full colour) and its symbolic variant (16×16, one colour, filled paths)
# parse as SVG with the right canvas.
import os
import re
import sys
import xml.etree.ElementTree as ET

SVG = '{http://www.w3.org/2000/svg}'
src = os.environ['WEVION_SOURCE_ROOT']
icons = os.path.join(src, 'data', 'icons', 'hicolor')
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


def load(path):
    try:
        return ET.parse(path).getroot(), None
    except (OSError, ET.ParseError) as e:
        return None, str(e)


print('1..4')
path = os.path.join(icons, 'scalable', 'apps', 'com.wevion.Jobs.svg')
root, err = load(path)
check(root is not None and root.tag == SVG + 'svg', 'app icon parses as SVG', [err] if err else [])
check(root is not None and root.get('viewBox') == '0 0 128 128' and
      root.get('width') == '128' and root.get('height') == '128',
      'app icon has a 128×128 canvas')

path = os.path.join(icons, 'symbolic', 'apps', 'com.wevion.Jobs-symbolic.svg')
root, err = load(path)
check(root is not None and root.tag == SVG + 'svg' and root.get('viewBox') == '0 0 16 16' and
      root.get('width') == '16' and root.get('height') == '16',
      'symbolic icon parses as SVG with a 16×16 canvas', [err] if err else [])
problems = []
if root is not None:
    colours = set()
    shapes = 0
    for el in root.iter():
        for attr in ('fill', 'stroke', 'stop-color', 'color'):
            v = el.get(attr)
            if v and v != 'none':
                colours.add(v.lower())
        if el.get('stroke') not in (None, 'none') or 'stroke' in (el.get('style') or ''):
            problems.append('<%s> uses a stroke; symbolic icons use filled paths' % el.tag.replace(SVG, ''))
        if el.tag in (SVG + 'path', SVG + 'rect', SVG + 'circle', SVG + 'ellipse', SVG + 'polygon'):
            shapes += 1
        if el.tag in (SVG + 'image', SVG + 'text', SVG + 'linearGradient', SVG + 'radialGradient'):
            problems.append('<%s> has no place in a symbolic icon' % el.tag.replace(SVG, ''))
    if colours != {'#2e3436'}:
        problems.append('colours used: %s, expected only #2e3436' % sorted(colours))
    if shapes == 0:
        problems.append('no shapes')
check(root is not None and not problems, 'symbolic icon: single colour #2e3436, filled shapes only', problems)
sys.exit(1 if failed else 0)
