/* SPDX-License-Identifier: GPL-2.0 */
/* bench/core.sh's eBPF peer: the record both halves share. */
#ifndef _RINGBUF_PEER_H
#define _RINGBUF_PEER_H

/*
 * What kscope's channel records of a tick, but its CPU and sequence (the
 * peer counts what it receives): 56 bytes, 64 with the ring's header, so
 * that the ring holds 8192 of them, what kscope's channel holds on two
 * CPUs at its default ring_slots=4096.
 */
#define RB_PEER_BYTES	(8192 * 64)

struct rb_peer_rec {
	__u64 time;
	__u32 pid;
	__u32 tid;
	char comm[16];
	__u64 n;
	__u64 run;
	char tag[8];
};

#endif
