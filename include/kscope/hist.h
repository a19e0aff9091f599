/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one histogram of kscope (modules/core/hist.c): log2 buckets with the
 * convention of include/uapi/linux/kscope.h ("Histograms"), a unit, a sum
 * of the values, one netlink nest and one debugfs rendering.
 *
 * struct kscope_hist is per CPU: kscope_hist_add() is one this_cpu_inc()
 * and one this_cpu_add(), so it never allocates, locks or sleeps and may
 * run in any context (hard IRQ, NMI: an interrupted add can lose a sample
 * only where this_cpu ops are not single instructions, never corrupt
 * one). Its storage is allocated by kscope_hist_init(), at setup only.
 *
 * struct kscope_hist_data is one histogram in plain memory: what a read
 * of a kscope_hist sums into, and the form a writer that serialises
 * itself (a table entry under its lock) keeps directly.
 */
#ifndef _KSCOPE_HIST_H
#define _KSCOPE_HIST_H

#include <linux/log2.h>
#include <linux/minmax.h>
#include <linux/percpu.h>
#include <linux/types.h>
#include <uapi/linux/kscope.h>

struct seq_file;
struct sk_buff;

/* slots of the widest histogram: 2^39 ns is 9 minutes, the last is open */
#define KSCOPE_HIST_MAX_SLOTS	40

struct kscope_hist {
	u8 unit;			/* enum kscope_unit */
	u8 slots;
	u64 __percpu *pcpu;		/* per CPU: slots counts, then the sum */
};

struct kscope_hist_data {
	u8 unit;
	u8 slots;
	u64 count;
	u64 sum;
	u64 b[KSCOPE_HIST_MAX_SLOTS];
};

/* The slot of value @v in a histogram of @slots slots. */
static inline unsigned int kscope_hist_slot(u64 v, unsigned int slots)
{
	return v > 1 ? min_t(unsigned int, ilog2(v), slots - 1) : 0;
}

/* Probe-safe, any context. @v in the histogram's unit. */
static inline void kscope_hist_add(struct kscope_hist *h, u64 v)
{
	this_cpu_inc(h->pcpu[kscope_hist_slot(v, h->slots)]);
	this_cpu_add(h->pcpu[h->slots], v);
}

/* 2..KSCOPE_HIST_MAX_SLOTS slots; GFP_KERNEL, may sleep. */
int kscope_hist_init(struct kscope_hist *h, enum kscope_unit unit,
		     unsigned int slots);
/* Safe on a histogram that was never (or failed to be) initialised. */
void kscope_hist_free(struct kscope_hist *h);
/* Zero every CPU's counts; an add racing with it may survive. */
void kscope_hist_reset(struct kscope_hist *h);
/* *@d = @h summed over CPUs; kscope_hist_sum_add() adds to *@d instead. */
void kscope_hist_sum(const struct kscope_hist *h, struct kscope_hist_data *d);
void kscope_hist_sum_add(const struct kscope_hist *h,
			 struct kscope_hist_data *d);

void kscope_hist_data_init(struct kscope_hist_data *d, enum kscope_unit unit,
			   unsigned int slots);

/* The caller serialises the writers of @d. */
static inline void kscope_hist_data_add(struct kscope_hist_data *d, u64 v)
{
	d->b[kscope_hist_slot(v, d->slots)]++;
	d->count++;
	d->sum += v;
}

/*
 * Netlink: kscope_hist_put() writes one histogram nest of type @attrtype
 * (KSCOPE_A_HIST or a source's attribute for it), summed at that moment;
 * size the message with kscope_hist_nest_size() of the same histogram,
 * which holds for any contents. kscope_hist_data_put() writes @d, sized
 * exactly by kscope_hist_data_nest_size(@d).
 */
size_t kscope_hist_nest_size(const struct kscope_hist *h);
int kscope_hist_put(struct sk_buff *skb, int attrtype,
		    const struct kscope_hist *h);
size_t kscope_hist_data_nest_size(const struct kscope_hist_data *d);
int kscope_hist_data_put(struct sk_buff *skb, int attrtype,
			 const struct kscope_hist_data *d);

/*
 * debugfs: libbpf-tools' print_log2_hist() text ("     usecs : count
 * distribution", one "low -> high : count |***|" row per slot up to the
 * last non-empty one; "inf" for the open-ended slot); nothing at all for
 * an empty histogram. The reader draws the same from the nest.
 */
void kscope_hist_show(struct seq_file *m, const struct kscope_hist *h);
void kscope_hist_data_show(struct seq_file *m,
			   const struct kscope_hist_data *d);

#endif /* _KSCOPE_HIST_H */
