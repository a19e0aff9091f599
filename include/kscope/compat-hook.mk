# SPDX-License-Identifier: GPL-2.0
#
# Header checks for the core's entry/exit hooks (include/kscope/compat-hook.h).

# fprobe handlers return int (an entry handler can skip the exit handler)
# and get per-call entry data: 6.2 on
KSCOPE_FEATURES += $(call kscope_has,linux/fprobe.h,typedef int \(\*fprobe_entry_cb\),KSCOPE_HAVE_FPROBE_INT_ENTRY)
# fprobe on fgraph (6.14 on): handlers get struct ftrace_regs, not pt_regs
KSCOPE_FEATURES += $(call kscope_has,linux/fprobe.h,struct ftrace_regs \*regs,KSCOPE_HAVE_FPROBE_FREGS)
# the rethook pool's size (before fgraph)
KSCOPE_FEATURES += $(call kscope_has,linux/fprobe.h,nr_maxactive;,KSCOPE_HAVE_FPROBE_MAXACTIVE)
