// SPDX-License-Identifier: GPL-2.0
/*
 * The one bounded table: set-associative, a raw spinlock per set, LRU
 * eviction within a set, snapshots one set per lock hold. See
 * include/kscope/table.h.
 */
#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/hash.h>
#include <linux/kernel.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <net/genetlink.h>
#include <kscope/kscope.h>
#include <kscope/table.h>

#define TABLE_MAX_WAYS	64

/* An entry: a record, touched 0 when free (the set's clock starts at 1). */
struct kscope_table_set {
	raw_spinlock_t lock;
	u32 used;
	u64 clock;
	/* then ways entries of rec_size bytes */
};

struct kscope_table {
	unsigned int ways;
	unsigned int nr_sets;
	size_t val_size;
	size_t rec_size;
	size_t set_size;
	kscope_table_stale_fn stale;
	atomic64_t evictions;
	void *sets;
};

static struct kscope_table_set *table_set(const struct kscope_table *t,
					  unsigned int i)
{
	return t->sets + i * t->set_size;
}

static struct kscope_table_rec *set_rec(const struct kscope_table *t,
					struct kscope_table_set *set,
					unsigned int w)
{
	return (void *)(set + 1) + w * t->rec_size;
}

struct kscope_table *__kscope_table_create(unsigned int capacity,
					   unsigned int ways, size_t val_size,
					   kscope_table_stale_fn stale,
					   struct lock_class_key *key)
{
	struct kscope_table *t;
	unsigned int i;

	if (WARN_ON_ONCE(!capacity || !ways || ways > TABLE_MAX_WAYS ||
			 !val_size || val_size > PAGE_SIZE))
		return NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->ways = ways;
	t->nr_sets = DIV_ROUND_UP(capacity, ways);
	t->val_size = val_size;
	t->rec_size = ALIGN(sizeof(struct kscope_table_rec) + val_size, 8);
	t->set_size = sizeof(struct kscope_table_set) + ways * t->rec_size;
	t->stale = stale;
	atomic64_set(&t->evictions, 0);
	t->sets = vzalloc(array_size(t->nr_sets, t->set_size));
	if (!t->sets)
		goto free_table;
	for (i = 0; i < t->nr_sets; i++) {
		struct kscope_table_set *set = table_set(t, i);

		raw_spin_lock_init(&set->lock);
		lockdep_set_class(&set->lock, key);
	}
	return t;

free_table:
	kfree(t);
	return NULL;
}
EXPORT_SYMBOL_GPL(__kscope_table_create);

void kscope_table_destroy(struct kscope_table *t)
{
	if (!t)
		return;
	vfree(t->sets);
	kfree(t);
}
EXPORT_SYMBOL_GPL(kscope_table_destroy);

/* How willing an entry is to go: a free one first, then a stale one. */
static unsigned int rec_rank(const struct kscope_table *t,
			     const struct kscope_table_rec *r)
{
	if (!r->touched)
		return 0;
	return t->stale && t->stale(r->val) ? 1 : 2;
}

/* Under the set lock: the entry of @key, or NULL. */
static struct kscope_table_rec *set_find(struct kscope_table *t,
					 struct kscope_table_set *set, u64 key)
{
	struct kscope_table_rec *r;
	unsigned int w;

	for (w = 0; w < t->ways; w++) {
		r = set_rec(t, set, w);
		if (r->touched && r->key == key)
			return r;
	}
	return NULL;
}

/*
 * Under the set lock: the entry to give to a new key, the lowest rank
 * first, then the least recently touched (only a miss asks, so the stale
 * callback runs only then).
 */
static struct kscope_table_rec *set_victim(struct kscope_table *t,
					   struct kscope_table_set *set)
{
	struct kscope_table_rec *r, *v = NULL;
	unsigned int w, rank, v_rank = 0;

	for (w = 0; w < t->ways; w++) {
		r = set_rec(t, set, w);
		rank = rec_rank(t, r);
		if (!v || rank < v_rank ||
		    (rank == v_rank && r->touched < v->touched)) {
			v = r;
			v_rank = rank;
			if (!rank)
				break;	/* nothing beats a free entry */
		}
	}
	return v;
}

void *kscope_table_get(struct kscope_table *t, u64 key, bool create,
		       struct kscope_table_ref *ref, unsigned int *res)
	__acquires(ref)
{
	struct kscope_table_set *set;
	struct kscope_table_rec *r;
	unsigned int done = 0;

	set = table_set(t, reciprocal_scale(hash_64(key, 32), t->nr_sets));
	ref->set = set;
	raw_spin_lock_irqsave(&set->lock, ref->flags);
	r = set_find(t, set, key);
	if (!r) {
		if (!create)
			goto out;
		r = set_victim(t, set);
		if (r->touched) {
			atomic64_inc(&t->evictions);
			done |= KSCOPE_TABLE_EVICTED;
		} else {
			WRITE_ONCE(set->used, set->used + 1);
		}
		memset(r->val, 0, t->val_size);
		r->key = key;
		done |= KSCOPE_TABLE_NEW;
	}
	r->touched = ++set->clock;
out:
	if (res)
		*res = done;
	return r ? r->val : NULL;
}
EXPORT_SYMBOL_GPL(kscope_table_get);

void kscope_table_put(struct kscope_table_ref *ref) __releases(ref)
{
	raw_spin_unlock_irqrestore(&ref->set->lock, ref->flags);
}
EXPORT_SYMBOL_GPL(kscope_table_put);

void kscope_table_remove(struct kscope_table *t, struct kscope_table_ref *ref,
			 void *val)
{
	struct kscope_table_rec *r = container_of(val, struct kscope_table_rec,
						  val[0]);

	lockdep_assert_held(&ref->set->lock);
	if (WARN_ON_ONCE(!r->touched))
		return;
	r->touched = 0;
	WRITE_ONCE(ref->set->used, ref->set->used - 1);
}
EXPORT_SYMBOL_GPL(kscope_table_remove);

void kscope_table_clear(struct kscope_table *t)
{
	unsigned long flags;
	unsigned int i, w;

	for (i = 0; i < t->nr_sets; i++) {
		struct kscope_table_set *set = table_set(t, i);

		raw_spin_lock_irqsave(&set->lock, flags);
		for (w = 0; w < t->ways; w++)
			set_rec(t, set, w)->touched = 0;
		WRITE_ONCE(set->used, 0);
		raw_spin_unlock_irqrestore(&set->lock, flags);
	}
}
EXPORT_SYMBOL_GPL(kscope_table_clear);

size_t kscope_table_rec_size(const struct kscope_table *t)
{
	return t->rec_size;
}
EXPORT_SYMBOL_GPL(kscope_table_rec_size);

unsigned int kscope_table_ways(const struct kscope_table *t)
{
	return t->ways;
}
EXPORT_SYMBOL_GPL(kscope_table_ways);

unsigned int kscope_table_sets(const struct kscope_table *t)
{
	return t->nr_sets;
}
EXPORT_SYMBOL_GPL(kscope_table_sets);

unsigned int kscope_table_used(const struct kscope_table *t)
{
	unsigned int i, used = 0;

	for (i = 0; i < t->nr_sets; i++)
		used += READ_ONCE(table_set(t, i)->used);
	return used;
}
EXPORT_SYMBOL_GPL(kscope_table_used);

u64 kscope_table_evictions(const struct kscope_table *t)
{
	return atomic64_read(&t->evictions);
}
EXPORT_SYMBOL_GPL(kscope_table_evictions);

static void rec_swap(struct kscope_table_rec *a, struct kscope_table_rec *b,
		     size_t size)
{
	u64 *x = (u64 *)a, *y = (u64 *)b;
	size_t i;

	for (i = 0; i < size / sizeof(u64); i++)
		swap(x[i], y[i]);
}

/* One set into @out, under its lock; then sorted, least recent first. */
static unsigned int set_copy(struct kscope_table *t,
			     struct kscope_table_set *set, void *out)
{
	struct kscope_table_rec *r, *a, *b;
	unsigned int w, n = 0, i, j;
	unsigned long flags;

	raw_spin_lock_irqsave(&set->lock, flags);
	for (w = 0; w < t->ways; w++) {
		r = set_rec(t, set, w);
		if (r->touched)
			memcpy(out + n++ * t->rec_size, r, t->rec_size);
	}
	raw_spin_unlock_irqrestore(&set->lock, flags);
	/* at most 64 records: a selection sort by swapping in place */
	for (i = 0; i + 1 < n; i++) {
		a = out + i * t->rec_size;
		for (j = i + 1; j < n; j++) {
			b = out + j * t->rec_size;
			if (b->touched < a->touched)
				rec_swap(a, b, t->rec_size);
		}
	}
	return n;
}

unsigned int kscope_table_snapshot(struct kscope_table *t,
				   unsigned int *cursor, void *buf,
				   unsigned int max)
{
	unsigned int n = 0;

	while (*cursor < t->nr_sets && max - n >= t->ways) {
		n += set_copy(t, table_set(t, *cursor),
			      buf + n * t->rec_size);
		++*cursor;
	}
	return n;
}
EXPORT_SYMBOL_GPL(kscope_table_snapshot);

/* Attribute bytes of one reply: its KSCOPE_A_CTL nest stays far below 64 KiB. */
#define TABLE_REPLY_PAGE	(15 * 1024)
/* sets copied for one reply at most: bounds the copy buffer */
#define TABLE_REPLY_SETS	16

int kscope_table_reply(struct kscope_source *src, struct genl_info *info,
		       const struct kscope_table_reply *rp, u32 cursor)
{
	struct kscope_table *t = rp->t;
	unsigned int n = 0, k, i, sets, next = cursor;
	size_t page = 0, size;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *buf;
	int ret;

	buf = kvmalloc_array(TABLE_REPLY_SETS * t->ways, t->rec_size,
			     GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/* whole sets while they fit: a set that does not is read next time */
	for (sets = 0; sets < TABLE_REPLY_SETS && next < t->nr_sets; sets++) {
		unsigned int c = next;

		k = kscope_table_snapshot(t, &c, buf + n * t->rec_size,
					  t->ways);
		for (size = 0, i = n; i < n + k; i++)
			size += rp->size(kscope_table_rec(t, buf, i), rp->arg);
		if (n && page + size > TABLE_REPLY_PAGE)
			break;
		page += size;
		n += k;
		next = c;
		cond_resched();
	}
	size = nla_total_size(strlen(src->name) + 1) +	/* KSCOPE_A_SOURCE */
	       nla_total_size(page) +			/* KSCOPE_A_CTL */
	       nla_total_size(sizeof(u32));		/* the cursor */
	ret = -ENOMEM;
	msg = kscope_ctl_reply_start(src, info, size, &nest);
	if (!msg)
		goto free_buf;
	ret = 0;
	for (i = 0; !ret && i < n; i++)
		ret = rp->put(msg, kscope_table_rec(t, buf, i), rp->arg);
	if (!ret && next < t->nr_sets)
		ret = nla_put_u32(msg, rp->cursor_attr, next);
	if (ret) {
		/* the sizes are wrong: a bug, not the caller's */
		WARN_ON_ONCE(1);
		NL_SET_ERR_MSG(info->extack, "reply larger than sized");
		nlmsg_free(msg);
		goto free_buf;
	}
	ret = kscope_ctl_reply_send(msg, nest, info);
free_buf:
	kvfree(buf);
	return ret;
}
EXPORT_SYMBOL_GPL(kscope_table_reply);
