// SPDX-License-Identifier: GPL-2.0
/*
 * bench/core.sh's eBPF peer, the reader: ringbuf-peer OBJ loads OBJ (the
 * BPF half, ringbuf-peer.bpf.o), attaches it to kscope_testgen:tg_tick,
 * prints "Attached" and then one JSON line per record, as `kscope watch
 * --json` does for kscope's channel, until SIGINT or SIGTERM. Then it
 * drains the ring and prints the same final line as kscope watch:
 *   {"final":true,"received":R,"lost":{"kernel":L}}
 * where L is what the BPF half could not reserve.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "ringbuf-peer.h"

static volatile sig_atomic_t stop;
static unsigned long long received;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_rec(void *ctx, void *data, size_t len)
{
	const struct rb_peer_rec *r = data;

	(void)ctx;
	if (len < sizeof(*r))
		return 0;
	received++;
	printf("{\"type\":\"event\",\"ts\":%llu,\"source\":\"testgen\",\"event\":\"tick\",\"pid\":%u,\"tid\":%u,\"comm\":\"%.16s\",\"n\":%llu,\"run\":%llu,\"tag\":\"%.8s\"}\n",
	       (unsigned long long)r->time, r->pid, r->tid, r->comm,
	       (unsigned long long)r->n, (unsigned long long)r->run, r->tag);
	return 0;
}

static unsigned long long lost_sum(int fd)
{
	int ncpu = libbpf_num_possible_cpus(), i;
	unsigned long long sum = 0;
	__u64 *v;
	__u32 zero = 0;

	if (ncpu <= 0)
		return 0;
	v = calloc(ncpu, sizeof(*v));
	if (v && !bpf_map_lookup_elem(fd, &zero, v))
		for (i = 0; i < ncpu; i++)
			sum += v[i];
	free(v);
	return sum;
}

int main(int argc, char **argv)
{
	struct ring_buffer *rb = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	int err;

	if (argc != 2) {
		fprintf(stderr, "usage: ringbuf-peer OBJ\n");
		return 2;
	}
	obj = bpf_object__open_file(argv[1], NULL);
	if (!obj) {
		fprintf(stderr, "ringbuf-peer: cannot open %s: %s\n", argv[1],
			strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "ringbuf-peer: cannot load %s: %s\n", argv[1],
			strerror(-err));
		goto out_close;
	}
	prog = bpf_object__find_program_by_name(obj, "on_tick");
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "ringbuf-peer: cannot attach to kscope_testgen:tg_tick (is kscope_testgen loaded?): %s\n",
			strerror(errno));
		err = -1;
		goto out_close;
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"),
			      on_rec, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "ringbuf-peer: no ring buffer: %s\n",
			strerror(errno));
		err = -1;
		goto out_destroy;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	printf("Attached to kscope_testgen:tg_tick\n");
	fflush(stdout);
	while (!stop) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "ringbuf-peer: poll: %s\n",
				strerror(-err));
			break;
		}
	}
	ring_buffer__consume(rb);
	printf("{\"final\":true,\"received\":%llu,\"lost\":{\"kernel\":%llu}}\n",
	       received, lost_sum(bpf_object__find_map_fd_by_name(obj, "lost")));
	err = 0;
	ring_buffer__free(rb);
out_destroy:
	bpf_link__destroy(link);
out_close:
	bpf_object__close(obj);
	return err ? 1 : 0;
}
