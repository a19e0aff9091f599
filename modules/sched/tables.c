// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-size state of kscope_sched, all allocated at load: nothing here
 * allocates, sleeps, wakes anyone or prints, because the callers are
 * scheduler tracepoints running under the run-queue lock.
 *
 * - wakeup stamps: per thread, 4-way set-associative by tid; a full set
 *   drops its oldest stamp (task_evictions), losing that one sample;
 * - portraits: per process, 8-way set-associative by tgid; a full set
 *   reuses an exited portrait first, then the least recently updated
 *   (portrait_evictions);
 * - the system-wide run-queue histogram: the core's, per CPU.
 *
 * Each set has a raw spinlock, always the innermost lock, always taken
 * with interrupts off: sched_wakeup fires in hard IRQ (a device interrupt
 * waking a task, the wakelist IPI) and also with interrupts on (a task
 * woken while it is current: try_to_wake_up() takes no lock then), so a
 * plain lock could be interrupted by a wakeup of a tid in the same set on
 * the same CPU and deadlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#include "internal.h"

#define STAMP_WAYS	4
#define PORTRAIT_WAYS	8

struct stamp {
	u32 tid;
	u64 ts;
};

struct stamp_set {
	raw_spinlock_t lock;
	struct stamp e[STAMP_WAYS];
};

struct portrait_set {
	raw_spinlock_t lock;
	struct ksch_portrait e[PORTRAIT_WAYS];
};

static struct stamp_set *stamps;
static unsigned int stamp_bits;
static struct portrait_set *portraits;
static unsigned int portrait_bits;

static struct kscope_hist runq_hist;

int ksch_tables_init(void)
{
	unsigned int i, nr_stamp = tasks_max / STAMP_WAYS;
	unsigned int nr_portrait = portraits_max / PORTRAIT_WAYS;

	if (kscope_hist_init(&runq_hist, KSCOPE_UNIT_US, KSCH_SLOTS))
		return -ENOMEM;
	stamps = vzalloc(array_size(nr_stamp, sizeof(*stamps)));
	if (!stamps)
		goto free_hist;
	portraits = vzalloc(array_size(nr_portrait, sizeof(*portraits)));
	if (!portraits)
		goto free_stamps;
	for (i = 0; i < nr_stamp; i++)
		raw_spin_lock_init(&stamps[i].lock);
	for (i = 0; i < nr_portrait; i++)
		raw_spin_lock_init(&portraits[i].lock);
	stamp_bits = ilog2(nr_stamp);
	portrait_bits = ilog2(nr_portrait);
	return 0;

free_stamps:
	vfree(stamps);
	stamps = NULL;
free_hist:
	kscope_hist_free(&runq_hist);
	return -ENOMEM;
}

void ksch_tables_exit(void)
{
	vfree(portraits);
	vfree(stamps);
	kscope_hist_free(&runq_hist);
}

/* Zero the histograms and forget the portraits (stamps stay valid). */
void ksch_tables_reset(void)
{
	unsigned long flags;
	unsigned int i;

	for (i = 0; i < (1U << portrait_bits); i++) {
		raw_spin_lock_irqsave(&portraits[i].lock, flags);
		memset(portraits[i].e, 0, sizeof(portraits[i].e));
		raw_spin_unlock_irqrestore(&portraits[i].lock, flags);
	}
	kscope_hist_reset(&runq_hist);
}

void ksch_stamp(u32 tid, u64 now)
{
	struct stamp_set *set = &stamps[hash_32(tid, stamp_bits)];
	struct stamp *victim = NULL;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&set->lock, flags);
	for (i = 0; i < STAMP_WAYS; i++) {
		if (set->e[i].tid == tid || !set->e[i].tid) {
			victim = &set->e[i];
			if (victim->tid == tid)
				goto store;
		}
	}
	if (!victim) {
		victim = &set->e[0];
		for (i = 1; i < STAMP_WAYS; i++)
			if (set->e[i].ts < victim->ts)
				victim = &set->e[i];
		kscope_count(&ksch_src, KC_TASK_EVICTIONS);
	}
store:
	victim->tid = tid;
	victim->ts = now;
	raw_spin_unlock_irqrestore(&set->lock, flags);
}

bool ksch_unstamp(u32 tid, u64 *ts)
{
	struct stamp_set *set = &stamps[hash_32(tid, stamp_bits)];
	bool found = false;
	unsigned long flags;
	unsigned int i;

	raw_spin_lock_irqsave(&set->lock, flags);
	for (i = 0; i < STAMP_WAYS; i++) {
		if (set->e[i].tid == tid) {
			*ts = set->e[i].ts;
			set->e[i].tid = 0;
			found = true;
			break;
		}
	}
	raw_spin_unlock_irqrestore(&set->lock, flags);
	return found;
}

/* usecs, as runqlat counts them */
void ksch_hist_add(u64 delta_ns)
{
	kscope_hist_add(&runq_hist, div_u64(delta_ns, NSEC_PER_USEC));
}

size_t ksch_hist_nest_size(void)
{
	return kscope_hist_nest_size(&runq_hist);
}

int ksch_hist_put(struct sk_buff *msg, int attrtype)
{
	return kscope_hist_put(msg, attrtype, &runq_hist);
}

static void portrait_init(struct ksch_portrait *pt, struct task_struct *p,
			  u64 now)
{
	struct task_struct *leader = p->group_leader;

	memset(pt, 0, sizeof(*pt));
	pt->tgid = p->tgid;
	pt->state = KP_LIVE;
	rcu_read_lock();
	pt->ppid = task_tgid_nr(rcu_dereference(p->real_parent));
	rcu_read_unlock();
	memcpy(pt->comm, p->comm, TASK_COMM_LEN);
	pt->comm[TASK_COMM_LEN - 1] = 0;
	pt->start_ns = leader->start_time;
	pt->last_ns = now;
	pt->threads = 1;
	kscope_hist_data_init(&pt->runq_hist, KSCOPE_UNIT_US, KSCH_SLOTS);
}

bool ksch_portrait_do(struct task_struct *p, bool create, u64 now,
		      ksch_portrait_fn fn, void *arg)
{
	struct portrait_set *set;
	struct ksch_portrait *pt = NULL, *victim = NULL;
	u32 tgid = p->tgid;
	unsigned long flags;
	unsigned int i;

	if (!tgid)
		return false;
	set = &portraits[hash_32(tgid, portrait_bits)];
	raw_spin_lock_irqsave(&set->lock, flags);
	for (i = 0; i < PORTRAIT_WAYS; i++) {
		struct ksch_portrait *e = &set->e[i];

		if (e->state != KP_FREE && e->tgid == tgid) {
			pt = e;
			break;
		}
		/* free first, then exited (oldest), then least recent */
		if (!victim || e->state < victim->state ||
		    (e->state == victim->state && e->last_ns < victim->last_ns))
			victim = e;
	}
	if (!pt) {
		if (!create || !ksch_filter_match(p)) {
			raw_spin_unlock_irqrestore(&set->lock, flags);
			return false;
		}
		if (victim->state != KP_FREE)
			kscope_count(&ksch_src, KC_PORTRAIT_EVICTIONS);
		kscope_count(&ksch_src, KC_PORTRAITS);
		pt = victim;
		portrait_init(pt, p, now);
	}
	pt->last_ns = now;
	if (fn)
		fn(pt, arg);
	raw_spin_unlock_irqrestore(&set->lock, flags);
	return true;
}

/* ---- debugfs ---- */

static int runqlat_show(struct seq_file *m, void *v)
{
	kscope_hist_show(m, &runq_hist);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(runqlat);

/*
 * One process per line of key value pairs, then its run-queue histogram
 * when it has samples (as runqlat -P prints one per process).
 */
static int portraits_show(struct seq_file *m, void *v)
{
	struct ksch_portrait *pt;
	unsigned int i, w;
	unsigned long flags;

	pt = kmalloc(sizeof(*pt), GFP_KERNEL);
	if (!pt)
		return -ENOMEM;
	for (i = 0; i < (1U << portrait_bits); i++) {
		for (w = 0; w < PORTRAIT_WAYS; w++) {
			raw_spin_lock_irqsave(&portraits[i].lock, flags);
			memcpy(pt, &portraits[i].e[w], sizeof(*pt));
			raw_spin_unlock_irqrestore(&portraits[i].lock, flags);
			if (pt->state == KP_FREE)
				continue;
			seq_printf(m, "pid %u ppid %u comm %s state %s start_ns %llu lifetime_ns %llu oncpu_ns %llu runq_ns %llu runq_samples %llu nvcsw %llu nivcsw %llu threads %u filename %s\n",
				   pt->tgid, pt->ppid, pt->comm[0] ? pt->comm : "-",
				   pt->state == KP_LIVE ? "live" : "exited",
				   pt->start_ns,
				   pt->state == KP_EXITED ?
				   pt->exit_ns - pt->start_ns : 0,
				   pt->oncpu_ns, pt->runq_ns, pt->runq_samples,
				   pt->nvcsw, pt->nivcsw, pt->threads,
				   pt->filename[0] ? pt->filename : "-");
			kscope_hist_data_show(m, &pt->runq_hist);
		}
	}
	kfree(pt);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(portraits);

void ksch_tables_debugfs(struct dentry *dir)
{
	debugfs_create_file("runqlat", 0444, dir, NULL, &runqlat_fops);
	debugfs_create_file("portraits", 0444, dir, NULL, &portraits_fops);
}
