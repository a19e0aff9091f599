// SPDX-License-Identifier: GPL-2.0
/*
 * Request/response over generic netlink: family resolution through nlctrl,
 * ACK and NLMSG_DONE handling with the kernel's extended ack message.
 *
 * The reply loop is written out instead of using mnl_cb_run() so that stale
 * messages (another sequence number) are skipped rather than fatal, an
 * error in the middle of a dump still drains it, and NLMSG_DONE's error
 * code and extack are seen.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "kscope.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

/* Large enough for any skb the kernel builds for us (dumps cap at 32k). */
#define KS_RECV_BUFSZ	(1 << 20)

int ks_nl_open(struct ks_nl *nl)
{
	int one = 1;
	int err;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(KS_RECV_BUFSZ);
	if (!nl->buf)
		return -ENOMEM;
	nl->bufsz = KS_RECV_BUFSZ;

	nl->sk = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sk) {
		err = -errno;
		goto free_buf;
	}
	/* Both are best effort: older kernels just give plain errors. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = -errno;
		goto close_sk;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	nl->seq = (unsigned int)time(NULL);
	return 0;

close_sk:
	mnl_socket_close(nl->sk);
	nl->sk = NULL;
free_buf:
	free(nl->buf);
	nl->buf = NULL;
	return err;
}

void ks_nl_close(struct ks_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	nl->sk = NULL;
	nl->buf = NULL;
}

struct nlmsghdr *ks_nl_msg(struct ks_nl *nl, void *buf, uint8_t cmd,
			   uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* attribute padding is sent as is: no stack garbage to the kernel */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = nl->family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = KSCOPE_GENL_VERSION;
	return nlh;
}

/* Each source's request nest (replies carry it in KSCOPE_A_CTL). */
static const struct {
	const char *source;
	uint16_t attr;
} ks_ctl_attrs[] = {
	{ "testgen", KSCOPE_A_CTL_TESTGEN },
	{ "tcp", KSCOPE_A_CTL_TCP },
	{ "blk", KSCOPE_A_CTL_BLK },
	{ "net", KSCOPE_A_CTL_NET },
	{ "vfs", KSCOPE_A_CTL_VFS },
	{ "mem", KSCOPE_A_CTL_MEM },
	{ "sched", KSCOPE_A_CTL_SCHED },
	{ "probe", KSCOPE_A_CTL_PROBE },
};

struct nlattr *ks_nl_ctl_start(struct nlmsghdr *nlh, const char *source)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ks_ctl_attrs); i++)
		if (!strcmp(ks_ctl_attrs[i].source, source))
			break;
	/* a subcommand names its own source: a typo is this program's bug */
	if (i == ARRAY_SIZE(ks_ctl_attrs)) {
		fprintf(stderr, "kscope: no request nest for source \"%s\"\n",
			source);
		abort();
	}
	mnl_attr_put_strz(nlh, KSCOPE_A_SOURCE, source);
	return mnl_attr_nest_start(nlh, ks_ctl_attrs[i].attr);
}

static int extack_attr_cb(const struct nlattr *attr, void *data)
{
	struct ks_nl *nl = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(nl->extack, sizeof(nl->extack), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

/* The TLVs of an error/done message start at @off into its payload. */
static void parse_extack(struct ks_nl *nl, const struct nlmsghdr *nlh,
			 size_t off)
{
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < off)
		return;
	mnl_attr_parse(nlh, off, extack_attr_cb, nl);
}

static int handle_error(struct ks_nl *nl, const struct nlmsghdr *nlh)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	size_t off = sizeof(*e);

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e))
		return -EBADMSG;
	/* Without NETLINK_CAP_ACK the request is echoed before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(struct nlmsghdr);
	parse_extack(nl, nlh, off);
	/* error 0 is the ACK; the kernel's errors are negative */
	return e->error > 0 ? -e->error : e->error;
}

static int handle_done(struct ks_nl *nl, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return 0;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	parse_extack(nl, nlh, sizeof(int));
	return err > 0 ? -err : err;
}

int ks_nl_talk(struct ks_nl *nl, struct nlmsghdr *nlh, ks_reply_fn fn,
	       void *data)
{
	unsigned int seq = nlh->nlmsg_seq;
	int cb_err = 0;

	nl->extack[0] = '\0';
	if (!(nlh->nlmsg_flags & NLM_F_DUMP))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;

	for (;;) {
		const struct nlmsghdr *m;
		ssize_t len;
		int left;

		len = mnl_socket_recvfrom(nl->sk, nl->buf, nl->bufsz);
		if (len < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		left = (int)len;
		for (m = (const struct nlmsghdr *)nl->buf;
		     mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
			int err;

			if (m->nlmsg_seq != seq ||
			    (m->nlmsg_pid && m->nlmsg_pid != nl->portid))
				continue;	/* left over from an old request */
			switch (m->nlmsg_type) {
			case NLMSG_NOOP:
				continue;
			case NLMSG_ERROR:
				err = handle_error(nl, m);
				return cb_err ? cb_err : err;
			case NLMSG_DONE:
				err = handle_done(nl, m);
				return cb_err ? cb_err : err;
			case NLMSG_OVERRUN:
				return -ENOBUFS;
			}
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				cb_err = cb_err ? cb_err : -EINTR;
			if (!cb_err && fn)
				cb_err = fn(m, data);
		}
	}
}

void ks_nl_report(const struct ks_nl *nl, const char *op, int err)
{
	if (err == -EPERM || err == -EACCES) {
		if (nl->extack[0])
			ks_err("%s: permission denied (%s): need CAP_NET_ADMIN (run as root)",
			       op, nl->extack);
		else
			ks_err("%s: permission denied: need CAP_NET_ADMIN (run as root)",
			       op);
		return;
	}
	if (nl->extack[0])
		ks_err("%s: %s: %s", op, strerror(-err), nl->extack);
	else
		ks_err("%s: %s", op, strerror(-err));
}

const struct nlattr *ks_reply_ctl(const struct nlmsghdr *nlh)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN)
		if (mnl_attr_get_type(a) == KSCOPE_A_CTL)
			return a;
	return NULL;
}

struct page_walk {
	uint16_t cursor_attr;
	bool more;
	uint32_t next;
	ks_reply_fn fn;
	void *data;
};

static int page_cb(const struct nlmsghdr *nlh, void *data)
{
	struct page_walk *pw = data;
	const struct nlattr *ctl = ks_reply_ctl(nlh), *b;

	if (ctl)
		mnl_attr_for_each_nested(b, ctl)
			if (mnl_attr_get_type(b) == pw->cursor_attr &&
			    mnl_attr_get_payload_len(b) == sizeof(uint32_t)) {
				pw->next = mnl_attr_get_u32(b);
				pw->more = true;
			}
	return pw->fn(nlh, pw->data);
}

int ks_source_pages(const char *source, uint16_t cursor_attr, uint32_t first,
		    ks_reply_fn fn, void *data, const char *what)
{
	struct page_walk pw = { .cursor_attr = cursor_attr, .fn = fn,
				.data = data };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t from = first;
	int err, status = 1;
	struct ks_nl nl;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	do {
		nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL_GET, 0);
		nest = ks_nl_ctl_start(nlh, source);
		mnl_attr_put_u32(nlh, cursor_attr, from);
		mnl_attr_nest_end(nlh, nest);
		pw.more = false;
		err = ks_nl_talk(&nl, nlh, page_cb, &pw);
		if (err) {
			ks_nl_report_source(&nl, what, source, err);
			goto out;
		}
		if (pw.more && pw.next <= from) {
			ks_err("%s: the module went back from %u to %u",
			       what, from, pw.next);
			goto out;
		}
		from = pw.next;
	} while (pw.more);
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* the sources kscope's modules register, and the module of each */
static const struct {
	const char *source, *module;
} ks_modules[] = {
	{ "core", "kscope_core" }, { "tcp", "kscope_tcp" },
	{ "blk", "kscope_blk" }, { "net", "kscope_net" },
	{ "vfs", "kscope_vfs" }, { "mem", "kscope_mem" },
	{ "sched", "kscope_sched" }, { "probe", "kscope_probe" },
	{ "testgen", "kscope_testgen" }, { "testgen_hist", "kscope_testgen" },
};

const char *ks_source_module(const char *name, char *buf, size_t len)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ks_modules); i++)
		if (!strcmp(ks_modules[i].source, name)) {
			snprintf(buf, len, "%s", ks_modules[i].module);
			return buf;
		}
	return NULL;
}

void ks_nl_report_source(const struct ks_nl *nl, const char *op,
			 const char *source, int err)
{
	char mod[32];

	/*
	 * ENOENT is also a source's own answer (no such probe, device...):
	 * the core's extack says when the source itself is missing
	 */
	if (err != -ENOENT || (nl->extack[0] && !strstr(nl->extack, "no source") &&
			       !strstr(nl->extack, "no such source") &&
			       !strstr(nl->extack, "being unloaded"))) {
		ks_nl_report(nl, op, err);
		return;
	}
	if (ks_source_module(source, mod, sizeof(mod)))
		ks_err("%s is not loaded (modprobe %s)", mod, mod);
	else
		ks_err("unknown source \"%s\" (kscope list: the sources loaded)",
		       source);
}

/* ---- family resolution ---- */

static int mcgrp_cb(struct ks_nl *nl, const struct nlattr *grp)
{
	const struct nlattr *a;
	const char *name = NULL;
	uint32_t id = 0;

	mnl_attr_for_each_nested(a, grp) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_MCAST_GRP_NAME:
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
				name = mnl_attr_get_str(a);
			break;
		case CTRL_ATTR_MCAST_GRP_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) == 0)
				id = mnl_attr_get_u32(a);
			break;
		}
	}
	if (name && !strcmp(name, KSCOPE_MCGRP_EVENTS))
		nl->mcgrp = id;
	return 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ks_nl *nl = data;
	const struct nlattr *a, *g;
	bool have_id = false;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
				return -EBADMSG;
			nl->family = mnl_attr_get_u16(a);
			have_id = true;
			break;
		case CTRL_ATTR_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			nl->version = mnl_attr_get_u32(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EBADMSG;
			mnl_attr_for_each_nested(g, a)
				mcgrp_cb(nl, g);
			break;
		}
	}
	return have_id ? 0 : -EBADMSG;
}

int ks_nl_connect(struct ks_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	int err;

	err = ks_nl_open(nl);
	if (err)
		return err;

	/* nlctrl speaks its own version; the rest of the header is ours */
	nl->family = GENL_ID_CTRL;
	nlh = ks_nl_msg(nl, buf, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, KSCOPE_GENL_NAME);

	err = ks_nl_talk(nl, nlh, family_cb, nl);
	if (err)
		return err;
	if (nl->family == GENL_ID_CTRL)
		return -EBADMSG;
	if (nl->version != KSCOPE_GENL_VERSION)
		return -EPROTO;
	return 0;
}

bool ks_other_netns(void)
{
	struct stat self, init;

	/* /proc/1/ns is root's: for anyone else, no answer (false) */
	if (stat("/proc/self/ns/net", &self) || stat("/proc/1/ns/net", &init))
		return false;
	return self.st_ino != init.st_ino || self.st_dev != init.st_dev;
}

void ks_core_missing(void)
{
	/* the kscope family lives in the initial network namespace only */
	if (ks_other_netns())
		ks_err("the kscope family is not in this network namespace: run kscope in the initial one (kscope_core's family is not netns-aware)");
	else
		ks_err("kscope_core is not loaded (modprobe kscope_core)");
}

void ks_nl_connect_report(const struct ks_nl *nl, int err)
{
	switch (err) {
	case -ENOENT:
		ks_core_missing();
		break;
	case -EPROTO:
		ks_err("kernel speaks kscope protocol v%u, this reader v%u: use the reader built with the loaded modules",
		       nl->version, KSCOPE_GENL_VERSION);
		break;
	default:
		ks_nl_report(nl, "resolving the \"" KSCOPE_GENL_NAME
			     "\" family", err);
	}
}
