// SPDX-License-Identifier: GPL-2.0
/*
 * kscope blk: drive the kscope_blk demo block driver over netlink.
 *
 *   kscope blk add NAME [--profile nvme|ssd|hdd] [--size MB] ...
 *   kscope blk del NAME
 *   kscope blk set NAME --slow-us N
 *   kscope blk list
 *   kscope blk stat NAME [--hwq]
 *
 * Values are only parsed here; ranges are the kernel's to check, so
 * that its answer (and extack message) is the one the user sees.
 */
#include <errno.h>
#include <getopt.h>
#include <sys/socket.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

static const char *const blk_profiles[] = { "nvme", "ssd", "hdd" };
static const char *const blk_comps[] = { "inline", "softirq", "timer" };

static const char blk_usage[] =
	"usage: kscope blk add NAME [--profile nvme|ssd|hdd] [--size MB] [--queues N]\n"
	"                  [--poll-queues N] [--depth N] [--bs N] [--pbs N] [--max-segments N]\n"
	"                  [--max-sectors N] [--rotational 0|1] [--wcache 0|1]\n"
	"                  [--fua 0|1] [--discard 0|1]\n"
	"                  [--completion inline|softirq|timer] [--bw MBPS] [--slow-us N]\n"
	"       kscope blk del NAME\n"
	"       kscope blk set NAME --slow-us N\n"
	"       kscope blk list\n"
	"       kscope blk stat NAME [--hwq]\n";

static int blk_lookup(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
}

static int blk_err(const char *fmt, const char *arg)
{
	return ks_usage_err("blk", blk_usage, fmt, arg);
}

/* ---- requests ---- */

static struct nlmsghdr *blk_msg(struct ks_nl *nl, char *buf, uint8_t cmd,
				struct nlattr **nest)
{
	struct nlmsghdr *nlh = ks_nl_msg(nl, buf, cmd, 0);

	*nest = ks_nl_ctl_start(nlh, "blk");
	return nlh;
}

static int blk_talk(struct nlmsghdr *nlh, struct nlattr *nest, const char *op,
		    ks_reply_fn fn, void *data)
{
	struct ks_nl nl;
	int err, status = 1;

	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	/*
	 * a device's statistics come in several messages before the ACK
	 * (about 130 KiB for the largest): room for them all, as far as
	 * net.core.rmem_max lets an unprivileged reader go
	 */
	if (fn) {
		int sz = 1 << 20;

		setsockopt(mnl_socket_get_fd(nl.sk), SOL_SOCKET, SO_RCVBUF,
			   &sz, sizeof(sz));
	}
	/* the family id is known only now */
	nlh->nlmsg_type = nl.family;
	nlh->nlmsg_seq = ++nl.seq;
	err = ks_nl_talk(&nl, nlh, fn, data);
	if (err) {
		ks_nl_report_source(&nl, op, "blk", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

struct blk_opt {
	const char *name;
	uint16_t attr;
	int kind;	/* 32: u32, 8: u8 0/1, 'p' profile, 'c' completion, 'u' us->ns u64 */
};

static const struct blk_opt blk_opts[] = {
	{ "profile", KSCOPE_BLK_PROFILE, 'p' },
	{ "size", KSCOPE_BLK_SIZE_MB, 32 },
	{ "queues", KSCOPE_BLK_QUEUES, 32 },
	{ "poll-queues", KSCOPE_BLK_POLL_QUEUES, 32 },
	{ "depth", KSCOPE_BLK_DEPTH, 32 },
	{ "bs", KSCOPE_BLK_LBS, 32 },
	{ "pbs", KSCOPE_BLK_PBS, 32 },
	{ "max-segments", KSCOPE_BLK_MAX_SEGMENTS, 32 },
	{ "max-sectors", KSCOPE_BLK_MAX_SECTORS, 32 },
	{ "rotational", KSCOPE_BLK_ROTATIONAL, 8 },
	{ "wcache", KSCOPE_BLK_WCACHE, 8 },
	{ "fua", KSCOPE_BLK_FUA, 8 },
	{ "discard", KSCOPE_BLK_DISCARD, 8 },
	{ "completion", KSCOPE_BLK_COMPLETION, 'c' },
	{ "bw", KSCOPE_BLK_BW_MBPS, 32 },
	{ "slow-us", KSCOPE_BLK_SLOW_NS, 'u' },
};

/* Put "--NAME VALUE" pairs of argv[from..] as attributes. */
static int blk_put_opts(struct nlmsghdr *nlh, int argc, char **argv, int from,
			bool only_slow)
{
	int i, v;
	unsigned int k;
	uint64_t n;

	for (i = from; i < argc; i += 2) {
		const struct blk_opt *o = NULL;

		if (strncmp(argv[i], "--", 2))
			return blk_err("unexpected argument '%s'", argv[i]);
		for (k = 0; k < ARRAY_SIZE(blk_opts); k++)
			if (!strcmp(argv[i] + 2, blk_opts[k].name))
				o = &blk_opts[k];
		if (!o || (only_slow && o->attr != KSCOPE_BLK_SLOW_NS))
			return blk_err("unknown option '%s'", argv[i]);
		if (i + 1 >= argc)
			return blk_err("option '%s' needs a value", argv[i]);
		switch (o->kind) {
		case 'p':
			v = blk_lookup(blk_profiles, ARRAY_SIZE(blk_profiles),
				       argv[i + 1]);
			if (v < 0)
				return blk_err("unknown profile '%s'", argv[i + 1]);
			mnl_attr_put_u8(nlh, o->attr, (uint8_t)v);
			break;
		case 'c':
			v = blk_lookup(blk_comps, ARRAY_SIZE(blk_comps),
				       argv[i + 1]);
			if (v < 0)
				return blk_err("unknown completion mode '%s'",
					       argv[i + 1]);
			mnl_attr_put_u8(nlh, o->attr, (uint8_t)v);
			break;
		case 8:
			if (!ks_parse_u64(argv[i + 1], &n) || n > 255)
				return blk_err("bad value '%s'", argv[i + 1]);
			mnl_attr_put_u8(nlh, o->attr, (uint8_t)n);
			break;
		case 32:
			if (!ks_parse_u64(argv[i + 1], &n) || n > UINT32_MAX)
				return blk_err("bad value '%s'", argv[i + 1]);
			mnl_attr_put_u32(nlh, o->attr, (uint32_t)n);
			break;
		case 'u':
			if (!ks_parse_u64(argv[i + 1], &n) ||
			    n > UINT64_MAX / 1000)
				return blk_err("bad value '%s'", argv[i + 1]);
			mnl_attr_put_u64(nlh, o->attr, n * 1000);
			break;
		}
	}
	return 0;
}

/* ---- replies ---- */

/*
 * A device may come in several KSCOPE_BLK_DEVICE nests, over several
 * messages: the first with its configuration, the next ones with its
 * NAME and more hardware queues. A nest naming the device being printed
 * continues it; the device is closed when another begins, or at the end.
 */
struct blk_show {
	bool stats;
	bool hwq;
	unsigned int nr;
	bool open;		/* a device is being printed */
	bool first;		/* nothing printed in it yet */
	char name[64];		/* its name */
};

static void blk_print_str(const char *key, const char *val, bool *first)
{
	if (opt_json) {
		printf("%s", *first ? "" : ", ");
		json_str(stdout, key);
		printf(": ");
		json_str(stdout, val);
	} else {
		printf("%s%s %s", *first ? "" : "\n", key, val);
	}
	*first = false;
}

static void blk_print_u64(const char *key, uint64_t val, bool *first)
{
	if (opt_json) {
		printf("%s", *first ? "" : ", ");
		json_str(stdout, key);
		printf(": %" PRIu64, val);
	} else {
		printf("%s%s %" PRIu64, *first ? "" : "\n", key, val);
	}
	*first = false;
}

/* KSCOPE_BLK_STATS: "prefix name value" lines, or JSON members. */
static void blk_print_stats(const struct nlattr *stats, const char *prefix,
			    bool *first)
{
	const struct nlattr *c, *a;
	char key[96];

	mnl_attr_for_each_nested(c, stats) {
		const char *name = NULL;
		uint64_t val = 0;

		if (mnl_attr_get_type(c) != KSCOPE_A_COUNTER)
			continue;
		mnl_attr_for_each_nested(a, c) {
			if (mnl_attr_get_type(a) == KSCOPE_CTR_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == KSCOPE_CTR_VALUE &&
				 !mnl_attr_validate(a, MNL_TYPE_U64))
				val = mnl_attr_get_u64(a);
		}
		if (!name)
			continue;
		snprintf(key, sizeof(key), "%s%s", prefix, name);
		blk_print_u64(key, val, first);
	}
}

/*
 * KSCOPE_BLK_LAT: "<prefix><op>_lat" with its histogram, as JSON member
 * or as a line followed by the drawing.
 */
static void blk_print_lat(const struct nlattr *lat, const char *prefix,
			  bool *first)
{
	const struct nlattr *a;
	const char *op = NULL;
	struct ks_hist h;
	bool ok = false;
	char key[96];

	mnl_attr_for_each_nested(a, lat) {
		if (mnl_attr_get_type(a) == KSCOPE_BLK_LAT_OP &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			op = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == KSCOPE_BLK_HIST)
			ok = !ks_hist_parse(a, &h);
	}
	if (!op || !ok)
		return;
	snprintf(key, sizeof(key), "%s%s_lat", prefix, op);
	if (opt_json) {
		printf("%s", *first ? "" : ", ");
		json_str(stdout, key);
		printf(": ");
		ks_hist_json(stdout, &h);
	} else {
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		printf("%s%s %" PRIu64, *first ? "" : "\n", key, h.count);
		/* the drawing without its last newline: each line starts one */
		f = open_memstream(&text, &len);
		if (f) {
			ks_hist_print(f, &h);
			fclose(f);
			if (len)
				printf("\n%.*s", (int)len - 1, text);
			free(text);
		}
	}
	*first = false;
}

static const char *blk_name_of(const char *const *names, unsigned int n,
			       unsigned int v)
{
	return v < n ? names[v] : "?";
}

static void blk_print_dev(const struct nlattr *dev, struct blk_show *sh)
{
	static const struct {
		uint16_t attr;
		const char *key;
	} nums[] = {
		{ KSCOPE_BLK_SIZE_MB, "size_mb" },
		{ KSCOPE_BLK_QUEUES, "queues" },
		{ KSCOPE_BLK_POLL_QUEUES, "poll_queues" },
		{ KSCOPE_BLK_DEPTH, "depth" },
		{ KSCOPE_BLK_LBS, "lbs" },
		{ KSCOPE_BLK_PBS, "pbs" },
		{ KSCOPE_BLK_MAX_SEGMENTS, "max_segments" },
		{ KSCOPE_BLK_MAX_SECTORS, "max_sectors" },
		{ KSCOPE_BLK_ROTATIONAL, "rotational" },
		{ KSCOPE_BLK_WCACHE, "wcache" },
		{ KSCOPE_BLK_FUA, "fua" },
		{ KSCOPE_BLK_DISCARD, "discard" },
		{ KSCOPE_BLK_BW_MBPS, "bw_mbps" },
		{ KSCOPE_BLK_SLOW_NS, "slow_ns" },
		{ KSCOPE_BLK_OPENERS, "openers" },
		{ KSCOPE_BLK_PAGES, "pages" },
	};
	const struct nlattr *a, *q;
	bool *first = &sh->first;
	unsigned int i;
	uint64_t v;
	char prefix[32];

	mnl_attr_for_each_nested(a, dev) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KSCOPE_BLK_NAME:
			if (*first)
				blk_print_str("name", mnl_attr_get_str(a), first);
			continue;
		case KSCOPE_BLK_DISK:
			blk_print_str("disk", mnl_attr_get_str(a), first);
			continue;
		case KSCOPE_BLK_PROFILE:
			blk_print_str("profile",
				      blk_name_of(blk_profiles, ARRAY_SIZE(blk_profiles),
						  mnl_attr_get_u8(a)), first);
			continue;
		case KSCOPE_BLK_COMPLETION:
			blk_print_str("completion",
				      blk_name_of(blk_comps, ARRAY_SIZE(blk_comps),
						  mnl_attr_get_u8(a)), first);
			continue;
		case KSCOPE_BLK_STATS:
			if (sh->stats)
				blk_print_stats(a, "", first);
			continue;
		case KSCOPE_BLK_LAT:
			if (sh->stats)
				blk_print_lat(a, "", first);
			continue;
		case KSCOPE_BLK_HWQ:
			if (!sh->hwq)
				continue;
			mnl_attr_for_each_nested(q, a)
				if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_INDEX)
					snprintf(prefix, sizeof(prefix), "hwq%u_",
						 mnl_attr_get_u32(q));
			mnl_attr_for_each_nested(q, a) {
				if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_POLL) {
					char key[40];

					snprintf(key, sizeof(key), "%spolled", prefix);
					blk_print_u64(key, mnl_attr_get_u8(q), first);
				} else if (mnl_attr_get_type(q) == KSCOPE_BLK_STATS) {
					blk_print_stats(q, prefix, first);
				} else if (mnl_attr_get_type(q) == KSCOPE_BLK_LAT) {
					blk_print_lat(q, prefix, first);
				}
			}
			continue;
		}
		for (i = 0; i < ARRAY_SIZE(nums); i++) {
			if (nums[i].attr != t)
				continue;
			switch (mnl_attr_get_payload_len(a)) {
			case 1:
				v = mnl_attr_get_u8(a);
				break;
			case 4:
				v = mnl_attr_get_u32(a);
				break;
			default:
				v = mnl_attr_get_u64(a);
				break;
			}
			blk_print_u64(nums[i].key, v, first);
		}
	}
}

static void blk_close_dev(struct blk_show *sh)
{
	if (!sh->open)
		return;
	printf("%s\n", opt_json ? "}" : "");
	sh->open = false;
	sh->nr++;
}

static int blk_reply(const struct nlmsghdr *nlh, void *data)
{
	struct blk_show *sh = data;
	const struct nlattr *ctl, *d;

	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(d, ctl) {
		const struct nlattr *a;
		const char *name = "";

		if (mnl_attr_get_type(d) != KSCOPE_BLK_DEVICE)
			continue;
		mnl_attr_for_each_nested(a, d)
			if (mnl_attr_get_type(a) == KSCOPE_BLK_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				name = mnl_attr_get_str(a);
		if (!sh->open || strcmp(name, sh->name)) {
			blk_close_dev(sh);
			if (opt_json)
				printf("%s{", sh->nr ? ", " : "");
			else if (sh->nr)
				printf("\n");
			snprintf(sh->name, sizeof(sh->name), "%s", name);
			sh->open = true;
			sh->first = true;
		}
		blk_print_dev(d, sh);
	}
	return 0;
}

/* ---- subcommand ---- */

int cmd_blk(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct blk_show sh = { };
	struct nlmsghdr *nlh;
	struct ks_nl nl = { };
	struct nlattr *nest;
	const char *sub;
	int ret, i;

	if (argc < 2)
		return blk_err("%s", "missing subcommand");
	sub = argv[1];
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help") || !strcmp(sub, "help")) {
		fputs(blk_usage, stdout);
		return 0;
	}
	memset(buf, 0, sizeof(buf));

	if (!strcmp(sub, "add") || !strcmp(sub, "del") || !strcmp(sub, "set")) {
		uint8_t op = sub[0] == 'a' ? KSCOPE_BLK_OP_ADD :
			     sub[0] == 'd' ? KSCOPE_BLK_OP_DEL : KSCOPE_BLK_OP_SET;

		if (argc < 3 || argv[2][0] == '-')
			return blk_err("%s needs a device NAME", sub);
		nlh = blk_msg(&nl, buf, KSCOPE_CMD_CTL, &nest);
		mnl_attr_put_u8(nlh, KSCOPE_BLK_OP, op);
		mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, argv[2]);
		if (op == KSCOPE_BLK_OP_DEL && argc > 3)
			return blk_err("unexpected argument '%s'", argv[3]);
		ret = blk_put_opts(nlh, argc, argv, 3, op == KSCOPE_BLK_OP_SET);
		if (ret)
			return ret;
		return blk_talk(nlh, nest, sub, NULL, NULL);
	}
	if (!strcmp(sub, "list") || !strcmp(sub, "stat")) {
		bool stat = sub[0] == 's';

		nlh = blk_msg(&nl, buf, KSCOPE_CMD_CTL_GET, &nest);
		if (stat) {
			if (argc < 3 || argv[2][0] == '-')
				return blk_err("%s", "stat needs a device NAME");
			mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, argv[2]);
			sh.stats = true;
			for (i = 3; i < argc; i++) {
				if (strcmp(argv[i], "--hwq"))
					return blk_err("unexpected argument '%s'",
						       argv[i]);
				sh.hwq = true;
			}
		} else if (argc > 2) {
			return blk_err("unexpected argument '%s'", argv[2]);
		}
		if (opt_json)
			printf("[");
		ret = blk_talk(nlh, nest, sub, blk_reply, &sh);
		blk_close_dev(&sh);
		if (opt_json)
			printf("]\n");
		return ret;
	}
	return blk_err("unknown subcommand '%s'", sub);
}
