// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_mem: the buddy allocator.
 *
 * Page allocations per order (and per zone and migrate type in debugfs
 * "allocs"), frees, failures, the slow path's latency histogram, events
 * for allocations of a high order (pid, comm, order, gfp flags), and the
 * free lists per zone, order and migrate type with a fragmentation index
 * per order (debugfs "buddyinfo", "freelists", "fragindex"; netlink
 * KSCOPE_CMD_CTL_GET, where the split by migrate type is for admins only:
 * it walks the free lists under the zone lock). The event threshold is
 * set with KSCOPE_CMD_CTL.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/debugfs.h>
#include <linux/capability.h>
#include <net/genetlink.h>
#include <kscope/compat.h>
#include <kscope/policy.h>

#include "internal.h"

static unsigned int high_order;
module_param(high_order, uint, 0444);
MODULE_PARM_DESC(high_order, "initial event threshold: allocations of this order and above, 0 = off (default)");

unsigned int mem_high_order;

const char * const mem_mt_names[MIGRATE_TYPES] = {
	[MIGRATE_UNMOVABLE] = "Unmovable",
	[MIGRATE_MOVABLE] = "Movable",
	[MIGRATE_RECLAIMABLE] = "Reclaimable",
	[MIGRATE_HIGHATOMIC] = "HighAtomic",
#ifdef CONFIG_CMA
	[MIGRATE_CMA] = "CMA",
#endif
#ifdef CONFIG_MEMORY_ISOLATION
	[MIGRATE_ISOLATE] = "Isolate",
#endif
};

#define ORDER_NAMES(p) \
	p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", \
	p "8", p "9", p "10", p "11", p "12", p "13", p "14", p "15"

static const char * const alloc_names[MEM_ORDERS_NAMED] = { ORDER_NAMES("alloc_o") };
static const char * const free_names[MEM_ORDERS_NAMED] = { ORDER_NAMES("free_o") };
static const char *mem_counter_names[MC_NR_COUNTERS];

static int mem_ctl(struct kscope_source *src, struct nlattr *ctl,
		   struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_MEM_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_MEM_MAX, ctl, kscope_mem_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[KSCOPE_MEM_HIGH_ORDER]) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	WRITE_ONCE(mem_high_order, nla_get_u32(tb[KSCOPE_MEM_HIGH_ORDER]));
	return 0;
}

/*
 * May the requester see the free lists per migrate type? As for
 * /proc/pagetypeinfo (root only): the walk holds the zone lock with
 * interrupts off. The request runs in the sender's context; the family
 * lives in the initial namespace only. No audit record: a denial is no
 * error, the reply is only shorter.
 */
static bool mem_may_walk(struct genl_info *info)
{
	struct user_namespace *ns = genl_info_net(info)->user_ns;

	return ns_capable_noaudit(ns, CAP_SYS_ADMIN) ||
	       ns_capable_noaudit(ns, CAP_NET_ADMIN);
}

/* What mem_ctl_get() puts in the KSCOPE_A_CTL nest. */
static size_t mem_ctl_size(bool by_mt)
{
	return nla_total_size(sizeof(u32)) +		/* HIGH_ORDER */
	       nla_total_size(sizeof(u32)) +		/* NR_ORDERS */
	       kscope_hist_nest_size(&mem_slow_lat) +	/* SLOW_HIST */
	       mem_freelist_size(by_mt);
}

static int mem_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		       struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_MEM_MAX + 1];
	bool by_mt = mem_may_walk(info);
	struct sk_buff *msg;
	struct nlattr *nest;
	size_t size;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_MEM_MAX, ctl,
				       kscope_mem_get_policy, info->extack);
		if (ret)
			return ret;
	}
	size = mem_ctl_size(by_mt);
	/* the nest's length is a u16: never let it wrap */
	if (nla_attr_size(size) > U16_MAX) {
		NL_SET_ERR_MSG(info->extack, "too many zones for one reply: read debugfs kscope/mem/freelists");
		return -EMSGSIZE;
	}
	size += kscope_ctl_reply_head(src);
	msg = kscope_ctl_reply_start(src, info, size, &nest);
	if (!msg)
		return -ENOMEM;
	ret = -EMSGSIZE;
	if (nla_put_u32(msg, KSCOPE_MEM_HIGH_ORDER, READ_ONCE(mem_high_order)) ||
	    nla_put_u32(msg, KSCOPE_MEM_NR_ORDERS, KSCOPE_NR_ORDERS) ||
	    kscope_hist_put(msg, KSCOPE_MEM_SLOW_HIST, &mem_slow_lat))
		goto free_msg;
	ret = mem_freelist_put(msg, by_mt);
	if (ret)
		goto free_msg;
	return kscope_ctl_reply_send(msg, nest, info);

free_msg:
	nlmsg_free(msg);
	return ret;
}

struct kscope_source mem_src = {
	.name = "mem",
	.owner = THIS_MODULE,
	.counter_names = mem_counter_names,
	.nr_counters = MC_NR_COUNTERS,
	.events = mem_events,
	.nr_events = ME_NR_EVENTS,
	.ctl = mem_ctl,
	.ctl_get = mem_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_MEM,
};

static int settings_show(struct seq_file *m, void *v)
{
	seq_printf(m, "high_order %u\nnr_orders %u\n",
		   READ_ONCE(mem_high_order), KSCOPE_NR_ORDERS);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(settings);

static int __init kmem_init(void)
{
	unsigned int o;
	int ret;

	BUILD_BUG_ON(KSCOPE_NR_ORDERS > MEM_ORDERS_NAMED);
	if (high_order >= KSCOPE_NR_ORDERS) {
		pr_err("high_order=%u out of range 0..%u\n", high_order,
		       KSCOPE_NR_ORDERS - 1);
		return -EINVAL;
	}
	mem_high_order = high_order;
	for (o = 0; o < KSCOPE_NR_ORDERS; o++) {
		mem_counter_names[MC_ALLOC(o)] = alloc_names[o];
		mem_counter_names[MC_FREE(o)] = free_names[o];
	}
	mem_counter_names[MC_ALLOC_FAILED] = "alloc_failed";
	mem_counter_names[MC_FREE_BATCHED] = "free_batched";
	mem_counter_names[MC_SLOWPATH] = "slowpath";
	mem_counter_names[MC_HIGH_ORDER_EVENTS] = "high_order_events";
	mem_counter_names[MC_HIGH_ORDER_OWN] = "high_order_own";

	ret = mem_probes_init();
	if (ret)
		return ret;
	/* attached but idle until the source (its counters) exists */
	ret = mem_probes_attach(mem_src.attach, sizeof(mem_src.attach));
	if (ret)
		goto exit_probes;
	/*
	 * Last: from here the source is reachable over netlink, and a failed
	 * init would free code that a request may be running.
	 */
	ret = kscope_source_register(&mem_src);
	if (ret)
		goto detach_probes;
	/* the source's directory, from the registration; cannot fail */
	debugfs_create_file("settings", 0444, mem_src.dir, NULL,
			    &settings_fops);
	mem_probes_debugfs(mem_src.dir);
	mem_freelist_debugfs(mem_src.dir);
	mem_probes_enable();
	return 0;

detach_probes:
	mem_probes_detach();
exit_probes:
	mem_probes_exit();
	return ret;
}

static void __exit kmem_exit(void)
{
	/* the probes leave the counters alone before they are freed */
	mem_probes_disable();
	kscope_source_unregister(&mem_src);
	mem_probes_detach();
	mem_probes_exit();
}

module_init(kmem_init);
module_exit(kmem_exit);

MODULE_DESCRIPTION("kscope: buddy allocator orders, slow path, free lists and fragmentation");
MODULE_LICENSE("GPL");
