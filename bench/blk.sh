#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/blk.sh [--kernel 6.1|6.12|7.2] [--runtime SEC] [--reps N]: kscope_blk
# against null_blk and brd, in one guest boot. Each device is memory-backed,
# completes inline, has the guest's CPUs as hardware queues and 64 tags per
# queue (brd is bio-based: no queues), scheduler none. fio 4 KiB randwrite
# (which also fills the store), then randread, iodepth 32, 2 jobs; best of
# N repetitions, devices interleaved. Prints IOPS and kscope_blk's ratio to
# each. A benchmark, not a test: a TCG guest is far slower than hardware.
set -euo pipefail
ver=6.1 runtime=8 reps=2
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) ver=$2; shift 2 ;;
	--runtime) runtime=$2; shift 2 ;;
	--reps) reps=$2; shift 2 ;;
	*) echo "usage: $0 [--kernel V] [--runtime SEC] [--reps N]" >&2; exit 2 ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core blk" 1500 -- --kernel "$ver" --runtime "$runtime" --reps "$reps"

K=userspace/kscope
b=$out/$ver
q=$(nproc) depth=64 mb=1024
insmod "$b/modules/core/kscope_core.ko"
insmod "$b/modules/blk/kscope_blk.ko"
$K blk add bench --profile nvme --size $mb --queues "$q" --depth $depth --completion inline
modprobe null_blk nr_devices=1 queue_mode=2 memory_backed=1 gb=$((mb / 1024)) \
	submit_queues="$q" hw_queue_depth=$depth irqmode=0 bs=512
modprobe brd rd_nr=1 rd_size=$((mb * 1024)) max_part=0
devs="kblk_bench nullb0 ram0"
for d in $devs; do
	[ -w "/sys/block/$d/queue/scheduler" ] && echo none > "/sys/block/$d/queue/scheduler" 2>/dev/null || true
done

tmp=$(mktemp -d)
declare -A best
for rep in $(seq 1 "$reps"); do
	for rw in randwrite randread; do
		for d in $devs; do
			fio --output-format=json --output="$tmp/r.json" --name=b \
				--filename="/dev/$d" --direct=1 --ioengine=libaio --rw=$rw \
				--bs=4k --iodepth=32 --numjobs=2 --group_reporting \
				--size=256M --offset_increment=256M --runtime="$runtime" \
				--time_based --randrepeat=0 >/dev/null
			dir=${rw#rand}
			iops=$(jq ".jobs[0].$dir.iops | floor" "$tmp/r.json")
			k=$rw/$d
			(( iops > ${best[$k]:-0} )) && best[$k]=$iops
		done
	done
done

echo "# kernel $(uname -r), $q CPUs, fio 4k iodepth 32 x 2 jobs, ${runtime}s, best of $reps"
printf '%-10s %12s %12s %12s %10s %10s\n' op kscope_blk null_blk brd kb/null kb/brd
for rw in randwrite randread; do
	kb=${best[$rw/kblk_bench]} nb=${best[$rw/nullb0]} rb=${best[$rw/ram0]}
	printf '%-10s %12d %12d %12d %10s %10s\n' $rw "$kb" "$nb" "$rb" \
		"$(awk -v a="$kb" -v b="$nb" 'BEGIN { printf "%.2f", b ? a / b : 0 }')" \
		"$(awk -v a="$kb" -v b="$rb" 'BEGIN { printf "%.2f", b ? a / b : 0 }')"
done
$K blk del bench
rmmod kscope_blk null_blk brd
rm -rf "$tmp"
