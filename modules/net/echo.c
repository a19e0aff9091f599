// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP/ICMPv6 echo responder at LOCAL_IN. A valid echo request to a
 * local unicast address, received in a namespace (and on a device) where
 * the responder is on, is turned into its reply in place: addresses
 * swapped, type set, TTL or hop limit taken from the reply's route as
 * the stack takes it, IPv4 DF and reserved bits cleared and the IPv6
 * flow label made as the stack makes its own (icmp_reply() and
 * icmpv6_echo_reply() build replies with neither bit, and a label that
 * is reflected or hashed from the reply's flow), checksums updated
 * incrementally. tests/net/06-pktdiff compares its replies byte for
 * byte with the stack's. The hook returns
 * NF_STOLEN, so the stack's ICMP code never sees the request and its
 * echo-reply counters stay still.
 *
 * What the stack decides before LOCAL_IN applies as it is: input routing
 * (rp_filter, martian sources, local/broadcast/multicast classification),
 * reassembly, every PRE_ROUTING and INPUT chain below NF_IP_PRI_LAST - 1.
 * What the stack's ICMP code decides is checked here, and whatever it
 * would refuse is passed to the stack, which then refuses it itself:
 * icmp_echo_ignore_all (IPv4 and IPv6), the IPsec input policy
 * (xfrm[46]_policy_check), a destination that is not local unicast
 * (broadcasts, multicast and IPv6 anycast go to the stack, so
 * icmp_echo_ignore_broadcasts and IPv6's echo_ignore_multicast and
 * echo_ignore_anycast hold). The reply is routed as the stack routes its
 * own: ip_route_output_key() / ip6_dst_lookup_flow() with the ICMP type in
 * the flow, so that xfrm output policy applies, the mark reflected as
 * fwmark_reflect says, the VRF master as oif.
 *
 * Still bypassed, deliberately: raw sockets see no request; a LOCAL_IN
 * hook at NF_IP_PRI_LAST runs after the reply is gone; the reply has no
 * socket (LOCAL_OUT rules matching on one see none), no LSM flow
 * classification, no ICMP rate limit (icmp_ratelimit/icmp_ratemask, which
 * by default do not limit echo replies), and it keeps the request's
 * IPv4 ID where the stack takes a new one (payload and TOS/traffic
 * class the stack copies too). Left to the stack without answer: packets
 * conntrack tracks (their reply must be tracked and un-NATed), fragments
 * and reassembled packets, IPv4 options, IPv6 extension headers, non-echo
 * ICMP, frames still carrying an accelerated VLAN tag. Bridged frames never
 * reach LOCAL_IN, br_netfilter or not. Echo requests the stack would
 * reject (truncated, bad checksum) are passed too and counted malformed,
 * with a rate-limited event.
 *
 * Reflecting the frame with swapped MACs and dev_queue_xmit() on the
 * ingress device was tried first: on veth it corrupted the backlog (oops
 * in veth_xmit under a few hundred requests, 6.1 and 6.12), so the reply
 * leaves through the output path (ip_local_out / ip6_local_out), as the
 * REJECT target sends its resets.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/if_vlan.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/l3mdev.h>
#include <net/route.h>
#include <net/xfrm.h>
#include "net.h"

static atomic_t kn_ev_budget;
static unsigned long kn_ev_window;
static unsigned int kn_ev_per_sec;

void kn_ev_init(unsigned int per_sec)
{
	kn_ev_per_sec = per_sec;
	kn_ev_window = jiffies;
	atomic_set(&kn_ev_budget, per_sec);
}

/*
 * At most kn_ev_per_sec events a second, in one-second windows; the
 * window reset may race between CPUs, which at worst grants one extra
 * window's budget.
 */
static bool kn_ev_allowed(void)
{
	unsigned long win = READ_ONCE(kn_ev_window);

	if (time_after(jiffies, win + HZ) &&
	    cmpxchg(&kn_ev_window, win, jiffies) == win)
		atomic_set(&kn_ev_budget, kn_ev_per_sec);
	return atomic_dec_if_positive(&kn_ev_budget) >= 0;
}

static void kn_malformed(const struct sk_buff *skb, u8 family,
			 const char *reason)
{
	struct kn_ev_malformed ev = { .family = family };

	kscope_count(&kn_src, KN_C_ECHO_MALFORMED);
	if (!kscope_listening())
		return;
	if (!kn_ev_allowed()) {
		kscope_count(&kn_src, KN_C_EVENTS_SUPPRESSED);
		return;
	}
	strscpy(ev.reason, reason, sizeof(ev.reason));
	ev.ifindex = skb->dev->ifindex;
	ev.len = skb->len;
	if (family == 4) {
		const struct iphdr *iph = ip_hdr(skb);

		ipv6_addr_set_v4mapped(iph->saddr, (struct in6_addr *)ev.saddr);
		ipv6_addr_set_v4mapped(iph->daddr, (struct in6_addr *)ev.daddr);
	} else {
		memcpy(ev.saddr, &ipv6_hdr(skb)->saddr, 16);
		memcpy(ev.daddr, &ipv6_hdr(skb)->daddr, 16);
	}
	kscope_emit_typed(&kn_src, 0, &ev);
}

static bool kn_echo_on(const struct net *net, const struct net_device *dev)
{
	const struct kn_net *kn = kn_pernet(net);
	int ifindex;

	if (!READ_ONCE(kn->echo))
		return false;
	ifindex = READ_ONCE(kn->ifindex);
	return !ifindex || ifindex == dev->ifindex;
}

/*
 * A request we may answer: to us, unicast, with final checksums, neither
 * tracked by conntrack nor carrying a VLAN tag the stack did not consume.
 */
static bool kn_xmit_ok(const struct sk_buff *skb)
{
	return !(skb->dev->flags & IFF_LOOPBACK) &&
	       skb->pkt_type == PACKET_HOST &&
	       skb_network_offset(skb) == 0 &&
	       skb->ip_summed != CHECKSUM_PARTIAL &&
	       !skb_vlan_tag_present(skb) &&
	       !skb_nfct(skb);
}

/* Common preparation of a reply for the output path. */
static void kn_out_prep(struct sk_buff *skb, struct dst_entry *dst)
{
	skb_dst_drop(skb);
	skb_dst_set(skb, dst);
	/* the checksums are final; whatever the NIC said about rx is stale */
	skb->ip_summed = CHECKSUM_NONE;
	skb_clear_tstamp(skb);
	nf_reset_ct(skb);
	skb->pkt_type = PACKET_OUTGOING;
}

/* Set the TTL or hop limit field at @p, folding the change into @sum. */
static void kn_set_ttl(u8 *p, __sum16 *sum, u8 ttl)
{
	if (sum)
		csum_replace2(sum, htons(*p << 8), htons(ttl << 8));
	*p = ttl;
}

/* Count the outcome of ip_local_out()/ip6_local_out(). */
static void kn_xmit_done(int err, unsigned int answered)
{
	/* NET_XMIT_DROP is positive: only congestion counts as sent */
	if (net_xmit_eval(err))
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
	else
		kscope_count(&kn_src, answered);
}

/*
 * Route the reply as icmp_reply() routes the stack's (xfrm output policy
 * included: the flow names the protocol) and send it; consumes @skb.
 */
static void kn_out4(struct net *net, struct sk_buff *skb)
{
	struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4 = {
		.daddr = iph->daddr,
		.saddr = iph->saddr,
		.flowi4_proto = IPPROTO_ICMP,
		.flowi4_oif = l3mdev_master_ifindex(skb->dev),
		.flowi4_mark = IP4_REPLY_MARK(net, skb->mark),
		.fl4_icmp_type = ICMP_ECHOREPLY,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	kn_set_ttl(&iph->ttl, &iph->check, ip4_dst_hoplimit(&rt->dst));
	skb->mark = fl4.flowi4_mark;
	kn_out_prep(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	kn_xmit_done(ip_local_out(net, NULL, skb), KN_C_ECHO4_ANSWERED);
}

static void kn_out6(struct net *net, struct sk_buff *skb, int ifindex)
{
	struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowi6_proto = IPPROTO_ICMPV6,
		/* as icmpv6_echo_reply(): out of the device it came in on */
		.flowi6_oif = ifindex,
		.flowi6_mark = IP6_REPLY_MARK(net, skb->mark),
		.fl6_icmp_type = ICMPV6_ECHO_REPLY,
	};
	struct dst_entry *dst;
	__be32 label;

	if (READ_ONCE(net->ipv6.sysctl.flowlabel_reflect) &
	    FLOWLABEL_REFLECT_ICMPV6_ECHO_REPLIES)
		fl6.flowlabel = ip6_flowlabel(ip6h);
	/* with the xfrm lookup, which ip6_route_output() skips */
	dst = ip6_dst_lookup_flow(net, NULL, &fl6, NULL);
	if (IS_ERR(dst)) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	/* no checksum covers the hop limit, the traffic class or the label */
	kn_set_ttl(&ip6h->hop_limit, NULL, ip6_dst_hoplimit(dst));
	/*
	 * The flow label the stack's reply gets: reflected, or a hash of the
	 * reply's flow (auto_flowlabels), not of the request's rx hash.
	 */
	skb_clear_hash(skb);
	label = ip6_make_flowlabel(net, skb, fl6.flowlabel,
				   ip6_default_np_autolabel(net), &fl6);
	ip6_flow_hdr(ip6h, ip6_tclass(ip6_flowinfo(ip6h)), label);
	skb->mark = fl6.flowi6_mark;
	kn_out_prep(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	kn_xmit_done(ip6_local_out(net, NULL, skb), KN_C_ECHO6_ANSWERED);
}

/* A local unicast destination, as the input route classified it. */
static bool kn_local4(const struct sk_buff *skb)
{
	const struct rtable *rt = skb_rtable(skb);

	return rt && rt->rt_type == RTN_LOCAL &&
	       !(rt->rt_flags & (RTCF_BROADCAST | RTCF_MULTICAST));
}

static bool kn_local6(const struct sk_buff *skb)
{
	const struct dst_entry *dst = skb_dst(skb);

	return dst && ipv6_unicast_destination(skb) &&
	       !ipv6_anycast_destination(dst, &ipv6_hdr(skb)->daddr);
}

unsigned int kn_echo4(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct icmphdr *icmph;
	unsigned int len;
	struct iphdr *iph;

	if (!kn_counting() || !kn_echo_on(net, state->in))
		return NF_ACCEPT;
	/* ip_rcv_core() validated the IP header and trimmed to tot_len */
	iph = ip_hdr(skb);
	if (iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	len = skb->len - iph->ihl * 4;
	/* reassembled packets (frag_max_size set) are left as fragments are */
	if (iph->ihl != 5 || ip_is_fragment(iph) || IPCB(skb)->frag_max_size)
		goto pass;
	if (len < sizeof(*icmph)) {
		kn_malformed(skb, 4, "truncated");
		return NF_ACCEPT;
	}
	if (!pskb_may_pull(skb, iph->ihl * 4 + sizeof(*icmph)))
		goto pass;
	iph = ip_hdr(skb);
	icmph = (struct icmphdr *)(skb_network_header(skb) + iph->ihl * 4);
	if (icmph->type != ICMP_ECHO)
		goto pass;
	if (csum_fold(skb_checksum(skb, iph->ihl * 4, len, 0))) {
		kn_malformed(skb, 4, "bad_checksum");
		return NF_ACCEPT;
	}
	/* what icmp_rcv()/icmp_echo() would refuse, the stack refuses */
	if (!kn_xmit_ok(skb) || !kn_local4(skb) ||
	    ipv4_is_multicast(iph->saddr) || ipv4_is_lbcast(iph->saddr) ||
	    ipv4_is_zeronet(iph->saddr) || ipv4_is_loopback(iph->saddr) ||
	    READ_ONCE(net->ipv4.sysctl_icmp_echo_ignore_all) ||
	    !xfrm4_policy_check(NULL, XFRM_POLICY_IN, skb))
		goto pass;
	if (skb_ensure_writable(skb, iph->ihl * 4 + sizeof(*icmph))) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		return NF_ACCEPT;
	}
	iph = ip_hdr(skb);
	icmph = (struct icmphdr *)(skb_network_header(skb) + iph->ihl * 4);

	/* the swap leaves the header checksum as it is; kn_out4 sets the TTL */
	swap(iph->saddr, iph->daddr);
	/*
	 * DF and the reserved bit are the request's: the stack's ICMP socket
	 * (IP_PMTUDISC_DONT) sends its replies with neither.
	 */
	csum_replace2(&iph->check, iph->frag_off, 0);
	iph->frag_off = 0;
	csum_replace2(&icmph->checksum, htons(ICMP_ECHO << 8 | icmph->code),
		      htons(ICMP_ECHOREPLY << 8 | icmph->code));
	icmph->type = ICMP_ECHOREPLY;
	kn_out4(net, skb);
	return NF_STOLEN;
pass:
	kscope_count(&kn_src, KN_C_ECHO_PASSED);
	return NF_ACCEPT;
}

unsigned int kn_echo6(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	const unsigned int hl = sizeof(struct ipv6hdr);
	struct net *net = state->net;
	struct icmp6hdr *icmp6h;
	struct ipv6hdr *ip6h;
	unsigned int len;
	int saddr_type;

	if (!kn_counting() || !kn_echo_on(net, state->in))
		return NF_ACCEPT;
	/* ipv6_rcv() validated the header and trimmed to payload_len */
	ip6h = ipv6_hdr(skb);
	/* extension headers, fragments included, are left to the stack */
	if (ip6h->nexthdr != IPPROTO_ICMPV6)
		return NF_ACCEPT;
	len = skb->len - hl;
	if (IP6CB(skb)->frag_max_size)
		goto pass;
	if (len < sizeof(*icmp6h)) {
		kn_malformed(skb, 6, "truncated");
		return NF_ACCEPT;
	}
	if (!pskb_may_pull(skb, hl + sizeof(*icmp6h)))
		goto pass;
	ip6h = ipv6_hdr(skb);
	icmp6h = (struct icmp6hdr *)(skb_network_header(skb) + hl);
	if (icmp6h->icmp6_type != ICMPV6_ECHO_REQUEST)
		goto pass;
	if (csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, len, IPPROTO_ICMPV6,
			    skb_checksum(skb, hl, len, 0))) {
		kn_malformed(skb, 6, "bad_checksum");
		return NF_ACCEPT;
	}
	saddr_type = ipv6_addr_type(&ip6h->saddr);
	/* what icmpv6_rcv()/icmpv6_echo_reply() would refuse, the stack refuses */
	if (!kn_xmit_ok(skb) || !kn_local6(skb) ||
	    saddr_type & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK) ||
	    saddr_type == IPV6_ADDR_ANY ||
	    READ_ONCE(net->ipv6.sysctl.icmpv6_echo_ignore_all) ||
	    !xfrm6_policy_check(NULL, XFRM_POLICY_IN, skb))
		goto pass;
	if (skb_ensure_writable(skb, hl + sizeof(*icmp6h))) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		return NF_ACCEPT;
	}
	ip6h = ipv6_hdr(skb);
	icmp6h = (struct icmp6hdr *)(skb_network_header(skb) + hl);

	/*
	 * The ICMPv6 checksum covers the pseudo-header; swapping source and
	 * destination leaves its sum unchanged, so only the type is folded in.
	 */
	swap(ip6h->saddr, ip6h->daddr);
	csum_replace2(&icmp6h->icmp6_cksum,
		      htons(ICMPV6_ECHO_REQUEST << 8 | icmp6h->icmp6_code),
		      htons(ICMPV6_ECHO_REPLY << 8 | icmp6h->icmp6_code));
	icmp6h->icmp6_type = ICMPV6_ECHO_REPLY;
	kn_out6(net, skb, state->in->ifindex);
	return NF_STOLEN;
pass:
	kscope_count(&kn_src, KN_C_ECHO_PASSED);
	return NF_ACCEPT;
}
