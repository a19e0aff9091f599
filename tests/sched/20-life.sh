#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Process life: a workload of exactly N forks each followed by an exec is
# seen exactly: N fork events whose parent is the workload, N exec events
# with the executed file, N exit events; with a comm filter, N exited
# portraits of that comm with their filename and a lifetime, and none of
# other processes. The oracle is the workload's own count.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
N=25
ktap_plan 9

if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched"
child=$(sched_prog kst_child /bin/true)
parent=$(sched_prog kst_parent /bin/bash)
"$KSCOPE" sched filter --clear --comm kst_child
ktap_eq "filter comm kst_child (read back over netlink)" "comm kst_child" \
	"$("$KSCOPE" sched filter --show | grep '^comm')"
"$KSCOPE" sched filter --clear
f0=$(sched_ctr forks) e0=$(sched_ctr execs)

watch_start ev
"$parent" -c "echo \$\$ >$KS_TMP/ppid; for ((i = 0; i < $N; i++)); do $child; done"
ppid=$(cat "$KS_TMP/ppid")
sleep 1
watch_stop
ev=$KS_TMP/ev.ev

forks=$(sched_events "$ev" fork ".parent_pid == $ppid" | wc -l)
ktap_eq "fork events with the workload as parent" "$N" "$forks"
execs=$(sched_events "$ev" exec ".ppid == $ppid and .filename == \"$child\" and .comm == \"kst_child\"" | wc -l)
ktap_eq "exec events of $child by its children" "$N" "$execs"
exits=$(sched_events "$ev" exit ".ppid == $ppid and .comm == \"kst_child\" and .lifetime_ns > 0" | wc -l)
ktap_eq "exit events of the children (with a lifetime)" "$N" "$exits"
f1=$(sched_ctr forks) e1=$(sched_ctr execs)
ktap_check "fork/exec counters advanced by at least N ($((f1 - f0)), $((e1 - e0)))" \
	"system-wide counters cannot be below the workload's" \
	test $((f1 - f0)) -ge $N -a $((e1 - e0)) -ge $N

# portraits under a comm filter: created at exec, when the comm matches
"$KSCOPE" sched filter --clear --comm kst_child
"$parent" -c "for ((i = 0; i < $N; i++)); do $child; done"
sleep 0.5
p=$(sched_portraits kst_child)
n=$(grep -c "state exited" <<<"$p")
ktap_eq "exited kst_child portraits" "$N" "$n"
bad=$(awk '{ for (i = 1; i < NF; i++) if ($i == "comm") print $(i + 1) }' "$KS_DEBUGFS/sched/portraits" | grep -vc '^kst_child$')
ktap_eq "no portrait of another comm" 0 "$bad"
# the filename ends the line (the histogram follows on lines of its own)
nf=$(grep -c "filename $child\( \|$\)" <<<"$p")
ktap_eq "portraits carry the executed file" "$N" "$nf"
"$KSCOPE" sched filter --clear
ks_unload kscope_sched
ktap_done
