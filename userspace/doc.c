// SPDX-License-Identifier: GPL-2.0
/*
 * Everything the command table (kscope.c's cmds[], the ks_*_subs[] of the
 * cmd_*.c files) drives besides dispatch: option parsing (ks_getopt), the
 * help texts, the man page and the bash completion. `make -C userspace
 * doc` regenerates kscope.8 and kscope.bash-completion from the table and
 * `make check` fails when the committed copies differ.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

#define KS_MAX_OPTS	40
#define WRAP		79

static const struct ks_opt global_opts[] = {
	{ "json", 0, NULL, "print one JSON object per line (see JSON OUTPUT in kscope(8)); anywhere on the line" },
	{ "verbose", 'v', NULL, "also print libbpf's messages (-v); anywhere on the line" },
	{ "version", 0, NULL, "print the reader's version and exit" },
	{ "help", 'h', NULL, "print the list of commands and exit (-h)" },
	{ NULL }
};

/* a command without subs has one implicit sub: its usage string */
static const struct ks_sub *cmd_subs(const struct ks_cmd *c, struct ks_sub *one)
{
	if (c->subs)
		return c->subs;
	one[0] = (struct ks_sub){ NULL, c->usage, NULL, NULL };
	one[1] = (struct ks_sub){ NULL };
	return one;
}

static bool sub_end(const struct ks_sub *s, const struct ks_sub *first)
{
	/* the end: no name, no args, no options (only the first may be nameless) */
	return s != first && !s->name;
}

const struct ks_cmd *ks_find_cmd(const char *name)
{
	unsigned int i;

	for (i = 0; i < ks_nr_cmds; i++)
		if (!strcmp(ks_cmds[i].name, name))
			return &ks_cmds[i];
	return NULL;
}

const struct ks_sub *ks_find_sub(const struct ks_cmd *c, const char *name)
{
	const struct ks_sub *s;

	if (!c || !c->subs)
		return NULL;
	for (s = c->subs; !sub_end(s, c->subs); s++)
		if ((!name && !s->name) ||
		    (name && s->name && !strcmp(s->name, name)))
			return s;
	return NULL;
}

/* ---- text helpers ---- */

/*
 * @s wrapped at WRAP, every line but the first indented by @ind; @col:
 * where the first line starts. "[...]" groups are never broken.
 */
static void wrap(FILE *f, const char *s, int ind, int col)
{
	const char *p = s;
	bool first = true;

	while (*p) {
		int n, depth = 0;

		for (n = 0; p[n] && (p[n] != ' ' || depth > 0); n++)
			depth += p[n] == '[' ? 1 : p[n] == ']' ? -1 : 0;
		if (!first && col + 1 + n > WRAP) {
			fprintf(f, "\n%*s", ind, "");
			col = ind;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", n, p);
		first = false;
		col += n;
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* " [--name ARG]" of every option, into @buf */
static void synopsis(char *buf, size_t len, const struct ks_cmd *c,
		     const struct ks_sub *s)
{
	const struct ks_opt *o;
	size_t n;

	n = snprintf(buf, len, "kscope %s", c->name);
	if (s->name && n < len)
		n += snprintf(buf + n, len - n, " %s", s->name);
	for (o = s->opts; o && o->name && n < len; o++) {
		if (o->shrt)
			n += snprintf(buf + n, len - n, o->arg ? " [-%c %s]" : " [-%c]",
				      o->val, o->arg);
		else if (o->arg)
			n += snprintf(buf + n, len - n, o->required ?
				      " --%s %s" : " [--%s %s]", o->name, o->arg);
		else
			n += snprintf(buf + n, len - n, o->required ?
				      " --%s" : " [--%s]", o->name);
	}
	if (s->args && *s->args && n < len)
		snprintf(buf + n, len - n, " %s", s->args);
}

/* @shorts: the vals are short options too (the global ones) */
static void print_opt(FILE *f, const struct ks_opt *o, int ind, bool shorts)
{
	char head[80];
	int n;

	if ((shorts || o->shrt) && o->val > 0 && o->val < 128 && isalnum(o->val))
		n = snprintf(head, sizeof(head), "-%c, --%s%s%s", o->val,
			     o->name, o->arg ? " " : "", o->arg ? o->arg : "");
	else
		n = snprintf(head, sizeof(head), "--%s%s%s", o->name,
			     o->arg ? " " : "", o->arg ? o->arg : "");
	fprintf(f, "%*s%s", ind, "", head);
	if (ind + n + 2 > 30) {
		fprintf(f, "\n%*s", ind + 4, "");
		wrap(f, o->help, ind + 4, ind + 4);
	} else {
		fprintf(f, "%*s", 30 - ind - n, "");
		wrap(f, o->help, 30, 30);
	}
}

void ks_cmd_help(FILE *f, const struct ks_cmd *c)
{
	struct ks_sub one[2];
	const struct ks_sub *subs = cmd_subs(c, one), *s;
	const struct ks_opt *o;
	char line[1024];
	int i;

	for (s = subs; !sub_end(s, subs); s++) {
		synopsis(line, sizeof(line), c, s);
		fputs(s == subs ? "usage: " : "       ", f);
		wrap(f, line, 11 + (int)strlen(c->name) +
		     (s->name ? (int)strlen(s->name) + 1 : 0), 7);
	}
	fputc('\n', f);
	wrap(f, c->desc ? c->desc : c->help, 0, 0);
	for (s = subs; !sub_end(s, subs); s++) {
		if (!s->help && !(s->opts && s->opts->name))
			continue;
		fputc('\n', f);
		if (s->name)
			fprintf(f, "%s:\n", s->name);
		else
			fputs("options:\n", f);
		if (s->help) {
			fputs("  ", f);
			wrap(f, s->help, 2, 2);
		}
		for (o = s->opts; o && o->name; o++)
			print_opt(f, o, 2, false);
	}
	if (c->examples && c->examples[0]) {
		fputs("\nexamples:\n", f);
		for (i = 0; c->examples[i]; i += 2) {
			fprintf(f, "  %s\n", c->examples[i]);
			if (c->examples[i + 1]) {
				fputs("      ", f);
				wrap(f, c->examples[i + 1], 6, 6);
			}
		}
	}
	if (c->see) {
		fputs("\nsee also: ", f);
		wrap(f, c->see, 2, 10);
	}
}

void ks_help(FILE *f)
{
	const struct ks_opt *o;
	unsigned int i;

	fputs("usage: kscope [--json] [-v] COMMAND [ARGS...]\n"
	      "       kscope --version | --help\n\ncommands:\n", f);
	for (i = 0; i < ks_nr_cmds; i++) {
		fprintf(f, "  %-12s", ks_cmds[i].name);
		wrap(f, ks_cmds[i].help, 14, 14);
	}
	fputs("\nglobal options:\n", f);
	for (o = global_opts; o->name; o++)
		print_opt(f, o, 2, true);
	fputs("\n'kscope help COMMAND' or 'kscope COMMAND --help': a command's subcommands,\n"
	      "options and examples; man kscope: all of them, the JSON contract.\n", f);
}

/* ---- option parsing ---- */

static void short_usage(FILE *f, const struct ks_cmd *c, const struct ks_sub *s)
{
	struct ks_sub one[2];
	const struct ks_sub *subs = cmd_subs(c, one), *p;
	char line[1024];
	bool first = true;

	for (p = subs; !sub_end(p, subs); p++) {
		if (s && p != s)
			continue;
		synopsis(line, sizeof(line), c, p);
		fputs(first ? "usage: " : "       ", f);
		wrap(f, line, 11 + (int)strlen(c->name) +
		     (p->name ? (int)strlen(p->name) + 1 : 0), 7);
		first = false;
	}
	fprintf(f, "Try 'kscope help %s'.\n", c->name);
}

static int vusage_error(const char *cmd, const char *sub, const char *fmt,
			va_list ap)
{
	const struct ks_cmd *c = cmd ? ks_find_cmd(cmd) : NULL;
	const struct ks_sub *s = sub ? ks_find_sub(c, sub) : NULL;

	fflush(stdout);
	fputs("kscope: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	if (sub)
		fprintf(stderr, "%s: ", sub);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (c)
		short_usage(stderr, c, s);
	else
		fputs("Try 'kscope help'.\n", stderr);
	return 2;
}

int ks_sub_usage_error(const char *cmd, const char *sub, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vusage_error(cmd, sub, fmt, ap);
	va_end(ap);
	return ret;
}

int ks_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vusage_error(cmd, NULL, fmt, ap);
	va_end(ap);
	return ret;
}

int ks_getopt(int argc, char **argv, const char *cmd, const char *sub,
	      int *status)
{
	static struct option lopts[KS_MAX_OPTS + 2];
	static char shorts[2 * KS_MAX_OPTS + 3];
	static char **parsing;
	size_t ns;
	const struct ks_cmd *c = ks_find_cmd(cmd);
	const struct ks_sub *s = c ? ks_find_sub(c, sub) : NULL;
	const struct ks_opt *o;
	unsigned int n = 0;
	int r;

	if (parsing != argv) {
		parsing = argv;
		optind = 0;	/* glibc: a full restart */
	}
	/* ":h", then the short flags the anchors have (-m, -p PID) */
	shorts[0] = ':';
	shorts[1] = 'h';
	ns = 2;
	for (o = s ? s->opts : NULL; o && o->name && n < KS_MAX_OPTS; o++) {
		lopts[n++] = (struct option){ o->name,
			o->arg ? required_argument : no_argument, NULL, o->val };
		if (o->shrt && ns + 3 < sizeof(shorts)) {
			shorts[ns++] = (char)o->val;
			if (o->arg)
				shorts[ns++] = ':';
		}
	}
	shorts[ns] = '\0';
	lopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	lopts[n] = (struct option){ NULL, 0, NULL, 0 };

	opterr = 0;
	r = getopt_long(argc, argv, shorts, lopts, NULL);
	switch (r) {
	case -1:
		parsing = NULL;
		return -1;
	case 'h':
		parsing = NULL;
		if (c)
			ks_cmd_help(stdout, c);
		*status = 0;
		return KS_OPT_EXIT;
	case ':':
		parsing = NULL;
		*status = ks_sub_usage_error(cmd, sub, "option '%s' needs a value",
					     argv[optind - 1]);
		return KS_OPT_EXIT;
	case '?':
		parsing = NULL;
		/* "--flag=x" of a flag also lands here, with its val in optopt */
		if (optopt && optopt < 128 && isprint(optopt) &&
		    strncmp(argv[optind - 1], "--", 2))
			*status = ks_sub_usage_error(cmd, sub,
						     "unknown option '-%c'", optopt);
		else if (optopt && strchr(argv[optind - 1], '='))
			*status = ks_sub_usage_error(cmd, sub,
						     "option '%.*s' takes no value",
						     (int)strcspn(argv[optind - 1], "="),
						     argv[optind - 1]);
		else
			*status = ks_sub_usage_error(cmd, sub, "unknown option '%s'",
						     argv[optind - 1]);
		return KS_OPT_EXIT;
	}
	return r;
}

/* ---- the man page ---- */

/* roff text: backslashes and hyphens escaped, no control character first */
static void roff(FILE *f, const char *s)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\e", f);
		else if (*s == '-')
			fputs("\\-", f);
		else
			fputc(*s, f);
	}
}

/*
 * A synopsis line, filled: "kscope CMD SUB" in bold, the rest roman, no
 * break inside a "[...]" group (its spaces unbreakable).
 */
static void roff_synopsis(FILE *f, const char *line, const struct ks_cmd *c,
			  const struct ks_sub *s)
{
	size_t head = strlen("kscope ") + strlen(c->name) +
		      (s->name ? strlen(s->name) + 1 : 0);
	char buf[1024];
	int depth = 0;
	const char *p;
	size_t i = 0;

	fputs("\\fB", f);
	for (p = line; *p && i + 1 < sizeof(buf); p++) {
		if ((size_t)(p - line) == head) {
			buf[i] = '\0';
			roff(f, buf);
			fputs("\\fR", f);
			i = 0;
		}
		depth += *p == '[' ? 1 : *p == ']' ? -1 : 0;
		if (*p == ' ' && depth > 0) {
			buf[i] = '\0';
			roff(f, buf);
			fputs("\\ ", f);
			i = 0;
			continue;
		}
		buf[i++] = *p;
	}
	buf[i] = '\0';
	roff(f, buf);
	if ((size_t)(p - line) <= head)
		fputs("\\fR", f);
	fputc('\n', f);
}

static void roff_opt(FILE *f, const struct ks_opt *o, bool shorts)
{
	fputs(".TP\n", f);
	if ((shorts || o->shrt) && o->val > 0 && o->val < 128 && isalnum(o->val))
		fprintf(f, "\\fB\\-%c\\fR, ", o->val);
	fputs("\\fB\\-\\-", f);
	roff(f, o->name);
	fputs("\\fR", f);
	if (o->arg) {
		fputs(" \\fI", f);
		roff(f, o->arg);
		fputs("\\fR", f);
	}
	fputc('\n', f);
	roff(f, o->help);
	fputc('\n', f);
}

static const char man_head[] =
".\\\" SPDX-License-Identifier: GPL-2.0\n"
".\\\" Generated from the command table of userspace/ by `make -C userspace doc`:\n"
".\\\" edit the table (kscope.c, cmd_*.c) or doc.c, not this file.\n"
".TH KSCOPE 8 \"" KSCOPE_READER_VERSION "\" \"kscope " KSCOPE_READER_VERSION "\" \"System Administration\"\n"
".SH NAME\n"
"kscope \\- read counters, histograms and events of the kscope kernel modules\n"
".SH SYNOPSIS\n"
".B kscope\n"
".RB [ \\-\\-json ]\n"
".RB [ \\-v ]\n"
".I command\n"
".RI [ args ...]\n"
".br\n"
".B kscope\n"
".BR \\-\\-version \" | \" \\-\\-help\n"
".SH DESCRIPTION\n"
"The kscope modules make a running kernel observable on a test machine:\n"
"each registers a \\fIsource\\fR with kscope_core, exports counters in\n"
"/sys/kernel/debug/kscope/\\fIsource\\fR/ and over the \"kscope\" generic\n"
"netlink family, keeps histograms in the kernel and streams events to the\n"
"\"events\" multicast group.\n"
".B kscope\n"
"reads them, drives the sources that take settings, and accounts for every\n"
"event the kernel or the socket could not deliver.\n"
"It stands beside the libbpf-tools (runqlat, biolatency, tcplife, vfsstat ...):\n"
"its histograms are drawn as theirs are (log2 buckets, \\fBlo \\-> hi : count\n"
"distribution\\fR), and each command says which tool it mirrors.\n"
"With\n"
".BR \\-\\-json ,\n"
"every command prints one JSON object per line (see\n"
".BR \"JSON OUTPUT\" ).\n";

static const char man_json[] =
".SH JSON OUTPUT\n"
"With\n"
".BR \\-\\-json ,\n"
"standard output carries only JSON: one object per line, each line complete\n"
"on its own (a command that fails part way prints no partial object).\n"
"Errors and warnings go to standard error as plain text; with\n"
".B \\-\\-json\n"
"the loss summary of\n"
".B watch\n"
"is a JSON line on standard output instead.\n"
"A command that only changes a setting prints nothing;\n"
".BR help \" and \" completion\n"
"print text.\n"
".PP\n"
"Every object has a \\fB\"type\"\\fR key, a string naming its shape, and a\n"
"\\fB\"schema\"\\fR key, the version of this contract (an integer, now\n"
"\\fB1\\fR; it changes when a key is removed or changes meaning, not when one\n"
"is added). A reader should select lines by \"type\" and ignore keys it does\n"
"not know. The types, and what each command prints:\n"
".TP\n"
".B version\n"
"(version) reader, protocol, kernel_protocol, nr_cpus.\n"
".TP\n"
".B source\n"
"(list) source, id, attach, counters: [{name, kind: \"counter\"|\"gauge\"}],\n"
"events: [{name, id, fields: [{name, kind}]}].\n"
".TP\n"
".B counters\n"
"(stat, one line per source) source, counters, and with \\-\\-percpu\n"
"percpu: [{cpu, counters}].\n"
".TP\n"
".B event\n"
"(watch) ts (ns, CLOCK_MONOTONIC), cpu, seq, source, event, ctx\n"
"(task|softirq|hardirq|nmi), in task context pid, tid, comm; then the\n"
"event's own fields by the names \\fBkscope list\\fR gives (numbers as\n"
"numbers, hex fields and addresses as strings). A field named pid, tid or\n"
"comm replaces the task context's; one named like another key above is\n"
"printed as field_\\fINAME\\fR.\n"
".TP\n"
".B loss\n"
"(watch, every interval when it changed and once at exit with final: true)\n"
"lost (a counter object: kernel, buffer_full, nomem, overrun, nmi,\n"
"recursion, invalid, closed, socket_overruns, seq_gaps), received, final.\n"
".TP\n"
".B hist\n"
"(sched runqlat, runqlat, biolatency, mem show, testgen hist) source,\n"
"name, hist.\n"
".TP\n"
".B setting\n"
"(vfs show, mem show) source, name, value.\n"
".TP\n"
".B status\n"
"(status) source, name, value: a number or a string; one per kernel-wide\n"
"setting not at its default.\n"
".TP\n"
".BR blk_device \", \" vfs_ops \", \" vfs_top_file \", \" vfs_top_proc \", \" mem_zone \", \" tcp_filter \", \" tcp_flow \", \" sched_filter \", \" sched_portrait \", \" sched_cpu \", \" probe \", \" xdp\n"
"one record of the command of that name; their keys are listed in\n"
"kscope.schema.json.\n"
".PP\n"
"Two shapes recur. A \\fIcounter object\\fR (counters, lost, a device's\n"
"statistics) maps each counter's name to a non-negative integer; a\n"
"blk_device and each of its hwq entries add \"kinds\", each of those\n"
"counters' name to \"counter\" (never decreasing) or \"gauge\" (in flight\n"
"now, its high-water mark, pages backing the device). A\n"
"\\fIhistogram\\fR (hist, latency, a record's hist) is\n"
"{\"unit\": \"ns\"|\"us\"|\"ms\"|\"bytes\"|\"pages\"|\"none\", \"count\", \"sum\",\n"
"\"buckets\": [{\"low\", \"high\", \"count\"}]}: the non-empty log2 buckets,\n"
"bounds inclusive, high null for the open-ended last one.\n"
"Integers are 64-bit unsigned unless a record says otherwise: parse them\n"
"as such (jq and JavaScript lose precision above 2^53).\n"
".PP\n"
"\\fIInterval mode\\fR (a command given \\fIinterval\\fR [\\fIcount\\fR]):\n"
"the reader reads once to start, then once every interval, and prints\n"
"each interval's lines with their counters and histograms as the change\n"
"since the read before (gauges, settings and tables of live things as\n"
"they are). Each line then also has \"interval\": {\"n\": 1, 2, ...,\n"
"\"ms\": its measured length, \"time\": the Unix time it ended}.\n"
"Nothing is reset in the kernel: other readers see no difference.\n"
"The JSON Schema of every type is kscope.schema.json; check-json.py\n"
"validates a stream against it.\n";

static const char man_tail[] =
".SH ENVIRONMENT\n"
".TP\n"
".B KSCOPE_DEBUGFS\n"
"The directory \\fBstat\\fR falls back to when the kscope netlink family is\n"
"not available (default /sys/kernel/debug/kscope); for tests.\n"
".SH FILES\n"
".TP\n"
".I /sys/kernel/debug/kscope/SOURCE/\n"
"Each source's counters (\\fBcounters\\fR, \\fBpercpu\\fR), how it is attached\n"
"(\\fBattach\\fR) and its histograms, as plain text.\n"
".TP\n"
".I /usr/share/doc/kscope/kscope.schema.json\n"
"The JSON Schema of \\fB\\-\\-json\\fR output (kscope.schema.json in the\n"
"source tree).\n"
".TP\n"
".I /usr/share/bash\\-completion/completions/kscope\n"
"Bash completion, generated from the same table as this page\n"
"(\\fBkscope completion bash\\fR).\n"
".SH PRIVILEGES\n"
"Counters, histograms, lists and the CPU table can be read by anyone.\n"
"Subscribing to events, any request that changes something, and reads\n"
"that show other users' processes (sched portraits, tcp flows, vfs top)\n"
"need CAP_NET_ADMIN: run them as root. mem show gives the free lists per\n"
"migrate type to an admin only.\n"
"Loading the XDP responder needs CAP_BPF and CAP_NET_ADMIN.\n"
".SH EXIT STATUS\n"
".TP\n"
".B 0\n"
"Success.\n"
".TP\n"
".B 1\n"
"An error: one line on standard error saying what to do (\"need\n"
"CAP_NET_ADMIN (run as root)\", \"kscope_sched is not loaded (modprobe\n"
"kscope_sched)\"), or \\fBwatch\\fR saw kscope_core unloaded under it.\n"
".TP\n"
".B 2\n"
"A usage error: the command's synopsis follows on standard error.\n";

void ks_man(FILE *f)
{
	struct ks_sub one[2];
	const struct ks_sub *subs, *s;
	const struct ks_opt *o;
	char line[1024];
	unsigned int i;
	int k;

	fputs(man_head, f);
	fputs(".SH GLOBAL OPTIONS\n", f);
	for (o = global_opts; o->name; o++)
		roff_opt(f, o, true);
	fputs(".SH COMMANDS\n", f);
	for (i = 0; i < ks_nr_cmds; i++) {
		const struct ks_cmd *c = &ks_cmds[i];

		fprintf(f, ".SS %s\n", c->name);
		subs = cmd_subs(c, one);
		fputs(".PP\n.ad l\n.in +4n\n", f);
		for (s = subs; !sub_end(s, subs); s++) {
			synopsis(line, sizeof(line), c, s);
			fputs(".ti -4n\n", f);
			roff_synopsis(f, line, c, s);
			if (!sub_end(s + 1, subs))
				fputs(".br\n", f);
		}
		fputs(".in\n.ad\n.PP\n", f);
		roff(f, c->desc ? c->desc : c->help);
		fputc('\n', f);
		for (s = subs; !sub_end(s, subs); s++) {
			if (!s->help && !(s->opts && s->opts->name))
				continue;
			fputs(".TP\n", f);
			if (s->name) {
				fputs("\\fB", f);
				roff(f, s->name);
				fputs("\\fR\n", f);
			} else {
				fputs("options\n", f);
			}
			roff(f, s->help ? s->help : "");
			fputc('\n', f);
			if (s->opts && s->opts->name) {
				fputs(".RS\n", f);
				for (o = s->opts; o->name; o++)
					roff_opt(f, o, false);
				fputs(".RE\n", f);
			}
		}
		if (c->see) {
			fputs(".PP\nSee also: ", f);
			roff(f, c->see);
			fputs(".\n", f);
		}
	}
	fputs(man_json, f);
	fputs(".SH EXAMPLES\n", f);
	for (i = 0; i < ks_nr_cmds; i++) {
		const struct ks_cmd *c = &ks_cmds[i];

		for (k = 0; c->examples && c->examples[k]; k += 2) {
			fputs(".TP\n.B ", f);
			roff(f, c->examples[k]);
			fputc('\n', f);
			roff(f, c->examples[k + 1] ? c->examples[k + 1] : "");
			fputc('\n', f);
		}
	}
	fputs(man_tail, f);
	fputs(".SH SEE ALSO\n"
	      "The libbpf-tools the commands stand beside:\n"
	      ".BR runqlat (8),\n.BR cpudist (8),\n.BR biolatency (8),\n"
	      ".BR biosnoop (8),\n.BR tcplife (8),\n.BR tcpconnect (8),\n"
	      ".BR tcpretrans (8),\n.BR vfsstat (8),\n.BR filetop (8),\n"
	      ".BR opensnoop (8),\n.BR fsslower (8),\n.BR funclatency (8),\n"
	      ".BR funccount (8),\n.BR execsnoop (8),\n.BR exitsnoop (8);\n"
	      "and\n.BR ss (8),\n.BR sar (1),\n.BR bpftrace (8),\n"
	      ".BR xdp\\-loader (8),\n.BR modprobe (8),\n.BR dkms (8).\n", f);
}

/* ---- bash completion ---- */

/* the words of @arg that are choices ("a|b|c" with no capitals), or NULL */
static bool choices(const char *arg, char *out, size_t len)
{
	const char *p;
	size_t i = 0;

	if (!arg || !strchr(arg, '|'))
		return false;
	for (p = arg; *p; p++)
		if (isupper((unsigned char)*p))
			return false;
	for (p = arg; *p && i + 1 < len; p++)
		out[i++] = *p == '|' ? ' ' : *p;
	out[i] = '\0';
	return true;
}

static void comp_sub(FILE *f, const struct ks_cmd *c, const struct ks_sub *s)
{
	const struct ks_opt *o;
	char ch[256];

	fprintf(f, "\t%s/%s)\n\t\topts=\"", c->name, s->name ? s->name : "");
	for (o = s->opts; o && o->name; o++) {
		if (o->shrt)
			fprintf(f, "-%c ", o->val);
		fprintf(f, "--%s ", o->name);
	}
	fputs("--help\"\n\t\tvalopts=\"", f);
	for (o = s->opts; o && o->name; o++) {
		if (o->arg && o->shrt)
			fprintf(f, "-%c ", o->val);
		if (o->arg)
			fprintf(f, "--%s ", o->name);
	}
	fputs("\"\n", f);
	fprintf(f, "\t\targs=\"%s\"\n", s->args ? s->args : "");
	for (o = s->opts; o && o->name; o++)
		if (choices(o->arg, ch, sizeof(ch)))
			fprintf(f, "\t\t[ \"$prev\" = --%s ] && vals=\"%s\"\n",
				o->name, ch);
	fputs("\t\t;;\n", f);
}

void ks_completion_bash(FILE *f)
{
	struct ks_sub one[2];
	const struct ks_sub *subs, *s;
	unsigned int i;

	fputs("# SPDX-License-Identifier: GPL-2.0\n"
	      "# bash completion for kscope(8). Generated from the reader's command\n"
	      "# table (`kscope completion bash`, `make -C userspace doc`): do not edit.\n"
	      "_kscope()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd='' sub='' w i opts='' valopts='' args='' vals='' subs=''\n"
	      "\tlocal cmds='", f);
	for (i = 0; i < ks_nr_cmds; i++)
		fprintf(f, "%s%s", i ? " " : "", ks_cmds[i].name);
	fputs("'\n"
	      "\t# the command and its subcommand: the first words that are no option\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tw=${COMP_WORDS[i]}\n"
	      "\t\tcase $w in -*) continue ;; esac\n"
	      "\t\tif [ -z \"$cmd\" ]; then cmd=$w; continue; fi\n"
	      "\t\tcase \" $valopts \" in *\" ${COMP_WORDS[i-1]} \"*) continue ;; esac\n"
	      "\t\tif [ -z \"$sub\" ] && _kscope_subs \"$cmd\" && [ -n \"$subs\" ]; then sub=$w; fi\n"
	      "\t\t_kscope_sub\n"
	      "\tdone\n"
	      "\tif [ -z \"$cmd\" ]; then\n"
	      "\t\tif [[ $cur == -* ]]; then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W '--json --verbose -v --version --help -h' -- \"$cur\"))\n"
	      "\t\telse\n"
	      "\t\t\tCOMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n"
	      "\t\tfi\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t_kscope_subs \"$cmd\"\n"
	      "\tif [ -n \"$subs\" ] && [ -z \"$sub\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$subs --help\" -- \"$cur\"))\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\t_kscope_sub\n"
	      "\tif [ -n \"$vals\" ]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$vals\" -- \"$cur\"))\n"
	      "\t\treturn\n"
	      "\tfi\n"
	      "\tcase \" $valopts \" in\n"
	      "\t*\" $prev \"*) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n"
	      "\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$opts --json\" -- \"$cur\"))\n"
	      "\telif [[ $args == *COMMAND* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$cmds\" -- \"$cur\"))\n"
	      "\telif [[ $args == bash ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W bash -- \"$cur\"))\n"
	      "\telif [[ $args == *SOURCE* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$(kscope list 2>/dev/null | cut -d' ' -f1)\" -- \"$cur\"))\n"
	      "\telif [[ $args == *DEV* ]]; then\n"
	      "\t\tCOMPREPLY=($(compgen -W \"$(ls /sys/class/net 2>/dev/null)\" -- \"$cur\"))\n"
	      "\tfi\n"
	      "}\n\n"
	      "# subs: the subcommands of command $1, if it has any\n"
	      "_kscope_subs()\n{\n"
	      "\tcase $1 in\n", f);
	for (i = 0; i < ks_nr_cmds; i++) {
		const struct ks_cmd *c = &ks_cmds[i];

		if (!c->subs || !c->subs->name)
			continue;
		fprintf(f, "\t%s) subs='", c->name);
		for (s = c->subs; !sub_end(s, c->subs); s++)
			fprintf(f, "%s%s", s == c->subs ? "" : " ", s->name);
		fputs("' ;;\n", f);
	}
	fputs("\t*) subs='' ;;\n\tesac\n}\n\n"
	      "# opts, valopts (those taking a value), args, vals of $cmd/$sub\n"
	      "_kscope_sub()\n{\n"
	      "\topts='' valopts='' args='' vals=''\n"
	      "\tcase $cmd/$sub in\n", f);
	for (i = 0; i < ks_nr_cmds; i++) {
		const struct ks_cmd *c = &ks_cmds[i];

		subs = cmd_subs(c, one);
		for (s = subs; !sub_end(s, subs); s++)
			comp_sub(f, c, s);
	}
	fputs("\tesac\n}\n\ncomplete -F _kscope kscope\n", f);
}
