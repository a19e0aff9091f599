/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_probe: kernel API differences.
 *
 * kallsyms_on_each_symbol() is not exported to modules; kscope_probe finds
 * its address once through a kprobe (register_kprobe resolves any symbol)
 * and calls it to resolve suffixed names and detect ambiguous ones. Its
 * callback lost the struct module argument in 6.4.
 */
#ifndef _KSCOPE_COMPAT_PROBE_H
#define _KSCOPE_COMPAT_PROBE_H

#include <linux/module.h>
#include <linux/netlink.h>

#ifdef KSCOPE_HAVE_KALLSYMS_EACH_NOMOD
#define KSCOPE_KSYM_CB(name, data, sym, addr)				\
	int name(void *data, const char *sym, unsigned long addr)
typedef int (*kscope_ksym_cb_t)(void *, const char *, unsigned long);
#else
#define KSCOPE_KSYM_CB(name, data, sym, addr)				\
	int name(void *data, const char *sym, struct module *__mod,	\
		 unsigned long addr)
typedef int (*kscope_ksym_cb_t)(void *, const char *, struct module *,
				unsigned long);
#endif
typedef int (*kscope_ksym_each_t)(kscope_ksym_cb_t fn, void *data);

/*
 * An extack message naming the symbol. Formatted messages arrived in 6.2
 * (NL_SET_ERR_MSG_FMT, copied into the request's own extack). Before, the
 * message is a pointer read when the ack is built, after the handler
 * returned: a formatted text would need a buffer that outlives the
 * request, and a static one is shared by concurrent requests. So 6.1 gets
 * the format itself, a constant ("probe: symbol %s not found ..."): less
 * precise, never another request's text.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define KSCOPE_PROBE_ERR(extack, fmt, ...)				\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)
#else
#define KSCOPE_PROBE_ERR(extack, fmt, ...) do {				\
	NL_SET_ERR_MSG(extack, fmt);					\
	no_printk(fmt, ##__VA_ARGS__);	/* checks the format, uses the args */ \
} while (0)
#endif

#endif /* _KSCOPE_COMPAT_PROBE_H */
