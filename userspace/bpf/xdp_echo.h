/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by xdp_echo.bpf.c and its loader (cmd_net.c): the counter map. */
#ifndef KSCOPE_XDP_ECHO_H
#define KSCOPE_XDP_ECHO_H

#define KS_XDP_PROG_NAME	"xdp_echo"
#define KS_XDP_PASS_NAME	"xdp_pass"
#define KS_XDP_MAP_NAME		"echo_stats"
#define KS_XDP_CFG_NAME		"echo_cfg"
#define KS_XDP_ADDR4_NAME	"echo_addr4"
#define KS_XDP_ADDR6_NAME	"echo_addr6"
#define KS_XDP_NET4_NAME	"echo_net4"
#define KS_XDP_NET6_NAME	"echo_net6"
#define KS_XDP_MAX_ADDRS	64

/*
 * What the loader saw of the device and its namespace at attach time
 * (echo_cfg, one entry). Zeroed, it answers nothing.
 */
struct ks_xdp_cfg {
	unsigned char mac[6];	/* the device's own address */
	unsigned char any;	/* --any: answer every echo request */
	unsigned char ignore4;	/* net.ipv4.icmp_echo_ignore_all */
	unsigned char ignore6;	/* net.ipv6.icmp.echo_ignore_all */
	unsigned char pad[3];
};

/* keys of the LPM tries of on-link prefixes (echo_net4, echo_net6) */
struct ks_xdp_lpm4 {
	unsigned int prefixlen;
	unsigned char addr[4];
};

struct ks_xdp_lpm6 {
	unsigned int prefixlen;
	unsigned char addr[16];
};

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
