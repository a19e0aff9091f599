#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/mem.sh [--kernel 6.1|6.12|7.2]: the cost of kscope_mem on a
# page-allocation-heavy workload, in one guest boot: 256 MiB written to a
# tmpfs file and deleted (65536 order-0 allocations and frees a round),
# bare, under kscope_mem, and under the same kmem tracepoints enabled in
# ftrace (mm_page_alloc + mm_page_free into the trace ring buffer: the
# in-kernel tool on the same hook points; libbpf-tools has no page
# allocator tool). Interleaved, R rounds, medians, ratios against bare.
# A benchmark, not a test: numbers depend on the machine (TCG is slow).
set -euo pipefail
ver=6.1
[[ ${1:-} == --kernel ]] && ver=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core mem" 1500 -- --kernel "$ver"

b=$out/$ver
MB=${KSCOPE_BENCH_MB:-256} R=${KSCOPE_BENCH_R:-3}
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T
insmod "$b/modules/core/kscope_core.ko"

run() {	# ms to write MB MiB to tmpfs and delete it
	local t0 t1
	t0=$(date +%s%N)
	head -c "${MB}M" /dev/zero >/tmp/bench.mem
	rm -f /tmp/bench.mem
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

declare -a bare ks ft
for ((r = 0; r < R; r++)); do
	bare+=("$(run)")
	insmod "$b/modules/mem/kscope_mem.ko"
	ks+=("$(run)")
	rmmod kscope_mem
	echo 1 >$T/events/kmem/mm_page_alloc/enable
	echo 1 >$T/events/kmem/mm_page_free/enable
	echo 1 >$T/tracing_on
	ft+=("$(run)")
	echo 0 >$T/events/kmem/mm_page_alloc/enable
	echo 0 >$T/events/kmem/mm_page_free/enable
	echo >$T/trace
done
mb=$(printf '%s\n' "${bare[@]}" | median)
mk=$(printf '%s\n' "${ks[@]}" | median)
mf=$(printf '%s\n' "${ft[@]}" | median)
echo "# page allocations: ${MB} MiB into tmpfs and back, $R rounds, median ms"
printf '%-28s %10s %8s  %s\n' tracer median_ms ratio rounds_ms
printf '%-28s %10s %8s  %s\n' none "$mb" 1.00 "${bare[*]}"
printf '%-28s %10s %8s  %s\n' kscope_mem "$mk" "$(awk -v a="$mk" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')" "${ks[*]}"
printf '%-28s %10s %8s  %s\n' "ftrace kmem page events" "$mf" "$(awk -v a="$mf" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')" "${ft[*]}"
