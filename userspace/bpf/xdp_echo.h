/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by xdp_echo.bpf.c and its loader (cmd_net.c): the counter map. */
#ifndef KSCOPE_XDP_ECHO_H
#define KSCOPE_XDP_ECHO_H

#define KS_XDP_PROG_NAME	"xdp_echo"
#define KS_XDP_PASS_NAME	"xdp_pass"
#define KS_XDP_MAP_NAME		"echo_stats"

/* keys of the per-CPU array echo_stats */
enum ks_xdp_ctr {
	KS_XDP_FRAMES,		/* every frame the program saw */
	KS_XDP_ANSWERED4,	/* ICMP echo requests sent back as replies */
	KS_XDP_ANSWERED6,	/* ICMPv6 echo requests sent back as replies */
	KS_XDP_PASSED,		/* ICMP/ICMPv6 left to the stack */
	KS_XDP_MALFORMED,	/* echo requests with a bad length or checksum */
	KS_XDP_NR_CTRS,
};

#define KS_XDP_CTR_NAMES \
	"frames", "echo4_answered", "echo6_answered", "echo_passed", \
	"echo_malformed"

#endif /* KSCOPE_XDP_ECHO_H */
