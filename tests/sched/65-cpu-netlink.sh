#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `kscope sched cpu` over netlink, read as nobody (the view names no
# process: a read for everyone), agrees with /proc/stat over the same
# interval as the debugfs view does in 60-cpu (see lib-cpu.sh): one CPU
# busy, the other idle. Its --json output has one object per online CPU
# with the module's interval, each CPU's states summing to 100%.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
. "$(dirname "$0")/lib-cpu.sh"
ktap_plan 6

ncpu=$(getconf _NPROCESSORS_ONLN)
if [ "$ncpu" -lt 2 ]; then
	ktap_skip "cpu view against /proc/stat" "needs 2 CPUs, have $ncpu"
	ktap_done
fi
if ! ks_load kscope_sched interval_ms=2000; then
	ktap_fail "load kscope_sched interval_ms=2000" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched interval_ms=2000"

ks_sleep 3	# a first complete interval
ks_as_nobody "$KSCOPE" --json sched cpu >"$KS_TMP/json" 2>&1
python3 - "$KS_TMP/json" "$ncpu" >"$KS_TMP/json.out" 2>&1 <<'EOF'
import json, sys
states = "user nice system irq softirq idle iowait steal".split()
cpus, bad = set(), []
for line in open(sys.argv[1]):
    o = json.loads(line)
    cpus.add(o["cpu"])
    if o["interval_ms"] != 2000:
        bad.append("cpu%d: interval_ms %r" % (o["cpu"], o["interval_ms"]))
    s = sum(o[k] for k in states)
    if not 10000 - len(states) <= s <= 10000:
        bad.append("cpu%d: states sum to %d" % (o["cpu"], s))
if cpus != set(range(int(sys.argv[2]))):
    bad.append("cpus %s, online %s" % (sorted(cpus), sys.argv[2]))
if bad:
    print("\n".join(bad))
EOF
ktap_check "nobody reads --json: every CPU, interval 2000 ms, states sum to 100%" \
	"$(cat "$KS_TMP/json" "$KS_TMP/json.out")" test -s "$KS_TMP/json" -a ! -s "$KS_TMP/json.out"

read_netlink() {
	local out

	out=$(ks_as_nobody "$KSCOPE" sched cpu 2>&1) || { printf -v "$1" %s "$out"; return 1; }
	printf -v "$1" '%s\n' "$out"
}
cpu_vs_procstat read_netlink "nobody's kscope sched cpu"
ks_unload kscope_sched
ktap_done
