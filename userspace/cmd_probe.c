// SPDX-License-Identifier: GPL-2.0
/*
 * kscope probe: drive the "probe" source (kscope_probe.ko).
 *
 *   kscope probe add SYMBOL [--ret] [--latency] [--events] [--kretprobe]
 *   kscope probe del ID|SYMBOL
 *   kscope probe list
 *   kscope probe latency      (histograms)
 *
 * The module resolves names (suffixed variants, ambiguity) itself; its
 * error message names the symbol.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

static const struct ks_opt ival_opts[] = {
	{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
	{ NULL }
};

const struct ks_sub ks_probe_subs[] = {
	{ "add", "SYMBOL", (const struct ks_opt[]){
		{ "ret", 'r', NULL, "count returns too (an fprobe where ftrace can hook the function and the kernel has fprobes, else a kretprobe)" },
		{ "latency", 'l', NULL, "keep an entry->return latency histogram (implies --ret)" },
		{ "events", 'e', NULL, "send one event per hit (kscope watch probe)" },
		{ "kretprobe", 'k', NULL, "with --ret or --latency: a kretprobe even where an fprobe could serve (slower; for comparison)" },
		{ NULL } },
	  "probe a kernel function (admin); refused on kscope's own functions and on those its event channel calls (an event there would re-enter the channel)" },
	{ "del", "ID|SYMBOL", NULL, "remove one probe by id, or every probe on SYMBOL (admin)" },
	{ "list", "[interval [count]]", ival_opts, "probes with their hits, returns and nmissed; with an interval, each interval's" },
	{ "latency", "[interval [count]]", ival_opts, "the entry->return latency histograms of --latency probes, nsecs; with an interval, each interval's" },
	{ NULL }
};

static int probe_err(const char *sub, const char *fmt, const char *arg)
{
	return ks_sub_usage_error("probe", sub, fmt, arg);
}

struct probe_row {
	uint32_t id, flags;
	const char *sym, *resolved, *mech;
	uint64_t hits, returns, nmissed;
	struct ks_hist hist;
	bool has_hist;
};

/* "probe latency": the list's pages, drawing each latency histogram */
static bool list_latency;

static void row_parse(const struct nlattr *nest, struct probe_row *r)
{
	const struct nlattr *b;

	memset(r, 0, sizeof(*r));
	r->sym = r->resolved = "";
	r->mech = "-";
	mnl_attr_for_each_nested(b, nest) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_PROBE_ID:
			r->id = mnl_attr_get_u32(b);
			break;
		case KSCOPE_PROBE_FLAGS:
			r->flags = mnl_attr_get_u32(b);
			break;
		case KSCOPE_PROBE_SYMBOL:
			r->sym = mnl_attr_get_str(b);
			break;
		case KSCOPE_PROBE_RESOLVED:
			r->resolved = mnl_attr_get_str(b);
			break;
		case KSCOPE_PROBE_MECH:
			r->mech = mnl_attr_get_str(b);
			break;
		case KSCOPE_PROBE_HITS:
			r->hits = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_RETURNS:
			r->returns = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_NMISSED:
			r->nmissed = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_HIST:
			r->has_hist = !ks_hist_parse(b, &r->hist);
			break;
		}
	}
}

static void flags_str(uint32_t f, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", f & KSCOPE_PROBE_F_RET ? "ret," : "",
		 f & KSCOPE_PROBE_F_LATENCY ? "latency," : "",
		 f & KSCOPE_PROBE_F_EVENTS ? "events," : "",
		 f & KSCOPE_PROBE_F_KRETPROBE ? "kretprobe," : "");
	if (buf[0])
		buf[strlen(buf) - 1] = 0;
	else
		snprintf(buf, len, "-");
}

static int add_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl;
	struct probe_row r;

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	row_parse(ctl, &r);
	if (opt_json) {
		ks_json_begin("probe");
		printf(",\"id\":%u,\"symbol\":", r.id);
		json_str(stdout, r.sym);
		printf(",\"resolved\":");
		json_str(stdout, r.resolved);
		printf(",\"mech\":");
		json_str(stdout, r.mech);
		printf("}\n");
	} else {
		printf("probe %u on %s (%s)\n", r.id, r.resolved, r.mech);
	}
	return 0;
}

/* interval mode: a probe's counts and histogram since the last read */
static void probe_delta(struct probe_row *r)
{
	uint64_t v[] = { r->hits, r->returns, r->nmissed };
	char key[32];

	snprintf(key, sizeof(key), "probe %u", r->id);
	ks_delta(key, v, ARRAY_SIZE(v), r->has_hist ? &r->hist : NULL);
	r->hits = v[0];
	r->returns = v[1];
	r->nmissed = v[2];
}

/* one page of the list (ks_source_pages() takes the next page's id) */
static int list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl, *b;
	struct probe_row r;
	char fl[32];

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) != KSCOPE_PROBE_ENTRY)
			continue;
		row_parse(b, &r);
		probe_delta(&r);
		flags_str(r.flags, fl, sizeof(fl));
		if (list_latency && !r.has_hist)
			continue;
		if (list_latency && !opt_json) {
			printf("id %u symbol %s resolved %s\n", r.id, r.sym,
			       r.resolved);
			ks_hist_print(stdout, &r.hist);
		} else if (opt_json) {
			ks_json_begin("probe");
			printf(",\"id\":%u,\"symbol\":", r.id);
			json_str(stdout, r.sym);
			printf(",\"resolved\":");
			json_str(stdout, r.resolved);
			printf(",\"mech\":");
			json_str(stdout, r.mech);
			printf(",\"flags\":\"%s\",\"hits\":%" PRIu64
			       ",\"returns\":%" PRIu64 ",\"nmissed\":%"
			       PRIu64, fl, r.hits, r.returns, r.nmissed);
			if (r.has_hist) {
				printf(",\"hist\":");
				ks_hist_json(stdout, &r.hist);
			}
			printf("}\n");
		} else {
			printf("%u %s %s %s %s hits %" PRIu64 " returns %"
			       PRIu64 " nmissed %" PRIu64 "\n", r.id,
			       r.sym, r.resolved, fl, r.mech, r.hits,
			       r.returns, r.nmissed);
		}
	}
	return 0;
}

static int probe_talk(const char *op, int nlcmd, uint8_t kop, const char *sym,
		      uint32_t id, uint32_t flags, ks_reply_fn fn)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	int err, status = 1;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, nlcmd, 0);
	nest = ks_nl_ctl_start(nlh, "probe");
	if (kop)
		mnl_attr_put_u8(nlh, KSCOPE_PROBE_OP, kop);
	if (sym)
		mnl_attr_put_strz(nlh, KSCOPE_PROBE_SYMBOL, sym);
	if (id)
		mnl_attr_put_u32(nlh, KSCOPE_PROBE_ID, id);
	if (flags)
		mnl_attr_put_u32(nlh, KSCOPE_PROBE_FLAGS, flags);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, fn, NULL);
	if (err) {
		ks_nl_report(&nl, op, err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/*
 * The module answers a page at a time (a u16 netlink attribute holds 64
 * KiB: a few hundred probes), each naming the id the next one starts at.
 */
static int probe_list(void *arg)
{
	(void)arg;
	return ks_source_pages("probe", KSCOPE_PROBE_ID, 1, list_cb, NULL,
			       "probe list");
}

static int probe_add(int argc, char **argv)
{
	uint32_t flags = 0;
	int c, status;

	while ((c = ks_getopt(argc, argv, "probe", "add", &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'r':
			flags |= KSCOPE_PROBE_F_RET;
			break;
		case 'l':
			flags |= KSCOPE_PROBE_F_RET | KSCOPE_PROBE_F_LATENCY;
			break;
		case 'e':
			flags |= KSCOPE_PROBE_F_EVENTS;
			break;
		case 'k':
			flags |= KSCOPE_PROBE_F_KRETPROBE;
			break;
		}
	}
	if (optind != argc - 1)
		return probe_err("add", "%s", "takes one SYMBOL");
	if ((flags & KSCOPE_PROBE_F_KRETPROBE) && !(flags & KSCOPE_PROBE_F_RET))
		return probe_err("add", "%s", "--kretprobe needs --ret or --latency");
	return probe_talk("probe add", KSCOPE_CMD_CTL, KSCOPE_PROBE_OP_ADD,
			  argv[optind], 0, flags, add_cb);
}

static int probe_del(int argc, char **argv)
{
	uint64_t id;
	int c, status;

	while ((c = ks_getopt(argc, argv, "probe", "del", &status)) != -1)
		if (c == KS_OPT_EXIT)
			return status;
	if (argc - optind != 1)
		return probe_err("del", "%s", "takes one ID or SYMBOL");
	if (ks_parse_u64(argv[optind], &id)) {
		if (!id || id > UINT32_MAX)
			return probe_err("del", "bad probe id '%s'", argv[optind]);
		return probe_talk("probe del", KSCOPE_CMD_CTL,
				  KSCOPE_PROBE_OP_DEL, NULL, (uint32_t)id, 0,
				  NULL);
	}
	return probe_talk("probe del", KSCOPE_CMD_CTL, KSCOPE_PROBE_OP_DEL,
			  argv[optind], 0, 0, NULL);
}

/* list and latency: no options, no arguments */
static int probe_show(int argc, char **argv, bool latency)
{
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "probe", argv[0], &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	status = ks_ival_args(argc, argv, optind, &end, "probe", argv[0]);
	if (status)
		return status;
	if (optind < end)
		return probe_err(argv[0], "unexpected argument '%s'", argv[optind]);
	list_latency = latency;
	return ks_ival_run(probe_list, NULL);
}

int cmd_probe(int argc, char **argv)
{
	if (argc < 2)
		return ks_usage_error("probe", "expects a subcommand: add, del, list, latency");
	if (!strcmp(argv[1], "add"))
		return probe_add(argc - 1, argv + 1);
	if (!strcmp(argv[1], "del"))
		return probe_del(argc - 1, argv + 1);
	if (!strcmp(argv[1], "list"))
		return probe_show(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "latency"))
		return probe_show(argc - 1, argv + 1, true);
	return ks_usage_error("probe", "unknown subcommand '%s'", argv[1]);
}
