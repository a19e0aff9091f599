#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# 1000 probes on 1000 distinct functions: the list no longer fits one
# netlink attribute (a u16 nla_len: past about 450 probes it wrapped), so
# the module answers in pages the reader puts back together. Functions:
# vmlinux functions ftrace can hook (available_filter_functions), unique in
# /proc/kallsyms, not on the kprobe blacklist, taken from rarely called
# families (syscall entries, ACPI, crypto, ...) so that the guest does not
# slow down. Oracles: the kernel's own kprobe list holds exactly those
# 1000 functions; `kscope probe list` (text and JSON) names the same 1000,
# each once, with distinct ids; del of 20 removes exactly those from the
# kernel's list, and after unload none is left.
. "$(dirname "$0")/../lib.sh"
N=${KSCOPE_PROBE_MANY:-1000}
ktap_plan 9

ks_unload kscope_probe
if ! ks_load kscope_probe max_probes=$((N + 24)); then
	ktap_fail "load kscope_probe max_probes=$((N + 24))" "$(dmesg | tail -5)"
	ktap_done
fi
KPL=/sys/kernel/debug/kprobes/list
TR=/sys/kernel/tracing
[ -r $TR/available_filter_functions ] || TR=/sys/kernel/debug/tracing
kprobed() { sed -nE 's/^[0-9a-f]+ +[kr] +([^+ ]+)(\+0x[0-9a-f]+)? .*/\1/p' $KPL | sort; }

awk 'NF == 3 && $2 ~ /^[tT]$/ { print $3 }' /proc/kallsyms | sort | uniq -u >"$KS_TMP/unique"
awk '{ print $2 }' /sys/kernel/debug/kprobes/blacklist 2>/dev/null | sort -u >"$KS_TMP/black"
grep -v '\[' $TR/available_filter_functions | awk '{ print $1 }' | grep -v '\.' | sort -u |
	comm -12 - "$KS_TMP/unique" | comm -23 - "$KS_TMP/black" |
	grep -E '^(__x64_sys_|__ia32_sys_|acpi_|crypto_|xfrm|ethtool|devlink|tpm|efi|dmi_|audit_|keyctl|key_|nfs|sunrpc|rpc_|rtc_|input_|hid_|usb|thermal|cpufreq|edac|mce_|pnp|serio|kobj_|md_|dm_|nvme)' |
	shuf -n "$N" --random-source=<(yes) >"$KS_TMP/names"
if [ "$(wc -l <"$KS_TMP/names")" -lt "$N" ]; then
	ktap_skip "$N probes" "only $(wc -l <"$KS_TMP/names") candidate functions on this kernel"
	ks_unload kscope_probe
	ktap_done
fi

# one socket for all: a process per add costs more than the add under TCG
t0=$SECONDS
"$KS_TOP/tests/probe/tools/addmany" <"$KS_TMP/names" >"$KS_TMP/add.out" 2>"$KS_TMP/add.time"
diag "$N adds took $((SECONDS - t0)) s ($(tr '\n' ';' <"$KS_TMP/add.time"))"
ktap_eq "$N adds succeed" "added $N failed 0" "$(tail -1 "$KS_TMP/add.out")" \
	"result ($(head -3 "$KS_TMP/add.out"))"

# the kernel's view: one kprobe on each of the N functions
ktap_eq "the kernel's kprobe list holds the $N functions" "" \
	"$(sort "$KS_TMP/names" | comm -3 - <(kprobed) | head -5 | tr '\n' ' ')" "difference"

t0=$SECONDS
"$KSCOPE" probe list >"$KS_TMP/list" 2>"$KS_TMP/list.err"
ktap_eq "probe list succeeds" 0 $? "exit status ($(cat "$KS_TMP/list.err"))"
diag "probe list: $(wc -l <"$KS_TMP/list") lines, $(wc -c <"$KS_TMP/list") bytes, $((SECONDS - t0)) s"
# "ID SYMBOL RESOLVED FLAGS hits ..."
ktap_eq "text list names the $N functions, each once" "$(sort "$KS_TMP/names")" \
	"$(awk '$2 == $3 { print $2 }' "$KS_TMP/list" | sort)"
"$KSCOPE" --json probe list >"$KS_TMP/json" 2>>"$KS_TMP/list.err"
ktap_eq "JSON list names the $N functions, each once" "$(sort "$KS_TMP/names")" \
	"$(jq -r 'select(.symbol == .resolved) | .symbol' "$KS_TMP/json" | sort)"
ktap_eq "JSON list: $N distinct ids" "$N" "$(jq -r .id "$KS_TMP/json" | sort -u | wc -l)"

head -20 "$KS_TMP/names" | sort >"$KS_TMP/del"
while read -r f; do "$KSCOPE" probe del "$f" || break; done <"$KS_TMP/del"
ktap_eq "del of 20: the kernel's list lost exactly them" "$(sort "$KS_TMP/names" | comm -23 - "$KS_TMP/del")" \
	"$(kprobed | comm -12 - <(sort "$KS_TMP/names"))"
t0=$SECONDS
ks_unload kscope_probe
diag "unload with $((N - 20)) probes took $((SECONDS - t0)) s"
ktap_check "unload" "still loaded" bash -c "! test -d /sys/module/kscope_probe"
ktap_eq "no kprobe left on the $N functions" 0 "$(kprobed | comm -12 - <(sort "$KS_TMP/names") | wc -l)"
ktap_done
