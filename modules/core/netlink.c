// SPDX-License-Identifier: GPL-2.0
/*
 * The "kscope" generic netlink family: versions, source schemas, counters,
 * source-specific requests, and the events multicast group. Every op has
 * a strict policy; mutations need CAP_NET_ADMIN, and so does the group.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/module.h>
#include <linux/user_namespace.h>
#include <kscope/compat.h>
#include <kscope/policy.h>
#include "internal.h"

/* no attributes: every one is rejected, also on kernels that parse none */
static const struct nla_policy kscope_none_policy[KSCOPE_A_MAX + 1];

static const struct nla_policy kscope_source_policy[KSCOPE_A_SOURCE + 1] = {
	[KSCOPE_A_SOURCE] = { .type = NLA_NUL_STRING, .len = KSCOPE_NAME_MAX - 1 },
};

static const struct nla_policy kscope_stats_policy[KSCOPE_A_PERCPU + 1] = {
	[KSCOPE_A_SOURCE] = { .type = NLA_NUL_STRING, .len = KSCOPE_NAME_MAX - 1 },
	[KSCOPE_A_PERCPU] = { .type = NLA_FLAG },
};

/*
 * A source's request travels in its own nest, validated here against the
 * source's policy (policy.c): genetlink refuses a malformed one before the
 * source runs, and a policy dump shows every source's attributes.
 * KSCOPE_A_CTL is the replies' (a version 1 request put it there; sent
 * as a nest, it meets genetlink's "NLA_F_NESTED not expected" first).
 */
static const char kscope_ctl_reply_only[] =
	"a request carries its source's nest in KSCOPE_A_CTL_<SOURCE>, not in KSCOPE_A_CTL";
static const char kscope_testgen_no_get[] = "source \"testgen\" takes no read requests";
static const char kscope_net_no_get[] = "source \"net\" takes no read requests";

static const struct nla_policy kscope_ctl_policy[KSCOPE_A_MAX + 1] = {
	[KSCOPE_A_SOURCE] = { .type = NLA_NUL_STRING, .len = KSCOPE_NAME_MAX - 1 },
	[KSCOPE_A_CTL] = { .type = NLA_REJECT,
			   .reject_message = kscope_ctl_reply_only },
	[KSCOPE_A_CTL_TESTGEN] = NLA_POLICY_NESTED(kscope_testgen_policy),
	[KSCOPE_A_CTL_TCP] = NLA_POLICY_NESTED(kscope_tcp_policy),
	[KSCOPE_A_CTL_BLK] = NLA_POLICY_NESTED(kscope_blk_policy),
	[KSCOPE_A_CTL_NET] = NLA_POLICY_NESTED(kscope_net_policy),
	[KSCOPE_A_CTL_VFS] = NLA_POLICY_NESTED(kscope_vfs_policy),
	[KSCOPE_A_CTL_MEM] = NLA_POLICY_NESTED(kscope_mem_policy),
	[KSCOPE_A_CTL_SCHED] = NLA_POLICY_NESTED(kscope_sched_policy),
	[KSCOPE_A_CTL_PROBE] = NLA_POLICY_NESTED(kscope_probe_policy),
};

static const struct nla_policy kscope_ctl_get_policy[KSCOPE_A_MAX + 1] = {
	[KSCOPE_A_SOURCE] = { .type = NLA_NUL_STRING, .len = KSCOPE_NAME_MAX - 1 },
	[KSCOPE_A_CTL] = { .type = NLA_REJECT,
			   .reject_message = kscope_ctl_reply_only },
	/* sources without read requests: their nest is refused */
	[KSCOPE_A_CTL_TESTGEN] = { .type = NLA_REJECT,
				   .reject_message = kscope_testgen_no_get },
	[KSCOPE_A_CTL_TCP] = NLA_POLICY_NESTED(kscope_tcp_get_policy),
	[KSCOPE_A_CTL_BLK] = NLA_POLICY_NESTED(kscope_blk_get_policy),
	[KSCOPE_A_CTL_NET] = { .type = NLA_REJECT,
			       .reject_message = kscope_net_no_get },
	[KSCOPE_A_CTL_VFS] = NLA_POLICY_NESTED(kscope_vfs_get_policy),
	[KSCOPE_A_CTL_MEM] = NLA_POLICY_NESTED(kscope_mem_get_policy),
	[KSCOPE_A_CTL_SCHED] = NLA_POLICY_NESTED(kscope_sched_get_policy),
	[KSCOPE_A_CTL_PROBE] = NLA_POLICY_NESTED(kscope_probe_get_policy),
};

/* for messages: the name of each source's nest */
static const char * const kscope_slot_names[KSCOPE_A_MAX + 1] = {
	[KSCOPE_A_CTL_TESTGEN] = "KSCOPE_A_CTL_TESTGEN",
	[KSCOPE_A_CTL_TCP] = "KSCOPE_A_CTL_TCP",
	[KSCOPE_A_CTL_BLK] = "KSCOPE_A_CTL_BLK",
	[KSCOPE_A_CTL_NET] = "KSCOPE_A_CTL_NET",
	[KSCOPE_A_CTL_VFS] = "KSCOPE_A_CTL_VFS",
	[KSCOPE_A_CTL_MEM] = "KSCOPE_A_CTL_MEM",
	[KSCOPE_A_CTL_SCHED] = "KSCOPE_A_CTL_SCHED",
	[KSCOPE_A_CTL_PROBE] = "KSCOPE_A_CTL_PROBE",
};

bool kscope_ctl_attr_valid(u16 attr)
{
	return attr >= KSCOPE_A_CTL_TESTGEN && attr <= KSCOPE_A_MAX &&
	       kscope_slot_names[attr];
}

/* With a value (counters) or with the kind (a schema). */
static int kscope_put_counter(struct sk_buff *skb, const char *name,
			      const u64 *value, u8 kind)
{
	struct nlattr *ctr = nla_nest_start(skb, KSCOPE_A_COUNTER);

	if (!ctr || nla_put_string(skb, KSCOPE_CTR_NAME, name) ||
	    (value && nla_put_u64_64bit(skb, KSCOPE_CTR_VALUE, *value,
					KSCOPE_CTR_PAD)) ||
	    (!value && nla_put_u8(skb, KSCOPE_CTR_KIND, kind)))
		return -EMSGSIZE;
	nla_nest_end(skb, ctr);
	return 0;
}

/* All counters of @src: summed (cpu < 0), one CPU's, or names and kinds. */
static int kscope_put_counters(struct sk_buff *skb, struct kscope_source *src,
			       int cpu, bool values)
{
	struct nlattr *nest = nla_nest_start(skb, KSCOPE_A_COUNTERS);
	unsigned int i;
	u64 v;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < kscope_nr_all_counters(src); i++) {
		if (values)
			v = cpu < 0 ? kscope_counter_sum(src, i) :
				      kscope_counter_cpu(src, i, cpu);
		if (kscope_put_counter(skb, kscope_counter_name(src, i),
				       values ? &v : NULL,
				       kscope_counter_kind(src, i)))
			return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int kscope_put_event_types(struct sk_buff *skb, struct kscope_source *src)
{
	struct nlattr *types, *et, *fd;
	unsigned int i, j;

	types = nla_nest_start(skb, KSCOPE_A_EVENT_TYPES);
	if (!types)
		return -EMSGSIZE;
	for (i = 0; i < src->nr_events; i++) {
		const struct kscope_event_desc *ev = &src->events[i];

		et = nla_nest_start(skb, KSCOPE_A_EVENT_TYPE);
		if (!et || nla_put_u16(skb, KSCOPE_ET_ID, i) ||
		    nla_put_string(skb, KSCOPE_ET_NAME, ev->name))
			return -EMSGSIZE;
		for (j = 0; j < ev->nr_fields; j++) {
			fd = nla_nest_start(skb, KSCOPE_ET_FIELD);
			if (!fd ||
			    nla_put_string(skb, KSCOPE_FD_NAME, ev->fields[j].name) ||
			    nla_put_u8(skb, KSCOPE_FD_KIND, ev->fields[j].kind))
				return -EMSGSIZE;
			nla_nest_end(skb, fd);
		}
		nla_nest_end(skb, et);
	}
	nla_nest_end(skb, types);
	return 0;
}

/*
 * One message about @src. With @cpu_pos (a dump), per-CPU counters may
 * continue over several messages: *@cpu_pos is 0 for a new source, else
 * 1 + the next CPU to put, and the totals (or schema) go in the first
 * message only. Returns 0 when @src is complete, 1 when the message is
 * full and *@cpu_pos says where to resume, -EMSGSIZE when not even its
 * first part fits.
 */
static int kscope_fill(struct sk_buff *skb, struct kscope_source *src, u8 cmd,
		       bool percpu, long *cpu_pos, u32 portid, u32 seq,
		       int flags)
{
	int cpu, start = cpu_pos ? *cpu_pos : 0;
	bool some = false;
	void *hdr;

	hdr = genlmsg_put(skb, portid, seq, &kscope_family, flags, cmd);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_string(skb, KSCOPE_A_SOURCE, src->name) ||
	    nla_put_u16(skb, KSCOPE_A_SOURCE_ID, src->id))
		goto cancel;
	if (cmd == KSCOPE_CMD_SOURCE_GET) {
		if (nla_put_string(skb, KSCOPE_A_ATTACH, src->attach) ||
		    kscope_put_counters(skb, src, -1, false) ||
		    kscope_put_event_types(skb, src))
			goto cancel;
		goto end;
	}
	if (!start) {
		if (kscope_put_counters(skb, src, -1, true))
			goto cancel;
		some = true;
		start = 1;
	}
	for_each_possible_cpu(cpu) {
		struct nlattr *pc;

		if (!percpu)
			break;
		if (cpu < start - 1)
			continue;
		pc = nla_nest_start(skb, KSCOPE_A_CPU_COUNTERS);
		if (!pc || nla_put_u32(skb, KSCOPE_A_CPU, cpu) ||
		    kscope_put_counters(skb, src, cpu, true)) {
			if (pc)
				nla_nest_cancel(skb, pc);
			if (!some || !cpu_pos)
				goto cancel;
			/* the rest in the next message */
			*cpu_pos = cpu + 1;
			genlmsg_end(skb, hdr);
			return 1;
		}
		nla_nest_end(skb, pc);
		some = true;
	}
end:
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static size_t kscope_counters_size(struct kscope_source *src, bool values)
{
	size_t size = nla_total_size(0);	/* KSCOPE_A_COUNTERS */
	unsigned int i;

	for (i = 0; i < kscope_nr_all_counters(src); i++) {
		size += nla_total_size(0) +
			nla_total_size(strlen(kscope_counter_name(src, i)) + 1);
		if (values)
			size += nla_total_size_64bit(sizeof(u64));
		else
			size += nla_total_size(sizeof(u8));	/* KIND */
	}
	return size;
}

static size_t kscope_event_types_size(struct kscope_source *src)
{
	size_t size = nla_total_size(0);	/* KSCOPE_A_EVENT_TYPES */
	unsigned int i, j;

	for (i = 0; i < src->nr_events; i++) {
		const struct kscope_event_desc *ev = &src->events[i];

		size += nla_total_size(0) + nla_total_size(sizeof(u16)) +
			nla_total_size(strlen(ev->name) + 1);
		for (j = 0; j < ev->nr_fields; j++)
			size += nla_total_size(0) +
				nla_total_size(strlen(ev->fields[j].name) + 1) +
				nla_total_size(sizeof(u8));
	}
	return size;
}

/* The payload of kscope_fill()'s message for @src, all of it. */
static size_t kscope_msg_size(struct kscope_source *src, u8 cmd, bool percpu)
{
	size_t size = nla_total_size(strlen(src->name) + 1) +
		      nla_total_size(sizeof(u16));

	if (cmd == KSCOPE_CMD_SOURCE_GET)
		return size + nla_total_size(strlen(src->attach) + 1) +
		       kscope_counters_size(src, false) +
		       kscope_event_types_size(src);
	size += kscope_counters_size(src, true);
	if (percpu)
		size += num_possible_cpus() *
			(nla_total_size(0) + nla_total_size(sizeof(u32)) +
			 kscope_counters_size(src, true));
	return size;
}

/*
 * A reply (doit) is one allocation: past this, per-CPU counters go by
 * dump (NLM_F_DUMP with KSCOPE_A_SOURCE), whose messages the netlink core
 * sizes; no request makes a costly high-order allocation.
 */
#define KSCOPE_REPLY_MAX	(PAGE_SIZE << PAGE_ALLOC_COSTLY_ORDER)

/* Look up KSCOPE_A_SOURCE; called with kscope_sources_lock held. */
static struct kscope_source *kscope_req_source(struct genl_info *info)
{
	struct nlattr *attr = info->attrs[KSCOPE_A_SOURCE];
	struct kscope_source *src;

	if (GENL_REQ_ATTR_CHECK(info, KSCOPE_A_SOURCE)) {
		NL_SET_ERR_MSG(info->extack, "missing KSCOPE_A_SOURCE (source name)");
		return ERR_PTR(-EINVAL);
	}
	src = kscope_source_find(nla_data(attr));
	if (!src) {
		KSCOPE_ERR(info->extack, attr, "no such source (is its module loaded?)",
			   "no source \"%s\" (is its module loaded?)",
			   (char *)nla_data(attr));
		return ERR_PTR(-ENOENT);
	}
	return src;
}

static int kscope_nl_get_doit(struct sk_buff *skb, struct genl_info *info)
{
	u8 cmd = info->genlhdr->cmd;
	bool percpu = cmd == KSCOPE_CMD_STATS_GET &&
		      nla_get_flag(info->attrs[KSCOPE_A_PERCPU]);
	struct kscope_source *src;
	struct sk_buff *msg;
	size_t size;
	int ret;

	mutex_lock(&kscope_sources_lock);
	src = kscope_req_source(info);
	if (IS_ERR(src)) {
		ret = PTR_ERR(src);
		goto out_unlock;
	}
	size = kscope_msg_size(src, cmd, percpu);
	if (size > KSCOPE_REPLY_MAX) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[KSCOPE_A_PERCPU],
				    "too many CPUs for one reply: ask for per-CPU counters with a dump");
		ret = -EMSGSIZE;
		goto out_unlock;
	}
	msg = genlmsg_new(size, GFP_KERNEL);
	if (!msg) {
		ret = -ENOMEM;
		goto out_unlock;
	}
	ret = kscope_fill(msg, src, cmd, percpu, NULL, info->snd_portid,
			  info->snd_seq, 0);
	if (ret) {
		nlmsg_free(msg);
		goto out_unlock;
	}
	mutex_unlock(&kscope_sources_lock);
	return genlmsg_reply(msg, info);

out_unlock:
	mutex_unlock(&kscope_sources_lock);
	return ret;
}

/*
 * cb->args[0]: next source (list position); [1]: where its per-CPU
 * counters resume (see kscope_fill()), [3]: for which source id;
 * [2]: a named source was found.
 */
static int kscope_nl_get_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	u8 cmd = ((struct genlmsghdr *)nlmsg_data(cb->nlh))->cmd;
	struct nlattr **attrs = kscope_dump_attrs(cb);
	bool percpu = cmd == KSCOPE_CMD_STATS_GET &&
		      nla_get_flag(attrs[KSCOPE_A_PERCPU]);
	struct kscope_source *src;
	long idx = 0, start = cb->args[0];
	int ret = 0;

	mutex_lock(&kscope_sources_lock);
	list_for_each_entry(src, &kscope_sources, node) {
		if (idx++ < start)
			continue;
		if (attrs[KSCOPE_A_SOURCE] &&
		    strcmp(src->name, nla_data(attrs[KSCOPE_A_SOURCE])))
			continue;
		cb->args[2] = 1;
		/* the list changed under a split source: start this one afresh */
		if (cb->args[1] && cb->args[3] != src->id)
			cb->args[1] = 0;
		cb->args[3] = src->id;
		ret = kscope_fill(skb, src, cmd, percpu, &cb->args[1],
				  NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, NLM_F_MULTI);
		if (ret) {
			/* full: this source again, from cb->args[1] */
			idx--;
			break;
		}
		cb->args[1] = 0;
	}
	mutex_unlock(&kscope_sources_lock);
	cb->args[0] = idx;
	if (attrs[KSCOPE_A_SOURCE] && !cb->args[2]) {
		NL_SET_ERR_MSG_ATTR(cb->extack, attrs[KSCOPE_A_SOURCE],
				    "no such source (is its module loaded?)");
		return -ENOENT;
	}
	/* a source too big for an empty skb is an error, not a silent end */
	if (ret < 0 && !skb->len)
		return ret;
	return skb->len;
}

static int kscope_nl_version(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;

	kscope_chan_kcov_note();
	msg = genlmsg_new(nla_total_size(sizeof(u32)) +	/* VERSION */
			  nla_total_size(sizeof(u32)),		/* NR_CPUS */
			  GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &kscope_family, 0,
				KSCOPE_CMD_VERSION_GET);
	if (!hdr || nla_put_u32(msg, KSCOPE_A_VERSION, KSCOPE_GENL_VERSION) ||
	    nla_put_u32(msg, KSCOPE_A_NR_CPUS, nr_cpu_ids)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * A reader that stops (kscope watch on Ctrl-C, --count, --duration) asks
 * for this before it leaves the events group: everything recorded until
 * now is broadcast before the ack, so its last read sees all of it, and it
 * never has to wait for a quiet moment that a steady stream never gives.
 * Bounded: one pass over the rings, as the flush worker makes anyway.
 */
static int kscope_nl_flush(struct sk_buff *skb, struct genl_info *info)
{
	kscope_chan_flush_sync();
	return 0;
}

void *kscope_reply_put(struct sk_buff *msg, struct genl_info *info)
{
	return genlmsg_put_reply(msg, info, &kscope_family, 0,
				 info->genlhdr->cmd);
}
EXPORT_SYMBOL_GPL(kscope_reply_put);

struct sk_buff *kscope_ctl_reply_start(struct kscope_source *src,
				       struct genl_info *info, size_t size,
				       struct nlattr **nest)
{
	struct sk_buff *msg = genlmsg_new(size, GFP_KERNEL);

	if (!msg)
		return NULL;
	if (!kscope_reply_put(msg, info) ||
	    nla_put_string(msg, KSCOPE_A_SOURCE, src->name))
		goto err_free;
	*nest = nla_nest_start(msg, KSCOPE_A_CTL);
	if (!*nest)
		goto err_free;
	return msg;

err_free:
	nlmsg_free(msg);
	return NULL;
}
EXPORT_SYMBOL_GPL(kscope_ctl_reply_start);

bool kscope_caller_admin(void)
{
	return ns_capable_noaudit(&init_user_ns, CAP_NET_ADMIN) ||
	       ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
}
EXPORT_SYMBOL_GPL(kscope_caller_admin);

int kscope_ctl_reply_send(struct sk_buff *msg, struct nlattr *nest,
			  struct genl_info *info)
{
	nla_nest_end(msg, nest);
	/* the reply is the message's only netlink message */
	nlmsg_end(msg, nlmsg_hdr(msg));
	return genlmsg_reply(msg, info);
}
EXPORT_SYMBOL_GPL(kscope_ctl_reply_send);

/*
 * Hand a request to its source without holding the source list: a request
 * may take long (create a device, generate events) and the flush worker
 * needs the list. The module reference keeps the source alive, since
 * sources unregister only on module exit.
 */
static int kscope_nl_ctl(struct sk_buff *skb, struct genl_info *info)
{
	bool get = info->genlhdr->cmd == KSCOPE_CMD_CTL_GET;
	struct kscope_source *src;
	kscope_ctl_fn fn;
	unsigned int i;
	int ret;

	mutex_lock(&kscope_sources_lock);
	src = kscope_req_source(info);
	if (IS_ERR(src)) {
		mutex_unlock(&kscope_sources_lock);
		return PTR_ERR(src);
	}
	/* another source's nest would be parsed by no one: refuse it */
	for (i = KSCOPE_A_CTL_TESTGEN; i <= KSCOPE_A_MAX; i++) {
		if (i == src->ctl_attr || !info->attrs[i])
			continue;
		KSCOPE_ERR(info->extack, info->attrs[i],
			   "another source's nest: each source takes its own KSCOPE_A_CTL_<SOURCE>",
			   "source \"%s\" takes %s, not %s", src->name,
			   src->ctl_attr ? kscope_slot_names[src->ctl_attr] :
					   "no nest",
			   kscope_slot_names[i]);
		mutex_unlock(&kscope_sources_lock);
		return -EINVAL;
	}
	fn = get ? src->ctl_get : src->ctl;
	if (!fn) {
		KSCOPE_ERR(info->extack, info->attrs[KSCOPE_A_SOURCE],
			   "source takes no such request",
			   "source \"%s\" takes no %s requests", src->name,
			   get ? "read" : "control");
		mutex_unlock(&kscope_sources_lock);
		return -EOPNOTSUPP;
	}
	/* what a source controls is always in its nest: checked here once */
	if (!get && !info->attrs[src->ctl_attr]) {
		KSCOPE_ERR(info->extack, NULL,
			   "a control request needs its source's KSCOPE_A_CTL_<SOURCE> nest",
			   "source \"%s\": a control request needs %s",
			   src->name, kscope_slot_names[src->ctl_attr]);
		mutex_unlock(&kscope_sources_lock);
		return -EINVAL;
	}
	/*
	 * A handler runs only between the end of its module's init and the
	 * start of its unregistration: a module whose init fails after
	 * registering is freed whatever references it has.
	 */
	if (!READ_ONCE(src->live) ||
	    (src->owner && READ_ONCE(src->owner->state) != MODULE_STATE_LIVE)) {
		KSCOPE_ERR(info->extack, info->attrs[KSCOPE_A_SOURCE],
			   "source is loading or unloading",
			   "source \"%s\" is loading or unloading, try again",
			   src->name);
		mutex_unlock(&kscope_sources_lock);
		return -EAGAIN;
	}
	if (!try_module_get(src->owner)) {
		mutex_unlock(&kscope_sources_lock);
		NL_SET_ERR_MSG(info->extack, "source is being unloaded");
		return -ENOENT;
	}
	mutex_unlock(&kscope_sources_lock);

	ret = fn(src, info->attrs[src->ctl_attr], info);
	module_put(src->owner);
	return ret;
}

static const struct genl_ops kscope_ops[] = {
	{
		.cmd = KSCOPE_CMD_VERSION_GET,
		.doit = kscope_nl_version,
		.policy = kscope_none_policy,
		.maxattr = ARRAY_SIZE(kscope_none_policy) - 1,
	},
	{
		.cmd = KSCOPE_CMD_SOURCE_GET,
		.doit = kscope_nl_get_doit,
		.dumpit = kscope_nl_get_dumpit,
		.policy = kscope_source_policy,
		.maxattr = ARRAY_SIZE(kscope_source_policy) - 1,
	},
	{
		.cmd = KSCOPE_CMD_STATS_GET,
		.doit = kscope_nl_get_doit,
		.dumpit = kscope_nl_get_dumpit,
		.policy = kscope_stats_policy,
		.maxattr = ARRAY_SIZE(kscope_stats_policy) - 1,
	},
	{
		.cmd = KSCOPE_CMD_CTL,
		.doit = kscope_nl_ctl,
		.policy = kscope_ctl_policy,
		.maxattr = ARRAY_SIZE(kscope_ctl_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
	{
		.cmd = KSCOPE_CMD_CTL_GET,
		.doit = kscope_nl_ctl,
		.policy = kscope_ctl_get_policy,
		.maxattr = ARRAY_SIZE(kscope_ctl_get_policy) - 1,
	},
	{
		.cmd = KSCOPE_CMD_FLUSH,
		.doit = kscope_nl_flush,
		.policy = kscope_none_policy,
		.maxattr = ARRAY_SIZE(kscope_none_policy) - 1,
		.flags = GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group kscope_mcgrps[] = {
	{ .name = KSCOPE_MCGRP_EVENTS, .flags = KSCOPE_MCGRP_FLAGS },
};

struct genl_family kscope_family = {
	.name = KSCOPE_GENL_NAME,
	.version = KSCOPE_GENL_VERSION,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.ops = kscope_ops,
	.n_ops = ARRAY_SIZE(kscope_ops),
	.resv_start_op = KSCOPE_CMD_CTL_GET + 1,
	.mcgrps = kscope_mcgrps,
	.n_mcgrps = ARRAY_SIZE(kscope_mcgrps),
};

int kscope_nl_init(void)
{
	return genl_register_family(&kscope_family);
}

void kscope_nl_exit(void)
{
	genl_unregister_family(&kscope_family);
}
