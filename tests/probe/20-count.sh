#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A function the workload calls exactly N times: sched_get_priority_max(2)
# through its syscall entry __x64_sys_sched_get_priority_max, which nothing
# else in the guest calls. Three kscope probes on it (entry, return with
# latency, entry with events) each count N; libbpf-tools' funclatency on
# the same function over the same run counts N too (and ftrace's function
# profiler where the kernel has one); N events carry the workload's pid;
# the latency histogram holds N samples; nmissed stays 0.
. "$(dirname "$0")/../lib.sh"
N=300
FN=__x64_sys_sched_get_priority_max
ktap_plan 10

if ! grep -qw "$FN" /proc/kallsyms; then
	ktap_skip "count $FN" "no $FN on this kernel"
	ktap_done
fi
if ! ks_load kscope_probe; then
	ktap_fail "load kscope_probe" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_probe"
"$KSCOPE" probe add $FN >/dev/null &&
"$KSCOPE" probe add $FN --latency >/dev/null &&
"$KSCOPE" probe add $FN --events >/dev/null
"$KSCOPE" --json watch probe >"$KS_TMP/ev" 2>"$KS_TMP/everr" &
wp=$!
fl=""
if [ -x /usr/sbin/funclatency ]; then
	stdbuf -oL /usr/sbin/funclatency -u $FN >"$KS_TMP/fl.out" 2>&1 &
	fl=$!
	for i in $(seq 600); do grep -q Tracing "$KS_TMP/fl.out" && break; sleep 0.2; done
	# the oracle must be attached and running before the workload
	if ! grep -q Tracing "$KS_TMP/fl.out" || ! kill -0 $fl 2>/dev/null; then
		fl_why="funclatency did not attach in 120 s: $(head -c 300 "$KS_TMP/fl.out" | tr '\n' ' ')"
		kill -9 $fl 2>/dev/null
		wait $fl 2>/dev/null
		fl=""
	fi
else
	fl_why="libbpf-tools not installed"
fi
prof=/sys/kernel/tracing/function_profile_enabled
if [ -w $prof ]; then
	echo $FN >/sys/kernel/tracing/set_ftrace_filter
	echo 1 >$prof
fi
sleep 1
python3 -c "
import os
print(os.getpid(), flush=True)
for i in range($N):
    os.sched_get_priority_max(os.SCHED_OTHER)
" >"$KS_TMP/pid"
wpid=$(cat "$KS_TMP/pid")
sleep 1
[ -w $prof ] && echo 0 >$prof
"$KSCOPE" --json probe list >"$KS_TMP/list"
if [ -n "$fl" ] && ! kill -INT $fl 2>/dev/null; then
	fl_why="funclatency exited before the end of the run: $(head -c 300 "$KS_TMP/fl.out" | tr '\n' ' ')"
	fl=""
fi
[ -n "$fl" ] && wait $fl
kill -INT $wp; wait $wp

hits=$(jq -r '.hits' "$KS_TMP/list" | tr '\n' ' ')
ktap_eq "hits of the three probes" "$N $N $N " "$hits"
ktap_eq "returns of the latency probe" "$N" "$(jq -r 'select(.flags == "ret,latency") | .returns' "$KS_TMP/list")"
ktap_eq "nmissed" "0 0 0 " "$(jq -r '.nmissed' "$KS_TMP/list" | tr '\n' ' ')"
# rows "lo -> hi : count |...|", as funclatency's below
lat=$(awk '/ -> / { s += $5 } END { print s + 0 }' "$KS_DEBUGFS/probe/latency")
ktap_eq "latency histogram samples" "$N" "$lat"
ktap_eq "latency histogram samples (netlink)" "$N" "$(jq -r 'select(.flags == "ret,latency") | [.hist.buckets[].count] | add' "$KS_TMP/list")"
ev=$(jq -c "select(.source == \"probe\" and .event == \"hit\" and .pid == $wpid)" "$KS_TMP/ev" | wc -l)
ktap_eq "events with the workload's pid" "$N" "$ev"
if [ -n "$fl" ]; then
	# histogram lines: "lo -> hi : count |...|"
	fc=$(awk '/ -> / { s += $5 } END { print s + 0 }' "$KS_TMP/fl.out")
	[ "$fc" = "$N" ] || diag "funclatency: $(tr '\n' ' ' <"$KS_TMP/fl.out" | head -c 600)"
	ktap_eq "funclatency count = N" "$N" "$fc"
else
	ktap_skip "funclatency count = N" "$fl_why"
fi
if [ -w $prof ]; then
	pc=$(cat /sys/kernel/tracing/trace_stat/function* | awk -v f=$FN '$1 == f { s += $2 } END { print s + 0 }')
	echo >/sys/kernel/tracing/set_ftrace_filter
	ktap_eq "ftrace function profiler count = N" "$N" "$pc"
else
	ktap_skip "ftrace function profiler count = N" "kernel built without CONFIG_FUNCTION_PROFILER"
fi
ks_unload kscope_probe
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_done
