# SPDX-License-Identifier: GPL-2.0
#
# blk-mq API breaks between the supported kernels, consumed only by
# include/kscope/compat-blk.h.

# 6.9: blk_mq_alloc_disk() takes a struct queue_limits
KSCOPE_FEATURES += $(call kscope_has,linux/blk-mq.h,define blk_mq_alloc_disk.set. lim,KSCOPE_HAVE_MQ_ALLOC_DISK_LIM)
# 6.11: rotational, write cache and FUA are queue_limits features
KSCOPE_FEATURES += $(call kscope_has,linux/blkdev.h,define BLK_FEAT_WRITE_CACHE,KSCOPE_HAVE_BLK_FEAT)
# 6.14: merging is the default, BLK_MQ_F_SHOULD_MERGE is gone
KSCOPE_FEATURES += $(call kscope_has,linux/blk-mq.h,BLK_MQ_F_SHOULD_MERGE,KSCOPE_HAVE_MQ_F_SHOULD_MERGE)
# 6.5: block_device_operations.open takes the gendisk and a blk_mode_t
KSCOPE_FEATURES += $(call kscope_has,linux/blkdev.h,int .\*open..struct gendisk,KSCOPE_HAVE_OPEN_GENDISK)
# 6.13: hrtimer_setup() replaces hrtimer_init() + .function
KSCOPE_FEATURES += $(call kscope_has,linux/hrtimer.h,void hrtimer_setup.struct hrtimer,KSCOPE_HAVE_HRTIMER_SETUP)
# 6.16: init_request's numa_node is an int
KSCOPE_FEATURES += $(call kscope_has,linux/blk-mq.h,unsigned int. int.;,KSCOPE_HAVE_INIT_REQUEST_INT_NODE)
