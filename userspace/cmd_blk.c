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

/* the values of "add" and "set": val is KS_BLK_OPT + index in blk_attrs[] */
#define KS_BLK_OPT	0x100

struct blk_attr {
	uint16_t attr;
	int kind;	/* 32: u32, 8: u8 0/1, 'p' profile, 'c' completion, 'u' us->ns u64 */
};

static const struct blk_attr blk_attrs[] = {
	{ KSCOPE_BLK_PROFILE, 'p' },
	{ KSCOPE_BLK_SIZE_MB, 32 },
	{ KSCOPE_BLK_QUEUES, 32 },
	{ KSCOPE_BLK_POLL_QUEUES, 32 },
	{ KSCOPE_BLK_DEPTH, 32 },
	{ KSCOPE_BLK_LBS, 32 },
	{ KSCOPE_BLK_PBS, 32 },
	{ KSCOPE_BLK_MAX_SEGMENTS, 32 },
	{ KSCOPE_BLK_MAX_SECTORS, 32 },
	{ KSCOPE_BLK_ROTATIONAL, 8 },
	{ KSCOPE_BLK_WCACHE, 8 },
	{ KSCOPE_BLK_FUA, 8 },
	{ KSCOPE_BLK_DISCARD, 8 },
	{ KSCOPE_BLK_COMPLETION, 'c' },
	{ KSCOPE_BLK_BW_MBPS, 32 },
	{ KSCOPE_BLK_SLOW_NS, 'u' },
};

#define SLOW_US_OPT(req) \
	{ "slow-us", KS_BLK_OPT + 15, "N", "an event for every request slower than N us, 0 = none (kscope watch blk)", req }

static const struct ks_opt blk_add_opts[] = {
	{ "profile", KS_BLK_OPT + 0, "nvme|ssd|hdd", "latency model and defaults (hdd: seek and rotation)" },
	{ "size", KS_BLK_OPT + 1, "MB", "capacity, MiB" },
	{ "queues", KS_BLK_OPT + 2, "N", "hardware submission queues" },
	{ "poll-queues", KS_BLK_OPT + 3, "N", "of which polled (io_uring IOPOLL)" },
	{ "depth", KS_BLK_OPT + 4, "N", "tags per queue" },
	{ "bs", KS_BLK_OPT + 5, "N", "logical block size, bytes" },
	{ "pbs", KS_BLK_OPT + 6, "N", "physical block size, bytes" },
	{ "max-segments", KS_BLK_OPT + 7, "N", "segments per request" },
	{ "max-sectors", KS_BLK_OPT + 8, "N", "sectors per request" },
	{ "rotational", KS_BLK_OPT + 9, "0|1", "report a rotational disk" },
	{ "wcache", KS_BLK_OPT + 10, "0|1", "a volatile write cache (flush and FUA honoured)" },
	{ "fua", KS_BLK_OPT + 11, "0|1", "forced unit access" },
	{ "discard", KS_BLK_OPT + 12, "0|1", "discard and write zeroes" },
	{ "completion", KS_BLK_OPT + 13, "inline|softirq|timer", "how requests complete" },
	{ "bw", KS_BLK_OPT + 14, "MBPS", "a bandwidth cap, MB/s (0 = none)" },
	SLOW_US_OPT(false),
	{ NULL }
};

static const struct ks_opt blk_set_opts[] = {
	SLOW_US_OPT(true),
	{ NULL }
};

static const struct ks_opt blk_stat_opts[] = {
	{ "hwq", 'q', NULL, "each hardware queue's counters and histograms too" },
	{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
	{ NULL }
};

const struct ks_sub ks_blk_subs[] = {
	{ "add", "NAME", blk_add_opts,
	  "create /dev/kblk_NAME (admin); the kernel checks the values and says which one it refused" },
	{ "del", "NAME", NULL, "remove it (admin; waits for its openers)" },
	{ "set", "NAME", blk_set_opts, "change a live device's slow-request threshold (admin)" },
	{ "list", "", NULL, "every device and its configuration" },
	{ "stat", "NAME [interval [count]]", blk_stat_opts,
	  "a device's counters and read/write latency histograms, with each counter's kind in --json; with an interval, each interval's (the configuration and the gauges as they are)" },
	{ NULL }
};

static int blk_lookup(const char *const *names, unsigned int n, const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return (int)i;
	return -1;
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
	 * (about 150 KiB for the largest): room for them all, as far as
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

/* One "--NAME VALUE" of add or set as its attribute; 0 or exit status 2. */
static int blk_put_opt(struct nlmsghdr *nlh, const char *sub, int val,
		       const char *arg)
{
	const struct blk_attr *o = &blk_attrs[val - KS_BLK_OPT];
	uint64_t n;
	int v;

	switch (o->kind) {
	case 'p':
		v = blk_lookup(blk_profiles, ARRAY_SIZE(blk_profiles), arg);
		if (v < 0)
			return ks_sub_usage_error("blk", sub, "unknown profile '%s'", arg);
		mnl_attr_put_u8(nlh, o->attr, (uint8_t)v);
		break;
	case 'c':
		v = blk_lookup(blk_comps, ARRAY_SIZE(blk_comps), arg);
		if (v < 0)
			return ks_sub_usage_error("blk", sub,
						  "unknown completion mode '%s'", arg);
		mnl_attr_put_u8(nlh, o->attr, (uint8_t)v);
		break;
	case 8:
		if (!ks_parse_u64(arg, &n) || n > 255)
			return ks_sub_usage_error("blk", sub, "bad value '%s'", arg);
		mnl_attr_put_u8(nlh, o->attr, (uint8_t)n);
		break;
	case 32:
		if (!ks_parse_u64(arg, &n) || n > UINT32_MAX)
			return ks_sub_usage_error("blk", sub, "bad value '%s'", arg);
		mnl_attr_put_u32(nlh, o->attr, (uint32_t)n);
		break;
	case 'u':
		if (!ks_parse_u64(arg, &n) || n > UINT64_MAX / 1000)
			return ks_sub_usage_error("blk", sub, "bad value '%s'", arg);
		mnl_attr_put_u64(nlh, o->attr, n * 1000);
		break;
	}
	return 0;
}

/* ---- replies ---- */

/*
 * A device may come in several KSCOPE_BLK_DEVICE nests, over several
 * messages: the first with its configuration, the next ones with its
 * NAME and more hardware queues. A nest naming the device being printed
 * continues it; the device is closed when another begins, or at the end.
 * In JSON a device is one object, built aside (its configuration, its
 * counter object, its histograms, its queues) and printed whole when it
 * is closed: a request failing half way prints no half object.
 */
struct blk_part {
	char *buf;
	size_t len;
	FILE *f;
	bool first;
};

struct blk_show {
	const char *dev;	/* blk stat's NAME */
	bool stats;
	bool hwq;
	unsigned int nr;
	bool open;		/* a device is being printed */
	bool first;		/* text: nothing printed in it yet */
	char name[64];		/* its name */
	struct blk_part cfg, ctrs, kinds, lat, queues;
};

static int part_open(struct blk_part *p)
{
	p->buf = NULL;
	p->len = 0;
	p->first = true;
	p->f = open_memstream(&p->buf, &p->len);
	return p->f ? 0 : -ENOMEM;
}

/* the text so far (NUL-terminated), and a fresh stream */
static void part_close(struct blk_part *p)
{
	if (p->f)
		fclose(p->f);
	p->f = NULL;
}

static void part_free(struct blk_part *p)
{
	part_close(p);
	free(p->buf);
	p->buf = NULL;
}

/* ", " between JSON members of one part */
static FILE *part_member(struct blk_part *p, const char *key)
{
	if (!p->first)
		fputc(',', p->f);
	p->first = false;
	json_str(p->f, key);
	fputc(':', p->f);
	return p->f;
}

static void blk_print_str(struct blk_show *sh, const char *key,
			  const char *val)
{
	if (opt_json) {
		json_str(part_member(&sh->cfg, key), val);
	} else {
		printf("%s%s %s", sh->first ? "" : "\n", key, val);
		sh->first = false;
	}
}

static void blk_print_u64(struct blk_show *sh, const char *key, uint64_t val)
{
	if (opt_json) {
		fprintf(part_member(&sh->cfg, key), "%" PRIu64, val);
	} else {
		printf("%s%s %" PRIu64, sh->first ? "" : "\n", key, val);
		sh->first = false;
	}
}

/* interval mode: a counter's or histogram's change since the last read */
static void blk_delta(const struct blk_show *sh, const char *prefix,
		      const char *name, uint64_t *v, struct ks_hist *h)
{
	char key[160];

	snprintf(key, sizeof(key), "%s/%s%s%s", sh->name, prefix, name,
		 h ? "_lat" : "");
	ks_delta(key, v, v ? 1 : 0, h);
}

/*
 * KSCOPE_BLK_STATS: "prefix name value" lines, or members of @p (values)
 * and @pk (each one's kind, "counter" or "gauge"). With an interval a
 * counter shows its change, a gauge its value.
 */
static void blk_print_stats(struct blk_show *sh, const struct nlattr *stats,
			    const char *prefix, struct blk_part *p,
			    struct blk_part *pk)
{
	const struct nlattr *c, *a;

	mnl_attr_for_each_nested(c, stats) {
		/* a module without KSCOPE_CTR_KIND: every one a counter */
		unsigned int kind = KSCOPE_COUNTER_MONOTONIC;
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
			else if (mnl_attr_get_type(a) == KSCOPE_CTR_KIND &&
				 !mnl_attr_validate(a, MNL_TYPE_U8))
				kind = mnl_attr_get_u8(a);
		}
		if (!name)
			continue;
		if (kind != KSCOPE_COUNTER_GAUGE)
			blk_delta(sh, prefix, name, &val, NULL);
		if (opt_json) {
			fprintf(part_member(p, name), "%" PRIu64, val);
			json_str(part_member(pk, name),
				 ks_counter_kind_name(kind));
		} else {
			printf("%s%s%s %" PRIu64, sh->first ? "" : "\n", prefix,
			       name, val);
			sh->first = false;
		}
	}
}

/*
 * KSCOPE_BLK_LAT: in text "<prefix><op>_lat COUNT" and the drawing; in
 * JSON the member "<op>" of @p, a histogram.
 */
const char *ks_blk_lat_parse(const struct nlattr *lat, struct ks_hist *h)
{
	const struct nlattr *a;
	const char *op = NULL;
	bool ok = false;

	mnl_attr_for_each_nested(a, lat) {
		if (mnl_attr_get_type(a) == KSCOPE_BLK_LAT_OP &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			op = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == KSCOPE_BLK_HIST)
			ok = !ks_hist_parse(a, h);
	}
	return ok ? op : NULL;
}

static void blk_print_lat(struct blk_show *sh, const struct nlattr *lat,
			  const char *prefix, struct blk_part *p)
{
	struct ks_hist h;
	const char *op = ks_blk_lat_parse(lat, &h);

	if (!op)
		return;
	blk_delta(sh, prefix, op, NULL, &h);
	if (opt_json) {
		ks_hist_json(part_member(p, op), &h);
	} else {
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		printf("%s%s%s_lat %" PRIu64, sh->first ? "" : "\n", prefix, op,
		       h.count);
		/* the drawing without its last newline: each line starts one */
		f = open_memstream(&text, &len);
		if (f) {
			ks_hist_print(f, &h);
			fclose(f);
			if (len)
				printf("\n%.*s", (int)len - 1, text);
			free(text);
		}
		sh->first = false;
	}
}

/* one hardware queue: text lines "hwqN_..." or one JSON element */
static void blk_print_hwq(struct blk_show *sh, const struct nlattr *hq)
{
	struct blk_part ctrs, kinds, lat;
	const struct nlattr *q;
	uint32_t index = 0;
	int polled = -1;
	char prefix[32];

	mnl_attr_for_each_nested(q, hq) {
		if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_INDEX)
			index = mnl_attr_get_u32(q);
		else if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_POLL)
			polled = mnl_attr_get_u8(q);
	}
	snprintf(prefix, sizeof(prefix), "hwq%u_", index);
	if (!opt_json) {
		mnl_attr_for_each_nested(q, hq) {
			if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_POLL) {
				char key[40];

				snprintf(key, sizeof(key), "%spolled", prefix);
				blk_print_u64(sh, key, mnl_attr_get_u8(q));
			} else if (mnl_attr_get_type(q) == KSCOPE_BLK_STATS) {
				blk_print_stats(sh, q, prefix, NULL, NULL);
			} else if (mnl_attr_get_type(q) == KSCOPE_BLK_LAT) {
				blk_print_lat(sh, q, prefix, NULL);
			}
		}
		return;
	}
	if (part_open(&ctrs))
		return;
	if (part_open(&kinds)) {
		part_free(&ctrs);
		return;
	}
	if (part_open(&lat)) {
		part_free(&ctrs);
		part_free(&kinds);
		return;
	}
	mnl_attr_for_each_nested(q, hq) {
		if (mnl_attr_get_type(q) == KSCOPE_BLK_STATS)
			blk_print_stats(sh, q, prefix, &ctrs, &kinds);
		else if (mnl_attr_get_type(q) == KSCOPE_BLK_LAT)
			blk_print_lat(sh, q, prefix, &lat);
	}
	part_close(&ctrs);
	part_close(&kinds);
	part_close(&lat);
	fprintf(sh->queues.f, "%s{\"index\":%u,\"polled\":%s,\"counters\":{%s},"
		"\"kinds\":{%s},\"latency\":{%s}}", sh->queues.first ? "" : ",",
		index, polled > 0 ? "true" : "false", ctrs.buf ? ctrs.buf : "",
		kinds.buf ? kinds.buf : "", lat.buf ? lat.buf : "");
	sh->queues.first = false;
	part_free(&ctrs);
	part_free(&kinds);
	part_free(&lat);
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
	const struct nlattr *a;
	unsigned int i;
	uint64_t v;

	mnl_attr_for_each_nested(a, dev) {
		uint16_t t = mnl_attr_get_type(a);

		switch (t) {
		case KSCOPE_BLK_NAME:
			if (opt_json ? sh->cfg.first : sh->first)
				blk_print_str(sh, "name", mnl_attr_get_str(a));
			continue;
		case KSCOPE_BLK_DISK:
			blk_print_str(sh, "disk", mnl_attr_get_str(a));
			continue;
		case KSCOPE_BLK_PROFILE:
			blk_print_str(sh, "profile",
				      blk_name_of(blk_profiles, ARRAY_SIZE(blk_profiles),
						  mnl_attr_get_u8(a)));
			continue;
		case KSCOPE_BLK_COMPLETION:
			blk_print_str(sh, "completion",
				      blk_name_of(blk_comps, ARRAY_SIZE(blk_comps),
						  mnl_attr_get_u8(a)));
			continue;
		case KSCOPE_BLK_STATS:
			if (sh->stats)
				blk_print_stats(sh, a, "", &sh->ctrs, &sh->kinds);
			continue;
		case KSCOPE_BLK_LAT:
			if (sh->stats)
				blk_print_lat(sh, a, "", &sh->lat);
			continue;
		case KSCOPE_BLK_HWQ:
			if (sh->hwq)
				blk_print_hwq(sh, a);
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
			blk_print_u64(sh, nums[i].key, v);
		}
	}
}

static void blk_drop_dev(struct blk_show *sh)
{
	part_free(&sh->cfg);
	part_free(&sh->ctrs);
	part_free(&sh->kinds);
	part_free(&sh->lat);
	part_free(&sh->queues);
	sh->open = false;
}

static void blk_close_dev(struct blk_show *sh)
{
	if (!sh->open)
		return;
	if (!opt_json) {
		printf("\n");
	} else {
		part_close(&sh->cfg);
		part_close(&sh->ctrs);
		part_close(&sh->kinds);
		part_close(&sh->lat);
		part_close(&sh->queues);
		ks_json_begin("blk_device");
		if (sh->cfg.buf && sh->cfg.buf[0])
			printf(",%s", sh->cfg.buf);
		if (sh->stats)
			printf(",\"counters\":{%s},\"kinds\":{%s},\"latency\":{%s}",
			       sh->ctrs.buf ? sh->ctrs.buf : "",
			       sh->kinds.buf ? sh->kinds.buf : "",
			       sh->lat.buf ? sh->lat.buf : "");
		if (sh->hwq)
			printf(",\"hwq\":[%s]", sh->queues.buf ? sh->queues.buf : "");
		printf("}\n");
	}
	blk_drop_dev(sh);
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
			if (opt_json) {
				if (part_open(&sh->cfg) || part_open(&sh->ctrs) ||
				    part_open(&sh->kinds) ||
				    part_open(&sh->lat) || part_open(&sh->queues)) {
					blk_drop_dev(sh);
					return -ENOMEM;
				}
			} else if (sh->nr) {
				printf("\n");
			}
			snprintf(sh->name, sizeof(sh->name), "%s", name);
			sh->open = true;
			sh->first = true;
		}
		blk_print_dev(d, sh);
	}
	return 0;
}

/* ---- subcommand ---- */

/* blk list, or blk stat of sh->dev: one read, printed */
static int blk_read(void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct blk_show *sh = arg;
	struct ks_nl nl = { };
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int ret;

	memset(buf, 0, sizeof(buf));
	sh->nr = 0;
	nlh = blk_msg(&nl, buf, KSCOPE_CMD_CTL_GET, &nest);
	if (sh->dev)
		mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, sh->dev);
	ret = blk_talk(nlh, nest, sh->dev ? "stat" : "list", blk_reply, sh);
	if (ret)
		blk_drop_dev(sh);	/* half a device: not printed */
	else
		blk_close_dev(sh);
	return ret;
}

int cmd_blk(int argc, char **argv)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct blk_show sh = { };
	struct nlmsghdr *nlh;
	struct ks_nl nl = { };
	struct nlattr *nest;
	const char *sub;
	int ret, c, status;

	if (argc < 2)
		return ks_usage_error("blk", "missing subcommand");
	sub = argv[1];
	if (!ks_find_sub(ks_find_cmd("blk"), sub))
		return ks_usage_error("blk", "unknown subcommand '%s'", sub);
	argc--;
	argv++;
	memset(buf, 0, sizeof(buf));

	if (!strcmp(sub, "add") || !strcmp(sub, "del") || !strcmp(sub, "set")) {
		uint8_t op = sub[0] == 'a' ? KSCOPE_BLK_OP_ADD :
			     sub[0] == 'd' ? KSCOPE_BLK_OP_DEL : KSCOPE_BLK_OP_SET;

		nlh = blk_msg(&nl, buf, KSCOPE_CMD_CTL, &nest);
		mnl_attr_put_u8(nlh, KSCOPE_BLK_OP, op);
		/* the options first: NAME goes after them, from optind */
		while ((c = ks_getopt(argc, argv, "blk", sub, &status)) != -1) {
			if (c == KS_OPT_EXIT)
				return status;
			ret = blk_put_opt(nlh, sub, c, optarg);
			if (ret)
				return ret;
		}
		if (optind >= argc)
			return ks_sub_usage_error("blk", sub, "needs a device NAME");
		if (optind + 1 < argc)
			return ks_sub_usage_error("blk", sub, "unexpected argument '%s'",
						  argv[optind + 1]);
		mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, argv[optind]);
		return blk_talk(nlh, nest, sub, NULL, NULL);
	}

	/* list, stat */
	while ((c = ks_getopt(argc, argv, "blk", sub, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'q')
			sh.hwq = true;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	if (!strcmp(sub, "stat")) {
		int end;

		if (optind >= argc)
			return ks_sub_usage_error("blk", sub, "needs a device NAME");
		ret = ks_ival_args(argc, argv, optind + 1, &end, "blk", sub);
		if (ret)
			return ret;
		if (optind + 1 < end)
			return ks_sub_usage_error("blk", sub, "unexpected argument '%s'",
						  argv[optind + 1]);
		sh.stats = true;
		sh.dev = argv[optind];
		return ks_ival_run(blk_read, &sh);
	} else if (optind < argc) {
		return ks_sub_usage_error("blk", sub, "unexpected argument '%s'",
					  argv[optind]);
	}
	return blk_read(&sh);
}

/* ---- kscope biolatency: libbpf-tools' biolatency on kscope_blk devices ---- */

const struct ks_sub ks_biolatency_subs[] = {
	{ NULL, "[interval [count]]", (const struct ks_opt[]){
		{ "milliseconds", 'm', NULL, "millisecond histogram (the microsecond buckets rebinned: a count near a bucket's top may sit one bucket lower than biolatency -m's)", false, true },
		{ "disks", 'D', NULL, "a histogram per device", false, true },
		{ "flags", 'F', NULL, "a histogram per operation (read, write, flush, discard, write_zeroes)", false, true },
		{ "disk", 'd', "DISK", "only this device (kblk_NAME or NAME)", false, true },
		{ "timestamp", 'T', NULL, "the wall-clock time before each interval", false, true },
		{ NULL } } },
	{ NULL }
};

#define BIO_MAX_DEVS	64

struct bio_dev {
	char name[64], disk[64];
	struct ks_hist op[8];
	const char *opname[8];
	unsigned int nr_ops;
};

struct bio_run {
	bool ms, per_disk, per_op;
	const char *only;
	unsigned int n;
	struct bio_dev dev[BIO_MAX_DEVS];
};

/* the devices of a list reply (names), or one device's latency (stat) */
static int bio_cb(const struct nlmsghdr *nlh, void *data)
{
	struct bio_run *r = data;
	const struct nlattr *ctl, *d, *a, *l;

	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(d, ctl) {
		const char *name = NULL, *disk = NULL;
		struct bio_dev *dev = NULL;
		unsigned int i;

		if (mnl_attr_get_type(d) != KSCOPE_BLK_DEVICE)
			continue;
		mnl_attr_for_each_nested(a, d) {
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				continue;
			if (mnl_attr_get_type(a) == KSCOPE_BLK_NAME)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == KSCOPE_BLK_DISK)
				disk = mnl_attr_get_str(a);
		}
		if (!name)
			continue;
		for (i = 0; i < r->n && strcmp(r->dev[i].name, name); i++)
			;
		if (i == r->n) {
			if (r->n == BIO_MAX_DEVS)
				continue;
			dev = &r->dev[r->n++];
			memset(dev, 0, sizeof(*dev));
			snprintf(dev->name, sizeof(dev->name), "%s", name);
		}
		dev = &r->dev[i];
		if (disk)
			snprintf(dev->disk, sizeof(dev->disk), "%s", disk);
		/* the device's own histograms (not its queues') */
		mnl_attr_for_each_nested(l, d) {
			const char *op = NULL;
			struct ks_hist h;
			bool ok = false;

			if (mnl_attr_get_type(l) != KSCOPE_BLK_LAT ||
			    dev->nr_ops == ARRAY_SIZE(dev->op))
				continue;
			mnl_attr_for_each_nested(a, l) {
				if (mnl_attr_get_type(a) == KSCOPE_BLK_LAT_OP &&
				    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
					op = mnl_attr_get_str(a);
				else if (mnl_attr_get_type(a) == KSCOPE_BLK_HIST)
					ok = !ks_hist_parse(a, &h);
			}
			if (!op || !ok)
				continue;
			dev->op[dev->nr_ops] = h;
			/* the op names are the kernel's fixed ones: keep ours */
			dev->opname[dev->nr_ops++] = !strcmp(op, "read") ? "read" :
				!strcmp(op, "write") ? "write" :
				!strcmp(op, "flush") ? "flush" :
				!strcmp(op, "discard") ? "discard" :
				!strcmp(op, "write_zeroes") ? "write_zeroes" : "other";
		}
	}
	return 0;
}

static int bio_talk(struct bio_run *r, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct ks_nl nl = { };
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	memset(buf, 0, sizeof(buf));
	nlh = blk_msg(&nl, buf, KSCOPE_CMD_CTL_GET, &nest);
	if (name)
		mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, name);
	return blk_talk(nlh, nest, name ? "stat" : "list", bio_cb, r);
}

static void bio_print(const struct bio_run *r, const char *label,
		      const char *what, struct ks_hist *h)
{
	if (!h->count && !opt_json)
		return;
	if (r->ms)
		ks_hist_coarser(h);
	if (opt_json) {
		ks_hist_line("blk", what, h);
		return;
	}
	if (label)
		printf("\n%s\n", label);
	ks_hist_print(stdout, h);
}

static int bio_sample(void *arg)
{
	struct bio_run *r = arg;
	struct ks_hist all = { 0 }, dev_all;
	char key[160], label[200], what[160];
	unsigned int i, j, n;
	int status;

	r->n = 0;
	status = bio_talk(r, NULL);
	n = r->n;
	for (i = 0; !status && i < n; i++) {
		struct bio_dev *d = &r->dev[i];

		if (r->only && strcmp(r->only, d->name) && strcmp(r->only, d->disk))
			continue;
		d->nr_ops = 0;
		status = bio_talk(r, d->name);
		if (status)
			break;
		memset(&dev_all, 0, sizeof(dev_all));
		for (j = 0; j < d->nr_ops; j++) {
			snprintf(key, sizeof(key), "bio %s/%s", d->name, d->opname[j]);
			ks_delta(key, NULL, 0, &d->op[j]);
			ks_hist_add(&all, &d->op[j]);
			ks_hist_add(&dev_all, &d->op[j]);
			if (r->per_op) {
				snprintf(label, sizeof(label), r->per_disk ?
					 "disk = %s\top = %s" : "op = %s",
					 r->per_disk ? d->disk : d->opname[j],
					 d->opname[j]);
				snprintf(what, sizeof(what), "%s/%s", d->disk, d->opname[j]);
				bio_print(r, label, what, &d->op[j]);
			}
		}
		if (r->per_disk && !r->per_op) {
			snprintf(label, sizeof(label), "disk = %s", d->disk);
			bio_print(r, label, d->disk, &dev_all);
		}
	}
	if (!status && !r->per_disk && !r->per_op)
		bio_print(r, NULL, "biolatency", &all);
	return status;
}

int cmd_biolatency(int argc, char **argv)
{
	static struct bio_run r;
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "biolatency", NULL, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'm':
			r.ms = true;
			break;
		case 'D':
			r.per_disk = true;
			break;
		case 'F':
			r.per_op = true;
			break;
		case 'd':
			r.only = optarg;
			break;
		case 'T':
			ks_ival.timestamp = true;
			break;
		}
	}
	status = ks_ival_args(argc, argv, optind, &end, "biolatency", NULL);
	if (status)
		return status;
	if (end > optind)
		return ks_usage_error("biolatency", "unexpected argument '%s'",
				      argv[optind]);
	/* as biolatency: without an interval, until Ctrl-C */
	if (!ks_ival.secs)
		ks_ival.secs = -1;
	ks_ival.banner = "Tracing block device I/O... Hit Ctrl-C to end.";
	return ks_ival_run(bio_sample, &r);
}
