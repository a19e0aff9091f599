/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel API differences between the supported kernels (6.1, 6.12, 7.2),
 * one shim per break. Feature macros come from header checks in
 * include/kscope/compat.mk (KSCOPE_HAVE_*), or from the kernel's own macros;
 * no module tests a kernel version.
 */
#ifndef _KSCOPE_COMPAT_H
#define _KSCOPE_COMPAT_H

#include <linux/kcov.h>
#include <linux/netlink.h>
#include <net/genetlink.h>

/*
 * Multicast groups restricted by capability: mainline 6.8, backported to
 * Debian's 6.1. Without it, the events group would be open to everyone,
 * so the core refuses to load (see kscope_core's init).
 */
#ifdef GENL_MCAST_CAP_NET_ADMIN
#define KSCOPE_MCGRP_FLAGS	GENL_MCAST_CAP_NET_ADMIN
#define KSCOPE_HAVE_MCAST_CAP	1
#else
#define KSCOPE_MCGRP_FLAGS	0
#define KSCOPE_HAVE_MCAST_CAP	0
#endif

/* Parsed request attributes of a dump: moved into genl_info in 6.2. */
static inline struct nlattr **kscope_dump_attrs(struct netlink_callback *cb)
{
#ifdef KSCOPE_HAVE_DUMPIT_INFO_INFO
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/*
 * Formatted extack messages arrived in 6.2 (NL_SET_ERR_MSG_FMT); older
 * kernels get the fixed message @plain.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define KSCOPE_ERR(extack, attr, plain, fmt, ...) do {			\
	NL_SET_BAD_ATTR(extack, attr);					\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__);			\
} while (0)
#else
#define KSCOPE_ERR(extack, attr, plain, fmt, ...)			\
	NL_SET_ERR_MSG_ATTR(extack, attr, plain)
#endif

/*
 * The calling task's KCOV common handle (0 without one), and remote
 * coverage for a kernel thread's work on its behalf. 7.2's
 * kcov_common_handle() returns a struct kcov_common_handle_id, whose one
 * member exists only with CONFIG_KCOV.
 */
#ifdef CONFIG_KCOV
#ifdef KSCOPE_HAVE_KCOV_HANDLE_ID
static inline u64 kscope_kcov_handle(void)
{
	return kcov_common_handle().val;
}

static inline void kscope_kcov_remote_start(u64 handle)
{
	kcov_remote_start_common((struct kcov_common_handle_id){ .val = handle });
}
#else
static inline u64 kscope_kcov_handle(void)
{
	return kcov_common_handle();
}

static inline void kscope_kcov_remote_start(u64 handle)
{
	kcov_remote_start_common(handle);
}
#endif
#else
static inline u64 kscope_kcov_handle(void)
{
	return 0;
}

static inline void kscope_kcov_remote_start(u64 handle)
{
}
#endif

#endif /* _KSCOPE_COMPAT_H */
