#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope vfs top leaves no kernel-wide state behind: the top collection
# (KSCOPE_VFS_TOP) it turns on for its run is off again after it, whether
# the run ends after its count of intervals, after --interval's one table,
# or on SIGINT or SIGTERM mid-interval. Oracles: the module's own debugfs
# header ("# interval_ms N collecting 0|1"), read while the run is going
# (so that a run that never turned collection on cannot pass) and after
# it, and `kscope status`, which must list no vfs top setting. Collection
# that was on before the run (`kscope vfs collect on`) stays on after it
# (the run does not fight another user), and status then lists it (so the
# status check can fail). The tables hold the workload's file while on.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"
ktap_plan 7

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
"$KSCOPE" vfs filter --pid 0
"$KSCOPE" vfs collect off
ktap_ok "load kscope_vfs, collection off"

# collecting: the debugfs header's collecting field
collecting() { awk '$2 == "interval_ms" { print $5 }' "$KS_DEBUGFS/vfs/top_files"; }
# status_top: kscope status's vfs top line, if any
status_top() { "$KSCOPE" status | awk '$1 == "vfs" && $2 == "top"'; }
# seen_on PID: until collection is on (30 s) while PID runs
seen_on() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(collecting)" = 1 ] && return 0
		[ -d "/proc/$1" ] || return 1
		ks_sleep 0.1
	done
	return 1
}

# a steady reader of one file, named so the tables show it
/usr/bin/python3 -c 'import os, sys, ctypes
ctypes.CDLL(None).prctl(15, b"kst_toprd")	# PR_SET_NAME
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
os.pwrite(fd, b"x" * 64, 0)
while True:
    os.pread(fd, 64, 0)
    os.sched_yield()' "$KS_TMP/kst_topfile" &
rd=$!

# 1. interval 1, count 2: two tables, then off
"$KSCOPE" vfs top --count 5 1 2 >"$KS_TMP/t1" 2>"$KS_TMP/t1.err" &
tp=$!
on=no
seen_on $tp && on=yes
wait $tp
rc=$?
tables=$(grep -c '^PID .* FILE$' "$KS_TMP/t1")
mine=$(grep -c ' kst_toprd .* kst_topfile$' "$KS_TMP/t1")
ktap_eq "vfs top 1 2: exit 0, on while it ran, two tables with the workload's file, then off, status clean" \
	"0 yes 2 2 0 " "$rc $on $tables $mine $(collecting) $(status_top)" \
	"exit, on, tables, workload rows, collecting, status ($(cat "$KS_TMP/t1.err"))"

# 2. --interval: one table, then off
"$KSCOPE" vfs top --interval 1 >"$KS_TMP/t2" 2>"$KS_TMP/t2.err" &
tp=$!
on=no
seen_on $tp && on=yes
wait $tp
rc=$?
ktap_eq "vfs top --interval 1: exit 0, on while it ran, off after, status clean" \
	"0 yes 0 " "$rc $on $(collecting) $(status_top)" \
	"exit, on, collecting, status ($(cat "$KS_TMP/t2.err"))"

# 3, 4. until a signal: SIGINT, SIGTERM after the first table, mid-interval
for sig in INT TERM; do
	: >"$KS_TMP/t.$sig"
	"$KSCOPE" vfs top 1 >"$KS_TMP/t.$sig" 2>"$KS_TMP/t.$sig.err" &
	tp=$!
	on=no
	seen_on $tp && on=yes
	lines_after "$KS_TMP/t.$sig" 2 60 || diag "SIG$sig: no first table"
	ks_sleep 0.3
	t0=$(date +%s%N)
	kill -$sig $tp
	wait $tp
	rc=$?
	t1=$(date +%s%N)
	diag "SIG$sig to exit: $(((t1 - t0) / 1000000)) ms"
	ktap_eq "vfs top 1, SIG$sig mid-run: exit 0, on while it ran, off after, status clean" \
		"0 yes 0 " "$rc $on $(collecting) $(status_top)" \
		"exit, on, collecting, status ($(cat "$KS_TMP/t.$sig.err"))"
done

# 5. collection on before the run: left on (and status says so)
"$KSCOPE" vfs collect on
"$KSCOPE" vfs top 0.5 1 >"$KS_TMP/t5" 2>"$KS_TMP/t5.err"
rc=$?
st=$(status_top | awk '{ print $3 }')
ktap_eq "collect on, vfs top 0.5 1: exit 0, still on after, status lists it" \
	"0 1 1" "$rc $(collecting) $st" "exit, collecting, status value ($(cat "$KS_TMP/t5.err"))"

# 6. collect off: off, and status clean again
"$KSCOPE" vfs collect off
ktap_eq "collect off: off, status clean" "0 " "$(collecting) $(status_top)" \
	"collecting, status"

kill $rd 2>/dev/null
wait $rd 2>/dev/null
ks_unload kscope_vfs
ktap_done
