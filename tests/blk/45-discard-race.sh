#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Writes racing discards and write-zeroes on the same pages. A write used
# to find its page freed by a discard between making it and copying into
# it: WARN_ON_ONCE(!page) in kblk_copy, the data dropped and the write
# completed OK. Now a page is looked up, made and freed only under its
# lock. For each completion mode: O_DIRECT writes (fio, 4 KiB to 1 MiB)
# race discards (fio randtrim: BLKDISCARD) and `blkdiscard -z` loops on
# the same 4 MiB for a few seconds; meanwhile fio writes and verifies (crc32c) a range nothing
# discards. Oracles: the kernel log shows no WARNING; fio verifies the
# undisturbed range during the race and the raced range after it (then
# no longer discarded); a block written once the race is over reads back
# as written, and a block discarded last reads back as zeroes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

modes="inline timer"
secs=6
ktap_plan $(( 4 * 2 + 1 ))
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
command -v blkdiscard >/dev/null || { ktap_skip "race" "no blkdiscard (util-linux)"; ktap_done; }
dmesg -C

for mode in $modes; do
	$KSCOPE blk add r --profile nvme --size 16 --queues 2 --depth 32 --completion "$mode" ||
		{ ktap_fail "add ($mode)"; continue; }
	dev=/dev/kblk_r
	blk_fio "race-$mode" --filename=$dev --direct=1 --time_based \
		--runtime=$secs --randrepeat=0 \
		--name=racer --ioengine=libaio --rw=randwrite --bssplit=4k/40:64k/30:1m/30 \
		--offset=0 --size=4M --iodepth=8 --numjobs=2 \
		--name=trimmer --ioengine=psync --rw=randtrim --bssplit=4k/40:64k/30:1m/30 \
		--offset=0 --size=4M \
		--name=calm --ioengine=libaio --rw=randwrite --bs=16k --offset=8M --size=4M \
		--iodepth=4 --verify=crc32c --verify_fatal=1 --verify_backlog=64 &
	fpid=$!
	# and write zeroes (BLKZEROOUT) over the same range, as fast as a
	# shell can
	nd=0 nok=0
	d0=$(awk '$3 == "kblk_r" { print $15 }' /proc/diskstats)
	end=$((SECONDS + secs))
	while [ $SECONDS -lt $end ]; do
		o=$(( (RANDOM % 1024) * 4096 )) l=$(( (RANDOM % 256 + 1) * 4096 ))
		[ $((o + l)) -le 4194304 ] || l=$((4194304 - o))
		blkdiscard -z -o $o -l $l $dev 2>>"$KS_TMP/bd.err" && nok=$((nok + 1))
		nd=$((nd + 1))
	done
	wait $fpid
	rc=$?
	d1=$(awk '$3 == "kblk_r" { print $15 }' /proc/diskstats)
	# diskstats: the discards did reach the device while fio wrote
	if [ "$nok" -gt 0 ] && [ "$d1" -gt "$d0" ]; then
		ktap_eq "$mode: fio writes racing $(blk_fio_get "race-$mode" '.trim.total_ios') trims and $nok zeroouts ($((d1 - d0)) discard requests) end clean, undisturbed range verified" \
			"0 0" "$rc $(jq '[.jobs[].error] | add' "$KS_TMP/race-$mode.json" 2>/dev/null)"
	else
		ktap_fail "$mode: race" "$nok of $nd blkdiscard runs worked, discards $d0 -> $d1" \
			"$(tail -3 "$KS_TMP/bd.err")"
	fi

	blk_fio "after-$mode" --filename=$dev --direct=1 --ioengine=libaio \
		--name=v --rw=randwrite --bssplit=4k/50:64k/25:1m/25 --offset=0 --size=4M \
		--iodepth=8 --verify=crc32c --do_verify=1 --verify_fatal=1
	ktap_eq "$mode: raced range verifies after the race" \
		"0 0" "$? $(jq '[.jobs[].error] | add' "$KS_TMP/after-$mode.json" 2>/dev/null)"

	head -c 65536 /dev/urandom >"$KS_TMP/blk"
	dd if="$KS_TMP/blk" of=$dev bs=64k seek=17 oflag=direct status=none
	blkdiscard -o $((16 * 65536)) -l 65536 $dev
	dd if=$dev of="$KS_TMP/back" bs=64k skip=17 count=1 iflag=direct status=none
	ktap_check "$mode: written block reads back as written" "differs" cmp -s "$KS_TMP/blk" "$KS_TMP/back"
	ktap_check "$mode: the discarded block next to it reads back as zeroes" "not zero" \
		cmp -s -n 65536 <(dd if=$dev bs=64k skip=16 count=1 iflag=direct status=none) /dev/zero
	$KSCOPE blk del r
done
log=$(dmesg | grep -E 'WARNING|BUG|kblk_copy|lockdep|sleeping function' || true)
ktap_eq "kernel log free of WARNING/BUG" "" "$log" "log lines"
rmmod kscope_blk
ktap_done
