# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the benchmarks. Sets top (the checkout, also the cwd) and out
# (module build output); bench_args parses the common options into ver
# and reps (the caller sets their defaults).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
out=${KSCOPE_BUILD_OUT:-$top/.cache/build}

# bench_args "$@": --kernel V and --reps N into ver and reps; anything
# else is a usage error (exit 2)
bench_args() {
	while [[ $# -gt 0 ]]; do
		case $1 in
		--kernel) ver=$2; shift 2 ;;
		--reps) reps=$2; shift 2 ;;
		*) echo "usage: bench/${0##*/} [--kernel V] [--reps N]" >&2; exit 2 ;;
		esac
	done
}

# KSCOPE_BENCH_SMP=N: the guest's CPUs (2); KSCOPE_GUEST_ICOUNT=N (read by
# guest-run): time in the guest counts its instructions (2^N ns each).
# With both at 1 and 0, a run's time is the instructions all of the guest
# executed during it: steadier than wall clock, though a loaded host
# still produces some wild pairs (bench/RESULTS.md).
#
# bench_in_guest AREAS TIMEOUT [LOADER...] -- ARGS...: on the host, build
# the reader, each bench/LOADER.c into .cache/bench/LOADER and the modules
# of AREAS for $ver (with the test modules when BENCH_TESTS=1), then run
# the calling script again in a guest of that kernel with ARGS. In the
# guest it returns at once.
bench_in_guest() {
	local areas=$1 timeout=$2 tests=--no-tests
	shift 2
	[[ ${KSCOPE_GUEST:-} == 1 ]] && return 0
	make -s -C userspace
	[[ $ver == *-debug ]] && scripts/build-debug-kernel
	mkdir -p .cache/bench
	while [[ $# -gt 0 && $1 != -- ]]; do
		gcc -O2 -Wall -Wextra -Werror -o ".cache/bench/$1" "bench/$1.c"
		shift
	done
	shift
	[[ ${BENCH_TESTS:-} == 1 ]] && tests=
	KSCOPE_BUILD_OUT=$out scripts/build-modules --kernel "$ver" $tests \
		--areas "$areas" >/dev/null
	# no_timer_check: on a loaded host the boot's IO-APIC timer check
	# can miss its ticks under TCG and panic ("IO-APIC + timer doesn't
	# work!")
	exec scripts/guest-run --kernel "$ver" --timeout "$timeout" --smp "${KSCOPE_BENCH_SMP:-2}" \
		--append "${KSCOPE_BENCH_APPEND:-no_timer_check}" -- \
		env KSCOPE_BUILD_OUT="$out" ${KSCOPE_BENCH_N:+KSCOPE_BENCH_N="$KSCOPE_BENCH_N"} \
		${KSCOPE_BENCH_OPENS:+KSCOPE_BENCH_OPENS="$KSCOPE_BENCH_OPENS"} "$0" "$@"
}

# cpu_ms CMD...: run CMD (its output discarded) and print the CPU time
# it used, user + system, in ms. The kernel adds the two up to the task's
# exact runtime (sum_exec_runtime) whatever the tick saw, so the sum is
# good to the millisecond the format prints. A hook's handler runs in
# the task that made the call, so its cost is in this time, while the
# rest of the guest (a peer's reader waking up to print, a 9p round trip
# that idles the CPU and, under -icount sleep=off, warps the guest's
# clock to its next timer) is not.
cpu_ms() {
	local TIMEFORMAT='%3U %3S' t
	t=$({ time "$@" >/dev/null 2>&1; } 2>&1)
	awk -v t="$t" 'BEGIN { split(t, a, " "); printf "%.0f\n", (a[1] + a[2]) * 1000 }'
}

# median [FILE]: of the numbers in FILE (or stdin), one a line; an even
# count gives the mean of the middle two
median() {
	sort -g ${1:+"$1"} | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# peer_start OUT PATTERN CMD...: start an eBPF peer in the background,
# line-buffered, its output in OUT, and wait (60 s at most) for its first
# line, which must match PATTERN (an extended regex: its header, or
# "Attaching"), printed once its programs are loaded. Sets peer to its
# pid. When it printed something else (an error) or nothing, ends it,
# says so on stderr and fails: a tool's error message never counts as a
# run.
# peer_stop PID: SIGINT (bpftrace prints its maps on it), then SIGTERM
# after 5 s: a tool without a SIGINT handler (libbpf-tools' vfsstat)
# inherits a background job's ignored SIGINT and would never exit
peer_stop() {
	local i
	kill -INT "$1" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

peer_start() {
	local out=$1 pat=$2 i
	shift 2
	stdbuf -oL "$@" >"$out" 2>&1 &
	peer=$!
	for i in $(seq 600); do
		[ -s "$out" ] && break
		kill -0 "$peer" 2>/dev/null || break
		sleep 0.1
	done
	head -1 "$out" | grep -qE "$pat" && return 0
	echo "# $1 did not attach: $(head -3 "$out" | tr '\n' ' ')" >&2
	peer_stop "$peer"
	peer=""
	return 1
}
