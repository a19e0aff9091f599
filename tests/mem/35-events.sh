#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# High-order events against ftrace's kmem:mm_page_alloc (filtered to order
# >= 3) over the same run, with a `kscope watch mem` listening and the
# threshold at 3:
#   - the workload's (K pipe resizes: order-5 allocations in its process)
#     events carry exactly the orders and pfns ftrace saw for its task in
#     task context: the payload is read as its schema describes it (a
#     padding hole once shifted pfn by 32 bits and leaked stack);
#   - every event's pfn lies in the zone it names (/proc/zoneinfo
#     start_pfn + spanned) and is aligned to its order; failed is 0 or 1,
#     and 1 exactly when pfn is 0;
#   - the channel's flush worker (the tasks ftrace's
#     workqueue_execute_start shows running kscope_flush_fn) allocates
#     order-3 skbs as it delivers, which ftrace sees, but none of its
#     allocations becomes an event.
. "$(dirname "$0")/../lib.sh"

ktap_plan 6
K=20
T=/sys/kernel/tracing
WORK="/usr/bin/python3 $KS_TOP/tests/mem/memwork.py"

trace_off() {
	echo 0 >$T/tracing_on
	echo 0 >$T/events/kmem/mm_page_alloc/enable
	echo 0 >$T/events/kmem/mm_page_alloc/filter
	echo 0 >$T/events/workqueue/workqueue_execute_start/enable
	echo 0 >$T/events/workqueue/workqueue_execute_start/filter
}

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"

echo 0 >$T/tracing_on
echo >$T/trace
echo 'order >= 3' >$T/events/kmem/mm_page_alloc/filter
echo 1 >$T/events/kmem/mm_page_alloc/enable
fa=$(awk '$3 == "kscope_flush_fn" { print $1; exit }' /proc/kallsyms)
[ -n "$fa" ] && echo "function == 0x$fa" >$T/events/workqueue/workqueue_execute_start/filter
echo 1 >$T/events/workqueue/workqueue_execute_start/enable
echo 1 >$T/tracing_on

"$KSCOPE" mem high-order 3
o0=$(ks_counter mem high_order_own)
watch_start ev mem
$WORK pipes $K >"$KS_TMP/pipes.json" &
pp=$!
ks_wait_stopped $pp
kill -CONT $pp; ks_sleep 0.3; ks_wait_stopped $pp
# let the flush worker deliver (flush_ms: 10 ms; TCG is slow)
ks_sleep 1
kill -CONT $pp; wait $pp
ks_sleep 0.5
watch_stop
trace_off
"$KSCOPE" mem high-order 0
o1=$(ks_counter mem high_order_own)
cp $T/trace "$KS_TMP/trace"
echo >$T/trace

# "pid order pfn" of task-context lines (the third flag is '.', not h/s)
awk '/ mm_page_alloc: / && match($0, /-[0-9]+ +\[[0-9]+\] +[^ ]+/) {
	split(substr($0, RSTART + 1, RLENGTH - 1), w, /[][ ]+/)
	if (substr(w[3], 3, 1) != ".") next
	pfn = $0; sub(/.* pfn=0x/, "", pfn); sub(/ .*/, "", pfn)
	ord = $0; sub(/.* order=/, "", ord); sub(/ .*/, "", ord)
	print w[1], ord, pfn }' "$KS_TMP/trace" >"$KS_TMP/ft.allocs"
awk '/ workqueue_execute_start: .*kscope_flush_fn/ && match($0, /-[0-9]+ +\[/) {
	p = substr($0, RSTART + 1, RLENGTH - 1); sub(/ .*/, "", p); print p }' \
	"$KS_TMP/trace" | sort -u >"$KS_TMP/flush.pids"
jq -r 'select(.source == "mem" and .event == "high_order") |
	"\(.pid // "-") \(.order) \(.pfn | ltrimstr("0x")) \(.zone) \(.failed)"' \
	"$KS_TMP/ev.ev" >"$KS_TMP/ks.ev"
diag "kscope events: $(wc -l <"$KS_TMP/ks.ev"); ftrace task-context allocations of order >= 3: $(wc -l <"$KS_TMP/ft.allocs"); flush workers: $(tr '\n' ' ' <"$KS_TMP/flush.pids")"

ft=$(awk -v p=$pp '$1 == p && $3 != "ffffffffffffffff" { print $2, $3 }' "$KS_TMP/ft.allocs" | sort)
ks=$(awk -v p=$pp '$1 == p && $5 == 0 { print $2, $3 }' "$KS_TMP/ks.ev" | sort)
n5=$(grep -c '^5 ' <<<"$ft")
if [ "$n5" -ge "$K" ] && [ "$ft" = "$ks" ]; then
	ktap_ok "the workload's events: the orders and pfns ftrace saw ($(wc -l <<<"$ft"), $n5 of order 5)"
else
	ktap_fail "the workload's events: the orders and pfns ftrace saw" \
		"ftrace (order pfn), $n5 of order 5 (want >= $K):" "$ft" "kscope:" "$ks"
fi

bad=$(awk '$5 != 0 && $5 != 1 || ($5 == 1) != ($3 == "0")' "$KS_TMP/ks.ev")
ktap_check "failed is 0 or 1, and 1 exactly when pfn is 0" "$bad" \
	test -s "$KS_TMP/ks.ev" -a -z "$bad"

# zone start_pfn spanned, per zone name (a name may repeat across nodes)
awk '/^Node/ { z = $4 } $1 == "spanned" { sp = $2 } $1 == "start_pfn:" { print z, $2, sp }' \
	/proc/zoneinfo >"$KS_TMP/zones"
bad=
while read -r pid ord pfn zone failed; do
	[ "$failed" = 0 ] || continue
	p=$((16#$pfn)) ok=0
	while read -r z start span; do
		[ "$z" = "$zone" ] && [ $p -ge "$start" ] && [ $p -lt $((start + span)) ] && ok=1
	done <"$KS_TMP/zones"
	[ $((p % (1 << ord))) = 0 ] || ok=0
	[ $ok = 1 ] || bad+="pid $pid order $ord pfn 0x$pfn zone $zone; "
done <"$KS_TMP/ks.ev"
ktap_check "every pfn inside its zone (/proc/zoneinfo) and aligned to its order" \
	"$bad $(cat "$KS_TMP/zones")" test -s "$KS_TMP/ks.ev" -a -z "$bad"

# the flush worker's own allocations: ftrace sees them, kscope makes none
# an event
own=$(awk 'NR == FNR { f[$1] = 1; next } f[$1]' "$KS_TMP/flush.pids" "$KS_TMP/ft.allocs" | wc -l)
diag "high_order_own: +$((o1 - o0))"
if [ "$own" -gt 0 ]; then
	ktap_ok "the flush worker allocated order >= 3 $own times (ftrace)"
	ev=$(awk 'NR == FNR { f[$1] = 1; next } f[$1]' "$KS_TMP/flush.pids" "$KS_TMP/ks.ev")
	ktap_check "no event from the flush worker" "$ev" test -z "$ev"
else
	ktap_skip "the flush worker allocated order >= 3" \
		"ftrace saw no order >= 3 allocation by kscope_flush_fn's workers ($(tr '\n' ' ' <"$KS_TMP/flush.pids")): nothing to exclude on this kernel"
	ktap_skip "no event from the flush worker" "no such allocation to see"
fi

ks_unload kscope_mem
ktap_done
