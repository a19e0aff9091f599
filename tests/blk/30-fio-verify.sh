#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Data integrity: fio writes with crc32c verify, block sizes from 512 B to
# 1 MiB at offsets not aligned to a page, sequential and random, with
# trims (verified to read back as zeroes) and fsyncs (flushes) mixed in,
# on every completion mode under every I/O scheduler. fio is the oracle:
# zero verify errors. Sized for TCG: a few MiB per job. Every profile:
# nvme in every mode under every scheduler, ssd and hdd once each. On a
# KASAN kernel nvme runs each mode under one scheduler, a different one
# each (TCG with KASAN is several times slower; the scheduler is not
# kscope's code, the completion paths are).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

modes="inline softirq timer"
scheds=$BLK_SCHEDS
ks_kasan && scheds=rotate
ktap_plan $(( 3 * 4 + 4 ))

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }

# $1 disk, $2 run name. In parallel: sequential writes from an odd
# offset, random trim-then-write of each block (randtrimwrite), and a
# fill; then the filled range is trimmed and must read back as zeroes.
verify_run() {
	blk_fio "$2" --filename="/dev/$1" --direct=1 --ioengine=libaio --randrepeat=0 \
		--name=seq --rw=write --bssplit=512/20:4k/20:20k/20:128k/20:1m/20 \
		--offset=4608 --size=3M --iodepth=4 --fsync=7 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--name=rand --rw=randtrimwrite --bssplit=512/30:1536/10:4k/20:36k/20:256k/10:1m/10 \
		--blockalign=512 --offset=5M --size=4M --iodepth=8 --fsync=11 \
		--verify=crc32c --do_verify=1 --verify_fatal=1 \
		--name=fill --rw=write --bs=64k --offset=10M --size=1M \
		--name=trim --stonewall --rw=trim --bs=128k --offset=10M --size=1M \
		--name=zero --stonewall --rw=write --bs=4k --offset=10M --size=1M \
		--verify=pattern --verify_pattern=0 --verify_only=1 --verify_fatal=1
}

flush_ok=1 trim_ok=1 mi=0
for mode in $modes; do
	mi=$((mi + 1))
	only=""
	[ "$scheds" = rotate ] && only=$(echo $BLK_SCHEDS | cut -d' ' -f"$mi")
	$KSCOPE blk add v --profile nvme --size 12 --queues 2 --depth 32 --completion "$mode" ||
		{ ktap_fail "add device ($mode)"; continue; }
	for s in $BLK_SCHEDS; do
		if [ -n "$only" ] && [ "$s" != "$only" ]; then
			ktap_skip "verify $mode/$s" "KASAN kernel: $mode runs under $only only"
			continue
		fi
		if ! blk_set_sched kblk_v "$s"; then
			ktap_skip "verify $mode/$s" "scheduler $s not available on this kernel"
			continue
		fi
		f0=$(blk_stat kblk_v flush_reqs) t0=$(blk_stat kblk_v discard_reqs)
		verify_run kblk_v "v-$mode-$s"
		rc=$?
		# fio's report, one jq for the four sums over its jobs
		errs="" wr="" trims="" syncs=""
		read -r errs wr trims syncs < <(jq -r '.jobs as $j |
			[([$j[].error] | add), ([$j[].write.io_bytes] | add),
			 ([$j[].trim.total_ios] | add), ([$j[].sync.total_ios] | add)] |
			map(tostring) | join(" ")' "$KS_TMP/v-$mode-$s.json" 2>/dev/null)
		if [ "$rc" = 0 ] && [ "$errs" = 0 ] && [ "${wr:-0}" -gt 0 ]; then
			ktap_ok "verify $mode/$s: ${wr} bytes written, $trims trims, no verify error"
		else
			ktap_fail "verify $mode/$s" "fio rc=$rc errors=$errs" \
				"$(grep -i -m5 'verify\|bad\|error' "$KS_TMP/v-$mode-$s.err")"
		fi
		f1=$(blk_stat kblk_v flush_reqs) t1=$(blk_stat kblk_v discard_reqs)
		# fio is the oracle: a run in which it reports no sync owes no flush
		if [ "${syncs:-0}" -gt 0 ] && [ "$f1" -le "$f0" ]; then
			flush_ok=0; diag "$mode/$s: no flush ($f0 -> $f1) although fio synced $syncs times"
		elif [ "${syncs:-0}" -eq 0 ]; then
			diag "$mode/$s: fio reported no sync; flushes $f0 -> $f1"
		fi
		[ "$t1" -gt "$t0" ] || { trim_ok=0; diag "$mode/$s: no discard ($t0 -> $t1)"; }
	done
	$KSCOPE blk del v
done
ktap_eq "every run in which fio synced flushed the device" 1 "$flush_ok"
ktap_eq "every run discarded on the device" 1 "$trim_ok"

# the ssd profile: one queue of 32, under mq-deadline
$KSCOPE blk add s --profile ssd --size 12 --completion timer
blk_set_sched kblk_s mq-deadline
blk_fio ssd --filename=/dev/kblk_s --direct=1 --ioengine=libaio \
	--verify=crc32c --verify_fatal=1 --name=r --rw=randwrite \
	--bssplit=512/20:4k/40:32k/20:512k/20 --blockalign=512 --offset=1536 --size=6M \
	--iodepth=16 --fsync=9
rc=$?
ktap_eq "verify ssd ($(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/kblk_s/queue/scheduler))" \
	"0 0" "$rc $(jq '[.jobs[].error] | add' "$KS_TMP/ssd.json")"
$KSCOPE blk del s

# 4k logical blocks on a rotating profile, through bfq if present
$KSCOPE blk add h --profile hdd --size 12 --bs 4096 --completion softirq
blk_set_sched kblk_h bfq || blk_set_sched kblk_h mq-deadline
blk_fio h4k --filename=/dev/kblk_h --direct=1 --ioengine=libaio \
	--verify=crc32c --verify_fatal=1 --name=r --rw=randwrite \
	--bssplit=4k/40:12k/20:64k/20:1m/20 --blockalign=4k --offset=8k --size=6M \
	--iodepth=8 --fsync=5
rc=$?
ktap_eq "verify 4k-block hdd ($(sed 's/.*\[\(.*\)\].*/\1/' /sys/block/kblk_h/queue/scheduler))" \
	"0 0" "$rc $(jq '[.jobs[].error] | add' "$KS_TMP/h4k.json")"
$KSCOPE blk del h
rmmod kscope_blk
ktap_done
