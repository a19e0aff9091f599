#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_sched's netlink requests, built by hand (tests/core/tools/nlcheck):
# a read request (CTL_GET) parses its KSCOPE_A_CTL_SCHED nest strictly and
# refuses any attribute in it with an extack message, instead of ignoring
# what it does not understand; a well-formed one still answers. Then read
# and control requests keep coming while the module is loaded and unloaded:
# each gets an answer, "no such source" or the core's "loading or
# unloading, try again" (EAGAIN), never a half-set-up module
# (registering the source is the last step of its init, unregistering
# the first of its exit; the guest runner fails the run on any kernel
# report).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
NL=$KS_TOP/tests/core/tools/nlcheck
CTL=5 CTLGET=6 A_SOURCE=4 A_CTL=29	# KSCOPE_A_CTL_SCHED: the source's nest
S_PID=2 S_RESET=6
ktap_plan 9

# expect NAME ERRNO EXTACK_REGEX ARGS...: as in tests/core/20-netlink.sh
expect() {
	local name=$1 want=$2 rx=$3 got
	shift 3
	got=$("$NL" "$@" 2>&1)
	if [ "$want" = ok ]; then
		ktap_eq "$name" ok "$got" "answer"
		return
	fi
	case $got in
	"errno=$want extack="?*)
		if [ -z "$rx" ] || [[ ${got#*extack=} =~ $rx ]]; then
			ktap_ok "$name"
		else
			ktap_fail "$name" "extack does not match /$rx/: $got"
		fi ;;
	*) ktap_fail "$name" "expected errno=$want with an extack message, got: $got" ;;
	esac
}

if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched"
expect "read request without a nest" ok "" $CTLGET str:$A_SOURCE:sched
expect "read request with an empty nest" ok "" $CTLGET str:$A_SOURCE:sched nest:$A_CTL end
expect "read request with a filter attribute" EINVAL "no attributes" \
	$CTLGET str:$A_SOURCE:sched nest:$A_CTL u32:$S_PID:1 end
expect "read request with an unknown attribute" EINVAL "" \
	$CTLGET str:$A_SOURCE:sched nest:$A_CTL u32:99:1 end
expect "read request whose KSCOPE_A_CTL_SCHED is not a nest" EINVAL "" \
	$CTLGET str:$A_SOURCE:sched u32:$A_CTL:1
ktap_eq "the filter is untouched" "pid 0" "$(grep '^pid' "$KS_DEBUGFS/sched/filter")"

# requests while the module comes and goes
( while :; do
	"$NL" $CTLGET str:$A_SOURCE:sched
	"$NL" $CTL str:$A_SOURCE:sched nest:$A_CTL flag:$S_RESET end
done >"$KS_TMP/answers" 2>&1 ) &
req=$!
fails=0
for i in 1 2 3 4 5; do
	ks_unload kscope_sched || fails=$((fails + 1))
	ks_sleep 0.3
	ks_load kscope_sched || fails=$((fails + 1))
	ks_sleep 0.3
done
kill $req; wait $req 2>/dev/null
odd=$(grep -v -e '^ok$' -e '^errno=ENOENT ' -e '^errno=EAGAIN extack=.*loading or unloading' "$KS_TMP/answers" | sort | uniq -c)
ktap_check "5 unload/load cycles under requests: $(grep -c '^ok$' "$KS_TMP/answers") answered, $(grep -c '^errno=ENOENT' "$KS_TMP/answers") no such source" \
	"$fails failures; other answers: $odd" test "$fails" -eq 0 -a -z "$odd"
ks_unload kscope_sched
ktap_check "unload kscope_sched" "rmmod failed" eval '! ks_loaded kscope_sched'
ktap_done
