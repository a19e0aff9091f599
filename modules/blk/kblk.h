/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_blk internals: a memory-backed blk-mq device with latency models
 * of an NVMe drive, a SATA SSD and a disk, shared by the files of the
 * module (dev.c device model, mq.c blk-mq ops, store.c backing pages,
 * model.c latency, stats.c statistics, ctl.c netlink).
 */
#ifndef _KSCOPE_BLK_H
#define _KSCOPE_BLK_H

#include <linux/blk-mq.h>
#include <linux/hrtimer.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/xarray.h>
#include <kscope/hist.h>
#include <kscope/kscope.h>
#include <kscope/policy.h>
#include <kscope/compat-blk.h>

/* the limits of the netlink policy (include/kscope/policy.h) */
#define KBLK_NAME_MAX		KSCOPE_BLK_NAME_SIZE	/* with the NUL */
#define KBLK_DISK_PREFIX	"kblk_"
#define KBLK_MAX_QUEUES		KSCOPE_BLK_QUEUES_MAX
#define KBLK_MAX_POLL_QUEUES	KSCOPE_BLK_POLL_QUEUES_MAX
#define KBLK_MAX_DEPTH		KSCOPE_BLK_DEPTH_MAX
#define KBLK_MAX_SIZE_MB	KSCOPE_BLK_SIZE_MB_MAX
#define KBLK_STORE_LOCKS	64	/* page locks, hashed by page index */
/*
 * Longest modeled service time of a request, counted from its arrival:
 * well under the block layer's default request timeout (30 s), so that a
 * request of the slowest profile at its bounds (hdd, 1 MB/s, 32 MiB
 * requests, 4096 deep) ends long before anyone times it out, and a queue
 * freeze (device removal, unload) waits at most this long.
 */
#define KBLK_LAT_MAX_NS		(5ULL * NSEC_PER_SEC)
/* how late a request's timer may fire before the timeout handler ends it */
#define KBLK_TIMER_GRACE_NS	(5ULL * NSEC_PER_SEC)

enum kblk_op {
	KBLK_OP_READ,
	KBLK_OP_WRITE,
	KBLK_OP_FLUSH,
	KBLK_OP_DISCARD,
	KBLK_OP_WZEROES,
	KBLK_NR_OPS,
};

extern const char * const kblk_op_names[KBLK_NR_OPS];
extern const char * const kblk_profile_names[__KSCOPE_BLK_PROFILE_MAX];
extern const char * const kblk_comp_names[__KSCOPE_BLK_COMP_MAX];

/* latency histograms, usecs: the last slot from 2^23 us (8 s) */
#define KBLK_LAT_SLOTS		24

struct kblk_stat {
	u64 reqs[KBLK_NR_OPS];
	u64 bios[KBLK_NR_OPS];		/* bios in those requests */
	u64 bytes[KBLK_NR_OPS];
	u64 lat_ns[KBLK_NR_OPS];	/* sum */
	u64 fua;
	u64 errors;
	u64 slow;
};

struct kblk_config {
	char name[KBLK_NAME_MAX];
	enum kscope_blk_profile profile;
	u32 size_mb;
	u32 queues;
	u32 poll_queues;		/* after the others, HCTX_TYPE_POLL */
	u32 depth;
	u32 lbs;
	u32 pbs;
	u32 max_segments;
	u32 max_sectors;
	bool rotational;
	bool wcache;
	bool fua;
	bool discard;
	enum kscope_blk_completion completion;
	u32 bw_mbps;
	u64 slow_ns;
};

/* Service-time parameters of a profile (model.c). */
struct kblk_model {
	u32 read_ns;
	u32 write_ns;
	u32 flush_ns;
	u32 mbps;		/* media transfer rate */
	/* rotating disks only */
	u32 seek_min_ns;	/* track to track */
	u32 seek_max_ns;	/* full stroke */
	u32 rpm;
	u32 track_sectors;
};

struct kblk_dev;

struct kblk_hwq {
	struct kblk_dev *dev;
	unsigned int index;
	bool polled;
	atomic_t inflight;
	atomic_t inflight_max;
	struct kblk_stat __percpu *stat;
	struct kscope_hist lat[KBLK_NR_OPS];
	/* polled queues: requests waiting for a ->poll() past their time */
	spinlock_t poll_lock;
	struct list_head poll_list;
	atomic_long_t polls;		/* ->poll() calls */
	atomic_long_t polls_found;	/* ... that completed something */
};

/* Per request (blk-mq pdu). */
struct kblk_cmd {
	struct hrtimer timer;
	struct kblk_hwq *hwq;
	u64 start_ns;
	u64 done_ns;			/* timer, polled: modeled end */
	struct list_head poll_node;	/* on hwq->poll_list, under poll_lock */
	bool on_poll_list;
	blk_status_t status;
};

struct kblk_dev {
	struct list_head node;		/* kblk_devs, under kblk_lock */
	struct kblk_config cfg;
	struct kblk_model model;
	u64 sectors;
	struct blk_mq_tag_set set;
	struct gendisk *disk;
	struct kblk_hwq *hwq;
	struct dentry *dir;		/* under kblk_lock */
	bool deleting;			/* set under kblk_lock and open_mutex */

	/* backing store */
	struct xarray pages;
	struct mutex page_lock[KBLK_STORE_LOCKS];
	atomic_long_t nr_pages;

	/* disk mechanics: one head, one request served at a time */
	spinlock_t model_lock;
	u64 busy_until_ns;
	u64 head_sector;
	u64 bw_until_ns;

	atomic_t inflight;
	atomic_t inflight_max;
	u64 slow_ns;			/* READ_ONCE: changed by SET */
};

extern struct kscope_source kblk_src;

/*
 * The source's counters exist from kscope_source_register() to
 * kscope_source_unregister(), while devices made at load live before the
 * one and those removed at unload after the other (see main.c): every
 * count goes through kblk_count*(), which counts only while kblk_counting
 * is set, in an RCU read section that kblk_unpublish() waits out.
 */
extern bool kblk_counting;

static inline void kblk_count_add(unsigned int idx, u64 n)
{
	rcu_read_lock();
	if (READ_ONCE(kblk_counting))
		kscope_count_add(&kblk_src, idx, n);
	rcu_read_unlock();
}

static inline void kblk_count(unsigned int idx)
{
	kblk_count_add(idx, 1);
}

/*
 * Why a request is refused: a string literal, into the extack of a
 * netlink request (through NL_SET_ERR_MSG_ATTR) and into @msg for the
 * log of a load-time device. @extack is NULL at load.
 */
struct kblk_why {
	const char *msg;
	struct netlink_ext_ack *extack;
	const struct nlattr *attr;
};

#define kblk_why_set(w, text) do {					\
	(w)->msg = (text);						\
	NL_SET_ERR_MSG_ATTR((w)->extack, (w)->attr, text);		\
} while (0)

static inline unsigned int kblk_nr_hwq(const struct kblk_dev *dev)
{
	return dev->cfg.queues + dev->cfg.poll_queues;
}

enum kblk_counter {
	KBLK_C_REQUESTS,
	KBLK_C_BYTES,
	KBLK_C_ERRORS,
	KBLK_C_SLOW,
	KBLK_C_NOMEM,
	KBLK_C_ADDED,
	KBLK_C_REMOVED,
	KBLK_C_DEVICES,			/* gauge */
	KBLK_NR_COUNTERS,
};

/* slow-request event */
struct kblk_slow_ev {
	char disk[32];
	char op[16];
	u64 sector;
	u64 bytes;
	u64 lat_ns;
	u64 hwq;
};

/* dev.c */
void kblk_config_defaults(struct kblk_config *cfg,
			  enum kscope_blk_profile profile);
int kblk_config_check(const struct kblk_config *cfg, struct kblk_why *why);
int kblk_dev_add(const struct kblk_config *cfg, struct kblk_why *why);
int kblk_dev_del(const char *name, struct kblk_why *why);
void kblk_dev_del_all(void);
void kblk_publish(void);
void kblk_unpublish(void);
struct kblk_dev *kblk_dev_find(const char *name);
extern struct mutex kblk_lock;
extern struct list_head kblk_devs;

/* mq.c */
extern const struct blk_mq_ops kblk_mq_ops;
extern const struct block_device_operations kblk_fops;

/* store.c */
void kblk_store_init(struct kblk_dev *dev);
void kblk_store_free(struct kblk_dev *dev);
int kblk_store_rw(struct kblk_dev *dev, struct request *rq, bool write);
void kblk_store_zero(struct kblk_dev *dev, u64 sector, u32 bytes);

/* model.c */
void kblk_model_init(struct kblk_dev *dev);
u64 kblk_model_done_ns(struct kblk_dev *dev, enum kblk_op op, u64 sector,
		       u32 bytes, u64 now);

/* stats.c */
void kblk_stats_done(struct kblk_dev *dev, struct kblk_hwq *hwq,
		     struct request *rq, enum kblk_op op, u64 lat_ns,
		     blk_status_t status);
void kblk_stats_sum(struct kblk_dev *dev, int hwq, struct kblk_stat *out);
void kblk_debugfs_add(struct kblk_dev *dev);
int kblk_stats_put(struct sk_buff *skb, struct kblk_dev *dev, int hwq);
int kblk_stats_size(struct kblk_dev *dev, int hwq, size_t *size);
/* latency by op of hardware queue @hwq, or of the device when -1 */
struct kblk_lat {
	struct kscope_hist_data op[KBLK_NR_OPS];
};
void kblk_lat_sum(struct kblk_dev *dev, int hwq, struct kblk_lat *l);
/* one KSCOPE_BLK_LAT per op, sized exactly by kblk_lat_size() */
size_t kblk_lat_size(const struct kblk_lat *l);
int kblk_lat_put(struct sk_buff *skb, const struct kblk_lat *l);

/* ctl.c */
int kblk_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info);
int kblk_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info);

static inline enum kblk_op kblk_rq_op(struct request *rq)
{
	switch (req_op(rq)) {
	case REQ_OP_READ:
		return KBLK_OP_READ;
	case REQ_OP_WRITE:
		return KBLK_OP_WRITE;
	case REQ_OP_FLUSH:
		return KBLK_OP_FLUSH;
	case REQ_OP_DISCARD:
		return KBLK_OP_DISCARD;
	case REQ_OP_WRITE_ZEROES:
		return KBLK_OP_WZEROES;
	default:
		return KBLK_NR_OPS;
	}
}

#endif /* _KSCOPE_BLK_H */
