// SPDX-License-Identifier: GPL-2.0
/*
 * kscope sched: drive the "sched" source (kscope_sched.ko).
 *
 *   kscope sched filter [--pid PID] [--comm COMM] [--cgroup ID|PATH]
 *                       [--clear] [--reset]
 *   kscope sched filter --show
 *   kscope sched reset
 *   kscope sched portraits | runqlat | cpu
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "kscope.h"

static const struct ks_opt ival_opts[] = {
	{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
	{ NULL }
};

const struct ks_sub ks_sched_subs[] = {
	{ "filter", "", (const struct ks_opt[]){
		{ "pid", 'p', "PID", "one process (0: any)" },
		{ "comm", 'c', "COMM", "processes of this name (\"\": any)" },
		{ "cgroup", 'g', "ID|PATH", "processes of a cgroup v2, by id or directory (0: any)" },
		{ "clear", 'C', NULL, "back to every process" },
		{ "reset", 'R', NULL, "also zero the run-queue histogram and drop the portraits" },
		{ "show", 'S', NULL, "print the filter (the default without options)" },
		{ NULL } },
	  "the processes that get a portrait and fork/exec/exit events, kernel-wide (admin; every reader sees it); changing it drops the portraits" },
	{ "reset", "", NULL, "zero the run-queue histogram and drop the portraits (admin)" },
	{ "portraits", "[interval [count]]", ival_opts,
	  "one process per line with its on-CPU and run-queue time and context switches, then its run-queue histogram (admin: portraits name other users' processes); with an interval, what changed in each (processes that did not run left out)" },
	{ "runqlat", "[interval [count]]", ival_opts,
	  "the system-wide run-queue latency histogram since load, usecs, drawn as runqlat draws it (anyone may read); with an interval, each interval's own" },
	{ "cpu", "[interval [count]]", ival_opts,
	  "per-CPU utilization (% x 100) of the kernel's last complete interval (interval_ms), /proc/stat's split (anyone may read); with an interval, each interval's own, from the CPUs' times at each read (interval_ms: its measured length)" },
	{ NULL }
};

/* ---- kscope sar: sar -u's table from kscope_sched's utilization ---- */

const struct ks_sub ks_sar_subs[] = {
	{ NULL, "[interval [count]]", (const struct ks_opt[]){
		{ "cpus", 'P', "ALL", "a line per CPU too, after the all line (sar -P ALL)", false, true },
		{ NULL } } },
	{ NULL }
};

/* ---- kscope runqlat: libbpf-tools' runqlat on kscope_sched ---- */

const struct ks_sub ks_runqlat_subs[] = {
	{ NULL, "[interval [count]]", (const struct ks_opt[]){
		{ "milliseconds", 'm', NULL, "millisecond histogram (the microsecond buckets rebinned: a count near a bucket's top may sit one bucket lower than runqlat -m's)", false, true },
		{ "pids", 'P', NULL, "a histogram per process (admin: from the portraits, which the kernel keeps for the processes of kscope sched filter, every one by default)", false, true },
		{ "pid", 'p', "PID", "only this process (admin, as -P)", false, true },
		{ "timestamp", 'T', NULL, "the wall-clock time before each histogram", false, true },
		{ NULL } } },
	{ NULL }
};

static int show_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *ctl, *b;
	uint64_t cgroup = 0;
	const char *comm = "";
	uint32_t pid = 0;

	(void)data;
	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_SCHED_PID:
			pid = mnl_attr_get_u32(b);
			break;
		case KSCOPE_SCHED_COMM:
			comm = mnl_attr_get_str(b);
			break;
		case KSCOPE_SCHED_CGROUP:
			cgroup = mnl_attr_get_u64(b);
			break;
		}
	}
	if (opt_json) {
		ks_json_begin("sched_filter");
		printf(",\"pid\":%u,\"comm\":", pid);
		json_str(stdout, comm);
		printf(",\"cgroup\":%" PRIu64 "}\n", cgroup);
	} else {
		printf("pid %u\ncomm %s\ncgroup %" PRIu64 "\n", pid,
		       comm[0] ? comm : "-", cgroup);
	}
	return 0;
}

/* A cgroup is named by its id or by its directory (the id is its inode). */
static bool parse_cgroup(const char *s, uint64_t *id)
{
	struct stat st;

	if (ks_parse_u64(s, id))
		return true;
	if (stat(s, &st) || !S_ISDIR(st.st_mode))
		return false;
	*id = st.st_ino;
	return true;
}

static int sched_ctl(int argc, char **argv, bool reset_only)
{
	const char *sub = reset_only ? "reset" : "filter";
	bool has_pid = false, has_cg = false, clear = false, show = false;
	bool reset = reset_only;
	uint64_t pid = 0, cgroup = 0;
	const char *comm = NULL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	int c, err, status = 1;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;

	while ((c = ks_getopt(argc, argv, "sched", sub, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'p':
			if (!ks_parse_u64(optarg, &pid) || pid > UINT32_MAX)
				return ks_sub_usage_error("sched", sub, "bad pid '%s'", optarg);
			has_pid = true;
			break;
		case 'c':
			if (strlen(optarg) > 15)
				return ks_sub_usage_error("sched", sub,
							  "comm '%s' is longer than 15 characters",
							  optarg);
			comm = optarg;
			break;
		case 'g':
			if (!parse_cgroup(optarg, &cgroup))
				return ks_sub_usage_error("sched", sub,
							  "bad cgroup '%s' (an id or a cgroup v2 directory)",
							  optarg);
			has_cg = true;
			break;
		case 'C':
			clear = true;
			break;
		case 'R':
			reset = true;
			break;
		case 'S':
			show = true;
			break;
		}
	}
	if (optind < argc)
		return ks_sub_usage_error("sched", sub, "unexpected argument '%s'",
					  argv[optind]);
	if (show && (has_pid || comm || has_cg || clear || reset))
		return ks_sub_usage_error("sched", sub, "--show takes no other option");
	if (!(has_pid || comm || has_cg || clear || reset))
		show = true;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, show ? KSCOPE_CMD_CTL_GET : KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "sched");
	if (clear)
		mnl_attr_put(nlh, KSCOPE_SCHED_CLEAR, 0, NULL);
	if (reset)
		mnl_attr_put(nlh, KSCOPE_SCHED_RESET, 0, NULL);
	if (has_pid)
		mnl_attr_put_u32(nlh, KSCOPE_SCHED_PID, (uint32_t)pid);
	if (comm)
		mnl_attr_put_strz(nlh, KSCOPE_SCHED_COMM, comm);
	if (has_cg)
		mnl_attr_put_u64(nlh, KSCOPE_SCHED_CGROUP, cgroup);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, show ? show_cb : NULL, NULL);
	if (err) {
		ks_nl_report_source(&nl, reset_only ? "sched reset" :
				    "sched filter", "sched", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* the read subcommands: -T, [interval [count]]; 0 to go on, or status + 1 */
static int sched_noargs(int argc, char **argv, const char *sub)
{
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "sched", sub, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status + 1;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	status = ks_ival_args(argc, argv, optind, &end, "sched", sub);
	if (status)
		return status + 1;
	if (end > optind)
		return ks_sub_usage_error("sched", sub, "unexpected argument '%s'",
					  argv[optind]) + 1;
	return 0;
}

/* The run-queue histogram is in the reply to a plain CTL_GET. */
static int runqlat_sample(void *arg)
{
	return ks_source_hists("sched", KSCOPE_SCHED_RUNQ_HIST, "sched runqlat",
			       "runqlat", arg != NULL);
}

static int sched_runqlat(int argc, char **argv)
{
	int ret = sched_noargs(argc, argv, "runqlat");

	if (ret)
		return ret - 1;
	return ks_ival_run(runqlat_sample, NULL);
}

struct portrait_row {
	uint32_t pid, ppid, threads;
	const char *comm, *filename;
	uint8_t state;
	uint64_t start_ns, lifetime_ns, oncpu_ns, runq_ns, runq_samples;
	uint64_t nvcsw, nivcsw;
	struct ks_hist hist;
	bool has_hist;
};

static void portrait_parse(const struct nlattr *nest, struct portrait_row *r)
{
	const struct nlattr *b;

	memset(r, 0, sizeof(*r));
	r->comm = r->filename = "";
	mnl_attr_for_each_nested(b, nest) {
		switch (mnl_attr_get_type(b)) {
		case KSCOPE_SCHED_PID: r->pid = mnl_attr_get_u32(b); break;
		case KSCOPE_SCHED_PPID: r->ppid = mnl_attr_get_u32(b); break;
		case KSCOPE_SCHED_COMM: r->comm = mnl_attr_get_str(b); break;
		case KSCOPE_SCHED_STATE: r->state = mnl_attr_get_u8(b); break;
		case KSCOPE_SCHED_START_NS: r->start_ns = mnl_attr_get_u64(b); break;
		case KSCOPE_SCHED_LIFETIME_NS:
			r->lifetime_ns = mnl_attr_get_u64(b);
			break;
		case KSCOPE_SCHED_ONCPU_NS: r->oncpu_ns = mnl_attr_get_u64(b); break;
		case KSCOPE_SCHED_RUNQ_NS: r->runq_ns = mnl_attr_get_u64(b); break;
		case KSCOPE_SCHED_RUNQ_SAMPLES:
			r->runq_samples = mnl_attr_get_u64(b);
			break;
		case KSCOPE_SCHED_NVCSW: r->nvcsw = mnl_attr_get_u64(b); break;
		case KSCOPE_SCHED_NIVCSW: r->nivcsw = mnl_attr_get_u64(b); break;
		case KSCOPE_SCHED_THREADS: r->threads = mnl_attr_get_u32(b); break;
		case KSCOPE_SCHED_FILENAME: r->filename = mnl_attr_get_str(b); break;
		case KSCOPE_SCHED_RUNQ_HIST:
			r->has_hist = !ks_hist_parse(b, &r->hist);
			break;
		}
	}
}

/* the debugfs portraits text; JSON: one object per process */
static void portrait_print(const struct portrait_row *r)
{
	const char *state = r->state == 1 ? "live" : "exited";

	if (opt_json) {
		ks_json_begin("sched_portrait");
		printf(",\"pid\":%u,\"ppid\":%u,\"comm\":", r->pid, r->ppid);
		if (r->comm[0])
			json_str(stdout, r->comm);
		else
			printf("null");
		printf(",\"state\":\"%s\",\"start_ns\":%" PRIu64
		       ",\"lifetime_ns\":%" PRIu64 ",\"oncpu_ns\":%" PRIu64
		       ",\"runq_ns\":%" PRIu64 ",\"runq_samples\":%" PRIu64
		       ",\"nvcsw\":%" PRIu64 ",\"nivcsw\":%" PRIu64
		       ",\"threads\":%u,\"filename\":", state, r->start_ns,
		       r->lifetime_ns, r->oncpu_ns, r->runq_ns, r->runq_samples,
		       r->nvcsw, r->nivcsw, r->threads);
		if (r->filename[0])
			json_str(stdout, r->filename);
		else
			printf("null");
		if (r->has_hist) {
			printf(",\"hist\":");
			ks_hist_json(stdout, &r->hist);
		}
		printf("}\n");
		return;
	}
	printf("pid %u ppid %u comm %s state %s start_ns %" PRIu64
	       " lifetime_ns %" PRIu64 " oncpu_ns %" PRIu64 " runq_ns %" PRIu64
	       " runq_samples %" PRIu64 " nvcsw %" PRIu64 " nivcsw %" PRIu64
	       " threads %u filename %s\n", r->pid, r->ppid,
	       r->comm[0] ? r->comm : "-", state, r->start_ns, r->lifetime_ns,
	       r->oncpu_ns, r->runq_ns, r->runq_samples, r->nvcsw, r->nivcsw,
	       r->threads, r->filename[0] ? r->filename : "-");
	if (r->has_hist)
		ks_hist_print(stdout, &r->hist);
}

/* what `kscope runqlat` asked for; NULL: `sched portraits` */
struct runqlat_opts {
	bool ms, per_pid;
	uint32_t pid;		/* 0: any */
};

/*
 * A portrait's counters and histogram as their change since the last
 * read (interval mode); false when it did not run meanwhile.
 */
static bool portrait_delta(struct portrait_row *r)
{
	uint64_t v[] = { r->oncpu_ns, r->runq_ns, r->runq_samples, r->nvcsw,
			 r->nivcsw };
	char key[64];

	/* a pid reused is another process */
	snprintf(key, sizeof(key), "pid %u %" PRIu64, r->pid, r->start_ns);
	ks_delta(key, v, ARRAY_SIZE(v), r->has_hist ? &r->hist : NULL);
	r->oncpu_ns = v[0];
	r->runq_ns = v[1];
	r->runq_samples = v[2];
	r->nvcsw = v[3];
	r->nivcsw = v[4];
	return !ks_ival.secs || v[0] || v[2] || v[3] || v[4];
}

/* runqlat -P: "pid = PID COMM" and the process's histogram */
static void runqlat_portrait(const struct runqlat_opts *o,
			     struct portrait_row *r)
{
	if (!r->has_hist || !r->hist.count)
		return;
	if (o->ms)
		ks_hist_coarser(&r->hist);
	if (opt_json) {
		portrait_print(r);
		return;
	}
	if (o->per_pid)
		printf("\npid = %u %s\n", r->pid, r->comm);
	ks_hist_print(stdout, &r->hist);
}

static int portraits_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct runqlat_opts *o = data;
	const struct nlattr *ctl, *b;
	struct portrait_row r;

	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl) {
		if (mnl_attr_get_type(b) != KSCOPE_SCHED_PORTRAIT)
			continue;
		portrait_parse(b, &r);
		if (o && o->pid && r.pid != o->pid)
			continue;
		if (!portrait_delta(&r))
			continue;
		if (o)
			runqlat_portrait(o, &r);
		else
			portrait_print(&r);
	}
	return 0;
}

static const char * const cpu_states[] = {
	"user", "nice", "system", "irq", "softirq", "idle", "iowait", "steal",
};

#define NR_CPU_STATES (KSCOPE_SCHED_STEAL - KSCOPE_SCHED_USER + 1)
_Static_assert(sizeof(cpu_states) / sizeof(cpu_states[0]) == NR_CPU_STATES,
	       "one name per state attribute");

/* one CPU of the utilization reply, in hundredths of a percent */
struct cpu_row {
	uint32_t cpu, v[NR_CPU_STATES];
	uint64_t ns[NR_CPU_STATES];	/* its times since boot (CPU_NS) */
	bool has_ns;
};

struct cpu_table {
	uint32_t interval;	/* the kernel's, ms; interval mode: ours */
	unsigned int n, alloc;
	struct cpu_row *rows;
	/* interval mode: the read before's times, by CPU */
	unsigned int nprev;
	struct cpu_row *prev;
};

static int cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cpu_table *t = data;
	const struct nlattr *ctl, *b, *c;

	ctl = ks_reply_ctl(nlh);
	if (!ctl)
		return 0;
	mnl_attr_for_each_nested(b, ctl)
		if (mnl_attr_get_type(b) == KSCOPE_SCHED_INTERVAL_MS &&
		    mnl_attr_validate(b, MNL_TYPE_U32) >= 0)
			t->interval = mnl_attr_get_u32(b);
	mnl_attr_for_each_nested(b, ctl) {
		struct cpu_row *r;

		if (mnl_attr_get_type(b) != KSCOPE_SCHED_CPU_ENTRY)
			continue;
		if (t->n == t->alloc) {
			unsigned int a = t->alloc ? 2 * t->alloc : 64;

			r = realloc(t->rows, a * sizeof(*r));
			if (!r)
				return -ENOMEM;
			t->rows = r;
			t->alloc = a;
		}
		r = &t->rows[t->n++];
		memset(r, 0, sizeof(*r));
		mnl_attr_for_each_nested(c, b) {
			unsigned int ty = mnl_attr_get_type(c);
			const struct nlattr *d;

			if (ty == KSCOPE_SCHED_CPU_NS) {
				mnl_attr_for_each_nested(d, c) {
					ty = mnl_attr_get_type(d);
					if (ty < KSCOPE_SCHED_USER || ty > KSCOPE_SCHED_STEAL ||
					    mnl_attr_validate(d, MNL_TYPE_U64) < 0)
						continue;
					r->ns[ty - KSCOPE_SCHED_USER] = mnl_attr_get_u64(d);
					r->has_ns = true;
				}
				continue;
			}
			if (mnl_attr_validate(c, MNL_TYPE_U32) < 0)
				continue;
			if (ty == KSCOPE_SCHED_CPU_NR)
				r->cpu = mnl_attr_get_u32(c);
			else if (ty >= KSCOPE_SCHED_USER && ty <= KSCOPE_SCHED_STEAL)
				r->v[ty - KSCOPE_SCHED_USER] = mnl_attr_get_u32(c);
		}
	}
	return 0;
}

/* `sched cpu`: the interval line, then "cpuN user U ..." (JSON: sched_cpu) */
static void cpu_print(const struct cpu_table *t)
{
	unsigned int i, j;

	if (!opt_json)
		printf("interval_ms %u\n", t->interval);
	for (j = 0; j < t->n; j++) {
		const struct cpu_row *r = &t->rows[j];

		if (opt_json) {
			ks_json_begin("sched_cpu");
			printf(",\"cpu\":%u,\"interval_ms\":%u", r->cpu, t->interval);
		} else {
			printf("cpu%u", r->cpu);
		}
		for (i = 0; i < NR_CPU_STATES; i++)
			printf(opt_json ? ",\"%s\":%u" : " %s %u", cpu_states[i],
			       r->v[i]);
		fputs(opt_json ? "}\n" : "\n", stdout);
	}
}

/* The utilization: a read request with KSCOPE_SCHED_CPU. */
static int cpu_read(struct cpu_table *t)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct ks_nl nl;
	int err, status = 1;

	t->n = 0;
	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL_GET, 0);
	nest = ks_nl_ctl_start(nlh, "sched");
	mnl_attr_put(nlh, KSCOPE_SCHED_CPU, 0, NULL);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, cpu_cb, t);
	if (err) {
		ks_nl_report_source(&nl, "sched cpu", "sched", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/*
 * Interval mode: each CPU's split of the interval since the read before,
 * from its times (what sar does with /proc/stat), in place of the
 * kernel's last window; the read's times kept for the next. A CPU the
 * read before did not have (just online, the module just loaded: no
 * complete window yet) or whose times went back (a reload) is left out
 * of this interval. Without times (an older module): the kernel's split.
 */
static int cpu_ival_split(struct cpu_table *t)
{
	unsigned int i, j, k, n = 0, nkeep = 0;
	struct cpu_row *keep;

	if (!ks_ival.secs)
		return 0;
	/* this read's times, every CPU's (also those left out below) */
	keep = malloc((t->n ? t->n : 1) * sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	for (i = 0; i < t->n; i++)
		if (t->rows[i].has_ns)
			keep[nkeep++] = t->rows[i];
	for (i = 0; i < t->n; i++) {
		struct cpu_row *r = &t->rows[i];
		const struct cpu_row *p = NULL;
		uint64_t d[NR_CPU_STATES], total = 0;
		bool back = false;

		if (!r->has_ns) {
			t->rows[n++] = *r;
			continue;
		}
		for (j = 0; j < t->nprev && !p; j++)
			if (t->prev[j].cpu == r->cpu)
				p = &t->prev[j];
		for (k = 0; p && k < NR_CPU_STATES; k++) {
			back |= r->ns[k] < p->ns[k];
			d[k] = r->ns[k] - p->ns[k];
			total += d[k];
		}
		if (!p || back || !total)
			continue;
		for (k = 0; k < NR_CPU_STATES; k++)
			r->v[k] = (uint32_t)(d[k] * 10000.0 / total);
		t->rows[n++] = *r;
	}
	free(t->prev);
	t->prev = keep;
	t->nprev = nkeep;
	t->n = n;
	t->interval = (uint32_t)ks_ival.ms;
	return 0;
}

/* The portraits a page at a time (admin: they name other users' pids). */
static int portraits_sample(void *arg)
{
	return ks_source_pages("sched", KSCOPE_SCHED_CURSOR, 0, portraits_cb,
			       arg, "sched portraits");
}

static int sched_portraits(int argc, char **argv)
{
	int ret = sched_noargs(argc, argv, "portraits");

	if (ret)
		return ret - 1;
	return ks_ival_run(portraits_sample, NULL);
}

static int runqlat_fe_sample(void *arg)
{
	const struct runqlat_opts *o = arg;

	if (o->per_pid || o->pid)
		return portraits_sample(arg);
	return runqlat_sample(o->ms ? arg : NULL);
}

int cmd_runqlat(int argc, char **argv)
{
	struct runqlat_opts o = { false };
	int c, end, status;
	uint64_t v;

	while ((c = ks_getopt(argc, argv, "runqlat", NULL, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'm':
			o.ms = true;
			break;
		case 'P':
			o.per_pid = true;
			break;
		case 'p':
			if (!ks_parse_u64(optarg, &v) || !v || v > UINT32_MAX)
				return ks_usage_error("runqlat", "bad pid '%s'", optarg);
			o.pid = (uint32_t)v;
			break;
		case 'T':
			ks_ival.timestamp = true;
			break;
		}
	}
	status = ks_ival_args(argc, argv, optind, &end, "runqlat", NULL);
	if (status)
		return status;
	if (end > optind)
		return ks_usage_error("runqlat", "unexpected argument '%s'",
				      argv[optind]);
	/* as runqlat: without an interval, until Ctrl-C */
	if (!ks_ival.secs)
		ks_ival.secs = -1;
	ks_ival.banner = "Tracing run queue latency... Hit Ctrl-C to end.";
	return ks_ival_run(runqlat_fe_sample, &o);
}

static int cpu_sample(void *arg)
{
	struct cpu_table *t = arg;
	int status = cpu_read(t);

	if (!status && cpu_ival_split(t)) {
		ks_err("sched cpu: out of memory");
		status = 1;
	}
	if (!status)
		cpu_print(t);
	return status;
}

static int sched_cpu(int argc, char **argv)
{
	int status = sched_noargs(argc, argv, "cpu");
	struct cpu_table t = { 0 };

	if (status)
		return status - 1;
	status = ks_ival_run(cpu_sample, &t);
	free(t.rows);
	free(t.prev);
	return status;
}

#define KS_MAX_SAR_ROWS	257	/* all, and up to 256 CPUs averaged */

struct sar_run {
	struct cpu_table t;
	bool per_cpu;
	unsigned int n;		/* intervals printed */
	double sum[KS_MAX_SAR_ROWS][6];	/* for the Average lines: all, cpu0... */
};

/* sar -u's columns of one row, percent: user nice system iowait steal idle */
static void sar_cols(const uint32_t *v, double *out)
{
	enum { U, N, S, IRQ, SI, ID, IO, ST };

	out[0] = v[U] / 100.0;
	out[1] = v[N] / 100.0;
	out[2] = (v[S] + v[IRQ] + v[SI]) / 100.0;	/* -u: interrupts in %system */
	out[3] = v[IO] / 100.0;
	out[4] = v[ST] / 100.0;
	out[5] = v[ID] / 100.0;
}

static void sar_line(const char *when, const char *cpu, const double *c)
{
	printf("%-11s %5s %9.2f %9.2f %9.2f %9.2f %9.2f %9.2f\n", when, cpu, c[0],
	       c[1], c[2], c[3], c[4], c[5]);
}

static int sar_sample(void *arg)
{
	struct sar_run *r = arg;
	double all[6] = { 0 }, c[6];
	char clock[16], name[16];
	unsigned int i, k;
	int status;

	status = cpu_read(&r->t);
	if (!status && cpu_ival_split(&r->t)) {
		ks_err("sar: out of memory");
		status = 1;
	}
	if (status || (ks_ival.secs && !ks_ival.n))
		return status;
	if (!r->t.n) {
		ks_err("sar: no CPU has a complete interval yet (kscope_sched just loaded?)");
		return 0;
	}
	if (opt_json) {
		cpu_print(&r->t);
		return 0;
	}
	ks_ival_clock(clock, sizeof(clock));
	if (!ks_ival.secs)
		snprintf(clock, sizeof(clock), "now");
	for (i = 0; i < r->t.n; i++) {
		sar_cols(r->t.rows[i].v, c);
		for (k = 0; k < 6; k++)
			all[k] += c[k] / r->t.n;
	}
	if (r->n == 0 || r->per_cpu)
		printf("\n%-11s %5s %9s %9s %9s %9s %9s %9s\n", clock, "CPU", "%user",
		       "%nice", "%system", "%iowait", "%steal", "%idle");
	sar_line(clock, "all", all);
	for (k = 0; k < 6; k++)
		r->sum[0][k] += all[k];
	for (i = 0; r->per_cpu && i < r->t.n; i++) {
		sar_cols(r->t.rows[i].v, c);
		snprintf(name, sizeof(name), "%u", r->t.rows[i].cpu);
		sar_line(clock, name, c);
		for (k = 0; i + 1 < KS_MAX_SAR_ROWS && k < 6; k++)
			r->sum[i + 1][k] += c[k];
	}
	r->n++;
	return 0;
}

int cmd_sar(int argc, char **argv)
{
	struct sar_run r = { .n = 0 };
	char name[16];
	unsigned int i, k;
	int c, end, status;

	while ((c = ks_getopt(argc, argv, "sar", NULL, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'P') {
			if (strcasecmp(optarg, "ALL"))
				return ks_usage_error("sar", "-P takes ALL, not '%s'", optarg);
			r.per_cpu = true;
		}
	}
	status = ks_ival_args(argc, argv, optind, &end, "sar", NULL);
	if (status)
		return status;
	if (end > optind)
		return ks_usage_error("sar", "unexpected argument '%s'", argv[optind]);
	ks_ival.own_header = true;
	status = ks_ival_run(sar_sample, &r);
	/* sar's Average lines, over the intervals printed */
	if (!status && !opt_json && r.n > 1) {
		printf("\n%-11s %5s %9s %9s %9s %9s %9s %9s\n", "Average:", "CPU",
		       "%user", "%nice", "%system", "%iowait", "%steal", "%idle");
		for (k = 0; k < 6; k++)
			r.sum[0][k] /= r.n;
		sar_line("Average:", "all", r.sum[0]);
		for (i = 0; r.per_cpu && i < r.t.n && i + 1 < KS_MAX_SAR_ROWS; i++) {
			for (k = 0; k < 6; k++)
				r.sum[i + 1][k] /= r.n;
			snprintf(name, sizeof(name), "%u", r.t.rows[i].cpu);
			sar_line("Average:", name, r.sum[i + 1]);
		}
	}
	free(r.t.rows);
	free(r.t.prev);
	return status;
}

int cmd_sched(int argc, char **argv)
{
	if (argc < 2)
		return ks_usage_error("sched", "expects a subcommand: filter, reset, portraits, runqlat, cpu");
	if (!strcmp(argv[1], "filter"))
		return sched_ctl(argc - 1, argv + 1, false);
	if (!strcmp(argv[1], "reset"))
		return sched_ctl(argc - 1, argv + 1, true);
	if (!strcmp(argv[1], "runqlat"))
		return sched_runqlat(argc - 1, argv + 1);
	if (!strcmp(argv[1], "portraits"))
		return sched_portraits(argc - 1, argv + 1);
	if (!strcmp(argv[1], "cpu"))
		return sched_cpu(argc - 1, argv + 1);
	return ks_usage_error("sched", "unknown subcommand '%s'", argv[1]);
}
