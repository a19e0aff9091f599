#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/net.sh [--kernel 6.1|6.12|7.2] [--count N]: who answers ICMP echo
# fastest, in one guest boot, over a veth pair between two netns. For each
# responder (the stack before kscope_net is loaded, the baseline; the
# stack under kscope_net's counting netfilter hooks; kscope_net's
# netfilter responder; the XDP responder in native and in skb mode) and
# each family: ping RTT median and p99 over N probes, and replies per
# second under `ping -f` for 3 s; then ratios to the baseline. A benchmark, not a test: a TCG guest is far slower than
# hardware, so only the ratios mean something.
set -euo pipefail
ver=6.1 count=300
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) ver=$2; shift 2 ;;
	--count) count=$2; shift 2 ;;
	*) echo "usage: $0 [--kernel V] [--count N]" >&2; exit 2 ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core net" 1200 -- --kernel "$ver" --count "$count"

set +e
. tests/lib.sh
. tests/net/lib-net.sh
b=.cache/build/$ver
insmod "$b/modules/core/kscope_core.ko"
net_setup
# native XDP_TX on veth needs a program on the receiving peer too
ina "$KSCOPE" xdp attach va --mode native --pass

# rtt DST: "median p99" in microseconds over $count probes
rtt() {
	ina ping -n -c "$count" -i 0.002 "$1" 2>/dev/null |
		sed -nE 's/.*time=([0-9.]+) ms.*/\1/p' | sort -n |
		awk '{ a[NR] = $1 * 1000 } END {
			if (!NR) { print "- -"; exit }
			m = a[int((NR + 1) / 2)]; p = a[int(NR * 0.99 + 0.999)]
			printf "%.0f %.0f\n", m, p }'
}
# flood DST: replies per second under ping -f for 3 s, by ping's own
# deadline (stopped by timeout(1)'s SIGINT, three of six flood runs on
# 6.1 under -icount left no summary line, and no rate)
flood() {
	ina ping -n -f -w 3 "$1" 2>/dev/null |
		awk '/packets transmitted/ { for (i = 1; i <= NF; i++) if ($i ~ /^received/) printf "%d\n", $(i - 1) / 3 }'
}

declare -A med p99 rps
# "bare": the stack answers with kscope_net not loaded, the baseline;
# "stack": the stack answers under kscope_net's counting hooks
responders="bare stack netfilter xdp-native xdp-skb"
for r in $responders; do
	case $r in
	stack)
		insmod "$b/modules/net/kscope_net.ko"
		ks_loaded kscope_net || { echo "# kscope_net did not load" >&2; exit 1; } ;;
	netfilter) "$KSCOPE" net echo on --netns /run/netns/$NS_B --dev vb ;;
	xdp-native) inb "$KSCOPE" xdp attach vb --mode native ;;
	xdp-skb) inb "$KSCOPE" xdp attach vb --mode skb ;;
	esac
	for fam in 4 6; do
		dst=$B4; [ $fam = 6 ] && dst=$B6
		read -r m p < <(rtt $dst)
		med[$r$fam]=$m p99[$r$fam]=$p rps[$r$fam]=$(flood $dst)
	done
	case $r in
	netfilter) "$KSCOPE" net echo off --netns /run/netns/$NS_B --dev vb ;;
	xdp-*) inb "$KSCOPE" xdp detach vb ;;
	esac
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.2f", a / b; else print "-" }'; }
echo "# kernel $(uname -r): ratios to bare, the stack answering with kscope_net not loaded"
printf '%-11s %-4s %9s %9s %10s %10s %10s %10s\n' responder fam "med(us)" "p99(us)" "replies/s" "med/bare" "p99/bare" "rps/bare"
for r in $responders; do
	for fam in 4 6; do
		printf '%-11s %-4s %9s %9s %10s %10s %10s %10s\n' "$r" "v$fam" \
			"${med[$r$fam]}" "${p99[$r$fam]}" "${rps[$r$fam]}" \
			"$(ratio "${med[$r$fam]}" "${med[bare$fam]}")" \
			"$(ratio "${p99[$r$fam]}" "${p99[bare$fam]}")" \
			"$(ratio "${rps[$r$fam]}" "${rps[bare$fam]}")"
	done
done
echo "# answered by the netfilter responder: v4 $(ctr echo4_answered), v6 $(ctr echo6_answered)"
ina "$KSCOPE" xdp detach va
net_teardown
rmmod kscope_net kscope_core
