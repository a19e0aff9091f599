#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow table is split into sets with a lock each (tcp_probe on one
# flow does not wait for another), and the flows file is built one set at
# a time, each copied under its lock and printed with none held. What a
# reader sees must still be the table: with K connections held open (2K
# sockets in the guest) and other connections coming and going, every read
# of the flows file lists each held connection's two ends exactly once,
# with the pid and comm of the process that opened it. Oracles: ss (the
# established 4-tuples of each namespace) and the workload's own pids.
# The same over netlink (`kscope tcp flows`, text and --json, a page of
# sets per request), which names other users' processes: nobody is
# refused with a clear error.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-tcp.sh"
# 60 held connections and 4 reads on a KASAN kernel (TCG): each read
# there takes tens of seconds
K=$(ks_sized 150 60) READS=$(ks_sized 10 4)
ktap_plan 10

if ! ks_load kscope_tcp; then
	ktap_fail "load kscope_tcp" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_tcp"
tcp_netns_up || { ktap_fail "netns setup"; ks_unload kscope_tcp; ktap_done; }
e0=$(tcp_ctr flow_evictions)

rm -f "$KS_TMP"/hr "$KS_TMP"/hd*
ip netns exec $TCP_S $TCP_WORK holdsrv $TCP_S4 5031 $K "$KS_TMP/hr" "$KS_TMP/hd.go" &
hs=$!
wait_file "$KS_TMP/hr"
ip netns exec $TCP_C $TCP_WORK hold $TCP_S4 5031 $K "$KS_TMP/hd" &
hc=$!
wait_file "$KS_TMP/hd" 120
sleep 1
# "local peer" of the held connections, from ss, and the pid of each end
{ ip netns exec $TCP_C ss -tnH state established "( dport = :5031 )"
  ip netns exec $TCP_S ss -tnH state established "( sport = :5031 )"
} | awk '{ print $3, $4 }' | sort >"$KS_TMP/ss"
n=$(wc -l <"$KS_TMP/ss")
ktap_eq "ss sees both ends of the $K held connections" $((2 * K)) "$n"

# connections coming and going meanwhile, on another port, each long
# enough for tcp_probe to sample it many times
rm -f "$KS_TMP"/lr
ip netns exec $TCP_S $TCP_WORK serve $TCP_S4 5032 100000 10 "$KS_TMP/lr" >/dev/null 2>&1 &
ls_=$!
wait_file "$KS_TMP/lr"
ip netns exec $TCP_C $TCP_WORK client $TCP_S4 5032 100000 500000 >/dev/null 2>&1 &
lc=$!
sleep 1
s0=$(tcp_ctr samples)
bad=0 diags=
for ((i = 0; i < READS; i++)); do
	cp "$KS_DEBUGFS/tcp/flows" "$KS_TMP/flows.$i"
	awk '$1 == "ipv4" && ($2 ~ /:5031$/ || $3 ~ /:5031$/) { print $2, $3 }' \
		"$KS_TMP/flows.$i" | sort >"$KS_TMP/held.$i"
	if ! cmp -s "$KS_TMP/ss" "$KS_TMP/held.$i"; then
		bad=$((bad + 1))
		diags="read $i: $(diff "$KS_TMP/ss" "$KS_TMP/held.$i" | head -4 | tr '\n' ' ')"
	fi
	ks_sleep 0.2
done
samples=$(( $(tcp_ctr samples) - s0 ))
kill $lc 2>/dev/null; wait $lc 2>/dev/null
kill $ls_ 2>/dev/null; wait $ls_ 2>/dev/null
ktap_check "$READS reads under traffic ($samples tcp_probe samples meanwhile): each lists every held end once" \
	"$bad reads differ from ss; $diags" test "$bad" -eq 0 -a "$samples" -gt 0
ev=$(( $(tcp_ctr flow_evictions) - e0 ))
ktap_eq "no eviction with $((2 * K)) flows in a table of $(awk '$1 == "capacity" { print $2 }' "$KS_DEBUGFS/tcp/table")" 0 "$ev"

f=$KS_TMP/flows.0
nc=$(awk -v p="pid $hc comm python3" '$3 ~ /:5031$/ && index($0, p)' "$f" | wc -l)
ktap_eq "client ends carry the connecting process (pid $hc, python3)" "$K" "$nc"
ns=$(awk -v p="pid $hs comm python3" '$2 ~ /:5031$/ && index($0, p)' "$f" | wc -l)
ktap_eq "server ends carry the accepting process (pid $hs, python3)" "$K" "$ns"

# netlink: text lines as debugfs prints them, and --json
"$KSCOPE" tcp flows >"$KS_TMP/nl.txt" 2>"$KS_TMP/nl.err"
rc=$?
"$KSCOPE" --json tcp flows >"$KS_TMP/nl.json" 2>>"$KS_TMP/nl.err"
rc=$((rc + $?))
awk '$1 == "ipv4" && ($2 ~ /:5031$/ || $3 ~ /:5031$/) { print $2, $3 }' \
	"$KS_TMP/nl.txt" | sort >"$KS_TMP/nl.held"
ktap_check "kscope tcp flows (netlink): every held end once, as ss" \
	"rc $rc $(head -2 "$KS_TMP/nl.err"); $(diff "$KS_TMP/ss" "$KS_TMP/nl.held" | head -4 | tr '\n' ' ')" \
	eval '[ $rc -eq 0 ] && cmp -s "$KS_TMP/ss" "$KS_TMP/nl.held"'
jq -r 'select(.family == "ipv4" and (.sport == 5031 or .dport == 5031)) |
	"\(.saddr):\(.sport) \(.daddr):\(.dport) \(.pid) \(.comm)"' \
	"$KS_TMP/nl.json" 2>>"$KS_TMP/nl.err" | sort >"$KS_TMP/nl.jheld"
jc=$(awk -v p="$hc" '$2 ~ /:5031$/ && $3 == p && $4 == "python3"' "$KS_TMP/nl.jheld" | wc -l)
js=$(awk -v p="$hs" '$1 ~ /:5031$/ && $3 == p && $4 == "python3"' "$KS_TMP/nl.jheld" | wc -l)
ktap_check "--json: every held end once, as ss, with its process" \
	"client ends $jc server ends $js of $K; $(head -2 "$KS_TMP/nl.err")" eval \
	'cut -d" " -f1,2 "$KS_TMP/nl.jheld" | cmp -s "$KS_TMP/ss" - && [ $jc -eq $K ] && [ $js -eq $K ]'
out=$(ks_as_nobody "$KSCOPE" tcp flows 2>&1); rc=$?
ktap_check "nobody: tcp flows refused, saying why" "rc $rc: ${out:0:300}" eval \
	'[ $rc -ne 0 ] && grep -q CAP_NET_ADMIN <<<"$out" && ! grep -q "^ipv" <<<"$out"'

touch "$KS_TMP/hd.go"
wait $hc $hs

tcp_netns_down
ks_unload kscope_tcp
ktap_check "unload kscope_tcp" "rmmod failed" tcp_unloaded
ktap_done
