# SPDX-License-Identifier: GPL-2.0
#
# Header checks for kscope_mem (see include/kscope/compat-mem.h). The
# order count is told apart by the kernel's own NR_PAGE_ORDERS macro.
