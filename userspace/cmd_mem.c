// SPDX-License-Identifier: GPL-2.0
/*
 * kscope mem: drive the "mem" source (kscope_mem.ko).
 *
 *   kscope mem high-order N   events for allocations of order >= N (0 = off)
 *   kscope mem show           free lists, fragmentation index, slow path
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

const struct ks_sub ks_mem_subs[] = {
	{ "high-order", "N", NULL,
	  "an event for every allocation of order N and above; 0 turns them off (admin; every reader sees it)" },
	{ "show", "[interval [count]]", (const struct ks_opt[]){
		{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
		{ NULL } },
	  "free blocks per zone and order, the fragmentation index x1000 (-1000: a block of that order is free), the slow path's latency histogram; for an admin also the free blocks per migrate type (a walk of the free lists under the zone lock, as root-only /proc/pagetypeinfo); with an interval, the free lists as they are and each interval's slow-path histogram" },
	{ NULL }
};

#define MAX_ORDERS	32
#define MAX_MTS		16

/* free blocks per migrate type, for one zone */
struct mt_free {
	unsigned int n;
	const char *name[MAX_MTS];
	uint64_t free[MAX_MTS][MAX_ORDERS];
};

static void mt_add(struct mt_free *mf, const struct nlattr *m, uint32_t order)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint64_t f = 0;
	unsigned int i;

	mnl_attr_for_each_nested(a, m) {
		if (mnl_attr_get_type(a) == KSCOPE_MEM_MT_NAME)
			name = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == KSCOPE_MEM_FREE)
			f = mnl_attr_get_u64(a);
	}
	if (!name || order >= MAX_ORDERS)
		return;
	for (i = 0; i < mf->n && strcmp(mf->name[i], name); i++)
		;
	if (i == mf->n) {
		if (mf->n == MAX_MTS)
			return;
		mf->name[mf->n++] = name;
	}
	mf->free[i][order] = f;
}

static void print_zone(const struct nlattr *zn)
{
	uint64_t nfree[MAX_ORDERS] = { 0 };
	int32_t frag[MAX_ORDERS] = { 0 };
	const struct nlattr *a, *o;
	struct mt_free mf = { 0 };
	const char *name = "?";
	unsigned int n = 0, i, t;
	uint32_t node = 0;

	mnl_attr_for_each_nested(a, zn) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_MEM_NODE:
			node = mnl_attr_get_u32(a);
			break;
		case KSCOPE_MEM_ZONE_NAME:
			name = mnl_attr_get_str(a);
			break;
		case KSCOPE_MEM_ORDER: {
			uint32_t nr = MAX_ORDERS;
			uint64_t f = 0;
			int32_t fr = 0;

			/* ORDER_NR comes first */
			mnl_attr_for_each_nested(o, a) {
				switch (mnl_attr_get_type(o)) {
				case KSCOPE_MEM_ORDER_NR:
					nr = mnl_attr_get_u32(o);
					break;
				case KSCOPE_MEM_FREE:
					f = mnl_attr_get_u64(o);
					break;
				case KSCOPE_MEM_FRAG:
					fr = (int32_t)mnl_attr_get_u32(o);
					break;
				case KSCOPE_MEM_MT_FREE:
					mt_add(&mf, o, nr);
					break;
				}
			}
			if (nr < MAX_ORDERS) {
				nfree[nr] = f;
				frag[nr] = fr;
				if (nr + 1 > n)
					n = nr + 1;
			}
			break;
		}
		}
	}
	if (opt_json) {
		ks_json_begin("mem_zone");
		printf(",\"node\":%u,\"zone\":", node);
		json_str(stdout, name);
		printf(",\"free\":[");
		for (i = 0; i < n; i++)
			printf("%s%" PRIu64, i ? "," : "", nfree[i]);
		printf("],\"frag\":[");
		for (i = 0; i < n; i++)
			printf("%s%d", i ? "," : "", frag[i]);
		printf("]");
		/* only in an admin's reply */
		if (mf.n) {
			printf(",\"types\":{");
			for (t = 0; t < mf.n; t++) {
				printf("%s", t ? "," : "");
				json_str(stdout, mf.name[t]);
				printf(":[");
				for (i = 0; i < n; i++)
					printf("%s%" PRIu64, i ? "," : "",
					       mf.free[t][i]);
				printf("]");
			}
			printf("}");
		}
		printf("}\n");
		return;
	}
	printf("node %u zone %-8s free", node, name);
	for (i = 0; i < n; i++)
		printf(" %6" PRIu64, nfree[i]);
	printf("\n%22s frag", "");
	for (i = 0; i < n; i++)
		printf(" %6d", frag[i]);
	putchar('\n');
	for (t = 0; t < mf.n; t++) {
		printf("%16s%-11s", "", mf.name[t]);
		for (i = 0; i < n; i++)
			printf(" %6" PRIu64, mf.free[t][i]);
		putchar('\n');
	}
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl, *b;
	struct ks_hist h;

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_MEM_HIGH_ORDER:
			if (ks_ival.secs)
				break;	/* a setting: not every interval */
			if (opt_json)
				ks_json_setting("mem", "high_order",
						mnl_attr_get_u32(b));
			else
				printf("high_order %u\n", mnl_attr_get_u32(b));
			break;
		case KSCOPE_MEM_ZONE:
			print_zone(b);
			break;
		case KSCOPE_MEM_SLOW_HIST:
			if (ks_hist_parse(b, &h)) {
				ks_err("mem: malformed slow-path histogram");
				return -EPROTO;
			}
			ks_delta("mem/slowpath", NULL, 0, &h);
			if (opt_json) {
				ks_hist_line("mem", "slowpath", &h);
			} else {
				printf("slow path latency: %" PRIu64 " calls\n",
				       h.count);
				ks_hist_print(stdout, &h);
			}
			break;
		}
	}
	return 0;
}

/* @order NULL: show; else set the high-order threshold */
static int mem_talk(void *order)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	bool get = !order;
	int err;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		ks_nl_close(&nl);
		return 1;
	}
	nlh = ks_nl_msg(&nl, buf, get ? KSCOPE_CMD_CTL_GET : KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "mem");
	if (!get)
		mnl_attr_put_u32(nlh, KSCOPE_MEM_HIGH_ORDER,
				 (uint32_t)*(uint64_t *)order);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, get ? show_cb : NULL, NULL);
	if (err)
		ks_nl_report_source(&nl, get ? "mem show" : "mem high-order",
				    "mem", err);
	ks_nl_close(&nl);
	return err ? 1 : 0;
}

int cmd_mem(int argc, char **argv)
{
	const char *sub;
	uint64_t order = 0;
	int c, end, status;
	bool get;

	if (argc < 2)
		return ks_usage_error("mem", "expects a subcommand: high-order, show");
	sub = argv[1];
	if (!ks_find_sub(ks_find_cmd("mem"), sub))
		return ks_usage_error("mem", "unknown subcommand '%s'", sub);
	while ((c = ks_getopt(argc - 1, argv + 1, "mem", sub, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	get = !strcmp(sub, "show");
	if (get) {
		status = ks_ival_args(argc - 1, argv + 1, optind, &end, "mem", sub);
		if (status)
			return status;
		argc = end + 1;
	}
	argc -= optind + 1;
	argv += optind + 1;
	if (!get) {
		if (argc != 1)
			return ks_sub_usage_error("mem", sub, "expects one N");
		if (!ks_parse_u64(argv[0], &order) || order > UINT32_MAX)
			return ks_sub_usage_error("mem", sub, "bad order '%s'", argv[0]);
	} else if (argc) {
		return ks_sub_usage_error("mem", sub, "unexpected argument '%s'",
					  argv[0]);
	}

	if (get)
		return ks_ival_run(mem_talk, NULL);
	return mem_talk(&order);
}
