/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduler tracepoint prototypes that differ between the supported
 * kernels. Tracepoint probes take (void *data, TP_PROTO...) and must match
 * the kernel's prototype exactly (indirect calls, CFI).
 *
 *   sched_switch(preempt, prev, next, prev_state): prev_state since 5.18,
 *     the same on 6.1, 6.12 and 7.2: no shim.
 *   sched_process_exit(p) gained group_dead (6.16). Before it, the group
 *     is dead when signal->live dropped to zero, which do_exit() does
 *     before it fires the tracepoint; but a thread of the same group that
 *     dropped it earlier may fire after that and read zero too, so the
 *     answer is a superset there (KSCOPE_SCHED_EXIT_EXACT 0) and the
 *     caller keeps the first of the group's threads.
 */
#ifndef _KSCOPE_COMPAT_SCHED_H
#define _KSCOPE_COMPAT_SCHED_H

#include <linux/sched.h>
#include <linux/sched/signal.h>

#ifdef KSCOPE_HAVE_SCHED_EXIT_GROUP_DEAD
#define KSCOPE_SCHED_EXIT_PROTO(name, p)				\
	void name(void *data, struct task_struct *p, bool __group_dead)
#define kscope_exit_group_dead(p)	(__group_dead)
#define KSCOPE_SCHED_EXIT_EXACT		1
#else
#define KSCOPE_SCHED_EXIT_PROTO(name, p)				\
	void name(void *data, struct task_struct *p)
#define kscope_exit_group_dead(p)	(atomic_read(&(p)->signal->live) == 0)
#define KSCOPE_SCHED_EXIT_EXACT		0
#endif

#endif /* _KSCOPE_COMPAT_SCHED_H */
