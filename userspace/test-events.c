// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of event decoding and printing, without a kernel: builds one
 * datagram of several KSCOPE_CMD_EVENT messages the way kscope_core does
 * and feeds it to watch.c's handler. test-events.sh checks the output.
 */
#include "watch.c"

/* cmd_watch's option parsing: not exercised here */
int ks_usage_error(const char *cmd, const char *fmt, ...)
{
	(void)cmd;
	(void)fmt;
	return 2;
}

int ks_getopt(int argc, char **argv, const char *cmd, const char *sub,
	      int *status)
{
	(void)argc;
	(void)argv;
	(void)cmd;
	(void)sub;
	*status = 2;
	return KS_OPT_EXIT;
}

static struct ks_field tick_fields[] = {
	{ "n", KSCOPE_FIELD_U64 }, { "run", KSCOPE_FIELD_U64 },
	{ "tag", KSCOPE_FIELD_STR },
};
static struct ks_field pkt_fields[] = {
	{ "saddr", KSCOPE_FIELD_ADDR }, { "daddr", KSCOPE_FIELD_ADDR },
	{ "delta", KSCOPE_FIELD_S64 }, { "flags", KSCOPE_FIELD_HEX },
};
/* fields named like the line's own keys (kscope(8), JSON OUTPUT) */
static struct ks_field clash_fields[] = {
	{ "pid", KSCOPE_FIELD_U64 }, { "type", KSCOPE_FIELD_STR },
	{ "comm", KSCOPE_FIELD_STR },
};
static struct ks_evtype tick = { 0, "tick", tick_fields, 3 };
static struct ks_evtype net_types[] = {
	{ 1, "pkt", pkt_fields, 4 },
	{ 2, "clash", clash_fields, 3 },
};
static struct ks_source srcs[] = {
	{ .name = "testgen", .id = 3, .evtypes = &tick, .nr_evtypes = 1 },
	{ .name = "net", .id = 4, .evtypes = net_types, .nr_evtypes = 2 },
};

static struct nlmsghdr *put_event(char *buf, uint16_t src, uint16_t type,
				  uint32_t cpu, uint64_t seq, uint8_t ctx,
				  const char *comm)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 0x20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = KSCOPE_CMD_EVENT;
	mnl_attr_put_u16(nlh, KSCOPE_A_SOURCE_ID, src);
	mnl_attr_put_u16(nlh, KSCOPE_A_EV_TYPE, type);
	mnl_attr_put_u32(nlh, KSCOPE_A_CPU, cpu);
	mnl_attr_put_u64(nlh, KSCOPE_A_EV_SEQ, seq);
	mnl_attr_put_u64(nlh, KSCOPE_A_EV_TIME, 12000000345ULL + seq);
	mnl_attr_put_u8(nlh, KSCOPE_A_EV_CTX, ctx);
	if (comm) {
		mnl_attr_put_u32(nlh, KSCOPE_A_EV_PID, 42);
		mnl_attr_put_u32(nlh, KSCOPE_A_EV_TID, 43);
		mnl_attr_put_strz(nlh, KSCOPE_A_EV_COMM, comm);
	}
	return nlh;
}

int main(int argc, char **argv)
{
	static char buf[65536];
	static const uint8_t v4[16] = {
		[10] = 0xff, [11] = 0xff, 192, 0, 2, 1
	};
	static const uint8_t v6[16] = {
		0x20, 0x01, 0x0d, 0xb8, [15] = 1
	};
	struct watch w = { .srcs = { srcs, 2 } };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	char *p = buf;
	int left;

	opt_json = argc > 1 && !strcmp(argv[1], "--json");
	w.ev.family = 0x20;
	/* --filter C ARG: one of watch's filter options (filter_opt's letter) */
	if (argc > 3 && !strcmp(argv[1], "--filter")) {
		bool bad;

		if (!filter_opt(&w.flt, argv[2][0], argv[3], &bad) || bad) {
			printf("bad filter\n");
			return 1;
		}
	}

	/* two ticks on CPU 0 with one lost in between */
	nlh = put_event(p, 3, 0, 0, 1, KSCOPE_CTX_TASK, "my prog");
	nest = mnl_attr_nest_start(nlh, KSCOPE_A_EV_FIELDS);
	mnl_attr_put_u64(nlh, 1, 1);
	mnl_attr_put_u64(nlh, 2, 7);
	mnl_attr_put_strz(nlh, 3, "abc");
	mnl_attr_nest_end(nlh, nest);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	nlh = put_event(p, 3, 0, 0, 3, KSCOPE_CTX_TASK, "q\"\xff\xc3\xa9");
	nest = mnl_attr_nest_start(nlh, KSCOPE_A_EV_FIELDS);
	mnl_attr_put_u64(nlh, 1, 2);
	mnl_attr_put_u64(nlh, 2, 7);
	mnl_attr_put_strz(nlh, 3, "a b");
	mnl_attr_nest_end(nlh, nest);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	/* softirq: no pid/comm; addresses, signed, hex */
	nlh = put_event(p, 4, 1, 1, 5, KSCOPE_CTX_SOFTIRQ, NULL);
	nest = mnl_attr_nest_start(nlh, KSCOPE_A_EV_FIELDS);
	mnl_attr_put(nlh, 1, 16, v4);
	mnl_attr_put(nlh, 2, 16, v6);
	mnl_attr_put_u64(nlh, 3, (uint64_t)-5);
	mnl_attr_put_u64(nlh, 4, 0xff);
	mnl_attr_nest_end(nlh, nest);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	/* unknown source: raw fields */
	nlh = put_event(p, 9, 2, 1, 1, KSCOPE_CTX_HARDIRQ, NULL);
	nest = mnl_attr_nest_start(nlh, KSCOPE_A_EV_FIELDS);
	mnl_attr_put_u64(nlh, 1, 77);
	mnl_attr_put_strz(nlh, 2, "xyz");
	mnl_attr_nest_end(nlh, nest);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	/* task context: the event's pid and comm replace the header's */
	nlh = put_event(p, 4, 2, 1, 6, KSCOPE_CTX_TASK, "hdr");
	nest = mnl_attr_nest_start(nlh, KSCOPE_A_EV_FIELDS);
	mnl_attr_put_u64(nlh, 1, 7);
	mnl_attr_put_strz(nlh, 2, "x");
	mnl_attr_put_strz(nlh, 3, "own");
	mnl_attr_nest_end(nlh, nest);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	/* a message of another family is ignored */
	nlh = put_event(p, 3, 0, 0, 4, KSCOPE_CTX_NMI, NULL);
	nlh->nlmsg_type = 0x21;
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	/* third tick on CPU 0 (seq 4 -> no gap), CPU 1 has its own seq */
	nlh = put_event(p, 3, 0, 1, 100, KSCOPE_CTX_NMI, NULL);
	p += NLMSG_ALIGN(nlh->nlmsg_len);
	nlh = put_event(p, 3, 0, 0, 4, KSCOPE_CTX_NMI, NULL);
	p += NLMSG_ALIGN(nlh->nlmsg_len);

	left = p - buf;
	for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, left);
	     nlh = mnl_nlmsg_next(nlh, &left))
		handle_event(&w, nlh);
	printf("received %" PRIu64 " gaps %" PRIu64 "\n", w.received, w.gaps);
	if (w.flt.has_pid || w.flt.has_addr || w.flt.comm || w.flt.nr_ports)
		printf("shown %" PRIu64 "\n", w.shown);

	for (left = 0; left < (int)w.nr_seqs; left++)
		free(w.seqs[left].next);
	free(w.seqs);
	return 0;
}
