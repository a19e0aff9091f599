#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The XDP echo responder on ksB's vb, native and skb mode, plain and
# VLAN-tagged (--any; without it the stack answers tagged frames): pings are answered by it (ksB's stack echo-reply counters
# stay still, its counters move by the number of requests); bad-checksum,
# truncated, fragmented and non-echo ICMP reach the stack; `kscope stat`
# shows its counters. Native XDP_TX on veth needs XDP on the peer: a pass-through program on va.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-echo.sh"

ktap_plan 35
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }
craft_start || { ktap_fail "start craft.py --serve"; ktap_done; }
ina "$KSCOPE" xdp attach va --mode native --pass

xdp_ctr() { inb "$KSCOPE" xdp stats vb | awk -v n="$1" '$1 == n { print $2 }'; }
ANS4="xdp_ctr echo4_answered" ANS6="xdp_ctr echo6_answered"

for mode in native skb; do
	RESP="xdp $mode"
	if [ $mode = skb ] && ks_kasan; then
		for c in "xdp attach --mode skb" "xdp stats reports mode skb" \
			"$RESP: ping -4" "$RESP: ksB stack sent no IPv4 echo reply" "$RESP: answered (IPv4)" \
			"$RESP: ping -6" "$RESP: ksB stack sent no IPv6 echo reply" "$RESP: answered (IPv6)" \
			"xdp detach (skb)"; do
			ktap_skip "$c" "KASAN kernel: native mode only (the program is BPF, not KASAN-instrumented; the Debian kernels run both)"
		done
		continue
	fi
	out=$(inb "$KSCOPE" xdp attach vb --mode $mode 2>&1)
	ktap_check "xdp attach --mode $mode" "$out" [ -z "$out" ]
	m=$(inb "$KSCOPE" xdp stats vb | awk 'NR == 1 { print $3 }')
	ktap_eq "xdp stats reports mode $mode" $mode "$m" mode
	echo_check 4
	echo_check 6
	[ $mode = native ] && stack_checks some
	out=$(inb "$KSCOPE" xdp detach vb 2>&1)
	ktap_check "xdp detach ($mode)" "$out" bash -c "[ -z \"\$1\" ] && ! ip netns exec $NS_B ip link show vb | grep -q xdp" _ "$out"
done

if ks_kasan; then
	for c in "xdp, tagged frames: ksB's stack answers all 5, the responder none" \
		"xdp vlan --any: ping -4" "xdp vlan --any: ksB stack sent no IPv4 echo reply" \
		"xdp vlan --any: answered (IPv4)" "xdp vlan --any: ping -6" \
		"xdp vlan --any: ksB stack sent no IPv6 echo reply" "xdp vlan --any: answered (IPv6)" \
		"kscope stat shows xdp:ksx0 counters" "unprivileged xdp attach refused"; do
		ktap_skip "$c" "KASAN kernel: the native-mode run above only (tagged frames and stat are the BPF program's and the reader's logic, not kernel code; the Debian kernels run them)"
	done
	ina "$KSCOPE" xdp detach va
	net_teardown
	ktap_done
fi

# VLAN 100 on top of the veth pair: the program sees tagged frames on vb;
# they belong to vb.100, so by default the stack answers them, with --any
# the responder does
ina ip link add link va name va.100 type vlan id 100
inb ip link add link vb name vb.100 type vlan id 100
ina ip addr add 10.99.100.1/24 dev va.100; inb ip addr add 10.99.100.2/24 dev vb.100
ina ip -6 addr add fd99:100::1/64 dev va.100 nodad; inb ip -6 addr add fd99:100::2/64 dev vb.100 nodad
ina ip link set va.100 up; inb ip link set vb.100 up
ina ip neigh replace 10.99.100.2 lladdr "$MAC_B" dev va.100 nud permanent
inb ip neigh replace 10.99.100.1 lladdr "$MAC_A" dev vb.100 nud permanent
ina ip -6 neigh replace fd99:100::2 lladdr "$MAC_B" dev va.100 nud permanent
inb ip -6 neigh replace fd99:100::1 lladdr "$MAC_A" dev vb.100 nud permanent
sleep 2
inb "$KSCOPE" xdp attach vb --mode native
s0=$(snmp $NS_B Icmp OutEchoReps); a0=$(xdp_ctr echo4_answered)
got=$(ping_replies $NS_A -c 5 -i 0.05 -W 2 10.99.100.2)
ktap_eq "xdp, tagged frames: ksB's stack answers all 5, the responder none" \
	"5 5 0" "$got $(( $(snmp $NS_B Icmp OutEchoReps) - s0 )) $(( $(xdp_ctr echo4_answered) - a0 ))"
inb "$KSCOPE" xdp detach vb
inb "$KSCOPE" xdp attach vb --mode native --any
RESP="xdp vlan --any" B4=10.99.100.2 B6=fd99:100::2
echo_check 4
echo_check 6
inb "$KSCOPE" xdp detach vb

# kscope stat folds in the counters of every kscope XDP program of its netns
ip link add ksx0 type veth peer name ksx1
ip link set ksx0 up; ip link set ksx1 up
"$KSCOPE" xdp attach ksx0 --mode skb
out=$("$KSCOPE" stat 2>&1)
ktap_check "kscope stat shows xdp:ksx0 counters" "$out" \
	bash -c 'grep -q "xdp:ksx0" <<<"$1" && grep -q "echo4_answered" <<<"$1"' _ "$out"
out=$(ks_as_nobody "$KSCOPE" xdp attach ksx1 2>&1; echo "exit $?")
ktap_check "unprivileged xdp attach refused" "$out" bash -c '! grep -q "^exit 0" <<<"$1"' _ "$out"
"$KSCOPE" xdp detach ksx0
ip link del ksx0

ina "$KSCOPE" xdp detach va
net_teardown
ktap_done
