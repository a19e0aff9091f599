// SPDX-License-Identifier: GPL-2.0
/* Small helpers shared by the subcommands. */
#include <arpa/inet.h>
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

/*
 * An address for a filter: IPv6, or IPv4 as v4-mapped IPv6 (as the
 * kernel's events carry it and its filters compare it).
 */
bool ks_parse_addr6(const char *s, struct in6_addr *a)
{
	struct in_addr v4;

	if (inet_pton(AF_INET6, s, a) == 1)
		return true;
	if (inet_pton(AF_INET, s, &v4) != 1)
		return false;
	memset(a, 0, sizeof(*a));
	a->s6_addr[10] = 0xff;
	a->s6_addr[11] = 0xff;
	memcpy(&a->s6_addr[12], &v4, 4);
	return true;
}
