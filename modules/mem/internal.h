/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_mem internals: the allocator probes and their counters
 * (probes.c), the free-list view and fragmentation index (freelist.c),
 * setup and netlink control (main.c).
 */
#ifndef _KSCOPE_MEM_INTERNAL_H
#define _KSCOPE_MEM_INTERNAL_H

#include <linux/mmzone.h>
#include <linux/types.h>
#include <kscope/compat-mem.h>
#include <kscope/hist.h>
#include <kscope/kscope.h>

#define MEM_SLOW_SLOTS	32	/* slow-path latency, usecs */
/* counter names exist for this many orders */
#define MEM_ORDERS_NAMED	16

/* source counters: alloc_oN for each order, then free_oN, then these */
enum mem_counter {
	MC_ALLOC_FAILED = 2 * KSCOPE_NR_ORDERS,
	MC_FREE_BATCHED,
	MC_SLOWPATH,
	MC_HIGH_ORDER_EVENTS,
	MC_HIGH_ORDER_OWN,	/* the event channel's own: no event */
	MC_NR_COUNTERS,
};
#define MC_ALLOC(order)	(order)
#define MC_FREE(order)	(KSCOPE_NR_ORDERS + (order))

enum mem_event { ME_HIGH_ORDER, ME_NR_EVENTS };

extern struct kscope_source mem_src;
extern unsigned int mem_high_order;
extern const char * const mem_mt_names[MIGRATE_TYPES];

/* probes.c */
extern const struct kscope_event_desc mem_events[ME_NR_EVENTS];
int mem_probes_init(void);
void mem_probes_exit(void);
int mem_probes_attach(char *attach, size_t len);
void mem_probes_detach(void);
void mem_probes_enable(void);
void mem_probes_disable(void);
void mem_probes_debugfs(struct dentry *dir);
extern struct kscope_hist mem_slow_lat;

/* freelist.c */
void mem_freelist_debugfs(struct dentry *dir);
/* zones, free blocks per order and, if @by_mt, per migrate type */
size_t mem_freelist_size(bool by_mt);
int mem_freelist_put(struct sk_buff *msg, bool by_mt);
/* fragmentation index x1000 of @order from free blocks per order */
int mem_frag_index(const unsigned long *nr_free, unsigned int order);

#endif /* _KSCOPE_MEM_INTERNAL_H */
