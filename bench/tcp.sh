#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/tcp.sh [--kernel 6.1|6.12|7.2] [--reps N]: what kscope_tcp costs a
# TCP workload, next to libbpf-tools that watch the same paths. In one
# guest boot, on loopback (bench/tcp-load.c):
#   rr    10000 1-byte request/response round trips on one connection
#   bulk  100 MB one way on one connection
#   crr   500 connections with one round trip each
# under: no tracer; kscope_tcp loaded (nobody listening: counters, flow
# table); kscope_tcp with a reader subscribed (its default events:
# connects, accepts, closes, cwnd changes); kscope_tcp with a reader and
# close events only (kscope tcp filter --events close: one event a closed
# socket, with its duration and bytes, which is what tcplife prints);
# tcprtt (fentry on tcp_rcv_established, the function tcp:tcp_probe sits
# in); tcplife (sock:inet_sock_set_state). Every traced run follows an
# untraced one; the table shows median seconds and the median of the
# per-pair ratios (N pairs per cell, default 5). A benchmark, not a test:
# TCG guests are slow and noisy (more so when other guests share the
# host), so read ratios, not absolute times.
set -euo pipefail
ver=6.1 reps=5
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_args "$@"
bench_in_guest "core tcp" 3000 tcp-load -- --kernel "$ver" --reps "$reps"

K=userspace/kscope
L=.cache/bench/tcp-load
b=$out/$ver
insmod "$b/modules/core/kscope_core.ko"
tmp=$(mktemp -d)

declare -A arg=([rr]=10000 [bulk]=100 [crr]=500)
works=(rr bulk crr)
confs=(none kscope kscope+reader kscope+close tcprtt tcplife)

# start CONF: the tracer is attached when this returns 0
start() {
	tracer=""
	case $1 in
	kscope) insmod "$b/modules/tcp/kscope_tcp.ko" ;;
	kscope+reader|kscope+close)
		insmod "$b/modules/tcp/kscope_tcp.ko"
		[ "$1" = kscope+close ] && $K tcp filter --events close >/dev/null
		$K watch tcp >/dev/null 2>&1 &
		tracer=$!
		sleep 1 ;;
	tcprtt)
		peer_start "$tmp/$1.out" '^Tracing TCP RTT' /usr/sbin/tcprtt || return 1
		tracer=$peer ;;
	tcplife)
		peer_start "$tmp/$1.out" '^PID' /usr/sbin/tcplife || return 1
		tracer=$peer ;;
	esac
}
stop() {
	[ -n "$tracer" ] && { kill -INT "$tracer"; wait "$tracer" || true; }
	case $1 in kscope*) rmmod kscope_tcp ;; esac
}

# warm up (first runs in a fresh guest are much slower)
for w in "${works[@]}"; do $L "$w" "${arg[$w]}" >/dev/null; $L "$w" "${arg[$w]}" >/dev/null; done

# Each traced run is paired with an untraced run just before it, and the
# ratio is taken per pair: other guests on the host slow whole stretches
# of time, and a pair sees the same stretch.
for ((r = 0; r < reps; r++)); do
	for c in "${confs[@]:1}"; do
		for w in "${works[@]}"; do
			$L "$w" "${arg[$w]}" >"$tmp/base"
			start "$c" || { echo "$c" >>"$tmp/unattached"; continue; }
			cat "$tmp/base" >>"$tmp/$w.none"
			t=$($L "$w" "${arg[$w]}")
			stop "$c"
			echo "$t" >>"$tmp/$w.$c"
			awk -v t="$t" -v b="$(cat "$tmp/base")" 'BEGIN { print t / b }' >>"$tmp/$w.$c.ratio"
		done
	done
done


echo "# kernel $(uname -r), $reps pairs per cell: median seconds, median of per-pair ratios to no tracer"
printf '%-6s %10s' work none
for c in "${confs[@]:1}"; do printf ' %20s' "$c"; done
echo
for w in "${works[@]}"; do
	printf '%-6s %10s' "$w" "$(median "$tmp/$w.none")"
	for c in "${confs[@]:1}"; do
		[ -s "$tmp/$w.$c" ] || { printf ' %20s' "not attached"; continue; }
		printf ' %20s' "$(awk -v m="$(median "$tmp/$w.$c")" -v r="$(median "$tmp/$w.$c.ratio")" \
			'BEGIN { printf "%.3f (%.2fx)", m, r }')"
	done
	echo
done
# the headlines: kscope's extra time over its peer's, from the medians of
# the per-pair ratios; n/a where the peer's own is under 1%
headline() {	# WORK KSCOPE_CONF PEER
	[ -s "$tmp/$1.$2.ratio" ] && [ -s "$tmp/$1.$3.ratio" ] || return 0
	awk -v w="$1" -v kn="$2" -v pn="$3" -v k="$(median "$tmp/$1.$2.ratio")" \
		-v p="$(median "$tmp/$1.$3.ratio")" 'BEGIN {
		r = (p - 1 >= 0.01) ? sprintf("%.2f", (k - 1) / (p - 1)) : "n/a (the peer costs under 1%)"
		printf "# overhead ratio %s / %s (%s; extra time over the bare run, from the medians %.3fx and %.3fx): %s\n", kn, pn, w, k, p, r }'
}
headline rr kscope tcprtt
headline bulk kscope tcprtt
headline crr kscope+reader tcplife
headline crr kscope+close tcplife
[ -s "$tmp/unattached" ] && echo "# runs left out, tracer did not attach: $(sort "$tmp/unattached" | uniq -c | tr -s ' \n' ' ')"
echo "# host load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) (guest); TCG, read ratios only"
rm -rf "$tmp"
rmmod kscope_core
