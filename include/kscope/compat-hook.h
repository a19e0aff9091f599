/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The core's entry/exit hooks (include/kscope/hook.h) on each kernel:
 * which mechanisms exist, what their handlers are given, and how a
 * handler reads arguments and the return value from it. Feature macros
 * come from include/kscope/compat-hook.mk.
 *
 *   6.1   no fprobe (CONFIG_FPROBE off in Debian's kernel): kretprobes
 *   6.12  fprobe on an ftrace_ops with saved pt_regs, exit through rethook
 *   7.2   fprobe on fgraph: ftrace_regs at entry and at exit, the per-call
 *         data on the task's shadow stack (at most MAX_FPROBE_DATA_SIZE)
 */
#ifndef _KSCOPE_COMPAT_HOOK_H
#define _KSCOPE_COMPAT_HOOK_H

#include <linux/kprobes.h>
#include <linux/ptrace.h>

#if IS_ENABLED(CONFIG_FPROBE) && defined(KSCOPE_HAVE_FPROBE_INT_ENTRY)
#include <linux/fprobe.h>
#define KSCOPE_HOOK_HAVE_FPROBE	1
#ifdef KSCOPE_HAVE_FPROBE_FREGS
#include <linux/ftrace.h>
/* struct kscope_fprobe_regs: what fprobe handlers are given */
#define kscope_fprobe_regs		ftrace_regs
#define KSCOPE_FPROBE_FREGS		true
#define KSCOPE_FPROBE_DATA_MAX		MAX_FPROBE_DATA_SIZE
#define KSCOPE_FPROBE_KIND		"fgraph"
#else
#define kscope_fprobe_regs		pt_regs
#define KSCOPE_FPROBE_FREGS		false
#define KSCOPE_FPROBE_DATA_MAX		4096
#define KSCOPE_FPROBE_KIND		"ftrace+rethook"
#endif
/*
 * Calls in flight: 6.12's rethook pool is sized at registration (by
 * default two per CPU); fgraph keeps the calls on each task's shadow
 * stack and has no such limit.
 */
static inline void kscope_fprobe_set_maxactive(struct fprobe *fp, unsigned int n)
{
#ifdef KSCOPE_HAVE_FPROBE_MAXACTIVE
	fp->nr_maxactive = n;
#endif
}
#else
#define KSCOPE_HOOK_HAVE_FPROBE	0
#endif

/*
 * What a hook's handler is given: the registers of the call, as the
 * mechanism saved them. Read them with kscope_hook_arg() and
 * kscope_hook_ret() only.
 */
struct kscope_hook_regs {
	void *regs;
	bool fregs;		/* a struct ftrace_regs, else a struct pt_regs */
};

static __always_inline unsigned long
kscope_hook_arg(const struct kscope_hook_regs *r, unsigned int n)
{
#if KSCOPE_HOOK_HAVE_FPROBE && defined(KSCOPE_HAVE_FPROBE_FREGS)
	if (r->fregs)
		return ftrace_regs_get_argument((struct ftrace_regs *)r->regs, n);
#endif
	return regs_get_kernel_argument((struct pt_regs *)r->regs, n);
}

static __always_inline unsigned long
kscope_hook_ret(const struct kscope_hook_regs *r)
{
#if KSCOPE_HOOK_HAVE_FPROBE && defined(KSCOPE_HAVE_FPROBE_FREGS)
	if (r->fregs)
		return ftrace_regs_get_return_value((struct ftrace_regs *)r->regs);
#endif
	return regs_return_value((struct pt_regs *)r->regs);
}

#endif /* _KSCOPE_COMPAT_HOOK_H */
