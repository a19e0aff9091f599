#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Malformed and unknown netlink requests are rejected with the right errno
# and an extack message; nothing changes behind them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib-nl.sh"
ktap_plan 18
ks_load kscope_testgen

# CMD numbers and attributes from include/uapi/linux/kscope.h
V=1 SG=2 ST=3 CTL=5 CTLGET=6
A_SOURCE=4 A_SOURCE_ID=5 A_PERCPU=7 A_CTL_TG=23
TG_COUNT=2 TG_CPUMASK=3

long=$(printf 'x%.0s' $(seq 40))

nl_expect "well-formed stats request" ok "" $ST str:$A_SOURCE:core
nl_expect "unknown attribute type" EINVAL "" $ST u32:200:1
nl_expect "attribute not in the op's policy" EINVAL "" $ST u16:$A_SOURCE_ID:1
nl_expect "source name without NUL" EINVAL "" $ST bin:$A_SOURCE:636f7265
nl_expect "source name too long" EINVAL "" $ST str:$A_SOURCE:$long
nl_expect "flag with a payload" ERANGE "" $ST str:$A_SOURCE:core bin:$A_PERCPU:01
nl_expect "unknown source" ENOENT "source" $ST str:$A_SOURCE:nosuch
nl_expect "missing source in a get" EINVAL "missing" $SG
nl_expect "attribute on an op that takes none" EINVAL "" $V u32:$A_SOURCE:1
nl_expect "control request to a source without control" EOPNOTSUPP "source" $CTL str:$A_SOURCE:core
nl_expect "read request to a source without one" EOPNOTSUPP "source" $CTLGET str:$A_SOURCE:testgen
nl_expect "control request without its nest" EINVAL "KSCOPE_A_CTL" $CTL str:$A_SOURCE:testgen
nl_expect "testgen count 0" ERANGE "range" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:0 end
nl_expect "testgen count too large" ERANGE "range" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:20000000 end
nl_expect "testgen unknown nested attribute" EINVAL "" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:1 u32:30:1 end
nl_expect "testgen offline cpu" EINVAL "cpu" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:1 u64:$TG_CPUMASK:0x80000000 end

got=$("$NL" 99 2>&1)
ktap_eq "unknown command" "errno=EOPNOTSUPP" "${got%% *}" "answer"

# a second run while one is in progress is refused, not queued
"$KSCOPE" testgen 1000000 --cpus 1 --rate 1000 --no-wait
nl_expect "testgen busy" EBUSY "progress" $CTL str:$A_SOURCE:testgen nest:$A_CTL_TG u32:$TG_COUNT:1 end
ks_unload kscope_testgen
ktap_done
