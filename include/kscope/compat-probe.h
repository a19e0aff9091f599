/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_probe and the core's resolver: kernel API differences.
 */
#ifndef _KSCOPE_COMPAT_PROBE_H
#define _KSCOPE_COMPAT_PROBE_H

#include <linux/module.h>
#include <linux/netlink.h>

/*
 * An extack message naming the symbol. Formatted messages arrived in 6.2
 * (NL_SET_ERR_MSG_FMT, copied into the request's own extack). Before, the
 * message is a pointer read when the ack is built, after the handler
 * returned, so the text must outlive the request: it goes into the next of
 * 64 slots taken in turn (one ring per file), so a concurrent failing
 * request never writes the slot another is still using unless 64 others
 * fail between this one's handler and its ack. Cut at 80 bytes as
 * NL_SET_ERR_MSG_FMT cuts.
 */
#ifdef NL_SET_ERR_MSG_FMT
#define KSCOPE_PROBE_ERR(extack, fmt, ...)				\
	NL_SET_ERR_MSG_FMT(extack, fmt, ##__VA_ARGS__)
#else
#define KSCOPE_MSG_SLOTS	64
#define KSCOPE_MSG_LEN		80
static inline char *kscope_msg_slot(void)
{
	static char ring[KSCOPE_MSG_SLOTS][KSCOPE_MSG_LEN];
	static atomic_t next;

	return ring[(unsigned int)atomic_inc_return(&next) % KSCOPE_MSG_SLOTS];
}

#define KSCOPE_PROBE_ERR(extack, fmt, ...) do {				\
	struct netlink_ext_ack *__kp_ext = (extack);			\
	char *__kp_msg = kscope_msg_slot();				\
									\
	snprintf(__kp_msg, KSCOPE_MSG_LEN, fmt, ##__VA_ARGS__);		\
	if (__kp_ext)							\
		__kp_ext->_msg = __kp_msg;				\
} while (0)
#endif

#endif /* _KSCOPE_COMPAT_PROBE_H */
