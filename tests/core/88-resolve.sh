#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The core's symbol resolver (kscope_resolve(), reached through `kscope
# probe add`), with /proc/kallsyms as the oracle (its functions, without
# the kernel's generated [bpf] and [__builtin__*] ones): an exact name is
# taken as it is; a plain name with no function of its own finds its one
# compiler clone, a non-.cold one before its .cold part; several clones
# are refused as ambiguous, naming candidates (each one of the oracle's);
# an unknown name is "not found"; a module's function is found after the
# module loads and is "not found" after it unloads (the index follows
# modules); and with kptr_restrict=2 (no addresses in /proc/kallsyms) a
# clone is still found: the resolver reads names only.
. "$(dirname "$0")/../lib.sh"
export LC_ALL=C
ktap_plan 9

ks_unload kscope_probe
ks_unload kscope_testgen
if ! ks_load kscope_probe; then
	ktap_fail "load kscope_probe" "$(dmesg | tail -5)"
	ktap_done
fi

ks=$KS_TMP/funcs
oracle() {
	awk '$4 !~ /^\[(bpf|__builtin__)/ { print $3 >($2 ~ /^[tTwW]$/ ? f : a) }' \
		f="$ks" a="$KS_TMP/all" /proc/kallsyms
}
oracle
# bases with clones: "base name cold(0/1)" for names with a clone suffix chain
clone_re='^([^.]+)((\.(isra|constprop|part|llvm)\.[0-9]+)|(\.cold(\.[0-9]+)?))+$'
grep -E "$clone_re" "$ks" | awk '{ b = $1; sub(/\..*/, "", b); print b, $1, ($1 ~ /\.cold/) }' |
	sort >"$KS_TMP/clones"
sort -u "$ks" "$KS_TMP/all" >"$KS_TMP/names"
# bases with no symbol of their own
awk '{ print $1 }' "$KS_TMP/clones" | sort -u | comm -23 - "$KS_TMP/names" >"$KS_TMP/bases"
# per base: warm and cold clone counts
join "$KS_TMP/bases" "$KS_TMP/clones" |
	awk '{ w[$1] += !$3; c[$1] += $3 } END { for (b in w) print b, w[b], c[b] }' |
	sort >"$KS_TMP/counts"

# added NAME: "probe N on RESOLVED" -> RESOLVED, the probe deleted again
added() {
	local out
	out=$("$KSCOPE" probe add "$1" 2>&1) || { echo "refused: $out"; return; }
	"$KSCOPE" probe del "$1" >/dev/null 2>&1
	# "probe N on NAME (kprobe)"
	sed -n 's/^probe [0-9]* on \([^ ]*\).*/\1/p' <<<"$out"
}

ktap_eq "exact name vfs_read taken as it is" vfs_read "$(added vfs_read)"

# one warm clone and a .cold part, no function of its own
b=$(awk '$2 == 1 && $3 >= 1 { print $1; exit }' "$KS_TMP/counts")
if [ -n "$b" ]; then
	want=$(awk -v b="$b" '$1 == b && $3 == 0 { print $2 }' "$KS_TMP/clones")
	ktap_eq "$b (one clone and a .cold part) finds $want" "$want" "$(added "$b")"
else
	ktap_skip "a clone before its .cold part" "no such function on this kernel"
fi

# only a .cold part: found (or refused as not probeable, naming it)
b=$(awk '$2 == 0 && $3 == 1 { print $1; exit }' "$KS_TMP/counts")
if [ -n "$b" ]; then
	want=$(awk -v b="$b" '$1 == b { print $2 }' "$KS_TMP/clones")
	out=$("$KSCOPE" probe add "$b" 2>&1)
	"$KSCOPE" probe del "$b" >/dev/null 2>&1
	ktap_check "$b (only $want) resolves to it" "got: $out" grep -qF -- "$want" <<<"$out"
else
	ktap_skip "only a .cold part" "no such function on this kernel"
fi

# several warm clones: ambiguous, the message's names all candidates. The
# shortest such name, and no __pfx_ padding symbol: an extack message is
# 80 characters, and a long name (the debug kernel's first was
# __pfx___rhashtable_lookup) leaves no room for one candidate after it
b=$(awk '$2 >= 2 && $1 !~ /^__pfx_/ { print length($1), $1 }' "$KS_TMP/counts" |
	sort -n | awk '{ print $2; exit }')
if [ -n "$b" ]; then
	out=$("$KSCOPE" probe add "$b" 2>&1) && "$KSCOPE" probe del "$b" >/dev/null 2>&1
	cands=$(awk -v b="$b" '$1 == b && $3 == 0 { print $2 }' "$KS_TMP/clones")
	diag "$b: $(tr '\n' ' ' <<<"$cands")-> $out"
	# each name a candidate, but the last, which the message's length may
	# cut: a candidate's beginning
	ok_names() {
		local named n i=0
		grep -qi "$b is ambiguous: $(wc -l <<<"$cands") functions" <<<"$out" || return 1
		named=$(grep -oE "$b\.[A-Za-z0-9_.]*" <<<"$out")
		n=$(wc -l <<<"$named")
		[ -n "$named" ] || return 1
		while read -r x; do
			i=$((i + 1))
			if [ $i -lt "$n" ]; then
				grep -qxF -- "$x" <<<"$cands" || return 1
			else
				grep -qF -- "$x" <<<"$cands" || return 1
			fi
		done <<<"$named"
	}
	ktap_check "$b ($(wc -l <<<"$cands") clones) refused as ambiguous, naming them" \
		"got: $out" ok_names
else
	ktap_skip "ambiguous clones" "no function with two clones on this kernel"
fi

out=$("$KSCOPE" probe add kst_no_such_function_42 2>&1)
ktap_check "unknown name: not found" "got: $out" grep -q "kst_no_such_function_42.*not found" <<<"$out"

# a module's function, found once the module is there, gone after
ks_load kscope_testgen
oracle
if grep -qx tg_ctl "$ks"; then
	ktap_eq "tg_ctl (kscope_testgen's) found after its load" tg_ctl "$(added tg_ctl)"
else
	ktap_skip "a module's function" "tg_ctl not in /proc/kallsyms"
fi
ks_unload kscope_testgen
oracle
out=$("$KSCOPE" probe add tg_ctl 2>&1) && "$KSCOPE" probe del tg_ctl >/dev/null 2>&1
if grep -qx tg_ctl "$ks"; then
	ktap_skip "tg_ctl gone after unload" "still in /proc/kallsyms"
else
	ktap_check "tg_ctl not found after kscope_testgen's unload" "got: $out" \
		grep -q "tg_ctl.*not found" <<<"$out"
fi

# names without addresses
b=$(awk '$2 == 1 { print $1; exit }' "$KS_TMP/counts")
old=$(cat /proc/sys/kernel/kptr_restrict)
echo 2 >/proc/sys/kernel/kptr_restrict
addr=$(awk '$3 == "vfs_read" { print $1; exit }' /proc/kallsyms)
# a module event makes the resolver read /proc/kallsyms again
ks_load kscope_testgen
ks_unload kscope_testgen
if [ -n "$b" ]; then
	want=$(awk -v b="$b" '$1 == b && $3 == 0 { print $2 }' "$KS_TMP/clones")
	got=$(added "$b")
	echo "$old" >/proc/sys/kernel/kptr_restrict
	if [ -n "${addr//0/}" ]; then
		ktap_fail "kptr_restrict=2 hides addresses" "vfs_read at $addr"
	else
		ktap_eq "kptr_restrict=2 (vfs_read at $addr): $b still finds $want" "$want" "$got"
	fi
else
	echo "$old" >/proc/sys/kernel/kptr_restrict
	ktap_skip "kptr_restrict=2" "no function with one clone"
fi
ktap_eq "kptr_restrict restored" "$old" "$(cat /proc/sys/kernel/kptr_restrict)"

diag "$(dmesg | grep 'kscope_core: symbol index' | tail -1)"
ks_unload kscope_probe
ktap_done
