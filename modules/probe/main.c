// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_probe: kprobes on any kernel function, by name, at run time.
 *
 * `kscope probe add SYMBOL [--ret] [--latency] [--events]` registers a
 * kprobe (or a kretprobe when a return side is asked for) through
 * KSCOPE_CMD_CTL; several probes may sit on one function. Each probe
 * counts its hits (and returns), keeps an entry->return latency histogram
 * when asked and can send one event per hit with pid and comm. A name is
 * resolved by the core (kscope_resolve()): a plain name finds its one compiler-suffixed
 * variant (.isra.N, .constprop.N, .part.N, .cold, ...), and an unknown,
 * ambiguous or unprobeable name is refused with an error naming it.
 *
 * debugfs: "probes" (one probe per line, with nmissed), "latency"
 * (histograms), "counters".
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "internal.h"

unsigned int max_probes = 64;
module_param(max_probes, uint, 0444);
MODULE_PARM_DESC(max_probes, "probes that may exist at once (1..4096, default 64)");

static const char * const kprb_counter_names[KPC_NR] = {
	[KPC_PROBES_ADDED] = "probes_added",
	[KPC_PROBES_REMOVED] = "probes_removed",
	[KPC_REJECTED] = "probes_rejected",
	[KPC_HITS] = "hits",
	[KPC_RETURNS] = "returns",
	[KPC_PROBES] = "probes",
};

static const u8 kprb_counter_kinds[KPC_NR] = {
	[KPC_PROBES] = KSCOPE_COUNTER_GAUGE,
};

struct kscope_source kprb_src = {
	.name = "probe",
	.owner = THIS_MODULE,
	.attach = "kprobes/kretprobes on request (kscope probe add)",
	.counter_names = kprb_counter_names,
	.counter_kinds = kprb_counter_kinds,
	.nr_counters = ARRAY_SIZE(kprb_counter_names),
	.events = kprb_events,
	.nr_events = KPE_NR,
	.ctl = kprb_ctl,
	.ctl_get = kprb_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_PROBE,
};

/*
 * Registering the source makes it reachable over netlink: it comes last,
 * when everything a request may use is ready. Its debugfs directory only
 * exists from then on; the files added to it cannot fail.
 */
static int __init kprb_init(void)
{
	int ret;

	if (max_probes < 1 || max_probes > 4096) {
		pr_err("max_probes=%u out of range 1..4096\n", max_probes);
		return -EINVAL;
	}
	ret = kscope_source_register(&kprb_src);
	if (ret)
		return ret;
	kprb_debugfs(kprb_src.dir);
	return 0;
}

/*
 * The reverse: the source goes first, so no request or debugfs reader
 * sees a half torn-down module. From then on the handlers of the probes
 * still registered do nothing (kprb_live()) until they are removed.
 */
static void __exit kprb_exit(void)
{
	struct kprb *p, *tmp;

	kscope_source_unregister(&kprb_src);
	mutex_lock(&kprb_lock);
	list_for_each_entry_safe(p, tmp, &kprb_list, node) {
		list_del(&p->node);
		kprb_destroy(p);
	}
	kprb_nr = 0;
	mutex_unlock(&kprb_lock);
}

module_init(kprb_init);
module_exit(kprb_exit);

MODULE_DESCRIPTION("kscope: kprobes on kernel functions by name");
MODULE_LICENSE("GPL");
