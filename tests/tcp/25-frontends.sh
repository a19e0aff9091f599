#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope tcplife and kscope tcpconnect, the front-ends, against
# libbpf-tools' tcplife and tcpconnect on the same workload in the same
# boot (10-counts.sh's: N IPv4 and M IPv6 connections over a veth pair
# between two netns, known bytes each way). The front-ends print the
# anchors' columns, so one awk reads both: per server port, as many
# lifetimes and connects, and the same TX_KB/RX_KB (tcplife's 0.01 KB).
# A second tcplife run with the anchors' filters (-4 -L 5001) shows only
# the server side of the IPv4 connections, and the kernel-wide tcp filter
# is left alone (kscope status shows nothing of tcp's): the filters are
# the run's own.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

N=3 M=2 SEND=20480 REPLY=7000
ktap_plan 8

if [ ! -e /sys/kernel/btf/vmlinux ]; then
	ktap_skip "tcplife/tcpconnect comparison" "no BTF on this kernel (/sys/kernel/btf/vmlinux): libbpf-tools cannot load"
	ktap_done
fi
if ! ks_load kscope_tcp; then
	ktap_fail "load kscope_tcp" "$(dmesg | tail -5)"
	ktap_done
fi
"$KSCOPE" tcp filter --clear
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }
ktap_ok "load kscope_tcp, netns up, filter at its default"

# front_start NAME ARGS...: kscope ARGS into $KS_TMP/NAME.out, subscribed
front_start() {
	local name=$1; shift
	"$KSCOPE" "$@" >"$KS_TMP/$name.out" 2>"$KS_TMP/$name.err" &
	printf -v "${name}_pid" %s $!
	ks_wait_subscribed $! || diag "$name not subscribed after 60 s"
}
front_start kl tcplife
front_start klf tcplife -4 -L 5001
front_start kc tcpconnect
bpf_start tl tcplife || ks_skip_all "tcplife did not start: $(cat "$KS_TMP/tcplife.err")"
bpf_start tc tcpconnect || ks_skip_all "tcpconnect did not start: $(cat "$KS_TMP/tcpconnect.err")"

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
bpf_stop "$tl"
bpf_stop "$tc"
for p in $kl_pid $klf_pid $kc_pid; do kill -INT "$p"; done
rc=""
for p in $kl_pid $klf_pid $kc_pid; do wait "$p"; rc+=$?; done
ktap_eq "the three front-ends exit 0 after SIGINT" 000 "$rc" \
	"$(cat "$KS_TMP"/kl.err "$KS_TMP"/klf.err "$KS_TMP"/kc.err)"

# lifetimes per server port: lines with it as LPORT ($4) or RPORT ($6)
life() { awk -v p="$2" '$4 == p || $6 == p' "$1" | wc -l; }
ktap_eq "tcplife: as many lifetimes per port as libbpf-tools' tcplife" \
	"$(life "$KS_TMP/tcplife.out" 5001) $(life "$KS_TMP/tcplife.out" 5002)" \
	"$(life "$KS_TMP/kl.out" 5001) $(life "$KS_TMP/kl.out" 5002)" \
	"kscope: $(cat "$KS_TMP/kl.out")"
# the client ends' TX_KB RX_KB (RPORT is the server's)
kb() { awk '$6 == 5001 || $6 == 5002 { print $7, $8 }' "$1" | sort | uniq -c | tr -s ' '; }
ktap_eq "tcplife: the client ends' TX_KB and RX_KB = tcplife's" \
	"$(kb "$KS_TMP/tcplife.out")" "$(kb "$KS_TMP/kl.out")"
want="$(awk -v s=$SEND -v r=$REPLY 'BEGIN { printf "%.2f %.2f", s / 1024, r / 1024 }')"
ktap_eq "tcplife: the client ends moved the workload's bytes" " $((N + M)) $want" "$(kb "$KS_TMP/kl.out")"
# -4 -L 5001: the IPv4 server ends only
got=$(awk 'NR > 1 { print $4 }' "$KS_TMP/klf.out" | sort | uniq -c | tr -s ' ')
r4=$(awk '$4 == 5001' "$KS_TMP/tcplife.out" | wc -l)
ktap_eq "tcplife -4 -L 5001: the IPv4 server ends alone, as many as tcplife's" " $r4 5001" "$got" \
	"$(cat "$KS_TMP/klf.out")"
# connects per destination port ($NF, DPORT last in both)
conn() { awk -v p="$2" '$NF == p' "$1" | wc -l; }
# and the IP column ($3): 4 for port 5001's, 6 for 5002's
ipc() { awk '$NF == 5001 || $NF == 5002 { print $NF, $3 }' "$1" | sort -u | tr '\n' ' '; }
ktap_eq "tcpconnect: as many connects per port as libbpf-tools' tcpconnect, the same IP column" \
	"$(conn "$KS_TMP/tcpconnect.out" 5001) $(conn "$KS_TMP/tcpconnect.out" 5002) $(ipc "$KS_TMP/tcpconnect.out")" \
	"$(conn "$KS_TMP/kc.out" 5001) $(conn "$KS_TMP/kc.out" 5002) $(ipc "$KS_TMP/kc.out")" \
	"kscope: $(cat "$KS_TMP/kc.out"); tcpconnect: $(cat "$KS_TMP/tcpconnect.out")"
st=$("$KSCOPE" status | awk '$1 == "tcp"')
ktap_eq "the runs' filters left no kernel-wide setting (kscope status)" "" "$st"

tcp_netns_down
ks_unload kscope_tcp
ktap_done
