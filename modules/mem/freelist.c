// SPDX-License-Identifier: GPL-2.0
/*
 * The buddy free lists per zone and order, the split by migrate type, and
 * the fragmentation index per order computed from them.
 *
 * Zones are reached through node_data[] and node_states (exported), not
 * for_each_populated_zone(), whose helpers (first_online_pgdat, next_zone)
 * are not exported to modules. Each order's count is read under
 * zone->lock, as /proc/buddyinfo does. The split by migrate type needs a
 * walk of every list under zone->lock with interrupts off: upstream made
 * /proc/pagetypeinfo root-only because that walk caused hard lockups on
 * big machines. So it is only done for an admin (netlink) or root
 * (debugfs), one list per lock hold, each walk capped as pagetypeinfo
 * caps it, with a chance to reschedule between lists.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/list.h>
#include <linux/mmzone.h>
#include <linux/nodemask.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <net/genetlink.h>

#include "internal.h"

#define MT_WALK_CAP	100000

struct zone_snap {
	int node;
	const char *name;
	unsigned long nr_free[KSCOPE_NR_ORDERS];
	unsigned long mt_free[KSCOPE_NR_ORDERS][MIGRATE_TYPES];
	bool by_mt;		/* mt_free and mt_capped are filled in */
	bool mt_capped;
};

/* Blocks on one free list, at most MT_WALK_CAP: one lock hold per list. */
static unsigned long count_list(struct zone *zone, struct list_head *list,
				bool *capped)
{
	unsigned long flags, n = 0;
	struct list_head *p;

	spin_lock_irqsave(&zone->lock, flags);
	list_for_each(p, list) {
		if (++n >= MT_WALK_CAP) {
			*capped = true;
			break;
		}
	}
	spin_unlock_irqrestore(&zone->lock, flags);
	return n;
}

static void zone_snapshot(struct zone *zone, struct zone_snap *s, bool by_mt)
{
	unsigned int order, mt;
	unsigned long flags;

	s->node = zone_to_nid(zone);
	s->name = zone->name;
	s->by_mt = by_mt;
	s->mt_capped = false;
	for (order = 0; order < KSCOPE_NR_ORDERS; order++) {
		struct free_area *area = &zone->free_area[order];

		spin_lock_irqsave(&zone->lock, flags);
		s->nr_free[order] = area->nr_free;
		spin_unlock_irqrestore(&zone->lock, flags);
		for (mt = 0; by_mt && mt < MIGRATE_TYPES; mt++) {
			s->mt_free[order][mt] = count_list(zone,
							   &area->free_list[mt],
							   &s->mt_capped);
			cond_resched();
		}
	}
}

/*
 * As mm/vmstat.c's __fragmentation_index(): 0 when nothing is free,
 * -1000 when a block of @order is free, else towards 1000 the more the
 * failure would be due to fragmentation rather than lack of memory.
 */
int mem_frag_index(const unsigned long *nr_free, unsigned int order)
{
	unsigned long requested = 1UL << order;
	u64 total = 0, pages = 0, suitable = 0;
	unsigned int o;

	for (o = 0; o < KSCOPE_NR_ORDERS; o++) {
		total += nr_free[o];
		pages += (u64)nr_free[o] << o;
		if (o >= order)
			suitable += (u64)nr_free[o] << (o - order);
	}
	if (!total)
		return 0;
	if (suitable)
		return -1000;
	return 1000 - div64_u64(1000 + div64_u64(pages * 1000ULL, requested),
				total);
}

typedef int (*zone_snap_fn)(const struct zone_snap *s, void *arg);

/* Calls @fn for every populated zone; stops at its first error. */
static int zones_snap(bool by_mt, zone_snap_fn fn, void *arg)
{
	struct zone_snap *s;
	int nid, z, ret = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES && !ret; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			zone_snapshot(zone, s, by_mt);
			ret = fn(s, arg);
		}
		if (ret)
			break;
	}
	kfree(s);
	return ret;
}

/* the /proc/buddyinfo format, line for line */
static int buddyinfo_one(const struct zone_snap *s, void *arg)
{
	struct seq_file *m = arg;
	unsigned int o;

	seq_printf(m, "Node %d, zone %8s ", s->node, s->name);
	for (o = 0; o < KSCOPE_NR_ORDERS; o++)
		seq_printf(m, "%6lu ", s->nr_free[o]);
	seq_putc(m, '\n');
	return 0;
}

static int buddyinfo_show(struct seq_file *m, void *v)
{
	return zones_snap(false, buddyinfo_one, m);
}
DEFINE_SHOW_ATTRIBUTE(buddyinfo);

/* "node zone order migratetype free_blocks", every list */
static int freelists_one(const struct zone_snap *s, void *arg)
{
	struct seq_file *m = arg;
	unsigned int o, t;

	for (o = 0; o < KSCOPE_NR_ORDERS; o++)
		for (t = 0; t < MIGRATE_TYPES; t++)
			seq_printf(m, "%d %s %u %s %lu%s\n", s->node, s->name,
				   o, mem_mt_names[t], s->mt_free[o][t],
				   s->mt_capped ? " capped" : "");
	return 0;
}

static int freelists_show(struct seq_file *m, void *v)
{
	return zones_snap(true, freelists_one, m);
}
DEFINE_SHOW_ATTRIBUTE(freelists);

/* "node zone" then the index x1000 per order */
static int fragindex_one(const struct zone_snap *s, void *arg)
{
	struct seq_file *m = arg;
	unsigned int o;

	seq_printf(m, "%d %s", s->node, s->name);
	for (o = 0; o < KSCOPE_NR_ORDERS; o++)
		seq_printf(m, " %d", mem_frag_index(s->nr_free, o));
	seq_putc(m, '\n');
	return 0;
}

static int fragindex_show(struct seq_file *m, void *v)
{
	return zones_snap(false, fragindex_one, m);
}
DEFINE_SHOW_ATTRIBUTE(fragindex);

void mem_freelist_debugfs(struct dentry *dir)
{
	debugfs_create_file("buddyinfo", 0444, dir, NULL, &buddyinfo_fops);
	debugfs_create_file("freelists", 0444, dir, NULL, &freelists_fops);
	debugfs_create_file("fragindex", 0444, dir, NULL, &fragindex_fops);
}

static int put_zone(const struct zone_snap *s, void *arg)
{
	struct nlattr *zn, *on, *mn;
	struct sk_buff *msg = arg;
	unsigned int o, t;

	zn = nla_nest_start(msg, KSCOPE_MEM_ZONE);
	if (!zn || nla_put_u32(msg, KSCOPE_MEM_NODE, s->node) ||
	    nla_put_string(msg, KSCOPE_MEM_ZONE_NAME, s->name))
		return -EMSGSIZE;
	for (o = 0; o < KSCOPE_NR_ORDERS; o++) {
		on = nla_nest_start(msg, KSCOPE_MEM_ORDER);
		if (!on || nla_put_u32(msg, KSCOPE_MEM_ORDER_NR, o) ||
		    nla_put_u64_64bit(msg, KSCOPE_MEM_FREE, s->nr_free[o],
				      KSCOPE_MEM_PAD) ||
		    nla_put_s32(msg, KSCOPE_MEM_FRAG,
				mem_frag_index(s->nr_free, o)))
			return -EMSGSIZE;
		for (t = 0; s->by_mt && t < MIGRATE_TYPES; t++) {
			mn = nla_nest_start(msg, KSCOPE_MEM_MT_FREE);
			if (!mn ||
			    nla_put_string(msg, KSCOPE_MEM_MT_NAME,
					   mem_mt_names[t]) ||
			    nla_put_u64_64bit(msg, KSCOPE_MEM_FREE,
					      s->mt_free[o][t], KSCOPE_MEM_PAD))
				return -EMSGSIZE;
			nla_nest_end(msg, mn);
		}
		nla_nest_end(msg, on);
	}
	nla_nest_end(msg, zn);
	return 0;
}

/*
 * What put_zone() puts for the zones populated now; memory hotplug in
 * between makes the reply fail with -EMSGSIZE, not overflow.
 */
size_t mem_freelist_size(bool by_mt)
{
	size_t per_order, mt_names = 0, size = 0;
	int nid, z;
	unsigned int t;

	for (t = 0; by_mt && t < MIGRATE_TYPES; t++)
		mt_names += nla_total_size(0) +	/* KSCOPE_MEM_MT_FREE */
			    nla_total_size(strlen(mem_mt_names[t]) + 1) +
			    nla_total_size_64bit(sizeof(u64));
	per_order = nla_total_size(0) +		/* KSCOPE_MEM_ORDER */
		    nla_total_size(sizeof(u32)) +	/* ORDER_NR */
		    nla_total_size_64bit(sizeof(u64)) +	/* FREE */
		    nla_total_size(sizeof(s32)) +	/* FRAG */
		    mt_names;
	for_each_online_node(nid) {
		struct pglist_data *pgdat = NODE_DATA(nid);

		for (z = 0; z < MAX_NR_ZONES; z++) {
			struct zone *zone = &pgdat->node_zones[z];

			if (!populated_zone(zone))
				continue;
			size += nla_total_size(0) +	/* KSCOPE_MEM_ZONE */
				nla_total_size(sizeof(u32)) +	/* NODE */
				nla_total_size(strlen(zone->name) + 1) +
				KSCOPE_NR_ORDERS * per_order;
		}
	}
	return size;
}

int mem_freelist_put(struct sk_buff *msg, bool by_mt)
{
	return zones_snap(by_mt, put_zone, msg);
}
