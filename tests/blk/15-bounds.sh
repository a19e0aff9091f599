#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every blk parameter at its policy's bounds: min and max are accepted
# and the block layer shows them (sysfs and blk-mq debugfs are the
# oracles: hctx directories, tags, limits), with a 4 KiB write read back
# through each device; max+1 (and min-1 where there is one) is refused
# with a reason and leaves nothing. Queue counts above the CPU count (64
# default + 16 polled on a 2-CPU guest) used to draw a WARNING from
# group_cpus_evenly(): the kernel log, not kscope, must show no WARNING,
# BUG or lockdep report after all of it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

# with no polled queue, the block layer keeps no more queues than
# possible CPUs (and kscope says so in the log)
nq1=$(( $(cut -d- -f2 /sys/devices/system/cpu/possible) + 1 ))
[ "$nq1" -le 64 ] || nq1=64
# "options|check": check is "queues N POLL" (hctx dirs, queue/io_poll), "tags N",
# "q ATTR VALUE" (queue/ATTR) or "-" (device made and does I/O)
good=(
	"--size 1|size 2048"
	"--size 1048576|size 2147483648"
	"--queues 1|queues 1 0"
	"--queues 64|queues $nq1 0"
	"--queues 64 --poll-queues 16|queues 80 1"
	"--queues 1 --poll-queues 0|queues 1 0"
	"--depth 1|tags 1"
	"--depth 4096|tags 4096"
	"--bs 512 --pbs 512|q logical_block_size 512"
	"--bs 4096 --pbs 4096|q logical_block_size 4096"
	"--max-segments 1|q max_segments 1"
	"--max-segments 4096|q max_segments 4096"
	"--max-sectors 8|q max_hw_sectors_kb 4"
	"--max-sectors 65536|q max_hw_sectors_kb 32768"
	"--bw 0|-"
	"--bw 1000000|-"
	"--rotational 0|q rotational 0"
	"--rotational 1|q rotational 1"
	"--wcache 0 --fua 0|q fua 0"
	"--wcache 1 --fua 1|q fua 1"
	"--discard 0|q discard_max_bytes 0"
	"--discard 1|-"
	"--completion inline|-"
	"--completion timer|-"
	"--profile hdd --completion softirq|q rotational 1"
	"--slow-us 0|-"
	"--slow-us 18446744073709551|-"
)
bad=(
	"--size 0" "--size 1048577"
	"--queues 0" "--queues 65"
	"--poll-queues 17"
	"--depth 0" "--depth 4097"
	"--bs 256" "--bs 8192" "--pbs 8192"
	"--max-segments 0" "--max-segments 4097"
	"--max-sectors 7" "--max-sectors 65537"
	"--bw 1000001"
	"--rotational 2" "--wcache 2" "--fua 2" "--discard 2"
)
bad_raw=(
	"KSCOPE_BLK_PROFILE:u8:3"
	"KSCOPE_BLK_COMPLETION:u8:3"
)
ktap_plan $(( ${#good[@]} + ${#bad[@]} + ${#bad_raw[@]} + 2 ))

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
nlraw_start || { ktap_fail "start tests/blk/nlraw.py --serve"; ktap_done; }
dmesg -C
diag "$(nproc) CPUs online, $(cat /sys/devices/system/cpu/possible) possible"
dbg=/sys/kernel/debug/block/kblk_b

# hctx directories of blk-mq debugfs: all of them, mapped to a CPU or not
hctx_count() { ls -d "$dbg"/hctx* 2>/dev/null | wc -l; }

for g in "${good[@]}"; do
	opts=${g%%|*} chk=${g#*|}
	# shellcheck disable=SC2086
	if ! out=$($KSCOPE blk add b $opts 2>&1); then
		ktap_fail "accepted: $opts" "$out"
		continue
	fi
	# shellcheck disable=SC2086
	set -- $chk
	case $1 in
	size) got="size $(cat /sys/block/kblk_b/size)" ;;
	queues)
		got="queues $(hctx_count) $(cat /sys/block/kblk_b/queue/io_poll)"
		[ -d "$dbg" ] || got="no blk-mq debugfs"
		;;
	tags) got="tags $(cat /sys/block/kblk_b/mq/0/nr_tags)" ;;
	q) got="q $2 $(cat "/sys/block/kblk_b/queue/$2")" ;;
	-) got=- ;;
	esac
	# a 4 KiB block written and read back through the device
	blk=$(( $(cat /sys/block/kblk_b/size) / 8 - 1 ))
	head -c 4096 /dev/urandom >"$KS_TMP/w"
	io=ok
	dd if="$KS_TMP/w" of=/dev/kblk_b bs=4096 seek="$blk" oflag=direct status=none &&
		dd if=/dev/kblk_b of="$KS_TMP/r" bs=4096 skip="$blk" count=1 iflag=direct status=none &&
		cmp -s "$KS_TMP/w" "$KS_TMP/r" || io="write/read back failed"
	if [ "$got" = "$chk" ] && [ "$io" = ok ]; then
		ktap_ok "accepted: $opts ($got, I/O read back)"
	else
		ktap_fail "accepted: $opts" "expected '$chk', got '$got'; $io"
	fi
	$KSCOPE blk del b || diag "del failed after $opts"
done

for a in "${bad[@]}"; do
	# shellcheck disable=SC2086
	if out=$($KSCOPE blk add b $a 2>&1); then
		ktap_fail "refused: $a" "accepted"
		$KSCOPE blk del b
	elif [ -e /sys/block/kblk_b ] || [ -z "$out" ]; then
		ktap_fail "refused: $a" "left a disk, or no reason: $out"
	else
		ktap_ok "refused: $a (${out//$'\n'/ })"
	fi
done
for a in "${bad_raw[@]}"; do
	if out=$(nlraw CTL KSCOPE_BLK_OP:u8:1 KSCOPE_BLK_NAME:str:b "$a" 2>&1); then
		ktap_fail "refused raw: $a" "accepted: $out"
		$KSCOPE blk del b
	elif [[ $out != errno*:\ ?* ]] || [ -e /sys/block/kblk_b ]; then
		ktap_fail "refused raw: $a" "no extack message, or a disk left: $out"
	else
		ktap_ok "refused raw: $a ($out)"
	fi
done

ktap_check "unload" "rmmod failed" rmmod kscope_blk
log=$(dmesg | grep -E 'WARNING|BUG|lockdep|circular locking|inconsistent lock|sleeping function|group_cpus' || true)
ktap_eq "kernel log free of WARNING/BUG/lockdep reports" "" "$log" "log lines"
ktap_done
