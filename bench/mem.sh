#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/mem.sh [--kernel 6.1|6.12|7.2]: the cost of kscope_mem on a
# page-allocation-heavy workload, in one guest boot: 256 MiB written to a
# tmpfs file and deleted (65536 order-0 allocations and frees a round),
# bare, under kscope_mem, and under the same kmem tracepoints enabled in
# ftrace (mm_page_alloc + mm_page_free into the trace ring buffer: the
# in-kernel tool on the same hook points; libbpf-tools has no page
# allocator tool). Every traced run follows a bare run; the table gives
# median ms and the median of the per-pair ratios over R pairs (default
# 5). The ms are the CPU time (user + system) of the writer and of rm
# (cpu_ms, bench/lib.sh): the allocations and frees run in those tasks,
# and under -icount a wall-clock time also counted the guest's idle
# waits (the clock warps over them), which a loaded host stretches: a
# run on a host at load 5 gave pairs from 1532 to 13857 ms. The ftrace
# peer counts only when its trace holds page events.
# A benchmark, not a test: numbers depend on the machine (TCG is slow).
set -euo pipefail
ver=6.1 reps=${KSCOPE_BENCH_R:-5}
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args "$@"
bench_in_guest "core mem" 3000 -- --kernel "$ver" --reps "$reps"

b=$out/$ver
MB=${KSCOPE_BENCH_MB:-256}
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T
insmod "$b/modules/core/kscope_core.ko"

run() {	# CPU ms to write MB MiB to tmpfs and delete it
	# shellcheck disable=SC2016	# expanded by the inner sh
	cpu_ms sh -c 'head -c "$1" /dev/zero >/tmp/bench.mem && rm -f /tmp/bench.mem' \
		sh "${MB}M"
}

tmp=$(mktemp -d)
start() {
	case $1 in
	kscope_mem) insmod "$b/modules/mem/kscope_mem.ko" ;;
	ftrace)
		echo >$T/trace
		echo 1 >$T/events/kmem/mm_page_alloc/enable
		echo 1 >$T/events/kmem/mm_page_free/enable
		echo 1 >$T/tracing_on ;;
	esac
}
# stop CONF: fails when the tracer saw nothing (the run does not count)
stop() {
	local n
	case $1 in
	kscope_mem)
		n=$(awk '$1 == "alloc_o0" { print $2 }' /sys/kernel/debug/kscope/mem/counters 2>/dev/null)
		rmmod kscope_mem
		[ "${n:-0}" -gt 0 ] ;;
	ftrace)
		echo 0 >$T/events/kmem/mm_page_alloc/enable
		echo 0 >$T/events/kmem/mm_page_free/enable
		n=$(grep -m1 -c 'mm_page_alloc:' $T/trace || true)
		echo >$T/trace
		[ "${n:-0}" -gt 0 ] ;;
	esac
}

confs=(kscope_mem ftrace)
run >/dev/null; run >/dev/null	# warm up
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]}"; do
		base=$(run)
		start "$c"
		t=$(run)
		stop "$c" || { echo "$c" >>"$tmp/unattached"; continue; }
		echo "$base" >>"$tmp/bare"
		echo "$t" >>"$tmp/$c"
		awk -v t="$t" -v b="$base" 'BEGIN { print t / b }' >>"$tmp/$c.ratio"
		echo $((t - base)) >>"$tmp/$c.extra"
	done
done
echo "# kernel $(uname -r): page allocations, ${MB} MiB into tmpfs and back, $reps pairs per tracer"
printf '%-28s %10s %8s  %s\n' tracer median_ms ratio pairs_ms
printf '%-28s %10s %8s\n' none "$(median "$tmp/bare")" 1.00
for c in "${confs[@]}"; do
	name=$c; [ $c = ftrace ] && name="ftrace kmem page events"
	[ -s "$tmp/$c" ] || { printf '%-28s %s\n' "$name" "saw nothing"; continue; }
	printf '%-28s %10s %8s  %s\n' "$name" "$(median "$tmp/$c")" \
		"$(awk -v r="$(median "$tmp/$c.ratio")" 'BEGIN { printf "%.2f", r }')" "$(tr '\n' ' ' <"$tmp/$c")"
done
# the headline: each tracer's extra ms over its paired bare run, medians
if [ -s "$tmp/kscope_mem.extra" ] && [ -s "$tmp/ftrace.extra" ]; then
	awk -v k="$(median "$tmp/kscope_mem.extra")" -v p="$(median "$tmp/ftrace.extra")" 'BEGIN {
		r = (p > 0) ? sprintf("%.2f", k / p) : "n/a (ftrace extra <= 0)"
		printf "# median extra ms: kscope_mem %s, ftrace kmem page events %s: ratio %s\n", k, p, r }'
fi
[ -s "$tmp/unattached" ] && echo "# runs left out, tracer saw nothing: $(sort "$tmp/unattached" | uniq -c | tr -s ' \n' ' ')"
echo "# guest load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$tmp"
rmmod kscope_core
