#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope's one histogram, end to end, on values this test chooses: the
# test module feeds them (hist_values=, each from an IPI on one online CPU
# after another, so the counts live on several CPUs) into one histogram of
# 16 slots. The oracle is this script's own arithmetic on those values
# with the convention of the uapi header (slot 0 holds 0 and 1, slot n
# holds [2^n, 2^(n+1) - 1], the last slot everything from 2^15): the
# netlink nest (through the reader's JSON), the debugfs rendering and the
# reader's text must all say exactly that, 0 and the open-ended slot
# included, and the reader's text must be the debugfs text byte for byte.
. "$(dirname "$0")/../lib.sh"
ktap_plan 9

SLOTS=16
vals=(0 1 1 2 3 5 6 7 1000 1000 1000 1023 1024 32767 32768 1099511627776)

ks_unload kscope_testgen
if ! ks_load kscope_testgen hist_values="$(IFS=,; echo "${vals[*]}")"; then
	ktap_fail "load kscope_testgen with hist_values" "$(dmesg | tail -3)"
	ktap_done
fi
ktap_ok "load kscope_testgen with ${#vals[@]} histogram values"

# the oracle
slot() {
	local v=$1 s=0
	while [ "$v" -gt 1 ]; do v=$((v >> 1)); s=$((s + 1)); done
	echo $((s < SLOTS - 1 ? s : SLOTS - 1))
}
declare -a cnt
sum=0 last=0 max=0
for v in "${vals[@]}"; do
	s=$(slot "$v")
	cnt[s]=$(( ${cnt[s]:-0} + 1 ))
	sum=$((sum + v))
	[ "$s" -gt "$last" ] && last=$s
done
rows="" nonzero=""
for ((s = 0; s <= last; s++)); do
	lo=$((s ? 1 << s : 0))
	if [ $s = $((SLOTS - 1)) ]; then hi=inf; else hi=$(((2 << s) - 1)); fi
	c=${cnt[s]:-0}
	[ "$c" -gt "$max" ] && max=$c
	rows+="$lo $hi $c"$'\n'
	[ "$c" -gt 0 ] && nonzero+="$lo $hi $c"$'\n'
done

# netlink, through the reader's JSON
if ! "$KSCOPE" --json testgen hist >"$KS_TMP/h.json" 2>"$KS_TMP/h.err"; then
	ktap_fail "kscope --json testgen hist" "$(cat "$KS_TMP/h.err")"
	ktap_done
fi
ktap_eq "netlink: unit, count and sum of the values" "us ${#vals[@]} $sum" \
	"$(jq -r '.hist | "\(.unit) \(.count) \(.sum)"' "$KS_TMP/h.json")"
ktap_eq "netlink: the non-empty buckets with their bounds (null high: open)" "$nonzero" \
	"$(jq -r '.hist.buckets[] | "\(.low) \(.high // "inf") \(.count)"' "$KS_TMP/h.json")"$'\n'

# debugfs: libbpf-tools' print_log2_hist() layout
dbg="$KS_DEBUGFS/testgen_hist/hist"
ktap_eq "debugfs: header" "     usecs               : count    distribution" "$(head -1 "$dbg")"
ktap_eq "debugfs: one row per slot up to the last non-empty, 0 and inf included" "$rows" \
	"$(awk '$2 == "->" && $4 == ":" { print $1, $3, $5 }' "$dbg")"$'\n'
# stars: count * 40 / the largest count, as print_stars()
want=$(while read -r _ _ c; do echo $((c * 40 / max)); done <<<"${rows%$'\n'}")
ktap_eq "debugfs: stars scale with the largest count" "$want" \
	"$(awk -F'|' '/ -> / { print gsub(/\*/, "", $2) }' "$dbg")"

# the reader draws the nest exactly as debugfs renders the histogram
# (a copy: a debugfs file's size is 0, and cmp trusts sizes)
"$KSCOPE" testgen hist >"$KS_TMP/h.txt" 2>&1
cat "$dbg" >"$KS_TMP/dbg.txt"
ktap_check "reader text = debugfs text, byte for byte" \
	"$(diff "$KS_TMP/dbg.txt" "$KS_TMP/h.txt" | head -20)" cmp -s "$KS_TMP/dbg.txt" "$KS_TMP/h.txt"
diag "$(cat "$KS_TMP/h.txt")"

ktap_check "unload" "rmmod kscope_testgen failed" rmmod kscope_testgen
ktap_done
