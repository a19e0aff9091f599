// SPDX-License-Identifier: GPL-2.0
/*
 * Top files and top processes over an interval, like filetop: two
 * bounded hash tables filled by the probes while collection is on
 * (KSCOPE_VFS_TOP), emptied when a new interval starts (TOP_RESET).
 * Entries come from a preallocated pool; when it runs out, the operation
 * is counted in top_dropped instead. One lock per table: collection is
 * opt-in, and the table is small.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/jiffies.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "internal.h"

#define TOP_HASH_BITS	8

struct top_node {
	struct top_node *next;
	struct vfs_top_ent e;
};

struct top_table {
	raw_spinlock_t lock;
	struct top_node *heads[1 << TOP_HASH_BITS];
	struct top_node *pool;
	unsigned int used, max;
	u64 dropped;
};

static struct top_table top_files, top_procs;
static u64 top_start_ns;

static struct top_node *top_find(struct top_table *t, const void *sb,
				 unsigned long ino, u32 pid, bool *dropped)
{
	u32 h = hash_64((unsigned long)sb ^ ino ^ ((u64)pid << 32),
			TOP_HASH_BITS);
	struct top_node *n;

	for (n = t->heads[h]; n; n = n->next)
		if (n->e.sb == sb && n->e.ino == ino && n->e.pid == pid)
			return n;
	if (t->used == t->max) {
		t->dropped++;
		*dropped = true;
		return NULL;
	}
	n = &t->pool[t->used++];
	memset(&n->e, 0, sizeof(n->e));
	n->e.sb = sb;
	n->e.ino = ino;
	n->e.pid = pid;
	n->next = t->heads[h];
	t->heads[h] = n;
	return n;
}

static void top_add(struct vfs_top_ent *e, const struct vfs_op_rec *r)
{
	u64 moved = r->ret > 0 ? r->bytes : 0;

	e->count++;
	if (r->op == KSCOPE_VFS_OP_READ) {
		e->reads++;
		e->rbytes += moved;
	} else if (r->op == KSCOPE_VFS_OP_WRITE) {
		e->writes++;
		e->wbytes += moved;
	}
}

/* Probe context. Files are keyed by (superblock, inode) and process. */
void vfs_top_account(const struct vfs_op_rec *r)
{
	u32 pid = task_tgid_nr(current);
	char comm[TASK_COMM_LEN];
	bool dropped = false;
	struct top_node *n;
	unsigned long flags;

	/* no task_lock() under our raw lock: a racy copy of our own comm */
	strscpy_pad(comm, current->comm, sizeof(comm));
	raw_spin_lock_irqsave(&top_procs.lock, flags);
	n = top_find(&top_procs, NULL, 0, pid, &dropped);
	if (n) {
		if (!n->e.count)
			memcpy(n->e.comm, comm, sizeof(comm));
		top_add(&n->e, r);
	}
	raw_spin_unlock_irqrestore(&top_procs.lock, flags);

	if (r->sb && r->op <= KSCOPE_VFS_OP_FSYNC) {
		raw_spin_lock_irqsave(&top_files.lock, flags);
		n = top_find(&top_files, r->sb, r->ino, pid, &dropped);
		if (n) {
			if (!n->e.count) {
				memcpy(n->e.comm, comm, sizeof(comm));
				n->e.fs = r->fs;
				vfs_dentry_name(r->dentry, n->e.name,
						sizeof(n->e.name));
			}
			top_add(&n->e, r);
		}
		raw_spin_unlock_irqrestore(&top_files.lock, flags);
	}
	if (dropped)
		kscope_count(&vfs_src, VC_TOP_DROPPED);
}

static void top_clear(struct top_table *t)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&t->lock, flags);
	memset(t->heads, 0, sizeof(t->heads));
	t->used = 0;
	t->dropped = 0;
	raw_spin_unlock_irqrestore(&t->lock, flags);
}

void vfs_top_reset(void)
{
	top_clear(&top_files);
	top_clear(&top_procs);
	WRITE_ONCE(top_start_ns, ktime_get_ns());
}

u64 vfs_top_interval_ms(void)
{
	return div_u64(ktime_get_ns() - READ_ONCE(top_start_ns),
		       NSEC_PER_MSEC);
}

static int top_cmp(const void *a, const void *b)
{
	const struct vfs_top_ent *x = a, *y = b;
	u64 bx = x->rbytes + x->wbytes, by = y->rbytes + y->wbytes;

	/* busiest first: operations, then bytes */
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	if (bx != by)
		return bx < by ? 1 : -1;
	return 0;
}

int vfs_top_snapshot(bool files, struct vfs_top_ent *out, unsigned int max)
{
	struct top_table *t = files ? &top_files : &top_procs;
	struct vfs_top_ent *all;
	unsigned long flags;
	unsigned int n, i;

	all = kvmalloc_array(t->max, sizeof(*all), GFP_KERNEL);
	if (!all)
		return -ENOMEM;
	raw_spin_lock_irqsave(&t->lock, flags);
	n = t->used;
	for (i = 0; i < n; i++)
		all[i] = t->pool[i].e;
	raw_spin_unlock_irqrestore(&t->lock, flags);
	sort(all, n, sizeof(*all), top_cmp, NULL);
	n = min(n, max);
	memcpy(out, all, n * sizeof(*out));
	kvfree(all);
	return n;
}

static int top_show(struct seq_file *m, bool files)
{
	struct top_table *t = files ? &top_files : &top_procs;
	struct vfs_top_ent *e;
	int n, i;

	e = kvmalloc_array(t->max, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = vfs_top_snapshot(files, e, t->max);
	seq_printf(m, "# interval_ms %llu collecting %u dropped %llu\n",
		   vfs_top_interval_ms(), READ_ONCE(vfs_top_on),
		   READ_ONCE(t->dropped));
	if (files)
		seq_puts(m, "# pid comm fs ino reads writes rbytes wbytes ops file\n");
	else
		seq_puts(m, "# pid comm reads writes rbytes wbytes ops\n");
	for (i = 0; i < n; i++) {
		seq_printf(m, "%u %s ", e[i].pid, e[i].comm);
		if (files)
			seq_printf(m, "%s %lu ", vfs_fs_name(e[i].fs),
				   e[i].ino);
		seq_printf(m, "%llu %llu %llu %llu %llu", e[i].reads,
			   e[i].writes, e[i].rbytes, e[i].wbytes, e[i].count);
		if (files)
			seq_printf(m, " %s", e[i].name);
		seq_putc(m, '\n');
	}
	kvfree(e);
	return 0;
}

static int top_files_show(struct seq_file *m, void *v)
{
	return top_show(m, true);
}
DEFINE_SHOW_ATTRIBUTE(top_files);

static int top_procs_show(struct seq_file *m, void *v)
{
	return top_show(m, false);
}
DEFINE_SHOW_ATTRIBUTE(top_procs);

void vfs_top_debugfs(struct dentry *dir)
{
	debugfs_create_file("top_files", 0444, dir, NULL, &top_files_fops);
	debugfs_create_file("top_procs", 0444, dir, NULL, &top_procs_fops);
}

static int top_table_init(struct top_table *t, unsigned int max)
{
	raw_spin_lock_init(&t->lock);
	t->max = max;
	t->pool = kvcalloc(max, sizeof(*t->pool), GFP_KERNEL);
	return t->pool ? 0 : -ENOMEM;
}

int vfs_top_init(unsigned int max)
{
	if (top_table_init(&top_files, max))
		return -ENOMEM;
	if (top_table_init(&top_procs, max))
		goto free_files;
	top_start_ns = ktime_get_ns();
	return 0;

free_files:
	kvfree(top_files.pool);
	return -ENOMEM;
}

void vfs_top_exit(void)
{
	kvfree(top_procs.pool);
	kvfree(top_files.pool);
}
