// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: one entry per TCP socket that kscope_tcp has seen start
 * or sampled, preallocated at load (probes never allocate) and bounded by
 * flow_max. Keyed by the socket's address; an entry is dropped when its
 * socket closes or is destroyed, so a reused address starts afresh.
 *
 * tcp_probe fires on every segment a flow receives, on any CPU: the table
 * must not make flows wait on each other. It is the core's bounded table
 * (include/kscope/table.h): a socket hashes to one set of FLOW_WAYS
 * entries, each set has its own lock, and a full set evicts its least
 * recently touched flow (flow_evictions). So a flow is evicted when its
 * set is full, which can happen before the whole table is; with one set
 * (flow_max 16) the table is a plain LRU.
 *
 * Readers copy one set at a time under its lock and format the copy with
 * no lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/tcp.h>
#include <kscope/table.h>

#include "internal.h"

#define FLOW_WAYS	16

struct kst_flow {
	struct kst_tuple t;
	struct kst_flow_info fi;
	struct kst_sample s;
	u64 samples;
	bool sampled;
};

/* What a process records as a flow's owner, taken before any lock. */
struct kst_owner {
	u32 pid;
	char comm[TASK_COMM_LEN];
};

static struct kscope_table *flows;

/* Sets for at least @max flows; the capacity is a multiple of FLOW_WAYS. */
int kst_flows_init(unsigned int max)
{
	flows = kscope_table_create(max, FLOW_WAYS, sizeof(struct kst_flow),
				    NULL);
	if (!flows)
		return -ENOMEM;
	/* the "flows" gauge: +1 as a flow takes a free entry, -1 as it goes */
	kscope_table_gauge(flows, &kst_src, TC_FLOWS);
	return 0;
}

void kst_flows_exit(void)
{
	kscope_table_destroy(flows);
	flows = NULL;
}

static u64 flow_key(const struct sock *sk)
{
	return (unsigned long)sk;
}

/* @sk's flow, created when absent if @create; the set stays locked. */
static struct kst_flow *flow_get(const struct sock *sk, bool create,
				 struct kscope_table_ref *ref)
	__acquires(ref)
{
	struct kst_flow *f;
	unsigned int res;

	f = kscope_table_get(flows, flow_key(sk), create, ref, &res);
	if (res & KSCOPE_TABLE_EVICTED)
		kscope_count(&kst_src, TC_FLOW_EVICTIONS);
	if (res & KSCOPE_TABLE_NEW)
		kscope_count(&kst_src, TC_FLOWS_ADDED);
	return f;
}

/*
 * The current task, when there is one: get_task_comm() takes task_lock,
 * which must never nest inside a set lock (taken in softirq): a task
 * holding its task_lock when NET_RX runs would deadlock against us.
 */
static bool owner_current(struct kst_owner *o)
{
	if (!in_task())
		return false;
	o->pid = task_tgid_nr(current);
	get_task_comm(o->comm, current);
	return true;
}

static void flow_set_owner(struct kst_flow *f, const struct kst_owner *o)
{
	f->fi.pid = o->pid;
	memcpy(f->fi.comm, o->comm, sizeof(f->fi.comm));
}

void kst_flow_start(const struct sock *sk, const struct kst_tuple *t,
		    bool owner)
{
	struct kscope_table_ref ref;
	struct kst_owner o;
	struct kst_flow *f;
	unsigned int res;

	owner = owner && owner_current(&o);
	f = kscope_table_get(flows, flow_key(sk), true, &ref, &res);
	if (res & KSCOPE_TABLE_EVICTED)
		kscope_count(&kst_src, TC_FLOW_EVICTIONS);
	/* a reused socket starts afresh */
	if (!(res & KSCOPE_TABLE_NEW))
		memset(f, 0, sizeof(*f));
	kscope_count(&kst_src, TC_FLOWS_ADDED);
	f->t = *t;
	f->fi.start_ns = ktime_get_ns();
	if (owner)
		flow_set_owner(f, &o);
	kscope_table_put(&ref);
}

void kst_flow_set_owner(const struct sock *sk, const struct kst_tuple *t)
{
	struct kscope_table_ref ref;
	struct kst_owner o;
	struct kst_flow *f;
	bool owner;

	owner = owner_current(&o);
	f = flow_get(sk, true, &ref);
	f->t = *t;
	if (owner)
		flow_set_owner(f, &o);
	kscope_table_put(&ref);
}

bool kst_flow_get(const struct sock *sk, struct kst_flow_info *fi)
{
	struct kscope_table_ref ref;
	struct kst_flow *f;

	f = flow_get(sk, false, &ref);
	if (f)
		*fi = f->fi;
	kscope_table_put(&ref);
	return f;
}

bool kst_flow_mark(const struct sock *sk, const struct kst_tuple *t,
		   u32 flags, struct kst_flow_info *fi)
{
	struct kscope_table_ref ref;
	struct kst_flow *f;

	f = flow_get(sk, false, &ref);
	if (f) {
		f->t = *t;
		f->fi.flags |= flags;
		*fi = f->fi;
	}
	kscope_table_put(&ref);
	return f;
}

bool kst_flow_end(const struct sock *sk, struct kst_flow_info *fi)
{
	struct kscope_table_ref ref;
	struct kst_flow *f;

	f = flow_get(sk, false, &ref);
	if (f) {
		if (fi)
			*fi = f->fi;
		kscope_table_remove(flows, &ref, f);
	}
	kscope_table_put(&ref);
	return f;
}

bool kst_flow_sample(const struct sock *sk, const struct kst_tuple *t,
		     const struct kst_sample *s, struct kst_flow_info *fi)
{
	struct kscope_table_ref ref;
	struct kst_flow *f;
	bool changed;

	/* created here when established before we looked */
	f = flow_get(sk, true, &ref);
	changed = !f->sampled || f->s.cwnd != s->cwnd ||
		  f->s.ssthresh != s->ssthresh;
	f->t = *t;
	f->s = *s;
	f->sampled = true;
	f->samples++;
	*fi = f->fi;
	kscope_table_put(&ref);
	return changed;
}

/* ---- readers ---- */

static u64 flow_age_ms(const struct kst_flow *f, u64 now)
{
	return f->fi.start_ns ? div_u64(now - f->fi.start_ns, NSEC_PER_MSEC) : 0;
}

static size_t flow_nl_size(const struct kscope_table_rec *r, void *arg)
{
	const struct kst_flow *f = (const void *)r->val;
	size_t size = nla_total_size(0) +			/* FLOW */
		      3 * nla_total_size(sizeof(u16)) +		/* FAMILY, PORTS */
		      2 * nla_total_size(sizeof(struct in6_addr)) +
		      2 * nla_total_size(sizeof(u32)) +		/* NETNS, PID */
		      nla_total_size(f->fi.pid ? strlen(f->fi.comm) + 1 : 1) +
		      2 * nla_total_size_64bit(sizeof(u64));	/* AGE, SAMPLES */

	if (f->sampled)
		size += 8 * nla_total_size(sizeof(u32));	/* CWND ... */
	return size;
}

static int flow_nl_put(struct sk_buff *msg, const struct kscope_table_rec *r,
		       void *arg)
{
	const struct kst_flow *f = (const void *)r->val;
	const struct kst_tuple *t = &f->t;
	struct nlattr *nest = nla_nest_start(msg, KSCOPE_TCP_FLOW);
	const u64 *now = arg;

	if (!nest ||
	    nla_put_u16(msg, KSCOPE_TCP_FAMILY, t->family) ||
	    nla_put(msg, KSCOPE_TCP_SADDR, sizeof(t->saddr), &t->saddr) ||
	    nla_put_u16(msg, KSCOPE_TCP_SPORT, t->sport) ||
	    nla_put(msg, KSCOPE_TCP_DADDR, sizeof(t->daddr), &t->daddr) ||
	    nla_put_u16(msg, KSCOPE_TCP_DPORT, t->dport) ||
	    nla_put_u32(msg, KSCOPE_TCP_NETNS, t->netns) ||
	    nla_put_u32(msg, KSCOPE_TCP_PID, f->fi.pid) ||
	    nla_put_string(msg, KSCOPE_TCP_COMM, f->fi.pid ? f->fi.comm : "") ||
	    nla_put_u64_64bit(msg, KSCOPE_TCP_AGE_MS, flow_age_ms(f, *now),
			      KSCOPE_TCP_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_TCP_SAMPLES, f->samples,
			      KSCOPE_TCP_PAD))
		return -EMSGSIZE;
	if (f->sampled &&
	    (nla_put_u32(msg, KSCOPE_TCP_CWND, f->s.cwnd) ||
	     nla_put_u32(msg, KSCOPE_TCP_SSTHRESH, f->s.ssthresh) ||
	     nla_put_u32(msg, KSCOPE_TCP_SRTT_US, f->s.srtt_us) ||
	     nla_put_u32(msg, KSCOPE_TCP_SND_WND, f->s.snd_wnd) ||
	     nla_put_u32(msg, KSCOPE_TCP_RCV_WND, f->s.rcv_wnd) ||
	     nla_put_s32(msg, KSCOPE_TCP_SNDBUF, f->s.sndbuf) ||
	     nla_put_s32(msg, KSCOPE_TCP_WMEM_QUEUED, f->s.wmem_queued) ||
	     nla_put_u32(msg, KSCOPE_TCP_INFLIGHT, f->s.inflight)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int kst_flows_reply(struct kscope_source *src, struct genl_info *info,
		    u32 cursor)
{
	u64 now = ktime_get_ns();
	const struct kscope_table_reply rp = {
		.t = flows,
		.cursor_attr = KSCOPE_TCP_CURSOR,
		.size = flow_nl_size,
		.put = flow_nl_put,
		.arg = &now,
	};

	return kscope_table_reply(src, info, &rp, cursor);
}

/* ---- debugfs ---- */

/*
 * The seq_file position is the table's cursor: each show copies one set
 * (FLOW_WAYS records, the buffer in m->private) and formats it.
 */
struct flows_iter {
	unsigned int next;
	u8 buf[];
};

static void *flows_start(struct seq_file *m, loff_t *pos)
{
	return *pos < kscope_table_sets(flows) ? m->private : NULL;
}

static void *flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	struct flows_iter *it = v;

	*pos = it->next;
	return flows_start(m, pos);
}

static void flows_stop(struct seq_file *m, void *v)
{
}

/* One flow per line, in the spirit of `ss -ti`; one set per call. */
static int flows_show(struct seq_file *m, void *v)
{
	struct flows_iter *it = v;
	u64 now = ktime_get_ns();
	unsigned int i, n;

	it->next = m->index;
	n = kscope_table_snapshot(flows, &it->next, it->buf, FLOW_WAYS);
	for (i = 0; i < n; i++) {
		const struct kst_flow *f = (void *)kscope_table_rec(flows,
								    it->buf, i)->val;
		const struct kst_tuple *t = &f->t;

		if (t->family == AF_INET)
			seq_printf(m, "ipv4 %pI4:%u %pI4:%u", &t->saddr.s6_addr32[3],
				   t->sport, &t->daddr.s6_addr32[3], t->dport);
		else
			seq_printf(m, "ipv6 [%pI6c]:%u [%pI6c]:%u", &t->saddr,
				   t->sport, &t->daddr, t->dport);
		seq_printf(m, " netns %u pid %u comm %s age_ms %llu",
			   t->netns, f->fi.pid, f->fi.pid ? f->fi.comm : "-",
			   flow_age_ms(f, now));
		if (f->sampled)
			seq_printf(m, " samples %llu cwnd %u ssthresh %u srtt_us %u snd_wnd %u rcv_wnd %u sndbuf %d wmem_queued %d inflight %u\n",
				   f->samples, f->s.cwnd, f->s.ssthresh,
				   f->s.srtt_us, f->s.snd_wnd, f->s.rcv_wnd,
				   f->s.sndbuf, f->s.wmem_queued,
				   f->s.inflight);
		else
			seq_puts(m, " samples 0\n");
	}
	return 0;
}

static const struct seq_operations flows_sops = {
	.start = flows_start,
	.next = flows_next,
	.stop = flows_stop,
	.show = flows_show,
};

static int flows_open(struct inode *inode, struct file *file)
{
	return seq_open_private(file, &flows_sops,
				sizeof(struct flows_iter) +
				FLOW_WAYS * kscope_table_rec_size(flows));
}

static const struct file_operations flows_fops = {
	.owner = THIS_MODULE,
	.open = flows_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = seq_release_private,
};

static int table_show(struct seq_file *m, void *v)
{
	unsigned int sets = kscope_table_sets(flows);

	seq_printf(m, "capacity %u\nactive %u\nsets %u\nways %u\n",
		   sets * FLOW_WAYS, kscope_table_used(flows), sets, FLOW_WAYS);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(table);

void kst_flows_debugfs(struct dentry *dir)
{
	debugfs_create_file("flows", 0444, dir, NULL, &flows_fops);
	debugfs_create_file("table", 0444, dir, NULL, &table_fops);
}
