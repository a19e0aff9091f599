// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: one entry per TCP socket that kscope_tcp has seen start
 * or sampled, preallocated at load (probes never allocate) and bounded by
 * flow_max. When it is full the least recently touched flow is evicted and
 * counted. Keyed by the socket's address; an entry is dropped when its
 * socket closes or is destroyed, so a reused address starts afresh.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <net/tcp.h>

#include "internal.h"

struct kst_flow {
	struct hlist_node hnode;
	struct list_head lru;		/* or the free list */
	const struct sock *sk;
	struct kst_tuple t;
	struct kst_flow_info fi;
	struct kst_sample s;
	u64 samples;
	bool sampled;
};

static DEFINE_SPINLOCK(flows_lock);
static struct kst_flow *flows;
static struct hlist_head *flow_hash;
static unsigned int flow_hash_bits;
static LIST_HEAD(flow_lru);		/* oldest first */
static LIST_HEAD(flow_free);
static unsigned int flows_active;

int kst_flows_init(unsigned int max)
{
	unsigned int i;

	flows = vzalloc(array_size(max, sizeof(*flows)));
	if (!flows)
		return -ENOMEM;
	flow_hash_bits = ilog2(roundup_pow_of_two(max));
	flow_hash = vzalloc(array_size(1U << flow_hash_bits,
				       sizeof(*flow_hash)));
	if (!flow_hash) {
		vfree(flows);
		flows = NULL;
		return -ENOMEM;
	}
	for (i = 0; i < max; i++)
		list_add_tail(&flows[i].lru, &flow_free);
	return 0;
}

void kst_flows_exit(void)
{
	vfree(flow_hash);
	vfree(flows);
	flow_hash = NULL;
	flows = NULL;
}

static struct hlist_head *flow_bucket(const struct sock *sk)
{
	return &flow_hash[hash_ptr(sk, flow_hash_bits)];
}

static struct kst_flow *flow_find(const struct sock *sk)
{
	struct kst_flow *f;

	hlist_for_each_entry(f, flow_bucket(sk), hnode)
		if (f->sk == sk)
			return f;
	return NULL;
}

static void flow_remove(struct kst_flow *f)
{
	hlist_del(&f->hnode);
	list_move(&f->lru, &flow_free);
	flows_active--;
}

/* A zeroed entry for @sk, evicting the oldest flow when the table is full. */
static struct kst_flow *flow_new(const struct sock *sk)
{
	struct kst_flow *f;

	if (list_empty(&flow_free)) {
		f = list_first_entry(&flow_lru, struct kst_flow, lru);
		flow_remove(f);
		kscope_count(&kst_src, TC_FLOW_EVICTIONS);
	}
	f = list_first_entry(&flow_free, struct kst_flow, lru);
	list_move_tail(&f->lru, &flow_lru);
	memset(&f->t, 0, sizeof(f->t));
	memset(&f->fi, 0, sizeof(f->fi));
	memset(&f->s, 0, sizeof(f->s));
	f->samples = 0;
	f->sampled = false;
	f->sk = sk;
	hlist_add_head(&f->hnode, flow_bucket(sk));
	flows_active++;
	kscope_count(&kst_src, TC_FLOWS_ADDED);
	return f;
}

static void flow_set_owner(struct kst_flow *f)
{
	if (!in_task())
		return;
	f->fi.pid = task_tgid_nr(current);
	get_task_comm(f->fi.comm, current);
}

void kst_flow_start(const struct sock *sk, const struct kst_tuple *t,
		    bool owner)
{
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&flows_lock, flags);
	f = flow_find(sk);
	if (f)
		flow_remove(f);
	f = flow_new(sk);
	f->t = *t;
	f->fi.start_ns = ktime_get_ns();
	if (owner)
		flow_set_owner(f);
	spin_unlock_irqrestore(&flows_lock, flags);
}

void kst_flow_set_owner(const struct sock *sk, const struct kst_tuple *t)
{
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&flows_lock, flags);
	f = flow_find(sk);
	if (!f)
		f = flow_new(sk);
	else
		list_move_tail(&f->lru, &flow_lru);
	f->t = *t;
	flow_set_owner(f);
	spin_unlock_irqrestore(&flows_lock, flags);
}

bool kst_flow_get(const struct sock *sk, struct kst_flow_info *fi)
{
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&flows_lock, flags);
	f = flow_find(sk);
	if (f)
		*fi = f->fi;
	spin_unlock_irqrestore(&flows_lock, flags);
	return f;
}

bool kst_flow_mark(const struct sock *sk, u32 flags, struct kst_flow_info *fi)
{
	struct kst_flow *f;
	unsigned long irqflags;

	spin_lock_irqsave(&flows_lock, irqflags);
	f = flow_find(sk);
	if (f) {
		f->fi.flags |= flags;
		*fi = f->fi;
	}
	spin_unlock_irqrestore(&flows_lock, irqflags);
	return f;
}

bool kst_flow_end(const struct sock *sk, struct kst_flow_info *fi)
{
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&flows_lock, flags);
	f = flow_find(sk);
	if (f) {
		if (fi)
			*fi = f->fi;
		flow_remove(f);
	}
	spin_unlock_irqrestore(&flows_lock, flags);
	return f;
}

bool kst_flow_sample(const struct sock *sk, const struct kst_tuple *t,
		     const struct kst_sample *s, struct kst_flow_info *fi)
{
	struct kst_flow *f;
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&flows_lock, flags);
	f = flow_find(sk);
	if (!f)
		f = flow_new(sk);	/* established before we looked */
	else
		list_move_tail(&f->lru, &flow_lru);
	changed = !f->sampled || f->s.cwnd != s->cwnd ||
		  f->s.ssthresh != s->ssthresh;
	f->t = *t;
	f->s = *s;
	f->sampled = true;
	f->samples++;
	*fi = f->fi;
	spin_unlock_irqrestore(&flows_lock, flags);
	return changed;
}

/* One flow per line, in the spirit of `ss -ti`. */
static int flows_show(struct seq_file *m, void *v)
{
	u64 now = ktime_get_ns();
	struct kst_flow *f;

	spin_lock_irq(&flows_lock);
	list_for_each_entry(f, &flow_lru, lru) {
		const struct kst_tuple *t = &f->t;

		if (t->family == AF_INET)
			seq_printf(m, "ipv4 %pI4:%u %pI4:%u", &t->saddr.s6_addr32[3],
				   t->sport, &t->daddr.s6_addr32[3], t->dport);
		else
			seq_printf(m, "ipv6 [%pI6c]:%u [%pI6c]:%u", &t->saddr,
				   t->sport, &t->daddr, t->dport);
		seq_printf(m, " netns %u pid %u comm %s age_ms %llu",
			   t->netns, f->fi.pid, f->fi.pid ? f->fi.comm : "-",
			   f->fi.start_ns ? div_u64(now - f->fi.start_ns,
						    NSEC_PER_MSEC) : 0);
		if (f->sampled)
			seq_printf(m, " samples %llu cwnd %u ssthresh %u srtt_us %u snd_wnd %u rcv_wnd %u sndbuf %d wmem_queued %d inflight %u\n",
				   f->samples, f->s.cwnd, f->s.ssthresh,
				   f->s.srtt_us, f->s.snd_wnd, f->s.rcv_wnd,
				   f->s.sndbuf, f->s.wmem_queued,
				   f->s.inflight);
		else
			seq_puts(m, " samples 0\n");
	}
	spin_unlock_irq(&flows_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(flows);

static int table_show(struct seq_file *m, void *v)
{
	unsigned int active;

	spin_lock_irq(&flows_lock);
	active = flows_active;
	spin_unlock_irq(&flows_lock);
	seq_printf(m, "capacity %u\nactive %u\n", flow_max, active);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(table);

void kst_flows_debugfs(struct dentry *dir)
{
	debugfs_create_file("flows", 0444, dir, NULL, &flows_fops);
	debugfs_create_file("table", 0444, dir, NULL, &table_fops);
}
