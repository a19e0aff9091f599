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

/* 0, or -EINVAL with *why saying which value is wrong. */
int kblk_config_check(const struct kblk_config *c, const char **why)
{
	if (!kblk_name_ok(c->name))
		*why = "name must be 1-20 characters of [a-z0-9_]";
	else if (c->profile >= __KSCOPE_BLK_PROFILE_MAX)
		*why = "unknown profile";
	else if (!c->size_mb || c->size_mb > KBLK_MAX_SIZE_MB)
		*why = "size must be 1..1048576 MiB";
	else if (!c->queues || c->queues > KBLK_MAX_QUEUES)
		*why = "queues must be 1..64";
	else if (c->poll_queues > KBLK_MAX_POLL_QUEUES)
		*why = "poll queues must be 0..16";
	else if (!c->depth || c->depth > KBLK_MAX_DEPTH)
		*why = "depth must be 1..4096";
	else if (!kblk_bs_ok(c->lbs))
		*why = "logical block size must be a power of 2 in 512..4096";
	else if (!kblk_bs_ok(c->pbs) || c->pbs < c->lbs)
		*why = "physical block size must be a power of 2 in lbs..4096";
	else if (!c->max_segments || c->max_segments > 4096)
		*why = "max segments must be 1..4096";
	else if (c->max_sectors < PAGE_SIZE >> SECTOR_SHIFT ||
		 c->max_sectors > 65536 ||
		 c->max_sectors % (c->lbs >> SECTOR_SHIFT))
		*why = "max sectors must be 8..65536 and a multiple of the block size";
	else if (c->fua && !c->wcache)
		*why = "FUA needs the write cache";
	else if (c->completion >= __KSCOPE_BLK_COMP_MAX)
		*why = "unknown completion mode";
	else if (c->bw_mbps > 1000000)
		*why = "bandwidth cap must be 0..1000000 MB/s";
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
	unsigned int q;

	for (q = 0; q < kblk_nr_hwq(dev); q++)
		free_percpu(dev->hwq[q].stat);
	kfree(dev->hwq);
}

static int kblk_hwq_alloc(struct kblk_dev *dev)
{
	unsigned int q;

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
		if (!dev->hwq[q].stat) {
			kblk_hwq_free(dev);
			return -ENOMEM;
		}
	}
	return 0;
}

int kblk_dev_add(const struct kblk_config *cfg, const char **why)
{
	struct kscope_blk_limits lim = { };
	struct kblk_dev *dev;
	int ret;

	ret = kblk_config_check(cfg, why);
	if (ret)
		return ret;

	mutex_lock(&kblk_lock);
	if (kblk_dev_find(cfg->name)) {
		*why = "a device of that name exists";
		ret = -EEXIST;
		goto out_unlock;
	}
	ret = -ENOMEM;
	*why = "out of memory";
	dev = kzalloc(sizeof(*dev), GFP_KERNEL);
	if (!dev)
		goto out_unlock;
	dev->cfg = *cfg;
	dev->slow_ns = cfg->slow_ns;
	dev->sectors = (u64)cfg->size_mb << (20 - SECTOR_SHIFT);
	kblk_store_init(dev);
	kblk_model_init(dev);
	ret = kblk_hwq_alloc(dev);
	if (ret)
		goto out_free_dev;

	dev->set.ops = &kblk_mq_ops;
	dev->set.nr_hw_queues = kblk_nr_hwq(dev);
	/* default, read (unused) and poll maps; see kblk_map_queues() */
	dev->set.nr_maps = cfg->poll_queues ? HCTX_MAX_TYPES : 1;
	dev->set.queue_depth = cfg->depth;
	dev->set.numa_node = NUMA_NO_NODE;
	dev->set.cmd_size = sizeof(struct kblk_cmd);
	dev->set.flags = KSCOPE_BLK_MQ_F_MERGE;
	dev->set.driver_data = dev;
	ret = blk_mq_alloc_tag_set(&dev->set);
	if (ret) {
		*why = "cannot allocate the tag set";
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
		*why = "cannot allocate the disk";
		goto out_free_tag_set;
	}
	dev->disk->fops = &kblk_fops;
	dev->disk->private_data = dev;
	snprintf(dev->disk->disk_name, DISK_NAME_LEN, KBLK_DISK_PREFIX "%s",
		 cfg->name);
	set_capacity(dev->disk, dev->sectors);
	ret = add_disk(dev->disk);
	if (ret) {
		*why = "cannot add the disk";
		goto out_put_disk;
	}
	kblk_debugfs_add(dev);
	list_add_tail(&dev->node, &kblk_devs);
	kscope_count(&kblk_src, KBLK_C_ADDED);
	mutex_unlock(&kblk_lock);
	pr_info("%s: %s, %u MiB, %u queues (%u polled) of %u, %s completion\n",
		dev->disk->disk_name, kblk_profile_names[cfg->profile],
		cfg->size_mb, cfg->queues, cfg->poll_queues, cfg->depth,
		kblk_comp_names[cfg->completion]);
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

/* Called with kblk_lock held, @dev already off the list. */
static void kblk_dev_destroy(struct kblk_dev *dev)
{
	debugfs_remove_recursive(dev->dir);
	del_gendisk(dev->disk);
	put_disk(dev->disk);
	blk_mq_free_tag_set(&dev->set);
	kblk_store_free(dev);
	kblk_hwq_free(dev);
	kscope_count(&kblk_src, KBLK_C_REMOVED);
	kfree(dev);
}

int kblk_dev_del(const char *name, const char **why)
{
	struct kblk_dev *dev;
	int ret = 0;

	mutex_lock(&kblk_lock);
	dev = kblk_dev_find(name);
	if (!dev) {
		*why = "no device of that name";
		ret = -ENODEV;
		goto out_unlock;
	}
	/* opens serialize on open_mutex: none succeeds once deleting is set */
	mutex_lock(&dev->disk->open_mutex);
	if (disk_openers(dev->disk)) {
		mutex_unlock(&dev->disk->open_mutex);
		*why = "device is open";
		ret = -EBUSY;
		goto out_unlock;
	}
	WRITE_ONCE(dev->deleting, true);
	mutex_unlock(&dev->disk->open_mutex);
	list_del(&dev->node);
	kblk_dev_destroy(dev);
out_unlock:
	mutex_unlock(&kblk_lock);
	return ret;
}

/* Module exit: the module reference held by every opener means none is. */
void kblk_dev_del_all(void)
{
	struct kblk_dev *dev, *next;

	mutex_lock(&kblk_lock);
	list_for_each_entry_safe(dev, next, &kblk_devs, node) {
		list_del(&dev->node);
		kblk_dev_destroy(dev);
	}
	mutex_unlock(&kblk_lock);
}
