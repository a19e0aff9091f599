#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope sar, the front-end, against /proc/stat over the same interval:
# `kscope sar -P ALL 6 1` prints one 6 s interval, the all line and one
# line per CPU; the test reads /proc/stat just before it starts and just
# after it exits, and computes sar -u's columns from the differences
# (%user = user, %nice, %system = system + irq + softirq, %iowait,
# %steal, %idle, each over the sum of the eight states, as sysstat's sar
# does; the "cpu" line for all). In the middle of the interval a spinner
# pinned to the last CPU runs for 3 s, so that CPU is about half busy and
# the others are not: a table of the kernel's last 1 s window instead of
# the interval (what kscope sar printed before) reads it 0% or 100% busy.
#
# Tolerance: both sides read the same kernel counters (cpustat, and the
# NOHZ idle and iowait times as fs/proc/stat.c reads them), so they differ
# only by what falls between their windows: /proc/stat's window also holds
# the reader's start (exec, shared libraries, the genetlink family lookup)
# before its first read and its exit after its last. That edge is measured
# (the windows' length minus the 6 s interval, an upper bound) and allowed
# in full as percentage points of the window, on top of 2 points for the
# counters' granularity (ticks of user and system time; USER_HZ in
# /proc/stat) and the reads' own cost. On a lightly loaded guest the edge
# is a few hundred ms of 6 s: about 5 points in all. The spinner starts
# and stops well inside kscope's interval, so the edge holds none of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
ktap_plan 5

ncpu=$(getconf _NPROCESSORS_ONLN)
if [ "$ncpu" -lt 2 ]; then
	ktap_skip "kscope sar against /proc/stat" "needs 2 CPUs, have $ncpu"
	ktap_done
fi
if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched"
ks_sleep 2.5	# every CPU has a complete window: kscope lists it from then on

busy=$((ncpu - 1))
IVAL=6
# procstat FILE: /proc/stat's cpu lines, with builtins only
procstat() {
	local l
	mapfile -t l </proc/stat
	printf '%s\n' "${l[@]}" | grep '^cpu' >"$1"
}
# cmp ROWS: each row's six columns within tol of the oracle's; bad rows
cmp_rows() {
	awk -v tol=$tol -v rows="$1" 'BEGIN { n = split(rows, r, " "); for (i = 1; i <= n; i++) want[r[i]] = 1 }
		FNR == NR { for (i = 2; i <= 7; i++) o[$1, i] = $i; seen[$1] = 1; next }
		($1 in want) { got[$1] = 1; if (!($1 in seen)) { bad = bad " " $1 ":no-oracle"; next }
		  for (i = 2; i <= 7; i++) { d = $i - o[$1, i]; if (d < 0) d = -d
		    if (d > tol) bad = bad sprintf(" %s:col%d:%d-vs-%d", $1, i - 1, $i, o[$1, i]) } }
		END { for (k in want) if (!(k in got)) bad = bad " " k ":missing"; print bad }' \
		"$KS_TMP/oracle" "$KS_TMP/kscope"
}
# measure: one interval of kscope sar between two reads of /proc/stat;
# sets rc, tol and the oracle and kscope files
measure() {
	procstat "$KS_TMP/stat.a"
	t0=${EPOCHREALTIME//[.,]/}
	"$KSCOPE" sar -P ALL $IVAL 1 >"$KS_TMP/sar" 2>"$KS_TMP/sar.err" &
	kp=$!
	ks_sleep 1.5
	taskset -c $busy timeout 3 bash -c 'while :; do :; done'
	wait $kp
	rc=$?
	t1=${EPOCHREALTIME//[.,]/}
	procstat "$KS_TMP/stat.b"
	diag "$(cat "$KS_TMP/sar")"

	win_ms=$(((t1 - t0) / 1000))
	edge_ms=$((win_ms - IVAL * 1000))
	[ $edge_ms -ge 0 ] || edge_ms=0
	# the tolerance, hundredths of a point: 2 points + the edge's share
	tol=$((200 + edge_ms * 10000 / win_ms))
	diag "window ${win_ms} ms, edge ${edge_ms} ms: tolerance $((tol / 100)).$((tol % 100 / 10)) points"

	# cols: "CPU %user %nice %system %iowait %steal %idle" in hundredths of a
	# point, from /proc/stat's two reads ("all" from the cpu line)
	awk 'FNR == NR { for (i = 2; i <= 9; i++) a[$1, i] = $i; next }
		{ t = 0; for (i = 2; i <= 9; i++) { d[i] = $i - a[$1, i]; t += d[i] }
		  c = $1 == "cpu" ? "all" : substr($1, 4)
		  if (t <= 0) next
		  printf "%s %d %d %d %d %d %d\n", c, d[2] * 10000 / t, d[3] * 10000 / t,
			(d[4] + d[7] + d[8]) * 10000 / t, d[6] * 10000 / t, d[9] * 10000 / t,
			d[5] * 10000 / t }' "$KS_TMP/stat.a" "$KS_TMP/stat.b" >"$KS_TMP/oracle"
	# kscope's: its interval's lines (HH:MM:SS CPU six columns), same units
	awk '$1 ~ /^[0-9][0-9]:[0-9][0-9]:[0-9][0-9]$/ && $2 != "CPU" && NF == 8 {
		printf "%s", $2; for (i = 3; i <= 8; i++) printf " %d", $i * 100 + 0.5; print "" }' \
		"$KS_TMP/sar" >"$KS_TMP/kscope"
	diag "/proc/stat: $(tr '\n' ';' <"$KS_TMP/oracle")"
}
cpus=""
for ((c = 0; c < ncpu; c++)); do cpus+=" $c"; done
# an interval whose rows disagree is measured once more: on a host that
# leaves the guest a sixth of a core (2026-12-07), CPU 0's idle time read
# 10.7 points apart against a 9.6-point tolerance, in a window of 6.5 s
# that held kscope's 6 s; a table of the last 1 s (the defect) is off in
# every interval
for attempt in 1 2; do
	measure
	bad_all=$(cmp_rows all)
	bad_cpus=$(cmp_rows "$cpus")
	[ -z "$bad_all$bad_cpus" ] && break
	[ "$attempt" = 2 ] || diag "interval $attempt disagrees:$bad_all$bad_cpus; once more"
done
ktap_eq "kscope sar -P ALL $IVAL 1: exit 0" 0 "$rc" "exit ($(cat "$KS_TMP/sar.err"))"

# the setup: the spinner made the busy CPU about half busy, not idle
bu=$(awk -v c=$busy '$1 == c { print $2 }' "$KS_TMP/oracle")
ktap_check "setup: /proc/stat has cpu$busy 20-80% user (${bu:-?} / 100)" \
	"the spinner did not load cpu$busy" test "${bu:-0}" -ge 2000 -a "${bu:-0}" -le 8000
ktap_eq "all: %user %nice %system %iowait %steal %idle within the tolerance of /proc/stat's" \
	"" "$bad_all" "disagreements (row:column:kscope-vs-/proc/stat, 1/100 %)"
ktap_eq "each CPU's line: the six columns within the tolerance of /proc/stat's" \
	"" "$bad_cpus" "disagreements (row:column:kscope-vs-/proc/stat, 1/100 %)"
ks_unload kscope_sched
ktap_done
