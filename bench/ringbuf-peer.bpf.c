// SPDX-License-Identifier: GPL-2.0
/*
 * bench/core.sh's eBPF peer, the kernel half: on each hit of
 * kscope_testgen:tg_tick, one record in a BPF ring buffer with what
 * kscope's channel records for the same event (time, pid, tid, comm and
 * the tick's payload). A reservation that fails is counted, per CPU, as
 * lost. No BTF needed: the tracepoint's record is read by its format.
 */
#include <linux/types.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "ringbuf-peer.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RB_PEER_BYTES);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* /sys/kernel/tracing/events/kscope_testgen/tg_tick/format */
struct tg_tick_args {
	__u64 common;		/* type, flags, preempt count, pid */
	__u64 n;
	__u64 run;
};

SEC("tracepoint/kscope_testgen/tg_tick")
int on_tick(struct tg_tick_args *ctx)
{
	struct rb_peer_rec *r;
	__u64 id, *l;
	__u32 zero = 0;

	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (!r) {
		l = bpf_map_lookup_elem(&lost, &zero);
		if (l)
			(*l)++;
		return 0;
	}
	id = bpf_get_current_pid_tgid();
	r->time = bpf_ktime_get_ns();
	r->pid = id >> 32;
	r->tid = (__u32)id;
	bpf_get_current_comm(r->comm, sizeof(r->comm));
	r->n = ctx->n;
	r->run = ctx->run;
	__builtin_memcpy(r->tag, "testgen", 8);
	bpf_ringbuf_submit(r, 0);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
