// SPDX-License-Identifier: GPL-2.0
/*
 * The scheduler tracepoints kscope_sched listens to. They are not exported
 * as register_trace_*() to modules: they are found by name with
 * for_each_kernel_tracepoint() and attached with tracepoint_probe_register().
 *
 *   sched_wakeup, sched_wakeup_new  stamp the thread (enqueued)
 *   sched_switch      prev still runnable: stamp it (preempted, as runqlat);
 *                     next: stamp -> run-queue latency; per-CPU on-CPU time
 *                     of prev; voluntary/involuntary switch like nvcsw/nivcsw
 *   sched_process_fork/exec/exit  portraits and events
 *
 * They run with preemption (and mostly interrupts) disabled, often under
 * the run-queue lock: no allocation, no wakeup, no printk. Events go
 * through kscope_emit(), which only writes a per-CPU ring.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/binfmts.h>
#include <linux/hash.h>
#include <linux/jump_label.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/clock.h>
#include <linux/sched/signal.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/tracepoint.h>
#include <kscope/compat-sched.h>

#include "internal.h"

static const struct kscope_field fork_fields[] = {
	{ .name = "parent_pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "parent_comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN },
	{ .name = "child_pid", .kind = KSCOPE_FIELD_U64 },
};

struct ev_fork {
	u64 parent_pid;
	char parent_comm[TASK_COMM_LEN];
	u64 child_pid;
};

static const struct kscope_field exec_fields[] = {
	{ .name = "pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "ppid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN },
	{ .name = "filename", .kind = KSCOPE_FIELD_STR, .size = KSCH_FILE_LEN },
};

struct ev_exec {
	u64 pid;
	u64 ppid;
	char comm[TASK_COMM_LEN];
	char filename[KSCH_FILE_LEN];
};

static const struct kscope_field exit_fields[] = {
	{ .name = "pid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "ppid", .kind = KSCOPE_FIELD_U64 },
	{ .name = "comm", .kind = KSCOPE_FIELD_STR, .size = TASK_COMM_LEN },
	{ .name = "exit_code", .kind = KSCOPE_FIELD_S64 },
	{ .name = "lifetime_ns", .kind = KSCOPE_FIELD_U64 },
	{ .name = "tracked", .kind = KSCOPE_FIELD_U64 },
	{ .name = "oncpu_ns", .kind = KSCOPE_FIELD_U64 },
	{ .name = "runq_ns", .kind = KSCOPE_FIELD_U64 },
	{ .name = "nvcsw", .kind = KSCOPE_FIELD_U64 },
	{ .name = "nivcsw", .kind = KSCOPE_FIELD_U64 },
};

struct ev_exit {
	u64 pid;
	u64 ppid;
	char comm[TASK_COMM_LEN];
	s64 exit_code;
	u64 lifetime_ns;
	u64 tracked;
	u64 oncpu_ns;
	u64 runq_ns;
	u64 nvcsw;
	u64 nivcsw;
};

const struct kscope_event_desc ksch_events[KSCH_NR_EVENTS] = {
	[KE_FORK] = KSCOPE_EVENT("fork", fork_fields, struct ev_fork),
	[KE_EXEC] = KSCOPE_EVENT("exec", exec_fields, struct ev_exec),
	[KE_EXIT] = KSCOPE_EVENT("exit", exit_fields, struct ev_exit),
};

/*
 * When the task now on this CPU was switched in (0: not seen yet), on the
 * scheduler's clock: on-CPU time is charged the way the scheduler charges
 * sum_exec_runtime (what /proc/PID/stat reports), which differs from the
 * monotonic clock where sched_clock is filtered (an unstable TSC). Waits
 * use the monotonic clock, across CPUs, as runqlat does.
 */
static DEFINE_PER_CPU(u64, oncpu_since);

/* off until the source is registered, and again before it goes */
static DEFINE_STATIC_KEY_FALSE(ksch_on);

void ksch_probes_start(void)
{
	static_branch_enable(&ksch_on);
}

void ksch_probes_stop(void)
{
	static_branch_disable(&ksch_on);
	/* tracepoint probes run with preemption off: wait for those inside */
	synchronize_rcu();
}

static u64 now_ns(void)
{
	/* what runqlat's bpf_ktime_get_ns() reads; NMI- and lock-safe */
	return ktime_get_mono_fast_ns();
}

static u32 parent_tgid(struct task_struct *p)
{
	u32 ppid;

	rcu_read_lock();
	ppid = task_tgid_nr(rcu_dereference(p->real_parent));
	rcu_read_unlock();
	return ppid;
}

/* ---- run queue and on-CPU time ---- */

/* a task made runnable: its run-queue wait starts now */
static void wakeup(const struct task_struct *p, unsigned int counter)
{
	if (!static_branch_likely(&ksch_on))
		return;
	if (!p->pid)
		return;
	kscope_count(&ksch_src, counter);
	ksch_stamp(p->pid, now_ns());
}

static void probe_wakeup(void *data, struct task_struct *p)
{
	wakeup(p, KC_WAKEUPS);
}

static void probe_wakeup_new(void *data, struct task_struct *p)
{
	wakeup(p, KC_WAKEUPS_NEW);
}

struct switch_out {
	u64 ran;
	bool voluntary;
};

static void account_out(struct ksch_portrait *pt, void *arg)
{
	struct switch_out *o = arg;

	pt->oncpu_ns += o->ran;
	if (o->voluntary)
		pt->nvcsw++;
	else
		pt->nivcsw++;
}

static void account_in(struct ksch_portrait *pt, void *arg)
{
	u64 delta = *(u64 *)arg;

	pt->runq_ns += delta;
	pt->runq_samples++;
	kscope_hist_data_add(&pt->runq_hist, div_u64(delta, NSEC_PER_USEC));
}

static void probe_switch(void *data, bool preempt, struct task_struct *prev,
			 struct task_struct *next, unsigned int prev_state)
{
	u64 now, clock, since, ts;
	struct switch_out o;

	if (!static_branch_likely(&ksch_on))
		return;
	now = now_ns();
	clock = local_clock();
	kscope_count(&ksch_src, KC_SWITCHES);
	since = this_cpu_read(oncpu_since);
	this_cpu_write(oncpu_since, clock);
	if (prev->pid) {
		/* as __schedule() counts nvcsw/nivcsw */
		o.voluntary = !preempt && prev_state;
		o.ran = since ? clock - since : 0;
		ksch_portrait_do(prev, true, now, account_out, &o);
		/* still runnable: it waits on the run queue from now */
		if (READ_ONCE(prev->__state) == TASK_RUNNING)
			ksch_stamp(prev->pid, now);
	}
	if (next->pid && ksch_unstamp(next->pid, &ts) && now >= ts) {
		u64 delta = now - ts;

		kscope_count(&ksch_src, KC_RUNQ_SAMPLES);
		ksch_hist_add(delta);
		ksch_portrait_do(next, true, now, account_in, &delta);
	}
}

/* ---- process life ---- */

/*
 * Before 6.16 the tracepoint does not say whether the group died, and
 * signal->live (see compat-sched.h) cannot say it either: do_exit()
 * decrements it, then runs exit_mm() (which may sleep), then fires the
 * tracepoint. Threads of an exit_group() die together; one that
 * decremented early but fires after the last decrement also reads 0.
 * So the first thread to read 0 claims the process's exit here, keyed by
 * its signal_struct, which no thread of it can outlive; a fork that
 * reuses the address of a dead one drops the stale claim. A claim pushed
 * out by another process's exit in the same slot, in the few
 * milliseconds the other threads take, lets a thread exit be counted as
 * a process exit: 1024 slots make that rare.
 */
#define EXIT_CLAIM_BITS	10
static struct signal_struct *exit_claims[1 << EXIT_CLAIM_BITS];

static struct signal_struct **exit_slot(struct signal_struct *sig)
{
	return &exit_claims[hash_ptr(sig, EXIT_CLAIM_BITS)];
}

static bool exit_claim(struct signal_struct *sig)
{
	if (KSCOPE_SCHED_EXIT_EXACT)
		return true;
	return xchg(exit_slot(sig), sig) != sig;
}

static void exit_unclaim(struct signal_struct *sig)
{
	if (!KSCOPE_SCHED_EXIT_EXACT)
		cmpxchg(exit_slot(sig), sig, NULL);
}

static void probe_fork(void *data, struct task_struct *parent,
		       struct task_struct *child)
{
	struct ev_fork ev = { };
	bool tracked;

	if (!static_branch_likely(&ksch_on))
		return;
	if (child->pid != child->tgid) {
		kscope_count(&ksch_src, KC_CLONES);
		ksch_portrait_do(child, false, now_ns(), NULL, NULL);
		return;
	}
	kscope_count(&ksch_src, KC_FORKS);
	exit_unclaim(child->signal);
	tracked = ksch_portrait_do(child, true, now_ns(), NULL, NULL);
	if (!kscope_listening() || (!tracked && !ksch_filter_any()))
		return;
	ev.parent_pid = parent->tgid;
	memcpy(ev.parent_comm, parent->comm, TASK_COMM_LEN);
	ev.parent_comm[TASK_COMM_LEN - 1] = 0;
	ev.child_pid = child->pid;
	kscope_emit_typed(&ksch_src, KE_FORK, &ev);
}

struct exec_arg {
	struct task_struct *p;
	const char *filename;
};

static void portrait_exec(struct ksch_portrait *pt, void *arg)
{
	struct exec_arg *a = arg;

	memcpy(pt->comm, a->p->comm, TASK_COMM_LEN);
	pt->comm[TASK_COMM_LEN - 1] = 0;
	strscpy(pt->filename, a->filename, KSCH_FILE_LEN);
}

static void probe_exec(void *data, struct task_struct *p, pid_t old_pid,
		       struct linux_binprm *bprm)
{
	struct exec_arg a = { .p = p, .filename = bprm->filename };
	struct ev_exec ev = { };
	bool tracked;

	if (!static_branch_likely(&ksch_on))
		return;
	kscope_count(&ksch_src, KC_EXECS);
	/* the new comm may match a filter the old one did not */
	tracked = ksch_portrait_do(p, true, now_ns(), portrait_exec, &a);
	if (!kscope_listening() || (!tracked && !ksch_filter_any()))
		return;
	ev.pid = p->tgid;
	ev.ppid = parent_tgid(p);
	memcpy(ev.comm, p->comm, TASK_COMM_LEN);
	ev.comm[TASK_COMM_LEN - 1] = 0;
	strscpy(ev.filename, bprm->filename, KSCH_FILE_LEN);
	kscope_emit_typed(&ksch_src, KE_EXEC, &ev);
}

struct exit_arg {
	u64 now;
	struct ev_exit *ev;
};

static void portrait_exit(struct ksch_portrait *pt, void *arg)
{
	struct exit_arg *a = arg;

	pt->state = KP_EXITED;
	pt->exit_ns = a->now;
	a->ev->oncpu_ns = pt->oncpu_ns;
	a->ev->runq_ns = pt->runq_ns;
	a->ev->nvcsw = pt->nvcsw;
	a->ev->nivcsw = pt->nivcsw;
}

static KSCOPE_SCHED_EXIT_PROTO(probe_exit, p)
{
	struct ev_exit ev = { };
	struct exit_arg a = { .ev = &ev };
	bool tracked;

	if (!static_branch_likely(&ksch_on))
		return;
	a.now = now_ns();
	if (!kscope_exit_group_dead(p) || !exit_claim(p->signal)) {
		kscope_count(&ksch_src, KC_THREAD_EXITS);
		return;
	}
	kscope_count(&ksch_src, KC_EXITS);
	tracked = ksch_portrait_do(p, false, a.now, portrait_exit, &a);
	if (!kscope_listening() || (!tracked && !ksch_filter_any()))
		return;
	ev.pid = p->tgid;
	ev.ppid = parent_tgid(p);
	memcpy(ev.comm, p->comm, TASK_COMM_LEN);
	ev.comm[TASK_COMM_LEN - 1] = 0;
	ev.exit_code = p->signal->group_exit_code ?: p->exit_code;
	ev.lifetime_ns = a.now - p->group_leader->start_time;
	ev.tracked = tracked;
	kscope_emit_typed(&ksch_src, KE_EXIT, &ev);
}

/* ---- attach ---- */

static struct kscope_tp ksch_tps[] = {
	{ "sched_wakeup", probe_wakeup },
	{ "sched_wakeup_new", probe_wakeup_new },
	{ "sched_switch", probe_switch },
	{ "sched_process_fork", probe_fork },
	{ "sched_process_exec", probe_exec },
	{ "sched_process_exit", probe_exit },
};

void ksch_probes_detach(void)
{
	kscope_tps_detach(ksch_tps, ARRAY_SIZE(ksch_tps));
}

int ksch_probes_attach(void)
{
	return kscope_tps_attach(ksch_tps, ARRAY_SIZE(ksch_tps));
}
