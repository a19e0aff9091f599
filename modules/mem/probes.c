// SPDX-License-Identifier: GPL-2.0
/*
 * Where kscope_mem looks:
 *
 *   kmem:mm_page_alloc          every buddy allocation (page NULL: failed),
 *                               by order, zone and migrate type; events
 *                               for orders at or above the threshold
 *   kmem:mm_page_free           frees by order and zone
 *   kmem:mm_page_free_batched   order-0 pages freed in a batch (they also
 *                               pass mm_page_free: counted apart)
 *   hook __alloc_pages_slowpath  (the core's entry/exit hook: an fprobe
 *                               where the kernel has it, else a kretprobe)
 *                               latency of the slow path; only its timing
 *                               is read, so a compiler clone
 *                               (.constprop.N, .isra.N) serves as well.
 *                               Optional: where the compiler inlined it
 *                               (the debug 6.12), the module loads
 *                               without it and its attach line says so
 *
 * The probes count into the source's counters, which exist only once the
 * source is registered; registering is the last step of the module's
 * init (it makes the source reachable over netlink), so the probes are
 * attached before and do nothing until mem_probes_enable().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <kscope/clock.h>
#include <kscope/hook.h>

#include "internal.h"

/*
 * The payload is laid out as the field list describes it, with no
 * padding: u64s on 8-byte boundaries, string sizes multiples of 8.
 */
#define MT_NAME_LEN	16
#define ZONE_NAME_LEN	8

static const struct kscope_field high_order_fields[] = {
	{ .name = "order", .kind = KSCOPE_FIELD_U64 },
	{ .name = "gfp", .kind = KSCOPE_FIELD_HEX },
	{ .name = "migratetype", .kind = KSCOPE_FIELD_STR, .size = MT_NAME_LEN },
	{ .name = "zone", .kind = KSCOPE_FIELD_STR, .size = ZONE_NAME_LEN },
	{ .name = "pfn", .kind = KSCOPE_FIELD_HEX },
	{ .name = "failed", .kind = KSCOPE_FIELD_U64 },
};

struct ev_high_order {
	u64 order;
	u64 gfp;
	char mt[MT_NAME_LEN];
	char zone[ZONE_NAME_LEN];
	u64 pfn;
	u64 failed;
};
static_assert(offsetof(struct ev_high_order, pfn) ==
	      2 * sizeof(u64) + MT_NAME_LEN + ZONE_NAME_LEN);
static_assert(sizeof(struct ev_high_order) ==
	      offsetof(struct ev_high_order, failed) + sizeof(u64));

const struct kscope_event_desc mem_events[ME_NR_EVENTS] = {
	[ME_HIGH_ORDER] = KSCOPE_EVENT("high_order", high_order_fields,
				       struct ev_high_order),
};

struct mem_cpu_stats {
	u64 allocs[MAX_NR_ZONES][KSCOPE_NR_ORDERS][MIGRATE_TYPES];
	u64 frees[MAX_NR_ZONES][KSCOPE_NR_ORDERS];
};

static struct mem_cpu_stats __percpu *mem_cpu;
struct kscope_hist mem_slow_lat;

/* the source is registered: its counters exist (see the top) */
static bool mem_enabled;

void mem_probes_enable(void)
{
	/* pairs with the probes' acquire: they see the counters */
	smp_store_release(&mem_enabled, true);
}

/* Before unregistering: no probe touches the counters after the grace period */
void mem_probes_disable(void)
{
	WRITE_ONCE(mem_enabled, false);
}

static bool mem_on(void)
{
	/* pairs with mem_probes_enable(): the counters are set up */
	return smp_load_acquire(&mem_enabled);
}

static void probe_page_alloc(void *data, struct page *page,
			     unsigned int order, gfp_t gfp, int mt)
{
	unsigned int hi = READ_ONCE(mem_high_order);
	struct ev_high_order ev = { };

	if (order >= KSCOPE_NR_ORDERS || !mem_on())
		return;
	if (!page) {
		kscope_count(&mem_src, MC_ALLOC_FAILED);
	} else {
		kscope_count(&mem_src, MC_ALLOC(order));
		if (mt >= 0 && mt < MIGRATE_TYPES)
			this_cpu_inc(mem_cpu->allocs[page_zonenum(page)][order][mt]);
	}
	if (!hi || order < hi || !kscope_listening())
		return;
	/* the channel's own skbs, allocated as it delivers: not news */
	if (kscope_in_flush()) {
		kscope_count(&mem_src, MC_HIGH_ORDER_OWN);
		return;
	}
	ev.order = order;
	ev.gfp = (__force u64)gfp;
	strscpy(ev.mt, mt >= 0 && mt < MIGRATE_TYPES ? mem_mt_names[mt] : "?",
		sizeof(ev.mt));
	strscpy(ev.zone, page ? page_zone(page)->name : "-", sizeof(ev.zone));
	ev.pfn = page ? page_to_pfn(page) : 0;
	ev.failed = !page;
	kscope_count(&mem_src, MC_HIGH_ORDER_EVENTS);
	kscope_emit_typed(&mem_src, ME_HIGH_ORDER, &ev);
}

static void probe_page_free(void *data, struct page *page, unsigned int order)
{
	if (order >= KSCOPE_NR_ORDERS || !mem_on())
		return;
	kscope_count(&mem_src, MC_FREE(order));
	this_cpu_inc(mem_cpu->frees[page_zonenum(page)][order]);
}

/* the same pages also pass mm_page_free (free_pages_prepare): not a free */
static void probe_page_free_batched(void *data, struct page *page)
{
	if (!mem_on())
		return;
	kscope_count(&mem_src, MC_FREE_BATCHED);
}

static int slow_entry(struct kscope_hook *h, const struct kscope_hook_regs *r,
		      void *data)
{
	*(u64 *)data = kscope_clock_stamp();
	return 0;
}

static void slow_return(struct kscope_hook *h,
			const struct kscope_hook_regs *r, void *data)
{
	u64 us = div_u64(kscope_clock_ns(*(u64 *)data, kscope_clock_stamp()),
			 NSEC_PER_USEC);

	if (!mem_on())
		return;
	kscope_count(&mem_src, MC_SLOWPATH);
	kscope_hist_add(&mem_slow_lat, us);
}

static char *mech = "auto";
module_param(mech, charp, 0444);
MODULE_PARM_DESC(mech, "the slow-path hook: auto (fprobe where the kernel has it, else kretprobe), fprobe, kretprobe, direct (ftrace direct call)");

static char slow_sym[KSYM_NAME_LEN];
static struct kscope_hook slow_hook = {
	.entry = slow_entry,
	.exit = slow_return,
	.data_size = sizeof(u64),
	.maxactive = 64,
};
static bool slow_attached;

static struct kscope_tp mem_tps[] = {
	{ "mm_page_alloc", probe_page_alloc },
	{ "mm_page_free", probe_page_free },
	{ "mm_page_free_batched", probe_page_free_batched },
};

void mem_probes_detach(void)
{
	struct kscope_hook *hooks[] = { &slow_hook };

	if (slow_attached) {
		kscope_hooks_detach(hooks, ARRAY_SIZE(hooks));
		slow_attached = false;
	}
	kscope_tps_detach(mem_tps, ARRAY_SIZE(mem_tps));
}

#define MEM_TPS_ATTACH	"tracepoints kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_free_batched"
#define SLOW_FN		"__alloc_pages_slowpath"

int mem_probes_attach(char *attach, size_t len)
{
	unsigned int flags;
	int ret;

	/* three arguments, in registers in any clone: direct may serve */
	if (kscope_hook_mech_param(mech, &flags))
		return -EINVAL;
	ret = kscope_tps_attach(mem_tps, ARRAY_SIZE(mem_tps));
	if (ret)
		return ret;
	/* only its timing is read: a compiler clone serves as well */
	ret = kscope_hook_any(&slow_hook, SLOW_FN, slow_sym, sizeof(slow_sym),
			      flags);
	if (!ret) {
		slow_attached = true;
		scnprintf(attach, len, MEM_TPS_ATTACH "; %s %s",
			  kscope_hook_mech_name(slow_hook.mech), slow_sym);
		return 0;
	}
	/* an optional hook: the rest of the module works without it */
	strscpy(slow_sym, SLOW_FN, sizeof(slow_sym));
	if (ret == -ENOENT)
		scnprintf(attach, len, MEM_TPS_ATTACH "; slowpath: not available (" SLOW_FN " not found)");
	else
		scnprintf(attach, len, MEM_TPS_ATTACH "; slowpath: not available (hook on " SLOW_FN ": error %d)",
			  ret);
	pr_notice("no slow-path latency on this kernel (%d); loading without it\n",
		  ret);
	return 0;
}

/* "zone order migratetype count", non-zero rows */
static int allocs_show(struct seq_file *m, void *v)
{
	const struct pglist_data *pgdat = NODE_DATA(first_online_node);
	unsigned int z, o, t;
	u64 sum;
	int cpu;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (o = 0; o < KSCOPE_NR_ORDERS; o++)
			for (t = 0; t < MIGRATE_TYPES; t++) {
				sum = 0;
				for_each_possible_cpu(cpu)
					sum += READ_ONCE(per_cpu_ptr(mem_cpu, cpu)->allocs[z][o][t]);
				if (sum)
					seq_printf(m, "%s %u %s %llu\n",
						   pgdat->node_zones[z].name, o,
						   mem_mt_names[t], sum);
			}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(allocs);

/* "zone order count", non-zero rows */
static int frees_show(struct seq_file *m, void *v)
{
	const struct pglist_data *pgdat = NODE_DATA(first_online_node);
	unsigned int z, o;
	u64 sum;
	int cpu;

	for (z = 0; z < MAX_NR_ZONES; z++)
		for (o = 0; o < KSCOPE_NR_ORDERS; o++) {
			sum = 0;
			for_each_possible_cpu(cpu)
				sum += READ_ONCE(per_cpu_ptr(mem_cpu, cpu)->frees[z][o]);
			if (sum)
				seq_printf(m, "%s %u %llu\n",
					   pgdat->node_zones[z].name, o, sum);
		}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(frees);

static int slowpath_hist_show(struct seq_file *m, void *v)
{
	kscope_hist_show(m, &mem_slow_lat);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(slowpath_hist);

static int kprobes_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s %u %lu\n", slow_sym, slow_attached,
		   slow_attached ? kscope_hook_nmissed(&slow_hook) : 0UL);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kprobes);

void mem_probes_debugfs(struct dentry *dir)
{
	debugfs_create_file("allocs", 0444, dir, NULL, &allocs_fops);
	debugfs_create_file("frees", 0444, dir, NULL, &frees_fops);
	debugfs_create_file("slowpath_hist", 0444, dir, NULL,
			    &slowpath_hist_fops);
	debugfs_create_file("kprobes", 0444, dir, NULL, &kprobes_fops);
}

int mem_probes_init(void)
{
	int ret;

	ret = kscope_hist_init(&mem_slow_lat, KSCOPE_UNIT_US, MEM_SLOW_SLOTS);
	if (ret)
		return ret;
	mem_cpu = alloc_percpu(struct mem_cpu_stats);
	if (!mem_cpu) {
		kscope_hist_free(&mem_slow_lat);
		return -ENOMEM;
	}
	return 0;
}

void mem_probes_exit(void)
{
	free_percpu(mem_cpu);
	mem_cpu = NULL;
	kscope_hist_free(&mem_slow_lat);
}
