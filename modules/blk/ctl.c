// SPDX-License-Identifier: GPL-2.0
/*
 * Netlink requests of the "blk" source: add, remove and tune devices
 * (KSCOPE_CMD_CTL, admin only) and list them with their statistics
 * (KSCOPE_CMD_CTL_GET). The policy is strict; every rejection carries
 * an extack message.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include "kblk.h"

/* Attributes a request may carry, per op (anything else is rejected). */
static const u32 kblk_config_attrs =
	BIT(KSCOPE_BLK_PROFILE) | BIT(KSCOPE_BLK_SIZE_MB) |
	BIT(KSCOPE_BLK_QUEUES) | BIT(KSCOPE_BLK_DEPTH) | BIT(KSCOPE_BLK_LBS) |
	BIT(KSCOPE_BLK_PBS) | BIT(KSCOPE_BLK_MAX_SEGMENTS) |
	BIT(KSCOPE_BLK_MAX_SECTORS) | BIT(KSCOPE_BLK_ROTATIONAL) |
	BIT(KSCOPE_BLK_WCACHE) | BIT(KSCOPE_BLK_FUA) | BIT(KSCOPE_BLK_DISCARD) |
	BIT(KSCOPE_BLK_COMPLETION) | BIT(KSCOPE_BLK_BW_MBPS) |
	BIT(KSCOPE_BLK_SLOW_NS) | BIT(KSCOPE_BLK_POLL_QUEUES);

static int kblk_parse(struct nlattr *ctl, struct nlattr **tb,
		      struct genl_info *info)
{
	if (!ctl) {
		NL_SET_ERR_MSG(info->extack, "blk needs KSCOPE_A_CTL_BLK");
		return -EINVAL;
	}
	return nla_parse_nested(tb, KSCOPE_BLK_MAX, ctl, kscope_blk_policy,
				info->extack);
}

static int kblk_only(struct nlattr **tb, u32 allowed, struct genl_info *info)
{
	unsigned int i;

	for (i = 1; i <= KSCOPE_BLK_MAX; i++) {
		if (tb[i] && !(allowed & BIT(i))) {
			NL_SET_ERR_MSG_ATTR(info->extack, tb[i],
					    "attribute not valid for this request");
			return -EINVAL;
		}
	}
	return 0;
}

static void kblk_config_from(struct kblk_config *c, struct nlattr **tb)
{
	enum kscope_blk_profile p = tb[KSCOPE_BLK_PROFILE] ?
		nla_get_u8(tb[KSCOPE_BLK_PROFILE]) : KSCOPE_BLK_PROFILE_NVME;

	kblk_config_defaults(c, p);
	nla_strscpy(c->name, tb[KSCOPE_BLK_NAME], sizeof(c->name));
#define U32(a, f) do { if (tb[a]) c->f = nla_get_u32(tb[a]); } while (0)
#define U8(a, f) do { if (tb[a]) c->f = nla_get_u8(tb[a]); } while (0)
	U32(KSCOPE_BLK_SIZE_MB, size_mb);
	U32(KSCOPE_BLK_QUEUES, queues);
	U32(KSCOPE_BLK_POLL_QUEUES, poll_queues);
	U32(KSCOPE_BLK_DEPTH, depth);
	U32(KSCOPE_BLK_LBS, lbs);
	U32(KSCOPE_BLK_PBS, pbs);
	U32(KSCOPE_BLK_MAX_SEGMENTS, max_segments);
	U32(KSCOPE_BLK_MAX_SECTORS, max_sectors);
	U8(KSCOPE_BLK_ROTATIONAL, rotational);
	U8(KSCOPE_BLK_WCACHE, wcache);
	U8(KSCOPE_BLK_DISCARD, discard);
	U8(KSCOPE_BLK_COMPLETION, completion);
	U32(KSCOPE_BLK_BW_MBPS, bw_mbps);
#undef U32
#undef U8
	/* no write cache means no FUA, unless FUA was asked for (rejected) */
	if (tb[KSCOPE_BLK_FUA])
		c->fua = nla_get_u8(tb[KSCOPE_BLK_FUA]);
	else if (!c->wcache)
		c->fua = false;
	if (tb[KSCOPE_BLK_SLOW_NS])
		c->slow_ns = nla_get_u64(tb[KSCOPE_BLK_SLOW_NS]);
}

int kblk_ctl(struct kscope_source *src, struct nlattr *ctl,
	     struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_BLK_MAX + 1];
	struct kblk_why why = { .extack = info->extack };
	struct kblk_config *cfg;
	struct kblk_dev *dev;
	char name[KBLK_NAME_MAX];
	int ret;
	u8 op;

	ret = kblk_parse(ctl, tb, info);
	if (ret)
		return ret;
	if (!tb[KSCOPE_BLK_OP]) {
		NL_SET_ERR_MSG_ATTR(info->extack, ctl, "blk needs an op");
		return -EINVAL;
	}
	if (!tb[KSCOPE_BLK_NAME]) {
		NL_SET_ERR_MSG_ATTR(info->extack, ctl, "blk needs a device name");
		return -EINVAL;
	}
	nla_strscpy(name, tb[KSCOPE_BLK_NAME], sizeof(name));
	op = nla_get_u8(tb[KSCOPE_BLK_OP]);
	/* a refusal points at the device named */
	why.attr = tb[KSCOPE_BLK_NAME];

	switch (op) {
	case KSCOPE_BLK_OP_ADD:
		ret = kblk_only(tb, kblk_config_attrs | BIT(KSCOPE_BLK_OP) |
				BIT(KSCOPE_BLK_NAME), info);
		if (ret)
			return ret;
		cfg = kmalloc(sizeof(*cfg), GFP_KERNEL);
		if (!cfg)
			return -ENOMEM;
		kblk_config_from(cfg, tb);
		ret = kblk_dev_add(cfg, &why);
		kfree(cfg);
		break;
	case KSCOPE_BLK_OP_DEL:
		ret = kblk_only(tb, BIT(KSCOPE_BLK_OP) | BIT(KSCOPE_BLK_NAME),
				info);
		if (ret)
			return ret;
		ret = kblk_dev_del(name, &why);
		break;
	default: /* SET */
		ret = kblk_only(tb, BIT(KSCOPE_BLK_OP) | BIT(KSCOPE_BLK_NAME) |
				BIT(KSCOPE_BLK_SLOW_NS), info);
		if (ret)
			return ret;
		if (!tb[KSCOPE_BLK_SLOW_NS]) {
			NL_SET_ERR_MSG_ATTR(info->extack, ctl,
					    "set needs a slow-request threshold");
			return -EINVAL;
		}
		mutex_lock(&kblk_lock);
		dev = kblk_dev_find(name);
		if (dev && !dev->deleting) {
			WRITE_ONCE(dev->slow_ns,
				   nla_get_u64(tb[KSCOPE_BLK_SLOW_NS]));
		} else {
			kblk_why_set(&why, "no device of that name");
			ret = -ENODEV;
		}
		mutex_unlock(&kblk_lock);
		break;
	}
	return ret;
}

static int kblk_put_config(struct sk_buff *skb, struct kblk_dev *dev)
{
	const struct kblk_config *c = &dev->cfg;

	if (nla_put_string(skb, KSCOPE_BLK_NAME, c->name) ||
	    nla_put_string(skb, KSCOPE_BLK_DISK, dev->disk->disk_name) ||
	    nla_put_u8(skb, KSCOPE_BLK_PROFILE, c->profile) ||
	    nla_put_u32(skb, KSCOPE_BLK_SIZE_MB, c->size_mb) ||
	    nla_put_u32(skb, KSCOPE_BLK_QUEUES, c->queues) ||
	    nla_put_u32(skb, KSCOPE_BLK_POLL_QUEUES, c->poll_queues) ||
	    nla_put_u32(skb, KSCOPE_BLK_DEPTH, c->depth) ||
	    nla_put_u32(skb, KSCOPE_BLK_LBS, c->lbs) ||
	    nla_put_u32(skb, KSCOPE_BLK_PBS, c->pbs) ||
	    nla_put_u32(skb, KSCOPE_BLK_MAX_SEGMENTS, c->max_segments) ||
	    nla_put_u32(skb, KSCOPE_BLK_MAX_SECTORS, c->max_sectors) ||
	    nla_put_u8(skb, KSCOPE_BLK_ROTATIONAL, c->rotational) ||
	    nla_put_u8(skb, KSCOPE_BLK_WCACHE, c->wcache) ||
	    nla_put_u8(skb, KSCOPE_BLK_FUA, c->fua) ||
	    nla_put_u8(skb, KSCOPE_BLK_DISCARD, c->discard) ||
	    nla_put_u8(skb, KSCOPE_BLK_COMPLETION, c->completion) ||
	    nla_put_u32(skb, KSCOPE_BLK_BW_MBPS, c->bw_mbps) ||
	    nla_put_u64_64bit(skb, KSCOPE_BLK_SLOW_NS, READ_ONCE(dev->slow_ns),
			      KSCOPE_BLK_PAD) ||
	    nla_put_u32(skb, KSCOPE_BLK_OPENERS, disk_openers(dev->disk)) ||
	    nla_put_u64_64bit(skb, KSCOPE_BLK_PAGES,
			      atomic_long_read(&dev->nr_pages), KSCOPE_BLK_PAD))
		return -EMSGSIZE;
	return 0;
}

/* Bytes kblk_put_config() takes. */
static size_t kblk_config_size(struct kblk_dev *dev)
{
	return nla_total_size(strlen(dev->cfg.name) + 1) +
	       nla_total_size(strlen(dev->disk->disk_name) + 1) +
	       6 * nla_total_size(sizeof(u8)) +
	       10 * nla_total_size(sizeof(u32)) +
	       2 * nla_total_size_64bit(sizeof(u64));
}

/*
 * A reply in parts. A device with 80 hardware queues has about 140 KiB
 * of statistics: more than the u16 nla_len of one nest can describe. So
 * a reply is one or more messages, each an ordinary reply to the request
 * (the ACK follows the last) of at most KBLK_PART_BYTES, whose every
 * nest is far below U16_MAX. A device's first KSCOPE_BLK_DEVICE carries
 * its configuration (and totals); when its hardware queues do not fit,
 * the next message continues with a KSCOPE_BLK_DEVICE holding only its
 * NAME and the queues that follow, which the reader joins to the first.
 * Every size is computed with nla_total_size() before anything is put,
 * so a put that fails is a bug, reported as -EMSGSIZE.
 *
 * The part size keeps each skb in one 16 KiB allocation: the messages of
 * the largest device then take about 150 KiB of the reader's receive
 * buffer (the reader enlarges it; the default is 208 KiB).
 */
#define KBLK_PART_BYTES		(15 * 1024)

struct kblk_reply {
	struct kscope_source *src;
	struct genl_info *info;
	struct sk_buff *msg;
	struct nlattr *ctl;		/* KSCOPE_A_CTL of msg */
	struct nlattr *dev;		/* KSCOPE_BLK_DEVICE open in msg */
	size_t left;			/* bytes msg may still take */
};

static int kblk_reply_send(struct kblk_reply *r)
{
	struct sk_buff *msg = r->msg;

	if (!msg)
		return 0;
	if (r->dev)
		nla_nest_end(msg, r->dev);
	r->msg = NULL;
	r->dev = NULL;
	return kscope_ctl_reply_send(msg, r->ctl, r->info);
}

/* Room for @need more bytes: in this message, or else in a new one. */
static int kblk_reply_room(struct kblk_reply *r, size_t need)
{
	int ret;

	if (r->msg && need <= r->left)
		return 0;
	ret = kblk_reply_send(r);
	if (ret)
		return ret;
	r->msg = kscope_ctl_reply_start(r->src, r->info, KBLK_PART_BYTES,
					&r->ctl);
	if (!r->msg)
		return -ENOMEM;
	r->left = KBLK_PART_BYTES - kscope_ctl_reply_head(r->src);
	return need <= r->left ? 0 : -EMSGSIZE;
}

/* @lat: the queue's latency, summed once so that its size holds */
static int kblk_put_hwq(struct sk_buff *skb, struct kblk_dev *dev,
			unsigned int i, const struct kblk_lat *lat)
{
	struct nlattr *q = nla_nest_start(skb, KSCOPE_BLK_HWQ);
	int ret;

	if (!q || nla_put_u32(skb, KSCOPE_BLK_HWQ_INDEX, i) ||
	    nla_put_u8(skb, KSCOPE_BLK_HWQ_POLL, dev->hwq[i].polled))
		return -EMSGSIZE;
	ret = kblk_stats_put(skb, dev, i) ?: kblk_lat_put(skb, lat);
	if (ret)
		return ret;
	nla_nest_end(skb, q);
	return 0;
}

/* The queues of a device with stats (@lat is scratch space), and its end. */
static int kblk_put_queues(struct kblk_reply *r, struct kblk_dev *dev,
			   struct kblk_lat *lat)
{
	size_t cont, row;
	unsigned int i;
	int ret;

	cont = nla_total_size(0) + nla_total_size(strlen(dev->cfg.name) + 1);
	for (i = 0; lat && i < kblk_nr_hwq(dev); i++) {
		kblk_lat_sum(dev, i, lat);
		row = nla_total_size(0) + nla_total_size(sizeof(u32)) +
		      nla_total_size(sizeof(u8)) + kblk_lat_size(lat);
		ret = kblk_stats_size(dev, i, &row);
		if (ret)
			return ret;
		if (row > r->left) {
			/* continue the device in the next message */
			ret = kblk_reply_room(r, cont + row);
			if (ret)
				return ret;
			r->dev = nla_nest_start(r->msg, KSCOPE_BLK_DEVICE);
			if (!r->dev ||
			    nla_put_string(r->msg, KSCOPE_BLK_NAME, dev->cfg.name))
				return -EMSGSIZE;
			r->left -= cont;
		}
		ret = kblk_put_hwq(r->msg, dev, i, lat);
		if (ret)
			return ret;
		r->left -= row;
	}
	nla_nest_end(r->msg, r->dev);
	r->dev = NULL;
	return 0;
}

/* One device: its configuration, and with @stats its totals and queues. */
static int kblk_put_dev(struct kblk_reply *r, struct kblk_dev *dev,
			bool stats)
{
	size_t need = nla_total_size(0) + kblk_config_size(dev);
	struct kblk_lat *lat = NULL;
	int ret = 0;

	if (stats) {
		lat = kmalloc(sizeof(*lat), GFP_KERNEL);
		if (!lat)
			return -ENOMEM;
		kblk_lat_sum(dev, -1, lat);
		need += kblk_lat_size(lat);
		ret = kblk_stats_size(dev, -1, &need);
	}
	ret = ret ?: kblk_reply_room(r, need);
	if (ret)
		goto free_lat;
	ret = -EMSGSIZE;
	r->dev = nla_nest_start(r->msg, KSCOPE_BLK_DEVICE);
	if (!r->dev)
		goto free_lat;
	ret = kblk_put_config(r->msg, dev);
	if (!ret && stats)
		ret = kblk_stats_put(r->msg, dev, -1) ?:
		      kblk_lat_put(r->msg, lat);
	if (ret)
		goto free_lat;
	r->left -= need;
	ret = kblk_put_queues(r, dev, lat);
free_lat:
	kfree(lat);
	return ret;
}

int kblk_ctl_get(struct kscope_source *src, struct nlattr *ctl,
		 struct genl_info *info)
{
	struct nlattr *tb[KSCOPE_BLK_MAX + 1] = { };
	struct kblk_reply r = { .src = src, .info = info };
	char name[KBLK_NAME_MAX] = "";
	struct kblk_dev *dev;
	int ret = 0;

	/* an empty request lists every device */
	if (ctl) {
		ret = nla_parse_nested(tb, ARRAY_SIZE(kscope_blk_get_policy) - 1,
				       ctl, kscope_blk_get_policy, info->extack);
		if (ret)
			return ret;
		if (tb[KSCOPE_BLK_NAME])
			nla_strscpy(name, tb[KSCOPE_BLK_NAME], sizeof(name));
	}

	mutex_lock(&kblk_lock);
	if (name[0]) {
		dev = kblk_dev_find(name);
		if (!dev || dev->deleting) {
			mutex_unlock(&kblk_lock);
			NL_SET_ERR_MSG_ATTR(info->extack, tb[KSCOPE_BLK_NAME],
					    "no device of that name");
			return -ENODEV;
		}
		ret = kblk_put_dev(&r, dev, true);
	} else {
		/* no device: still one (empty) reply */
		ret = kblk_reply_room(&r, 0);
		list_for_each_entry(dev, &kblk_devs, node) {
			if (ret)
				break;
			if (!dev->deleting)
				ret = kblk_put_dev(&r, dev, false);
		}
	}
	if (!ret)
		ret = kblk_reply_send(&r);
	mutex_unlock(&kblk_lock);
	if (r.msg)
		nlmsg_free(r.msg);
	if (ret == -EMSGSIZE)
		NL_SET_ERR_MSG(info->extack, "reply too large");
	return ret;
}
