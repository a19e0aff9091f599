#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The event channel defends itself against its sources and its probes:
# - an emit re-entered on its CPU through a probe on what kscope_emit()
#   calls (netlink_has_listeners, and ktime_get_mono_fast_ns: this used to
#   deadlock the CPU) is counted lost_recursion (lost_nmi while the clock's
#   kprobe is still an int3), the guest goes on and every outer event is
#   delivered;
# - an event of an unknown type, or of the wrong size, is counted
#   lost_invalid, never recorded;
# - a source whose payload struct has padding its schema does not describe
#   is refused at registration with EINVAL and one log line.
# Oracle: the number of events the test asked for, the kprobes the kernel
# lists in debugfs, the registration's errno and the kernel log.
. "$(dirname "$0")/../lib.sh"
NL=$KS_TOP/tests/core/tools/nlcheck
ktap_plan 13
ks_load kscope_testgen

# attributes from include/uapi/linux/kscope.h
CTL=5 A_SOURCE=4 A_CTL_TG=23
TG_COUNT=2 TG_CPUMASK=3 TG_WAIT=5 TG_TYPE=6 TG_SIZE=7 TG_RECURSE=8 TG_PADDED=9
N=2000

tg() { "$NL" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG "$@" end 2>&1; }
ctr() { ks_counter testgen "$1"; }

# 1. recursion through probes on what the channel calls. A first run arms
# the kprobes; the clock's becomes a jump (not an int3, not NMI-like)
# once the kprobe optimiser has run: that is the one that deadlocked.
# Where it is never optimized (7.2 puts it at +0x4, an int3) the wait
# runs its 15 s: read with builtins, not 300 greps.
tg u32:$TG_COUNT:1 flag:$TG_WAIT flag:$TG_RECURSE >/dev/null
opt=0
for ((i = 0; i < 150; i++)); do
	armed=0
	mapfile -t kpl </sys/kernel/debug/kprobes/list
	for l in "${kpl[@]}"; do
		[[ $l == *" ktime_get_mono_fast_ns+0x"* ]] || continue
		armed=1
		[[ $l == *OPTIMIZED* ]] && opt=1
	done
	{ [ $opt = 1 ] || [ $armed = 0 ]; } && break
	ks_sleep 0.1
done
watch_start rec testgen
r0=$(ctr lost_recursion); n0=$(ctr lost_nmi); rec0=$(ctr events_recorded)
got=$(timeout 300 "$NL" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:$N \
	u64:$TG_CPUMASK:1 flag:$TG_WAIT flag:$TG_RECURSE end 2>&1)
ktap_eq "a recursing run completes (no deadlock)" ok "$got" "answer"
watch_stop
kps=$(grep -cE ' (netlink_has_listeners|ktime_get_mono_fast_ns)\+0x' \
	/sys/kernel/debug/kprobes/list)
diag "kprobes armed: $(grep -E 'netlink_has_listeners|ktime_get_mono_fast_ns' /sys/kernel/debug/kprobes/list | tr '\n' ';')"
dr=$(( $(ctr lost_recursion) - r0 )); dn=$(( $(ctr lost_nmi) - n0 ))
diag "lost_recursion +$dr, lost_nmi +$dn for $N events and $kps kprobes"
ktap_check "netlink_has_listeners kprobe armed" "kprobes list" \
	grep -q ' netlink_has_listeners+0x' /sys/kernel/debug/kprobes/list
ktap_eq "each nested emit counted lost (recursion + nmi)" $((N * kps)) $((dr + dn)) "nested"
ktap_check "the traceable probe's nested emits are lost_recursion" "only $dr" \
	test "$dr" -ge "$N"
if [ "$opt" -eq 1 ]; then
	ktap_eq "optimized clock kprobe under the emit: lost_recursion" $((2 * N)) "$dr" "lost_recursion"
else
	ktap_skip "optimized clock kprobe under the emit: lost_recursion" \
		"the kprobe on ktime_get_mono_fast_ns is missing or not optimized here"
fi
ktap_eq "every outer event recorded" $N $(( $(ctr events_recorded) - rec0 )) "recorded"
outer=$(grep -c '"tag":"testgen"' "$KS_TMP/rec.ev")
ktap_eq "every outer event received" $N "$outer" "events"
ktap_eq "no nested event received" 0 "$(grep -c '"tag":"nested"' "$KS_TMP/rec.ev")" "events"

# 2. unknown type, wrong size: counted, never recorded
watch_start inv testgen
i0=$(ctr lost_invalid); rec0=$(ctr events_recorded)
got=$(tg u32:$TG_COUNT:100 flag:$TG_WAIT u16:$TG_TYPE:5)
ktap_eq "unknown type: lost_invalid" "ok 100" "$got $(( $(ctr lost_invalid) - i0 ))" "answer, lost"
got=$(tg u32:$TG_COUNT:100 flag:$TG_WAIT u16:$TG_SIZE:16)
ktap_eq "wrong size: lost_invalid" "ok 200" "$got $(( $(ctr lost_invalid) - i0 ))" "answer, lost"
watch_stop
ktap_eq "nothing invalid recorded" "$rec0 0" \
	"$(ctr events_recorded) $(grep -c '"event"' "$KS_TMP/inv.ev")" "recorded, received"

# 3. padding the schema does not describe: registration refused
before=$(dmesg | wc -l)
got=$(tg flag:$TG_PADDED)
ktap_eq "padded source: EINVAL" "errno=EINVAL" "${got%% *}" "answer"
line=$(dmesg | tail -n +$((before + 1)) | grep 'testgen_padded')
if [ "$(wc -l <<<"$line")" -eq 1 ] && [[ $line == *"event padded: payload struct is 24 bytes, its fields describe 20"* ]] &&
   [ ! -e "$KS_DEBUGFS/testgen_padded" ]; then
	ktap_ok "padded source: one log line, nothing registered"
else
	ktap_fail "padded source: one log line, nothing registered" "$line"
fi
ks_unload kscope_testgen
ktap_done
