// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_core: the registry of sources, their per-CPU counters, and the
 * module's life cycle. Netlink lives in netlink.c, the event channel in
 * channel.c, debugfs in debugfs.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/idr.h>
#include <linux/log2.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kscope/clock.h>
#include <kscope/compat.h>
#include "internal.h"

static unsigned int ring_slots = 4096;
module_param(ring_slots, uint, 0444);
MODULE_PARM_DESC(ring_slots, "events buffered per CPU, a power of two in [64, 65536] (default 4096)");

static unsigned int flush_ms = 10;
module_param(flush_ms, uint, 0444);
MODULE_PARM_DESC(flush_ms, "longest time an event waits before delivery, ms in [1, 1000] (default 10)");

DEFINE_MUTEX(kscope_sources_lock);
LIST_HEAD(kscope_sources);
static DEFINE_IDR(kscope_source_ids);

static const char * const kscope_chan_names[KSCOPE_NR_CHAN_COUNTERS] = {
	KSCOPE_CHAN_COUNTERS
};

const char * const kscope_field_kind_names[] = {
	[KSCOPE_FIELD_U64] = "u64",
	[KSCOPE_FIELD_S64] = "s64",
	[KSCOPE_FIELD_HEX] = "hex",
	[KSCOPE_FIELD_STR] = "str",
	[KSCOPE_FIELD_ADDR] = "addr",
};

const char *kscope_counter_name(struct kscope_source *src, unsigned int idx)
{
	if (idx < KSCOPE_NR_CHAN_COUNTERS)
		return kscope_chan_names[idx];
	return src->counter_names[idx - KSCOPE_NR_CHAN_COUNTERS];
}

/* The channel's counters are all monotonic. */
u8 kscope_counter_kind(struct kscope_source *src, unsigned int idx)
{
	if (idx < KSCOPE_NR_CHAN_COUNTERS || !src->counter_kinds)
		return KSCOPE_COUNTER_MONOTONIC;
	return src->counter_kinds[idx - KSCOPE_NR_CHAN_COUNTERS];
}

const char * const kscope_counter_kind_names[__KSCOPE_COUNTER_KIND_MAX] = {
	[KSCOPE_COUNTER_MONOTONIC] = "counter",
	[KSCOPE_COUNTER_GAUGE] = "gauge",
};

u64 kscope_counter_cpu(struct kscope_source *src, unsigned int idx, int cpu)
{
	return READ_ONCE(per_cpu_ptr(src->counters, cpu)[idx]);
}

u64 kscope_counter_sum(struct kscope_source *src, unsigned int idx)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += kscope_counter_cpu(src, idx, cpu);
	/*
	 * A gauge's changes land on any CPU (a flow enters the table on one
	 * and leaves it on another): summed while it moves, a -1 may be seen
	 * without its +1. What it counts is never below 0, nor is its sum.
	 */
	if ((s64)sum < 0 &&
	    kscope_counter_kind(src, idx) == KSCOPE_COUNTER_GAUGE)
		return 0;
	return sum;
}

u64 kscope_count_read(struct kscope_source *src, unsigned int idx)
{
	return kscope_counter_sum(src, KSCOPE_NR_CHAN_COUNTERS + idx);
}
EXPORT_SYMBOL_GPL(kscope_count_read);

/* Caller holds kscope_sources_lock. */
struct kscope_source *kscope_source_find(const char *name)
{
	struct kscope_source *src;

	list_for_each_entry(src, &kscope_sources, node)
		if (!strcmp(src->name, name))
			return src;
	return NULL;
}

/* Caller holds kscope_sources_lock. */
static bool kscope_ctl_attr_taken(u16 attr)
{
	struct kscope_source *src;

	list_for_each_entry(src, &kscope_sources, node)
		if (src->ctl_attr == attr)
			return true;
	return false;
}

/* Caller holds kscope_sources_lock. */
struct kscope_source *kscope_source_by_id(u16 id)
{
	return idr_find(&kscope_source_ids, id);
}

static int kscope_field_size(const struct kscope_field *f)
{
	switch (f->kind) {
	case KSCOPE_FIELD_U64:
	case KSCOPE_FIELD_S64:
	case KSCOPE_FIELD_HEX:
		return sizeof(u64);
	case KSCOPE_FIELD_ADDR:
		return 16;
	case KSCOPE_FIELD_STR:
		return f->size ? f->size : -EINVAL;
	default:
		return -EINVAL;
	}
}

/* Check a source's description once, so the hot path trusts it. */
static int kscope_source_check(struct kscope_source *src)
{
	unsigned int i, j;
	int sz, len;

	if (!src->name || !*src->name || strlen(src->name) >= KSCOPE_NAME_MAX)
		return -EINVAL;
	if (src->nr_counters && !src->counter_names)
		return -EINVAL;
	for (i = 0; i < src->nr_counters; i++)
		if (strlen(src->counter_names[i]) >= KSCOPE_NAME_MAX ||
		    (src->counter_kinds &&
		     src->counter_kinds[i] >= __KSCOPE_COUNTER_KIND_MAX))
			return -EINVAL;
	if (src->nr_events > U16_MAX || (src->nr_events && !src->events))
		return -EINVAL;
	/*
	 * a source that takes control requests owns a nest; one that only
	 * answers read requests may own none (they then carry no nest)
	 */
	if ((src->ctl || src->ctl_attr) &&
	    !kscope_ctl_attr_valid(src->ctl_attr)) {
		pr_err("source %s: ctl_attr %u is no KSCOPE_A_CTL_<SOURCE> attribute: refused\n",
		       src->name, src->ctl_attr);
		return -EINVAL;
	}

	src->payload_len = kcalloc(max(src->nr_events, 1U),
				   sizeof(*src->payload_len), GFP_KERNEL);
	if (!src->payload_len)
		return -ENOMEM;
	for (i = 0; i < src->nr_events; i++) {
		const struct kscope_event_desc *ev = &src->events[i];

		len = 0;
		for (j = 0; j < ev->nr_fields; j++) {
			sz = kscope_field_size(&ev->fields[j]);
			if (sz < 0)
				goto err_bad_field;
			len += sz;
		}
		if (len > KSCOPE_EV_PAYLOAD_MAX)
			goto err_bad_field;
		/*
		 * The struct a probe fills must be exactly what the fields
		 * describe: padding would shift every later field and carry
		 * stack bytes to userspace.
		 */
		if (ev->size != len) {
			pr_err("source %s: event %s: payload struct is %zu bytes, its fields describe %d (padding, or a field missing from the schema): refused\n",
			       src->name, ev->name, ev->size, len);
			goto err_free_len;
		}
		src->payload_len[i] = len;
	}
	return 0;

err_bad_field:
	pr_err("source %s: event %s: bad field description\n", src->name,
	       src->events[i].name);
err_free_len:
	kfree(src->payload_len);
	src->payload_len = NULL;
	return -EINVAL;
}

int kscope_source_register(struct kscope_source *src)
{
	int ret, id;

	ret = kscope_source_check(src);
	if (ret)
		return ret;

	/* one more, hidden: the per-CPU event sequence */
	src->counters = __alloc_percpu((kscope_nr_all_counters(src) + 1) *
				       sizeof(u64), sizeof(u64));
	if (!src->counters) {
		ret = -ENOMEM;
		goto err_free_len;
	}

	mutex_lock(&kscope_sources_lock);
	if (kscope_source_find(src->name)) {
		ret = -EEXIST;
		goto err_unlock;
	}
	/* a nest's policy is one source's: two cannot share it */
	if (src->ctl_attr && kscope_ctl_attr_taken(src->ctl_attr)) {
		pr_err("source %s: another source takes ctl_attr %u: refused\n",
		       src->name, src->ctl_attr);
		ret = -EBUSY;
		goto err_unlock;
	}
	id = idr_alloc(&kscope_source_ids, src, 1, U16_MAX, GFP_KERNEL);
	if (id < 0) {
		ret = id;
		goto err_unlock;
	}
	src->id = id;
	kscope_debugfs_add(src);
	list_add_tail(&src->node, &kscope_sources);
	WRITE_ONCE(src->live, true);
	mutex_unlock(&kscope_sources_lock);
	pr_debug("source %s registered as %u (%s)\n", src->name, src->id,
		 src->attach);
	return 0;

err_unlock:
	mutex_unlock(&kscope_sources_lock);
	free_percpu(src->counters);
	src->counters = NULL;
err_free_len:
	kfree(src->payload_len);
	src->payload_len = NULL;
	return ret;
}
EXPORT_SYMBOL_GPL(kscope_source_register);

void kscope_source_unregister(struct kscope_source *src)
{
	/* no new request reaches its handlers (kscope_nl_ctl checks it) */
	mutex_lock(&kscope_sources_lock);
	WRITE_ONCE(src->live, false);
	mutex_unlock(&kscope_sources_lock);
	/* kscope_emit() checks ->live with interrupts off */
	synchronize_rcu();
	/* what was recorded before still reaches its listener */
	kscope_chan_flush_sync();

	mutex_lock(&kscope_sources_lock);
	list_del(&src->node);
	idr_remove(&kscope_source_ids, src->id);
	mutex_unlock(&kscope_sources_lock);

	kscope_debugfs_del(src);
	free_percpu(src->counters);
	src->counters = NULL;
	kfree(src->payload_len);
	src->payload_len = NULL;
}
EXPORT_SYMBOL_GPL(kscope_source_unregister);

struct kscope_source kscope_core_src = {
	.name = "core",
	.owner = THIS_MODULE,
	.attach = "none (event channel totals over all sources)",
};

static int __init kscope_core_init(void)
{
	int ret;

	if (ring_slots < 64 || ring_slots > 65536 || !is_power_of_2(ring_slots)) {
		pr_err("ring_slots=%u: must be a power of two in [64, 65536]\n",
		       ring_slots);
		return -EINVAL;
	}
	if (flush_ms < 1 || flush_ms > 1000) {
		pr_err("flush_ms=%u: must be in [1, 1000]\n", flush_ms);
		return -EINVAL;
	}
	if (!KSCOPE_HAVE_MCAST_CAP) {
		pr_err("this kernel cannot restrict multicast groups to CAP_NET_ADMIN; refusing to expose events\n");
		return -EOPNOTSUPP;
	}

	ret = kscope_clock_init();
	if (ret)
		return ret;
	ret = kscope_resolve_init();
	if (ret)
		goto err_clock_exit;
	ret = kscope_debugfs_init();
	if (ret)
		goto err_resolve_exit;
	ret = kscope_nl_init();
	if (ret)
		goto err_debugfs_exit;
	ret = kscope_chan_init(ring_slots, flush_ms);
	if (ret)
		goto err_nl_exit;
	ret = kscope_source_register(&kscope_core_src);
	if (ret)
		goto err_chan_exit;

	pr_info("loaded: protocol v%u, %u events per CPU, flush every %u ms, hook clock %s\n",
		KSCOPE_GENL_VERSION, ring_slots, flush_ms,
		kscope_clock_source());
	return 0;

err_chan_exit:
	kscope_chan_exit();
err_nl_exit:
	kscope_nl_exit();
err_debugfs_exit:
	kscope_debugfs_exit();
err_resolve_exit:
	kscope_resolve_exit();
err_clock_exit:
	kscope_clock_exit();
	return ret;
}

static void __exit kscope_core_exit(void)
{
	/* modules that register sources depend on us: none is left */
	kscope_source_unregister(&kscope_core_src);
	kscope_chan_exit();
	kscope_nl_exit();
	kscope_debugfs_exit();
	kscope_resolve_exit();
	kscope_direct_core_exit();
	kscope_clock_exit();
}

module_init(kscope_core_init);
module_exit(kscope_core_exit);

MODULE_DESCRIPTION("kscope core: generic netlink family, debugfs, event channel");
MODULE_AUTHOR("kscope developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(KSCOPE_VERSION);
