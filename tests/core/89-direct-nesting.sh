#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A direct-call hook whose own handlers call the function it hooks. The
# bench module kscope_hookcost, told to time ktime_get by direct call
# (sym=ktime_get, work=time, mech=direct), reads ktime_get_ns() in both
# handlers: each traced call's entry and exit handler calls ktime_get
# again. The core runs one handler at a time on a CPU, so each nested
# call must run untraced and count as missed, never recurse. Checks:
# the kernel's own list of ftrace hooks (enabled_functions) shows
# ktime_get going to the core's trampoline while the module is loaded;
# the machine keeps working (a timed sleep, a command that reads the
# clock); at unload the module's tally has calls entered and returned,
# and at least one missed call per handler run (missed >= entries +
# exits: its handlers count a run after the nested call was missed, and
# it reads the counts before the missed calls). The guest's log must stay
# clean of warnings and lockdep or KASAN reports (guest-run checks it).
. "$(dirname "$0")/../lib.sh"

T=/sys/kernel/tracing
mountpoint -q $T || mount -t tracefs nodev $T 2>/dev/null || true
[ -r $T/available_filter_functions ] ||
	ks_skip_all "no tracefs: ftrace's lists cannot be read"
grep -qx 'ktime_get' $T/available_filter_functions ||
	ks_skip_all "ktime_get is not a function ftrace can hook on this kernel"
ks_ko kscope_hookcost >/dev/null 2>&1 ||
	ks_skip_all "the bench module kscope_hookcost is not built here (kscope-tests installs only kscope_testgen)"

ks_unload kscope_hookcost
if ! ks_load kscope_hookcost sym=ktime_get sym2= work=time mech=direct; then
	log=$(dmesg | tail -3)
	grep -q 'mech=direct: not .* on this kernel' <<<"$log" &&
		ks_skip_all "no direct calls on this kernel or CPU: $(tail -1 <<<"$log")"
	grep -q 'cannot hook ktime_get with mech=direct: -95' <<<"$log" &&
		ks_skip_all "ktime_get cannot take a direct call here (another direct caller?)"
	ktap_plan 1
	ktap_fail "hook ktime_get by direct call" "$log"
	ktap_done
fi
ktap_plan 5
ktap_eq "kscope_hookcost hooks ktime_get by direct call" direct \
	"$(cat /sys/module/kscope_hookcost/parameters/mech_used)"
ef=$(grep -A1 -E '^ktime_get[[:space:]]' $T/enabled_functions 2>/dev/null || true)
ktap_check "enabled_functions: ktime_get calls kscope_core directly" \
	"enabled_functions says: '$ef'" \
	grep -q 'direct-->kscope_direct_stub_[0-9]*+0x0/.* \[kscope_core\]' <<<"$ef"

# the machine keeps working with the hook in place
t0=$(date +%s%N)
sleep 0.5
for i in $(seq 20); do date +%s%N >/dev/null; done
t1=$(date +%s%N)
ktap_check "a timed sleep and 20 clock reads complete under the hook" \
	"took $(( (t1 - t0) / 1000000 )) ms" test $(( t1 - t0 )) -ge 500000000

rmmod kscope_hookcost
line=$(dmesg | grep 'kscope_hookcost: direct work=time:' | tail -1)
read -r e x m < <(sed -n 's/.*entries \([0-9]*\) exits \([0-9]*\) missed \([0-9]*\).*/\1 \2 \3/p' <<<"$line")
ktap_check "calls entered and returned while hooked" "tally: '$line'" \
	test "${e:-0}" -gt 0 -a "${x:-0}" -gt 0
ktap_check "every handler run's nested ktime_get missed, none recursed (missed >= entries + exits)" \
	"tally: '$line'" test "${m:-0}" -ge $(( ${e:-0} + ${x:-0} ))
ktap_done
