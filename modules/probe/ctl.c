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

#include "internal.h"

static const struct nla_policy kprb_policy[KSCOPE_PROBE_MAX + 1] = {
	[KSCOPE_PROBE_OP] = NLA_POLICY_RANGE(NLA_U8, KSCOPE_PROBE_OP_ADD,
					     KSCOPE_PROBE_OP_DEL),
	[KSCOPE_PROBE_SYMBOL] = { .type = NLA_NUL_STRING,
				  .len = KPRB_NAME_MAX - 1 },
	[KSCOPE_PROBE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KSCOPE_PROBE_FLAGS] = NLA_POLICY_MASK(NLA_U32, KSCOPE_PROBE_F_RET |
					       KSCOPE_PROBE_F_LATENCY |
					       KSCOPE_PROBE_F_EVENTS),
};

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
	resolved = kmalloc(KPRB_NAME_MAX, GFP_KERNEL);
	if (!resolved)
		return -ENOMEM;

	mutex_lock(&kprb_lock);
	if (kprb_nr >= max_probes) {
		KSCOPE_PROBE_ERR(extack,
				 "probe: cannot add %s: %u probes exist (max_probes=%u)",
				 sym, kprb_nr, max_probes);
		ret = -ENOSPC;
		goto reject;
	}
	ret = kprb_resolve(sym, resolved, extack);
	if (ret)
		goto reject;
	p = kprb_create(sym, resolved, flags, extack);
	if (IS_ERR(p)) {
		ret = PTR_ERR(p);
		goto reject;
	}
	p->id = kprb_next_id++;
	list_add_tail(&p->node, &kprb_list);
	kprb_nr++;
	kscope_count(&kprb_src, KPC_PROBES_ADDED);

	msg = kscope_ctl_reply_start(&kprb_src, info, NLMSG_DEFAULT_SIZE, &nest);
	if (!msg ||
	    nla_put_u32(msg, KSCOPE_PROBE_ID, p->id) ||
	    nla_put_string(msg, KSCOPE_PROBE_SYMBOL, p->sym) ||
	    nla_put_string(msg, KSCOPE_PROBE_RESOLVED, p->resolved)) {
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

	ret = nla_parse_nested(tb, KSCOPE_PROBE_MAX, ctl, kprb_policy,
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

int kprb_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info)
{
	struct kprb_stats *s;
	struct nlattr *nest, *e;
	struct sk_buff *msg;
	struct kprb *p;
	int ret = -EMSGSIZE;

	if (ctl && nla_len(ctl)) {
		NL_SET_ERR_MSG(info->extack, "probe: the list takes no attributes");
		return -EINVAL;
	}
	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&kprb_lock);
	msg = kscope_ctl_reply_start(&kprb_src, info, 512 + kprb_nr * (2 * KPRB_NAME_MAX + 128),
			  &nest);
	if (!msg) {
		ret = -ENOMEM;
		goto unlock;
	}
	list_for_each_entry(p, &kprb_list, node) {
		kprb_sum(p, s);
		e = nla_nest_start(msg, KSCOPE_PROBE_ENTRY);
		if (!e ||
		    nla_put_u32(msg, KSCOPE_PROBE_ID, p->id) ||
		    nla_put_string(msg, KSCOPE_PROBE_SYMBOL, p->sym) ||
		    nla_put_string(msg, KSCOPE_PROBE_RESOLVED, p->resolved) ||
		    nla_put_u32(msg, KSCOPE_PROBE_FLAGS, p->flags) ||
		    nla_put_u64_64bit(msg, KSCOPE_PROBE_HITS, s->hits,
				      KSCOPE_PROBE_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_PROBE_RETURNS, s->returns,
				      KSCOPE_PROBE_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_PROBE_NMISSED,
				      kprb_nmissed(p), KSCOPE_PROBE_PAD)) {
			nlmsg_free(msg);
			goto unlock;
		}
		nla_nest_end(msg, e);
	}
	mutex_unlock(&kprb_lock);
	kfree(s);
	return kscope_ctl_reply_send(msg, nest, info);

unlock:
	mutex_unlock(&kprb_lock);
	kfree(s);
	return ret;
}
