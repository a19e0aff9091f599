/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_vfs internals: the probes (probes.c), per-filesystem counters and
 * latency histograms (stats.c), the top files/processes table (top.c),
 * netlink control (ctl.c), setup (main.c).
 */
#ifndef _KSCOPE_VFS_INTERNAL_H
#define _KSCOPE_VFS_INTERNAL_H

#include <linux/fs.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/types.h>
#include <linux/u64_stats_sync.h>
#include <kscope/hist.h>
#include <kscope/kscope.h>

#define VFS_NR_OPS	__KSCOPE_VFS_OP_MAX
/* filesystem types told apart; the last slot gathers the rest */
#define VFS_NR_FS	16
#define VFS_FS_NAME	16
#define VFS_HIST_SLOTS	32	/* latency, usecs */
#define VFS_FILE_NAME	32

enum vfs_counter {
	VC_READS, VC_WRITES, VC_OPENS, VC_FSYNCS, VC_CREATES,
	VC_UNLINKS, VC_RENAMES, VC_MKDIRS, VC_RMDIRS,
	VC_READ_BYTES, VC_WRITE_BYTES, VC_ERRORS,
	VC_SLOW, VC_TOP_DROPPED,
	VC_NR_COUNTERS,
};

enum vfs_event { VE_SLOW, VE_NR_EVENTS };

/* One finished operation, as the return probe saw it. */
struct vfs_op_rec {
	unsigned int op;		/* enum kscope_vfs_op */
	int fs;				/* slot (stats.c); -1: from sb */
	u64 lat_ns;
	s64 ret;
	u64 bytes;			/* moved (read/write), else asked */
	s64 offset;			/* -1: none */
	const struct dentry *dentry;	/* may be NULL */
	unsigned long ino;
	const void *sb;			/* key of a file in the top table */
};

extern struct kscope_source vfs_src;
extern const char * const vfs_op_names[VFS_NR_OPS];

/* the source is registered: the probes may count and emit */
extern bool vfs_registered;
/* settings, read by the probes */
extern u64 vfs_slow_ns;
extern u32 vfs_pid;
extern bool vfs_top_on;

/* stats.c */
/* one filesystem type's counts on one CPU */
struct vfs_fs_stats {
	struct u64_stats_sync syncp;
	u64_stats_t count[VFS_NR_OPS];
	u64_stats_t bytes[VFS_NR_OPS];
	u64_stats_t errors[VFS_NR_OPS];
};

/* a filesystem type's slot: its counts and latency histograms */
struct vfs_fs {
	const struct file_system_type *type;	/* key only, never followed */
	struct vfs_fs_stats __percpu *pcpu;
	struct kscope_hist hist[VFS_NR_OPS];
	int idx;				/* in the table, for records */
	char name[VFS_FS_NAME];
};

DECLARE_PER_CPU(struct vfs_fs *, vfs_fs_last);
/* the slot of type @t, a new one if it has none yet: the probes' slow path */
struct vfs_fs *vfs_fs_find(const struct file_system_type *t);

/* the slot of @sb's type; probe context */
static __always_inline struct vfs_fs *vfs_fs_of(const struct super_block *sb)
{
	const struct file_system_type *t = sb ? sb->s_type : NULL;
	struct vfs_fs *fs = this_cpu_read(vfs_fs_last);

	if (likely(fs && fs->type == t))
		return fs;
	return vfs_fs_find(t);
}

/*
 * Probe context: preemption is off, so this CPU's block stays ours.
 * @timed false: no latency of its own, kept out of the histogram.
 */
static __always_inline void vfs_stats_add(struct vfs_fs *fs, unsigned int op,
					  u64 bytes, bool err, bool timed,
					  u64 lat_ns)
{
	struct vfs_fs_stats *s = this_cpu_ptr(fs->pcpu);
	unsigned long flags;

	flags = u64_stats_update_begin_irqsave(&s->syncp);
	u64_stats_inc(&s->count[op]);
	u64_stats_add(&s->bytes[op], bytes);
	if (err)
		u64_stats_inc(&s->errors[op]);
	u64_stats_update_end_irqrestore(&s->syncp, flags);
	if (timed)
		kscope_hist_add(&fs->hist[op], div_u64(lat_ns, NSEC_PER_USEC));
}

int vfs_stats_init(void);
void vfs_stats_exit(void);
void vfs_stats_debugfs(struct dentry *dir);
const char *vfs_fs_name(int slot);
int vfs_nr_fs(void);
/* @timed as for vfs_stats_add(); a record's fs -1 is looked up from sb */
void vfs_stats_account(struct vfs_op_rec *r, bool timed);
struct vfs_opstat {
	u64 count, bytes, errors;
	struct kscope_hist_data hist;
};
void vfs_stats_read(int fs, unsigned int op, struct vfs_opstat *st);

/* top.c */
/* its key for the top tables: sb, ino and pid, no padding between them */
struct vfs_top_ent {
	const void *sb;			/* files: superblock; procs: NULL */
	unsigned long ino;
	u32 pid;
	int fs;
	char comm[TASK_COMM_LEN];
	char name[VFS_FILE_NAME];
	u64 reads, writes, rbytes, wbytes, count;
};
int vfs_top_init(unsigned int max);
void vfs_top_exit(void);
void vfs_top_debugfs(struct dentry *dir);
void vfs_top_account(const struct vfs_op_rec *r);
/* may sleep: waits for the probes inside the tables */
void vfs_top_reset(void);
u64 vfs_top_interval_ms(void);
/*
 * Copy out the @max busiest entries, busiest first; returns how many, or
 * -ENOMEM. May sleep; holds a table lock for a bounded chunk at a time.
 */
int vfs_top_snapshot(bool files, struct vfs_top_ent *out, unsigned int max);

/* probes.c */
extern const struct kscope_event_desc vfs_events[VE_NR_EVENTS];
int vfs_probes_attach(char *attach, size_t len);
void vfs_probes_detach(void);
void vfs_probes_debugfs(struct dentry *dir);
void vfs_dentry_name(const struct dentry *d, char *buf, size_t len);

/* ctl.c */
int vfs_ctl(struct kscope_source *src, struct nlattr *ctl,
	    struct genl_info *info);
int vfs_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		struct genl_info *info);
void vfs_ctl_debugfs(struct dentry *dir);

#endif /* _KSCOPE_VFS_INTERNAL_H */
