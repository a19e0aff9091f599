// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_sched: the CPU side of a process's life.
 *
 * - run-queue latency (wakeup, or preemption, to running) as a log2
 *   histogram of microseconds, system-wide (debugfs "runqlat") and per
 *   process in its portrait, measured the way libbpf-tools' runqlat does;
 * - process portraits: fork/exec/exit with parent, comm, filename, on-CPU
 *   time, voluntary/involuntary switches, run-queue wait, lifetime, for the
 *   processes matching a filter (pid, comm, cgroup; KSCOPE_CMD_CTL) in a
 *   bounded table (debugfs "portraits"), evictions counted;
 * - per-CPU utilization user/system/irq/softirq/idle over an interval,
 *   like sar (debugfs "cpu").
 *
 * Everything comes from scheduler tracepoints registered by name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "internal.h"

unsigned int tasks_max = 16384;
module_param(tasks_max, uint, 0444);
MODULE_PARM_DESC(tasks_max, "threads with a pending wakeup stamp (power of 2, 256..1048576, default 16384)");

unsigned int portraits_max = 1024;
module_param(portraits_max, uint, 0444);
MODULE_PARM_DESC(portraits_max, "process portraits kept (power of 2, 16..65536, default 1024)");

unsigned int interval_ms = 1000;
module_param(interval_ms, uint, 0444);
MODULE_PARM_DESC(interval_ms, "CPU utilization interval in ms (100..60000, default 1000)");

static const char * const ksch_counter_names[KSCH_NR_COUNTERS] = {
	[KC_SWITCHES] = "switches",
	[KC_WAKEUPS] = "wakeups",
	[KC_WAKEUPS_NEW] = "wakeups_new",
	[KC_RUNQ_SAMPLES] = "runq_samples",
	[KC_FORKS] = "forks",
	[KC_CLONES] = "clones",
	[KC_EXECS] = "execs",
	[KC_EXITS] = "exits",
	[KC_THREAD_EXITS] = "thread_exits",
	[KC_TASK_EVICTIONS] = "task_evictions",
	[KC_PORTRAITS] = "portraits_created",
	[KC_PORTRAIT_EVICTIONS] = "portrait_evictions",
};

struct kscope_source ksch_src = {
	.name = "sched",
	.owner = THIS_MODULE,
	.attach = "tracepoints sched:sched_switch sched:sched_wakeup sched:sched_wakeup_new sched:sched_process_fork sched:sched_process_exec sched:sched_process_exit",
	.counter_names = ksch_counter_names,
	.nr_counters = ARRAY_SIZE(ksch_counter_names),
	.events = ksch_events,
	.nr_events = KSCH_NR_EVENTS,
	.ctl = ksch_ctl,
	.ctl_get = ksch_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_SCHED,
};

static bool param_ok(const char *name, unsigned int v, unsigned int lo,
		     unsigned int hi, bool pow2)
{
	if (v >= lo && v <= hi && (!pow2 || is_power_of_2(v)))
		return true;
	pr_err("%s=%u out of range %u..%u%s\n", name, v, lo, hi,
	       pow2 ? " (power of 2)" : "");
	return false;
}

/*
 * Registering the source makes it reachable (netlink requests, debugfs),
 * so everything it reaches is ready before, and it is the last step that
 * can fail; unregistering is the first step of the way out, as soon as
 * no probe counts into the source any more.
 */
static int __init ksch_init(void)
{
	int ret;

	if (!param_ok("tasks_max", tasks_max, 256, 1U << 20, true) ||
	    !param_ok("portraits_max", portraits_max, 16, 65536, true) ||
	    !param_ok("interval_ms", interval_ms, 100, 60000, false))
		return -EINVAL;
	ret = ksch_tables_init();
	if (ret)
		return ret;
	ret = ksch_cpu_init();
	if (ret)
		goto free_tables;
	ret = ksch_probes_attach();
	if (ret)
		goto stop_cpu;
	ret = kscope_source_register(&ksch_src);
	if (ret)
		goto detach_probes;
	ksch_tables_debugfs(ksch_src.dir);
	ksch_filter_debugfs(ksch_src.dir);
	ksch_cpu_debugfs(ksch_src.dir);
	ksch_probes_start();
	return 0;

detach_probes:
	ksch_probes_detach();
stop_cpu:
	ksch_cpu_exit();
free_tables:
	ksch_filter_exit();
	ksch_tables_exit();
	return ret;
}

static void __exit ksch_exit(void)
{
	ksch_probes_stop();
	kscope_source_unregister(&ksch_src);
	ksch_probes_detach();
	ksch_cpu_exit();
	ksch_filter_exit();
	ksch_tables_exit();
}

module_init(ksch_init);
module_exit(ksch_exit);

MODULE_DESCRIPTION("kscope: run-queue latency, process portraits, CPU utilization");
MODULE_LICENSE("GPL");
