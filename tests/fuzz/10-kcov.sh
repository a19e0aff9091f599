#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kfuzz (tests/fuzz/tools/kfuzz.c), a fixed-seed run: generic netlink
# requests to the kscope family learnt from its policy dump and mutated
# around the edges, module loads with random and boundary parameters,
# kscope_blk devices with random parameters and short I/O, a reader
# subscribed to the events group throughout.
#
# On a kernel with /sys/kernel/debug/kcov (6.12-debug) the run is
# coverage-guided and sized by work, not time: it runs until it made 30000
# netlink requests and 100 module loads (the loads keep pace with the
# requests), at most KSCOPE_FUZZ_SECONDS (1100, inside run-guest's 1800 s
# for a script on a debug kernel); its coverage must grow
# past what the seed corpus reached. Under TCG the time that takes depends
# on the host's load: about 10 minutes with a core to itself. On a kernel
# without kcov (Debian's) it runs blind to 1500 requests and 10 loads
# (at most 120 s): the coverage check is skipped there, the rest (no
# kernel report, loads that succeed or fail with EINVAL and leave nothing
# behind, blk read-back) still holds. KSCOPE_FUZZ_EXECS and
# KSCOPE_FUZZ_LOADS override the minima, KSCOPE_FUZZ_SEED the seed (1).
# kfuzz's output and its per-function coverage (coverage.txt) stay in
# $KSCOPE_RESULTS/fuzz/.
#
# A kernel report stops kfuzz, which saves the inputs before it under
# $KSCOPE_RESULTS/fuzz/crashes/ (replay with kfuzz --replay); the guest run
# fails on the report in the console log as well.
. "$(dirname "$0")/../lib.sh"

KFUZZ=$KS_TOP/tests/fuzz/tools/kfuzz
[ -x "$KFUZZ" ] || ks_skip_all "kfuzz is not built (make -C tests)"
[ -f "$KS_BUILD/modules/core/kscope_core.ko" ] ||
	ks_skip_all "kfuzz reads the built .ko files (sites, parameters): none in $KS_BUILD"

seed=${KSCOPE_FUZZ_SEED:-1}
if [ -e /sys/kernel/debug/kcov ]; then
	kcov=1
	secs=${KSCOPE_FUZZ_SECONDS:-1100}
	min_execs=${KSCOPE_FUZZ_EXECS:-30000} min_loads=${KSCOPE_FUZZ_LOADS:-100}
else
	kcov=""
	secs=${KSCOPE_FUZZ_SECONDS:-120}
	min_execs=${KSCOPE_FUZZ_EXECS:-1500} min_loads=${KSCOPE_FUZZ_LOADS:-10}
fi
ktap_plan 6

# kfuzz loads and unloads every module itself
for m in $(awk '$1 ~ /^kscope_/ { print $1 }' /proc/modules); do
	[ "$m" = kscope_core ] || rmmod "$m"
done
out=${KSCOPE_RESULTS:-$KS_TMP}/fuzz
mkdir -p "$out"
diag "kfuzz --seed $seed, to $min_execs requests and $min_loads loads, at most $secs s (kcov: ${kcov:-no, blind})"
"$KFUZZ" --ko-dir "$KS_BUILD" --seed "$seed" --seconds "$secs" --out "$out" \
	--until-execs "$min_execs" --until-loads "$min_loads" \
	>"$out/kfuzz.out" 2>"$out/kfuzz.err"
rc=$?
# after a long run under TCG a process start can take many seconds: the
# figures are read with bash builtins only
declare -A F=()
finds="" report=""
while IFS= read -r l; do
	case $l in
	"finding: kernel report"*) report=$l ;;
	finding*) finds+="$l"$'\n' ;;
	"# kfuzz"* | "# time"* | cov\ *) echo "# ${l#\# }" ;;
	*\ *) [ -z "${l%% *}" ] || F[${l%% *}]=${l#* }; echo "# $l" ;;
	esac
done <"$out/kfuzz.out"
fig() { echo "${F[$1]:-0}"; }

ktap_check "kfuzz ran to its end without a kernel report (exit $rc)" \
	"$report (see $out/crashes/ and $out/kfuzz.out)" \
	test "$rc" -ne 3 -a "$rc" -ne 2
ktap_check "no finding: loads fail only with EINVAL and leave nothing, blk reads back what was written" \
	"$finds" test "$(fig findings)" -eq 0
ktap_check "at least $min_execs netlink executions ($(fig execs), $(fig exec_per_s)/s)" \
	"" test "$(fig execs)" -ge "$min_execs"
ktap_check "at least $min_loads module loads with random parameters ($(fig loads): $(fig load_ok) loaded, $(fig load_einval) EINVAL, $(fig core_loads) of kscope_core)" \
	"" test "$(fig loads)" -ge "$min_loads"
ktap_check "kscope_blk devices created and read back ($(fig blk_adds) devices, $(fig blk_io) I/O)" \
	"" test "$(fig blk_io)" -ge 1
if [ -n "$kcov" ]; then
	ktap_check "coverage grew beyond the seed corpus ($(fig cov_seed) -> $(fig cov_final) of $(fig cov_sites) sites, corpus $(fig corpus))" \
		"" test "$(fig cov_final)" -gt "$(fig cov_seed)"
else
	ktap_skip "coverage grew beyond the seed corpus" \
		"no /sys/kernel/debug/kcov on $(uname -r): a blind run"
fi
ktap_done
