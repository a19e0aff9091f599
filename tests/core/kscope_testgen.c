// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_testgen: a test-only event source. On request it makes kthreads
 * bound to the asked CPUs emit an exact number of events, flat out or at
 * a given rate, so that tests and benchmarks can check the channel's
 * delivery and loss accounting against a known count. Built only with
 * `make KSCOPE_TESTS=y`; never part of the shipped modules.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/completion.h>
#include <linux/cpumask.h>
#include <linux/delay.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <kscope/kscope.h>

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
	{ .name = "tick", .fields = tg_tick_fields,
	  .nr_fields = ARRAY_SIZE(tg_tick_fields) },
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
};

/* not const: 6.1 takes a plain pointer */
static struct netlink_range_validation tg_count_range = {
	.min = 1,
	.max = 10000000,
};

static const struct nla_policy tg_policy[KSCOPE_TG_MAX + 1] = {
	[KSCOPE_TG_COUNT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tg_count_range),
	[KSCOPE_TG_CPUMASK] = { .type = NLA_U64 },
	[KSCOPE_TG_RATE] = { .type = NLA_U32 },
	[KSCOPE_TG_WAIT] = { .type = NLA_FLAG },
};

static DEFINE_MUTEX(tg_lock);
static struct task_struct *tg_tasks[64];
static atomic_t tg_running;
static DECLARE_COMPLETION(tg_done);
static u32 tg_count, tg_rate;
static u64 tg_run;

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
		kscope_emit(&tg_src, 0, &ev);
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

	ret = nla_parse_nested(tb, KSCOPE_TG_MAX, ctl, tg_policy, info->extack);
	if (ret)
		return ret;
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

static int __init tg_init(void)
{
	return kscope_source_register(&tg_src);
}

static void __exit tg_exit(void)
{
	mutex_lock(&tg_lock);
	tg_reap();
	mutex_unlock(&tg_lock);
	kscope_source_unregister(&tg_src);
}

module_init(tg_init);
module_exit(tg_exit);

MODULE_DESCRIPTION("kscope test-only event generator");
MODULE_LICENSE("GPL");
