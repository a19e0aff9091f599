# SPDX-License-Identifier: GPL-2.0
#
# Header checks for kscope_tcp (see include/kscope/compat-tcp.h).

# 7.2: tcp:tcp_retransmit_skb passes the transmit result (and fires on failure)
KSCOPE_FEATURES += $(call kscope_has,trace/events/tcp.h,struct sk_buff .skb. int err,KSCOPE_HAVE_TCP_RETRANS_ERR)
# 6.10: tcp:tcp_send_reset passes the reset reason
KSCOPE_FEATURES += $(call kscope_has,trace/events/tcp.h,enum sk_rst_reason reason,KSCOPE_HAVE_TCP_RST_REASON)
