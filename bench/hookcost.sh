#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/hookcost.sh [--kernel 6.1|6.12|7.2] [--reps N] [--confs "C..."]:
# where the time of an entry/exit hook goes, per call, in one guest boot. The workload is
# dd's 1-byte loop (N reads from /dev/zero + N writes to tmpfs: 2N calls
# of vfs_read/vfs_write). Each traced run is paired with a bare run just
# before it; the table gives the median over the pairs of
#   (traced ms - bare ms) / 2N, in ns per call,
# where ms are dd's CPU time (cpu_ms, bench/lib.sh), for:
# - the core's hook (kscope_hookcost, tests/core) with an empty handler,
#   a counting one and a timing one (clock at entry and exit, a log2
#   histogram; by direct call also with local_clock() instead of
#   ktime_get_ns(): "ltime", and with the core's hook clock, the one
#   kscope's sources use: "kclock"), by kretprobe, by fprobe where the kernel
#   has it and by ftrace direct call into the core's trampoline where it
#   can;
# - kscope_vfs by each mechanism;
# - libbpf-tools' vfsstat (fentry counters);
# - bpftrace kfunc/kretfunc (fentry/fexit) with empty programs: the
#   eBPF trampolines' own cost for an entry and an exit;
# - bpftrace kfunc/kretfunc timing both functions into a hist();
# - libbpf-tools' funclatency on vfs_read alone (kprobe).
# Then a perf profile (cpu-clock, whole guest) of the loop under
# kscope_vfs, by each mechanism: the top symbols. A benchmark, not a
# test: under -icount (KSCOPE_GUEST_ICOUNT=0 KSCOPE_BENCH_SMP=1) a "ns"
# is a guest instruction; in real time TCG guests are slow and noisy,
# so read differences, not absolute times. --confs runs only the named
# configurations (the table's first column, e.g. "hook-direct-empty
# vfs-direct vfsstat"), without the profile: for a quick comparison.
set -euo pipefail
ver=6.1 reps=5 only=""
args=()
while [[ $# -gt 0 ]]; do
	case $1 in
	--confs) only=${2:-}; shift 2 ;;
	*) args+=("$1"); shift ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args "${args[@]}"
BENCH_TESTS=1 bench_in_guest "core vfs" 3000 -- --kernel "$ver" --reps "$reps" \
	${only:+--confs "$only"}

b=$out/$ver
N=${KSCOPE_BENCH_N:-50000}
tmp=$(mktemp -d)
insmod "$b/modules/core/kscope_core.ko"
T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T 2>/dev/null || true
have_fprobe=0	# CONFIG_FPROBE: its registration is in the kernel
grep -q ' register_fprobe_syms$' /proc/kallsyms && have_fprobe=1

run_dd() {	# dd's CPU ms for N 1-byte read+write pairs, after an untimed tenth
	dd if=/dev/zero of=/tmp/bench.dd bs=1 count=$((N / 10)) 2>/dev/null
	cpu_ms dd if=/dev/zero of=/tmp/bench.dd bs=1 count="$N"
}

# wait_first FILE: until FILE has a line (a peer's first output), 60 s
wait_first() {
	local i
	for i in $(seq 600); do [ -s "$1" ] && return 0; sleep 0.1; done
	return 1
}

tracer=""
# start CONF: attach; fails (and says why) when the tracer did not attach
start() {
	tracer=""
	case $1 in
	hook-*)
		local m=${1#hook-}
		insmod "$b/tests/core/kscope_hookcost.ko" mech="${m%-*}" work="${m#*-}" ||
			return 1 ;;
	vfs-*)
		insmod "$b/modules/vfs/kscope_vfs.ko" mech="${1#vfs-}" || return 1 ;;
	vfsstat)
		stdbuf -oL /usr/sbin/vfsstat 1 >"$tmp/peer" 2>&1 &
		tracer=$! ;;
	bpftrace)
		bpftrace -e 'kfunc:vfs_read,kfunc:vfs_write { @start[tid] = nsecs; }
			kretfunc:vfs_read,kretfunc:vfs_write /@start[tid]/ {
				@us = hist((nsecs - @start[tid]) / 1000); delete(@start[tid]); }' \
			>"$tmp/peer" 2>&1 &
		tracer=$! ;;
	bpftrace-empty)
		bpftrace -e 'kfunc:vfs_read,kfunc:vfs_write { }
			kretfunc:vfs_read,kretfunc:vfs_write { }' >"$tmp/peer" 2>&1 &
		tracer=$! ;;
	funclatency)
		stdbuf -oL /usr/sbin/funclatency -u vfs_read >"$tmp/peer" 2>&1 &
		tracer=$! ;;
	esac
	if [ -n "$tracer" ]; then
		wait_first "$tmp/peer" || { echo "# $1: no output in 60 s" >&2; stop "$1"; return 1; }
		case $1 in
		vfsstat) grep -q 'READ/s' "$tmp/peer" ;;
		bpftrace*)
			# printed just before the programs attach: give them a moment
			grep -q '^Attaching 4 probes' "$tmp/peer" && sleep 2 ;;
		funclatency) grep -q '^Tracing vfs_read' "$tmp/peer" ;;
		esac || { echo "# $1 did not attach: $(head -3 "$tmp/peer")" >&2; stop "$1"; return 1; }
	fi
}
stop() {
	[ -n "$tracer" ] && { peer_stop "$tracer"; tracer=""; }
	case $1 in
	hook-*) rmmod kscope_hookcost; dmesg | grep 'kscope_hookcost:' | tail -1 >>"$tmp/hooklog" ;;
	vfs-*) rmmod kscope_vfs ;;
	esac
}

confs=(hook-kretprobe-empty hook-kretprobe-count hook-kretprobe-time vfs-kretprobe)
[ $have_fprobe = 1 ] && confs+=(hook-fprobe-empty hook-fprobe-count hook-fprobe-time vfs-fprobe)
confs+=(hook-direct-empty hook-direct-count hook-direct-time hook-direct-ltime hook-direct-kclock
	vfs-direct)
confs+=(vfsstat bpftrace-empty bpftrace funclatency)
if [ -n "$only" ]; then
	for c in $only; do
		[[ " ${confs[*]} " == *" $c "* ]] ||
			{ echo "hookcost: no configuration '$c' here (${confs[*]})" >&2; exit 2; }
	done
	read -ra confs <<<"$only"
fi

run_dd >/dev/null; run_dd >/dev/null	# warm up
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]}"; do
		base=$(run_dd)
		start "$c" || { echo "skip" >>"$tmp/$c"; continue; }
		t=$(run_dd)
		stop "$c"
		echo "$base" >>"$tmp/bare"
		awk -v t="$t" -v b="$base" -v n="$N" \
			'BEGIN { printf "%.0f\n", (t - b) * 1e6 / (2 * n) }' >>"$tmp/$c.ns"
		awk -v t="$t" -v b="$base" 'BEGIN { print t / b }' >>"$tmp/$c.ratio"
	done
done

echo "# kernel $(uname -r): dd bs=1 count=$N ($((2 * N)) vfs_read+vfs_write calls), $reps pairs, bare median $(median "$tmp/bare") ms of dd's CPU time"
printf '%-24s %12s %10s  %s\n' tracer ns/call ratio pairs_ns
for c in "${confs[@]}"; do
	[ -s "$tmp/$c.ns" ] || { printf '%-24s %12s\n' "$c" "did not attach"; continue; }
	printf '%-24s %12s %10s  %s\n' "$c" "$(median "$tmp/$c.ns")" \
		"$(median "$tmp/$c.ratio" | awk '{ printf "%.2fx", $1 }')" "$(tr '\n' ' ' <"$tmp/$c.ns")"
done
echo "# funclatency hooks vfs_read only (half the calls), by kprobe"
echo "# hooks seen: $(sed 's/.*kscope_hookcost: //' "$tmp/hooklog" | sort -u | tr '\n' ';')"

# where the time goes: perf's cpu-clock samples over the whole guest
if [ -z "$only" ] && command -v perf >/dev/null; then
	for m in kretprobe $([ $have_fprobe = 1 ] && echo fprobe) direct; do
		insmod "$b/modules/vfs/kscope_vfs.ko" mech=$m
		perf record -q -e cpu-clock -F 4000 -a -o "$tmp/perf.data" -- \
			dd if=/dev/zero of=/tmp/bench.dd bs=1 count="$N" 2>/dev/null
		rmmod kscope_vfs
		echo
		echo "# perf: dd loop under kscope_vfs mech=$m, top symbols (% of all samples)"
		# awk reads to the end: head would leave perf report a SIGPIPE,
		# which pipefail and set -e turn into the script's exit
		perf report -q -i "$tmp/perf.data" --sort sym --stdio 2>/dev/null |
			awk 'NF && n++ < 40'
	done
fi
echo "# guest load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
rm -rf "$tmp"
# a direct hook's call in flight at its detach holds the core until it returns
for ((i = 0; i < 100; i++)); do
	rmmod kscope_core 2>/dev/null && break
	sleep 0.1
done
