#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""kmemleak-check REPORT RANGES: print the kmemleak reports that belong to
a kscope module and exit 1 if there are any.

A report belongs to kscope when a backtrace frame names a kscope module
(the module is still loaded) or, for a module unloaded since, when a frame's
raw address lies in a range that a kscope module occupied during the run
(RANGES: lines `name size base`, sampled from /proc/modules by run-guest).
"""
import re
import sys


def main():
    report, ranges_file = sys.argv[1], sys.argv[2]
    ranges = set()
    try:
        with open(ranges_file) as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[2].startswith('0x'):
                    base = int(p[2], 16)
                    if base:
                        ranges.add((p[0], base, base + int(p[1])))
    except FileNotFoundError:
        pass
    with open(report, errors='replace') as f:
        text = f.read()
    blocks = re.split(r'(?m)^(?=unreferenced object)', text)
    bad = []
    for b in blocks:
        if not b.startswith('unreferenced object'):
            continue
        why = None
        for frame in re.finditer(r'\[<([0-9a-f]+)>\]\s+(\S+)', b):
            addr, sym = int(frame.group(1), 16), frame.group(2)
            if 'kscope' in b[frame.start():b.find('\n', frame.start())]:
                why = 'names a kscope module'
                break
            if sym.startswith('0x'):
                for name, lo, hi in ranges:
                    if lo <= addr < hi:
                        why = 'frame in the text %s occupied' % name
                        break
            if why:
                break
        if why:
            bad.append((why, b.strip()))
    total = sum(1 for b in blocks if b.startswith('unreferenced object'))
    print('kmemleak: %d reports, %d of them kscope\'s' % (total, len(bad)))
    for why, b in bad:
        print('--- (%s)' % why)
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
