#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The sar-like CPU view in debugfs agrees with /proc/stat over the same
# interval: one CPU busy, the other idle (see lib-cpu.sh). The file is
# polled with builtins only, so that the poller barely loads the CPUs.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
. "$(dirname "$0")/lib-cpu.sh"
ktap_plan 5

if [ "$(nproc)" -lt 2 ]; then
	ktap_skip "cpu view against /proc/stat" "needs 2 CPUs, have $(nproc)"
	ktap_done
fi
if ! ks_load kscope_sched interval_ms=2000; then
	ktap_fail "load kscope_sched interval_ms=2000" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched interval_ms=2000"

read_debugfs() {
	local lines

	mapfile -t lines <"$KS_DEBUGFS/sched/cpu" || return 1
	printf -v "$1" '%s\n' "${lines[@]}"
}
cpu_vs_procstat read_debugfs "the cpu view"
ks_unload kscope_sched
ktap_done
