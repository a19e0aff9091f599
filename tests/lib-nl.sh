# SPDX-License-Identifier: GPL-2.0
#
# Sourced (after lib.sh) by tests that build netlink requests by hand with
# tests/core/tools/nlcheck: the numbers they need from
# include/uapi/linux/kscope.h, nl_expect, and the checks a source's
# read request and its life under requests share (nl_source_checks).

NL=$KS_TOP/tests/core/tools/nlcheck
CMD_VERSION=1 CMD_SOURCE_GET=2 CMD_STATS_GET=3 CMD_CTL=5 CMD_CTLGET=6
A_SOURCE=4 A_SOURCE_ID=5 A_PERCPU=7

# nl_expect NAME ERRNO EXTACK_REGEX ARGS...: nlcheck ARGS answers "ok"
# (ERRNO ok) or fails with ERRNO and an extack message matching
# EXTACK_REGEX ("" means any non-empty one)
nl_expect() {
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

# nl_source_checks MODULE SOURCE SLOT SLOT_NAME FILTER_ARG CTL_ARG
#                  FILTER_FILE FILTER_LINE: 9 checks. A read request
# (CTL_GET) with a nest of the source's own (attribute SLOT) is strict:
# FILTER_ARG (an attribute of its control requests, as nlcheck writes it)
# and unknown attributes are refused with an extack message, a SLOT that
# is not a nest too, and FILTER_FILE's FILTER_LINE (its debugfs settings)
# stays as it was. Then read requests and control requests (CTL_ARG in
# the nest) keep coming while MODULE is unloaded and loaded five times:
# each gets an answer, "no such source" or the core's "loading or
# unloading, try again" (EAGAIN), never a half-set-up module.
nl_source_checks() {
	local mod=$1 src=$2 slot=$3 slot_name=$4 filter=$5 ctl=$6 file=$7 line=$8
	local req fails=0 i odd
	if ! ks_load "$mod"; then
		ktap_fail "load $mod" "$(dmesg | tail -5)"
		ktap_done
	fi
	ktap_ok "load $mod"
	nl_expect "read request without a nest" ok "" $CMD_CTLGET str:$A_SOURCE:"$src"
	nl_expect "read request with an empty nest" ok "" \
		$CMD_CTLGET str:$A_SOURCE:"$src" nest:"$slot" end
	nl_expect "read request with a filter attribute" EINVAL "no attributes" \
		$CMD_CTLGET str:$A_SOURCE:"$src" nest:"$slot" "$filter" end
	nl_expect "read request with an unknown attribute" EINVAL "" \
		$CMD_CTLGET str:$A_SOURCE:"$src" nest:"$slot" u32:99:1 end
	nl_expect "read request whose $slot_name is not a nest" EINVAL "" \
		$CMD_CTLGET str:$A_SOURCE:"$src" u32:"$slot":1
	ktap_eq "the filter is untouched" "$line" "$(grep "^${line%% *} " "$file")"

	( while :; do
		"$NL" $CMD_CTLGET str:$A_SOURCE:"$src"
		"$NL" $CMD_CTL str:$A_SOURCE:"$src" nest:"$slot" "$ctl" end
	done >"$KS_TMP/answers" 2>&1 ) &
	req=$!
	for i in 1 2 3 4 5; do
		ks_unload_busy "$mod" || fails=$((fails + 1))
		ks_sleep 0.3
		ks_load "$mod" || fails=$((fails + 1))
		ks_sleep 0.3
	done
	kill $req; wait $req 2>/dev/null
	odd=$(grep -v -e '^ok$' -e '^errno=ENOENT ' -e '^errno=EAGAIN extack=.*loading or unloading' \
		"$KS_TMP/answers" | sort | uniq -c)
	ktap_check "5 unload/load cycles under requests: $(grep -c '^ok$' "$KS_TMP/answers") answered, $(grep -c '^errno=ENOENT' "$KS_TMP/answers") no such source" \
		"$fails failures; other answers: $odd" test "$fails" -eq 0 -a -z "$odd"
	ks_unload "$mod"
	ktap_check "unload $mod" "rmmod failed" eval "! ks_loaded $mod"
}
