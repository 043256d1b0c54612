#!/usr/bin/env python3
"""coverage.py -- line coverage per folder from a gcov-instrumented build.

    python3 tests/coverage.py [--files] [BUILD_DIR]   (default build/coverage)

Reads every .gcno under BUILD_DIR with gcov's JSON output (gcov ships with
gcc; nothing else is needed) and the .gcda counters the test programs left
beside them.  A source line counts once however many translation units
compile it (header inlines): covered if any of them ran it.  Prints, for
each sim/ sub-folder, sim/ in total and allocators/, the lines run out of
the lines gcov instruments.  Run it from the repository root, after the
suite (`scons coverage=1 coverage-report` does both).
"""
import collections
import json
import os
import subprocess
import sys


def gcov_lines(build):
    """{source path: {line: covered}} over every object of `build`."""
    notes = sorted(os.path.join(r, f) for r, _, fs in os.walk(build)
                   for f in fs if f.endswith('.gcno'))
    lines = collections.defaultdict(dict)
    if not notes:
        sys.exit('coverage: no .gcno files under %s (build with scons coverage=1)' % build)
    p = subprocess.run(['gcov', '--json-format', '--stdout'] + notes,
                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True)
    for doc in p.stdout.splitlines():
        if not doc.strip():
            continue
        for f in json.loads(doc)['files']:
            seen = lines[os.path.normpath(f['file'])]
            for l in f['lines']:
                seen[l['line_number']] = seen.get(l['line_number'], False) or l['count'] > 0
    return lines


def report(build, files=False):
    lines = gcov_lines(build)
    folders = collections.OrderedDict()
    for path in sorted(lines):
        if path.startswith('sim/'):
            keys = [os.path.dirname(path) + '/', 'sim/ (total)']
        elif path.startswith('allocators/'):
            keys = ['allocators/']
        else:
            continue
        for k in keys:
            run, total = folders.get(k, (0, 0))
            folders[k] = (run + sum(lines[path].values()), total + len(lines[path]))
    order = sorted(k for k in folders if k.startswith('sim/') and k != 'sim/ (total)')
    print('line coverage (%s)' % build)
    for k in order + ['sim/ (total)', 'allocators/']:
        run, total = folders.get(k, (0, 0))
        print('  %-14s %6d / %6d  %5.1f%%' % (k, run, total, 100.0 * run / total if total else 0))
    if files:
        mine = [p for p in lines if p.startswith(('sim/', 'allocators/')) and lines[p]]
        for p in sorted(mine, key=lambda p: sum(lines[p].values()) / len(lines[p])):
            print('  %-28s %5d / %5d  %5.1f%%' % (p, sum(lines[p].values()), len(lines[p]),
                                                100.0 * sum(lines[p].values()) / len(lines[p])))


if __name__ == '__main__':
    args = [a for a in sys.argv[1:] if a != '--files']
    report(args[0] if args else 'build/coverage', '--files' in sys.argv[1:])
