# SPDX-License-Identifier: GPL-2.0
#
# Header checks against the target tree, one per API break; results become
# KSCOPE_HAVE_* defines consumed only by include/kscope/compat.h.

kscope_hdr = $(srctree)/include/$(1)
kscope_has = $(shell grep -Eqs '$(2)' $(call kscope_hdr,$(1)) && echo -D$(3))

# 6.2: struct genl_dumpit_info carries a struct genl_info
KSCOPE_FEATURES += $(call kscope_has,net/genetlink.h,genl_info_dump,KSCOPE_HAVE_DUMPIT_INFO_INFO)

# 7.2: kcov_common_handle() returns a struct kcov_common_handle_id
KSCOPE_FEATURES += $(call kscope_has,linux/kcov.h,kcov_common_handle_id,KSCOPE_HAVE_KCOV_HANDLE_ID)
