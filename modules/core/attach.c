// SPDX-License-Identifier: GPL-2.0
/*
 * Attaching the sources' probes: tracepoints by name (the tracepoint
 * structs are not exported to modules; for_each_kernel_tracepoint()
 * finds them), and kretprobes on a function that the compiler may have
 * cloned under a suffixed name (foo.isra.0, foo.constprop.0, ...), found
 * by the resolver (resolve.c).
 */
#include <linux/kprobes.h>
#include <linux/printk.h>
#include <linux/string.h>
#include <linux/tracepoint.h>
#include <kscope/resolve.h>
#include "internal.h"

struct tp_find {
	struct kscope_tp *tps;
	unsigned int n;
};

static void tp_find(struct tracepoint *tp, void *priv)
{
	struct tp_find *f = priv;
	unsigned int i;

	for (i = 0; i < f->n; i++)
		if (!strcmp(tp->name, f->tps[i].name))
			f->tps[i].tp = tp;
}

void kscope_tps_detach(struct kscope_tp *tps, unsigned int n)
{
	unsigned int i;

	for (i = n; i-- > 0; ) {
		if (!tps[i].registered)
			continue;
		tracepoint_probe_unregister(tps[i].tp, tps[i].probe, NULL);
		tps[i].registered = false;
	}
	/* no probe of theirs runs after this */
	tracepoint_synchronize_unregister();
}
EXPORT_SYMBOL_GPL(kscope_tps_detach);

int __kscope_tps_attach(struct kscope_tp *tps, unsigned int n,
			const char *owner)
{
	struct tp_find f = { .tps = tps, .n = n };
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		tps[i].tp = NULL;
		tps[i].registered = false;
	}
	for_each_kernel_tracepoint(tp_find, &f);
	for (i = 0; i < n; i++) {
		if (!tps[i].tp) {
			pr_err("%s: tracepoint %s not found on this kernel\n",
			       owner, tps[i].name);
			return -ENOENT;
		}
	}
	for (i = 0; i < n; i++) {
		ret = tracepoint_probe_register(tps[i].tp, tps[i].probe, NULL);
		if (ret) {
			pr_err("%s: cannot attach to tracepoint %s: %d\n",
			       owner, tps[i].name, ret);
			goto detach;
		}
		tps[i].registered = true;
	}
	return 0;

detach:
	kscope_tps_detach(tps, n);
	return ret;
}
EXPORT_SYMBOL_GPL(__kscope_tps_attach);

int __kscope_kretprobe_any(struct kretprobe *krp, const char *sym,
			   char *name, size_t len, const char *owner)
{
	struct netlink_ext_ack ext = {};
	int ret;

	memset(&krp->kp, 0, sizeof(krp->kp));
	krp->nmissed = 0;
	ret = kscope_resolve(sym, 0, name, len, &ext);
	if (ret) {
		pr_err("%s: cannot attach a kretprobe to %s: %s (%d)\n", owner,
		       sym, ext._msg ?: "", ret);
		return ret;
	}
	krp->kp.symbol_name = name;
	ret = register_kretprobe(krp);
	if (!ret)
		return 0;
	memset(&krp->kp, 0, sizeof(krp->kp));
	pr_err("%s: cannot attach a kretprobe to %s: %d%s\n", owner, name, ret,
	       ret == -ENOENT ? " (no such symbol on this kernel)" : "");
	return ret;
}
EXPORT_SYMBOL_GPL(__kscope_kretprobe_any);
