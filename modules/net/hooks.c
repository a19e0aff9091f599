// SPDX-License-Identifier: GPL-2.0
/*
 * Netfilter hooks of every network namespace: per-CPU packet and byte
 * counters by family, hook and L4 protocol, counted first at every
 * NF_INET hook, and the echo responders at LOCAL_IN behind every filter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <net/ipv6.h>
#include "net.h"

static unsigned int kn_l4(u8 proto)
{
	switch (proto) {
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		return KN_L4_ICMP;
	case IPPROTO_TCP:
		return KN_L4_TCP;
	case IPPROTO_UDP:
		return KN_L4_UDP;
	default:
		return KN_L4_OTHER;
	}
}

static void kn_account(unsigned int fam, unsigned int hook, u8 proto,
		       unsigned int len)
{
	unsigned int idx = kn_hook_ctr(fam, hook, kn_l4(proto));

	if (!kn_counting())
		return;
	kscope_count(&kn_src, idx);
	kscope_count_add(&kn_src, idx + 1, len);
}

static unsigned int kn_count4(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	kn_account(KN_FAM_IP4, state->hook, ip_hdr(skb)->protocol, skb->len);
	return NF_ACCEPT;
}

static unsigned int kn_count6(void *priv, struct sk_buff *skb,
			      const struct nf_hook_state *state)
{
	u8 nexthdr = ipv6_hdr(skb)->nexthdr;
	__be16 frag_off;

	/* the L4 protocol is behind any extension headers */
	if (ipv6_ext_hdr(nexthdr) &&
	    ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(struct ipv6hdr),
			     &nexthdr, &frag_off) < 0)
		nexthdr = NEXTHDR_NONE;
	kn_account(KN_FAM_IP6, state->hook, nexthdr, skb->len);
	return NF_ACCEPT;
}

#define KN_COUNT_OPS(fn, fam, h) { .hook = fn, .pf = fam, .hooknum = h, \
				   .priority = INT_MIN }

/*
 * The responders answer at LOCAL_IN, where the stack's own input has run:
 * routing (rp_filter, martians, broadcast/local classification),
 * reassembly, and every PRE_ROUTING and INPUT chain of a lower priority
 * than theirs, i.e. any but one registered at NF_IP_PRI_LAST. They come
 * before conntrack's confirmation (NF_IP_PRI_CONNTRACK_CONFIRM) but leave
 * tracked packets to the stack (echo.c).
 */
#define KN_ECHO_PRI	(NF_IP_PRI_LAST - 1)
static const struct nf_hook_ops kn_ops[] = {
	KN_COUNT_OPS(kn_count4, NFPROTO_IPV4, NF_INET_PRE_ROUTING),
	KN_COUNT_OPS(kn_count4, NFPROTO_IPV4, NF_INET_LOCAL_IN),
	KN_COUNT_OPS(kn_count4, NFPROTO_IPV4, NF_INET_FORWARD),
	KN_COUNT_OPS(kn_count4, NFPROTO_IPV4, NF_INET_LOCAL_OUT),
	KN_COUNT_OPS(kn_count4, NFPROTO_IPV4, NF_INET_POST_ROUTING),
	KN_COUNT_OPS(kn_count6, NFPROTO_IPV6, NF_INET_PRE_ROUTING),
	KN_COUNT_OPS(kn_count6, NFPROTO_IPV6, NF_INET_LOCAL_IN),
	KN_COUNT_OPS(kn_count6, NFPROTO_IPV6, NF_INET_FORWARD),
	KN_COUNT_OPS(kn_count6, NFPROTO_IPV6, NF_INET_LOCAL_OUT),
	KN_COUNT_OPS(kn_count6, NFPROTO_IPV6, NF_INET_POST_ROUTING),
	{ .hook = kn_echo4, .pf = NFPROTO_IPV4,
	  .hooknum = NF_INET_LOCAL_IN, .priority = KN_ECHO_PRI },
	{ .hook = kn_echo6, .pf = NFPROTO_IPV6,
	  .hooknum = NF_INET_LOCAL_IN, .priority = KN_ECHO_PRI },
};

int kn_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, kn_ops, ARRAY_SIZE(kn_ops));
}

void kn_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, kn_ops, ARRAY_SIZE(kn_ops));
}
