#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_vfs by ftrace direct calls (mech=direct): the core's trampoline
# calls the hooked function itself, as a BPF fexit trampoline does.
#   - the attach line says "directs", and the kernel's own list of ftrace
#     hooks (enabled_functions) shows vfs_read calling into kscope_core;
#   - a read blocked on a FIFO until the test writes to it, after a wait
#     the test times itself, is counted once for its pid and lands in the
#     latency bucket of at least that wait: the exit side ran after the
#     call, not at its entry;
#   - the kernel's stack of a task blocked in that read unwinds through
#     the trampoline to vfs_read's caller (ksys_read);
#   - kscope_vfs unloads while such a read is in flight; kscope_core then
#     holds itself (its refcnt one higher, rmmod would say "in use") until
#     the read returns, and lets go within 2 s of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"

ktap_plan 6
FIFO=$KS_TMP/direct.fifo

cleanup() {
	[ -n "${rpid:-}" ] && kill -9 "$rpid" 2>/dev/null
	ks_unload kscope_vfs
	rm -f "$FIFO"
}

# reader: stops itself, then reads one byte from the FIFO (opened
# read-write, so that the read blocks until someone writes)
reader() {
	/usr/bin/python3 -c '
import os, signal, sys
fd = os.open(sys.argv[1], os.O_RDWR)
os.kill(os.getpid(), signal.SIGSTOP)
os.read(fd, 1)' "$FIFO" &
	rpid=$!
	ks_wait_stopped $rpid
}

# blocked PID: until PID's kernel stack is in pipe_read (10 s)
blocked() {
	local i
	for ((i = 0; i < 100; i++)); do
		grep -q pipe_read "/proc/$1/stack" 2>/dev/null && return 0
		ks_sleep 0.1
	done
	return 1
}

if ! ks_load kscope_vfs mech=direct; then
	if dmesg | tail -3 | grep -q 'mech=direct: not .* on this kernel'; then
		ks_skip_all "no ftrace direct calls on this kernel or CPU (IBT enforced)"
	fi
	ktap_fail "load kscope_vfs mech=direct" "$(dmesg | tail -5)"
	ktap_done
fi
attach=$(cat "$KS_DEBUGFS/vfs/attach")
ktap_check "attach line says directs for vfs_read and vfs_write" "$attach" \
	bash -c "[[ '$attach' == 'directs vfs_read vfs_write '* ]]"
ef=$(grep -A1 '^vfs_read ' /sys/kernel/tracing/enabled_functions 2>/dev/null)
ktap_check "ftrace's enabled_functions: vfs_read calls kscope_core directly" "$ef" \
	bash -c "grep -q 'direct-->kscope_direct_stub_[0-9]*+0x0/.* \[kscope_core\]' <<<'$ef'"

mkfifo "$FIFO"
reader || { ktap_fail "reader ready"; cleanup; ktap_done; }
"$KSCOPE" vfs filter --pid $rpid || { ktap_fail "pid filter"; cleanup; ktap_done; }
kill -CONT $rpid
blocked $rpid || { ktap_fail "reader blocked in pipe_read" "$(cat /proc/$rpid/stack)"; cleanup; ktap_done; }
t0=$EPOCHREALTIME
stack=$(cat /proc/$rpid/stack)
ktap_check "a blocked read's stack unwinds through the trampoline to ksys_read" "$stack" \
	bash -c "grep -A1 'kscope_direct_common' <<<'$stack' | grep -q '^\[<0>\] vfs_read+' &&
		 grep -q 'ksys_read' <<<'$stack'"
ks_sleep 1
t1=$EPOCHREALTIME
echo x >"$FIFO"
wait $rpid
rpid=
wait_us=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%d", (b - a) * 1e6 }')
"$KSCOPE" --json vfs show >"$KS_TMP/show.json"
fs=$(findmnt -n -o FSTYPE --target "$FIFO")
ktap_eq "the blocked read counted once for its pid ($fs read)" 1 "$(vfs_ops "$fs" read count)"
# its bucket in the histogram: "lo -> hi : count" under "<fs> read"
bucket=$(awk -v h="$fs read" '$0 == h { on = 1; next } /^[^ ]/ { on = 0 }
	on && $1 ~ /^[0-9]+$/ && $5 > 0 { print $1, $3, $5 }' "$KS_DEBUGFS/vfs/hist")
diag "waited ${wait_us} us before writing; bucket (lo hi count): $bucket"
ktap_check "its latency bucket reaches the wait (${wait_us} us)" "$bucket" \
	bash -c "read -r lo hi n <<<'$bucket' && [ \"\$n\" = 1 ] && [ \"\$hi\" -ge $wait_us ]"
"$KSCOPE" vfs filter --pid 0 >/dev/null 2>&1 || true

# unload with a read in flight: the core's refcnt is one higher while
# it is (kscope_vfs's own hold on the core is gone either way)
reader || { ktap_fail "second reader ready"; cleanup; ktap_done; }
kill -CONT $rpid
blocked $rpid || diag "second reader not seen in pipe_read"
ks_unload kscope_vfs || { ktap_fail "rmmod kscope_vfs with a read in flight"; cleanup; ktap_done; }
ks_sleep 0.3
held=$(cat /sys/module/kscope_core/refcnt)
echo x >"$FIFO"
wait $rpid
rpid=
for ((i = 0; i < 20; i++)); do
	after=$(cat /sys/module/kscope_core/refcnt)
	[ "$after" -lt "$held" ] && break
	ks_sleep 0.1
done
ktap_check "kscope_core held while the read was in flight, released after" \
	"refcnt with the read in flight $held, after it returned $after" \
	bash -c "[ $held = $((after + 1)) ]"
cleanup
ktap_done
