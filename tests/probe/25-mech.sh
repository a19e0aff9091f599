#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# How a return-side probe hooks its function, against the kernel's own
# lists. On a kernel with fprobes, `probe add FN --latency` is an fprobe:
# ftrace's enabled_functions lists FN and the kprobe list does not.
# `--kretprobe` puts a kretprobe ("r" in the kprobe list). On a kernel
# without fprobes (6.1) both are kretprobes. Both probes sit on the same
# function at once, which the workload calls exactly N times
# (sched_get_priority_max(2), as probe/20): each counts N hits, N returns
# and N latency samples, none missed. A function ftrace cannot hook
# (notrace: sched_clock's, one the kernel's lists say ftrace does not
# have) gets a kretprobe. An entry-only probe with --kretprobe is refused
# with a message.
. "$(dirname "$0")/../lib.sh"
N=300
FN=__x64_sys_sched_get_priority_max
T=/sys/kernel/tracing
KP=/sys/kernel/debug/kprobes/list
ktap_plan 9

if ! grep -qw "$FN" /proc/kallsyms; then
	ktap_skip "probe mechanisms on $FN" "no $FN on this kernel"
	ktap_done
fi
if ! ks_load kscope_probe; then
	ktap_fail "load kscope_probe" "$(dmesg | tail -5)"
	ktap_done
fi
have_fprobe=0
grep -q ' register_fprobe_syms$' /proc/kallsyms && have_fprobe=1
want=kretprobe
[ $have_fprobe = 1 ] && want=fprobe

out=$("$KSCOPE" --json probe add $FN --latency 2>&1)
ktap_eq "--latency on $FN: by $want (fprobes on this kernel: $have_fprobe)" \
	"$want" "$(jq -r .mech <<<"$out" 2>/dev/null)"
out=$("$KSCOPE" --json probe add $FN --latency --kretprobe 2>&1)
ktap_eq "--latency --kretprobe on $FN: by kretprobe" \
	kretprobe "$(jq -r .mech <<<"$out" 2>/dev/null)"
# the kernel's lists: one kretprobe on FN, and ftrace's site on FN (an
# fprobe's ftrace_ops, or the kretprobe's own, which is ftrace-based)
# (at +0x0, or +0x4 past an endbr64)
nkr=$(grep -cE "  r  $FN\+0x[0-9a-f]+( |$)" "$KP")
[ "$nkr" = "$((2 - have_fprobe))" ] || diag "kprobe list: $(grep "$FN" "$KP")"
ktap_eq "the kprobe list holds one kretprobe on $FN (two without fprobes)" \
	"$((2 - have_fprobe))" "$nkr"
if [ $have_fprobe = 1 ]; then
	ktap_check "ftrace's enabled_functions lists $FN (the fprobe)" \
		"$(grep "^$FN" $T/enabled_functions)" grep -q "^$FN " $T/enabled_functions
else
	ktap_skip "ftrace's enabled_functions lists $FN (the fprobe)" "no fprobes on this kernel"
fi

python3 -c "
import os
for i in range($N):
    os.sched_get_priority_max(os.SCHED_OTHER)
"
"$KSCOPE" --json probe list >"$KS_TMP/list"
ktap_eq "both count $N hits, $N returns, $N samples, 0 missed" \
	"$want $N $N $N 0;kretprobe $N $N $N 0;" \
	"$(jq -j '"\(.mech) \(.hits) \(.returns) \([.hist.buckets[].count] | add) \(.nmissed);"' "$KS_TMP/list")"
"$KSCOPE" probe del $FN >/dev/null

# a function ftrace does not have: the core's hook falls back to a kretprobe
nf=""
for f in sched_clock_cpu sched_clock_local sched_clock_tick native_sched_clock; do
	grep -q " [tT] $f$" /proc/kallsyms || continue
	grep -q "^$f\b" $T/available_filter_functions && continue
	nf=$f
	break
done
if [ -z "$nf" ]; then
	ktap_skip "a notrace function gets a kretprobe" "none of the candidates is here and outside ftrace's list"
else
	out=$("$KSCOPE" --json probe add "$nf" --ret 2>&1)
	ktap_eq "--ret on $nf (not in available_filter_functions): a kretprobe, in the kprobe list" \
		"kretprobe 1" "$(jq -r .mech <<<"$out" 2>/dev/null) $(grep -cE "  r  $nf\+0x[0-9a-f]+( |$)" "$KP")"
	"$KSCOPE" probe del "$nf" >/dev/null 2>&1
fi

out=$("$KSCOPE" probe add $FN --kretprobe 2>&1)
rc=$?
ktap_eq "--kretprobe alone: usage error (2) naming --ret" "2 1" \
	"$rc $(grep -c -- '--kretprobe needs --ret or --latency' <<<"$out")"
ks_unload kscope_probe
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_done
