// SPDX-License-Identifier: GPL-2.0
/*
 * kscope: userspace reader of the kscope kernel modules.
 *
 * Talks to the "kscope" generic netlink family (include/uapi/linux/kscope.h)
 * to list sources, read counters, stream events and drive sources. A new
 * subcommand is one function plus one line in the cmds[] table below.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kscope.h"

#define KSCOPE_DEBUGFS_DIR	"/sys/kernel/debug/kscope"

static int cmd_list(int argc, char **argv);
static int cmd_stat(int argc, char **argv);
static int cmd_testgen(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_help(int argc, char **argv);
static int cmd_completion(int argc, char **argv);
int cmd_net(int argc, char **argv);	/* cmd_net.c */
int cmd_tcp(int argc, char **argv);	/* cmd_tcp.c */
int cmd_blk(int argc, char **argv);	/* cmd_blk.c */
int cmd_vfs(int argc, char **argv);	/* cmd_vfs.c */
int cmd_mem(int argc, char **argv);	/* cmd_mem.c */
int cmd_xdp(int argc, char **argv);
int cmd_sched(int argc, char **argv);	/* cmd_sched.c */
int cmd_probe(int argc, char **argv);	/* cmd_probe.c */
int cmd_export(int argc, char **argv);	/* export.c */
void ks_xdp_stats_add(struct ks_stats_list *l);

static const struct ks_sub list_subs[] = {
	{ NULL, "[SOURCE...]" },
	{ NULL }
};

static const struct ks_sub stat_subs[] = {
	{ NULL, "[SOURCE...] [interval [count]]", (const struct ks_opt[]){
		{ "percpu", 'p', NULL, "each CPU's counters too (netlink only)" },
		{ "timestamp", 'T', NULL, "with an interval: the wall-clock time before each", false, true },
		{ NULL } } },
	{ NULL }
};

static const struct ks_sub watch_subs[] = {
	{ NULL, "[SOURCE...]", (const struct ks_opt[]){
		{ "interval", 'i', "SECS", "report lost events every SECS when the count changed (default 1; 0: only at exit)" },
		{ "count", 'c', "N", "stop after N events (that pass the filters)" },
		{ "duration", 'd', "SECS", "stop after SECS" },
		{ "rcvbuf", 'r', "BYTES", "socket receive buffer (default 32 MiB; above net.core.rmem_max for root only)" },
		{ "pid", 'P', "PID", "only events naming process PID (a pid or flow_pid field, else the task context's)" },
		{ "comm", 'C', "COMM", "only events naming a process called COMM (comm or flow_comm, else the task context's)" },
		{ "port", 'o', "PORT[,PORT]", "only events with sport or dport among these" },
		{ "addr", 'a', "IP", "only events with saddr or daddr IP (IPv4 or IPv6)" },
		{ "netns", 'N', "INUM", "only events of the network namespace with this inode" },
		{ NULL } } },
	{ NULL }
};

/* the front-ends on the event stream (watch.c): their flags */
#define VIEW_OPTS \
	{ "count", 'c', "N", "stop after N lines" }, \
	{ "duration", 'd', "SECS", "stop after SECS" }

const struct ks_sub ks_tcplife_subs[] = {
	{ NULL, "", (const struct ks_opt[]){
		{ "pid", 'p', "PID", "only connections of this process (the pid that connected or accepted)", false, true },
		{ "ipv4", '4', NULL, "IPv4 only", false, true },
		{ "ipv6", '6', NULL, "IPv6 only", false, true },
		{ "localport", 'L', "PORT[,PORT]", "only these local ports", false, true },
		{ "remoteport", 'D', "PORT[,PORT]", "only these remote ports", false, true },
		{ "time", 'T', NULL, "a HH:MM:SS column first", false, true },
		VIEW_OPTS,
		{ NULL } } },
	{ NULL }
};

const struct ks_sub ks_tcpconnect_subs[] = {
	{ NULL, "", (const struct ks_opt[]){
		{ "pid", 'p', "PID", "only connects of this process", false, true },
		{ "port", 'P', "PORT[,PORT]", "only connects to these ports", false, true },
		{ "ipv4", '4', NULL, "IPv4 only", false, true },
		{ "ipv6", '6', NULL, "IPv6 only", false, true },
		{ "timestamp", 't', NULL, "a TIME(s) column first: seconds since start", false, true },
		VIEW_OPTS,
		{ NULL } } },
	{ NULL }
};

static const struct ks_sub testgen_subs[] = {
	{ NULL, "COUNT", (const struct ks_opt[]){
		{ "cpus", 'c', "MASK", "CPUs to emit on (default 0x1)" },
		{ "rate", 'r', "N", "events per second per CPU (default: as fast as it can)" },
		{ "wait", 'w', NULL, "return when every event is emitted (the default)" },
		{ "no-wait", 'W', NULL, "return at once" },
		{ NULL } },
	  "make the test source emit COUNT events per CPU (admin)" },
	{ "hist", "", NULL, "the test source's histogram" },
	{ NULL }
};

static const struct ks_sub help_subs[] = {
	{ NULL, "[COMMAND]" },
	{ NULL }
};

static const struct ks_sub completion_subs[] = {
	{ NULL, "bash" },
	{ NULL }
};

static const struct ks_sub export_subs[] = {
	{ NULL, "", (const struct ks_opt[]){
		{ "listen", 'l', "ADDR:PORT", "serve /metrics there (default 127.0.0.1:9617; [ADDR6]:PORT for IPv6)" },
		{ "textfile", 't', "DIR", "write DIR/kscope.prom atomically every interval, for node_exporter's textfile collector (alone: no HTTP server)" },
		{ "interval", 'i', "SECS", "the textfile's interval (default 15, at least 0.1)" },
		{ "sources", 's', "NAME,...", "export only these sources" },
		{ "once", 'o', NULL, "print one scrape to stdout and exit" },
		{ "openmetrics", 'O', NULL, "with --once: the OpenMetrics format" },
		{ NULL } } },
	{ NULL }
};

static const struct ks_sub status_subs[] = {
	{ NULL, "" },
	{ NULL }
};

static const struct ks_sub version_subs[] = {
	{ NULL, "" },
	{ NULL }
};

/*
 * The one table: dispatch, `kscope help`, `kscope X --help`, the man page
 * and the bash completion (doc.c). A new command is one function and one
 * entry here: { "name", fn, "usage", "one line" } is enough; .subs (its
 * options), .desc, .examples and .see make its help and man page whole.
 */
static const struct ks_cmd cmds[] = {
	{ "list", cmd_list, "[SOURCE...]",
	  "list sources: attach point, counters, event types",
	  .subs = list_subs,
	  .desc = "The sources the loaded modules registered: how each is attached on this kernel (tracepoint, kprobe, ...), its counters, which of them are gauges (how many of something exist now) rather than counters (events, never decreasing), and its event types with their fields. Anyone may list.",
	  .examples = (const char *const[]){
		"kscope list", "every source, one line each",
		"kscope --json list tcp | jq .events", "the event types of tcp and their fields",
		NULL } },
	{ "stat", cmd_stat, "[--percpu] [-T] [SOURCE...] [interval [count]]",
	  "print counters (falls back to debugfs without netlink)",
	  .subs = stat_subs,
	  .desc = "Counters of every source (or those named), as \"SOURCE COUNTER VALUE\" lines, since the module was loaded; with an interval, each interval's change (gauges as they are), computed in the reader. Over netlink; when the kscope family is not there it reads /sys/kernel/debug/kscope and says so on stderr. Anyone may read. With no SOURCE it adds the counters of kscope's XDP responder on each device running it (xdp:DEV).",
	  .examples = (const char *const[]){
		"kscope stat core", "the event channel: recorded, delivered, lost by reason",
		"kscope --json stat --percpu testgen", "one line with totals and per-CPU counters",
		NULL } },
	{ "watch", cmd_watch,
	  "[--interval SECS] [--count N] [--duration SECS] [--rcvbuf BYTES] [--pid PID] [--comm COMM] [--port PORT] [--addr IP] [--netns INUM] [SOURCE...]",
	  "stream events, report lost events",
	  .subs = watch_subs,
	  .desc = "One line per event of every source (or those named), from the \"events\" multicast group. Events the kernel could not deliver (its per-CPU buffer full, no memory, the socket's buffer full) are counted by reason and reported on stderr every interval when the count changed, and at exit, with the socket overruns and sequence gaps the reader saw. On SIGINT or SIGTERM, after --count events or after --duration, it asks the kernel to deliver what it has recorded, leaves the group, reads what is queued by then and prints the loss summary; a second signal skips the reading. Needs CAP_NET_ADMIN. Exits 1 when kscope_core is unloaded under it.",
	  .examples = (const char *const[]){
		"kscope watch tcp", "connects, accepts, closes and retransmits as they happen (compare tcplife, tcpconnect, tcpretrans)",
		"kscope --json watch --duration 10 sched | jq -c 'select(.event == \"exit\")'", "process exits for 10 s, as JSON (compare exitsnoop)",
		NULL },
	  .see = "tcplife(8), tcpconnect(8), execsnoop(8), exitsnoop(8), opensnoop(8): kscope adds exact loss accounting (kernel, socket and sequence gaps) and IPv4 and IPv6 in one stream" },
	{ "blk", cmd_blk, "add|del|set|list|stat ...",
	  "kscope_blk devices: create, remove, list, statistics (admin to change)",
	  .subs = ks_blk_subs,
	  .desc = "The kscope_blk demo block driver: memory-backed blk-mq devices (/dev/kblk_NAME) with nvme, ssd or hdd profiles, completion modes, polled queues, flush/FUA, discard, write zeroes and a bandwidth cap; per-device and per-queue statistics and latency histograms. Values are the kernel's to check: its message says what it refused.",
	  .examples = (const char *const[]){
		"kscope blk add d0 --profile ssd --size=256 --queues 2", "a 256 MiB SSD-like device, /dev/kblk_d0",
		"kscope blk stat d0", "its counters and read/write latency histograms (compare biolatency -D)",
		NULL },
	  .see = "biolatency(8), biosnoop(8), null_blk" },
	{ "vfs", cmd_vfs, "slow|filter|top|show ...",
	  "kscope_vfs: slow-op threshold, pid filter, top files/processes, per-fs stats",
	  .subs = ks_vfs_subs,
	  .desc = "Counts, bytes, errors and latency of read, write, open, fsync, create, unlink, rename, mkdir and rmdir per filesystem; slow-operation events; the busiest files and processes.",
	  .examples = (const char *const[]){
		"kscope vfs show", "operations per filesystem with p50/p99 latency (compare vfsstat)",
		"kscope vfs slow --threshold-us 10000 && kscope watch vfs", "every VFS operation slower than 10 ms (compare fsslower)",
		"kscope vfs top --interval 5", "the busiest files and processes over 5 s (compare filetop)",
		NULL },
	  .see = "vfsstat(8), filetop(8), fsslower(8), opensnoop(8)" },
	{ "mem", cmd_mem, "high-order N | show",
	  "kscope_mem: high-order event threshold, free lists and fragmentation",
	  .subs = ks_mem_subs,
	  .desc = "The buddy allocator: free blocks per zone and order (as /proc/buddyinfo), the fragmentation index, the allocation slow path's latency, and events for high-order allocations.",
	  .examples = (const char *const[]){
		"kscope mem show", "free lists, fragmentation index and slow-path latency histogram",
		"kscope mem high-order 4 && kscope watch mem", "every allocation of order 4 and above",
		NULL },
	  .see = "/proc/buddyinfo, /proc/pagetypeinfo" },
	{ "testgen", cmd_testgen,
	  "COUNT [--cpus MASK] [--rate N] [--wait|--no-wait] | hist",
	  "make the test source emit COUNT events per CPU (admin); hist: its test histogram",
	  .subs = testgen_subs,
	  .desc = "Drives kscope_testgen, the test-only event source of kscope's own tests (nothing else loads it): it emits numbered events so that a test can count what was received and lost.",
	  .examples = (const char *const[]){
		"kscope testgen 1000 --cpus 0x3", "1000 events on each of CPUs 0 and 1",
		NULL } },
	{ "net", cmd_net, "echo on|off [--netns PATH_OR_PID] [--dev IFNAME]",
	  "ICMP echo responder of kscope_net in a netns (admin)",
	  .subs = ks_net_subs,
	  .desc = "kscope_net counts packets and bytes per netfilter hook and L4 protocol in every network namespace (kscope stat net), and answers ICMP and ICMPv6 echo requests at LOCAL_IN where the stack would, in a namespace where it is turned on. Its replies are the stack's but for the IPv4 ID, which is the request's (the stack draws a new one).",
	  .examples = (const char *const[]){
		"kscope net echo on --netns /run/netns/blue --dev veth1", "answer pings to veth1 in netns blue",
		NULL },
	  .see = "ping(8), nft(8)" },
	{ "xdp", cmd_xdp, "attach|detach|stats DEV [--mode native|skb] [--pass|--any]",
	  "XDP ICMP echo responder: load, unload, counters",
	  .subs = ks_xdp_subs,
	  .desc = "The XDP echo responder linked into the reader: it answers only what the stack would (untagged frames to DEV's MAC and one of its addresses, from an on-link source, unless icmp_echo_ignore_all is set, all as at attach time); it runs before netfilter and IPsec and cannot honour their rules. Its replies keep the request's IPv4 ID and IPv6 flow label (the stack reflects the label or hashes it from the reply's flow with a key a BPF program cannot reach) and have TTL/hop limit 64 (the stack's is the route's: 64 unless ip_default_ttl or the device's hop_limit say otherwise). Attaching and detaching need CAP_BPF and CAP_NET_ADMIN.",
	  .examples = (const char *const[]){
		"kscope xdp attach veth1 --mode skb", "answer pings in generic XDP mode",
		"kscope xdp stats veth1", "what it answered, passed and why",
		NULL },
	  .see = "xdp-loader(8), ip-link(8)" },
	{ "tcp", cmd_tcp, "filter [OPTIONS] | flows",
	  "kscope_tcp: flow filter (admin), flow table",
	  .subs = ks_tcp_subs,
	  .desc = "kscope_tcp counts connects, accepts, closes (with duration and bytes), retransmits and resets by family (kscope stat tcp), keeps a bounded table of live flows like ss -ti, and sends connect, accept, close, retransmit, reset and congestion events (kscope watch tcp).",
	  .examples = (const char *const[]){
		"kscope tcp filter --port 443", "events and samples only for flows on port 443 (every reader sees the filter)",
		"kscope tcp flows", "live flows with cwnd, ssthresh, srtt and windows (compare ss -ti)",
		NULL },
	  .see = "tcplife(8), tcpconnect(8), tcpretrans(8), ss(8): kscope has IPv4 and IPv6 in one tool, the netns of each flow and exact loss accounting" },
	{ "sched", cmd_sched, "filter|reset|portraits|runqlat|cpu ...",
	  "kscope_sched: portrait filter (admin), run-queue latency, CPU use",
	  .subs = ks_sched_subs,
	  .desc = "kscope_sched keeps the system-wide run-queue latency histogram (like runqlat), per-process portraits (on-CPU and run-queue time, context switches, a run-queue histogram), fork/exec/exit events, and per-CPU utilization like sar -u.",
	  .examples = (const char *const[]){
		"kscope sched runqlat", "the run-queue latency histogram, usecs (compare runqlat)",
		"kscope sched cpu", "per-CPU utilization of the last interval (compare sar -P ALL -u)",
		NULL },
	  .see = "runqlat(8), cpudist(8), runqlen(8), execsnoop(8), exitsnoop(8), sar(1)" },
	{ "probe", cmd_probe, "add SYMBOL [--ret] [--latency] [--events] | del ID|SYMBOL | list",
	  "kscope_probe: kprobes on kernel functions by name (admin to change)",
	  .subs = ks_probe_subs,
	  .desc = "kscope_probe puts kprobes (and kretprobes) on kernel functions by name, resolving compiler suffixes (.isra.N, .constprop.N, .cold) itself; counts hits, returns and nmissed; keeps entry-to-return latency histograms; sends one event per hit on request.",
	  .examples = (const char *const[]){
		"kscope probe add vfs_read --latency", "count vfs_read and time it",
		"kscope probe latency", "its latency histogram, nsecs (compare funclatency vfs_read)",
		NULL },
	  .see = "funclatency(8), funccount(8)" },
	{ "export", cmd_export,
	  "[--listen ADDR:PORT] [--textfile DIR] [--interval SECS] [--sources NAME,...] [--once [--openmetrics]]",
	  "serve every counter and histogram to Prometheus (/metrics), or a node_exporter textfile",
	  .subs = export_subs,
	  .desc = "A long-running exporter: every source's counters as kscope_SOURCE_NAME_total (gauges as gauges, HELP from the schema), histograms as Prometheus histograms in seconds with cumulative le buckets, _count and _sum, labelled device, queue, fs and op, and lost events by reason (kscope_core_events_lost_total{reason}). It serves the text exposition format, or OpenMetrics when the scraper asks for it, and follows modules as they are loaded and unloaded. It reads over netlink only and drops CAP_NET_ADMIN and CAP_SYS_ADMIN at start; the kscope-exporter systemd unit runs it with DynamicUser.",
	  .examples = (const char *const[]){
		"kscope export", "serve http://127.0.0.1:9617/metrics",
		"kscope export --textfile /var/lib/prometheus/node-exporter --interval 15", "a textfile for node_exporter, no HTTP server",
		"kscope export --once --sources sched | promtool check metrics", "one scrape of kscope_sched, checked",
		NULL },
	  .see = "prometheus(1), prometheus-node-exporter(1), promtool(1)" },
	{ "status", cmd_status, "",
	  "every kernel-wide setting not at its default",
	  .subs = status_subs,
	  .desc = "What an admin changed for every reader, that outlives the command that changed it: kscope_sched's and kscope_tcp's filters (tcp's event types too), kscope_vfs's pid filter, slow-operation threshold and top collection, kscope_mem's high-order threshold, kscope_probe's probes, kscope_blk's devices and slow-request thresholds, kscope_net's echo responder (root: it is read from debugfs) and kscope's XDP programs. One \"SOURCE NAME VALUE\" line each, nothing else when all is at its default. The filters of one run (watch --pid, the front-ends' -p, -L, ...) are the reader's own and never appear here. Anyone may read (net's echo state: root).",
	  .examples = (const char *const[]){
		"kscope status", "what is set",
		"kscope tcp filter --clear; kscope status", "tcp's filter back to its default",
		NULL } },
	/* the front-ends: the anchors' flags and columns */
	{ "runqlat", cmd_runqlat, "[-m] [-P] [-p PID] [-T] [interval [count]]",
	  "run-queue latency histogram, as libbpf-tools' runqlat",
	  .subs = ks_runqlat_subs,
	  .desc = "Mirrors libbpf-tools' runqlat(8): the time threads waited on a run queue, wakeup (or preemption) to running, as a log2 histogram of microseconds, system-wide, per process (-P) or for one (-p). Without an interval, it waits for Ctrl-C and prints what happened meanwhile. It adds: no BPF and no BTF needed (kscope_sched's tracepoints are always on), nothing to load per run, intervals computed in the reader from the kernel's cumulative histograms so several readers never disturb each other, and per-process histograms kept for processes that exited. System-wide: anyone may read; -P and -p read the portraits: admin.",
	  .examples = (const char *const[]){
		"kscope runqlat 1 10", "ten one-second histograms",
		"kscope runqlat -mT 5", "milliseconds, every 5 s, with the time",
		"kscope runqlat -P", "a histogram per process, until Ctrl-C",
		NULL },
	  .see = "runqlat(8), kscope sched runqlat" },
	{ "sar", cmd_sar, "[-P ALL] [interval [count]]",
	  "CPU utilization table, as sar -u (cpudist's companion)",
	  .subs = ks_sar_subs,
	  .desc = "Mirrors sar -u (and -P ALL) from sysstat: per interval, the CPUs' %user, %nice, %system (interrupts included, as sar -u counts them), %iowait, %steal and %idle, then sar's Average lines. Each line covers its own interval, as sar's: the split of each CPU's times between two reads (the kernel's cpustat as /proc/stat has it, idle and iowait from the NOHZ accounting), with the interval's measured length; without an interval, one line of kscope_sched's last complete window (its interval_ms, 1 s by default). A CPU is left out of an interval it was not in at the start (kscope_sched keeps a CPU from its first complete window on). It adds: no sadc/sysstat collector, JSON lines (sched_cpu) with irq and softirq apart. Anyone may read.",
	  .examples = (const char *const[]){
		"kscope sar 1 5", "five lines of the all-CPU average, then the average",
		"kscope sar -P ALL 2", "every CPU every 2 s",
		NULL },
	  .see = "sar(1), cpudist(8), kscope sched cpu" },
	{ "vfsstat", cmd_vfsstat, "[-a] [interval [count]]",
	  "VFS calls per second, as libbpf-tools' vfsstat",
	  .subs = ks_vfsstat_subs,
	  .desc = "Mirrors libbpf-tools' vfsstat(8): every interval (1 s by default) one line of READ/s, WRITE/s, CREATE/s, OPEN/s and FSYNC/s, summed over filesystems from kscope_vfs's per-filesystem counters. CREATE/s counts files created, by open(O_CREAT) too, where vfsstat counts vfs_create() only (mknod). It adds: -a for UNLINK/s, RENAME/s, MKDIR/s, RMDIR/s and ERRORS/s, and with --json each interval's per-filesystem vfs_ops lines with bytes, errors and latency histograms. Counts follow kscope vfs filter, if an admin set one (kscope status). Anyone may read.",
	  .examples = (const char *const[]){
		"kscope vfsstat", "one line a second",
		"kscope vfsstat -a 5 3", "three 5-second lines with every operation",
		NULL },
	  .see = "vfsstat(8), kscope vfs show" },
	{ "biolatency", cmd_biolatency, "[-m] [-D] [-F] [-d DISK] [-T] [interval [count]]",
	  "block I/O latency histogram of kscope_blk devices, as libbpf-tools' biolatency",
	  .subs = ks_biolatency_subs,
	  .desc = "Mirrors libbpf-tools' biolatency(8) for kscope_blk's devices: the time from a request reaching the driver to its completion, as a log2 histogram of microseconds, for all devices, per device (-D) or per operation (-F). Without an interval, it waits for Ctrl-C and prints what happened meanwhile. It adds: the driver's own view (no BPF), with the exact request count of each operation, and the per-queue histograms in kscope blk stat --hwq. Anyone may read.",
	  .examples = (const char *const[]){
		"kscope biolatency -D 1 5", "per device, five one-second histograms",
		"kscope biolatency -F -d d0", "device d0 by operation, until Ctrl-C",
		NULL },
	  .see = "biolatency(8), kscope blk stat" },
	{ "tcplife", cmd_tcplife, "[-p PID] [-4|-6] [-L PORT] [-D PORT] [-T]",
	  "TCP connections as they close, with bytes and duration, as libbpf-tools' tcplife",
	  .subs = ks_tcplife_subs,
	  .desc = "Mirrors libbpf-tools' tcplife(8): a line per TCP connection as it closes: PID, COMM, LADDR, LPORT, RADDR, RPORT, TX_KB (bytes acknowledged), RX_KB (bytes received), MS (its duration). It reads kscope_tcp's close events; the filters are this run's own, applied in the reader (no other reader sees them). It adds: IPv4 and IPv6 in one table, exact loss accounting (the lost-events line on stderr at exit), --json lines with the network namespace and the data bytes. Stops on Ctrl-C, --count or --duration. Needs CAP_NET_ADMIN.",
	  .examples = (const char *const[]){
		"kscope tcplife -L 80,443", "connections to local ports 80 and 443",
		"kscope tcplife -6 -p 1234", "IPv6 connections of process 1234",
		NULL },
	  .see = "tcplife(8), kscope watch tcp" },
	{ "tcpconnect", cmd_tcpconnect, "[-p PID] [-P PORT] [-4|-6] [-t]",
	  "TCP active connects, as libbpf-tools' tcpconnect",
	  .subs = ks_tcpconnect_subs,
	  .desc = "Mirrors libbpf-tools' tcpconnect(8): a line per connection a connect() opened: PID, COMM, IP, SADDR, DADDR, DPORT. It reads kscope_tcp's connect events, sent when the handshake completes (a connect that failed is counted in kscope stat tcp's connects_v4/v6, not shown); the filters are this run's own, in the reader. It adds: IPv4 and IPv6 in one table, exact loss accounting, --json lines with the network namespace and the connect latency when the handshake completes. Stops on Ctrl-C, --count or --duration. Needs CAP_NET_ADMIN.",
	  .examples = (const char *const[]){
		"kscope tcpconnect -P 443", "connects to port 443",
		NULL },
	  .see = "tcpconnect(8), kscope watch tcp" },
	{ "version", cmd_version, "",
	  "reader and kernel protocol versions, number of CPUs",
	  .subs = version_subs,
	  .desc = "The reader's version and protocol, and the kernel's (kscope_core's) protocol and number of CPUs. kscope --version prints the reader's version alone, without asking the kernel." },
	{ "help", cmd_help, "[COMMAND]", "the commands, or one command's options and examples",
	  .subs = help_subs,
	  .desc = "Without COMMAND, every command in one line. With one, what kscope COMMAND --help prints: its subcommands, options and examples." },
	{ "completion", cmd_completion, "bash", "print the bash completion script",
	  .subs = completion_subs,
	  .desc = "The bash completion script, generated from the same table as the help and the man page (the packages install it in /usr/share/bash-completion/completions).",
	  .examples = (const char *const[]){
		"source <(kscope completion bash)", "completion in this shell",
		NULL } },
};

const struct ks_cmd *const ks_cmds = cmds;
const unsigned int ks_nr_cmds = ARRAY_SIZE(cmds);

/* ---- version ---- */

struct version_reply {
	uint32_t version;
	uint32_t nr_cpus;
};

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	struct version_reply *r = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, GENL_HDRLEN) {
		switch (mnl_attr_get_type(a)) {
		case KSCOPE_A_VERSION:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			r->version = mnl_attr_get_u32(a);
			break;
		case KSCOPE_A_NR_CPUS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EBADMSG;
			r->nr_cpus = mnl_attr_get_u32(a);
			break;
		}
	}
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	struct version_reply r = { .version = 0 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ks_nl nl;
	int c, err, status = 1;

	while ((c = ks_getopt(argc, argv, "version", NULL, &status)) != -1)
		if (c == KS_OPT_EXIT)
			return status;
	if (optind < argc)
		return ks_usage_error(argv[0], "unexpected argument '%s'",
				      argv[optind]);

	if (!opt_json)
		printf("reader: kscope %s, protocol v%u\n",
		       KSCOPE_READER_VERSION, KSCOPE_GENL_VERSION);
	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_VERSION_GET, 0);
	err = ks_nl_talk(&nl, nlh, version_cb, &r);
	if (err) {
		ks_nl_report(&nl, "version", err);
		goto out;
	}
	if (opt_json) {
		ks_json_begin("version");
		printf(",\"reader\":\"%s\",\"protocol\":%u,\"kernel_protocol\":%u,"
		       "\"nr_cpus\":%u}\n", KSCOPE_READER_VERSION,
		       KSCOPE_GENL_VERSION, r.version, r.nr_cpus);
	} else {
		printf("kernel: protocol v%u, %u cpus\n", r.version, r.nr_cpus);
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* ---- list ---- */

static void list_print(const struct ks_sources *s)
{
	unsigned int i, j, k, w = 0;

	for (i = 0; i < s->n; i++)
		if (strlen(s->v[i].name) > w)
			w = strlen(s->v[i].name);

	for (i = 0; i < s->n; i++) {
		const struct ks_source *src = &s->v[i];

		if (!opt_json) {
			printf("%-*s id=%-3u counters=%-3u attach=", (int)w,
			       src->name, src->id, src->nr_counters);
			text_word(stdout, src->attach);
			fputs(" events=", stdout);
			for (j = 0; j < src->nr_evtypes; j++) {
				if (j)
					putchar(',');
				text_word(stdout, src->evtypes[j].name);
			}
			if (!src->nr_evtypes)
				putchar('-');
			fputs(" gauges=", stdout);
			for (j = k = 0; j < src->nr_counters; j++) {
				if (src->counters[j].kind != KSCOPE_COUNTER_GAUGE)
					continue;
				if (k++)
					putchar(',');
				text_word(stdout, src->counters[j].name);
			}
			if (!k)
				putchar('-');
			putchar('\n');
			continue;
		}

		ks_json_begin("source");
		fputs(",\"source\":", stdout);
		json_str(stdout, src->name);
		printf(",\"id\":%u,\"attach\":", src->id);
		json_str(stdout, src->attach);
		fputs(",\"counters\":[", stdout);
		for (j = 0; j < src->nr_counters; j++) {
			fputs(j ? ",{\"name\":" : "{\"name\":", stdout);
			json_str(stdout, src->counters[j].name);
			printf(",\"kind\":\"%s\"}",
			       ks_counter_kind_name(src->counters[j].kind));
		}
		fputs("],\"events\":[", stdout);
		for (j = 0; j < src->nr_evtypes; j++) {
			const struct ks_evtype *et = &src->evtypes[j];

			if (j)
				putchar(',');
			fputs("{\"name\":", stdout);
			json_str(stdout, et->name);
			printf(",\"id\":%u,\"fields\":[", et->id);
			for (k = 0; k < et->nr_fields; k++) {
				if (k)
					putchar(',');
				fputs("{\"name\":", stdout);
				json_str(stdout, et->fields[k].name);
				printf(",\"kind\":\"%s\"}",
				       ks_kind_name(et->fields[k].kind));
			}
			fputs("]}", stdout);
		}
		fputs("]}\n", stdout);
	}
}

static int cmd_list(int argc, char **argv)
{
	struct ks_sources s = { .n = 0 };
	struct ks_nl nl;
	int c, i, err, status = 1;

	while ((c = ks_getopt(argc, argv, "list", NULL, &status)) != -1)
		if (c == KS_OPT_EXIT)
			return status;

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	if (optind == argc) {
		err = ks_sources_fetch(&nl, NULL, &s);
		if (err) {
			ks_nl_report(&nl, "list", err);
			goto out;
		}
	}
	for (i = optind; i < argc; i++) {
		err = ks_sources_fetch(&nl, argv[i], &s);
		if (err) {
			ks_nl_report_source(&nl, "list", argv[i], err);
			goto out;
		}
	}
	list_print(&s);
	status = 0;
out:
	ks_sources_free(&s);
	ks_nl_close(&nl);
	return status;
}

/* ---- stat ---- */

static void json_ctrs(const struct ks_ctrs *c)
{
	unsigned int i;

	putchar('{');
	for (i = 0; i < c->n; i++) {
		if (i)
			putchar(',');
		json_str(stdout, c->names[i]);
		printf(":%" PRIu64, c->vals[i]);
	}
	putchar('}');
}

/* is counter @name of @source a gauge (@s: the schemas; NULL: none known) */
static bool is_gauge(const struct ks_sources *s, const char *source,
		     const char *name)
{
	unsigned int i, j;

	for (i = 0; s && i < s->n; i++) {
		if (strcmp(s->v[i].name, source))
			continue;
		for (j = 0; j < s->v[i].nr_counters; j++)
			if (!strcmp(s->v[i].counters[j].name, name))
				return s->v[i].counters[j].kind ==
				       KSCOPE_COUNTER_GAUGE;
	}
	return false;
}

/* interval mode: each counter's change since the last read, gauges as they are */
static void ctrs_delta(struct ks_ctrs *c, const struct ks_sources *s,
		       const char *source, const char *label)
{
	char key[256];
	unsigned int j;

	for (j = 0; j < c->n; j++) {
		if (is_gauge(s, source, c->names[j]))
			continue;
		snprintf(key, sizeof(key), "%s %s", label, c->names[j]);
		ks_delta(key, &c->vals[j], 1, NULL);
	}
}

static void stat_delta(struct ks_stats_list *l, const struct ks_sources *s)
{
	unsigned int i, j;
	char label[128];

	for (i = 0; ks_ival.secs && i < l->n; i++) {
		struct ks_stats *st = &l->v[i];

		ctrs_delta(&st->total, s, st->source, st->source);
		for (j = 0; j < st->nr_percpu; j++) {
			snprintf(label, sizeof(label), "%s/cpu%u", st->source,
				 st->percpu[j].cpu);
			ctrs_delta(&st->percpu[j].c, s, st->source, label);
		}
	}
}

static void stat_print(const struct ks_stats_list *l)
{
	unsigned int i, j, k;
	int ws = 0, wc = 0;
	char label[128];

	if (opt_json) {
		for (i = 0; i < l->n; i++) {
			const struct ks_stats *st = &l->v[i];

			ks_json_begin("counters");
			fputs(",\"source\":", stdout);
			json_str(stdout, st->source);
			fputs(",\"counters\":", stdout);
			json_ctrs(&st->total);
			if (st->percpu) {
				fputs(",\"percpu\":[", stdout);
				for (j = 0; j < st->nr_percpu; j++) {
					printf("%s{\"cpu\":%u,\"counters\":",
					       j ? "," : "", st->percpu[j].cpu);
					json_ctrs(&st->percpu[j].c);
					putchar('}');
				}
				putchar(']');
			}
			fputs("}\n", stdout);
		}
		return;
	}

	/* aligned, but still "SOURCE COUNTER VALUE" for awk */
	for (i = 0; i < l->n; i++) {
		const struct ks_stats *st = &l->v[i];
		int n = strlen(st->source);

		if (st->nr_percpu)
			n += 14;	/* "/cpu" + u32 */
		ws = n > ws ? n : ws;
		for (j = 0; j < st->total.n; j++) {
			n = strlen(st->total.names[j]);
			wc = n > wc ? n : wc;
		}
	}
	for (i = 0; i < l->n; i++) {
		const struct ks_stats *st = &l->v[i];

		for (j = 0; j < st->total.n; j++)
			printf("%-*s %-*s %" PRIu64 "\n", ws, st->source, wc,
			       st->total.names[j], st->total.vals[j]);
		for (j = 0; j < st->nr_percpu; j++) {
			const struct ks_cpu_ctrs *pc = &st->percpu[j];

			snprintf(label, sizeof(label), "%s/cpu%u", st->source,
				 pc->cpu);
			for (k = 0; k < pc->c.n; k++)
				printf("%-*s %-*s %" PRIu64 "\n", ws, label, wc,
				       pc->c.names[k], pc->c.vals[k]);
		}
	}
}

/* Read one debugfs "counters" file: "name value" lines. */
static int read_counters_file(const char *path, struct ks_ctrs *c)
{
	char line[512];
	unsigned int lineno = 0;
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char name[128], val[64], extra[2];
		uint64_t v;
		int n;

		lineno++;
		n = sscanf(line, "%127s %63s %1s", name, val, extra);
		if (n <= 0)
			continue;	/* blank line */
		if (n != 2 || !ks_parse_u64(val, &v)) {
			line[strcspn(line, "\n")] = '\0';
			ks_err("%s:%u: not a \"name value\" line: %s", path,
			       lineno, line);
			continue;
		}
		err = ks_ctrs_add(c, name, v);
		if (err)
			break;
	}
	if (!err && ferror(f))
		err = -EIO;
	fclose(f);
	return err;
}

static int is_source_dir(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int stat_debugfs(char **names, int nr_names, bool percpu,
			bool family_missing, const char *why)
{
	const char *root = getenv("KSCOPE_DEBUGFS");
	struct ks_stats_list l = { .n = 0 };
	struct dirent **ents = NULL;
	char path[4096];
	int i, n = 0, err, status = 1;
	struct stat sb;

	if (!root || !*root)
		root = KSCOPE_DEBUGFS_DIR;
	err = stat(root, &sb) < 0 ? errno : 0;
	if (!err && !S_ISDIR(sb.st_mode))
		err = ENOTDIR;
	if (err) {
		/* no debugfs either: the plain answer is the missing module */
		if (family_missing && (err == ENOENT || err == ENOTDIR))
			ks_core_missing();
		else if (err == EACCES || err == EPERM)
			ks_err("%s: permission denied: debugfs is root's (run as root, or load kscope_core to read over netlink)",
			       root);
		else
			ks_err("%s: %s", root, strerror(err));
		return 1;
	}
	ks_err("netlink unavailable (%s), reading counters from %s", why, root);
	if (percpu)
		ks_err("per-CPU counters are not available from debugfs, printing totals");

	if (!nr_names) {
		n = scandir(root, &ents, is_source_dir, alphasort);
		if (n < 0) {
			ks_err("%s: %s", root, strerror(errno));
			return 1;
		}
	}
	for (i = 0; i < (nr_names ? nr_names : n); i++) {
		const char *src = nr_names ? names[i] : ents[i]->d_name;
		struct ks_stats *st;

		if (strchr(src, '/') || !strcmp(src, ".") || !strcmp(src, "..")) {
			ks_err("unknown source \"%s\"", src);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s", root, src);
		if (stat(path, &sb) < 0 || !S_ISDIR(sb.st_mode)) {
			if (!nr_names)
				continue;
			ks_err("unknown source \"%s\"", src);
			goto out;
		}
		snprintf(path, sizeof(path), "%s/%s/counters", root, src);
		st = ks_stats_list_add(&l, src);
		if (!st) {
			ks_err("%s", strerror(ENOMEM));
			goto out;
		}
		err = read_counters_file(path, &st->total);
		if (err == -ENOENT && !nr_names) {
			/* a directory without counters is not a source */
			free(st->source);
			l.n--;
			continue;
		}
		if (err) {
			ks_err("%s: %s", path, strerror(-err));
			goto out;
		}
	}
	stat_delta(&l, NULL);
	stat_print(&l);
	status = 0;
out:
	for (i = 0; i < n; i++)
		free(ents[i]);
	free(ents);
	ks_stats_list_free(&l);
	return status;
}

struct stat_args {
	int argc, optind;
	char **argv;
	bool percpu;
};

static int stat_sample(void *arg)
{
	const struct stat_args *a = arg;
	struct ks_stats_list l = { .n = 0 }, all = { .n = 0 };
	struct ks_sources srcs = { .n = 0 };
	bool percpu = a->percpu;
	int argc = a->argc, optind = a->optind;
	char **argv = a->argv;
	const char *why;
	struct ks_nl nl;
	int i, err, status = 1;

	err = ks_nl_connect(&nl);
	if (err == -ENOENT) {
		why = "no \"" KSCOPE_GENL_NAME "\" generic netlink family";
		goto fallback;
	}
	if (err == -EPERM || err == -EACCES || err == -EPROTO) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	if (err) {
		why = strerror(-err);
		goto fallback;
	}

	if (optind == argc && !percpu) {
		err = ks_stats_fetch(&nl, NULL, false, &l);
	} else if (optind == argc) {
		/* per-CPU data is asked for one source at a time */
		err = ks_stats_fetch(&nl, NULL, false, &all);
		for (i = 0; !err && i < (int)all.n; i++) {
			err = ks_stats_fetch(&nl, all.v[i].source, true, &l);
			if (err == -ENOENT)	/* went away meanwhile */
				err = 0;
		}
	} else {
		for (i = optind; i < argc; i++) {
			err = ks_stats_fetch(&nl, argv[i], percpu, &l);
			if (err == -ENOENT) {
				ks_nl_report_source(&nl, "stat", argv[i], err);
				goto out;
			}
			if (err)
				break;
		}
	}
	if (err == -EPERM || err == -EACCES) {
		ks_nl_report(&nl, "stat", err);
		goto out;
	}
	if (err) {
		why = strerror(-err);
		goto fallback;
	}
	if (optind == argc)
		ks_xdp_stats_add(&l);
	/* which counters are gauges: levels, not counts */
	if (ks_ival.secs && ks_sources_fetch(&nl, NULL, &srcs))
		ks_sources_free(&srcs);
	stat_delta(&l, &srcs);
	stat_print(&l);
	status = 0;
	goto out;

fallback:
	status = stat_debugfs(argv + optind, argc - optind, percpu,
			      err == -ENOENT, why);
out:
	ks_sources_free(&srcs);
	ks_stats_list_free(&all);
	ks_stats_list_free(&l);
	ks_nl_close(&nl);
	return status;
}

static int cmd_stat(int argc, char **argv)
{
	struct stat_args a = { .argv = argv };
	int c, status;

	while ((c = ks_getopt(argc, argv, "stat", NULL, &status)) != -1) {
		if (c == KS_OPT_EXIT)
			return status;
		if (c == 'p')
			a.percpu = true;
		if (c == 'T')
			ks_ival.timestamp = true;
	}
	a.optind = optind;
	status = ks_ival_args(argc, argv, optind, &a.argc, "stat", NULL);
	if (status)
		return status;
	return ks_ival_run(stat_sample, &a);
}

/* ---- testgen ---- */

/* "testgen hist": the histogram of source testgen_hist (tests only) */
static int testgen_hist(void)
{
	return ks_source_hists("testgen_hist", KSCOPE_TG_HIST, "testgen hist",
			       "test", false);
}

static int cmd_testgen(int argc, char **argv)
{
	uint64_t count, cpumask = 1, rate = 0;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	bool wait = true;
	struct ks_nl nl;
	int c, err, status = 1;

	if (argc >= 2 && !strcmp(argv[1], "hist")) {
		while ((c = ks_getopt(argc - 1, argv + 1, "testgen", "hist",
				      &status)) != -1)
			if (c == KS_OPT_EXIT)
				return status;
		if (optind < argc - 1)
			return ks_sub_usage_error("testgen", "hist",
						  "unexpected argument '%s'",
						  argv[optind + 1]);
		return testgen_hist();
	}
	while ((c = ks_getopt(argc, argv, "testgen", NULL, &status)) != -1) {
		switch (c) {
		case KS_OPT_EXIT:
			return status;
		case 'c':
			if (!ks_parse_u64(optarg, &cpumask) || !cpumask)
				return ks_usage_error(argv[0], "bad CPU mask '%s'",
						      optarg);
			break;
		case 'r':
			if (!ks_parse_u64(optarg, &rate) || rate > UINT32_MAX)
				return ks_usage_error(argv[0], "bad rate '%s'",
						      optarg);
			break;
		case 'w':
			wait = true;
			break;
		case 'W':
			wait = false;
			break;
		}
	}
	if (optind != argc - 1)
		return ks_usage_error(argv[0], "expects one COUNT");
	if (!ks_parse_u64(argv[optind], &count) || !count ||
	    count > UINT32_MAX)
		return ks_usage_error(argv[0], "bad COUNT '%s'", argv[optind]);

	err = ks_nl_connect(&nl);
	if (err) {
		ks_nl_connect_report(&nl, err);
		goto out;
	}
	nlh = ks_nl_msg(&nl, buf, KSCOPE_CMD_CTL, 0);
	nest = ks_nl_ctl_start(nlh, "testgen");
	mnl_attr_put_u32(nlh, KSCOPE_TG_COUNT, (uint32_t)count);
	mnl_attr_put_u64(nlh, KSCOPE_TG_CPUMASK, cpumask);
	mnl_attr_put_u32(nlh, KSCOPE_TG_RATE, (uint32_t)rate);
	if (wait)
		mnl_attr_put(nlh, KSCOPE_TG_WAIT, 0, NULL);
	mnl_attr_nest_end(nlh, nest);

	err = ks_nl_talk(&nl, nlh, NULL, NULL);
	if (err) {
		ks_nl_report_source(&nl, "testgen", "testgen", err);
		goto out;
	}
	status = 0;
out:
	ks_nl_close(&nl);
	return status;
}

/* ---- help, completion, main ---- */

static int cmd_help(int argc, char **argv)
{
	const struct ks_cmd *c;
	int opt, status;

	/* hidden: the man page, for `make doc` */
	if (argc == 2 && !strcmp(argv[1], "--man")) {
		ks_man(stdout);
		return 0;
	}
	while ((opt = ks_getopt(argc, argv, "help", NULL, &status)) != -1)
		if (opt == KS_OPT_EXIT)
			return status;
	if (argc - optind > 1)
		return ks_usage_error("help", "expects at most one COMMAND");
	if (argc - optind == 1) {
		c = ks_find_cmd(argv[optind]);
		if (!c)
			return ks_usage_error(NULL, "unknown command '%s'",
					      argv[optind]);
		ks_cmd_help(stdout, c);
		return 0;
	}
	ks_help(stdout);
	return 0;
}

static int cmd_completion(int argc, char **argv)
{
	int opt, status;

	while ((opt = ks_getopt(argc, argv, "completion", NULL, &status)) != -1)
		if (opt == KS_OPT_EXIT)
			return status;
	if (argc - optind != 1 || strcmp(argv[optind], "bash"))
		return ks_usage_error("completion", "expects 'bash'");
	ks_completion_bash(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const struct ks_cmd *c;
	int i, n = 0, status;
	bool dashdash = false;
	char **args;

	/* --json and -v are global and may come anywhere before "--" */
	args = calloc(argc + 1, sizeof(*args));
	if (!args) {
		ks_err("%s", strerror(ENOMEM));
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (!dashdash && !strcmp(argv[i], "--json")) {
			opt_json = true;
			continue;
		}
		if (!dashdash && (!strcmp(argv[i], "-v") ||
				  !strcmp(argv[i], "--verbose"))) {
			opt_verbose = true;
			continue;
		}
		if (!strcmp(argv[i], "--"))
			dashdash = true;
		args[n++] = argv[i];
	}

	if (!n) {
		ks_err("missing COMMAND");
		ks_help(stderr);
		status = 2;
		goto out;
	}
	if (!strcmp(args[0], "--help") || !strcmp(args[0], "-h")) {
		ks_help(stdout);
		status = 0;
		goto out;
	}
	if (!strcmp(args[0], "--version")) {
		printf("kscope %s\n", KSCOPE_READER_VERSION);
		status = 0;
		goto out;
	}
	if (args[0][0] == '-') {
		status = ks_usage_error(NULL, "unknown option '%s'", args[0]);
		goto out;
	}
	c = ks_find_cmd(args[0]);
	if (!c) {
		status = ks_usage_error(NULL, "unknown command '%s'", args[0]);
		goto out;
	}
	/* `kscope X --help` and `kscope X help`: what `kscope help X` prints */
	if (n == 2 && (!strcmp(args[1], "--help") || !strcmp(args[1], "-h") ||
		       (c->subs && c->subs->name && !strcmp(args[1], "help")))) {
		ks_cmd_help(stdout, c);
		status = 0;
		goto out;
	}
	status = c->fn(n, args);
out:
	fflush(stdout);
	free(args);
	return status;
}
