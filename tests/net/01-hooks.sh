#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_net hook counters against the workload's own packet counts: N
# pings between two namespaces cross PRE_ROUTING, LOCAL_IN, LOCAL_OUT and
# POST_ROUTING twice each (request in one netns, reply in the other), never
# FORWARD, with IP packets of 84 (IPv4) and 104 (IPv6) bytes. Also: bad
# module parameters fail the load, and control is admin-only.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"

N=20
ktap_plan 11

if insmod "$(ks_ko kscope_net)" malformed_events_per_sec=0 2>/dev/null; then
	ktap_fail "bad parameter refused" "insmod malformed_events_per_sec=0 succeeded"
	rmmod kscope_net
else
	ktap_check "bad parameter refused, nothing left" "module or source still there" \
		bash -c '! [ -d /sys/module/kscope_net ] && ! [ -d '"$KS_DEBUGFS"'/net ]'
fi

ks_load kscope_net || { ktap_fail "load kscope_net"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }

hooks="pre_routing local_in forward local_out post_routing"
snap() { # snap FAM: "hook pkts bytes" lines for icmp
	local h
	for h in $hooks; do
		echo "$h $(ctr "$1_${h}_icmp_pkts") $(ctr "$1_${h}_icmp_bytes")"
	done
}
check_fam() { # check_fam FAM PINGARGS DST PKTLEN
	local fam=$1 args=$2 dst=$3 len=$4 got h before after b a
	before=$(snap "$fam")
	got=$(ping_replies $NS_A $args -c $N -i 0.05 -W 2 "$dst")
	after=$(snap "$fam")
	local bad=()
	for h in $hooks; do
		b=$(awk -v h=$h '$1 == h' <<<"$before"); a=$(awk -v h=$h '$1 == h' <<<"$after")
		local want=$((2 * N)); [ $h = forward ] && want=0
		local dp=$(( $(cut -d' ' -f2 <<<"$a") - $(cut -d' ' -f2 <<<"$b") ))
		local db=$(( $(cut -d' ' -f3 <<<"$a") - $(cut -d' ' -f3 <<<"$b") ))
		[ $dp -eq $want ] && [ $db -eq $((want * len)) ] ||
			bad+=("$fam $h: $dp packets/$db bytes, expected $want/$((want * len))")
	done
	ktap_eq "$fam ping: $N replies" $N "$got" replies
	if [ ${#bad[@]} -eq 0 ]; then
		ktap_ok "$fam icmp hook counters match $N pings at every hook"
	else
		ktap_fail "$fam icmp hook counters match $N pings at every hook" "${bad[@]}"
	fi
}
check_fam ip4 "" $B4 84
check_fam ip6 "-6" $B6 104

# TCP as a second protocol: one connection's packets, both directions,
# against the packet counts the namespaces' own SNMP counters report.
# Hooks see skbs: without TSO/GSO one skb is one segment.
ina ethtool -K va tso off gso off >/dev/null 2>&1
inb ethtool -K vb tso off gso off >/dev/null 2>&1
b_in=$(snmp $NS_B Tcp InSegs); b_out=$(snmp $NS_B Tcp OutSegs)
a_in=$(snmp $NS_A Tcp InSegs); a_out=$(snmp $NS_A Tcp OutSegs)
c0=$(ctr ip4_local_in_tcp_pkts); o0=$(ctr ip4_local_out_tcp_pkts)
inb bash -c 'python3 -c "
import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((\"'$B4'\", 5001)); s.listen(1); c,_=s.accept()
while c.recv(65536): pass
c.close()" & echo $! > '"$KS_TMP"'/srv'
sleep 1
ina python3 -c "
import socket
s=socket.create_connection(('$B4', 5001)); s.sendall(b'x' * 100000); s.close()"
wait_srv=$(cat "$KS_TMP/srv"); for i in $(seq 50); do kill -0 $wait_srv 2>/dev/null || break; sleep 0.1; done
sleep 0.5
c1=$(ctr ip4_local_in_tcp_pkts); o1=$(ctr ip4_local_out_tcp_pkts)
d_in=$(( $(snmp $NS_B Tcp InSegs) - b_in + $(snmp $NS_A Tcp InSegs) - a_in ))
d_out=$(( $(snmp $NS_B Tcp OutSegs) - b_out + $(snmp $NS_A Tcp OutSegs) - a_out ))
ktap_eq "tcp local_in packets = Tcp InSegs of both namespaces" "$d_in" $((c1 - c0)) packets
# LOCAL_OUT sees TCP's GSO skbs (always built on newer kernels), so the
# segment count bounds it from above
ktap_check "tcp local_out skbs within Tcp OutSegs of both namespaces ($((o1 - o0)) <= $d_out)" \
	"local_out $((o1 - o0)), OutSegs $d_out" test $((o1 - o0)) -gt 0 -a $((o1 - o0)) -le "$d_out"

# control is admin-only, and bad requests are refused with a reason
out=$(ks_as_nobody "$KSCOPE" net echo on 2>&1; echo "exit $?")
ktap_check "unprivileged echo on refused" "$out" \
	bash -c '! grep -q "^exit 0" <<<"$1" && grep -qi "permi" <<<"$1"' _ "$out"
out=$("$KSCOPE" net echo on --netns /run/netns/$NS_B --dev nosuchdev 2>&1)
ktap_check "unknown device refused with a reason" "$out" grep -q "no such device" <<<"$out"
out=$("$KSCOPE" net echo on --netns /proc/self/status 2>&1)
ktap_check "non-netns fd refused with a reason" "$out" grep -q "not a network namespace" <<<"$out"

net_teardown
ks_unload kscope_net
ktap_check "unload" "kscope_net still loaded" bash -c '! [ -d /sys/module/kscope_net ]'
ktap_done
