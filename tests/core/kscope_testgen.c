// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_testgen: a test-only event source. On request it makes kthreads
 * bound to the asked CPUs emit an exact number of events, flat out or at
 * a given rate, so that tests and benchmarks can check the channel's
 * delivery and loss accounting against a known count. Built only with
 * `make KSCOPE_TESTS=y`; never part of the shipped modules.
 *
 * Each event is also a hit of the tracepoint kscope_testgen:tg_tick
 * (testgen-trace.h), for bench/core.sh's eBPF peer.
 *
 * It also provokes the channel's defences: an event of an unknown type or
 * of the wrong size (lost_invalid), an emit from a kprobe on
 * ktime_get_mono_fast_ns that the channel calls while a tick is being
 * emitted (lost_recursion, where it used to deadlock the CPU), and a
 * source whose payload struct has padding (its registration must fail).
 *
 * Loaded with hist_values=..., it feeds those values into one of the
 * core's histograms, each on CPU (index mod online CPUs) from an IPI, and
 * registers a second source, "testgen_hist", that shows the histogram
 * (debugfs testgen_hist/hist, KSCOPE_TG_HIST in its CTL_GET reply).
 *
 * Loaded with table_keys=..., it looks those keys up (creating them) in
 * one of the core's bounded tables (table_cap, table_ways,
 * table_stale_odd), each from an IPI, and shows the table's snapshot in
 * debugfs testgen/table. With table_exact, the table is an exact one of
 * table_cap entries (u64 keys), cleared before lookup table_clear_at (if
 * set), and its snapshot is read one record per call, so that a cursor
 * often stops in the middle of a chain.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kprobes.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/timekeeping.h>
#include <kscope/hist.h>
#include <kscope/kscope.h>
#include <kscope/policy.h>
#include <kscope/table.h>

#define CREATE_TRACE_POINTS
#include "testgen-trace.h"

enum { TG_C_RUNS, TG_C_GENERATED };

static const char * const tg_counter_names[] = { "runs", "generated" };

static const struct kscope_field tg_tick_fields[] = {
	{ .name = "n", .kind = KSCOPE_FIELD_U64 },
	{ .name = "run", .kind = KSCOPE_FIELD_U64 },
	{ .name = "tag", .kind = KSCOPE_FIELD_STR, .size = 8 },
};

struct tg_tick {
	u64 n;
	u64 run;
	char tag[8];
};

static const struct kscope_event_desc tg_events[] = {
	KSCOPE_EVENT("tick", tg_tick_fields, struct tg_tick),
};

/* what the padded source claims: 8 + 4 + 8 bytes, the struct is 24 */
static const struct kscope_field tg_padded_fields[] = {
	{ .name = "a", .kind = KSCOPE_FIELD_U64 },
	{ .name = "tag", .kind = KSCOPE_FIELD_STR, .size = 4 },
	{ .name = "b", .kind = KSCOPE_FIELD_U64 },
};

struct tg_padded {
	u64 a;
	char tag[4];
	u64 b;
};

static const struct kscope_event_desc tg_padded_events[] = {
	KSCOPE_EVENT("padded", tg_padded_fields, struct tg_padded),
};

static struct kscope_source tg_padded_src = {
	.name = "testgen_padded",
	.owner = THIS_MODULE,
	.attach = "none (must never register)",
	.events = tg_padded_events,
	.nr_events = ARRAY_SIZE(tg_padded_events),
};

static int tg_ctl(struct kscope_source *src, struct nlattr *ctl,
		  struct genl_info *info);

static struct kscope_source tg_src = {
	.name = "testgen",
	.owner = THIS_MODULE,
	.attach = "none (kthreads on request, tests only)",
	.counter_names = tg_counter_names,
	.nr_counters = ARRAY_SIZE(tg_counter_names),
	.events = tg_events,
	.nr_events = ARRAY_SIZE(tg_events),
	.ctl = tg_ctl,
	.ctl_attr = KSCOPE_A_CTL_TESTGEN,
};

static DEFINE_MUTEX(tg_lock);
static struct task_struct *tg_tasks[64];
static atomic_t tg_running;
static DECLARE_COMPLETION(tg_done);
static u32 tg_count, tg_rate;
static u64 tg_run;
static u16 tg_type, tg_size;
static bool tg_recurse;

/*
 * The recursion: while this CPU emits a tick (tg_in_tick), a call of
 * netlink_has_listeners() or ktime_get_mono_fast_ns() on it emits a tick
 * too, from a kprobe. kscope_emit() calls each once per event: each such
 * tick is nested. The first is traceable (an ftrace-based kprobe: the
 * handler runs in the caller's context); the clock is notrace, an int3
 * kprobe (NMI-like context) until the kprobe optimiser turns it into a
 * jump, which is what deadlocked the CPU when the clock was read under
 * the ring lock.
 */
static DEFINE_PER_CPU(int, tg_in_tick);
static struct kprobe tg_rec_kps[] = {
	{ .symbol_name = "netlink_has_listeners" },
	{ .symbol_name = "ktime_get_mono_fast_ns" },
};
static bool tg_rec_on[ARRAY_SIZE(tg_rec_kps)];

static int tg_rec_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct tg_tick ev = { .tag = "nested" };

	if (__this_cpu_read(tg_in_tick))
		kscope_emit_typed(&tg_src, 0, &ev);
	return 0;
}

static void tg_emit(struct tg_tick *ev)
{
	unsigned long flags;

	if (tg_type || tg_size) {
		/* a source's bug on purpose: the claimed type and size */
		__kscope_emit(&tg_src, tg_type, ev, tg_size ?: sizeof(*ev));
		return;
	}
	if (!tg_recurse) {
		kscope_emit_typed(&tg_src, 0, ev);
		return;
	}
	/* nothing else runs on this CPU between the flag and its clearing */
	local_irq_save(flags);
	__this_cpu_write(tg_in_tick, 1);
	kscope_emit_typed(&tg_src, 0, ev);
	__this_cpu_write(tg_in_tick, 0);
	local_irq_restore(flags);
}

static int tg_thread(void *arg)
{
	struct tg_tick ev = { .run = tg_run, .tag = "testgen" };
	u64 start = ktime_get_ns(), due;
	u32 i;

	for (i = 0; i < tg_count && !kthread_should_stop(); i++) {
		if (tg_rate) {
			due = start + div_u64((u64)i * NSEC_PER_SEC, tg_rate);
			while (ktime_get_ns() < due && !kthread_should_stop()) {
				if (due - ktime_get_ns() > 200 * NSEC_PER_USEC)
					usleep_range(100, 200);
				else
					cpu_relax();
			}
		}
		ev.n = i;
		trace_tg_tick(ev.n, ev.run);
		tg_emit(&ev);
		kscope_count(&tg_src, TG_C_GENERATED);
		if ((i & 1023) == 1023)
			cond_resched();
	}
	if (atomic_dec_and_test(&tg_running))
		complete(&tg_done);
	/* stay until reaped, so kthread_stop() never sees a freed task */
	while (!kthread_should_stop()) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (!kthread_should_stop())
			schedule();
		__set_current_state(TASK_RUNNING);
	}
	return 0;
}

/*
 * Called with tg_lock held. The clock's kprobe is optional (a kernel may
 * refuse it): /sys/kernel/debug/kprobes/list tells the test which are on.
 */
static int tg_rec_attach(void)
{
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(tg_rec_kps); i++) {
		if (tg_rec_on[i])
			continue;
		tg_rec_kps[i].pre_handler = tg_rec_pre;
		ret = register_kprobe(&tg_rec_kps[i]);
		if (ret) {
			pr_info("no kprobe on %s: %d\n",
				tg_rec_kps[i].symbol_name, ret);
			if (!i)
				return ret;
			continue;
		}
		tg_rec_on[i] = true;
	}
	return 0;
}

static void tg_rec_detach(void)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(tg_rec_kps); i++)
		if (tg_rec_on[i])
			unregister_kprobe(&tg_rec_kps[i]);
}

/* Called with tg_lock held. */
static void tg_reap(void)
{
	unsigned int cpu;

	for (cpu = 0; cpu < ARRAY_SIZE(tg_tasks); cpu++) {
		if (tg_tasks[cpu])
			kthread_stop(tg_tasks[cpu]);
		tg_tasks[cpu] = NULL;
	}
}

static int tg_ctl(struct kscope_source *src, struct nlattr *ctl,
		  struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_TG_MAX + 1];
	unsigned int cpu, n = 0;
	u64 mask;
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_TG_MAX, ctl, kscope_testgen_policy,
			       info->extack);
	if (ret)
		return ret;
	if (tb[KSCOPE_TG_PADDED]) {
		/* the core must refuse it; undo a registration it accepted */
		ret = kscope_source_register(&tg_padded_src);
		if (!ret) {
			kscope_source_unregister(&tg_padded_src);
			NL_SET_ERR_MSG(info->extack, "the padded source registered");
			return -EPROTO;
		}
		NL_SET_ERR_MSG(info->extack, "padded source refused");
		return ret;
	}
	if (!tb[KSCOPE_TG_COUNT]) {
		NL_SET_ERR_MSG_ATTR(info->extack, ctl, "testgen needs a count");
		return -EINVAL;
	}
	mask = tb[KSCOPE_TG_CPUMASK] ? nla_get_u64(tb[KSCOPE_TG_CPUMASK]) : 1;
	for (cpu = 0; cpu < 64; cpu++) {
		if (!(mask & BIT_ULL(cpu)))
			continue;
		if (cpu >= nr_cpu_ids || !cpu_online(cpu)) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_TG_CPUMASK],
					    "cpumask names a CPU that is not online");
			return -EINVAL;
		}
		n++;
	}
	if (!n) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_TG_CPUMASK],
				    "cpumask is empty");
		return -EINVAL;
	}

	mutex_lock(&tg_lock);
	if (atomic_read(&tg_running)) {
		NL_SET_ERR_MSG(info->extack, "a testgen run is in progress");
		ret = -EBUSY;
		goto out_unlock;
	}
	tg_reap();
	tg_count = nla_get_u32(tb[KSCOPE_TG_COUNT]);
	tg_rate = tb[KSCOPE_TG_RATE] ? nla_get_u32(tb[KSCOPE_TG_RATE]) : 0;
	tg_type = tb[KSCOPE_TG_TYPE] ? nla_get_u16(tb[KSCOPE_TG_TYPE]) : 0;
	tg_size = tb[KSCOPE_TG_SIZE] ? nla_get_u16(tb[KSCOPE_TG_SIZE]) : 0;
	tg_recurse = tb[KSCOPE_TG_RECURSE];
	if (tg_recurse) {
		ret = tg_rec_attach();
		if (ret) {
			NL_SET_ERR_MSG(info->extack,
				       "cannot kprobe netlink_has_listeners");
			goto out_unlock;
		}
	}
	tg_run++;
	reinit_completion(&tg_done);
	atomic_set(&tg_running, n);
	for (cpu = 0; cpu < 64; cpu++) {
		struct task_struct *t;

		if (!(mask & BIT_ULL(cpu)))
			continue;
		t = kthread_create(tg_thread, NULL, "kscope_tg/%u", cpu);
		if (IS_ERR(t)) {
			/* threads not made never finish: account for them */
			if (atomic_sub_and_test(n, &tg_running))
				complete(&tg_done);
			ret = PTR_ERR(t);
			NL_SET_ERR_MSG(info->extack, "cannot start a testgen thread");
			break;
		}
		n--;
		kthread_bind(t, cpu);
		tg_tasks[cpu] = t;
	}
	kscope_count(&tg_src, TG_C_RUNS);
	for (cpu = 0; cpu < 64; cpu++)
		if (tg_tasks[cpu])
			wake_up_process(tg_tasks[cpu]);
	if (!ret && tb[KSCOPE_TG_WAIT]) {
		ret = wait_for_completion_killable(&tg_done);
		if (!ret)
			tg_reap();
	}
out_unlock:
	mutex_unlock(&tg_lock);
	return ret;
}

/*
 * Tests only: sleep in init after registering, which a real module must
 * not do (registration is its last step), to check that the core keeps
 * requests away from a source whose module is still loading.
 */
static unsigned int init_delay_ms;
module_param(init_delay_ms, uint, 0444);
MODULE_PARM_DESC(init_delay_ms, "tests only: sleep this long in init after registering");

/*
 * Tests only: that many more counters ("extra0", ...), so that one
 * source's per-CPU counters need several netlink messages even with two
 * CPUs.
 */
static unsigned int extra_counters;
module_param(extra_counters, uint, 0444);
MODULE_PARM_DESC(extra_counters, "tests only: extra counters, 0..4096");

static const char **tg_all_names;
static char (*tg_extra_names)[KSCOPE_NAME_MAX];

static int tg_names_init(void)
{
	unsigned int i, n = ARRAY_SIZE(tg_counter_names) + extra_counters;

	if (extra_counters > 4096) {
		pr_err("extra_counters=%u: at most 4096\n", extra_counters);
		return -EINVAL;
	}
	if (!extra_counters)
		return 0;
	tg_all_names = kcalloc(n, sizeof(*tg_all_names), GFP_KERNEL);
	tg_extra_names = kcalloc(extra_counters, sizeof(*tg_extra_names),
				 GFP_KERNEL);
	if (!tg_all_names || !tg_extra_names) {
		kfree(tg_all_names);
		kfree(tg_extra_names);
		return -ENOMEM;
	}
	for (i = 0; i < ARRAY_SIZE(tg_counter_names); i++)
		tg_all_names[i] = tg_counter_names[i];
	for (i = 0; i < extra_counters; i++) {
		snprintf(tg_extra_names[i], KSCOPE_NAME_MAX, "extra%u", i);
		tg_all_names[ARRAY_SIZE(tg_counter_names) + i] = tg_extra_names[i];
	}
	tg_src.counter_names = tg_all_names;
	tg_src.nr_counters = n;
	return 0;
}

static void tg_names_exit(void)
{
	kfree(tg_all_names);
	kfree(tg_extra_names);
}

/* ---- a histogram of values chosen by the test ---- */

#define TG_HIST_SLOTS	16	/* the last one from 32768 */

static unsigned long hist_values[128];
static unsigned int hist_nr;
module_param_array(hist_values, ulong, &hist_nr, 0444);
MODULE_PARM_DESC(hist_values, "tests only: values (usecs) fed into a histogram at load, each from an IPI");

static struct kscope_hist tg_hist;

static int tg_hist_get(struct kscope_source *src, struct nlattr *ctl,
		       struct genl_info *info)
{
	struct sk_buff *msg;
	struct nlattr *nest;

	if (ctl && nla_len(ctl)) {
		NL_SET_BAD_ATTR(info->extack, ctl);
		NL_SET_ERR_MSG(info->extack, "testgen_hist queries take no attributes");
		return -EINVAL;
	}
	msg = kscope_ctl_reply_start(src, info,
				     nla_total_size(strlen(src->name) + 1) +
				     nla_total_size(0) +	/* KSCOPE_A_CTL */
				     kscope_hist_nest_size(&tg_hist), &nest);
	if (!msg)
		return -ENOMEM;
	if (kscope_hist_put(msg, KSCOPE_TG_HIST, &tg_hist)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	return kscope_ctl_reply_send(msg, nest, info);
}

static struct kscope_source tg_hist_src = {
	.name = "testgen_hist",
	.owner = THIS_MODULE,
	.attach = "none (values from the hist_values parameter, tests only)",
	.ctl_get = tg_hist_get,
};

static int tg_hist_show(struct seq_file *m, void *v)
{
	kscope_hist_show(m, &tg_hist);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tg_hist);

/* hard IRQ on another CPU (or IRQs off on this one): probe context */
static void tg_hist_feed(void *arg)
{
	kscope_hist_add(&tg_hist, *(u64 *)arg);
}

static int tg_hist_init(void)
{
	unsigned int i, n, cpu;
	u64 v;
	int ret;

	if (!hist_nr)
		return 0;
	ret = kscope_hist_init(&tg_hist, KSCOPE_UNIT_US, TG_HIST_SLOTS);
	if (ret)
		return ret;
	cpus_read_lock();
	for (i = 0; i < hist_nr; i++) {
		v = hist_values[i];
		n = i % num_online_cpus();
		for_each_online_cpu(cpu)
			if (!n--)
				break;
		smp_call_function_single(cpu, tg_hist_feed, &v, 1);
	}
	cpus_read_unlock();
	ret = kscope_source_register(&tg_hist_src);
	if (ret) {
		kscope_hist_free(&tg_hist);
		return ret;
	}
	debugfs_create_file("hist", 0444, tg_hist_src.dir, NULL,
			    &tg_hist_fops);
	return 0;
}

static void tg_hist_exit(void)
{
	if (!hist_nr)
		return;
	kscope_source_unregister(&tg_hist_src);
	kscope_hist_free(&tg_hist);
}

/* ---- the core's bounded table, on keys chosen by the test ---- */

static unsigned long table_keys[128];
static unsigned int table_nr;
module_param_array(table_keys, ulong, &table_nr, 0444);
MODULE_PARM_DESC(table_keys, "tests only: keys looked up (created) in a bounded table at load, in order, each from an IPI");
static unsigned int table_cap = 16, table_ways = 4;
module_param(table_cap, uint, 0444);
module_param(table_ways, uint, 0444);
static bool table_stale_odd;
module_param(table_stale_odd, bool, 0444);
MODULE_PARM_DESC(table_stale_odd, "tests only: odd keys are stale (evicted first)");
static bool table_exact;
module_param(table_exact, bool, 0444);
MODULE_PARM_DESC(table_exact, "tests only: an exact table (no eviction, refusals)");
static unsigned int table_clear_at;
module_param(table_clear_at, uint, 0444);
MODULE_PARM_DESC(table_clear_at, "tests only: clear the table before this lookup (from 1)");

static struct kscope_table *tg_table;
static unsigned int tg_table_evicted, tg_table_refused;

/* the table's entries in use, the gauge kscope_table_gauge() keeps */
static const char * const tg_table_counter_names[] = { "entries" };
static const u8 tg_table_counter_kinds[] = { KSCOPE_COUNTER_GAUGE };

static struct kscope_source tg_table_src = {
	.name = "testgen_table",
	.owner = THIS_MODULE,
	.attach = "none (keys from the table_keys parameter, tests only)",
	.counter_names = tg_table_counter_names,
	.counter_kinds = tg_table_counter_kinds,
	.nr_counters = ARRAY_SIZE(tg_table_counter_names),
};

static bool tg_table_stale(const void *val)
{
	return table_stale_odd && (*(const u64 *)val & 1);
}

/* hard IRQ: probe context */
static void tg_table_feed(void *arg)
{
	struct kscope_table_ref ref;
	u64 key = *(u64 *)arg, *v;
	unsigned int res;

	v = kscope_table_get(tg_table, key, true, &ref, &res);
	if (v)
		*v = key;	/* an exact table has put it there already */
	kscope_table_put(&ref);
	if (res & KSCOPE_TABLE_EVICTED)
		tg_table_evicted++;	/* IPIs one at a time, waited for */
	if (res & KSCOPE_TABLE_FULL)
		tg_table_refused++;
}

/* "refused N/N used N", then "key K" in the table's order */
static int tg_table_show_exact(struct seq_file *m)
{
	unsigned int cursor = 0;
	void *buf;

	buf = kmalloc(kscope_table_rec_size(tg_table), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	seq_printf(m, "refused %llu/%u used %u\n",
		   kscope_table_refused(tg_table), tg_table_refused,
		   kscope_table_used(tg_table));
	while (cursor < kscope_table_end(tg_table))
		if (kscope_table_snapshot(tg_table, &cursor, buf, 1))
			seq_printf(m, "key %llu\n",
				   *(u64 *)kscope_table_rec(tg_table, buf, 0)->val);
	kfree(buf);
	return 0;
}

/* "evictions N used N sets N ways N", then "set S key K" least recent first */
static int tg_table_show(struct seq_file *m, void *v)
{
	unsigned int ways = kscope_table_ways(tg_table), cursor = 0, i, n;
	void *buf;

	if (table_exact)
		return tg_table_show_exact(m);
	buf = kmalloc_array(ways, kscope_table_rec_size(tg_table), GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	seq_printf(m, "evictions %llu/%u used %u sets %u ways %u\n",
		   kscope_table_evictions(tg_table), tg_table_evicted,
		   kscope_table_used(tg_table), kscope_table_sets(tg_table), ways);
	/*
	 * room for one set: the call passes empty sets and stops after the
	 * first that has entries, so what it copied is the last set's
	 */
	while (cursor < kscope_table_sets(tg_table)) {
		n = kscope_table_snapshot(tg_table, &cursor, buf, ways);
		for (i = 0; i < n; i++)
			seq_printf(m, "set %u key %llu\n", cursor - 1,
				   kscope_table_rec(tg_table, buf, i)->key);
	}
	kfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(tg_table);

static int tg_table_init(void)
{
	unsigned int i, n, cpu;
	int ret;
	u64 key;

	if (!table_nr)
		return 0;
	if (table_exact)
		tg_table = kscope_table_create_exact(table_cap, sizeof(u64),
						     sizeof(u64));
	else
		tg_table = kscope_table_create(table_cap, table_ways,
					       sizeof(u64), tg_table_stale);
	if (!tg_table)
		return -EINVAL;
	/* the gauge counts into a registered source only */
	ret = kscope_source_register(&tg_table_src);
	if (ret)
		goto destroy_table;
	kscope_table_gauge(tg_table, &tg_table_src, 0);
	for (i = 0; i < table_nr; i++) {
		if (i + 1 == table_clear_at)
			kscope_table_clear(tg_table);	/* may sleep */
		cpus_read_lock();
		key = table_keys[i];
		n = i % num_online_cpus();
		for_each_online_cpu(cpu)
			if (!n--)
				break;
		smp_call_function_single(cpu, tg_table_feed, &key, 1);
		cpus_read_unlock();
	}
	return 0;

destroy_table:
	kscope_table_destroy(tg_table);
	tg_table = NULL;
	return ret;
}

static void tg_table_exit(void)
{
	if (!tg_table)
		return;
	kscope_source_unregister(&tg_table_src);
	kscope_table_destroy(tg_table);
}

static int __init tg_init(void)
{
	int ret;

	ret = tg_names_init();
	if (ret)
		return ret;
	ret = tg_hist_init();
	if (ret)
		goto err_free_names;
	ret = tg_table_init();
	if (ret)
		goto err_hist;
	ret = kscope_source_register(&tg_src);
	if (ret)
		goto err_table;
	if (tg_table)
		debugfs_create_file("table", 0444, tg_src.dir, NULL,
				    &tg_table_fops);
	if (init_delay_ms)
		msleep(init_delay_ms);
	return 0;

err_table:
	tg_table_exit();
err_hist:
	tg_hist_exit();
err_free_names:
	tg_names_exit();
	return ret;
}

static void __exit tg_exit(void)
{
	mutex_lock(&tg_lock);
	tg_reap();
	mutex_unlock(&tg_lock);
	tg_rec_detach();
	kscope_source_unregister(&tg_src);
	tg_table_exit();
	tg_hist_exit();
	tg_names_exit();
}

module_init(tg_init);
module_exit(tg_exit);

MODULE_DESCRIPTION("kscope test-only event generator");
MODULE_LICENSE("GPL");
