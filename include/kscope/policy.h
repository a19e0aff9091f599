/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The request policies of every source's nest (KSCOPE_A_CTL_<SOURCE>),
 * defined in kscope_core (modules/core/policy.c): the family is static,
 * so genetlink validates a request's nest against them before its source
 * sees it, and a policy dump (CTRL_CMD_GETPOLICY) describes them. A
 * source parses its nest with the same table:
 *
 *	nla_parse_nested(tb, ARRAY_SIZE(kscope_tcp_policy) - 1, ctl,
 *			 kscope_tcp_policy, info->extack);
 *
 * kscope_<source>_policy is what a control request (KSCOPE_CMD_CTL) may
 * carry; kscope_<source>_get_policy, where there is one, what a read
 * request (KSCOPE_CMD_CTL_GET) may. The limits below are the policies'
 * and the sources' own checks'.
 */
#ifndef _KSCOPE_POLICY_H
#define _KSCOPE_POLICY_H

#include <linux/time64.h>
#include <net/netlink.h>
#include <uapi/linux/kscope.h>

#define KSCOPE_TG_COUNT_MAX		10000000

/* event types of "tcp": KSCOPE_TCP_EVENTS is a mask of as many bits */
#define KSCOPE_TCP_NR_EVENTS		7

#define KSCOPE_BLK_NAME_SIZE		21	/* 1..20 characters and the NUL */
#define KSCOPE_BLK_SIZE_MB_MAX		(1U << 20)
#define KSCOPE_BLK_QUEUES_MAX		64
#define KSCOPE_BLK_POLL_QUEUES_MAX	16
#define KSCOPE_BLK_DEPTH_MAX		4096
#define KSCOPE_BLK_BS_MIN		512
#define KSCOPE_BLK_BS_MAX		4096
#define KSCOPE_BLK_SEGMENTS_MAX		4096
#define KSCOPE_BLK_SECTORS_MIN		8
#define KSCOPE_BLK_SECTORS_MAX		65536
#define KSCOPE_BLK_BW_MBPS_MAX		1000000

#define KSCOPE_VFS_SLOW_US_MAX		(3600ULL * USEC_PER_SEC)
#define KSCOPE_VFS_TOP_N_MAX		100

#define KSCOPE_PROBE_SYMBOL_SIZE	128	/* longest symbol, with the NUL */

extern const struct nla_policy kscope_testgen_policy[KSCOPE_TG_MAX + 1];
extern const struct nla_policy kscope_tcp_policy[KSCOPE_TCP_MAX + 1];
extern const struct nla_policy kscope_tcp_get_policy[KSCOPE_TCP_MAX + 1];
extern const struct nla_policy kscope_blk_policy[KSCOPE_BLK_MAX + 1];
extern const struct nla_policy kscope_blk_get_policy[KSCOPE_BLK_NAME + 1];
extern const struct nla_policy kscope_net_policy[KSCOPE_NET_MAX + 1];
extern const struct nla_policy kscope_vfs_policy[KSCOPE_VFS_MAX + 1];
extern const struct nla_policy kscope_vfs_get_policy[KSCOPE_VFS_MAX + 1];
extern const struct nla_policy kscope_mem_policy[KSCOPE_MEM_MAX + 1];
extern const struct nla_policy kscope_mem_get_policy[KSCOPE_MEM_MAX + 1];
extern const struct nla_policy kscope_sched_policy[KSCOPE_SCHED_MAX + 1];
extern const struct nla_policy kscope_sched_get_policy[KSCOPE_SCHED_MAX + 1];
extern const struct nla_policy kscope_probe_policy[KSCOPE_PROBE_MAX + 1];
extern const struct nla_policy kscope_probe_get_policy[KSCOPE_PROBE_ID + 1];

#endif /* _KSCOPE_POLICY_H */
