/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_vfs internals: the probes (probes.c), per-filesystem counters and
 * latency histograms (stats.c), the top files/processes table (top.c),
 * netlink control (ctl.c), setup (main.c).
 */
#ifndef _KSCOPE_VFS_INTERNAL_H
#define _KSCOPE_VFS_INTERNAL_H

#include <linux/sched.h>
#include <linux/types.h>
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
int vfs_stats_init(void);
void vfs_stats_exit(void);
void vfs_stats_debugfs(struct dentry *dir);
const char *vfs_fs_name(int slot);
int vfs_nr_fs(void);
/* @timed false: no latency of its own, kept out of the histogram */
void vfs_stats_account(struct vfs_op_rec *r, bool timed);
/* a read's or write's stats, from its result: returns sb's slot */
int vfs_stats_rw(const struct super_block *sb, unsigned int op, s64 ret,
		 u64 lat_ns);
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
