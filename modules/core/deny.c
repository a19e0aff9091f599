// SPDX-License-Identifier: GPL-2.0
/*
 * Functions no probe may send events from.
 *
 * kscope_emit() records an event with its CPU's ring lock held and
 * interrupts off, and the flush worker builds and multicasts the events.
 * An event probe on a function either of them calls re-enters the channel:
 * the per-CPU guard in kscope_emit() counts such an event lost instead of
 * deadlocking, but from the flush path every flush would make more events,
 * for ever, and kprobes only stop recursion among their own handlers. So
 * a probe that emits is refused on:
 *  - any function of a kscope_* module (the emit and flush code itself);
 *  - the functions below: what the emit and flush paths call on 6.1, 6.12
 *    and 7.2, including the lock, irq-flag, RCU, preemption and sanitizer
 *    helpers that debug kernels put around them. A trailing '*' matches a
 *    prefix. A name is compared without its compiler suffix (.isra.0,
 *    .constprop.0, .cold, ...). Generous on purpose: it costs a user an
 *    event probe on a few core helpers (counting probes may sit anywhere).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kallsyms.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kscope/kscope.h>

static const char * const kscope_denied[] = {
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
	/* what the flush worker's wakeups, timers and delivery reach */
	"sched_clock", "rdtsc_ordered", "arch_send_call_function_single_ipi",
	"__x2apic_send_IPI_dest", "memcpy_orig", "strlen",
	"try_to_grab_pending", "internal_add_timer", "wake_up_process",
	"try_to_wake_up", "process_one_work", "worker_thread",
	"flush_delayed_work", "flush_work", "__alloc_frozen_pages*",
	"skb_trim", "nla_strscpy", "nla_memcpy", "netlink_overrun",
	"sk_filter_trim_cap", "__wake_up_sync_key", "__wake_up_common",
	"netlink_rcv_wake", "_raw_read_*", "_raw_write_*", "pv_native_*",
	"__local_bh_enable_ip", "local_bh_enable", "__local_bh_disable_ip",
};

/* @name (up to a '.' suffix) against @pat (a trailing '*': a prefix) */
static bool kscope_deny_match(const char *pat, const char *name)
{
	size_t plen = strlen(pat), nlen = strcspn(name, ".");

	if (plen && pat[plen - 1] == '*')
		return nlen >= plen - 1 && !strncmp(pat, name, plen - 1);
	return nlen == plen && !strncmp(pat, name, plen);
}

const char *kscope_deny_reason(const char *sym, unsigned long addr)
{
	const char *why = NULL;
	char *buf, *mod;
	unsigned int i;

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
	for (i = 0; i < ARRAY_SIZE(kscope_denied); i++) {
		if (kscope_deny_match(kscope_denied[i], sym) ||
		    kscope_deny_match(kscope_denied[i], buf)) {
			why = "the event channel calls it";
			break;
		}
	}
out:
	kfree(buf);
	return why;
}
EXPORT_SYMBOL_GPL(kscope_deny_reason);
