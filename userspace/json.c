// SPDX-License-Identifier: GPL-2.0
/*
 * Output helpers. Kernel strings (comm, file names, attach points) are
 * arbitrary bytes: JSON output must stay valid and text output must stay
 * one whitespace-separated word per value.
 */
#include <inttypes.h>
#include <string.h>

#include "kscope.h"

/* Length of the valid UTF-8 sequence at @s, 0 if there is none. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		cp = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		cp = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;	/* also stops at the NUL */
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_str(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	const unsigned char *p;

	/* the common case, printable ASCII with nothing to escape: at once */
	for (p = s; *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\'; p++)
		;
	if (!*p) {
		fputc('"', f);
		fwrite(s, 1, p - s, f);
		fputc('"', f);
		return;
	}
	fputc('"', f);
	while (*s) {
		size_t n;

		switch (*s) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		default:
			if (*s < 0x20 || *s == 0x7f) {
				fprintf(f, "\\u%04x", *s);
				break;
			}
			n = utf8_len(s);
			if (!n) {
				/* not UTF-8: keep the byte, as Latin-1 */
				fprintf(f, "\\u%04x", *s);
				break;
			}
			fwrite(s, 1, n, f);
			s += n;
			continue;
		}
		s++;
	}
	fputc('"', f);
}

static bool plain_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && c != '"' && c != '\\';
}

void text_word(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;
	bool plain = *s != '\0';
	const unsigned char *p;

	for (p = s; *p; p++)
		if (!plain_char(*p))
			plain = false;
	if (plain) {
		fputs(str, f);
		return;
	}
	fputc('"', f);
	for (p = s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\x%02x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void ks_json_begin(const char *type)
{
	/* once per line: fputs, not printf, for a busy kscope watch */
	fputs("{\"type\":\"", stdout);
	fputs(type, stdout);
	fputs("\",\"schema\":" KS_STR(KS_JSON_SCHEMA), stdout);
	/* interval mode: which interval, how long, when it ended */
	if (ks_ival.secs && ks_ival.n)
		printf(",\"interval\":{\"n\":%u,\"ms\":%" PRIu64 ",\"time\":%.3f}",
		       ks_ival.n, ks_ival.ms, ks_ival.wall);
}

void ks_json_setting(const char *source, const char *name, uint64_t value)
{
	ks_json_begin("setting");
	fputs(",\"source\":", stdout);
	json_str(stdout, source);
	fputs(",\"name\":", stdout);
	json_str(stdout, name);
	printf(",\"value\":%" PRIu64 "}\n", value);
}
