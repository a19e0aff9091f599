#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# interval [count], computed in the reader: each interval's lines carry
# the change since the read before, so over a run they add up to what
# happened meanwhile, and nothing in the kernel is reset (another reader's
# totals keep counting). Oracles: the events this test makes kscope_testgen
# generate (exactly 500 in one interval, 700 in a later one, none in the
# first), and the fsync(2) calls it makes under a --latency probe on
# __x64_sys_fsync (the syscall's entry, never inlined; the guest runs
# nothing else that syncs, a few strays allowed). Ctrl-C in interval mode
# prints the interval it cut short and exits at once, as runqlat does.
. "$(dirname "$0")/../lib.sh"
ktap_plan 9

ks_load kscope_testgen || { ktap_fail "load kscope_testgen"; ktap_done; }
CHECK="python3 $KS_TOP/tests/core/check-json.py --schema $KS_TOP/userspace/kscope.schema.json"
[ -f "$KS_TOP/userspace/kscope.schema.json" ] ||
	CHECK="python3 $KS_TOP/tests/core/check-json.py --schema /usr/share/kscope/kscope.schema.json"

# wait_n FILE N: until FILE has a line of interval N (60 s)
wait_n() {
	local i l lines
	for ((i = 0; i < 600; i++)); do
		# builtins only: a grep and a sleep a round were most of the wait
		mapfile -t lines 2>/dev/null <"$1"
		for l in "${lines[@]}"; do
			[[ $l == *"\"interval\":{\"n\":$2,"* ]] && return 0
		done
		ks_sleep 0.1
	done
	return 1
}
gen() { ks_counter testgen generated; }

# 1. counters: intervals of 2 s until SIGINT (whatever TCG makes of the
# timing); 500 events after the 1st, 700 after the 2nd
g0=$(gen)
"$KSCOPE" --json stat testgen 2 >"$KS_TMP/s" 2>"$KS_TMP/s.err" &
sp=$!
wait_n "$KS_TMP/s" 1 || diag "no first interval: $(cat "$KS_TMP/s.err")"
"$KSCOPE" testgen 500 --cpus 0x1 --wait
wait_n "$KS_TMP/s" 2
"$KSCOPE" testgen 700 --cpus 0x1 --wait
wait_n "$KS_TMP/s" 3
kill -INT "$sp"
wait "$sp"
rc=$?
g1=$(gen)
got=$(jq -r 'select(.type == "counters") | "\(.interval.n):\(.counters.generated)"' "$KS_TMP/s" | tr '\n' ' ')
nl=$(jq -r .interval.n "$KS_TMP/s" | tr '\n' ' ')
ktap_check "stat testgen 2: a line per interval (1, 2, 3, ...: $nl), exit 0 on SIGINT" \
	"exit $rc: $got $(cat "$KS_TMP/s.err")" \
	bash -c '[ "$1" = 0 ] && [ "$2" = "$(seq -s " " 1 $(wc -w <<<"$2")) " ] && [ "$(wc -w <<<"$2")" -ge 3 ]' _ "$rc" "$nl"
sum=$(jq -s '[.[] | select(.type == "counters") | .counters.generated] | add' "$KS_TMP/s")
first=$(jq -r 'select(.interval.n == 1) | .counters.generated' "$KS_TMP/s")
ktap_eq "the intervals' deltas add up to the 1200 events generated, none in the first" \
	"1200 0" "$sum $first" "$got"
ktap_eq "nothing reset: the cumulative counter went on (+1200)" 1200 $((g1 - g0))
# but the last, cut short by SIGINT
ms=$(jq -r '.interval.ms' "$KS_TMP/s" | sed '$d' | sort -n | sed -n '1p;$p' | tr '\n' ' ')
ktap_check "each whole interval measured 2 s and the read's time ($ms ms)" "$ms" \
	awk -v l="$ms" 'BEGIN { split(l, a, " "); exit !(a[1] >= 1950 && a[2] <= 10000) }'

# 2. -T: the wall-clock line before each interval, as runqlat -T prints it
nc=$("$KSCOPE" stat testgen | wc -l)
"$KSCOPE" stat -T testgen 0.5 2 >"$KS_TMP/t" 2>&1
n=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2} *$' "$KS_TMP/t")
c=$(grep -c '^testgen ' "$KS_TMP/t")
ktap_eq "-T, count 2: a HH:MM:SS line before each of the 2 intervals, then its $nc counters" \
	"2 $((2 * nc))" "$n $c" "$(head -12 "$KS_TMP/t")"

# 3. histograms: each interval's own, per bucket
if ks_load kscope_probe && "$KSCOPE" probe add __x64_sys_fsync --latency >/dev/null; then
	# until SIGINT: whatever the calls take under TCG, all are in
	"$KSCOPE" --json probe latency 1 >"$KS_TMP/p" 2>"$KS_TMP/p.err" &
	pp=$!
	wait_n "$KS_TMP/p" 1 || diag "no first interval: $(cat "$KS_TMP/p.err")"
	python3 -c 'import os, sys
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY)
for i in range(50):
    os.write(fd, b"x"); os.fsync(fd)' "$KS_TMP/f"
	kill -INT "$pp"
	wait "$pp"
	read -r hits hc bsum < <(jq -rs '[.[] | select(.type == "probe")] |
		"\([.[].hits] | add) \([.[].hist.count] | add) \([.[].hist.buckets[].count] | add)"' "$KS_TMP/p")
	ktap_check "probe latency 1: the intervals' hits and histogram counts agree and add up to the 50 fsyncs (+3)" \
		"hits $hits, hist count $hc, buckets $bsum: $(head -c 600 "$KS_TMP/p")" \
		test "$hits" = "$hc" -a "$hc" = "$bsum" -a "$hits" -ge 50 -a "$hits" -le 53
	"$KSCOPE" probe del __x64_sys_fsync
	ks_unload kscope_probe
else
	ktap_skip "probe latency intervals" "kscope_probe could not probe __x64_sys_fsync on this kernel"
fi

# 4. Ctrl-C in the middle of a long interval: the interval so far, at once
"$KSCOPE" --json stat testgen 60 >"$KS_TMP/c" 2>"$KS_TMP/c.err" &
cp=$!
sleep 2
"$KSCOPE" testgen 30 --cpus 0x1 --wait
t0=$(date +%s%N)
kill -INT $cp
wait $cp
rc=$?
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 ))
got=$(jq -r '"\(.interval.n) \(.counters.generated)"' "$KS_TMP/c")
ktap_eq "SIGINT in a 60 s interval: the interval cut short is printed (exit $rc, $ms ms)" \
	"1 30 0" "$got $rc" "$(cat "$KS_TMP/c.err")"
diag "SIGINT to exit: $ms ms"

res=$(cat "$KS_TMP/s" "$KS_TMP/p" "$KS_TMP/c" 2>/dev/null | $CHECK)
ktap_check "every interval line is valid against kscope.schema.json" "$res" grep -q '^ok:' <<<"$res"

ks_unload kscope_testgen
ktap_done
