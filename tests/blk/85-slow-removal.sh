#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The slowest device the policy allows (hdd, 1 MB/s cap, 32 MiB requests,
# 4096 deep) used to model hours of queue: requests past the request
# timeout, a timeout handler resetting forever, and removal or unload
# waiting on all of it with kblk_lock held. Now a request ends at most
# 5 s (KBLK_LAT_MAX_NS) after it arrives. Oracles: fio's completion
# latencies (clat max) of deep 16 MiB writes, with the request timeout at
# its default and at 1 s (so the timeout handler runs: it must let the
# requests end, OK, within the same bound); after fio is killed with I/O
# in flight, `blk del` and rmmod finish within a bound (wall clock).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

cap_ms=5000
# TCG guest stalls: a guest starved beside the debug kernel's build saw
# 9114 ms; the bound (15 s) still fails the old model (32 s a request)
slack_ms=10000
# after a kill: the requests in flight end within the cap of their
# arrival, but under TCG copying 32 MiB into the store before the timer
# is armed takes seconds, and the process exit and close take more: a
# bound of 20 s (the old model took 32 s for one such request, and
# served them one after the other)
gone_ms=20000
ktap_plan 5
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
slow_add() {
	$KSCOPE blk add slow --profile hdd --size 96 --bw 1 --max-sectors 65536 \
		--max-segments 4096 --depth 4096 --completion timer
}
slow_add || { ktap_fail "add the slowest device"; ktap_done; }

# $1 run name: 16 MiB writes, 6 in flight, for 12 s
slow_fio() {
	blk_fio "$1" --filename=/dev/kblk_slow --direct=1 --ioengine=libaio \
		--name=w --rw=write --bs=16m --size=96M --iodepth=6 \
		--time_based --runtime=12
}
# fio in the background, itself (not a subshell) being $!, its job a
# thread (not a child process) that dies with it
bg_fio() {
	fio --filename=/dev/kblk_slow --direct=1 --ioengine=libaio --name=w \
		--rw=write --bs=16m --size=96M --iodepth=2 --time_based --runtime=60 --thread \
		>/dev/null 2>&1 &
}
clat_ms() { jq '[.jobs[].write.clat_ns.max] | max / 1000000 | floor' "$KS_TMP/$1.json"; }

for t in default 1000; do
	[ "$t" = default ] || echo "$t" >/sys/block/kblk_slow/queue/io_timeout
	slow_fio "t$t"
	rc=$?
	max=$(clat_ms "t$t")
	n=$(jq '[.jobs[].write.total_ios] | add' "$KS_TMP/t$t.json")
	if [ "$rc" = 0 ] && [ "$(jq '[.jobs[].error] | add' "$KS_TMP/t$t.json")" = 0 ] &&
		[ "${n:-0}" -gt 0 ] && [ "${max:-99999}" -le $((cap_ms + slack_ms)) ]; then
		ktap_ok "io_timeout $t: $n writes of 16 MiB at 1 MB/s end OK within ${max} ms (cap ${cap_ms})"
	else
		ktap_fail "io_timeout $t" "fio rc=$rc ios=$n clat max ${max} ms" "$(tail -3 "$KS_TMP/t$t.err")"
	fi
done

# I/O in flight when fio dies; del as soon as the device is closed
bg_fio
fpid=$!
sleep 3
inflight=$(cat /sys/block/kblk_slow/inflight | awk '{ print $1 + $2 }')
t0=$(date +%s%N)
kill -9 $fpid
wait $fpid 2>/dev/null
until $KSCOPE blk del slow 2>/dev/null; do
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 60000 ] || break
	sleep 0.2
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ktap_check "del after kill with $inflight requests in flight: ${ms} ms" "device still there" \
	eval "[ ! -e /sys/block/kblk_slow ] && [ $ms -le $gone_ms ]"

# unload with a device whose last writer just died with I/O in flight
slow_add
bg_fio
fpid=$!
sleep 3
t0=$(date +%s%N)
kill -9 $fpid
wait $fpid 2>/dev/null
until rmmod kscope_blk 2>/dev/null; do
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 60000 ] || break
	sleep 0.2
done
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
ktap_check "rmmod after kill with I/O in flight: ${ms} ms" "still loaded" \
	eval "! ks_loaded kscope_blk && [ $ms -le $gone_ms ]"
ktap_eq "nothing left behind" 0 "$(ls /sys/block | grep -c '^kblk_')"
ktap_done
