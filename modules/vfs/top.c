// SPDX-License-Identifier: GPL-2.0
/*
 * Top files and top processes over an interval, like filetop: two exact
 * tables of the core (include/kscope/table.h) filled by the probes while
 * collection is on (KSCOPE_VFS_TOP), emptied when a new interval starts
 * (TOP_RESET). A table never evicts: an operation on a key it has no room
 * for is counted in top_dropped instead, and in the table's own refusals
 * for the interval.
 *
 * A file is keyed by (superblock, inode, process), a process by its pid
 * alone (superblock and inode 0): the start of struct vfs_top_ent. The
 * core's striped locks cover the counters; readers copy a chunk of a
 * chain per lock hold. top_mutex orders readers and resets, so that one
 * read sees one interval.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/stddef.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <kscope/table.h>

#include "internal.h"

#define TOP_KEY_SIZE	offsetofend(struct vfs_top_ent, pid)

static struct kscope_table *top_files, *top_procs;
static unsigned int top_max;	/* entries of each */
static u64 top_start_ns;
static DEFINE_MUTEX(top_mutex);

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

/* Probe context: the entry of @key, created if need be, and locked. */
static struct vfs_top_ent *top_get(struct kscope_table *t,
				   const struct vfs_top_ent *key,
				   struct kscope_table_ref *ref, bool *dropped)
	__acquires(ref)
{
	unsigned int res;
	void *v;

	v = kscope_table_get_key(t, key, true, ref, &res);
	if (res & KSCOPE_TABLE_FULL)
		*dropped = true;
	return v;
}

/* Probe context. */
void vfs_top_account(const struct vfs_op_rec *r)
{
	struct vfs_top_ent key = { .pid = task_tgid_nr(current) };
	char comm[TASK_COMM_LEN];
	struct kscope_table_ref ref;
	struct vfs_top_ent *e;
	bool dropped = false;

	/* no task_lock() under the table's lock: a racy copy of our comm */
	strscpy_pad(comm, current->comm, sizeof(comm));
	e = top_get(top_procs, &key, &ref, &dropped);
	if (e) {
		if (!e->count)
			memcpy(e->comm, comm, sizeof(comm));
		top_add(e, r);
	}
	kscope_table_put(&ref);

	if (r->sb && r->op <= KSCOPE_VFS_OP_FSYNC) {
		key.sb = r->sb;
		key.ino = r->ino;
		e = top_get(top_files, &key, &ref, &dropped);
		if (e) {
			if (!e->count) {
				memcpy(e->comm, comm, sizeof(comm));
				e->fs = r->fs;
				vfs_dentry_name(r->dentry, e->name,
						sizeof(e->name));
			}
			top_add(e, r);
		}
		kscope_table_put(&ref);
	}
	if (dropped)
		kscope_count(&vfs_src, VC_TOP_DROPPED);
}

/* Process context: waits for the probes inside the tables to leave. */
void vfs_top_reset(void)
{
	mutex_lock(&top_mutex);
	kscope_table_clear(top_files);
	kscope_table_clear(top_procs);
	WRITE_ONCE(top_start_ns, ktime_get_ns());
	mutex_unlock(&top_mutex);
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

/*
 * The @max busiest entries seen so far, as a heap whose root is the least
 * busy of them: O(log max) per entry, no copy of the whole table.
 */
struct top_heap {
	struct vfs_top_ent *e;
	unsigned int n, max;
};

static void top_heap_sift_down(struct top_heap *hp, unsigned int i)
{
	unsigned int c, least;

	for (;;) {
		least = i;
		for (c = 2 * i + 1; c <= 2 * i + 2 && c < hp->n; c++)
			if (top_cmp(&hp->e[c], &hp->e[least]) > 0)
				least = c;
		if (least == i)
			return;
		swap(hp->e[i], hp->e[least]);
		i = least;
	}
}

static void top_heap_push(struct top_heap *hp, const struct vfs_top_ent *e)
{
	unsigned int i, parent;

	if (hp->n == hp->max) {
		if (top_cmp(e, &hp->e[0]) >= 0)
			return;		/* no busier than the least kept */
		hp->e[0] = *e;
		top_heap_sift_down(hp, 0);
		return;
	}
	i = hp->n++;
	hp->e[i] = *e;
	while (i) {
		parent = (i - 1) / 2;
		/* the parent is no busier than its child: in place */
		if (top_cmp(&hp->e[parent], &hp->e[i]) >= 0)
			break;
		swap(hp->e[parent], hp->e[i]);
		i = parent;
	}
}

int vfs_top_snapshot(bool files, struct vfs_top_ent *out, unsigned int max)
{
	struct kscope_table *t = files ? top_files : top_procs;
	struct top_heap hp = { .e = out, .max = max };
	unsigned int cursor = 0, n, i;
	void *chunk;

	if (!max)
		return 0;
	chunk = kmalloc_array(KSCOPE_TABLE_CHUNK, kscope_table_rec_size(t),
			      GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	mutex_lock(&top_mutex);
	while (cursor < kscope_table_end(t)) {
		n = kscope_table_snapshot(t, &cursor, chunk,
					  KSCOPE_TABLE_CHUNK);
		for (i = 0; i < n; i++)
			top_heap_push(&hp, (void *)kscope_table_rec(t, chunk,
								    i)->val);
		cond_resched();
	}
	mutex_unlock(&top_mutex);
	kfree(chunk);
	sort(out, hp.n, sizeof(*out), top_cmp, NULL);
	return hp.n;
}

static int top_show(struct seq_file *m, bool files)
{
	struct kscope_table *t = files ? top_files : top_procs;
	struct vfs_top_ent *e;
	int n, i;

	e = kvmalloc_array(top_max, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = vfs_top_snapshot(files, e, top_max);
	if (n < 0) {
		kvfree(e);
		return n;
	}
	seq_printf(m, "# interval_ms %llu collecting %u dropped %llu\n",
		   vfs_top_interval_ms(), READ_ONCE(vfs_top_on),
		   kscope_table_refused(t));
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
	/* other users' pids, commands and file names: root only */
	debugfs_create_file("top_files", 0400, dir, NULL, &top_files_fops);
	debugfs_create_file("top_procs", 0400, dir, NULL, &top_procs_fops);
}

int vfs_top_init(unsigned int max)
{
	top_files = kscope_table_create_exact(max, TOP_KEY_SIZE,
					      sizeof(struct vfs_top_ent));
	if (!top_files)
		return -ENOMEM;
	top_procs = kscope_table_create_exact(max, TOP_KEY_SIZE,
					      sizeof(struct vfs_top_ent));
	if (!top_procs)
		goto destroy_files;
	top_max = max;
	top_start_ns = ktime_get_ns();
	return 0;

destroy_files:
	kscope_table_destroy(top_files);
	return -ENOMEM;
}

void vfs_top_exit(void)
{
	kscope_table_destroy(top_procs);
	kscope_table_destroy(top_files);
}
