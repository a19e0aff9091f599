// SPDX-License-Identifier: GPL-2.0
/*
 * Per-CPU utilization over an interval, like `sar -P ALL`: a delayed work
 * takes the kernel's cpustat (what /proc/stat prints) every interval_ms
 * and debugfs "cpu" shows the split of the last complete interval, in
 * hundredths of a percent of the interval's total.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/kernel_stat.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
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

			if (i == U_IDLE)
				v = max(v, u->prev[i]);
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

int ksch_cpu_init(struct dentry *dir)
{
	util = kcalloc(nr_cpu_ids, sizeof(*util), GFP_KERNEL);
	if (!util)
		return -ENOMEM;
	INIT_DELAYED_WORK(&util_dw, util_sample);
	util_sample(&util_dw.work);
	debugfs_create_file("cpu", 0444, dir, NULL, &cpu_fops);
	return 0;
}

void ksch_cpu_exit(void)
{
	cancel_delayed_work_sync(&util_dw);
	kfree(util);
	util = NULL;
}
