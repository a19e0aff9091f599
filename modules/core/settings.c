// SPDX-License-Identifier: GPL-2.0
/*
 * A source's settings as one RCU-swapped struct. See
 * include/kscope/settings.h.
 */
#include <linux/export.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kscope/settings.h>

void kscope_settings_init(struct kscope_settings *s, size_t size)
{
	RCU_INIT_POINTER(s->cur, NULL);
	s->size = size;
	mutex_init(&s->lock);
}
EXPORT_SYMBOL_GPL(kscope_settings_init);

void kscope_settings_read(struct kscope_settings *s, void *out)
{
	const void *cur;

	rcu_read_lock();
	cur = kscope_settings_get(s);
	if (cur)
		memcpy(out, cur, s->size);
	else
		memset(out, 0, s->size);
	rcu_read_unlock();
}
EXPORT_SYMBOL_GPL(kscope_settings_read);

int kscope_settings_update(struct kscope_settings *s,
			   kscope_settings_fill_fn fill, void *arg,
			   unsigned int flags)
{
	struct kscope_settings_copy *next, *prev;
	int ret;

	/* allocated before the lock: the callback runs with it held */
	next = kzalloc(struct_size(next, data, DIV_ROUND_UP(s->size, sizeof(u64))),
		       GFP_KERNEL);
	if (!next)
		return -ENOMEM;

	mutex_lock(&s->lock);
	prev = rcu_dereference_protected(s->cur, lockdep_is_held(&s->lock));
	if (prev && flags & KSCOPE_SETTINGS_KEEP)
		memcpy(next->data, prev->data, s->size);
	ret = fill(next->data, prev ? prev->data : NULL, arg);
	if (ret < 0) {
		mutex_unlock(&s->lock);
		kfree(next);
		return ret;
	}
	if (ret == KSCOPE_SETTINGS_EMPTY) {
		kfree(next);
		next = NULL;
	}
	rcu_assign_pointer(s->cur, next);
	mutex_unlock(&s->lock);
	if (prev)
		kfree_rcu(prev, rcu);
	return 0;
}
EXPORT_SYMBOL_GPL(kscope_settings_update);

/*
 * kfree_rcu() runs no code of the caller's module after a grace period,
 * so the module may go right after this returns: no rcu_barrier().
 */
void kscope_settings_destroy(struct kscope_settings *s)
{
	struct kscope_settings_copy *c;

	mutex_lock(&s->lock);
	c = rcu_dereference_protected(s->cur, lockdep_is_held(&s->lock));
	RCU_INIT_POINTER(s->cur, NULL);
	mutex_unlock(&s->lock);
	if (c)
		kfree_rcu(c, rcu);
}
EXPORT_SYMBOL_GPL(kscope_settings_destroy);
