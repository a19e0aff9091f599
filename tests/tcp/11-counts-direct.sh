#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 10-counts.sh with kscope_tcp's accept hook on inet_csk_accept by ftrace
# direct call into the core's trampoline (mech=direct): the same counts,
# events and agreement with libbpf-tools.
KS_TCP_MECH=direct
. "$(dirname "$0")/10-counts.sh"
