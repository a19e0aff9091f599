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

static struct vfs_fs vfs_fs[VFS_NR_FS];
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
 * over and over. Only published slots are stored here, and a slot's type
 * never changes once published: a reader that checks the type of the
 * slot it read finds the right one or scans (vfs_fs_of()).
 */
DEFINE_PER_CPU(struct vfs_fs *, vfs_fs_last);

/* not this CPU's last slot: the scan, and a new slot for a new type */
struct vfs_fs *vfs_fs_find(const struct file_system_type *t)
{
	unsigned long flags;
	int i, n;

	/* pairs with the release below: the slots before n are complete */
	n = smp_load_acquire(&vfs_fs_used);
	for (i = 0; i < n; i++) {
		if (vfs_fs[i].type == t) {
			this_cpu_write(vfs_fs_last, &vfs_fs[i]);
			return &vfs_fs[i];
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
	return &vfs_fs[i];
}

/* A record whose fs is -1 is given its filesystem's slot here, from its superblock. */
void vfs_stats_account(struct vfs_op_rec *r, bool timed)
{
	struct vfs_fs *fs = r->fs < 0 ? vfs_fs_of(r->sb) : &vfs_fs[r->fs];

	r->fs = fs->idx;
	vfs_stats_add(fs, r->op, r->bytes, r->ret < 0, timed, r->lat_ns);
}

void vfs_stats_read(int fs, unsigned int op, struct vfs_opstat *st)
{
	u64 count, bytes, errors;
	unsigned int start;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vfs_fs_stats *s = per_cpu_ptr(vfs_fs[fs].pcpu, cpu);

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
	kscope_hist_sum(&vfs_fs[fs].hist[op], &st->hist);
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
		vfs_fs[fs].idx = fs;
		vfs_fs[fs].pcpu = alloc_percpu(struct vfs_fs_stats);
		if (!vfs_fs[fs].pcpu)
			goto free_pcpu;
		for_each_possible_cpu(cpu)
			u64_stats_init(&per_cpu_ptr(vfs_fs[fs].pcpu, cpu)->syncp);
		for (op = 0; op < VFS_NR_OPS; op++)
			if (kscope_hist_init(&vfs_fs[fs].hist[op], KSCOPE_UNIT_US,
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
		free_percpu(vfs_fs[fs].pcpu);
		vfs_fs[fs].pcpu = NULL;
		for (op = 0; op < VFS_NR_OPS; op++)
			kscope_hist_free(&vfs_fs[fs].hist[op]);
	}
}
