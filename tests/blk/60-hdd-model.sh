#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hdd model: random reads are served much slower than sequential ones
# (fio's IOPS are the oracle), an elevator (mq-deadline) that sorts
# requests by sector serves a random queue faster than none.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 4
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
$KSCOPE blk add hd --profile hdd --size 256 --completion timer || { ktap_fail "add"; ktap_done; }
blk_set_sched kblk_hd none

iops() { blk_fio_get "$1" '.read.iops' | cut -d. -f1; }
run() {
	local name=$1 rw=$2 qd=$3; shift 3
	blk_fio "$name" --filename=/dev/kblk_hd --direct=1 --ioengine=libaio \
		--name=j --rw="$rw" --bs=4k --iodepth="$qd" --runtime=3 --time_based \
		--randrepeat=0 "$@"
}
run seq read 1
run rand randread 1
s=$(iops seq) r=$(iops rand)
ktap_check "random reads slower than sequential (seq $s, rand $r IOPS)" "" [ "$r" -gt 0 -a $((r * 5)) -lt "$s" ]

run none randread 16
# an elevator sorts what it holds: let it hold what fio has in flight
# (nr_requests is the block layer's; the drive still takes 2 at a time)
if blk_set_sched kblk_hd mq-deadline && echo 64 > /sys/block/kblk_hd/queue/nr_requests; then
	run dl randread 16
	n=$(iops none) m=$(iops dl)
	nl=$(blk_fio_get none '.read.clat_ns.mean' | cut -d. -f1)
	ml=$(blk_fio_get dl '.read.clat_ns.mean' | cut -d. -f1)
	ktap_check "mq-deadline serves a random queue faster (none $n, mq-deadline $m IOPS)" "" \
		[ $((m * 100)) -gt $((n * 115)) ]
	ktap_check "mq-deadline lowers mean latency (none $((nl / 1000)) us, mq-deadline $((ml / 1000)) us)" "" \
		[ "$ml" -lt "$nl" ]
else
	ktap_skip "mq-deadline serves a random queue faster" "mq-deadline not available"
	ktap_skip "mq-deadline lowers mean latency" "mq-deadline not available"
fi
if blk_set_sched kblk_hd bfq && echo 64 > /sys/block/kblk_hd/queue/nr_requests; then
	run bfq randread 16
	ktap_check "bfq: random queue served without error ($(iops bfq) IOPS, mean $(( $(blk_fio_get bfq '.read.clat_ns.mean' | cut -d. -f1) / 1000 )) us; none $(iops none))" \
		"$(cat "$KS_TMP/bfq.err")" [ "$(blk_fio_get bfq '.error')" = 0 -a "$(iops bfq)" -gt 0 ]
else
	ktap_skip "bfq run" "bfq not available"
fi
blk_set_sched kblk_hd none

$KSCOPE blk del hd
rmmod kscope_blk
ktap_done
