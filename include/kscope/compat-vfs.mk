# SPDX-License-Identifier: GPL-2.0
#
# Header checks for kscope_vfs (see include/kscope/compat-vfs.h).

# vfs_create(idmap, dentry, mode, ...): no dir inode argument
KSCOPE_FEATURES += $(call kscope_has,linux/fs.h,int vfs_create.struct mnt_idmap .. struct dentry,KSCOPE_HAVE_VFS_CREATE_NO_DIR)
# vfs_mkdir returns a struct dentry *
KSCOPE_FEATURES += $(call kscope_has,linux/fs.h,^struct dentry .vfs_mkdir,KSCOPE_HAVE_VFS_MKDIR_DENTRY)
