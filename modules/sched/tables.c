// SPDX-License-Identifier: GPL-2.0
/*
 * Fixed-size state of kscope_sched, all allocated at load: nothing here
 * allocates, sleeps, wakes anyone or prints, because the callers are
 * scheduler tracepoints running under the run-queue lock.
 *
 * - wakeup stamps: per thread, the core's bounded table (4-way sets) by
 *   tid; a full set drops its oldest stamp (task_evictions), losing that
 *   one sample;
 * - portraits: per process, the core's bounded table (8-way sets) by
 *   tgid; a full set reuses an exited portrait first, then the least
 *   recently updated (portrait_evictions);
 * - the system-wide run-queue histogram: the core's, per CPU.
 *
 * The table's set locks are raw spinlocks, always the innermost lock,
 * always taken with interrupts off: sched_wakeup fires in hard IRQ (a device interrupt
 * waking a task, the wakelist IPI) and also with interrupts on (a task
 * woken while it is current: try_to_wake_up() takes no lock then), so a
 * plain lock could be interrupted by a wakeup of a tid in the same set on
 * the same CPU and deadlock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/percpu.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <kscope/table.h>

#include "internal.h"

#define STAMP_WAYS	4
#define PORTRAIT_WAYS	8

/* values: a stamp is the u64 time of the wakeup; a portrait its struct */
static struct kscope_table *stamps;
static struct kscope_table *portraits;

static struct kscope_hist runq_hist;

/* An exited process's portrait goes before a live one's. */
static bool portrait_stale(const void *val)
{
	const struct ksch_portrait *pt = val;

	return pt->state == KP_EXITED;
}

int ksch_tables_init(void)
{
	if (kscope_hist_init(&runq_hist, KSCOPE_UNIT_US, KSCH_SLOTS))
		return -ENOMEM;
	stamps = kscope_table_create(tasks_max, STAMP_WAYS, sizeof(u64), NULL);
	if (!stamps)
		goto free_hist;
	portraits = kscope_table_create(portraits_max, PORTRAIT_WAYS,
					sizeof(struct ksch_portrait),
					portrait_stale);
	if (!portraits)
		goto free_stamps;
	return 0;

free_stamps:
	kscope_table_destroy(stamps);
	stamps = NULL;
free_hist:
	kscope_hist_free(&runq_hist);
	return -ENOMEM;
}

void ksch_tables_exit(void)
{
	kscope_table_destroy(portraits);
	kscope_table_destroy(stamps);
	kscope_hist_free(&runq_hist);
}

/* Zero the histograms and forget the portraits (stamps stay valid). */
void ksch_tables_reset(void)
{
	kscope_table_clear(portraits);
	kscope_hist_reset(&runq_hist);
}

void ksch_stamp(u32 tid, u64 now)
{
	struct kscope_table_ref ref;
	unsigned int res;
	u64 *ts;

	ts = kscope_table_get(stamps, tid, true, &ref, &res);
	*ts = now;
	kscope_table_put(&ref);
	if (res & KSCOPE_TABLE_EVICTED)
		kscope_count(&ksch_src, KC_TASK_EVICTIONS);
}

bool ksch_unstamp(u32 tid, u64 *ts)
{
	struct kscope_table_ref ref;
	u64 *v;

	v = kscope_table_get(stamps, tid, false, &ref, NULL);
	if (v) {
		*ts = *v;
		kscope_table_remove(stamps, &ref, v);
	}
	kscope_table_put(&ref);
	return v;
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
	struct kscope_table_ref ref;
	struct ksch_portrait *pt;
	u32 tgid = p->tgid;
	unsigned int res;

	if (!tgid)
		return false;
	pt = kscope_table_get(portraits, tgid, false, &ref, NULL);
	if (!pt) {
		kscope_table_put(&ref);
		/* the filter is read with no set lock held */
		if (!create || !ksch_filter_match(p))
			return false;
		pt = kscope_table_get(portraits, tgid, true, &ref, &res);
		if (res & KSCOPE_TABLE_EVICTED)
			kscope_count(&ksch_src, KC_PORTRAIT_EVICTIONS);
		/* else another CPU made it in between */
		if (res & KSCOPE_TABLE_NEW) {
			kscope_count(&ksch_src, KC_PORTRAITS);
			portrait_init(pt, p, now);
		}
	}
	pt->last_ns = now;
	if (fn)
		fn(pt, arg);
	kscope_table_put(&ref);
	return true;
}

/* ---- readers ---- */

static u64 portrait_lifetime(const struct ksch_portrait *pt)
{
	return pt->state == KP_EXITED ? pt->exit_ns - pt->start_ns : 0;
}

static size_t portrait_nl_size(const struct kscope_table_rec *r, void *arg)
{
	const struct ksch_portrait *pt = (const void *)r->val;

	return nla_total_size(0) +				/* PORTRAIT */
	       3 * nla_total_size(sizeof(u32)) +		/* PID, PPID, THREADS */
	       nla_total_size(strlen(pt->comm) + 1) +
	       nla_total_size(sizeof(u8)) +			/* STATE */
	       7 * nla_total_size_64bit(sizeof(u64)) +	/* START_NS ... NIVCSW */
	       nla_total_size(strlen(pt->filename) + 1) +
	       (pt->runq_hist.count ?
		kscope_hist_data_nest_size(&pt->runq_hist) : 0);
}

static int portrait_nl_put(struct sk_buff *msg,
			   const struct kscope_table_rec *r, void *arg)
{
	const struct ksch_portrait *pt = (const void *)r->val;
	struct nlattr *nest = nla_nest_start(msg, KSCOPE_SCHED_PORTRAIT);

	if (!nest ||
	    nla_put_u32(msg, KSCOPE_SCHED_PID, pt->tgid) ||
	    nla_put_u32(msg, KSCOPE_SCHED_PPID, pt->ppid) ||
	    nla_put_string(msg, KSCOPE_SCHED_COMM, pt->comm) ||
	    nla_put_u8(msg, KSCOPE_SCHED_STATE, pt->state) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_START_NS, pt->start_ns,
			      KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_LIFETIME_NS,
			      portrait_lifetime(pt), KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_ONCPU_NS, pt->oncpu_ns,
			      KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_RUNQ_NS, pt->runq_ns,
			      KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_RUNQ_SAMPLES,
			      pt->runq_samples, KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_NVCSW, pt->nvcsw,
			      KSCOPE_SCHED_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_NIVCSW, pt->nivcsw,
			      KSCOPE_SCHED_PAD) ||
	    nla_put_u32(msg, KSCOPE_SCHED_THREADS, pt->threads) ||
	    nla_put_string(msg, KSCOPE_SCHED_FILENAME, pt->filename))
		return -EMSGSIZE;
	if (pt->runq_hist.count &&
	    kscope_hist_data_put(msg, KSCOPE_SCHED_RUNQ_HIST, &pt->runq_hist))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

int ksch_portraits_reply(struct kscope_source *src, struct genl_info *info,
			 u32 cursor)
{
	const struct kscope_table_reply rp = {
		.t = portraits,
		.cursor_attr = KSCOPE_SCHED_CURSOR,
		.size = portrait_nl_size,
		.put = portrait_nl_put,
	};

	return kscope_table_reply(src, info, &rp, cursor);
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
static void ksch_portrait_show(struct seq_file *m,
			       const struct ksch_portrait *pt)
{
	seq_printf(m, "pid %u ppid %u comm %s state %s start_ns %llu lifetime_ns %llu oncpu_ns %llu runq_ns %llu runq_samples %llu nvcsw %llu nivcsw %llu threads %u filename %s\n",
		   pt->tgid, pt->ppid, pt->comm[0] ? pt->comm : "-",
		   pt->state == KP_LIVE ? "live" : "exited",
		   pt->start_ns, portrait_lifetime(pt),
		   pt->oncpu_ns, pt->runq_ns, pt->runq_samples,
		   pt->nvcsw, pt->nivcsw, pt->threads,
		   pt->filename[0] ? pt->filename : "-");
	kscope_hist_data_show(m, &pt->runq_hist);
}

static int portraits_show(struct seq_file *m, void *v)
{
	const struct ksch_portrait *pt;
	unsigned int cursor = 0, i, n;
	void *buf;

	/* one set at a time: PORTRAIT_WAYS records */
	buf = kmalloc_array(PORTRAIT_WAYS, kscope_table_rec_size(portraits),
			    GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	while (cursor < kscope_table_sets(portraits)) {
		n = kscope_table_snapshot(portraits, &cursor, buf,
					  PORTRAIT_WAYS);
		for (i = 0; i < n; i++) {
			pt = (void *)kscope_table_rec(portraits, buf, i)->val;
			ksch_portrait_show(m, pt);
		}
		cond_resched();
	}
	kfree(buf);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(portraits);

void ksch_tables_debugfs(struct dentry *dir)
{
	debugfs_create_file("runqlat", 0444, dir, NULL, &runqlat_fops);
	debugfs_create_file("portraits", 0444, dir, NULL, &portraits_fops);
}
