/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one bounded table of kscope (modules/core/table.c): a fixed number
 * of entries, each a u64 key and a value blob of a size fixed at create
 * time, allocated at create time, so that probes never allocate.
 *
 * It is set-associative: a key hashes to one set of @ways entries, and
 * each set has its own raw spinlock, always taken with interrupts off, so
 * probes on different keys rarely meet and a caller may be in any context
 * but NMI (hard IRQ, under the run-queue lock). A full set gives up its
 * entry that is stale (the table's @stale callback says so), else its
 * least recently touched one; the table counts these evictions and tells
 * the caller, who counts them under its own name.
 *
 * Writers: kscope_table_get() locks the key's set and returns the value
 * (created zeroed when asked and absent), kscope_table_put() unlocks it.
 * Keep the work between them short and lock-free: the set lock is the
 * innermost lock of whoever calls.
 *
 * Readers: kscope_table_snapshot() copies whole sets, one lock hold per
 * set, into a caller buffer and moves a cursor, so that a reader formats
 * without any lock and can go on from the cursor later (a netlink reply
 * in several messages, a seq_file).
 *
 * An exact table (kscope_table_create_exact()) is the other kind, for
 * counts that must be exact over an interval (vfs top): it never evicts.
 * Its keys are @key_size bytes, the first bytes of each value; its
 * entries come from a pool of @capacity, chained in as many hash buckets
 * (a power of two), and the buckets share KSCOPE_TABLE_STRIPES raw
 * spinlocks, each on its own cache line. A new key when the pool is used
 * up is refused: the table counts it (kscope_table_refused(), until the
 * next clear) and tells the caller (KSCOPE_TABLE_FULL). Only a clear
 * frees entries. Its snapshots copy one bucket's chain, at most
 * KSCOPE_TABLE_CHUNK entries, per lock hold, in bucket order, and can go
 * on from the middle of a chain.
 */
#ifndef _KSCOPE_TABLE_H
#define _KSCOPE_TABLE_H

#include <linux/compiler_types.h>
#include <linux/lockdep.h>
#include <linux/types.h>

struct genl_info;
struct kscope_source;
struct kscope_table;
struct kscope_table_set;
struct raw_spinlock;
struct sk_buff;

/* Whether a value may be evicted before the least recently touched. */
typedef bool (*kscope_table_stale_fn)(const void *val);

/*
 * At least @capacity entries, in sets of @ways (1..64), values of
 * @val_size bytes; NULL when out of memory or the sizes are wrong.
 * GFP_KERNEL, may sleep. Each call site gets its own lockdep class.
 */
struct kscope_table *__kscope_table_create(unsigned int capacity,
					   unsigned int ways, size_t val_size,
					   kscope_table_stale_fn stale,
					   struct lock_class_key *key);
#define kscope_table_create(capacity, ways, val_size, stale) ({		\
	static struct lock_class_key __key;				\
	__kscope_table_create(capacity, ways, val_size, stale, &__key);	\
})
/*
 * An exact table of @capacity entries (1..1 << 24), keys of @key_size
 * bytes (1..@val_size) at the start of values of @val_size bytes. GFP_KERNEL.
 */
struct kscope_table *__kscope_table_create_exact(unsigned int capacity,
						 size_t key_size,
						 size_t val_size,
						 struct lock_class_key *key);
#define kscope_table_create_exact(capacity, key_size, val_size) ({	\
	static struct lock_class_key __key;				\
	__kscope_table_create_exact(capacity, key_size, val_size, &__key); \
})
#define KSCOPE_TABLE_STRIPES	256	/* locks of an exact table, at most */
#define KSCOPE_TABLE_CHUNK	64	/* entries copied per lock hold */

/* NULL is fine. No get/put/snapshot may run any more. */
void kscope_table_destroy(struct kscope_table *t);

/*
 * Keep counter @idx of @src (its own numbering), a KSCOPE_COUNTER_GAUGE,
 * equal to the entries in use: +1 for a new key given a free entry, -1
 * for each entry removed or cleared, nothing for an eviction (one key in
 * place of another). Call it once, after create and before the first
 * get; the table then counts into @src like kscope_gauge_add(), so it
 * may change only while @src is registered (as for any counting).
 */
void kscope_table_gauge(struct kscope_table *t, struct kscope_source *src,
			unsigned int idx);

/* What kscope_table_get() did; *@res is a mask of these. */
#define KSCOPE_TABLE_NEW	0x1	/* the entry was created (zeroed) */
#define KSCOPE_TABLE_EVICTED	0x2	/* ... in place of another key's */
#define KSCOPE_TABLE_FULL	0x4	/* exact: refused, the pool is used up */

struct kscope_table_ref {
	struct kscope_table_set *set;	/* of a set-associative table */
	struct raw_spinlock *lock;
	unsigned long flags;
};

/*
 * Lock @key's set and return its value, touched (most recently used),
 * or, when absent, a new zeroed one if @create, else NULL. In every case
 * the set stays locked until kscope_table_put(@ref). @res may be NULL.
 */
void *kscope_table_get(struct kscope_table *t, u64 key, bool create,
		       struct kscope_table_ref *ref, unsigned int *res)
	__acquires(ref);
/*
 * The same for an exact table and the @key_size bytes at @key; when
 * absent, a new value is zeroed then starts with a copy of the key. NULL
 * with KSCOPE_TABLE_FULL when the pool is used up (counted), NULL and no
 * flag while a clear runs. A table of u64 keys takes either call.
 */
void *kscope_table_get_key(struct kscope_table *t, const void *key,
			   bool create, struct kscope_table_ref *ref,
			   unsigned int *res)
	__acquires(ref);
void kscope_table_put(struct kscope_table_ref *ref) __releases(ref);
/* Between get and put: free the entry of @val (from that get). Not exact. */
void kscope_table_remove(struct kscope_table *t, struct kscope_table_ref *ref,
			 void *val);
/*
 * Free every entry, one set at a time (each set lock held in turn). An
 * exact table is emptied at once: new gets find it cleared (they return
 * NULL while it runs), and its refusals count from 0 again. That one
 * sleeps (it waits for the gets inside it) and its callers serialise
 * clears; a snapshot going on from a cursor across a clear is safe but
 * lists some of each side.
 */
void kscope_table_clear(struct kscope_table *t);

/*
 * One entry as a snapshot copies it; the value follows. In an exact
 * table, key is the key's hash and touched the entry's place in the
 * pool, from 1 (the value starts with the key).
 */
struct kscope_table_rec {
	u64 key;
	u64 touched;		/* its set's clock at the last touch */
	u8 val[];
};

/* Bytes of one record of @t's snapshot, a multiple of 8. */
size_t kscope_table_rec_size(const struct kscope_table *t);
unsigned int kscope_table_ways(const struct kscope_table *t);
unsigned int kscope_table_sets(const struct kscope_table *t);
/* entries in use, summed over sets without their locks */
unsigned int kscope_table_used(const struct kscope_table *t);
/* since create */
u64 kscope_table_evictions(const struct kscope_table *t);
/* exact: new keys refused since the last clear */
u64 kscope_table_refused(const struct kscope_table *t);
/* where a snapshot cursor stands at the end: kscope_table_sets() unless exact */
unsigned int kscope_table_end(const struct kscope_table *t);

/*
 * Copy the entries of whole sets from set *@cursor on into @buf (@max
 * records of kscope_table_rec_size() bytes, @max >= ways), each set's
 * least recently touched first, as long as a full set still fits; *@cursor
 * moves past the sets copied and equals kscope_table_sets() at the end.
 * Returns the records copied (0 is possible before the end: empty sets).
 * An exact table copies up to @max (>= 1) records, bucket by bucket and
 * KSCOPE_TABLE_CHUNK at most per lock hold; its cursor ends at
 * kscope_table_end().
 */
unsigned int kscope_table_snapshot(struct kscope_table *t,
				   unsigned int *cursor, void *buf,
				   unsigned int max);

/*
 * A read request's reply (KSCOPE_CMD_CTL_GET) listing @t from set @cursor
 * on: one message with the entries of as many whole sets as fit about
 * 15 KiB of attributes (at least one set), each put by @put, sized
 * exactly with @size (nla_total_size() of what @put writes), and, unless
 * the list ends there, a u32 @cursor_attr telling where to go on. May
 * sleep; holds one set lock at a time, for a copy (exact: as many entries
 * as fit, one chunk per lock hold).
 */
struct kscope_table_reply {
	struct kscope_table *t;
	u16 cursor_attr;
	size_t (*size)(const struct kscope_table_rec *r, void *arg);
	int (*put)(struct sk_buff *msg, const struct kscope_table_rec *r,
		   void *arg);
	void *arg;
};
int kscope_table_reply(struct kscope_source *src, struct genl_info *info,
		       const struct kscope_table_reply *rp, u32 cursor);

static inline struct kscope_table_rec *
kscope_table_rec(const struct kscope_table *t, void *buf, unsigned int i)
{
	return buf + i * kscope_table_rec_size(t);
}

#endif /* _KSCOPE_TABLE_H */
