// SPDX-License-Identifier: GPL-2.0
/*
 * kscope net / kscope xdp: drive kscope_net's echo responder over netlink,
 * and load, unload and read the XDP echo responder (bpf/xdp_echo.bpf.c,
 * linked into the reader) with libbpf.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "kscope.h"
#include "bpf/xdp_echo.h"

extern const char ks_xdp_obj[], ks_xdp_obj_end[];

static const char * const ks_xdp_ctr_names[KS_XDP_NR_CTRS] = {
	KS_XDP_CTR_NAMES
};

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* ---- kscope net echo on|off [--netns PATH_OR_PID] [--dev IFNAME] ---- */

const struct ks_sub ks_net_subs[] = {
	{ "echo", "on|off", (const struct ks_opt[]){
		{ "netns", 'n', "PATH_OR_PID", "the network namespace: a file such as /run/netns/NAME, or a process's (default: the reader's)" },
		{ "dev", 'd', "IFNAME", "only echo requests that arrive on this device" },
		{ NULL } },
	  "turn kscope_net's ICMP/ICMPv6 echo responder on or off in a namespace (admin); it answers only what the stack would" },
	{ NULL }
};

int cmd_net(int argc, char **argv)
{
	const char *netns = NULL, *dev = NULL;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	int c, on, fd = -1, err, status = 1;
	struct ks_nl nl;

	if (argc < 2 || strcmp(argv[1], "echo"))
		return ks_usage_error("net", "expects 'echo on' or 'echo off'");
	while ((c = ks_getopt(argc - 1, argv + 1, "net", "echo", &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'n':
			netns = optarg;
			break;
		case 'd':
			dev = optarg;
			break;
		}
	}
	argc--;
	argv++;
	if (argc - optind != 1)
		return ks_sub_usage_error("net", "echo", "expects 'on' or 'off'");
	if (!strcmp(argv[optind], "on"))
		on = 1;
	else if (!strcmp(argv[optind], "off"))
		on = 0;
	else
		return ks_sub_usage_error("net", "echo", "takes 'on' or 'off', not '%s'",
					  argv[optind]);
	if (dev && strlen(dev) >= IFNAMSIZ)
		return ks_usage_error("net", "device name '%s' too long", dev);
	if (netns && !all_digits(netns)) {
		fd = open(netns, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			ks_err("net: %s: %s", netns, strerror(errno));
			return 1;
		}
	}

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "net");
	mnl_attr_put_u8(nlh, KSCOPE_NET_ECHO, on);
	if (fd >= 0)
		mnl_attr_put_u32(nlh, KSCOPE_NET_NETNS_FD, fd);
	else if (netns)
		mnl_attr_put_u32(nlh, KSCOPE_NET_NETNS_PID, strtoul(netns, NULL, 10));
	if (dev)
		mnl_attr_put_strz(nlh, KSCOPE_NET_IFNAME, dev);
	mnl_attr_nest_end(nlh, nest);
	err = ks_nl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		ks_nl_report_source(&nl, "net", "net", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	if (fd >= 0)
		close(fd);
	return status;
}

/* ---- kscope xdp attach|detach|stats DEV [--mode native|skb] [--pass|--any] ---- */

/*
 * libbpf's own messages: on stderr with -v (as libbpf-tools' -v), else
 * kept, counted and left out (an error says what to do in one line).
 */
static unsigned int libbpf_kept;

static int xdp_libbpf_print(enum libbpf_print_level level, const char *fmt,
			    va_list ap)
{
	if (opt_verbose)
		return vfprintf(stderr, fmt, ap);	/* "libbpf: ..." */
	if (level <= LIBBPF_INFO)
		libbpf_kept++;
	return 0;
}

/*
 * One line for a failed XDP step; EPERM says what is missing. EACCES from
 * a load as root is the verifier refusing the program, not a privilege.
 */
static void xdp_fail(const char *what, const char *dev, int err)
{
	if (err == -EACCES && geteuid() == 0)
		ks_err("xdp: %s%s%s: the kernel's BPF verifier refused the program%s",
		       what, dev ? " " : "", dev ? dev : "", opt_verbose ? "" :
		       " (kscope -v xdp ... shows its log)");
	else if (err == -EPERM || err == -EACCES)
		ks_err("xdp: %s%s%s: permission denied: need CAP_BPF and CAP_NET_ADMIN (run as root)",
		       what, dev ? " " : "", dev ? dev : "");
	else
		ks_err("xdp: %s%s%s: %s%s", what, dev ? " " : "", dev ? dev : "",
		       strerror(-err), libbpf_kept && !opt_verbose ?
		       " (kscope -v xdp ... shows libbpf's messages)" : "");
}

/* The first character of a sysctl file, '0' when it cannot be read. */
static char sysctl_char(const char *path)
{
	char c = '0';
	FILE *f = fopen(path, "r");

	if (f) {
		if (fscanf(f, " %c", &c) != 1)
			c = '0';
		fclose(f);
	}
	return c;
}

static int prefix_len(const unsigned char *mask, int n)
{
	int i, len = 0;

	for (i = 0; i < n * 8; i++)
		if (mask[i / 8] & (0x80 >> (i % 8)))
			len++;
	return len;
}

static int map_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(obj, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/*
 * What the responder may answer, as the stack would: the device's MAC,
 * its unicast addresses, its on-link prefixes, the echo sysctls of this
 * namespace, now. Returns 0 or a negative errno.
 */
static int xdp_fill(struct bpf_object *obj, const char *dev, bool any)
{
	int cfd = map_fd(obj, KS_XDP_CFG_NAME), a4 = map_fd(obj, KS_XDP_ADDR4_NAME),
	    a6 = map_fd(obj, KS_XDP_ADDR6_NAME), n4 = map_fd(obj, KS_XDP_NET4_NAME),
	    n6 = map_fd(obj, KS_XDP_NET6_NAME);
	struct ks_xdp_cfg cfg = { .any = any };
	struct ifaddrs *ifa, *i;
	unsigned int m[6];
	__u8 one = 1;
	__u32 zero = 0;
	char path[128];
	FILE *f;
	int k, err = 0;

	if (cfd < 0 || a4 < 0 || a6 < 0 || n4 < 0 || n6 < 0)
		return -ENOENT;
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", dev);
	f = fopen(path, "r");
	if (!f)
		return -errno;
	k = fscanf(f, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]);
	fclose(f);
	if (k != 6)
		return -EINVAL;
	for (k = 0; k < 6; k++)
		cfg.mac[k] = m[k];
	cfg.ignore4 = sysctl_char("/proc/sys/net/ipv4/icmp_echo_ignore_all") != '0';
	cfg.ignore6 = sysctl_char("/proc/sys/net/ipv6/icmp/echo_ignore_all") != '0';
	if (getifaddrs(&ifa))
		return -errno;
	for (i = ifa; i && !err; i = i->ifa_next) {
		if (!i->ifa_addr || !i->ifa_netmask || strcmp(i->ifa_name, dev))
			continue;
		if (i->ifa_addr->sa_family == AF_INET) {
			struct sockaddr_in *a = (void *)i->ifa_addr;
			struct sockaddr_in *nm = (void *)i->ifa_netmask;
			struct ks_xdp_lpm4 p = {
				.prefixlen = prefix_len((void *)&nm->sin_addr, 4),
			};

			memcpy(p.addr, &a->sin_addr, 4);
			if (bpf_map_update_elem(a4, &a->sin_addr, &one, BPF_ANY) ||
			    bpf_map_update_elem(n4, &p, &one, BPF_ANY))
				err = -errno;
		} else if (i->ifa_addr->sa_family == AF_INET6) {
			struct sockaddr_in6 *a = (void *)i->ifa_addr;
			struct sockaddr_in6 *nm = (void *)i->ifa_netmask;
			struct ks_xdp_lpm6 p = {
				.prefixlen = prefix_len((void *)&nm->sin6_addr, 16),
			};

			memcpy(p.addr, &a->sin6_addr, 16);
			if (bpf_map_update_elem(a6, &a->sin6_addr, &one, BPF_ANY) ||
			    bpf_map_update_elem(n6, &p, &one, BPF_ANY))
				err = -errno;
		}
	}
	freeifaddrs(ifa);
	/* the configuration last: until it is there, nothing is answered */
	if (!err && bpf_map_update_elem(cfd, &zero, &cfg, BPF_ANY))
		err = -errno;
	return err;
}

static int xdp_attach(int ifindex, const char *dev, __u32 mode,
		      const char *name, bool any)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .object_name = "kscope_xdp");
	struct bpf_program *prog;
	struct bpf_object *obj;
	int err;

	obj = bpf_object__open_mem(ks_xdp_obj, ks_xdp_obj_end - ks_xdp_obj,
				   &oopts);
	if (!obj) {
		xdp_fail("opening the XDP object", NULL, -errno);
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		xdp_fail("loading the XDP program", NULL, err);
		goto out;
	}
	prog = bpf_object__find_program_by_name(obj, name);
	if (!prog) {
		err = -ENOENT;
		ks_err("xdp: no program %s in the object", name);
		goto out;
	}
	err = xdp_fill(obj, dev, any);
	if (err) {
		ks_err("xdp: reading the addresses of %s failed: %s", dev,
		       strerror(-err));
		goto out;
	}
	err = bpf_xdp_attach(ifindex, bpf_program__fd(prog),
			     mode | XDP_FLAGS_UPDATE_IF_NOEXIST, NULL);
	if (err == -EBUSY || err == -EEXIST)
		ks_err("xdp: %s already has an XDP program (detach it first)", dev);
	else if (err)
		xdp_fail("attaching to", dev, err);
out:
	/* the device holds the program; our references may go */
	bpf_object__close(obj);
	return err ? 1 : 0;
}

/* Id and mode of the program on @ifindex, 0 when there is none. */
static __u32 xdp_prog_id(int ifindex, __u32 *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);

	if (bpf_xdp_query(ifindex, 0, &q))
		return 0;
	*mode = q.attach_mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE :
						    XDP_FLAGS_DRV_MODE;
	return q.prog_id;
}

/* The counter map of kscope's program on @ifindex, or a negative errno. */
static int xdp_stats_map(int ifindex)
{
	struct bpf_prog_info pinfo = {};
	struct bpf_map_info minfo;
	__u32 ids[8], len, mode, i, id;
	int pfd, mfd, ret = -ENOENT;

	id = xdp_prog_id(ifindex, &mode);
	if (!id)
		return -ENOENT;
	pfd = bpf_prog_get_fd_by_id(id);
	if (pfd < 0)
		return -errno;
	pinfo.nr_map_ids = ARRAY_SIZE(ids);
	pinfo.map_ids = (uintptr_t)ids;
	len = sizeof(pinfo);
	if (bpf_obj_get_info_by_fd(pfd, &pinfo, &len)) {
		ret = -errno;
		goto close_prog;
	}
	if (!strcmp(pinfo.name, KS_XDP_PASS_NAME)) {
		ret = -ENODATA;
		goto close_prog;
	}
	if (strcmp(pinfo.name, KS_XDP_PROG_NAME)) {
		ret = -EXDEV;
		goto close_prog;
	}
	for (i = 0; i < pinfo.nr_map_ids && i < ARRAY_SIZE(ids); i++) {
		mfd = bpf_map_get_fd_by_id(ids[i]);
		if (mfd < 0)
			continue;
		memset(&minfo, 0, sizeof(minfo));
		len = sizeof(minfo);
		if (!bpf_obj_get_info_by_fd(mfd, &minfo, &len) &&
		    !strcmp(minfo.name, KS_XDP_MAP_NAME)) {
			ret = mfd;
			break;
		}
		close(mfd);
	}
close_prog:
	close(pfd);
	return ret;
}

/* Sums of the program's per-CPU counters on @ifindex. */
static int xdp_read(int ifindex, uint64_t *vals)
{
	int ncpu = libbpf_num_possible_cpus(), mfd, err = 0;
	uint64_t *percpu;
	__u32 k;
	int c;

	if (ncpu < 0)
		return ncpu;
	mfd = xdp_stats_map(ifindex);
	if (mfd < 0)
		return mfd;
	percpu = calloc(ncpu, sizeof(*percpu));
	if (!percpu) {
		err = -ENOMEM;
		goto out;
	}
	for (k = 0; k < KS_XDP_NR_CTRS; k++) {
		if (bpf_map_lookup_elem(mfd, &k, percpu)) {
			err = -errno;
			break;
		}
		vals[k] = 0;
		for (c = 0; c < ncpu; c++)
			vals[k] += percpu[c];
	}
	free(percpu);
out:
	close(mfd);
	return err;
}

/*
 * For `kscope stat`: one "xdp:DEV" entry per device of this namespace
 * running kscope's XDP program. Nothing when there is none.
 */
void ks_xdp_stats_add(struct ks_stats_list *l)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	uint64_t vals[KS_XDP_NR_CTRS];
	struct ks_stats *s;
	char name[IFNAMSIZ + 8];
	unsigned int k;

	if (!ifs)
		return;
	libbpf_set_print(xdp_libbpf_print);
	for (i = ifs; i->if_index; i++) {
		if (xdp_read(i->if_index, vals))
			continue;
		snprintf(name, sizeof(name), "xdp:%s", i->if_name);
		s = ks_stats_list_add(l, name);
		if (!s)
			break;
		for (k = 0; k < KS_XDP_NR_CTRS; k++)
			ks_ctrs_add(&s->total, ks_xdp_ctr_names[k], vals[k]);
	}
	if_freenameindex(ifs);
}

const struct ks_sub ks_xdp_subs[] = {
	{ "attach", "DEV", (const struct ks_opt[]){
		{ "mode", 'm', "native|skb", "driver (native, the default) or generic (skb) XDP" },
		{ "pass", 'p', NULL, "a pass-through program instead (for a veth peer in native mode)" },
		{ "any", 'a', NULL, "answer every unicast echo request DEV receives, tagged or not, whatever its addresses" },
		{ NULL } },
	  "load the responder on DEV (CAP_BPF and CAP_NET_ADMIN); it answers what the stack would, as DEV's addresses and the echo sysctls are now" },
	{ "detach", "DEV", NULL, "unload kscope's program from DEV (another program is left alone)" },
	{ "stats", "DEV", NULL, "the responder's counters on DEV (also in kscope stat, as xdp:DEV)" },
	{ NULL }
};

int cmd_xdp(int argc, char **argv)
{
	uint64_t vals[KS_XDP_NR_CTRS];
	__u32 mode = XDP_FLAGS_DRV_MODE, cur = 0;
	const char *op, *dev, *prog = KS_XDP_PROG_NAME;
	unsigned int k;
	int c, ifindex, err, status;
	bool any = false;

	if (argc < 2 || !ks_find_sub(ks_find_cmd("xdp"), argv[1]))
		return ks_usage_error("xdp", "expects attach|detach|stats DEV");
	op = argv[1];
	argc--;
	argv++;
	while ((c = ks_getopt(argc, argv, "xdp", op, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'm':
			if (!strcmp(optarg, "native"))
				mode = XDP_FLAGS_DRV_MODE;
			else if (!strcmp(optarg, "skb"))
				mode = XDP_FLAGS_SKB_MODE;
			else
				return ks_sub_usage_error("xdp", op,
							  "mode is 'native' or 'skb', not '%s'",
							  optarg);
			break;
		case 'p':
			prog = KS_XDP_PASS_NAME;
			break;
		case 'a':
			any = true;
			break;
		}
	}
	if (argc - optind != 1)
		return ks_sub_usage_error("xdp", op, "expects one DEV");
	dev = argv[optind];
	ifindex = if_nametoindex(dev);
	if (!ifindex) {
		ks_err("xdp: no device '%s'", dev);
		return 1;
	}
	libbpf_set_print(xdp_libbpf_print);

	if (!strcmp(op, "attach"))
		return xdp_attach(ifindex, dev, mode, prog, any);
	if (!strcmp(op, "detach")) {
		if (!xdp_prog_id(ifindex, &cur)) {
			if (geteuid())
				ks_err("xdp: %s: cannot see its XDP program: need CAP_BPF and CAP_NET_ADMIN (run as root)",
				       dev);
			else
				ks_err("xdp: %s has no XDP program", dev);
			return 1;
		}
		err = xdp_stats_map(ifindex);
		if (err == -EXDEV) {
			ks_err("xdp: the XDP program on %s is not kscope's; left alone", dev);
			return 1;
		}
		if (err >= 0)
			close(err);
		/* -ENODATA: our pass-through program, detached like the responder */
		err = bpf_xdp_detach(ifindex, cur, NULL);
		if (err) {
			xdp_fail("detaching from", dev, err);
			return 1;
		}
		return 0;
	}
	if (!strcmp(op, "stats")) {
		err = xdp_read(ifindex, vals);
		if (err == -EXDEV || err == -ENOENT || err == -ENODATA) {
			if (err == -ENOENT && geteuid())
				xdp_fail("reading the counters of", dev, -EPERM);
			else
				ks_err("xdp: %s has no kscope XDP echo responder", dev);
			return 1;
		}
		if (err) {
			xdp_fail("reading the counters of", dev, err);
			return 1;
		}
		xdp_prog_id(ifindex, &cur);
		if (opt_json) {
			ks_json_begin("xdp");
			fputs(",\"device\":", stdout);
			json_str(stdout, dev);
			printf(",\"mode\":\"%s\",\"counters\":{",
			       cur == XDP_FLAGS_SKB_MODE ? "skb" : "native");
			for (k = 0; k < KS_XDP_NR_CTRS; k++)
				printf("%s\"%s\":%" PRIu64, k ? "," : "",
				       ks_xdp_ctr_names[k], vals[k]);
			printf("}}\n");
		} else {
			printf("xdp:%s mode %s\n", dev,
			       cur == XDP_FLAGS_SKB_MODE ? "skb" : "native");
			for (k = 0; k < KS_XDP_NR_CTRS; k++)
				printf("  %s %" PRIu64 "\n", ks_xdp_ctr_names[k], vals[k]);
		}
		return 0;
	}
	return ks_usage_error("xdp", "unknown operation '%s'", op);
}
