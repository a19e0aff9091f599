// SPDX-License-Identifier: GPL-2.0
/*
 * Functions a kscope_probe probe may not send events from.
 *
 * kscope_emit() records an event with its CPU's ring lock held and
 * interrupts off, and the flush worker builds and multicasts the events.
 * An event probe on a function either of them calls re-enters the channel:
 * from under the ring lock it deadlocks its CPU (ktime_get_mono_fast_ns()
 * under a tracepoint's emit froze a 6.12 guest), from the flush path every
 * flush makes more events, for ever. kprobes only stop recursion among
 * their own handlers, not an emit from a tracepoint of another module.
 *
 * So a probe with --events is refused on:
 *  - any function of a kscope_* module (the emit and flush code itself);
 *  - the functions below: what the emit and flush paths of kscope_core call
 *    on 6.1, 6.12 and 7.2 (modules/core/channel.c), including the lock,
 *    irq-flag, RCU, preemption and sanitizer helpers that debug kernels
 *    put around them. A trailing '*' matches a prefix. A name is compared
 *    without its compiler suffix (.isra.0, .constprop.0, .cold, ...).
 * Probes without --events only count (per-CPU adds, no channel call) and
 * may sit on any of them.
 *
 * Kept in one function, kprb_deny_reason(), so that it can move into the
 * core beside kscope_emit()'s own recursion guard.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "internal.h"

static const char * const kprb_deny[] = {
	/* kscope_emit(), under the ring lock */
	"ktime_get*", "read_tsc", "kvm_clock_*", "pvclock_*",
	"memcpy", "__memcpy", "memset", "__memset", "memmove", "__memmove",
	"_raw_spin_*", "do_raw_spin_*", "queued_spin_*", "__pv_queued_spin_*",
	"native_*", "__raw_callee_save_*", "arch_local_*",
	"trace_hardirqs_*", "lockdep_*", "lock_acquire*", "lock_release",
	"lock_acquired", "lock_contended", "__lock_acquire", "lock_is_held*",
	"preempt_count_*", "preempt_schedule*", "__preempt_*",
	"migrate_disable", "migrate_enable",
	"__rcu_read_*", "rcu_read_lock*", "rcu_read_unlock*", "rcu_is_watching",
	"debug_lockdep_rcu_enabled",
	"__asan_*", "__kasan_*", "kasan_*", "__ubsan_*", "ubsan_*",
	"__sanitizer_cov_*", "__kcsan_*", "__tsan_*", "kmsan_*", "__msan_*",
	/* kscope_emit(), after it: the kick */
	"netlink_has_listeners", "genl_has_listeners",
	"irq_work_*", "__irq_work_*", "arch_irq_work_raise",
	"x2apic_send_IPI*", "default_send_IPI*", "__default_send_IPI*",
	"apic_send_IPI*", "__apic_send_IPI*", "send_call_function_*",
	/* the flush worker: timer, work, list, skb, netlink */
	"queue_work*", "queue_delayed_work*", "mod_delayed_work*",
	"__queue_work", "__queue_delayed_work", "delayed_work_timer_fn",
	"insert_work", "add_timer*", "__mod_timer", "mod_timer*",
	"mutex_lock*", "mutex_unlock", "__mutex_lock*", "__mutex_unlock*",
	"idr_find", "radix_tree_lookup", "__radix_tree_lookup",
	"genlmsg_*", "__nlmsg_put", "nlmsg_*",
	"nla_put*", "__nla_put*", "nla_reserve*", "__nla_reserve*",
	"nla_nest_*", "skb_put", "strnlen", "strscpy", "sized_strscpy",
	"__alloc_skb", "alloc_skb*", "__build_skb*", "kmalloc_reserve",
	"__kmalloc*", "kmalloc_*", "__kmem_cache_alloc*", "kmem_cache_alloc*",
	"__slab_alloc*", "___slab_alloc", "slab_alloc*", "kfree",
	"kmem_cache_free", "__kmem_cache_free", "kmemleak_*", "kfence_*",
	"__kfence_*", "__alloc_pages*", "alloc_pages*", "get_page_from_freelist",
	"__free_pages*", "free_pages*", "__might_sleep", "__might_resched",
	"should_failslab", "netlink_broadcast*", "do_one_broadcast",
	"__netlink_sendskb", "netlink_sendskb", "netlink_trim",
	"skb_clone", "__skb_clone", "skb_queue_tail", "sock_def_readable",
	"consume_skb", "kfree_skb*", "sk_skb_reason_drop", "__kfree_skb",
	"skb_release_*", "skb_free_head",
};

/* @name (up to a '.' suffix) against @pat (a trailing '*': a prefix) */
static bool kprb_deny_match(const char *pat, const char *name)
{
	size_t plen = strlen(pat), nlen = strcspn(name, ".");

	if (plen && pat[plen - 1] == '*')
		return nlen >= plen - 1 && !strncmp(pat, name, plen - 1);
	return nlen == plen && !strncmp(pat, name, plen);
}

/*
 * Why no probe with @flags may sit on @sym at @addr (where the kprobe
 * landed), or NULL when it may. The name at @addr is checked too, so an
 * alias does not slip through. The reason is a static string, short: an
 * extack message holds 80 characters.
 */
const char *kprb_deny_reason(const char *sym, unsigned long addr, u32 flags)
{
	const char *why = NULL;
	char *buf, *mod;
	unsigned int i;

	if (!(flags & KSCOPE_PROBE_F_EVENTS))
		return NULL;
	buf = kmalloc(KSYM_SYMBOL_LEN, GFP_KERNEL);
	if (!buf)
		return "no memory to check the symbol";
	/* "name [module]" for a module's function */
	sprint_symbol_no_offset(buf, addr);
	mod = strstr(buf, " [");
	if (mod) {
		*mod = '\0';
		if (!strncmp(mod + 2, "kscope_", 7)) {
			why = "kscope's own code";
			goto out;
		}
	}
	for (i = 0; i < ARRAY_SIZE(kprb_deny); i++) {
		if (kprb_deny_match(kprb_deny[i], sym) ||
		    kprb_deny_match(kprb_deny[i], buf)) {
			why = "the event channel calls it";
			break;
		}
	}
out:
	kfree(buf);
	return why;
}
