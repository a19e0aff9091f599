/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_net internals: the source, its counter layout and the per-netns
 * state shared by the hook counters (hooks.c), the echo responder
 * (echo.c) and the control path (main.c).
 */
#ifndef _KSCOPE_NET_H
#define _KSCOPE_NET_H

#include <linux/list.h>
#include <linux/netfilter.h>
#include <net/net_namespace.h>
#include <kscope/kscope.h>
#include <kscope/compat-net.h>

/* Counter layout: ip4/ip6 x 5 hooks x L4 protocol x {pkts, bytes}. */
enum { KN_FAM_IP4, KN_FAM_IP6, KN_NR_FAM };
enum { KN_L4_ICMP, KN_L4_TCP, KN_L4_UDP, KN_L4_OTHER, KN_NR_L4 };
#define KN_NR_HOOKS		NF_INET_NUMHOOKS
#define KN_NR_HOOK_CTRS		(KN_NR_FAM * KN_NR_HOOKS * KN_NR_L4 * 2)

static inline unsigned int kn_hook_ctr(unsigned int fam, unsigned int hook,
				       unsigned int l4)
{
	return ((fam * KN_NR_HOOKS + hook) * KN_NR_L4 + l4) * 2;
}

/* The responder's counters follow the hook counters. */
enum {
	KN_C_ECHO4_ANSWERED = KN_NR_HOOK_CTRS,
	KN_C_ECHO6_ANSWERED,
	KN_C_ECHO_PASSED,
	KN_C_ECHO_MALFORMED,
	KN_C_ECHO_XMIT_ERRORS,
	KN_C_EVENTS_SUPPRESSED,
	KN_NR_CTRS,
};

/* Per network namespace: whether and where the responder answers. */
/* Malformed-packet event: see kn_events in main.c. */
struct kn_ev_malformed {
	u64 family;
	char reason[16];
	u64 ifindex;
	u8 saddr[16];
	u8 daddr[16];
	u64 len;
};

struct kn_net {
	struct list_head node;		/* kn_nets, under kn_lock */
	struct net *net;
	bool echo;			/* READ_ONCE in the hook */
	int ifindex;			/* 0: every device */
};

extern struct kscope_source kn_src;
extern unsigned int kn_net_id;
extern bool kn_live;

/* May a hook count? Not before the source is registered, nor after exit began. */
static inline bool kn_counting(void)
{
	/* pairs with the release in kn_init(): the counters are there */
	return smp_load_acquire(&kn_live);
}

struct kn_net *kn_pernet(const struct net *net);

int kn_hooks_register(struct net *net);
void kn_hooks_unregister(struct net *net);

void kn_ev_init(unsigned int per_sec);

/* echo.c: the responders, hooked at LOCAL_IN by hooks.c */
struct nf_hook_state;
unsigned int kn_echo4(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state);
unsigned int kn_echo6(void *priv, struct sk_buff *skb,
		      const struct nf_hook_state *state);

#endif /* _KSCOPE_NET_H */
