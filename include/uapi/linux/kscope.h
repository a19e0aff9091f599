/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * kscope: the one contract between the kscope modules and userspace.
 *
 * One generic netlink family, "kscope". Every module registers a *source*
 * with kscope_core; sources are addressed by name. Requests carry the
 * KSCOPE_A_* attributes below, validated strictly per command.
 *
 * Events travel on the "events" multicast group (CAP_NET_ADMIN to join).
 * An event is KSCOPE_CMD_EVENT with a fixed header (source id, type, cpu,
 * per-CPU sequence, timestamp, context, pid/comm when in task context) and
 * a nest KSCOPE_A_EV_FIELDS whose attribute N+1 is field N of the event
 * type, as described by the source's schema (KSCOPE_CMD_SOURCE_GET).
 */
#ifndef _UAPI_LINUX_KSCOPE_H
#define _UAPI_LINUX_KSCOPE_H

#define KSCOPE_GENL_NAME		"kscope"
/*
 * Bump on any incompatible change; the reader refuses a mismatch.
 * 2: a request carries its source's nest in KSCOPE_A_CTL_<SOURCE>, not
 * in KSCOPE_A_CTL; every histogram is a KSCOPE_A_HIST nest with one
 * bucket convention (see "Histograms" below); vfs and mem buckets moved
 * by one slot.
 */
#define KSCOPE_GENL_VERSION		2
#define KSCOPE_MCGRP_EVENTS		"events"

#define KSCOPE_NAME_MAX			32	/* source, counter, field names */
#define KSCOPE_ATTACH_MAX		256
#define KSCOPE_COMM_LEN			16

enum kscope_cmd {
	KSCOPE_CMD_UNSPEC,
	KSCOPE_CMD_VERSION_GET,	/* protocol version, nr of cpus */
	KSCOPE_CMD_SOURCE_GET,	/* doit by KSCOPE_A_SOURCE, or dump: schemas */
	KSCOPE_CMD_STATS_GET,	/* doit by KSCOPE_A_SOURCE, or dump: counters */
	KSCOPE_CMD_EVENT,	/* multicast only */
	KSCOPE_CMD_CTL,		/* admin: source-specific request, see below */
	KSCOPE_CMD_CTL_GET,	/* read-only source-specific query, see below */
	KSCOPE_CMD_FLUSH,	/* admin: deliver what is recorded, then ack */
	__KSCOPE_CMD_MAX,
};
#define KSCOPE_CMD_MAX (__KSCOPE_CMD_MAX - 1)

enum kscope_attr {
	KSCOPE_A_UNSPEC,
	KSCOPE_A_PAD,
	KSCOPE_A_VERSION,		/* u32 */
	KSCOPE_A_NR_CPUS,		/* u32 */
	KSCOPE_A_SOURCE,		/* string: source name */
	KSCOPE_A_SOURCE_ID,		/* u16 */
	KSCOPE_A_ATTACH,		/* string: how the source is attached */
	KSCOPE_A_PERCPU,		/* flag (request): add per-CPU counters */
	KSCOPE_A_COUNTERS,		/* nest of KSCOPE_A_COUNTER */
	KSCOPE_A_COUNTER,		/* nest: KSCOPE_CTR_* */
	KSCOPE_A_CPU_COUNTERS,		/* nest: KSCOPE_A_CPU + KSCOPE_A_COUNTERS */
	KSCOPE_A_CPU,			/* u32 */
	KSCOPE_A_EVENT_TYPES,		/* nest of KSCOPE_A_EVENT_TYPE */
	KSCOPE_A_EVENT_TYPE,		/* nest: KSCOPE_ET_* */
	KSCOPE_A_CTL,			/* nest (reply): source-specific, see below */
	/* event header */
	KSCOPE_A_EV_TYPE,		/* u16 */
	KSCOPE_A_EV_SEQ,		/* u64: per-CPU, counts every attempt */
	KSCOPE_A_EV_TIME,		/* u64: CLOCK_MONOTONIC ns */
	KSCOPE_A_EV_CTX,		/* u8: enum kscope_ctx */
	KSCOPE_A_EV_PID,		/* u32: thread group id, task context only */
	KSCOPE_A_EV_TID,		/* u32, task context only */
	KSCOPE_A_EV_COMM,		/* string, task context only */
	KSCOPE_A_EV_FIELDS,		/* nest: attr N+1 = field N */
	/*
	 * A request's nest, one attribute per source (see below): "testgen"
	 * (tests only), "tcp", "blk", "net", "vfs", "mem", "sched", "probe"
	 */
	KSCOPE_A_CTL_TESTGEN,		/* nest: enum kscope_testgen_attr */
	KSCOPE_A_CTL_TCP,		/* nest: enum kscope_tcp_attr */
	KSCOPE_A_CTL_BLK,		/* nest: enum kscope_blk_attr */
	KSCOPE_A_CTL_NET,		/* nest: enum kscope_net_attr */
	KSCOPE_A_CTL_VFS,		/* nest: enum kscope_vfs_attr */
	KSCOPE_A_CTL_MEM,		/* nest: enum kscope_mem_attr */
	KSCOPE_A_CTL_SCHED,		/* nest: enum kscope_sched_attr */
	KSCOPE_A_CTL_PROBE,		/* nest: enum kscope_probe_attr */
	/*
	 * nest (reply): one histogram, KSCOPE_HIST_* (below); a source's reply
	 * carries the same nest under its own attribute type
	 */
	KSCOPE_A_HIST,
	__KSCOPE_A_MAX,
};
#define KSCOPE_A_MAX (__KSCOPE_A_MAX - 1)

/* Inside KSCOPE_A_COUNTER */
enum kscope_counter_attr {
	KSCOPE_CTR_UNSPEC,
	KSCOPE_CTR_PAD,
	KSCOPE_CTR_NAME,		/* string */
	KSCOPE_CTR_VALUE,		/* u64 */
	/*
	 * u8 (reply): enum kscope_counter_kind; in a schema
	 * (KSCOPE_CMD_SOURCE_GET), and beside each value of a blk device's
	 * or hardware queue's KSCOPE_BLK_STATS (counters no schema lists);
	 * not beside the values of KSCOPE_CMD_STATS_GET (the schema has them)
	 */
	KSCOPE_CTR_KIND,
	__KSCOPE_CTR_MAX,
};
#define KSCOPE_CTR_MAX (__KSCOPE_CTR_MAX - 1)

/*
 * What a counter's value is. COUNTER: a count of events since the source
 * was registered, which never decreases (a rate is its difference over
 * time). GAUGE: how many of something exist now (devices, probes, flows
 * in a table, pages backing a device, requests in flight), which goes up
 * and down, or a level such as a high-water mark: a value read as it is,
 * never as a rate. A gauge's per-CPU values are each CPU's share of the
 * changes, in two's complement: only their sum means something (and a
 * sum read below 0, while the gauge moves, reads as 0).
 */
enum kscope_counter_kind {
	KSCOPE_COUNTER_MONOTONIC,
	KSCOPE_COUNTER_GAUGE,
	__KSCOPE_COUNTER_KIND_MAX,
};

/* Inside KSCOPE_A_EVENT_TYPE */
enum kscope_event_type_attr {
	KSCOPE_ET_UNSPEC,
	KSCOPE_ET_ID,			/* u16 */
	KSCOPE_ET_NAME,			/* string */
	KSCOPE_ET_FIELD,		/* nest, repeated in order: KSCOPE_FD_* */
	__KSCOPE_ET_MAX,
};
#define KSCOPE_ET_MAX (__KSCOPE_ET_MAX - 1)

enum kscope_field_attr {
	KSCOPE_FD_UNSPEC,
	KSCOPE_FD_NAME,			/* string */
	KSCOPE_FD_KIND,			/* u8: enum kscope_field_kind */
	__KSCOPE_FD_MAX,
};
#define KSCOPE_FD_MAX (__KSCOPE_FD_MAX - 1)

/*
 * Kinds of event fields and how they are carried in KSCOPE_A_EV_FIELDS:
 * U64/S64/HEX as u64, STR as a NUL-terminated string, ADDR as 16 bytes
 * (an IPv4 address is IPv4-mapped, ::ffff:a.b.c.d).
 */
enum kscope_field_kind {
	KSCOPE_FIELD_U64,
	KSCOPE_FIELD_S64,
	KSCOPE_FIELD_HEX,
	KSCOPE_FIELD_STR,
	KSCOPE_FIELD_ADDR,
	__KSCOPE_FIELD_KIND_MAX,
};

/* Where the probe ran: pid/comm are only meaningful in task context. */
enum kscope_ctx {
	KSCOPE_CTX_TASK,
	KSCOPE_CTX_SOFTIRQ,
	KSCOPE_CTX_HARDIRQ,
	KSCOPE_CTX_NMI,
};

/*
 * Counters every source gets from the core's event channel, in this order,
 * before its own. "lost_*" are events that were produced while someone
 * listened and did not reach the listener; no listener is not a loss.
 * lost_recursion: an event produced while the same CPU was already inside
 * the channel (a probe on a function the channel calls); lost_invalid: an
 * event the channel could not carry (unknown type, payload of the wrong
 * size, or one the flush could not place: a bug in its source);
 * lost_closed: produced while its source was being unregistered.
 */
#define KSCOPE_CHAN_COUNTERS \
	"events_recorded", "events_delivered", "lost_buffer_full", \
	"lost_nomem", "lost_overrun", "lost_nmi", "events_unheard", \
	"lost_recursion", "lost_invalid", "lost_closed"

/*
 * Histograms. Every histogram in kscope has log2 buckets with one
 * convention, that of libbpf-tools' log2 histograms (runqlat, biolatency):
 * slot 0 holds the values 0 and 1, slot n >= 1 holds [2^n, 2^(n+1) - 1],
 * and the last slot of a histogram of SLOTS slots is open-ended: it holds
 * every value from 2^(SLOTS-1) up. Values are integers in the histogram's
 * unit (a latency kept in us is truncated from ns first).
 *
 * On the wire a histogram is one nest (KSCOPE_A_HIST, or a source's own
 * attribute type carrying the same nest): UNIT, SLOTS, COUNT (samples),
 * SUM (of the values, in the unit), then one BUCKET nest per non-empty
 * slot in slot order with LOW and HIGH (both inclusive; HIGH is
 * UINT64_MAX for the open-ended last slot) and COUNT. A Prometheus
 * histogram maps to it as le = HIGH (+Inf for the last), _sum = SUM,
 * _count = COUNT. Summed over CPUs on read, so a reply is a snapshot
 * whose COUNT equals the sum of its buckets.
 */
enum kscope_unit {
	KSCOPE_UNIT_NONE,		/* a plain count of something */
	KSCOPE_UNIT_NS,
	KSCOPE_UNIT_US,
	KSCOPE_UNIT_BYTES,
	KSCOPE_UNIT_PAGES,
	__KSCOPE_UNIT_MAX,
};

enum kscope_hist_attr {
	KSCOPE_HIST_UNSPEC,
	KSCOPE_HIST_PAD,
	KSCOPE_HIST_UNIT,		/* u8: enum kscope_unit */
	KSCOPE_HIST_SLOTS,		/* u32: slots, the last open-ended */
	KSCOPE_HIST_COUNT,		/* u64: samples */
	KSCOPE_HIST_SUM,		/* u64: sum of the values */
	KSCOPE_HIST_BUCKET,		/* nest, repeated: KSCOPE_HB_* */
	__KSCOPE_HIST_MAX,
};
#define KSCOPE_HIST_MAX (__KSCOPE_HIST_MAX - 1)

enum kscope_hist_bucket_attr {
	KSCOPE_HB_UNSPEC,
	KSCOPE_HB_PAD,
	KSCOPE_HB_LOW,			/* u64: smallest value, inclusive */
	KSCOPE_HB_HIGH,			/* u64: largest, UINT64_MAX: open */
	KSCOPE_HB_COUNT,		/* u64 */
	__KSCOPE_HB_MAX,
};
#define KSCOPE_HB_MAX (__KSCOPE_HB_MAX - 1)

/*
 * Source-specific requests. A KSCOPE_CMD_CTL or KSCOPE_CMD_CTL_GET request
 * names its source in KSCOPE_A_SOURCE and carries the source's attributes
 * in that source's own nest, KSCOPE_A_CTL_<SOURCE> (a control request
 * must, a read request may); the nest of another source is refused, and
 * so is KSCOPE_A_CTL. The reply carries them in KSCOPE_A_CTL. Each nest
 * has a strict policy, which a policy dump (CTRL_CMD_GETPOLICY) shows.
 *
 * Each source documents its own attributes here so that the reader and
 * the modules share them. Where an attribute may go, from its comment:
 * "(reply)" only in replies, never in a request; "(CTL_GET)" only in a
 * read request; "(also CTL_GET)" in control and read requests; otherwise
 * in a control request only. *_PAD attributes are padding, never sent.
 */

/* "testgen" source (tests/ only, never shipped): KSCOPE_A_CTL_TESTGEN */
enum kscope_testgen_attr {
	KSCOPE_TG_UNSPEC,
	KSCOPE_TG_PAD,
	KSCOPE_TG_COUNT,		/* u32: events per CPU, 1..10000000 */
	KSCOPE_TG_CPUMASK,		/* u64: CPUs that produce */
	KSCOPE_TG_RATE,			/* u32: events/s per CPU, 0 = flat out */
	KSCOPE_TG_WAIT,			/* flag: return when done */
	KSCOPE_TG_TYPE,			/* u16: event type to emit (default 0) */
	KSCOPE_TG_SIZE,			/* u16: payload size to claim (default: right) */
	/*
	 * flag: every tick also calls kscope_emit() from a kprobe on
	 * ktime_get_mono_fast_ns, which the channel calls: a recursion
	 */
	KSCOPE_TG_RECURSE,
	/*
	 * flag: register a second source whose payload struct has padding
	 * its schema does not describe (the registration must fail)
	 */
	KSCOPE_TG_PADDED,
	/*
	 * nest (reply of source "testgen_hist" to CTL_GET): a histogram of the
	 * values given at load (module parameter hist_values), usecs
	 */
	KSCOPE_TG_HIST,
	__KSCOPE_TG_MAX,
};
#define KSCOPE_TG_MAX (__KSCOPE_TG_MAX - 1)

/* tcp source attributes (KSCOPE_A_CTL_TCP, reply KSCOPE_A_CTL) */
enum kscope_tcp_attr {
	KSCOPE_TCP_UNSPEC,
	KSCOPE_TCP_PAD,
	KSCOPE_TCP_PORT,		/* u16: local or remote port, 0 = any */
	/*
	 * 16 bytes: local or remote address (IPv4 as ::ffff:a.b.c.d), :: =
	 * any
	 */
	KSCOPE_TCP_ADDR,
	KSCOPE_TCP_NETNS,		/* u32: netns inode number, 0 = any */
	/*
	 * u32: pid recorded at connect/accept, 0 = any
	 */
	KSCOPE_TCP_PID,
	/*
	 * u8: 1 = a "cong" event per sample, 0 = only on cwnd/ssthresh
	 * change
	 */
	KSCOPE_TCP_SAMPLE_ALL,
	KSCOPE_TCP_CLEAR,		/* flag: reset all of the above first */
	/*
	 * u32: mask of event types (bit = type id, see the source's schema)
	 * to build; default all but "state"
	 */
	KSCOPE_TCP_EVENTS,
	/*
	 * u32 (CTL_GET): list the flow table from this cursor on, 0 first
	 * (admin only: flows name other users' processes); the reply holds
	 * FLOW nests and, unless the list ends there, the cursor to ask for
	 * next
	 */
	KSCOPE_TCP_CURSOR,
	/*
	 * nest (reply): one flow: FAMILY, SADDR, SPORT, DADDR, DPORT, NETNS,
	 * PID, COMM, AGE_MS, SAMPLES and, once sampled, CWND ... INFLIGHT
	 */
	KSCOPE_TCP_FLOW,
	KSCOPE_TCP_FAMILY,		/* u16 (reply): AF_INET or AF_INET6 */
	KSCOPE_TCP_SADDR,		/* 16 bytes (reply): IPv4 as ::ffff:a.b.c.d */
	KSCOPE_TCP_DADDR,		/* 16 bytes (reply) */
	KSCOPE_TCP_SPORT,		/* u16 (reply) */
	KSCOPE_TCP_DPORT,		/* u16 (reply) */
	KSCOPE_TCP_COMM,		/* string (reply): "" when not known */
	KSCOPE_TCP_AGE_MS,		/* u64 (reply): 0 when born unseen */
	KSCOPE_TCP_SAMPLES,		/* u64 (reply): tcp_probe samples */
	KSCOPE_TCP_CWND,		/* u32 (reply) */
	KSCOPE_TCP_SSTHRESH,		/* u32 (reply) */
	KSCOPE_TCP_SRTT_US,		/* u32 (reply) */
	KSCOPE_TCP_SND_WND,		/* u32 (reply) */
	KSCOPE_TCP_RCV_WND,		/* u32 (reply) */
	KSCOPE_TCP_SNDBUF,		/* s32 (reply) */
	KSCOPE_TCP_WMEM_QUEUED,		/* s32 (reply) */
	KSCOPE_TCP_INFLIGHT,		/* u32 (reply) */
	__KSCOPE_TCP_MAX,
};
#define KSCOPE_TCP_MAX (__KSCOPE_TCP_MAX - 1)

/* blk source attributes (KSCOPE_A_CTL_BLK, reply KSCOPE_A_CTL) */

/*
 * KSCOPE_CMD_CTL: KSCOPE_BLK_OP says what to do. ADD takes NAME and any
 * of the configuration attributes (unset ones follow the profile); DEL
 * takes NAME (EBUSY while open); SET takes NAME and SLOW_NS.
 * KSCOPE_CMD_CTL_GET: without NAME, one KSCOPE_BLK_DEVICE per device
 * (configuration only); with NAME, that device with KSCOPE_BLK_STATS,
 * a KSCOPE_BLK_LAT per op and one KSCOPE_BLK_HWQ per hardware queue
 * (STATS and LATs of its own). A large reply comes as
 * several reply messages before the ACK: a device whose queues do not
 * fit in one continues in the next message as a KSCOPE_BLK_DEVICE with
 * only its NAME and more KSCOPE_BLK_HWQ.
 */
enum kscope_blk_op {
	KSCOPE_BLK_OP_ADD = 1,
	KSCOPE_BLK_OP_DEL,
	KSCOPE_BLK_OP_SET,
};

enum kscope_blk_profile {
	KSCOPE_BLK_PROFILE_NVME,
	KSCOPE_BLK_PROFILE_SSD,
	KSCOPE_BLK_PROFILE_HDD,
	__KSCOPE_BLK_PROFILE_MAX,
};

enum kscope_blk_completion {
	KSCOPE_BLK_COMP_INLINE,		/* in queue_rq, no latency */
	KSCOPE_BLK_COMP_SOFTIRQ,	/* blk_mq_complete_request, no latency */
	KSCOPE_BLK_COMP_TIMER,		/* hrtimer after the modeled latency */
	__KSCOPE_BLK_COMP_MAX,
};

enum kscope_blk_attr {
	KSCOPE_BLK_UNSPEC,
	KSCOPE_BLK_PAD,
	KSCOPE_BLK_OP,			/* u8: enum kscope_blk_op */
	/*
	 * string (also CTL_GET): 1..20 of [a-z0-9_], the disk is kblk_NAME
	 */
	KSCOPE_BLK_NAME,
	KSCOPE_BLK_PROFILE,		/* u8: enum kscope_blk_profile */
	KSCOPE_BLK_SIZE_MB,		/* u32: 1..1048576 */
	KSCOPE_BLK_QUEUES,		/* u32: hardware queues, 1..64 */
	KSCOPE_BLK_DEPTH,		/* u32: tags per queue, 1..4096 */
	KSCOPE_BLK_LBS,			/* u32: logical block size 512..4096 */
	KSCOPE_BLK_PBS,			/* u32: physical block size, >= LBS */
	KSCOPE_BLK_MAX_SEGMENTS,	/* u32: 1..4096 */
	KSCOPE_BLK_MAX_SECTORS,		/* u32: 512-byte sectors, 8..65536 */
	KSCOPE_BLK_ROTATIONAL,		/* u8: 0/1 */
	KSCOPE_BLK_WCACHE,		/* u8: volatile write cache 0/1 */
	KSCOPE_BLK_FUA,			/* u8: 0/1, needs WCACHE */
	KSCOPE_BLK_DISCARD,		/* u8: discard and write zeroes 0/1 */
	KSCOPE_BLK_COMPLETION,		/* u8: enum kscope_blk_completion */
	KSCOPE_BLK_BW_MBPS,		/* u32: cap MB/s, 0..1000000, 0 = none */
	KSCOPE_BLK_SLOW_NS,		/* u64: slow-request event threshold, 0 = off */
	KSCOPE_BLK_DEVICE,		/* nest (reply): one device */
	KSCOPE_BLK_DISK,		/* string (reply): disk name */
	KSCOPE_BLK_OPENERS,		/* u32 (reply): a gauge */
	KSCOPE_BLK_PAGES,		/* u64 (reply): backing pages allocated, a gauge */
	/* nest (reply) of KSCOPE_A_COUNTER: CTR_NAME, CTR_VALUE, CTR_KIND */
	KSCOPE_BLK_STATS,
	KSCOPE_BLK_HWQ,			/* nest (reply): HWQ_INDEX + STATS */
	KSCOPE_BLK_HWQ_INDEX,		/* u32 (reply) */
	KSCOPE_BLK_POLL_QUEUES,		/* u32: polled queues (io_uring IOPOLL), 0..16 */
	KSCOPE_BLK_HWQ_POLL,		/* u8 (reply, in HWQ): a polled queue */
	/*
	 * nest (reply, in a DEVICE with STATS and in each HWQ): LAT_OP and
	 * HIST, one per op
	 */
	KSCOPE_BLK_LAT,
	KSCOPE_BLK_LAT_OP,		/* string (reply): read, write, flush... */
	KSCOPE_BLK_HIST,		/* nest (reply): histogram, latency, usecs */
	__KSCOPE_BLK_MAX,
};
#define KSCOPE_BLK_MAX (__KSCOPE_BLK_MAX - 1)

/* net source attributes (KSCOPE_A_CTL_NET, reply KSCOPE_A_CTL) */
enum kscope_net_attr {
	KSCOPE_NET_UNSPEC,
	KSCOPE_NET_PAD,
	KSCOPE_NET_ECHO,		/* u8: ICMP echo responder 0 off, 1 on */
	KSCOPE_NET_NETNS_FD,		/* u32: target netns by open nsfs fd */
	KSCOPE_NET_NETNS_PID,		/* u32: target netns of a process */
	KSCOPE_NET_IFNAME,		/* string: answer on this device only */
	__KSCOPE_NET_MAX,
};
#define KSCOPE_NET_MAX (__KSCOPE_NET_MAX - 1)


/* vfs and mem source attributes (KSCOPE_A_CTL_VFS, KSCOPE_A_CTL_MEM) */

/*
 * vfs: KSCOPE_CMD_CTL sets SLOW_US, PID, TOP and/or TOP_RESET (a new top
 * interval). KSCOPE_CMD_CTL_GET replies with the settings, INTERVAL_MS,
 * one OPS nest per (filesystem, operation) seen, and the top TOP_N (1..100,
 * default 10) files and processes of the interval, busiest first.
 */
enum kscope_vfs_op {
	KSCOPE_VFS_OP_READ,
	KSCOPE_VFS_OP_WRITE,
	KSCOPE_VFS_OP_OPEN,
	KSCOPE_VFS_OP_FSYNC,
	KSCOPE_VFS_OP_CREATE,
	KSCOPE_VFS_OP_UNLINK,
	KSCOPE_VFS_OP_RENAME,
	KSCOPE_VFS_OP_MKDIR,
	KSCOPE_VFS_OP_RMDIR,
	__KSCOPE_VFS_OP_MAX,
};

enum kscope_vfs_attr {
	KSCOPE_VFS_UNSPEC,
	KSCOPE_VFS_PAD,
	KSCOPE_VFS_SLOW_US,		/* u64: slow-op events above this, 0 = off */
	KSCOPE_VFS_PID,			/* u32: only this thread group, 0 = all */
	KSCOPE_VFS_TOP,			/* u8: collect top files/processes 0/1 */
	KSCOPE_VFS_TOP_RESET,		/* flag: start a new top interval */
	KSCOPE_VFS_TOP_N,		/* u32 (CTL_GET): entries per list, 1..100 */
	KSCOPE_VFS_INTERVAL_MS,		/* u64 (reply): length of the interval */
	/*
	 * nest (reply): FS, OP, COUNT, BYTES, ERRORS, HIST
	 */
	KSCOPE_VFS_OPS,
	KSCOPE_VFS_FS,			/* string (reply): filesystem type */
	KSCOPE_VFS_OP,			/* u8 (reply): enum kscope_vfs_op */
	KSCOPE_VFS_COUNT,		/* u64 (reply) */
	KSCOPE_VFS_BYTES,		/* u64 (reply) */
	KSCOPE_VFS_ERRORS,		/* u64 (reply) */
	KSCOPE_VFS_HIST,		/* nest (reply): histogram, latency, usecs */
	/*
	 * nest (reply): FS, NAME, INO, PID, COMM, READS, WRITES, RBYTES,
	 * WBYTES, COUNT
	 */
	KSCOPE_VFS_TOP_FILE,
	/*
	 * nest (reply): PID, COMM, READS, WRITES, RBYTES, WBYTES, COUNT (all
	 * ops)
	 */
	KSCOPE_VFS_TOP_PROC,
	KSCOPE_VFS_NAME,		/* string (reply): file name, last part */
	KSCOPE_VFS_INO,			/* u64 (reply) */
	KSCOPE_VFS_COMM,		/* string (reply) */
	KSCOPE_VFS_READS,		/* u64 (reply) */
	KSCOPE_VFS_WRITES,		/* u64 (reply) */
	KSCOPE_VFS_RBYTES,		/* u64 (reply) */
	KSCOPE_VFS_WBYTES,		/* u64 (reply) */
	/*
	 * u64 (reply): entries the table had no room for this interval
	 */
	KSCOPE_VFS_TOP_DROPPED,
	__KSCOPE_VFS_MAX,
};
#define KSCOPE_VFS_MAX (__KSCOPE_VFS_MAX - 1)

/*
 * mem: KSCOPE_CMD_CTL sets HIGH_ORDER (events for allocations of this
 * order and above; 0 = off). KSCOPE_CMD_CTL_GET replies with HIGH_ORDER,
 * NR_ORDERS, the slow-path histogram and one ZONE nest per populated zone
 * with its free lists and fragmentation index per order.
 */
enum kscope_mem_attr {
	KSCOPE_MEM_UNSPEC,
	KSCOPE_MEM_PAD,
	KSCOPE_MEM_HIGH_ORDER,		/* u32: 0 = off, else 1..NR_ORDERS-1 */
	KSCOPE_MEM_NR_ORDERS,		/* u32 (reply) */
	KSCOPE_MEM_ZONE,		/* nest (reply): NODE, ZONE_NAME, ORDER... */
	KSCOPE_MEM_NODE,		/* u32 (reply) */
	KSCOPE_MEM_ZONE_NAME,		/* string (reply) */
	KSCOPE_MEM_ORDER,		/* nest (reply): ORDER_NR, FREE, MT_FREE, FRAG */
	KSCOPE_MEM_ORDER_NR,		/* u32 (reply) */
	KSCOPE_MEM_FREE,		/* u64 (reply): free blocks of this order */
	KSCOPE_MEM_MT_FREE,		/* nest (reply): MT_NAME + FREE, per type */
	KSCOPE_MEM_MT_NAME,		/* string (reply) */
	/*
	 * s32 (reply): fragmentation index x1000, as
	 * /sys/kernel/debug/extfrag/extfrag_index; -1000 = a free block of
	 * this order exists
	 */
	KSCOPE_MEM_FRAG,
	KSCOPE_MEM_SLOW_HIST,		/* nest (reply): histogram, slow path, usecs */
	__KSCOPE_MEM_MAX,
};
#define KSCOPE_MEM_MAX (__KSCOPE_MEM_MAX - 1)

/* sched and probe source attributes (KSCOPE_A_CTL_SCHED, _PROBE) */

/*
 * "sched": KSCOPE_CMD_CTL sets the portrait filter (the processes whose
 * portraits are kept and whose fork/exec/exit events are sent; every
 * given attribute must match, 0 or "" = any) and/or resets the
 * statistics; KSCOPE_CMD_CTL_GET returns the filter and the system-wide
 * run-queue latency histogram, with CURSOR a page of the portraits, or
 * with CPU the per-CPU utilization of the last complete interval (as
 * `sar -P ALL`; anyone may read it) and each CPU's times since boot: one
 * or more replies of INTERVAL_MS and CPU_ENTRY nests.
 */
enum kscope_sched_attr {
	KSCOPE_SCHED_UNSPEC,
	KSCOPE_SCHED_PAD,
	KSCOPE_SCHED_PID,		/* u32: process (tgid) or its children */
	KSCOPE_SCHED_COMM,		/* string: comm, 0..15 chars */
	KSCOPE_SCHED_CGROUP,		/* u64: cgroup v2 id (inode), or below */
	KSCOPE_SCHED_CLEAR,		/* flag: reset the filter first */
	KSCOPE_SCHED_RESET,		/* flag: zero histograms, drop portraits */
	KSCOPE_SCHED_RUNQ_HIST,		/* nest (reply): histogram, usecs */
	/*
	 * u32 (CTL_GET): list the portraits from this cursor on, 0 first
	 * (admin only: portraits name other users' processes); the reply
	 * holds PORTRAIT nests and, unless the list ends there, the cursor
	 * to ask for next
	 */
	KSCOPE_SCHED_CURSOR,
	/*
	 * nest (reply): one process: PID, PPID, COMM, STATE, START_NS,
	 * LIFETIME_NS, ONCPU_NS, RUNQ_NS, RUNQ_SAMPLES, NVCSW, NIVCSW,
	 * THREADS, FILENAME and, with samples, RUNQ_HIST
	 */
	KSCOPE_SCHED_PORTRAIT,
	KSCOPE_SCHED_PPID,		/* u32 (reply) */
	KSCOPE_SCHED_STATE,		/* u8 (reply): 1 live, 2 exited */
	KSCOPE_SCHED_START_NS,		/* u64 (reply): CLOCK_MONOTONIC */
	KSCOPE_SCHED_LIFETIME_NS,	/* u64 (reply): 0 while live */
	KSCOPE_SCHED_ONCPU_NS,		/* u64 (reply) */
	KSCOPE_SCHED_RUNQ_NS,		/* u64 (reply) */
	KSCOPE_SCHED_RUNQ_SAMPLES,	/* u64 (reply) */
	KSCOPE_SCHED_NVCSW,		/* u64 (reply) */
	KSCOPE_SCHED_NIVCSW,		/* u64 (reply) */
	KSCOPE_SCHED_THREADS,		/* u32 (reply) */
	KSCOPE_SCHED_FILENAME,		/* string (reply): "" when none */
	KSCOPE_SCHED_CPU,		/* flag (CTL_GET): the utilization instead */
	KSCOPE_SCHED_INTERVAL_MS,	/* u32 (reply): length of the interval */
	/*
	 * nest (reply): one online CPU's interval: CPU_NR, then USER..STEAL,
	 * each in hundredths of a percent of the interval (/proc/stat's split)
	 */
	KSCOPE_SCHED_CPU_ENTRY,
	KSCOPE_SCHED_CPU_NR,		/* u32 (reply) */
	KSCOPE_SCHED_USER,		/* u32 (reply) */
	KSCOPE_SCHED_NICE,		/* u32 (reply) */
	KSCOPE_SCHED_SYSTEM,		/* u32 (reply) */
	KSCOPE_SCHED_IRQ,		/* u32 (reply) */
	KSCOPE_SCHED_SOFTIRQ,		/* u32 (reply) */
	KSCOPE_SCHED_IDLE,		/* u32 (reply) */
	KSCOPE_SCHED_IOWAIT,		/* u32 (reply) */
	KSCOPE_SCHED_STEAL,		/* u32 (reply) */
	/*
	 * nest (reply, in CPU_ENTRY): the CPU's time in each state since
	 * boot, ns, as USER..STEAL attributes of u64 (padded with PAD):
	 * /proc/stat's counts at the moment of the read (idle and iowait
	 * from the NOHZ accounting, never lower than at the read before),
	 * so that a reader's own interval is the difference of two reads
	 */
	KSCOPE_SCHED_CPU_NS,
	__KSCOPE_SCHED_MAX,
};
#define KSCOPE_SCHED_MAX (__KSCOPE_SCHED_MAX - 1)

/*
 * "probe": KSCOPE_CMD_CTL with OP ADD (SYMBOL, FLAGS) replies with the
 * new probe's ID and RESOLVED name; DEL takes ID or SYMBOL (every probe
 * on that name). KSCOPE_CMD_CTL_GET: one KSCOPE_PROBE_ENTRY per probe.
 */
enum kscope_probe_op {
	KSCOPE_PROBE_OP_ADD = 1,
	KSCOPE_PROBE_OP_DEL,
};

#define KSCOPE_PROBE_F_RET		(1U << 0)	/* return side: count returns */
#define KSCOPE_PROBE_F_LATENCY		(1U << 1)	/* entry->return histogram */
#define KSCOPE_PROBE_F_EVENTS		(1U << 2)	/* one event per hit */
/*
 * With RET or LATENCY: the return side by a kretprobe even where the
 * core's cheaper fprobe could hook the function (for comparison)
 */
#define KSCOPE_PROBE_F_KRETPROBE	(1U << 3)

enum kscope_probe_attr {
	KSCOPE_PROBE_UNSPEC,
	KSCOPE_PROBE_PAD,
	KSCOPE_PROBE_OP,		/* u8: enum kscope_probe_op */
	KSCOPE_PROBE_SYMBOL,		/* string: function name as asked */
	KSCOPE_PROBE_ID,		/* u32 (also CTL_GET): 1.. */
	KSCOPE_PROBE_FLAGS,		/* u32: KSCOPE_PROBE_F_* */
	KSCOPE_PROBE_RESOLVED,		/* string (reply): name probed */
	KSCOPE_PROBE_HITS,		/* u64 (reply) */
	KSCOPE_PROBE_RETURNS,		/* u64 (reply) */
	KSCOPE_PROBE_NMISSED,		/* u64 (reply) */
	KSCOPE_PROBE_ENTRY,		/* nest (reply): one probe */
	/*
	 * nest (reply, in ENTRY of a LATENCY probe): histogram of entry->return
	 * latency, nsecs
	 */
	KSCOPE_PROBE_HIST,
	/*
	 * string (reply, in ENTRY): how the probe hooks its function:
	 * "kprobe" (entry only), "fprobe" or "kretprobe"
	 */
	KSCOPE_PROBE_MECH,
	__KSCOPE_PROBE_MAX,
};
#define KSCOPE_PROBE_MAX (__KSCOPE_PROBE_MAX - 1)

#endif /* _UAPI_LINUX_KSCOPE_H */
