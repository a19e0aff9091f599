#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Polled queues: a device with 2 default queues and 1 polled queue. fio's
# io_uring engine with --hipri (IORING_SETUP_IOPOLL) sends its I/O to the
# polled queue, where a request only ends when ->poll() finds it due: at
# the modeled time in the timer mode, at once in the inline mode. Oracles:
# the block layer marks the queue pollable (queue/io_poll); fio verifies
# crc32c with no error; /proc/diskstats (the block layer's own count of
# completed requests) moves by exactly what the polled queue ended, and
# the default queues end none of it; fio's writes are the polled queue's
# write bios, one for one. Out-of-range poll queues are refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

modes="timer inline"
ktap_plan $(( 2 + 5 * 2 ))

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }

err=$($KSCOPE blk add bad --poll-queues 17 2>&1)
ktap_check "17 poll queues refused with a reason" "$err" \
	bash -c "! test -e /dev/kblk_bad && grep -qi 'range\|poll' <<<'$err'"

# hwq_field Q KEY: KEY of hardware queue Q from debugfs
hwq_field() {
	awk -v q="hwq=$1" -v k="$2" '$1 == q { for (i = 2; i <= NF; i++) {
		split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$BLK_DBG/kblk_p/hwq"
}
# ios DISK: reads + writes completed, from /proc/diskstats
ios() { awk -v d="$1" '$3 == d { print $4 + $8 }' /proc/diskstats; }
# reqs of the default queues 0 and 1, of the polled queue 2
qreqs() { echo $(( $(hwq_field "$1" read_reqs) + $(hwq_field "$1" write_reqs) )); }

for mode in $modes; do
	if ! $KSCOPE blk add p --profile nvme --size 16 --queues 2 --poll-queues 1 \
		--depth 32 --completion "$mode"; then
		ktap_fail "add a device with a polled queue ($mode)"
		continue
	fi
	types="$(awk '{ print $2 }' "$BLK_DBG/kblk_p/hwq" | tr '\n' ' ')"
	ktap_eq "$mode: hwq 2 is the polled one, the block layer polls ($types)" \
		"type=default type=default type=poll 1" "$types$(cat /sys/block/kblk_p/queue/io_poll)"
	d0=$(ios kblk_p) q0=$(( $(qreqs 0) + $(qreqs 1) )) p0=$(qreqs 2)
	w0=$(hwq_field 2 write_bios)
	blk_fio "p-$mode" --filename=/dev/kblk_p --direct=1 --ioengine=io_uring --hipri=1 \
		--name=p --rw=randwrite --bssplit=4k/50:16k/30:64k/20 --size=4M --iodepth=8 \
		--randrepeat=0 --verify=crc32c --do_verify=1 --verify_fatal=1
	rc=$?
	errs=$(jq '[.jobs[].error] | add' "$KS_TMP/p-$mode.json" 2>/dev/null)
	wios=$(blk_fio_get "p-$mode" '.write.total_ios' 2>/dev/null)
	ktap_check "$mode: fio io_uring hipri verify: no error ($wios writes)" \
		"rc=$rc errors=$errs $(grep -i -m3 'verify\|error\|hipri' "$KS_TMP/p-$mode.err")" \
		test "$rc" = 0 -a "$errs" = 0 -a "${wios:-0}" -gt 0
	d=$(( $(ios kblk_p) - d0 )) q=$(( $(qreqs 0) + $(qreqs 1) - q0 )) p=$(( $(qreqs 2) - p0 ))
	ktap_eq "$mode: diskstats requests = the polled queue's, none on the default queues" \
		"$d 0" "$p $q"
	ktap_eq "$mode: fio's writes = the polled queue's write bios" \
		"$wios" "$(( $(hwq_field 2 write_bios) - w0 ))"
	polls=$(hwq_field 2 polls) found=$(hwq_field 2 polls_found)
	ktap_check "$mode: ->poll() ran and found requests ($polls polls, $found found)" \
		"polls=$polls found=$found" test "${found:-0}" -gt 0 -a "${polls:-0}" -ge "${found:-0}"
	$KSCOPE blk del p
done
ktap_check "devices removed" "$(ls /dev/kblk_* 2>/dev/null)" bash -c "! ls /dev/kblk_p 2>/dev/null"
rmmod kscope_blk
ktap_done
