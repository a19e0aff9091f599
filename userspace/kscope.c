// SPDX-License-Identifier: GPL-2.0
/*
 * kscope: userspace reader of the kscope kernel modules.
 *
 * Talks to the "kscope" generic netlink family (include/uapi/linux/kscope.h)
 * to list sources, read counters, stream events and drive sources. A new
 * subcommand is one function plus one line in the cmds[] table below.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kscope.h"

#define KSCOPE_DEBUGFS_DIR	"/sys/kernel/debug/kscope"

static int cmd_list(int argc, char **argv);
static int cmd_stat(int argc, char **argv);
static int cmd_testgen(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);
int cmd_net(int argc, char **argv);	/* cmd_net.c */
int cmd_tcp(int argc, char **argv);	/* cmd_tcp.c */
int cmd_blk(int argc, char **argv);	/* cmd_blk.c */
int cmd_vfs(int argc, char **argv);	/* cmd_vfs.c */
int cmd_mem(int argc, char **argv);	/* cmd_mem.c */
int cmd_xdp(int argc, char **argv);
int cmd_sched(int argc, char **argv);	/* cmd_sched.c */
int cmd_probe(int argc, char **argv);	/* cmd_probe.c */
int cmd_export(int argc, char **argv);	/* export.c */
void ks_xdp_stats_add(struct ks_stats_list *l);

static const struct ks_cmd cmds[] = {
	{ "blk", cmd_blk, "add|del|set|list|stat ...", "kscope_blk devices: create, remove, list, statistics (admin to change)" },
	{ "vfs", cmd_vfs, "slow|filter|top|show ...", "kscope_vfs: slow-op threshold, pid filter, top files/processes, per-fs stats" },
	{ "mem", cmd_mem, "high-order N | show", "kscope_mem: high-order event threshold, free lists and fragmentation" },
	{ "list", cmd_list, "[SOURCE...]",
	  "list sources: attach point, counters, event types" },
	{ "stat", cmd_stat, "[--percpu] [SOURCE...]",
	  "print counters (falls back to debugfs without netlink)" },
	{ "watch", cmd_watch,
	  "[--interval SEC] [--count N] [--duration SEC] [--rcvbuf BYTES] [SOURCE...]",
	  "stream events, report lost events" },
	{ "testgen", cmd_testgen, "COUNT [--cpus MASK] [--rate N] [--wait|--no-wait] | hist",
	  "make the test source emit COUNT events per CPU (admin); hist: its test histogram" },
	{ "net", cmd_net, "echo on|off [--netns PATH_OR_PID] [--dev IFNAME]",
	  "ICMP echo responder of kscope_net in a netns (admin)" },
	{ "xdp", cmd_xdp, "attach|detach|stats DEV [--mode native|skb] [--pass|--any]",
	  "XDP ICMP echo responder: load, unload, counters" },
	{ "tcp", cmd_tcp, "filter [OPTIONS] | flows",
	  "kscope_tcp: flow filter (admin), flow table" },
	{ "sched", cmd_sched, "filter|reset|portraits|runqlat|cpu ...",
	  "kscope_sched: portrait filter (admin), run-queue latency, CPU use" },
	{ "probe", cmd_probe, "add SYMBOL [--ret] [--latency] [--events] | del ID|SYMBOL | list",
	  "kscope_probe: kprobes on kernel functions by name (admin to change)" },
	{ "export", cmd_export,
	  "[--listen ADDR:PORT] [--textfile DIR] [--interval SECS] [--sources NAME,...] [--once]",
	  "serve every counter and histogram to Prometheus (/metrics), or a node_exporter textfile" },
	{ "version", cmd_version, "",
	  "reader and kernel protocol versions, number of CPUs" },
	{ "help", cmd_help, "[COMMAND]", "this text" },
};

static const struct ks_cmd *find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		if (!strcmp(cmds[i].name, name))
			return &cmds[i];
	return NULL;
}

static void usage(FILE *f)
{
	unsigned int i;

	fputs("usage: kscope [--json] COMMAND [ARGS...]\n\n", f);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		fprintf(f, "  %-8s %s\n           %s\n", cmds[i].name,
			cmds[i].usage, cmds[i].help);
	fputs("\n--json (anywhere on the line) prints one JSON object per line.\n",
	      f);
}

static void cmd_usage(FILE *f, const struct ks_cmd *c)
{
	fprintf(f, "usage: kscope [--json] %s %s\n  %s\n", c->name, c->usage,
		c->help);
}

int ks_usage_error(const char *cmd, const char *fmt, ...)
{
	const struct ks_cmd *c = cmd ? find_cmd(cmd) : NULL;
	va_list ap;

	fputs("kscope: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (c)
		cmd_usage(stderr, c);
	else
		fputs("Try 'kscope --help'.\n", stderr);
	return 2;
}

/*
 * getopt_long() for a subcommand: --help prints its usage (returns -2 with
 * *status 0); errors print a usage error (returns -2 with *status 2).
 */
static int sub_getopt(int argc, char **argv, const char *optstring,
		      const struct option *longopts, int *status)
{
	const char *cmd = argv[0];
	int c;

	opterr = 0;
	c = getopt_long(argc, argv, optstring, longopts, NULL);
	switch (c) {
	case 'h':
		cmd_usage(stdout, find_cmd(cmd));
		*status = 0;
		return -2;
	case ':':
		*status = ks_usage_error(cmd, "option '%s' needs a value",
					 argv[optind - 1]);
		return -2;
	case '?':
		if (optopt)
			*status = ks_usage_error(cmd, "unknown option '-%c'",
						 optopt);
		else
			*status = ks_usage_error(cmd, "unknown option '%s'",
						 argv[optind - 1]);
		return -2;
	}
	return c;
}

/* ---- version ---- */

struct version_reply {
	uint32_t version;
	uint32_t nr_cpus;
};

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	struct version_reply *r = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			r->version = mnl_attr_get_u32(a);
			break;
		case KSCOPE_A_NR_CPUS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			r->nr_cpus = mnl_attr_get_u32(a);
			break;
		}
	}
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct version_reply r = { .version = 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ks_nl nl;
	int c, err, status = 1;

	while ((c = sub_getopt(argc, argv, ":h", opts, &status)) != -1)
		if (c == -2)
			return status;
	if (optind < argc)
		return ks_usage_error(argv[0], "unexpected argument '%s'",
				      argv[optind]);

	if (!opt_json)
		printf("reader: kscope %s, protocol v%u\n",
		       KSCOPE_READER_VERSION, KSCOPE_GENL_VERSION);
	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_VERSION_GET, 0);
	err = ks_nl_talk(&nl, nlh, version_cb, &r);
	if (err) {
		ks_nl_report(&nl, "version", err);
		goto out;
	}
	if (opt_json)
		printf("{\"reader\":\"%s\",\"protocol\":%u,\"kernel_protocol\":%u,"
		       "\"nr_cpus\":%u}\n", KSCOPE_READER_VERSION,
		       KSCOPE_GENL_VERSION, r.version, r.nr_cpus);
	else
		printf("kernel: protocol v%u, %u cpus\n", r.version, r.nr_cpus);
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* ---- list ---- */

static void list_print(const struct ks_sources *s)
{
	unsigned int i, j, k, w = 0;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) > w)
			w = strlen(s->v[i].name);

	for (i = 0; i < s->n; i++) {
		const struct ks_source *src = &s->v[i];

		if (!opt_json) {
			printf("%-*s id=%-3u counters=%-3u attach=", (int)w,
			       src->name, src->id, src->nr_counters);
			text_word(stdout, src->attach);
			fputs(" events=", stdout);
			for (j = 0; j < src->nr_evtypes; j++) {
				if (j)
					putchar(',');
				text_word(stdout, src->evtypes[j].name);
			}
			if (!src->nr_evtypes)
				putchar('-');
			fputs(" gauges=", stdout);
			for (j = k = 0; j < src->nr_counters; j++) {
				if (src->counters[j].kind != KSCOPE_COUNTER_GAUGE)
					continue;
				if (k++)
					putchar(',');
				text_word(stdout, src->counters[j].name);
			}
			if (!k)
				putchar('-');
			putchar('\n');
			continue;
		}

		fputs("{\"source\":", stdout);
		json_str(stdout, src->name);
		printf(",\"id\":%u,\"attach\":", src->id);
		json_str(stdout, src->attach);
		fputs(",\"counters\":[", stdout);
		for (j = 0; j < src->nr_counters; j++) {
			fputs(j ? ",{\"name\":" : "{\"name\":", stdout);
			json_str(stdout, src->counters[j].name);
			printf(",\"kind\":\"%s\"}",
			       ks_counter_kind_name(src->counters[j].kind));
		}
		fputs("],\"events\":[", stdout);
		for (j = 0; j < src->nr_evtypes; j++) {
			const struct ks_evtype *et = &src->evtypes[j];

			if (j)
				putchar(',');
			fputs("{\"name\":", stdout);
			json_str(stdout, et->name);
			printf(",\"id\":%u,\"fields\":[", et->id);
			for (k = 0; k < et->nr_fields; k++) {
				if (k)
					putchar(',');
				fputs("{\"name\":", stdout);
				json_str(stdout, et->fields[k].name);
				printf(",\"kind\":\"%s\"}",
				       ks_kind_name(et->fields[k].kind));
			}
			fputs("]}", stdout);
		}
		fputs("]}\n", stdout);
	}
}

static int cmd_list(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct ks_sources s = { .n = 0 };
	struct ks_nl nl;
	int c, i, err, status = 1;

	while ((c = sub_getopt(argc, argv, ":h", opts, &status)) != -1)
		if (c == -2)
			return status;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	if (optind == argc) {
		err = ks_sources_fetch(&nl, NULL, &s);
		if (err) {
			ks_nl_report(&nl, "list", err);
			goto out;
		}
	}
	for (i = optind; i < argc; i++) {
		err = ks_sources_fetch(&nl, argv[i], &s);
		if (err) {
			ks_nl_report_source(&nl, "list", argv[i], err);
			goto out;
		}
	}
	list_print(&s);
	status = 0;
out:
	ks_sources_free(&s);
	ks_nl_close(&nl);
	return status;
}

/* ---- stat ---- */

static void json_ctrs(const struct ks_ctrs *c)
{
	unsigned int i;

	putchar('{');
	for (i = 0; i < c->n; i++) {
		if (i)
			putchar(',');
		json_str(stdout, c->names[i]);
		printf(":%" PRIu64, c->vals[i]);
	}
	putchar('}');
}

static void stat_print(const struct ks_stats_list *l)
{
	unsigned int i, j, k;
	int ws = 0, wc = 0;
	char label[128];

	if (opt_json) {
		for (i = 0; i < l->n; i++) {
			const struct ks_stats *st = &l->v[i];

			fputs("{\"source\":", stdout);
			json_str(stdout, st->source);
			fputs(",\"counters\":", stdout);
			json_ctrs(&st->total);
			if (st->percpu) {
				fputs(",\"percpu\":[", stdout);
				for (j = 0; j < st->nr_percpu; j++) {
					printf("%s{\"cpu\":%u,\"counters\":",
					       j ? "," : "", st->percpu[j].cpu);
					json_ctrs(&st->percpu[j].c);
					putchar('}');
				}
				putchar(']');
			}
			fputs("}\n", stdout);
		}
		return;
	}

	/* aligned, but still "SOURCE COUNTER VALUE" for awk */
	for (i = 0; i < l->n; i++) {
		const struct ks_stats *st = &l->v[i];
		int n = strlen(st->source);

		if (st->nr_percpu)
			n += 14;	/* "/cpu" + u32 */
		ws = n > ws ? n : ws;
		for (j = 0; j < st->total.n; j++) {
			n = strlen(st->total.names[j]);
			wc = n > wc ? n : wc;
		}
	}
	for (i = 0; i < l->n; i++) {
		const struct ks_stats *st = &l->v[i];

		for (j = 0; j < st->total.n; j++)
			printf("%-*s %-*s %" PRIu64 "\n", ws, st->source, wc,
			       st->total.names[j], st->total.vals[j]);
		for (j = 0; j < st->nr_percpu; j++) {
			const struct ks_cpu_ctrs *pc = &st->percpu[j];

			snprintf(label, sizeof(label), "%s/cpu%u", st->source,
				 pc->cpu);
			for (k = 0; k < pc->c.n; k++)
				printf("%-*s %-*s %" PRIu64 "\n", ws, label, wc,
				       pc->c.names[k], pc->c.vals[k]);
		}
	}
}

/* Read one debugfs "counters" file: "name value" lines. */
static int read_counters_file(const char *path, struct ks_ctrs *c)
{
	char line[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[128], val[64], extra[2];
		uint64_t v;
		int n;

		lineno++;
		n = sscanf(line, "%127s %63s %1s", name, val, extra);
		if (n <= 0)
			continue;	/* blank line */
		if (n != 2 || !ks_parse_u64(val, &v)) {
			line[strcspn(line, "\n")] = '\0';
			ks_err("%s:%u: not a \"name value\" line: %s", path,
			       lineno, line);
			continue;
		}
		err = ks_ctrs_add(c, name, v);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	return err;
}

static int is_source_dir(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int stat_debugfs(char **names, int nr_names, bool percpu,
			bool family_missing, const char *why)
{
	const char *root = getenv("KSCOPE_DEBUGFS");
	struct ks_stats_list l = { .n = 0 };
	struct dirent **ents = NULL;
	char path[4096];
	int i, n = 0, err, status = 1;
	struct stat sb;

	if (!root || !*root)
		root = KSCOPE_DEBUGFS_DIR;
	err = stat(root, &sb) < 0 ? errno : 0;
	if (!err && !S_ISDIR(sb.st_mode))
		err = ENOTDIR;
	if (err) {
		/* no debugfs either: the plain answer is the missing module */
		if (family_missing && (err == ENOENT || err == ENOTDIR))
			ks_err("kscope_core is not loaded (no \"%s\" generic netlink family)",
			       KSCOPE_GENL_NAME);
		else
			ks_err("%s: %s", root, strerror(err));
		return 1;
	}
	ks_err("netlink unavailable (%s), reading counters from %s", why, root);
	if (percpu)
		ks_err("per-CPU counters are not available from debugfs, printing totals");

	if (!nr_names) {
		n = scandir(root, &ents, is_source_dir, alphasort);
		if (n < 0) {
			ks_err("%s: %s", root, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < (nr_names ? nr_names : n); i++) {
		const char *src = nr_names ? names[i] : ents[i]->d_name;
		struct ks_stats *st;

		if (strchr(src, '/') || !strcmp(src, ".") || !strcmp(src, "..")) {
			ks_err("unknown source \"%s\"", src);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", root, src);
		if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			if (!nr_names)
				continue;
			ks_err("unknown source \"%s\"", src);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s/counters", root, src);
		st = ks_stats_list_add(&l, src);
		if (!st) {
			ks_err("%s", strerror(ENOMEM));
			goto out;
		}
		err = read_counters_file(path, &st->total);
		if (err == -ENOENT && !nr_names) {
			/* a directory without counters is not a source */
			free(st->source);
			l.n--;
			continue;
		}
		if (err) {
			ks_err("%s: %s", path, strerror(-err));
			goto out;
		}
	}
	stat_print(&l);
	status = 0;
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	ks_stats_list_free(&l);
	return status;
}

static int cmd_stat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "percpu", no_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct ks_stats_list l = { .n = 0 }, all = { .n = 0 };
	bool percpu = false;
	const char *why;
	struct ks_nl nl;
	int c, i, err, status = 1;

	while ((c = sub_getopt(argc, argv, ":h", opts, &status)) != -1) {
		if (c == -2)
			return status;
		if (c == 'p')
			percpu = true;
	}

	err = ks_nl_connect(&nl);
	if (err == -ENOENT) {
		why = "no \"" KSCOPE_GENL_NAME "\" generic netlink family";
		goto fallback;
	}
	if (err == -EPERM || err == -EACCES || err == -EPROTO) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	if (err) {
		why = strerror(-err);
		goto fallback;
	}

	if (optind == argc && !percpu) {
		err = ks_stats_fetch(&nl, NULL, false, &l);
	} else if (optind == argc) {
		/* per-CPU data is asked for one source at a time */
		err = ks_stats_fetch(&nl, NULL, false, &all);
		for (i = 0; !err && i < (int)all.n; i++) {
			err = ks_stats_fetch(&nl, all.v[i].source, true, &l);
			if (err == -ENOENT)	/* went away meanwhile */
				err = 0;
		}
	} else {
		for (i = optind; i < argc; i++) {
			err = ks_stats_fetch(&nl, argv[i], percpu, &l);
			if (err == -ENOENT) {
				ks_nl_report_source(&nl, "stat", argv[i], err);
				goto out;
			}
			if (err)
				break;
		}
	}
	if (err == -EPERM || err == -EACCES) {
		ks_nl_report(&nl, "stat", err);
		goto out;
	}
	if (err) {
		why = strerror(-err);
		goto fallback;
	}
	if (optind == argc)
		ks_xdp_stats_add(&l);
	stat_print(&l);
	status = 0;
	goto out;

fallback:
	status = stat_debugfs(argv + optind, argc - optind, percpu,
			      err == -ENOENT, why);
out:
	ks_stats_list_free(&all);
	ks_stats_list_free(&l);
	ks_nl_close(&nl);
	return status;
}

/* ---- testgen ---- */

/* "testgen hist": the histogram of source testgen_hist (tests only) */
static int testgen_hist(void)
{
	return ks_source_hists("testgen_hist", KSCOPE_TG_HIST, "testgen hist");
}

static int cmd_testgen(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "cpus", required_argument, NULL, 'c' },
		{ "rate", required_argument, NULL, 'r' },
		{ "wait", no_argument, NULL, 'w' },
		{ "no-wait", no_argument, NULL, 'W' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	uint64_t count, cpumask = 1, rate = 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	bool wait = true;
	struct ks_nl nl;
	int c, err, status = 1;

	if (argc == 2 && !strcmp(argv[1], "hist"))
		return testgen_hist();
	while ((c = sub_getopt(argc, argv, ":h", opts, &status)) != -1) {
		switch (c) {
		case -2:
			return status;
		case 'c':
			if (!ks_parse_u64(optarg, &cpumask) || !cpumask)
				return ks_usage_error(argv[0], "bad CPU mask '%s'",
						      optarg);
			break;
		case 'r':
			if (!ks_parse_u64(optarg, &rate) || rate > UINT32_MAX)
				return ks_usage_error(argv[0], "bad rate '%s'",
						      optarg);
			break;
		case 'w':
			wait = true;
			break;
		case 'W':
			wait = false;
			break;
		}
	}
	if (optind != argc - 1)
		return ks_usage_error(argv[0], "expects one COUNT");
	if (!ks_parse_u64(argv[optind], &count) || !count ||
	    count > UINT32_MAX)
		return ks_usage_error(argv[0], "bad COUNT '%s'", argv[optind]);

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "testgen");
	mnl_attr_put_u32(nlh, KSCOPE_TG_COUNT, (uint32_t)count);
	mnl_attr_put_u64(nlh, KSCOPE_TG_CPUMASK, cpumask);
	mnl_attr_put_u32(nlh, KSCOPE_TG_RATE, (uint32_t)rate);
	if (wait)
		mnl_attr_put(nlh, KSCOPE_TG_WAIT, 0, NULL);
	mnl_attr_nest_end(nlh, nest);

	err = ks_nl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		ks_nl_report_source(&nl, "testgen", "testgen", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* ---- help, main ---- */

static int cmd_help(int argc, char **argv)
{
	const struct ks_cmd *c;

	if (argc > 2)
		return ks_usage_error("help", "expects at most one COMMAND");
	if (argc == 2) {
		c = find_cmd(argv[1]);
		if (!c)
			return ks_usage_error(NULL, "unknown command '%s'",
					      argv[1]);
		cmd_usage(stdout, c);
		return 0;
	}
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct ks_cmd *c;
	int i, n = 0, status;
	bool dashdash = false;
	char **args;

	/* --json is global and may come anywhere before "--" */
	args = calloc(argc + 1, sizeof(*args));
	if (!args) {
		ks_err("%s", strerror(ENOMEM));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (!dashdash && !strcmp(argv[i], "--json")) {
			opt_json = true;
			continue;
		}
		if (!strcmp(argv[i], "--"))
			dashdash = true;
		args[n++] = argv[i];
	}

	if (!n) {
		ks_err("missing COMMAND");
		usage(stderr);
		status = 2;
		goto out;
	}
	if (!strcmp(args[0], "--help") || !strcmp(args[0], "-h")) {
		usage(stdout);
		status = 0;
		goto out;
	}
	if (args[0][0] == '-') {
		status = ks_usage_error(NULL, "unknown option '%s'", args[0]);
		goto out;
	}
	c = find_cmd(args[0]);
	if (!c) {
		status = ks_usage_error(NULL, "unknown command '%s'", args[0]);
		goto out;
	}
	status = c->fn(n, args);
out:
	fflush(stdout);
	free(args);
	return status;
}
