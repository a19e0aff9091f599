// SPDX-License-Identifier: GPL-2.0
/*
 * kscope export: every source's counters and histograms for Prometheus.
 *
 * Serves /metrics over HTTP (libmicrohttpd) in the Prometheus text format
 * 0.0.4, or in OpenMetrics 1.0.0 when the scraper's Accept header asks for
 * application/openmetrics-text, and/or writes DIR/kscope.prom atomically
 * (temporary file, rename) for node_exporter's textfile collector.
 *
 * Each scrape reads everything afresh over netlink (a new socket, the
 * family resolved again, the source list dumped again), so a module
 * loaded or unloaded between scrapes appears or disappears at the next
 * one, and a reloaded kscope_core is found under its new family id. The
 * exporter reads as an unprivileged reader would: it drops CAP_NET_ADMIN
 * and CAP_SYS_ADMIN at start, so that what it serves never depends on who
 * started it and never triggers the admin-only reads (the free-list walk
 * of mem, vfs's top lists).
 *
 * Metric names follow node_exporter: kscope_<source>_<counter>_total for
 * counters, kscope_<source>_<gauge> for gauges, histograms in base units
 * (seconds for latencies) with cumulative le buckets at the log2 bounds.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>

#include <microhttpd.h>

#include "kscope.h"

#define EX_DEFAULT_LISTEN	"127.0.0.1:9617"
#define EX_TEXTFILE		"kscope.prom"

/* ---- the metrics of one scrape ---- */

enum ex_type { EX_COUNTER, EX_GAUGE, EX_HIST, EX_INFO };

struct ex_sample {
	char *labels;		/* rendered: a="b",c="d", or "" */
	uint64_t v;		/* counter/gauge: v / 10^dec, negative if neg */
	bool neg;
	struct ks_hist *h;	/* histogram: in its unit, scaled by 10^-dec */
};

struct ex_family {
	char *name;		/* without _total (counters) or _info (info) */
	char *help;
	enum ex_type type;
	uint8_t dec;		/* decimals of the values (and le bounds) */
	struct ex_sample *s;
	unsigned int n;
};

struct ex_reg {
	struct ex_family *f;
	unsigned int n;
	unsigned int last;	/* the family found last: samples come in runs */
	bool oom;
};

static void reg_free(struct ex_reg *r)
{
	unsigned int i, j;

	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->f[i].n; j++) {
			free(r->f[i].s[j].labels);
			free(r->f[i].s[j].h);
		}
		free(r->f[i].s);
		free(r->f[i].name);
		free(r->f[i].help);
	}
	free(r->f);
	memset(r, 0, sizeof(*r));
}

/* A metric name: [a-zA-Z0-9_], anything else becomes '_'. */
static char *metric_name(const char *a, const char *b, const char *c)
{
	char *s, *p;

	if (asprintf(&s, "%s%s%s", a, b ? b : "", c ? c : "") < 0)
		return NULL;
	for (p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_'))
			*p = '_';
	return s;
}

/*
 * The family @name, created with @type, @dec and @help on first use; NULL
 * when out of memory or when @name is already a family of another kind
 * (a schema name colliding with a derived one: its samples are dropped
 * rather than served under the wrong type).
 */
static struct ex_family *reg_family(struct ex_reg *r, const char *name,
				    enum ex_type type, uint8_t dec,
				    const char *help)
{
	struct ex_family *f;
	unsigned int i;

	for (i = 0; i < r->n; i++) {
		f = &r->f[(r->last + i) % r->n];
		if (strcmp(f->name, name))
			continue;
		r->last = (r->last + i) % r->n;
		return f->type == type && f->dec == dec ? f : NULL;
	}
	f = realloc(r->f, (r->n + 1) * sizeof(*f));
	if (!f)
		goto nomem;
	r->f = f;
	f = &r->f[r->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->help = strdup(help);
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		goto nomem;
	}
	f->type = type;
	f->dec = dec;
	r->last = r->n++;
	return f;
nomem:
	r->oom = true;
	return NULL;
}

static struct ex_sample *fam_sample(struct ex_reg *r, struct ex_family *f,
				    const char *labels)
{
	struct ex_sample *s;

	if (!f)
		return NULL;
	/* a power of two at every growth */
	if (!(f->n & (f->n - 1))) {
		s = realloc(f->s, (f->n ? 2 * f->n : 1) * sizeof(*s));
		if (!s)
			goto nomem;
		f->s = s;
	}
	s = &f->s[f->n];
	memset(s, 0, sizeof(*s));
	s->labels = strdup(labels);
	if (!s->labels)
		goto nomem;
	f->n++;
	return s;
nomem:
	r->oom = true;
	return NULL;
}

static void put_value(struct ex_reg *r, const char *name, enum ex_type type,
		      uint8_t dec, const char *help, const char *labels,
		      uint64_t v, bool neg)
{
	struct ex_sample *s;

	s = fam_sample(r, reg_family(r, name, type, dec, help), labels);
	if (s) {
		s->v = v;
		s->neg = neg && v;
	}
}

static void put_hist(struct ex_reg *r, const char *name, uint8_t dec,
		     const char *help, const char *labels,
		     const struct ks_hist *h)
{
	struct ex_sample *s;

	s = fam_sample(r, reg_family(r, name, EX_HIST, dec, help), labels);
	if (!s)
		return;
	s->h = malloc(sizeof(*h));
	if (!s->h) {
		r->oom = true;
		return;
	}
	*s->h = *h;
}

/* Label pairs for a sample: NULL-terminated name, value, name, value... */
static char *labels_of(const char *const *kv)
{
	bool first = true;
	char *buf = NULL;
	size_t len = 0;
	const char *p;
	FILE *f;

	f = open_memstream(&buf, &len);
	if (!f)
		return NULL;
	for (; kv[0]; kv += 2) {
		fprintf(f, "%s%s=\"", first ? "" : ",", kv[0]);
		first = false;
		for (p = kv[1]; *p; p++) {
			if (*p == '\\' || *p == '"')
				fprintf(f, "\\%c", *p);
			else if (*p == '\n')
				fputs("\\n", f);
			else
				fputc(*p, f);
		}
		fputc('"', f);
	}
	if (fclose(f))
		return NULL;
	return buf;
}

/* ---- rendering ---- */

static const uint64_t pow10[] = {
	1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
	1000000000,
};

/* v / 10^dec, exactly, without trailing zeros, into @buf */
static void fmt_dec(char *buf, size_t len, uint64_t v, uint8_t dec, bool neg)
{
	uint64_t ip = v / pow10[dec], fp = v % pow10[dec];
	int n;

	n = snprintf(buf, len, "%s%" PRIu64, neg ? "-" : "", ip);
	if (!fp || n < 0 || (size_t)n >= len)
		return;
	n += snprintf(buf + n, len - n, ".%0*" PRIu64, dec, fp);
	while (n > 0 && (size_t)n < len && buf[n - 1] == '0')
		buf[--n] = '\0';
}

static void put_dec(FILE *f, uint64_t v, uint8_t dec, bool neg)
{
	char buf[48];

	fmt_dec(buf, sizeof(buf), v, dec, neg);
	fputs(buf, f);
}

static void put_help(FILE *f, const char *help, bool om)
{
	const char *p;

	for (p = help; *p; p++) {
		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p == '"' && om)
			fputs("\\\"", f);
		else
			fputc(*p, f);
	}
}

static void sample_name(FILE *f, const char *name, const char *suffix,
			const char *labels, const char *extra)
{
	fprintf(f, "%s%s", name, suffix);
	if (*labels || extra)
		fprintf(f, "{%s%s%s}", labels, *labels && extra ? "," : "",
			extra ? extra : "");
	fputc(' ', f);
}

static void render_hist(FILE *f, const struct ex_family *fam,
			const struct ex_sample *s)
{
	const struct ks_hist *h = s->h;
	uint64_t acc = 0;
	unsigned int i;
	char le[64];

	for (i = 0; i < h->slots; i++) {
		acc += h->b[i];
		if (i == h->slots - 1) {
			snprintf(le, sizeof(le), "le=\"+Inf\"");
		} else {
			memcpy(le, "le=\"", 4);
			fmt_dec(le + 4, sizeof(le) - 5, (2ULL << i) - 1,
				fam->dec, false);
			strcat(le, "\"");
		}
		sample_name(f, fam->name, "_bucket", s->labels, le);
		fprintf(f, "%" PRIu64 "\n", acc);
	}
	sample_name(f, fam->name, "_sum", s->labels, NULL);
	put_dec(f, h->sum, fam->dec, false);
	fputc('\n', f);
	/* the buckets' total: the count of a consistent snapshot */
	sample_name(f, fam->name, "_count", s->labels, NULL);
	fprintf(f, "%" PRIu64 "\n", acc);
}

static void render(FILE *f, const struct ex_reg *r, bool om)
{
	static const char *const types[] = {
		[EX_COUNTER] = "counter", [EX_GAUGE] = "gauge",
		[EX_HIST] = "histogram", [EX_INFO] = "info",
	};
	unsigned int i, j;

	for (i = 0; i < r->n; i++) {
		const struct ex_family *fam = &r->f[i];
		/* text 0.0.4 names the family by its samples' name */
		const char *suffix = fam->type == EX_COUNTER ? "_total" :
				     fam->type == EX_INFO ? "_info" : "";

		if (!fam->n)
			continue;
		fprintf(f, "# HELP %s%s ", fam->name, om ? "" : suffix);
		put_help(f, fam->help, om);
		fprintf(f, "\n# TYPE %s%s %s\n", fam->name, om ? "" : suffix,
			!om && fam->type == EX_INFO ? "gauge" : types[fam->type]);
		for (j = 0; j < fam->n; j++) {
			const struct ex_sample *s = &fam->s[j];

			if (fam->type == EX_HIST) {
				render_hist(f, fam, s);
				continue;
			}
			sample_name(f, fam->name, suffix, s->labels, NULL);
			put_dec(f, s->v, fam->dec, s->neg);
			fputc('\n', f);
		}
	}
	if (om)
		fputs("# EOF\n", f);
}

/* ---- reading the sources ---- */

struct ex_opts {
	char **sources;		/* NULL: all */
	unsigned int nr_sources;
};

static bool selected(const struct ex_opts *o, const char *source)
{
	unsigned int i;

	if (!o->sources)
		return true;
	for (i = 0; i < o->nr_sources; i++)
		if (!strcmp(o->sources[i], source))
			return true;
	return false;
}

/* Decimals that turn a histogram's values into base units (seconds). */
static uint8_t unit_dec(uint8_t unit)
{
	return unit == KSCOPE_UNIT_NS ? 9 : unit == KSCOPE_UNIT_US ? 6 : 0;
}

/* "_seconds", or the unit's own name as Prometheus wants it */
static const char *unit_suffix(uint8_t unit)
{
	switch (unit) {
	case KSCOPE_UNIT_NS:
	case KSCOPE_UNIT_US:
		return "_seconds";
	case KSCOPE_UNIT_BYTES:
		return "_bytes";
	case KSCOPE_UNIT_PAGES:
		return "_pages";
	}
	return "";
}

/* A histogram: NAME + its unit's suffix, with @labels (NULL-ended pairs). */
static void put_hist_named(struct ex_reg *r, const char *prefix,
			   const char *help, const char *const *kv,
			   const struct ks_hist *h)
{
	char *name = metric_name(prefix, unit_suffix(h->unit), NULL);
	char *labels = labels_of(kv);

	if (name && labels)
		put_hist(r, name, unit_dec(h->unit), help, labels, h);
	else
		r->oom = true;
	free(name);
	free(labels);
}

static void put_labelled(struct ex_reg *r, const char *name, enum ex_type t,
			 uint8_t dec, const char *help, const char *const *kv,
			 uint64_t v, bool neg)
{
	char *labels = labels_of(kv);

	if (labels)
		put_value(r, name, t, dec, help, labels, v, neg);
	else
		r->oom = true;
	free(labels);
}

/* A new socket for one scrape: a reloaded core has a new family id. */
static int ex_connect(struct ks_nl *nl)
{
	int err = ks_nl_connect(nl);
	int sz = 1 << 20;

	/* blk's device replies come in several messages before the ACK */
	if (!err)
		setsockopt(mnl_socket_get_fd(nl->sk), SOL_SOCKET, SO_RCVBUF,
			   &sz, sizeof(sz));
	return err;
}

/* CTL_GET to @source; @cursor_attr (u32, 0: none) at @cursor in its nest */
static int ctl_get(struct ks_nl *nl, const char *source, const char *blk_name,
		   uint16_t cursor_attr, uint32_t cursor, ks_reply_fn fn,
		   void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;

	nlh = ks_nl_msg(nl, buf, KSCOPE_CMD_CTL_GET, 0);
	if (blk_name || cursor_attr) {
		nest = ks_nl_ctl_start(nlh, source);
		if (blk_name)
			mnl_attr_put_strz(nlh, KSCOPE_BLK_NAME, blk_name);
		if (cursor_attr)
			mnl_attr_put_u32(nlh, cursor_attr, cursor);
		mnl_attr_nest_end(nlh, nest);
	} else {
		mnl_attr_put_strz(nlh, KSCOPE_A_SOURCE, source);
	}
	return ks_nl_talk(nl, nlh, fn, data);
}

/* ---- counters: the schema's, with their kinds ---- */

static const char *const chan_names[] = { KSCOPE_CHAN_COUNTERS };

static void put_counters(struct ex_reg *r, const struct ks_source *src,
			 const struct ks_stats *st)
{
	char *name, help[256];
	unsigned int i, j;

	for (i = 0; i < st->total.n; i++) {
		const char *cn = st->total.names[i];
		uint64_t v = st->total.vals[i];
		uint8_t kind = KSCOPE_COUNTER_MONOTONIC;
		bool chan = false;

		for (j = 0; j < src->nr_counters; j++)
			if (!strcmp(src->counters[j].name, cn))
				kind = src->counters[j].kind;
		for (j = 0; j < ARRAY_SIZE(chan_names); j++)
			if (!strcmp(chan_names[j], cn))
				chan = true;
		if (chan && !strncmp(cn, "lost_", 5)) {
			/* the event channel's losses, one series per reason */
			const char *kv[] = { "reason", cn + 5, NULL };

			name = metric_name("kscope_", src->name, "_events_lost");
			snprintf(help, sizeof(help),
				 "Events of kscope source %s produced while a reader listened and not delivered to it, by reason (the lost_* counters of its schema).",
				 src->name);
			if (name)
				put_labelled(r, name, EX_COUNTER, 0, help, kv, v,
					     false);
			free(name);
			continue;
		}
		name = metric_name("kscope_", src->name, "_");
		if (name) {
			char *m = metric_name(name, cn, NULL);

			free(name);
			name = m;
		}
		if (!name) {
			r->oom = true;
			return;
		}
		if (kind == KSCOPE_COUNTER_GAUGE) {
			snprintf(help, sizeof(help),
				 "kscope source %s, gauge %s (how many exist now).",
				 src->name, cn);
			put_value(r, name, EX_GAUGE, 0, help, "", v, false);
		} else {
			snprintf(help, sizeof(help),
				 "kscope source %s, counter %s (a count since the source was loaded).",
				 src->name, cn);
			put_value(r, name, EX_COUNTER, 0, help, "", v, false);
		}
		free(name);
	}
}

/* ---- sched: the run-queue latency histogram ---- */

static int sched_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;
	struct ex_reg *r = data;
	static const char *const none[] = { NULL };
	struct ks_hist h;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl)
		if (mnl_attr_get_type(b) == KSCOPE_SCHED_RUNQ_HIST &&
		    !ks_hist_parse(b, &h))
			put_hist_named(r, "kscope_sched_runq_latency",
				       "Run-queue latency: time from wakeup to running, every task (as runqlat).",
				       none, &h);
	return 0;
}

/* ---- vfs: per filesystem and operation ---- */

static const char *const vfs_ops[] = {
	"read", "write", "open", "fsync", "create", "unlink", "rename",
	"mkdir", "rmdir",
};

static void vfs_ops_put(struct ex_reg *r, const struct nlattr *nest)
{
	uint64_t count = 0, bytes = 0, errors = 0;
	const char *fs = "", *op = "?";
	const struct nlattr *b;
	struct ks_hist h;
	bool has_hist = false;
	char opbuf[16];

	mnl_attr_for_each_nested(b, nest) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_VFS_FS:
			if (!mnl_attr_validate(b, MNL_TYPE_NUL_STRING))
				fs = mnl_attr_get_str(b);
			break;
		case KSCOPE_VFS_OP:
			if (mnl_attr_validate(b, MNL_TYPE_U8))
				break;
			if (mnl_attr_get_u8(b) < ARRAY_SIZE(vfs_ops)) {
				op = vfs_ops[mnl_attr_get_u8(b)];
			} else {
				snprintf(opbuf, sizeof(opbuf), "op%u",
					 mnl_attr_get_u8(b));
				op = opbuf;
			}
			break;
		case KSCOPE_VFS_COUNT:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				count = mnl_attr_get_u64(b);
			break;
		case KSCOPE_VFS_BYTES:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				bytes = mnl_attr_get_u64(b);
			break;
		case KSCOPE_VFS_ERRORS:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				errors = mnl_attr_get_u64(b);
			break;
		case KSCOPE_VFS_HIST:
			has_hist = !ks_hist_parse(b, &h);
			break;
		}
	}
	{
		const char *kv[] = { "fs", fs, "op", op, NULL };

		put_labelled(r, "kscope_vfs_fs_operations", EX_COUNTER, 0,
			     "VFS operations by filesystem type and operation.",
			     kv, count, false);
		put_labelled(r, "kscope_vfs_fs_bytes", EX_COUNTER, 0,
			     "Bytes read and written by filesystem type and operation.",
			     kv, bytes, false);
		put_labelled(r, "kscope_vfs_fs_errors", EX_COUNTER, 0,
			     "VFS operations that returned an error, by filesystem type and operation.",
			     kv, errors, false);
		if (has_hist)
			put_hist_named(r, "kscope_vfs_fs_latency",
				       "VFS operation latency by filesystem type and operation.",
				       kv, &h);
	}
}

static int vfs_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl)
		if (mnl_attr_get_type(b) == KSCOPE_VFS_OPS)
			vfs_ops_put(data, b);
	return 0;
}

/* ---- mem: slow path, free blocks and fragmentation per zone ---- */

static void mem_zone_put(struct ex_reg *r, const struct nlattr *zn)
{
	const struct nlattr *a, *o;
	const char *zone = "?";
	char node[16], order[16];
	uint32_t nid = 0;

	/* NODE and ZONE_NAME come before the orders */
	mnl_attr_for_each_nested(a, zn) {
		if (mnl_attr_get_type(a) == KSCOPE_MEM_NODE &&
		    !mnl_attr_validate(a, MNL_TYPE_U32))
			nid = mnl_attr_get_u32(a);
		else if (mnl_attr_get_type(a) == KSCOPE_MEM_ZONE_NAME &&
			 !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			zone = mnl_attr_get_str(a);
	}
	snprintf(node, sizeof(node), "%u", nid);
	mnl_attr_for_each_nested(a, zn) {
		uint64_t nfree = 0;
		int32_t frag = 0;
		bool has_nr = false, has_frag = false;

		if (mnl_attr_get_type(a) != KSCOPE_MEM_ORDER)
			continue;
		mnl_attr_for_each_nested(o, a) {
			switch (mnl_attr_get_type(o)) {
			case KSCOPE_MEM_ORDER_NR:
				if (mnl_attr_validate(o, MNL_TYPE_U32))
					break;
				snprintf(order, sizeof(order), "%u",
					 mnl_attr_get_u32(o));
				has_nr = true;
				break;
			case KSCOPE_MEM_FREE:
				if (!mnl_attr_validate(o, MNL_TYPE_U64))
					nfree = mnl_attr_get_u64(o);
				break;
			case KSCOPE_MEM_FRAG:
				if (mnl_attr_validate(o, MNL_TYPE_U32))
					break;
				frag = (int32_t)mnl_attr_get_u32(o);
				has_frag = true;
				break;
			}
		}
		if (!has_nr)
			continue;
		{
			const char *kv[] = { "node", node, "zone", zone,
					     "order", order, NULL };

			put_labelled(r, "kscope_mem_free_blocks", EX_GAUGE, 0,
				     "Free blocks of each order per zone (as /proc/buddyinfo).",
				     kv, nfree, false);
			if (has_frag)
				put_labelled(r, "kscope_mem_fragmentation_index",
					     EX_GAUGE, 3,
					     "Fragmentation index per zone and order (as debugfs extfrag_index; -1: a free block of that order exists).",
					     kv, frag < 0 ? -(int64_t)frag : frag,
					     frag < 0);
		}
	}
}

static int mem_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;
	static const char *const none[] = { NULL };
	struct ex_reg *r = data;
	struct ks_hist h;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) == KSCOPE_MEM_ZONE)
			mem_zone_put(r, b);
		else if (mnl_attr_get_type(b) == KSCOPE_MEM_SLOW_HIST &&
			 !ks_hist_parse(b, &h))
			put_hist_named(r, "kscope_mem_slowpath_latency",
				       "Page allocator slow-path latency.",
				       none, &h);
	}
	return 0;
}

/* ---- probe: per probe ---- */

struct probe_walk {
	struct ex_reg *r;
	bool more;
	uint32_t next;
};

static void probe_put(struct ex_reg *r, const struct nlattr *nest)
{
	uint64_t hits = 0, returns = 0, nmissed = 0;
	const char *resolved = "", *sym = "";
	const struct nlattr *b;
	bool has_hist = false;
	struct ks_hist h;
	char id[16] = "";

	mnl_attr_for_each_nested(b, nest) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_PROBE_ID:
			if (!mnl_attr_validate(b, MNL_TYPE_U32))
				snprintf(id, sizeof(id), "%u",
					 mnl_attr_get_u32(b));
			break;
		case KSCOPE_PROBE_SYMBOL:
			if (!mnl_attr_validate(b, MNL_TYPE_NUL_STRING))
				sym = mnl_attr_get_str(b);
			break;
		case KSCOPE_PROBE_RESOLVED:
			if (!mnl_attr_validate(b, MNL_TYPE_NUL_STRING))
				resolved = mnl_attr_get_str(b);
			break;
		case KSCOPE_PROBE_HITS:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				hits = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_RETURNS:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				returns = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_NMISSED:
			if (!mnl_attr_validate(b, MNL_TYPE_U64))
				nmissed = mnl_attr_get_u64(b);
			break;
		case KSCOPE_PROBE_HIST:
			has_hist = !ks_hist_parse(b, &h);
			break;
		}
	}
	if (!id[0])
		return;
	{
		const char *kv[] = { "id", id, "symbol",
				     resolved[0] ? resolved : sym, NULL };

		put_labelled(r, "kscope_probe_function_hits", EX_COUNTER, 0,
			     "Hits of each kscope probe (kscope probe list).",
			     kv, hits, false);
		put_labelled(r, "kscope_probe_function_returns", EX_COUNTER, 0,
			     "Returns seen by each kscope return probe.",
			     kv, returns, false);
		put_labelled(r, "kscope_probe_function_missed", EX_COUNTER, 0,
			     "Hits each kscope probe missed (the kprobe's nmissed).",
			     kv, nmissed, false);
		if (has_hist)
			put_hist_named(r, "kscope_probe_function_latency",
				       "Entry to return latency of each kscope --latency probe.",
				       kv, &h);
	}
}

static int probe_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;
	struct probe_walk *pw = data;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) == KSCOPE_PROBE_ENTRY)
			probe_put(pw->r, b);
		else if (mnl_attr_get_type(b) == KSCOPE_PROBE_ID &&
			 !mnl_attr_validate(b, MNL_TYPE_U32)) {
			pw->next = mnl_attr_get_u32(b);
			pw->more = true;
		}
	}
	return 0;
}

static int probe_read(struct ks_nl *nl, struct ex_reg *r)
{
	struct probe_walk pw = { .r = r };
	uint32_t from = 1;
	int err;

	do {
		pw.more = false;
		err = ctl_get(nl, "probe", NULL, KSCOPE_PROBE_ID, from,
			      probe_cb, &pw);
		if (err)
			return err;
		if (pw.more && pw.next <= from)
			return -EPROTO;
		from = pw.next;
	} while (pw.more);
	return 0;
}

/* ---- blk: per device, per hardware queue, per op ---- */

static const char *const blk_ops[] = {
	"read", "write", "flush", "discard", "write_zeroes",
};

struct blk_ctx {
	struct ex_reg *r;
	const char *dev;
	const char *queue;	/* NULL: the device's own */
};

static void blk_stats_put(struct blk_ctx *c, const struct nlattr *stats)
{
	const char *pfx = c->queue ? "kscope_blk_queue_" : "kscope_blk_device_";
	const char *scope = c->queue ? "hardware queue" : "device";
	const struct nlattr *ctr, *a;
	char help[200], *name;
	unsigned int i;

	mnl_attr_for_each_nested(ctr, stats) {
		const char *n = NULL, *op = NULL, *what;
		/* the kind the module gives each (none: a counter) */
		unsigned int kind = KSCOPE_COUNTER_MONOTONIC;
		uint64_t v = 0;
		size_t len;

		if (mnl_attr_get_type(ctr) != KSCOPE_A_COUNTER)
			continue;
		mnl_attr_for_each_nested(a, ctr) {
			if (mnl_attr_get_type(a) == KSCOPE_CTR_NAME &&
			    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				n = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == KSCOPE_CTR_VALUE &&
				 !mnl_attr_validate(a, MNL_TYPE_U64))
				v = mnl_attr_get_u64(a);
			else if (mnl_attr_get_type(a) == KSCOPE_CTR_KIND &&
				 !mnl_attr_validate(a, MNL_TYPE_U8))
				kind = mnl_attr_get_u8(a);
		}
		if (!n)
			continue;
		what = n;
		for (i = 0; i < ARRAY_SIZE(blk_ops); i++) {
			len = strlen(blk_ops[i]);
			if (!strncmp(n, blk_ops[i], len) && n[len] == '_') {
				op = blk_ops[i];
				what = n + len + 1;
			}
		}
		{
			const char *kv[] = { "device", c->dev,
					     c->queue ? "queue" : "op",
					     c->queue ? c->queue : op,
					     c->queue && op ? "op" : NULL, op,
					     NULL };
			const char *const *l = kv;
			const char *nolabel[] = { "device", c->dev, c->queue ? "queue" : NULL,
						  c->queue, NULL };

			if (!op)
				l = nolabel;
			if (op && !strcmp(what, "lat_ns_sum")) {
				snprintf(help, sizeof(help),
					 "Time requests took from queueing to completion per %s and op, summed.",
					 scope);
				name = metric_name(pfx, "request_time_seconds", NULL);
				if (name)
					put_labelled(c->r, name, EX_COUNTER, 9,
						     help, l, v, false);
				free(name);
				continue;
			}
			if (op && !strcmp(what, "reqs"))
				what = "requests";
			name = metric_name(pfx, what, NULL);
			if (!name) {
				c->r->oom = true;
				continue;
			}
			if (kind == KSCOPE_COUNTER_GAUGE) {
				snprintf(help, sizeof(help),
					 "kscope_blk %s statistic %s (now).",
					 scope, what);
				put_labelled(c->r, name, EX_GAUGE, 0, help, l,
					     v, false);
			} else {
				snprintf(help, sizeof(help),
					 "kscope_blk %s statistic %s%s.",
					 scope, what, op ? " per op" : "");
				put_labelled(c->r, name, EX_COUNTER, 0, help, l,
					     v, false);
			}
			free(name);
		}
	}
}

static void blk_lat_put(struct blk_ctx *c, const struct nlattr *lat)
{
	struct ks_hist h;
	const char *op = ks_blk_lat_parse(lat, &h);

	if (!op)
		return;
	if (c->queue) {
		const char *kv[] = { "device", c->dev, "queue", c->queue,
				     "op", op, NULL };

		put_hist_named(c->r, "kscope_blk_queue_latency",
			       "Request latency per hardware queue and op.",
			       kv, &h);
	} else {
		const char *kv[] = { "device", c->dev, "op", op, NULL };

		put_hist_named(c->r, "kscope_blk_device_latency",
			       "Request latency per device and op.", kv, &h);
	}
}

static void blk_dev_put(struct ex_reg *r, const struct nlattr *dev)
{
	struct blk_ctx c = { .r = r, .dev = NULL };
	const struct nlattr *a, *q;
	char qbuf[16];

	mnl_attr_for_each_nested(a, dev)
		if (mnl_attr_get_type(a) == KSCOPE_BLK_NAME &&
		    !mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
			c.dev = mnl_attr_get_str(a);
	if (!c.dev)
		return;
	mnl_attr_for_each_nested(a, dev) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_BLK_STATS:
			c.queue = NULL;
			blk_stats_put(&c, a);
			break;
		case KSCOPE_BLK_LAT:
			c.queue = NULL;
			blk_lat_put(&c, a);
			break;
		case KSCOPE_BLK_HWQ:
			c.queue = NULL;
			mnl_attr_for_each_nested(q, a)
				if (mnl_attr_get_type(q) == KSCOPE_BLK_HWQ_INDEX &&
				    !mnl_attr_validate(q, MNL_TYPE_U32)) {
					snprintf(qbuf, sizeof(qbuf), "%u",
						 mnl_attr_get_u32(q));
					c.queue = qbuf;
				}
			if (!c.queue)
				break;
			mnl_attr_for_each_nested(q, a) {
				if (mnl_attr_get_type(q) == KSCOPE_BLK_STATS)
					blk_stats_put(&c, q);
				else if (mnl_attr_get_type(q) == KSCOPE_BLK_LAT)
					blk_lat_put(&c, q);
			}
			break;
		}
	}
}

static int blk_stat_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *d;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(d, ctl)
		if (mnl_attr_get_type(d) == KSCOPE_BLK_DEVICE)
			blk_dev_put(data, d);
	return 0;
}

struct blk_list {
	char **names;
	unsigned int n;
	bool oom;
};

static int blk_list_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl = ks_reply_ctl(nlh), *d, *a;
	struct blk_list *l = data;
	char **v;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(d, ctl) {
		if (mnl_attr_get_type(d) != KSCOPE_BLK_DEVICE)
			continue;
		mnl_attr_for_each_nested(a, d) {
			if (mnl_attr_get_type(a) != KSCOPE_BLK_NAME ||
			    mnl_attr_validate(a, MNL_TYPE_NUL_STRING))
				continue;
			v = realloc(l->names, (l->n + 1) * sizeof(*v));
			if (!v)
				goto nomem;
			l->names = v;
			v[l->n] = strdup(mnl_attr_get_str(a));
			if (!v[l->n])
				goto nomem;
			l->n++;
		}
	}
	return 0;
nomem:
	l->oom = true;
	return -ENOMEM;
}

static int blk_read(struct ks_nl *nl, struct ex_reg *r)
{
	struct blk_list l = { .n = 0 };
	unsigned int i;
	int err;

	err = ctl_get(nl, "blk", NULL, 0, 0, blk_list_cb, &l);
	for (i = 0; !err && i < l.n; i++) {
		err = ctl_get(nl, "blk", l.names[i], 0, 0, blk_stat_cb, r);
		/* deleted since the list: not an error of the scrape */
		if (err == -ENODEV || err == -ENOENT)
			err = 0;
	}
	for (i = 0; i < l.n; i++)
		free(l.names[i]);
	free(l.names);
	return err;
}

/* ---- one scrape ---- */

static double now_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * Everything the selected sources show, into @r. Errors of a source's own
 * read are counted in kscope_exporter_read_errors (and say which source):
 * the rest of the scrape is still served.
 */
static void collect(struct ex_reg *r, const struct ex_opts *o)
{
	struct ks_sources srcs = { .n = 0 };
	struct ks_stats_list stats = { .n = 0 };
	double t0 = now_mono();
	unsigned int i, j;
	struct ks_nl nl;
	bool up = false;
	int err;

	err = ex_connect(&nl);
	if (err)
		goto out;
	err = ks_sources_fetch(&nl, NULL, &srcs);
	if (!err)
		err = ks_stats_fetch(&nl, NULL, false, &stats);
	if (err)
		goto out;
	up = true;
	for (i = 0; i < stats.n; i++) {
		const struct ks_stats *st = &stats.v[i];
		const struct ks_source *src = NULL;
		const char *sn = st->source;
		char *id;

		for (j = 0; j < srcs.n; j++)
			if (!strcmp(srcs.v[j].name, sn))
				src = &srcs.v[j];
		/* registered between the two dumps: next scrape */
		if (!src || !selected(o, sn))
			continue;
		if (asprintf(&id, "%u", src->id) >= 0) {
			const char *kv[] = { "source", sn, "attach",
					     src->attach, "id", id, NULL };

			put_labelled(r, "kscope_source", EX_INFO, 0,
				     "A loaded kscope source and how it is attached.",
				     kv, 1, false);
			free(id);
		}
		put_counters(r, src, st);
		err = 0;
		if (!strcmp(sn, "sched"))
			err = ctl_get(&nl, "sched", NULL, 0, 0, sched_cb, r);
		else if (!strcmp(sn, "vfs"))
			err = ctl_get(&nl, "vfs", NULL, 0, 0, vfs_cb, r);
		else if (!strcmp(sn, "mem"))
			err = ctl_get(&nl, "mem", NULL, 0, 0, mem_cb, r);
		else if (!strcmp(sn, "probe"))
			err = probe_read(&nl, r);
		else if (!strcmp(sn, "blk"))
			err = blk_read(&nl, r);
		/* a source unloaded during the scrape is simply gone */
		if (err && err != -ENOENT) {
			const char *kv[] = { "source", sn, NULL };

			put_labelled(r, "kscope_exporter_read_errors", EX_GAUGE,
				     0, "Requests of this scrape that failed, by source.",
				     kv, 1, false);
		}
	}
out:
	put_value(r, "kscope_up", EX_GAUGE, 0,
		  "1 when kscope_core answered this scrape over netlink, 0 when it is not loaded or not readable.",
		  "", up, false);
	put_value(r, "kscope_exporter_scrape_duration_seconds", EX_GAUGE, 6,
		  "Time this scrape took to read every source.", "",
		  (uint64_t)((now_mono() - t0) * 1e6), false);
	ks_stats_list_free(&stats);
	ks_sources_free(&srcs);
	if (nl.sk || nl.buf)
		ks_nl_close(&nl);
}

/* One page in @fmt into a malloc'ed buffer; NULL when out of memory. */
static char *scrape(const struct ex_opts *o, bool om, size_t *len)
{
	struct ex_reg r = { .n = 0 };
	char *buf = NULL;
	FILE *f;

	collect(&r, o);
	f = open_memstream(&buf, len);
	if (f) {
		if (!r.oom)
			render(f, &r, om);
		if (fclose(f) || r.oom) {
			free(buf);
			buf = NULL;
		}
	}
	reg_free(&r);
	return buf;
}

/* ---- HTTP ---- */

static enum MHD_Result answer(void *cls, struct MHD_Connection *conn,
			      const char *url, const char *method,
			      const char *version, const char *upload_data,
			      size_t *upload_data_size, void **con_cls)
{
	static const char index_page[] =
		"kscope exporter: metrics at /metrics\n";
	const struct ex_opts *o = cls;
	struct MHD_Response *resp;
	const char *accept, *ctype;
	enum MHD_Result ret;
	unsigned int status;
	size_t len = 0;
	char *page;
	bool om;

	(void)version;
	(void)upload_data;
	/*
	 * The first call has the headers only: answering there, before the
	 * request is known to be complete, makes MHD close the connection.
	 * Answered on the next call, Prometheus keeps its connection.
	 */
	if (!*con_cls) {
		static int headers_seen;

		*con_cls = &headers_seen;
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		resp = MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
		if (resp)
			MHD_add_response_header(resp, "Allow", "GET, HEAD");
	} else if (*upload_data_size) {
		return MHD_NO;
	} else if (!strcmp(url, "/metrics")) {
		accept = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     "Accept");
		om = accept && strstr(accept, "application/openmetrics-text");
		page = scrape(o, om, &len);
		if (!page) {
			status = MHD_HTTP_INTERNAL_SERVER_ERROR;
			resp = MHD_create_response_from_buffer(0, (void *)"",
							       MHD_RESPMEM_PERSISTENT);
		} else {
			status = MHD_HTTP_OK;
			resp = MHD_create_response_from_buffer(len, page,
							       MHD_RESPMEM_MUST_FREE);
			if (!resp)
				free(page);
		}
		ctype = om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
			     "text/plain; version=0.0.4; charset=utf-8";
		if (resp)
			MHD_add_response_header(resp, "Content-Type", ctype);
	} else if (!strcmp(url, "/")) {
		status = MHD_HTTP_OK;
		resp = MHD_create_response_from_buffer(sizeof(index_page) - 1,
						       (void *)index_page,
						       MHD_RESPMEM_PERSISTENT);
		if (resp)
			MHD_add_response_header(resp, "Content-Type",
						"text/plain; charset=utf-8");
	} else {
		status = MHD_HTTP_NOT_FOUND;
		resp = MHD_create_response_from_buffer(0, (void *)"",
						       MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* "ADDR:PORT" or "[ADDR6]:PORT", numeric only */
static int parse_listen(const char *s, struct sockaddr_storage *ss)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	char host[128], *port;
	struct addrinfo *ai;
	int err;

	if (strlen(s) >= sizeof(host))
		return -1;
	if (s[0] == '[') {
		snprintf(host, sizeof(host), "%s", s + 1);
		port = strstr(host, "]:");
		if (!port)
			return -1;
		*port = '\0';
		port += 2;
	} else {
		snprintf(host, sizeof(host), "%s", s);
		port = strrchr(host, ':');
		if (!port || strchr(host, ':') != port)
			return -1;
		*port++ = '\0';
	}
	if (!*host || !*port || strspn(port, "0123456789") != strlen(port))
		return -1;
	err = getaddrinfo(host, port, &hints, &ai);
	if (err)
		return -1;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

/* ---- textfile ---- */

static int write_textfile(const char *dir, const struct ex_opts *o)
{
	char tmp[4096], dst[4096];
	size_t len = 0, off = 0;
	char *page;
	ssize_t n;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, EX_TEXTFILE) >=
	    (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/%s", dir, EX_TEXTFILE) >=
	    (int)sizeof(dst))
		return -ENAMETOOLONG;
	/* node_exporter reads the text format 0.0.4 only */
	page = scrape(o, false, &len);
	if (!page)
		return -ENOMEM;
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = -errno;
		goto free_page;
	}
	while (off < len) {
		n = write(fd, page + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	if (!err && fchmod(fd, 0644))
		err = -errno;
	if (close(fd) && !err)
		err = -errno;
	/* readers see the old file or the new one, never a part */
	if (!err && rename(tmp, dst))
		err = -errno;
	if (err)
		unlink(tmp);
free_page:
	free(page);
	return err;
}

/* ---- privileges ---- */

/*
 * Drop CAP_NET_ADMIN and CAP_SYS_ADMIN for good: every read the exporter
 * makes is open to everyone, and an admin's reply to the same request
 * may carry more (other users' processes) or cost more (mem's free-list
 * walk under the zone lock). The other capabilities are kept (a root
 * exporter may still write a textfile directory it does not own).
 */
static void drop_admin_caps(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct d[_LINUX_CAPABILITY_U32S_3];
	static const int caps[] = { CAP_NET_ADMIN, CAP_SYS_ADMIN };
	unsigned int i;

	bool held = false;

	if (syscall(SYS_capget, &hdr, d))
		return;
	for (i = 0; i < ARRAY_SIZE(caps); i++) {
		uint32_t bit = 1U << (caps[i] % 32);
		struct __user_cap_data_struct *c = &d[caps[i] / 32];

		held |= (c->permitted | c->effective | c->inheritable) & bit;
		c->effective &= ~bit;
		c->permitted &= ~bit;
		c->inheritable &= ~bit;
	}
	/* none held (the systemd unit): capset may be filtered there */
	if (!held)
		return;
	for (i = 0; i < ARRAY_SIZE(caps); i++)
		prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, caps[i], 0, 0);
	if (syscall(SYS_capset, &hdr, d))
		ks_err("export: dropping CAP_NET_ADMIN/CAP_SYS_ADMIN: %s",
		       strerror(errno));
}

/* ---- the command ---- */

static int export_err(const char *fmt, const char *arg)
{
	return ks_sub_usage_error("export", NULL, fmt, arg);
}

static int split_sources(char *list, struct ex_opts *o)
{
	char *tok, *save = NULL, **v;

	for (tok = strtok_r(list, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		v = realloc(o->sources, (o->nr_sources + 1) * sizeof(*v));
		if (!v)
			return -ENOMEM;
		o->sources = v;
		o->sources[o->nr_sources++] = tok;
	}
	return o->nr_sources ? 0 : -EINVAL;
}

int cmd_export(int argc, char **argv)
{
	const char *listen = NULL, *textfile = NULL;
	struct ex_opts o = { .sources = NULL };
	bool once = false, om = false;
	struct sockaddr_storage ss;
	struct MHD_Daemon *d = NULL;
	double interval = 15;
	struct timespec ts;
	sigset_t sigs;
	int c, sig, err, status = 1;
	size_t len;
	char *page;

	while ((c = ks_getopt(argc, argv, "export", NULL, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			goto free_opts;
		switch (c) {
		case 'l':
			listen = optarg;
			break;
		case 't':
			textfile = optarg;
			break;
		case 'i':
			if (!ks_parse_secs(optarg, &interval) || interval < 0.1) {
				status = export_err("bad --interval '%s' (at least 0.1 s)",
						    optarg);
				goto free_opts;
			}
			break;
		case 's':
			if (split_sources(optarg, &o)) {
				status = export_err("bad --sources '%s'", optarg);
				goto free_opts;
			}
			break;
		case 'o':
			once = true;
			break;
		case 'O':
			om = true;
			break;
		}
	}
	if (optind < argc) {
		status = export_err("unexpected argument '%s'", argv[optind]);
		goto free_opts;
	}
	if (om && !once) {
		status = export_err("%s", "--openmetrics goes with --once (a scraper asks for it)");
		goto free_opts;
	}
	if (once && (listen || textfile)) {
		status = export_err("%s", "--once prints one scrape: no --listen, no --textfile");
		goto free_opts;
	}
	if (!listen && !textfile && !once)
		listen = EX_DEFAULT_LISTEN;
	if (listen && parse_listen(listen, &ss)) {
		status = export_err("bad --listen '%s' (ADDR:PORT or [ADDR6]:PORT, numeric)",
				    listen);
		goto free_opts;
	}
	if (textfile && access(textfile, W_OK)) {
		ks_err("export: --textfile %s: %s", textfile, strerror(errno));
		goto free_opts;
	}

	drop_admin_caps();
	if (once) {
		page = scrape(&o, om, &len);
		if (!page) {
			ks_err("export: %s", strerror(ENOMEM));
			goto free_opts;
		}
		fwrite(page, 1, len, stdout);
		free(page);
		status = fflush(stdout) ? 1 : 0;
		goto free_opts;
	}

	/* the server's thread inherits this mask: signals come to sigtimedwait */
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (listen) {
		d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_ERROR_LOG |
				     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				     0, NULL, NULL, answer, &o,
				     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				     MHD_OPTION_CONNECTION_LIMIT, 32U,
				     MHD_OPTION_CONNECTION_TIMEOUT, 120U,
				     MHD_OPTION_END);
		if (!d) {
			ks_err("export: cannot listen on %s (in use, or not an address of this machine?)",
			       listen);
			goto free_opts;
		}
		fprintf(stderr, "kscope: export: serving http://%s/metrics\n",
			listen);
	}
	if (textfile)
		fprintf(stderr, "kscope: export: writing %s/%s every %g s\n",
			textfile, EX_TEXTFILE, interval);
	for (;;) {
		if (textfile) {
			err = write_textfile(textfile, &o);
			if (err)
				ks_err("export: writing %s/%s: %s", textfile,
				       EX_TEXTFILE, strerror(-err));
		}
		ts.tv_sec = (time_t)interval;
		ts.tv_nsec = (long)((interval - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(&sigs, NULL, textfile ? &ts : NULL);
		if (sig > 0)
			break;
	}
	status = 0;
	if (d)
		MHD_stop_daemon(d);
	/* gone with the exporter: node_exporter must not serve it as live */
	if (textfile) {
		char dst[4096];

		snprintf(dst, sizeof(dst), "%s/%s", textfile, EX_TEXTFILE);
		unlink(dst);
	}
free_opts:
	free(o.sources);
	return status;
}
