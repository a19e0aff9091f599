// SPDX-License-Identifier: GPL-2.0
/*
 * XDP ICMP/ICMPv6 echo responder. A complete, checksum-valid echo request
 * without IPv4 options, fragmentation or IPv6 extension headers is turned
 * into its reply in place (MACs and addresses swapped, type set, TTL/hop
 * limit reset to 64, IPv4 DF and reserved bits cleared as the stack's
 * replies have them, bytes past the IP length trimmed as the stack trims
 * them, checksums updated incrementally) and sent back with XDP_TX, when
 * it is one the stack would answer on this device. The
 * loader (kscope xdp attach) fills echo_cfg and the address maps from
 * what it sees when it attaches: it answers only untagged frames sent to
 * the device's own MAC address, to one of the device's own unicast
 * addresses, from a source inside one of the device's on-link prefixes
 * (so that a strict rp_filter would accept it and the reply leaves
 * where the request came in), and not when icmp_echo_ignore_all was set.
 * Everything else is XDP_PASS, untouched, and the stack decides.
 *
 * XDP runs before the stack: netfilter rules, IPsec policy and changes
 * made after attach (addresses, sysctls) are not seen; detach and attach
 * again to take changes in. The reply keeps the request's IPv4 ID and
 * IPv6 flow label: the stack's are drawn from its ID generator and a
 * keyed hash of the flow, which a program cannot reproduce
 * (tests/net/06-pktdiff expects exactly that difference). With --any (echo_cfg.any) it answers every
 * unicast frame it receives (up to two VLAN tags), whatever its
 * addresses, which is what a measuring tool may want.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/icmpv6.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include "xdp_echo.h"

#define KS_MAX_ICMP	1480	/* longest echo request checked and answered */
#define KS_TTL		64

/* <linux/icmp.h> drags in libc's socket headers: the two fields we need */
#define ICMP_ECHOREPLY	0
#define ICMP_ECHO	8

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;
};

struct vlan_hdr {
	__be16 tci;
	__be16 proto;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KS_XDP_NR_CTRS);
	__type(key, __u32);
	__type(value, __u64);
} echo_stats SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ks_xdp_cfg);
} echo_cfg SEC(".maps");

/* the ICMP message, copied for its checksum (csum_bytes) */
#define KS_XDP_SCRATCH	2048	/* 4 x bpf_csum_diff's 512, >= any masked length */
struct ks_xdp_scratch {
	__u8 b[KS_XDP_SCRATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ks_xdp_scratch);
} echo_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KS_XDP_MAX_ADDRS);
	__type(key, __u32);
	__type(value, __u8);
} echo_addr4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KS_XDP_MAX_ADDRS);
	__type(key, struct in6_addr);
	__type(value, __u8);
} echo_addr6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, KS_XDP_MAX_ADDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ks_xdp_lpm4);
	__type(value, __u8);
} echo_net4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, KS_XDP_MAX_ADDRS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ks_xdp_lpm6);
	__type(value, __u8);
} echo_net6 SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&echo_stats, &key);

	if (v)
		*v += 1;
}

static __always_inline __u16 fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* RFC 1624: HC' = ~(~HC + ~m + m'), all in network order */
static __always_inline void csum_replace2(__u16 *sum, __u16 old, __u16 new)
{
	*sum = ~fold((__u16)~*sum + (__u16)~old + new);
}

/*
 * One's complement sum of the @len bytes at offset @off of the frame,
 * added to @seed and folded to 32 bits: the bytes are copied to a per-CPU
 * scratch buffer (bpf_xdp_load_bytes) and summed by the kernel's
 * csum_partial (bpf_csum_diff, at most 512 bytes a call). An open-coded
 * loop over the packet cost the verifier 630,000 instructions (63% of its
 * budget; about 2 minutes of attach on the KASAN kernel under TCG): this
 * costs it a few hundred. A zero word under the last partial one pads the
 * sum as RFC 1071 pads an odd length.
 */
static __always_inline __u32 csum_bytes(struct xdp_md *ctx, __u32 off,
					__u64 len, __u32 seed, int *ok)
{
	struct ks_xdp_scratch *s;
	__u32 zero = 0;
	__s64 sum = seed;
	__u64 n, o, sz;
	int i;

	*ok = 0;
	s = bpf_map_lookup_elem(&echo_scratch, &zero);
	if (!s)
		return 0;
	/*
	 * Every bound here comes from a mask, not a comparison: clang may
	 * compare one copy of a value and use another (a spill reloaded from
	 * before the check), and the verifiers of 6.1 and 6.12 then lose the
	 * comparison's bounds. The callers checked len in [1, KS_MAX_ICMP];
	 * masked, it is in [1, 2048] for the verifier, and the scratch buffer
	 * holds 2048 bytes. The barrier keeps clang from dropping the mask.
	 */
	sz = len - 1;
	asm volatile("" : "+r"(sz));
	sz = (sz & 0x7ff) + 1;
	*(__u32 *)(s->b + (sz & 0x7fc)) = 0;
	if (bpf_xdp_load_bytes(ctx, off, s->b, sz))
		return 0;
	n = (sz + 3) & 0xffc;
#pragma unroll
	for (i = 0; i < KS_XDP_SCRATCH / 512; i++) {
		o = i * 512;
		if (o >= n)
			break;
		/* at most 512 bytes a call, masked too (as above) */
		sz = n - o;
		asm volatile("" : "+r"(sz));
		sz &= 0x7fc;
		if (sz > 512)
			sz = 512;
		sum = bpf_csum_diff(NULL, 0, (__be32 *)(s->b + o), sz,
				    (__u32)sum);
		if (sum < 0)
			return 0;
	}
	*ok = 1;
	return sum;
}

static __always_inline int mac_eq(const __u8 *a, const __u8 *b)
{
	__u8 d = 0;
	int i;

#pragma unroll
	for (i = 0; i < ETH_ALEN; i++)
		d |= a[i] ^ b[i];
	return !d;
}

static __always_inline void swap_mac(struct ethhdr *eth)
{
	__u8 tmp[ETH_ALEN];

	__builtin_memcpy(tmp, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, tmp, ETH_ALEN);
}

/* Would the stack answer @iph? Its own address, an on-link source. */
static __always_inline int ours4(const struct ks_xdp_cfg *cfg,
				 const struct iphdr *iph)
{
	struct ks_xdp_lpm4 k = { .prefixlen = 32 };

	if (cfg->any)
		return 1;
	if (cfg->ignore4 || !bpf_map_lookup_elem(&echo_addr4, &iph->daddr))
		return 0;
	__builtin_memcpy(k.addr, &iph->saddr, 4);
	return bpf_map_lookup_elem(&echo_net4, &k) != NULL;
}

static __always_inline int ours6(const struct ks_xdp_cfg *cfg,
				 const struct ipv6hdr *ip6h)
{
	struct ks_xdp_lpm6 k = { .prefixlen = 128 };

	if (cfg->any)
		return 1;
	if (cfg->ignore6 || !bpf_map_lookup_elem(&echo_addr6, &ip6h->daddr))
		return 0;
	__builtin_memcpy(k.addr, &ip6h->saddr, 16);
	return bpf_map_lookup_elem(&echo_net6, &k) != NULL;
}

static __always_inline int echo4(struct xdp_md *ctx,
				 const struct ks_xdp_cfg *cfg,
				 struct ethhdr *eth, struct iphdr *iph,
				 __u32 l3off, void *end, __u32 *trail)
{
	struct icmphdr *icmph;
	__u32 sum, len, addr;
	__u16 *w;
	int ok, i;

	if ((void *)(iph + 1) > end)
		return XDP_PASS;
	if (iph->protocol != IPPROTO_ICMP)
		return XDP_PASS;
	if (iph->version != 4 || iph->ihl != 5 ||
	    (iph->frag_off & bpf_htons(0x3fff)))
		goto pass;
	len = bpf_ntohs(iph->tot_len);
	/* keep len's bounds visible to the verifier: no merged range checks */
	asm volatile("" : "+r"(len));
	len &= 0x7ff;
	if (len != bpf_ntohs(iph->tot_len)) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	icmph = (void *)(iph + 1);
	/* bound len before any pointer math with it */
	if (len < sizeof(*iph) + sizeof(*icmph) ||
	    len > sizeof(*iph) + KS_MAX_ICMP ||
	    (void *)(icmph + 1) > end || (void *)iph + len > end) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	if (icmph->type != ICMP_ECHO)
		goto pass;
	/* broadcast, multicast, loopback or unspecified source: not ours */
	addr = bpf_ntohl(iph->saddr);
	if ((addr >> 28) == 0xe || addr == 0xffffffff || (addr >> 24) == 127 ||
	    !addr || (bpf_ntohl(iph->daddr) >> 28) >= 0xe)
		goto pass;
	sum = 0;
	w = (__u16 *)iph;
#pragma unroll
	for (i = 0; i < 10; i++)
		sum += w[i];
	if (fold(sum) != 0xffff) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	sum = csum_bytes(ctx, l3off + sizeof(*iph), len - sizeof(*iph), 0, &ok);
	if (!ok || fold(sum) != 0xffff) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	/* after the checksum loop: fewer verifier states to walk it with */
	if (!ours4(cfg, iph))
		goto pass;

	swap_mac(eth);
	addr = iph->saddr;
	iph->saddr = iph->daddr;
	iph->daddr = addr;
	csum_replace2(&iph->check, bpf_htons(iph->ttl << 8),
		      bpf_htons(KS_TTL << 8));
	iph->ttl = KS_TTL;
	/* DF and the reserved bit: the stack's replies carry neither */
	csum_replace2(&iph->check, iph->frag_off, 0);
	iph->frag_off = 0;
	/* what follows tot_len, the stack trims (ip_rcv_core) */
	*trail = end - ((void *)iph + len);
	csum_replace2(&icmph->checksum, bpf_htons(ICMP_ECHO << 8 | icmph->code),
		      bpf_htons(ICMP_ECHOREPLY << 8 | icmph->code));
	icmph->type = ICMP_ECHOREPLY;
	count(KS_XDP_ANSWERED4);
	return XDP_TX;
pass:
	count(KS_XDP_PASSED);
	return XDP_PASS;
}

static __always_inline int echo6(struct xdp_md *ctx,
				 const struct ks_xdp_cfg *cfg,
				 struct ethhdr *eth, struct ipv6hdr *ip6h,
				 __u32 l3off, void *end, __u32 *trail)
{
	struct icmp6hdr *icmp6h;
	struct in6_addr tmp;
	__u32 sum, len;
	__u16 *w;
	int ok, i;

	if ((void *)(ip6h + 1) > end)
		return XDP_PASS;
	if (ip6h->nexthdr != IPPROTO_ICMPV6)
		return XDP_PASS;
	len = bpf_ntohs(ip6h->payload_len);
	asm volatile("" : "+r"(len));
	len &= 0x7ff;
	if (len != bpf_ntohs(ip6h->payload_len)) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	icmp6h = (void *)(ip6h + 1);
	if (len < sizeof(*icmp6h) || len > KS_MAX_ICMP ||
	    (void *)(icmp6h + 1) > end || (void *)(ip6h + 1) + len > end) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	if (icmp6h->icmp6_type != ICMPV6_ECHO_REQUEST)
		goto pass;
	/* multicast destination or source, unspecified source: not ours */
	if (ip6h->daddr.in6_u.u6_addr8[0] == 0xff ||
	    ip6h->saddr.in6_u.u6_addr8[0] == 0xff ||
	    !(ip6h->saddr.in6_u.u6_addr32[0] | ip6h->saddr.in6_u.u6_addr32[1] |
	      ip6h->saddr.in6_u.u6_addr32[2] | ip6h->saddr.in6_u.u6_addr32[3]))
		goto pass;
	/* pseudo-header: both addresses, upper-layer length, next header */
	sum = bpf_htons(len) + bpf_htons(IPPROTO_ICMPV6);
	w = (__u16 *)&ip6h->saddr;
#pragma unroll
	for (i = 0; i < 16; i++)
		sum += w[i];
	sum = csum_bytes(ctx, l3off + sizeof(*ip6h), len, sum, &ok);
	if (!ok || fold(sum) != 0xffff) {
		count(KS_XDP_MALFORMED);
		return XDP_PASS;
	}
	if (!ours6(cfg, ip6h))
		goto pass;

	/* the pseudo-header's sum does not change with the swap */
	swap_mac(eth);
	tmp = ip6h->saddr;
	ip6h->saddr = ip6h->daddr;
	ip6h->daddr = tmp;
	ip6h->hop_limit = KS_TTL;
	/* what follows payload_len, the stack trims (ipv6_rcv) */
	*trail = end - ((void *)(ip6h + 1) + len);
	csum_replace2(&icmp6h->icmp6_cksum,
		      bpf_htons(ICMPV6_ECHO_REQUEST << 8 | icmp6h->icmp6_code),
		      bpf_htons(ICMPV6_ECHO_REPLY << 8 | icmp6h->icmp6_code));
	icmp6h->icmp6_type = ICMPV6_ECHO_REPLY;
	count(KS_XDP_ANSWERED6);
	return XDP_TX;
pass:
	count(KS_XDP_PASSED);
	return XDP_PASS;
}

SEC("xdp")
int xdp_echo(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct ks_xdp_cfg *cfg;
	void *l3 = eth + 1;
	__u32 zero = 0, trail = 0, l3off = sizeof(*eth);
	__u16 proto;
	int i, act;

	count(KS_XDP_FRAMES);
	cfg = bpf_map_lookup_elem(&echo_cfg, &zero);
	if (!cfg || l3 > end || (eth->h_dest[0] & 1))
		return XDP_PASS;
	/* another host's frame (a bridge port sees them): not ours to answer */
	if (!cfg->any && !mac_eq(eth->h_dest, cfg->mac))
		return XDP_PASS;
	proto = eth->h_proto;
#pragma unroll
	for (i = 0; i < 2; i++) {
		struct vlan_hdr *vh = l3;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > end)
			return XDP_PASS;
		proto = vh->proto;
		l3 = vh + 1;
		l3off += sizeof(*vh);
	}
	/* a tagged frame belongs to a VLAN device, if there is one */
	if (l3 != (void *)(eth + 1) && !cfg->any)
		return XDP_PASS;
	if (proto == bpf_htons(ETH_P_IP))
		act = echo4(ctx, cfg, eth, l3, l3off, end, &trail);
	else if (proto == bpf_htons(ETH_P_IPV6))
		act = echo6(ctx, cfg, eth, l3, l3off, end, &trail);
	else
		return XDP_PASS;
	/*
	 * The reply is as long as the request's IP packet: Ethernet padding
	 * and other bytes past its length go (a shrink within the frame
	 * cannot fail; the rewritten frame must not reach the stack if it did).
	 */
	if (act == XDP_TX && trail && bpf_xdp_adjust_tail(ctx, -(int)trail))
		return XDP_DROP;
	return act;
}

/*
 * Pass-through, for the peer of a veth in native mode: frames sent there
 * with XDP_TX (or redirected) are only received if it runs XDP too.
 */
SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "GPL";
