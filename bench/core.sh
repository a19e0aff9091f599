#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/core.sh [--kernel 6.1|6.12|7.2]: the event channel's baseline.
# In one guest boot, kscope_testgen produces events at a ladder of rates on
# 1 and then 2 CPUs while `kscope watch --json` writes them to a file; for
# each step the table shows the rate reached, what the reader received and
# what the kernel counted lost. The highest step with zero loss is the
# channel's zero-loss rate on this machine. A benchmark, not a test: the
# numbers depend on the machine (a TCG guest is far slower than hardware).
set -euo pipefail
ver=6.1
[[ ${1:-} == --kernel ]] && ver=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
BENCH_TESTS=1 bench_in_guest core 1200 -- --kernel "$ver"

K=userspace/kscope
b=.cache/build/$ver
insmod "$b/modules/core/kscope_core.ko"
insmod "$b/tests/core/kscope_testgen.ko"
secs=2	# events per step: rate x secs per producing CPU

printf '%-5s %10s %12s %12s %10s %10s %8s\n' cpus rate/cpu offered/s reached/s received lost loss%
for cpus in 1 2; do
	mask=$(( (1 << cpus) - 1 ))
	for rate in 2000 5000 10000 20000 40000 80000 0; do
		count=$(( rate ? rate * secs : 100000 ))
		$K watch --json --interval 0 testgen >/tmp/bw.json 2>/dev/null &
		w=$!
		sleep 1
		t0=$(date +%s%N)
		$K testgen "$count" --cpus $mask --rate $rate --wait
		t1=$(date +%s%N)
		sleep 0.5
		kill -INT $w; wait $w || true
		line=$(grep '"final":true' /tmp/bw.json)
		recv=$(sed -E 's/.*"received":([0-9]+).*/\1/' <<<"$line")
		lost=$(sed -E 's/.*"kernel":([0-9]+).*/\1/' <<<"$line")
		total=$((count * cpus))
		reached=$(( total * 1000000000 / (t1 - t0) ))
		printf '%-5s %10s %12s %12s %10s %10s %7s%%\n' "$cpus" \
			"$([ $rate = 0 ] && echo max || echo $rate)" \
			"$([ $rate = 0 ] && echo - || echo $((rate * cpus)))" \
			"$reached" "$recv" "$lost" \
			"$(awk -v l="$lost" -v t="$total" 'BEGIN { printf "%.1f", 100 * l / t }')"
		[ $((recv + lost)) -eq "$total" ] || echo "# accounting mismatch: $recv + $lost != $total"
	done
done
rmmod kscope_testgen kscope_core
