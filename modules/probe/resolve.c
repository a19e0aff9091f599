// SPDX-License-Identifier: GPL-2.0
/*
 * From the name a user typed to the one function kscope_probe probes.
 *
 * kallsyms_lookup_name() is not exported since 5.7 and register_kprobe()
 * takes the first symbol of a name, which is wrong twice: a plain name
 * whose function the compiler renamed (foo.isra.0, foo.constprop.0,
 * foo.part.0, foo.cold) is "not found", and a name two static functions
 * share silently picks one. So kscope_probe walks kallsyms itself, with
 * kallsyms_on_each_symbol() (not exported either) found once through a
 * kprobe on it, since register_kprobe() resolves any symbol:
 *
 *   exact name, one address        -> that name
 *   exact name, several addresses  -> refused as ambiguous
 *   no exact name, one "name.*"    -> that name (non-.cold first)
 *   several "name.*"               -> refused as ambiguous, naming two
 *   nothing                        -> left to register_kprobe(), which
 *                                     also sees modules' symbols
 *
 * The walk covers vmlinux; module functions are probed by exact name.
 * It costs ~0.2 s in a TCG guest, so a name kallsyms holds as such is
 * first counted with kallsyms_on_each_match_symbol() (a binary search,
 * found the same way; 6.2, and Debian's 6.1): one address settles it.
 * Without the walk (the kprobe on kallsyms_on_each_symbol failed), names
 * are used as given and the reader's /proc/kallsyms lookup is what finds
 * suffixed ones.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/ctype.h>
#include <linux/kallsyms.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#include <kscope/compat-probe.h>

#include "internal.h"

static kscope_ksym_each_t ksym_each;
static typeof(&kallsyms_on_each_match_symbol) ksym_match;

struct resolve {
	const char *name;
	size_t len;
	unsigned long exact_addr;
	unsigned int exact;		/* distinct addresses */
	unsigned int warm, cold;	/* suffixed candidates */
	unsigned long warm_addr, cold_addr;
	char warm_name[2][KPRB_NAME_MAX];
	char cold_name[KPRB_NAME_MAX];
};

static KSCOPE_KSYM_CB(resolve_one, data, sym, addr)
{
	struct resolve *r = data;

	if (strncmp(sym, r->name, r->len))
		return 0;
	if (!sym[r->len]) {
		if (!r->exact || addr != r->exact_addr)
			r->exact++;
		r->exact_addr = addr;
		return 0;
	}
	if (sym[r->len] != '.' || strlen(sym) >= KPRB_NAME_MAX)
		return 0;
	if (strstr(sym + r->len, ".cold")) {
		if (!r->cold || addr != r->cold_addr)
			r->cold++;
		r->cold_addr = addr;
		strscpy(r->cold_name, sym, KPRB_NAME_MAX);
		return 0;
	}
	if (r->warm && addr == r->warm_addr)
		return 0;
	if (r->warm < 2)
		strscpy(r->warm_name[r->warm], sym, KPRB_NAME_MAX);
	r->warm++;
	r->warm_addr = addr;
	return 0;
}

static int resolve_match(void *data, unsigned long addr)
{
	struct resolve *r = data;

	if (!r->exact || addr != r->exact_addr)
		r->exact++;
	r->exact_addr = addr;
	return 0;
}

static bool name_ok(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum(*s) && *s != '_' && *s != '.' && *s != '$')
			return false;
	return true;
}

int kprb_resolve(const char *name, char *out, struct netlink_ext_ack *extack)
{
	struct resolve *r;
	int ret = 0;

	if (!name_ok(name)) {
		KSCOPE_PROBE_ERR(extack, "probe: '%.64s' is not a symbol name",
				 name);
		return -EINVAL;
	}
	strscpy(out, name, KPRB_NAME_MAX);
	if (!ksym_each)
		return 0;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	r->name = name;
	r->len = strlen(name);
	if (ksym_match)
		ksym_match(resolve_match, name, r);
	if (r->exact != 1) {
		memset(r, 0, sizeof(*r));
		r->name = name;
		r->len = strlen(name);
		ksym_each(resolve_one, r);
	}
	if (r->exact > 1) {
		KSCOPE_PROBE_ERR(extack,
				 "probe: symbol %s is ambiguous: %u functions have that name",
				 name, r->exact);
		ret = -ENOTUNIQ;
	} else if (r->exact) {
		/* as given */
	} else if (r->warm > 1) {
		KSCOPE_PROBE_ERR(extack,
				 "probe: symbol %s is ambiguous: %s, %s%s",
				 name, r->warm_name[0], r->warm_name[1],
				 r->warm > 2 ? " and more" : "");
		ret = -ENOTUNIQ;
	} else if (r->warm) {
		strscpy(out, r->warm_name[0], KPRB_NAME_MAX);
	} else if (r->cold > 1) {
		KSCOPE_PROBE_ERR(extack,
				 "probe: symbol %s is ambiguous: several %s.cold parts",
				 name, name);
		ret = -ENOTUNIQ;
	} else if (r->cold) {
		strscpy(out, r->cold_name, KPRB_NAME_MAX);
	}
	kfree(r);
	return ret;
}

/*
 * The start of function @name, found through a kprobe on it, or 0. The
 * kprobe may sit past the first instruction (an ENDBR on IBT kernels): an
 * indirect call must land on the start.
 */
static unsigned long ksym_find(const char *name)
{
	struct kprobe kp = { .symbol_name = name };
	char buf[KSYM_SYMBOL_LEN], *plus;
	unsigned long off = 0;
	int ret;

	ret = register_kprobe(&kp);
	if (ret) {
		pr_info("cannot find %s (%d)\n", name, ret);
		return 0;
	}
	unregister_kprobe(&kp);
	sprint_symbol(buf, (unsigned long)kp.addr);
	plus = strchr(buf, '+');
	if (!plus || strncmp(buf, name, plus - buf) ||
	    sscanf(plus + 1, "%lx", &off) != 1) {
		pr_info("%s at an odd place (%s)\n", name, buf);
		return 0;
	}
	return (unsigned long)kp.addr - off;
}

int kprb_resolve_init(void)
{
	ksym_each = (kscope_ksym_each_t)ksym_find("kallsyms_on_each_symbol");
	if (!ksym_each) {
		pr_info("names are probed as given\n");
		return 0;
	}
	ksym_match = (typeof(ksym_match))ksym_find("kallsyms_on_each_match_symbol");
	return 0;
}
