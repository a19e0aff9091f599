// SPDX-License-Identifier: GPL-2.0
/*
 * Parsers for KSCOPE_CMD_SOURCE_GET and KSCOPE_CMD_STATS_GET replies.
 *
 * Attributes we do not know are skipped (a newer kernel may add some);
 * attributes we know with a wrong size make the reply malformed (-EBADMSG).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/genetlink.h>

#include "kscope.h"

static const char * const kind_names[] = {
	[KSCOPE_FIELD_U64]	= "u64",
	[KSCOPE_FIELD_S64]	= "s64",
	[KSCOPE_FIELD_HEX]	= "hex",
	[KSCOPE_FIELD_STR]	= "str",
	[KSCOPE_FIELD_ADDR]	= "addr",
};

const char *ks_kind_name(unsigned int kind)
{
	if (kind < ARRAY_SIZE(kind_names) && kind_names[kind])
		return kind_names[kind];
	return "unknown";
}

const char *ks_counter_kind_name(unsigned int kind)
{
	switch (kind) {
	case KSCOPE_COUNTER_MONOTONIC:
		return "counter";
	case KSCOPE_COUNTER_GAUGE:
		return "gauge";
	}
	return "unknown";
}

static int get_str(const struct nlattr *a, char **out)
{
	char *s;

	if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return -EBADMSG;
	s = strdup(mnl_attr_get_str(a));
	if (!s)
		return -ENOMEM;
	free(*out);
	*out = s;
	return 0;
}

/* Grow @*v, an array of @*n elements of @size bytes, by one zeroed slot. */
static void *grow(void *vp, unsigned int *n, size_t size)
{
	void **v = vp;
	char *p = realloc(*v, (*n + 1) * size);

	if (!p)
		return NULL;
	*v = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

/* ---- schemas ---- */

static void evtype_free(struct ks_evtype *et)
{
	unsigned int i;

	for (i = 0; i < et->nr_fields; i++)
		free(et->fields[i].name);
	free(et->fields);
	free(et->name);
}

static void source_free(struct ks_source *src)
{
	unsigned int i;

	for (i = 0; i < src->nr_counters; i++)
		free(src->counters[i].name);
	free(src->counters);
	for (i = 0; i < src->nr_evtypes; i++)
		evtype_free(&src->evtypes[i]);
	free(src->evtypes);
	free(src->attach);
	free(src->name);
}

void ks_sources_free(struct ks_sources *s)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		source_free(&s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

static int parse_field(const struct nlattr *nest, struct ks_evtype *et)
{
	struct ks_field *f = grow(&et->fields, &et->nr_fields, sizeof(*f));
	const struct nlattr *a;
	int err;

	if (!f)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_FD_NAME:
			err = get_str(a, &f->name);
			if (err)
				return err;
			break;
		case KSCOPE_FD_KIND:
			if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
				return -EBADMSG;
			f->kind = mnl_attr_get_u8(a);
			break;
		}
	}
	if (!f->name) {
		/* keep the position: field N is attribute N + 1 */
		f->name = malloc(16);
		if (!f->name)
			return -ENOMEM;
		snprintf(f->name, 16, "f%u", et->nr_fields - 1);
	}
	return 0;
}

static int parse_evtype(const struct nlattr *nest, struct ks_source *src)
{
	struct ks_evtype *et = grow(&src->evtypes, &src->nr_evtypes,
				    sizeof(*et));
	const struct nlattr *a;
	bool have_id = false;
	int err = 0;

	if (!et)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_ET_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			et->id = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case KSCOPE_ET_NAME:
			err = get_str(a, &et->name);
			break;
		case KSCOPE_ET_FIELD:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			err = parse_field(a, et);
			break;
		}
		if (err)
			return err;
	}
	if (!have_id)
		et->id = src->nr_evtypes - 1;
	if (!et->name) {
		et->name = malloc(16);
		if (!et->name)
			return -ENOMEM;
		snprintf(et->name, 16, "type%u", et->id);
	}
	return 0;
}

static int parse_counter_names(const struct nlattr *nest,
			       struct ks_source *src)
{
	const struct nlattr *c, *a;
	int err;

	mnl_attr_for_each_nested(c, nest) {
		struct ks_counter *ctr;

		if (mnl_attr_get_type(c) != KSCOPE_A_COUNTER)
			continue;
		if (mnl_attr_validate(c, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		ctr = grow(&src->counters, &src->nr_counters, sizeof(*ctr));
		if (!ctr)
			return -ENOMEM;
		/* a kernel without KSCOPE_CTR_KIND: every one a counter */
		mnl_attr_for_each_nested(a, c) {
			switch (mnl_attr_get_type(a)) {
			case KSCOPE_CTR_NAME:
				err = get_str(a, &ctr->name);
				if (err)
					return err;
				break;
			case KSCOPE_CTR_KIND:
				if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
					return -EBADMSG;
				ctr->kind = mnl_attr_get_u8(a);
				break;
			}
		}
		if (!ctr->name) {
			ctr->name = strdup("?");
			if (!ctr->name)
				return -ENOMEM;
		}
	}
	return 0;
}

static int source_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ks_sources *s = data;
	struct ks_source *src = grow(&s->v, &s->n, sizeof(*src));
	const struct nlattr *a;
	bool have_id = false;
	int err = 0;

	if (!src)
		return -ENOMEM;
	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_SOURCE:
			err = get_str(a, &src->name);
			break;
		case KSCOPE_A_SOURCE_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			src->id = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case KSCOPE_A_ATTACH:
			err = get_str(a, &src->attach);
			break;
		case KSCOPE_A_COUNTERS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			err = parse_counter_names(a, src);
			break;
		case KSCOPE_A_EVENT_TYPES:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			{
				const struct nlattr *e;

				mnl_attr_for_each_nested(e, a) {
					if (mnl_attr_get_type(e) !=
					    KSCOPE_A_EVENT_TYPE)
						continue;
					if (mnl_attr_validate(e, MNL_TYPE_NESTED) < 0)
						return -EBADMSG;
					err = parse_evtype(e, src);
					if (err)
						break;
				}
			}
			break;
		}
		if (err)
			return err;
	}
	if (!src->name || !have_id)
		return -EBADMSG;
	if (!src->attach) {
		src->attach = strdup("");
		if (!src->attach)
			return -ENOMEM;
	}
	return 0;
}

int ks_sources_fetch(struct ks_nl *nl, const char *name, struct ks_sources *s)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = ks_nl_msg(nl, buf, KSCOPE_CMD_SOURCE_GET, name ? 0 : NLM_F_DUMP);
	if (name)
		mnl_attr_put_strz(nlh, KSCOPE_A_SOURCE, name);
	return ks_nl_talk(nl, nlh, source_cb, s);
}

const struct ks_source *ks_source_by_id(const struct ks_sources *s,
					uint16_t id)
{
	unsigned int i;

	for (i = 0; i < s->n; i++)
		if (s->v[i].id == id)
			return &s->v[i];
	return NULL;
}

const struct ks_evtype *ks_evtype_by_id(const struct ks_source *src,
					uint16_t id)
{
	unsigned int i;

	for (i = 0; i < src->nr_evtypes; i++)
		if (src->evtypes[i].id == id)
			return &src->evtypes[i];
	return NULL;
}

/* ---- counters ---- */

int ks_ctrs_add(struct ks_ctrs *c, const char *name, uint64_t val)
{
	char *n = strdup(name);
	char **names;
	uint64_t *vals;

	if (!n)
		return -ENOMEM;
	names = realloc(c->names, (c->n + 1) * sizeof(*names));
	if (!names)
		goto nomem;
	c->names = names;
	vals = realloc(c->vals, (c->n + 1) * sizeof(*vals));
	if (!vals)
		goto nomem;
	c->vals = vals;
	c->names[c->n] = n;
	c->vals[c->n++] = val;
	return 0;
nomem:
	free(n);
	return -ENOMEM;
}

bool ks_ctrs_get(const struct ks_ctrs *c, const char *name, uint64_t *val)
{
	unsigned int i;

	for (i = 0; i < c->n; i++) {
		if (!strcmp(c->names[i], name)) {
			*val = c->vals[i];
			return true;
		}
	}
	return false;
}

static void ctrs_free(struct ks_ctrs *c)
{
	unsigned int i;

	for (i = 0; i < c->n; i++)
		free(c->names[i]);
	free(c->names);
	free(c->vals);
}

void ks_stats_list_free(struct ks_stats_list *l)
{
	unsigned int i, j;

	for (i = 0; i < l->n; i++) {
		struct ks_stats *st = &l->v[i];

		free(st->source);
		ctrs_free(&st->total);
		for (j = 0; j < st->nr_percpu; j++)
			ctrs_free(&st->percpu[j].c);
		free(st->percpu);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct ks_stats *ks_stats_list_add(struct ks_stats_list *l, const char *src)
{
	struct ks_stats *st = grow(&l->v, &l->n, sizeof(*st));

	if (!st)
		return NULL;
	st->source = strdup(src);
	if (!st->source) {
		l->n--;
		return NULL;
	}
	return st;
}

static int parse_counters(const struct nlattr *nest, struct ks_ctrs *out)
{
	const struct nlattr *c, *a;
	int err;

	mnl_attr_for_each_nested(c, nest) {
		const char *name = NULL;
		uint64_t val = 0;

		if (mnl_attr_get_type(c) != KSCOPE_A_COUNTER)
			continue;
		if (mnl_attr_validate(c, MNL_TYPE_NESTED) < 0)
			return -EBADMSG;
		mnl_attr_for_each_nested(a, c) {
			switch (mnl_attr_get_type(a)) {
			case KSCOPE_CTR_NAME:
				if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
					return -EBADMSG;
				name = mnl_attr_get_str(a);
				break;
			case KSCOPE_CTR_VALUE:
				if (mnl_attr_validate(a, MNL_TYPE_U64) < 0)
					return -EBADMSG;
				val = mnl_attr_get_u64(a);
				break;
			}
		}
		if (!name)
			return -EBADMSG;
		err = ks_ctrs_add(out, name, val);
		if (err)
			return err;
	}
	return 0;
}

static int parse_cpu_counters(const struct nlattr *nest, struct ks_stats *st)
{
	struct ks_cpu_ctrs *pc = grow(&st->percpu, &st->nr_percpu,
				      sizeof(*pc));
	const struct nlattr *a;
	int err;

	if (!pc)
		return -ENOMEM;
	mnl_attr_for_each_nested(a, nest) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_CPU:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			pc->cpu = mnl_attr_get_u32(a);
			break;
		case KSCOPE_A_COUNTERS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			err = parse_counters(a, &pc->c);
			if (err)
				return err;
			break;
		}
	}
	return 0;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ks_stats_list *l = data;
	const struct nlattr *a;
	const char *name = NULL;
	struct ks_stats *st;
	int err = 0;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		if (mnl_attr_get_type(a) != KSCOPE_A_SOURCE)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return -EBADMSG;
		name = mnl_attr_get_str(a);
	}
	if (!name)
		return -EBADMSG;
	/* a source's per-CPU counters may span several dump messages */
	if (l->n && !strcmp(l->v[l->n - 1].source, name))
		st = &l->v[l->n - 1];
	else
		st = ks_stats_list_add(l, name);
	if (!st)
		return -ENOMEM;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_COUNTERS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			err = parse_counters(a, &st->total);
			break;
		case KSCOPE_A_CPU_COUNTERS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			err = parse_cpu_counters(a, st);
			break;
		}
		if (err)
			return err;
	}
	return 0;
}

int ks_stats_fetch(struct ks_nl *nl, const char *name, bool percpu,
		   struct ks_stats_list *l)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	/* per-CPU counters come by dump: a big host's do not fit one reply */
	nlh = ks_nl_msg(nl, buf, KSCOPE_CMD_STATS_GET,
			name && !percpu ? 0 : NLM_F_DUMP);
	if (name)
		mnl_attr_put_strz(nlh, KSCOPE_A_SOURCE, name);
	if (percpu)
		mnl_attr_put(nlh, KSCOPE_A_PERCPU, 0, NULL);
	return ks_nl_talk(nl, nlh, stats_cb, l);
}
