/* SPDX-License-Identifier: GPL-2.0 */
/*
 * In-kernel API of kscope_core: what a kscope module uses to register a
 * source, count, and emit events.
 *
 * A source owns a per-CPU counter array: the channel counters
 * (KSCOPE_CHAN_COUNTERS, maintained by the core) followed by the source's
 * own (counter_names). Counters are exported under
 * /sys/kernel/debug/kscope/<name>/ and through KSCOPE_CMD_STATS_GET.
 *
 * Events are recorded by kscope_emit() into a per-CPU ring without
 * allocating or touching netlink; a worker delivers them in batches.
 */
#ifndef _KSCOPE_KSCOPE_H
#define _KSCOPE_KSCOPE_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/percpu.h>
#include <net/genetlink.h>
#include <uapi/linux/kscope.h>

struct dentry;
struct kretprobe;
struct seq_file;
struct tracepoint;

enum kscope_chan_counter {
	KSCOPE_C_RECORDED,
	KSCOPE_C_DELIVERED,
	KSCOPE_C_LOST_FULL,
	KSCOPE_C_LOST_NOMEM,
	KSCOPE_C_LOST_OVERRUN,
	KSCOPE_C_LOST_NMI,
	KSCOPE_C_UNHEARD,
	KSCOPE_C_LOST_RECURSION,
	KSCOPE_C_LOST_INVALID,
	KSCOPE_C_LOST_CLOSED,
	KSCOPE_NR_CHAN_COUNTERS,
};

/* Largest event payload a probe may record. */
#define KSCOPE_EV_PAYLOAD_MAX	200

struct kscope_field {
	const char *name;
	enum kscope_field_kind kind;
	u16 size;		/* KSCOPE_FIELD_STR only: bytes in the payload */
};

/*
 * @size is sizeof() the struct the source emits for this type. The core
 * refuses to register a source when it differs from the size the fields
 * describe (u64 kinds 8 bytes, STR its .size, ADDR 16, nothing between
 * them): padding the schema does not know of would shift every later
 * field and carry uninitialised bytes to userspace. KSCOPE_EVENT() fills
 * the description from the struct and the field table.
 */
struct kscope_event_desc {
	const char *name;
	const struct kscope_field *fields;
	unsigned int nr_fields;
	size_t size;
};

#define KSCOPE_EVENT(_name, _fields, _type)				\
	{ .name = (_name), .fields = (_fields),				\
	  .nr_fields = ARRAY_SIZE(_fields), .size = sizeof(_type) }

struct kscope_source;

/*
 * A source-specific request (KSCOPE_CMD_CTL / KSCOPE_CMD_CTL_GET): @ctl is
 * the source's nest (its ctl_attr), already validated by the core against
 * the source's policy in include/kscope/policy.h: parse it with the same
 * table. Never NULL for KSCOPE_CMD_CTL (the core refuses a control
 * request without it), NULL for a read request that has none. Reply with
 * genlmsg_reply() or return a negative errno with an extack message set.
 */
typedef int (*kscope_ctl_fn)(struct kscope_source *src, struct nlattr *ctl,
			     struct genl_info *info);

struct kscope_source {
	/* set by the module */
	const char *name;
	struct module *owner;
	char attach[KSCOPE_ATTACH_MAX];
	const char * const *counter_names;
	/*
	 * enum kscope_counter_kind of each of counter_names (indexed the
	 * same), NULL when all are KSCOPE_COUNTER_MONOTONIC: mark a gauge
	 * where the names are declared, [IDX] = KSCOPE_COUNTER_GAUGE
	 */
	const u8 *counter_kinds;
	unsigned int nr_counters;
	const struct kscope_event_desc *events;
	unsigned int nr_events;
	kscope_ctl_fn ctl;		/* admin requests, may be NULL */
	kscope_ctl_fn ctl_get;		/* read-only queries, may be NULL */
	/*
	 * its request nest, KSCOPE_A_CTL_<SOURCE>, when it takes requests:
	 * the core's policy for that attribute is the source's. Registration
	 * fails when it is no such attribute or another source's. A source
	 * with read requests only may leave it 0: they carry no nest.
	 */
	u16 ctl_attr;

	/* owned by the core */
	u16 id;
	bool live;
	struct list_head node;
	u64 __percpu *counters;		/* chan counters, then the source's */
	u16 *payload_len;		/* per event type */
	struct dentry *dir;		/* debugfs: modules may add files */
};

/*
 * Registration makes @src reachable: from then on netlink requests may run
 * its ctl/ctl_get handlers and readers may see it. So it is the LAST step
 * of a module's init, once everything those handlers touch is ready (the
 * core also refuses requests while the owner module is still loading, and
 * once unregistration has begun); and kscope_source_unregister() is the
 * FIRST step of its exit (after detaching its probes, see below), before
 * anything a handler uses is torn down. Fails with -EINVAL and one log
 * line when the description is inconsistent (see kscope_event_desc).
 */
int kscope_source_register(struct kscope_source *src);
/*
 * Stop accepting events, deliver those already recorded, then remove the
 * source. Detach probes first: after this returns, kscope_emit() on @src
 * must not be called.
 */
void kscope_source_unregister(struct kscope_source *src);

/*
 * Start the reply to a KSCOPE_CMD_CTL/CTL_GET request in @msg (from
 * genlmsg_new()): the genetlink header of the kscope family, addressed to
 * the requester. Finish with genlmsg_end() and genlmsg_reply().
 */
void *kscope_reply_put(struct sk_buff *msg, struct genl_info *info);

/*
 * The usual reply: a new message of @size bytes with the header, @src's
 * name and an open KSCOPE_A_CTL nest (*@nest) for the source's attributes;
 * NULL when out of memory. kscope_ctl_reply_send() closes and sends it.
 * kscope_ctl_reply_head() is what it puts (less the genetlink header):
 * @size is that plus nla_total_size() of each attribute in the nest.
 */
static inline size_t kscope_ctl_reply_head(const struct kscope_source *src)
{
	return nla_total_size(strlen(src->name) + 1) +	/* KSCOPE_A_SOURCE */
	       nla_total_size(0);			/* KSCOPE_A_CTL */
}

struct sk_buff *kscope_ctl_reply_start(struct kscope_source *src,
				       struct genl_info *info, size_t size,
				       struct nlattr **nest);
int kscope_ctl_reply_send(struct sk_buff *msg, struct nlattr *nest,
			  struct genl_info *info);

/*
 * Does the sender of the request being handled have CAP_NET_ADMIN or
 * CAP_SYS_ADMIN (in the initial user namespace)? For reads that show
 * other users' processes: the core hands sources no skb, so
 * netlink_capable() is out of reach; a genetlink request runs in the
 * sender's context, and this checks the sender's credentials.
 */
bool kscope_caller_admin(void);
/*
 * 0 when kscope_caller_admin(), else -EPERM with extack message @msg (a
 * string literal saying why) pointing at @attr, the request's attribute
 * that asked for such a read.
 */
#define kscope_admin_read(info, attr, msg) ({				\
	int __ret = 0;							\
									\
	if (!kscope_caller_admin()) {					\
		NL_SET_ERR_MSG_ATTR((info)->extack, attr, msg);		\
		__ret = -EPERM;						\
	}								\
	__ret;								\
})

/* Is anyone subscribed? Build no event when this is false. */
bool kscope_listening(void);

/*
 * Is this the event channel's flush worker delivering events? What it
 * does (allocate skbs, multicast them) is kscope's own doing: a probe
 * that would report it should skip it, or every flush makes an event.
 */
bool kscope_in_flush(void);

/*
 * Record one event of @type for @src. @data holds the fields in the order
 * of the event description (u64 for numbers, @size bytes for strings, 16
 * bytes for addresses) and must be exactly the described length. Safe in
 * any context; in NMI the event is counted lost, and so is an event
 * emitted while this CPU is already inside the channel (lost_recursion):
 * a probe on a function the channel calls cannot deadlock or loop.
 *
 * Use kscope_emit_typed(): it passes sizeof(*ptr), and an event whose
 * size differs from its registered description's is counted lost_invalid
 * instead of being recorded. Zero-initialise the payload (= { }) so no
 * stale stack byte can reach a listener.
 */
void __kscope_emit(struct kscope_source *src, u16 type, const void *data,
		   size_t size);
#define kscope_emit_typed(src, type, ptr) do {				\
	BUILD_BUG_ON(sizeof(*(ptr)) > KSCOPE_EV_PAYLOAD_MAX);		\
	__kscope_emit(src, type, ptr, sizeof(*(ptr)));			\
} while (0)
/* untyped: @data is trusted to be the registered size */
void kscope_emit(struct kscope_source *src, u16 type, const void *data);

/*
 * Why a probe that emits events may not sit on function @sym, whose code
 * is at @addr (checked too, so an alias does not slip through): "kscope's
 * own code" for a kscope module's function, "the event channel calls it"
 * for what kscope_emit(), the irq_work kick, the flush worker and netlink
 * delivery call (see modules/core/deny.c); NULL when it may. A static
 * string, short enough for an extack message. May sleep.
 */
const char *kscope_deny_reason(const char *sym, unsigned long addr);

static inline void kscope_count_add(struct kscope_source *src,
				    unsigned int idx, u64 n)
{
	this_cpu_add(src->counters[KSCOPE_NR_CHAN_COUNTERS + idx], n);
}

static inline void kscope_count(struct kscope_source *src, unsigned int idx)
{
	kscope_count_add(src, idx, 1);
}

/* A gauge (KSCOPE_COUNTER_GAUGE) goes up and down: any context. */
static inline void kscope_gauge_add(struct kscope_source *src,
				    unsigned int idx, s64 delta)
{
	kscope_count_add(src, idx, (u64)delta);
}

/* Sum of counter @idx (source's own numbering) over all CPUs. */
u64 kscope_count_read(struct kscope_source *src, unsigned int idx);

/*
 * Tracepoints attached by name: @probe is the tracepoint's probe function,
 * registered with NULL data. kscope_tps_attach() attaches all of @tps or,
 * with one line in the log naming what failed, none. kscope_tps_detach()
 * detaches what is attached; no probe of theirs runs after it returns.
 */
struct kscope_tp {
	const char *name;
	void *probe;
	struct tracepoint *tp;		/* set by kscope_tps_attach() */
	bool registered;
};

int __kscope_tps_attach(struct kscope_tp *tps, unsigned int n,
			const char *owner);
#define kscope_tps_attach(tps, n) __kscope_tps_attach(tps, n, KBUILD_MODNAME)
void kscope_tps_detach(struct kscope_tp *tps, unsigned int n);

/*
 * Register @krp (handlers, data_size, maxactive set) on function @sym or,
 * where the compiler only left a clone of it, on that clone (found by
 * kscope_resolve(), include/kscope/resolve.h): only for handlers that
 * read nothing but the timing and the return value, which a clone keeps. The name found is written to
 * @name (@len bytes), which must outlive the probe. Logs one line on
 * failure.
 */
int __kscope_kretprobe_any(struct kretprobe *krp, const char *sym,
			   char *name, size_t len, const char *owner);
#define kscope_kretprobe_any(krp, sym, name, len) \
	__kscope_kretprobe_any(krp, sym, name, len, KBUILD_MODNAME)

#endif /* _KSCOPE_KSCOPE_H */
