// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_vfs: what the VFS is asked to do, how long it takes, who asks.
 *
 * Counts, bytes, errors and log2 latency histograms of read, write, open,
 * fsync, create, unlink, rename, mkdir and rmdir per filesystem type
 * (debugfs "ops" and "hist", netlink KSCOPE_CMD_CTL_GET); events for
 * operations slower than a threshold (like fsslower); top files and
 * processes over an interval (like filetop). Control through netlink:
 * see include/uapi/linux/kscope.h.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "internal.h"

#define TOP_MAX_MIN	16
#define TOP_MAX_MAX	65536

static unsigned int top_max = 1024;
module_param(top_max, uint, 0444);
MODULE_PARM_DESC(top_max, "entries in each top table (files, processes), 16..65536 (default 1024)");

const char * const vfs_op_names[VFS_NR_OPS] = {
	[KSCOPE_VFS_OP_READ] = "read",
	[KSCOPE_VFS_OP_WRITE] = "write",
	[KSCOPE_VFS_OP_OPEN] = "open",
	[KSCOPE_VFS_OP_FSYNC] = "fsync",
	[KSCOPE_VFS_OP_CREATE] = "create",
	[KSCOPE_VFS_OP_UNLINK] = "unlink",
	[KSCOPE_VFS_OP_RENAME] = "rename",
	[KSCOPE_VFS_OP_MKDIR] = "mkdir",
	[KSCOPE_VFS_OP_RMDIR] = "rmdir",
};

static const char * const vfs_counter_names[VC_NR_COUNTERS] = {
	[VC_READS] = "reads",
	[VC_WRITES] = "writes",
	[VC_OPENS] = "opens",
	[VC_FSYNCS] = "fsyncs",
	[VC_CREATES] = "creates",
	[VC_UNLINKS] = "unlinks",
	[VC_RENAMES] = "renames",
	[VC_MKDIRS] = "mkdirs",
	[VC_RMDIRS] = "rmdirs",
	[VC_READ_BYTES] = "read_bytes",
	[VC_WRITE_BYTES] = "write_bytes",
	[VC_ERRORS] = "errors",
	[VC_SLOW] = "slow_events",
	[VC_TOP_DROPPED] = "top_dropped",
};

struct kscope_source vfs_src = {
	.name = "vfs",
	.owner = THIS_MODULE,
	.counter_names = vfs_counter_names,
	.nr_counters = ARRAY_SIZE(vfs_counter_names),
	.events = vfs_events,
	.nr_events = VE_NR_EVENTS,
	.ctl = vfs_ctl,
	.ctl_get = vfs_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_VFS,
};

bool vfs_registered;

/*
 * Registering the source makes it reachable over netlink (and gives it
 * its counters), so it comes last: a request never meets a module whose
 * init may still fail, and so run in freed text. Until then the probes,
 * attached before, count nothing (vfs_registered); the debugfs files,
 * which need the source's directory, come after, and cannot fail.
 */
static int __init vfs_init(void)
{
	int ret;

	if (top_max < TOP_MAX_MIN || top_max > TOP_MAX_MAX) {
		pr_err("top_max=%u out of range %u..%u\n", top_max,
		       TOP_MAX_MIN, TOP_MAX_MAX);
		return -EINVAL;
	}
	ret = vfs_stats_init();
	if (ret)
		return ret;
	ret = vfs_top_init(top_max);
	if (ret)
		goto exit_stats;
	ret = vfs_probes_attach(vfs_src.attach, sizeof(vfs_src.attach));
	if (ret)
		goto exit_top;
	ret = kscope_source_register(&vfs_src);
	if (ret)
		goto detach_probes;
	vfs_stats_debugfs(vfs_src.dir);
	vfs_top_debugfs(vfs_src.dir);
	vfs_ctl_debugfs(vfs_src.dir);
	vfs_probes_debugfs(vfs_src.dir);
	WRITE_ONCE(vfs_registered, true);
	return 0;

detach_probes:
	vfs_probes_detach();
exit_top:
	vfs_top_exit();
exit_stats:
	vfs_stats_exit();
	return ret;
}

/*
 * The source goes first; the probes, still attached, must not touch its
 * counters once it is gone: they stop at vfs_registered, and those
 * already past it run with preemption off, which synchronize_rcu()
 * waits out.
 */
static void __exit vfs_exit(void)
{
	WRITE_ONCE(vfs_registered, false);
	synchronize_rcu();
	kscope_source_unregister(&vfs_src);
	vfs_probes_detach();
	vfs_top_exit();
	vfs_stats_exit();
}

module_init(vfs_init);
module_exit(vfs_exit);

MODULE_DESCRIPTION("kscope: VFS operations, latency, slow events and top files");
MODULE_LICENSE("GPL");
