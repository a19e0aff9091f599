// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the subcommands. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "kscope.h"

bool opt_json;
bool opt_verbose;
struct ks_ival ks_ival;	/* interval.c's */

void ks_err(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("kscope: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int ks_usage_err(const char *area, const char *usage, const char *fmt,
		 const char *arg)
{
	fflush(stdout);
	fprintf(stderr, "kscope: %s: ", area);
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	fputs(usage, stderr);
	return 2;
}

bool ks_parse_u64(const char *s, uint64_t *v)
{
	unsigned long long x;
	char *end;

	if (!*s || *s == '-' || *s == '+')
		return false;
	errno = 0;
	x = strtoull(s, &end, 0);
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

bool ks_parse_secs(const char *s, double *v)
{
	char *end;
	double x;

	errno = 0;
	x = strtod(s, &end);
	if (errno || *end || end == s || !isfinite(x) || x < 0 || x > 1e9)
		return false;
	*v = x;
	return true;
}
