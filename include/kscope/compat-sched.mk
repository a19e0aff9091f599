# SPDX-License-Identifier: GPL-2.0
#
# Header checks for kscope_sched (see include/kscope/compat-sched.h).

# 6.16: sched:sched_process_exit passes group_dead
KSCOPE_FEATURES += $(call kscope_has,trace/events/sched.h,struct task_struct \*p. bool group_dead,KSCOPE_HAVE_SCHED_EXIT_GROUP_DEAD)
