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
# exiting in between. Another process of the machine may exit in that
# window (a daemon, a kworker retiring): the rise must be 1 + k, k the
# exit events of other pids in the window's CLOCK_MONOTONIC times: at
# least those between the end of the first read and the start of the
# second (20 ms in: a vCPU may stall), at most those from the start of
# the first read to 50 ms past the end of the second (an event's time is
# taken just after its count); they are named in the diagnostics. Events
# are matched to its children's pids.
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
sched_events "$KS_TMP/ev.ev" exit | jq -r '"\(.ts) \(.pid) \(.comm)"' >"$KS_TMP/allexits"
awk 'NR == FNR { ts[NR] = $1; pid[NR] = $2; comm[NR] = $3; n = NR; next }
	{
		lo = 0; hi = 0; who = ""
		for (i = 1; i <= n; i++) {
			if (pid[i] == $1 || ts[i] < $3 || ts[i] > $6 + 50000000)
				continue
			hi++; who = who " " pid[i] "/" comm[i]
			if (ts[i] >= $4 + 20000000 && ts[i] <= $5)
				lo++
		}
		if ($2 < 1 + lo || $2 > 1 + hi)
			print "child " $1 ": rose by " $2 ", other exits in its window: " lo "-" hi who
		else if (hi)
			print "# child " $1 ": rose by " $2 ", other exits in its window: " lo "-" hi who
	}' "$KS_TMP/allexits" "$KS_TMP/runs" >"$KS_TMP/deltas"
grep '^#' "$KS_TMP/deltas" | head -5 | while read -r l; do diag "${l#\# }"; done
bad=$(grep -v '^#' "$KS_TMP/deltas")
ktap_check "exits counter rose by exactly 1 per child (+ other processes' exits in its window)" \
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
