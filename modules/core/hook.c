// SPDX-License-Identifier: GPL-2.0
/*
 * Entry/exit hooks for the sources (include/kscope/hook.h): an fprobe
 * where the kernel has one, a kretprobe where it does not.
 *
 * Why: a kretprobe on a function's entry runs ftrace's regs caller, then
 * the kprobe layer (the kprobe looked up in a hash of addresses, its
 * per-CPU state), then takes a rethook node and swaps the return
 * address; the fprobe skips the kprobe layer (6.12), and on fgraph (7.2)
 * saves no full pt_regs on either side. Both call the source's handler
 * through the dispatchers below, which only find the hook (container_of)
 * and say which registers they were given.
 */
#include <linux/export.h>
#include <linux/kprobes.h>
#include <linux/preempt.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <kscope/hook.h>
#include <kscope/resolve.h>

#include "internal.h"

/*
 * The wrappers below pass the address of a local (the regs) on, which
 * -fstack-protector-strong would guard with a canary on every call: a
 * 16-byte struct of a pointer and an enum needs none.
 */
static int __no_stack_protector krp_entry(struct kretprobe_instance *ri,
					  struct pt_regs *regs)
{
	struct kscope_hook *h = container_of(get_kretprobe(ri),
					     struct kscope_hook, krp);
	struct kscope_hook_regs r = { .regs = regs, .kind = KSCOPE_REGS_PT };

	return h->entry ? h->entry(h, &r, ri->data) : 0;
}
NOKPROBE_SYMBOL(krp_entry);

static int __no_stack_protector krp_exit(struct kretprobe_instance *ri,
					 struct pt_regs *regs)
{
	struct kscope_hook *h = container_of(get_kretprobe(ri),
					     struct kscope_hook, krp);
	struct kscope_hook_regs r = { .regs = regs, .kind = KSCOPE_REGS_PT };

	h->exit(h, &r, ri->data);
	return 0;
}
NOKPROBE_SYMBOL(krp_exit);

static int attach_kretprobe(struct kscope_hook *h)
{
	int ret;

	memset(&h->krp, 0, sizeof(h->krp));
	h->krp.kp.symbol_name = h->sym;
	h->krp.entry_handler = krp_entry;
	h->krp.handler = krp_exit;
	h->krp.data_size = h->data_size;
	h->krp.maxactive = h->maxactive;
	ret = register_kretprobe(&h->krp);
	if (ret)
		memset(&h->krp, 0, sizeof(h->krp));
	else
		h->mech = KSCOPE_HOOK_KRETPROBE;
	return ret;
}

#if KSCOPE_HOOK_HAVE_FPROBE
static int __no_stack_protector fp_entry(struct fprobe *fp, unsigned long ip,
					 unsigned long ret_ip,
					 struct kscope_fprobe_regs *regs, void *data)
{
	struct kscope_hook *h = container_of(fp, struct kscope_hook, fp);
	struct kscope_hook_regs r = { .regs = regs,
				      .kind = KSCOPE_FPROBE_REGS_KIND };

	return h->entry ? h->entry(h, &r, data) : 0;
}
NOKPROBE_SYMBOL(fp_entry);

static void __no_stack_protector fp_exit(struct fprobe *fp, unsigned long ip,
					 unsigned long ret_ip,
					 struct kscope_fprobe_regs *regs, void *data)
{
	struct kscope_hook *h = container_of(fp, struct kscope_hook, fp);
	struct kscope_hook_regs r = { .regs = regs,
				      .kind = KSCOPE_FPROBE_REGS_KIND };

	/*
	 * rethook calls it with preemption off; the fgraph return path
	 * makes no such promise, and handlers (and a module's unload,
	 * which waits for them with synchronize_rcu()) count on it
	 */
	preempt_disable_notrace();
	h->exit(h, &r, data);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(fp_exit);

static int attach_fprobe(struct kscope_hook *h)
{
	int ret;

	if (h->data_size > KSCOPE_FPROBE_DATA_MAX)
		return -E2BIG;
	memset(&h->fp, 0, sizeof(h->fp));
	h->fp.entry_handler = fp_entry;
	h->fp.exit_handler = fp_exit;
	h->fp.entry_data_size = h->data_size;
	kscope_fprobe_set_maxactive(&h->fp, h->maxactive);
	ret = register_fprobe_syms(&h->fp, &h->sym, 1);
	if (ret)
		memset(&h->fp, 0, sizeof(h->fp));
	else
		h->mech = KSCOPE_HOOK_FPROBE;
	return ret;
}

static void detach_fprobe(struct kscope_hook *h)
{
	unregister_fprobe(&h->fp);
}
#else
static int attach_fprobe(struct kscope_hook *h)
{
	return -EOPNOTSUPP;
}

static void detach_fprobe(struct kscope_hook *h)
{
}
#endif

bool kscope_hook_have_fprobe(void)
{
	return KSCOPE_HOOK_HAVE_FPROBE;
}
EXPORT_SYMBOL_GPL(kscope_hook_have_fprobe);

int kscope_hook_mech_flags(const char *mech, unsigned int *flags)
{
	if (!strcmp(mech, "auto"))
		*flags = 0;
	else if (!strcmp(mech, "fprobe") && kscope_hook_have_fprobe())
		*flags = KSCOPE_HOOK_FPROBE_ONLY;
	else if (!strcmp(mech, "kretprobe"))
		*flags = KSCOPE_HOOK_KRETPROBE_ONLY;
	else if (!strcmp(mech, "direct") && kscope_hook_have_direct())
		*flags = KSCOPE_HOOK_TRY_DIRECT;
	else
		return -EINVAL;
	return 0;
}
EXPORT_SYMBOL_GPL(kscope_hook_mech_flags);

const char *kscope_hook_mechs(void)
{
	static const char *const mechs[2][2] = {
		{ "auto or kretprobe", "auto, kretprobe or direct" },
		{ "auto, kretprobe or fprobe", "auto, kretprobe, fprobe or direct" },
	};

	return mechs[kscope_hook_have_fprobe()][kscope_hook_have_direct()];
}
EXPORT_SYMBOL_GPL(kscope_hook_mechs);

/*
 * KSCOPE_HOOK_EVENTS: the resolver refused the denied names; a function
 * reached by another name (an alias at the same address) is caught by
 * its address. A kprobe registered disarmed is the one exported lookup
 * of a name's address on 6.1, 6.12 and 7.2 (resolve.c lists the others,
 * all unexported); it also refuses what kprobes may not touch, which an
 * event source has no business hooking either.
 */
static int hook_deny(struct kscope_hook *h)
{
	struct kprobe kp = { .symbol_name = h->sym,
			     .flags = KPROBE_FLAG_DISABLED };
	int ret;

	ret = register_kprobe(&kp);
	if (ret)
		return ret;
	h->deny = kscope_deny_reason(h->sym, (unsigned long)kp.addr);
	unregister_kprobe(&kp);
	return h->deny ? -EDEADLK : 0;
}

int kscope_hook_attach(struct kscope_hook *h, unsigned int flags)
{
	int ret = -EOPNOTSUPP;

	h->mech = KSCOPE_HOOK_NONE;
	h->deny = NULL;
	if (!h->exit)
		return -EINVAL;
	if (flags & KSCOPE_HOOK_EVENTS) {
		ret = hook_deny(h);
		if (ret)
			return ret;
	}
	if ((flags & KSCOPE_HOOK_TRY_DIRECT) && !kscope_direct_attach(h))
		return 0;
	if (!(flags & KSCOPE_HOOK_KRETPROBE_ONLY)) {
		ret = attach_fprobe(h);
		if (!ret || (flags & KSCOPE_HOOK_FPROBE_ONLY))
			return ret;
	}
	/*
	 * No fprobe here, or ftrace cannot hook this function (no fentry
	 * site, notrace): a kprobe reaches it. A function that is not
	 * there at all fails again, with -ENOENT.
	 */
	return attach_kretprobe(h);
}
EXPORT_SYMBOL_GPL(kscope_hook_attach);

int __kscope_hook_any(struct kscope_hook *h, const char *sym, char *name,
		      size_t len, unsigned int flags, const char *owner)
{
	struct netlink_ext_ack ext = {};
	int ret;

	h->mech = KSCOPE_HOOK_NONE;
	ret = kscope_resolve(sym, 0, name, len, &ext);
	if (ret) {
		pr_err("%s: cannot hook %s: %s (%d)\n", owner, sym,
		       ext._msg ?: "", ret);
		return ret;
	}
	h->sym = name;
	ret = kscope_hook_attach(h, flags);
	if (ret)
		pr_err("%s: cannot hook %s: %d%s\n", owner, name, ret,
		       ret == -ENOENT ? " (no such symbol on this kernel)" : "");
	return ret;
}
EXPORT_SYMBOL_GPL(__kscope_hook_any);

void kscope_hooks_detach(struct kscope_hook **hooks, unsigned int n)
{
	struct kretprobe *krps[16];
	unsigned int i, nk = 0;

	kscope_direct_detach(hooks, n);
	for (i = 0; i < n; i++)
		if (hooks[i]->mech == KSCOPE_HOOK_FPROBE)
			detach_fprobe(hooks[i]);
	/* kretprobes in batches: one grace period for each */
	for (i = 0; i < n; i++) {
		if (hooks[i]->mech == KSCOPE_HOOK_KRETPROBE)
			krps[nk++] = &hooks[i]->krp;
		if (nk && (nk == ARRAY_SIZE(krps) || i == n - 1)) {
			unregister_kretprobes(krps, nk);
			nk = 0;
		}
	}
	for (i = 0; i < n; i++)
		hooks[i]->mech = KSCOPE_HOOK_NONE;
}
EXPORT_SYMBOL_GPL(kscope_hooks_detach);

unsigned long kscope_hook_nmissed(const struct kscope_hook *h)
{
	switch (h->mech) {
	case KSCOPE_HOOK_KRETPROBE:
		return h->krp.nmissed + h->krp.kp.nmissed;
#if KSCOPE_HOOK_HAVE_FPROBE
	case KSCOPE_HOOK_FPROBE:
		return h->fp.nmissed;
#endif
	case KSCOPE_HOOK_DIRECT:
		return kscope_direct_nmissed(h);
	default:
		return 0;
	}
}
EXPORT_SYMBOL_GPL(kscope_hook_nmissed);

const char *kscope_hook_mech_name(enum kscope_hook_mech mech)
{
	switch (mech) {
	case KSCOPE_HOOK_FPROBE:
		return "fprobe";
	case KSCOPE_HOOK_KRETPROBE:
		return "kretprobe";
	case KSCOPE_HOOK_DIRECT:
		return "direct";
	default:
		return "none";
	}
}
EXPORT_SYMBOL_GPL(kscope_hook_mech_name);
