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
# ftrace direct calls on an ftrace_ops: register_ftrace_direct(ops, addr)
# from 6.5 on, register_ftrace_direct_multi(ops, addr) before
KSCOPE_FEATURES += $(call kscope_has,linux/ftrace.h,int register_ftrace_direct.struct ftrace_ops,KSCOPE_HAVE_FTRACE_DIRECT_OPS)
KSCOPE_FEATURES += $(call kscope_has,linux/ftrace.h,int register_ftrace_direct_multi.struct ftrace_ops,KSCOPE_HAVE_FTRACE_DIRECT_MULTI)
