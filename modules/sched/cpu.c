// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU utilization over an interval, like `sar -P ALL`: a delayed work
 * takes the kernel's cpustat (what /proc/stat prints) every interval_ms
 * and debugfs "cpu" and a read request with KSCOPE_SCHED_CPU show the
 * split of the last complete interval, in hundredths of a percent of the
 * interval's total. A netlink read also carries each CPU's times since
 * boot at the moment of the read, so that a reader can split an interval
 * of its own (kscope sar 5: five seconds, not the module's last one). It
 * names no process: anyone may read it.
 *
 * Idle and iowait come from the NOHZ idle accounting where the kernel
 * keeps it, as fs/proc/stat.c reads them: on a tickless kernel an idle
 * CPU takes no tick, so kcpustat's idle does not advance while it sleeps
 * and an idle CPU would read 0% idle.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kernel_stat.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/tick.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>

#include "internal.h"

enum {
	U_USER, U_NICE, U_SYSTEM, U_IRQ, U_SOFTIRQ, U_IDLE, U_IOWAIT, U_STEAL,
	NR_U
};

static const char * const u_names[NR_U] = {
	"user", "nice", "system", "irq", "softirq", "idle", "iowait", "steal",
};

static const int u_index[NR_U] = {
	CPUTIME_USER, CPUTIME_NICE, CPUTIME_SYSTEM, CPUTIME_IRQ,
	CPUTIME_SOFTIRQ, CPUTIME_IDLE, CPUTIME_IOWAIT, CPUTIME_STEAL,
};

struct cpu_util {
	u64 prev[NR_U];
	u64 delta[NR_U];
	u64 read[NR_U];		/* the times the last netlink read gave */
	unsigned int samples;
	bool valid;
};

/* what /proc/stat prints as idle and iowait, in ns (fs/proc/stat.c) */
static u64 cpu_idle_ns(const struct kernel_cpustat *kcs, unsigned int cpu)
{
	u64 us = get_cpu_idle_time_us(cpu, NULL);

	/* -1: !NO_HZ, or the CPU is offline: kcpustat is right */
	return us == -1ULL ? kcs->cpustat[CPUTIME_IDLE] : us * NSEC_PER_USEC;
}

static u64 cpu_iowait_ns(const struct kernel_cpustat *kcs, unsigned int cpu)
{
	u64 us = get_cpu_iowait_time_us(cpu, NULL);

	return us == -1ULL ? kcs->cpustat[CPUTIME_IOWAIT] : us * NSEC_PER_USEC;
}

static struct cpu_util *util;	/* nr_cpu_ids entries */
static DEFINE_MUTEX(util_lock);
static struct delayed_work util_dw;

static void util_sample(struct work_struct *w)
{
	unsigned int cpu, i;

	mutex_lock(&util_lock);
	for_each_possible_cpu(cpu) {
		struct cpu_util *u = &util[cpu];
		struct kernel_cpustat kcs;

		if (!cpu_online(cpu)) {
			u->valid = false;
			u->samples = 0;
			continue;
		}
		kcpustat_cpu_fetch(&kcs, cpu);
		for (i = 0; i < NR_U; i++) {
			u64 v = kcs.cpustat[u_index[i]];

			/* the NOHZ sums can step back a little: clamp */
			if (i == U_IDLE)
				v = max(cpu_idle_ns(&kcs, cpu), u->prev[i]);
			else if (i == U_IOWAIT)
				v = max(cpu_iowait_ns(&kcs, cpu), u->prev[i]);
			u->delta[i] = v - u->prev[i];
			u->prev[i] = v;
		}
		/* the first sample only sets the base */
		if (u->samples < 2)
			u->samples++;
		u->valid = u->samples == 2;
	}
	mutex_unlock(&util_lock);
	schedule_delayed_work(&util_dw, msecs_to_jiffies(interval_ms));
}

/* one CPU's last complete interval, in hundredths of a percent */
struct cpu_pct {
	u32 cpu;
	u32 pct[NR_U];
	u64 ns[NR_U];		/* util_snapshot(@now): its times now */
};

/*
 * The CPU's times now, as util_sample() takes them; idle and iowait
 * never lower than the last read gave (the NOHZ sums can step back a
 * little), so that a reader's differences are never negative.
 */
static void util_now(struct cpu_util *u, unsigned int cpu, u64 *ns)
{
	struct kernel_cpustat kcs;
	unsigned int i;

	kcpustat_cpu_fetch(&kcs, cpu);
	for (i = 0; i < NR_U; i++) {
		u64 v = kcs.cpustat[u_index[i]];

		if (i == U_IDLE)
			v = cpu_idle_ns(&kcs, cpu);
		else if (i == U_IOWAIT)
			v = cpu_iowait_ns(&kcs, cpu);
		ns[i] = max(v, u->read[i]);
		u->read[i] = ns[i];
	}
}

/*
 * The CPUs with a complete interval into @out (nr_cpu_ids entries), and
 * with @now their times at this moment.
 */
static unsigned int util_snapshot(struct cpu_pct *out, bool now)
{
	unsigned int cpu, i, n = 0;

	mutex_lock(&util_lock);
	for_each_possible_cpu(cpu) {
		struct cpu_util *u = &util[cpu];
		u64 total = 0;

		if (!u->valid)
			continue;
		for (i = 0; i < NR_U; i++)
			total += u->delta[i];
		out[n].cpu = cpu;
		for (i = 0; i < NR_U; i++)
			out[n].pct[i] = total ?
				div64_u64(u->delta[i] * 10000, total) : 0;
		if (now)
			util_now(u, cpu, out[n].ns);
		n++;
	}
	mutex_unlock(&util_lock);
	return n;
}

static int cpu_show(struct seq_file *m, void *v)
{
	struct cpu_pct *p;
	unsigned int n, j, i;

	p = kcalloc(nr_cpu_ids, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	n = util_snapshot(p, false);
	seq_printf(m, "interval_ms %u\n", interval_ms);
	for (j = 0; j < n; j++) {
		seq_printf(m, "cpu%u", p[j].cpu);
		for (i = 0; i < NR_U; i++)
			seq_printf(m, " %s %u", u_names[i], p[j].pct[i]);
		seq_putc(m, '\n');
	}
	kfree(p);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu);

static_assert(KSCOPE_SCHED_STEAL - KSCOPE_SCHED_USER == NR_U - 1);

static size_t cpu_entry_size(void)
{
	return nla_total_size(0) + (NR_U + 1) * nla_total_size(sizeof(u32)) +
	       nla_total_size(0) + NR_U * nla_total_size_64bit(sizeof(u64));
}

static int cpu_entry_put(struct sk_buff *msg, const struct cpu_pct *p)
{
	struct nlattr *e = nla_nest_start(msg, KSCOPE_SCHED_CPU_ENTRY);
	struct nlattr *ns;
	unsigned int i;

	if (!e || nla_put_u32(msg, KSCOPE_SCHED_CPU_NR, p->cpu))
		return -EMSGSIZE;
	for (i = 0; i < NR_U; i++)
		if (nla_put_u32(msg, KSCOPE_SCHED_USER + i, p->pct[i]))
			return -EMSGSIZE;
	ns = nla_nest_start(msg, KSCOPE_SCHED_CPU_NS);
	if (!ns)
		return -EMSGSIZE;
	for (i = 0; i < NR_U; i++)
		if (nla_put_u64_64bit(msg, KSCOPE_SCHED_USER + i, p->ns[i],
				      KSCOPE_SCHED_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, ns);
	nla_nest_end(msg, e);
	return 0;
}

/*
 * The reply to a read request with KSCOPE_SCHED_CPU: messages of at most
 * a page, each with INTERVAL_MS and the next CPUs' entries; the reader
 * takes every one before the acknowledgement. One message when no CPU
 * has a complete interval yet.
 */
int ksch_cpu_reply(struct kscope_source *src, struct genl_info *info)
{
	size_t head = kscope_ctl_reply_head(src) +
		      nla_total_size(sizeof(u32));	/* INTERVAL_MS */
	unsigned int n, i = 0, per, j;
	struct sk_buff *msg;
	struct nlattr *nest;
	struct cpu_pct *p;
	int ret;

	p = kcalloc(nr_cpu_ids, sizeof(*p), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	n = util_snapshot(p, true);
	per = max_t(size_t, 1, (NLMSG_DEFAULT_SIZE - GENL_HDRLEN - head) /
			       cpu_entry_size());
	do {
		j = min(n, i + per);
		ret = -ENOMEM;
		msg = kscope_ctl_reply_start(src, info,
					     head + (j - i) * cpu_entry_size(),
					     &nest);
		if (!msg)
			break;
		ret = nla_put_u32(msg, KSCOPE_SCHED_INTERVAL_MS, interval_ms);
		for (; !ret && i < j; i++)
			ret = cpu_entry_put(msg, &p[i]);
		if (ret) {
			/* the sizes above are wrong: a bug, not the caller's */
			NL_SET_ERR_MSG(info->extack, "reply larger than sized");
			nlmsg_free(msg);
			break;
		}
		ret = kscope_ctl_reply_send(msg, nest, info);
	} while (!ret && i < n);
	kfree(p);
	return ret;
}

int ksch_cpu_init(void)
{
	util = kcalloc(nr_cpu_ids, sizeof(*util), GFP_KERNEL);
	if (!util)
		return -ENOMEM;
	INIT_DELAYED_WORK(&util_dw, util_sample);
	util_sample(&util_dw.work);
	return 0;
}

void ksch_cpu_debugfs(struct dentry *dir)
{
	debugfs_create_file("cpu", 0444, dir, NULL, &cpu_fops);
}

void ksch_cpu_exit(void)
{
	cancel_delayed_work_sync(&util_dw);
	kfree(util);
	util = NULL;
}
