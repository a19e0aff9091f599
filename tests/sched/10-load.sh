#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_sched: bad parameters fail the load with one log line and leave
# nothing behind; the scheduler tracepoints are attached by name; load and
# unload while they fire on a fork- and switch-heavy workload stay clean
# (the guest runner fails the run on any WARNING/BUG in the log).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
ktap_plan 8

ks_unload kscope_sched
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ko=$(ks_ko kscope_sched)

badparam() { ks_load_rejected kscope_sched "$@" && [ ! -e "$KS_DEBUGFS/sched" ]; }
ktap_check "tasks_max=1000 (not a power of 2) rejected" "loaded or no log line" badparam tasks_max=1000
ktap_check "portraits_max=8 rejected" "loaded or no log line" badparam portraits_max=8
ktap_check "interval_ms=10 rejected" "loaded or no log line" badparam interval_ms=10

ktap_check "load" "$(dmesg | tail -3)" ks_load kscope_sched
att=$("$KSCOPE" --json list sched | jq -r '.attach' 2>/dev/null)
ok=1
for tp in sched_switch sched_wakeup sched_wakeup_new sched_process_fork sched_process_exec sched_process_exit; do
	grep -q "sched:$tp" <<<"$att" || ok=0
done
ktap_check "attach names the six tracepoints" "attach: $att" test $ok = 1
ks_unload kscope_sched

# forks, execs and switches while the module comes and goes
spin=$(sched_prog kst_churn /bin/bash)
"$spin" -c 'while :; do /bin/true; done' &
w1=$!
"$spin" -c 'while :; do :; done' &
w2=$!
fails=0
for i in 1 2 3; do
	ks_load kscope_sched || fails=$((fails + 1))
	sleep 0.5
	ks_unload kscope_sched || fails=$((fails + 1))
done
ktap_eq "3 load/unload cycles under fork/switch load" 0 "$fails" "failures"
ks_load kscope_sched
sleep 1
f=$(sched_ctr forks) s=$(sched_ctr switches)
ktap_check "probes fire under load (forks $f, switches $s)" "nothing counted" \
	test "$f" -gt 0 -a "$s" -gt 0
kill $w1 $w2; wait $w1 $w2 2>/dev/null
ks_unload kscope_sched
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_sched"
ktap_done
