#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/probe.sh [--kernel 6.1|6.12|7.2] [--reps N] [--n CALLS]: the cost
# per hit of a kscope_probe probe on a function, next to an ftrace kprobe
# event and bpftrace (kprobe, a count map) on the same function: the entry
# of sched_get_priority_max(2), called N times by bench/sched-load.c
# (nothing else calls it). In one guest boot, under: no tracer; kscope
# entry probe; kscope probe with --latency (the core's hook: an fprobe
# where the kernel has them, else a kretprobe; a histogram); the same
# with --kretprobe; ftrace kprobe event (enabled, into the ring buffer);
# bpftrace counting (kprobe, a count map); bpftrace timing
# (kprobe/kretprobe into a hist(), the latency peer). Each traced run
# follows an untraced one; the table shows median seconds, the median of
# per-pair ratios and the cost per hit, (traced - untraced) / N. TCG is
# slow and noisy: read ratios, not absolute times.
set -euo pipefail
ver=6.1 reps=5 n=100000
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) ver=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--n) n=$2; shift 2 ;;
	*) echo "usage: bench/probe.sh [--kernel V] [--reps N] [--n CALLS]" >&2; exit 2 ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core probe" 3000 sched-load -- --kernel "$ver" --reps "$reps" --n "$n"

K=userspace/kscope
L=.cache/bench/sched-load
FN=__x64_sys_sched_get_priority_max
T=/sys/kernel/tracing
b=$out/$ver
insmod "$b/modules/core/kscope_core.ko"
insmod "$b/modules/probe/kscope_probe.ko"
tmp=$(mktemp -d)
confs=(none kscope kscope-latency kscope-latency-kretprobe ftrace-kprobe bpftrace bpftrace-latency)
command -v bpftrace >/dev/null ||
	confs=(none kscope kscope-latency kscope-latency-kretprobe ftrace-kprobe)
declare -A mech=()

start() {
	tracer=""
	case $1 in
	kscope) $K probe add $FN >/dev/null ;;
	kscope-latency) $K probe add $FN --latency >/dev/null ;;
	kscope-latency-kretprobe) $K probe add $FN --latency --kretprobe >/dev/null ;;
	ftrace-kprobe)
		echo "p:kscope_bench $FN" >>$T/kprobe_events
		echo 1 >$T/events/kprobes/kscope_bench/enable ;;
	bpftrace)
		peer_start "$tmp/bt.out" '^Attaching 1 probe' bpftrace -e "kprobe:$FN { @n = count(); }" ||
			return 1
		tracer=$peer
		sleep 1 ;;
	bpftrace-latency)
		peer_start "$tmp/bt.out" '^Attaching 2 probes' bpftrace -e "
			kprobe:$FN { @s[tid] = nsecs; }
			kretprobe:$FN /@s[tid]/ { @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }" ||
			return 1
		tracer=$peer
		sleep 1 ;;
	esac
	[[ $1 == kscope-* ]] && mech[$1]=$($K --json probe list | jq -r .mech)
	return 0
}
stop() {
	[ -n "$tracer" ] && { kill -INT "$tracer"; wait "$tracer" || true; }
	case $1 in
	kscope*) $K probe del $FN ;;
	ftrace-kprobe)
		echo 0 >$T/events/kprobes/kscope_bench/enable
		echo >$T/trace
		echo "-:kscope_bench" >>$T/kprobe_events ;;
	esac
}

$L syscall "$n" >/dev/null; $L syscall "$n" >/dev/null	# warm up
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]:1}"; do
		base=$($L syscall "$n")
		start "$c" || { echo "$c" >>"$tmp/unattached"; continue; }
		t=$($L syscall "$n")
		stop "$c"
		echo "$base" >>"$tmp/none"
		echo "$t" >>"$tmp/$c"
		awk -v t="$t" -v b="$base" 'BEGIN { print t / b }' >>"$tmp/$c.ratio"
		awk -v t="$t" -v b="$base" -v n="$n" 'BEGIN { print (t - b) * 1e9 / n }' >>"$tmp/$c.ns"
	done
done


echo "# kernel $(uname -r), $n calls of $FN per run, $reps pairs per cell"
echo "# median seconds, median per-pair ratio to no tracer, median ns per hit"
for c in "${!mech[@]}"; do echo "# $c: by ${mech[$c]}"; done
printf '%-26s %10s %8s %10s\n' tracer seconds ratio ns/hit
printf '%-26s %10s %8s %10s\n' none "$(median "$tmp/none")" 1.00 0
for c in "${confs[@]:1}"; do
	[ -s "$tmp/$c" ] || { printf '%-26s %s\n' "$c" "not attached"; continue; }
	printf '%-26s %10s %8s %10s\n' "$c" "$(median "$tmp/$c")" \
		"$(awk -v r="$(median "$tmp/$c.ratio")" 'BEGIN { printf "%.2f", r }')" \
		"$(awk -v r="$(median "$tmp/$c.ns")" 'BEGIN { printf "%.0f", r }')"
done
k=$(median "$tmp/kscope.ns") f=$(median "$tmp/ftrace-kprobe.ns")
echo "# cost per hit, kscope / ftrace kprobe event: $(awk -v k="$k" -v f="$f" 'BEGIN { printf "%.2f", (f > 0 ? k / f : 0) }')"
if [ -f "$tmp/bpftrace.ns" ]; then
	t=$(median "$tmp/bpftrace.ns")
	echo "# cost per hit, kscope / bpftrace: $(awk -v k="$k" -v t="$t" 'BEGIN { printf "%.2f", (t > 0 ? k / t : 0) }')"
fi
if [ -f "$tmp/bpftrace-latency.ns" ]; then
	t=$(median "$tmp/bpftrace-latency.ns")
	for c in kscope-latency kscope-latency-kretprobe; do
		[ -f "$tmp/$c.ns" ] || continue
		echo "# cost per hit, $c / bpftrace-latency: $(awk -v k="$(median "$tmp/$c.ns")" -v t="$t" 'BEGIN { printf "%.2f", (t > 0 ? k / t : 0) }')"
	done
fi
[ -s "$tmp/unattached" ] && echo "# runs left out, tracer did not attach: $(sort "$tmp/unattached" | uniq -c | tr -s ' \n' ' ')"
echo "# TCG guest: read ratios only"
rm -rf "$tmp"
rmmod kscope_probe kscope_core
