#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The hdd model: random reads are served much slower than sequential ones
# (fio's IOPS are the oracle), an elevator (mq-deadline) that sorts
# requests by sector serves a random queue faster than none, and
# slow-request events arrive for every request above the threshold: with
# a 500 us threshold under the 500 us minimum seek, every random read and
# no sequential read (fio's I/O counts).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 7
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
if blk_set_sched kblk_hd mq-deadline; then
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
if blk_set_sched kblk_hd bfq; then
	run bfq randread 16
	ktap_ok "bfq: $(iops bfq) IOPS, mean $(( $(blk_fio_get bfq '.read.clat_ns.mean' | cut -d. -f1) / 1000 )) us (none: $(iops none))"
else
	ktap_skip "bfq run" "bfq not available"
fi
blk_set_sched kblk_hd none

# slow-request events
$KSCOPE blk set hd --slow-us 500
"$KSCOPE" watch --json blk >"$KS_TMP/w.out" 2>"$KS_TMP/w.err" &
wpid=$!
sleep 1
slow0=$(blk_stat kblk_hd slow)
blk_fio ev --filename=/dev/kblk_hd --direct=1 --ioengine=libaio --randrepeat=0 \
	--name=r --rw=randread --bs=4k --iodepth=1 --number_ios=40 --size=256M \
	--name=s --rw=read --bs=4k --iodepth=1 --number_ios=200 --offset=0 --size=1M --stonewall
sleep 1
kill -INT "$wpid"; wait "$wpid"
nr=$(jq '.jobs[0].read.total_ios' "$KS_TMP/ev.json")
got=$(grep -c '"event":"slow"' "$KS_TMP/w.out")
ktap_eq "one slow event per random read, none for sequential" "$nr" "$got" "events"
ktap_eq "slow counter agrees with the events" "$got" "$(( $(blk_stat kblk_hd slow) - slow0 ))"
$KSCOPE blk del hd
rmmod kscope_blk
ktap_done
