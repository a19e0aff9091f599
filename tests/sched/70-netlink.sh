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
. "$(dirname "$0")/../lib-nl.sh"
. "$(dirname "$0")/lib-sched.sh"
A_CTL=29	# KSCOPE_A_CTL_SCHED: the source's nest
S_PID=2 S_RESET=6
ktap_plan 9
nl_source_checks kscope_sched sched $A_CTL KSCOPE_A_CTL_SCHED u32:$S_PID:1 flag:$S_RESET \
	"$KS_DEBUGFS/sched/filter" "pid 0"
ktap_done
