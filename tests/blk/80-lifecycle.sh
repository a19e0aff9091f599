#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Life cycle under load: while fio runs on a device, removing it is
# refused (EBUSY) and so is unloading the module, and fio finishes with
# its data verified; devices made and removed in a loop with I/O in
# between, and the module loaded and unloaded with devices present, leave
# nothing behind (no disk, no debugfs, no stray pages: the guest log must
# stay free of warnings, which guest-run checks).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 7
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
$KSCOPE blk add busy --profile ssd --size 32 --completion timer || { ktap_fail "add"; ktap_done; }

blk_fio busy --filename=/dev/kblk_busy --direct=1 --ioengine=libaio --iodepth=16 \
	--name=w --rw=randwrite --bs=4k --size=$(ks_sized 32 8)M \
	--verify=crc32c --verify_fatal=1 --do_verify=1 &
fpid=$!
# attempts count only once fio holds the device open and writes
for i in $(seq 1 100); do
	ls -l /proc/$fpid/task/*/fd /proc/[0-9]*/fd 2>/dev/null | grep -q 'kblk_busy' &&
		[ "$(blk_stat kblk_busy write_reqs)" -gt 0 ] && break
	sleep 0.2
done
out=$($KSCOPE blk del busy 2>&1)
ktap_check "del under I/O refused" "$out" eval '[[ $out == *busy* ]] && kill -0 $fpid'
ktap_check "unload under I/O refused" "rmmod succeeded" eval '! rmmod kscope_blk 2>/dev/null && [ -b /dev/kblk_busy ] && kill -0 $fpid'
wait $fpid
ktap_eq "fio under those attempts: verified" "0 0" "$? $(jq '[.jobs[].error] | add' "$KS_TMP/busy.json")"
ktap_check "del after I/O" "del failed" $KSCOPE blk del busy

bad=0
for i in $(seq 1 8); do
	p=$(echo nvme ssd hdd | cut -d' ' -f$(( i % 3 + 1 )))
	m=$(echo inline softirq timer | cut -d' ' -f$(( (i / 3) % 3 + 1 )))
	$KSCOPE blk add "l$i" --profile "$p" --size 8 --completion "$m" || bad=1
	dd if=/dev/urandom of="/dev/kblk_l$i" bs=64k count=16 oflag=direct status=none || bad=1
	[ "$(cmp -n 1048576 "/dev/kblk_l$i" /dev/zero 2>/dev/null)" ] || bad=1
	$KSCOPE blk del "l$i" || bad=1
done
ktap_eq "8 add/write/del cycles over all profiles and modes" 0 "$bad"
rmmod kscope_blk
insmod "$(ks_ko kscope_blk)" devices=nvme:16M,ssd:16M,hdd:16M completion=softirq
dd if=/dev/urandom of=/dev/kblk_nvme0 bs=1M count=4 oflag=direct status=none
dd if=/dev/urandom of=/dev/kblk_hdd2 bs=1M count=2 oflag=direct status=none
ktap_check "unload with idle devices present" "rmmod failed" rmmod kscope_blk
ktap_eq "nothing left behind" "0 no" \
	"$(ls /sys/block | grep -c '^kblk_') $([ -d "$BLK_DBG" ] && echo yes || echo no)"
ktap_done
