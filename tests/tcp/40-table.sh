#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow table is bounded and says so: a bad flow_max fails the load
# with one clear line and nothing left behind; with more live flows than
# it holds, it stays full and counts evictions (ss is the oracle for the
# number of live flows), and its "flows" gauge says it is full, not how
# many flows went through it (an eviction is one flow in place of
# another), then is back where it was when they have all closed; load
# and unload under traffic, with a listener, leave no warning (guest-run
# checks the log).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

K=20 CAP=16
ktap_plan 9

ks_load kscope_core
dmesg -C 2>/dev/null
if insmod "$(ks_ko kscope_tcp)" flow_max=0 2>/dev/null; then
	ktap_fail "flow_max=0 refused"
	ks_unload kscope_tcp
else
	ktap_check "flow_max=0 refused, one clear line, nothing registered" \
		"$(dmesg | tail -3)" eval \
		'tcp_unloaded && [ ! -e $KS_DEBUGFS/tcp ] && dmesg | grep -q "flow_max=0 out of range"'
fi

if ! ks_load kscope_tcp flow_max=$CAP; then
	ktap_fail "load with flow_max=$CAP" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load with flow_max=$CAP"
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }

e0=$(tcp_ctr flow_evictions) g0=$(tcp_ctr flows)
rm -f "$KS_TMP"/hr "$KS_TMP"/hd*
ip netns exec $TCP_S $TCP_WORK holdsrv $TCP_S4 5021 $K "$KS_TMP/hr" "$KS_TMP/hd.go" &
hs=$!
wait_file "$KS_TMP/hr"
ip netns exec $TCP_C $TCP_WORK hold $TCP_S4 5021 $K "$KS_TMP/hd" &
hc=$!
wait_file "$KS_TMP/hd" 120
sleep 1
live=$(( $(ip netns exec $TCP_C ss -tnH state established | wc -l) +
	 $(ip netns exec $TCP_S ss -tnH state established | wc -l) ))
active=$(awk '$1 == "active" { print $2 }' "$KS_DEBUGFS/tcp/table")
ev=$(( $(tcp_ctr flow_evictions) - e0 ))
ktap_eq "table full at its capacity" "$CAP" "$active"
ktap_check "evictions counted: at least live flows ($live) - capacity" \
	"evictions $ev" test "$live" -eq $((2 * K)) -a "$ev" -ge $((live - CAP))
ktap_eq "flows gauge: the capacity ($CAP) with $live live flows, evictions aside" \
	"$CAP" "$(tcp_ctr flows)"
touch "$KS_TMP/hd.go"
wait $hc $hs
# the last ends close after the workload exits (LAST-ACK)
for ((i = 0; i < 200; i++)); do
	[ "$(tcp_ctr flows)" = "$g0" ] && break
	ks_sleep 0.1
done
left=$(( $(ip netns exec $TCP_C ss -tnH state connected exclude time-wait | wc -l) +
	 $(ip netns exec $TCP_S ss -tnH state connected exclude time-wait | wc -l) ))
ktap_eq "all closed (ss: none left but in TIME-WAIT): flows gauge back to $g0" \
	"0 $g0" "$left $(tcp_ctr flows)"

# load/unload under traffic with a subscribed reader
rm -f "$KS_TMP"/lr
ip netns exec $TCP_S $TCP_WORK serve $TCP_S4 5022 100000 10 "$KS_TMP/lr" >/dev/null 2>&1 &
ls_=$!
wait_file "$KS_TMP/lr"
( end=$((SECONDS + 20)); while [ $SECONDS -lt $end ]; do
	ip netns exec $TCP_C $TCP_WORK client $TCP_S4 5022 20 20000 >/dev/null 2>&1 || break
done ) &
lc=$!
ks_unload kscope_tcp
fails=0
for i in 1 2 3 4 5; do
	ks_load kscope_tcp || fails=$((fails + 1))
	watch_start lu$i
	"$KSCOPE" tcp filter --sample-all >/dev/null 2>&1
	sleep 1
	watch_stop
	ks_unload kscope_tcp || fails=$((fails + 1))
done
kill $lc 2>/dev/null; wait $lc 2>/dev/null
kill $ls_ 2>/dev/null; wait $ls_ 2>/dev/null
nev=$(cat "$KS_TMP"/lu*.ev | grep -c '"source":"tcp"')
ktap_check "5 load/unload cycles under traffic ($nev events seen)" \
	"$fails failures" test "$fails" -eq 0 -a "$nev" -gt 0
ktap_check "no warning in the kernel log" "$(dmesg | grep -E 'WARNING|BUG|Oops' | head -3)" \
	eval '! dmesg | grep -qE "WARNING|BUG:|Oops"'

tcp_netns_down
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
