// SPDX-License-Identifier: GPL-2.0
/*
 * `interval [count]` the way libbpf-tools take it, computed in the reader:
 * a baseline read, then every interval a read printed as its change since
 * the one before. The kernel keeps counting since load; nothing is reset,
 * so no privilege is needed and no other reader sees a difference.
 *
 * The commands print through their usual code: during the baseline read
 * stdout is /dev/null, and each row's values pass through ks_delta(),
 * which swaps them for their change (a row is named by a key the command
 * builds: "ext4/read", "probe 3", ...).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kscope.h"

struct row {
	char *key;
	unsigned int n;
	uint64_t *v;
	struct ks_hist *h;
};

struct rows {
	struct row *r;
	unsigned int n, alloc;
	unsigned int hint;	/* rows come back in the same order: look here first */
};

/* the previous read's rows, and this read's */
static struct rows prev, cur;
static volatile sig_atomic_t ival_signals;

static void on_signal(int sig)
{
	(void)sig;
	ival_signals++;
}

static bool parse_pos(const char *s, double *v)
{
	return ks_parse_secs(s, v) && *v > 0;
}

int ks_ival_args(int argc, char **argv, int first, int *end, const char *cmd,
		 const char *sub)
{
	double secs;
	uint64_t n;
	int i = argc;

	/* at most two numbers at the end */
	while (i > first && argc - i < 2 && ks_parse_secs(argv[i - 1], &secs))
		i--;
	*end = i;
	if (i == argc)
		return 0;
	if (!parse_pos(argv[i], &secs))
		return ks_sub_usage_error(cmd, sub, "bad interval '%s' (seconds, > 0)",
					  argv[i]);
	ks_ival.secs = secs;
	ks_ival.count = 0;
	if (i + 1 < argc) {
		if (!ks_parse_u64(argv[i + 1], &n) || !n)
			return ks_sub_usage_error(cmd, sub,
						  "bad count '%s' (intervals, > 0)",
						  argv[i + 1]);
		ks_ival.count = n;
	}
	return 0;
}

static void rows_clear(struct rows *rs)
{
	unsigned int i;

	for (i = 0; i < rs->n; i++) {
		free(rs->r[i].key);
		free(rs->r[i].v);
		free(rs->r[i].h);
	}
	rs->n = 0;
	rs->hint = 0;
}

static struct row *rows_find(struct rows *rs, const char *key)
{
	unsigned int i, j;

	for (j = 0; j < rs->n; j++) {
		i = (rs->hint + j) % rs->n;
		if (!strcmp(rs->r[i].key, key)) {
			rs->hint = i + 1;
			return &rs->r[i];
		}
	}
	return NULL;
}

/* this read's values of @key, kept for the next; false on ENOMEM */
static bool rows_keep(const char *key, const uint64_t *v, unsigned int n,
		      const struct ks_hist *h)
{
	struct row *r;

	if (cur.n == cur.alloc) {
		unsigned int a = cur.alloc ? 2 * cur.alloc : 64;

		r = realloc(cur.r, a * sizeof(*r));
		if (!r)
			return false;
		cur.r = r;
		cur.alloc = a;
	}
	r = &cur.r[cur.n];
	memset(r, 0, sizeof(*r));
	r->key = strdup(key);
	r->v = n ? malloc(n * sizeof(*v)) : NULL;
	r->h = h ? malloc(sizeof(*h)) : NULL;
	if (!r->key || (n && !r->v) || (h && !r->h)) {
		free(r->key);
		free(r->v);
		free(r->h);
		return false;
	}
	r->n = n;
	if (n)
		memcpy(r->v, v, n * sizeof(*v));
	if (h)
		*r->h = *h;
	cur.n++;
	return true;
}

void ks_delta(const char *key, uint64_t *v, unsigned int n, struct ks_hist *h)
{
	const struct row *p;
	bool restarted = false;
	unsigned int i;

	if (!ks_ival.secs)
		return;
	if (!rows_keep(key, v, n, h))
		ks_err("out of memory: row %s will count from zero", key);
	p = rows_find(&prev, key);
	if (!p || p->n != n || !p->h != !h)
		return;		/* new: all of it is this interval's */
	for (i = 0; i < n; i++)
		restarted |= v[i] < p->v[i];
	if (h) {
		restarted |= h->count < p->h->count || h->slots != p->h->slots;
		for (i = 0; i < h->slots && !restarted; i++)
			restarted |= h->b[i] < p->h->b[i];
	}
	if (restarted)
		return;
	for (i = 0; i < n; i++)
		v[i] -= p->v[i];
	if (h) {
		h->count -= p->h->count;
		h->sum = h->sum >= p->h->sum ? h->sum - p->h->sum : 0;
		for (i = 0; i < h->slots; i++)
			h->b[i] -= p->h->b[i];
	}
}

static double wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *ks_ival_clock(char *buf, size_t len)
{
	time_t t = (time_t)ks_ival.wall;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%H:%M:%S", &tm))
		snprintf(buf, len, "?");
	return buf;
}

/* sleep until @deadline_ms (monotonic), or a signal; true: a signal */
static bool sleep_until(uint64_t deadline_ms)
{
	struct timespec ts = {
		.tv_sec = (time_t)(deadline_ms / 1000),
		.tv_nsec = (long)(deadline_ms % 1000) * 1000000,
	};

	while (!ival_signals) {
		int r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);

		if (!r)
			return false;
		if (r != EINTR)
			return false;
	}
	return true;
}

int ks_ival_run(int (*sample)(void *arg), void *arg)
{
	struct sigaction sa = { .sa_handler = on_signal }, old_int, old_term;
	uint64_t last, n;
	FILE *out = stdout, *null;
	char clock[16];
	bool stop;
	int status;

	if (!ks_ival.secs)
		return sample(arg);

	/* the baseline: the command's output goes nowhere */
	null = fopen("/dev/null", "we");
	if (!null) {
		ks_err("/dev/null: %s", strerror(errno));
		return 1;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);	/* no SA_RESTART: sleeps end */
	sigaction(SIGTERM, &sa, &old_term);
	ks_ival.n = 0;
	ks_ival.last = false;
	stdout = null;
	status = sample(arg);
	stdout = out;
	fclose(null);
	if (!status && ks_ival.banner && !opt_json) {
		puts(ks_ival.banner);
		fflush(stdout);
	}
	last = mono_ms();
	for (n = 1; !status && (!ks_ival.count || n <= ks_ival.count); n++) {
		struct rows t;

		/*
		 * an interval after the read before, as the anchors sleep: a
		 * slow read (a loaded TCG guest) never makes the next ones
		 * shorter to catch up; each says how long it was
		 */
		if (ks_ival.secs > 0)
			stop = sleep_until(mono_ms() + (uint64_t)(ks_ival.secs * 1000 + 0.5));
		else
			stop = sleep_until(UINT64_MAX / 2);
		/* what the last read kept is what this one is compared with */
		rows_clear(&prev);
		t = prev;
		prev = cur;
		cur = t;
		ks_ival.n = (unsigned int)n;
		ks_ival.wall = wall_now();
		ks_ival.ms = mono_ms() - last;
		last += ks_ival.ms;
		if (!opt_json && !ks_ival.own_header) {
			putchar('\n');
			if (ks_ival.timestamp)
				printf("%-8s\n", ks_ival_clock(clock, sizeof(clock)));
		}
		ks_ival.last = stop || (ks_ival.count && n == ks_ival.count);
		status = sample(arg);
		fflush(stdout);
		if (stop)
			break;
	}
	ks_ival.last = false;
	rows_clear(&prev);
	rows_clear(&cur);
	free(prev.r);
	free(cur.r);
	memset(&prev, 0, sizeof(prev));
	memset(&cur, 0, sizeof(cur));
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	return status;
}
