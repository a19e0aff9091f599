// SPDX-License-Identifier: GPL-2.0
/*
 * kscope vfs: drive the "vfs" source (kscope_vfs.ko).
 *
 *   kscope vfs slow --threshold-us N     slow-operation events (0 = off)
 *   kscope vfs filter --pid PID          count one process only (0 = all)
 *   kscope vfs collect on|off            top files/processes, kernel-wide
 *   kscope vfs top [--interval S] [--count N] [interval [count]]
 *   kscope vfs show [--count N]          settings and per-filesystem stats
 *
 * The top tables are one kernel-wide collection (KSCOPE_VFS_TOP) that
 * every reader shares. `vfs top` restores what it changed: when
 * collection was off at its start, it turns it off again at its end,
 * whichever way the run ends (its interval or count, SIGINT/SIGTERM, an
 * error after the start); `vfs collect` is the explicit, lasting switch.
 * It does not fight another reader: when at the end collection is
 * already off, or the tables were reset after this run's last reset
 * (another `vfs top` started meanwhile and is counting), it leaves the
 * setting as it is; collection that was on at its start is left on. So
 * two overlapping runs can leave it on, which `kscope status` shows, as
 * it shows a run killed by SIGKILL; `kscope vfs collect off` ends it.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kscope.h"

const struct ks_sub ks_vfs_subs[] = {
	{ "slow", "", (const struct ks_opt[]){
		{ "threshold-us", 't', "N", "the threshold, microseconds; 0 turns the events off", true },
		{ NULL } },
	  "events for operations slower than N us (kscope watch vfs; admin; every reader sees it)" },
	{ "filter", "", (const struct ks_opt[]){
		{ "pid", 'p', "PID", "the thread group to count; 0: all", true },
		{ NULL } },
	  "account only one process, kernel-wide (admin; every reader sees it)" },
	{ "collect", "on|off", NULL,
	  "collect the top files and processes, kernel-wide, until turned off (admin; every reader sees it, kscope status lists it; vfs top needs no collect on)" },
	{ "top", "[interval [count]]", (const struct ks_opt[]){
		{ "interval", 'i', "SECS", "one table, of SECS (default 1; like 'SECS 1')" },
		{ "count", 'n', "N", "rows of each table (default 10)" },
		{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
		{ NULL } },
	  "the busiest files and processes over SECS, or every interval (count times, or until Ctrl-C) like filetop, each table counted from the end of the one before (admin: they name other users' processes and files). Collection is turned on for the run and, if it was off, off again at its end (SIGINT/SIGTERM included); if another reader reset the tables during an interval, a warning says what the table covers" },
	{ "show", "[interval [count]]", (const struct ks_opt[]){
		{ "count", 'n', "N", "rows of the top tables (default 10)" },
		{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
		{ NULL } },
	  "settings, and per filesystem and operation the count, bytes, errors and latency (p50, p99; JSON: the histogram); the top files and processes for an admin only; with an interval, each interval's operations alone (no settings, no top tables)" },
	{ NULL }
};

const struct ks_sub ks_vfsstat_subs[] = {
	{ NULL, "[interval [count]]", (const struct ks_opt[]){
		{ "all", 'a', NULL, "also UNLINK/s, RENAME/s, MKDIR/s and RMDIR/s, and ERRORS/s", false, true },
		{ NULL } } },
	{ NULL }
};

static const char *const op_names[] = {
	"read", "write", "open", "fsync", "create", "unlink", "rename",
	"mkdir", "rmdir",
};

struct vfs_req {
	int64_t slow_us, pid, top, reset, top_n;
};

/* @quiet: no error message (restoring a setting on the way out) */
static int vfs_talk_q(const struct vfs_req *r, bool get, ks_reply_fn fn,
		      void *data, bool quiet)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	int err;

	err = ks_nl_connect(&nl);
	if (err) {
		if (!quiet)
			ks_nl_connect_report(&nl, err);
		ks_nl_close(&nl);
		return 1;
	}
	nlh = ks_nl_msg(&nl, buf, get ? KSCOPE_CMD_CTL_GET : KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "vfs");
	if (r->slow_us >= 0)
		mnl_attr_put_u64(nlh, KSCOPE_VFS_SLOW_US, (uint64_t)r->slow_us);
	if (r->pid >= 0)
		mnl_attr_put_u32(nlh, KSCOPE_VFS_PID, (uint32_t)r->pid);
	if (r->top >= 0)
		mnl_attr_put_u8(nlh, KSCOPE_VFS_TOP, (uint8_t)r->top);
	if (r->reset > 0)
		mnl_attr_put(nlh, KSCOPE_VFS_TOP_RESET, 0, NULL);
	if (r->top_n > 0)
		mnl_attr_put_u32(nlh, KSCOPE_VFS_TOP_N, (uint32_t)r->top_n);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, fn, data);
	if (err && !quiet)
		ks_nl_report_source(&nl, get ? "vfs show" : "vfs", "vfs", err);
	ks_nl_close(&nl);
	return err ? 1 : 0;
}

static int vfs_talk(const struct vfs_req *r, bool get, ks_reply_fn fn,
		    void *data)
{
	return vfs_talk_q(r, get, fn, data, false);
}

static const struct nlattr *ctl_nest(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == KSCOPE_A_CTL)
			return a;
	return NULL;
}

/* One TOP_FILE/TOP_PROC/OPS nest, flattened. */
struct vfs_row {
	const char *fs, *name, *comm;
	uint64_t v[__KSCOPE_VFS_MAX];
	struct ks_hist hist;
	bool has_hist;
};

static void row_parse(const struct nlattr *nest, struct vfs_row *r)
{
	const struct nlattr *b;

	memset(r, 0, sizeof(*r));
	r->fs = r->name = r->comm = "";
	mnl_attr_for_each_nested(b, nest) {
		unsigned int t = mnl_attr_get_type(b);

		switch (t) {
		case KSCOPE_VFS_FS:
			r->fs = mnl_attr_get_str(b);
			break;
		case KSCOPE_VFS_NAME:
			r->name = mnl_attr_get_str(b);
			break;
		case KSCOPE_VFS_COMM:
			r->comm = mnl_attr_get_str(b);
			break;
		case KSCOPE_VFS_OP:
			r->v[t] = mnl_attr_get_u8(b);
			break;
		case KSCOPE_VFS_PID:
			r->v[t] = mnl_attr_get_u32(b);
			break;
		case KSCOPE_VFS_HIST:
			r->has_hist = !ks_hist_parse(b, &r->hist);
			break;
		default:
			if (t < __KSCOPE_VFS_MAX &&
			    mnl_attr_get_payload_len(b) == 8)
				r->v[t] = mnl_attr_get_u64(b);
		}
	}
}

/* latency percentile: the inclusive upper bound of its bucket, us */
static const char *hist_pct(const struct vfs_row *r, double p, char *buf,
			    size_t len)
{
	uint64_t v = r->has_hist ? ks_hist_percentile(&r->hist, p) : 0;

	if (v == UINT64_MAX)
		return "inf";
	snprintf(buf, len, "%" PRIu64, v);
	return buf;
}

/* a reply may come in several messages: headers once */
struct show_state {
	bool top_only;
	bool hdr_ops, hdr_files, hdr_procs;
	/* kscope vfsstat: every filesystem's counts summed per op */
	bool vfsstat, all;
	uint64_t sum[ARRAY_SIZE(op_names)], errors;
	/* the collection's state in the reply */
	bool got_top, top_on;
	uint64_t top_ms;	/* the tables' age: since their last reset */
};

static void print_top(const struct vfs_row *r, bool file)
{
	if (opt_json) {
		ks_json_begin(file ? "vfs_top_file" : "vfs_top_proc");
		printf(",\"pid\":%" PRIu64 ",\"comm\":", r->v[KSCOPE_VFS_PID]);
		json_str(stdout, r->comm);
		if (file) {
			printf(",\"fs\":");
			json_str(stdout, r->fs);
			printf(",\"file\":");
			json_str(stdout, r->name);
			printf(",\"ino\":%" PRIu64, r->v[KSCOPE_VFS_INO]);
		}
		printf(",\"reads\":%" PRIu64 ",\"writes\":%" PRIu64
		       ",\"rbytes\":%" PRIu64 ",\"wbytes\":%" PRIu64
		       ",\"ops\":%" PRIu64 "}\n",
		       r->v[KSCOPE_VFS_READS], r->v[KSCOPE_VFS_WRITES],
		       r->v[KSCOPE_VFS_RBYTES], r->v[KSCOPE_VFS_WBYTES],
		       r->v[KSCOPE_VFS_COUNT]);
		return;
	}
	printf("%-7" PRIu64 " %-16s %8" PRIu64 " %8" PRIu64 " %10" PRIu64
	       " %10" PRIu64 " %8" PRIu64, r->v[KSCOPE_VFS_PID], r->comm,
	       r->v[KSCOPE_VFS_READS], r->v[KSCOPE_VFS_WRITES],
	       r->v[KSCOPE_VFS_RBYTES] / 1024, r->v[KSCOPE_VFS_WBYTES] / 1024,
	       r->v[KSCOPE_VFS_COUNT]);
	if (file)
		printf(" %-8s %s", r->fs, r->name);
	putchar('\n');
}

/* interval mode: an OPS row's change since the last read */
static void ops_delta(struct vfs_row *r)
{
	uint64_t v[] = { r->v[KSCOPE_VFS_COUNT], r->v[KSCOPE_VFS_BYTES],
			 r->v[KSCOPE_VFS_ERRORS] };
	char key[96];

	snprintf(key, sizeof(key), "%s/%" PRIu64, r->fs, r->v[KSCOPE_VFS_OP]);
	ks_delta(key, v, ARRAY_SIZE(v), r->has_hist ? &r->hist : NULL);
	r->v[KSCOPE_VFS_COUNT] = v[0];
	r->v[KSCOPE_VFS_BYTES] = v[1];
	r->v[KSCOPE_VFS_ERRORS] = v[2];
}

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_state *st = data;
	const struct nlattr *ctl = ctl_nest(nlh), *b;
	char p50[24], p99[24];
	struct vfs_row r;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		unsigned int t = mnl_attr_get_type(b);

		switch (t) {
		case KSCOPE_VFS_TOP:
			st->got_top = true;
			st->top_on = mnl_attr_get_u8(b);
			break;
		case KSCOPE_VFS_SLOW_US:
		case KSCOPE_VFS_INTERVAL_MS:
		case KSCOPE_VFS_TOP_DROPPED:
			if (t == KSCOPE_VFS_INTERVAL_MS)
				st->top_ms = mnl_attr_get_u64(b);
			if (st->top_only && t == KSCOPE_VFS_SLOW_US)
				break;
			/* settings: once, not every interval; top: its own */
			if (ks_ival.secs && !st->top_only)
				break;
			if (opt_json)
				ks_json_setting("vfs",
						t == KSCOPE_VFS_SLOW_US ? "slow_us" :
						t == KSCOPE_VFS_INTERVAL_MS ? "interval_ms" :
						"top_dropped", mnl_attr_get_u64(b));
			else
				printf("%s %" PRIu64 "\n",
				       t == KSCOPE_VFS_SLOW_US ? "slow_us" :
				       t == KSCOPE_VFS_INTERVAL_MS ? "interval_ms" :
				       "top_dropped", mnl_attr_get_u64(b));
			break;
		case KSCOPE_VFS_PID:
			if (st->top_only || ks_ival.secs)
				break;
			if (opt_json)
				ks_json_setting("vfs", "pid", mnl_attr_get_u32(b));
			else
				printf("pid %u\n", mnl_attr_get_u32(b));
			break;
		case KSCOPE_VFS_OPS:
			if (st->top_only)
				break;
			row_parse(b, &r);
			ops_delta(&r);
			if (st->vfsstat && r.v[KSCOPE_VFS_OP] < ARRAY_SIZE(op_names)) {
				st->sum[r.v[KSCOPE_VFS_OP]] += r.v[KSCOPE_VFS_COUNT];
				st->errors += r.v[KSCOPE_VFS_ERRORS];
			}
			if (st->vfsstat && !opt_json)
				break;
			if (opt_json) {
				ks_json_begin("vfs_ops");
				printf(",\"fs\":");
				json_str(stdout, r.fs);
				printf(",\"op\":\"%s\",\"count\":%" PRIu64
				       ",\"bytes\":%" PRIu64 ",\"errors\":%" PRIu64,
				       r.v[KSCOPE_VFS_OP] < ARRAY_SIZE(op_names) ?
				       op_names[r.v[KSCOPE_VFS_OP]] : "?",
				       r.v[KSCOPE_VFS_COUNT], r.v[KSCOPE_VFS_BYTES],
				       r.v[KSCOPE_VFS_ERRORS]);
				if (r.has_hist) {
					printf(",\"hist\":");
					ks_hist_json(stdout, &r.hist);
				}
				printf("}\n");
				break;
			}
			if (!st->hdr_ops) {
				printf("%-12s %-7s %10s %14s %8s %10s %10s\n", "FS", "OP",
				       "COUNT", "BYTES", "ERRORS", "P50<=us", "P99<=us");
				st->hdr_ops = true;
			}
			printf("%-12s %-7s %10" PRIu64 " %14" PRIu64 " %8" PRIu64
			       " %10s %10s\n", r.fs,
			       r.v[KSCOPE_VFS_OP] < ARRAY_SIZE(op_names) ?
			       op_names[r.v[KSCOPE_VFS_OP]] : "?",
			       r.v[KSCOPE_VFS_COUNT], r.v[KSCOPE_VFS_BYTES],
			       r.v[KSCOPE_VFS_ERRORS],
			       hist_pct(&r, 0.5, p50, sizeof(p50)),
			       hist_pct(&r, 0.99, p99, sizeof(p99)));
			break;
		case KSCOPE_VFS_TOP_FILE:
		case KSCOPE_VFS_TOP_PROC:
			/* ranked by their totals: no interval's own */
			if (ks_ival.secs && !st->top_only)
				break;
			row_parse(b, &r);
			if (!opt_json && t == KSCOPE_VFS_TOP_FILE && !st->hdr_files) {
				printf("%-7s %-16s %8s %8s %10s %10s %8s %-8s %s\n",
				       "PID", "COMM", "READS", "WRITES", "R_KB",
				       "W_KB", "OPS", "FS", "FILE");
				st->hdr_files = true;
			}
			if (!opt_json && t == KSCOPE_VFS_TOP_PROC && !st->hdr_procs) {
				printf("%-7s %-16s %8s %8s %10s %10s %8s\n",
				       "PID", "COMM", "READS", "WRITES", "R_KB",
				       "W_KB", "OPS");
				st->hdr_procs = true;
			}
			print_top(&r, t == KSCOPE_VFS_TOP_FILE);
			break;
		}
	}
	return 0;
}

struct show_run {
	struct vfs_req r;
	struct show_state st;
};

static int show_sample(void *arg)
{
	struct show_run *run = arg;

	run->st.hdr_ops = run->st.hdr_files = run->st.hdr_procs = false;
	return vfs_talk(&run->r, true, show_cb, &run->st);
}

/* vfsstat's columns first, in its order; -a: the other ops */
static const unsigned int vfsstat_cols[] = { 0, 1, 4, 2, 3, 5, 6, 7, 8 };

static int vfsstat_sample(void *arg)
{
	struct show_run *run = arg;
	struct show_state *st = &run->st;
	/* per second of the nominal interval, as vfsstat divides */
	double secs = ks_ival.secs > 0 ? ks_ival.secs : ks_ival.ms / 1000.0;
	unsigned int i, n = st->all ? ARRAY_SIZE(vfsstat_cols) : 5;
	char clock[16];
	int status;

	memset(st->sum, 0, sizeof(st->sum));
	st->errors = 0;
	status = show_sample(arg);
	if (status || opt_json || !ks_ival.n || secs <= 0)
		return status;
	printf("%s: ", ks_ival_clock(clock, sizeof(clock)));
	for (i = 0; i < n; i++)
		printf(" %8" PRIu64, (uint64_t)(st->sum[vfsstat_cols[i]] / secs + 0.5));
	if (st->all)
		printf(" %8" PRIu64, (uint64_t)(st->errors / secs + 0.5));
	putchar('\n');
	return 0;
}

int cmd_vfsstat(int argc, char **argv)
{
	struct show_run run = { .r = { -1, -1, -1, 0, 0 } };
	unsigned int i;
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "vfsstat", NULL, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'a')
			run.st.all = true;
	}
	status = ks_ival_args(argc, argv, optind, &end, "vfsstat", NULL);
	if (status)
		return status;
	if (end > optind)
		return ks_usage_error("vfsstat", "unexpected argument '%s'",
				      argv[optind]);
	if (!ks_ival.secs)
		ks_ival.secs = 1;	/* vfsstat's default */
	ks_ival.own_header = true;
	run.st.vfsstat = true;
	if (!opt_json) {
		printf("%-8s  ", "TIME");
		for (i = 0; i < (run.st.all ? ARRAY_SIZE(vfsstat_cols) : 5); i++) {
			char name[16];
			unsigned int j;

			snprintf(name, sizeof(name), "%s", op_names[vfsstat_cols[i]]);
			for (j = 0; name[j]; j++)
				name[j] = (char)(name[j] - 'a' + 'A');
			printf(" %6s/s", name);
		}
		if (run.st.all)
			printf(" %6s/s", "ERRORS");
		putchar('\n');
		fflush(stdout);
	}
	return ks_ival_run(vfsstat_sample, &run);
}

/* ---- kscope vfs top ---- */

struct top_run {
	struct vfs_req r;	/* the read */
	struct show_state st;
	bool turned_on;		/* collection was off: this run turned it on */
	uint64_t reset_ms;	/* monotonic: our last reset acknowledged */
	uint64_t read_ms;	/* monotonic: our last read sent */
	bool read_ok;		/* the last read's state is in st */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* empty the tables (and turn collection on): an interval starts */
static int top_reset(struct top_run *t)
{
	struct vfs_req on = { -1, -1, 1, 1, 0 };

	if (vfs_talk(&on, false, NULL, NULL))
		return 1;
	t->reset_ms = mono_ms();
	return 0;
}

/*
 * Another reader reset the tables after our last reset: they are younger
 * than the time since we saw it acknowledged (to a few ms, the clocks
 * being the same monotonic clock read at different moments).
 */
static bool top_reset_by_other(const struct top_run *t)
{
	return t->st.top_ms + 5 < t->read_ms - t->reset_ms;
}

static int top_read(struct top_run *t)
{
	int status;

	t->st.hdr_files = t->st.hdr_procs = false;
	t->st.got_top = false;
	t->read_ms = mono_ms();
	status = vfs_talk(&t->r, true, show_cb, &t->st);
	t->read_ok = !status && t->st.got_top;
	if (!t->read_ok)
		return status;
	if (!t->st.top_on)
		ks_err("vfs top: collection was turned off during the interval (kscope vfs collect off, or another vfs top ending): the tables cover part of it");
	else if (top_reset_by_other(t))
		ks_err("vfs top: another reader reset the tables during the interval: they cover its last %" PRIu64 " ms only",
		       t->st.top_ms);
	return 0;
}

/* the collection's state only: nothing printed */
static int top_state_cb(const struct nlmsghdr *nlh, void *data)
{
	struct show_state *st = data;
	const struct nlattr *ctl = ctl_nest(nlh), *b;

	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) == KSCOPE_VFS_TOP &&
		    mnl_attr_validate(b, MNL_TYPE_U8) >= 0) {
			st->got_top = true;
			st->top_on = mnl_attr_get_u8(b);
		} else if (mnl_attr_get_type(b) == KSCOPE_VFS_INTERVAL_MS &&
			   mnl_attr_validate(b, MNL_TYPE_U64) >= 0) {
			st->top_ms = mnl_attr_get_u64(b);
		}
	}
	return 0;
}

/* ks_ival_run()'s sample: the baseline starts the interval; then read */
static int top_sample(void *arg)
{
	struct top_run *t = arg;
	int status;

	if (!ks_ival.n)
		return top_reset(t);
	status = top_read(t);
	if (!status && !ks_ival.last)
		status = top_reset(t);
	return status;
}

/*
 * Collection was off at the start: off again, unless it already is or
 * another reader is counting (a reset after ours). A read at the end
 * gives the state when the last read was not the run's own (an error).
 */
static void top_restore(struct top_run *t)
{
	struct vfs_req off = { -1, -1, 0, 0, 0 }, get = { -1, -1, -1, 0, 0 };

	if (!t->turned_on)
		return;
	if (!t->read_ok) {
		t->st.got_top = false;
		t->read_ms = mono_ms();
		t->read_ok = !vfs_talk_q(&get, true, top_state_cb, &t->st, true) &&
			     t->st.got_top;
	}
	if (t->read_ok && t->st.top_on && !top_reset_by_other(t) &&
	    vfs_talk_q(&off, false, NULL, NULL, true))
		ks_err("vfs top: could not turn the top collection off again (kscope vfs collect off)");
}

/*
 * @secs > 0: one table of @secs; 0: one table at once (the tables as
 * they are after the reset: empty but for what ran meanwhile); < 0:
 * ks_ival's interval [count].
 */
static int vfs_top(const struct vfs_req *r, double secs)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_term;
	struct top_run t = { .r = *r };
	struct vfs_req get = { -1, -1, -1, 0, 0 };
	int status;

	t.st.top_only = true;
	/* the state before the run */
	if (vfs_talk(&get, true, top_state_cb, &t.st))
		return 1;
	t.turned_on = t.st.got_top && !t.st.top_on;
	/*
	 * From here to the restore, SIGINT and SIGTERM are ignored but
	 * while ks_ival_run() waits (its handler ends the interval): a
	 * second Ctrl-C must not kill the run before it turned collection
	 * off again.
	 */
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGTERM, &ign, &old_term);
	if (secs >= 0) {
		ks_ival.secs = secs;
		ks_ival.count = 1;
		ks_ival.own_header = true;	/* one table: no blank line first */
	}
	if (!ks_ival.secs) {
		status = top_reset(&t);
		if (!status)
			status = top_read(&t);
	} else {
		status = ks_ival_run(top_sample, &t);
	}
	top_restore(&t);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return status;
}

int cmd_vfs(int argc, char **argv)
{
	struct vfs_req r = { -1, -1, -1, 0, 0 };
	struct show_run run = { };
	double interval = 1;
	bool interval_opt = false;
	const char *sub;
	int c, end, status;
	uint64_t v;

	if (argc < 2)
		return ks_usage_error("vfs", "expects a subcommand: slow, filter, top, show");
	sub = argv[1];
	if (!ks_find_sub(ks_find_cmd("vfs"), sub))
		return ks_usage_error("vfs", "unknown subcommand '%s'", sub);
	argc--;
	argv++;
	while ((c = ks_getopt(argc, argv, "vfs", sub, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 't':
			if (!ks_parse_u64(optarg, &v) || v > INT64_MAX)
				return ks_sub_usage_error("vfs", sub,
							  "bad --threshold-us '%s'", optarg);
			r.slow_us = (int64_t)v;
			break;
		case 'p':
			if (!ks_parse_u64(optarg, &v) || v > UINT32_MAX)
				return ks_sub_usage_error("vfs", sub, "bad --pid '%s'",
							  optarg);
			r.pid = (int64_t)v;
			break;
		case 'i':
			if (!ks_parse_secs(optarg, &interval))
				return ks_sub_usage_error("vfs", sub,
							  "bad --interval '%s'", optarg);
			interval_opt = true;
			break;
		case 'n':
			if (!ks_parse_u64(optarg, &v) || !v || v > UINT32_MAX)
				return ks_sub_usage_error("vfs", sub, "bad --count '%s'",
							  optarg);
			r.top_n = (int64_t)v;
			break;
		case 'T':
			ks_ival.timestamp = true;
			break;
		}
	}
	end = argc;
	if (!strcmp(sub, "collect")) {
		if (optind + 1 != argc ||
		    (strcmp(argv[optind], "on") && strcmp(argv[optind], "off")))
			return ks_sub_usage_error("vfs", sub, "expects 'on' or 'off'");
		r.top = !strcmp(argv[optind], "on");
		/* a new collection starts with empty tables */
		r.reset = r.top;
		return vfs_talk(&r, false, NULL, NULL);
	}
	if (!strcmp(sub, "show") || !strcmp(sub, "top")) {
		status = ks_ival_args(argc, argv, optind, &end, "vfs", sub);
		if (status)
			return status;
	}
	if (optind < end)
		return ks_sub_usage_error("vfs", sub, "unexpected argument '%s'",
					  argv[optind]);

	if (!strcmp(sub, "slow")) {
		if (r.slow_us < 0)
			return ks_sub_usage_error("vfs", sub, "needs --threshold-us N");
		return vfs_talk(&r, false, NULL, NULL);
	}
	if (!strcmp(sub, "filter")) {
		if (r.pid < 0)
			return ks_sub_usage_error("vfs", sub, "needs --pid PID");
		return vfs_talk(&r, false, NULL, NULL);
	}
	if (!strcmp(sub, "show")) {
		run.r = r;
		return ks_ival_run(show_sample, &run);
	}
	if (!strcmp(sub, "top")) {
		if (interval_opt && ks_ival.secs)
			return ks_sub_usage_error("vfs", sub,
						  "--interval and an interval argument: one of them");
		return vfs_top(&r, interval_opt ? interval : ks_ival.secs ? -1 : 1);
	}
	return ks_usage_error("vfs", "unknown subcommand '%s'", sub);
}
