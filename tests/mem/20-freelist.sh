#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The free-list view against the kernel's own files read at the same
# moment: /proc/buddyinfo (blocks per zone and order), /proc/pagetypeinfo
# (per migrate type) and debugfs extfrag/extfrag_index. The guest is quiet,
# but the allocator never stops (page cache, timers, this script): blocks
# may split or merge between the two reads, so each read pair is taken
# back to back with no process starting or ending between them
# (lib-free.sh), a cell may differ by 4 blocks + 2%, and each pair is
# read again, up to 3 times, while a cell differs by more; the
# fragmentation index is compared after formatting as the kernel does,
# retried up to 3 times.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-free.sh"

ktap_plan 5

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"

# cmp_cells A B: same zones, every count within tolerance
cmp_cells() {
	awk 'NR == FNR { a[FNR] = $0; n = FNR; next }
	     { m = split(a[FNR], x); k = split($0, y)
	       if (m != k) { print "line " FNR ": " a[FNR] " | " $0; bad = 1; next }
	       for (i = 1; i <= k; i++) {
		 if (x[i] ~ /^[0-9]+$/ && y[i] ~ /^[0-9]+$/) {
		   d = x[i] - y[i]; if (d < 0) d = -d
		   if (d > 4 + 0.02 * (x[i] > y[i] ? x[i] : y[i])) { print "line " FNR " col " i ": " x[i] " vs " y[i]; bad = 1 }
		 } else if (x[i] != y[i]) { print "line " FNR " col " i ": " x[i] " vs " y[i]; bad = 1 }
	       } }
	     END { if (FNR != n) { print "line count differs"; bad = 1 } exit bad }' "$1" "$2"
}

# cmp_range BEFORE AFTER OURS: the kernel read the lists at BEFORE and
# AFTER, ours came in between: every count of OURS within tolerance of
# the range the two span
cmp_range() {
	awk 'FILENAME == ARGV[1] { a[FNR] = $0; next }
	     FILENAME == ARGV[2] { b[FNR] = $0; nb = FNR; next }
	     { split(a[FNR], x); split(b[FNR], y); k = split($0, z)
	       for (i = 1; i <= k; i++) {
		 if (z[i] ~ /^[0-9]+$/) {
		   lo = x[i] + 0 < y[i] + 0 ? x[i] : y[i]; hi = x[i] + 0 < y[i] + 0 ? y[i] : x[i]
		   t = 4 + 0.02 * hi
		   if (z[i] < lo - t || z[i] > hi + t) { print "line " FNR " col " i ": " z[i] " outside " lo ".." hi; bad = 1 }
		 } else if (z[i] != x[i]) { print "line " FNR " col " i ": " z[i] " vs " x[i]; bad = 1 }
	       } }
	     END { if (FNR != nb) { print "line count differs"; bad = 1 } exit bad }' "$1" "$2" "$3"
}

# each pair of reads up to 3 times: under load a pair taken back to back
# still saw 31 order-1 blocks split or merged between its two reads
for _ in 1 2 3; do
	free_read "$KS_DEBUGFS/mem/buddyinfo" "$KS_TMP/ks.bi"
	free_read /proc/buddyinfo "$KS_TMP/proc.bi"
	out=$(cmp_cells "$KS_TMP/proc.bi" "$KS_TMP/ks.bi") && break
done
ktap_check "debugfs buddyinfo = /proc/buddyinfo" "$out
$(cat "$KS_TMP/proc.bi" "$KS_TMP/ks.bi")" test -z "$out"

# netlink: kscope mem show --json, rendered as buddyinfo
free_start 3
for _ in 1 2 3; do
	free_next "$KS_TMP/show.json" /proc/buddyinfo "$KS_TMP/proc2.bi" ||
		{ out="the reader ended early: $(cat "$KS_TMP/free.err")"; break; }
	jq -r 'select(.type == "mem_zone") | "Node \(.node), zone \(.zone) \(.free | map(tostring) | join(" "))"' \
		"$KS_TMP/show.json" | sed 's/, zone \([A-Za-z0-9]*\)/, zone \1/' >"$KS_TMP/nl.bi"
	awk '{ $1 = $1; print }' "$KS_TMP/proc2.bi" >"$KS_TMP/proc2n.bi"
	awk '{ $1 = $1; print }' "$KS_TMP/proc2.bi.next" >"$KS_TMP/proc2n.next"
	out=$(cmp_range "$KS_TMP/proc2n.bi" "$KS_TMP/proc2n.next" "$KS_TMP/nl.bi") && break
done
free_stop
ktap_check "netlink free lists = /proc/buddyinfo" "$out" test -z "$out"

# per migrate type: /proc/pagetypeinfo's "Free pages count per migrate type"
for _ in 1 2 3; do
	free_read "$KS_DEBUGFS/mem/freelists" "$KS_TMP/ks.fl"
	free_read /proc/pagetypeinfo "$KS_TMP/pti"
	awk '/^Node .*zone.*type/ { z = $4; sub(",", "", z); t = $6
		for (i = 7; i <= NF; i++) print z, i - 7, t, $i }' "$KS_TMP/pti" | sort >"$KS_TMP/pti.fl"
	awk '{ print $2, $3, $4, $5 }' "$KS_TMP/ks.fl" | sort >"$KS_TMP/ks.sorted"
	join_in=$(join -j1 <(awk '{ print $1 "/" $2 "/" $3, $4 }' "$KS_TMP/pti.fl") \
			     <(awk '{ print $1 "/" $2 "/" $3, $4 }' "$KS_TMP/ks.sorted"))
	n=$(wc -l <"$KS_TMP/pti.fl")
	bad=$(awk '{ d = $2 - $3; if (d < 0) d = -d; if (d > 4 + 0.02 * ($2 > $3 ? $2 : $3)) print }' <<<"$join_in")
	[ -z "$bad" ] && break
done
ktap_check "per-type free lists = /proc/pagetypeinfo ($n cells)" "$bad" \
	test -z "$bad" -a "$(wc -l <<<"$join_in")" -eq "$n"

# fragmentation index, formatted as extfrag_index prints it
EF=/sys/kernel/debug/extfrag/extfrag_index
if [ -r $EF ]; then
	for try in 1 2 3; do
		a=$(awk '{ printf "%s", $2; for (i = 3; i <= NF; i++) { v = $i; s = v < 0 ? "-" : ""; if (v < 0) v = -v; printf " %s%d.%03d", s, int(v / 1000), v % 1000 }; print "" }' "$KS_DEBUGFS/mem/fragindex")
		b=$(awk '{ z = $4; printf "%s", z; for (i = 5; i <= NF; i++) printf " %s", $i; print "" }' $EF)
		[ "$a" = "$b" ] && break
	done
	ktap_eq "fragmentation index = extfrag_index" "$b" "$a"
else
	ktap_skip "fragmentation index = extfrag_index" "no $EF (debugfs without CONFIG_COMPACTION?)"
fi

ks_unload kscope_mem
ktap_done
