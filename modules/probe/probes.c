// SPDX-License-Identifier: GPL-2.0
/*
 * One kscope_probe probe: a kprobe for entry-only probes; when a return
 * side (returns, latency) is asked for, the core's entry/exit hook
 * (include/kscope/hook.h): an fprobe where the kernel has fprobes and
 * ftrace can hook the function (no kprobe layer, no breakpoint), else a
 * kretprobe, which KSCOPE_PROBE_F_KRETPROBE asks for anyway. Not a direct
 * call: that needs to know that the function takes its arguments in
 * registers only, and a probe may name any function. Handlers only touch
 * their own probe's per-CPU statistics and the event ring; the list is
 * changed only under kprb_lock, and a probe is freed only after its
 * kprobe or hook is detached (which waits for running handlers).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/debugfs.h>
#include <linux/kprobes.h>
#include <linux/percpu.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <kscope/clock.h>
#include <kscope/compat-probe.h>
#include <kscope/hook.h>

#include "internal.h"

LIST_HEAD(kprb_list);
DEFINE_MUTEX(kprb_lock);
unsigned int kprb_nr;

static const struct kscope_field hit_fields[] = {
	{ .name = "probe_id", .kind = KSCOPE_FIELD_U64 },
	{ .name = "symbol", .kind = KSCOPE_FIELD_STR, .size = KPRB_EV_SYM },
	{ .name = "latency_ns", .kind = KSCOPE_FIELD_U64 },
};

struct ev_hit {
	u64 probe_id;
	char symbol[KPRB_EV_SYM];
	u64 latency_ns;
};

const struct kscope_event_desc kprb_events[KPE_NR] = {
	[KPE_HIT] = KSCOPE_EVENT("hit", hit_fields, struct ev_hit),
};

static void emit_hit(struct kprb *p, u64 latency)
{
	struct ev_hit ev = { };

	if (!(p->flags & KSCOPE_PROBE_F_EVENTS) || !kscope_listening())
		return;
	ev.probe_id = p->id;
	strscpy(ev.symbol, p->resolved, sizeof(ev.symbol));
	ev.latency_ns = latency;
	kscope_emit_typed(&kprb_src, KPE_HIT, &ev);
}

/*
 * The module's exit unregisters the source before the probes: a handler
 * that sees it gone touches nothing of it. Handlers run with preemption
 * off, so the core's synchronize_rcu() after clearing ->live waits for
 * those that saw it set.
 */
static inline bool kprb_live(void)
{
	return READ_ONCE(kprb_src.live);
}

static int entry_pre(struct kprobe *kp, struct pt_regs *regs)
{
	struct kprb *p = container_of(kp, struct kprb, kp);

	if (unlikely(!kprb_live()))
		return 0;
	this_cpu_inc(p->stats->hits);
	kscope_count(&kprb_src, KPC_HITS);
	emit_hit(p, 0);
	return 0;
}

/* "kprobe" (entry only), else the hook's mechanism, or the asked one */
const char *kprb_mech(const struct kprb *p)
{
	if (!p->is_ret)
		return "kprobe";
	if (p->hook.mech != KSCOPE_HOOK_NONE)
		return kscope_hook_mech_name(p->hook.mech);
	return p->flags & KSCOPE_PROBE_F_KRETPROBE ? "kretprobe" : "hook";
}

static int ret_entry(struct kscope_hook *h, const struct kscope_hook_regs *r,
		     void *data)
{
	struct kprb *p = container_of(h, struct kprb, hook);

	if (unlikely(!kprb_live()))
		return 1;
	this_cpu_inc(p->stats->hits);
	kscope_count(&kprb_src, KPC_HITS);
	*(u64 *)data = kscope_clock_stamp();
	return 0;
}

static void ret_exit(struct kscope_hook *h, const struct kscope_hook_regs *r,
		     void *data)
{
	struct kprb *p = container_of(h, struct kprb, hook);
	u64 lat = kscope_clock_ns(*(u64 *)data, kscope_clock_stamp());

	if (unlikely(!kprb_live()))
		return;
	this_cpu_inc(p->stats->returns);
	kscope_count(&kprb_src, KPC_RETURNS);
	if (p->flags & KSCOPE_PROBE_F_LATENCY)
		kscope_hist_add(&p->lat, lat);
	emit_hit(p, lat);
}

static int kprb_reg_err(const struct kprb *p, int ret,
			struct netlink_ext_ack *extack)
{
	switch (ret) {
	case -ENOENT:
		KSCOPE_PROBE_ERR(extack, "probe: symbol %s not found on this kernel",
				 p->resolved);
		break;
	case -EINVAL:
	case -EILSEQ:
	case -EOPNOTSUPP:
		KSCOPE_PROBE_ERR(extack,
				 "probe: symbol %s cannot be probed (blacklisted or not a function entry, %d)",
				 p->resolved, ret);
		break;
	default:
		KSCOPE_PROBE_ERR(extack, "probe: registering a %s on %s failed: %d",
				 kprb_mech(p), p->resolved, ret);
	}
	return ret;
}

/*
 * An event from a function the channel calls would re-enter it. The
 * resolver refused such names; the address the name has is checked too
 * (another name of a denied function), before anything can fire, with
 * the address of @kp, a kprobe registered disarmed.
 */
static int kprb_deny_check(const struct kprb *p, const struct kprobe *kp,
			   struct netlink_ext_ack *extack)
{
	const char *why;

	if (!(p->flags & KSCOPE_PROBE_F_EVENTS))
		return 0;
	why = kscope_deny_reason(p->resolved, (unsigned long)kp->addr);
	if (why) {
		KSCOPE_PROBE_ERR(extack, "probe: no --events on %s: %s",
				 p->resolved, why);
		return -EDEADLK;
	}
	return 0;
}

/*
 * The return side, by the core's hook, which runs the deny-list's
 * address check itself for --events.
 */
static int kprb_hook(struct kprb *p, struct netlink_ext_ack *extack)
{
	unsigned int flags = 0;
	int ret;

	if (p->flags & KSCOPE_PROBE_F_KRETPROBE)
		flags |= KSCOPE_HOOK_KRETPROBE_ONLY;
	if (p->flags & KSCOPE_PROBE_F_EVENTS)
		flags |= KSCOPE_HOOK_EVENTS;
	p->hook.sym = p->resolved;
	p->hook.entry = ret_entry;
	p->hook.exit = ret_exit;
	p->hook.data_size = sizeof(u64);
	p->hook.maxactive = max_t(int, 64, 4 * num_possible_cpus());
	ret = kscope_hook_attach(&p->hook, flags);
	if (ret == -EDEADLK && p->hook.deny)
		KSCOPE_PROBE_ERR(extack, "probe: no --events on %s: %s",
				 p->resolved, p->hook.deny);
	else if (ret)
		kprb_reg_err(p, ret, extack);
	return ret;
}

/* Entry only: a kprobe, registered disarmed, armed once checked. */
static int kprb_kprobe(struct kprb *p, struct netlink_ext_ack *extack)
{
	int ret;

	p->kp.symbol_name = p->resolved;
	p->kp.pre_handler = entry_pre;
	p->kp.flags = KPROBE_FLAG_DISABLED;
	ret = register_kprobe(&p->kp);
	if (ret)
		return kprb_reg_err(p, ret, extack);
	ret = kprb_deny_check(p, &p->kp, extack);
	if (ret)
		goto unregister;
	ret = enable_kprobe(&p->kp);
	if (ret) {
		KSCOPE_PROBE_ERR(extack, "probe: arming the kprobe on %s failed: %d",
				 p->resolved, ret);
		goto unregister;
	}
	return 0;

unregister:
	unregister_kprobe(&p->kp);
	return ret;
}

struct kprb *kprb_create(const char *sym, const char *resolved, u32 flags,
			 struct netlink_ext_ack *extack)
{
	struct kprb *p;
	int ret;

	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p) {
		NL_SET_ERR_MSG(extack, "probe: no memory");
		return ERR_PTR(-ENOMEM);
	}
	p->stats = alloc_percpu(struct kprb_stats);
	if (!p->stats) {
		NL_SET_ERR_MSG(extack, "probe: no memory");
		ret = -ENOMEM;
		goto free_probe;
	}
	if (flags & KSCOPE_PROBE_F_LATENCY) {
		ret = kscope_hist_init(&p->lat, KSCOPE_UNIT_NS, KPRB_SLOTS);
		if (ret) {
			NL_SET_ERR_MSG(extack, "probe: no memory");
			goto free_stats;
		}
	}
	p->flags = flags;
	strscpy(p->sym, sym, sizeof(p->sym));
	strscpy(p->resolved, resolved, sizeof(p->resolved));
	p->is_ret = flags & (KSCOPE_PROBE_F_RET | KSCOPE_PROBE_F_LATENCY);
	ret = p->is_ret ? kprb_hook(p, extack) : kprb_kprobe(p, extack);
	if (ret)
		goto free_stats;
	return p;

free_stats:
	kscope_hist_free(&p->lat);
	free_percpu(p->stats);
free_probe:
	kfree(p);
	return ERR_PTR(ret);
}

void kprb_destroy(struct kprb *p)
{
	struct kscope_hook *h = &p->hook;

	if (p->is_ret)
		kscope_hooks_detach(&h, 1);
	else
		unregister_kprobe(&p->kp);
	kscope_hist_free(&p->lat);
	free_percpu(p->stats);
	kfree(p);
}

u64 kprb_nmissed(const struct kprb *p)
{
	if (p->is_ret)
		return kscope_hook_nmissed(&p->hook);
	return p->kp.nmissed;
}

void kprb_sum(const struct kprb *p, struct kprb_stats *s)
{
	unsigned int cpu;

	memset(s, 0, sizeof(*s));
	for_each_possible_cpu(cpu) {
		const struct kprb_stats *c = per_cpu_ptr(p->stats, cpu);

		s->hits += READ_ONCE(c->hits);
		s->returns += READ_ONCE(c->returns);
	}
}

static void flags_str(u32 f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", f & KSCOPE_PROBE_F_RET ? "ret," : "",
		 f & KSCOPE_PROBE_F_LATENCY ? "latency," : "",
		 f & KSCOPE_PROBE_F_EVENTS ? "events," : "",
		 f & KSCOPE_PROBE_F_KRETPROBE ? "kretprobe," : "", f ? "" : "-");
	if (buf[0] && buf[strlen(buf) - 1] == ',')
		buf[strlen(buf) - 1] = 0;
}

static int probes_show(struct seq_file *m, void *v)
{
	struct kprb_stats *s;
	struct kprb *p;
	char fl[32];

	s = kmalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	mutex_lock(&kprb_lock);
	list_for_each_entry(p, &kprb_list, node) {
		kprb_sum(p, s);
		flags_str(p->flags, fl, sizeof(fl));
		seq_printf(m, "id %u symbol %s resolved %s kind %s flags %s hits %llu returns %llu nmissed %llu\n",
			   p->id, p->sym, p->resolved,
			   kprb_mech(p), fl, s->hits,
			   s->returns, kprb_nmissed(p));
	}
	mutex_unlock(&kprb_lock);
	kfree(s);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(probes);

/* "id N symbol S resolved R", then its histogram, per latency probe */
static int latency_show(struct seq_file *m, void *v)
{
	struct kscope_hist_data *d;
	struct kprb *p;

	d = kmalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	mutex_lock(&kprb_lock);
	list_for_each_entry(p, &kprb_list, node) {
		if (!(p->flags & KSCOPE_PROBE_F_LATENCY))
			continue;
		kscope_hist_sum(&p->lat, d);
		seq_printf(m, "id %u symbol %s resolved %s\n", p->id, p->sym,
			   p->resolved);
		kscope_hist_data_show(m, d);
	}
	mutex_unlock(&kprb_lock);
	kfree(d);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(latency);

void kprb_debugfs(struct dentry *dir)
{
	debugfs_create_file("probes", 0444, dir, NULL, &probes_fops);
	debugfs_create_file("latency", 0444, dir, NULL, &latency_fops);
}
