# SPDX-License-Identifier: GPL-2.0
#
# Checks shared by the netfilter (02) and XDP (03) responder tests. The
# caller sets ANS4/ANS6 (commands printing the responder's answered
# counters) and RESP (its name in check names).

# pings per check; 5 on a KASAN kernel, where every process start costs
# seconds under TCG
N=${N:-$(ks_sized 20 5)}

# echo_check FAM: N pings answered by the responder, not by ksB's stack
echo_check() {
	local fam=$1 args dst stack0 stack1 msg0 msg1 a0 a1 got
	if [ $fam = 4 ]; then
		args="" dst=$B4
		stack0=$(snmp $NS_B Icmp OutEchoReps); msg0=$(snmp $NS_B IcmpMsg OutType0)
		a0=$($ANS4)
	else
		args="-6" dst=$B6
		stack0=$(snmp $NS_B 6 Icmp6OutEchoReplies); msg0=$stack0
		a0=$($ANS6)
	fi
	got=$(ping_replies $NS_A $args -c $N -i 0.05 -W 2 $dst)
	if [ $fam = 4 ]; then
		stack1=$(snmp $NS_B Icmp OutEchoReps); msg1=$(snmp $NS_B IcmpMsg OutType0)
		a1=$($ANS4)
	else
		stack1=$(snmp $NS_B 6 Icmp6OutEchoReplies); msg1=$stack1
		a1=$($ANS6)
	fi
	ktap_eq "$RESP: ping -$fam gets $N replies" $N "$got" replies
	ktap_eq "$RESP: ksB stack sent no IPv$fam echo reply" "0 0" \
		"$((stack1 - stack0)) $((msg1 - msg0))" "stack reply delta (OutEchoReps, OutType0)"
	ktap_eq "$RESP: answered counter moved by $N (IPv$fam)" $N $((a1 - a0)) answered
}

# stack_check FAM KIND SNMPPROTO FIELD: a crafted packet reaches ksB's
# stack (FIELD moves by one, InDelivers too) and the responder answers
# nothing
stack_check() {
	local fam=$1 kind=$2 proto=$3 field=$4 src dst f0 f1 d0 d1 a0 a1 ans
	if [ $fam = 4 ]; then
		src=$A4 dst=$B4 ans=$ANS4
		d0=$(snmp $NS_B Ip InDelivers)
	else
		src=$A6 dst=$B6 ans=$ANS6
		d0=$(snmp $NS_B 6 Ip6InDelivers)
	fi
	f0=$(snmp $NS_B $proto $field); a0=$($ans)
	craft va "$MAC_B" $src $dst $kind ${VLAN_ARGS:-} >/dev/null
	sleep 0.5
	f1=$(snmp $NS_B $proto $field); a1=$($ans)
	if [ $fam = 4 ]; then d1=$(snmp $NS_B Ip InDelivers); else d1=$(snmp $NS_B 6 Ip6InDelivers); fi
	ktap_eq "$RESP: IPv$fam $kind reaches the stack ($field +1, delivered, not answered)" \
		"1 1 0" "$((f1 - f0)) $((d1 - d0 > 0 ? 1 : 0)) $((a1 - a0))" \
		"($field delta, delivered, answered delta)"
}

# stack_checks [some]: every kind of packet the responder must leave to
# the stack; "some" on a KASAN kernel: bad checksums and fragments only
# (the XDP program is BPF, which KASAN does not instrument: the Debian
# kernels run the whole matrix)
stack_checks() {
	local k kinds="badsum truncated frag nonecho"
	[ "${1:-}" = some ] && ks_kasan && kinds="badsum frag"
	for k in badsum truncated frag nonecho; do
		if [[ " $kinds " != *" $k "* ]]; then
			ktap_skip "$RESP: IPv4 $k reaches the stack" "KASAN kernel: bad checksums and fragments only"
			ktap_skip "$RESP: IPv6 $k reaches the stack" "KASAN kernel: bad checksums and fragments only"
			continue
		fi
		case $k in
		badsum) stack_check 4 badsum Icmp InCsumErrors
			stack_check 6 badsum 6 Icmp6InCsumErrors ;;
		truncated) stack_check 4 truncated Icmp InErrors
			stack_check 6 truncated 6 Icmp6InErrors ;;
		frag) stack_check 4 frag Icmp OutEchoReps
			stack_check 6 frag 6 Icmp6OutEchoReplies ;;
		nonecho) stack_check 4 nonecho Icmp InTimestamps
			stack_check 6 nonecho 6 Icmp6InEchoReplies ;;
		esac
	done
}
