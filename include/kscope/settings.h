/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A source's settings (filters, thresholds) as one RCU-swapped struct
 * (modules/core/settings.c): probes read the current copy under RCU
 * without a lock; a control request builds a new copy under the
 * settings' mutex, publishes it, and the old one is freed after a grace
 * period. No copy published ("empty") is the state where nothing is set:
 * a probe can test that with one load, kscope_settings_empty().
 *
 * The struct a module keeps needs no rcu_head: the helper wraps each copy
 * in its own allocation.
 *
 *	static DEFINE_KSCOPE_SETTINGS(my_settings, struct my_filter);
 *
 *	probe:	rcu_read_lock();
 *		f = kscope_settings_get(&my_settings);	(NULL when empty)
 *		...
 *		rcu_read_unlock();
 *
 *	ctl:	ret = kscope_settings_update(&my_settings, fill, tb, 0);
 *
 *	exit:	kscope_settings_destroy(&my_settings);	(after the probes)
 */
#ifndef _KSCOPE_SETTINGS_H
#define _KSCOPE_SETTINGS_H

#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/types.h>

/* one published copy: the module's struct in @data */
struct kscope_settings_copy {
	struct rcu_head rcu;
	u64 data[];			/* 8-byte aligned for any member */
};

struct kscope_settings {
	struct kscope_settings_copy __rcu *cur;
	size_t size;			/* of the module's struct */
	struct mutex lock;		/* serialises updates */
};

#define KSCOPE_SETTINGS_INIT(name, _size)				\
	{ .cur = NULL, .size = (_size),					\
	  .lock = __MUTEX_INITIALIZER((name).lock) }

#define DEFINE_KSCOPE_SETTINGS(name, type)				\
	struct kscope_settings name = KSCOPE_SETTINGS_INIT(name, sizeof(type))

void kscope_settings_init(struct kscope_settings *s, size_t size);

/*
 * The current copy, NULL when empty: under rcu_read_lock() (or any RCU
 * read side: preemption off, a tracepoint probe), valid until its end.
 * Probe-safe, any context.
 */
static inline const void *__kscope_settings_data(struct kscope_settings_copy *c)
{
	return c ? c->data : NULL;
}

#define kscope_settings_get(s)	__kscope_settings_data(rcu_dereference((s)->cur))

/* Nothing set? One load, no RCU read side needed. */
static inline bool kscope_settings_empty(struct kscope_settings *s)
{
	return !rcu_access_pointer(s->cur);
}

/* *@out = the current copy, or zeroes when empty. Any context. */
void kscope_settings_read(struct kscope_settings *s, void *out);

/*
 * The update's fill callback: @next is the new copy, zeroed or (with
 * KSCOPE_SETTINGS_KEEP) the current one's contents; @prev is the current
 * copy or NULL. It runs under the settings' mutex, so it may also change
 * other state that belongs with the settings. Return 0 to publish @next,
 * KSCOPE_SETTINGS_EMPTY to publish nothing (nothing is set), or a
 * negative errno to leave the settings as they are.
 */
typedef int (*kscope_settings_fill_fn)(void *next, const void *prev,
				       void *arg);

#define KSCOPE_SETTINGS_EMPTY	1

/* kscope_settings_update() flags */
#define KSCOPE_SETTINGS_KEEP	BIT(0)	/* start from the current contents */

/*
 * Build a new copy with @fill and swap it in; the old copy is freed after
 * a grace period. 0 or @fill's errno; -ENOMEM. GFP_KERNEL, may sleep.
 */
int kscope_settings_update(struct kscope_settings *s,
			   kscope_settings_fill_fn fill, void *arg,
			   unsigned int flags);

/*
 * Unpublish and free the current copy (after a grace period). Once no
 * probe can reach @s any more, e.g. at module exit; @s may be used again.
 */
void kscope_settings_destroy(struct kscope_settings *s);

#endif /* _KSCOPE_SETTINGS_H */
