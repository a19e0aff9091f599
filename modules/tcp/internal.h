/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_tcp internals: the flow table (flows.c), the probes (probes.c),
 * the filter and its netlink control (ctl.c), attach and setup (main.c).
 */
#ifndef _KSCOPE_TCP_INTERNAL_H
#define _KSCOPE_TCP_INTERNAL_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/bits.h>
#include <linux/compiler.h>
#include <kscope/kscope.h>
#include <kscope/policy.h>

struct sock;

enum kst_counter {
	TC_CONNECTS_V4, TC_CONNECTS_V6,
	TC_ACCEPTS_V4, TC_ACCEPTS_V6,
	TC_CLOSES_V4, TC_CLOSES_V6,
	TC_RETRANS_V4, TC_RETRANS_V6,
	TC_RETRANS_FAILED,
	TC_RST_SENT_V4, TC_RST_SENT_V6,
	TC_RST_RECV_V4, TC_RST_RECV_V6,
	TC_CLOSES_UNTRACKED,
	TC_SAMPLES,
	TC_CONG_CHANGES,
	TC_FLOWS_ADDED,
	TC_FLOW_EVICTIONS,
	TC_FLOWS,		/* gauge: flows in the table now */
	TC_NR_COUNTERS,
};

enum kst_event {
	TE_CONNECT,
	TE_ACCEPT,
	TE_STATE,
	TE_CLOSE,
	TE_RETRANS,
	TE_RESET,
	TE_CONG,
	TE_NR_EVENTS,
};
/* the policy of KSCOPE_TCP_EVENTS (core) allows one bit per type */
static_assert(TE_NR_EVENTS == KSCOPE_TCP_NR_EVENTS);

/* Addresses of a flow; IPv4 addresses are IPv4-mapped. */
struct kst_tuple {
	struct in6_addr saddr;
	struct in6_addr daddr;
	u16 sport;
	u16 dport;
	u16 family;
	u32 netns;
};

struct kst_sample {
	u32 cwnd;
	u32 ssthresh;
	u32 srtt_us;
	u32 snd_wnd;
	u32 rcv_wnd;
	u32 inflight;
	int sndbuf;
	int wmem_queued;
};

/* What the table returns about a flow: a copy, taken under its lock. */
struct kst_flow_info {
	u64 start_ns;		/* 0: born before we saw it */
	u32 pid;		/* 0: not known (no task context seen) */
	u32 flags;		/* KST_F_* */
	char comm[TASK_COMM_LEN];
};

/* our SYN was acked: bytes_acked counts its sequence number */
#define KST_F_SYN_ACKED	BIT(0)

struct kst_filter {
	struct in6_addr addr;
	u32 netns;
	u32 pid;
	u16 port;
	bool sample_all;
};

extern struct kscope_source kst_src;
/* the attach line's tracepoints; kst_probes_attach() adds the accept hook */
#define KST_TPS_ATTACH "tracepoints sock:inet_sock_set_state tcp:tcp_probe tcp:tcp_retransmit_skb tcp:tcp_retransmit_synack tcp:tcp_send_reset tcp:tcp_receive_reset tcp:tcp_destroy_sock"
extern unsigned int flow_max;

/* flows.c */
int kst_flows_init(unsigned int max);
void kst_flows_exit(void);
void kst_flows_debugfs(struct dentry *dir);
/* A CTL_GET reply: the flows of the sets from @cursor on that fit. */
int kst_flows_reply(struct kscope_source *src, struct genl_info *info,
		    u32 cursor);
/* Start (or restart) a flow; @owner true records current as its task. */
void kst_flow_start(const struct sock *sk, const struct kst_tuple *t,
		    bool owner);
/* Record current as the flow's task (accept return). */
void kst_flow_set_owner(const struct sock *sk, const struct kst_tuple *t);
bool kst_flow_get(const struct sock *sk, struct kst_flow_info *fi);
/*
 * kst_flow_get(), and add @flags to the flow's flags first; @t: the
 * addresses now (a connecting socket has no local port at SYN_SENT)
 */
bool kst_flow_mark(const struct sock *sk, const struct kst_tuple *t,
		   u32 flags, struct kst_flow_info *fi);
/* Remove the flow; true (with @fi filled) when it was there. */
bool kst_flow_end(const struct sock *sk, struct kst_flow_info *fi);
/*
 * Store a congestion sample. Returns true when cwnd or ssthresh differ
 * from the flow's previous sample (or it had none); @fi gets its owner.
 */
bool kst_flow_sample(const struct sock *sk, const struct kst_tuple *t,
		     const struct kst_sample *s, struct kst_flow_info *fi);

/* ctl.c */
/* event types to build; state changes only on request (they are many) */
#define KST_EVENTS_DEFAULT	(GENMASK(TE_NR_EVENTS - 1, 0) & ~BIT(TE_STATE))
extern u32 kst_event_mask;

/* Build an event of @type? Someone listens and asked for that type. */
static inline bool kst_want(enum kst_event type)
{
	return (READ_ONCE(kst_event_mask) & BIT(type)) && kscope_listening();
}

/*
 * Does the filter select the flow? @fi NULL: the pid is not known yet and
 * is not checked. @sample_all may be NULL.
 */
bool kst_filter_match(const struct kst_tuple *t,
		      const struct kst_flow_info *fi, bool *sample_all);
int kst_ctl(struct kscope_source *src, struct nlattr *ctl,
	    struct genl_info *info);
int kst_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		struct genl_info *info);
void kst_filter_debugfs(struct dentry *dir);
void kst_filter_exit(void);

/* probes.c */
extern const struct kscope_event_desc kst_events[TE_NR_EVENTS];
/*
 * The probes are attached before the source is registered (registering
 * makes it reachable, so it comes last) and do nothing until
 * kst_probes_start(). kst_probes_stop() returns when no probe runs past
 * that gate any more: then the source can be unregistered.
 */
void kst_probes_start(void);
void kst_probes_stop(void);
void kst_tuple_from_sk(const struct sock *sk, struct kst_tuple *t);
int kst_probes_attach(void);
void kst_probes_detach(void);
void kst_probes_debugfs(struct dentry *dir);

#endif /* _KSCOPE_TCP_INTERNAL_H */
