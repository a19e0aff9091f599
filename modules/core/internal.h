/* SPDX-License-Identifier: GPL-2.0 */
#ifndef _KSCOPE_CORE_INTERNAL_H
#define _KSCOPE_CORE_INTERNAL_H

#include <linux/mutex.h>
#include <kscope/kscope.h>

extern struct genl_family kscope_family;
extern struct kscope_source kscope_core_src;

/* Protects the source list; the flush worker holds it for a whole pass. */
extern struct mutex kscope_sources_lock;
extern struct list_head kscope_sources;

struct kscope_source *kscope_source_find(const char *name);
struct kscope_source *kscope_source_by_id(u16 id);
u64 kscope_counter_sum(struct kscope_source *src, unsigned int idx);
u64 kscope_counter_cpu(struct kscope_source *src, unsigned int idx, int cpu);

/* inline: the emit path calls it, and must not call out */
static __always_inline unsigned int
kscope_nr_all_counters(struct kscope_source *src)
{
	return KSCOPE_NR_CHAN_COUNTERS + src->nr_counters;
}

const char *kscope_counter_name(struct kscope_source *src, unsigned int idx);
u8 kscope_counter_kind(struct kscope_source *src, unsigned int idx);
extern const char * const kscope_counter_kind_names[];
extern const char * const kscope_field_kind_names[];

int kscope_chan_init(unsigned int ring_slots, unsigned int flush_ms);
void kscope_chan_exit(void);
void kscope_chan_flush_sync(void);
void kscope_chan_kcov_note(void);

int kscope_nl_init(void);
/* Is @attr a source's request nest, KSCOPE_A_CTL_<SOURCE>? */
bool kscope_ctl_attr_valid(u16 attr);
void kscope_nl_exit(void);

int kscope_debugfs_init(void);
void kscope_debugfs_exit(void);
void kscope_debugfs_add(struct kscope_source *src);
void kscope_debugfs_del(struct kscope_source *src);

/* direct.c: hooks by ftrace direct calls (KSCOPE_HOOK_DIRECT) */
struct kscope_hook;
int kscope_direct_attach(struct kscope_hook *h);
void kscope_direct_detach(struct kscope_hook **hooks, unsigned int n);
unsigned long kscope_direct_nmissed(const struct kscope_hook *h);
void kscope_direct_core_exit(void);
int kscope_clock_init(void);
void kscope_clock_exit(void);
/* direct_64.S: the trampoline's stubs, and what it calls */
#define KSCOPE_DIRECT_SLOTS	32
struct kscope_direct_frame;
extern void *const kscope_direct_stubs[KSCOPE_DIRECT_SLOTS];
int kscope_direct_enter(struct kscope_direct_frame *f);
void kscope_direct_exit(struct kscope_direct_frame *f);

int kscope_resolve_init(void);
void kscope_resolve_exit(void);

#endif /* _KSCOPE_CORE_INTERNAL_H */
