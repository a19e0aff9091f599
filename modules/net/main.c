// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_net: what crosses the netfilter hooks of every network namespace,
 * and an ICMP/ICMPv6 echo responder that answers before the stack.
 *
 * Source "net". Counters: <ip4|ip6>_<hook>_<icmp|tcp|udp|other>_<pkts|bytes>
 * summed over all namespaces, then the responder's. Control
 * (KSCOPE_CMD_CTL, admin): KSCOPE_NET_ECHO on/off for the namespace given
 * by KSCOPE_NET_NETNS_FD or _PID (default: the caller's), optionally
 * limited to KSCOPE_NET_IFNAME. debugfs "echo" lists the responder state
 * of each namespace.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/if.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/netdevice.h>
#include <linux/seq_file.h>
#include <net/netns/generic.h>
#include <kscope/policy.h>
#include "net.h"

static unsigned int malformed_events_per_sec = 10;
module_param(malformed_events_per_sec, uint, 0444);
MODULE_PARM_DESC(malformed_events_per_sec,
		 "malformed-packet events per second, 1..100000 (default 10); the rest are counted as suppressed");

static const char * const kn_fam_names[KN_NR_FAM] = { "ip4", "ip6" };
static const char * const kn_hook_names[KN_NR_HOOKS] = {
	"pre_routing", "local_in", "forward", "local_out", "post_routing",
};
static const char * const kn_l4_names[KN_NR_L4] = {
	"icmp", "tcp", "udp", "other",
};
static const char * const kn_echo_ctr_names[] = {
	"echo4_answered", "echo6_answered", "echo_passed", "echo_malformed",
	"echo_xmit_errors", "events_suppressed",
};
static_assert(ARRAY_SIZE(kn_echo_ctr_names) == KN_NR_CTRS - KN_NR_HOOK_CTRS);

static char kn_name_buf[KN_NR_HOOK_CTRS][KSCOPE_NAME_MAX];
static const char *kn_counter_names[KN_NR_CTRS];

static const struct kscope_field kn_malformed_fields[] = {
	{ .name = "family", .kind = KSCOPE_FIELD_U64 },
	{ .name = "reason", .kind = KSCOPE_FIELD_STR, .size = 16 },
	{ .name = "ifindex", .kind = KSCOPE_FIELD_U64 },
	{ .name = "saddr", .kind = KSCOPE_FIELD_ADDR },
	{ .name = "daddr", .kind = KSCOPE_FIELD_ADDR },
	{ .name = "len", .kind = KSCOPE_FIELD_U64 },
};

static const struct kscope_event_desc kn_events[] = {
	KSCOPE_EVENT("malformed", kn_malformed_fields, struct kn_ev_malformed),
};

static int kn_ctl(struct kscope_source *src, struct nlattr *ctl,
		  struct genl_info *info);

struct kscope_source kn_src = {
	.name = "net",
	.owner = THIS_MODULE,
	.attach = "netfilter: ipv4+ipv6 at every NF_INET hook of every netns (counters first; echo responder at LOCAL_IN, NF_IP_PRI_LAST - 1)",
	.counter_names = kn_counter_names,
	.nr_counters = KN_NR_CTRS,
	.events = kn_events,
	.nr_events = ARRAY_SIZE(kn_events),
	.ctl = kn_ctl,
	.ctl_attr = KSCOPE_A_CTL_NET,
};

unsigned int kn_net_id __read_mostly;
bool kn_live __read_mostly;		/* the source exists: hooks may count */
static DEFINE_MUTEX(kn_lock);		/* kn_nets, responder settings */
static LIST_HEAD(kn_nets);

struct kn_net *kn_pernet(const struct net *net)
{
	return net_generic(net, kn_net_id);
}

static void kn_names_init(void)
{
	unsigned int f, h, l, i;

	for (f = 0; f < KN_NR_FAM; f++)
		for (h = 0; h < KN_NR_HOOKS; h++)
			for (l = 0; l < KN_NR_L4; l++) {
				i = kn_hook_ctr(f, h, l);
				snprintf(kn_name_buf[i], KSCOPE_NAME_MAX,
					 "%s_%s_%s_pkts", kn_fam_names[f],
					 kn_hook_names[h], kn_l4_names[l]);
				snprintf(kn_name_buf[i + 1], KSCOPE_NAME_MAX,
					 "%s_%s_%s_bytes", kn_fam_names[f],
					 kn_hook_names[h], kn_l4_names[l]);
				kn_counter_names[i] = kn_name_buf[i];
				kn_counter_names[i + 1] = kn_name_buf[i + 1];
			}
	for (i = 0; i < ARRAY_SIZE(kn_echo_ctr_names); i++)
		kn_counter_names[KN_NR_HOOK_CTRS + i] = kn_echo_ctr_names[i];
}

static struct net *kn_ctl_net(struct nlattr **tb, struct genl_info *info)
{
	struct net *net;

	if (tb[KSCOPE_NET_NETNS_FD] && tb[KSCOPE_NET_NETNS_PID]) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_NET_NETNS_PID],
				    "give the netns by fd or by pid, not both");
		return ERR_PTR(-EINVAL);
	}
	if (tb[KSCOPE_NET_NETNS_FD]) {
		net = get_net_ns_by_fd(nla_get_u32(tb[KSCOPE_NET_NETNS_FD]));
		if (IS_ERR(net))
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_NET_NETNS_FD],
					    "not a network namespace fd");
		return net;
	}
	if (tb[KSCOPE_NET_NETNS_PID]) {
		net = get_net_ns_by_pid(nla_get_u32(tb[KSCOPE_NET_NETNS_PID]));
		if (IS_ERR(net))
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_NET_NETNS_PID],
					    "no process with that pid");
		return net;
	}
	return get_net(genl_info_net(info));
}

static int kn_ctl(struct kscope_source *src, struct nlattr *ctl,
		  struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_NET_MAX + 1];
	struct net_device *dev;
	struct kn_net *kn;
	struct net *net;
	int ifindex = 0;
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_NET_MAX, ctl, kscope_net_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[KSCOPE_NET_ECHO]) {
		NL_SET_ERR_MSG_ATTR(info->extack, ctl,
				    "net control needs KSCOPE_NET_ECHO (0 or 1)");
		return -EINVAL;
	}
	net = kn_ctl_net(tb, info);
	if (IS_ERR(net))
		return PTR_ERR(net);
	if (tb[KSCOPE_NET_IFNAME]) {
		dev = dev_get_by_name(net, nla_data(tb[KSCOPE_NET_IFNAME]));
		if (!dev) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_NET_IFNAME],
					    "no such device in that netns");
			ret = -ENODEV;
			goto put_net;
		}
		ifindex = dev->ifindex;
		dev_put(dev);
	}

	kn = kn_pernet(net);
	mutex_lock(&kn_lock);
	if (nla_get_u8(tb[KSCOPE_NET_ECHO])) {
		/* new device first: a request is never answered on the wrong one */
		WRITE_ONCE(kn->echo, false);
		synchronize_net();
		WRITE_ONCE(kn->ifindex, ifindex);
		WRITE_ONCE(kn->echo, true);
	} else {
		WRITE_ONCE(kn->echo, false);
		WRITE_ONCE(kn->ifindex, 0);
	}
	mutex_unlock(&kn_lock);
	ret = 0;
put_net:
	put_net(net);
	return ret;
}

static int kn_echo_show(struct seq_file *m, void *v)
{
	struct net_device *dev;
	struct kn_net *kn;

	mutex_lock(&kn_lock);
	list_for_each_entry(kn, &kn_nets, node) {
		seq_printf(m, "netns %u echo %s", kn->net->ns.inum,
			   kn->echo ? "on" : "off");
		if (kn->echo && kn->ifindex) {
			rcu_read_lock();
			dev = dev_get_by_index_rcu(kn->net, kn->ifindex);
			seq_printf(m, " dev %s", dev ? dev->name : "(gone)");
			rcu_read_unlock();
		} else if (kn->echo) {
			seq_puts(m, " dev any");
		}
		seq_putc(m, '\n');
	}
	mutex_unlock(&kn_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kn_echo);

static int __net_init kn_net_init(struct net *net)
{
	struct kn_net *kn = kn_pernet(net);
	int ret;

	kn->net = net;
	ret = kn_hooks_register(net);
	if (ret)
		return ret;
	mutex_lock(&kn_lock);
	list_add_tail(&kn->node, &kn_nets);
	mutex_unlock(&kn_lock);
	return 0;
}

static void __net_exit kn_net_exit(struct net *net)
{
	struct kn_net *kn = kn_pernet(net);

	mutex_lock(&kn_lock);
	list_del(&kn->node);
	mutex_unlock(&kn_lock);
	kn_hooks_unregister(net);
}

static struct pernet_operations kn_net_ops = {
	.init = kn_net_init,
	.exit = kn_net_exit,
	.id = &kn_net_id,
	.size = sizeof(struct kn_net),
};

static int __init kn_init(void)
{
	int ret;

	if (!malformed_events_per_sec || malformed_events_per_sec > 100000) {
		pr_err("malformed_events_per_sec=%u: must be 1..100000\n",
		       malformed_events_per_sec);
		return -EINVAL;
	}
	kn_ev_init(malformed_events_per_sec);
	kn_names_init();

	/* the hooks count nothing until the source (its counters) exists */
	ret = register_pernet_subsys(&kn_net_ops);
	if (ret)
		return ret;
	/* last: from here on, netlink requests reach kn_ctl */
	ret = kscope_source_register(&kn_src);
	if (ret)
		goto unregister_pernet;
	debugfs_create_file("echo", 0444, kn_src.dir, NULL, &kn_echo_fops);
	/* pairs with kn_counting(): a hook that sees true sees the counters */
	smp_store_release(&kn_live, true);
	return 0;

unregister_pernet:
	unregister_pernet_subsys(&kn_net_ops);
	return ret;
}

static void __exit kn_exit(void)
{
	/*
	 * The source goes first (no request reaches kn_ctl once it is
	 * gone), but its counters go with it: stop the hooks counting, and
	 * wait for those in flight (they run under RCU), just before.
	 */
	WRITE_ONCE(kn_live, false);
	synchronize_net();
	kscope_source_unregister(&kn_src);
	/* unhooks every netns and waits for hooks in flight */
	unregister_pernet_subsys(&kn_net_ops);
}

module_init(kn_init);
module_exit(kn_exit);

MODULE_DESCRIPTION("kscope netfilter hook counters and ICMP echo responder");
MODULE_LICENSE("GPL");
