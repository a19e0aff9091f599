#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Event probes that would re-enter the event channel are refused: on a
# function kscope_emit() calls under its ring lock (ktime_get_mono_fast_ns:
# such a probe froze a 6.12 guest at the next emit), on what the flush
# worker calls (__nla_reserve, netlink_broadcast, __alloc_skb: every flush
# would make events for ever), and on kscope's own code (kscope_emit and
# kscope_count_read in kscope_core). The refusal names the symbol and why, and the kernel's own
# list of kprobes shows none on them. A plain function (vfs_read) still
# takes an event probe, and a counting probe (no --events) on
# ktime_get_mono_fast_ns is allowed: it only counts. Then, with a reader
# subscribed, kscope_testgen's kthreads emit from task context (no kprobe
# around them, so kprobes' own recursion check would not save a bad
# probe) and the guest must stay responsive: the testgen run completes,
# its events and vfs_read's reach the reader, the counting probe on
# ktime_get_mono_fast_ns counts, and a shell command finishes in time.
. "$(dirname "$0")/../lib.sh"
ktap_plan 15

ks_unload kscope_probe
if ! ks_load kscope_probe || ! ks_load kscope_testgen; then
	ktap_fail "load kscope_probe, kscope_testgen" "$(dmesg | tail -5)"
	ktap_done
fi
KPL=/sys/kernel/debug/kprobes/list
# the 50 commands of the responsiveness check below, timed before any
# probe: a guest that froze never finishes them, and one that lives
# finishes them in a small multiple of this, however slow or busy its
# host (a TCG guest with a sixth of a core took 38 s, 2026-12-07)
fifty() { for i in $(seq 50); do head -c 4096 /dev/zero >/dev/null; done; }
t0=$(date +%s%N); fifty; base_ms=$((($(date +%s%N) - t0) / 1000000))

# refused NAME SYMBOL WORD [ARG...]: add --events [ARG...] fails, the
# message names SYMBOL and says WORD, and no kprobe sits on SYMBOL (the
# kernel's list)
refused() {
	local out
	if ! grep -qE "[[:space:]]$2([[:space:]]|$)" /proc/kallsyms; then
		ktap_skip "$1" "$2 is not a function of this kernel"
		return
	fi
	if out=$("$KSCOPE" probe add "$2" --events "${@:4}" 2>&1); then
		# remove it before anything emits: the next emit would deadlock
		"$KSCOPE" probe del "$2"
		ktap_fail "$1" "accepted: $out"
		return
	fi
	if ! grep -qF -- "$2" <<<"$out" || ! grep -qi -- "$3" <<<"$out"; then
		ktap_fail "$1" "message: $out"
	elif grep -qE "[[:space:]]$2(\+0x[0-9a-f]+)?[[:space:]]" $KPL; then
		ktap_fail "$1" "a kprobe is left on it: $(grep -w "$2" $KPL)"
	else
		ktap_ok "$1"
		diag "$out"
	fi
}
refused "--events on ktime_get_mono_fast_ns (emit's clock) refused" ktime_get_mono_fast_ns "event channel calls"
refused "--events on __nla_reserve (flush) refused" __nla_reserve "event channel calls"
refused "--events on netlink_broadcast (flush) refused" netlink_broadcast "event channel calls"
refused "--events on __alloc_skb (flush) refused" __alloc_skb "event channel calls"
refused "--events on kscope_count_read (kscope_core) refused" kscope_count_read "kscope's own code"
# the core may blacklist its emit path for kprobes altogether: either will do
refused "--events on kscope_emit (kscope_core) refused" kscope_emit "kscope's own code\|cannot be probed"
# the return side (the core's hook, which checks the address too)
refused "--ret --events on ktime_get_mono_fast_ns refused" ktime_get_mono_fast_ns "event channel calls" --ret
refused "--latency --events on kscope_count_read refused" kscope_count_read "kscope's own code" --latency

ktap_check "--events on vfs_read accepted" "$("$KSCOPE" probe add vfs_read --events 2>&1)" \
	bash -c "grep -qE '[[:space:]]vfs_read(\+0x[0-9a-f]+)?[[:space:]]' $KPL"
out=$("$KSCOPE" probe add ktime_get_mono_fast_ns 2>&1)
ktap_check "counting probe on ktime_get_mono_fast_ns accepted" "$out" \
	bash -c "grep -qE '[[:space:]]ktime_get_mono_fast_ns(\+0x[0-9a-f]+)?[[:space:]]' $KPL"

"$KSCOPE" --json watch >"$KS_TMP/ev" 2>"$KS_TMP/everr" &
wp=$!
sleep 1
N=1000	# per CPU, two CPUs
timeout 120 "$KSCOPE" testgen $N --cpus 0x3 --rate 1000 --wait >"$KS_TMP/tg" 2>&1
ktap_eq "testgen run with a reader completes" 0 $? "exit status"
for i in 1 2 3; do cat /etc/hostname >/dev/null; done
# within ten times the unprobed time, and at least 30 s (a KASAN guest
# on a busy TCG host: 120 s; 33-34 s measured)
bound=$((base_ms / 100))
min=$(ks_sized 30 120)
[ "$bound" -ge "$min" ] || bound=$min
t0=$(date +%s%N)
export -f fifty
timeout "$bound" bash -c fifty
ktap_eq "the guest still runs commands (50 within $bound s; $base_ms ms before the probes)" 0 $? "exit status"
diag "50 commands took $((($(date +%s%N) - t0) / 1000000)) ms"
sleep 1
kill -INT $wp; wait $wp
ticks=$(jq -c 'select(.source == "testgen" and .event == "tick")' "$KS_TMP/ev" | wc -l)
ktap_eq "the reader got testgen's 2 x $N events" $((2 * N)) "$ticks"
reads=$(jq -c 'select(.source == "probe" and .event == "hit" and .symbol == "vfs_read")' "$KS_TMP/ev" | wc -l)
ktap_check "the reader got vfs_read events ($reads)" "none: $(head -3 "$KS_TMP/everr")" test "$reads" -gt 0
hits=$("$KSCOPE" --json probe list | jq -r 'select(.resolved == "ktime_get_mono_fast_ns") | .hits')
ktap_check "the counting probe on ktime_get_mono_fast_ns counted ($hits)" "hits: '$hits'" test "${hits:-0}" -gt 0
ks_unload kscope_testgen
ks_unload kscope_probe
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_done
