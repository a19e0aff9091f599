#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_tcp's netlink requests, built by hand (tests/core/tools/nlcheck):
# a read request (CTL_GET) parses its KSCOPE_A_CTL_TCP nest strictly and
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
. "$(dirname "$0")/lib-tcp.sh"
A_CTL=24	# KSCOPE_A_CTL_TCP: the source's nest
T_PORT=2 T_CLEAR=7
ktap_plan 9
nl_source_checks kscope_tcp tcp $A_CTL KSCOPE_A_CTL_TCP u16:$T_PORT:80 flag:$T_CLEAR \
	"$KS_DEBUGFS/tcp/filter" "port 0"
ktap_done
