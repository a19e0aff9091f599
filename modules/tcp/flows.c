// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table: one entry per TCP socket that kscope_tcp has seen start
 * or sampled, preallocated at load (probes never allocate) and bounded by
 * flow_max. Keyed by the socket's address; an entry is dropped when its
 * socket closes or is destroyed, so a reused address starts afresh.
 *
 * tcp_probe fires on every segment a flow receives, on any CPU: the table
 * must not make flows wait on each other. It is set-associative, like
 * kscope_sched's tables: a socket hashes to one set of FLOW_WAYS entries,
 * each set has its own lock, and a full set evicts its least recently
 * touched flow (flow_evictions). So a flow is evicted when its set is
 * full, which can happen before the whole table is; with one set
 * (flow_max 16) the table is a plain LRU.
 *
 * Readers copy one set at a time under its lock and format the copy with
 * no lock held.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <net/tcp.h>

#include "internal.h"

#define FLOW_WAYS	16

struct kst_flow {
	struct kst_tuple t;
	struct kst_flow_info fi;
	struct kst_sample s;
	u64 samples;
	u64 touched;		/* the set's clock at the last use */
	bool sampled;
};

struct flow_set {
	spinlock_t lock;
	u16 active;
	u64 clock;
	const struct sock *sk[FLOW_WAYS];	/* NULL: a free entry */
	struct kst_flow e[FLOW_WAYS];
};

/* What a process records as a flow's owner, taken before any lock. */
struct kst_owner {
	u32 pid;
	char comm[TASK_COMM_LEN];
};

static struct flow_set *flow_sets;
static unsigned int nr_sets;

/* Sets for at least @max flows; the capacity is a multiple of FLOW_WAYS. */
int kst_flows_init(unsigned int max)
{
	unsigned int i;

	nr_sets = DIV_ROUND_UP(max, FLOW_WAYS);
	flow_sets = vzalloc(array_size(nr_sets, sizeof(*flow_sets)));
	if (!flow_sets)
		return -ENOMEM;
	for (i = 0; i < nr_sets; i++)
		spin_lock_init(&flow_sets[i].lock);
	return 0;
}

void kst_flows_exit(void)
{
	vfree(flow_sets);
	flow_sets = NULL;
}

static struct flow_set *flow_set_of(const struct sock *sk)
{
	return &flow_sets[reciprocal_scale(hash_ptr(sk, 32), nr_sets)];
}

static struct kst_flow *flow_find(struct flow_set *set, const struct sock *sk)
{
	unsigned int i;

	for (i = 0; i < FLOW_WAYS; i++)
		if (set->sk[i] == sk)
			return &set->e[i];
	return NULL;
}

static void flow_touch(struct flow_set *set, struct kst_flow *f)
{
	f->touched = ++set->clock;
}

static void flow_remove(struct flow_set *set, struct kst_flow *f)
{
	set->sk[f - set->e] = NULL;
	set->active--;
}

/* A zeroed entry for @sk, evicting the set's oldest flow when it is full. */
static struct kst_flow *flow_new(struct flow_set *set, const struct sock *sk)
{
	struct kst_flow *f = NULL;
	unsigned int i;

	for (i = 0; i < FLOW_WAYS; i++) {
		if (!set->sk[i]) {
			f = &set->e[i];
			break;
		}
		if (!f || set->e[i].touched < f->touched)
			f = &set->e[i];
	}
	if (set->sk[f - set->e]) {
		flow_remove(set, f);
		kscope_count(&kst_src, TC_FLOW_EVICTIONS);
	}
	memset(f, 0, sizeof(*f));
	set->sk[f - set->e] = sk;
	set->active++;
	flow_touch(set, f);
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
	struct flow_set *set = flow_set_of(sk);
	struct kst_owner o;
	struct kst_flow *f;
	unsigned long flags;

	owner = owner && owner_current(&o);
	spin_lock_irqsave(&set->lock, flags);
	f = flow_find(set, sk);
	if (f)
		flow_remove(set, f);
	f = flow_new(set, sk);
	f->t = *t;
	f->fi.start_ns = ktime_get_ns();
	if (owner)
		flow_set_owner(f, &o);
	spin_unlock_irqrestore(&set->lock, flags);
}

void kst_flow_set_owner(const struct sock *sk, const struct kst_tuple *t)
{
	struct flow_set *set = flow_set_of(sk);
	struct kst_owner o;
	struct kst_flow *f;
	unsigned long flags;
	bool owner;

	owner = owner_current(&o);
	spin_lock_irqsave(&set->lock, flags);
	f = flow_find(set, sk);
	if (!f)
		f = flow_new(set, sk);
	else
		flow_touch(set, f);
	f->t = *t;
	if (owner)
		flow_set_owner(f, &o);
	spin_unlock_irqrestore(&set->lock, flags);
}

bool kst_flow_get(const struct sock *sk, struct kst_flow_info *fi)
{
	struct flow_set *set = flow_set_of(sk);
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&set->lock, flags);
	f = flow_find(set, sk);
	if (f)
		*fi = f->fi;
	spin_unlock_irqrestore(&set->lock, flags);
	return f;
}

bool kst_flow_mark(const struct sock *sk, const struct kst_tuple *t,
		   u32 flags, struct kst_flow_info *fi)
{
	struct flow_set *set = flow_set_of(sk);
	struct kst_flow *f;
	unsigned long irqflags;

	spin_lock_irqsave(&set->lock, irqflags);
	f = flow_find(set, sk);
	if (f) {
		f->t = *t;
		f->fi.flags |= flags;
		*fi = f->fi;
	}
	spin_unlock_irqrestore(&set->lock, irqflags);
	return f;
}

bool kst_flow_end(const struct sock *sk, struct kst_flow_info *fi)
{
	struct flow_set *set = flow_set_of(sk);
	struct kst_flow *f;
	unsigned long flags;

	spin_lock_irqsave(&set->lock, flags);
	f = flow_find(set, sk);
	if (f) {
		if (fi)
			*fi = f->fi;
		flow_remove(set, f);
	}
	spin_unlock_irqrestore(&set->lock, flags);
	return f;
}

bool kst_flow_sample(const struct sock *sk, const struct kst_tuple *t,
		     const struct kst_sample *s, struct kst_flow_info *fi)
{
	struct flow_set *set = flow_set_of(sk);
	struct kst_flow *f;
	unsigned long flags;
	bool changed;

	spin_lock_irqsave(&set->lock, flags);
	f = flow_find(set, sk);
	if (!f)
		f = flow_new(set, sk);	/* established before we looked */
	else
		flow_touch(set, f);
	changed = !f->sampled || f->s.cwnd != s->cwnd ||
		  f->s.ssthresh != s->ssthresh;
	f->t = *t;
	f->s = *s;
	f->sampled = true;
	f->samples++;
	*fi = f->fi;
	spin_unlock_irqrestore(&set->lock, flags);
	return changed;
}

/* ---- debugfs ---- */

/* one set's flows, copied under its lock, oldest first */
struct flows_snap {
	unsigned int n;
	struct kst_flow e[FLOW_WAYS];
};

static void *flows_start(struct seq_file *m, loff_t *pos)
{
	return *pos < nr_sets ? &flow_sets[*pos] : NULL;
}

static void *flows_next(struct seq_file *m, void *v, loff_t *pos)
{
	++*pos;
	return flows_start(m, pos);
}

static void flows_stop(struct seq_file *m, void *v)
{
}

static void flows_copy(struct flow_set *set, struct flows_snap *snap)
{
	unsigned int i, j;
	unsigned long flags;

	snap->n = 0;
	spin_lock_irqsave(&set->lock, flags);
	for (i = 0; i < FLOW_WAYS; i++)
		if (set->sk[i])
			snap->e[snap->n++] = set->e[i];
	spin_unlock_irqrestore(&set->lock, flags);
	/* insertion sort by age: at most FLOW_WAYS entries */
	for (i = 1; i < snap->n; i++) {
		struct kst_flow f = snap->e[i];

		for (j = i; j && snap->e[j - 1].touched > f.touched; j--)
			snap->e[j] = snap->e[j - 1];
		snap->e[j] = f;
	}
}

/* One flow per line, in the spirit of `ss -ti`; one set per call. */
static int flows_show(struct seq_file *m, void *v)
{
	struct flows_snap *snap = m->private;
	u64 now = ktime_get_ns();
	unsigned int i;

	flows_copy(v, snap);
	for (i = 0; i < snap->n; i++) {
		const struct kst_flow *f = &snap->e[i];
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
	return seq_open_private(file, &flows_sops, sizeof(struct flows_snap));
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
	unsigned int i, active = 0;

	for (i = 0; i < nr_sets; i++)
		active += READ_ONCE(flow_sets[i].active);
	seq_printf(m, "capacity %u\nactive %u\nsets %u\nways %u\n",
		   nr_sets * FLOW_WAYS, active, nr_sets, FLOW_WAYS);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(table);

void kst_flows_debugfs(struct dentry *dir)
{
	debugfs_create_file("flows", 0444, dir, NULL, &flows_fops);
	debugfs_create_file("table", 0444, dir, NULL, &table_fops);
}
