#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The "flows" gauge: the flows in kscope_tcp's table now, kept by the
# table itself (+1 as a flow takes a free entry, -1 as it leaves, nothing
# for an eviction: tests/tcp/40 checks that side). Its kind is "gauge" in
# debugfs kinds and `kscope --json list`. With K connections held open
# between two namespaces it rises by exactly the TCP sockets ss shows on
# that port (both ends, the listener aside): the guest carries no other
# TCP traffic, so no tolerance; netlink and debugfs give the same value.
# When they close it comes back to where it was, once ss shows none of
# them but in TIME-WAIT (a socket in TIME-WAIT is a minisock, no flow).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

K=20 PORT=5041
ktap_plan 5

if ! ks_load kscope_tcp; then
	ktap_fail "load kscope_tcp" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_eq "debugfs kinds: flows is a gauge" gauge \
	"$(awk '$1 == "flows" { print $2 }' "$KS_DEBUGFS/tcp/kinds")"
ktap_eq "kscope --json list: flows is a gauge" gauge \
	"$("$KSCOPE" --json list | jq -r 'select(.source == "tcp") | .counters[] | select(.name == "flows") | .kind')"

tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }
# the TCP sockets of both namespaces on PORT, listener and TIME-WAIT aside
ss_port() {
	local ns n=0
	for ns in $TCP_C $TCP_S; do
		n=$(( n + $(ip netns exec $ns ss -tnH state connected exclude time-wait \
			"( sport = :$PORT or dport = :$PORT )" | wc -l) ))
	done
	echo $n
}
g0=$(tcp_ctr flows)

rm -f "$KS_TMP"/gr "$KS_TMP"/gd*
ip netns exec $TCP_S $TCP_WORK holdsrv $TCP_S4 $PORT $K "$KS_TMP/gr" "$KS_TMP/gd.go" &
hs=$!
wait_file "$KS_TMP/gr"
ip netns exec $TCP_C $TCP_WORK hold $TCP_S4 $PORT $K "$KS_TMP/gd" &
hc=$!
wait_file "$KS_TMP/gd" 120
sleep 1
n=$(ss_port)
g=$(tcp_ctr flows)
nl=$("$KSCOPE" --json stat tcp | jq -r '.counters.flows')
ktap_eq "$K connections held: flows rose by what ss shows (2 x $K ends), netlink = debugfs" \
	"$((2 * K)) $((2 * K)) $g" "$n $((g - g0)) $nl"

touch "$KS_TMP/gd.go"
wait $hc $hs
# the passive ends close last (LAST-ACK until the client's ACK)
for ((i = 0; i < 200; i++)); do
	[ "$(tcp_ctr flows)" = "$g0" ] && [ "$(ss_port)" = 0 ] && break
	ks_sleep 0.1
done
ktap_eq "all closed: ss shows none, flows back to $g0" "0 $g0" "$(ss_port) $(tcp_ctr flows)"

tcp_netns_down
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
