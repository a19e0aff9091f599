// SPDX-License-Identifier: GPL-2.0
/*
 * The one bounded table, of two kinds sharing the snapshot and reply
 * code: set-associative, a raw spinlock per set, LRU eviction within a
 * set, snapshots one set per lock hold; or exact, a pool of entries in
 * hash chains under striped raw spinlocks, refusing what has no room,
 * snapshots one chunk of a chain per lock hold. See include/kscope/table.h.
 */
#include <linux/align.h>
#include <linux/atomic.h>
#include <linux/export.h>
#include <linux/cache.h>
#include <linux/hash.h>
#include <linux/jhash.h>
#include <linux/kernel.h>
#include <linux/log2.h>
#include <linux/overflow.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
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

/* An exact table's entry: a record in a chain of pool indexes from 1. */
struct table_node {
	u32 next;		/* 0: the end of the chain */
	u32 bucket;
	/* then a record of rec_size bytes */
};

struct table_stripe {
	raw_spinlock_t lock;
} ____cacheline_aligned_in_smp;

/*
 * tests/vfs/51 reads the first two fields with a kprobe on
 * kscope_table_snapshot() (+0(%di), +8(%di)) to find an exact table's
 * locks: keep them first.
 */
struct kscope_table {
	struct table_stripe *stripes;	/* exact: nr_stripes locks */
	u32 stripes_size;		/* exact: their bytes */
	unsigned int nr_stripes;
	unsigned int ways;
	unsigned int nr_sets;		/* exact: buckets, a power of two */
	unsigned int end;		/* a snapshot cursor at the end */
	size_t key_size;		/* exact; 0 when set-associative */
	size_t val_size;
	size_t rec_size;
	size_t set_size;
	kscope_table_stale_fn stale;
	atomic64_t evictions;
	void *sets;
	/* exact */
	u32 *heads;			/* per bucket: first node, from 1 */
	void *pool;			/* capacity nodes of node_size bytes */
	size_t node_size;
	unsigned int capacity;
	atomic_t used;
	atomic64_t refused;
	bool paused;			/* a clear runs */
	/* kscope_table_gauge(): the source's gauge of entries in use */
	struct kscope_source *gauge_src;
	unsigned int gauge_idx;
};

/* Entries in use went up or down by @delta: tell the source's gauge. */
static void table_gauge_add(struct kscope_table *t, s64 delta)
{
	if (t->gauge_src && delta)
		kscope_gauge_add(t->gauge_src, t->gauge_idx, delta);
}

void kscope_table_gauge(struct kscope_table *t, struct kscope_source *src,
			unsigned int idx)
{
	if (WARN_ON_ONCE(idx >= src->nr_counters || !src->counter_kinds ||
			 src->counter_kinds[idx] != KSCOPE_COUNTER_GAUGE))
		return;
	t->gauge_src = src;
	t->gauge_idx = idx;
}
EXPORT_SYMBOL_GPL(kscope_table_gauge);

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
	t->end = t->nr_sets;
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

static struct table_node *table_node(const struct kscope_table *t, u32 i)
{
	return t->pool + (size_t)i * t->node_size;
}

static struct kscope_table_rec *node_rec(struct table_node *n)
{
	return (void *)(n + 1);
}

struct kscope_table *__kscope_table_create_exact(unsigned int capacity,
						 size_t key_size,
						 size_t val_size,
						 struct lock_class_key *key)
{
	struct kscope_table *t;
	unsigned int i;

	if (WARN_ON_ONCE(!capacity || capacity > 1U << 24 || !key_size ||
			 key_size > val_size || val_size > PAGE_SIZE))
		return NULL;
	t = kzalloc(sizeof(*t), GFP_KERNEL);
	if (!t)
		return NULL;
	t->ways = 1;
	t->capacity = capacity;
	/* as many buckets as entries: chains of one or two */
	t->nr_sets = roundup_pow_of_two(capacity);
	t->end = t->nr_sets + capacity;
	t->nr_stripes = min_t(unsigned int, t->nr_sets, KSCOPE_TABLE_STRIPES);
	t->stripes_size = t->nr_stripes * sizeof(*t->stripes);
	t->key_size = key_size;
	t->val_size = val_size;
	t->rec_size = ALIGN(sizeof(struct kscope_table_rec) + val_size, 8);
	t->node_size = sizeof(struct table_node) + t->rec_size;
	atomic_set(&t->used, 0);
	atomic64_set(&t->evictions, 0);
	atomic64_set(&t->refused, 0);
	t->stripes = kcalloc(t->nr_stripes, sizeof(*t->stripes), GFP_KERNEL);
	if (!t->stripes)
		goto free_table;
	t->heads = kvcalloc(t->nr_sets, sizeof(*t->heads), GFP_KERNEL);
	if (!t->heads)
		goto free_stripes;
	t->pool = vzalloc(array_size(capacity, t->node_size));
	if (!t->pool)
		goto free_heads;
	for (i = 0; i < t->nr_stripes; i++) {
		raw_spin_lock_init(&t->stripes[i].lock);
		lockdep_set_class(&t->stripes[i].lock, key);
	}
	return t;

free_heads:
	kvfree(t->heads);
free_stripes:
	kfree(t->stripes);
free_table:
	kfree(t);
	return NULL;
}
EXPORT_SYMBOL_GPL(__kscope_table_create_exact);

void kscope_table_destroy(struct kscope_table *t)
{
	if (!t)
		return;
	vfree(t->pool);
	kvfree(t->heads);
	kfree(t->stripes);
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

/* Under the set lock: the entry of @key or a new one (or NULL). */
static struct kscope_table_rec *set_get(struct kscope_table *t,
					struct kscope_table_set *set, u64 key,
					bool create, unsigned int *done)
{
	struct kscope_table_rec *r;

	r = set_find(t, set, key);
	if (!r) {
		if (!create)
			return NULL;
		r = set_victim(t, set);
		if (r->touched) {
			atomic64_inc(&t->evictions);
			*done |= KSCOPE_TABLE_EVICTED;
		} else {
			WRITE_ONCE(set->used, set->used + 1);
			table_gauge_add(t, 1);
		}
		memset(r->val, 0, t->val_size);
		r->key = key;
		*done |= KSCOPE_TABLE_NEW;
	}
	r->touched = ++set->clock;
	return r;
}

void *kscope_table_get(struct kscope_table *t, u64 key, bool create,
		       struct kscope_table_ref *ref, unsigned int *res)
	__acquires(ref)
{
	return kscope_table_get_key(t, &key, create, ref, res);
}
EXPORT_SYMBOL_GPL(kscope_table_get);

static struct table_stripe *bucket_stripe(const struct kscope_table *t,
					  u32 b)
{
	return &t->stripes[b & (t->nr_stripes - 1)];
}

/* Under the lock of @b's stripe: the entry of @key or a new one, or NULL. */
static struct kscope_table_rec *exact_get(struct kscope_table *t, u32 b,
					  u32 hash, const void *key,
					  bool create, unsigned int *done)
{
	struct table_node *n;
	struct kscope_table_rec *r;
	u32 i;

	/* pairs with the release in kscope_table_clear(): emptied */
	if (smp_load_acquire(&t->paused))
		return NULL;
	for (i = t->heads[b]; i; i = n->next) {
		n = table_node(t, i - 1);
		r = node_rec(n);
		if (!memcmp(r->val, key, t->key_size))
			return r;
	}
	if (!create)
		return NULL;
	i = atomic_fetch_add_unless(&t->used, 1, t->capacity);
	if (i == t->capacity) {
		atomic64_inc(&t->refused);
		*done = KSCOPE_TABLE_FULL;
		return NULL;
	}
	n = table_node(t, i);
	r = node_rec(n);
	WRITE_ONCE(n->bucket, b);
	n->next = t->heads[b];
	r->key = hash;
	r->touched = i + 1;
	memcpy(r->val, key, t->key_size);
	memset(r->val + t->key_size, 0, t->val_size - t->key_size);
	/* a reader may peek at the head without the lock */
	WRITE_ONCE(t->heads[b], i + 1);
	table_gauge_add(t, 1);
	*done = KSCOPE_TABLE_NEW;
	return r;
}

void *kscope_table_get_key(struct kscope_table *t, const void *key,
			   bool create, struct kscope_table_ref *ref,
			   unsigned int *res)
	__acquires(ref)
{
	struct kscope_table_rec *r;
	unsigned int done = 0;
	u32 hash = 0, b = 0;
	u64 k = 0;

	if (t->key_size) {
		hash = jhash(key, t->key_size, 0);
		b = hash & (t->nr_sets - 1);
		ref->set = NULL;
		ref->lock = &bucket_stripe(t, b)->lock;
	} else {
		memcpy(&k, key, sizeof(k));
		ref->set = table_set(t, reciprocal_scale(hash_64(k, 32),
							 t->nr_sets));
		ref->lock = &ref->set->lock;
	}
	raw_spin_lock_irqsave(ref->lock, ref->flags);
	if (t->key_size)
		r = exact_get(t, b, hash, key, create, &done);
	else
		r = set_get(t, ref->set, k, create, &done);
	if (res)
		*res = done;
	return r ? r->val : NULL;
}
EXPORT_SYMBOL_GPL(kscope_table_get_key);

void kscope_table_put(struct kscope_table_ref *ref) __releases(ref)
{
	raw_spin_unlock_irqrestore(ref->lock, ref->flags);
}
EXPORT_SYMBOL_GPL(kscope_table_put);

void kscope_table_remove(struct kscope_table *t, struct kscope_table_ref *ref,
			 void *val)
{
	struct kscope_table_rec *r = container_of(val, struct kscope_table_rec,
						  val[0]);

	lockdep_assert_held(ref->lock);
	if (WARN_ON_ONCE(t->key_size || !r->touched))
		return;
	r->touched = 0;
	WRITE_ONCE(ref->set->used, ref->set->used - 1);
	table_gauge_add(t, -1);
}
EXPORT_SYMBOL_GPL(kscope_table_remove);

/*
 * No get is inside once paused is seen: they hold a raw lock with
 * interrupts off, a region synchronize_rcu() waits for.
 */
static void exact_clear(struct kscope_table *t)
{
	might_sleep();
	WRITE_ONCE(t->paused, true);
	synchronize_rcu();
	memset(t->heads, 0, t->nr_sets * sizeof(*t->heads));
	table_gauge_add(t, -(s64)atomic_xchg(&t->used, 0));
	atomic64_set(&t->refused, 0);
	/* the gets see the emptied table once they see this */
	smp_store_release(&t->paused, false);
}

void kscope_table_clear(struct kscope_table *t)
{
	unsigned long flags;
	unsigned int i, w;

	if (t->key_size) {
		exact_clear(t);
		return;
	}
	for (i = 0; i < t->nr_sets; i++) {
		struct kscope_table_set *set = table_set(t, i);

		raw_spin_lock_irqsave(&set->lock, flags);
		for (w = 0; w < t->ways; w++)
			set_rec(t, set, w)->touched = 0;
		table_gauge_add(t, -(s64)set->used);
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

	if (t->key_size)
		return atomic_read(&t->used);
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

u64 kscope_table_refused(const struct kscope_table *t)
{
	return atomic64_read(&t->refused);
}
EXPORT_SYMBOL_GPL(kscope_table_refused);

unsigned int kscope_table_end(const struct kscope_table *t)
{
	return t->end;
}
EXPORT_SYMBOL_GPL(kscope_table_end);

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

/*
 * An exact table's cursor: below nr_sets, the start of that bucket; from
 * there, just after the node nr_sets places further (its next is stable
 * until a clear), so a long chain is read a chunk at a time; end after
 * the last bucket.
 */
static unsigned int bucket_after(const struct kscope_table *t, u32 b)
{
	return b + 1 < t->nr_sets ? b + 1 : t->end;
}

static unsigned int exact_snapshot(struct kscope_table *t,
				   unsigned int *cursor, void *buf,
				   unsigned int max)
{
	unsigned int n = 0, k, c;
	struct table_stripe *st;
	struct table_node *nd;
	unsigned long flags;
	u32 b, i, last = 0;

	while (*cursor < t->end && n < max) {
		c = *cursor;
		if (c < t->nr_sets) {
			b = c;
			/* a key linked after this peek is for a later look */
			if (!READ_ONCE(t->heads[b])) {
				*cursor = bucket_after(t, b);
				continue;
			}
		} else {
			b = READ_ONCE(table_node(t, c - t->nr_sets)->bucket);
			if (b >= t->nr_sets) {	/* cannot be: stop */
				*cursor = t->end;
				continue;
			}
		}
		st = bucket_stripe(t, b);
		raw_spin_lock_irqsave(&st->lock, flags);
		if (c < t->nr_sets) {
			i = t->heads[b];
		} else {
			/* after a clear that node may be elsewhere, or free */
			nd = table_node(t, c - t->nr_sets);
			i = c - t->nr_sets < atomic_read(&t->used) &&
			    nd->bucket == b ? nd->next : 0;
		}
		for (k = 0; i && n < max && k < KSCOPE_TABLE_CHUNK; k++) {
			nd = table_node(t, i - 1);
			memcpy(buf + n++ * t->rec_size, node_rec(nd),
			       t->rec_size);
			last = i;
			i = nd->next;
		}
		raw_spin_unlock_irqrestore(&st->lock, flags);
		*cursor = i ? t->nr_sets + last - 1 : bucket_after(t, b);
	}
	return n;
}

unsigned int kscope_table_snapshot(struct kscope_table *t,
				   unsigned int *cursor, void *buf,
				   unsigned int max)
{
	unsigned int n = 0;

	if (t->key_size)
		return exact_snapshot(t, cursor, buf, max);
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
	unsigned int unit = t->key_size ? KSCOPE_TABLE_CHUNK : t->ways;
	size_t page = 0, size;
	struct sk_buff *msg;
	struct nlattr *nest;
	void *buf;
	int ret;

	buf = kvmalloc_array(TABLE_REPLY_SETS * unit, t->rec_size,
			     GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	/*
	 * Whole sets while they fit: a set that does not is read next time.
	 * An exact table's entries each have a cursor after them: as many
	 * as fit.
	 */
	for (sets = 0; sets < TABLE_REPLY_SETS && next < t->end; sets++) {
		unsigned int c = next;
		struct kscope_table_rec *r;

		k = kscope_table_snapshot(t, &c, buf + n * t->rec_size, unit);
		if (t->key_size) {
			/* record i of this chunk is record n of the reply */
			for (i = 0; i < k; i++) {
				r = kscope_table_rec(t, buf, n);
				size = rp->size(r, rp->arg);
				if (n && page + size > TABLE_REPLY_PAGE)
					break;
				page += size;
				n++;
				next = t->nr_sets + r->touched - 1;
			}
			if (i < k)
				break;
			next = c;
			cond_resched();
			continue;
		}
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
	if (!ret && next < t->end)
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
