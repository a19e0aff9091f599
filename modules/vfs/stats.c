// SPDX-License-Identifier: GPL-2.0
/*
 * Per-filesystem, per-operation counts, bytes, errors and log2 latency
 * histograms. Each CPU owns a block of counters (too big for the per-CPU
 * allocator's 32 KB limit, so allocated per CPU by hand); a probe adds to
 * its own CPU's block with preemption off, a reader sums them.
 *
 * Filesystem types get a slot the first time one of their files is seen
 * (a spinlock serialises new slots, lookups are lock-free); the name is
 * copied, so a filesystem module may go away without a dangling pointer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/fs.h>
#include <linux/log2.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>

#include "internal.h"

struct vfs_cpu_stats {
	u64 count[VFS_NR_FS][VFS_NR_OPS];
	u64 bytes[VFS_NR_FS][VFS_NR_OPS];
	u64 errors[VFS_NR_FS][VFS_NR_OPS];
	u64 hist[VFS_NR_FS][VFS_NR_OPS][VFS_NR_BUCKETS];
};

static struct vfs_cpu_stats **vfs_cpu;

struct vfs_fs_slot {
	const struct file_system_type *type;	/* key only, never followed */
	char name[VFS_FS_NAME];
};

static struct vfs_fs_slot vfs_fs[VFS_NR_FS];
static int vfs_fs_used;
static DEFINE_RAW_SPINLOCK(vfs_fs_lock);

int vfs_nr_fs(void)
{
	/* pairs with the release in vfs_fs_slot(): names are complete */
	return smp_load_acquire(&vfs_fs_used);
}

const char *vfs_fs_name(int slot)
{
	return vfs_fs[slot].name;
}

int vfs_fs_slot(const struct super_block *sb)
{
	const struct file_system_type *t = sb ? sb->s_type : NULL;
	unsigned long flags;
	int i, n;

	/* pairs with the release below: the slots before n are complete */
	n = smp_load_acquire(&vfs_fs_used);
	for (i = 0; i < n; i++)
		if (vfs_fs[i].type == t)
			return i;

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

static unsigned int lat_bucket(u64 ns)
{
	u64 us = ns / NSEC_PER_USEC;

	/* 0 us in slot 0, [2^(n-1), 2^n) us in slot n */
	return min_t(unsigned int, us ? ilog2(us) + 1 : 0, VFS_NR_BUCKETS - 1);
}

/* Probe context: preemption is off. */
void vfs_stats_account(const struct vfs_op_rec *r, bool timed)
{
	struct vfs_cpu_stats *s = vfs_cpu[smp_processor_id()];

	s->count[r->fs][r->op]++;
	s->bytes[r->fs][r->op] += r->bytes;
	if (r->ret < 0)
		s->errors[r->fs][r->op]++;
	if (timed)
		s->hist[r->fs][r->op][lat_bucket(r->lat_ns)]++;
}

void vfs_stats_read(int fs, unsigned int op, struct vfs_opstat *st)
{
	unsigned int b;
	int cpu;

	memset(st, 0, sizeof(*st));
	for_each_possible_cpu(cpu) {
		const struct vfs_cpu_stats *s = vfs_cpu[cpu];

		st->count += READ_ONCE(s->count[fs][op]);
		st->bytes += READ_ONCE(s->bytes[fs][op]);
		st->errors += READ_ONCE(s->errors[fs][op]);
		for (b = 0; b < VFS_NR_BUCKETS; b++)
			st->hist[b] += READ_ONCE(s->hist[fs][op][b]);
	}
}

/* "fs op count bytes errors" for every pair seen */
static int ops_show(struct seq_file *m, void *v)
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
			if (!st->count)
				continue;
			seq_printf(m, "%s %s %llu %llu %llu\n", vfs_fs_name(fs),
				   vfs_op_names[op], st->count, st->bytes,
				   st->errors);
		}
	}
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(ops);

/* "fs op lo_us count": one line per non-empty bucket, lo_us inclusive */
static int hist_show(struct seq_file *m, void *v)
{
	struct vfs_opstat *st;
	unsigned int op, b;
	int fs, n = vfs_nr_fs();

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (fs = 0; fs < n; fs++) {
		for (op = 0; op < VFS_NR_OPS; op++) {
			vfs_stats_read(fs, op, st);
			for (b = 0; b < VFS_NR_BUCKETS; b++)
				if (st->hist[b])
					seq_printf(m, "%s %s %llu %llu\n",
						   vfs_fs_name(fs),
						   vfs_op_names[op],
						   b ? 1ULL << (b - 1) : 0,
						   st->hist[b]);
		}
	}
	kfree(st);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hist);

void vfs_stats_debugfs(struct dentry *dir)
{
	debugfs_create_file("ops", 0444, dir, NULL, &ops_fops);
	debugfs_create_file("hist", 0444, dir, NULL, &hist_fops);
}

int vfs_stats_init(void)
{
	int cpu;

	vfs_cpu = kcalloc(nr_cpu_ids, sizeof(*vfs_cpu), GFP_KERNEL);
	if (!vfs_cpu)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		vfs_cpu[cpu] = kvzalloc_node(sizeof(struct vfs_cpu_stats),
					     GFP_KERNEL, cpu_to_node(cpu));
		if (!vfs_cpu[cpu])
			goto free_cpu;
	}
	strscpy(vfs_fs[VFS_NR_FS - 1].name, "other", VFS_FS_NAME);
	return 0;

free_cpu:
	vfs_stats_exit();
	return -ENOMEM;
}

void vfs_stats_exit(void)
{
	int cpu;

	if (!vfs_cpu)
		return;
	for_each_possible_cpu(cpu)
		kvfree(vfs_cpu[cpu]);
	kfree(vfs_cpu);
	vfs_cpu = NULL;
}
