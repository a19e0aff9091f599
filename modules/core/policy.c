// SPDX-License-Identifier: GPL-2.0
/*
 * The policies of every source's request nest (include/kscope/policy.h).
 * They live in the core because the family's ops are static: its CTL and
 * CTL_GET ops point at them (netlink.c), so that a request is validated
 * before its source runs and a policy dump describes every attribute,
 * whether or not the source's module is loaded. Limits a policy can check
 * are checked here only; what depends on several attributes or on state
 * stays with the source.
 */
#include <linux/bits.h>
#include <linux/if.h>
#include <linux/in6.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/threads.h>
#include <kscope/kscope.h>
#include <kscope/compat-mem.h>
#include <kscope/policy.h>

/* range validations: not const, 6.1 takes plain pointers */

static struct netlink_range_validation tg_count_range = {
	.min = 1, .max = KSCOPE_TG_COUNT_MAX,
};

const struct nla_policy kscope_testgen_policy[KSCOPE_TG_MAX + 1] = {
	[KSCOPE_TG_COUNT] = NLA_POLICY_FULL_RANGE(NLA_U32, &tg_count_range),
	[KSCOPE_TG_CPUMASK] = { .type = NLA_U64 },
	[KSCOPE_TG_RATE] = { .type = NLA_U32 },
	[KSCOPE_TG_WAIT] = { .type = NLA_FLAG },
	[KSCOPE_TG_TYPE] = { .type = NLA_U16 },
	[KSCOPE_TG_SIZE] = NLA_POLICY_MAX(NLA_U16, KSCOPE_EV_PAYLOAD_MAX),
	[KSCOPE_TG_RECURSE] = { .type = NLA_FLAG },
	[KSCOPE_TG_PADDED] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_GPL(kscope_testgen_policy);

static struct netlink_range_validation pid_range = {
	.max = PID_MAX_LIMIT,
};

static struct netlink_range_validation tcp_events_range = {
	.max = GENMASK(KSCOPE_TCP_NR_EVENTS - 1, 0),
};

const struct nla_policy kscope_tcp_policy[KSCOPE_TCP_MAX + 1] = {
	[KSCOPE_TCP_PORT] = { .type = NLA_U16 },
	[KSCOPE_TCP_ADDR] = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[KSCOPE_TCP_NETNS] = { .type = NLA_U32 },
	[KSCOPE_TCP_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[KSCOPE_TCP_SAMPLE_ALL] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_TCP_CLEAR] = { .type = NLA_FLAG },
	[KSCOPE_TCP_EVENTS] = NLA_POLICY_FULL_RANGE(NLA_U32, &tcp_events_range),
};
EXPORT_SYMBOL_GPL(kscope_tcp_policy);

/*
 * a read request returns the whole filter, or with CURSOR a page of the
 * flow table: it takes no other attribute
 */
const struct nla_policy kscope_tcp_get_policy[KSCOPE_TCP_MAX + 1] = {
	[KSCOPE_TCP_PAD ... KSCOPE_TCP_EVENTS] = {
		.type = NLA_REJECT,
		.reject_message = "tcp: a read request takes no attributes but CURSOR",
	},
	[KSCOPE_TCP_CURSOR] = { .type = NLA_U32 },
	[KSCOPE_TCP_FLOW ... KSCOPE_TCP_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "tcp: a read request takes no attributes but CURSOR",
	},
};
EXPORT_SYMBOL_GPL(kscope_tcp_get_policy);

static struct netlink_range_validation blk_size_range = {
	.min = 1, .max = KSCOPE_BLK_SIZE_MB_MAX,
};
static struct netlink_range_validation blk_queues_range = {
	.min = 1, .max = KSCOPE_BLK_QUEUES_MAX,
};
static struct netlink_range_validation blk_poll_range = {
	.min = 0, .max = KSCOPE_BLK_POLL_QUEUES_MAX,
};
static struct netlink_range_validation blk_depth_range = {
	.min = 1, .max = KSCOPE_BLK_DEPTH_MAX,
};
static struct netlink_range_validation blk_bs_range = {
	.min = KSCOPE_BLK_BS_MIN, .max = KSCOPE_BLK_BS_MAX,
};
static struct netlink_range_validation blk_segs_range = {
	.min = 1, .max = KSCOPE_BLK_SEGMENTS_MAX,
};
static struct netlink_range_validation blk_sectors_range = {
	.min = KSCOPE_BLK_SECTORS_MIN, .max = KSCOPE_BLK_SECTORS_MAX,
};
static struct netlink_range_validation blk_bw_range = {
	.min = 0, .max = KSCOPE_BLK_BW_MBPS_MAX,
};

/* which attributes each op takes is the source's check (kblk_only) */
const struct nla_policy kscope_blk_policy[KSCOPE_BLK_MAX + 1] = {
	[KSCOPE_BLK_OP] = NLA_POLICY_RANGE(NLA_U8, KSCOPE_BLK_OP_ADD,
					   KSCOPE_BLK_OP_SET),
	[KSCOPE_BLK_NAME] = { .type = NLA_NUL_STRING,
			      .len = KSCOPE_BLK_NAME_SIZE - 1 },
	[KSCOPE_BLK_PROFILE] = NLA_POLICY_MAX(NLA_U8, __KSCOPE_BLK_PROFILE_MAX - 1),
	[KSCOPE_BLK_SIZE_MB] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_size_range),
	[KSCOPE_BLK_QUEUES] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_queues_range),
	[KSCOPE_BLK_DEPTH] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_depth_range),
	[KSCOPE_BLK_LBS] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_bs_range),
	[KSCOPE_BLK_PBS] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_bs_range),
	[KSCOPE_BLK_MAX_SEGMENTS] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_segs_range),
	[KSCOPE_BLK_MAX_SECTORS] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_sectors_range),
	[KSCOPE_BLK_ROTATIONAL] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_BLK_WCACHE] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_BLK_FUA] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_BLK_DISCARD] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_BLK_COMPLETION] = NLA_POLICY_MAX(NLA_U8, __KSCOPE_BLK_COMP_MAX - 1),
	[KSCOPE_BLK_BW_MBPS] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_bw_range),
	[KSCOPE_BLK_SLOW_NS] = { .type = NLA_U64 },
	[KSCOPE_BLK_POLL_QUEUES] = NLA_POLICY_FULL_RANGE(NLA_U32, &blk_poll_range),
};
EXPORT_SYMBOL_GPL(kscope_blk_policy);

/* no NAME: every device; with NAME: that one, with its statistics */
const struct nla_policy kscope_blk_get_policy[KSCOPE_BLK_NAME + 1] = {
	[KSCOPE_BLK_NAME] = { .type = NLA_NUL_STRING,
			      .len = KSCOPE_BLK_NAME_SIZE - 1 },
};
EXPORT_SYMBOL_GPL(kscope_blk_get_policy);

const struct nla_policy kscope_net_policy[KSCOPE_NET_MAX + 1] = {
	[KSCOPE_NET_ECHO] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_NET_NETNS_FD] = { .type = NLA_U32 },
	[KSCOPE_NET_NETNS_PID] = { .type = NLA_U32 },
	[KSCOPE_NET_IFNAME] = { .type = NLA_NUL_STRING, .len = IFNAMSIZ - 1 },
};
EXPORT_SYMBOL_GPL(kscope_net_policy);

static struct netlink_range_validation vfs_slow_range = {
	.max = KSCOPE_VFS_SLOW_US_MAX,
};

const struct nla_policy kscope_vfs_policy[KSCOPE_VFS_MAX + 1] = {
	[KSCOPE_VFS_SLOW_US] = NLA_POLICY_FULL_RANGE(NLA_U64, &vfs_slow_range),
	[KSCOPE_VFS_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[KSCOPE_VFS_TOP] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_VFS_TOP_RESET] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_GPL(kscope_vfs_policy);

const struct nla_policy kscope_vfs_get_policy[KSCOPE_VFS_MAX + 1] = {
	[KSCOPE_VFS_TOP_N] = NLA_POLICY_RANGE(NLA_U32, 1, KSCOPE_VFS_TOP_N_MAX),
};
EXPORT_SYMBOL_GPL(kscope_vfs_get_policy);

static struct netlink_range_validation mem_order_range = {
	.max = KSCOPE_NR_ORDERS - 1,
};

const struct nla_policy kscope_mem_policy[KSCOPE_MEM_MAX + 1] = {
	[KSCOPE_MEM_HIGH_ORDER] = NLA_POLICY_FULL_RANGE(NLA_U32, &mem_order_range),
};
EXPORT_SYMBOL_GPL(kscope_mem_policy);

const struct nla_policy kscope_mem_get_policy[KSCOPE_MEM_MAX + 1] = {
	[KSCOPE_MEM_PAD ... KSCOPE_MEM_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "mem queries take no attributes",
	},
};
EXPORT_SYMBOL_GPL(kscope_mem_get_policy);

const struct nla_policy kscope_sched_policy[KSCOPE_SCHED_MAX + 1] = {
	[KSCOPE_SCHED_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &pid_range),
	[KSCOPE_SCHED_COMM] = { .type = NLA_NUL_STRING, .len = TASK_COMM_LEN - 1 },
	[KSCOPE_SCHED_CGROUP] = { .type = NLA_U64 },
	[KSCOPE_SCHED_CLEAR] = { .type = NLA_FLAG },
	[KSCOPE_SCHED_RESET] = { .type = NLA_FLAG },
};
EXPORT_SYMBOL_GPL(kscope_sched_policy);

/*
 * a read request returns the filter and histogram, with CURSOR a page of
 * the portraits, or with CPU the utilization: it takes no other attribute
 */
const struct nla_policy kscope_sched_get_policy[KSCOPE_SCHED_MAX + 1] = {
	[KSCOPE_SCHED_PAD ... KSCOPE_SCHED_RUNQ_HIST] = {
		.type = NLA_REJECT,
		.reject_message = "sched: a read request takes no attributes but CURSOR or CPU",
	},
	[KSCOPE_SCHED_CURSOR] = { .type = NLA_U32 },
	[KSCOPE_SCHED_PORTRAIT ... KSCOPE_SCHED_FILENAME] = {
		.type = NLA_REJECT,
		.reject_message = "sched: a read request takes no attributes but CURSOR or CPU",
	},
	[KSCOPE_SCHED_CPU] = { .type = NLA_FLAG },
	[KSCOPE_SCHED_INTERVAL_MS ... KSCOPE_SCHED_MAX] = {
		.type = NLA_REJECT,
		.reject_message = "sched: a read request takes no attributes but CURSOR or CPU",
	},
};
EXPORT_SYMBOL_GPL(kscope_sched_get_policy);

const struct nla_policy kscope_probe_policy[KSCOPE_PROBE_MAX + 1] = {
	[KSCOPE_PROBE_OP] = NLA_POLICY_RANGE(NLA_U8, KSCOPE_PROBE_OP_ADD,
					     KSCOPE_PROBE_OP_DEL),
	[KSCOPE_PROBE_SYMBOL] = { .type = NLA_NUL_STRING,
				  .len = KSCOPE_PROBE_SYMBOL_SIZE - 1 },
	[KSCOPE_PROBE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
	[KSCOPE_PROBE_FLAGS] = NLA_POLICY_MASK(NLA_U32, KSCOPE_PROBE_F_RET |
					       KSCOPE_PROBE_F_LATENCY |
					       KSCOPE_PROBE_F_EVENTS |
					       KSCOPE_PROBE_F_KRETPROBE),
};
EXPORT_SYMBOL_GPL(kscope_probe_policy);

/* the list request: where to start (a page's reply says where to go on) */
const struct nla_policy kscope_probe_get_policy[KSCOPE_PROBE_ID + 1] = {
	[KSCOPE_PROBE_ID] = NLA_POLICY_MIN(NLA_U32, 1),
};
EXPORT_SYMBOL_GPL(kscope_probe_get_policy);
