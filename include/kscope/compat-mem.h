/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences seen by kscope_mem, one shim per break. Feature
 * macros come from include/kscope/compat-mem.mk or the kernel's own.
 */
#ifndef _KSCOPE_COMPAT_MEM_H
#define _KSCOPE_COMPAT_MEM_H

#include <linux/mmzone.h>

/*
 * Orders of the buddy allocator: NR_PAGE_ORDERS since 6.8; before, MAX_ORDER
 * was the number of orders (6.1: orders 0..MAX_ORDER-1).
 */
#ifdef NR_PAGE_ORDERS
#define KSCOPE_NR_ORDERS	NR_PAGE_ORDERS
#else
#define KSCOPE_NR_ORDERS	MAX_ORDER
#endif

#endif /* _KSCOPE_COMPAT_MEM_H */
