#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every source's request nest (KSCOPE_A_CTL_<SOURCE>) has a strict policy
# in the core: a policy dump (CTRL_CMD_GETPOLICY) of ops CTL and CTL_GET
# shows each request attribute the uapi header documents, with the type
# and range its comment gives, and none that the header says a request
# does not carry (tests/core/nlpolicy.py parses the header). The core's
# validation answers before a source exists: a malformed nest for tcp, blk
# or probe, whose modules are not loaded here, is refused with an extack
# pointing at the attribute, not "no such source"; another source's nest
# and the replies' KSCOPE_A_CTL are refused too.
. "$(dirname "$0")/../lib.sh"
HELPER=$KS_TOP/tests/core/nlpolicy.py
ktap_plan 32

# one KTAP line per helper line; a helper that dies short fails its rest
run() {
	local want=$1 n=0 line
	shift
	while IFS= read -r line; do
		n=$((n + 1))
		case $line in
		"ok "*) ktap_ok "${line#ok }" ;;
		"not ok "*) ktap_fail "${line#not ok }" ;;
		*) ktap_fail "helper said: $line" ;;
		esac
	done < <("$HELPER" "$@" 2>&1)
	while [ $n -lt "$want" ]; do
		n=$((n + 1))
		ktap_fail "nlpolicy.py $* check $n" "the helper ended early"
	done
}

for m in kscope_tcp kscope_blk kscope_probe; do ks_unload $m; done
ks_load kscope_testgen || { ktap_fail "load kscope_testgen" "$(dmesg | tail -3)"; ktap_done; }
run 18 dump
run 14 refuse
ks_unload kscope_testgen
ktap_done
