/* SPDX-License-Identifier: GPL-2.0 */
/* kscope_probe: shared between its files. */
#ifndef _KSCOPE_PROBE_INTERNAL_H
#define _KSCOPE_PROBE_INTERNAL_H

#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <kscope/hist.h>
#include <kscope/hook.h>
#include <kscope/kscope.h>
#include <kscope/policy.h>
#include <kscope/resolve.h>

#define KPRB_NAME_MAX	KSCOPE_PROBE_SYMBOL_SIZE	/* longest symbol, NUL */
#define KPRB_EV_SYM	64	/* symbol bytes in an event */
#define KPRB_SLOTS	40	/* latency histogram, ns: the last from 2^39 */

enum kprb_counter {
	KPC_PROBES_ADDED,
	KPC_PROBES_REMOVED,
	KPC_REJECTED,
	KPC_HITS,
	KPC_RETURNS,
	KPC_PROBES,		/* gauge: probes that exist */
	KPC_NR,
};

enum kprb_event {
	KPE_HIT,
	KPE_NR,
};

struct kprb_stats {
	u64 hits;
	u64 returns;
};

struct kprb {
	struct list_head node;
	u32 id;
	u32 flags;
	char sym[KPRB_NAME_MAX];	/* as asked */
	char resolved[KPRB_NAME_MAX];	/* as probed */
	struct kprb_stats __percpu *stats;
	struct kscope_hist lat;		/* KSCOPE_PROBE_F_LATENCY only */
	bool is_ret;
	struct kprobe kp;		/* entry only */
	struct kscope_hook hook;	/* with a return side */
};

extern struct kscope_source kprb_src;
extern const struct kscope_event_desc kprb_events[KPE_NR];
extern unsigned int max_probes;
extern struct list_head kprb_list;
extern struct mutex kprb_lock;
extern unsigned int kprb_nr;

/* deny.c */

/* probes.c */
struct kprb *kprb_create(const char *sym, const char *resolved, u32 flags,
			 struct netlink_ext_ack *extack);
void kprb_destroy(struct kprb *p);
u64 kprb_nmissed(const struct kprb *p);
const char *kprb_mech(const struct kprb *p);
void kprb_sum(const struct kprb *p, struct kprb_stats *s);
void kprb_debugfs(struct dentry *dir);

/* ctl.c */
int kprb_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info);
int kprb_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info);

#endif /* _KSCOPE_PROBE_INTERNAL_H */
