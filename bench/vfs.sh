#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/vfs.sh [--kernel 6.1|6.12|7.2]: the cost of kscope_vfs, in one
# guest boot.
#  1. A small-I/O loop (dd bs=1: N reads + N writes) bare, under
#     kscope_vfs and under libbpf-tools' vfsstat (same hook points: it uses
#     fentry where BTF allows, kscope kretprobes), interleaved, R rounds,
#     medians; ratios against bare.
#  2. An open storm (a loop of open+close), with kscope slow events at a
#     1 us threshold (every open) filtered to the storm's pid and
#     `kscope watch` listening, against libbpf-tools' opensnoop filtered
#     to the same pid: events delivered per second and each side's losses.
# A benchmark, not a test: numbers depend on the machine (TCG is slow).
set -euo pipefail
ver=6.1
[[ ${1:-} == --kernel ]] && ver=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core vfs" 1500 -- --kernel "$ver"

K=userspace/kscope
b=$out/$ver
N=${KSCOPE_BENCH_N:-100000} R=${KSCOPE_BENCH_R:-3} OPENS=${KSCOPE_BENCH_OPENS:-20000}
insmod "$b/modules/core/kscope_core.ko"

run_dd() {	# seconds for N 1-byte read+write pairs
	local t0 t1
	t0=$(date +%s%N)
	dd if=/dev/zero of=/tmp/bench.dd bs=1 count="$N" 2>/dev/null
	t1=$(date +%s%N)
	echo $(( (t1 - t0) / 1000000 ))
}

declare -a bare kscope vfsstat
for ((r = 0; r < R; r++)); do
	bare+=("$(run_dd)")
	insmod "$b/modules/vfs/kscope_vfs.ko"
	kscope+=("$(run_dd)")
	rmmod kscope_vfs
	stdbuf -oL /usr/sbin/vfsstat 1 >/tmp/bench.vs 2>&1 &
	vs=$!
	for i in $(seq 600); do [ -s /tmp/bench.vs ] && break; sleep 0.1; done
	vfsstat+=("$(run_dd)")
	kill -TERM $vs; wait $vs 2>/dev/null || true
done
mb=$(printf '%s\n' "${bare[@]}" | median)
mk=$(printf '%s\n' "${kscope[@]}" | median)
mv=$(printf '%s\n' "${vfsstat[@]}" | median)
echo "# small-I/O loop: $N x (1-byte read + write), $R rounds, median ms"
printf '%-22s %10s %8s  %s\n' tracer median_ms ratio rounds_ms
printf '%-22s %10s %8s  %s\n' none "$mb" 1.00 "${bare[*]}"
printf '%-22s %10s %8s  %s\n' kscope_vfs "$mk" "$(awk -v a="$mk" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')" "${kscope[*]}"
printf '%-22s %10s %8s  %s\n' "vfsstat (libbpf)" "$mv" "$(awk -v a="$mv" -v b="$mb" 'BEGIN { printf "%.2f", a / b }')" "${vfsstat[*]}"

# open storm
storm() {
	/usr/bin/python3 -c '
import os, signal, sys
os.kill(os.getpid(), signal.SIGSTOP)
for _ in range(int(sys.argv[1])):
    os.close(os.open("/tmp/bench.open", os.O_RDONLY | os.O_CREAT, 0o644))
' "$OPENS" &
	sp=$!
	while read -r _ _ s _ </proc/$sp/stat && [ "$s" != T ]; do sleep 0.05; done
}
echo
echo "# open storm: $OPENS open+close by one process"
printf '%-22s %10s %10s %12s %10s\n' reader delivered lost events/s storm_ms
insmod "$b/modules/vfs/kscope_vfs.ko"
storm
$K vfs filter --pid $sp
$K vfs slow --threshold-us 1
$K watch --json --interval 0 vfs >/tmp/bench.ev 2>/dev/null &
w=$!
sleep 1
t0=$(date +%s%N); kill -CONT $sp; wait $sp; t1=$(date +%s%N)
sleep 1
kill -INT $w; wait $w || true
line=$(grep '"final":true' /tmp/bench.ev || echo '{}')
recv=$(grep -c '"op":"open"' /tmp/bench.ev || true)
lost=$(sed -nE 's/.*"kernel":([0-9]+).*/\1/p' <<<"$line")
ms=$(( (t1 - t0) / 1000000 ))
printf '%-22s %10s %10s %12s %10s\n' "kscope watch" "$recv" "${lost:-?}" "$(( recv * 1000 / (ms ? ms : 1) ))" "$ms"
rmmod kscope_vfs

storm
stdbuf -oL /usr/sbin/opensnoop -p $sp >/tmp/bench.os 2>/tmp/bench.oserr &
os=$!
for i in $(seq 600); do [ -s /tmp/bench.os ] && break; sleep 0.1; done
t0=$(date +%s%N); kill -CONT $sp; wait $sp; t1=$(date +%s%N)
sleep 1
kill -INT $os; wait $os || true
recv=$(grep -c 'bench.open' /tmp/bench.os || true)
lost=$(grep -oiE 'lost [0-9]+' /tmp/bench.oserr | awk '{ s += $2 } END { print s + 0 }')
ms=$(( (t1 - t0) / 1000000 ))
printf '%-22s %10s %10s %12s %10s\n' "opensnoop (libbpf)" "$recv" "$lost" "$(( recv * 1000 / (ms ? ms : 1) ))" "$ms"
