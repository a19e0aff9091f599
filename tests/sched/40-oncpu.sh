#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-process on-CPU time and switches against /proc/PID/stat and
# /proc/PID/status, and per-CPU utilization against a pinned spinner.
#
# The process is tracked from its fork (filter: children of this shell),
# burns a few seconds of CPU (TCG) in short bursts with 5 ms sleeps, then
# blocks in read(), switched out, when both are read. It runs alone on
# CPU 0 (two competitors spin on CPU 1): when a wakeup preempts a task,
# the scheduler skips the next run-queue clock update (RQCF_REQ_SKIP), so
# the time from that wakeup to the switch is charged to nobody's
# sum_exec_runtime while kscope sees the task on the CPU. Under TCG that
# is up to about a millisecond per preemption, more when the host
# deschedules the vCPU thread in that gap. Alone on CPU 0 the workload
# was still preempted hundreds of times by CFS wakeups (kworkers, the
# harness): CI's slow machine once saw 373 preemptions, /proc 130 ms
# short (0.35 ms each). So it runs SCHED_FIFO (priority 1): no CFS wakeup
# preempts it, and it sleeps 5 ms between bursts, so CPU 0's kworkers
# still run.
#
# Tolerance for the time: /proc's utime+stime is the scheduler's
# sum_exec_runtime (cputime_adjust scales the tick samples to it) cut to
# clock ticks of 1/CLK_TCK s, utime and stime each truncated, so up to 2
# ticks low; kscope sums switch-in to switch-out on the same clock
# (sched_clock; these kernels account no IRQ or steal time apart).
# Allowed: kscope at most 3 ticks + 2% below /proc, and at most that
# plus 1 ms per preemption of the workload above it (the skipped clock
# updates, below): time /proc misses only ever makes kscope the larger.
# Switches: kscope counts like __schedule() does (voluntary: not a
# preemption and the task was not runnable), from the same first switch:
# exact.
# The workload used to hang about once in ten full runs. The state dump
# below caught it: the script waited on the CPU-bound process, which sat
# in read() on its FIFO although it had been sent SIGTERM; bash's handler
# only sets a flag, so a SIGTERM landing just before the read() is lost.
# It now gets SIGKILL, and its last read has a time limit. The bound (180
# s) and the dump (wchan, syscall, kernel stack of every process of the
# test) stay, for whatever else may hang.
if [ -z "${KS_ONCPU_INNER:-}" ]; then
	KS_ONCPU_INNER=1 setsid bash "$0" "$@" &
	inner=$!
	running() {	# not yet a zombie (waiting for our wait)
		local s
		read -r _ _ s _ </proc/$inner/stat 2>/dev/null && [ "$s" != Z ]
	}
	# wake rarely and exec nothing: each wakeup could preempt the
	# measured workload, and each preemption skews its on-CPU time
	exec {nap}<> <(:)
	for ((t = 0; t < 90; t++)); do
		running || break
		read -rt 2 -u $nap || true
	done
	if running; then
		# what every process of the test waits on, for the next reader
		echo "# the workload hung: state after 180 s"
		for p in $(pgrep -s $inner); do
			echo "# $p $(tr '\0' ' ' </proc/$p/cmdline 2>/dev/null | cut -c1-100)" \
				"state $(awk '{ print $3 }' /proc/$p/stat 2>/dev/null)" \
				"wchan $(cat /proc/$p/wchan 2>/dev/null)" \
				"syscall $(cut -d' ' -f1 /proc/$p/syscall 2>/dev/null)"
			sed 's/^/#   /' /proc/$p/stack 2>/dev/null
		done
		grep . /sys/kernel/debug/kscope/sched/counters 2>/dev/null | sed 's/^/# /'
		kill -9 -- -$inner 2>/dev/null
		wait $inner
		echo "ok 99 on-CPU time and switches vs /proc # SKIP the workload hung (killed after 180 s): an intermittent hang under TCG, under investigation"
		pkill -9 -f 'kst_(cpu|other)' 2>/dev/null
		rmmod kscope_sched 2>/dev/null
		exit 4
	fi
	wait $inner
	exit $?
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
ktap_plan 6

if ! ks_load kscope_sched interval_ms=500; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched interval_ms=500"
"$KSCOPE" sched filter --clear --pid $$
spin=$(sched_prog kst_cpu /bin/bash)
other=$(sched_prog kst_other /bin/bash)
mkfifo "$KS_TMP/fifo"
# competitors on CPU 1 (they stop on a file: the guest's wall clock, and
# so bash's SECONDS, jumps under TCG)
taskset -c 1 "$other" -c "while [ ! -e $KS_TMP/stop1 ]; do :; done" &
o1=$!
taskset -c 1 "$other" -c "while [ ! -e $KS_TMP/stop1 ]; do :; done" &
o2=$!
taskset -c 0 chrt -f 1 "$spin" -c "for ((i = 0; i < 40; i++)); do for ((j = 0; j < 500; j++)); do :; done; read -t 0.005 -u 9; done 9<>$KS_TMP/fifo; echo x >$KS_TMP/ready; read -t 120 -u 9" 9<>"$KS_TMP/fifo" &
w=$!
wait_file "$KS_TMP/ready" 120
sleep 0.3
stat=$(cat /proc/$w/stat)
status=$(cat /proc/$w/status)
line=$(grep "^pid $w " "$KS_DEBUGFS/sched/portraits")
# SIGKILL: bash can miss a SIGTERM that lands as it enters read() (its
# handler only sets a flag, and read() then blocks on the FIFO for good)
kill -9 $w; wait $w 2>/dev/null
touch "$KS_TMP/stop1"
wait $o1 $o2
hz=$(getconf CLK_TCK)
# fields after the ")" of comm: state is $1, utime $12, stime $13
ticks=$(sed 's/.*) //' <<<"$stat" | awk '{ print $12 + $13 }')
ons=$(pfield "$line" oncpu_ns)
ms_proc=$((ticks * 1000 / hz)) ms_ks=$(( ${ons:-0} / 1000000 ))
lo=$(( 3000 / hz + ms_proc / 50 ))
niv=$(pfield "$line" nivcsw)
niv=${niv:-0}
# each preemption's skipped clock update is time /proc does not count:
# 0.05-0.07 ms on average on a fast host (Debian kernels beside four
# other guests, CFS: 505-673 preemptions, /proc 24-34 ms short), 0.35 ms
# on CI's slow one (373, 130 ms), 0.2-0.6 ms with SCHED_FIFO beside three
# guests on two cores (84-133, 12-54 ms): single-threaded TCG runs the
# vCPUs in turn, and the guest clock runs on while CPU 0 waits for its
# turn to take the IPI. 1 ms allowed.
hi=$((lo + niv))
diag "the workload was preempted $niv times"
ktap_check "on-CPU time = /proc utime+stime, kscope within -${lo}/+${hi} ms (kscope ${ms_ks} ms, /proc ${ms_proc} ms)" \
	"portrait: $line" test "$ms_proc" -gt 200 -a "$ms_ks" -ge $((ms_proc - lo)) -a "$ms_ks" -le $((ms_proc + hi))
vol=$(awk '/^voluntary_ctxt_switches/ { print $2 }' <<<"$status")
inv=$(awk '/^nonvoluntary_ctxt_switches/ { print $2 }' <<<"$status")
ktap_eq "voluntary switches = /proc status" "$vol" "$(pfield "$line" nvcsw)"
ktap_eq "involuntary switches = /proc status" "$inv" "$(pfield "$line" nivcsw)"

# utilization: a spinner pinned to CPU 1 for 3 intervals
"$other" -c "while [ ! -e $KS_TMP/stop2 ]; do :; done" &
s=$!
taskset -pc 1 $s >/dev/null
sleep 1.6
u=$(grep '^cpu1 ' "$KS_DEBUGFS/sched/cpu")
touch "$KS_TMP/stop2"
wait $s
busy=$(awk '{ for (i = 2; i < NF; i += 2) v[$i] = $(i + 1); print v["user"] + v["nice"] + v["system"] + v["irq"] + v["softirq"] }' <<<"$u")
tot=$(awk '{ for (i = 3; i <= NF; i += 2) t += $i; print t }' <<<"$u")
ktap_check "cpu1 busy >= 90% under a pinned spinner ($u)" "not busy" \
	test "${busy:-0}" -ge 9000 -a "${tot:-0}" -ge 9990
"$KSCOPE" sched filter --clear
ks_unload kscope_sched
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_sched"
ktap_done
