#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Statistics against independent counts: fio's own numbers of I/Os and
# bytes per direction (JSON output), and the block layer's accounting in
# /sys/block/<disk>/stat (requests, merges, sectors, flushes) and in
# /sys/block/<disk>/mq/N/cpu_list (which queue a CPU submits to).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 13

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
$KSCOPE blk add c --profile nvme --size 32 --queues 2 --depth 32 --completion softirq ||
	{ ktap_fail "add device"; ktap_done; }
blk_set_sched kblk_c mq-deadline || blk_set_sched kblk_c none

# stat fields: 1 rd ios, 2 rd merges, 3 rd sectors, 5 wr ios, 6 wr merges,
# 7 wr sectors, 12 discard ios, 13 discard merges, 14 discard sectors, 16 flush ios
dstat() { awk -v f="$1" '{ print $f }' /sys/block/kblk_c/stat; }
declare -A base
snap() {
	local k
	for k in read write flush discard; do
		base[${k}_reqs]=$(blk_stat kblk_c ${k}_reqs)
		base[${k}_bios]=$(blk_stat kblk_c ${k}_bios)
		base[${k}_bytes]=$(blk_stat kblk_c ${k}_bytes)
		base[${k}_merges]=$(blk_stat kblk_c ${k}_merges)
	done
	for k in 1 2 3 5 6 7 12 13 14 16; do base[d$k]=$(dstat $k); done
}
# read bios of hardware queue $1
hwq_reads() {
	awk -v q="hwq=$1" '$1 == q { for (i = 2; i <= NF; i++) { split($i, kv, "=");
		if (kv[1] == "read_bios") print kv[2] } }' "$BLK_DBG/kblk_c/hwq"
}
d() { echo $(( $(blk_stat kblk_c "$1") - ${base[$1]} )); }
dd_() { echo $(( $(dstat "$1") - ${base[d$1]} )); }

snap
blk_fio cnt --filename=/dev/kblk_c --direct=1 --ioengine=libaio --randrepeat=0 \
	--name=mix --rw=randrw --rwmixread=50 --bssplit=512/20:4k/40:16k/20:64k/20 \
	--size=8M --io_size=6M --iodepth=16 --fsync=9 \
	--name=seqw --rw=write --bs=4k --offset=12M --size=4M --iodepth=32 \
	--iodepth_batch_submit=16 --iodepth_batch_complete_min=8 \
	--name=trim --rw=randtrim --bssplit=4k/50:64k/50 --offset=20M --size=4M --iodepth=1 --number_ios=60
ktap_eq "fio ran" 0 $?
fr=$(blk_fio_get cnt '.read.total_ios') fw=$(blk_fio_get cnt '.write.total_ios')
ft=$(blk_fio_get cnt '.trim.total_ios')
ktap_eq "read bios = fio reads" "$fr" "$(d read_bios)"
ktap_eq "write bios = fio writes" "$fw" "$(d write_bios)"
ktap_eq "discard bios = fio trims" "$ft" "$(d discard_bios)"
ktap_eq "read/write/discard bytes = fio's" \
	"$(blk_fio_get cnt '.read.io_bytes') $(blk_fio_get cnt '.write.io_bytes') $(blk_fio_get cnt '.trim.io_bytes')" \
	"$(d read_bytes) $(d write_bytes) $(d discard_bytes)"
# The block layer counts an fsync twice: the empty PREFLUSH write that
# asks for it (a write) and the flush request it becomes (a flush); the
# driver sees only the latter.
ktap_eq "requests = block layer's (read, write + flush, discard, flush)" \
	"$(dd_ 1) $(dd_ 5) $(dd_ 12) $(dd_ 16)" \
	"$(d read_reqs) $(( $(d write_reqs) + $(d flush_reqs) )) $(d discard_reqs) $(d flush_reqs)"
ktap_eq "merges = block layer's (read write discard)" \
	"$(dd_ 2) $(dd_ 6) $(dd_ 13)" "$(d read_merges) $(d write_merges) $(d discard_merges)"
ktap_check "sequential writes were merged" "no merges seen" [ "$(d write_merges)" -gt 0 ]
ktap_eq "sectors = block layer's (read write discard)" \
	"$(dd_ 3) $(dd_ 7) $(dd_ 14)" \
	"$(( $(d read_bytes) / 512 )) $(( $(d write_bytes) / 512 )) $(( $(d discard_bytes) / 512 ))"

# netlink view agrees with fio as well
nl=$($KSCOPE --json blk stat c)
ktap_eq "netlink: read+write bios = fio" "$(( fr + fw ))" \
	"$(( $(jq '.counters.read_bios' <<<"$nl") + $(jq '.counters.write_bios' <<<"$nl") - ${base[read_bios]} - ${base[write_bios]} ))"
hsum=$(jq '[.latency.read.buckets[].count] | add' <<<"$nl")
ktap_eq "read histogram holds every read request" "$(jq '.counters.read_reqs' <<<"$nl")" "$hsum"
q=$($KSCOPE --json blk stat c --hwq)
ktap_eq "per-queue reads add up to fio's" "$fr" \
	"$(( $(jq '[.hwq[].counters.read_bios] | add' <<<"$q") - ${base[read_bios]} ))"
# per hardware queue: fio pinned to one CPU submits through the queue the
# block layer maps that CPU to (/sys/block/<disk>/mq/N/cpu_list)
hwq_of_cpu() {
	local m
	for m in /sys/block/kblk_c/mq/*; do
		tr ',' '\n' < "$m/cpu_list" | tr -d ' ' | grep -qx "$1" && { basename "$m"; return; }
	done
}
if [ "$(nproc)" -ge 2 ]; then
	q0=$(hwq_of_cpu 0) q1=$(hwq_of_cpu 1)
	a0=$(hwq_reads "$q0") a1=$(hwq_reads "$q1")
	blk_fio pin --filename=/dev/kblk_c --direct=1 --ioengine=libaio --rw=randread --bs=4k \
		--name=c0 --cpus_allowed=0 --number_ios=200 --size=8M \
		--name=c1 --stonewall --cpus_allowed=1 --number_ios=300 --size=8M
	ktap_eq "per-queue reads follow the CPU map (cpu0 -> hwq$q0, cpu1 -> hwq$q1)" \
		"$(jq '.jobs[0].read.total_ios' "$KS_TMP/pin.json") $(jq '.jobs[1].read.total_ios' "$KS_TMP/pin.json")" \
		"$(( $(hwq_reads "$q0") - a0 )) $(( $(hwq_reads "$q1") - a1 ))"
else
	ktap_skip "per-queue reads follow the CPU map" "one CPU"
fi

$KSCOPE blk del c
rmmod kscope_blk
ktap_done
