#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The allocation slow path, forced: vm.watermark_scale_factor goes to 100
# (low watermark = min + 1% of the zone), a tmpfs file (fallocate: the
# kernel allocates, nothing to fault in, nothing kswapd can reclaim without
# swap) takes most of the free memory at once, and a workload faults in
# anonymous memory until its zone is half way from the low watermark down
# to min: from the crossing on, every allocation fails the fast path's watermark
# check and enters the slow path, which still succeeds above min.
#
# Oracle: the slow path itself is notrace (ftrace and BPF refuse it), but
# on entry it calls wake_all_kswapds() for every allocation that may wake
# kswapd (GFP_HIGHUSER_MOVABLE faults, GFP_KERNEL, GFP_NOWAIT: nearly
# all), and again only on a retry, which needs free pages below min. An
# ftrace kprobe event there must count what kscope counts, within 2% + 10
# (entries without __GFP_KSWAPD_RECLAIM, e.g. THP). 7.2 inlines
# wake_all_kswapds: there only the lower bound of the workload's own
# crossing is checked (below). Every counted call must be in the latency
# histogram. The memory is taken by the kernel, not faulted in by the
# workload: faulting gigabytes in under TCG while memory runs low brought
# soft lockups (CPUs 20-50 s in clear_page_erms) in earlier versions.
. "$(dirname "$0")/../lib.sh"

ktap_plan 5
T=/sys/kernel/tracing WSF=/proc/sys/vm/watermark_scale_factor
PCPF=/proc/sys/vm/percpu_pagelist_high_fraction
HOGFS=$KS_TMP/hogfs HOG=$KS_TMP/hogfs/hog
WORK="/usr/bin/python3 $KS_TOP/tests/mem/memwork.py"
old_wsf=$(cat $WSF) old_pcpf=$(cat $PCPF)

cleanup() {
	[ -n "${wp:-}" ] && kill -9 "$wp" 2>/dev/null
	rm -f "$HOG"
	umount "$HOGFS" 2>/dev/null
	echo "$old_wsf" >$WSF
	echo "$old_pcpf" >$PCPF
	if [ $oracle = 1 ]; then
		echo 0 >"$T/events/kprobes/ksmem_wake/enable"
		echo '-:ksmem_wake' >>"$T/kprobe_events"
	fi
	ks_unload kscope_mem
}

# free min low pcp pcp_high of the zone with the most managed pages (pcp:
# pages on its per-CPU lists, taken from the zone but not yet allocated;
# pcp_high: the sum of the lists' limits)
zone_state() {
	awk '/^Node/ { z++ } $1 == "pages" && $2 == "free" { f[z] = $3 }
	     $1 == "count:" { p[z] += $2 } $1 == "high:" { h[z] += $2 }
	     NF == 2 && $1 == "min" { mn[z] = $2 } NF == 2 && $1 == "low" { lo[z] = $2 }
	     NF == 2 && $1 == "managed" { m[z] = $2 }
	     END { for (i in m) if (m[i] > best) { best = m[i]; b = i }; print f[b], mn[b], lo[b], p[b] + 0, h[b] + 0 }' /proc/zoneinfo
}

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"
# samples in the histogram: its rows are "lo -> hi : count |...|"
hist_samples() { awk '/ -> / { s += $5 } END { print s + 0 }' "$KS_DEBUGFS/mem/slowpath_hist"; }
read -r sym attached _ <"$KS_DEBUGFS/mem/kprobes"
if [ "$attached" != 1 ]; then
	# the debug 6.12 inlines it: the module loads without the hook
	why="no kretprobe on $sym here: $(cat "$KS_DEBUGFS/mem/attach")"
	ktap_skip "kscope counted at least the workload's allocations below low" "$why"
	ktap_skip "kscope's slow path count = wake_all_kswapds calls (ftrace)" "$why"
	ktap_eq "nothing counted on the slow path without its probe" "0 0" \
		"$(ks_counter mem slowpath) $(hist_samples)"
	ks_unload kscope_mem
	ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_mem"
	ktap_done
fi
oracle=0
if grep -qx wake_all_kswapds "$T/available_filter_functions" &&
   echo 'p:ksmem_wake wake_all_kswapds' >>"$T/kprobe_events" &&
   echo 1 >"$T/events/kprobes/ksmem_wake/enable"; then
	oracle=1
fi
ftrace_hits() { awk '$1 == "ksmem_wake" { print $2 }' "$T/kprobe_profile"; }
# ftrace hits (or 0), kscope's count, its kretprobe's misses, histogram samples
snap() {
	echo "$([ $oracle = 1 ] && ftrace_hits || echo 0) $(ks_counter mem slowpath)" \
		"$(awk '{ print $3 }' "$KS_DEBUGFS/mem/kprobes")" \
		"$(hist_samples)"
}

echo 100 >$WSF
# short per-CPU lists (a few pages; 7.2 grows them to thousands under this
# load), so that few pages leave the zone without an allocation
echo 100000 >$PCPF
# half way from low down to min
read -r _ min low _ <<<"$(zone_state)"
BELOW=$(( (low - min) / 2 ))
$WORK low $BELOW >"$KS_TMP/low.json" 2>"$KS_TMP/low.err" &
wp=$!
ks_wait_stopped $wp || { ktap_fail "workload ready" "$(cat "$KS_TMP/low.err")"; cleanup; ktap_done; }
read -r free min low _ <<<"$(zone_state)"
t0=$SECONDS
# a tmpfs of its own: the guest's /tmp is limited to half of the memory
mkdir -p "$HOGFS" && mount -t tmpfs -o size=100% kst_hog "$HOGFS"
fallocate -l $(( (free - low - 2048) / 256 ))M "$HOG"
diag "zone free $free min $min low $low: tmpfs file of $(( $(stat -c %s "$HOG") >> 20 )) MiB in $((SECONDS - t0)) s"
read -r f0 k0 m0 h0 <<<"$(snap)"
kill -CONT $wp
ks_wait_stopped $wp 300 || { ktap_fail "workload crossed the low watermark" "$(cat "$KS_TMP/low.err")"; cleanup; ktap_done; }
read -r _ _ _ pcp _ <<<"$(zone_state)"
diag "workload below low after $((SECONDS - t0)) s"
kill -CONT $wp
ks_wait_stopped $wp 120
rm -f "$HOG"
echo "$old_wsf" >$WSF
echo "$old_pcpf" >$PCPF
sleep 1
read -r f1 k1 m1 h1 <<<"$(snap)"
kill -CONT $wp; wait $wp; wp=

diag "workload: $(cat "$KS_TMP/low.json")"
read -r wfree wlow <<<"$(jq -r '"\(.free) \(.low)"' "$KS_TMP/low.json")"
df=$((f1 - f0)) dk=$((k1 - k0 + m1 - m0)) dh=$((h1 - h0))
diag "slow path: kscope $((k1 - k0)) + $((m1 - m0)) missed, histogram $dh; wake_all_kswapds (ftrace): $df"
# below low, every allocation takes the slow path; of the BELOW pages the
# zone lost, only those still on per-CPU lists were not handed out
if [ $((BELOW - pcp)) -gt 0 ]; then
	ktap_check "the workload crossed the low watermark; kscope counted at least its $BELOW pages below it less the $pcp still on per-CPU lists" \
		"free ${wfree:-?} low ${wlow:-?} kscope $dk" \
		test "${wfree:-0}" -le "$(( ${wlow:-0} - BELOW ))" -a "$dk" -ge $((BELOW - pcp))
else
	ktap_skip "kscope counted at least the workload's allocations below low" \
		"the per-CPU lists held $pcp pages, more than the $BELOW the workload went below low: no bound"
fi
if [ $oracle = 1 ]; then
	tol=$((df / 50 + 10))
	ktap_check "kscope's slow path count + misses = wake_all_kswapds calls (ftrace), within $tol" \
		"kscope $dk ftrace $df" test "$(( dk > df ? dk - df : df - dk ))" -le $tol
else
	ktap_skip "kscope's slow path count = wake_all_kswapds calls (ftrace)" \
		"wake_all_kswapds is inlined on this kernel: no ftrace oracle for the slow path"
fi
ktap_eq "every counted call is in the latency histogram" "$((k1 - k0))" "$dh"
diag "$(cat "$KS_DEBUGFS/mem/slowpath_hist")"

cleanup
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_mem"
ktap_done
