// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_blk: a memory-backed blk-mq demo driver with nvme, ssd and hdd
 * latency models, per-device and per-queue statistics, and slow-request
 * events, to study the block layer and its I/O schedulers beside
 * null_blk. Devices come from the "devices" parameter at load and from
 * netlink (`kscope blk add|del|list`) at run time.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "kblk.h"

#define KBLK_LOAD_MAX	16

static char *devices;
module_param(devices, charp, 0444);
MODULE_PARM_DESC(devices,
		 "devices at load: PROFILE:SIZE[:NAME],... PROFILE nvme|ssd|hdd, SIZE <n>M or <n>G (e.g. nvme:256M,hdd:128M:disk)");

static char *completion;
module_param(completion, charp, 0444);
MODULE_PARM_DESC(completion,
		 "completion of load-time devices: inline|softirq|timer (default timer)");

static const char * const kblk_counter_names[KBLK_NR_COUNTERS] = {
	[KBLK_C_REQUESTS] = "requests",
	[KBLK_C_BYTES] = "bytes",
	[KBLK_C_ERRORS] = "errors",
	[KBLK_C_SLOW] = "slow_requests",
	[KBLK_C_NOMEM] = "requeued_nomem",
	[KBLK_C_ADDED] = "devices_added",
	[KBLK_C_REMOVED] = "devices_removed",
	[KBLK_C_DEVICES] = "devices",
};

static const u8 kblk_counter_kinds[KBLK_NR_COUNTERS] = {
	[KBLK_C_DEVICES] = KSCOPE_COUNTER_GAUGE,
};

static const struct kscope_field kblk_slow_fields[] = {
	{ .name = "disk", .kind = KSCOPE_FIELD_STR, .size = 32 },
	{ .name = "op", .kind = KSCOPE_FIELD_STR, .size = 16 },
	{ .name = "sector", .kind = KSCOPE_FIELD_U64 },
	{ .name = "bytes", .kind = KSCOPE_FIELD_U64 },
	{ .name = "lat_ns", .kind = KSCOPE_FIELD_U64 },
	{ .name = "hwq", .kind = KSCOPE_FIELD_U64 },
};

static const struct kscope_event_desc kblk_events[] = {
	KSCOPE_EVENT("slow", kblk_slow_fields, struct kblk_slow_ev),
};

struct kscope_source kblk_src = {
	.name = "blk",
	.owner = THIS_MODULE,
	.attach = "blk-mq driver (kscope_blk devices)",
	.counter_names = kblk_counter_names,
	.counter_kinds = kblk_counter_kinds,
	.nr_counters = ARRAY_SIZE(kblk_counter_names),
	.events = kblk_events,
	.nr_events = ARRAY_SIZE(kblk_events),
	.ctl = kblk_ctl,
	.ctl_get = kblk_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_BLK,
};

static int kblk_match(const char * const *names, unsigned int n,
		      const char *s)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return i;
	return -1;
}

/* "<n>M" or "<n>G" in MiB; 0 when malformed. */
static u32 kblk_parse_size(const char *s)
{
	size_t len = strlen(s);
	char num[12];
	u32 n;

	if (len < 2 || len - 1 >= sizeof(num))
		return 0;
	memcpy(num, s, len - 1);
	num[len - 1] = '\0';
	if (kstrtou32(num, 10, &n) || !n || n > KBLK_MAX_SIZE_MB)
		return 0;
	switch (s[len - 1]) {
	case 'M':
		return n;
	case 'G':
		return n <= KBLK_MAX_SIZE_MB >> 10 ? n << 10 : 0;
	default:
		return 0;
	}
}

/*
 * Parse the whole "devices" list before creating anything, so that a
 * bad entry fails the load with nothing made.
 */
static int kblk_parse_devices(struct kblk_config *cfgs, unsigned int *nr)
{
	char *buf, *p, *ent;
	int ret = 0, comp = KSCOPE_BLK_COMP_TIMER, prof, i;
	unsigned int n = 0;
	struct kblk_why why = { };

	if (completion) {
		comp = kblk_match(kblk_comp_names, __KSCOPE_BLK_COMP_MAX,
				  completion);
		if (comp < 0) {
			pr_err("completion=%s: expected inline, softirq or timer\n",
			       completion);
			return -EINVAL;
		}
	}
	*nr = 0;
	if (!devices || !*devices)
		return 0;
	buf = kstrdup(devices, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	p = buf;
	while ((ent = strsep(&p, ","))) {
		char *prof_s = strsep(&ent, ":"), *size_s = strsep(&ent, ":");
		char *name_s = strsep(&ent, ":");
		struct kblk_config *c = &cfgs[n];

		if (n == KBLK_LOAD_MAX) {
			pr_err("devices=: more than %d devices\n", KBLK_LOAD_MAX);
			ret = -EINVAL;
			break;
		}
		prof = kblk_match(kblk_profile_names, __KSCOPE_BLK_PROFILE_MAX,
				  prof_s);
		if (prof < 0 || !size_s || ent) {
			pr_err("devices=: bad entry %u, expected PROFILE:SIZE[:NAME] with PROFILE nvme, ssd or hdd\n",
			       n + 1);
			ret = -EINVAL;
			break;
		}
		kblk_config_defaults(c, prof);
		c->completion = comp;
		c->size_mb = kblk_parse_size(size_s);
		if (!c->size_mb) {
			pr_err("devices=: entry %u: bad size '%s' (1M..1024G, <n>M or <n>G)\n",
			       n + 1, size_s);
			ret = -EINVAL;
			break;
		}
		if (name_s)
			strscpy(c->name, name_s, sizeof(c->name));
		else
			snprintf(c->name, sizeof(c->name), "%s%u", prof_s, n);
		if (name_s && strlen(name_s) >= sizeof(c->name))
			c->name[0] = '\0';	/* too long: let the check say so */
		if (kblk_config_check(c, &why)) {
			pr_err("devices=: entry %u: %s\n", n + 1, why.msg);
			ret = -EINVAL;
			break;
		}
		for (i = 0; i < n; i++) {
			if (!strcmp(cfgs[i].name, c->name)) {
				pr_err("devices=: entry %u: name '%s' used twice\n",
				       n + 1, c->name);
				ret = -EINVAL;
				break;
			}
		}
		if (ret)
			break;
		n++;
	}
	kfree(buf);
	*nr = n;
	return ret;
}

/*
 * Registering the source makes it reachable over netlink, so it comes
 * last: a request must never run during an init that can still fail, or
 * after it, in freed text. Devices of the "devices" parameter are made
 * before, uncounted and without debugfs files (the source's counters and
 * directory come with it), and published once it is registered.
 */
static int __init kblk_init(void)
{
	struct kblk_why why = { };
	struct kblk_config *cfgs;
	unsigned int nr, i;
	int ret;

	cfgs = kcalloc(KBLK_LOAD_MAX, sizeof(*cfgs), GFP_KERNEL);
	if (!cfgs)
		return -ENOMEM;
	ret = kblk_parse_devices(cfgs, &nr);
	if (ret)
		goto out_free_cfgs;
	for (i = 0; i < nr; i++) {
		ret = kblk_dev_add(&cfgs[i], &why);
		if (ret) {
			pr_err("devices=: cannot create '%s': %s\n",
			       cfgs[i].name, why.msg);
			goto out_del_devices;
		}
	}
	ret = kscope_source_register(&kblk_src);
	if (ret)
		goto out_del_devices;
	kblk_publish();
	kfree(cfgs);
	return 0;

out_del_devices:
	kblk_dev_del_all();
out_free_cfgs:
	kfree(cfgs);
	return ret;
}

/* The reverse: off netlink first, then the devices. */
static void __exit kblk_exit(void)
{
	kblk_unpublish();
	kscope_source_unregister(&kblk_src);
	kblk_dev_del_all();
}

module_init(kblk_init);
module_exit(kblk_exit);

MODULE_DESCRIPTION("kscope blk-mq demo driver: memory-backed disks with latency models");
MODULE_LICENSE("GPL");
