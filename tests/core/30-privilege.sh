#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An unprivileged user can read counters but can neither subscribe to
# events nor send control requests.
. "$(dirname "$0")/../lib.sh"
NL=$KS_TOP/tests/core/tools/nlcheck
ktap_plan 6
ks_load kscope_testgen

got=$(ks_as_nobody "$NL" --join events 2>&1)
ktap_eq "nobody cannot join the events group" "errno=EPERM extack=" "$got" "answer"
got=$(ks_as_nobody "$NL" 5 str:4:testgen nest:14 u32:2:1 end 2>&1)
ktap_eq "nobody cannot send a control request" "errno=EPERM" "${got%% *}" "answer"
out=$(ks_as_nobody "$KSCOPE" watch --duration 1 2>&1); rc=$?
if [ $rc -eq 1 ] && [[ $out == *"permission denied"* ]]; then
	ktap_ok "kscope watch as nobody: clear error"
else
	ktap_fail "kscope watch as nobody: clear error" "rc=$rc: $out"
fi
before=$(ks_counter testgen runs)
ks_as_nobody "$KSCOPE" testgen 10 >/dev/null 2>&1
ktap_eq "nobody's testgen request changed nothing" "$before" "$(ks_counter testgen runs)" "runs"
ktap_check "nobody can read counters" "kscope stat failed" ks_as_nobody "$KSCOPE" stat core
got=$("$NL" --join events 2>&1)
ktap_eq "root can join the events group" ok "$got" "answer"
ks_unload kscope_testgen
ktap_done
