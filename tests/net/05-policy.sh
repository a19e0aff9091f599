#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The echo responders answer only what the stack would answer. For each
# policy case, ksA sends crafted echo requests (ICMP id 0x1234) to ksB and
# counts the echo replies that come back on any of its devices; the plain
# stack (no responder), kscope_net's netfilter responder and the XDP
# responder on vb must give the same count, and the stack's count is the
# one Linux gives for that policy: icmp_echo_ignore_all (v4, v6), a
# subnet broadcast in a unicast frame with icmp_echo_ignore_broadcasts 1
# and 0, an nftables INPUT drop rule, IPsec (xfrm) block policies in and
# out, rp_filter 1 and 0 with a source routed via another device, a
# VLAN-tagged echo for a VLAN ksB has no device for, and a bridged frame
# under br_netfilter whose destination address ksB also owns (ksC must
# get it). XDP runs before netfilter and xfrm: those cases skip for it,
# as README says. Last: a reply the qdisc drops counts as an xmit error,
# not as answered.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"

N=2
NS_C=ksC
ktap_plan 43
ks_load kscope_net || { ktap_fail "load kscope_net"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }
craft_start || { ktap_fail "start craft.py --serve"; ktap_done; }
ina "$KSCOPE" xdp attach va --mode native --pass
inc() { ip netns exec $NS_C "$@"; }

resp_on() {
	case $1 in
	netfilter) "$KSCOPE" net echo on --netns /run/netns/$NS_B ;;
	xdp) inb "$KSCOPE" xdp attach vb --mode native ;;
	esac
}
resp_off() {
	case $1 in
	netfilter) "$KSCOPE" net echo off --netns /run/netns/$NS_B ;;
	xdp) inb "$KSCOPE" xdp detach vb ;;
	esac
}
# answered MODE FAM: the responder's own answered counter (0 for the stack)
answered() {
	case $1 in
	netfilter) ctr echo$2_answered ;;
	xdp) inb "$KSCOPE" xdp stats vb 2>/dev/null |
		awk -v n="echo$2_answered" '$1 == n { print $2; f = 1 } END { if (!f) print 0 }' ;;
	*) echo 0 ;;
	esac
}

# probe SRC DST [craft args]: replies ksA received to N crafted requests
probe() {
	local src=$1 dst=$2 line; shift 2
	line=$(craft va "${DMAC:-$MAC_B}" "$src" "$dst" echo --count $N --wait 1.5 "$@")
	echo "${line#* }"
}

# policy NAME EXPECT SETUP UNDO SKIPMODE -- PROBE ARGS: SETUP (eval'd
# in the test shell) applied before the responder goes on; the stack must
# give EXPECT replies, each responder what the stack gave. SKIPMODE: a
# mode that cannot honour this policy (README says why), or "-".
policy() {
	local name=$1 expect=$2 setup=$3 undo=$4 skip=$5 mode got stack= err
	shift 6
	for mode in stack netfilter xdp; do
		if [ "$mode" = "$skip" ]; then
			ktap_skip "$name: $mode as the stack" \
				"XDP runs before netfilter and IPsec: bypassed by design (README, kscope xdp --help)"
			continue
		fi
		if ! err=$(eval "$setup" 2>&1); then
			ktap_fail "$name: $mode" "setting the policy up failed: $err"
			eval "$undo"
			continue
		fi
		resp_on $mode
		got=$(probe "$@")
		resp_off $mode
		eval "$undo"
		if [ $mode = stack ]; then
			stack=$got
			ktap_eq "$name: the stack gives $expect replies" "$expect" "$got" replies
		else
			ktap_eq "$name: $mode gives the stack's $stack replies" "$stack" "$got" replies
		fi
	done
}

# control: no policy, each responder answers itself (its counter moves)
for fam in 4 6; do
	[ $fam = 4 ] && src=$A4 dst=$B4 || src=$A6 dst=$B6
	for mode in stack netfilter xdp; do
		resp_on $mode
		a0=$(answered $mode $fam)
		got=$(probe $src $dst)
		a1=$(answered $mode $fam)
		resp_off $mode
		want=$N; [ $mode = stack ] && want=0
		ktap_eq "control IPv$fam: $mode: $N replies, $want by the responder" \
			"$N $want" "$got $((a1 - a0))" "replies, answered"
	done
done

policy "icmp_echo_ignore_all=1" 0 \
	"inb sysctl -qw net.ipv4.icmp_echo_ignore_all=1" \
	"inb sysctl -qw net.ipv4.icmp_echo_ignore_all=0" - -- $A4 $B4
policy "ipv6 icmp echo_ignore_all=1" 0 \
	"inb sysctl -qw net.ipv6.icmp.echo_ignore_all=1" \
	"inb sysctl -qw net.ipv6.icmp.echo_ignore_all=0" - -- $A6 $B6
policy "subnet broadcast, icmp_echo_ignore_broadcasts=1" 0 \
	"inb sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=1" : - -- $A4 10.99.0.255
policy "subnet broadcast, icmp_echo_ignore_broadcasts=0" $N \
	"inb sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=0" \
	"inb sysctl -qw net.ipv4.icmp_echo_ignore_broadcasts=1" - -- $A4 10.99.0.255

if command -v nft >/dev/null; then
	NFT=$'table inet kst {\n chain in {\n  type filter hook input priority 0; policy accept;
  icmp type echo-request drop\n  icmpv6 type echo-request drop\n }\n}'
	policy "nft INPUT drop (IPv4)" 0 "inb nft -f - <<<\"\$NFT\"" \
		"inb nft delete table inet kst" xdp -- $A4 $B4
	policy "nft INPUT drop (IPv6)" 0 "inb nft -f - <<<\"\$NFT\"" \
		"inb nft delete table inet kst" xdp -- $A6 $B6
else
	for i in $(seq 6); do ktap_skip "nft INPUT drop" "nft not installed (scripts/setup.d/net.pkgs)"; done
fi

policy "xfrm block policy in (IPv4)" 0 \
	"inb ip xfrm policy add src $A4/32 dst $B4/32 proto 1 dir in action block" \
	"inb ip xfrm policy flush" xdp -- $A4 $B4
policy "xfrm block policy out (IPv6 reply route)" 0 \
	"inb ip xfrm policy add src $B6/128 dst $A6/128 proto 58 dir out action block" \
	"inb ip xfrm policy flush" xdp -- $A6 $B6

# a source ksB routes via a second link: rp_filter decides
ip link add va2 netns $NS_A type veth peer name vb2 netns $NS_B
ina ip addr add 192.0.2.7/24 dev va2; inb ip addr add 192.0.2.1/24 dev vb2
ina ip link set va2 up; inb ip link set vb2 up
ina ip neigh replace 192.0.2.1 lladdr "$(inb cat /sys/class/net/vb2/address)" dev va2 nud permanent
inb ip neigh replace 192.0.2.7 lladdr "$(ina cat /sys/class/net/va2/address)" dev vb2 nud permanent
rpf() { inb sysctl -qw net.ipv4.conf.all.rp_filter=$1 net.ipv4.conf.vb.rp_filter=$1; }
policy "rp_filter=1, source routed via another link" 0 "rpf 1" "rpf 0" - -- 192.0.2.7 $B4
policy "rp_filter=0, source routed via another link" $N "rpf 0" : - -- 192.0.2.7 $B4
ina ip link del va2

policy "VLAN-tagged echo, no VLAN device" 0 : : - -- $A4 $B4 --vlan 200

# a bridged frame under br_netfilter: to ksC's MAC, for an address both
# ksB (br0) and ksC own; the stack bridges it to ksC, which answers
if modprobe br_netfilter 2>/dev/null && modprobe bridge 2>/dev/null; then
	ip netns add $NS_C; net_quiet inc
	ip link add vc netns $NS_C type veth peer name vbc netns $NS_B
	MAC_C=$(inc cat /sys/class/net/vc/address)
	inb ip link add br0 type bridge
	inb ip addr flush dev vb
	inb ip link set vb master br0; inb ip link set vbc master br0
	inb ip addr add $B4/24 dev br0; inb ip addr add 10.99.0.9/32 dev br0
	inb ip link set br0 up; inb ip link set vbc up
	inc ip addr add 10.99.0.3/24 dev vc; inc ip addr add 10.99.0.9/32 dev vc
	inc ip link set vc up; inc ip link set lo up
	inc ip neigh replace $A4 lladdr "$MAC_A" dev vc nud permanent
	inb ip neigh replace $A4 lladdr "$MAC_A" dev br0 nud permanent
	inb sysctl -qw net.bridge.bridge-nf-call-iptables=1
	sleep 2
	for mode in stack netfilter xdp; do
		resp_on $mode
		c0=$(snmp $NS_C Icmp InEchos); b0=$(snmp $NS_B Icmp OutEchoReps)
		got=$(DMAC=$MAC_C probe $A4 10.99.0.9)
		c1=$(snmp $NS_C Icmp InEchos); b1=$(snmp $NS_B Icmp OutEchoReps)
		resp_off $mode
		ktap_eq "bridged frame, br_netfilter: $mode: ksC gets and answers all $N, ksB none" \
			"$N $N 0" "$got $((c1 - c0)) $((b1 - b0))" "replies, ksC InEchos, ksB OutEchoReps"
	done
	ip netns del $NS_C
else
	for i in 1 2 3; do ktap_skip "bridged frame, br_netfilter" "no bridge/br_netfilter module"; done
fi

# a reply the qdisc drops (NET_XMIT_DROP, positive) is no answer; a
# bridge port now, vb still carries ksB's replies to ksA
inb ip link set vb nomaster 2>/dev/null; inb ip link del br0 2>/dev/null
inb ip addr replace $B4/24 dev vb
inb ip neigh replace $A4 lladdr "$MAC_A" dev vb nud permanent
inb tc qdisc add dev vb root pfifo limit 0
resp_on netfilter
a0=$(ctr echo4_answered); e0=$(ctr echo_xmit_errors)
d0=$(inb tc -s qdisc show dev vb | awk '/dropped/ { gsub(",", ""); print $7; exit }')
got=$(probe $A4 $B4)
d1=$(inb tc -s qdisc show dev vb | awk '/dropped/ { gsub(",", ""); print $7; exit }')
a1=$(ctr echo4_answered); e1=$(ctr echo_xmit_errors)
resp_off netfilter
ktap_eq "qdisc drops every reply: none arrives, none counted answered, all xmit errors" \
	"0 $N 0 $N" "$got $((d1 - d0)) $((a1 - a0)) $((e1 - e0))" \
	"replies, qdisc drops, answered, xmit errors"
inb tc qdisc del dev vb root

ina "$KSCOPE" xdp detach va
net_teardown
ks_unload kscope_net
ktap_done
