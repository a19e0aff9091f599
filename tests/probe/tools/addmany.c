// SPDX-License-Identifier: GPL-2.0
/*
 * addmany: add a kscope probe on every function named on stdin (one a
 * line) over one netlink socket, as `kscope probe add NAME` would, without
 * a process per probe (an exec costs ~170 ms in a TCG guest). Prints each
 * refusal as "NAME: errno: extack", then "added N failed M"; every 100
 * adds, the time they took on stderr. Exit 0 unless addmany itself failed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/kscope.h>

static char buf[65536];
static char extack[256];

static int err_attr_cb(const struct nlattr *a, void *data)
{
	(void)data;
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(extack, sizeof(extack), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

static int fam_attr_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

/* 0 or a positive errno; a data reply may carry the family id (*fam) */
static int talk(struct mnl_socket *nl, struct nlmsghdr *req, int *fam)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	int n;

	extack[0] = '\0';
	req->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return errno;
	for (;;) {
		struct nlmsghdr *h;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return errno;
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != req->nlmsg_seq ||
			    (h->nlmsg_pid && h->nlmsg_pid != portid))
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = mnl_nlmsg_get_payload(h);
				unsigned int off = sizeof(*e);

				if (!(h->nlmsg_flags & NLM_F_CAPPED))
					off += e->msg.nlmsg_len - sizeof(e->msg);
				if (h->nlmsg_flags & NLM_F_ACK_TLVS)
					mnl_attr_parse(h, off, err_attr_cb, NULL);
				return -e->error;
			}
			if (fam)
				mnl_attr_parse(h, sizeof(struct genlmsghdr),
					       fam_attr_cb, fam);
		}
	}
}

static struct nlmsghdr *msg(char *req, int type, int cmd, unsigned int seq)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(req);
	struct genlmsghdr *g;

	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = cmd;
	g->version = type == GENL_ID_CTRL ? 1 : KSCOPE_GENL_VERSION;
	return h;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
	static char req[8192];
	unsigned int seq = 1, added = 0, failed = 0;
	struct mnl_socket *nl;
	struct nlmsghdr *h;
	struct nlattr *nest;
	char line[512];
	int one = 1, fam = -1, err;
	double t0 = now();

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("addmany: netlink");
		return 2;
	}
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	h = msg(req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, seq++);
	mnl_attr_put_strz(h, CTRL_ATTR_FAMILY_NAME, KSCOPE_GENL_NAME);
	err = talk(nl, h, &fam);
	if (err || fam < 0) {
		fprintf(stderr, "addmany: no %s family: %s\n", KSCOPE_GENL_NAME,
			strerror(err));
		return 2;
	}
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = '\0';
		if (!line[0])
			continue;
		memset(req, 0, sizeof(req));
		h = msg(req, fam, KSCOPE_CMD_CTL, seq++);
		mnl_attr_put_strz(h, KSCOPE_A_SOURCE, "probe");
		nest = mnl_attr_nest_start(h, KSCOPE_A_CTL_PROBE);
		mnl_attr_put_u8(h, KSCOPE_PROBE_OP, KSCOPE_PROBE_OP_ADD);
		mnl_attr_put_strz(h, KSCOPE_PROBE_SYMBOL, line);
		mnl_attr_nest_end(h, nest);
		err = talk(nl, h, NULL);
		if (err) {
			printf("%s: %s: %s\n", line, strerror(err), extack);
			failed++;
		} else if (++added % 100 == 0) {
			fprintf(stderr, "%u added, %.1f s\n", added, now() - t0);
		}
	}
	printf("added %u failed %u\n", added, failed);
	mnl_socket_close(nl);
	return 0;
}
