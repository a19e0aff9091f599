/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kscope_testgen's tracepoint: one hit per event a testgen thread makes,
 * just before it emits the event on kscope's channel. bench/core.sh puts
 * its eBPF peer (a BPF ring buffer) here, so that both channels carry the
 * same generator's events. Off (a static branch) unless something is
 * attached.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM kscope_testgen

#if !defined(_KSCOPE_TESTGEN_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _KSCOPE_TESTGEN_TRACE_H

#include <linux/tracepoint.h>

TRACE_EVENT(tg_tick,
	TP_PROTO(u64 n, u64 run),
	TP_ARGS(n, run),
	TP_STRUCT__entry(
		__field(u64, n)
		__field(u64, run)
	),
	TP_fast_assign(
		__entry->n = n;
		__entry->run = run;
	),
	TP_printk("n=%llu run=%llu", __entry->n, __entry->run)
);

#endif /* _KSCOPE_TESTGEN_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE testgen-trace
#include <trace/define_trace.h>
