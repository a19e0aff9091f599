// SPDX-License-Identifier: GPL-2.0
/*
 * Which flows kscope_tcp reports, set through KSCOPE_CMD_CTL: by port,
 * address, network namespace and the pid recorded at connect/accept. The
 * probes read the filter under RCU; a change swaps in a new copy.
 *
 * KSCOPE_TCP_EVENTS chooses the event types built (default: all but
 * "state").
 *
 * The filter selects the flows that produce events and congestion samples
 * (and so fill the flow table); the connection-life counters count every
 * TCP socket, filtered or not.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <net/ipv6.h>
#include <kscope/compat.h>
#include <kscope/settings.h>

#include "internal.h"

static DEFINE_KSCOPE_SETTINGS(kst_filter, struct kst_filter);
u32 kst_event_mask = KST_EVENTS_DEFAULT;

static bool filter_is_any(const struct kst_filter *f)
{
	return !f->port && !f->netns && !f->pid && ipv6_addr_any(&f->addr);
}

bool kst_filter_match(const struct kst_tuple *t,
		      const struct kst_flow_info *fi, bool *sample_all)
{
	const struct kst_filter *f;
	bool ok = true;

	if (sample_all)
		*sample_all = false;
	rcu_read_lock();
	f = kscope_settings_get(&kst_filter);
	if (f) {
		if (sample_all)
			*sample_all = f->sample_all;
		if (f->port && f->port != t->sport && f->port != t->dport)
			ok = false;
		else if (f->netns && f->netns != t->netns)
			ok = false;
		else if (f->pid && fi && f->pid != fi->pid)
			ok = false;
		else if (!ipv6_addr_any(&f->addr) &&
			 !ipv6_addr_equal(&f->addr, &t->saddr) &&
			 !ipv6_addr_equal(&f->addr, &t->daddr))
			ok = false;
	}
	rcu_read_unlock();
	return ok;
}

/* Under the filter's lock: the event mask changes with it. */
static int kst_filter_fill(void *next, const void *prev, void *arg)
{
	struct nlattr **tb = arg;
	struct kst_filter *nf = next;

	if (tb[KSCOPE_TCP_PORT])
		nf->port = nla_get_u16(tb[KSCOPE_TCP_PORT]);
	if (tb[KSCOPE_TCP_ADDR])
		nla_memcpy(&nf->addr, tb[KSCOPE_TCP_ADDR], sizeof(nf->addr));
	if (tb[KSCOPE_TCP_NETNS])
		nf->netns = nla_get_u32(tb[KSCOPE_TCP_NETNS]);
	if (tb[KSCOPE_TCP_PID])
		nf->pid = nla_get_u32(tb[KSCOPE_TCP_PID]);
	if (tb[KSCOPE_TCP_SAMPLE_ALL])
		nf->sample_all = nla_get_u8(tb[KSCOPE_TCP_SAMPLE_ALL]);
	if (tb[KSCOPE_TCP_CLEAR])
		WRITE_ONCE(kst_event_mask, KST_EVENTS_DEFAULT);
	if (tb[KSCOPE_TCP_EVENTS])
		WRITE_ONCE(kst_event_mask, nla_get_u32(tb[KSCOPE_TCP_EVENTS]));
	return filter_is_any(nf) && !nf->sample_all ? KSCOPE_SETTINGS_EMPTY : 0;
}

int kst_ctl(struct kscope_source *src, struct nlattr *ctl,
	    struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_TCP_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_TCP_MAX, ctl, kscope_tcp_policy,
			       info->extack);
	if (ret)
		return ret;
	ret = kscope_settings_update(&kst_filter, kst_filter_fill, tb,
				     tb[KSCOPE_TCP_CLEAR] ? 0 : KSCOPE_SETTINGS_KEEP);
	if (ret == -ENOMEM)
		NL_SET_ERR_MSG(info->extack, "no memory for the filter");
	return ret;
}

/* The current filter, or with CURSOR a page of the flow table. */
int kst_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_TCP_MAX + 1];
	struct kst_filter f;
	struct sk_buff *msg;
	struct nlattr *nest;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_TCP_MAX, ctl,
				       kscope_tcp_get_policy, info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_TCP_CURSOR]) {
			ret = kscope_admin_read(info, tb[KSCOPE_TCP_CURSOR],
						"tcp: flows name other users' processes: CAP_NET_ADMIN or CAP_SYS_ADMIN only");
			return ret ?: kst_flows_reply(src, info,
						      nla_get_u32(tb[KSCOPE_TCP_CURSOR]));
		}
	}
	kscope_settings_read(&kst_filter, &f);

	msg = kscope_ctl_reply_start(src, info,
				     kscope_ctl_reply_head(src) +
				     nla_total_size(sizeof(u16)) +	/* PORT */
				     nla_total_size(sizeof(f.addr)) +
				     nla_total_size(sizeof(u32)) +	/* NETNS */
				     nla_total_size(sizeof(u32)) +	/* PID */
				     nla_total_size(sizeof(u8)) +	/* SAMPLE_ALL */
				     nla_total_size(sizeof(u32)),	/* EVENTS */
				     &nest);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u16(msg, KSCOPE_TCP_PORT, f.port) ||
	    nla_put(msg, KSCOPE_TCP_ADDR, sizeof(f.addr), &f.addr) ||
	    nla_put_u32(msg, KSCOPE_TCP_NETNS, f.netns) ||
	    nla_put_u32(msg, KSCOPE_TCP_PID, f.pid) ||
	    nla_put_u8(msg, KSCOPE_TCP_SAMPLE_ALL, f.sample_all) ||
	    nla_put_u32(msg, KSCOPE_TCP_EVENTS, READ_ONCE(kst_event_mask)))
		goto nla_put_failure;
	return kscope_ctl_reply_send(msg, nest, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int filter_show(struct seq_file *m, void *v)
{
	struct kst_filter f;

	kscope_settings_read(&kst_filter, &f);
	seq_printf(m, "port %u\naddr %pI6c\nnetns %u\npid %u\nsample_all %u\nevents 0x%x\n",
		   f.port, &f.addr, f.netns, f.pid, f.sample_all,
		   READ_ONCE(kst_event_mask));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(filter);

void kst_filter_debugfs(struct dentry *dir)
{
	debugfs_create_file("filter", 0444, dir, NULL, &filter_fops);
}

/* After the probes are gone. */
void kst_filter_exit(void)
{
	kscope_settings_destroy(&kst_filter);
}
