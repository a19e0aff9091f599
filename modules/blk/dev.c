// SPDX-License-Identifier: GPL-2.0
/*
 * Device model: profiles and their default configuration, validation,
 * creation and removal of devices. Devices live on kblk_devs under
 * kblk_lock; each is a tag set, a gendisk named kblk_<name>, per-queue
 * statistics and a sparse page store.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cpumask.h>
#include <linux/debugfs.h>
#include <linux/slab.h>
#include "kblk.h"

DEFINE_MUTEX(kblk_lock);
LIST_HEAD(kblk_devs);
/* devices count and have debugfs files: set and cleared under kblk_lock */
bool kblk_counting;

const char * const kblk_op_names[KBLK_NR_OPS] = {
	"read", "write", "flush", "discard", "write_zeroes",
};

const char * const kblk_profile_names[__KSCOPE_BLK_PROFILE_MAX] = {
	[KSCOPE_BLK_PROFILE_NVME] = "nvme",
	[KSCOPE_BLK_PROFILE_SSD] = "ssd",
	[KSCOPE_BLK_PROFILE_HDD] = "hdd",
};

const char * const kblk_comp_names[__KSCOPE_BLK_COMP_MAX] = {
	[KSCOPE_BLK_COMP_INLINE] = "inline",
	[KSCOPE_BLK_COMP_SOFTIRQ] = "softirq",
	[KSCOPE_BLK_COMP_TIMER] = "timer",
};

/*
 * nvme: a queue per CPU, deep queues, 4k physical blocks.
 * ssd: one queue of 32 (AHCI NCQ).
 * hdd: one queue of 2, so that requests wait in the I/O scheduler
 * rather than in the drive, and the scheduler's order is the disk's.
 */
void kblk_config_defaults(struct kblk_config *cfg,
			  enum kscope_blk_profile profile)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->profile = profile;
	cfg->size_mb = 256;
	cfg->lbs = 512;
	cfg->pbs = 4096;
	cfg->max_segments = 256;
	cfg->max_sectors = 2048;
	cfg->wcache = true;
	cfg->fua = true;
	cfg->completion = KSCOPE_BLK_COMP_TIMER;
	switch (profile) {
	case KSCOPE_BLK_PROFILE_NVME:
		cfg->queues = min_t(u32, num_online_cpus(), KBLK_MAX_QUEUES);
		cfg->depth = 128;
		cfg->discard = true;
		break;
	case KSCOPE_BLK_PROFILE_SSD:
		cfg->queues = 1;
		cfg->depth = 32;
		cfg->discard = true;
		break;
	default:
		cfg->queues = 1;
		cfg->depth = 2;
		cfg->rotational = true;
		break;
	}
}

static bool kblk_name_ok(const char *s)
{
	size_t n = strnlen(s, KBLK_NAME_MAX);

	if (!n || n >= KBLK_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!(islower(*s) || isdigit(*s) || *s == '_'))
			return false;
	return true;
}

static bool kblk_bs_ok(u32 bs)
{
	return bs >= SECTOR_SIZE && bs <= PAGE_SIZE && is_power_of_2(bs);
}

/* 0, or -EINVAL with @why saying which value is wrong. */
int kblk_config_check(const struct kblk_config *c, struct kblk_why *why)
{
	if (!kblk_name_ok(c->name))
		kblk_why_set(why, "name must be 1-20 characters of [a-z0-9_]");
	else if (c->profile >= __KSCOPE_BLK_PROFILE_MAX)
		kblk_why_set(why, "unknown profile");
	else if (!c->size_mb || c->size_mb > KBLK_MAX_SIZE_MB)
		kblk_why_set(why, "size must be 1..1048576 MiB");
	else if (!c->queues || c->queues > KBLK_MAX_QUEUES)
		kblk_why_set(why, "queues must be 1..64");
	else if (c->poll_queues > KBLK_MAX_POLL_QUEUES)
		kblk_why_set(why, "poll queues must be 0..16");
	else if (!c->depth || c->depth > KBLK_MAX_DEPTH)
		kblk_why_set(why, "depth must be 1..4096");
	else if (!kblk_bs_ok(c->lbs))
		kblk_why_set(why, "logical block size must be a power of 2 in 512..4096");
	else if (!kblk_bs_ok(c->pbs) || c->pbs < c->lbs)
		kblk_why_set(why, "physical block size must be a power of 2 in lbs..4096");
	else if (!c->max_segments || c->max_segments > KSCOPE_BLK_SEGMENTS_MAX)
		kblk_why_set(why, "max segments must be 1..4096");
	else if (c->max_sectors < PAGE_SIZE >> SECTOR_SHIFT ||
		 c->max_sectors > KSCOPE_BLK_SECTORS_MAX ||
		 c->max_sectors % (c->lbs >> SECTOR_SHIFT))
		kblk_why_set(why, "max sectors must be 8..65536 and a multiple of the block size");
	else if (c->fua && !c->wcache)
		kblk_why_set(why, "FUA needs the write cache");
	else if (c->completion >= __KSCOPE_BLK_COMP_MAX)
		kblk_why_set(why, "unknown completion mode");
	else if (c->bw_mbps > KSCOPE_BLK_BW_MBPS_MAX)
		kblk_why_set(why, "bandwidth cap must be 0..1000000 MB/s");
	else
		return 0;
	return -EINVAL;
}

struct kblk_dev *kblk_dev_find(const char *name)
{
	struct kblk_dev *dev;

	lockdep_assert_held(&kblk_lock);
	list_for_each_entry(dev, &kblk_devs, node)
		if (!strcmp(dev->cfg.name, name))
			return dev;
	return NULL;
}

static void kblk_hwq_free(struct kblk_dev *dev)
{
	unsigned int q, op;

	for (q = 0; q < kblk_nr_hwq(dev); q++) {
		free_percpu(dev->hwq[q].stat);
		for (op = 0; op < KBLK_NR_OPS; op++)
			kscope_hist_free(&dev->hwq[q].lat[op]);
	}
	kfree(dev->hwq);
}

static int kblk_hwq_alloc(struct kblk_dev *dev)
{
	unsigned int q, op;

	dev->hwq = kcalloc(kblk_nr_hwq(dev), sizeof(*dev->hwq), GFP_KERNEL);
	if (!dev->hwq)
		return -ENOMEM;
	for (q = 0; q < kblk_nr_hwq(dev); q++) {
		dev->hwq[q].dev = dev;
		dev->hwq[q].index = q;
		dev->hwq[q].polled = q >= dev->cfg.queues;
		spin_lock_init(&dev->hwq[q].poll_lock);
		INIT_LIST_HEAD(&dev->hwq[q].poll_list);
		dev->hwq[q].stat = alloc_percpu(struct kblk_stat);
		if (!dev->hwq[q].stat)
			goto free_hwq;
		for (op = 0; op < KBLK_NR_OPS; op++)
			if (kscope_hist_init(&dev->hwq[q].lat[op],
					     KSCOPE_UNIT_US, KBLK_LAT_SLOTS))
				goto free_hwq;
	}
	return 0;

free_hwq:
	kblk_hwq_free(dev);
	return -ENOMEM;
}

int kblk_dev_add(const struct kblk_config *cfg, struct kblk_why *why)
{
	struct kscope_blk_limits lim = { };
	struct kblk_dev *dev;
	int ret;

	ret = kblk_config_check(cfg, why);
	if (ret)
		return ret;

	mutex_lock(&kblk_lock);
	if (kblk_dev_find(cfg->name)) {
		kblk_why_set(why, "a device of that name exists");
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = -ENOMEM;
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev) {
		kblk_why_set(why, "out of memory");
		goto out_unlock;
	}
	dev->cfg = *cfg;
	/*
	 * With one map (no polled queues), blk_mq_alloc_tag_set() keeps no
	 * more hardware queues than CPUs: say so, and count what it keeps.
	 * With polled queues it keeps them all, and kblk_map_queues() maps
	 * the surplus to no CPU.
	 */
	if (!cfg->poll_queues && cfg->queues > nr_cpu_ids) {
		dev->cfg.queues = nr_cpu_ids;
		pr_info("%s: %u queues clamped to the %u possible CPUs\n",
			cfg->name, cfg->queues, nr_cpu_ids);
	}
	dev->slow_ns = cfg->slow_ns;
	dev->sectors = (u64)cfg->size_mb << (20 - SECTOR_SHIFT);
	kblk_store_init(dev);
	kblk_model_init(dev);
	ret = kblk_hwq_alloc(dev);
	if (ret) {
		kblk_why_set(why, "out of memory");
		goto out_free_dev;
	}

	dev->set.ops = &kblk_mq_ops;
	dev->set.nr_hw_queues = kblk_nr_hwq(dev);
	/* default, read (unused) and poll maps; see kblk_map_queues() */
	dev->set.nr_maps = cfg->poll_queues ? HCTX_MAX_TYPES : 1;
	dev->set.queue_depth = cfg->depth;
	dev->set.numa_node = NUMA_NO_NODE;
	dev->set.cmd_size = sizeof(struct kblk_cmd);
	/*
	 * BLK_MQ_F_BLOCKING: a write allocates its backing page in queue_rq
	 * and, as brd does in its submit_bio, it does so where it may sleep
	 * (GFP_NOIO, under the page's mutex, store.c). That is what makes a
	 * write and a discard of the same page serialise without the
	 * allocation failing under pressure, as GFP_ATOMIC would. The cost
	 * is that of null_blk's blocking=1: dispatch under SRCU, and from
	 * kblockd when the submitter cannot sleep. (Preallocating pages
	 * outside queue_rq would need a pool sized for a 32 MiB request and
	 * a retry path, for the same guarantee.)
	 */
	dev->set.flags = KSCOPE_BLK_MQ_F_MERGE | BLK_MQ_F_BLOCKING;
	dev->set.driver_data = dev;
	ret = blk_mq_alloc_tag_set(&dev->set);
	if (ret) {
		kblk_why_set(why, "cannot allocate the tag set");
		goto out_free_hwq;
	}

	lim.logical_block_size = cfg->lbs;
	lim.physical_block_size = cfg->pbs;
	lim.max_hw_sectors = cfg->max_sectors;
	lim.max_segments = cfg->max_segments;
	if (cfg->discard) {
		lim.max_discard_sectors = UINT_MAX >> SECTOR_SHIFT;
		lim.max_write_zeroes_sectors = UINT_MAX >> SECTOR_SHIFT;
	}
	lim.rotational = cfg->rotational;
	lim.write_cache = cfg->wcache;
	lim.fua = cfg->fua;
	dev->disk = kscope_blk_alloc_disk(&dev->set, &lim, dev);
	if (IS_ERR(dev->disk)) {
		ret = PTR_ERR(dev->disk);
		kblk_why_set(why, "cannot allocate the disk");
		goto out_free_tag_set;
	}
	dev->disk->fops = &kblk_fops;
	dev->disk->private_data = dev;
	snprintf(dev->disk->disk_name, DISK_NAME_LEN, KBLK_DISK_PREFIX "%s",
		 cfg->name);
	set_capacity(dev->disk, dev->sectors);
	ret = add_disk(dev->disk);
	if (ret) {
		kblk_why_set(why, "cannot add the disk");
		goto out_put_disk;
	}
	/* a device made at load is published with the source: kblk_publish() */
	if (kblk_counting) {
		kblk_debugfs_add(dev);
		kblk_count(KBLK_C_ADDED);
		kblk_count_add(KBLK_C_DEVICES, 1);
	}
	list_add_tail(&dev->node, &kblk_devs);
	mutex_unlock(&kblk_lock);
	pr_info("%s: %s, %u MiB, %u queues (%u polled) of %u, %s completion\n",
		dev->disk->disk_name, kblk_profile_names[cfg->profile],
		cfg->size_mb, dev->cfg.queues, cfg->poll_queues, cfg->depth,
		kblk_comp_names[cfg->completion]);
	if (max(dev->cfg.queues, cfg->poll_queues) > num_possible_cpus())
		pr_info("%s: more queues than the %u possible CPUs: the queues past them get no CPU and no I/O\n",
			dev->disk->disk_name, num_possible_cpus());
	return 0;

out_put_disk:
	put_disk(dev->disk);
out_free_tag_set:
	blk_mq_free_tag_set(&dev->set);
out_free_hwq:
	kblk_hwq_free(dev);
out_free_dev:
	kfree(dev);
out_unlock:
	mutex_unlock(&kblk_lock);
	return ret;
}

/*
 * Tear down a device marked deleting, with its debugfs directory @dir:
 * without kblk_lock, since del_gendisk() waits for the requests in
 * flight (up to KBLK_LAT_MAX_NS each) and nothing else should wait on
 * that. The device stays on kblk_devs, so that its name stays taken,
 * until it is gone.
 */
static void kblk_dev_destroy(struct kblk_dev *dev, struct dentry *dir)
{
	debugfs_remove_recursive(dir);
	del_gendisk(dev->disk);
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->set);
	kblk_store_free(dev);
	kblk_hwq_free(dev);
	kblk_count(KBLK_C_REMOVED);
	kblk_count_add(KBLK_C_DEVICES, -1);
	mutex_lock(&kblk_lock);
	list_del(&dev->node);
	mutex_unlock(&kblk_lock);
	kfree(dev);
}

int kblk_dev_del(const char *name, struct kblk_why *why)
{
	struct kblk_dev *dev;
	struct dentry *dir;

	mutex_lock(&kblk_lock);
	dev = kblk_dev_find(name);
	if (!dev) {
		mutex_unlock(&kblk_lock);
		kblk_why_set(why, "no device of that name");
		return -ENODEV;
	}
	if (dev->deleting) {
		mutex_unlock(&kblk_lock);
		kblk_why_set(why, "device is being removed");
		return -EBUSY;
	}
	/* opens serialize on open_mutex: none succeeds once deleting is set */
	mutex_lock(&dev->disk->open_mutex);
	if (disk_openers(dev->disk)) {
		mutex_unlock(&dev->disk->open_mutex);
		mutex_unlock(&kblk_lock);
		kblk_why_set(why, "device is open");
		return -EBUSY;
	}
	WRITE_ONCE(dev->deleting, true);
	mutex_unlock(&dev->disk->open_mutex);
	dir = dev->dir;
	dev->dir = NULL;
	mutex_unlock(&kblk_lock);
	kblk_dev_destroy(dev, dir);
	return 0;
}

/*
 * Module exit, or a failed load: no netlink request can come any more
 * (or yet), and the module reference held by every opener means none
 * is.
 */
void kblk_dev_del_all(void)
{
	struct kblk_dev *dev, *next;
	LIST_HEAD(doomed);

	mutex_lock(&kblk_lock);
	list_for_each_entry(dev, &kblk_devs, node)
		WRITE_ONCE(dev->deleting, true);
	list_splice_init(&kblk_devs, &doomed);
	mutex_unlock(&kblk_lock);
	list_for_each_entry_safe(dev, next, &doomed, node) {
		/* kblk_dev_destroy() unlinks it, under kblk_lock */
		kblk_dev_destroy(dev, dev->dir);
	}
}

/*
 * Once the source is registered: devices count, and those made at load
 * get their debugfs directories under the source's.
 */
void kblk_publish(void)
{
	struct kblk_dev *dev;

	mutex_lock(&kblk_lock);
	WRITE_ONCE(kblk_counting, true);
	list_for_each_entry(dev, &kblk_devs, node) {
		if (dev->dir)
			continue;
		kblk_debugfs_add(dev);
		kblk_count(KBLK_C_ADDED);
		kblk_count_add(KBLK_C_DEVICES, 1);
	}
	mutex_unlock(&kblk_lock);
}

/*
 * Before the source is unregistered (its counters and debugfs directory
 * go with it): no count is in progress or will start once this returns,
 * and no device has a debugfs directory left.
 */
void kblk_unpublish(void)
{
	struct kblk_dev *dev;

	mutex_lock(&kblk_lock);
	WRITE_ONCE(kblk_counting, false);
	list_for_each_entry(dev, &kblk_devs, node) {
		debugfs_remove_recursive(dev->dir);
		dev->dir = NULL;
	}
	mutex_unlock(&kblk_lock);
	/* kblk_count*() read kblk_counting in an RCU read section */
	synchronize_rcu();
}
