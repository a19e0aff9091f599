// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_probe's netlink requests: ADD and DEL (KSCOPE_CMD_CTL, admin) and
 * the probe list (KSCOPE_CMD_CTL_GET). Every refusal says why, naming the
 * symbol.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <kscope/compat.h>
#include <kscope/compat-probe.h>
#include <kscope/policy.h>

#include "internal.h"

static u32 kprb_next_id = 1;

static int kprb_add(struct nlattr **tb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	u32 flags = 0;
	char *resolved;
	struct sk_buff *msg;
	struct nlattr *nest;
	struct kprb *p;
	const char *sym;
	int ret;

	if (!tb[KSCOPE_PROBE_SYMBOL]) {
		NL_SET_ERR_MSG(extack, "probe: ADD needs KSCOPE_PROBE_SYMBOL");
		return -EINVAL;
	}
	if (tb[KSCOPE_PROBE_ID]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KSCOPE_PROBE_ID],
				    "probe: ADD assigns the id itself");
		return -EINVAL;
	}
	sym = nla_data(tb[KSCOPE_PROBE_SYMBOL]);
	if (tb[KSCOPE_PROBE_FLAGS])
		flags = nla_get_u32(tb[KSCOPE_PROBE_FLAGS]);
	if ((flags & KSCOPE_PROBE_F_KRETPROBE) &&
	    !(flags & (KSCOPE_PROBE_F_RET | KSCOPE_PROBE_F_LATENCY))) {
		NL_SET_ERR_MSG_ATTR(extack, tb[KSCOPE_PROBE_FLAGS],
				    "probe: KRETPROBE needs RET or LATENCY (an entry-only probe is a kprobe)");
		return -EINVAL;
	}
	resolved = kmalloc(KPRB_NAME_MAX, GFP_KERNEL);
	if (!resolved)
		return -ENOMEM;

	/*
	 * Resolved before kprb_lock is taken: the resolver reads
	 * /proc/kallsyms (a seq_file, under its lock) with resolve_lock
	 * held, and the probes file's show takes kprb_lock under its own
	 * seq_file lock, so kprb_lock -> resolve_lock closed a cycle for
	 * lockdep (one class for every seq_file's lock; kfuzz found it).
	 */
	ret = kscope_resolve(sym, flags & KSCOPE_PROBE_F_EVENTS ?
			     KSCOPE_RESOLVE_EVENTS : 0, resolved, KPRB_NAME_MAX,
			     extack);
	if (ret) {
		kscope_count(&kprb_src, KPC_REJECTED);
		goto free_resolved;
	}
	mutex_lock(&kprb_lock);
	if (kprb_nr >= max_probes) {
		KSCOPE_PROBE_ERR(extack,
				 "probe: cannot add %s: %u probes exist (max_probes=%u)",
				 sym, kprb_nr, max_probes);
		ret = -ENOSPC;
		goto reject;
	}
	p = kprb_create(sym, resolved, flags, extack);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto reject;
	}
	p->id = kprb_next_id++;
	list_add_tail(&p->node, &kprb_list);
	kprb_nr++;
	kscope_count(&kprb_src, KPC_PROBES_ADDED);
	kscope_gauge_add(&kprb_src, KPC_PROBES, 1);

	msg = kscope_ctl_reply_start(&kprb_src, info,
				     nla_total_size(strlen(kprb_src.name) + 1) +
				     nla_total_size(nla_total_size(sizeof(u32)) +
						    nla_total_size(strlen(p->sym) + 1) +
						    nla_total_size(strlen(p->resolved) + 1) +
						    nla_total_size(strlen(kprb_mech(p)) + 1)),
				     &nest);
	if (!msg ||
	    nla_put_u32(msg, KSCOPE_PROBE_ID, p->id) ||
	    nla_put_string(msg, KSCOPE_PROBE_SYMBOL, p->sym) ||
	    nla_put_string(msg, KSCOPE_PROBE_RESOLVED, p->resolved) ||
	    nla_put_string(msg, KSCOPE_PROBE_MECH, kprb_mech(p))) {
		/* the probe exists: the caller sees it in the list */
		nlmsg_free(msg);
		ret = 0;
		goto unlock;
	}
	mutex_unlock(&kprb_lock);
	kfree(resolved);
	return kscope_ctl_reply_send(msg, nest, info);

reject:
	kscope_count(&kprb_src, KPC_REJECTED);
unlock:
	mutex_unlock(&kprb_lock);
free_resolved:
	kfree(resolved);
	return ret;
}

static int kprb_del(struct nlattr **tb, struct genl_info *info)
{
	struct netlink_ext_ack *extack = info->extack;
	const char *sym = NULL;
	struct kprb *p, *tmp;
	unsigned int n = 0;
	u32 id = 0;

	if (!!tb[KSCOPE_PROBE_ID] == !!tb[KSCOPE_PROBE_SYMBOL]) {
		NL_SET_ERR_MSG(extack, "probe: DEL takes either KSCOPE_PROBE_ID or KSCOPE_PROBE_SYMBOL");
		return -EINVAL;
	}
	if (tb[KSCOPE_PROBE_ID])
		id = nla_get_u32(tb[KSCOPE_PROBE_ID]);
	else
		sym = nla_data(tb[KSCOPE_PROBE_SYMBOL]);
	mutex_lock(&kprb_lock);
	list_for_each_entry_safe(p, tmp, &kprb_list, node) {
		if (id ? p->id != id :
		    strcmp(p->sym, sym) && strcmp(p->resolved, sym))
			continue;
		list_del(&p->node);
		kprb_destroy(p);
		kprb_nr--;
		n++;
		kscope_count(&kprb_src, KPC_PROBES_REMOVED);
		kscope_gauge_add(&kprb_src, KPC_PROBES, -1);
	}
	mutex_unlock(&kprb_lock);
	if (n)
		return 0;
	if (id)
		KSCOPE_PROBE_ERR(extack, "probe: no probe with id %u", id);
	else
		KSCOPE_PROBE_ERR(extack, "probe: no probe on %s", sym);
	return -ENOENT;
}

int kprb_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_PROBE_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_PROBE_MAX, ctl, kscope_probe_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[KSCOPE_PROBE_OP]) {
		NL_SET_ERR_MSG(info->extack, "probe: KSCOPE_PROBE_OP (ADD or DEL) missing");
		return -EINVAL;
	}
	if (nla_get_u8(tb[KSCOPE_PROBE_OP]) == KSCOPE_PROBE_OP_ADD)
		return kprb_add(tb, info);
	if (tb[KSCOPE_PROBE_FLAGS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_PROBE_FLAGS],
				    "probe: DEL takes no flags");
		return -EINVAL;
	}
	return kprb_del(tb, info);
}

/* Payload bytes of one list reply at most: its nest stays far below 64 KiB. */
#define KPRB_PAGE	(15 * 1024)

static size_t kprb_entry_size(const struct kprb *p)
{
	return nla_total_size(0) +				/* ENTRY */
	       nla_total_size(sizeof(u32)) +			/* ID */
	       nla_total_size(strlen(p->sym) + 1) +
	       nla_total_size(strlen(p->resolved) + 1) +
	       nla_total_size(strlen(kprb_mech(p)) + 1) +
	       nla_total_size(sizeof(u32)) +			/* FLAGS */
	       3 * nla_total_size_64bit(sizeof(u64)) +	/* HITS, RETURNS, NMISSED */
	       (p->flags & KSCOPE_PROBE_F_LATENCY ?
		kscope_hist_nest_size(&p->lat) : 0);	/* HIST */
}

static int kprb_put_entry(struct sk_buff *msg, const struct kprb *p,
			  struct kprb_stats *s)
{
	struct nlattr *e;

	kprb_sum(p, s);
	e = nla_nest_start(msg, KSCOPE_PROBE_ENTRY);
	if (!e ||
	    nla_put_u32(msg, KSCOPE_PROBE_ID, p->id) ||
	    nla_put_string(msg, KSCOPE_PROBE_SYMBOL, p->sym) ||
	    nla_put_string(msg, KSCOPE_PROBE_RESOLVED, p->resolved) ||
	    nla_put_string(msg, KSCOPE_PROBE_MECH, kprb_mech(p)) ||
	    nla_put_u32(msg, KSCOPE_PROBE_FLAGS, p->flags) ||
	    nla_put_u64_64bit(msg, KSCOPE_PROBE_HITS, s->hits,
			      KSCOPE_PROBE_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_PROBE_RETURNS, s->returns,
			      KSCOPE_PROBE_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_PROBE_NMISSED, kprb_nmissed(p),
			      KSCOPE_PROBE_PAD) ||
	    (p->flags & KSCOPE_PROBE_F_LATENCY &&
	     kscope_hist_put(msg, KSCOPE_PROBE_HIST, &p->lat)))
		return -EMSGSIZE;
	nla_nest_end(msg, e);
	return 0;
}

/*
 * The probe list, one page per request: the probes from id KSCOPE_PROBE_ID
 * (1 when absent) that fit KPRB_PAGE bytes, in id order, and when more
 * remain a KSCOPE_PROBE_ID beside them: the id to ask for next. The
 * reader asks until a reply carries none. Ids only grow, so a probe added
 * meanwhile comes last and one deleted is simply not seen; like a dump.
 */
int kprb_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_PROBE_ID + 1];
	struct kprb *p, *first = NULL, *next = NULL;
	size_t size, page = 0;
	struct kprb_stats *s;
	struct nlattr *nest;
	struct sk_buff *msg;
	u32 from = 1;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_PROBE_ID, ctl,
				       kscope_probe_get_policy, info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_PROBE_ID])
			from = nla_get_u32(tb[KSCOPE_PROBE_ID]);
	}
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&kprb_lock);
	list_for_each_entry(p, &kprb_list, node) {
		if (p->id < from)
			continue;
		size = kprb_entry_size(p);
		if (first && page + size > KPRB_PAGE) {
			next = p;
			break;
		}
		if (!first)
			first = p;
		page += size;
	}
	size = nla_total_size(strlen(src->name) + 1) +	/* KSCOPE_A_SOURCE */
	       nla_total_size(page) +			/* KSCOPE_A_CTL */
	       nla_total_size(sizeof(u32));		/* next KSCOPE_PROBE_ID */
	ret = -ENOMEM;
	msg = kscope_ctl_reply_start(src, info, size, &nest);
	if (!msg)
		goto unlock;
	ret = -EMSGSIZE;
	p = first;
	if (first)
		list_for_each_entry_from(p, &kprb_list, node) {
			if (p == next)
				break;
			if (kprb_put_entry(msg, p, s))
				goto free_msg;
		}
	if (next && nla_put_u32(msg, KSCOPE_PROBE_ID, next->id))
		goto free_msg;
	mutex_unlock(&kprb_lock);
	kfree(s);
	return kscope_ctl_reply_send(msg, nest, info);

free_msg:
	/* the size was computed wrong: say so once */
	WARN_ON_ONCE(1);
	nlmsg_free(msg);
unlock:
	mutex_unlock(&kprb_lock);
	kfree(s);
	return ret;
}
