// SPDX-License-Identifier: GPL-2.0
/*
 * Which processes get a portrait (and fork/exec/exit events), set through
 * KSCOPE_CMD_CTL: pid (the process or its direct children), comm, cgroup v2
 * id (the cgroup or below). The probes read the filter under RCU; a change
 * swaps in a new copy and drops the portraits kept under the old one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cgroup.h>
#include <linux/debugfs.h>
#include <linux/rcupdate.h>
#include <linux/seq_file.h>
#include <linux/string.h>
#include <linux/threads.h>
#include <net/genetlink.h>
#include <kscope/compat.h>
#include <kscope/policy.h>
#include <kscope/settings.h>

#include "internal.h"

static DEFINE_KSCOPE_SETTINGS(ksch_filter, struct ksch_filter);

static bool cgroup_match(struct task_struct *p, u64 id)
{
#ifdef CONFIG_CGROUPS
	struct cgroup *cgrp;
	bool ok = false;

	rcu_read_lock();
	for (cgrp = task_dfl_cgroup(p); cgrp; cgrp = cgroup_parent(cgrp)) {
		if (cgroup_id(cgrp) == id) {
			ok = true;
			break;
		}
	}
	rcu_read_unlock();
	return ok;
#else
	return false;
#endif
}

bool ksch_filter_any(void)
{
	return kscope_settings_empty(&ksch_filter);
}

bool ksch_filter_match(struct task_struct *p)
{
	const struct ksch_filter *f;
	bool ok = true;

	rcu_read_lock();
	f = kscope_settings_get(&ksch_filter);
	if (f) {
		if (f->pid && f->pid != p->tgid) {
			struct task_struct *parent = rcu_dereference(p->real_parent);

			if (f->pid != task_tgid_nr(parent))
				ok = false;
		}
		if (ok && f->comm[0] && strncmp(f->comm, p->comm, TASK_COMM_LEN))
			ok = false;
		if (ok && f->cgroup && !cgroup_match(p, f->cgroup))
			ok = false;
	}
	rcu_read_unlock();
	return ok;
}

static int ksch_filter_fill(void *next, const void *prev, void *arg)
{
	struct nlattr **tb = arg;
	struct ksch_filter *nf = next;

	if (tb[KSCOPE_SCHED_PID])
		nf->pid = nla_get_u32(tb[KSCOPE_SCHED_PID]);
	if (tb[KSCOPE_SCHED_COMM])
		nla_strscpy(nf->comm, tb[KSCOPE_SCHED_COMM], sizeof(nf->comm));
	if (tb[KSCOPE_SCHED_CGROUP])
		nf->cgroup = nla_get_u64(tb[KSCOPE_SCHED_CGROUP]);
	return !nf->pid && !nf->comm[0] && !nf->cgroup ?
	       KSCOPE_SETTINGS_EMPTY : 0;
}

int ksch_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_SCHED_MAX + 1];
	bool change;
	int ret;

	ret = nla_parse_nested(tb, KSCOPE_SCHED_MAX, ctl, kscope_sched_policy,
			       info->extack);
	if (ret)
		return ret;
	change = tb[KSCOPE_SCHED_PID] || tb[KSCOPE_SCHED_COMM] ||
		 tb[KSCOPE_SCHED_CGROUP] || tb[KSCOPE_SCHED_CLEAR];
	if (!change && !tb[KSCOPE_SCHED_RESET]) {
		NL_SET_ERR_MSG(info->extack,
			       "sched: nothing to do (filter attributes, CLEAR or RESET)");
		return -EINVAL;
	}
	if (change) {
		ret = kscope_settings_update(&ksch_filter, ksch_filter_fill, tb,
					     tb[KSCOPE_SCHED_CLEAR] ? 0 :
					     KSCOPE_SETTINGS_KEEP);
		if (ret) {
			NL_SET_ERR_MSG(info->extack, "no memory for the filter");
			return ret;
		}
	}
	/* portraits kept under another filter would mislead */
	ksch_tables_reset();
	return 0;
}

/* The filter and histogram, or with CURSOR a page of the portraits. */
int ksch_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_SCHED_MAX + 1];
	struct ksch_filter f;
	struct sk_buff *msg;
	struct nlattr *nest;
	int ret;

	if (ctl) {
		ret = nla_parse_nested(tb, KSCOPE_SCHED_MAX, ctl,
				       kscope_sched_get_policy, info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_SCHED_CURSOR]) {
			ret = kscope_admin_read(info, tb[KSCOPE_SCHED_CURSOR],
						"sched: portraits name other users' processes: CAP_NET_ADMIN or CAP_SYS_ADMIN only");
			return ret ?: ksch_portraits_reply(src, info,
							   nla_get_u32(tb[KSCOPE_SCHED_CURSOR]));
		}
		if (tb[KSCOPE_SCHED_CPU])
			return ksch_cpu_reply(src, info);
	}
	kscope_settings_read(&ksch_filter, &f);

	msg = kscope_ctl_reply_start(src, info,
				     kscope_ctl_reply_head(src) +
				     nla_total_size(sizeof(u32)) +
				     nla_total_size(sizeof(f.comm)) +
				     nla_total_size_64bit(sizeof(u64)) +
				     ksch_hist_nest_size(), &nest);
	if (!msg)
		return -ENOMEM;
	if (nla_put_u32(msg, KSCOPE_SCHED_PID, f.pid) ||
	    nla_put_string(msg, KSCOPE_SCHED_COMM, f.comm) ||
	    nla_put_u64_64bit(msg, KSCOPE_SCHED_CGROUP, f.cgroup,
			      KSCOPE_SCHED_PAD) ||
	    ksch_hist_put(msg, KSCOPE_SCHED_RUNQ_HIST))
		goto nla_put_failure;
	return kscope_ctl_reply_send(msg, nest, info);

nla_put_failure:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int filter_show(struct seq_file *m, void *v)
{
	struct ksch_filter f;

	kscope_settings_read(&ksch_filter, &f);
	seq_printf(m, "pid %u\ncomm %s\ncgroup %llu\n", f.pid,
		   f.comm[0] ? f.comm : "-", f.cgroup);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(filter);

void ksch_filter_debugfs(struct dentry *dir)
{
	debugfs_create_file("filter", 0444, dir, NULL, &filter_fops);
}

/* After the probes are gone. */
void ksch_filter_exit(void)
{
	kscope_settings_destroy(&ksch_filter);
}
