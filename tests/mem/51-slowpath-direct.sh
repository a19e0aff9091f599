#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 50-slowpath.sh with kscope_mem's slow-path hook by ftrace direct call
# into the core's trampoline (mech=direct): the same counts and latency
# histogram against the same ftrace oracle.
KS_MEM_MECH=direct
. "$(dirname "$0")/50-slowpath.sh"
