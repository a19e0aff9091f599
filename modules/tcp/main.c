// SPDX-License-Identifier: GPL-2.0
/*
 * kscope_tcp: TCP connection life and congestion state.
 *
 * Counts connects, accepts, closes, retransmissions and resets by family,
 * keeps a bounded table of flows with their latest congestion sample
 * (debugfs "flows", one flow per line like `ss -ti`) and streams events:
 * connect, accept, state, close (duration and bytes, like tcplife),
 * retransmit, reset, and cong on every cwnd/ssthresh change (or every
 * sample on request). Filters by port, address, netns and pid are set with
 * KSCOPE_CMD_CTL (see include/uapi/linux/kscope.h).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "internal.h"

#define FLOW_MAX_MIN	16
#define FLOW_MAX_MAX	(1U << 16)	/* the flows view prints them all */

unsigned int flow_max = 4096;
module_param(flow_max, uint, 0444);
MODULE_PARM_DESC(flow_max, "flows kept in the flow table (16..65536, default 4096; rounded up to sets of 16)");

static const char * const kst_counter_names[TC_NR_COUNTERS] = {
	[TC_CONNECTS_V4] = "connects_v4",
	[TC_CONNECTS_V6] = "connects_v6",
	[TC_ACCEPTS_V4] = "accepts_v4",
	[TC_ACCEPTS_V6] = "accepts_v6",
	[TC_CLOSES_V4] = "closes_v4",
	[TC_CLOSES_V6] = "closes_v6",
	[TC_RETRANS_V4] = "retransmits_v4",
	[TC_RETRANS_V6] = "retransmits_v6",
	[TC_RETRANS_FAILED] = "retransmits_failed",
	[TC_RST_SENT_V4] = "resets_sent_v4",
	[TC_RST_SENT_V6] = "resets_sent_v6",
	[TC_RST_RECV_V4] = "resets_received_v4",
	[TC_RST_RECV_V6] = "resets_received_v6",
	[TC_CLOSES_UNTRACKED] = "closes_untracked",
	[TC_SAMPLES] = "samples",
	[TC_CONG_CHANGES] = "cong_changes",
	[TC_FLOWS_ADDED] = "flows_added",
	[TC_FLOW_EVICTIONS] = "flow_evictions",
	[TC_FLOWS] = "flows",
};

/* the table keeps its gauge (kscope_table_gauge()): evictions leave it */
static const u8 kst_counter_kinds[TC_NR_COUNTERS] = {
	[TC_FLOWS] = KSCOPE_COUNTER_GAUGE,
};

struct kscope_source kst_src = {
	.name = "tcp",
	.owner = THIS_MODULE,
	/* completed by kst_probes_attach() with the accept hook's mechanism */
	.attach = KST_TPS_ATTACH,
	.counter_names = kst_counter_names,
	.counter_kinds = kst_counter_kinds,
	.nr_counters = ARRAY_SIZE(kst_counter_names),
	.events = kst_events,
	.nr_events = TE_NR_EVENTS,
	.ctl = kst_ctl,
	.ctl_get = kst_ctl_get,
	.ctl_attr = KSCOPE_A_CTL_TCP,
};

/*
 * Registering the source makes it reachable (netlink requests, debugfs),
 * so everything it reaches is ready before, and it is the last step that
 * can fail; unregistering is the first step of the way out, as soon as
 * no probe counts into the source any more.
 */
static int __init kst_init(void)
{
	int ret;

	if (flow_max < FLOW_MAX_MIN || flow_max > FLOW_MAX_MAX) {
		pr_err("flow_max=%u out of range %u..%u\n", flow_max,
		       FLOW_MAX_MIN, FLOW_MAX_MAX);
		return -EINVAL;
	}
	ret = kst_flows_init(flow_max);
	if (ret)
		return ret;
	ret = kst_probes_attach();
	if (ret)
		goto free_flows;
	ret = kscope_source_register(&kst_src);
	if (ret)
		goto detach_probes;
	kst_flows_debugfs(kst_src.dir);
	kst_filter_debugfs(kst_src.dir);
	kst_probes_debugfs(kst_src.dir);
	kst_probes_start();
	return 0;

detach_probes:
	kst_probes_detach();
free_flows:
	kst_flows_exit();
	return ret;
}

static void __exit kst_exit(void)
{
	kst_probes_stop();
	kscope_source_unregister(&kst_src);
	kst_probes_detach();
	kst_filter_exit();
	kst_flows_exit();
}

module_init(kst_init);
module_exit(kst_exit);

MODULE_DESCRIPTION("kscope: TCP connection life and congestion state");
MODULE_LICENSE("GPL");
