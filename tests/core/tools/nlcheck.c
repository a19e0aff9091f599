// SPDX-License-Identifier: GPL-2.0
/*
 * nlcheck: send one hand-built request to the kscope genl family and print
 * how the kernel answered, so tests can feed it malformed input:
 *
 *   nlcheck [--dump] [--reserved N] [--family NAME] CMD [ATTR...]
 *   nlcheck --join GROUP             (subscribe to a multicast group)
 *
 * ATTR: u8:T:V u16:T:V u32:T:V u64:T:V str:T:S (NUL-terminated)
 *       bin:T:HEX (raw bytes, e.g. a string without its NUL) flag:T
 *       nest:T ... end
 * Prints "ok" or "errno=NAME extack=MSG" (MSG empty when none); exit 0
 * unless nlcheck itself failed (exit 2).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

static char buf[65536];
static const char *extack_msg;

static const char *errname(int e)
{
	switch (e) {
	case EINVAL: return "EINVAL";
	case ENOENT: return "ENOENT";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ERANGE: return "ERANGE";
	case EBUSY: return "EBUSY";
	case EMSGSIZE: return "EMSGSIZE";
	case EAGAIN: return "EAGAIN";
	default: return strerror(e);
	}
}

static int err_attr_cb(const struct nlattr *a, void *data __attribute__((unused)))
{
	if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		extack_msg = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* Returns 0 on success or a positive errno; extack_msg set if given. */
static int talk(struct mnl_socket *nl, struct nlmsghdr *req)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	unsigned int seq = req->nlmsg_seq;
	int n;

	if (mnl_socket_sendto(nl, req, req->nlmsg_len) < 0)
		return errno;
	for (;;) {
		struct nlmsghdr *h;

		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return errno;
		for (h = (struct nlmsghdr *)buf; mnl_nlmsg_ok(h, n);
		     h = mnl_nlmsg_next(h, &n)) {
			if (h->nlmsg_seq != seq || h->nlmsg_pid != portid)
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
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (!(h->nlmsg_flags & NLM_F_MULTI))
				return 0;
		}
	}
}

static int family_id(struct mnl_socket *nl, const char *name, int *grp,
		     const char *group);

struct fam {
	int id;
	int grp;
	const char *group;
};

static int grp_cb(const struct nlattr *a, void *data)
{
	struct fam *f = data;
	struct nlattr *g;

	mnl_attr_for_each_nested(g, a) {
		const char *name = NULL;
		int id = -1;
		struct nlattr *x;

		mnl_attr_for_each_nested(x, g) {
			if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(x);
			else if (mnl_attr_get_type(x) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(x);
		}
		if (name && f->group && !strcmp(name, f->group))
			f->grp = id;
	}
	return MNL_CB_OK;
}

static int fam_attr_cb(const struct nlattr *a, void *data)
{
	struct fam *f = data;

	if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
		f->id = mnl_attr_get_u16(a);
	else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
		grp_cb(a, f);
	return MNL_CB_OK;
}

static int fam_cb(const struct nlmsghdr *h, void *data)
{
	mnl_attr_parse(h, sizeof(struct genlmsghdr), fam_attr_cb, data);
	return MNL_CB_OK;
}

static int family_id(struct mnl_socket *nl, const char *name, int *grp,
		     const char *group)
{
	char req[512];
	struct nlmsghdr *h = mnl_nlmsg_put_header(req);
	struct genlmsghdr *g;
	struct fam f = { .id = -1, .grp = -1, .group = group };
	int n;

	h->nlmsg_type = GENL_ID_CTRL;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	h->nlmsg_seq = 1;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(h, CTRL_ATTR_FAMILY_NAME, name);
	if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
		return -1;
	while ((n = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		if (mnl_cb_run(buf, n, 1, mnl_socket_get_portid(nl), fam_cb,
			       &f) <= MNL_CB_STOP)
			break;
	}
	*grp = f.grp;
	return f.id;
}

int main(int argc, char **argv)
{
	const char *family = "kscope", *join = NULL;
	struct nlattr *nests[8];
	int nnest = 0, dump = 0, reserved = 0, one = 1, grp, id, i, ret;
	struct mnl_socket *nl;
	struct genlmsghdr *g;
	struct nlmsghdr *h;
	static char req[8192];

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--dump"))
			dump = 1;
		else if (!strcmp(argv[i], "--reserved") && i + 1 < argc)
			reserved = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--family") && i + 1 < argc)
			family = argv[++i];
		else if (!strcmp(argv[i], "--join") && i + 1 < argc)
			join = argv[++i];
		else
			goto usage;
	}
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlcheck: socket");
		return 2;
	}
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_EXT_ACK, &one,
		   sizeof(one));
	setsockopt(mnl_socket_get_fd(nl), SOL_NETLINK, NETLINK_CAP_ACK, &one,
		   sizeof(one));
	id = family_id(nl, family, &grp, join);
	if (id < 0) {
		fprintf(stderr, "nlcheck: no family %s\n", family);
		return 2;
	}
	if (join) {
		if (grp < 0) {
			fprintf(stderr, "nlcheck: no group %s\n", join);
			return 2;
		}
		if (mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &grp,
					  sizeof(grp)) < 0)
			printf("errno=%s extack=\n", errname(errno));
		else
			printf("ok\n");
		return 0;
	}
	if (i >= argc)
		goto usage;

	h = mnl_nlmsg_put_header(req);
	h->nlmsg_type = id;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (dump ? NLM_F_DUMP : 0);
	h->nlmsg_seq = 2;
	g = mnl_nlmsg_put_extra_header(h, sizeof(*g));
	g->cmd = atoi(argv[i++]);
	g->version = 1;
	g->reserved = reserved;
	for (; i < argc; i++) {
		char kind[8] = "";
		unsigned int type = 0;
		int off = 0;

		if (!strcmp(argv[i], "end")) {
			if (!nnest)
				goto usage;
			mnl_attr_nest_end(h, nests[--nnest]);
			continue;
		}
		if (sscanf(argv[i], "%7[a-z0-9]:%u%n", kind, &type, &off) < 2)
			goto usage;
		const char *v = argv[i] + off + (argv[i][off] == ':');

		if (!strcmp(kind, "u8"))
			mnl_attr_put_u8(h, type, strtoul(v, NULL, 0));
		else if (!strcmp(kind, "u16"))
			mnl_attr_put_u16(h, type, strtoul(v, NULL, 0));
		else if (!strcmp(kind, "u32"))
			mnl_attr_put_u32(h, type, strtoul(v, NULL, 0));
		else if (!strcmp(kind, "u64"))
			mnl_attr_put_u64(h, type, strtoull(v, NULL, 0));
		else if (!strcmp(kind, "str"))
			mnl_attr_put_strz(h, type, v);
		else if (!strcmp(kind, "flag"))
			mnl_attr_put(h, type, 0, NULL);
		else if (!strcmp(kind, "bin")) {
			unsigned char raw[1024];
			size_t n = 0;

			while (v[0] && v[1] && n < sizeof(raw)) {
				sscanf(v, "%2hhx", &raw[n++]);
				v += 2;
			}
			mnl_attr_put(h, type, n, raw);
		} else if (!strcmp(kind, "nest") && nnest < 8)
			nests[nnest++] = mnl_attr_nest_start(h, type);
		else
			goto usage;
	}
	ret = talk(nl, h);
	if (ret)
		printf("errno=%s extack=%s\n", errname(ret),
		       extack_msg ? extack_msg : "");
	else
		printf("ok\n");
	mnl_socket_close(nl);
	return 0;

usage:
	fprintf(stderr, "usage: nlcheck [--dump] [--reserved N] CMD [ATTR...] | nlcheck --join GROUP\n");
	return 2;
}
