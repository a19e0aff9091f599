#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# One process, one exit: a process of 16 threads that leaves by
# exit_group() gives exactly one exit event and raises the exits counter
# by exactly one, 100 times in a row, under load (spinning threads and
# thread churn, which make its threads die on both CPUs at once). Before
# 6.16 the tracepoint does not say whether the group died and signal->live
# reads 0 for every thread that fires after the last one dropped it. The
# oracle is the workload: it forked each child itself and reads the
# counter around each child's exit, with no other process of its own
# exiting in between; events are matched to its children's pids.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
N=100 T=16
WORK="/usr/bin/python3 $KS_TOP/tests/sched/exitwork.py"
ktap_plan 5

if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched"
"$KSCOPE" sched filter --clear

$WORK load 600 &
load=$!
watch_start ev
$WORK run $N $T "$KS_DEBUGFS/sched/counters" >"$KS_TMP/runs" &
wpid=$!
wait $wpid
wrc=$?
sleep 1
watch_stop
kill $load 2>/dev/null; wait $load 2>/dev/null

runs=$(wc -l <"$KS_TMP/runs")
ktap_check "$N children of $T threads each left by exit_group" \
	"workload status $wrc, $runs runs" test "$wrc" -eq 0 -a "$runs" -eq $N
bad=$(awk '$2 != 1' "$KS_TMP/runs")
ktap_check "exits counter rose by exactly 1 per child" \
	"$(head -5 <<<"$bad")" test -z "$bad"
sched_events "$KS_TMP/ev.ev" exit ".ppid == $wpid" | jq -r .pid | sort -n >"$KS_TMP/evpids"
awk '{ print $1 }' "$KS_TMP/runs" | sort -n >"$KS_TMP/pids"
ktap_check "exactly one exit event per child ($(wc -l <"$KS_TMP/evpids") events)" \
	"$(diff "$KS_TMP/pids" "$KS_TMP/evpids" | head -8)" \
	cmp -s "$KS_TMP/pids" "$KS_TMP/evpids"
th=$(sched_ctr thread_exits)
ks_unload kscope_sched
ktap_check "unload kscope_sched" "rmmod failed" eval '! ks_loaded kscope_sched'
diag "thread_exits $th"
ktap_done
