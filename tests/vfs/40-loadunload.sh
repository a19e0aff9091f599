#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload kscope_vfs while two processes hammer the VFS (small
# reads and writes, opens, creates and unlinks on tmpfs) with top
# collection and slow events on: every cycle must count the load (the
# reads counter moves) and unload cleanly. The guest run fails on any
# WARNING/BUG/Oops in the log, whether or not a check here noticed.
. "$(dirname "$0")/../lib.sh"

CYCLES=3
ktap_plan $CYCLES
D=$(mktemp -d /tmp/kst_vfs_lu.XXXXXX)

/usr/bin/python3 - "$D" <<'PY' &
import os, sys
d = sys.argv[1]
while True:
    p = os.path.join(d, "f")
    fd = os.open(p, os.O_CREAT | os.O_RDWR, 0o644)
    for _ in range(50):
        os.pwrite(fd, b"x" * 64, 0)
        os.pread(fd, 64, 0)
    os.close(fd)
    os.unlink(p)
PY
l1=$!
dd if=/dev/zero of="$D/dd" bs=1 count=100000000 2>/dev/null &
l2=$!
"$KSCOPE" --json watch vfs >/dev/null 2>&1 &
wp=$!

for ((c = 1; c <= CYCLES; c++)); do
	if ! ks_load kscope_vfs; then
		ktap_fail "cycle $c: load" "$(dmesg | tail -3)"
		continue
	fi
	"$KSCOPE" vfs slow --threshold-us 1 && "$KSCOPE" vfs collect on
	r0=$(ks_counter vfs reads)
	sleep 1
	r1=$(ks_counter vfs reads)
	if [ "$r1" -gt "$r0" ] && ks_unload kscope_vfs; then
		ktap_ok "cycle $c: counted under load (+$((r1 - r0)) reads), unloaded"
	else
		ktap_fail "cycle $c" "reads $r0 -> $r1, loaded: $(ks_loaded kscope_vfs && echo yes)"
		ks_unload kscope_vfs
	fi
done
kill $l1 $l2 2>/dev/null
kill -INT $wp 2>/dev/null
wait 2>/dev/null
rm -rf "$D"
ktap_done
