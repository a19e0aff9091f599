#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload kscope_mem while a process allocates and frees pages
# (anonymous memory and pipe resizes: order 0 and order 5) with high-order
# events on and a listener: every cycle must count the load and unload
# cleanly; the guest run fails on any WARNING/BUG/Oops in the log.
. "$(dirname "$0")/../lib.sh"

CYCLES=4
ktap_plan $CYCLES

/usr/bin/python3 - <<'PY' &
import fcntl, mmap, os
r, w = os.pipe()
while True:
    m = mmap.mmap(-1, 4 << 20)
    for off in range(0, 4 << 20, 4096):
        m[off] = 1
    m.close()
    fcntl.fcntl(w, 1031, 8 << 20)
    fcntl.fcntl(w, 1031, 4096)
PY
lp=$!
"$KSCOPE" --json watch mem >/dev/null 2>&1 &
wp=$!

for ((c = 1; c <= CYCLES; c++)); do
	if ! ks_load kscope_mem high_order=3; then
		ktap_fail "cycle $c: load" "$(dmesg | tail -3)"
		continue
	fi
	a0=$(ks_counter mem alloc_o0)
	cat "$KS_DEBUGFS/mem/freelists" "$KS_DEBUGFS/mem/fragindex" >/dev/null
	sleep 1
	a1=$(ks_counter mem alloc_o0)
	if [ "$a1" -gt "$a0" ] && ks_unload kscope_mem; then
		ktap_ok "cycle $c: counted under load (+$((a1 - a0)) order-0), unloaded"
	else
		ktap_fail "cycle $c" "alloc_o0 $a0 -> $a1"
		ks_unload kscope_mem
	fi
done
kill $lp 2>/dev/null
kill -INT $wp 2>/dev/null
wait 2>/dev/null
ktap_done
