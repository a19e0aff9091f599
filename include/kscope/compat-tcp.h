/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Kernel differences seen by kscope_tcp, one shim per break. Feature
 * macros come from include/kscope/compat-tcp.mk.
 *
 * A tracepoint probe must take exactly the tracepoint's arguments, so the
 * probes are declared through these macros.
 */
#ifndef _KSCOPE_COMPAT_TCP_H
#define _KSCOPE_COMPAT_TCP_H

#include <net/sock.h>

/*
 * tcp:tcp_retransmit_skb: 7.2 added the transmit result and fires on
 * failed attempts too; older kernels fire on success only.
 */
#ifdef KSCOPE_HAVE_TCP_RETRANS_ERR
#define KSCOPE_TCP_RETRANS_PROTO(fn) \
	fn(void *data, const struct sock *sk, const struct sk_buff *skb, int err)
#define KSCOPE_TCP_RETRANS_ERR()	(err)
#else
#define KSCOPE_TCP_RETRANS_PROTO(fn) \
	fn(void *data, const struct sock *sk, const struct sk_buff *skb)
#define KSCOPE_TCP_RETRANS_ERR()	0
#endif

/* tcp:tcp_send_reset: 6.10 added the reset reason. */
#ifdef KSCOPE_HAVE_TCP_RST_REASON
#include <net/rstreason.h>
#define KSCOPE_TCP_SEND_RESET_PROTO(fn) \
	fn(void *data, const struct sock *sk, const struct sk_buff *skb, \
	   const enum sk_rst_reason reason)
#else
#define KSCOPE_TCP_SEND_RESET_PROTO(fn) \
	fn(void *data, const struct sock *sk, const struct sk_buff *skb)
#endif

#endif /* _KSCOPE_COMPAT_TCP_H */
