// SPDX-License-Identifier: GPL-2.0
/*
 * kscope vfs: drive the "vfs" source (kscope_vfs.ko).
 *
 *   kscope vfs slow --threshold-us N     slow-operation events (0 = off)
 *   kscope vfs filter --pid PID          count one process only (0 = all)
 *   kscope vfs top [--interval S] [--count N]
 *   kscope vfs show [--count N]          settings and per-filesystem stats
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
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
	{ "top", "", (const struct ks_opt[]){
		{ "interval", 'i', "SECS", "how long to count (default 1)" },
		{ "count", 'n', "N", "rows of each table (default 10)" },
		{ NULL } },
	  "the busiest files and processes over SECS (admin: they name other users' processes and files)" },
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

static int vfs_talk(const struct vfs_req *r, bool get, ks_reply_fn fn,
		    void *data)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	int err;

	err = ks_nl_connect(&nl);
	if (err) {
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
	if (err)
		ks_nl_report_source(&nl, get ? "vfs show" : "vfs", "vfs", err);
	ks_nl_close(&nl);
	return err ? 1 : 0;
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
		case KSCOPE_VFS_SLOW_US:
		case KSCOPE_VFS_INTERVAL_MS:
		case KSCOPE_VFS_TOP_DROPPED:
			if (st->top_only && t == KSCOPE_VFS_SLOW_US)
				break;
			if (ks_ival.secs)
				break;	/* settings: once, not every interval */
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

int cmd_vfs(int argc, char **argv)
{
	struct vfs_req r = { -1, -1, -1, 0, 0 };
	struct show_run run = { };
	double interval = 1;
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
	if (!strcmp(sub, "show")) {
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
		struct vfs_req on = { -1, -1, 1, 1, 0 };
		struct timespec ts = {
			.tv_sec = (time_t)interval,
			.tv_nsec = (long)((interval - (time_t)interval) * 1e9),
		};

		if (vfs_talk(&on, false, NULL, NULL))
			return 1;
		nanosleep(&ts, NULL);
		run.st.top_only = true;
		return vfs_talk(&r, true, show_cb, &run.st);
	}
	return ks_usage_error("vfs", "unknown subcommand '%s'", sub);
}
