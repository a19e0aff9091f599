// SPDX-License-Identifier: GPL-2.0
/*
 * The reader's side of kscope's one histogram: parse a KSCOPE_A_HIST
 * nest, draw it as the kernel's debugfs does (libbpf-tools'
 * print_log2_hist() text) or as JSON, and read percentiles off it.
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "kscope.h"

/* the reader's own unit, after ks_hist_coarser() of microseconds */
#define KS_UNIT_MS	__KSCOPE_UNIT_MAX
#define KS_NR_UNITS	(KS_UNIT_MS + 1)

static const char *const unit_text[KS_NR_UNITS] = {
	[KSCOPE_UNIT_NONE] = "value",
	[KSCOPE_UNIT_NS] = "nsecs",
	[KSCOPE_UNIT_US] = "usecs",
	[KSCOPE_UNIT_BYTES] = "bytes",
	[KSCOPE_UNIT_PAGES] = "pages",
	[KS_UNIT_MS] = "msecs",
};

static const char *const unit_json[KS_NR_UNITS] = {
	[KSCOPE_UNIT_NONE] = "none",
	[KSCOPE_UNIT_NS] = "ns",
	[KSCOPE_UNIT_US] = "us",
	[KSCOPE_UNIT_BYTES] = "bytes",
	[KSCOPE_UNIT_PAGES] = "pages",
	[KS_UNIT_MS] = "ms",
};

/* The convention of the uapi header: bounds of slot @i of @slots. */
static void slot_bounds(unsigned int i, unsigned int slots, uint64_t *lo,
			uint64_t *hi)
{
	*lo = i ? 1ULL << i : 0;
	*hi = i == slots - 1 ? UINT64_MAX : (2ULL << i) - 1;
}

static int bucket_parse(const struct nlattr *nest, struct ks_hist *h)
{
	uint64_t lo = 0, hi = 0, count = 0, wlo, whi;
	bool has_lo = false, has_hi = false;
	const struct nlattr *a;
	unsigned int i;

	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
			continue;
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_HB_LOW:
			lo = mnl_attr_get_u64(a);
			has_lo = true;
			break;
		case KSCOPE_HB_HIGH:
			hi = mnl_attr_get_u64(a);
			has_hi = true;
			break;
		case KSCOPE_HB_COUNT:
			count = mnl_attr_get_u64(a);
			break;
		}
	}
	if (!has_lo || !has_hi)
		return -EPROTO;
	/* which slot: the bounds must be exactly one of the convention's */
	i = lo > 1 ? 63 - __builtin_clzll(lo) : 0;
	if (i >= h->slots)
		return -EPROTO;
	slot_bounds(i, h->slots, &wlo, &whi);
	if (lo != wlo || hi != whi)
		return -EPROTO;
	h->b[i] += count;
	return 0;
}

int ks_hist_parse(const struct nlattr *nest, struct ks_hist *h)
{
	const struct nlattr *a;
	int ret;

	memset(h, 0, sizeof(*h));
	/* SLOTS first: the buckets are checked against it */
	mnl_attr_for_each_nested(a, nest) {
		if (mnl_attr_get_type(a) == KSCOPE_HIST_SLOTS &&
		    mnl_attr_validate(a, MNL_TYPE_U32) >= 0)
			h->slots = mnl_attr_get_u32(a);
	}
	if (h->slots < 2 || h->slots > KS_HIST_SLOTS)
		return -EPROTO;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_HIST_UNIT:
			if (mnl_attr_validate(a, MNL_TYPE_U8) >= 0)
				h->unit = mnl_attr_get_u8(a);
			break;
		case KSCOPE_HIST_COUNT:
			if (mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
				h->count = mnl_attr_get_u64(a);
			break;
		case KSCOPE_HIST_SUM:
			if (mnl_attr_validate(a, MNL_TYPE_U64) >= 0)
				h->sum = mnl_attr_get_u64(a);
			break;
		case KSCOPE_HIST_BUCKET:
			ret = bucket_parse(a, h);
			if (ret)
				return ret;
			break;
		}
	}
	if (h->unit >= __KSCOPE_UNIT_MAX)
		h->unit = KSCOPE_UNIT_NONE;
	return 0;
}

const char *ks_hist_unit(const struct ks_hist *h)
{
	return unit_json[h->unit];
}

/* libbpf-tools' print_stars() */
static void stars(FILE *f, uint64_t val, uint64_t max, unsigned int width)
{
	unsigned int i, n = (unsigned int)((unsigned __int128)val * width / max);

	fputc('|', f);
	for (i = 0; i < width; i++)
		fputc(i < n ? '*' : ' ', f);
	fputs("|\n", f);
}

/* Byte for byte what the kernel's kscope_hist_data_show() writes. */
void ks_hist_print(FILE *f, const struct ks_hist *h)
{
	unsigned int i, last = 0, width, nstars;
	uint64_t max = 0, lo, hi;
	bool any = false;

	for (i = 0; i < h->slots; i++) {
		if (h->b[i]) {
			any = true;
			last = i;
		}
		if (h->b[i] > max)
			max = h->b[i];
	}
	if (!any)
		return;
	width = last <= 32 ? 10 : 20;
	nstars = last <= 32 ? 40 : 20;
	fprintf(f, "%*s%-*s : count    distribution\n", last <= 32 ? 5 : 15,
		"", last <= 32 ? 19 : 29, unit_text[h->unit]);
	for (i = 0; i <= last; i++) {
		slot_bounds(i, h->slots, &lo, &hi);
		if (hi == UINT64_MAX)
			fprintf(f, "%*" PRIu64 " -> %-*s : %-8" PRIu64 " ", width,
				lo, width, "inf", h->b[i]);
		else
			fprintf(f, "%*" PRIu64 " -> %-*" PRIu64 " : %-8" PRIu64 " ",
				width, lo, width, hi, h->b[i]);
		stars(f, h->b[i], max, nstars);
	}
}

void ks_hist_json(FILE *f, const struct ks_hist *h)
{
	uint64_t lo, hi;
	unsigned int i;
	bool first = true;

	fprintf(f, "{\"unit\":\"%s\",\"count\":%" PRIu64 ",\"sum\":%" PRIu64
		",\"buckets\":[", unit_json[h->unit], h->count, h->sum);
	for (i = 0; i < h->slots; i++) {
		if (!h->b[i])
			continue;
		slot_bounds(i, h->slots, &lo, &hi);
		fprintf(f, "%s{\"low\":%" PRIu64 ",\"high\":", first ? "" : ",",
			lo);
		if (hi == UINT64_MAX)
			fputs("null", f);
		else
			fprintf(f, "%" PRIu64, hi);
		fprintf(f, ",\"count\":%" PRIu64 "}", h->b[i]);
		first = false;
	}
	fputs("]}", f);
}

void ks_hist_coarser(struct ks_hist *h)
{
	uint64_t b[KS_HIST_SLOTS] = { 0 }, lo, hi, v;
	unsigned int i, j;

	if (h->unit != KSCOPE_UNIT_NS && h->unit != KSCOPE_UNIT_US)
		return;
	for (i = 0; i < h->slots; i++) {
		slot_bounds(i, h->slots, &lo, &hi);
		v = lo / 1000;
		j = v > 1 ? 63 - __builtin_clzll(v) : 0;
		b[j] += h->b[i];
	}
	memcpy(h->b, b, sizeof(b));
	h->sum /= 1000;
	h->unit = h->unit == KSCOPE_UNIT_NS ? KSCOPE_UNIT_US : KS_UNIT_MS;
}

void ks_hist_add(struct ks_hist *h, const struct ks_hist *add)
{
	unsigned int i;

	if (!h->slots) {
		*h = *add;
		return;
	}
	for (i = 0; i < h->slots && i < add->slots; i++)
		h->b[i] += add->b[i];
	h->count += add->count;
	h->sum += add->sum;
}

uint64_t ks_hist_percentile(const struct ks_hist *h, double p)
{
	uint64_t total = 0, acc = 0, lo, hi;
	unsigned int i;

	for (i = 0; i < h->slots; i++)
		total += h->b[i];
	if (!total)
		return 0;
	for (i = 0; i < h->slots; i++) {
		acc += h->b[i];
		if ((double)acc >= p * (double)total)
			break;
	}
	if (i == h->slots)
		i = h->slots - 1;
	slot_bounds(i, h->slots, &lo, &hi);
	return hi;
}

void ks_hist_line(const char *source, const char *name, const struct ks_hist *h)
{
	ks_json_begin("hist");
	fputs(",\"source\":", stdout);
	json_str(stdout, source);
	fputs(",\"name\":", stdout);
	json_str(stdout, name);
	fputs(",\"hist\":", stdout);
	ks_hist_json(stdout, h);
	fputs("}\n", stdout);
}

struct reply_hists {
	uint16_t type;
	bool coarser;
	const char *what;
	const char *source, *name;
};

static int reply_hists_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct reply_hists *rh = data;
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;
	struct ks_hist h;
	char key[128];
	unsigned int i = 0;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) != rh->type)
			continue;
		if (ks_hist_parse(b, &h)) {
			ks_err("%s: malformed histogram", rh->what);
			return -EPROTO;
		}
		snprintf(key, sizeof(key), "%s/%s/%u", rh->source, rh->name, i++);
		ks_delta(key, NULL, 0, &h);
		if (rh->coarser)
			ks_hist_coarser(&h);
		if (opt_json) {
			ks_hist_line(rh->source, rh->name, &h);
		} else {
			ks_hist_print(stdout, &h);
		}
	}
	return 0;
}

int ks_source_hists(const char *source, uint16_t type, const char *what,
		    const char *name, bool coarser)
{
	struct reply_hists rh = { .type = type, .what = what, .source = source,
				  .name = name, .coarser = coarser };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err, status = 1;
	struct ks_nl nl;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL_GET, 0);
	mnl_attr_put_strz(nlh, KSCOPE_A_SOURCE, source);
	err = ks_nl_talk(&nl, nlh, reply_hists_cb, &rh);
	if (err) {
		ks_nl_report_source(&nl, what, source, err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}
