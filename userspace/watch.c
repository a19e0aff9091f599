// SPDX-License-Identifier: GPL-2.0
/*
 * kscope watch: print the events of the "events" multicast group and
 * account for every one that did not arrive.
 *
 * Three independent views of loss are reported, because each catches what
 * the others cannot: the kernel's lost_* counters (events that never left
 * the per-CPU buffers), ENOBUFS from recv() (our socket overflowed; the
 * kernel counts that side too thanks to NETLINK_BROADCAST_ERROR), and gaps
 * in the per-(source, CPU) sequence numbers (whatever the cause).
 *
 * The reader also listens to nlctrl's notifications: when kscope_core is
 * unloaded under it (CTRL_CMD_DELFAMILY), no event can come any more, so
 * it says so and exits with status 1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kscope.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define DEFAULT_RCVBUF		(32 << 20)
/*
 * Stopping (a signal, --count, --duration): the reader asks the core to
 * deliver what it has recorded (KSCOPE_CMD_FLUSH), leaves the events
 * group, so that nothing more is queued, and reads what its socket holds
 * by then: a finite backlog, however steady the stream (a reader that
 * keeps up has little to read; one that fell behind reads its own
 * backlog, which a second signal cuts short). It never waits for a quiet
 * moment.
 */

enum {
	LOST_FULL, LOST_NOMEM, LOST_OVERRUN, LOST_NMI, LOST_RECURSION,
	LOST_INVALID, LOST_CLOSED, NR_LOST
};

static const char * const lost_ctr[NR_LOST] = {
	"lost_buffer_full", "lost_nomem", "lost_overrun", "lost_nmi",
	"lost_recursion", "lost_invalid", "lost_closed",
};

static const char * const ctx_names[] = {
	[KSCOPE_CTX_TASK]	= "task",
	[KSCOPE_CTX_SOFTIRQ]	= "softirq",
	[KSCOPE_CTX_HARDIRQ]	= "hardirq",
	[KSCOPE_CTX_NMI]	= "nmi",
};

/* Next expected sequence number + 1 per CPU of one source; 0 = none yet. */
struct seq_track {
	uint64_t *next;
	uint32_t nr;
};

struct tried {
	uint16_t src;
	uint16_t type;
};

struct loss {
	uint64_t kernel[NR_LOST];
	uint64_t overruns;
	uint64_t gaps;
};

/*
 * A run's own filters (watch --pid ..., the front-ends' -p, -L, -D), in
 * the reader: the kernel and every other reader are unaffected. An event
 * passes when it names what each set filter asks for; one that does not
 * name it at all (no port in a fork event) does not pass.
 */
#define KS_MAX_PORTS	8

struct evfilter {
	bool has_pid, has_netns, has_addr;
	uint32_t pid;
	uint64_t netns;
	const char *comm;
	struct in6_addr addr;		/* IPv4 as v4-mapped */
	uint8_t family;			/* 0, or 4/6 */
	unsigned int nr_ports, nr_lports, nr_rports;
	uint16_t ports[KS_MAX_PORTS];	/* either end */
	uint16_t lports[KS_MAX_PORTS];	/* sport */
	uint16_t rports[KS_MAX_PORTS];	/* dport */
};

struct event;
/* a front-end's view of the stream: one source, one event, its own lines */
struct watch_view {
	const char *source;
	const char *event;
	void (*header)(void);
	void (*line)(const struct event *e, const struct ks_evtype *et);
};

struct watch {
	struct ks_nl ev;		/* member of the events group */
	struct ks_nl req;		/* schemas and counters */
	struct ks_sources srcs;
	char **names;			/* sources to show, all if none */
	int nr_names;

	uint64_t max_count;		/* 0: unlimited */
	uint64_t received;
	uint64_t shown;			/* received and passed the filters */
	struct evfilter flt;
	const struct watch_view *view;	/* NULL: kscope watch */
	uint64_t overruns;
	uint64_t gaps;
	bool done;			/* --count reached */
	bool discard;			/* draining after --count */
	bool draining;			/* stopping: one batch per call */
	bool warned_trunc, warned_bad, warned_kernel;
	bool gone;			/* the kscope family was unregistered */
	bool check_family;		/* a notification may have been lost */

	struct seq_track *seqs;		/* indexed by source id */
	unsigned int nr_seqs;
	struct tried *tried;		/* unknown (source, type) refetched */
	unsigned int nr_tried;

	bool kernel_ok;
	uint64_t kbase[NR_LOST];
	uint64_t know[NR_LOST];
	struct loss reported;
};

static volatile sig_atomic_t nr_signals;

static void on_signal(int sig)
{
	(void)sig;
	nr_signals++;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- kernel loss counters ---- */

static void sum_lost(const struct ks_stats_list *l, uint64_t out[NR_LOST])
{
	unsigned int i, j;
	uint64_t v;

	memset(out, 0, NR_LOST * sizeof(out[0]));
	for (i = 0; i < l->n; i++)
		for (j = 0; j < NR_LOST; j++)
			if (ks_ctrs_get(&l->v[i].total, lost_ctr[j], &v))
				out[j] += v;
}

/*
 * Totals come from source "core"; with sources named on the command line,
 * from theirs (a source not loaded yet counts as zero). Without a "core"
 * source, all sources are summed.
 */
static int read_kernel(struct watch *w, uint64_t out[NR_LOST])
{
	struct ks_stats_list l = { .n = 0 };
	int i, err = 0;

	if (!w->nr_names) {
		err = ks_stats_fetch(&w->req, "core", false, &l);
		if (err == -ENOENT)
			err = ks_stats_fetch(&w->req, NULL, false, &l);
	}
	for (i = 0; !err && i < w->nr_names; i++) {
		err = ks_stats_fetch(&w->req, w->names[i], false, &l);
		if (err == -ENOENT)
			err = 0;
	}
	if (!err)
		sum_lost(&l, out);
	ks_stats_list_free(&l);
	return err;
}

/* Is the family we joined still registered, under the same id? */
static bool family_gone(const struct watch *w)
{
	struct ks_nl nl = { .sk = NULL };
	int err;
	bool gone;

	err = ks_nl_connect(&nl);
	gone = err == -ENOENT || (!err && nl.family != w->ev.family);
	ks_nl_close(&nl);
	return gone;
}

static void update_kernel(struct watch *w)
{
	uint64_t v[NR_LOST];
	int err;

	if (!w->kernel_ok || w->gone)
		return;
	err = read_kernel(w, v);
	if (err && family_gone(w)) {
		w->gone = true;
		return;
	}
	if (err) {
		if (!w->warned_kernel)
			ks_nl_report(&w->req, "reading kernel loss counters",
				     err);
		w->warned_kernel = true;
		return;
	}
	memcpy(w->know, v, sizeof(v));
}

static void current_loss(const struct watch *w, struct loss *l)
{
	unsigned int i;

	for (i = 0; i < NR_LOST; i++)
		/* a source reloaded meanwhile restarts from zero */
		l->kernel[i] = w->know[i] > w->kbase[i] ?
			       w->know[i] - w->kbase[i] : 0;
	l->overruns = w->overruns;
	l->gaps = w->gaps;
}

static void print_loss(struct watch *w, bool final)
{
	struct loss l;
	uint64_t k;

	unsigned int i;

	current_loss(w, &l);
	for (k = 0, i = 0; i < NR_LOST; i++)
		k += l.kernel[i];
	if (opt_json) {
		ks_json_begin("loss");
		printf(",\"lost\":{\"kernel\":%" PRIu64 ",\"buffer_full\":%" PRIu64
		       ",\"nomem\":%" PRIu64 ",\"overrun\":%" PRIu64
		       ",\"nmi\":%" PRIu64 ",\"recursion\":%" PRIu64
		       ",\"invalid\":%" PRIu64 ",\"closed\":%" PRIu64
		       ",\"socket_overruns\":%" PRIu64
		       ",\"seq_gaps\":%" PRIu64 "},\"received\":%" PRIu64
		       ",\"final\":%s}\n", k, l.kernel[LOST_FULL],
		       l.kernel[LOST_NOMEM], l.kernel[LOST_OVERRUN],
		       l.kernel[LOST_NMI], l.kernel[LOST_RECURSION],
		       l.kernel[LOST_INVALID], l.kernel[LOST_CLOSED],
		       l.overruns, l.gaps, w->received,
		       final ? "true" : "false");
		fflush(stdout);
	} else {
		fflush(stdout);
		fprintf(stderr, "kscope: lost events: kernel %" PRIu64
			" (buffer_full %" PRIu64 ", nomem %" PRIu64
			", overrun %" PRIu64 ", nmi %" PRIu64
			", recursion %" PRIu64 ", invalid %" PRIu64
			", closed %" PRIu64
			"), socket overruns %" PRIu64 ", seq gaps %" PRIu64
			", received %" PRIu64 "\n", k, l.kernel[LOST_FULL],
			l.kernel[LOST_NOMEM], l.kernel[LOST_OVERRUN],
			l.kernel[LOST_NMI], l.kernel[LOST_RECURSION],
			l.kernel[LOST_INVALID], l.kernel[LOST_CLOSED],
			l.overruns, l.gaps, w->received);
	}
	w->reported = l;
}

static void periodic_report(struct watch *w)
{
	struct loss l;

	update_kernel(w);
	current_loss(w, &l);
	if (memcmp(&l, &w->reported, sizeof(l)))
		print_loss(w, false);
}

/* ---- schemas ---- */

static bool wanted(const struct watch *w, const char *name)
{
	int i;

	if (!w->nr_names)
		return true;
	for (i = 0; name && i < w->nr_names; i++)
		if (!strcmp(w->names[i], name))
			return true;
	return false;
}

/* Sources load after we start: refetch once per unknown (source, type). */
static void refetch(struct watch *w, uint16_t src, uint16_t type)
{
	struct ks_sources fresh = { .n = 0 };
	struct tried *t;
	unsigned int i;
	int err;

	if (!w->req.sk)
		return;		/* not connected (unit test) */
	for (i = 0; i < w->nr_tried; i++)
		if (w->tried[i].src == src && w->tried[i].type == type)
			return;
	t = realloc(w->tried, (w->nr_tried + 1) * sizeof(*t));
	if (!t)
		return;
	w->tried = t;
	w->tried[w->nr_tried++] = (struct tried){ src, type };

	err = ks_sources_fetch(&w->req, NULL, &fresh);
	if (err) {
		ks_nl_report(&w->req, "refreshing source schemas", err);
		ks_sources_free(&fresh);
		return;
	}
	ks_sources_free(&w->srcs);
	w->srcs = fresh;
}

/* ---- sequence gaps ---- */

static void track_seq(struct watch *w, uint16_t src, uint32_t cpu,
		      uint64_t seq)
{
	struct seq_track *st;
	uint64_t *next;

	if (src >= w->nr_seqs) {
		st = realloc(w->seqs, (src + 1) * sizeof(*st));
		if (!st)
			return;
		memset(st + w->nr_seqs, 0,
		       (src + 1 - w->nr_seqs) * sizeof(*st));
		w->seqs = st;
		w->nr_seqs = src + 1;
	}
	st = &w->seqs[src];
	if (cpu >= st->nr) {
		if (cpu >= 65536)
			return;		/* not a CPU number we can trust */
		next = realloc(st->next, (cpu + 1) * sizeof(*next));
		if (!next)
			return;
		memset(next + st->nr, 0, (cpu + 1 - st->nr) * sizeof(*next));
		st->next = next;
		st->nr = cpu + 1;
	}
	next = &st->next[cpu];
	/*
	 * Only gaps between two received events are counted: what was lost
	 * before the first one is the kernel counters' business.
	 */
	if (*next && seq > *next - 1)
		w->gaps += seq - (*next - 1);
	*next = seq + 2;	/* i.e. expect seq + 1, biased by one */
}

/* ---- printing ---- */

static void fmt_addr(const uint8_t *a, char *buf, size_t len)
{
	static const uint8_t v4mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	if (!memcmp(a, v4mapped, sizeof(v4mapped)))
		inet_ntop(AF_INET, a + 12, buf, len);
	else
		inet_ntop(AF_INET6, a, buf, len);
}

/*
 * The keys of an event line before its fields. A field named like one of
 * them is printed as field_NAME, but for pid, tid and comm: the event's
 * own field replaces the task context's (they name the same task).
 */
static const char *const header_keys[] = {
	"type", "schema", "ts", "cpu", "seq", "source", "event", "ctx",
};

static bool is_header_key(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(header_keys); i++)
		if (!strcmp(name, header_keys[i]))
			return true;
	return false;
}

/* does the event carry a field named @name (then the header's goes) */
static bool has_field(const struct nlattr *fields, const struct ks_evtype *et,
		      const char *name)
{
	const struct nlattr *a;
	unsigned int t;

	if (!fields || !et)
		return false;
	mnl_attr_for_each_nested(a, fields) {
		t = mnl_attr_get_type(a);
		if (t && t - 1 < et->nr_fields &&
		    !strcmp(et->fields[t - 1].name, name))
			return true;
	}
	return false;
}

/*
 * Numbers by hand: under a busy source, printf's formatting was the
 * largest part of the reader's time (perf in a guest, bench/tcp.sh crr).
 */
static void put_u64(uint64_t v)
{
	char buf[20];
	int i = sizeof(buf);

	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	fwrite(buf + i, 1, sizeof(buf) - i, stdout);
}

static void put_s64(int64_t v)
{
	if (v < 0) {
		putchar('-');
		put_u64(-(uint64_t)v);
	} else {
		put_u64((uint64_t)v);
	}
}

/* @v (below 10^9) as nine digits, zero-padded: the timestamp's fraction */
static void put_ns9(uint64_t v)
{
	char buf[9];
	int i;

	for (i = 8; i >= 0; i--) {
		buf[i] = (char)('0' + v % 10);
		v /= 10;
	}
	fwrite(buf, 1, sizeof(buf), stdout);
}

static void print_key(const char *name, bool first)
{
	if (opt_json) {
		putchar(',');
		if (is_header_key(name)) {
			char key[80];

			snprintf(key, sizeof(key), "field_%s", name);
			json_str(stdout, key);
		} else {
			json_str(stdout, name);
		}
		putchar(':');
	} else {
		if (!first)
			putchar(' ');
		fputs(name, stdout);
		putchar('=');
	}
}

static void print_strval(const char *s)
{
	if (opt_json)
		json_str(stdout, s);
	else
		text_word(stdout, s);
}

static bool is_nul_string(const struct nlattr *a)
{
	return mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0;
}

/* A field we have no schema for: show it by its size. */
static void print_raw(const struct nlattr *a)
{
	const uint8_t *p = mnl_attr_get_payload(a);
	uint16_t len = mnl_attr_get_payload_len(a);
	char hex[2 * 256 + 3];
	uint16_t i;

	/* the kernel carries numbers as u64, addresses in 16 bytes */
	if (len == 8) {
		put_u64(mnl_attr_get_u64(a));
		return;
	}
	if (is_nul_string(a)) {
		print_strval(mnl_attr_get_str(a));
		return;
	}
	if (len == 16) {
		char buf[INET6_ADDRSTRLEN + 2];

		fmt_addr(p, buf, sizeof(buf));
		print_strval(buf);
		return;
	}
	strcpy(hex, "0x");
	for (i = 0; i < len && i < 256; i++)
		snprintf(hex + 2 + 2 * i, 3, "%02x", p[i]);
	print_strval(hex);
}

static void print_field(const struct nlattr *a, const struct ks_field *f)
{
	uint16_t len = mnl_attr_get_payload_len(a);
	char buf[INET6_ADDRSTRLEN + 2];

	switch (f ? f->kind : __KSCOPE_FIELD_KIND_MAX) {
	case KSCOPE_FIELD_U64:
		if (len != 8)
			break;
		put_u64(mnl_attr_get_u64(a));
		return;
	case KSCOPE_FIELD_S64:
		if (len != 8)
			break;
		put_s64((int64_t)mnl_attr_get_u64(a));
		return;
	case KSCOPE_FIELD_HEX:
		if (len != 8)
			break;
		snprintf(buf, sizeof(buf), "0x%" PRIx64, mnl_attr_get_u64(a));
		if (opt_json)
			printf("\"%s\"", buf);
		else
			fputs(buf, stdout);
		return;
	case KSCOPE_FIELD_STR:
		if (!is_nul_string(a))
			break;
		print_strval(mnl_attr_get_str(a));
		return;
	case KSCOPE_FIELD_ADDR:
		if (len != 16)
			break;
		fmt_addr(mnl_attr_get_payload(a), buf, sizeof(buf));
		print_strval(buf);
		return;
	}
	print_raw(a);
}

struct event {
	uint16_t src, type;
	uint32_t cpu, pid, tid;
	uint64_t seq, time;
	uint8_t ctx;
	const char *comm;
	const struct nlattr *fields;
	bool have_src, have_type, have_pid, have_tid;
};

static void print_event(const struct event *e, const struct ks_source *src,
			const struct ks_evtype *et)
{
	const char *ctx = e->ctx < ARRAY_SIZE(ctx_names) ? ctx_names[e->ctx] :
			  "unknown";
	char srcname[16], evname[16];
	const struct nlattr *a;

	if (!src)
		snprintf(srcname, sizeof(srcname), "src%u", e->src);
	if (!et)
		snprintf(evname, sizeof(evname), "type%u", e->type);

	if (opt_json) {
		ks_json_begin("event");
		fputs(",\"ts\":", stdout);
		put_u64(e->time);
		fputs(",\"cpu\":", stdout);
		put_u64(e->cpu);
		fputs(",\"seq\":", stdout);
		put_u64(e->seq);
		fputs(",\"source\":", stdout);
		json_str(stdout, src ? src->name : srcname);
		fputs(",\"event\":", stdout);
		json_str(stdout, et ? et->name : evname);
		fputs(",\"ctx\":\"", stdout);
		fputs(ctx, stdout);
		putchar('"');
		if (e->ctx == KSCOPE_CTX_TASK) {
			if (e->have_pid && !has_field(e->fields, et, "pid")) {
				fputs(",\"pid\":", stdout);
				put_u64(e->pid);
			}
			if (e->have_tid && !has_field(e->fields, et, "tid")) {
				fputs(",\"tid\":", stdout);
				put_u64(e->tid);
			}
			if (e->comm && !has_field(e->fields, et, "comm")) {
				fputs(",\"comm\":", stdout);
				json_str(stdout, e->comm);
			}
		}
	} else {
		put_u64(e->time / 1000000000);
		putchar('.');
		put_ns9(e->time % 1000000000);
		putchar(' ');
		put_u64(e->cpu);
		putchar(' ');
		text_word(stdout, src ? src->name : srcname);
		putchar(' ');
		text_word(stdout, et ? et->name : evname);
		if (e->ctx == KSCOPE_CTX_TASK) {
			fputs(" pid=", stdout);
			put_u64(e->pid);
			fputs(" comm=", stdout);
			text_word(stdout, e->comm ? e->comm : "");
		} else {
			fputs(" ctx=", stdout);
			fputs(ctx, stdout);
		}
	}

	if (e->fields) {
		mnl_attr_for_each_nested(a, e->fields) {
			unsigned int t = mnl_attr_get_type(a);
			const struct ks_field *f = NULL;
			char raw[16];

			if (!t)
				continue;	/* padding */
			if (et && t - 1 < et->nr_fields)
				f = &et->fields[t - 1];
			if (!f)
				snprintf(raw, sizeof(raw), "f%u", t - 1);
			print_key(f ? f->name : raw, false);
			print_field(a, f);
		}
	}
	fputs(opt_json ? "}\n" : "\n", stdout);
}

/* ---- the run's filters ---- */

/* the field named @name of @e, or NULL */
static const struct nlattr *ev_field(const struct event *e,
				     const struct ks_evtype *et,
				     const char *name)
{
	const struct nlattr *a;
	unsigned int t;

	if (!e->fields || !et)
		return NULL;
	mnl_attr_for_each_nested(a, e->fields) {
		t = mnl_attr_get_type(a);
		if (t && t - 1 < et->nr_fields &&
		    !strcmp(et->fields[t - 1].name, name))
			return a;
	}
	return NULL;
}

static bool ev_u64(const struct event *e, const struct ks_evtype *et,
		   const char *name, uint64_t *v)
{
	const struct nlattr *a = ev_field(e, et, name);

	if (!a || mnl_attr_get_payload_len(a) != 8)
		return false;
	*v = mnl_attr_get_u64(a);
	return true;
}

static const char *ev_str(const struct event *e, const struct ks_evtype *et,
			  const char *name)
{
	const struct nlattr *a = ev_field(e, et, name);

	return a && is_nul_string(a) ? mnl_attr_get_str(a) : NULL;
}

static bool port_in(uint64_t p, const uint16_t *ports, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (ports[i] == p)
			return true;
	return false;
}

static bool addr_is(const struct event *e, const struct ks_evtype *et,
		    const char *name, const struct in6_addr *want)
{
	const struct nlattr *a = ev_field(e, et, name);

	return a && mnl_attr_get_payload_len(a) == 16 &&
	       !memcmp(mnl_attr_get_payload(a), want, 16);
}

static bool filter_pass(const struct evfilter *f, const struct event *e,
			const struct ks_evtype *et)
{
	uint64_t v, sp = 0, dp = 0;
	bool has_sp, has_dp;
	const char *comm;

	if (f->has_pid) {
		bool hdr = e->ctx == KSCOPE_CTX_TASK && e->have_pid &&
			   e->pid == f->pid;

		if (!((ev_u64(e, et, "pid", &v) && v == f->pid) ||
		      (ev_u64(e, et, "flow_pid", &v) && v == f->pid) ||
		      (!ev_field(e, et, "pid") && !ev_field(e, et, "flow_pid") && hdr)))
			return false;
	}
	if (f->comm) {
		comm = ev_str(e, et, "comm");
		if (!comm)
			comm = ev_str(e, et, "flow_comm");
		if (!comm && e->ctx == KSCOPE_CTX_TASK)
			comm = e->comm;
		if (!comm || strcmp(comm, f->comm))
			return false;
	}
	if (f->has_netns && !(ev_u64(e, et, "netns", &v) && v == f->netns))
		return false;
	if (f->family) {
		/* the events say 4 or 6 (tcp), or AF_INET 2, AF_INET6 10 */
		if (!ev_u64(e, et, "family", &v) ||
		    (f->family == 4 ? v != 4 && v != AF_INET : v != 6 && v != AF_INET6))
			return false;
	}
	has_sp = ev_u64(e, et, "sport", &sp);
	has_dp = ev_u64(e, et, "dport", &dp);
	if (f->nr_lports && !(has_sp && port_in(sp, f->lports, f->nr_lports)))
		return false;
	if (f->nr_rports && !(has_dp && port_in(dp, f->rports, f->nr_rports)))
		return false;
	if (f->nr_ports && !((has_sp && port_in(sp, f->ports, f->nr_ports)) ||
			     (has_dp && port_in(dp, f->ports, f->nr_ports))))
		return false;
	if (f->has_addr && !addr_is(e, et, "saddr", &f->addr) &&
	    !addr_is(e, et, "daddr", &f->addr))
		return false;
	return true;
}

/* "80,443" into @ports; false when it is not a list of ports */
static bool parse_ports(const char *s, uint16_t *ports, unsigned int *n)
{
	char *dup = strdup(s), *tok, *save = NULL;
	bool ok = dup != NULL;
	uint64_t v;

	for (tok = dup ? strtok_r(dup, ",", &save) : NULL; ok && tok;
	     tok = strtok_r(NULL, ",", &save)) {
		ok = ks_parse_u64(tok, &v) && v && v <= 65535 &&
		     *n < KS_MAX_PORTS;
		if (ok)
			ports[(*n)++] = (uint16_t)v;
	}
	free(dup);
	return ok && *n;
}

/*
 * One filter option of watch or a front-end (val: 'P' pid, 'C' comm, 'o'
 * port, 'l' local port, 'R' remote port, 'a' addr, 'N' netns, '4', '6'):
 * true when @c was one and parsed, *@bad set when it did not parse.
 */
static bool filter_opt(struct evfilter *f, int c, const char *arg, bool *bad)
{
	uint64_t v;

	*bad = false;
	switch (c) {
	case 'P':
		*bad = !ks_parse_u64(arg, &v) || !v || v > UINT32_MAX;
		f->pid = (uint32_t)v;
		f->has_pid = true;
		return true;
	case 'C':
		f->comm = arg;
		*bad = !*arg || strlen(arg) > 15;
		return true;
	case 'o':
		*bad = !parse_ports(arg, f->ports, &f->nr_ports);
		return true;
	case 'l':
		*bad = !parse_ports(arg, f->lports, &f->nr_lports);
		return true;
	case 'R':
		*bad = !parse_ports(arg, f->rports, &f->nr_rports);
		return true;
	case 'a':
		*bad = !ks_parse_addr6(arg, &f->addr);
		f->has_addr = true;
		return true;
	case 'N':
		*bad = !ks_parse_u64(arg, &f->netns) || !f->netns;
		f->has_netns = true;
		return true;
	case '4':
	case '6':
		*bad = f->family && f->family != c - '0';
		f->family = (uint8_t)(c - '0');
		return true;
	}
	return false;
}

/* Returns false when the event is malformed. */
static bool parse_event(const struct nlmsghdr *nlh, struct event *e)
{
	const struct nlattr *a;

	memset(e, 0, sizeof(*e));
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_SOURCE_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return false;
			e->src = mnl_attr_get_u16(a);
			e->have_src = true;
			break;
		case KSCOPE_A_EV_TYPE:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return false;
			e->type = mnl_attr_get_u16(a);
			e->have_type = true;
			break;
		case KSCOPE_A_CPU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return false;
			e->cpu = mnl_attr_get_u32(a);
			break;
		case KSCOPE_A_EV_SEQ:
			if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
				return false;
			e->seq = mnl_attr_get_u64(a);
			break;
		case KSCOPE_A_EV_TIME:
			if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
				return false;
			e->time = mnl_attr_get_u64(a);
			break;
		case KSCOPE_A_EV_CTX:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return false;
			e->ctx = mnl_attr_get_u8(a);
			break;
		case KSCOPE_A_EV_PID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return false;
			e->pid = mnl_attr_get_u32(a);
			e->have_pid = true;
			break;
		case KSCOPE_A_EV_TID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return false;
			e->tid = mnl_attr_get_u32(a);
			e->have_tid = true;
			break;
		case KSCOPE_A_EV_COMM:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return false;
			e->comm = mnl_attr_get_str(a);
			break;
		case KSCOPE_A_EV_FIELDS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return false;
			e->fields = a;
			break;
		}
	}
	return e->have_src && e->have_type;
}

/* nlctrl: the kscope family going away (kscope_core unloaded) */
static void handle_ctrl(struct watch *w, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
	    genl->cmd != CTRL_CMD_DELFAMILY)
		return;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_validate(a, MNL_TYPE_U16) == 0 &&
		    mnl_attr_get_u16(a) == w->ev.family)
			w->gone = true;
}

static void handle_event(struct watch *w, const struct nlmsghdr *nlh)
{
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	const struct ks_source *src;
	const struct ks_evtype *et = NULL;
	struct event e;

	if (nlh->nlmsg_type != w->ev.family ||
	    mnl_nlmsg_get_payload_len(nlh) < GENL_HDRLEN ||
	    genl->cmd != KSCOPE_CMD_EVENT)
		return;
	if (!parse_event(nlh, &e)) {
		if (!w->warned_bad)
			ks_err("watch: skipping malformed event message(s)");
		w->warned_bad = true;
		return;
	}

	src = ks_source_by_id(&w->srcs, e.src);
	if (src)
		et = ks_evtype_by_id(src, e.type);
	if (!src || !et) {
		refetch(w, e.src, e.type);
		src = ks_source_by_id(&w->srcs, e.src);
		et = src ? ks_evtype_by_id(src, e.type) : NULL;
	}
	if (!wanted(w, src ? src->name : NULL))
		return;

	/* every event counts for loss accounting, filtered or not */
	w->received++;
	track_seq(w, e.src, e.cpu, e.seq);
	if (w->view && (!et || strcmp(et->name, w->view->event)))
		return;
	if (!filter_pass(&w->flt, &e, et))
		return;
	w->shown++;
	if (w->view && !opt_json)
		w->view->line(&e, et);
	else
		print_event(&e, src, et);
	if (w->max_count && w->shown >= w->max_count)
		w->done = true;
}

/*
 * Read everything queued now. Returns false on a fatal socket error. A
 * datagram may carry many messages: all are handled, each recv() is one
 * batch flushed to stdout at once.
 */
static bool read_batches(struct watch *w)
{
	int fd = mnl_socket_get_fd(w->ev.sk);

	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t len;
		int left;

		len = recv(fd, w->ev.buf, w->ev.bufsz, MSG_DONTWAIT | MSG_TRUNC);
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return true;
			if (errno == EINTR)
				return true;
			if (errno == ENOBUFS) {
				w->overruns++;
				w->check_family = true;
				continue;
			}
			ks_err("watch: recv: %s", strerror(errno));
			return false;
		}
		if ((size_t)len > w->ev.bufsz) {
			if (!w->warned_trunc)
				ks_err("watch: %zd-byte datagram truncated", len);
			w->warned_trunc = true;
			len = w->ev.bufsz;
		}
		left = (int)len;
		for (nlh = (const struct nlmsghdr *)w->ev.buf;
		     mnl_nlmsg_ok(nlh, left) && !(w->done && !w->discard);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (w->discard)
				continue;
			if (nlh->nlmsg_type == GENL_ID_CTRL)
				handle_ctrl(w, nlh);
			else
				handle_event(w, nlh);
		}
		if (w->done && !w->discard)
			w->discard = true;
		fflush(stdout);
		if (nr_signals || w->draining)
			return true;	/* this batch is finished: stop here */
	}
}

/* ---- setup ---- */

static void set_rcvbuf(struct watch *w, uint64_t bytes)
{
	int fd = mnl_socket_get_fd(w->ev.sk);
	int v = bytes > INT32_MAX / 2 ? INT32_MAX / 2 : (int)bytes;

	/* FORCE is root's way past rmem_max; others get what rmem_max allows */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &v, sizeof(v)) == 0)
		return;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)) < 0)
		ks_err("watch: setting the receive buffer to %d bytes: %s", v,
		       strerror(errno));
}

static int join_events(struct watch *w)
{
	int fd = mnl_socket_get_fd(w->ev.sk);
	/* nlctrl's one group, "notify", has the family's fixed id */
	int one = 1, notify = GENL_ID_CTRL;

	if (!w->ev.mcgrp) {
		ks_err("the \"%s\" family has no \"%s\" multicast group",
		       KSCOPE_GENL_NAME, KSCOPE_MCGRP_EVENTS);
		return -1;
	}
	/* lets the kernel see (and count) what overflowed this socket */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one,
		       sizeof(one)) < 0)
		ks_err("watch: NETLINK_BROADCAST_ERROR: %s", strerror(errno));
	/* first, so that no unregistration can slip in after the join */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &notify,
		       sizeof(notify)) < 0)
		ks_err("watch: joining nlctrl notifications: %s", strerror(errno));
	if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &w->ev.mcgrp,
		       sizeof(w->ev.mcgrp)) < 0) {
		if (errno == EPERM || errno == EACCES)
			ks_err("watch: permission denied: need CAP_NET_ADMIN (run as root)");
		else
			ks_err("watch: joining the \"%s\" group: %s",
			       KSCOPE_MCGRP_EVENTS, strerror(errno));
		return -1;
	}
	return 0;
}

static void watch_free(struct watch *w)
{
	unsigned int i;

	for (i = 0; i < w->nr_seqs; i++)
		free(w->seqs[i].next);
	free(w->seqs);
	free(w->tried);
	ks_sources_free(&w->srcs);
	ks_nl_close(&w->req);
	ks_nl_close(&w->ev);
}

static int setup(struct watch *w, uint64_t rcvbuf)
{
	int err, i;

	err = ks_nl_connect(&w->ev);
	if (err) {
		ks_nl_connect_report(&w->ev, err);
		return -1;
	}
	err = ks_nl_open(&w->req);
	if (err) {
		ks_err("watch: netlink socket: %s", strerror(-err));
		return -1;
	}
	w->req.family = w->ev.family;

	err = ks_sources_fetch(&w->req, NULL, &w->srcs);
	if (err) {
		ks_nl_report(&w->req, "watch: reading source schemas", err);
		return -1;
	}
	for (i = 0; i < w->nr_names; i++) {
		unsigned int j;

		for (j = 0; j < w->srcs.n; j++)
			if (!strcmp(w->srcs.v[j].name, w->names[i]))
				break;
		if (j == w->srcs.n) {
			char mod[32];

			if (ks_source_module(w->names[i], mod, sizeof(mod)))
				ks_err("watch: %s is not loaded yet (modprobe %s): its events will show when it is",
				       mod, mod);
			else
				ks_err("watch: no source \"%s\" is loaded yet: its events will show when one is",
				       w->names[i]);
		}
	}

	err = read_kernel(w, w->kbase);
	if (err == -EPERM || err == -EACCES) {
		ks_nl_report(&w->req, "watch", err);
		return -1;
	}
	if (err)
		ks_nl_report(&w->req, "watch: kernel loss counters unavailable",
			     err);
	w->kernel_ok = !err;
	memcpy(w->know, w->kbase, sizeof(w->know));

	set_rcvbuf(w, rcvbuf);
	return join_events(w);
}

/* Everything the core recorded until now goes out before the ack. */
static void flush_kernel(struct watch *w)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	nlh = ks_nl_msg(&w->req, buf, KSCOPE_CMD_FLUSH, NLM_F_ACK);
	err = ks_nl_talk(&w->req, nlh, NULL, NULL);
	/* an older core: what it has not flushed yet stays unread */
	if (err && err != -EOPNOTSUPP)
		ks_nl_report(&w->req, "watch: flushing the event channel", err);
}

static void drain(struct watch *w)
{
	int fd = mnl_socket_get_fd(w->ev.sk);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	flush_kernel(w);
	/* from here on the kernel queues nothing more for this socket */
	if (setsockopt(fd, SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, &w->ev.mcgrp,
		       sizeof(w->ev.mcgrp)) < 0)
		ks_err("watch: leaving the \"%s\" group: %s",
		       KSCOPE_MCGRP_EVENTS, strerror(errno));
	w->draining = true;
	while (nr_signals < 2) {
		if (poll(&pfd, 1, 0) <= 0)
			return;		/* nothing left */
		if (!read_batches(w))
			return;
	}
	if (poll(&pfd, 1, 0) > 0)
		ks_err("watch: stopped by a second signal with events still queued: not read, not counted as received");
}

static int watch_run(struct watch *w, double interval, double duration,
		     uint64_t rcvbuf);

int cmd_watch(int argc, char **argv)
{
	double interval = 1, duration = 0;
	uint64_t rcvbuf = DEFAULT_RCVBUF;
	struct watch w = { .max_count = 0 };
	int c, status = 1;
	bool bad;

	while ((c = ks_getopt(argc, argv, "watch", NULL, &status)) != -1) {
		if (filter_opt(&w.flt, c, optarg, &bad)) {
			if (bad)
				return ks_usage_error(argv[0], "bad filter value '%s'",
						      optarg);
			continue;
		}
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'i':
			if (!ks_parse_secs(optarg, &interval))
				return ks_usage_error(argv[0], "bad interval '%s'",
						      optarg);
			break;
		case 'd':
			if (!ks_parse_secs(optarg, &duration))
				return ks_usage_error(argv[0], "bad duration '%s'",
						      optarg);
			break;
		case 'c':
			if (!ks_parse_u64(optarg, &w.max_count) || !w.max_count)
				return ks_usage_error(argv[0], "bad count '%s'",
						      optarg);
			break;
		case 'r':
			if (!ks_parse_u64(optarg, &rcvbuf) || !rcvbuf)
				return ks_usage_error(argv[0], "bad rcvbuf '%s'",
						      optarg);
			break;
		}
	}
	w.names = argv + optind;
	w.nr_names = argc - optind;
	return watch_run(&w, interval, duration, rcvbuf);
}

static int watch_run(struct watch *w, double interval, double duration,
		     uint64_t rcvbuf)
{
	uint64_t start, next_report = 0, deadline = 0, ival_ms;
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	int status = 1;

	if (setup(w, rcvbuf))
		goto out;
	if (w->view && w->view->header && !opt_json) {
		w->view->header();
		fflush(stdout);
	}

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);	/* no SA_RESTART: poll() wakes up */
	sigaction(SIGTERM, &sa, NULL);

	start = now_ms();
	ival_ms = (uint64_t)(interval * 1000 + 0.5);
	if (interval > 0 && !ival_ms)
		ival_ms = 1;
	if (ival_ms)
		next_report = start + ival_ms;
	if (duration > 0)
		deadline = start + (uint64_t)(duration * 1000);
	pfd.fd = mnl_socket_get_fd(w->ev.sk);
	pfd.events = POLLIN;

	while (!nr_signals && !w->done && !w->gone) {
		uint64_t now = now_ms(), wake = 0;
		int ms = -1, r;

		if (w->check_family) {
			w->check_family = false;
			w->gone = family_gone(w);
			if (w->gone)
				break;
		}

		if (deadline && now >= deadline)
			break;
		if (next_report && now >= next_report) {
			periodic_report(w);
			while (next_report <= now)
				next_report += ival_ms;
		}
		if (next_report)
			wake = next_report;
		if (deadline && (!wake || deadline < wake))
			wake = deadline;
		if (wake)
			ms = wake > now ? (int)(wake - now) : 0;

		r = poll(&pfd, 1, ms);
		if (r < 0 && errno != EINTR) {
			ks_err("watch: poll: %s", strerror(errno));
			goto out;
		}
		if (r > 0 && !read_batches(w))
			goto out;
	}

	if (!w->gone)
		drain(w);
	update_kernel(w);
	print_loss(w, true);
	if (w->gone) {
		ks_err("watch: kscope_core was unloaded (the \"%s\" family is gone): no more events",
		       KSCOPE_GENL_NAME);
		goto out;
	}
	status = 0;
out:
	fflush(stdout);
	watch_free(w);
	return status;
}

/* ---- front-ends on the event stream: tcplife, tcpconnect ---- */

static bool view_time;		/* -T / -t: a time column first */
static uint64_t view_start_ms;

static void view_addr(const struct event *e, const struct ks_evtype *et,
		      const char *name, char *buf, size_t len)
{
	const struct nlattr *a = ev_field(e, et, name);

	snprintf(buf, len, "?");
	if (a && mnl_attr_get_payload_len(a) == 16)
		fmt_addr(mnl_attr_get_payload(a), buf, len);
}

static uint64_t view_u64(const struct event *e, const struct ks_evtype *et,
			 const char *name)
{
	uint64_t v = 0;

	ev_u64(e, et, name, &v);
	return v;
}

static const char *view_comm(const struct event *e, const struct ks_evtype *et)
{
	const char *c = ev_str(e, et, "flow_comm");

	return c && *c ? c : "-";
}

static void tcplife_header(void)
{
	if (view_time)
		printf("%-8s ", "TIME");
	printf("%-7s %-16s %-15s %-5s %-15s %-5s %-6s %-6s %s\n", "PID", "COMM",
	       "LADDR", "LPORT", "RADDR", "RPORT", "TX_KB", "RX_KB", "MS");
}

static void tcplife_line(const struct event *e, const struct ks_evtype *et)
{
	char la[INET6_ADDRSTRLEN], ra[INET6_ADDRSTRLEN], ts[16];
	time_t t = time(NULL);
	struct tm tm;

	if (view_time) {
		if (!localtime_r(&t, &tm) || !strftime(ts, sizeof(ts), "%H:%M:%S", &tm))
			snprintf(ts, sizeof(ts), "?");
		printf("%-8s ", ts);
	}
	view_addr(e, et, "saddr", la, sizeof(la));
	view_addr(e, et, "daddr", ra, sizeof(ra));
	printf("%-7" PRIu64 " %-16s %-15s %-5" PRIu64 " %-15s %-5" PRIu64
	       " %-6.2f %-6.2f %.2f\n", view_u64(e, et, "flow_pid"),
	       view_comm(e, et), la, view_u64(e, et, "sport"), ra,
	       view_u64(e, et, "dport"),
	       view_u64(e, et, "bytes_acked") / 1024.0,
	       view_u64(e, et, "bytes_received") / 1024.0,
	       view_u64(e, et, "duration_us") / 1000.0);
}

static const struct watch_view tcplife_view = {
	"tcp", "close", tcplife_header, tcplife_line,
};

static void tcpconnect_header(void)
{
	if (view_time)
		printf("%-9s ", "TIME(s)");
	printf("%-6s %-12s %-2s %-16s %-16s %-4s\n", "PID", "COMM", "IP",
	       "SADDR", "DADDR", "DPORT");
}

static void tcpconnect_line(const struct event *e, const struct ks_evtype *et)
{
	char sa[INET6_ADDRSTRLEN], da[INET6_ADDRSTRLEN];

	if (view_time)
		printf("%-9.3f ", (now_ms() - view_start_ms) / 1000.0);
	view_addr(e, et, "saddr", sa, sizeof(sa));
	view_addr(e, et, "daddr", da, sizeof(da));
	printf("%-6" PRIu64 " %-12.12s %-2d %-16s %-16s %-4" PRIu64 "\n",
	       view_u64(e, et, "flow_pid"), view_comm(e, et),
	       view_u64(e, et, "family") == 6 ||
	       view_u64(e, et, "family") == AF_INET6 ? 6 : 4, sa, da,
	       view_u64(e, et, "dport"));
}

static const struct watch_view tcpconnect_view = {
	"tcp", "connect", tcpconnect_header, tcpconnect_line,
};

/*
 * The options of a front-end on the stream: its filters (the anchors'
 * letters, mapped to filter_opt()'s), -T/-t, and watch's --count,
 * --duration. No positional argument.
 */
static int view_run(int argc, char **argv, const struct watch_view *view,
		    const char *map)
{
	static char source[8];
	char *names[] = { source };
	struct watch w = { .max_count = 0 };
	double duration = 0;
	int c, status = 1;
	const char *m;
	bool bad;

	while ((c = ks_getopt(argc, argv, argv[0], NULL, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'T' || c == 't') {
			view_time = true;
			continue;
		}
		if (c == 'c') {
			if (!ks_parse_u64(optarg, &w.max_count) || !w.max_count)
				return ks_usage_error(argv[0], "bad count '%s'", optarg);
			continue;
		}
		if (c == 'd') {
			if (!ks_parse_secs(optarg, &duration))
				return ks_usage_error(argv[0], "bad duration '%s'", optarg);
			continue;
		}
		/* map: pairs "anchor letter, filter_opt letter" */
		for (m = map; *m && *m != c; m += 2)
			;
		if (*m && filter_opt(&w.flt, m[1], optarg, &bad) && bad)
			return ks_usage_error(argv[0], "bad value '%s'",
					      optarg ? optarg : argv[optind - 1]);
	}
	if (optind < argc)
		return ks_usage_error(argv[0], "unexpected argument '%s'",
				      argv[optind]);
	snprintf(source, sizeof(source), "%s", view->source);
	w.names = names;
	w.nr_names = 1;
	w.view = view;
	view_start_ms = now_ms();
	return watch_run(&w, 1, duration, DEFAULT_RCVBUF);
}

int cmd_tcplife(int argc, char **argv)
{
	return view_run(argc, argv, &tcplife_view, "pPLlDR4466");
}

int cmd_tcpconnect(int argc, char **argv)
{
	return view_run(argc, argv, &tcpconnect_view, "pPPR4466");
}
