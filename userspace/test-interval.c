// SPDX-License-Identifier: GPL-2.0
/*
 * Unit test of interval mode (interval.c), without a kernel: argument
 * parsing, and ks_delta() over reads whose values this file makes up (a
 * counter that grows, one that restarts as after a module reload, a row
 * that appears, histogram buckets), through ks_ival_run() with a short
 * interval. test-interval.sh checks the output.
 */
#include <inttypes.h>
#include <string.h>

#include "kscope.h"

/* doc.c's, not linked here */
int ks_sub_usage_error(const char *cmd, const char *sub, const char *fmt, ...)
{
	(void)cmd;
	(void)sub;
	(void)fmt;
	return 2;
}

/* what the kernel would answer at each read: baseline, interval 1, 2 */
static const uint64_t grows[] = { 100, 130, 135 };
/* a value going down: the row restarted (a module reloaded), all of it new */
static const uint64_t restarts[] = { 50, 60, 7 };
static const uint64_t b3[] = { 2, 5, 5 }, b4[] = { 0, 1, 4 };

static int sample(void *arg)
{
	unsigned int *read = arg, r = *read;
	uint64_t v[2] = { grows[r], restarts[r] }, w = 1000 + r;
	struct ks_hist h = { .unit = KSCOPE_UNIT_US, .slots = 8 };

	h.b[3] = b3[r];
	h.b[4] = b4[r];
	h.count = b3[r] + b4[r];
	ks_delta("row", v, 2, &h);
	if (opt_json) {
		ks_json_begin("counters");
		printf(",\"grows\":%" PRIu64 ",\"restarts\":%" PRIu64 "}\n", v[0], v[1]);
	} else {
		printf("row %" PRIu64 " %" PRIu64 " hist %" PRIu64 " %" PRIu64 " %" PRIu64 "\n",
		       v[0], v[1], h.count, h.b[3], h.b[4]);
	}
	/* a row that appears at the second interval counts from zero */
	if (r == 2) {
		ks_delta("new", &w, 1, NULL);
		if (!opt_json)
			printf("new %" PRIu64 "\n", w);
	}
	(*read)++;
	return 0;
}

static void args(int argc, char **argv)
{
	int end, ret;

	memset(&ks_ival, 0, sizeof(ks_ival));
	ret = ks_ival_args(argc, argv, 1, &end, "t", NULL);
	printf("args:");
	for (int i = 1; i < argc; i++)
		printf(" %s", argv[i]);
	printf(" -> ret %d end %d secs %g count %" PRIu64 "\n", ret, end,
	       ks_ival.secs, ks_ival.count);
}

int main(int argc, char **argv)
{
	char *a1[] = { "t", "core", "2", "3" }, *a2[] = { "t", "0.5" };
	char *a3[] = { "t", "core" }, *a4[] = { "t", "1", "0" };
	char *a5[] = { "t", "0" }, *a6[] = { "t", "1", "2", "3" };
	unsigned int read = 0;
	int status;

	opt_json = argc > 1 && !strcmp(argv[1], "--json");
	if (!opt_json) {
		args(4, a1);
		args(2, a2);
		args(2, a3);
		args(3, a4);
		args(2, a5);
		args(4, a6);
	}
	memset(&ks_ival, 0, sizeof(ks_ival));
	ks_ival.secs = 0.01;
	ks_ival.count = 2;
	status = ks_ival_run(sample, &read);
	printf("status %d reads %u\n", status, read);
	return 0;
}
