// SPDX-License-Identifier: GPL-2.0
/*
 * blk-mq operations. Data moves in queue_rq, whatever the completion
 * mode, so that what a completed read returns is what the store holds;
 * the mode only decides where and when the request ends: right there
 * (inline), from the block softirq (softirq), or from a per-request
 * hrtimer at the time the profile's latency model says (timer).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include "kblk.h"

static void kblk_end(struct request *rq)
{
	struct kblk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct kblk_hwq *hwq = cmd->hwq;
	struct kblk_dev *dev = hwq->dev;
	enum kblk_op op = kblk_rq_op(rq);
	u64 lat = ktime_get_ns() - cmd->start_ns;

	/* stats read the request, so before it ends */
	kblk_stats_done(dev, hwq, rq, op, lat, cmd->status);
	atomic_dec(&hwq->inflight);
	atomic_dec(&dev->inflight);
	blk_mq_end_request(rq, cmd->status);
}

static enum hrtimer_restart kblk_timer_fn(struct hrtimer *t)
{
	struct kblk_cmd *cmd = container_of(t, struct kblk_cmd, timer);

	kblk_end(blk_mq_rq_from_pdu(cmd));
	return HRTIMER_NORESTART;
}

static void kblk_complete(struct request *rq)
{
	kblk_end(rq);
}

static void kblk_hiwater(atomic_t *cur, atomic_t *max)
{
	int n = atomic_inc_return(cur), m = atomic_read(max);

	while (n > m) {
		int old = atomic_cmpxchg(max, m, n);

		if (old == m)
			break;
		m = old;
	}
}

static blk_status_t kblk_do(struct kblk_dev *dev, struct request *rq,
			    enum kblk_op op)
{
	u64 sector = blk_rq_pos(rq);
	u32 bytes = blk_rq_bytes(rq);

	if (op != KBLK_OP_FLUSH && sector + (bytes >> SECTOR_SHIFT) > dev->sectors)
		return BLK_STS_IOERR;
	switch (op) {
	case KBLK_OP_READ:
		kblk_store_rw(dev, rq, false);
		break;
	case KBLK_OP_WRITE:
		if (kblk_store_prepare(dev, sector, bytes))
			return BLK_STS_RESOURCE;
		kblk_store_rw(dev, rq, true);
		break;
	case KBLK_OP_DISCARD:
	case KBLK_OP_WZEROES:
		kblk_store_zero(dev, sector, bytes);
		break;
	case KBLK_OP_FLUSH:
		/* the store is the medium: nothing volatile to write back */
		break;
	default:
		return BLK_STS_NOTSUPP;
	}
	return BLK_STS_OK;
}

static blk_status_t kblk_queue_rq(struct blk_mq_hw_ctx *hctx,
				  const struct blk_mq_queue_data *bd)
{
	struct kblk_hwq *hwq = hctx->driver_data;
	struct kblk_dev *dev = hwq->dev;
	struct request *rq = bd->rq;
	struct kblk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	enum kblk_op op = kblk_rq_op(rq);
	blk_status_t st;
	u64 done;

	cmd->hwq = hwq;
	cmd->start_ns = ktime_get_ns();
	st = kblk_do(dev, rq, op);
	if (st == BLK_STS_RESOURCE) {
		kscope_count(&kblk_src, KBLK_C_NOMEM);
		return st;
	}
	cmd->status = st;
	blk_mq_start_request(rq);
	kblk_hiwater(&hwq->inflight, &hwq->inflight_max);
	kblk_hiwater(&dev->inflight, &dev->inflight_max);

	switch (dev->cfg.completion) {
	case KSCOPE_BLK_COMP_INLINE:
		kblk_end(rq);
		break;
	case KSCOPE_BLK_COMP_SOFTIRQ:
		blk_mq_complete_request(rq);
		break;
	case KSCOPE_BLK_COMP_TIMER:
		done = kblk_model_done_ns(dev, op, blk_rq_pos(rq),
					  blk_rq_bytes(rq), cmd->start_ns);
		hrtimer_start(&cmd->timer, ns_to_ktime(done - cmd->start_ns),
			      HRTIMER_MODE_REL);
		break;
	default:
		break;
	}
	return BLK_STS_OK;
}

static int kblk_init_hctx(struct blk_mq_hw_ctx *hctx, void *data,
			  unsigned int idx)
{
	struct kblk_dev *dev = data;

	hctx->driver_data = &dev->hwq[idx];
	return 0;
}

static int kblk_init_request(struct blk_mq_tag_set *set, struct request *rq,
			     unsigned int hctx_idx, KSCOPE_BLK_NUMA_T node)
{
	struct kblk_cmd *cmd = blk_mq_rq_to_pdu(rq);

	kscope_hrtimer_setup(&cmd->timer, kblk_timer_fn, CLOCK_MONOTONIC,
			     HRTIMER_MODE_REL);
	return 0;
}

/*
 * A request only times out if its timer never fires; there is no
 * hardware to reset, so give it more time.
 */
static enum blk_eh_timer_return kblk_timeout(struct request *rq)
{
	return BLK_EH_RESET_TIMER;
}

const struct blk_mq_ops kblk_mq_ops = {
	.queue_rq = kblk_queue_rq,
	.complete = kblk_complete,
	.init_hctx = kblk_init_hctx,
	.init_request = kblk_init_request,
	.timeout = kblk_timeout,
};

/* No new opener once removal has begun (see kblk_dev_del()). */
static int kblk_open(KSCOPE_BLK_OPEN_ARGS)
{
	struct kblk_dev *dev = KSCOPE_BLK_OPEN_DISK->private_data;

	return READ_ONCE(dev->deleting) ? -ENXIO : 0;
}

const struct block_device_operations kblk_fops = {
	.owner = THIS_MODULE,
	.open = kblk_open,
};
