// SPDX-License-Identifier: GPL-2.0
/*
 * Entry/exit hooks by ftrace direct calls (include/kscope/hook.h,
 * KSCOPE_HOOK_TRY_DIRECT): the function's fentry site calls a stub of the
 * core's trampoline (direct_64.S), which calls the entry handler, the
 * function and the exit handler, as a BPF fexit trampoline does. No
 * pt_regs are saved, no kprobe is looked up, no return instance is taken
 * from a pool: the per-call data is in the trampoline's stack frame.
 *
 * Slots. The trampoline has KSCOPE_DIRECT_SLOTS stubs, each loading its
 * slot number; a hook owns one slot while it is attached. Handlers find
 * the hook in kd_slots[slot].hook, read with preemption off.
 *
 * Detach. unregister_ftrace_direct() stops new calls; the slot's hook is
 * cleared and a grace period waits for handlers that are running. A call
 * that is still inside the function (a read blocked on a pipe) returns
 * later into the trampoline, which is core text: its exit handler is
 * skipped, and it leaves the slot's in-flight count. Until every such
 * call has returned, the slot stays parked (not reused), and the core
 * holds a reference on itself, so that `rmmod kscope_core` says it is in
 * use rather than free text a task will return into. A delayed work
 * checks parked slots every 100 ms and drops the reference when the last
 * one drains. The module that owned the hook can unload at once: the
 * ftrace_ops is the slot's, in the core, not the hook's.
 *
 * Should ftrace fail to remove a direct call (it has no reason to), the
 * slot is never reused and the core pins itself for good: its stub still
 * runs on every call of the function, passing it straight through.
 *
 * Where it is not used: kernels without direct calls, and CPUs with IBT
 * enforced (the trampoline reaches the function's body by an indirect
 * call, which lands on no ENDBR): the caller falls back to fprobe or
 * kretprobe.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/workqueue.h>
#include <kscope/hook.h>

#include "internal.h"

#if KSCOPE_HOOK_HAVE_DIRECT

struct kd_slot {
	struct kscope_hook *hook;	/* NULL: free, parked or stuck */
	struct ftrace_ops ops;		/* set up under kd_lock; then its owner's */
	bool busy;			/* attached, parked or stuck */
	bool parked;
	bool stuck;			/* ftrace kept the direct call */
};

static struct kd_slot kd_slots[KSCOPE_DIRECT_SLOTS];
static_assert(!(KSCOPE_DIRECT_SLOTS & (KSCOPE_DIRECT_SLOTS - 1)));

/*
 * The frame's slot, which a stub of ours loaded: masked, so that the
 * compiler knows it is in bounds and checks it no more on every call.
 */
static __always_inline unsigned int kd_slot_of(const struct kscope_direct_frame *f)
{
	return f->slot & (KSCOPE_DIRECT_SLOTS - 1);
}

/* calls in flight per slot: entered with an exit to run, not returned */
static DEFINE_PER_CPU(long, kd_inflight[KSCOPE_DIRECT_SLOTS]);
/*
 * A handler running on this CPU: one at a time, as a BPF program's
 * `active` count does. A hooked function that a handler reaches, or
 * that an interrupt or NMI calls while a handler runs on this CPU, runs
 * untraced and counts as missed. It costs an xadd where ftrace's
 * recursion lock costs a context computation and a task field on each
 * side, and it bounds the nesting at one whatever the slots hook.
 */
static DEFINE_PER_CPU(int, kd_active);
static DEFINE_MUTEX(kd_lock);
static unsigned int kd_parked;	/* under kd_lock; the core holds itself */
static void kd_drain(struct work_struct *work);
static DECLARE_DELAYED_WORK(kd_drain_work, kd_drain);

/*
 * The two handlers pass the address of a local (the regs) on, which
 * -fstack-protector-strong would guard with a canary: two stores, a
 * compare and a branch a call, for a 16-byte struct that holds no array.
 */
int notrace __no_stack_protector kscope_direct_enter(struct kscope_direct_frame *f)
{
	struct kscope_hook_regs r = { .regs = f, .kind = KSCOPE_REGS_DIRECT };
	unsigned int slot = kd_slot_of(f);
	struct kscope_hook *h;
	int ret = 1;

	preempt_disable_notrace();
	h = READ_ONCE(kd_slots[slot].hook);
	if (!h)
		goto out;
	if (unlikely(this_cpu_inc_return(kd_active) != 1)) {
		atomic_long_inc(&h->direct.nmissed);
		goto leave;
	}
	ret = h->entry ? h->entry(h, &r, f->data) : 0;
	if (!ret)
		this_cpu_inc(kd_inflight[slot]);
leave:
	this_cpu_dec(kd_active);
out:
	preempt_enable_notrace();
	return ret;
}
NOKPROBE_SYMBOL(kscope_direct_enter);

void notrace __no_stack_protector kscope_direct_exit(struct kscope_direct_frame *f)
{
	struct kscope_hook_regs r = { .regs = f, .kind = KSCOPE_REGS_DIRECT };
	unsigned int slot = kd_slot_of(f);
	struct kscope_hook *h;

	preempt_disable_notrace();
	h = READ_ONCE(kd_slots[slot].hook);
	if (h) {
		if (likely(this_cpu_inc_return(kd_active) == 1))
			h->exit(h, &r, f->data);
		else
			atomic_long_inc(&h->direct.nmissed);
		this_cpu_dec(kd_active);
	}
	this_cpu_dec(kd_inflight[slot]);
	preempt_enable_notrace();
}
NOKPROBE_SYMBOL(kscope_direct_exit);

static long kd_inflight_sum(unsigned int slot)
{
	long sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu(kd_inflight[slot], cpu);
	return sum;
}

/*
 * Free the parked slots whose calls have all returned. Once a slot is
 * parked no call enters it, so each CPU's count only falls: a sum read
 * CPU by CPU is never below the true one, and 0 means none is left.
 */
static void kd_drain_locked(void)
{
	unsigned int i;

	lockdep_assert_held(&kd_lock);
	for (i = 0; i < KSCOPE_DIRECT_SLOTS; i++) {
		if (!kd_slots[i].parked || kd_inflight_sum(i) > 0)
			continue;
		kd_slots[i].parked = false;
		kd_slots[i].busy = false;
		if (!--kd_parked)
			module_put(THIS_MODULE);
	}
	if (kd_parked)
		schedule_delayed_work(&kd_drain_work, HZ / 10);
}

static void kd_drain(struct work_struct *work)
{
	mutex_lock(&kd_lock);
	kd_drain_locked();
	mutex_unlock(&kd_lock);
}

bool kscope_hook_have_direct(void)
{
	return !cpu_feature_enabled(X86_FEATURE_IBT);
}

int kscope_direct_attach(struct kscope_hook *h)
{
	unsigned long stub;
	unsigned int slot;
	char *name;
	int ret;

	if (!kscope_hook_have_direct())
		return -EOPNOTSUPP;
	if (h->data_size > KSCOPE_DIRECT_DATA_MAX)
		return -E2BIG;
	/* ftrace_set_filter() may write to the pattern it parses */
	name = kstrdup(h->sym, GFP_KERNEL);
	if (!name)
		return -ENOMEM;

	mutex_lock(&kd_lock);
	for (slot = 0; slot < KSCOPE_DIRECT_SLOTS; slot++)
		if (!kd_slots[slot].busy)
			break;
	if (slot == KSCOPE_DIRECT_SLOTS) {
		ret = -ENOSPC;
		goto unlock;
	}
	memset(&h->direct, 0, sizeof(h->direct));
	/* unregistered and idle since the slot's last use, if any */
	memset(&kd_slots[slot].ops, 0, sizeof(kd_slots[slot].ops));
	ret = ftrace_set_filter(&kd_slots[slot].ops, name, strlen(name), 1);
	if (ret) {
		ret = -ENOENT;	/* not a function ftrace can hook */
		goto free_filter;
	}
	h->direct.slot = slot;
	kd_slots[slot].busy = true;
	WRITE_ONCE(kd_slots[slot].hook, h);
	stub = (unsigned long)kscope_direct_stubs[slot];
	ret = kscope_ftrace_direct_register(&kd_slots[slot].ops, stub);
	if (ret)
		goto clear_slot;
	h->mech = KSCOPE_HOOK_DIRECT;
	mutex_unlock(&kd_lock);
	kfree(name);
	return 0;

clear_slot:
	WRITE_ONCE(kd_slots[slot].hook, NULL);
	kd_slots[slot].busy = false;
free_filter:
	ftrace_free_filter(&kd_slots[slot].ops);
	memset(&h->direct, 0, sizeof(h->direct));
unlock:
	mutex_unlock(&kd_lock);
	kfree(name);
	return ret;
}

void kscope_direct_detach(struct kscope_hook **hooks, unsigned int n)
{
	struct kscope_hook *h;
	unsigned int i, slot;
	unsigned long stub;
	bool any = false;
	int ret;

	/* a busy slot's ops and stuck flag are its owner's: no lock here */
	for (i = 0; i < n; i++) {
		h = hooks[i];
		if (h->mech != KSCOPE_HOOK_DIRECT)
			continue;
		slot = h->direct.slot;
		stub = (unsigned long)kscope_direct_stubs[slot];
		ret = kscope_ftrace_direct_unregister(&kd_slots[slot].ops, stub);
		WRITE_ONCE(kd_slots[slot].hook, NULL);
		if (ret) {
			/* the stub stays in the function: keep both for good */
			pr_err("%s: ftrace did not remove the direct call (%d): slot %u kept, kscope_core pinned\n",
			       h->sym, ret, slot);
			kd_slots[slot].stuck = true;
			__module_get(THIS_MODULE);
		}
		any = true;
	}
	if (!any)
		return;
	/* handlers run with preemption off: none of these runs after this */
	synchronize_rcu();

	mutex_lock(&kd_lock);
	for (i = 0; i < n; i++) {
		h = hooks[i];
		if (h->mech != KSCOPE_HOOK_DIRECT ||
		    kd_slots[h->direct.slot].stuck)
			continue;
		if (!kd_parked++)
			__module_get(THIS_MODULE);
		kd_slots[h->direct.slot].parked = true;
	}
	kd_drain_locked();
	mutex_unlock(&kd_lock);
}

unsigned long kscope_direct_nmissed(const struct kscope_hook *h)
{
	return atomic_long_read(&h->direct.nmissed);
}

void kscope_direct_core_exit(void)
{
	/* nothing is parked (the core held itself), or the work is idle */
	cancel_delayed_work_sync(&kd_drain_work);
	/* a task may still be in the trampoline's last instructions */
	synchronize_rcu_tasks();
}

#else /* !KSCOPE_HOOK_HAVE_DIRECT */

bool kscope_hook_have_direct(void)
{
	return false;
}

int kscope_direct_attach(struct kscope_hook *h)
{
	return -EOPNOTSUPP;
}

void kscope_direct_detach(struct kscope_hook **hooks, unsigned int n)
{
}

unsigned long kscope_direct_nmissed(const struct kscope_hook *h)
{
	return 0;
}

void kscope_direct_core_exit(void)
{
}

#endif
EXPORT_SYMBOL_GPL(kscope_hook_have_direct);
