/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one symbol resolver (modules/core/resolve.c): from a function name a
 * user or a module asked for to the one kallsyms name to probe.
 *
 *   exact name, once                -> that name
 *   exact name, several times       -> -ENOTUNIQ ("ambiguous")
 *   no exact name, one clone        -> the clone: name.isra.N,
 *     (.isra.N .constprop.N .part.N    name.constprop.N.isra.M, ...;
 *      .llvm.N .cold, chained)         a non-.cold clone before a .cold
 *   several clones                  -> -ENOTUNIQ, naming as many as fit
 *   nothing                         -> -ENOENT ("not found")
 *   a name that is no symbol name   -> -EINVAL
 *   KSCOPE_RESOLVE_EVENTS and a function kscope_deny_reason() refuses
 *                                   -> -EDEADLK
 *
 * vmlinux and modules' symbols alike. Every refusal names the symbol in
 * @extack (when not NULL). @out gets the name (@outlen bytes). May sleep.
 */
#ifndef _KSCOPE_RESOLVE_H
#define _KSCOPE_RESOLVE_H

#include <linux/netlink.h>
#include <linux/types.h>

/* the probe will emit events: apply the deny-list (kscope_deny_reason) */
#define KSCOPE_RESOLVE_EVENTS	0x1

int kscope_resolve(const char *name, unsigned int flags, char *out,
		   size_t outlen, struct netlink_ext_ack *extack);

#endif /* _KSCOPE_RESOLVE_H */
