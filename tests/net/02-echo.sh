#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_net's netfilter echo responder in ksB: pings are answered by it
# (ksB's stack echo-reply counters stay still, the responder's move by the
# number of requests); bad-checksum, truncated, fragmented and non-echo
# ICMP reach the stack; off, or limited to another device, the stack
# answers; malformed-packet events are rate-limited and the rest counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"
. "$(dirname "$0")/lib-echo.sh"

ktap_plan 21
ks_load kscope_net malformed_events_per_sec=5 || { ktap_fail "load kscope_net"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }
craft_start || { ktap_fail "start craft.py --serve"; ktap_done; }

ANS4="ctr echo4_answered" ANS6="ctr echo6_answered" RESP=netfilter

out=$("$KSCOPE" net echo on --netns /run/netns/$NS_B 2>&1)
ktap_check "echo on in ksB" "$out" [ -z "$out" ]
echo_check 4
echo_check 6
stack_checks

# limited to a device the pings do not use: the stack answers
"$KSCOPE" net echo on --netns /run/netns/$NS_B --dev lo
s0=$(snmp $NS_B Icmp OutEchoReps); a0=$(ctr echo4_answered)
got=$(ping_replies $NS_A -c 5 -i 0.05 -W 2 $B4)
ktap_eq "echo on lo only: ksB's stack answers all 5 (replies, stack, responder)" \
	"5 5 0" "$got $(( $(snmp $NS_B Icmp OutEchoReps) - s0 )) $(( $(ctr echo4_answered) - a0 ))"

# malformed events: 30 bad checksums with 5 events/s allowed
"$KSCOPE" net echo on --netns /run/netns/$NS_B --dev vb
m0=$(ctr echo_malformed); s0=$(ctr events_suppressed)
"$KSCOPE" watch net >"$KS_TMP/watch" 2>"$KS_TMP/watch.err" &
wpid=$!
ks_wait_subscribed $wpid
t0=$(date +%s%N)
craft va "$MAC_B" $A4 $B4 badsum --count 30 >/dev/null
t1=$(date +%s%N)
ks_sleep 1	# the channel's flush
kill -INT $wpid; wait $wpid
ev=$(grep -c " net malformed .*bad_checksum" "$KS_TMP/watch")
m=$(( $(ctr echo_malformed) - m0 )); s=$(( $(ctr events_suppressed) - s0 ))
# 5 a second in one-second windows: the packets' span touches at most
# (whole seconds it took) + 2 windows (10 when sent within a second)
max=$(( 5 * ((t1 - t0) / 1000000000 + 2) ))
ktap_eq "30 bad checksums counted malformed" 30 $m malformed
ktap_check "events rate-limited ($ev events at most $max, $s suppressed)" "$(head -3 "$KS_TMP/watch"; cat "$KS_TMP/watch.err")" \
	test "$ev" -ge 1 -a "$ev" -le "$max" -a $((ev + s)) -eq 30

# off: the stack answers again, the responder does not
ip netns exec $NS_B sleep 60 &
bpid=$!
sleep 1
"$KSCOPE" net echo off --netns $bpid
kill $bpid
s0=$(snmp $NS_B Icmp OutEchoReps); a0=$(ctr echo4_answered)
got=$(ping_replies $NS_A -c 5 -i 0.05 -W 2 $B4)
ktap_eq "echo off (netns by pid): ksB's stack answers all 5" \
	"5 5 0" "$got $(( $(snmp $NS_B Icmp OutEchoReps) - s0 )) $(( $(ctr echo4_answered) - a0 ))"
s0=$(snmp $NS_B 6 Icmp6OutEchoReplies); a0=$(ctr echo6_answered)
got=$(ping_replies $NS_A -6 -c 5 -i 0.05 -W 2 $B6)
ktap_eq "echo off: ksB's stack answers all 5 IPv6" \
	"5 5 0" "$got $(( $(snmp $NS_B 6 Icmp6OutEchoReplies) - s0 )) $(( $(ctr echo6_answered) - a0 ))"

net_teardown
ks_unload kscope_net
ktap_check "unload" "kscope_net still loaded" bash -c '! [ -d /sys/module/kscope_net ]'
ktap_done
