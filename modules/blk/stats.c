// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics per device and per hardware queue: requests, bios (so
 * merges = bios - requests) and bytes by op, latency sums and
 * histograms (the core's) by op, FUA writes, errors, requests slower than the
 * threshold, in-flight now and its high-water mark. Per-CPU counters,
 * bumped with this_cpu ops because completions run in any context;
 * summed on read. Exposed in debugfs (kscope/blk/<disk>/{config,stats,hwq,
 * latency})
 * and through KSCOPE_CMD_CTL_GET, where each counter carries its kind
 * (counter or gauge), since no source schema lists them.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include "kblk.h"

static void kblk_slow_event(struct kblk_dev *dev, struct kblk_hwq *hwq,
			    struct request *rq, enum kblk_op op, u64 lat_ns)
{
	struct kblk_slow_ev ev = {
		.sector = blk_rq_pos(rq),
		.bytes = blk_rq_bytes(rq),
		.lat_ns = lat_ns,
		.hwq = hwq->index,
	};

	strscpy(ev.disk, dev->disk->disk_name, sizeof(ev.disk));
	strscpy(ev.op, kblk_op_names[op], sizeof(ev.op));
	kscope_emit_typed(&kblk_src, 0, &ev);
}

void kblk_stats_done(struct kblk_dev *dev, struct kblk_hwq *hwq,
		     struct request *rq, enum kblk_op op, u64 lat_ns,
		     blk_status_t status)
{
	struct kblk_stat __percpu *s = hwq->stat;
	u32 bytes = blk_rq_bytes(rq);
	unsigned int nr_bios = 0;
	u64 us = div_u64(lat_ns, NSEC_PER_USEC), slow;
	struct bio *bio;

	if (op >= KBLK_NR_OPS) {
		this_cpu_inc(s->errors);
		kblk_count(KBLK_C_ERRORS);
		return;
	}
	__rq_for_each_bio(bio, rq)
		nr_bios++;
	this_cpu_inc(s->reqs[op]);
	this_cpu_add(s->bios[op], nr_bios);
	this_cpu_add(s->bytes[op], bytes);
	this_cpu_add(s->lat_ns[op], lat_ns);
	kscope_hist_add(&hwq->lat[op], us);
	if (rq->cmd_flags & REQ_FUA)
		this_cpu_inc(s->fua);
	kblk_count(KBLK_C_REQUESTS);
	kblk_count_add(KBLK_C_BYTES, bytes);
	if (status) {
		this_cpu_inc(s->errors);
		kblk_count(KBLK_C_ERRORS);
	}
	slow = READ_ONCE(dev->slow_ns);
	if (slow && lat_ns >= slow) {
		this_cpu_inc(s->slow);
		kblk_count(KBLK_C_SLOW);
		/* the event, like the counters, needs the source registered */
		rcu_read_lock();
		if (READ_ONCE(kblk_counting) && kscope_listening())
			kblk_slow_event(dev, hwq, rq, op, lat_ns);
		rcu_read_unlock();
	}
}

static void kblk_stat_add(struct kblk_stat *out, const struct kblk_stat *s)
{
	unsigned int op;

	for (op = 0; op < KBLK_NR_OPS; op++) {
		out->reqs[op] += s->reqs[op];
		out->bios[op] += s->bios[op];
		out->bytes[op] += s->bytes[op];
		out->lat_ns[op] += s->lat_ns[op];
	}
	out->fua += s->fua;
	out->errors += s->errors;
	out->slow += s->slow;
}

/* Sum over CPUs of hardware queue @hwq, or of all queues when -1. */
void kblk_stats_sum(struct kblk_dev *dev, int hwq, struct kblk_stat *out)
{
	unsigned int q, cpu;

	memset(out, 0, sizeof(*out));
	for (q = 0; q < kblk_nr_hwq(dev); q++) {
		if (hwq >= 0 && q != hwq)
			continue;
		for_each_possible_cpu(cpu)
			kblk_stat_add(out, per_cpu_ptr(dev->hwq[q].stat, cpu));
	}
}

/* @kind: enum kscope_counter_kind, for netlink (debugfs prints no kind) */
typedef int (*kblk_visit_fn)(void *ctx, const char *name, u64 val, u8 kind);

void kblk_lat_sum(struct kblk_dev *dev, int hwq, struct kblk_lat *l)
{
	unsigned int q, op;

	for (op = 0; op < KBLK_NR_OPS; op++)
		kscope_hist_data_init(&l->op[op], KSCOPE_UNIT_US,
				      KBLK_LAT_SLOTS);
	for (q = 0; q < kblk_nr_hwq(dev); q++) {
		if (hwq >= 0 && q != hwq)
			continue;
		for (op = 0; op < KBLK_NR_OPS; op++)
			kscope_hist_sum_add(&dev->hwq[q].lat[op], &l->op[op]);
	}
}

/*
 * Every statistic as a name/value pair with its kind, in a fixed order:
 * counts of what happened are counters; what is in flight now, its
 * high-water mark, the pages backing the device and its openers are
 * gauges.
 */
static int kblk_stat_visit(struct kblk_dev *dev, int hwq, kblk_visit_fn fn,
			   void *ctx)
{
	struct kblk_stat *s;
	atomic_t *cur, *max;
	unsigned int op;
	char name[48];
	int ret = 0;

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	kblk_stats_sum(dev, hwq, s);
	cur = hwq >= 0 ? &dev->hwq[hwq].inflight : &dev->inflight;
	max = hwq >= 0 ? &dev->hwq[hwq].inflight_max : &dev->inflight_max;

/* after a failure, the remaining pairs are skipped */
#define VISIT_KIND(val, kind)	(ret = ret ?: fn(ctx, name, (val), (kind)))
#define VISIT(val)	VISIT_KIND(val, KSCOPE_COUNTER_MONOTONIC)
#define GAUGE(val)	VISIT_KIND(val, KSCOPE_COUNTER_GAUGE)
	for (op = 0; op < KBLK_NR_OPS; op++) {
		const char *o = kblk_op_names[op];

		snprintf(name, sizeof(name), "%s_reqs", o);
		VISIT(s->reqs[op]);
		snprintf(name, sizeof(name), "%s_bios", o);
		VISIT(s->bios[op]);
		snprintf(name, sizeof(name), "%s_merges", o);
		VISIT(s->bios[op] - s->reqs[op]);
		snprintf(name, sizeof(name), "%s_bytes", o);
		VISIT(s->bytes[op]);
		snprintf(name, sizeof(name), "%s_lat_ns_sum", o);
		VISIT(s->lat_ns[op]);
	}
	strscpy(name, "fua_writes", sizeof(name));
	VISIT(s->fua);
	strscpy(name, "errors", sizeof(name));
	VISIT(s->errors);
	strscpy(name, "slow", sizeof(name));
	VISIT(s->slow);
	strscpy(name, "inflight", sizeof(name));
	GAUGE(atomic_read(cur));
	strscpy(name, "inflight_max", sizeof(name));
	GAUGE(atomic_read(max));
	if (hwq < 0) {
		strscpy(name, "pages", sizeof(name));
		GAUGE(atomic_long_read(&dev->nr_pages));
		strscpy(name, "openers", sizeof(name));
		GAUGE(disk_openers(dev->disk));
	} else if (dev->hwq[hwq].polled) {
		strscpy(name, "polls", sizeof(name));
		VISIT(atomic_long_read(&dev->hwq[hwq].polls));
		strscpy(name, "polls_found", sizeof(name));
		VISIT(atomic_long_read(&dev->hwq[hwq].polls_found));
	}
#undef GAUGE
#undef VISIT
#undef VISIT_KIND
	kfree(s);
	return ret;
}

/* ---- debugfs ---- */

static int kblk_seq_pair(void *ctx, const char *name, u64 val, u8 kind)
{
	seq_printf(ctx, "%s %llu\n", name, val);
	return 0;
}

static int kblk_stats_show(struct seq_file *m, void *v)
{
	return kblk_stat_visit(m->private, -1, kblk_seq_pair, m);
}
DEFINE_SHOW_ATTRIBUTE(kblk_stats);

/* "read" (the device) or "hwq N read", then that histogram, for each op */
static int kblk_latency_show(struct seq_file *m, void *v)
{
	struct kblk_dev *dev = m->private;
	struct kblk_lat *l;
	unsigned int op;
	int q;

	l = kmalloc(sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	for (q = -1; q < (int)kblk_nr_hwq(dev); q++) {
		kblk_lat_sum(dev, q, l);
		for (op = 0; op < KBLK_NR_OPS; op++) {
			if (!l->op[op].count)
				continue;
			if (q >= 0)
				seq_printf(m, "hwq %d ", q);
			seq_printf(m, "%s\n", kblk_op_names[op]);
			kscope_hist_data_show(m, &l->op[op]);
		}
	}
	kfree(l);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kblk_latency);

static int kblk_seq_field(void *ctx, const char *name, u64 val, u8 kind)
{
	seq_printf(ctx, " %s=%llu", name, val);
	return 0;
}

/* One line per hardware queue. */
static int kblk_hwq_show(struct seq_file *m, void *v)
{
	struct kblk_dev *dev = m->private;
	unsigned int q;
	int ret;

	for (q = 0; q < kblk_nr_hwq(dev); q++) {
		seq_printf(m, "hwq=%u type=%s", q,
			   dev->hwq[q].polled ? "poll" : "default");
		ret = kblk_stat_visit(dev, q, kblk_seq_field, m);
		if (ret)
			return ret;
		seq_putc(m, '\n');
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kblk_hwq);

static int kblk_config_show(struct seq_file *m, void *v)
{
	struct kblk_dev *dev = m->private;
	const struct kblk_config *c = &dev->cfg;

	seq_printf(m, "name %s\ndisk %s\nprofile %s\nsize_mb %u\n", c->name,
		   dev->disk->disk_name, kblk_profile_names[c->profile],
		   c->size_mb);
	seq_printf(m, "queues %u\npoll_queues %u\ndepth %u\nlbs %u\npbs %u\n",
		   c->queues, c->poll_queues, c->depth, c->lbs, c->pbs);
	seq_printf(m, "max_segments %u\nmax_sectors %u\nrotational %u\n",
		   c->max_segments, c->max_sectors, c->rotational);
	seq_printf(m, "wcache %u\nfua %u\ndiscard %u\ncompletion %s\n",
		   c->wcache, c->fua, c->discard,
		   kblk_comp_names[c->completion]);
	seq_printf(m, "bw_mbps %u\nslow_ns %llu\n", c->bw_mbps,
		   READ_ONCE(dev->slow_ns));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(kblk_config);

void kblk_debugfs_add(struct kblk_dev *dev)
{
	dev->dir = debugfs_create_dir(dev->disk->disk_name, kblk_src.dir);
	debugfs_create_file("config", 0444, dev->dir, dev, &kblk_config_fops);
	debugfs_create_file("stats", 0444, dev->dir, dev, &kblk_stats_fops);
	debugfs_create_file("hwq", 0444, dev->dir, dev, &kblk_hwq_fops);
	debugfs_create_file("latency", 0444, dev->dir, dev,
			    &kblk_latency_fops);
}

/* ---- netlink ---- */

/* NAME, VALUE and KIND: these counters are in no source's schema */
static int kblk_nl_pair(void *ctx, const char *name, u64 val, u8 kind)
{
	struct sk_buff *skb = ctx;
	struct nlattr *ctr = nla_nest_start(skb, KSCOPE_A_COUNTER);

	if (!ctr || nla_put_string(skb, KSCOPE_CTR_NAME, name) ||
	    nla_put_u64_64bit(skb, KSCOPE_CTR_VALUE, val, KSCOPE_CTR_PAD) ||
	    nla_put_u8(skb, KSCOPE_CTR_KIND, kind))
		return -EMSGSIZE;
	nla_nest_end(skb, ctr);
	return 0;
}

static int kblk_nl_size(void *ctx, const char *name, u64 val, u8 kind)
{
	size_t *size = ctx;

	*size += nla_total_size(0) + nla_total_size(strlen(name) + 1) +
		 nla_total_size_64bit(sizeof(u64)) +
		 nla_total_size(sizeof(u8));
	return 0;
}

/* Bytes kblk_stats_put() of the same @hwq takes, added to *@size. */
int kblk_stats_size(struct kblk_dev *dev, int hwq, size_t *size)
{
	*size += nla_total_size(0);
	return kblk_stat_visit(dev, hwq, kblk_nl_size, size);
}

/* KSCOPE_BLK_STATS of the device (@hwq -1, with histograms) or a queue. */
int kblk_stats_put(struct sk_buff *skb, struct kblk_dev *dev, int hwq)
{
	struct nlattr *nest = nla_nest_start(skb, KSCOPE_BLK_STATS);
	int ret;

	if (!nest)
		return -EMSGSIZE;
	ret = kblk_stat_visit(dev, hwq, kblk_nl_pair, skb);
	if (ret)
		return ret;
	nla_nest_end(skb, nest);
	return 0;
}

size_t kblk_lat_size(const struct kblk_lat *l)
{
	unsigned int op;
	size_t size = 0;

	for (op = 0; op < KBLK_NR_OPS; op++)
		size += nla_total_size(0) +
			nla_total_size(strlen(kblk_op_names[op]) + 1) +
			kscope_hist_data_nest_size(&l->op[op]);
	return size;
}

int kblk_lat_put(struct sk_buff *skb, const struct kblk_lat *l)
{
	struct nlattr *nest;
	unsigned int op;

	for (op = 0; op < KBLK_NR_OPS; op++) {
		nest = nla_nest_start(skb, KSCOPE_BLK_LAT);
		if (!nest ||
		    nla_put_string(skb, KSCOPE_BLK_LAT_OP, kblk_op_names[op]) ||
		    kscope_hist_data_put(skb, KSCOPE_BLK_HIST, &l->op[op]))
			return -EMSGSIZE;
		nla_nest_end(skb, nest);
	}
	return 0;
}
