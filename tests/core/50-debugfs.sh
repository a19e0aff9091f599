#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# debugfs files are read-only and parse as `name value` lines; debugfs and
# the netlink dump tell the same counters; per-CPU lines add up to totals.
. "$(dirname "$0")/../lib.sh"
ktap_plan 7
ks_load kscope_testgen
"$KSCOPE" watch --duration 3 >/dev/null 2>&1 &
sleep 0.5
"$KSCOPE" testgen 300 --cpus 1 --wait
wait

bad=""
for f in "$KS_DEBUGFS"/*/counters "$KS_DEBUGFS"/*/percpu; do
	grep -vqE '^[a-z0-9_.]+ [0-9]+$' "$f" && bad="$bad $f"
	grep -q . "$f" || bad="$bad $f(empty)"
done
ktap_eq "counters and percpu parse as name value" "" "$bad" "bad files"
bad=$(find "$KS_DEBUGFS" -type f ! -perm 0444)
ktap_eq "every file is 0444" "" "$bad" "files with other modes"
if echo 1 2>/dev/null >"$KS_DEBUGFS/core/counters"; then
	ktap_fail "writes are refused"
else
	ktap_ok "writes are refused"
fi
ktap_eq "attach is one line" 1 "$(wc -l <"$KS_DEBUGFS/testgen/attach")" "lines"
ktap_check "events lists the schema" "$(cat "$KS_DEBUGFS/testgen/events")" \
	grep -qx 'tick n:u64 run:u64 tag:str' "$KS_DEBUGFS/testgen/events"

# stat over netlink and debugfs agree (nothing produces now)
"$KSCOPE" stat testgen | awk '{ print $2, $3 }' >"$KS_TMP/nl"
cat "$KS_DEBUGFS/testgen/counters" >"$KS_TMP/dfs"
ktap_check "netlink and debugfs agree" "$(diff "$KS_TMP/nl" "$KS_TMP/dfs")" \
	cmp -s "$KS_TMP/nl" "$KS_TMP/dfs"
sums=$(awk '{ split($1, a, "."); s[a[2]] += $2 } END { for (k in s) print k, s[k] }' \
	"$KS_DEBUGFS/testgen/percpu" | sort)
ktap_eq "per-CPU lines add up to the totals" "$(sort "$KS_DEBUGFS/testgen/counters")" "$sums" "sums"
ks_unload kscope_testgen
ktap_done
