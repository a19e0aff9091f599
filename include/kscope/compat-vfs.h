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

struct dentry;

/* vfs_create(idmap, dentry, mode, ...) lost its dir argument in 6.19 */
#ifdef KSCOPE_HAVE_VFS_CREATE_NO_DIR
#define KSCOPE_VFS_CREATE_DENTRY_ARG	1
#else
#define KSCOPE_VFS_CREATE_DENTRY_ARG	2
#endif

/*
 * vfs_mkdir returns the new dentry (or an ERR_PTR) since 6.15, and
 * consumes the dentry it was given: on an error, or when the filesystem
 * made another dentry for the directory, it dput()s it, so only the
 * dentry it returns may be read after it returned. Before, it returned
 * an int and its caller held the dentry it was given.
 * kscope_vfs_mkdir_dentry(given, rv): the dentry to read after the call,
 * or NULL.
 */
#ifdef KSCOPE_HAVE_VFS_MKDIR_DENTRY
#define KSCOPE_VFS_MKDIR_RET(rv) \
	(IS_ERR_VALUE(rv) ? (s64)(long)(rv) : 0)
static inline const struct dentry *
kscope_vfs_mkdir_dentry(const struct dentry *given, unsigned long rv)
{
	return IS_ERR_OR_NULL((const void *)rv) ? NULL :
						   (const struct dentry *)rv;
}
#else
#define KSCOPE_VFS_MKDIR_RET(rv)	((s64)(int)(rv))
static inline const struct dentry *
kscope_vfs_mkdir_dentry(const struct dentry *given, unsigned long rv)
{
	return given;
}
#endif

#endif /* _KSCOPE_COMPAT_VFS_H */
