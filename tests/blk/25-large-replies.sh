#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Replies too large for one netlink nest: `blk stat --hwq` of a device
# with the most queues the policy allows (64 + 16 polled: about 140 KiB
# of statistics, where a u16 nla_len wrapped past 55 queues) comes in
# several messages that the reader joins. Oracles: the block layer's own
# hctx directories (blk-mq debugfs) give the number of per-queue rows the
# reader must print, one per index, with polled rows for exactly the
# last 16; /proc/diskstats gives the writes that the per-queue rows must
# add up to. A listing of 40 devices (more than one message) shows every
# disk that /sys/block has.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 8
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }

$KSCOPE blk add big --size 16 --queues 64 --poll-queues 16 --completion inline ||
	{ ktap_fail "add a device of 64 + 16 queues"; ktap_done; }
dbg=/sys/kernel/debug/block/kblk_big
nhctx=$(ls -d "$dbg"/hctx* 2>/dev/null | wc -l)

wr0=$(awk '$3 == "kblk_big" { print $8 }' /proc/diskstats)
dd if=/dev/urandom of=/dev/kblk_big bs=4k count=100 oflag=direct status=none
wr1=$(awk '$3 == "kblk_big" { print $8 }' /proc/diskstats)

if ! $KSCOPE --json blk stat big --hwq >"$KS_TMP/stat.json" 2>"$KS_TMP/stat.err"; then
	ktap_fail "stat --hwq of 80 queues" "$(cat "$KS_TMP/stat.err")"
	ktap_done
fi
ktap_eq "stat --hwq: one device object" 1 "$(jq -s length "$KS_TMP/stat.json")"
rows=$(jq -r '.hwq[].index' "$KS_TMP/stat.json" | sort -n)
ktap_eq "per-queue rows = hctx directories of blk-mq" "$nhctx" "$(echo "$rows" | grep -c .)" rows
ktap_eq "rows are queues 0..79, each once" "$(seq 0 79 | tr '\n' ' ')" "$(echo $rows) "
ktap_eq "polled rows: the last 16" "$(seq 64 79 | tr '\n' ' ')" \
	"$(jq -r '.hwq[] | select(.polled) | .index' "$KS_TMP/stat.json" | sort -n | tr '\n' ' ')"
ktap_eq "per-queue writes add up to /proc/diskstats' writes" "$(( wr1 - wr0 ))" \
	"$(jq '[.hwq[].counters.write_reqs] | add' "$KS_TMP/stat.json")"
ktap_eq "per-queue write latency samples add up to /proc/diskstats' writes" "$(( wr1 - wr0 ))" \
	"$(jq '[.hwq[].latency.write.buckets[].count] | add' "$KS_TMP/stat.json")"
$KSCOPE blk del big

for i in $(seq 1 40); do
	$KSCOPE blk add "many_$i" --size 1 --queues 1 || break
done
ktap_eq "list of 40 devices = the disks in /sys/block" \
	"$(ls /sys/block | grep '^kblk_many_' | sed 's/^kblk_//' | sort | tr '\n' ' ')" \
	"$($KSCOPE --json blk list | jq -r '.name' | sort | tr '\n' ' ')"
for i in $(seq 1 40); do
	$KSCOPE blk del "many_$i" 2>/dev/null
done
ktap_check "unload" "rmmod failed" rmmod kscope_blk
ktap_done
