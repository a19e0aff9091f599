// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_hookcost: what an entry/exit hook of the core costs per call,
 * without a source's work (bench/hookcost.sh). Hooks sym (default
 * vfs_read) and sym2 (vfs_write) through kscope_hook_attach() with the
 * mechanism asked (mech=auto|fprobe|kretprobe) and a handler doing:
 *
 *   empty  nothing
 *   count  one per-CPU counter add at entry and one at exit
 *   time   a clock read at entry into the call's data, a clock read at
 *          exit and the latency into a per-CPU log2 histogram (what a
 *          latency tool's handler does), by ktime_get_ns() (the
 *          timekeeper: a seqcount and the clocksource's read, an indirect
 *          call)
 *   ltime  the same by local_clock() (sched_clock: the TSC scaled per CPU)
 *   kclock the same by the core's hook clock (include/kscope/clock.h:
 *          the TSC where the kernel trusts it), as kscope's sources time
 *
 * parameters/mech_used says what was attached; calls seen are counted
 * (except by "empty") and logged at unload, so a run can check that its
 * hooks fired. Built only with `make KSCOPE_TESTS=y`.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/log2.h>
#include <linux/module.h>
#include <linux/percpu.h>
#include <linux/sched/clock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <kscope/clock.h>
#include <kscope/hook.h>

static char *sym = "vfs_read";
module_param(sym, charp, 0444);
MODULE_PARM_DESC(sym, "first function hooked (default vfs_read)");
static char *sym2 = "vfs_write";
module_param(sym2, charp, 0444);
MODULE_PARM_DESC(sym2, "second function hooked, empty for none (default vfs_write)");
static char *mech = "auto";
module_param(mech, charp, 0444);
MODULE_PARM_DESC(mech, "auto, fprobe, kretprobe or direct");
static char *work = "empty";
module_param(work, charp, 0444);
MODULE_PARM_DESC(work, "handler work: empty, count, time, ltime or kclock");
static char mech_used[32] = "none";
module_param_string(mech_used, mech_used, sizeof(mech_used), 0444);
MODULE_PARM_DESC(mech_used, "the mechanism attached (read-only)");

#define HC_SLOTS 32
struct hc_pcpu {
	u64 entries, exits;
	u64 hist[HC_SLOTS];
};
static DEFINE_PER_CPU(struct hc_pcpu, hc_stats);

static int entry_empty(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	return 0;
}

static void exit_empty(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
}

static int entry_count(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	this_cpu_inc(hc_stats.entries);
	return 0;
}

static void exit_count(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	this_cpu_inc(hc_stats.exits);
}

static int entry_time(struct kscope_hook *h, const struct kscope_hook_regs *r,
		      void *data)
{
	*(u64 *)data = ktime_get_ns();
	this_cpu_inc(hc_stats.entries);
	return 0;
}

static void exit_time(struct kscope_hook *h, const struct kscope_hook_regs *r,
		      void *data)
{
	u64 d = ktime_get_ns() - *(u64 *)data;
	unsigned int slot = d > 1 ? min_t(unsigned int, ilog2(d), HC_SLOTS - 1) : 0;

	this_cpu_inc(hc_stats.exits);
	this_cpu_inc(hc_stats.hist[slot]);
}

static int entry_ltime(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	*(u64 *)data = local_clock();
	this_cpu_inc(hc_stats.entries);
	return 0;
}

static void exit_ltime(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	u64 now = local_clock(), d = *(u64 *)data;
	unsigned int slot;

	/* a call that moved CPU may see this CPU's clock behind */
	d = now > d ? now - d : 0;
	slot = d > 1 ? min_t(unsigned int, ilog2(d), HC_SLOTS - 1) : 0;
	this_cpu_inc(hc_stats.exits);
	this_cpu_inc(hc_stats.hist[slot]);
}

static int entry_kclock(struct kscope_hook *h,
			const struct kscope_hook_regs *r, void *data)
{
	*(u64 *)data = kscope_clock_stamp();
	this_cpu_inc(hc_stats.entries);
	return 0;
}

static void exit_kclock(struct kscope_hook *h,
			const struct kscope_hook_regs *r, void *data)
{
	u64 d = kscope_clock_ns(*(u64 *)data, kscope_clock_stamp());
	unsigned int slot = d > 1 ? min_t(unsigned int, ilog2(d), HC_SLOTS - 1) : 0;

	this_cpu_inc(hc_stats.exits);
	this_cpu_inc(hc_stats.hist[slot]);
}

static struct kscope_hook hooks[2];
static struct kscope_hook *hookp[2] = { &hooks[0], &hooks[1] };
static unsigned int nr_hooks;

static int __init hc_init(void)
{
	kscope_hook_entry_fn entry;
	kscope_hook_exit_fn exit;
	unsigned int flags, i;
	const char *syms[2] = { sym, sym2 };
	int ret;

	if (!strcmp(work, "empty")) {
		entry = entry_empty;
		exit = exit_empty;
	} else if (!strcmp(work, "count")) {
		entry = entry_count;
		exit = exit_count;
	} else if (!strcmp(work, "time")) {
		entry = entry_time;
		exit = exit_time;
	} else if (!strcmp(work, "ltime")) {
		entry = entry_ltime;
		exit = exit_ltime;
	} else if (!strcmp(work, "kclock")) {
		entry = entry_kclock;
		exit = exit_kclock;
	} else {
		pr_err("work=%s: not empty, count, time, ltime or kclock\n", work);
		return -EINVAL;
	}
	if (kscope_hook_mech_flags(mech, &flags)) {
		pr_err("mech=%s: not %s on this kernel\n", mech,
		       kscope_hook_mechs());
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(hooks) && syms[i] && *syms[i]; i++) {
		hooks[i].sym = syms[i];
		hooks[i].entry = entry;
		hooks[i].exit = exit;
		hooks[i].data_size = sizeof(u64);
		hooks[i].maxactive = 256;
		ret = kscope_hook_attach(&hooks[i], flags);
		if (!ret && (flags & KSCOPE_HOOK_TRY_DIRECT) &&
		    hooks[i].mech != KSCOPE_HOOK_DIRECT) {
			nr_hooks++;
			ret = -EOPNOTSUPP;	/* not by a direct call */
		}
		if (ret) {
			/* a bad parameter (sym, sym2, mech): EINVAL, as any */
			pr_err("cannot hook %s with mech=%s: %d\n", syms[i],
			       mech, ret);
			ret = -EINVAL;
			goto detach;
		}
		nr_hooks++;
	}
	strscpy(mech_used, nr_hooks ? kscope_hook_mech_name(hooks[0].mech) :
		"none", sizeof(mech_used));
	return 0;

detach:
	kscope_hooks_detach(hookp, nr_hooks);
	return ret;
}

static void __exit hc_exit(void)
{
	u64 entries = 0, exits = 0;
	unsigned long missed = 0;
	unsigned int i;
	int cpu;

	/*
	 * The counts before the missed calls (a detached hook has none to
	 * report): a handler's nested call is missed before its run is
	 * counted, so missed >= entries + exits when the handler calls the
	 * function it hooks (tests/core/89-direct-nesting.sh).
	 */
	for_each_possible_cpu(cpu) {
		entries += per_cpu(hc_stats, cpu).entries;
		exits += per_cpu(hc_stats, cpu).exits;
	}
	for (i = 0; i < nr_hooks; i++)
		missed += kscope_hook_nmissed(&hooks[i]);
	kscope_hooks_detach(hookp, nr_hooks);
	pr_info("%s work=%s: entries %llu exits %llu missed %lu\n", mech_used,
		work, entries, exits, missed);
}

module_init(hc_init);
module_exit(hc_exit);

MODULE_DESCRIPTION("kscope test: cost of an entry/exit hook per call");
MODULE_LICENSE("GPL");
