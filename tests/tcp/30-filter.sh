#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Filters set over netlink select exactly the flows they name: by address,
# by netns, by the pid recorded at connect. The workload's own ports,
# families and pids are the oracle. Bad requests are refused with a reason;
# an unprivileged user cannot change the filter.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"

N=2 M=2 SEND=3000 REPLY=1000
ktap_plan 12

if ! ks_load kscope_tcp; then
	ktap_fail "load kscope_tcp" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_tcp"
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }

# run_pair TAG [GOFILE]: N IPv4 (port 5011) and M IPv6 (port 5012)
# exchanges; the v4 client waits for GOFILE. Sets c4 (its pid).
run_pair() {
	local tag=$1 go=${2:-}
	rm -f "$KS_TMP"/r4 "$KS_TMP"/r6
	ip netns exec $TCP_S $TCP_WORK serve $TCP_S4 5011 $N $REPLY "$KS_TMP/r4" >/dev/null &
	local s4=$!
	ip netns exec $TCP_S $TCP_WORK serve $TCP_S6 5012 $M $REPLY "$KS_TMP/r6" >/dev/null &
	local s6=$!
	wait_file "$KS_TMP/r4" && wait_file "$KS_TMP/r6"
	ip netns exec $TCP_C $TCP_WORK client $TCP_S4 5011 $N $SEND $go >"$KS_TMP/$tag.c4" &
	c4=$!
	[ -n "$go" ] && { "$KSCOPE" tcp filter --clear --pid "$c4"; touch "$go"; }
	ip netns exec $TCP_C $TCP_WORK client $TCP_S6 5012 $M $SEND >"$KS_TMP/$tag.c6" &
	local c6=$!
	wait $c4 $c6 $s4 $s6
	sleep 1
}

# 1. address: only the IPv6 flows (both ends name 2001:db8::2)
"$KSCOPE" tcp filter --clear --addr $TCP_S6
watch_start addr
run_pair addr
watch_stop
got=$(tcp_events "$KS_TMP/addr.ev" close "$TCP_REAL" .family | sort | uniq -c | tr -s ' ')
tcp_eq "addr filter: close events of the IPv6 flows only" " $((2 * M)) 6" "$got" \
	"$(tcp_events "$KS_TMP/addr.ev" close)"
got=$(tcp_events "$KS_TMP/addr.ev" state | wc -l)
ktap_eq "no state events unless asked for" 0 "$got"

# 2. netns: only the server's ends
nss=$(tcp_netns_inum $TCP_S)
"$KSCOPE" tcp filter --clear --netns "$nss"
watch_start netns
run_pair netns
watch_stop
got=$(tcp_events "$KS_TMP/netns.ev" close "$TCP_REAL" '"\(.netns) \(.sport)"' | sort | uniq -c | tr -s ' ')
ktap_eq "netns filter: close events of the server's ends only" \
	" $N $nss 5011"$'\n'" $M $nss 5012" "$got"

# 3. pid: only the IPv4 client's flows (its pid is known before it connects)
watch_start pid
run_pair pid "$KS_TMP/go"
watch_stop
got=$(tcp_events "$KS_TMP/pid.ev" connect '' '"\(.flow_pid) \(.dport)"' | sort | uniq -c | tr -s ' ')
ktap_eq "pid filter: connect events of that process only" " $N $c4 5011" "$got"
got=$(tcp_events "$KS_TMP/pid.ev" close '' '"\(.flow_pid) \(.data_sent)"' | sort | uniq -c | tr -s ' ')
ktap_eq "pid filter: close events of that process only, its bytes" " $N $c4 $SEND" "$got"
ktap_eq "filter readable in debugfs" "pid $c4" "$(grep '^pid' "$KS_DEBUGFS/tcp/filter")"

# 4. event types: close only
"$KSCOPE" tcp filter --clear --events close
watch_start types
run_pair types
watch_stop
got=$(jq -r 'select(.source == "tcp") | .event' "$KS_TMP/types.ev" | sort | uniq -c | tr -s ' ')
r=$(tcp_raced "$KS_TMP/types.ev" 5011 5012)
tcp_eq "--events close: close events only, of every end" " $((2 * (N + M) + r)) close" "$got" \
	"$(tcp_events "$KS_TMP/types.ev" close)"

# 5. refusals
out=$("$KSCOPE" tcp filter --pid 99999999 2>&1)
rc=$?
ktap_check "pid out of range refused with a reason" "rc=$rc: $out" \
	test "$rc" -ne 0 -a -n "$(grep -i 'range\|invalid' <<<"$out")"
out=$(ks_as_nobody "$KSCOPE" tcp filter --port 80 2>&1)
rc=$?
cur=$("$KSCOPE" tcp filter --show | awk '$1 == "port" { print $2 }')
ktap_check "unprivileged filter change refused" "rc=$rc port=$cur: $out" \
	test "$rc" -ne 0 -a "$cur" = 0

"$KSCOPE" tcp filter --clear
ktap_eq "cleared filter reads back as any" "port 0 netns 0 pid 0" \
	"$("$KSCOPE" tcp filter --show | awk '$1 ~ /port|netns|pid/' | tr '\n' ' ' | sed 's/ $//')"

tcp_netns_down
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
