// SPDX-License-Identifier: GPL-2.0
/*
 * kscope status: every kernel-wide setting that is not at its default, so
 * that nothing an admin set (a filter, a threshold, a probe, a device, an
 * XDP program) stays in force unseen. Each loaded source is asked with
 * the same read requests its own command sends; the defaults are the
 * modules' (a filter that matches everything, a threshold of 0).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "kscope.h"

#define KSCOPE_DEBUGFS_DIR	"/sys/kernel/debug/kscope"

void ks_xdp_stats_add(struct ks_stats_list *l);	/* cmd_net.c */

static unsigned int nr_lines;

/* one setting: "SOURCE NAME VALUE", or a "status" line */
static void status_line(const char *source, const char *name, const char *str,
			uint64_t val)
{
	nr_lines++;
	if (opt_json) {
		ks_json_begin("status");
		fputs(",\"source\":", stdout);
		json_str(stdout, source);
		fputs(",\"name\":", stdout);
		json_str(stdout, name);
		fputs(",\"value\":", stdout);
		if (str)
			json_str(stdout, str);
		else
			printf("%" PRIu64, val);
		fputs("}\n", stdout);
		return;
	}
	printf("%-6s %-20s ", source, name);
	if (str)
		text_word(stdout, str);
	else
		printf("%" PRIu64, val);
	putchar('\n');
}

/* A scalar setting of a source's read reply, and its default. */
struct setting {
	uint16_t attr;
	const char *name;
	char kind;		/* 'u': unsigned of any width, 's': string, 'a': address */
	uint64_t def;
};

struct source_settings {
	const char *source;
	const struct setting *s;
	unsigned int n;
	uint64_t events_def;	/* tcp: the event mask's default */
};

static const struct setting sched_settings[] = {
	{ KSCOPE_SCHED_PID, "filter.pid", 'u', 0 },
	{ KSCOPE_SCHED_COMM, "filter.comm", 's', 0 },
	{ KSCOPE_SCHED_CGROUP, "filter.cgroup", 'u', 0 },
};

static const struct setting tcp_settings[] = {
	{ KSCOPE_TCP_PORT, "filter.port", 'u', 0 },
	{ KSCOPE_TCP_ADDR, "filter.addr", 'a', 0 },
	{ KSCOPE_TCP_NETNS, "filter.netns", 'u', 0 },
	{ KSCOPE_TCP_PID, "filter.pid", 'u', 0 },
	{ KSCOPE_TCP_SAMPLE_ALL, "filter.sample_all", 'u', 0 },
	{ KSCOPE_TCP_EVENTS, "filter.events", 'u', 0 },	/* default: the schema's */
};

static const struct setting vfs_settings[] = {
	{ KSCOPE_VFS_SLOW_US, "slow_us", 'u', 0 },
	{ KSCOPE_VFS_PID, "filter.pid", 'u', 0 },
	{ KSCOPE_VFS_TOP, "top", 'u', 0 },
};

static const struct setting mem_settings[] = {
	{ KSCOPE_MEM_HIGH_ORDER, "high_order", 'u', 0 },
};

static uint64_t attr_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	}
	return 0;
}

static int settings_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct source_settings *ss = data;
	const struct nlattr *ctl = ks_reply_ctl(nlh), *a;
	static const uint8_t any[16];
	char addr[INET6_ADDRSTRLEN];
	unsigned int i;
	uint64_t v;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(a, ctl) {
		for (i = 0; i < ss->n; i++) {
			const struct setting *s = &ss->s[i];

			if (mnl_attr_get_type(a) != s->attr)
				continue;
			if (s->kind == 's') {
				if (!mnl_attr_validate(a, MNL_TYPE_NUL_STRING) &&
				    *mnl_attr_get_str(a))
					status_line(ss->source, s->name,
						    mnl_attr_get_str(a), 0);
			} else if (s->kind == 'a') {
				if (mnl_attr_get_payload_len(a) != 16 ||
				    !memcmp(mnl_attr_get_payload(a), any, 16))
					continue;
				inet_ntop(AF_INET6, mnl_attr_get_payload(a),
					  addr, sizeof(addr));
				status_line(ss->source, s->name, addr, 0);
			} else {
				v = attr_uint(a);
				if (v != (s->attr == KSCOPE_TCP_EVENTS &&
					  ss->s == tcp_settings ? ss->events_def : s->def))
					status_line(ss->source, s->name, NULL, v);
			}
		}
	}
	return 0;
}

/* the read request each source's own command sends: CTL_GET, an empty nest */
static int read_reply(const char *source, ks_reply_fn fn, void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	int err, sz = 1 << 20;

	err = ks_nl_connect(&nl);
	if (!err) {
		/* blk's devices may come in many messages */
		setsockopt(mnl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUF,
			   &sz, sizeof(sz));
		nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL_GET, 0);
		nest = ks_nl_ctl_start(nlh, source);
		mnl_attr_nest_end(nlh, nest);
		err = ks_nl_talk(&nl, nlh, fn, data);
	}
	if (err)
		ks_nl_report_source(&nl, "status", source, err);
	ks_nl_close(&nl);
	return err ? 1 : 0;
}

/* probes: each one is a kernel-wide setting */
static int probe_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *e, *a;
	char name[32];

	(void)data;
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(e, ctl) {
		const char *sym = NULL;
		uint32_t id = 0;

		if (mnl_attr_get_type(e) != KSCOPE_PROBE_ENTRY)
			continue;
		mnl_attr_for_each_nested(a, e) {
			if (mnl_attr_get_type(a) == KSCOPE_PROBE_ID)
				id = mnl_attr_get_u32(a);
			else if (mnl_attr_get_type(a) == KSCOPE_PROBE_SYMBOL &&
				 !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				sym = mnl_attr_get_str(a);
		}
		snprintf(name, sizeof(name), "probe.%u", id);
		status_line("probe", name, sym ? sym : "?", 0);
	}
	return 0;
}

/* blk: its devices, and their slow-request thresholds */
static int blk_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *d, *a;
	static char last[64];
	char name[96];

	(void)data;
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(d, ctl) {
		const char *dev = NULL;
		uint64_t slow = 0;

		if (mnl_attr_get_type(d) != KSCOPE_BLK_DEVICE)
			continue;
		mnl_attr_for_each_nested(a, d) {
			if (mnl_attr_get_type(a) == KSCOPE_BLK_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				dev = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == KSCOPE_BLK_SLOW_NS)
				slow = attr_uint(a);
		}
		if (!dev)
			continue;
		/* a device that comes in several nests: once */
		if (!strcmp(dev, last))
			continue;
		snprintf(last, sizeof(last), "%s", dev);
		snprintf(name, sizeof(name), "device.%s", dev);
		status_line("blk", name, "present", 0);
		if (slow) {
			snprintf(name, sizeof(name), "device.%s.slow_ns", dev);
			status_line("blk", name, NULL, slow);
		}
	}
	return 0;
}

/* kscope_net's echo responder: debugfs only (root), "netns N echo on ..." */
static void net_echo(void)
{
	const char *root = getenv("KSCOPE_DEBUGFS");
	char path[4096], line[256], name[48];
	unsigned int ns;
	FILE *f;

	if (!root || !*root)
		root = KSCOPE_DEBUGFS_DIR;
	snprintf(path, sizeof(path), "%s/net/echo", root);
	f = fopen(path, "re");
	if (!f) {
		ks_err("status: %s: %s: the echo responder's state is not known",
		       path, strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "netns %u echo on", &ns) != 1 ||
		    !strstr(line, "echo on"))
			continue;
		line[strcspn(line, "\n")] = '\0';
		snprintf(name, sizeof(name), "echo.netns.%u", ns);
		status_line("net", name, strstr(line, "echo on") + 5, 0);
	}
	fclose(f);
}

static bool loaded(const struct ks_sources *s, const char *name)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (!strcmp(s->v[i].name, name))
			return true;
	return false;
}

/* tcp's default event mask: every type but state (modules/tcp) */
static uint64_t tcp_events_default(const struct ks_sources *s)
{
	uint64_t mask = 0;
	unsigned int i, j;

	for (i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].name, "tcp"))
			continue;
		for (j = 0; j < s->v[i].nr_evtypes; j++)
			if (strcmp(s->v[i].evtypes[j].name, "state"))
				mask |= 1ULL << s->v[i].evtypes[j].id;
	}
	return mask;
}

int cmd_status(int argc, char **argv)
{
	struct source_settings ss[] = {
		{ "sched", sched_settings, ARRAY_SIZE(sched_settings) },
		{ "tcp", tcp_settings, ARRAY_SIZE(tcp_settings) },
		{ "vfs", vfs_settings, ARRAY_SIZE(vfs_settings) },
		{ "mem", mem_settings, ARRAY_SIZE(mem_settings) },
	};
	struct ks_stats_list xdp = { .n = 0 };
	struct ks_sources srcs = { .n = 0 };
	struct ks_nl nl;
	unsigned int i;
	int c, err, status = 0;

	while ((c = ks_getopt(argc, argv, "status", NULL, &status)) != -1)
		if (c == KS_OPT_EXIT)
			return status;
	if (optind < argc)
		return ks_usage_error("status", "unexpected argument '%s'",
				      argv[optind]);
	err = ks_nl_connect(&nl);
	if (!err)
		err = ks_sources_fetch(&nl, NULL, &srcs);
	if (err) {
		if (err == -ENOENT || err == -EPROTO)
			ks_nl_connect_report(&nl, err);
		else
			ks_nl_report(&nl, "status", err);
		ks_nl_close(&nl);
		return 1;
	}
	ks_nl_close(&nl);
	for (i = 0; i < ARRAY_SIZE(ss); i++) {
		if (!loaded(&srcs, ss[i].source))
			continue;
		if (ss[i].s == tcp_settings)
			ss[i].events_def = tcp_events_default(&srcs);
		status |= read_reply(ss[i].source, settings_cb, &ss[i]);
	}
	if (loaded(&srcs, "probe"))
		status |= ks_source_pages("probe", KSCOPE_PROBE_ID, 1, probe_cb,
					  NULL, "status");
	if (loaded(&srcs, "blk"))
		status |= read_reply("blk", blk_cb, NULL);
	if (loaded(&srcs, "net"))
		net_echo();
	ks_xdp_stats_add(&xdp);
	for (i = 0; i < xdp.n; i++)
		status_line("xdp", xdp.v[i].source, "attached", 0);
	ks_stats_list_free(&xdp);
	ks_sources_free(&srcs);
	if (!status && !nr_lines && !opt_json)
		printf("every kernel-wide setting of the loaded modules is at its default\n");
	return status;
}
