#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_probe names: an unknown, an ambiguous (two functions of one name
# in /proc/kallsyms), a malformed and an unprobeable (data) symbol are
# refused with an error naming the symbol; a plain name whose only
# function is compiler-suffixed is found; several probes on one function;
# max_probes holds; bad module parameters fail the load.
. "$(dirname "$0")/../lib.sh"
ktap_plan 14

ks_unload kscope_probe
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ko=$(ks_ko kscope_probe)
before=$(dmesg | wc -l)
if insmod "$ko" max_probes=0 2>/dev/null; then
	rmmod kscope_probe
	ktap_fail "max_probes=0 rejected" "loaded"
else
	ktap_check "max_probes=0 rejected" "no log line" \
		bash -c "dmesg | tail -n +$((before + 1)) | grep -q 'kscope_probe: max_probes=0'"
fi
ktap_check "load max_probes=3" "$(dmesg | tail -3)" insmod "$ko" max_probes=3

# expect_refused NAME SYMBOL WORD: add fails and the message names SYMBOL
expect_refused() {
	local out
	if out=$("$KSCOPE" probe add "$2" 2>&1); then
		ktap_fail "$1" "accepted: $out"
		return
	fi
	if grep -qF -- "$2" <<<"$out" && grep -qi -- "$3" <<<"$out"; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "message: $out"
	fi
}
ks=$KS_TMP/kallsyms
awk 'NF == 3 && $2 ~ /^[tT]$/ { print $3 }' /proc/kallsyms >"$ks"
expect_refused "unknown symbol refused" kst_no_such_function_42 "not found"
dup=$(sort "$ks" | uniq -d | grep -v '\.' | head -1)
if [ -n "$dup" ]; then
	expect_refused "ambiguous symbol ($dup, $(grep -cx "$dup" "$ks") in kallsyms) refused" "$dup" ambiguous
else
	ktap_skip "ambiguous symbol refused" "no duplicate function name in this kernel"
fi
expect_refused "malformed name refused" 'vfs_read;rm' "not a symbol"
expect_refused "data symbol (jiffies) refused" jiffies "cannot be probed"
expect_refused "kprobe blacklisted function refused" kprobe_int3_handler "cannot be probed"

# a plain name with exactly one suffixed function and no plain one
plain=$(grep -E '\.(isra|constprop|part)\.[0-9]+$' "$ks" | sed -E 's/\..*//' | sort | uniq -u |
	while read -r n; do grep -qx "$n" "$ks" || { echo "$n"; break; }; done)
if [ -n "$plain" ]; then
	want=$(grep -E "^$plain\." "$ks" | grep -v cold)
	out=$("$KSCOPE" probe add "$plain" 2>&1)
	ktap_eq "plain $plain finds $want" "probe 1 on $want (kprobe)" "$out"
else
	ktap_skip "plain name finds its suffixed function" "no candidate"
	"$KSCOPE" probe add vfs_write >/dev/null
fi
"$KSCOPE" probe add vfs_read >/dev/null
"$KSCOPE" probe add vfs_read --latency >/dev/null
n=$("$KSCOPE" --json probe list | jq -r 'select(.resolved == "vfs_read") | .id' | wc -l)
ktap_eq "two probes on vfs_read" 2 "$n"
out=$("$KSCOPE" probe add vfs_write 2>&1)
names_limit() { grep -q 'max_probes=3' <<<"$out" && grep -q vfs_write <<<"$out"; }
ktap_check "4th probe refused, naming it and max_probes=3" "got: $out" names_limit
"$KSCOPE" probe del vfs_read
n=$("$KSCOPE" --json probe list | jq -r 'select(.resolved == "vfs_read")' | wc -l)
ktap_eq "del vfs_read removes both" 0 "$n"
out=$("$KSCOPE" probe del 9999 2>&1)
ktap_check "del of a missing id refused" "got: $out" grep -q "no probe with id 9999" <<<"$out"
out=$(ks_as_nobody "$KSCOPE" probe add vfs_read 2>&1)
ktap_check "unprivileged add refused" "got: $out" \
	bash -c "! \"$KSCOPE\" --json probe list | jq -e 'select(.resolved == \"vfs_read\")' >/dev/null"
ks_unload kscope_probe
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_done
