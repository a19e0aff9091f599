#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Congestion sampling and retransmissions over a lossy veth (netem): the
# flow table's cwnd/ssthresh for a settled flow equal `ss -ti` taken at the
# same moment; retransmissions counted by kscope equal the netns' own
# RetransSegs (/proc/net/snmp, GSO off so one skb = one segment) and the
# last retransmit event carries ss's total retransmits; a port filter
# selects exactly the flow it names.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

BULK=1500000
ktap_plan 11

if ! ks_load kscope_tcp; then
	ktap_fail "load kscope_tcp" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_tcp"
modprobe sch_netem 2>/dev/null
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }
for ns in $TCP_C $TCP_S; do
	ip netns exec $ns ethtool -K kst_veth_${ns#kst_} tso off gso off gro off >/dev/null 2>&1
done
if ! ip netns exec $TCP_C tc qdisc add dev kst_veth_c root netem loss 10%; then
	ktap_fail "netem loss on the client's veth" "sch_netem missing?"
	tcp_netns_down; ks_unload kscope_tcp; ktap_done
fi
ktap_ok "netem loss on the client's veth"

"$KSCOPE" tcp filter --clear --port 5003
ktap_eq "filter port 5003 set (read back over netlink)" "port 5003" \
	"$("$KSCOPE" tcp filter --show | grep '^port')"

snmp_retrans() {
	ip netns exec "$1" awk '$1 == "Tcp:" && !h { for (i = 1; i <= NF; i++) c[$i] = i; h = 1; next }
		$1 == "Tcp:" { print $c["RetransSegs"] }' /proc/net/snmp
}
r0=$(( $(snmp_retrans $TCP_C) + $(snmp_retrans $TCP_S) ))
k0=$(( $(tcp_ctr retransmits_v4) + $(tcp_ctr retransmits_v6) ))
watch_start ev

# the flow the filter names (IPv4, lossy) and one it does not (IPv6)
rm -f "$KS_TMP"/bready "$KS_TMP"/bdone* "$KS_TMP"/oready
ip netns exec $TCP_S $TCP_WORK bulksrv $TCP_S4 5003 "$KS_TMP/bready" >"$KS_TMP/bs.out" &
bs=$!
ip netns exec $TCP_S $TCP_WORK serve $TCP_S6 5004 1 100 "$KS_TMP/oready" >"$KS_TMP/os.out" &
os=$!
wait_file "$KS_TMP/bready" && wait_file "$KS_TMP/oready"
ip netns exec $TCP_C $TCP_WORK bulk $TCP_S4 5003 $BULK "$KS_TMP/bready" "$KS_TMP/bdone" >"$KS_TMP/b.out" &
b=$!
ip netns exec $TCP_C $TCP_WORK client $TCP_S6 5004 1 300000 >"$KS_TMP/o.out" &
o=$!
wait_file "$KS_TMP/bdone" 240 ||
	diag "the bulk flow did not finish in 240 s: $(cat "$KS_TMP/b.out" "$KS_TMP/bs.out")"
wait $o $os

# the same moment: the flow is settled (see tcpwork.py bulk)
lport=$(awk '/bulk lport/ { print $3 }' "$KS_TMP/b.out")
[ -n "$lport" ] || diag "no local port in the bulk client's output: $(cat "$KS_TMP/b.out")"
ssl=$(ip netns exec $TCP_C ss -tinH "sport = :$lport" | tr '\n' ' ')
t_ss=$(/usr/bin/python3 -c 'import time; print(time.monotonic_ns())')
fl=$(grep -E "^ipv4 $TCP_C4:$lport " "$KS_DEBUGFS/tcp/flows")
ss_cwnd=$(grep -oE ' cwnd:[0-9]+' <<<"$ssl" | cut -d: -f2)
ss_ssth=$(grep -oE ' ssthresh:[0-9]+' <<<"$ssl" | cut -d: -f2)
ss_retr=$(grep -oE ' retrans:[0-9]+/[0-9]+' <<<"$ssl" | cut -d/ -f2)
# ss prints retrans only when there was one; none seen is then 0
[ -n "$ss_cwnd" ] && ss_retr=${ss_retr:-0}
ks_cwnd=$(awk '{ for (i = 1; i < NF; i++) if ($i == "cwnd") print $(i + 1) }' <<<"$fl")
ks_ssth=$(awk '{ for (i = 1; i < NF; i++) if ($i == "ssthresh") print $(i + 1) }' <<<"$fl")
# exact: the last segment the sender received acked nothing new, so the
# sample taken on entry to tcp_rcv_established is the settled state
# two missing values differ: a flow neither shows is a failure
tcp_eq "cwnd = ss -ti's" "${ss_cwnd:-none in ss}" "${ks_cwnd:-none}" \
	"ss: $ssl"$'\n'"kscope: $fl"
# ss prints ssthresh only below 0xFFFF (iproute2's tcp_show_info): a
# socket in ss without one has an ssthresh at least that, as when every
# loss turned out spurious (DSACKs) and its undo restored the initial,
# infinite one
if [ -n "$ss_cwnd" ] && [ -z "$ss_ssth" ]; then
	ktap_check "ssthresh = ss -ti's (none printed: 65535 or more)" \
		"kscope's ${ks_ssth:-none}"$'\n'"ss: $ssl"$'\n'"kscope: $fl" \
		test "${ks_ssth:-0}" -ge 65535
else
	tcp_eq "ssthresh = ss -ti's" "${ss_ssth:-none in ss}" "${ks_ssth:-none}" \
		"ss: $ssl"$'\n'"kscope: $fl"
fi

touch "$KS_TMP/bdone.go"
wait $b $bs
sleep 1
watch_stop
ev=$KS_TMP/ev.ev
r1=$(( $(snmp_retrans $TCP_C) + $(snmp_retrans $TCP_S) ))
k1=$(( $(tcp_ctr retransmits_v4) + $(tcp_ctr retransmits_v6) ))

if [ $((r1 - r0)) -gt 0 ]; then
	ktap_eq "retransmits = RetransSegs of both netns" "$((r1 - r0))" "$((k1 - k0))"
else
	ktap_fail "retransmits = RetransSegs of both netns" "netem caused no retransmission"
fi
# segments in retransmit events until ss looked (a lost FIN may follow)
segs=$(tcp_events "$ev" retransmit ".sport == $lport and .ts < $t_ss" | jq -s 'map(.segs) | add // 0')
tcp_eq "retransmit events' segments = ss's total retrans" "${ss_retr:-none}" "$segs" \
	"lport ${lport:-none}; ss: $ssl"$'\n'"kscope: $fl"

n=$(tcp_events "$ev" cong | wc -l)
bad=$(tcp_events "$ev" cong '.sport != 5003 and .dport != 5003' | wc -l)
ktap_check "cong events on change, only for port 5003 ($n events)" \
	"$bad events of other flows" test "$n" -gt 0 -a "$bad" -eq 0
got=$(tcp_events "$ev" close '' '"\(.sport) \(.dport)"' | grep -c -w 5003)
other=$(tcp_events "$ev" close '.sport == 5004 or .dport == 5004' | wc -l)
ktap_eq "close events: both ends of 5003, none of 5004" "2 0" "$got $other"
# cong events are changes only: no two consecutive equal cwnd/ssthresh per
# flow, in time order (the stream is ordered per CPU, a flow moves between CPUs)
dup=$(tcp_events "$ev" cong ".sport == $lport" | jq -s -r 'sort_by(.ts)[] | "\(.cwnd) \(.ssthresh)"' | uniq -d | wc -l)
ktap_eq "cong events only on cwnd/ssthresh change" 0 "$dup"

"$KSCOPE" tcp filter --clear
tcp_netns_down
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
