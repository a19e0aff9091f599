/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_net: kernel API differences between 6.1, 6.12 and 7.2, one shim
 * per break, keyed by header checks in compat-net.mk.
 */
#ifndef _KSCOPE_COMPAT_NET_H
#define _KSCOPE_COMPAT_NET_H

#endif /* _KSCOPE_COMPAT_NET_H */
