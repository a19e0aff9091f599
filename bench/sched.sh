#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/sched.sh [--kernel 6.1|6.12|7.2] [--reps N] [--n ROUNDS]: what
# kscope_sched costs a context-switch-heavy workload (bench/sched-load.c
# pingpong: two processes bounce a byte over pipes, 2 switches per round),
# next to libbpf-tools' runqlat on the same tracepoints. In one guest
# boot, under: no tracer; kscope_sched (no filter: every process gets a
# portrait); kscope_sched with a reader subscribed; runqlat. Every traced
# run follows an untraced one; the table shows median seconds and the
# median of per-pair ratios (N pairs, default 5). TCG is slow and noisy:
# read ratios, not absolute times.
set -euo pipefail
ver=6.1 reps=5 n=20000
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) ver=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	--n) n=$2; shift 2 ;;
	*) echo "usage: bench/sched.sh [--kernel V] [--reps N] [--n ROUNDS]" >&2; exit 2 ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core sched" 3000 sched-load -- --kernel "$ver" --reps "$reps" --n "$n"

K=userspace/kscope
L=.cache/bench/sched-load
b=$out/$ver
insmod "$b/modules/core/kscope_core.ko"
tmp=$(mktemp -d)
confs=(none kscope kscope+reader runqlat)

start() {
	tracer=""
	case $1 in
	kscope) insmod "$b/modules/sched/kscope_sched.ko" ;;
	kscope+reader)
		insmod "$b/modules/sched/kscope_sched.ko"
		$K watch sched >/dev/null 2>&1 &
		tracer=$!
		sleep 1 ;;
	runqlat)
		peer_start "$tmp/rq.out" '^Tracing run queue latency' /usr/sbin/runqlat || return 1
		tracer=$peer ;;
	esac
}
stop() {
	[ -n "$tracer" ] && { kill -INT "$tracer"; wait "$tracer" || true; }
	case $1 in kscope*) rmmod kscope_sched ;; esac
}

$L pingpong "$n" >/dev/null; $L pingpong "$n" >/dev/null	# warm up
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]:1}"; do
		base=$($L pingpong "$n")
		start "$c" || { echo "$c" >>"$tmp/unattached"; continue; }
		echo "$base" >>"$tmp/none"
		t=$($L pingpong "$n")
		stop "$c"
		echo "$t" >>"$tmp/$c"
		awk -v t="$t" -v b="$base" 'BEGIN { print t / b }' >>"$tmp/$c.ratio"
	done
done


echo "# kernel $(uname -r), pingpong $n rounds ($((2 * n)) switches), $reps pairs per cell"
echo "# median seconds, median of per-pair ratios to no tracer"
printf '%-16s %10s %8s\n' tracer seconds ratio
printf '%-16s %10s %8s\n' none "$(median "$tmp/none")" 1.00
for c in "${confs[@]:1}"; do
	[ -s "$tmp/$c" ] || { printf '%-16s %s\n' "$c" "not attached"; continue; }
	printf '%-16s %10s %8s\n' "$c" "$(median "$tmp/$c")" \
		"$(awk -v r="$(median "$tmp/$c.ratio")" 'BEGIN { printf "%.2f", r }')"
done
k=$(median "$tmp/kscope.ratio") q=$(median "$tmp/runqlat.ratio")
echo "# kscope_sched / runqlat overhead ratio: $(awk -v k="$k" -v q="$q" 'BEGIN { printf "%.2f", (q > 1) ? (k - 1) / (q - 1) : 0 }') (extra time of kscope over extra time of runqlat)"
[ -s "$tmp/unattached" ] && echo "# runs left out, tracer did not attach: $(sort "$tmp/unattached" | uniq -c | tr -s ' \n' ' ')"
echo "# TCG guest: read ratios only"
rm -rf "$tmp"
rmmod kscope_core
