# SPDX-License-Identifier: GPL-2.0
#
# Sourced by the benchmarks after their options are parsed (they set ver).
# Sets top (the checkout, also the cwd) and out (module build output).

top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$top"
out=${KSCOPE_BUILD_OUT:-$top/.cache/build}

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
	exec scripts/guest-run --kernel "$ver" --timeout "$timeout" -- \
		env KSCOPE_BUILD_OUT="$out" "$0" "$@"
}

# median [FILE]: of the numbers in FILE (or stdin), one a line; an even
# count gives the mean of the middle two
median() {
	sort -g ${1:+"$1"} | awk '{ v[NR] = $1 }
		END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
