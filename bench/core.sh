#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/core.sh [--kernel 6.1|6.12|7.2]: the event channel's baseline,
# against a BPF ring buffer. In one guest boot, kscope_testgen produces
# events at a ladder of rates on 1 and then 2 CPUs. At each step, two
# readers take turns on the same generator:
#   kscope      `kscope watch --json` writes kscope's events to a file;
#   bpf-ringbuf the eBPF peer (bench/ringbuf-peer.c and .bpf.c, built
#               here with clang and libbpf) records each event, from the
#               generator's tracepoint kscope_testgen:tg_tick, in a BPF
#               ring buffer of the same capacity (8192 records) and
#               writes the same JSON lines to a file.
# For each step the table shows the rate reached, what the reader
# received and what its kernel side counted lost; received + lost must
# be the count generated. The highest step with zero loss is the
# channel's zero-loss rate on this machine. In the bpf-ringbuf runs no
# kscope reader listens, so testgen's kscope emits end at once (counted
# unheard); in the kscope runs the tracepoint is off. A benchmark, not a
# test: the numbers depend on the machine (a TCG guest is far slower
# than hardware).
set -euo pipefail
ver=6.1
[[ ${1:-} == --kernel ]] && ver=$2
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
if [[ ${KSCOPE_GUEST:-} != 1 ]]; then
	mkdir -p .cache/bench
	clang -O2 -g -Wall -Werror -target bpf -I"/usr/include/$(gcc -dumpmachine)" \
		-c bench/ringbuf-peer.bpf.c -o .cache/bench/ringbuf-peer.bpf.o
	gcc -O2 -Wall -Wextra -Werror -o .cache/bench/ringbuf-peer \
		bench/ringbuf-peer.c -lbpf
fi
BENCH_TESTS=1 bench_in_guest core 1800 -- --kernel "$ver"

K=userspace/kscope
b=$out/$ver
insmod "$b/modules/core/kscope_core.ko"
insmod "$b/tests/core/kscope_testgen.ko"
secs=2	# events per step: rate x secs per producing CPU

tmp=$(mktemp -d)
# step READER CPUS RATE: one run of the generator with READER listening
step() {
	local reader=$1 cpus=$2 rate=$3 w line recv lost total reached t0 t1
	local mask=$(( (1 << cpus) - 1 )) count=$(( rate ? rate * secs : 100000 ))
	case $reader in
	kscope)
		$K watch --json --interval 0 testgen >"$tmp/out" 2>/dev/null &
		w=$!
		sleep 1 ;;
	bpf-ringbuf)
		peer_start "$tmp/out" '^Attached' .cache/bench/ringbuf-peer \
			.cache/bench/ringbuf-peer.bpf.o || return 0
		w=$peer ;;
	esac
	t0=$(date +%s%N)
	$K testgen "$count" --cpus $mask --rate "$rate" --wait
	t1=$(date +%s%N)
	sleep 0.5
	if [ "$reader" = kscope ]; then
		kill -INT $w; wait $w || true
	else
		peer_stop "$w"
	fi
	line=$(grep '"final":true' "$tmp/out") ||
		{ echo "# $reader: no final line"; return 0; }
	recv=$(sed -E 's/.*"received":([0-9]+).*/\1/' <<<"$line")
	lost=$(sed -E 's/.*"kernel":([0-9]+).*/\1/' <<<"$line")
	total=$((count * cpus))
	reached=$(( total * 1000000000 / (t1 - t0) ))
	printf '%-12s %-5s %10s %12s %12s %10s %10s %7s%%\n' "$reader" "$cpus" \
		"$([ "$rate" = 0 ] && echo max || echo "$rate")" \
		"$([ "$rate" = 0 ] && echo - || echo $((rate * cpus)))" \
		"$reached" "$recv" "$lost" \
		"$(awk -v l="$lost" -v t="$total" 'BEGIN { printf "%.1f", 100 * l / t }')"
	[ $((recv + lost)) -eq "$total" ] ||
		echo "# $reader: ACCOUNTING mismatch: $recv + $lost != $total"
	# the highest lossless rate per reader and CPU count
	[ "$lost" = 0 ] && [ "$recv" = "$total" ] && echo "$reached" >>"$tmp/clean.$reader.$cpus"
	return 0
}

# 1 and 2 producing CPUs where the guest has two (KSCOPE_BENCH_SMP=1
# leaves one: the two-CPU steps are skipped, and said so)
cpu_counts="1 2"
[ "$(nproc)" -lt 2 ] && cpu_counts=1
printf '%-12s %-5s %10s %12s %12s %10s %10s %8s\n' reader cpus rate/cpu offered/s reached/s received lost loss%
for cpus in $cpu_counts; do
	for rate in 2000 5000 10000 20000 40000 80000 0; do
		for reader in kscope bpf-ringbuf; do
			step "$reader" "$cpus" "$rate"
		done
	done
done
[ "$cpu_counts" = 1 ] && echo "# two-CPU steps skipped: the guest has $(nproc) CPU"
for cpus in $cpu_counts; do
	for reader in kscope bpf-ringbuf; do
		f=$tmp/clean.$reader.$cpus
		echo "# zero-loss rate, $reader on $cpus CPU(s): $([ -s "$f" ] && sort -g "$f" | tail -1 || echo none) events/s"
	done
done
rm -rf "$tmp"
rmmod kscope_testgen kscope_core
