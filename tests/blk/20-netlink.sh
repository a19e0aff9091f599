#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Devices made and removed at run time over netlink: the block layer sees
# exactly what was asked (sysfs is the oracle), removal of an open device
# is refused with EBUSY, and every malformed, out-of-range, unknown or
# unprivileged request is refused with an error and changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

bad_cli=(
	"add q0 --queues 0"
	"add q1 --queues 65"
	"add d0 --depth 0"
	"add d1 --depth 5000"
	"add b0 --bs 1000"
	"add b1 --bs 8192"
	"add p0 --bs 4096 --pbs 512"
	"add s0 --size 0"
	"add s1 --size 2000000"
	"add m0 --max-sectors 4"
	"add m1 --max-segments 0"
	"add f0 --wcache 0 --fua 1"
	"add r0 --rotational 2"
	"add c0 --bw 2000000"
	"add BadName"
	"add name-with-dash"
	"add aaaaaaaaaaaaaaaaaaaaaaaaa"
	"add dup"
	"del nosuchdev"
	"set nosuchdev --slow-us 5"
)
bad_raw=(
	"CTL KSCOPE_BLK_NAME:str:x1"
	"CTL KSCOPE_BLK_OP:u8:1"
	"CTL KSCOPE_BLK_OP:u8:9 KSCOPE_BLK_NAME:str:x2"
	"CTL KSCOPE_BLK_OP:u8:0 KSCOPE_BLK_NAME:str:x3"
	"CTL KSCOPE_BLK_OP:u32:1 KSCOPE_BLK_NAME:str:x4"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:x5 KSCOPE_BLK_PROFILE:u8:3"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:x6 KSCOPE_BLK_COMPLETION:u8:3"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:x7 KSCOPE_BLK_SIZE_MB:u8:1"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:x8 KSCOPE_BLK_DEVICE:raw:00000000"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:x9 99:u32:1"
	"CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:raw:78797a"
	"CTL KSCOPE_BLK_OP:u8:2 KSCOPE_BLK_NAME:str:dup KSCOPE_BLK_SIZE_MB:u32:1"
	"CTL KSCOPE_BLK_OP:u8:3 KSCOPE_BLK_NAME:str:dup"
	"CTL_GET KSCOPE_BLK_OP:u8:1"
	"CTL_GET KSCOPE_BLK_NAME:str:nosuchdev"
)
ktap_plan $(( ${#bad_cli[@]} + ${#bad_raw[@]} + 13 ))

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
nlraw_start || { ktap_fail "start tests/blk/nlraw.py --serve"; ktap_done; }

out=$($KSCOPE blk add dup --profile nvme --size 16 --queues 2 --depth 16 2>&1)
ktap_check "add nvme device" "$out" test -b /dev/kblk_dup
ktap_eq "sysfs: size, queues, depth" "32768 2 16" \
	"$(cat /sys/block/kblk_dup/size) $(ls /sys/block/kblk_dup/mq | wc -l) $(cat /sys/block/kblk_dup/mq/0/nr_tags)"
$KSCOPE blk add hd --profile hdd --size 8 --bs 4096 --completion inline --max-sectors 256 --max-segments 32 --wcache 0
ktap_eq "sysfs: hdd with 4k blocks, no cache" "1 4096 4096 128 32 write through 0" \
	"$(echo $(cat /sys/block/kblk_hd/queue/{rotational,logical_block_size,physical_block_size,max_hw_sectors_kb,max_segments})) $(cat /sys/block/kblk_hd/queue/write_cache) $(cat /sys/block/kblk_hd/queue/fua)"
ktap_eq "list shows both" "dup hd" "$($KSCOPE --json blk list | jq -rs '[.[].name] | join(" ")')"
ktap_eq "list: hdd attributes" "hdd inline 4096 0" \
	"$($KSCOPE --json blk list | jq -r 'select(.name == "hd") | "\(.profile) \(.completion) \(.lbs) \(.wcache)"')"

before=$(ls /sys/block | grep '^kblk_' | sort | tr '\n' ' ')
for a in "${bad_cli[@]}"; do
	# shellcheck disable=SC2086
	if out=$($KSCOPE blk $a 2>&1); then
		ktap_fail "refused: blk $a" "accepted"
	else
		ktap_ok "refused: blk $a (${out//$'\n'/ })"
	fi
done
for a in "${bad_raw[@]}"; do
	# shellcheck disable=SC2086
	if out=$(nlraw $a 2>&1); then
		ktap_fail "refused raw: $a" "accepted: $out"
	elif [[ $out != errno*:\ ?* ]]; then
		ktap_fail "refused raw: $a" "no extack message: $out"
	else
		ktap_ok "refused raw: $a ($out)"
	fi
done
ktap_eq "refusals changed nothing" "$before" "$(ls /sys/block | grep '^kblk_' | sort | tr '\n' ' ')"

out=$(ks_as_nobody $KSCOPE blk add nob --size 1 2>&1)
ktap_check "unprivileged add refused" "$out" eval '[[ $out == *ermission* || $out == *EPERM* || $out == *not\ permitted* ]] && [ ! -e /sys/block/kblk_nob ]'
out=$(ks_as_nobody $KSCOPE blk del dup 2>&1)
ktap_check "unprivileged del refused" "$out" test -e /sys/block/kblk_dup
ktap_check "unprivileged list works" "" eval 'ks_as_nobody $KSCOPE blk list >/dev/null'

exec 3<>/dev/kblk_dup
out=$($KSCOPE blk del dup 2>&1)
ktap_check "del of an open device: EBUSY" "$out" eval '[[ $out == *busy* ]] && [ -b /dev/kblk_dup ]'
exec 3>&-
ktap_check "del once closed" "still there" eval '$KSCOPE blk del dup && [ ! -e /sys/block/kblk_dup ]'
ktap_check "del hd" "still there" eval '$KSCOPE blk del hd && [ ! -e /sys/block/kblk_hd ]'
ktap_eq "list empty" "0" "$($KSCOPE --json blk list | jq -s length)"
ktap_check "unload" "rmmod failed" rmmod kscope_blk
ktap_done
