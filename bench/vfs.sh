#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/vfs.sh [--kernel 6.1|6.12|7.2] [--reps N]: the cost of kscope_vfs,
# in one guest boot.
#  1. A small-I/O loop (dd bs=1: N reads from /dev/zero + N writes to
#     tmpfs) under: kscope_vfs (its default mechanism: fprobes where the
#     kernel has them; per-filesystem counts and latency histograms);
#     kscope_vfs mech=direct (ftrace direct calls into the core's
#     trampoline, where the kernel and CPU allow them); kscope_vfs by
#     kretprobes (on a kernel with fprobes, for comparison);
#     libbpf-tools' vfsstat (fentry counters, no timing); bpftrace
#     kfunc/kretfunc (fentry/fexit) timing vfs_read and vfs_write into a
#     hist(), the latency-measuring peer. The time of a run is dd's CPU
#     time (cpu_ms, bench/lib.sh): every handler runs in dd's calls, and
#     the rest of the guest stays out. Every traced run follows a bare
#     run; per pair, the ratio traced/bare and the extra time traced -
#     bare. The table gives medians over N pairs (default 5), and the
#     median per round of kscope's extra time over each peer's: the
#     overhead ratio (<= 1.0: kscope costs no more than the peer). Each
#     timed run follows an untimed tenth-size run in the same state, so
#     that TCG's retranslation of code ftrace just patched (or unpatched)
#     is not counted in either run.
#  2. An open storm (a loop of open+close of a FIFO by one process), with kscope
#     slow events at a 1 us threshold filtered to the storm's pid and
#     `kscope watch` listening, against libbpf-tools' opensnoop filtered
#     to the same pid. kscope's line accounts for every open: opens the
#     source counted, events it produced (slow_events: opens at or above
#     the threshold, the rest filtered), events the reader received and
#     events lost (the reader's final loss line); produced must equal
#     delivered + lost. A FIFO, because its open allocates the pipe:
#     under -icount (KSCOPE_GUEST_ICOUNT=0) an open of a tmpfs file takes
#     less than 1 us of guest time (1000 instructions), and in a trial on
#     6.12 only 160 of 2077 passed the threshold, where every FIFO open
#     did.
# Each peer must print its first line (its header or "Attaching") before
# its run counts: a tool's error message never counts as a run.
# A benchmark, not a test: numbers depend on the machine (TCG is slow).
set -euo pipefail
ver=6.1 reps=5
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args "$@"
bench_in_guest "core vfs" 3000 -- --kernel "$ver" --reps "$reps"

K=userspace/kscope
b=$out/$ver
N=${KSCOPE_BENCH_N:-100000} OPENS=${KSCOPE_BENCH_OPENS:-20000}
tmp=$(mktemp -d)
insmod "$b/modules/core/kscope_core.ko"
have_fprobe=0	# CONFIG_FPROBE: its registration is in the kernel
grep -q ' register_fprobe_syms$' /proc/kallsyms && have_fprobe=1

run_dd() {	# dd's CPU ms for N 1-byte read+write pairs, after a tenth as many
	dd if=/dev/zero of=/tmp/bench.dd bs=1 count=$((N / 10)) 2>/dev/null
	cpu_ms dd if=/dev/zero of=/tmp/bench.dd bs=1 count="$N"
}

tracer=""
# start CONF: the tracer is attached when this returns 0
start() {
	tracer=""
	case $1 in
	kscope_vfs) insmod "$b/modules/vfs/kscope_vfs.ko" ;;
	kscope_vfs-kretprobe) insmod "$b/modules/vfs/kscope_vfs.ko" mech=kretprobe ;;
	kscope_vfs-direct)
		insmod "$b/modules/vfs/kscope_vfs.ko" mech=direct || return 1
		# mech=direct falls back where it cannot: count only direct runs
		grep -q '^directs vfs_read vfs_write ' /sys/kernel/debug/kscope/vfs/attach || {
			echo "mech=direct: $(cat /sys/kernel/debug/kscope/vfs/attach)" >"$tmp/peer"
			rmmod kscope_vfs
			return 1
		} ;;
	vfsstat)
		peer_start "$tmp/peer" 'READ' /usr/sbin/vfsstat 1 || return 1
		tracer=$peer ;;
	bpftrace-hist)
		peer_start "$tmp/peer" '^Attaching 4 probes' bpftrace -e '
			kfunc:vfs_read,kfunc:vfs_write { @start[tid] = nsecs; }
			kretfunc:vfs_read,kretfunc:vfs_write /@start[tid]/ {
				@us = hist((nsecs - @start[tid]) / 1000);
				delete(@start[tid]); }' || return 1
		tracer=$peer
		# printed just before the programs attach: give them a moment
		sleep 2 ;;
	esac
}
stop() {
	if [ -n "$tracer" ]; then
		peer_stop "$tracer"
	fi
	case $1 in kscope_vfs*) rmmod kscope_vfs ;; esac
}

kconfs=(kscope_vfs kscope_vfs-direct)
[ $have_fprobe = 1 ] && kconfs+=(kscope_vfs-kretprobe)
confs=("${kconfs[@]}" vfsstat bpftrace-hist)
declare -A bad=() attach=()
run_dd >/dev/null; run_dd >/dev/null	# warm up
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]}"; do
		base=$(run_dd)
		if ! start "$c"; then
			bad[$c]="did not attach: $(head -2 "$tmp/peer" 2>/dev/null | tr '\n' ' ')"
			echo "NA" >"$tmp/$c.extra.$r"
			continue
		fi
		[[ $c == kscope_vfs* ]] && attach[$c]=$(cat /sys/kernel/debug/kscope/vfs/attach)
		t=$(run_dd)
		stop "$c"
		echo "$base" >>"$tmp/bare"
		echo "$t" >>"$tmp/$c"
		awk -v t="$t" -v b="$base" 'BEGIN { print t / b }' >>"$tmp/$c.ratio"
		echo $((t - base)) >"$tmp/$c.extra.$r"
	done
	# per round: kscope's extra time over each peer's
	for k in kscope_vfs kscope_vfs-direct; do
		for p in vfsstat bpftrace-hist; do
			awk -v k="$(cat "$tmp/$k.extra.$r")" -v p="$(cat "$tmp/$p.extra.$r")" \
				'BEGIN { if (k != "NA" && p != "NA" && p > 0) print k / p }' \
				>>"$tmp/over.$k.$p"
		done
	done
done

echo "# kernel $(uname -r): small-I/O loop, $N x (1-byte read + write), $reps pairs per tracer; ms are dd's CPU time (user + system)"
for c in "${kconfs[@]}"; do
	[ -n "${attach[$c]:-}" ] && echo "# $c attach: ${attach[$c]}"
done
printf '%-22s %10s %10s  %s\n' tracer median_ms ratio pairs_ms
printf '%-22s %10s\n' none "$(median "$tmp/bare")"
for c in "${confs[@]}"; do
	if [ ! -s "$tmp/$c" ]; then
		printf '%-22s %s\n' "$c" "${bad[$c]:-no run}"
		continue
	fi
	printf '%-22s %10s %9.2fx  %s\n' "$c" "$(median "$tmp/$c")" \
		"$(median "$tmp/$c.ratio")" "$(tr '\n' ' ' <"$tmp/$c")"
done
for k in kscope_vfs kscope_vfs-direct; do
	for p in vfsstat bpftrace-hist; do
		o=$tmp/over.$k.$p
		if [ -s "$o" ]; then
			printf '# overhead ratio %s / %s (extra ms over the paired bare run, median of %d rounds): %.2f  [%s]\n' \
				"$k" "$p" "$(wc -l <"$o")" "$(median "$o")" \
				"$(awk '{ printf "%s%.2f", s, $1; s = " " }' "$o")"
		else
			echo "# overhead ratio $k / $p: no rounds (${bad[$k]:-} ${bad[$p]:-})"
		fi
		# the same from the medians of the extra times: steadier where
		# a round's peer extra is near 0 (a ratio of noise)
		if [ -s "$tmp/$k" ] && [ -s "$tmp/$p" ]; then
			ke=$(cat "$tmp/$k".extra.* | grep -v NA | median)
			pe=$(cat "$tmp/$p".extra.* | grep -v NA | median)
			awk -v k="$ke" -v p="$pe" -v kn="$k" -v pn="$p" 'BEGIN {
				r = (p > 0) ? sprintf("%.2f", k / p) : "n/a (peer extra <= 0)"
				printf "# median extra ms: %s %s, %s %s: ratio %s\n", kn, k, pn, p, r }'
		fi
	done
done

# open storm
storm() {
	rm -f /tmp/bench.open
	mkfifo /tmp/bench.open
	/usr/bin/python3 -c '
import os, signal, sys
os.kill(os.getpid(), signal.SIGSTOP)
for _ in range(int(sys.argv[1])):
    os.close(os.open("/tmp/bench.open", os.O_RDONLY | os.O_NONBLOCK))
' "$OPENS" &
	sp=$!
	while read -r _ _ s _ </proc/$sp/stat && [ "$s" != T ]; do sleep 0.05; done
}
ctr() { awk -v n="$1" '$1 == n { print $2 }' /sys/kernel/debug/kscope/vfs/counters; }
echo
echo "# open storm: $OPENS open+close of a FIFO by one process; kscope: slow events at >= 1 us, pid filter"
insmod "$b/modules/vfs/kscope_vfs.ko"
storm
$K vfs filter --pid $sp
$K vfs slow --threshold-us 1
$K watch --json --interval 0 vfs >"$tmp/ev" 2>/dev/null &
w=$!
sleep 1
o0=$(ctr opens) s0=$(ctr slow_events) r0=$(ctr events_recorded)
t0=$(date +%s%N); kill -CONT $sp; wait $sp; t1=$(date +%s%N)
sleep 1
kill -INT $w; wait $w || true
o1=$(ctr opens) s1=$(ctr slow_events) r1=$(ctr events_recorded)
rmmod kscope_vfs
line=$(grep '"final":true' "$tmp/ev" || echo '{}')
recv=$(grep -c '"op":"open"' "$tmp/ev" || true)
lost=$(sed -nE 's/.*"kernel":([0-9]+).*/\1/p' <<<"$line")
ms=$(( (t1 - t0) / 1000000 ))
opens=$((o1 - o0)) produced=$((s1 - s0)) recorded=$((r1 - r0))
printf '%-20s %8s %9s %9s %10s %7s %10s %9s\n' reader opens produced recorded delivered lost events/s storm_ms
printf '%-20s %8s %9s %9s %10s %7s %10s %9s\n' "kscope watch" "$opens" "$produced" "$recorded" \
	"$recv" "${lost:-?}" "$(( recv * 1000 / (ms ? ms : 1) ))" "$ms"
if [ "$produced" -eq $((recv + ${lost:-0})) ] && [ -n "$lost" ]; then
	echo "# kscope: produced $produced = delivered $recv + lost $lost"
else
	echo "# kscope: ACCOUNTING MISMATCH: produced $produced != delivered $recv + lost ${lost:-?}"
fi
[ "$opens" -gt "$produced" ] &&
	echo "# kscope: $((opens - produced)) of $opens opens took less than the 1 us threshold: filtered, not produced"

storm
if peer_start "$tmp/os" '^PID' /usr/sbin/opensnoop -p $sp; then
	os=$peer
	t0=$(date +%s%N); kill -CONT $sp; wait $sp; t1=$(date +%s%N)
	sleep 1
	kill -INT $os; wait $os || true
	recv=$(grep -c 'bench.open' "$tmp/os" || true)
	lost=$({ grep -oiE 'lost [0-9]+' "$tmp/os" || true; } | awk '{ s += $2 } END { print s + 0 }')
	ms=$(( (t1 - t0) / 1000000 ))
	printf '%-20s %8s %9s %9s %10s %7s %10s %9s\n' "opensnoop (libbpf)" - - - "$recv" "$lost" \
		"$(( recv * 1000 / (ms ? ms : 1) ))" "$ms"
	[ $((recv + lost)) -lt "$OPENS" ] &&
		echo "# opensnoop: $((OPENS - recv - lost)) opens neither delivered nor counted lost"
else
	echo "# opensnoop did not attach: $(head -2 "$tmp/os" | tr '\n' ' ')"
	kill -CONT $sp; wait $sp
fi
echo "# guest load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$tmp"
# a direct hook's call still in flight (a read blocked when it was
# detached) keeps the core in use until it returns
for ((i = 0; i < 100; i++)); do
	rmmod kscope_core 2>/dev/null && break
	sleep 0.1
done
