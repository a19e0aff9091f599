#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A filesystem on a kscope_blk device: mkfs.ext4, a file workload, then
# fsck finds it clean and every file reads back with its checksum after a
# remount (sha256sum and e2fsck are the oracles). The journal's flushes
# and FUA writes reach the device as the block layer counts them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 7
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
$KSCOPE blk add fs --profile ssd --size 64 --completion timer || { ktap_fail "add"; ktap_done; }
blk_set_sched kblk_fs mq-deadline || true
mnt=$KS_TMP/mnt
mkdir -p "$mnt"

ktap_check "mkfs.ext4" "mkfs failed" mkfs.ext4 -q -F -E nodiscard /dev/kblk_fs
mount -o discard /dev/kblk_fs "$mnt" || { ktap_fail "mount"; ktap_done; }
flush0=$(awk '{ print $16 }' /sys/block/kblk_fs/stat)
(
	cd "$mnt" || exit 1
	mkdir -p a/b/c
	for i in $(seq 1 60); do
		head -c $(( (i * 7919) % 300000 + 1 )) /dev/urandom > "a/f$i"
	done
	for i in $(seq 1 20); do
		cp "a/f$i" "a/b/c/g$i"
		[ $((i % 3)) = 0 ] && rm "a/f$i"
	done
	dd if=/dev/urandom of=big bs=1M count=8 status=none conv=fsync
	sha256sum $(find . -type f -name '[fgb]*' | sort) > "$KS_TMP/sums"
	sync
)
rm -f "$mnt/big"
fstrim "$mnt" 2>/dev/null || true
sync
flushes=$(( $(awk '{ print $16 }' /sys/block/kblk_fs/stat) - flush0 ))
ktap_check "journal flushes reached the device" "flushes $flushes, device saw $(blk_stat kblk_fs flush_reqs)" \
	[ "$flushes" -gt 0 -a "$(blk_stat kblk_fs flush_reqs)" -ge "$flushes" ]
ktap_check "FUA writes seen" "fua_writes $(blk_stat kblk_fs fua_writes)" [ "$(blk_stat kblk_fs fua_writes)" -gt 0 ]
umount "$mnt"
out=$(fsck.ext4 -fn /dev/kblk_fs 2>&1)
ktap_check "fsck clean" "$out" test $? = 0
mount /dev/kblk_fs "$mnt"
grep -v ' ./big$' "$KS_TMP/sums" > "$KS_TMP/sums2"
out=$(cd "$mnt" && sha256sum -c --quiet "$KS_TMP/sums2" 2>&1)
ktap_check "files read back intact after remount" "$out" test -z "$out"
ktap_check "file count" "$(wc -l < "$KS_TMP/sums2")" test "$(wc -l < "$KS_TMP/sums2")" -ge 60
umount "$mnt"
ktap_check "del after umount" "del failed" $KSCOPE blk del fs
rmmod kscope_blk
ktap_done
