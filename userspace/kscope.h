/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope reader: shared declarations of the netlink helpers (nl.c), the
 * reply parsers (proto.c), output helpers (json.c) and the subcommands.
 */
#ifndef KSCOPE_READER_H
#define KSCOPE_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/kscope.h>

/* from the top-level VERSION file, via the Makefile */
#ifndef KSCOPE_READER_VERSION
#error "KSCOPE_READER_VERSION must come from ../VERSION (see userspace/Makefile)"
#endif

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* Set by --json anywhere on the command line. */
extern bool opt_json;

void ks_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "kscope: AREA: " FMT (one %s: ARG), then USAGE; returns 2 */
int ks_usage_err(const char *area, const char *usage, const char *fmt,
		 const char *arg);

/* ---- nl.c: one generic netlink socket talking to the "kscope" family ---- */

struct ks_nl {
	struct mnl_socket *sk;
	unsigned int portid;
	unsigned int seq;
	uint16_t family;
	uint32_t version;	/* family version from nlctrl */
	uint32_t mcgrp;		/* "events" group id, 0 if the family has none */
	char *buf;		/* receive buffer */
	size_t bufsz;
	char extack[256];	/* kernel's NLMSGERR_ATTR_MSG of the last error */
};

/* A reply handler: return 0 to go on, a negative errno to fail the request. */
typedef int (*ks_reply_fn)(const struct nlmsghdr *nlh, void *data);

int ks_nl_open(struct ks_nl *nl);
void ks_nl_close(struct ks_nl *nl);
/*
 * Open and resolve the family. Returns 0, or -ENOENT (family not
 * registered), -EPROTO (version mismatch: nl->version holds the kernel's),
 * or another negative errno. Nothing is printed.
 */
int ks_nl_connect(struct ks_nl *nl);
/* Print the error of ks_nl_connect() as one line. */
/* "kscope_core is not loaded (modprobe kscope_core)", or: another netns */
void ks_core_missing(void);
/* true when this process is not in the initial network namespace */
bool ks_other_netns(void);
void ks_nl_connect_report(const struct ks_nl *nl, int err);
/* Start a request of @cmd in @buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *ks_nl_msg(struct ks_nl *nl, void *buf, uint8_t cmd,
			   uint16_t flags);
/*
 * Put KSCOPE_A_SOURCE @source in a CTL/CTL_GET request and open the
 * source's own nest, KSCOPE_A_CTL_<SOURCE>; close it with
 * mnl_attr_nest_end().
 */
struct nlattr *ks_nl_ctl_start(struct nlmsghdr *nlh, const char *source);
/*
 * Send @nlh and read replies until the ACK (doit) or NLMSG_DONE (dump),
 * feeding each data message to @fn. Returns 0 or a negative errno; the
 * kernel's extended ack message, if any, is left in nl->extack.
 */
int ks_nl_talk(struct ks_nl *nl, struct nlmsghdr *nlh, ks_reply_fn fn,
	       void *data);
/*
 * "kscope: OP: strerror: extack"; for EPERM/EACCES "kscope: OP: permission
 * denied (extack): need CAP_NET_ADMIN (run as root)".
 */
void ks_nl_report(const struct ks_nl *nl, const char *op, int err);
/* the module that registers source @name ("kscope_sched"), or NULL */
const char *ks_source_module(const char *name, char *buf, size_t len);
/*
 * ks_nl_report() of a request naming @source; when the source is not
 * registered: "kscope_sched is not loaded (modprobe kscope_sched)", or
 * "unknown source" for a name no module of kscope registers.
 */
/* The KSCOPE_A_CTL nest of a reply to a CTL or CTL_GET request, or NULL. */
const struct nlattr *ks_reply_ctl(const struct nlmsghdr *nlh);
/*
 * A paged read: CTL_GET requests to @source with u32 @cursor_attr in its
 * nest, from @first on, each reply passed to @fn, until a reply carries
 * no cursor to go on from (one that goes back is an error). Exit status:
 * 0, or 1 after an error naming @what.
 */
int ks_source_pages(const char *source, uint16_t cursor_attr, uint32_t first,
		    ks_reply_fn fn, void *data, const char *what);
void ks_nl_report_source(const struct ks_nl *nl, const char *op,
			 const char *source, int err);

/* ---- proto.c: schemas and counters as the kernel describes them ---- */

struct ks_field {
	char *name;
	uint8_t kind;		/* enum kscope_field_kind */
};

struct ks_evtype {
	uint16_t id;
	char *name;
	struct ks_field *fields;
	unsigned int nr_fields;
};

struct ks_counter {
	char *name;
	uint8_t kind;		/* enum kscope_counter_kind */
};

struct ks_source {
	char *name;
	uint16_t id;
	char *attach;
	struct ks_counter *counters;
	unsigned int nr_counters;
	struct ks_evtype *evtypes;
	unsigned int nr_evtypes;
};

struct ks_sources {
	struct ks_source *v;
	unsigned int n;
};

/* @name NULL: dump every source. */
int ks_sources_fetch(struct ks_nl *nl, const char *name, struct ks_sources *s);
void ks_sources_free(struct ks_sources *s);
const struct ks_source *ks_source_by_id(const struct ks_sources *s,
					uint16_t id);
const struct ks_evtype *ks_evtype_by_id(const struct ks_source *src,
					uint16_t id);
const char *ks_kind_name(unsigned int kind);
/* "counter", "gauge" */
const char *ks_counter_kind_name(unsigned int kind);

struct ks_ctrs {
	unsigned int n;
	char **names;
	uint64_t *vals;
};

struct ks_cpu_ctrs {
	uint32_t cpu;
	struct ks_ctrs c;
};

struct ks_stats {
	char *source;
	struct ks_ctrs total;
	struct ks_cpu_ctrs *percpu;
	unsigned int nr_percpu;
};

struct ks_stats_list {
	struct ks_stats *v;
	unsigned int n;
};

/* @name NULL: dump all sources (no per-CPU data). Appends to @l. */
int ks_stats_fetch(struct ks_nl *nl, const char *name, bool percpu,
		   struct ks_stats_list *l);
void ks_stats_list_free(struct ks_stats_list *l);
/* Returns the new entry, zeroed but for its name; NULL on ENOMEM. */
struct ks_stats *ks_stats_list_add(struct ks_stats_list *l, const char *src);
int ks_ctrs_add(struct ks_ctrs *c, const char *name, uint64_t val);
bool ks_ctrs_get(const struct ks_ctrs *c, const char *name, uint64_t *val);

/* ---- json.c: output helpers ---- */

/*
 * The version of the JSON contract (kscope(8), JSON OUTPUT; the schema in
 * kscope.schema.json): every line is one object starting with
 * {"type":TYPE,"schema":KS_JSON_SCHEMA. Raise it when a key is removed or
 * changes meaning, not when one is added.
 */
#define KS_JSON_SCHEMA	1
#define KS_STR_(x)	#x
#define KS_STR(x)	KS_STR_(x)
/* '{"type":"@type","schema":N' on stdout: the caller adds ",..." and "}\n" */
void ks_json_begin(const char *type);
/* a whole "setting" line: {"type":"setting",...,"source","name","value"} */
void ks_json_setting(const char *source, const char *name, uint64_t value);

/* JSON string literal, quotes included; bytes not valid UTF-8 as \u00XX. */
void json_str(FILE *f, const char *s);
/* Text output: @s as is when it is one plain word, else "quoted\x01". */
void text_word(FILE *f, const char *s);

/* ---- hist.c: kscope's one histogram (KSCOPE_A_HIST nests) ---- */

#define KS_HIST_SLOTS	64

struct ks_hist {
	uint8_t unit;		/* enum kscope_unit */
	unsigned int slots;
	uint64_t count, sum;
	uint64_t b[KS_HIST_SLOTS];	/* by slot, the uapi convention */
};

/* 0, or -EPROTO when the nest does not follow the uapi convention */
int ks_hist_parse(const struct nlattr *nest, struct ks_hist *h);
/*
 * A KSCOPE_BLK_LAT nest (cmd_blk.c): its op name and histogram; NULL when
 * either is missing or malformed.
 */
const char *ks_blk_lat_parse(const struct nlattr *lat, struct ks_hist *h);
/* "ns", "us", "bytes", "pages" or "none", as in the JSON */
const char *ks_hist_unit(const struct ks_hist *h);
/* the text of the kernel's debugfs rendering (libbpf-tools' log2 layout) */
void ks_hist_print(FILE *f, const struct ks_hist *h);
/* {"unit","count","sum","buckets":[{"low","high" (null: open),"count"}]} */
void ks_hist_json(FILE *f, const struct ks_hist *h);
/* a whole "hist" line: {"type":"hist",...,"source","name","hist":{...}} */
void ks_hist_line(const char *source, const char *name, const struct ks_hist *h);
/*
 * @h (us or ns) rebinned to the next unit up (ms or us): each bucket
 * goes where its lower bound / 1000 falls, the way a tool that divides
 * before taking log2 (runqlat -m, biolatency -m) bins a value at that
 * bound; the counts near a bucket's top may sit one bucket lower.
 */
void ks_hist_coarser(struct ks_hist *h);
/* @h += @add, bucket by bucket */
void ks_hist_add(struct ks_hist *h, const struct ks_hist *add);
/* inclusive upper bound of the slot holding quantile @p; UINT64_MAX: open */
uint64_t ks_hist_percentile(const struct ks_hist *h, double p);
/*
 * A read request (CTL_GET, no nest) to @source; every histogram of
 * attribute @type in its reply drawn as text or JSON (one line each),
 * through ks_delta(), @coarser: in the next unit up (ks_hist_coarser()).
 * Exit status: 0, or 1 after an error message naming @what.
 */
int ks_source_hists(const char *source, uint16_t type, const char *what,
		    const char *name, bool coarser);

/* ---- interval.c: `[interval [count]]`, computed as deltas here ---- */

/*
 * The run's interval mode. Off (secs 0): one read, totals since load.
 * On: a baseline read (its output thrown away), then every interval a
 * read whose counters and histograms print as their change since the
 * previous read (ks_delta()); no reset, nothing changed in the kernel.
 */
struct ks_ival {
	double secs;		/* 0: off; < 0: one interval ended by a signal */
	uint64_t count;		/* intervals to print; 0: until a signal */
	bool timestamp;		/* -T: a wall-clock line before each interval */
	bool own_header;	/* the command prints its own per-interval lines */
	const char *banner;	/* text mode: printed once the baseline is read */
	/* while running */
	unsigned int n;		/* the interval printed, 1...; 0: the baseline */
	bool last;		/* it is the last one (its count, or a signal) */
	uint64_t ms;		/* its measured length */
	double wall;		/* its end, Unix seconds */
};
extern struct ks_ival ks_ival;

/*
 * The trailing "interval [count]" of argv[@first..argc): up to two
 * numbers at the end, into ks_ival; *@end: where they start. 0, or the
 * exit status of a usage error (printed).
 */
int ks_ival_args(int argc, char **argv, int first, int *end, const char *cmd,
		 const char *sub);
/*
 * Call @sample once (interval mode off), or once for the baseline and
 * once per interval, with the interval's header ("\n", -T's HH:MM:SS)
 * before each. Stops on SIGINT/SIGTERM after printing the interval cut
 * short. Returns @sample's first non-zero status, or 0.
 */
int ks_ival_run(int (*sample)(void *arg), void *arg);
/*
 * Interval mode: remember @v[0..n) and @h (NULL: none) as row @key's
 * values now, and replace them by their change since the previous read.
 * A row new since then, or one whose value went down (a module reloaded),
 * counts from zero. Off: nothing.
 */
void ks_delta(const char *key, uint64_t *v, unsigned int n,
	      struct ks_hist *h);
/* HH:MM:SS of the interval's end (local time), as the anchors print it */
const char *ks_ival_clock(char *buf, size_t len);

/* ---- subcommands: the one table (kscope.c, doc.c) ---- */

/*
 * One option of a (sub)command. The same entry parses it (ks_getopt()),
 * prints it in `kscope help X` and `kscope X --help`, writes it in the man
 * page and completes it in bash.
 */
struct ks_opt {
	const char *name;	/* --NAME (--NAME=VALUE works too) */
	int val;		/* what ks_getopt() returns for it */
	const char *arg;	/* NULL: a flag; else the value ("N", "a|b") */
	const char *help;
	bool required;		/* synopsis without brackets */
	bool shrt;		/* -VAL too (the anchors' short flags: -m, -P) */
};

/*
 * A subcommand, or (name NULL) the command's own arguments. @args names the
 * positional arguments: a word in it that is a SOURCE or a DEV completes
 * as one.
 */
struct ks_sub {
	const char *name;
	const char *args;
	const struct ks_opt *opts;	/* ends with { NULL }; may be NULL */
	const char *help;		/* sentences, no newline */
};

struct ks_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;	/* without @subs: arguments after "kscope NAME" */
	const char *help;	/* one line */
	const struct ks_sub *subs;	/* ends with { NULL, NULL }; may be NULL */
	const char *desc;	/* a paragraph: what, privileges, JSON lines */
	const char *const *examples;	/* "COMMAND LINE", "what it shows", ..., NULL */
	const char *see;	/* the libbpf-tools/iproute2 tools it stands beside */
};

extern const struct ks_cmd *const ks_cmds;	/* kscope.c's cmds[] */
extern const unsigned int ks_nr_cmds;
const struct ks_cmd *ks_find_cmd(const char *name);

/* Global options, accepted anywhere before "--". */
extern bool opt_verbose;

/* ks_getopt(): the option list was handled and the command must return */
#define KS_OPT_EXIT	(-2)

/*
 * getopt_long() over the options the table gives (@cmd, @sub: NULL for the
 * command's own); argv[0] is the (sub)command's word. Returns an option's
 * val, -1 at the end (optind: the first positional argument), or
 * KS_OPT_EXIT with *status 0 after --help (the command's help printed), 2
 * after a usage error (printed). Each new argv starts a new parse.
 */
int ks_getopt(int argc, char **argv, const char *cmd, const char *sub,
	      int *status);
/* "kscope CMD [SUB]: FMT..." and the synopsis of CMD (SUB) to stderr; 2 */
int ks_sub_usage_error(const char *cmd, const char *sub, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The sub of @cmd named @name, or NULL. */
const struct ks_sub *ks_find_sub(const struct ks_cmd *c, const char *name);
/* `kscope help CMD` == `kscope CMD --help` */
void ks_cmd_help(FILE *f, const struct ks_cmd *c);
/* `kscope help`, `kscope --help` */
void ks_help(FILE *f);
/* the man page and the bash completion, from the table */
void ks_man(FILE *f);
void ks_completion_bash(FILE *f);

/* Usage error of a subcommand: prints it and returns exit status 2. */
int ks_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Parse helpers: true on success. */
bool ks_parse_u64(const char *s, uint64_t *v);
bool ks_parse_secs(const char *s, double *v);
struct in6_addr;
bool ks_parse_addr6(const char *s, struct in6_addr *a);

/* the sub tables of the commands with subcommands (their cmd_*.c) */
extern const struct ks_sub ks_blk_subs[], ks_vfs_subs[], ks_mem_subs[],
	ks_tcp_subs[], ks_sched_subs[], ks_probe_subs[], ks_net_subs[],
	ks_xdp_subs[];
/* the front-ends' option tables */
extern const struct ks_sub ks_runqlat_subs[], ks_sar_subs[],
	ks_vfsstat_subs[], ks_biolatency_subs[], ks_tcplife_subs[],
	ks_tcpconnect_subs[];

int cmd_watch(int argc, char **argv);
int cmd_status(int argc, char **argv);		/* status.c */
/* the front-ends: libbpf-tools' (and sar's) flags and columns */
int cmd_runqlat(int argc, char **argv);		/* cmd_sched.c */
int cmd_sar(int argc, char **argv);		/* cmd_sched.c */
int cmd_vfsstat(int argc, char **argv);		/* cmd_vfs.c */
int cmd_biolatency(int argc, char **argv);	/* cmd_blk.c */
int cmd_tcplife(int argc, char **argv);		/* watch.c */
int cmd_tcpconnect(int argc, char **argv);	/* watch.c */

#endif /* KSCOPE_READER_H */
