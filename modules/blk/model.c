// SPDX-License-Identifier: GPL-2.0
/*
 * Latency models: when a request completes in timer mode.
 *
 * nvme and ssd serve requests in parallel: a fixed access time per op
 * plus transfer time at the media rate. hdd has one head and serves one
 * request at a time: a seek that grows with the square root of the
 * distance from where the last request ended, the rotational delay
 * until the target sector passes under the head (the platter turns with
 * wall-clock time), and the transfer. A request that starts where the
 * previous one ended pays neither seek nor rotation, which is what makes
 * sequential I/O fast and gives the I/O schedulers something to sort.
 * An optional bandwidth cap serializes transfers on top of any model.
 *
 * Whatever the model and the queue ahead, a request ends at most
 * KBLK_LAT_MAX_NS after it arrives, and the head and the bandwidth cap
 * are never booked further ahead than that: a profile at its bounds
 * (1 MB/s, 32 MiB requests, 4096 deep) would otherwise model hours of
 * queue, past the request timeout, and removal would wait for all of it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math.h>
#include <linux/math64.h>
#include "kblk.h"

static const struct kblk_model kblk_models[__KSCOPE_BLK_PROFILE_MAX] = {
	[KSCOPE_BLK_PROFILE_NVME] = {
		.read_ns = 10000, .write_ns = 15000, .flush_ns = 30000,
		.mbps = 3000,
	},
	[KSCOPE_BLK_PROFILE_SSD] = {
		.read_ns = 80000, .write_ns = 50000, .flush_ns = 500000,
		.mbps = 500,
	},
	[KSCOPE_BLK_PROFILE_HDD] = {
		.read_ns = 100000, .write_ns = 100000, .flush_ns = 1000000,
		.mbps = 150,
		.seek_min_ns = 500000, .seek_max_ns = 12000000,
		.rpm = 7200, .track_sectors = 2048,
	},
};

void kblk_model_init(struct kblk_dev *dev)
{
	dev->model = kblk_models[dev->cfg.profile];
	spin_lock_init(&dev->model_lock);
	dev->busy_until_ns = 0;
	dev->bw_until_ns = 0;
	dev->head_sector = 0;
}

static u64 kblk_xfer_ns(u32 bytes, u32 mbps)
{
	/* bytes / (mbps * 10^6 / 10^9) */
	return div_u64((u64)bytes * 1000, mbps);
}

/* Seek plus rotation to reach @sector from the head's position at @t. */
static u64 kblk_position_ns(struct kblk_dev *dev, u64 sector, u64 t)
{
	const struct kblk_model *m = &dev->model;
	u64 dist, seek, rot_ns, angle_now, angle_to;

	if (sector == dev->head_sector)
		return 0;
	dist = sector > dev->head_sector ? sector - dev->head_sector :
					   dev->head_sector - sector;
	/* sqrt(dist / sectors) in 1/1024 steps */
	seek = m->seek_min_ns + div64_u64((u64)(m->seek_max_ns - m->seek_min_ns) *
		int_sqrt64(div64_u64(dist << 20, dev->sectors)), 1024);
	rot_ns = div_u64(60ULL * NSEC_PER_SEC, m->rpm);
	t += seek;
	angle_now = div64_u64((t % rot_ns) * m->track_sectors, rot_ns);
	angle_to = sector % m->track_sectors;
	if (angle_to < angle_now)
		angle_to += m->track_sectors;
	return seek + div_u64((angle_to - angle_now) * rot_ns, m->track_sectors);
}

u64 kblk_model_done_ns(struct kblk_dev *dev, enum kblk_op op, u64 sector,
		       u32 bytes, u64 now)
{
	const struct kblk_model *m = &dev->model;
	u64 svc, done, xfer = 0;

	switch (op) {
	case KBLK_OP_READ:
		svc = m->read_ns;
		xfer = kblk_xfer_ns(bytes, m->mbps);
		break;
	case KBLK_OP_WRITE:
		svc = m->write_ns;
		xfer = kblk_xfer_ns(bytes, m->mbps);
		break;
	case KBLK_OP_FLUSH:
		svc = m->flush_ns;
		break;
	default:	/* discard, write zeroes: metadata only */
		svc = m->write_ns;
		break;
	}

	if (!m->rpm && !dev->cfg.bw_mbps)
		return now + min(svc + xfer, KBLK_LAT_MAX_NS);

	spin_lock(&dev->model_lock);
	if (m->rpm) {
		u64 start = max(now, dev->busy_until_ns);

		if (op == KBLK_OP_READ || op == KBLK_OP_WRITE) {
			svc += kblk_position_ns(dev, sector, start);
			dev->head_sector = sector + (bytes >> SECTOR_SHIFT);
		}
		done = min(start + svc + xfer, now + KBLK_LAT_MAX_NS);
		dev->busy_until_ns = done;
	} else {
		done = now + min(svc + xfer, KBLK_LAT_MAX_NS);
	}
	if (dev->cfg.bw_mbps && bytes &&
	    (op == KBLK_OP_READ || op == KBLK_OP_WRITE)) {
		u64 bw_start = max(now, dev->bw_until_ns);

		dev->bw_until_ns = min(bw_start +
				       kblk_xfer_ns(bytes, dev->cfg.bw_mbps),
				       now + KBLK_LAT_MAX_NS);
		done = max(done, dev->bw_until_ns);
	}
	spin_unlock(&dev->model_lock);
	return done;
}
