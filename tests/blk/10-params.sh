#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module parameters: every bad value fails the load with nothing left
# registered; good ones create the devices with the block layer showing
# the profile's configuration (sysfs queue attributes are the oracle);
# unload is refused while a device is open.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

bad=(
	"devices=nvme:0M"
	"devices=nvme:2000G"
	"devices=nvme:12"
	"devices=nvme:12K"
	"devices=foo:1M"
	"devices=nvme"
	"devices=nvme:1M:"
	"devices=nvme:1M:Bad"
	"devices=nvme:1M:a:b"
	"devices=nvme:1M:averyveryveryverylongname"
	"devices=nvme:1M:x,ssd:1M:x"
	"devices=nvme:1M,"
	"completion=fast"
	"devices=nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M,nvme:1M"
)
ktap_plan $(( ${#bad[@]} + 8 ))

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ko=$(ks_ko kscope_blk)
for p in "${bad[@]}"; do
	dmesg -C
	if insmod "$ko" "$p" 2>/dev/null; then
		ktap_fail "rejects $p" "insmod succeeded"
		rmmod kscope_blk
		continue
	fi
	left=$(ls /sys/block | grep -c '^kblk_' || true)
	if [ "$left" != 0 ] || [ -d "$BLK_DBG" ] || ks_loaded kscope_blk; then
		ktap_fail "rejects $p" "something left behind: $left disks"
	elif ! dmesg | grep -q 'kscope_blk: .*\(devices=\|completion=\)'; then
		ktap_fail "rejects $p" "no error line in the log"
	else
		ktap_ok "rejects $p ($(dmesg | grep -o 'kscope_blk: .*' | head -1))"
	fi
done

insmod "$ko" devices=nvme:64M,ssd:32M:flash,hdd:1G:disk completion=softirq
ktap_check "loads with three devices" "missing disks" \
	test -b /dev/kblk_nvme0 -a -b /dev/kblk_flash -a -b /dev/kblk_disk
q() { cat "/sys/block/$1/queue/$2"; }
ktap_eq "sizes (sectors)" "131072 65536 2097152" \
	"$(cat /sys/block/kblk_nvme0/size) $(cat /sys/block/kblk_flash/size) $(cat /sys/block/kblk_disk/size)"
ktap_eq "rotational nvme/ssd/hdd" "0 0 1" \
	"$(q kblk_nvme0 rotational) $(q kblk_flash rotational) $(q kblk_disk rotational)"
ncpu=$(nproc)
ktap_eq "hardware queues nvme/ssd/hdd" "$ncpu 1 1" \
	"$(ls /sys/block/kblk_nvme0/mq | wc -l) $(ls /sys/block/kblk_flash/mq | wc -l) $(ls /sys/block/kblk_disk/mq | wc -l)"
ktap_eq "write cache, FUA, discard (nvme)" "write back 1 1" \
	"$(q kblk_nvme0 write_cache) $(q kblk_nvme0 fua) $([ "$(q kblk_nvme0 discard_max_bytes)" -gt 0 ] && echo 1)"
ktap_eq "block sizes, max sectors, segments (hdd)" "512 4096 1024 256 0" \
	"$(q kblk_disk logical_block_size) $(q kblk_disk physical_block_size) $(q kblk_disk max_hw_sectors_kb) $(q kblk_disk max_segments) $(q kblk_disk discard_max_bytes)"

exec 3<>/dev/kblk_flash
if rmmod kscope_blk 2>/dev/null; then
	ktap_fail "unload refused while a device is open" "rmmod succeeded"
else
	ktap_check "unload refused while a device is open" "device gone" test -b /dev/kblk_flash
fi
exec 3>&-
ktap_check "unload once closed" "rmmod failed" rmmod kscope_blk
ktap_done
