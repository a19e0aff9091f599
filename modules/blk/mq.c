// SPDX-License-Identifier: GPL-2.0
/*
 * blk-mq operations. Data moves in queue_rq, whatever the completion
 * mode, so that what a completed read returns is what the store holds;
 * the mode only decides where and when the request ends: right there
 * (inline), from the block softirq (softirq), or from a per-request
 * hrtimer at the time the profile's latency model says (timer).
 *
 * Polled queues (io_uring IOPOLL, HCTX_TYPE_POLL) never complete on
 * their own: a request waits on its queue's poll list, and ->poll()
 * completes those whose time has come (at once in the inline and softirq
 * modes, at the modeled time in the timer mode), as a polled NVMe
 * completion queue would.
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
		if (kblk_store_rw(dev, rq, true))
			return BLK_STS_RESOURCE;
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
		kblk_count(KBLK_C_NOMEM);
		return st;
	}
	cmd->status = st;
	blk_mq_start_request(rq);
	kblk_hiwater(&hwq->inflight, &hwq->inflight_max);
	kblk_hiwater(&dev->inflight, &dev->inflight_max);

	if (hwq->polled) {
		cmd->done_ns = dev->cfg.completion != KSCOPE_BLK_COMP_TIMER ?
			cmd->start_ns :
			kblk_model_done_ns(dev, op, blk_rq_pos(rq),
					   blk_rq_bytes(rq), cmd->start_ns);
		spin_lock(&hwq->poll_lock);
		list_add_tail(&cmd->poll_node, &hwq->poll_list);
		cmd->on_poll_list = true;
		spin_unlock(&hwq->poll_lock);
		return BLK_STS_OK;
	}
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
		cmd->done_ns = done;
		/*
		 * at the modeled end itself (CLOCK_MONOTONIC, as
		 * ktime_get_ns()), the time the copy took included
		 */
		hrtimer_start(&cmd->timer, ns_to_ktime(done), HRTIMER_MODE_ABS);
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
			     HRTIMER_MODE_ABS);
	return 0;
}

/* Complete the polled requests of @hctx that are due; how many. */
static int kblk_poll(struct blk_mq_hw_ctx *hctx, struct io_comp_batch *iob)
{
	struct kblk_hwq *hwq = hctx->driver_data;
	struct kblk_cmd *cmd, *next;
	u64 now = ktime_get_ns();
	LIST_HEAD(due);
	int n = 0;

	spin_lock(&hwq->poll_lock);
	list_for_each_entry_safe(cmd, next, &hwq->poll_list, poll_node) {
		if (cmd->done_ns > now)
			continue;
		list_move_tail(&cmd->poll_node, &due);
		cmd->on_poll_list = false;
	}
	spin_unlock(&hwq->poll_lock);
	list_for_each_entry_safe(cmd, next, &due, poll_node) {
		list_del(&cmd->poll_node);
		kblk_end(blk_mq_rq_from_pdu(cmd));
		n++;
	}
	atomic_long_inc(&hwq->polls);
	if (n)
		atomic_long_inc(&hwq->polls_found);
	return n;
}

/*
 * A request only times out if nothing ends it in time: the request
 * timeout was set (queue/io_timeout) below its modeled latency, or
 * nobody polls its queue any more. The handler is bounded: a request
 * gets more time only while its modeled end, at most KBLK_LAT_MAX_NS
 * after its start, plus KBLK_TIMER_GRACE_NS is still ahead and its timer
 * will end it; otherwise it is ended here with BLK_STS_TIMEOUT, once its
 * timer is cancelled or it is taken off its poll list (so that a queue
 * freeze, at removal, cannot wait on a poller that is gone). The grace
 * is for a timer that fires late: in a starved guest the timeout work
 * can run between the modeled end and the timer's callback, and the
 * request must end OK by its timer then. Inline requests never get
 * here; softirq ones are ending already.
 */
static enum blk_eh_timer_return kblk_timeout(struct request *rq)
{
	struct kblk_cmd *cmd = blk_mq_rq_to_pdu(rq);
	struct kblk_hwq *hwq = cmd->hwq;
	struct kblk_dev *dev = hwq ? hwq->dev : NULL;
	bool mine = false;

	if (!hwq || (!hwq->polled &&
		     dev->cfg.completion != KSCOPE_BLK_COMP_TIMER))
		return BLK_EH_RESET_TIMER;
	if (!hwq->polled) {
		if (ktime_get_ns() < cmd->done_ns + KBLK_TIMER_GRACE_NS)
			return BLK_EH_RESET_TIMER;
		/* 1: cancelled, it is ours; -1 or 0: its timer is ending it */
		if (hrtimer_try_to_cancel(&cmd->timer) != 1)
			return BLK_EH_RESET_TIMER;
		cmd->status = BLK_STS_TIMEOUT;
		kblk_end(rq);
		return BLK_EH_DONE;
	}
	spin_lock(&hwq->poll_lock);
	if (cmd->on_poll_list) {
		list_del(&cmd->poll_node);
		cmd->on_poll_list = false;
		mine = true;
	}
	spin_unlock(&hwq->poll_lock);
	if (!mine)
		return BLK_EH_RESET_TIMER;	/* a poller is ending it */
	cmd->status = BLK_STS_TIMEOUT;
	kblk_end(rq);
	return BLK_EH_DONE;
}

/*
 * Map @map's queues onto the CPUs. blk_mq_map_queues() spreads queues
 * over CPUs and warns (group_cpus_evenly()) when there are more queues
 * than possible CPUs; a kscope device may have more, to show what the
 * block layer does with them (they get no CPU, hence no I/O, as on an
 * NVMe drive with more queues than the host has CPUs). So past that
 * count each CPU gets queue (cpu mod queues) itself and the block layer
 * has nothing to warn about.
 */
static void kblk_map_one(struct blk_mq_queue_map *map)
{
	unsigned int cpu;

	if (map->nr_queues <= num_possible_cpus()) {
		blk_mq_map_queues(map);
		return;
	}
	for_each_possible_cpu(cpu)
		map->mq_map[cpu] = map->queue_offset + cpu % map->nr_queues;
}

/* hctx 0..queues-1: default map; the poll_queues after them: poll map */
static void kblk_map_queues(struct blk_mq_tag_set *set)
{
	struct kblk_dev *dev = set->driver_data;
	unsigned int i, offset = 0;

	for (i = 0; i < set->nr_maps; i++) {
		struct blk_mq_queue_map *map = &set->map[i];

		switch (i) {
		case HCTX_TYPE_DEFAULT:
			map->nr_queues = dev->cfg.queues;
			break;
		case HCTX_TYPE_POLL:
			map->nr_queues = dev->cfg.poll_queues;
			break;
		default:
			map->nr_queues = 0;
			continue;
		}
		map->queue_offset = offset;
		offset += map->nr_queues;
		kblk_map_one(map);
	}
}

const struct blk_mq_ops kblk_mq_ops = {
	.queue_rq = kblk_queue_rq,
	.complete = kblk_complete,
	.init_hctx = kblk_init_hctx,
	.init_request = kblk_init_request,
	.timeout = kblk_timeout,
	.poll = kblk_poll,
	.map_queues = kblk_map_queues,
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
