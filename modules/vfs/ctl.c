// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink control of kscope_vfs: the slow-operation threshold, the pid
 * filter and the top collection (KSCOPE_CMD_CTL, admin); the settings,
 * per-filesystem statistics and top lists (KSCOPE_CMD_CTL_GET).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <kscope/compat.h>

#include "internal.h"

#define VFS_SLOW_US_MAX		(3600ULL * USEC_PER_SEC)
#define VFS_TOP_N_DEFAULT	10
#define VFS_TOP_N_MAX		100
#define VFS_REPLY_SIZE		(32 * 1024)

u64 vfs_slow_ns;
u32 vfs_pid;
bool vfs_top_on;
static DEFINE_MUTEX(vfs_ctl_lock);

/* not const: 6.1 takes plain pointers */
static struct netlink_range_validation vfs_slow_range = {
	.max = VFS_SLOW_US_MAX,
};
static struct netlink_range_validation vfs_pid_range = {
	.max = PID_MAX_LIMIT,
};

static const struct nla_policy vfs_ctl_policy[KSCOPE_VFS_MAX + 1] = {
	[KSCOPE_VFS_SLOW_US] = NLA_POLICY_FULL_RANGE(NLA_U64, &vfs_slow_range),
	[KSCOPE_VFS_PID] = NLA_POLICY_FULL_RANGE(NLA_U32, &vfs_pid_range),
	[KSCOPE_VFS_TOP] = NLA_POLICY_MAX(NLA_U8, 1),
	[KSCOPE_VFS_TOP_RESET] = { .type = NLA_FLAG },
};

static const struct nla_policy vfs_get_policy[KSCOPE_VFS_MAX + 1] = {
	[KSCOPE_VFS_TOP_N] = NLA_POLICY_RANGE(NLA_U32, 1, VFS_TOP_N_MAX),
};

int vfs_ctl(struct kscope_source *src, struct nlattr *ctl,
	    struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_VFS_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_VFS_MAX, ctl, vfs_ctl_policy,
			       info->extack);
	if (ret)
		return ret;
	if (!tb[KSCOPE_VFS_SLOW_US] && !tb[KSCOPE_VFS_PID] &&
	    !tb[KSCOPE_VFS_TOP] && !tb[KSCOPE_VFS_TOP_RESET]) {
		NL_SET_ERR_MSG(info->extack, "nothing to change");
		return -EINVAL;
	}
	mutex_lock(&vfs_ctl_lock);
	if (tb[KSCOPE_VFS_SLOW_US])
		WRITE_ONCE(vfs_slow_ns, nla_get_u64(tb[KSCOPE_VFS_SLOW_US]) *
			   NSEC_PER_USEC);
	if (tb[KSCOPE_VFS_PID])
		WRITE_ONCE(vfs_pid, nla_get_u32(tb[KSCOPE_VFS_PID]));
	if (tb[KSCOPE_VFS_TOP_RESET])
		vfs_top_reset();
	if (tb[KSCOPE_VFS_TOP])
		WRITE_ONCE(vfs_top_on, nla_get_u8(tb[KSCOPE_VFS_TOP]));
	mutex_unlock(&vfs_ctl_lock);
	return 0;
}

static int put_hist(struct sk_buff *msg, int type, const u64 *hist)
{
	struct nlattr *nest = nla_nest_start(msg, type);
	unsigned int b;

	if (!nest)
		return -EMSGSIZE;
	for (b = 0; b < VFS_NR_BUCKETS; b++)
		if (hist[b] && nla_put_u64_64bit(msg, b + 1, hist[b],
						 KSCOPE_VFS_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_ops(struct sk_buff *msg)
{
	struct vfs_opstat *st;
	struct nlattr *nest;
	int fs, n = vfs_nr_fs(), ret = 0;
	unsigned int op;

	st = kmalloc(sizeof(*st), GFP_KERNEL);
	if (!st)
		return -ENOMEM;
	for (fs = 0; fs < n && !ret; fs++) {
		for (op = 0; op < VFS_NR_OPS && !ret; op++) {
			vfs_stats_read(fs, op, st);
			if (!st->count)
				continue;
			ret = -EMSGSIZE;
			nest = nla_nest_start(msg, KSCOPE_VFS_OPS);
			if (!nest ||
			    nla_put_string(msg, KSCOPE_VFS_FS, vfs_fs_name(fs)) ||
			    nla_put_u8(msg, KSCOPE_VFS_OP, op) ||
			    nla_put_u64_64bit(msg, KSCOPE_VFS_COUNT, st->count,
					      KSCOPE_VFS_PAD) ||
			    nla_put_u64_64bit(msg, KSCOPE_VFS_BYTES, st->bytes,
					      KSCOPE_VFS_PAD) ||
			    nla_put_u64_64bit(msg, KSCOPE_VFS_ERRORS, st->errors,
					      KSCOPE_VFS_PAD) ||
			    put_hist(msg, KSCOPE_VFS_HIST, st->hist))
				break;
			nla_nest_end(msg, nest);
			ret = 0;
		}
	}
	kfree(st);
	return ret;
}

static int put_top(struct sk_buff *msg, bool files, unsigned int top_n)
{
	struct vfs_top_ent *e;
	struct nlattr *nest;
	int n, i, ret = 0;

	e = kcalloc(top_n, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;
	n = vfs_top_snapshot(files, e, top_n);
	if (n < 0) {
		ret = n;
		goto out;
	}
	for (i = 0; i < n; i++) {
		ret = -EMSGSIZE;
		nest = nla_nest_start(msg, files ? KSCOPE_VFS_TOP_FILE :
						   KSCOPE_VFS_TOP_PROC);
		if (!nest ||
		    nla_put_u32(msg, KSCOPE_VFS_PID, e[i].pid) ||
		    nla_put_string(msg, KSCOPE_VFS_COMM, e[i].comm) ||
		    nla_put_u64_64bit(msg, KSCOPE_VFS_READS, e[i].reads,
				      KSCOPE_VFS_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_VFS_WRITES, e[i].writes,
				      KSCOPE_VFS_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_VFS_RBYTES, e[i].rbytes,
				      KSCOPE_VFS_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_VFS_WBYTES, e[i].wbytes,
				      KSCOPE_VFS_PAD) ||
		    nla_put_u64_64bit(msg, KSCOPE_VFS_COUNT, e[i].count,
				      KSCOPE_VFS_PAD))
			goto out;
		if (files &&
		    (nla_put_string(msg, KSCOPE_VFS_FS, vfs_fs_name(e[i].fs)) ||
		     nla_put_string(msg, KSCOPE_VFS_NAME, e[i].name) ||
		     nla_put_u64_64bit(msg, KSCOPE_VFS_INO, e[i].ino,
				       KSCOPE_VFS_PAD)))
			goto out;
		nla_nest_end(msg, nest);
		ret = 0;
	}
out:
	kfree(e);
	return ret;
}

/*
 * The reply is built by hand: the core does not hand its family to
 * sources, and the request's own header names it.
 */
int vfs_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		struct genl_info *info)
{
	unsigned int top_n = VFS_TOP_N_DEFAULT;
	struct nlattr *tb[KSCOPE_VFS_MAX + 1];
	struct sk_buff *msg;
	struct nlattr *nest;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_VFS_MAX, ctl, vfs_get_policy,
				       info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_VFS_TOP_N])
			top_n = nla_get_u32(tb[KSCOPE_VFS_TOP_N]);
	}
	msg = kscope_ctl_reply_start(src, info, VFS_REPLY_SIZE, &nest);
	if (!msg)
		return -ENOMEM;
	ret = -EMSGSIZE;
	if (nla_put_u64_64bit(msg, KSCOPE_VFS_SLOW_US,
			      div_u64(READ_ONCE(vfs_slow_ns), NSEC_PER_USEC),
			      KSCOPE_VFS_PAD) ||
	    nla_put_u32(msg, KSCOPE_VFS_PID, READ_ONCE(vfs_pid)) ||
	    nla_put_u8(msg, KSCOPE_VFS_TOP, READ_ONCE(vfs_top_on)) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_INTERVAL_MS,
			      vfs_top_interval_ms(), KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_TOP_DROPPED,
			      kscope_count_read(src, VC_TOP_DROPPED),
			      KSCOPE_VFS_PAD))
		goto free_msg;
	ret = put_ops(msg);
	if (!ret)
		ret = put_top(msg, true, top_n);
	if (!ret)
		ret = put_top(msg, false, top_n);
	if (ret) {
		NL_SET_ERR_MSG(info->extack,
			       "reply too large: read /sys/kernel/debug/kscope/vfs/");
		goto free_msg;
	}
	return kscope_ctl_reply_send(msg, nest, info);

free_msg:
	nlmsg_free(msg);
	return ret;
}

static int settings_show(struct seq_file *m, void *v)
{
	seq_printf(m, "slow_us %llu\npid %u\ntop %u\n",
		   div_u64(READ_ONCE(vfs_slow_ns), NSEC_PER_USEC),
		   READ_ONCE(vfs_pid), READ_ONCE(vfs_top_on));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(settings);

void vfs_ctl_debugfs(struct dentry *dir)
{
	debugfs_create_file("settings", 0444, dir, NULL, &settings_fops);
}
