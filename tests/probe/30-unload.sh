#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Probes removed while they fire: vfs_read/vfs_write probes (entry, return
# side with latency by the core's hook (an fprobe where the kernel has
# them), return side by kretprobe, events into a listener) under a
# read/write loop;
# the probes file read, del while firing, then rmmod with the probes still
# registered and firing, three times. Clean means: no WARNING/BUG (the guest runner
# checks the log), the module gone, and the workload still running.
. "$(dirname "$0")/../lib.sh"
ktap_plan 6

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
dd if=/dev/zero of=/dev/null bs=1 count=100000000 2>/dev/null &
dd1=$!
"$KSCOPE" --json watch probe >/dev/null 2>&1 &
wp=$!
fails=0 hits=0
for i in 1 2 3; do
	ks_load kscope_probe || fails=$((fails + 1))
	"$KSCOPE" probe add vfs_read >/dev/null || fails=$((fails + 1))
	"$KSCOPE" probe add vfs_read --latency --events >/dev/null || fails=$((fails + 1))
	"$KSCOPE" probe add vfs_write --ret >/dev/null || fails=$((fails + 1))
	"$KSCOPE" probe add vfs_write --events >/dev/null || fails=$((fails + 1))
	"$KSCOPE" probe add vfs_write --latency --kretprobe >/dev/null || fails=$((fails + 1))
	# the probes file while they fire: its show takes the probe list's
	# lock under the seq_file's; an add (after this round's load, which
	# makes the resolver re-read /proc/kallsyms) must not hold that lock
	# while it resolves (lockdep on the debug kernel saw the cycle)
	cat "$KS_DEBUGFS/probe/probes" >/dev/null || fails=$((fails + 1))
	sleep 0.3
	"$KSCOPE" probe del 2 || fails=$((fails + 1))
	sleep 0.2
	h=$("$KSCOPE" --json probe list | jq -s 'map(.hits) | add')
	hits=$((hits + ${h:-0}))
	rmmod kscope_probe || fails=$((fails + 1))
done
ktap_eq "3 x (add 5, del 1 while firing, rmmod with 4 registered)" 0 "$fails" "failures"
ktap_check "probes fired ($hits hits)" "no hits" test "$hits" -gt 0
ktap_check "module gone" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_check "workload survived" "dd died" kill -0 $dd1
kill $dd1; wait $dd1 2>/dev/null
kill -INT $wp; wait $wp
ktap_check "no kprobe left on vfs_read/vfs_write" "$(grep -E 'vfs_(read|write)' /sys/kernel/debug/kprobes/list)" \
	bash -c "! grep -qE 'vfs_(read|write)' /sys/kernel/debug/kprobes/list"
# an fprobe is an ftrace_ops on the function: ftrace's own list
ef=/sys/kernel/tracing/enabled_functions
if [ -r $ef ]; then
	ktap_check "no ftrace hook left on vfs_read/vfs_write" "$(grep -E '^vfs_(read|write) ' $ef)" \
		bash -c "! grep -qE '^vfs_(read|write) ' $ef"
else
	ktap_skip "no ftrace hook left on vfs_read/vfs_write" "no $ef"
fi
ktap_done
