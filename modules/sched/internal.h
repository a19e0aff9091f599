/* SPDX-License-Identifier: GPL-2.0 */
/* kscope_sched: shared between its files. */
#ifndef _KSCOPE_SCHED_INTERNAL_H
#define _KSCOPE_SCHED_INTERNAL_H

#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <kscope/hist.h>
#include <kscope/kscope.h>

/* run-queue latency histograms: usecs, the last slot from 2^26 us (67 s) */
#define KSCH_SLOTS	27
#define KSCH_FILE_LEN	64

enum ksch_counter {
	KC_SWITCHES,
	KC_WAKEUPS,
	KC_WAKEUPS_NEW,
	KC_RUNQ_SAMPLES,
	KC_FORKS,		/* new processes */
	KC_CLONES,		/* new threads */
	KC_EXECS,
	KC_EXITS,		/* processes (the group died) */
	KC_THREAD_EXITS,
	KC_TASK_EVICTIONS,	/* wakeup stamps pushed out of a full bucket */
	KC_PORTRAITS,		/* portraits created */
	KC_PORTRAIT_EVICTIONS,
	KSCH_NR_COUNTERS,
};

enum ksch_event {
	KE_FORK,
	KE_EXEC,
	KE_EXIT,
	KSCH_NR_EVENTS,
};

struct ksch_filter {
	u32 pid;
	u64 cgroup;
	char comm[TASK_COMM_LEN];
};

enum { KP_FREE, KP_LIVE, KP_EXITED };

struct ksch_portrait {
	u32 tgid;
	u32 ppid;
	u8 state;
	u8 seen_start;		/* created at fork: lifetime is exact */
	char comm[TASK_COMM_LEN];
	char filename[KSCH_FILE_LEN];
	u64 start_ns;		/* CLOCK_MONOTONIC, task start_time */
	u64 exit_ns;
	u64 last_ns;		/* last update, for eviction */
	u64 oncpu_ns;
	u64 runq_ns;
	u64 runq_samples;
	u64 nvcsw;
	u64 nivcsw;
	u32 threads;
	struct kscope_hist_data runq_hist;	/* usecs */
};

extern struct kscope_source ksch_src;
extern const struct kscope_event_desc ksch_events[KSCH_NR_EVENTS];
extern unsigned int tasks_max, portraits_max, interval_ms;

/* tables.c */
int ksch_tables_init(void);
void ksch_tables_exit(void);
void ksch_tables_reset(void);
void ksch_tables_debugfs(struct dentry *dir);
/* A CTL_GET reply: the portraits of the sets from @cursor on that fit. */
int ksch_portraits_reply(struct kscope_source *src, struct genl_info *info,
			 u32 cursor);
void ksch_stamp(u32 tid, u64 now);
bool ksch_unstamp(u32 tid, u64 *ts);
void ksch_hist_add(u64 delta_ns);
int ksch_hist_put(struct sk_buff *msg, int attrtype);
size_t ksch_hist_nest_size(void);
/*
 * Run @fn on the portrait of @p's process under its bucket lock, creating
 * it when @create and the filter matches. Returns false when untracked.
 */
typedef void (*ksch_portrait_fn)(struct ksch_portrait *pt, void *arg);
bool ksch_portrait_do(struct task_struct *p, bool create, u64 now,
		      ksch_portrait_fn fn, void *arg);

/* ctl.c */
bool ksch_filter_match(struct task_struct *p);
bool ksch_filter_any(void);
int ksch_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info);
int ksch_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info);
void ksch_filter_debugfs(struct dentry *dir);
void ksch_filter_exit(void);

/* probes.c */
/*
 * The probes are attached before the source is registered (registering
 * makes it reachable, so it comes last) and do nothing until
 * ksch_probes_start(). ksch_probes_stop() returns when no probe runs past
 * that gate any more: then the source can be unregistered.
 */
int ksch_probes_attach(void);
void ksch_probes_detach(void);
void ksch_probes_start(void);
void ksch_probes_stop(void);

/* cpu.c */
int ksch_cpu_init(void);
void ksch_cpu_debugfs(struct dentry *dir);
/* a read request with KSCOPE_SCHED_CPU */
int ksch_cpu_reply(struct kscope_source *src, struct genl_info *info);
void ksch_cpu_exit(void);

#endif /* _KSCOPE_SCHED_INTERNAL_H */
