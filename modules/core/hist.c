// SPDX-License-Identifier: GPL-2.0
/*
 * The one histogram type: per-CPU log2 buckets, summed on read, one
 * netlink nest, one debugfs rendering. See include/kscope/hist.h.
 */
#include <linux/export.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <net/netlink.h>
#include <kscope/hist.h>

int kscope_hist_init(struct kscope_hist *h, enum kscope_unit unit,
		     unsigned int slots)
{
	if (WARN_ON_ONCE(slots < 2 || slots > KSCOPE_HIST_MAX_SLOTS ||
			 unit >= __KSCOPE_UNIT_MAX))
		return -EINVAL;
	h->unit = unit;
	h->slots = slots;
	/* the sum after the counts */
	h->pcpu = __alloc_percpu((slots + 1) * sizeof(u64), sizeof(u64));
	return h->pcpu ? 0 : -ENOMEM;
}
EXPORT_SYMBOL_GPL(kscope_hist_init);

void kscope_hist_free(struct kscope_hist *h)
{
	free_percpu(h->pcpu);
	h->pcpu = NULL;
}
EXPORT_SYMBOL_GPL(kscope_hist_free);

void kscope_hist_reset(struct kscope_hist *h)
{
	unsigned int i;
	int cpu;

	for_each_possible_cpu(cpu)
		for (i = 0; i <= h->slots; i++)
			WRITE_ONCE(per_cpu_ptr(h->pcpu, cpu)[i], 0);
}
EXPORT_SYMBOL_GPL(kscope_hist_reset);

void kscope_hist_data_init(struct kscope_hist_data *d, enum kscope_unit unit,
			   unsigned int slots)
{
	memset(d, 0, sizeof(*d));
	d->unit = unit;
	d->slots = clamp_t(unsigned int, slots, 2, KSCOPE_HIST_MAX_SLOTS);
}
EXPORT_SYMBOL_GPL(kscope_hist_data_init);

void kscope_hist_sum_add(const struct kscope_hist *h,
			 struct kscope_hist_data *d)
{
	unsigned int i;
	u64 v;
	int cpu;

	if (WARN_ON_ONCE(d->unit != h->unit || d->slots != h->slots))
		return;
	for_each_possible_cpu(cpu) {
		const u64 *c = per_cpu_ptr(h->pcpu, cpu);

		for (i = 0; i < h->slots; i++) {
			v = READ_ONCE(c[i]);
			d->b[i] += v;
			d->count += v;
		}
		d->sum += READ_ONCE(c[h->slots]);
	}
}
EXPORT_SYMBOL_GPL(kscope_hist_sum_add);

void kscope_hist_sum(const struct kscope_hist *h, struct kscope_hist_data *d)
{
	kscope_hist_data_init(d, h->unit, h->slots);
	kscope_hist_sum_add(h, d);
}
EXPORT_SYMBOL_GPL(kscope_hist_sum);

/* Bounds of slot @i, inclusive; U64_MAX above the open-ended last slot. */
static void slot_bounds(unsigned int i, unsigned int slots, u64 *lo, u64 *hi)
{
	*lo = i ? 1ULL << i : 0;
	*hi = i == slots - 1 ? U64_MAX : (2ULL << i) - 1;
}

static size_t bucket_size(void)
{
	return nla_total_size(0) + 3 * nla_total_size_64bit(sizeof(u64));
}

static size_t head_size(void)
{
	return nla_total_size(0) +			/* the nest */
	       nla_total_size(sizeof(u8)) +		/* UNIT */
	       nla_total_size(sizeof(u32)) +		/* SLOTS */
	       2 * nla_total_size_64bit(sizeof(u64));	/* COUNT, SUM */
}

size_t kscope_hist_nest_size(const struct kscope_hist *h)
{
	return head_size() + h->slots * bucket_size();
}
EXPORT_SYMBOL_GPL(kscope_hist_nest_size);

size_t kscope_hist_data_nest_size(const struct kscope_hist_data *d)
{
	size_t size = head_size();
	unsigned int i;

	for (i = 0; i < d->slots; i++)
		if (d->b[i])
			size += bucket_size();
	return size;
}
EXPORT_SYMBOL_GPL(kscope_hist_data_nest_size);

int kscope_hist_data_put(struct sk_buff *skb, int attrtype,
			 const struct kscope_hist_data *d)
{
	struct nlattr *nest, *b;
	unsigned int i;
	u64 lo, hi;

	nest = nla_nest_start(skb, attrtype);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u8(skb, KSCOPE_HIST_UNIT, d->unit) ||
	    nla_put_u32(skb, KSCOPE_HIST_SLOTS, d->slots) ||
	    nla_put_u64_64bit(skb, KSCOPE_HIST_COUNT, d->count,
			      KSCOPE_HIST_PAD) ||
	    nla_put_u64_64bit(skb, KSCOPE_HIST_SUM, d->sum, KSCOPE_HIST_PAD))
		goto cancel_nest;
	for (i = 0; i < d->slots; i++) {
		if (!d->b[i])
			continue;
		slot_bounds(i, d->slots, &lo, &hi);
		b = nla_nest_start(skb, KSCOPE_HIST_BUCKET);
		if (!b ||
		    nla_put_u64_64bit(skb, KSCOPE_HB_LOW, lo, KSCOPE_HB_PAD) ||
		    nla_put_u64_64bit(skb, KSCOPE_HB_HIGH, hi, KSCOPE_HB_PAD) ||
		    nla_put_u64_64bit(skb, KSCOPE_HB_COUNT, d->b[i],
				      KSCOPE_HB_PAD))
			goto cancel_nest;
		nla_nest_end(skb, b);
	}
	nla_nest_end(skb, nest);
	return 0;

cancel_nest:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}
EXPORT_SYMBOL_GPL(kscope_hist_data_put);

int kscope_hist_put(struct sk_buff *skb, int attrtype,
		    const struct kscope_hist *h)
{
	struct kscope_hist_data d;

	kscope_hist_sum(h, &d);
	return kscope_hist_data_put(skb, attrtype, &d);
}
EXPORT_SYMBOL_GPL(kscope_hist_put);

static const char * const unit_names[__KSCOPE_UNIT_MAX] = {
	[KSCOPE_UNIT_NONE] = "value",
	[KSCOPE_UNIT_NS] = "nsecs",
	[KSCOPE_UNIT_US] = "usecs",
	[KSCOPE_UNIT_BYTES] = "bytes",
	[KSCOPE_UNIT_PAGES] = "pages",
};

/* As libbpf-tools' print_stars(): @width columns for the largest count. */
static void show_stars(struct seq_file *m, u64 val, u64 max, unsigned int width)
{
	unsigned int i, stars = mul_u64_u64_div_u64(val, width, max);

	seq_putc(m, '|');
	for (i = 0; i < width; i++)
		seq_putc(m, i < stars ? '*' : ' ');
	seq_puts(m, "|\n");
}

void kscope_hist_data_show(struct seq_file *m,
			   const struct kscope_hist_data *d)
{
	unsigned int i, last = 0, width, stars;
	bool any = false;
	u64 max = 0, lo, hi;

	for (i = 0; i < d->slots; i++) {
		if (d->b[i]) {
			any = true;
			last = i;
		}
		max = max(max, d->b[i]);
	}
	if (!any)
		return;
	/* print_log2_hist()'s layout: wider columns past slot 32 */
	width = last <= 32 ? 10 : 20;
	stars = last <= 32 ? 40 : 20;
	seq_printf(m, "%*s%-*s : count    distribution\n", last <= 32 ? 5 : 15,
		   "", last <= 32 ? 19 : 29,
		   unit_names[d->unit < __KSCOPE_UNIT_MAX ? d->unit : 0]);
	for (i = 0; i <= last; i++) {
		slot_bounds(i, d->slots, &lo, &hi);
		if (hi == U64_MAX)
			seq_printf(m, "%*llu -> %-*s : %-8llu ", width, lo,
				   width, "inf", d->b[i]);
		else
			seq_printf(m, "%*llu -> %-*llu : %-8llu ", width, lo,
				   width, hi, d->b[i]);
		show_stars(m, d->b[i], max, stars);
	}
}
EXPORT_SYMBOL_GPL(kscope_hist_data_show);

void kscope_hist_show(struct seq_file *m, const struct kscope_hist *h)
{
	struct kscope_hist_data d;

	kscope_hist_sum(h, &d);
	kscope_hist_data_show(m, &d);
}
EXPORT_SYMBOL_GPL(kscope_hist_show);
