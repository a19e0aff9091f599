#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `kscope sched cpu` over netlink, read as nobody (the view names no
# process: a read for everyone), agrees with /proc/stat over the same
# interval as 60-cpu does for debugfs: one CPU busy (a pinned spinner),
# the other idle. The reader is polled (as nobody, on the busy CPU) until
# its view changes, and /proc/stat is snapshot then, twice; its --json
# output carries the same numbers, each CPU's states summing to 100%.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
TOL=1000	# hundredths of a percent
ktap_plan 7

if [ "$(nproc)" -lt 2 ]; then
	ktap_skip "cpu view against /proc/stat" "needs 2 CPUs, have $(nproc)"
	ktap_done
fi
if ! ks_load kscope_sched interval_ms=2000; then
	ktap_fail "load kscope_sched interval_ms=2000" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched interval_ms=2000"

# --json: one object per CPU with a complete interval, as the text says
ks_sleep 3
ks_as_nobody "$KSCOPE" --json sched cpu >"$KS_TMP/json" 2>&1
python3 - "$KS_TMP/json" "$(getconf _NPROCESSORS_ONLN)" >"$KS_TMP/json.out" 2>&1 <<'EOF'
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
    bad.append("cpus %s, nproc %s" % (sorted(cpus), sys.argv[2]))
if bad:
    print("\n".join(bad))
EOF
ktap_check "nobody reads --json: every CPU, interval 2000 ms, states sum to 100%" \
	"$(cat "$KS_TMP/json" "$KS_TMP/json.out")" test -s "$KS_TMP/json" -a ! -s "$KS_TMP/json.out"

# the spinner and the poller on CPU 1: CPU 0 is left alone, so that it can
# sleep through whole ticks (what the defect needs to show)
taskset -pc 1 $$ >/dev/null
taskset -c 1 bash -c 'while :; do :; done' &
spin=$!

# stat_snap PREFIX: PREFIX_idle_N (idle + iowait) and PREFIX_total_N, USER_HZ
# ticks, for each CPU N
stat_snap() {
	local name u n s i io irq si st rest
	while read -r name u n s i io irq si st rest; do
		case $name in cpu[0-9]*) ;; *) continue ;; esac
		printf -v "$1_idle_${name#cpu}" %s $((i + io))
		printf -v "$1_total_${name#cpu}" %s $((u + n + s + i + io + irq + si + st))
	done </proc/stat
	# local timer interrupts of cpu0: how often it woke (diagnostic)
	while read -r name rest; do
		[ "$name" = LOC: ] && { printf -v "$1_loc" %s "${rest%% *}"; break; }
	done </proc/interrupts
}
# wait_change: until the cpu view changes (a new interval closed); polls
# with builtins only, so that the poller barely loads cpu0
view=
wait_change() {
	local cur lines end=$((SECONDS + 10))
	while [ $SECONDS -lt $end ]; do
		cur=$(ks_as_nobody "$KSCOPE" sched cpu 2>&1) || { view=$cur; return 1; }
		[ "$cur" != "$view" ] && { view=$cur; return 0; }
		ks_sleep 0.02
	done
	return 1
}
# view_idle N: idle + iowait of cpuN in the view, hundredths of a percent
view_idle() {
	awk -v c="cpu$1" '$1 == c { for (i = 2; i < NF; i += 2) if ($i == "idle" || $i == "iowait") s += $(i + 1); print s + 0 }' <<<"$view"
}

ks_sleep 3	# the spinner settles; the view has a first interval
wait_change	# takes the view as it is now: the next change closes an interval
wait_change && stat_snap a && wait_change && stat_snap b
ok=$?
kill $spin; wait $spin 2>/dev/null
if [ $ok -ne 0 ]; then
	ktap_fail "nobody's kscope sched cpu closes an interval every 2 s" "$view"
	ktap_done
fi
ktap_ok "nobody's kscope sched cpu closes an interval every 2 s"
diag "$view"
diag "cpu0 took $((b_loc - a_loc)) local timer interrupts in the interval (a tickless idle CPU takes few)"

for c in 0 1; do
	ai=a_idle_$c at=a_total_$c bi=b_idle_$c bt=b_total_$c
	di=$((${!bi} - ${!ai})) dt=$((${!bt} - ${!at}))
	ps=0
	[ "$dt" -gt 0 ] && ps=$((di * 10000 / dt))
	vs=$(view_idle $c)
	diag "cpu$c: idle over the interval: /proc/stat ${ps}, view ${vs} (1/100 %)"
	eval "ps_$c=$ps vs_$c=$vs"
done
ktap_check "setup: /proc/stat sees cpu0 mostly idle, cpu1 busy ($ps_0, $ps_1)" \
	"the spinner did not load cpu1 alone" test "$ps_0" -gt 5000 -a "$ps_1" -lt 2000
d0=$((vs_0 - ps_0)) d1=$((vs_1 - ps_1))
ktap_check "idle cpu0: the view's idle within 10 points of /proc/stat" \
	"view $vs_0, /proc/stat $ps_0" test "${d0#-}" -le $TOL
ktap_check "busy cpu1: the view's idle within 10 points of /proc/stat" \
	"view $vs_1, /proc/stat $ps_1" test "${d1#-}" -le $TOL
ks_unload kscope_sched
ktap_done
