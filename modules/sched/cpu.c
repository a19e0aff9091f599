// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU utilization over an interval, like `sar -P ALL`: a delayed work
 * takes the kernel's cpustat (what /proc/stat prints) every interval_ms
 * and debugfs "cpu" shows the split of the last complete interval, in
 * hundredths of a percent of the interval's total.
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

static int cpu_show(struct seq_file *m, void *v)
{
	unsigned int cpu, i;

	seq_printf(m, "interval_ms %u\n", interval_ms);
	mutex_lock(&util_lock);
	for_each_possible_cpu(cpu) {
		struct cpu_util *u = &util[cpu];
		u64 total = 0;

		if (!u->valid)
			continue;
		for (i = 0; i < NR_U; i++)
			total += u->delta[i];
		seq_printf(m, "cpu%u", cpu);
		for (i = 0; i < NR_U; i++)
			seq_printf(m, " %s %llu", u_names[i], total ?
				   div64_u64(u->delta[i] * 10000, total) : 0);
		seq_putc(m, '\n');
	}
	mutex_unlock(&util_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cpu);

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
