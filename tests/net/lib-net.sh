# SPDX-License-Identifier: GPL-2.0
#
# Sourced by tests/net/*.sh after tests/lib.sh: a veth pair between two
# network namespaces, ksA (10.99.0.1, fd99::1, dev va) pinging ksB
# (10.99.0.2, fd99::2, dev vb), with static neighbours and no DAD, router
# solicitations or other chatter, so that packet counts are exact.

NS_A=ksA NS_B=ksB
A4=10.99.0.1 B4=10.99.0.2 A6=fd99::1 B6=fd99::2
CRAFT="python3 $KS_TOP/tests/net/tools/craft.py"

ina() { ip netns exec $NS_A "$@"; }
inb() { ip netns exec $NS_B "$@"; }

net_quiet() {
	local k
	for k in accept_dad=0 dad_transmits=0 router_solicitations=0 \
		 accept_ra=0 mldv1_unsolicited_report_interval=0 \
		 mldv2_unsolicited_report_interval=0; do
		"$@" sysctl -qw "net.ipv6.conf.default.$k" "net.ipv6.conf.all.$k" 2>/dev/null
	done
}

net_setup() {
	net_teardown
	modprobe veth || return 1
	ip netns add $NS_A && ip netns add $NS_B || return 1
	net_quiet ina; net_quiet inb
	ip link add va netns $NS_A type veth peer name vb netns $NS_B || return 1
	MAC_A=$(ina cat /sys/class/net/va/address)
	MAC_B=$(inb cat /sys/class/net/vb/address)
	ina ip addr add $A4/24 dev va
	inb ip addr add $B4/24 dev vb
	ina ip -6 addr add $A6/64 dev va nodad
	inb ip -6 addr add $B6/64 dev vb nodad
	ina ip link set va up; inb ip link set vb up
	ina ip link set lo up; inb ip link set lo up
	ina ip neigh replace $B4 lladdr "$MAC_B" dev va nud permanent
	inb ip neigh replace $A4 lladdr "$MAC_A" dev vb nud permanent
	ina ip -6 neigh replace $B6 lladdr "$MAC_B" dev va nud permanent
	inb ip -6 neigh replace $A6 lladdr "$MAC_A" dev vb nud permanent
	# the link's own IPv6 chatter (MLD reports) settles within ~2 s
	sleep 3
}

net_teardown() {
	ks_server_stop craft
	ip netns del $NS_A 2>/dev/null
	ip netns del $NS_B 2>/dev/null
	true
}

# snmp NS PROTO FIELD: a field of /proc/net/snmp ("Icmp" "OutEchoReps") read
# in netns NS, or of /proc/net/snmp6 when PROTO is "6" (FIELD "Icmp6...").
snmp() {
	if [ "$2" = 6 ]; then
		ip netns exec "$1" awk -v f="$3" '$1 == f { print $2 }' /proc/net/snmp6
	else
		ip netns exec "$1" awk -v p="$2:" -v f="$3" '
			$1 == p && !h { for (i = 2; i <= NF; i++) c[$i] = i; h = 1; next }
			$1 == p && h { print (f in c) ? $c[f] : 0 }' /proc/net/snmp
	fi
}

# ping_replies NS ARGS...: number of replies ping got
ping_replies() {
	local ns=$1; shift
	ip netns exec "$ns" ping "$@" 2>/dev/null |
		awk '/packets transmitted/ { for (i = 1; i <= NF; i++) if ($i ~ /^received/) print $(i - 1) }'
}

ctr() { ks_counter net "$1"; }

# craft_start: one craft.py --serve in ksA for the script's crafted
# frames (ks_server); craft ARGS... then prints what `ina $CRAFT ARGS...`
# would (a failed call's "error ..." also on stderr) and fails with it.
craft_start() { ks_server craft ina $CRAFT --serve; }
craft() {
	local line
	line=$(ks_ask craft "$@") || { echo "$line" >&2; return 2; }
	echo "$line"
	[[ $line != error* ]] || { echo "craft $*: $line" >&2; return 1; }
}
