// SPDX-License-Identifier: GPL-2.0
/*
 * Top files and top processes over an interval, like filetop: two
 * bounded hash tables filled by the probes while collection is on
 * (KSCOPE_VFS_TOP), emptied when a new interval starts (TOP_RESET).
 * Entries come from a preallocated pool; when it runs out, the operation
 * is counted in top_dropped instead.
 *
 * Locking: a table has as many buckets as its pool has entries, and its
 * buckets share TOP_NR_LOCKS raw spinlocks by hash, each on its own cache
 * line: probes on different files or processes take different locks. A
 * bucket's lock covers its chain and its entries' counters; the pool's
 * next free entry is taken with a cmpxchg. Nodes are only ever pushed at
 * the head of a chain and only a reset unlinks them, so a reader can
 * drop the lock in the middle of a chain and go on from the node it
 * stopped at: it copies at most TOP_CHUNK entries per lock hold. Readers
 * and the reset are serialised by top_mutex; a reset first stops the
 * probes (top_paused) and waits for those already inside (they run with
 * preemption off, under rcu_read_lock()).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cache.h>
#include <linux/debugfs.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/timekeeping.h>

#include "internal.h"

#define TOP_NR_LOCKS	256
#define TOP_CHUNK	64

struct top_node {
	struct top_node *next;
	struct vfs_top_ent e;
};

struct top_lock {
	raw_spinlock_t lock;
} ____cacheline_aligned_in_smp;

struct top_table {
	struct top_lock locks[TOP_NR_LOCKS];
	struct top_node **heads;
	unsigned int hash_bits;
	struct top_node *pool;
	atomic_t used;
	unsigned int max;
	atomic_long_t dropped;
};

static struct top_table top_files, top_procs;
static u64 top_start_ns;
static bool top_paused;
static DEFINE_MUTEX(top_mutex);

static u32 top_hash(const struct top_table *t, const void *sb,
		    unsigned long ino, u32 pid)
{
	return hash_64((unsigned long)sb ^ ino ^ ((u64)pid << 32),
		       t->hash_bits);
}

static raw_spinlock_t *top_lock_of(struct top_table *t, u32 h)
{
	return &t->locks[h & (TOP_NR_LOCKS - 1)].lock;
}

/* Under the lock of bucket @h. */
static struct top_node *top_find(struct top_table *t, u32 h, const void *sb,
				 unsigned long ino, u32 pid, bool *dropped)
{
	struct top_node *n;
	int i;

	for (n = t->heads[h]; n; n = n->next)
		if (n->e.sb == sb && n->e.ino == ino && n->e.pid == pid)
			return n;
	i = atomic_fetch_add_unless(&t->used, 1, t->max);
	if (i == t->max) {
		atomic_long_inc(&t->dropped);
		*dropped = true;
		return NULL;
	}
	n = &t->pool[i];
	memset(&n->e, 0, sizeof(n->e));
	n->e.sb = sb;
	n->e.ino = ino;
	n->e.pid = pid;
	n->next = t->heads[h];
	/* a reader may peek at the head without the lock */
	WRITE_ONCE(t->heads[h], n);
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
	raw_spinlock_t *lock;
	unsigned long flags;
	u32 h;

	rcu_read_lock();
	/* pairs with the release in vfs_top_reset(): the tables are empty */
	if (smp_load_acquire(&top_paused))
		goto out;
	/* no task_lock() under our raw lock: a racy copy of our own comm */
	strscpy_pad(comm, current->comm, sizeof(comm));
	h = top_hash(&top_procs, NULL, 0, pid);
	lock = top_lock_of(&top_procs, h);
	raw_spin_lock_irqsave(lock, flags);
	n = top_find(&top_procs, h, NULL, 0, pid, &dropped);
	if (n) {
		if (!n->e.count)
			memcpy(n->e.comm, comm, sizeof(comm));
		top_add(&n->e, r);
	}
	raw_spin_unlock_irqrestore(lock, flags);

	if (r->sb && r->op <= KSCOPE_VFS_OP_FSYNC) {
		h = top_hash(&top_files, r->sb, r->ino, pid);
		lock = top_lock_of(&top_files, h);
		raw_spin_lock_irqsave(lock, flags);
		n = top_find(&top_files, h, r->sb, r->ino, pid, &dropped);
		if (n) {
			if (!n->e.count) {
				memcpy(n->e.comm, comm, sizeof(comm));
				n->e.fs = r->fs;
				vfs_dentry_name(r->dentry, n->e.name,
						sizeof(n->e.name));
			}
			top_add(&n->e, r);
		}
		raw_spin_unlock_irqrestore(lock, flags);
	}
	if (dropped)
		kscope_count(&vfs_src, VC_TOP_DROPPED);
out:
	rcu_read_unlock();
}

/* No probe inside (paused), no reader (top_mutex). */
static void top_clear(struct top_table *t)
{
	memset(t->heads, 0, sizeof(*t->heads) << t->hash_bits);
	atomic_set(&t->used, 0);
	atomic_long_set(&t->dropped, 0);
}

/* Process context: waits for the probes inside the tables to leave. */
void vfs_top_reset(void)
{
	mutex_lock(&top_mutex);
	WRITE_ONCE(top_paused, true);
	synchronize_rcu();
	top_clear(&top_files);
	top_clear(&top_procs);
	WRITE_ONCE(top_start_ns, ktime_get_ns());
	/* the probes see the cleared tables once they see this */
	smp_store_release(&top_paused, false);
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

/* Copy one bucket's chain, TOP_CHUNK entries per lock hold. */
static void top_copy_bucket(struct top_table *t, u32 h,
			    struct vfs_top_ent *chunk, struct top_heap *hp)
{
	raw_spinlock_t *lock = top_lock_of(t, h);
	struct top_node *n, *last = NULL;
	unsigned long flags;
	unsigned int i, k;

	do {
		raw_spin_lock_irqsave(lock, flags);
		/* a node's next never changes until the reset we exclude */
		n = last ? last->next : t->heads[h];
		for (k = 0; n && k < TOP_CHUNK; k++) {
			chunk[k] = n->e;
			last = n;
			n = n->next;
		}
		raw_spin_unlock_irqrestore(lock, flags);
		for (i = 0; i < k; i++)
			top_heap_push(hp, &chunk[i]);
	} while (n);
}

int vfs_top_snapshot(bool files, struct vfs_top_ent *out, unsigned int max)
{
	struct top_table *t = files ? &top_files : &top_procs;
	struct top_heap hp = { .e = out, .max = max };
	struct vfs_top_ent *chunk;
	u32 h;

	if (!max)
		return 0;
	chunk = kmalloc_array(TOP_CHUNK, sizeof(*chunk), GFP_KERNEL);
	if (!chunk)
		return -ENOMEM;
	mutex_lock(&top_mutex);
	for (h = 0; h < 1U << t->hash_bits; h++) {
		/* an entry linked after this peek belongs to a later look */
		if (!READ_ONCE(t->heads[h]))
			continue;
		top_copy_bucket(t, h, chunk, &hp);
		cond_resched();
	}
	mutex_unlock(&top_mutex);
	kfree(chunk);
	sort(out, hp.n, sizeof(*out), top_cmp, NULL);
	return hp.n;
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
	if (n < 0) {
		kvfree(e);
		return n;
	}
	seq_printf(m, "# interval_ms %llu collecting %u dropped %llu\n",
		   vfs_top_interval_ms(), READ_ONCE(vfs_top_on),
		   (u64)atomic_long_read(&t->dropped));
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

static int top_table_init(struct top_table *t, unsigned int max)
{
	unsigned int i;

	for (i = 0; i < TOP_NR_LOCKS; i++)
		raw_spin_lock_init(&t->locks[i].lock);
	t->max = max;
	atomic_set(&t->used, 0);
	atomic_long_set(&t->dropped, 0);
	/* as many buckets as entries: chains of one or two */
	t->hash_bits = order_base_2(max);
	t->heads = kvcalloc(1U << t->hash_bits, sizeof(*t->heads), GFP_KERNEL);
	if (!t->heads)
		return -ENOMEM;
	t->pool = kvcalloc(max, sizeof(*t->pool), GFP_KERNEL);
	if (!t->pool)
		goto free_heads;
	return 0;

free_heads:
	kvfree(t->heads);
	return -ENOMEM;
}

static void top_table_exit(struct top_table *t)
{
	kvfree(t->pool);
	kvfree(t->heads);
}

int vfs_top_init(unsigned int max)
{
	if (top_table_init(&top_files, max))
		return -ENOMEM;
	if (top_table_init(&top_procs, max))
		goto exit_files;
	top_start_ns = ktime_get_ns();
	return 0;

exit_files:
	top_table_exit(&top_files);
	return -ENOMEM;
}

void vfs_top_exit(void)
{
	top_table_exit(&top_procs);
	top_table_exit(&top_files);
}
