/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Entry and exit hooks on a kernel function, by the cheapest mechanism
 * the running kernel has for it (modules/core/hook.c):
 *
 *   fprobe     an ftrace_ops on the function's fentry site, and rethook
 *              (6.12) or the function graph tracer's return hook (7.2) on
 *              the way out; no kprobe layer, no breakpoint
 *   kretprobe  where the kernel has no fprobe (Debian's 6.1) or ftrace
 *              cannot reach the function (notrace, no fentry site)
 *   direct     on request (KSCOPE_HOOK_TRY_DIRECT): an ftrace direct call
 *              from the fentry site into the core's trampoline, which
 *              calls the function itself, as a BPF fexit trampoline
 *              does; the cheapest, with two costs (modules/core/direct.c):
 *              only for functions whose arguments all travel in registers,
 *              and a call still in flight when its hook is detached keeps
 *              kscope_core loaded (in use) until it returns
 *
 * A module fills sym, entry, exit, data_size and maxactive, then calls
 * kscope_hook_attach(); kscope_hook_mech_name() says what was used, for
 * the source's attach line. The entry handler gets @data, data_size bytes
 * of per-call storage, and returns 0 to have the exit handler run for
 * this call with the same @data, or non-zero to skip it (nothing is
 * counted missed then). Handlers run with preemption off, in any
 * context a function can be called from, and must not sleep.
 */
#ifndef _KSCOPE_HOOK_H
#define _KSCOPE_HOOK_H

#include <linux/printk.h>
#include <linux/types.h>
#include <kscope/compat-hook.h>

struct kscope_hook;

typedef int (*kscope_hook_entry_fn)(struct kscope_hook *h,
				    const struct kscope_hook_regs *r,
				    void *data);
typedef void (*kscope_hook_exit_fn)(struct kscope_hook *h,
				    const struct kscope_hook_regs *r,
				    void *data);

enum kscope_hook_mech {
	KSCOPE_HOOK_NONE,
	KSCOPE_HOOK_FPROBE,
	KSCOPE_HOOK_KRETPROBE,
	KSCOPE_HOOK_DIRECT,
};

/* kscope_hook_attach() flags */
#define KSCOPE_HOOK_KRETPROBE_ONLY	0x1	/* never an fprobe */
#define KSCOPE_HOOK_FPROBE_ONLY		0x2	/* never a kretprobe */
/*
 * a direct call first (the function takes at most six arguments, all in
 * registers, and is not variadic); else as without this flag
 */
#define KSCOPE_HOOK_TRY_DIRECT		0x4
/*
 * the handlers emit events: refuse (-EDEADLK, the reason in h->deny) a
 * function the event channel calls, by its name and by any other name
 * its address has, before anything is armed (modules/core/deny.c)
 */
#define KSCOPE_HOOK_EVENTS		0x8

/*
 * The per-call data an fprobe can carry on this kernel (7.2: 120 bytes);
 * a hook asking for more gets a kretprobe.
 */
#if KSCOPE_HOOK_HAVE_FPROBE
#define KSCOPE_HOOK_FPROBE_DATA_MAX	KSCOPE_FPROBE_DATA_MAX
#else
#define KSCOPE_HOOK_FPROBE_DATA_MAX	0
#endif

struct kscope_hook {
	/* set by the module */
	const char *sym;
	kscope_hook_entry_fn entry;	/* may be NULL: exit only */
	kscope_hook_exit_fn exit;
	unsigned int data_size;
	/* calls in flight (kretprobe, 6.12's rethook); 0: the default */
	unsigned int maxactive;

	/* set by the core */
	enum kscope_hook_mech mech;
	const char *deny;	/* why KSCOPE_HOOK_EVENTS refused sym */
	union {
		struct kretprobe krp;
#if KSCOPE_HOOK_HAVE_FPROBE
		struct fprobe fp;
#endif
#if KSCOPE_HOOK_HAVE_DIRECT
		struct {
			/* the ftrace_ops is the core's, one per slot */
			unsigned int slot;
			atomic_long_t nmissed;
		} direct;
#endif
	};
};

/*
 * Attach @h to h->sym: an fprobe where this kernel has fprobe and ftrace
 * can hook the function, else a kretprobe (@flags narrow the choice).
 * Returns 0 or a negative errno (-ENOENT: no such function here;
 * -EDEADLK: KSCOPE_HOOK_EVENTS refused it, h->deny says why), and logs
 * nothing: the caller says what failed. May sleep.
 */
int kscope_hook_attach(struct kscope_hook *h, unsigned int flags);
/*
 * kscope_hook_attach() on function @sym or, where the compiler only left
 * a clone of it, on that clone (as kscope_kretprobe_any(), for handlers
 * that read only the timing and the return value, which a clone keeps).
 * The name found is written to @name (@len bytes), which must outlive
 * the hook. Logs one line on failure.
 */
int __kscope_hook_any(struct kscope_hook *h, const char *sym, char *name,
		      size_t len, unsigned int flags, const char *owner);
#define kscope_hook_any(h, sym, name, len, flags) \
	__kscope_hook_any(h, sym, name, len, flags, KBUILD_MODNAME)
/*
 * Detach every attached hook of @hooks (unattached ones are skipped);
 * no handler of theirs runs after this returns. May sleep.
 */
void kscope_hooks_detach(struct kscope_hook **hooks, unsigned int n);
/* Calls missed: no room for another call in flight, or recursion. */
unsigned long kscope_hook_nmissed(const struct kscope_hook *h);
/* "fprobe", "kretprobe", "direct" or "none", for attach lines */
const char *kscope_hook_mech_name(enum kscope_hook_mech mech);
/* Does this kernel have fprobes at all? */
bool kscope_hook_have_fprobe(void);
/* Can the core hook by direct calls here (modules/core/direct.c)? */
bool kscope_hook_have_direct(void);
/*
 * A module's mech= parameter: "auto" (0), "fprobe", "kretprobe" or
 * "direct" into kscope_hook_attach() flags; -EINVAL for a name this
 * kernel has no such mechanism for. kscope_hook_mechs() lists the names
 * it takes here ("auto, kretprobe, fprobe or direct"), for the error.
 */
int kscope_hook_mech_flags(const char *mech, unsigned int *flags);
const char *kscope_hook_mechs(void);

/* The same, saying a bad name in the calling module's log. */
#define kscope_hook_mech_param(mech, flags) ({				\
	int __ret = kscope_hook_mech_flags(mech, flags);		\
									\
	if (__ret)							\
		pr_err("mech=%s: not %s on this kernel\n", mech,	\
		       kscope_hook_mechs());				\
	__ret;								\
})

#endif /* _KSCOPE_HOOK_H */
