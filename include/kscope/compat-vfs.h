/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences seen by kscope_vfs, one shim per break. Feature
 * macros come from include/kscope/compat-vfs.mk. The probes read the
 * arguments of VFS functions from registers, so the shims name argument
 * positions.
 */
#ifndef _KSCOPE_COMPAT_VFS_H
#define _KSCOPE_COMPAT_VFS_H

#include <linux/err.h>

/* vfs_create(idmap, dentry, mode, ...) lost its dir argument in 6.19 */
#ifdef KSCOPE_HAVE_VFS_CREATE_NO_DIR
#define KSCOPE_VFS_CREATE_DENTRY_ARG	1
#else
#define KSCOPE_VFS_CREATE_DENTRY_ARG	2
#endif

/* vfs_mkdir returns the new dentry (or an ERR_PTR) since 6.15 */
#ifdef KSCOPE_HAVE_VFS_MKDIR_DENTRY
#define KSCOPE_VFS_MKDIR_RET(rv) \
	(IS_ERR_VALUE(rv) ? (s64)(long)(rv) : 0)
#else
#define KSCOPE_VFS_MKDIR_RET(rv)	((s64)(int)(rv))
#endif

#endif /* _KSCOPE_COMPAT_VFS_H */
