# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_tcp tests: two network namespaces joined by a veth
# pair (documentation addresses only, nothing leaves the guest), the
# workload (tcpwork.py), a kscope event watcher and libbpf-tools runners.

KS_AREA=tcp

TCP_C=kst_c TCP_S=kst_s
TCP_C4=192.0.2.1 TCP_S4=192.0.2.2
TCP_C6=2001:db8::1 TCP_S6=2001:db8::2
TCP_WORK="/usr/bin/python3 $KS_TOP/tests/tcp/tcpwork.py"

tcp_netns_up() {
	tcp_netns_down
	ip netns add $TCP_C && ip netns add $TCP_S &&
	ip link add kst_veth_c netns $TCP_C type veth peer name kst_veth_s netns $TCP_S &&
	ip -n $TCP_C addr add $TCP_C4/24 dev kst_veth_c &&
	ip -n $TCP_S addr add $TCP_S4/24 dev kst_veth_s &&
	ip -n $TCP_C addr add $TCP_C6/64 dev kst_veth_c nodad &&
	ip -n $TCP_S addr add $TCP_S6/64 dev kst_veth_s nodad &&
	ip -n $TCP_C link set kst_veth_c up && ip -n $TCP_S link set kst_veth_s up &&
	ip -n $TCP_C link set lo up && ip -n $TCP_S link set lo up
}

tcp_netns_down() {
	ip netns del $TCP_C 2>/dev/null
	ip netns del $TCP_S 2>/dev/null
	return 0
}

# inode of a named netns, as the kernel reports it in events
tcp_netns_inum() { ip netns exec "$1" stat -L -c %i /proc/self/ns/net; }

# tcp_ctr NAME: counter of source tcp
tcp_ctr() { ks_counter tcp "$1"; }

# events EVFILE TYPE [jq filter [jq output]]: matching events as compact
# JSON lines, or OUTPUT of each (raw strings), in one jq
tcp_events() {
	jq -rc "select(.source == \"tcp\" and .event == \"$2\")${3:+ | select($3)}${4:+ | $4}" "$1"
}

tcp_unloaded() { ! ks_loaded kscope_tcp; }

# A passive child that lost the race for its request socket (two CPUs
# handled the handshake's ACK at once; seen under a loaded TCG host) is
# created in SYN_RECV and destroyed from it: a real socket lifetime that
# kscope and tcplife both report, but no connection of the workload.
TCP_REAL='.oldstate != "SYN_RECV"'
TCP_RACED='.oldstate == "SYN_RECV"'

# tcp_raced EVFILE PORT...: number of such lifetimes on those server ports
tcp_raced() {
	local f=$1 q="false" p; shift
	for p; do q="$q or .sport == $p"; done
	tcp_events "$f" close "($TCP_RACED) and ($q)" | wc -l
}

# tcp_eq NAME EXPECTED GOT DIAG: ktap_eq with diagnostic lines on failure
tcp_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "expected '$2', got '$3'" "$4"
	fi
}
