// SPDX-License-Identifier: GPL-2.0
/*
 * Per-filesystem, per-operation counts, bytes, errors and latency
 * histograms (the core's). Each filesystem slot has a per-CPU block (one block per slot
 * keeps each allocation well under the per-CPU allocator's 32 KB limit);
 * a probe adds to this CPU's block (this_cpu_ptr(), preemption is off in
 * the probe) inside a u64_stats update section, and a reader sums the
 * CPUs with u64_stats fetch/retry, so no 64-bit counter tears where
 * 64-bit stores are not atomic.
 *
 * Filesystem types get a slot the first time one of their files is seen
 * (a spinlock serialises new slots, lookups are lock-free); the name is
 * copied, so a filesystem module may go away without a dangling pointer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/u64_stats_sync.h>

#include "internal.h"

/* one filesystem slot on one CPU */
struct vfs_fs_stats {
	struct u64_stats_sync syncp;
	u64_stats_t count[VFS_NR_OPS];
	u64_stats_t bytes[VFS_NR_OPS];
	u64_stats_t errors[VFS_NR_OPS];
};

static struct vfs_fs_stats __percpu *vfs_pcpu[VFS_NR_FS];
static struct kscope_hist vfs_hist[VFS_NR_FS][VFS_NR_OPS];

struct vfs_fs_slot {
	const struct file_system_type *type;	/* key only, never followed */
	char name[VFS_FS_NAME];
};

static struct vfs_fs_slot vfs_fs[VFS_NR_FS];
static int vfs_fs_used;
static DEFINE_RAW_SPINLOCK(vfs_fs_lock);

int vfs_nr_fs(void)
{
	/* pairs with the release in vfs_fs_slot_find(): names are complete */
	return smp_load_acquire(&vfs_fs_used);
}

const char *vfs_fs_name(int slot)
{
	return vfs_fs[slot].name;
}

/*
 * The slot this CPU found last: a loop of small I/O hits one filesystem
 * over and over. Checked against the published table, so an interrupt
 * that moves it between the read and the check costs a scan, never a
 * wrong slot.
 */
static DEFINE_PER_CPU(int, vfs_fs_last);

/* not this CPU's last slot: the scan, and a new slot for a new type */
static noinline int vfs_fs_slot_find(const struct file_system_type *t)
{
	unsigned long flags;
	int i, n;

	/* pairs with the release below: the slots before n are complete */
	n = smp_load_acquire(&vfs_fs_used);
	for (i = 0; i < n; i++) {
		if (vfs_fs[i].type == t) {
			this_cpu_write(vfs_fs_last, i);
			return i;
		}
	}

	raw_spin_lock_irqsave(&vfs_fs_lock, flags);
	n = vfs_fs_used;
	for (i = 0; i < n; i++)
		if (vfs_fs[i].type == t)
			goto out;
	if (n == VFS_NR_FS - 1) {
		/* the last slot, "other", collects every later type */
		i = n;
		goto out;
	}
	vfs_fs[n].type = t;
	strscpy(vfs_fs[n].name, t && t->name ? t->name : "none", VFS_FS_NAME);
	/* publish the slot after its name, for lock-free lookups */
	smp_store_release(&vfs_fs_used, n + 1);
	i = n;
out:
	raw_spin_unlock_irqrestore(&vfs_fs_lock, flags);
	return i;
}

static __always_inline int vfs_fs_slot(const struct super_block *sb)
{
	const struct file_system_type *t = sb ? sb->s_type : NULL;
	int i = this_cpu_read(vfs_fs_last);

	/* pairs with the release in vfs_fs_slot_find(): slot i is complete */
	if (i < smp_load_acquire(&vfs_fs_used) && vfs_fs[i].type == t)
		return i;
	return vfs_fs_slot_find(t);
}

/* Probe context: preemption is off, so this CPU's block stays ours. */
static __always_inline void vfs_stats_add(int fs, unsigned int op, u64 bytes,
					  bool err, bool timed, u64 lat_ns)
{
	struct vfs_fs_stats *s = this_cpu_ptr(vfs_pcpu[fs]);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->count[op]);
	u64_stats_add(&s->bytes[op], bytes);
	if (err)
		u64_stats_inc(&s->errors[op]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	if (timed)
		kscope_hist_add(&vfs_hist[fs][op], div_u64(lat_ns, NSEC_PER_USEC));
}

/* A record whose fs is -1 is given its filesystem's slot here, from its superblock. */
void vfs_stats_account(struct vfs_op_rec *r, bool timed)
{
	if (r->fs < 0)
		r->fs = vfs_fs_slot(r->sb);
	vfs_stats_add(r->fs, r->op, r->bytes, r->ret < 0, timed, r->lat_ns);
}

int vfs_stats_rw(const struct super_block *sb, unsigned int op, s64 ret,
		 u64 lat_ns)
{
	int fs = vfs_fs_slot(sb);

	vfs_stats_add(fs, op, ret > 0 ? ret : 0, ret < 0, true, lat_ns);
	return fs;
}

void vfs_stats_read(int fs, unsigned int op, struct vfs_opstat *st)
{
	u64 count, bytes, errors;
	unsigned int start;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vfs_fs_stats *s = per_cpu_ptr(vfs_pcpu[fs], cpu);

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			count = u64_stats_read(&s->count[op]);
			bytes = u64_stats_read(&s->bytes[op]);
			errors = u64_stats_read(&s->errors[op]);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		st->count += count;
		st->bytes += bytes;
		st->errors += errors;
	}
	kscope_hist_sum(&vfs_hist[fs][op], &st->hist);
}

/* @show each filesystem and op pair's sums; it skips what it need not print */
static int opstats_show(struct seq_file *m,
			void (*show)(struct seq_file *m, int fs, unsigned int op,
				     const struct vfs_opstat *st))
{
	struct vfs_opstat *st;
	unsigned int op;
	int fs, n = vfs_nr_fs();

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (fs = 0; fs < n; fs++) {
		for (op = 0; op < VFS_NR_OPS; op++) {
			vfs_stats_read(fs, op, st);
			show(m, fs, op, st);
		}
	}
	kfree(st);
	return 0;
}

/* "fs op count bytes errors" for every pair seen */
static void ops_line(struct seq_file *m, int fs, unsigned int op,
		     const struct vfs_opstat *st)
{
	if (st->count)
		seq_printf(m, "%s %s %llu %llu %llu\n", vfs_fs_name(fs),
			   vfs_op_names[op], st->count, st->bytes, st->errors);
}

static int ops_show(struct seq_file *m, void *v)
{
	return opstats_show(m, ops_line);
}
DEFINE_SHOW_ATTRIBUTE(ops);

/* "fs op" then its latency histogram, for every pair with samples */
static void hist_lines(struct seq_file *m, int fs, unsigned int op,
		       const struct vfs_opstat *st)
{
	if (!st->hist.count)
		return;
	seq_printf(m, "%s %s\n", vfs_fs_name(fs), vfs_op_names[op]);
	kscope_hist_data_show(m, &st->hist);
}

static int hist_show(struct seq_file *m, void *v)
{
	return opstats_show(m, hist_lines);
}
DEFINE_SHOW_ATTRIBUTE(hist);

void vfs_stats_debugfs(struct dentry *dir)
{
	debugfs_create_file("ops", 0444, dir, NULL, &ops_fops);
	debugfs_create_file("hist", 0444, dir, NULL, &hist_fops);
}

int vfs_stats_init(void)
{
	unsigned int op;
	int fs, cpu;

	for (fs = 0; fs < VFS_NR_FS; fs++) {
		vfs_pcpu[fs] = alloc_percpu(struct vfs_fs_stats);
		if (!vfs_pcpu[fs])
			goto free_pcpu;
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(vfs_pcpu[fs], cpu)->syncp);
		for (op = 0; op < VFS_NR_OPS; op++)
			if (kscope_hist_init(&vfs_hist[fs][op], KSCOPE_UNIT_US,
					     VFS_HIST_SLOTS))
				goto free_pcpu;
	}
	strscpy(vfs_fs[VFS_NR_FS - 1].name, "other", VFS_FS_NAME);
	return 0;

free_pcpu:
	vfs_stats_exit();
	return -ENOMEM;
}

void vfs_stats_exit(void)
{
	unsigned int op;
	int fs;

	for (fs = 0; fs < VFS_NR_FS; fs++) {
		free_percpu(vfs_pcpu[fs]);
		vfs_pcpu[fs] = NULL;
		for (op = 0; op < VFS_NR_OPS; op++)
			kscope_hist_free(&vfs_hist[fs][op]);
	}
}
