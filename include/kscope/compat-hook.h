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
 *
 * and on all three, ftrace direct calls into the core's trampoline
 * (modules/core/direct_64.S), registered with register_ftrace_direct()
 * on an ftrace_ops (6.5 on) or register_ftrace_direct_multi() (6.1).
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
/* struct kscope_fprobe_regs: what fprobe handlers are given, of this kind */
#define kscope_fprobe_regs		ftrace_regs
#define KSCOPE_FPROBE_REGS_KIND		KSCOPE_REGS_FTRACE
#define KSCOPE_FPROBE_DATA_MAX		MAX_FPROBE_DATA_SIZE
#define KSCOPE_FPROBE_KIND		"fgraph"
#else
#define kscope_fprobe_regs		pt_regs
#define KSCOPE_FPROBE_REGS_KIND		KSCOPE_REGS_PT
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

#if defined(CONFIG_X86_64) && IS_ENABLED(CONFIG_DYNAMIC_FTRACE_WITH_DIRECT_CALLS) && \
	(defined(KSCOPE_HAVE_FTRACE_DIRECT_OPS) || defined(KSCOPE_HAVE_FTRACE_DIRECT_MULTI))
#include <linux/ftrace.h>
#define KSCOPE_HOOK_HAVE_DIRECT	1

static inline int kscope_ftrace_direct_register(struct ftrace_ops *ops,
						unsigned long addr)
{
#ifdef KSCOPE_HAVE_FTRACE_DIRECT_OPS
	return register_ftrace_direct(ops, addr);
#else
	return register_ftrace_direct_multi(ops, addr);
#endif
}

/* also frees the ops' filter */
static inline int kscope_ftrace_direct_unregister(struct ftrace_ops *ops,
						  unsigned long addr)
{
#ifdef KSCOPE_HAVE_FTRACE_DIRECT_OPS
	return unregister_ftrace_direct(ops, addr, true);
#else
	int ret = unregister_ftrace_direct_multi(ops, addr);

	ftrace_free_filter(ops);
	return ret;
#endif
}
#else
#define KSCOPE_HOOK_HAVE_DIRECT	0
#endif

/* the per-call data a direct hook carries in its trampoline's frame */
#define KSCOPE_DIRECT_DATA_MAX	128

/*
 * The frame of the direct-call trampoline (modules/core/direct_64.S lays
 * it out): what its handlers are given.
 */
struct kscope_direct_frame {
	u8 data[KSCOPE_DIRECT_DATA_MAX];
	unsigned long slot;
	unsigned long ret;
	unsigned long ret_hi;
	unsigned long pad;
	unsigned long args[6];
	unsigned long pad2;
	unsigned long rbp;
	unsigned long body;	/* the return address into the function */
	unsigned long parent;	/* the function's own return address */
};

enum kscope_hook_regs_kind {
	KSCOPE_REGS_PT,		/* a struct pt_regs */
	KSCOPE_REGS_FTRACE,	/* a struct ftrace_regs */
	KSCOPE_REGS_DIRECT,	/* a struct kscope_direct_frame */
};

/*
 * What a hook's handler is given: the registers of the call, as the
 * mechanism saved them. Read them with kscope_hook_arg() and
 * kscope_hook_ret() only.
 */
struct kscope_hook_regs {
	void *regs;
	enum kscope_hook_regs_kind kind;
};

static __always_inline unsigned long
kscope_hook_arg(const struct kscope_hook_regs *r, unsigned int n)
{
	if (r->kind == KSCOPE_REGS_DIRECT)
		return n < 6 ? ((struct kscope_direct_frame *)r->regs)->args[n] : 0;
#if KSCOPE_HOOK_HAVE_FPROBE && defined(KSCOPE_HAVE_FPROBE_FREGS)
	if (r->kind == KSCOPE_REGS_FTRACE)
		return ftrace_regs_get_argument((struct ftrace_regs *)r->regs, n);
#endif
	return regs_get_kernel_argument((struct pt_regs *)r->regs, n);
}

static __always_inline unsigned long
kscope_hook_ret(const struct kscope_hook_regs *r)
{
	if (r->kind == KSCOPE_REGS_DIRECT)
		return ((struct kscope_direct_frame *)r->regs)->ret;
#if KSCOPE_HOOK_HAVE_FPROBE && defined(KSCOPE_HAVE_FPROBE_FREGS)
	if (r->kind == KSCOPE_REGS_FTRACE)
		return ftrace_regs_get_return_value((struct ftrace_regs *)r->regs);
#endif
	return regs_return_value((struct pt_regs *)r->regs);
}

#endif /* _KSCOPE_COMPAT_HOOK_H */
