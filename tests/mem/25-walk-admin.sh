#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The free lists per migrate type cost a walk of every list under the zone
# lock with interrupts off, which is why /proc/pagetypeinfo is root-only:
# an unprivileged `kscope mem show` gets the free blocks per order (no
# walk needed), as /proc/buddyinfo has them, and no split by type; root
# gets the split, and it agrees with /proc/pagetypeinfo (read back to
# back; a cell may differ by 4 blocks + 2%, as in 20-freelist) and sums,
# per zone and order, to the free blocks of the same reply.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-free.sh"

ktap_plan 6

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"

# node/zone/order free-blocks, one line per cell, from /proc/buddyinfo
buddy_cells() {
	awk '{ n = $2; sub(",", "", n); for (i = 5; i <= NF; i++) print n "/" $4 "/" i - 5, $i }' \
		"$1" | sort
}
# the same from a kscope --json mem show
show_cells() {
	jq -r 'select(.type == "mem_zone") | "\(.node)/\(.zone)" as $z |
		.free | to_entries[] | "\($z)/\(.key) \(.value)"' "$1" | sort
}
# within 4 + 2% of each other, every cell of $1 in $2 and back
cmp_join() {
	local j
	j=$(join -a1 -a2 -e MISSING -o 0,1.2,2.2 "$1" "$2")
	awk '$2 == "MISSING" || $3 == "MISSING" { print; next }
	     { a = $2; b = $3; sub(">", "", a); sub(">", "", b); d = a - b; if (d < 0) d = -d
	       if (d > 4 + 0.02 * (a > b ? a : b)) print }' <<<"$j"
}

# the small orders move whenever a process starts or ends: the reader
# keeps running and /proc is read as soon as an interval has come
# (lib-free.sh), up to 3 tries, as 20-freelist does
free_start 3 ks_as_nobody
for _ in 1 2 3; do
	free_next "$KS_TMP/nobody.json" /proc/buddyinfo "$KS_TMP/bi"
	rc=$?
	show_cells "$KS_TMP/nobody.json" >"$KS_TMP/nobody.cells"
	for pb in "$KS_TMP/bi" "$KS_TMP/bi.next"; do
		buddy_cells "$pb" >"$KS_TMP/buddy"
		out=$(cmp_join "$KS_TMP/buddy" "$KS_TMP/nobody.cells")
		[ -z "$out" ] && break
	done
	[ $rc = 0 ] && [ -z "$out" ] && break
	[ $rc = 0 ] || break
done
free_stop
cp "$KS_TMP/free.err" "$KS_TMP/nobody.err"
ktap_check "nobody: free blocks per zone and order = /proc/buddyinfo ($(wc -l <"$KS_TMP/buddy") cells)" \
	"rc $rc $(cat "$KS_TMP/nobody.err")
$out" test $rc = 0 -a -s "$KS_TMP/buddy" -a -z "$out"
ktap_eq "nobody: no split by migrate type (zones with types)" 0 \
	"$(jq -s 'map(select(.type == "mem_zone" and has("types"))) | length' "$KS_TMP/nobody.json")"

# the same way for root's per-type lists against /proc/pagetypeinfo
free_start 3
for _ in 1 2 3; do
	free_next "$KS_TMP/root.json" /proc/pagetypeinfo "$KS_TMP/pti" || break
	jq -r 'select(.type == "mem_zone") | "\(.node)/\(.zone)" as $z | .types | to_entries[] |
		.key as $t | .value | to_entries[] | "\($z)/\(.key)/\($t) \(.value)"' \
		"$KS_TMP/root.json" | sort >"$KS_TMP/root.cells"
	for pt in "$KS_TMP/pti" "$KS_TMP/pti.next"; do
		# node/zone/order/type blocks from /proc/pagetypeinfo's "Free
		# pages count per migrate type" lines
		awk '/^Node .*zone.*type/ { n = $2; sub(",", "", n); z = $4; sub(",", "", z)
			for (i = 7; i <= NF; i++) print n "/" z "/" i - 7 "/" $6, $i }' "$pt" |
			sort >"$KS_TMP/pti.cells"
		out=$(cmp_join "$KS_TMP/pti.cells" "$KS_TMP/root.cells")
		[ -z "$out" ] && break
	done
	[ -z "$out" ] && break
done
free_stop
ktap_eq "root: every zone split by migrate type" \
	"$(jq -s 'map(select(.type == "mem_zone")) | length' "$KS_TMP/root.json")" \
	"$(jq -s 'map(select(.type == "mem_zone" and has("types"))) | length' "$KS_TMP/root.json")"
ktap_check "root: per-type free blocks = /proc/pagetypeinfo ($(wc -l <"$KS_TMP/pti.cells") cells)" \
	"$out" test -s "$KS_TMP/pti.cells" -a -z "$out"

# per zone and order: the types add up to the free blocks (both walked
# from the same lists, moments apart)
out=$(jq -r 'select(.type == "mem_zone") | . as $z | range(0; .free | length) as $o |
	"\($z.node)/\($z.zone)/\($o) \($z.free[$o]) \([$z.types[][$o]] | add)"' "$KS_TMP/root.json" |
	awk '{ d = $2 - $3; if (d < 0) d = -d; if (d > 4 + 0.02 * $2) print }')
ktap_check "root: per-type blocks add up to the free blocks of each order" "$out" test -z "$out"

ks_unload kscope_mem
ktap_done
