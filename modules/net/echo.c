// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP/ICMPv6 echo responder at PRE_ROUTING. A valid echo request to a
 * local unicast address, received in a namespace (and on a device) where
 * the responder is on, is turned into its reply in place: addresses
 * swapped, type set, TTL or hop limit reset to the namespace default,
 * checksums updated incrementally. The hook returns NF_STOLEN, so the
 * stack never sees the request and its echo-reply counters stay still.
 *
 * The reply leaves through the output path (route lookup, ip_local_out /
 * ip6_local_out), as the REJECT target sends its resets: it skips input
 * routing, LOCAL_IN, the socket and ICMP code, yet obeys routing and
 * neighbour state and shows up at LOCAL_OUT/POST_ROUTING like any local
 * packet. Reflecting the frame with swapped MACs and dev_queue_xmit() on
 * the ingress device was tried first: on veth it corrupted the backlog
 * (oops in veth_xmit under a few hundred requests, 6.1 and 6.12), so it
 * is not used.
 *
 * Everything else is passed untouched: fragments, packets with IPv4
 * options or IPv6 extension headers, non-echo ICMP, multicast/broadcast,
 * non-local destinations, frames with an accelerated VLAN tag. Echo
 * requests the stack would reject (truncated, bad checksum) are passed
 * too and counted malformed, with a rate-limited event.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <net/addrconf.h>
#include <net/ip.h>
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#include <net/ip6_route.h>
#include <net/route.h>
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

/* A request we may answer: to us, unicast, with final checksums. */
static bool kn_xmit_ok(const struct sk_buff *skb)
{
	return !(skb->dev->flags & IFF_LOOPBACK) &&
	       skb->pkt_type == PACKET_HOST &&
	       skb_network_offset(skb) == 0 &&
	       skb->ip_summed != CHECKSUM_PARTIAL;
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

/* Route the reply like a locally generated packet and send it; consumes @skb. */
static void kn_out4(struct net *net, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct flowi4 fl4 = {
		.daddr = iph->daddr,
		.saddr = iph->saddr,
		.flowi4_proto = IPPROTO_ICMP,
	};
	struct rtable *rt;

	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	kn_out_prep(skb, &rt->dst);
	memset(IPCB(skb), 0, sizeof(*IPCB(skb)));
	if (ip_local_out(net, NULL, skb) < 0)
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
	else
		kscope_count(&kn_src, KN_C_ECHO4_ANSWERED);
}

static void kn_out6(struct net *net, struct sk_buff *skb, int ifindex)
{
	const struct ipv6hdr *ip6h = ipv6_hdr(skb);
	struct flowi6 fl6 = {
		.daddr = ip6h->daddr,
		.saddr = ip6h->saddr,
		.flowi6_proto = IPPROTO_ICMPV6,
	};
	struct dst_entry *dst;

	/* a link-local peer is only reachable on the device it came from */
	if (ipv6_addr_type(&ip6h->daddr) & IPV6_ADDR_LINKLOCAL)
		fl6.flowi6_oif = ifindex;
	dst = ip6_route_output(net, NULL, &fl6);
	if (dst->error) {
		dst_release(dst);
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		kfree_skb(skb);
		return;
	}
	kn_out_prep(skb, dst);
	memset(IP6CB(skb), 0, sizeof(*IP6CB(skb)));
	if (ip6_local_out(net, NULL, skb) < 0)
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
	else
		kscope_count(&kn_src, KN_C_ECHO6_ANSWERED);
}

unsigned int kn_echo4(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state)
{
	struct net *net = state->net;
	struct icmphdr *icmph;
	unsigned int len;
	struct iphdr *iph;
	u8 ttl;

	if (!kn_echo_on(net, state->in))
		return NF_ACCEPT;
	/* ip_rcv_core() validated the IP header and trimmed to tot_len */
	iph = ip_hdr(skb);
	if (iph->protocol != IPPROTO_ICMP)
		return NF_ACCEPT;
	len = skb->len - iph->ihl * 4;
	if (iph->ihl != 5 || ip_is_fragment(iph))
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
	if (!kn_xmit_ok(skb) || ipv4_is_multicast(iph->saddr) ||
	    ipv4_is_lbcast(iph->saddr) || ipv4_is_zeronet(iph->saddr) ||
	    ipv4_is_loopback(iph->saddr) ||
	    inet_addr_type_dev_table(net, skb->dev, iph->daddr) != RTN_LOCAL)
		goto pass;
	if (skb_ensure_writable(skb, iph->ihl * 4 + sizeof(*icmph))) {
		kscope_count(&kn_src, KN_C_ECHO_XMIT_ERRORS);
		return NF_ACCEPT;
	}
	iph = ip_hdr(skb);
	icmph = (struct icmphdr *)(skb_network_header(skb) + iph->ihl * 4);

	/* the swap leaves the header checksum as it is; the TTL does not */
	swap(iph->saddr, iph->daddr);
	ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
	csum_replace2(&iph->check, htons(iph->ttl << 8), htons(ttl << 8));
	iph->ttl = ttl;
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

	if (!kn_echo_on(net, state->in))
		return NF_ACCEPT;
	/* ipv6_rcv() validated the header and trimmed to payload_len */
	ip6h = ipv6_hdr(skb);
	/* extension headers, fragments included, are left to the stack */
	if (ip6h->nexthdr != IPPROTO_ICMPV6)
		return NF_ACCEPT;
	len = skb->len - hl;
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
	if (!kn_xmit_ok(skb) ||
	    saddr_type & (IPV6_ADDR_MULTICAST | IPV6_ADDR_LOOPBACK) ||
	    saddr_type == IPV6_ADDR_ANY ||
	    ipv6_addr_is_multicast(&ip6h->daddr) ||
	    !ipv6_chk_addr(net, &ip6h->daddr, skb->dev, 0))
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
	ip6h->hop_limit = READ_ONCE(net->ipv6.devconf_all->hop_limit);
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
