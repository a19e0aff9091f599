// SPDX-License-Identifier: GPL-2.0
/*
 * The event channel. A probe records an event into its CPU's ring: no
 * allocation, no netlink, a short raw spinlock with interrupts off (the
 * flush worker is the only other party). The first event after a quiet
 * spell, or a ring half full, kicks an irq_work (safe from any context,
 * including probes that run under scheduler locks) which queues the flush
 * worker. The worker packs many events into one skb and multicasts it,
 * then accounts each event on its source and CPU of origin as delivered,
 * or lost by reason. Nothing is dropped without being counted.
 *
 * A probe may sit on a function the channel itself calls (the clock, the
 * irq_work, netlink delivery). So the emit path is NOKPROBE and notrace, a
 * per-CPU guard counts an event emitted while its CPU is already inside
 * kscope_emit() as lost_recursion (no second lock, no loop), the clock is
 * read before the ring lock is taken, and kscope_deny_reason() (deny.c) lets
 * kscope_probe refuse probes on what the channel calls.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <kscope/compat.h>
#include "internal.h"

struct kscope_rec {
	u64 time;
	u64 seq;
	u32 pid;
	u32 tid;
	u16 src_id;
	u16 type;
	u8 ctx;
	char comm[KSCOPE_COMM_LEN];
	u8 payload[KSCOPE_EV_PAYLOAD_MAX] __aligned(8);
};

struct kscope_ring {
	raw_spinlock_t lock;
	unsigned long head;	/* next slot to fill */
	unsigned long tail;	/* next slot to deliver */
	struct kscope_rec *recs;
};

static DEFINE_PER_CPU(struct kscope_ring, kscope_rings);
/* this CPU is inside kscope_emit(): set and read with interrupts off */
static DEFINE_PER_CPU(int, kscope_in_emit);
static unsigned int kscope_slots;
static unsigned long kscope_flush_delay;
static struct workqueue_struct *kscope_wq;
static struct delayed_work kscope_flush_dw;
static struct irq_work kscope_kick;
static atomic_t kscope_armed = ATOMIC_INIT(0);
static bool kscope_urgent;

/* skb under construction, and who its events belong to */
#define KSCOPE_SKB_SIZE		(16 * 1024)
#define KSCOPE_ACCT_MAX		512

struct kscope_acct {
	struct kscope_source *src;
	int cpu;
	u32 n;
};

static struct sk_buff *kscope_skb;
static struct kscope_acct *kscope_acct;
static unsigned int kscope_nr_acct;

static void kscope_chan_add(struct kscope_source *src, int cpu,
			    unsigned int idx, u64 n)
{
	u64 *c = &per_cpu_ptr(src->counters, cpu)[idx];

	/* delivered and lost_{nomem,overrun}: only the worker writes them */
	WRITE_ONCE(*c, *c + n);
	if (src != &kscope_core_src) {
		c = &per_cpu_ptr(kscope_core_src.counters, cpu)[idx];
		WRITE_ONCE(*c, *c + n);
	}
}

static __always_inline void kscope_chan_inc(struct kscope_source *src,
					    unsigned int idx)
{
	this_cpu_inc(*(src->counters + idx));
	if (src != &kscope_core_src)
		this_cpu_inc(*(kscope_core_src.counters + idx));
}

bool kscope_listening(void)
{
	return genl_has_listeners(&kscope_family, &init_net, 0);
}
EXPORT_SYMBOL_GPL(kscope_listening);
NOKPROBE_SYMBOL(kscope_listening);

/* the flush worker's task while it delivers (one work item: one at a time) */
static struct task_struct *kscope_flush_task;

bool kscope_in_flush(void)
{
	return in_task() && READ_ONCE(kscope_flush_task) == current;
}
EXPORT_SYMBOL_GPL(kscope_in_flush);

/*
 * KCOV follows the task that makes a request, not the kworker that flushes
 * the events the request caused. A task that asked for remote coverage
 * with a common handle (KCOV_REMOTE_ENABLE, as tests/fuzz's kfuzz does)
 * and then sends VERSION_GET gets the flush worker's coverage, as a vhost
 * worker's goes to its owner. Nothing without CONFIG_KCOV.
 */
static u64 kscope_kcov_owner;

void kscope_chan_kcov_note(void)
{
	u64 handle = kscope_kcov_handle();

	if (handle)
		WRITE_ONCE(kscope_kcov_owner, handle);
}

static void kscope_kick_fn(struct irq_work *work)
{
	if (READ_ONCE(kscope_urgent))
		mod_delayed_work(kscope_wq, &kscope_flush_dw, 0);
	else
		queue_delayed_work(kscope_wq, &kscope_flush_dw,
				   kscope_flush_delay);
}
NOKPROBE_SYMBOL(kscope_kick_fn);

static __always_inline u8 kscope_ctx(void)
{
	if (in_nmi())
		return KSCOPE_CTX_NMI;
	if (in_hardirq())
		return KSCOPE_CTX_HARDIRQ;
	if (in_serving_softirq())
		return KSCOPE_CTX_SOFTIRQ;
	return KSCOPE_CTX_TASK;
}

/*
 * @size 0: the caller is trusted (kscope_emit()). Everything between the
 * guard's set and clear runs with interrupts off on one CPU, so the only
 * way back in is a probe (kprobe, tracepoint) on something called here.
 */
void notrace __kscope_emit(struct kscope_source *src, u16 type,
			   const void *data, size_t size)
{
	struct kscope_ring *ring;
	struct kscope_rec *rec;
	unsigned long flags, used;
	u8 ctx = kscope_ctx();
	u64 seq, now;

	if (unlikely(type >= src->nr_events ||
		     (size && size != src->payload_len[type]))) {
		/* a bug in the source: counted, never recorded */
		kscope_chan_inc(src, KSCOPE_C_LOST_INVALID);
		return;
	}
	/* one CPU from here on: its ring, its counters, its sequence */
	local_irq_save(flags);
	if (unlikely(ctx == KSCOPE_CTX_NMI)) {
		/* the ring's lock is not NMI-safe */
		if (!kscope_listening()) {
			kscope_chan_inc(src, KSCOPE_C_UNHEARD);
		} else {
			this_cpu_inc(*(src->counters +
				       kscope_nr_all_counters(src)));
			kscope_chan_inc(src, KSCOPE_C_LOST_NMI);
		}
		goto out_restore;
	}
	if (unlikely(__this_cpu_read(kscope_in_emit))) {
		/*
		 * Re-entered through a probe on something called below: count
		 * it without calling anything, listener or not.
		 */
		kscope_chan_inc(src, KSCOPE_C_LOST_RECURSION);
		goto out_restore;
	}
	__this_cpu_write(kscope_in_emit, 1);
	if (!kscope_listening()) {
		kscope_chan_inc(src, KSCOPE_C_UNHEARD);
		goto out_unguard;
	}
	/* every attempt takes a number, so the reader sees the gaps */
	seq = this_cpu_inc_return(*(src->counters + kscope_nr_all_counters(src)));
	/* before the lock: a probe on the clock must not find it held */
	now = ktime_get_mono_fast_ns();

	ring = this_cpu_ptr(&kscope_rings);
	raw_spin_lock(&ring->lock);
	if (unlikely(!READ_ONCE(src->live))) {
		kscope_chan_inc(src, KSCOPE_C_LOST_CLOSED);
		goto out_unlock;
	}
	used = ring->head - ring->tail;
	if (unlikely(used >= kscope_slots)) {
		kscope_chan_inc(src, KSCOPE_C_LOST_FULL);
		goto out_unlock;
	}
	rec = &ring->recs[ring->head & (kscope_slots - 1)];
	rec->time = now;
	rec->seq = seq;
	rec->src_id = src->id;
	rec->type = type;
	rec->ctx = ctx;
	if (ctx == KSCOPE_CTX_TASK) {
		rec->pid = task_tgid_nr(current);
		rec->tid = task_pid_nr(current);
		memcpy(rec->comm, current->comm, KSCOPE_COMM_LEN);
	}
	memcpy(rec->payload, data, src->payload_len[type]);
	ring->head++;
	kscope_chan_inc(src, KSCOPE_C_RECORDED);
	raw_spin_unlock(&ring->lock);

	if (used + 1 >= kscope_slots / 2) {
		WRITE_ONCE(kscope_urgent, true);
		irq_work_queue(&kscope_kick);
	} else if (!atomic_read(&kscope_armed) &&
		   !atomic_xchg(&kscope_armed, 1)) {
		irq_work_queue(&kscope_kick);
	}
	__this_cpu_write(kscope_in_emit, 0);
	local_irq_restore(flags);
	return;

out_unlock:
	raw_spin_unlock(&ring->lock);
out_unguard:
	__this_cpu_write(kscope_in_emit, 0);
out_restore:
	local_irq_restore(flags);
}
EXPORT_SYMBOL_GPL(__kscope_emit);
NOKPROBE_SYMBOL(__kscope_emit);

void notrace kscope_emit(struct kscope_source *src, u16 type,
			 const void *data)
{
	__kscope_emit(src, type, data, 0);
}
EXPORT_SYMBOL_GPL(kscope_emit);
NOKPROBE_SYMBOL(kscope_emit);

/* A probe's string may fill its field: terminate it here. */
static int kscope_put_str(struct sk_buff *skb, int type, const char *s,
			  size_t size)
{
	size_t len = strnlen(s, size);
	struct nlattr *nla;
	char *d;

	nla = nla_reserve(skb, type, len + 1);
	if (!nla)
		return -EMSGSIZE;
	d = nla_data(nla);
	memcpy(d, s, len);
	d[len] = '\0';
	return 0;
}

static int kscope_put_fields(struct sk_buff *skb, struct kscope_source *src,
			     const struct kscope_rec *rec)
{
	const struct kscope_event_desc *ev = &src->events[rec->type];
	const u8 *p = rec->payload;
	struct nlattr *nest;
	unsigned int i;
	int ret = 0;
	u64 v;

	nest = nla_nest_start(skb, KSCOPE_A_EV_FIELDS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ev->nr_fields && !ret; i++) {
		const struct kscope_field *f = &ev->fields[i];

		switch (f->kind) {
		case KSCOPE_FIELD_STR:
			ret = kscope_put_str(skb, i + 1, p, f->size);
			p += f->size;
			break;
		case KSCOPE_FIELD_ADDR:
			ret = nla_put(skb, i + 1, 16, p);
			p += 16;
			break;
		default:
			memcpy(&v, p, sizeof(v));
			ret = nla_put_u64_64bit(skb, i + 1, v, 0);
			p += sizeof(v);
			break;
		}
	}
	if (ret)
		return ret;
	nla_nest_end(skb, nest);
	return 0;
}

static int kscope_put_event(struct sk_buff *skb, struct kscope_source *src,
			    const struct kscope_rec *rec, int cpu)
{
	void *hdr;

	hdr = genlmsg_put(skb, 0, 0, &kscope_family, 0, KSCOPE_CMD_EVENT);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u16(skb, KSCOPE_A_SOURCE_ID, rec->src_id) ||
	    nla_put_u16(skb, KSCOPE_A_EV_TYPE, rec->type) ||
	    nla_put_u32(skb, KSCOPE_A_CPU, cpu) ||
	    nla_put_u64_64bit(skb, KSCOPE_A_EV_SEQ, rec->seq, KSCOPE_A_PAD) ||
	    nla_put_u64_64bit(skb, KSCOPE_A_EV_TIME, rec->time, KSCOPE_A_PAD) ||
	    nla_put_u8(skb, KSCOPE_A_EV_CTX, rec->ctx))
		goto cancel;
	if (rec->ctx == KSCOPE_CTX_TASK &&
	    (nla_put_u32(skb, KSCOPE_A_EV_PID, rec->pid) ||
	     nla_put_u32(skb, KSCOPE_A_EV_TID, rec->tid) ||
	     kscope_put_str(skb, KSCOPE_A_EV_COMM, rec->comm, KSCOPE_COMM_LEN)))
		goto cancel;
	if (kscope_put_fields(skb, src, rec))
		goto cancel;
	genlmsg_end(skb, hdr);
	return 0;

cancel:
	genlmsg_cancel(skb, hdr);
	return -EMSGSIZE;
}

static void kscope_account(unsigned int idx)
{
	unsigned int i;

	for (i = 0; i < kscope_nr_acct; i++) {
		struct kscope_acct *a = &kscope_acct[i];

		/*
		 * Producers count "unheard" too, so it cannot be added to
		 * another CPU's slot; it is not a loss, its CPU matters less.
		 */
		if (idx == KSCOPE_C_UNHEARD) {
			this_cpu_add(*(a->src->counters + idx), a->n);
			if (a->src != &kscope_core_src)
				this_cpu_add(*(kscope_core_src.counters + idx), a->n);
			continue;
		}
		kscope_chan_add(a->src, a->cpu, idx, a->n);
	}
	kscope_nr_acct = 0;
}

static void kscope_send(void)
{
	int ret;

	if (!kscope_skb)
		return;
	ret = genlmsg_multicast(&kscope_family, kscope_skb, 0, 0, GFP_KERNEL);
	kscope_skb = NULL;
	switch (ret) {
	case 0:
		kscope_account(KSCOPE_C_DELIVERED);
		break;
	case -ESRCH:
		/* the last listener left: not a loss */
		kscope_account(KSCOPE_C_UNHEARD);
		break;
	case -ENOBUFS:
		/* a listener's receive buffer was full */
		kscope_account(KSCOPE_C_LOST_OVERRUN);
		break;
	default:
		kscope_account(KSCOPE_C_LOST_NOMEM);
		break;
	}
}

static void kscope_note(struct kscope_source *src, int cpu)
{
	struct kscope_acct *a;

	if (kscope_nr_acct) {
		a = &kscope_acct[kscope_nr_acct - 1];
		if (a->src == src && a->cpu == cpu) {
			a->n++;
			return;
		}
	}
	a = &kscope_acct[kscope_nr_acct++];
	a->src = src;
	a->cpu = cpu;
	a->n = 1;
}

/* Pack one record into the pending skb, sending it when full. */
static void kscope_deliver(const struct kscope_rec *rec, int cpu)
{
	struct kscope_source *src = kscope_source_by_id(rec->src_id);
	int tries;

	if (WARN_ON_ONCE(!src)) {
		/* sources flush before they leave: cannot happen, but count */
		kscope_chan_add(&kscope_core_src, cpu, KSCOPE_C_LOST_INVALID, 1);
		return;
	}
	for (tries = 0; tries < 2; tries++) {
		if (!kscope_skb) {
			kscope_skb = genlmsg_new(KSCOPE_SKB_SIZE, GFP_KERNEL);
			if (!kscope_skb) {
				kscope_chan_add(src, cpu, KSCOPE_C_LOST_NOMEM, 1);
				return;
			}
		}
		if (kscope_nr_acct < KSCOPE_ACCT_MAX &&
		    !kscope_put_event(kscope_skb, src, rec, cpu)) {
			kscope_note(src, cpu);
			return;
		}
		kscope_send();
	}
	/* an event that does not fit an empty skb: a bug in its source */
	WARN_ON_ONCE(1);
	kscope_chan_add(src, cpu, KSCOPE_C_LOST_INVALID, 1);
}

/* Deliver what @cpu's ring holds now; returns the number of events. */
static unsigned long kscope_drain(int cpu)
{
	struct kscope_ring *ring = per_cpu_ptr(&kscope_rings, cpu);
	unsigned long head, tail, n;

	raw_spin_lock_irq(&ring->lock);
	head = ring->head;
	tail = ring->tail;
	raw_spin_unlock_irq(&ring->lock);

	/* producers never touch slots in [tail, head) */
	for (n = tail; n != head; n++) {
		kscope_deliver(&ring->recs[n & (kscope_slots - 1)], cpu);
		if ((n - tail) % 64 == 63) {
			raw_spin_lock_irq(&ring->lock);
			ring->tail = n + 1;
			raw_spin_unlock_irq(&ring->lock);
		}
	}
	raw_spin_lock_irq(&ring->lock);
	ring->tail = head;
	raw_spin_unlock_irq(&ring->lock);
	return head - tail;
}

static bool kscope_rings_empty(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct kscope_ring *ring = per_cpu_ptr(&kscope_rings, cpu);

		if (READ_ONCE(ring->head) != READ_ONCE(ring->tail))
			return false;
	}
	return true;
}

static void kscope_flush_fn(struct work_struct *work)
{
	u64 kcov_handle = READ_ONCE(kscope_kcov_owner);
	unsigned long n = 0;
	int cpu;

	if (kcov_handle)
		kscope_kcov_remote_start(kcov_handle);
	WRITE_ONCE(kscope_urgent, false);
	WRITE_ONCE(kscope_flush_task, current);
	mutex_lock(&kscope_sources_lock);
	for_each_possible_cpu(cpu)
		n += kscope_drain(cpu);
	kscope_send();
	mutex_unlock(&kscope_sources_lock);
	WRITE_ONCE(kscope_flush_task, NULL);

	if (n) {
		/* busy: keep polling rather than kicking per event */
		queue_delayed_work(kscope_wq, &kscope_flush_dw,
				   kscope_flush_delay);
		goto stop_kcov;
	}
	atomic_set(&kscope_armed, 0);
	/* order the disarm before the emptiness check; pairs with emit's xchg */
	smp_mb__after_atomic();
	/* an event recorded while we were disarming saw armed == 1 */
	if (!kscope_rings_empty() && !atomic_xchg(&kscope_armed, 1))
		queue_delayed_work(kscope_wq, &kscope_flush_dw, 0);
stop_kcov:
	if (kcov_handle)
		kcov_remote_stop();
}

void kscope_chan_flush_sync(void)
{
	mod_delayed_work(kscope_wq, &kscope_flush_dw, 0);
	flush_delayed_work(&kscope_flush_dw);
}

int kscope_chan_init(unsigned int ring_slots, unsigned int flush_ms)
{
	int cpu;

	kscope_slots = ring_slots;
	kscope_flush_delay = max(msecs_to_jiffies(flush_ms), 1UL);
	init_irq_work(&kscope_kick, kscope_kick_fn);
	INIT_DELAYED_WORK(&kscope_flush_dw, kscope_flush_fn);

	kscope_acct = kcalloc(KSCOPE_ACCT_MAX, sizeof(*kscope_acct), GFP_KERNEL);
	if (!kscope_acct)
		return -ENOMEM;
	for_each_possible_cpu(cpu) {
		struct kscope_ring *ring = per_cpu_ptr(&kscope_rings, cpu);

		raw_spin_lock_init(&ring->lock);
		ring->head = 0;
		ring->tail = 0;
		ring->recs = vzalloc_node(array_size(ring_slots, sizeof(*ring->recs)),
					  cpu_to_node(cpu));
		if (!ring->recs)
			goto err_free_rings;
	}
	kscope_wq = alloc_workqueue("kscope_flush", WQ_UNBOUND, 1);
	if (!kscope_wq)
		goto err_free_rings;
	return 0;

err_free_rings:
	for_each_possible_cpu(cpu) {
		vfree(per_cpu_ptr(&kscope_rings, cpu)->recs);
		per_cpu_ptr(&kscope_rings, cpu)->recs = NULL;
	}
	kfree(kscope_acct);
	return -ENOMEM;
}

/* Every source is gone: nothing records or kicks any more. */
void kscope_chan_exit(void)
{
	int cpu;

	irq_work_sync(&kscope_kick);
	cancel_delayed_work_sync(&kscope_flush_dw);
	destroy_workqueue(kscope_wq);
	for_each_possible_cpu(cpu) {
		vfree(per_cpu_ptr(&kscope_rings, cpu)->recs);
		per_cpu_ptr(&kscope_rings, cpu)->recs = NULL;
	}
	kfree(kscope_acct);
}
