#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Per-CPU counters come by dump, split over as many messages as the
# possible CPUs need (a doit reply is never a costly allocation): the
# reader's per-CPU view equals debugfs's percpu file, CPU by CPU, for every
# source; an unknown source is still a clear error.
. "$(dirname "$0")/../lib.sh"
NL=$KS_TOP/tests/core/tools/nlcheck
ktap_plan 6
ks_load kscope_testgen
"$KSCOPE" testgen 100 --cpus 1 --wait >/dev/null

bad=""
for d in "$KS_DEBUGFS"/*/; do
	s=$(basename "$d")
	"$KSCOPE" stat --percpu "$s" | awk -v s="$s" '$1 ~ "/cpu" {
		sub(".*/", "", $1); print $1 "." $2, $3 }' | sort >"$KS_TMP/nl"
	sort "$d/percpu" >"$KS_TMP/dfs"
	cmp -s "$KS_TMP/nl" "$KS_TMP/dfs" || bad="$bad $s"
done
ktap_eq "per-CPU counters over netlink equal debugfs" "" "$bad" "differing sources"
ncpu=$(awk -F- '{ print $NF + 1 }' /sys/devices/system/cpu/possible)
got=$("$KSCOPE" stat --percpu testgen | grep -c '^testgen/cpu[0-9]* *events_recorded ')
ktap_eq "one per-CPU set per possible CPU" "$ncpu" "$got" "sets"
out=$("$KSCOPE" stat --percpu nosuch 2>&1); rc=$?
if [ $rc -eq 1 ] && [[ $out == *'unknown source "nosuch"'* ]]; then
	ktap_ok "unknown source: clear error"
else
	ktap_fail "unknown source: clear error" "rc=$rc: $out"
fi
got=$("$NL" --dump 3 str:4:testgen flag:7 2>&1)
ktap_eq "raw per-CPU dump of one source" ok "$got" "answer"
ks_unload kscope_testgen

# a source whose per-CPU counters need several messages: 2 x 400 counters
# (some 16 KiB a CPU) do not fit one 32 KiB dump message
ks_load kscope_testgen extra_counters=400
"$KSCOPE" stat --percpu testgen | awk '$1 ~ "/cpu" {
	sub(".*/", "", $1); print $1 "." $2, $3 }' | sort >"$KS_TMP/nl"
sort "$KS_DEBUGFS/testgen/percpu" >"$KS_TMP/dfs"
ktap_eq "split per-CPU dump: every counter of every CPU, once" \
	"$(wc -l <"$KS_TMP/dfs")" "$(wc -l <"$KS_TMP/nl")" "lines"
ktap_check "split per-CPU dump equals debugfs" "$(diff "$KS_TMP/nl" "$KS_TMP/dfs" | head -5)" \
	cmp -s "$KS_TMP/nl" "$KS_TMP/dfs"
ks_unload kscope_testgen
ktap_done
