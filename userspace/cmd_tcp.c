// SPDX-License-Identifier: GPL-2.0
/*
 * kscope tcp: drive the "tcp" source (kscope_tcp.ko).
 *
 *   kscope tcp filter [--port N] [--addr IP] [--netns INUM] [--pid PID]
 *                     [--sample-all|--on-change] [--events LIST] [--clear]
 *   kscope tcp filter --show
 *   kscope tcp flows
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

const struct ks_sub ks_tcp_subs[] = {
	{ "filter", "", (const struct ks_opt[]){
		{ "port", 'p', "N", "flows with this local or remote port (0: any)" },
		{ "addr", 'a', "IP", "flows with this local or remote address, IPv4 or IPv6 (:: or 0.0.0.0: any)" },
		{ "netns", 'n', "INUM", "flows of the network namespace with this inode (0: any)" },
		{ "pid", 'P', "PID", "flows of this process (0: any)" },
		{ "sample-all", 's', NULL, "a congestion sample for every ACK" },
		{ "on-change", 'c', NULL, "a sample only when cwnd or ssthresh changes (the default)" },
		{ "events", 'e', "LIST", "comma-separated event types to build, or 'all' (default: all but state)" },
		{ "clear", 'C', NULL, "reset everything first" },
		{ "show", 'S', NULL, "print the filter (the default without options)" },
		{ NULL } },
	  "choose the flows that produce events and samples, kernel-wide (admin; every reader sees it)" },
	{ "flows", "[interval [count]]", (const struct ks_opt[]){
		{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
		{ NULL } },
	  "the flow table, one flow per line: addresses, netns, process, age, cwnd, ssthresh, srtt, windows, in flight (admin: flows name other users' processes); with an interval, the table again every interval" },
	{ NULL }
};

static int tcp_err(const char *fmt, const char *arg)
{
	return ks_sub_usage_error("tcp", "filter", fmt, arg);
}

/* Event type names to a mask, with the source's own schema. */
static int events_mask(struct ks_nl *nl, const char *list, uint32_t *mask)
{
	struct ks_sources s = { .n = 0 };
	char *dup, *tok, *save = NULL;
	unsigned int i;
	int err;

	err = ks_sources_fetch(nl, "tcp", &s);
	if (err) {
		ks_nl_report_source(nl, "tcp filter", "tcp", err);
		return 1;
	}
	*mask = 0;
	dup = strdup(list);
	if (!dup) {
		ks_sources_free(&s);
		return 1;
	}
	for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool found = false;

		for (i = 0; s.n && i < s.v[0].nr_evtypes; i++) {
			const struct ks_evtype *et = &s.v[0].evtypes[i];

			if (!strcmp(tok, "all") || !strcmp(tok, et->name)) {
				*mask |= 1u << et->id;
				found = true;
			}
		}
		if (!found) {
			err = tcp_err("unknown event type '%s'", tok);
			break;
		}
	}
	free(dup);
	ks_sources_free(&s);
	return err;
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl, *b;
	char addr[INET6_ADDRSTRLEN] = "::";
	uint32_t netns = 0, pid = 0, events = 0;
	uint16_t port = 0;
	uint8_t all = 0;

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_TCP_PORT:
			port = mnl_attr_get_u16(b);
			break;
		case KSCOPE_TCP_ADDR:
			if (mnl_attr_get_payload_len(b) == 16)
				inet_ntop(AF_INET6,
					  mnl_attr_get_payload(b),
					  addr, sizeof(addr));
			break;
		case KSCOPE_TCP_NETNS:
			netns = mnl_attr_get_u32(b);
			break;
		case KSCOPE_TCP_PID:
			pid = mnl_attr_get_u32(b);
			break;
		case KSCOPE_TCP_SAMPLE_ALL:
			all = mnl_attr_get_u8(b);
			break;
		case KSCOPE_TCP_EVENTS:
			events = mnl_attr_get_u32(b);
			break;
		}
	}
	if (opt_json) {
		ks_json_begin("tcp_filter");
		printf(",\"port\":%u,\"addr\":\"%s\",\"netns\":%u,\"pid\":%u,"
		       "\"sample_all\":%u,\"events\":%u}\n", port, addr, netns,
		       pid, all, events);
	} else {
		printf("port %u\naddr %s\nnetns %u\npid %u\nsample_all %u\n"
		       "events 0x%x\n", port, addr, netns, pid, all, events);
	}
	return 0;
}

static int tcp_filter(int argc, char **argv)
{
	bool has_port = false, has_addr = false, has_netns = false;
	bool has_pid = false, clear = false, show = false;
	int sample = -1, c, err, status = 1;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint64_t port = 0, netns = 0, pid = 0;
	const char *events = NULL;
	uint32_t evmask = 0;
	struct in6_addr addr;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;

	while ((c = ks_getopt(argc, argv, "tcp", "filter", &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'p':
			if (!ks_parse_u64(optarg, &port) || port > 65535)
				return tcp_err("bad port '%s'", optarg);
			has_port = true;
			break;
		case 'a':
			if (!ks_parse_addr6(optarg, &addr))
				return tcp_err("bad address '%s'", optarg);
			has_addr = true;
			break;
		case 'n':
			if (!ks_parse_u64(optarg, &netns) || netns > UINT32_MAX)
				return tcp_err("bad netns '%s'", optarg);
			has_netns = true;
			break;
		case 'P':
			if (!ks_parse_u64(optarg, &pid) || pid > UINT32_MAX)
				return tcp_err("bad pid '%s'", optarg);
			has_pid = true;
			break;
		case 's':
			sample = 1;
			break;
		case 'c':
			sample = 0;
			break;
		case 'C':
			clear = true;
			break;
		case 'e':
			events = optarg;
			break;
		case 'S':
			show = true;
			break;
		}
	}
	if (optind < argc)
		return tcp_err("unexpected argument '%s'", argv[optind]);
	if (show && (has_port || has_addr || has_netns || has_pid || clear ||
		     sample >= 0 || events))
		return tcp_err("%s", "--show takes no other option");
	if (!show && !(has_port || has_addr || has_netns || has_pid || clear ||
		       sample >= 0 || events))
		show = true;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	if (events) {
		err = events_mask(&nl, events, &evmask);
		if (err) {
			status = err;
			goto out;
		}
	}
	nlh = ks_nl_msg(&nl, buf, show ? KSCOPE_CMD_CTL_GET : KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "tcp");
	if (clear)
		mnl_attr_put(nlh, KSCOPE_TCP_CLEAR, 0, NULL);
	if (has_port)
		mnl_attr_put_u16(nlh, KSCOPE_TCP_PORT, (uint16_t)port);
	if (has_addr)
		mnl_attr_put(nlh, KSCOPE_TCP_ADDR, sizeof(addr), &addr);
	if (has_netns)
		mnl_attr_put_u32(nlh, KSCOPE_TCP_NETNS, (uint32_t)netns);
	if (has_pid)
		mnl_attr_put_u32(nlh, KSCOPE_TCP_PID, (uint32_t)pid);
	if (sample >= 0)
		mnl_attr_put_u8(nlh, KSCOPE_TCP_SAMPLE_ALL, (uint8_t)sample);
	if (events)
		mnl_attr_put_u32(nlh, KSCOPE_TCP_EVENTS, evmask);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, show ? show_cb : NULL, NULL);
	if (err) {
		ks_nl_report_source(&nl, "tcp filter", "tcp", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

struct flow_row {
	uint16_t family, sport, dport;
	char saddr[INET6_ADDRSTRLEN], daddr[INET6_ADDRSTRLEN];
	uint32_t netns, pid;
	const char *comm;
	uint64_t age_ms, samples;
	bool sampled;
	uint32_t cwnd, ssthresh, srtt_us, snd_wnd, rcv_wnd, inflight;
	int32_t sndbuf, wmem_queued;
};

/* As the kernel prints it: IPv4 from its mapped form, IPv6 compressed. */
static void flow_addr(const struct nlattr *b, uint16_t family, char *out)
{
	const uint8_t *a = mnl_attr_get_payload(b);

	if (mnl_attr_get_payload_len(b) != 16)
		return;
	if (family == AF_INET)
		inet_ntop(AF_INET, a + 12, out, INET6_ADDRSTRLEN);
	else
		inet_ntop(AF_INET6, a, out, INET6_ADDRSTRLEN);
}

static void flow_parse(const struct nlattr *nest, struct flow_row *f)
{
	const struct nlattr *b, *sa = NULL, *da = NULL;

	memset(f, 0, sizeof(*f));
	f->comm = "";
	mnl_attr_for_each_nested(b, nest) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_TCP_FAMILY: f->family = mnl_attr_get_u16(b); break;
		case KSCOPE_TCP_SADDR: sa = b; break;
		case KSCOPE_TCP_DADDR: da = b; break;
		case KSCOPE_TCP_SPORT: f->sport = mnl_attr_get_u16(b); break;
		case KSCOPE_TCP_DPORT: f->dport = mnl_attr_get_u16(b); break;
		case KSCOPE_TCP_NETNS: f->netns = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_PID: f->pid = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_COMM: f->comm = mnl_attr_get_str(b); break;
		case KSCOPE_TCP_AGE_MS: f->age_ms = mnl_attr_get_u64(b); break;
		case KSCOPE_TCP_SAMPLES: f->samples = mnl_attr_get_u64(b); break;
		case KSCOPE_TCP_CWND:
			f->cwnd = mnl_attr_get_u32(b);
			f->sampled = true;
			break;
		case KSCOPE_TCP_SSTHRESH: f->ssthresh = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_SRTT_US: f->srtt_us = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_SND_WND: f->snd_wnd = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_RCV_WND: f->rcv_wnd = mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_SNDBUF: f->sndbuf = (int32_t)mnl_attr_get_u32(b); break;
		case KSCOPE_TCP_WMEM_QUEUED:
			f->wmem_queued = (int32_t)mnl_attr_get_u32(b);
			break;
		case KSCOPE_TCP_INFLIGHT: f->inflight = mnl_attr_get_u32(b); break;
		}
	}
	if (sa)
		flow_addr(sa, f->family, f->saddr);
	if (da)
		flow_addr(da, f->family, f->daddr);
}

/* the debugfs flows line; JSON: one object per flow */
static void flow_print(const struct flow_row *f)
{
	bool v4 = f->family == AF_INET;

	if (opt_json) {
		ks_json_begin("tcp_flow");
		printf(",\"family\":\"%s\",\"saddr\":\"%s\",\"sport\":%u,"
		       "\"daddr\":\"%s\",\"dport\":%u,\"netns\":%u,\"pid\":%u,"
		       "\"comm\":", v4 ? "ipv4" : "ipv6", f->saddr, f->sport,
		       f->daddr, f->dport, f->netns, f->pid);
		if (f->pid)
			json_str(stdout, f->comm);
		else
			printf("null");
		printf(",\"age_ms\":%" PRIu64 ",\"samples\":%" PRIu64,
		       f->age_ms, f->samples);
		if (f->sampled)
			printf(",\"cwnd\":%u,\"ssthresh\":%u,\"srtt_us\":%u,"
			       "\"snd_wnd\":%u,\"rcv_wnd\":%u,\"sndbuf\":%d,"
			       "\"wmem_queued\":%d,\"inflight\":%u", f->cwnd,
			       f->ssthresh, f->srtt_us, f->snd_wnd, f->rcv_wnd,
			       f->sndbuf, f->wmem_queued, f->inflight);
		printf("}\n");
		return;
	}
	if (v4)
		printf("ipv4 %s:%u %s:%u", f->saddr, f->sport, f->daddr,
		       f->dport);
	else
		printf("ipv6 [%s]:%u [%s]:%u", f->saddr, f->sport, f->daddr,
		       f->dport);
	printf(" netns %u pid %u comm %s age_ms %" PRIu64, f->netns, f->pid,
	       f->pid ? f->comm : "-", f->age_ms);
	if (f->sampled)
		printf(" samples %" PRIu64 " cwnd %u ssthresh %u srtt_us %u"
		       " snd_wnd %u rcv_wnd %u sndbuf %d wmem_queued %d"
		       " inflight %u\n", f->samples, f->cwnd, f->ssthresh,
		       f->srtt_us, f->snd_wnd, f->rcv_wnd, f->sndbuf,
		       f->wmem_queued, f->inflight);
	else
		printf(" samples 0\n");
}

static int flows_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl, *b;
	struct flow_row f;

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) != KSCOPE_TCP_FLOW)
			continue;
		flow_parse(b, &f);
		flow_print(&f);
	}
	return 0;
}

/* The flow table a page at a time (admin: flows name other users' pids). */
static int flows_sample(void *arg)
{
	(void)arg;
	return ks_source_pages("tcp", KSCOPE_TCP_CURSOR, 0, flows_cb, NULL,
			       "tcp flows");
}

static int tcp_flows(int argc, char **argv)
{
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "tcp", "flows", &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	status = ks_ival_args(argc, argv, optind, &end, "tcp", "flows");
	if (status)
		return status;
	if (optind < end)
		return ks_sub_usage_error("tcp", "flows", "unexpected argument '%s'",
					  argv[optind]);
	return ks_ival_run(flows_sample, NULL);
}

int cmd_tcp(int argc, char **argv)
{
	if (argc < 2)
		return ks_usage_error("tcp", "expects a subcommand: filter, flows");
	if (!strcmp(argv[1], "filter"))
		return tcp_filter(argc - 1, argv + 1);
	if (!strcmp(argv[1], "flows"))
		return tcp_flows(argc - 1, argv + 1);
	return ks_usage_error("tcp", "unknown subcommand '%s'", argv[1]);
}
