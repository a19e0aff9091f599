#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Connection life over a veth pair between two netns: N IPv4 and M IPv6
# connections with known byte counts. kscope's connect/accept/close counts
# must equal the workload's and libbpf-tools' tcpconnect/tcplife for the
# same run; close events must carry exactly the bytes the workload moved,
# the netns of each end, and the pid recorded at connect/accept.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

N=4 M=3 SEND=20480 REPLY=7000
ktap_plan 16

# KS_TCP_MECH (set by 11-counts-direct.sh): kscope_tcp's mech= parameter
if ! ks_load kscope_tcp ${KS_TCP_MECH:+mech=$KS_TCP_MECH}; then
	ktap_fail "load kscope_tcp${KS_TCP_MECH:+ mech=$KS_TCP_MECH}" "$(dmesg | tail -5)"
	ktap_done
fi
if [ -n "${KS_TCP_MECH:-}" ]; then
	att=$(cat "$KS_DEBUGFS/tcp/attach")
	ktap_check "load kscope_tcp mech=$KS_TCP_MECH: its accept hook says $KS_TCP_MECH" "$att" \
		bash -c "grep -q '; $KS_TCP_MECH inet_csk_accept' <<<'$att'"
else
	ktap_ok "load kscope_tcp"
fi
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }

"$KSCOPE" tcp filter --clear --events all
watch_start ev
have_bpf=1 bpf_why="libbpf-tools did not start"
if [ ! -e /sys/kernel/btf/vmlinux ]; then
	# the debug kernel is built without DEBUG_INFO, so without BTF
	have_bpf=0 bpf_why="no BTF on this kernel (/sys/kernel/btf/vmlinux): libbpf-tools cannot load"
else
	bpf_start tc_pid tcpconnect || have_bpf=0
	bpf_start tl_pid tcplife || have_bpf=0
fi

declare -A before
for c in connects_v4 connects_v6 accepts_v4 accepts_v6 closes_v4 closes_v6; do
	before[$c]=$(tcp_ctr $c)
done

rm -f "$KS_TMP"/ready4 "$KS_TMP"/ready6
ip netns exec $TCP_S $TCP_WORK serve $TCP_S4 5001 $N $REPLY "$KS_TMP/ready4" >"$KS_TMP/s4.out" &
s4=$!
ip netns exec $TCP_S $TCP_WORK serve $TCP_S6 5002 $M $REPLY "$KS_TMP/ready6" >"$KS_TMP/s6.out" &
s6=$!
wait_file "$KS_TMP/ready4" && wait_file "$KS_TMP/ready6"
ip netns exec $TCP_C $TCP_WORK client $TCP_S4 5001 $N $SEND >"$KS_TMP/c4.out" &
c4=$!
ip netns exec $TCP_C $TCP_WORK client $TCP_S6 5002 $M $SEND >"$KS_TMP/c6.out" &
c6=$!
wait $c4 $c6 $s4 $s6
sleep 2	# closes happen in softirq after the last FIN/ACK

declare -A delta
for c in "${!before[@]}"; do
	delta[$c]=$(( $(tcp_ctr $c) - ${before[$c]} ))
done
[ "$have_bpf" = 1 ] && { bpf_stop "$tc_pid"; bpf_stop "$tl_pid"; }
watch_stop
ev=$KS_TMP/ev.ev

# the workload's own word first
w4=$(grep -c "received $REPLY" "$KS_TMP/c4.out")
w6=$(grep -c "received $REPLY" "$KS_TMP/c6.out")
ktap_eq "workload completed $N IPv4 and $M IPv6 exchanges" "$N $M" "$w4 $w6"

ktap_eq "connects_v4/v6 = workload's connects" "$N $M" \
	"${delta[connects_v4]} ${delta[connects_v6]}"
ktap_eq "accepts_v4/v6 = workload's accepts" "$N $M" \
	"${delta[accepts_v4]} ${delta[accepts_v6]}"
# both ends of each connection live in this kernel: two closes each
r4=$(tcp_raced "$ev" 5001) r6=$(tcp_raced "$ev" 5002)
[ "$r4$r6" = 00 ] || diag "children that lost the handshake race: v4 $r4, v6 $r6" \
	"$(tcp_events "$ev" close "$TCP_RACED")"
ktap_eq "closes_v4/v6 = both ends of each connection" "$((2 * N + r4)) $((2 * M + r6))" \
	"${delta[closes_v4]} ${delta[closes_v6]}"

if [ "$have_bpf" = 1 ]; then
	tc4=$(awk '$NF == 5001' "$KS_TMP/tcpconnect.out" | wc -l)
	tc6=$(awk '$NF == 5002' "$KS_TMP/tcpconnect.out" | wc -l)
	tcp_eq "connects = tcpconnect's" "$tc4 $tc6" \
		"${delta[connects_v4]} ${delta[connects_v6]}" \
		"$(cat "$KS_TMP/tcpconnect.out")"
	tl4=$(awk '$4 == 5001 || $6 == 5001' "$KS_TMP/tcplife.out" | wc -l)
	tl6=$(awk '$4 == 5002 || $6 == 5002' "$KS_TMP/tcplife.out" | wc -l)
	ktap_eq "closes = tcplife's" "$tl4 $tl6" \
		"${delta[closes_v4]} ${delta[closes_v6]}"
	# tcplife's passive side: lines whose local port is the server's
	tla=$(awk '$4 == 5001 || $4 == 5002' "$KS_TMP/tcplife.out" | wc -l)
	ktap_eq "accepts = tcplife's server-side lifetimes" "$tla" \
		"$(( ${delta[accepts_v4]} + ${delta[accepts_v6]} + r4 + r6 ))"
else
	for t in "connects = tcpconnect's" "closes = tcplife's" \
		 "accepts = tcplife's server-side lifetimes"; do
		ktap_skip "$t" "$bpf_why: $(head -c 200 "$KS_TMP"/tcp*.err 2>/dev/null | tr '\n' ' ')"
	done
fi

# what the extra lifetimes were, if any
for e in $(tcp_events "$ev" close '.data_sent == 0 and .data_received == 0' '"\(.sport)-\(.dport)"'); do
	diag "empty lifetime $e:"
	diag "$(tcp_events "$ev" state ".sport == ${e%-*} and .dport == ${e#*-}")"
	diag "$(grep -E "^(.*[^0-9])?(${e%-*}|${e#*-})( |\$)" "$KS_TMP/tcplife.out")"
done

# close events: exact bytes of every connection end
cl=$(tcp_events "$ev" close '.dport == 5001 or .dport == 5002' '"\(.data_sent) \(.data_received)"' | sort | uniq -c | tr -s ' ')
ktap_eq "client close events: sent $SEND, received $REPLY" \
	" $((N + M)) $SEND $REPLY" "$cl"
sv=$(tcp_events "$ev" close "(.sport == 5001 or .sport == 5002) and $TCP_REAL" '"\(.data_sent) \(.data_received)"' | sort | uniq -c | tr -s ' ')
ktap_eq "server close events: sent $REPLY, received $SEND" \
	" $((N + M)) $REPLY $SEND" "$sv"

if [ "$have_bpf" = 1 ]; then
	# tcplife rounds to 0.01 KB: compare at its precision
	kb=$(awk '$6 == 5001 || $6 == 5002 { print $7, $8 }' "$KS_TMP/tcplife.out" | sort -u)
	ktap_eq "tcplife's client bytes agree (KB)" \
		"$(awk -v s=$SEND -v r=$REPLY 'BEGIN { printf "%.2f %.2f", s / 1024, r / 1024 }')" "$kb"
	# and kscope's raw counters are the very values tcplife printed
	kr=$(tcp_events "$ev" close '.dport == 5001 or .dport == 5002' '"\(.bytes_acked / 1024 * 100 + 0.5 | floor) \(.bytes_received / 1024 * 100 + 0.5 | floor)"' | sort -u)
	tr_=$(awk '$6 == 5001 || $6 == 5002 { printf "%d %d\n", $7 * 100 + 0.5, $8 * 100 + 0.5 }' "$KS_TMP/tcplife.out" | sort -u)
	ktap_eq "raw bytes_acked/received = tcplife's TX/RX (0.01 KB)" "$tr_" "$kr"
else
	ktap_skip "tcplife's client bytes agree (KB)" "$bpf_why"
	ktap_skip "raw bytes_acked/received = tcplife's TX/RX (0.01 KB)" "$bpf_why"
fi

got=$(tcp_events "$ev" state '.newstate == "ESTABLISHED" and (.sport == 5001 or .sport == 5002 or .dport == 5001 or .dport == 5002)' | wc -l)
ktap_eq "state events (asked for): both ends reach ESTABLISHED" "$((2 * (N + M)))" "$got"

nc=$(tcp_netns_inum $TCP_C 2>/dev/null || echo none)
ns=$(tcp_netns_inum $TCP_S 2>/dev/null || echo none)
got=$(tcp_events "$ev" close '.dport == 5001 or .dport == 5002' .netns | sort -u)
got2=$(tcp_events "$ev" close '.sport == 5001 or .sport == 5002' .netns | sort -u)
ktap_eq "close events carry each end's netns" "$nc $ns" "$got $got2"

got=$(tcp_events "$ev" connect '.dport == 5001' .flow_pid | sort -u)
ktap_eq "connect events carry the connecting pid" "$c4" "$got"
got=$(tcp_events "$ev" accept '.sport == 5002' '"\(.pid) \(.flow_pid)"' | sort -u)
ktap_eq "accept events carry the accepting pid" "$s6 $s6" "$got"

tcp_netns_down
"$KSCOPE" tcp filter --clear
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
