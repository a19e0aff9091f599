/* SPDX-License-Identifier: GPL-2.0 */
/*
 * blk-mq API differences between the supported kernels, one shim per
 * break. The KSCOPE_HAVE_* macros come from header checks in
 * include/kscope/compat-blk.mk.
 */
#ifndef _KSCOPE_COMPAT_BLK_H
#define _KSCOPE_COMPAT_BLK_H

#include <linux/blk-mq.h>
#include <linux/blkdev.h>
#include <linux/hrtimer.h>

/* Queue limits and features a kscope_blk device asks for. */
struct kscope_blk_limits {
	unsigned int logical_block_size;
	unsigned int physical_block_size;
	unsigned int max_hw_sectors;
	unsigned short max_segments;
	unsigned int max_discard_sectors;	/* 0: no discard */
	unsigned int max_write_zeroes_sectors;	/* 0: no write zeroes */
	bool rotational;
	bool write_cache;
	bool fua;
};

/*
 * 6.9 passes the limits to blk_mq_alloc_disk() and 6.11 moved the
 * rotational/write-cache/FUA queue flags into them; older kernels set
 * them on the queue after allocation.
 */
static inline struct gendisk *
kscope_blk_alloc_disk(struct blk_mq_tag_set *set,
		      const struct kscope_blk_limits *kl, void *queuedata)
{
#ifdef KSCOPE_HAVE_MQ_ALLOC_DISK_LIM
	struct queue_limits lim = {
		.logical_block_size = kl->logical_block_size,
		.physical_block_size = kl->physical_block_size,
		.max_hw_sectors = kl->max_hw_sectors,
		.max_segments = kl->max_segments,
		.max_hw_discard_sectors = kl->max_discard_sectors,
		.max_write_zeroes_sectors = kl->max_write_zeroes_sectors,
		.discard_granularity = kl->max_discard_sectors ?
				       kl->logical_block_size : 0,
	};

#ifdef KSCOPE_HAVE_BLK_FEAT
	if (kl->rotational)
		lim.features |= BLK_FEAT_ROTATIONAL;
	if (kl->write_cache)
		lim.features |= BLK_FEAT_WRITE_CACHE;
	if (kl->write_cache && kl->fua)
		lim.features |= BLK_FEAT_FUA;
#else
#error "queue limits without BLK_FEAT_*: add a shim for this kernel"
#endif
	return blk_mq_alloc_disk(set, &lim, queuedata);
#else
	struct gendisk *disk = blk_mq_alloc_disk(set, queuedata);
	struct request_queue *q;

	if (IS_ERR(disk))
		return disk;
	q = disk->queue;
	blk_queue_logical_block_size(q, kl->logical_block_size);
	blk_queue_physical_block_size(q, kl->physical_block_size);
	blk_queue_max_hw_sectors(q, kl->max_hw_sectors);
	blk_queue_max_segments(q, kl->max_segments);
	if (kl->max_discard_sectors) {
		q->limits.discard_granularity = kl->logical_block_size;
		blk_queue_max_discard_sectors(q, kl->max_discard_sectors);
	}
	blk_queue_max_write_zeroes_sectors(q, kl->max_write_zeroes_sectors);
	if (kl->rotational)
		blk_queue_flag_clear(QUEUE_FLAG_NONROT, q);
	else
		blk_queue_flag_set(QUEUE_FLAG_NONROT, q);
	blk_queue_write_cache(q, kl->write_cache, kl->write_cache && kl->fua);
	return disk;
#endif
}

/* 6.14 merges by default and dropped BLK_MQ_F_SHOULD_MERGE. */
#ifdef KSCOPE_HAVE_MQ_F_SHOULD_MERGE
#define KSCOPE_BLK_MQ_F_MERGE	BLK_MQ_F_SHOULD_MERGE
#else
#define KSCOPE_BLK_MQ_F_MERGE	0
#endif

/* 6.16: the numa node of init_request() is an int. */
#ifdef KSCOPE_HAVE_INIT_REQUEST_INT_NODE
#define KSCOPE_BLK_NUMA_T	int
#else
#define KSCOPE_BLK_NUMA_T	unsigned int
#endif

/*
 * 6.5: open() gets the gendisk and a blk_mode_t instead of the
 * block_device and an fmode_t. A driver writes
 * "static int fn(KSCOPE_BLK_OPEN_ARGS)" and finds its disk in
 * KSCOPE_BLK_OPEN_DISK.
 */
#ifdef KSCOPE_HAVE_OPEN_GENDISK
#define KSCOPE_BLK_OPEN_ARGS	struct gendisk *kscope_disk, blk_mode_t kscope_mode
#define KSCOPE_BLK_OPEN_DISK	(kscope_disk)
#else
#define KSCOPE_BLK_OPEN_ARGS	struct block_device *kscope_bdev, fmode_t kscope_mode
#define KSCOPE_BLK_OPEN_DISK	(kscope_bdev->bd_disk)
#endif

/* 6.13: hrtimer_setup() sets the callback along with the clock. */
static inline void
kscope_hrtimer_setup(struct hrtimer *t,
		     enum hrtimer_restart (*fn)(struct hrtimer *),
		     clockid_t clock, enum hrtimer_mode mode)
{
#ifdef KSCOPE_HAVE_HRTIMER_SETUP
	hrtimer_setup(t, fn, clock, mode);
#else
	hrtimer_init(t, clock, mode);
	t->function = fn;
#endif
}

#endif /* _KSCOPE_COMPAT_BLK_H */
