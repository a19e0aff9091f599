#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The core runs a source's request handlers only once its module's init has
# returned: a request that arrives while the module is still loading (here
# testgen sleeps in init after registering) is refused with EAGAIN and a
# message, and the same request succeeds once the load is done. Oracle: the
# module's state in /sys/module and the errno.
. "$(dirname "$0")/../lib.sh"
NL=$KS_TOP/tests/core/tools/nlcheck
ktap_plan 4
ks_unload kscope_testgen
ks_load kscope_core
CTL=5 A_SOURCE=4 A_CTL_TG=23 TG_COUNT=2 TG_WAIT=5

insmod "$(ks_ko kscope_testgen)" init_delay_ms=4000 &
ipid=$!
for ((i = 0; i < 100; i++)); do
	[ -e "$KS_DEBUGFS/testgen" ] && break
	ks_sleep 0.05
done
state=$(cat /sys/module/kscope_testgen/initstate 2>/dev/null)
got=$("$NL" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:1 flag:$TG_WAIT end 2>&1)
ktap_eq "module still loading" coming "$state" "initstate"
case $got in
"errno=EAGAIN extack="*loading*|"errno=Resource temporarily unavailable extack="*loading*) ktap_ok "request during init refused with EAGAIN" ;;
*) ktap_fail "request during init refused with EAGAIN" "got: $got" ;;
esac
wait $ipid
ktap_eq "module live after init" live "$(cat /sys/module/kscope_testgen/initstate)" "initstate"
got=$("$NL" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:1 flag:$TG_WAIT end 2>&1)
ktap_eq "the same request after init" ok "$got" "answer"
ks_unload kscope_testgen
ktap_done
