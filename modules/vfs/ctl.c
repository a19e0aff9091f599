// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink control of kscope_vfs: the slow-operation threshold, the pid
 * filter and the top collection (KSCOPE_CMD_CTL, admin); the settings,
 * per-filesystem statistics and, for an admin, the top lists
 * (KSCOPE_CMD_CTL_GET).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <kscope/compat.h>
#include <kscope/policy.h>

#include "internal.h"

#define VFS_TOP_N_DEFAULT	10

u64 vfs_slow_ns;
u32 vfs_pid;
bool vfs_top_on;
static DEFINE_MUTEX(vfs_ctl_lock);

int vfs_ctl(struct kscope_source *src, struct nlattr *ctl,
	    struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_VFS_MAX + 1];
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_VFS_MAX, ctl, kscope_vfs_policy,
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

/*
 * What a CTL_GET reply carries, read once before anything is put, so that
 * each message is sized exactly (nla_total_size()) from what goes in it.
 */
struct vfs_reply {
	struct vfs_reply_ops {
		int fs;
		unsigned int op;
		struct vfs_opstat st;
	} *ops;
	unsigned int nr_ops;
	struct vfs_top_ent *top[2];	/* files, processes */
	unsigned int nr_top[2];
};

static unsigned int vfs_reply_items(const struct vfs_reply *rp)
{
	return rp->nr_ops + rp->nr_top[0] + rp->nr_top[1];
}

static size_t settings_size(void)
{
	return 3 * nla_total_size_64bit(sizeof(u64)) +	/* slow, interval, dropped */
	       nla_total_size(sizeof(u32)) + nla_total_size(sizeof(u8));
}

static size_t ops_size(const struct vfs_reply_ops *o)
{
	size_t size = nla_total_size(0) +
		      nla_total_size(strlen(vfs_fs_name(o->fs)) + 1) +
		      nla_total_size(sizeof(u8)) +
		      3 * nla_total_size_64bit(sizeof(u64));

	return size + kscope_hist_data_nest_size(&o->st.hist);
}

static size_t top_size(const struct vfs_top_ent *e, bool file)
{
	size_t size = nla_total_size(0) + nla_total_size(sizeof(u32)) +
		      nla_total_size(strlen(e->comm) + 1) +
		      5 * nla_total_size_64bit(sizeof(u64));

	if (file)
		size += nla_total_size(strlen(vfs_fs_name(e->fs)) + 1) +
			nla_total_size(strlen(e->name) + 1) +
			nla_total_size_64bit(sizeof(u64));
	return size;
}

/* Item @i: the ops of one (fs, op), then top files, then top processes. */
static size_t item_size(const struct vfs_reply *rp, unsigned int i)
{
	if (i < rp->nr_ops)
		return ops_size(&rp->ops[i]);
	i -= rp->nr_ops;
	if (i < rp->nr_top[0])
		return top_size(&rp->top[0][i], true);
	return top_size(&rp->top[1][i - rp->nr_top[0]], false);
}

static int put_settings(struct sk_buff *msg, struct kscope_source *src)
{
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
		return -EMSGSIZE;
	return 0;
}

static int put_ops(struct sk_buff *msg, const struct vfs_reply_ops *o)
{
	struct nlattr *nest = nla_nest_start(msg, KSCOPE_VFS_OPS);

	if (!nest ||
	    nla_put_string(msg, KSCOPE_VFS_FS, vfs_fs_name(o->fs)) ||
	    nla_put_u8(msg, KSCOPE_VFS_OP, o->op) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_COUNT, o->st.count,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_BYTES, o->st.bytes,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_ERRORS, o->st.errors,
			      KSCOPE_VFS_PAD) ||
	    kscope_hist_data_put(msg, KSCOPE_VFS_HIST, &o->st.hist))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_top(struct sk_buff *msg, const struct vfs_top_ent *e,
		   bool file)
{
	struct nlattr *nest = nla_nest_start(msg, file ? KSCOPE_VFS_TOP_FILE :
							 KSCOPE_VFS_TOP_PROC);

	if (!nest ||
	    nla_put_u32(msg, KSCOPE_VFS_PID, e->pid) ||
	    nla_put_string(msg, KSCOPE_VFS_COMM, e->comm) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_READS, e->reads,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_WRITES, e->writes,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_RBYTES, e->rbytes,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_WBYTES, e->wbytes,
			      KSCOPE_VFS_PAD) ||
	    nla_put_u64_64bit(msg, KSCOPE_VFS_COUNT, e->count,
			      KSCOPE_VFS_PAD))
		return -EMSGSIZE;
	if (file &&
	    (nla_put_string(msg, KSCOPE_VFS_FS, vfs_fs_name(e->fs)) ||
	     nla_put_string(msg, KSCOPE_VFS_NAME, e->name) ||
	     nla_put_u64_64bit(msg, KSCOPE_VFS_INO, e->ino, KSCOPE_VFS_PAD)))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int put_item(struct sk_buff *msg, const struct vfs_reply *rp,
		    unsigned int i)
{
	if (i < rp->nr_ops)
		return put_ops(msg, &rp->ops[i]);
	i -= rp->nr_ops;
	if (i < rp->nr_top[0])
		return put_top(msg, &rp->top[0][i], true);
	return put_top(msg, &rp->top[1][i - rp->nr_top[0]], false);
}

static void vfs_reply_free(struct vfs_reply *rp)
{
	kvfree(rp->ops);
	kfree(rp->top[0]);
	kfree(rp->top[1]);
}

/* Read the statistics and, for @top_n > 0, the top lists. */
static int vfs_reply_read(struct vfs_reply *rp, unsigned int top_n)
{
	int fs, nr_fs = vfs_nr_fs(), ret, i;
	unsigned int op;

	memset(rp, 0, sizeof(*rp));
	rp->ops = kvmalloc_array(VFS_NR_FS * VFS_NR_OPS, sizeof(*rp->ops),
				 GFP_KERNEL);
	if (!rp->ops)
		return -ENOMEM;
	for (fs = 0; fs < nr_fs; fs++) {
		for (op = 0; op < VFS_NR_OPS; op++) {
			struct vfs_reply_ops *o = &rp->ops[rp->nr_ops];

			vfs_stats_read(fs, op, &o->st);
			if (!o->st.count)
				continue;
			o->fs = fs;
			o->op = op;
			rp->nr_ops++;
		}
	}
	for (i = 0; i < 2 && top_n; i++) {
		rp->top[i] = kcalloc(top_n, sizeof(*rp->top[i]), GFP_KERNEL);
		if (!rp->top[i])
			return -ENOMEM;
		ret = vfs_top_snapshot(i == 0, rp->top[i], top_n);
		if (ret < 0)
			return ret;
		rp->nr_top[i] = ret;
	}
	return 0;
}

/*
 * The per-process and per-file lists name other users' processes and
 * files: CAP_NET_ADMIN or CAP_SYS_ADMIN only, as for the event group.
 */
/*
 * The reply is built by hand: the core does not hand its family to
 * sources, and the request's own header names it. It is one or more
 * messages of at most a page each, every one with the source and a
 * KSCOPE_A_CTL nest (the settings in the first): a reader takes every
 * reply message before the acknowledgement.
 */
int vfs_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		struct genl_info *info)
{
	unsigned int top_n = VFS_TOP_N_DEFAULT, i = 0, j, nr;
	struct nlattr *tb[KSCOPE_VFS_MAX + 1];
	bool admin = kscope_caller_admin();
	size_t head, size, budget;
	struct vfs_reply rp;
	struct sk_buff *msg;
	struct nlattr *nest;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_VFS_MAX, ctl,
				       kscope_vfs_get_policy, info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_VFS_TOP_N]) {
			ret = kscope_admin_read(info, tb[KSCOPE_VFS_TOP_N],
						"top files and processes name other users' activity: CAP_NET_ADMIN or CAP_SYS_ADMIN only");
			if (ret)
				return ret;
			top_n = nla_get_u32(tb[KSCOPE_VFS_TOP_N]);
		}
	}
	/* unprivileged: the per-filesystem totals, no process or file */
	ret = vfs_reply_read(&rp, admin ? top_n : 0);
	if (ret)
		goto free_reply;

	/* what one message of a page holds besides the source's items */
	head = kscope_ctl_reply_head(src);
	budget = NLMSG_DEFAULT_SIZE - GENL_HDRLEN - head;
	nr = vfs_reply_items(&rp);
	do {
		size = i ? 0 : settings_size();
		for (j = i; j < nr && size + item_size(&rp, j) <= budget; j++)
			size += item_size(&rp, j);
		if (j == i && j < nr)	/* never: an item is < 1 KB */
			size += item_size(&rp, j++);
		ret = -ENOMEM;
		msg = kscope_ctl_reply_start(src, info, head + size, &nest);
		if (!msg)
			goto free_reply;
		ret = i ? 0 : put_settings(msg, src);
		for (; !ret && i < j; i++)
			ret = put_item(msg, &rp, i);
		if (ret) {
			/* the sizes above are wrong: a bug, not the caller's */
			NL_SET_ERR_MSG(info->extack, "reply larger than sized");
			nlmsg_free(msg);
			goto free_reply;
		}
		ret = kscope_ctl_reply_send(msg, nest, info);
	} while (!ret && i < nr);

free_reply:
	vfs_reply_free(&rp);
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
