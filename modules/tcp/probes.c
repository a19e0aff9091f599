// SPDX-License-Identifier: GPL-2.0
/*
 * Where kscope_tcp looks: tracepoints where the kernel has them, one
 * exit hook of the core where it does not (an fprobe where the kernel
 * has fprobes, else a kretprobe).
 *
 *   sock:inet_sock_set_state  connects (CLOSE->SYN_SENT, in the connecting
 *                             task), passive opens, state changes, closes
 *   tcp:tcp_probe             congestion samples, from tcp_rcv_established
 *   tcp:tcp_retransmit_skb    retransmissions (segments, as RetransSegs)
 *   tcp:tcp_retransmit_synack SYN-ACKs resent (counted with the above)
 *   tcp:tcp_send_reset, tcp:tcp_receive_reset
 *   tcp:tcp_destroy_sock      drops a flow whose close we did not see
 *   hook inet_csk_accept      the accepting task (no tracepoint returns it)
 *
 * Most of this runs in softirq, where `current` is whoever was interrupted:
 * events carry the pid/comm recorded at connect or accept time as fields
 * (flow_pid 0 = not known), and the event header says the context.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/jump_label.h>
#include <linux/kprobes.h>
#include <linux/moduleparam.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <kscope/hook.h>
#include <net/inet_sock.h>
#include <net/ipv6.h>
#include <net/net_namespace.h>
#include <net/tcp.h>
#include <kscope/compat-tcp.h>

#include "internal.h"

/* every event starts with the flow: struct ev_flow */

struct ev_flow {
	u64 netns;
	u64 family;
	struct in6_addr saddr;
	u64 sport;
	struct in6_addr daddr;
	u64 dport;
};

/* an event's schema: struct ev_flow's fields, then the event's own */
#define DEFINE_FLOW_FIELDS(arr, ...)					\
static const struct kscope_field arr[] = {				\
	{ .name = "netns", .kind = KSCOPE_FIELD_U64 },			\
	{ .name = "family", .kind = KSCOPE_FIELD_U64 },			\
	{ .name = "saddr", .kind = KSCOPE_FIELD_ADDR },			\
	{ .name = "sport", .kind = KSCOPE_FIELD_U64 },			\
	{ .name = "daddr", .kind = KSCOPE_FIELD_ADDR },			\
	{ .name = "dport", .kind = KSCOPE_FIELD_U64 },			\
	__VA_ARGS__							\
}

#define STATE_LEN	16

DEFINE_FLOW_FIELDS(connect_fields,
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN },
	{ .name = "latency_us", .kind = KSCOPE_FIELD_U64 });

struct ev_connect {
	struct ev_flow f;
	u64 pid;
	char comm[TASK_COMM_LEN];
	u64 latency_us;
};

DEFINE_FLOW_FIELDS(accept_fields,
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN });

struct ev_accept {
	struct ev_flow f;
	u64 pid;
	char comm[TASK_COMM_LEN];
};

DEFINE_FLOW_FIELDS(state_fields,
	{ .name = "oldstate", .kind = KSCOPE_FIELD_STR, .size = STATE_LEN },
	{ .name = "newstate", .kind = KSCOPE_FIELD_STR, .size = STATE_LEN },
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 });

struct ev_state {
	struct ev_flow f;
	char oldstate[STATE_LEN];
	char newstate[STATE_LEN];
	u64 pid;
};

DEFINE_FLOW_FIELDS(close_fields,
	{ .name = "oldstate", .kind = KSCOPE_FIELD_STR, .size = STATE_LEN },
	{ .name = "duration_us", .kind = KSCOPE_FIELD_U64 },
	{ .name = "data_sent", .kind = KSCOPE_FIELD_U64 },
	{ .name = "data_received", .kind = KSCOPE_FIELD_U64 },
	{ .name = "bytes_acked", .kind = KSCOPE_FIELD_U64 },
	{ .name = "bytes_received", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN });

struct ev_close {
	struct ev_flow f;
	char oldstate[STATE_LEN];
	u64 duration_us;
	u64 data_sent;
	u64 data_received;
	u64 bytes_acked;
	u64 bytes_received;
	u64 pid;
	char comm[TASK_COMM_LEN];
};

DEFINE_FLOW_FIELDS(retrans_fields,
	{ .name = "state", .kind = KSCOPE_FIELD_STR, .size = STATE_LEN },
	{ .name = "segs", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 });

struct ev_retrans {
	struct ev_flow f;
	char state[STATE_LEN];
	u64 segs;
	u64 pid;
};

DEFINE_FLOW_FIELDS(reset_fields,
	{ .name = "direction", .kind = KSCOPE_FIELD_STR, .size = 8 },
	{ .name = "state", .kind = KSCOPE_FIELD_STR, .size = STATE_LEN },
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 });

struct ev_reset {
	struct ev_flow f;
	char dir[8];
	char state[STATE_LEN];
	u64 pid;
};

DEFINE_FLOW_FIELDS(cong_fields,
	{ .name = "cwnd", .kind = KSCOPE_FIELD_U64 },
	{ .name = "ssthresh", .kind = KSCOPE_FIELD_U64 },
	{ .name = "srtt_us", .kind = KSCOPE_FIELD_U64 },
	{ .name = "snd_wnd", .kind = KSCOPE_FIELD_U64 },
	{ .name = "rcv_wnd", .kind = KSCOPE_FIELD_U64 },
	{ .name = "sndbuf", .kind = KSCOPE_FIELD_U64 },
	{ .name = "wmem_queued", .kind = KSCOPE_FIELD_U64 },
	{ .name = "inflight", .kind = KSCOPE_FIELD_U64 },
	{ .name = "flow_pid", .kind = KSCOPE_FIELD_U64 });

struct ev_cong {
	struct ev_flow f;
	u64 cwnd;
	u64 ssthresh;
	u64 srtt_us;
	u64 snd_wnd;
	u64 rcv_wnd;
	u64 sndbuf;
	u64 wmem_queued;
	u64 inflight;
	u64 pid;
};

const struct kscope_event_desc kst_events[TE_NR_EVENTS] = {
	[TE_CONNECT] = KSCOPE_EVENT("connect", connect_fields, struct ev_connect),
	[TE_ACCEPT] = KSCOPE_EVENT("accept", accept_fields, struct ev_accept),
	[TE_STATE] = KSCOPE_EVENT("state", state_fields, struct ev_state),
	[TE_CLOSE] = KSCOPE_EVENT("close", close_fields, struct ev_close),
	[TE_RETRANS] = KSCOPE_EVENT("retransmit", retrans_fields, struct ev_retrans),
	[TE_RESET] = KSCOPE_EVENT("reset", reset_fields, struct ev_reset),
	[TE_CONG] = KSCOPE_EVENT("cong", cong_fields, struct ev_cong),
};

/* off until the source is registered, and again before it goes */
static DEFINE_STATIC_KEY_FALSE(kst_on);

void kst_probes_start(void)
{
	static_branch_enable(&kst_on);
}

void kst_probes_stop(void)
{
	static_branch_disable(&kst_on);
	/*
	 * tracepoint probes and kretprobe handlers run with preemption off:
	 * wait for those past the gate
	 */
	synchronize_rcu();
}

static const char * const kst_state_names[] = {
	[TCP_ESTABLISHED] = "ESTABLISHED",
	[TCP_SYN_SENT] = "SYN_SENT",
	[TCP_SYN_RECV] = "SYN_RECV",
	[TCP_FIN_WAIT1] = "FIN_WAIT1",
	[TCP_FIN_WAIT2] = "FIN_WAIT2",
	[TCP_TIME_WAIT] = "TIME_WAIT",
	[TCP_CLOSE] = "CLOSE",
	[TCP_CLOSE_WAIT] = "CLOSE_WAIT",
	[TCP_LAST_ACK] = "LAST_ACK",
	[TCP_LISTEN] = "LISTEN",
	[TCP_CLOSING] = "CLOSING",
	[TCP_NEW_SYN_RECV] = "NEW_SYN_RECV",
};

static void state_name(char *buf, int state)
{
	const char *n = NULL;

	if (state >= 0 && state < ARRAY_SIZE(kst_state_names))
		n = kst_state_names[state];
	strscpy(buf, n ?: "UNKNOWN", STATE_LEN);
}

void kst_tuple_from_sk(const struct sock *sk, struct kst_tuple *t)
{
	t->family = sk->sk_family;
	t->netns = sock_net(sk)->ns.inum;
	t->sport = ntohs(inet_sk(sk)->inet_sport);
	t->dport = ntohs(sk->sk_dport);
#if IS_ENABLED(CONFIG_IPV6)
	if (t->family == AF_INET6) {
		t->saddr = sk->sk_v6_rcv_saddr;
		t->daddr = sk->sk_v6_daddr;
		return;
	}
#endif
	ipv6_addr_set_v4mapped(sk->sk_rcv_saddr, &t->saddr);
	ipv6_addr_set_v4mapped(sk->sk_daddr, &t->daddr);
}

static void ev_flow_fill(struct ev_flow *e, const struct kst_tuple *t)
{
	e->netns = t->netns;
	e->family = t->family == AF_INET6 ? 6 : 4;
	e->saddr = t->saddr;
	e->sport = t->sport;
	e->daddr = t->daddr;
	e->dport = t->dport;
}

static bool is_v6(const struct sock *sk)
{
	return sk->sk_family == AF_INET6;
}

/* ---- connection life ---- */

static void on_close(const struct sock *sk, const struct kst_tuple *t,
		     int oldstate)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	unsigned int ctl_out, ctl_in;
	struct kst_flow_info fi;
	struct ev_close ev = { };
	bool fin_out;

	if (!kst_flow_end(sk, &fi) || !fi.start_ns) {
		/* listeners, and flows born before we looked or evicted */
		if (oldstate != TCP_LISTEN && oldstate != TCP_CLOSE)
			kscope_count(&kst_src, TC_CLOSES_UNTRACKED);
		return;
	}
	kscope_count(&kst_src, is_v6(sk) ? TC_CLOSES_V6 : TC_CLOSES_V4);
	if (!kst_want(TE_CLOSE) || !kst_filter_match(t, &fi, NULL))
		return;
	ev_flow_fill(&ev.f, t);
	state_name(ev.oldstate, oldstate);
	ev.duration_us = div_u64(ktime_get_ns() - fi.start_ns, NSEC_PER_USEC);
	ev.bytes_acked = READ_ONCE(tp->bytes_acked);
	ev.bytes_received = READ_ONCE(tp->bytes_received);
	/*
	 * bytes_acked/bytes_received (RFC 4898, what tcp_info and tcplife
	 * report) count sequence space: our SYN when it was acked, a FIN
	 * each way. data_* are the payload bytes alone.
	 */
	fin_out = (oldstate == TCP_FIN_WAIT2 || oldstate == TCP_CLOSING ||
		   oldstate == TCP_LAST_ACK) && tp->snd_una == tp->write_seq;
	ctl_out = fin_out + !!(fi.flags & KST_F_SYN_ACKED);
	ctl_in = sock_flag(sk, SOCK_DONE);	/* set by tcp_fin() */
	ev.data_sent = ev.bytes_acked >= ctl_out ? ev.bytes_acked - ctl_out : 0;
	ev.data_received = ev.bytes_received >= ctl_in ?
			   ev.bytes_received - ctl_in : 0;
	ev.pid = fi.pid;
	memcpy(ev.comm, fi.comm, sizeof(ev.comm));
	kscope_emit_typed(&kst_src, TE_CLOSE, &ev);
}

static void on_established(const struct sock *sk, const struct kst_tuple *t,
			   int oldstate)
{
	struct kst_flow_info fi;
	struct ev_connect ev = { };

	if (!kst_flow_mark(sk, t,
			   oldstate == TCP_SYN_SENT ? KST_F_SYN_ACKED : 0,
			   &fi)) {
		kst_flow_start(sk, t, false);
		return;
	}
	if (oldstate != TCP_SYN_SENT || !kst_want(TE_CONNECT) ||
	    !kst_filter_match(t, &fi, NULL))
		return;
	ev_flow_fill(&ev.f, t);
	ev.pid = fi.pid;
	memcpy(ev.comm, fi.comm, sizeof(ev.comm));
	ev.latency_us = fi.start_ns ?
		div_u64(ktime_get_ns() - fi.start_ns, NSEC_PER_USEC) : 0;
	kscope_emit_typed(&kst_src, TE_CONNECT, &ev);
}

static void probe_set_state(void *data, const struct sock *sk,
			    const int oldstate, const int newstate)
{
	struct kst_flow_info fi = { };
	struct kst_tuple t;
	struct ev_state ev = { };

	if (!static_branch_likely(&kst_on))
		return;
	if (sk->sk_protocol != IPPROTO_TCP)
		return;
	kst_tuple_from_sk(sk, &t);
	switch (newstate) {
	case TCP_SYN_SENT:
		/* still in connect(): current is the connecting task */
		kscope_count(&kst_src, is_v6(sk) ? TC_CONNECTS_V6 :
						   TC_CONNECTS_V4);
		kst_flow_start(sk, &t, true);
		break;
	case TCP_SYN_RECV:
		kst_flow_start(sk, &t, false);
		break;
	case TCP_ESTABLISHED:
		on_established(sk, &t, oldstate);
		break;
	}

	if (kst_want(TE_STATE)) {
		kst_flow_get(sk, &fi);	/* on close, still there */
		if (kst_filter_match(&t, &fi, NULL)) {
			ev_flow_fill(&ev.f, &t);
			state_name(ev.oldstate, oldstate);
			state_name(ev.newstate, newstate);
			ev.pid = fi.pid;
			kscope_emit_typed(&kst_src, TE_STATE, &ev);
		}
	}
	if (newstate == TCP_CLOSE)
		on_close(sk, &t, oldstate);
}

static void probe_destroy_sock(void *data, struct sock *sk)
{
	if (!static_branch_likely(&kst_on))
		return;
	kst_flow_end(sk, NULL);
}

static void accept_ret(struct kscope_hook *h, const struct kscope_hook_regs *r,
		       void *data)
{
	struct sock *sk = (struct sock *)kscope_hook_ret(r);
	struct kst_flow_info fi = { };
	struct kst_tuple t;
	struct ev_accept ev = { };

	if (!static_branch_likely(&kst_on))
		return;
	if (!sk || IS_ERR(sk) || sk->sk_protocol != IPPROTO_TCP)
		return;
	kscope_count(&kst_src, is_v6(sk) ? TC_ACCEPTS_V6 : TC_ACCEPTS_V4);
	kst_tuple_from_sk(sk, &t);
	kst_flow_set_owner(sk, &t);
	if (!kst_want(TE_ACCEPT))
		return;
	fi.pid = task_tgid_nr(current);
	if (!kst_filter_match(&t, &fi, NULL))
		return;
	ev_flow_fill(&ev.f, &t);
	ev.pid = fi.pid;
	get_task_comm(ev.comm, current);
	kscope_emit_typed(&kst_src, TE_ACCEPT, &ev);
}

/*
 * A task blocked in accept() holds an instance for as long as it waits:
 * allow many, and count the accepts missed beyond that (debugfs kprobes).
 */
static char *mech = "auto";
module_param(mech, charp, 0444);
MODULE_PARM_DESC(mech, "the accept hook: auto (fprobe where the kernel has it, else kretprobe), fprobe, kretprobe, direct (ftrace direct call; a task waiting in accept() at unload keeps kscope_core in use until it returns)");

static char accept_sym[KSYM_NAME_LEN];
static struct kscope_hook accept_hook = {
	.exit = accept_ret,
	.maxactive = 256,
};

/* ---- retransmissions and resets ---- */

/*
 * An event about @sk's flow, if the filter takes it: its addresses and
 * state into @f and @state, its owner into @fi.
 */
static bool flow_event(const struct sock *sk, struct ev_flow *f, char *state,
		       struct kst_flow_info *fi)
{
	struct kst_tuple t;

	kst_tuple_from_sk(sk, &t);
	kst_flow_get(sk, fi);
	if (!kst_filter_match(&t, fi, NULL))
		return false;
	ev_flow_fill(f, &t);
	state_name(state, sk->sk_state);
	return true;
}

static void KSCOPE_TCP_RETRANS_PROTO(probe_retransmit)
{
	struct kst_flow_info fi = { };
	struct ev_retrans ev = { };

	if (!static_branch_likely(&kst_on))
		return;
	if (KSCOPE_TCP_RETRANS_ERR()) {
		kscope_count(&kst_src, TC_RETRANS_FAILED);
		return;
	}
	/* segments, like RetransSegs and tcpi_total_retrans */
	kscope_count_add(&kst_src, is_v6(sk) ? TC_RETRANS_V6 : TC_RETRANS_V4,
			 tcp_skb_pcount(skb));
	if (!kst_want(TE_RETRANS) || !flow_event(sk, &ev.f, ev.state, &fi))
		return;
	ev.segs = tcp_skb_pcount(skb);
	ev.pid = fi.pid;
	kscope_emit_typed(&kst_src, TE_RETRANS, &ev);
}

/* a SYN-ACK resent for a request socket: counted, no flow yet */
static void probe_retransmit_synack(void *data, const struct sock *sk,
				    const struct request_sock *req)
{
	if (!static_branch_likely(&kst_on))
		return;
	kscope_count(&kst_src, req->rsk_ops->family == AF_INET6 ?
		     TC_RETRANS_V6 : TC_RETRANS_V4);
}

static void emit_reset(const struct sock *sk, const char *dir)
{
	struct kst_flow_info fi = { };
	struct ev_reset ev = { };

	if (!kst_want(TE_RESET) || !flow_event(sk, &ev.f, ev.state, &fi))
		return;
	strscpy(ev.dir, dir, sizeof(ev.dir));
	ev.pid = fi.pid;
	kscope_emit_typed(&kst_src, TE_RESET, &ev);
}

static void KSCOPE_TCP_SEND_RESET_PROTO(probe_send_reset)
{
	bool v6;

	if (!static_branch_likely(&kst_on))
		return;
	/* no socket, or a request/timewait one: the segment tells the family */
	if (sk)
		v6 = sk->sk_family == AF_INET6;
	else if (skb)
		v6 = skb->protocol == htons(ETH_P_IPV6);
	else
		return;
	kscope_count(&kst_src, v6 ? TC_RST_SENT_V6 : TC_RST_SENT_V4);
	if (sk && sk_fullsock(sk))
		emit_reset(sk, "sent");
}

static void probe_receive_reset(void *data, struct sock *sk)
{
	if (!static_branch_likely(&kst_on))
		return;
	kscope_count(&kst_src, is_v6(sk) ? TC_RST_RECV_V6 : TC_RST_RECV_V4);
	emit_reset(sk, "received");
}

/* ---- congestion sampling ---- */

static void probe_tcp_probe(void *data, struct sock *sk,
			    const struct sk_buff *skb)
{
	const struct tcp_sock *tp = tcp_sk(sk);
	struct kst_flow_info fi;
	struct kst_sample s;
	struct kst_tuple t;
	struct ev_cong ev = { };
	bool all, changed;

	if (!static_branch_likely(&kst_on))
		return;
	kst_tuple_from_sk(sk, &t);
	if (!kst_filter_match(&t, NULL, &all))
		return;
	s.cwnd = tcp_snd_cwnd(tp);
	s.ssthresh = tp->snd_ssthresh;
	s.srtt_us = tp->srtt_us >> 3;
	s.snd_wnd = tp->snd_wnd;
	s.rcv_wnd = tp->rcv_wnd;
	s.inflight = tcp_packets_in_flight(tp);
	s.sndbuf = READ_ONCE(sk->sk_sndbuf);
	s.wmem_queued = READ_ONCE(sk->sk_wmem_queued);
	changed = kst_flow_sample(sk, &t, &s, &fi);
	kscope_count(&kst_src, TC_SAMPLES);
	if (changed)
		kscope_count(&kst_src, TC_CONG_CHANGES);
	if (!(changed || all) || !kst_want(TE_CONG) ||
	    !kst_filter_match(&t, &fi, NULL))
		return;
	ev_flow_fill(&ev.f, &t);
	ev.cwnd = s.cwnd;
	ev.ssthresh = s.ssthresh;
	ev.srtt_us = s.srtt_us;
	ev.snd_wnd = s.snd_wnd;
	ev.rcv_wnd = s.rcv_wnd;
	ev.sndbuf = s.sndbuf;
	ev.wmem_queued = s.wmem_queued;
	ev.inflight = s.inflight;
	ev.pid = fi.pid;
	kscope_emit_typed(&kst_src, TE_CONG, &ev);
}

/* ---- attach ---- */

static struct kscope_tp kst_tps[] = {
	{ "inet_sock_set_state", probe_set_state },
	{ "tcp_destroy_sock", probe_destroy_sock },
	{ "tcp_retransmit_skb", probe_retransmit },
	{ "tcp_retransmit_synack", probe_retransmit_synack },
	{ "tcp_send_reset", probe_send_reset },
	{ "tcp_receive_reset", probe_receive_reset },
	{ "tcp_probe", probe_tcp_probe },
};

void kst_probes_detach(void)
{
	struct kscope_hook *hooks[] = { &accept_hook };

	kscope_hooks_detach(hooks, ARRAY_SIZE(hooks));
	/* no probe of ours runs after this */
	kscope_tps_detach(kst_tps, ARRAY_SIZE(kst_tps));
}

int kst_probes_attach(void)
{
	unsigned int flags;
	int ret;

	/* inet_csk_accept takes two arguments (four on 6.1): direct may serve */
	if (kscope_hook_mech_param(mech, &flags))
		return -EINVAL;
	ret = kscope_tps_attach(kst_tps, ARRAY_SIZE(kst_tps));
	if (ret)
		return ret;
	ret = kscope_hook_any(&accept_hook, "inet_csk_accept", accept_sym,
			      sizeof(accept_sym), flags);
	if (ret)
		goto detach_tps;
	scnprintf(kst_src.attach, sizeof(kst_src.attach), "%s; %s %s",
		  KST_TPS_ATTACH, kscope_hook_mech_name(accept_hook.mech),
		  accept_sym);
	return 0;

detach_tps:
	kscope_tps_detach(kst_tps, ARRAY_SIZE(kst_tps));
	return ret;
}

static int kprobes_show(struct seq_file *m, void *v)
{
	seq_printf(m, "%s_nmissed %lu\n", accept_sym,
		   kscope_hook_nmissed(&accept_hook));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kprobes);

void kst_probes_debugfs(struct dentry *dir)
{
	debugfs_create_file("kprobes", 0444, dir, NULL, &kprobes_fops);
}
