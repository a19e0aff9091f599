#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Portraits over netlink (`kscope sched portraits`, a page of the table's
# sets per request, the reply naming where to go on): N sleeping
# processes of a known comm each appear exactly once, with the pid, ppid,
# comm and thread count /proc gives (/proc/PID/stat, /proc/PID/comm), and
# their text lines are the debugfs file's lines (a sleeping process's
# portrait does not change between the two reads). Every portrait of a
# read appears once however many pages it took. The read names other
# users' processes: nobody is refused with a clear error, while nobody's
# run-queue histogram read (no cursor) still works.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
N=6
ktap_plan 8

if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_sched"
"$KSCOPE" sched filter --clear

sl=$(sched_prog kst_portr /bin/sleep)
pids=()
for ((i = 0; i < N; i++)); do
	"$sl" 600 &
	pids+=($!)
done
sleep 1

"$KSCOPE" --json sched portraits >"$KS_TMP/p.json" 2>"$KS_TMP/p.err"
rc=$?
"$KSCOPE" sched portraits >"$KS_TMP/p.txt" 2>>"$KS_TMP/p.err"
cp "$KS_DEBUGFS/sched/portraits" "$KS_TMP/p.dbg"
ktap_check "kscope sched portraits (--json, text) over netlink" \
	"rc $rc: $(head -3 "$KS_TMP/p.err")" eval \
	'[ $rc -eq 0 ] && jq -e . "$KS_TMP/p.json" >/dev/null'

# the oracle: /proc of each sleeper
want= got=
for p in "${pids[@]}"; do
	read -r _ _ _ ppid _ < <(sed 's/^.*) //; s/^/x x /' "/proc/$p/stat")
	want+="$p $ppid $(cat "/proc/$p/comm") live 1;"
	got+=$(jq -r --argjson p "$p" 'select(.pid == $p) |
		"\(.pid) \(.ppid) \(.comm) \(.state) \(.threads);"' "$KS_TMP/p.json")
done
ktap_eq "each sleeper once: pid ppid comm state threads as /proc says" \
	"$want" "$got"

dup=$(jq -r .pid "$KS_TMP/p.json" | sort | uniq -d | head -3 | tr '\n' ' ')
n=$(wc -l <"$KS_TMP/p.json")
ktap_check "no process twice in $n portraits read over many pages" \
	"duplicated: $dup" test -z "$dup" -a "$n" -ge "$N"

bad=0 diags=
for p in "${pids[@]}"; do
	a=$(grep -A40 "^pid $p " "$KS_TMP/p.txt" | awk 'NR > 1 && /^pid / { exit } { print }')
	b=$(grep -A40 "^pid $p " "$KS_TMP/p.dbg" | awk 'NR > 1 && /^pid / { exit } { print }')
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		bad=$((bad + 1))
		diags="netlink: ${a:0:200} debugfs: ${b:0:200}"
	fi
done
ktap_eq "text over netlink = the debugfs lines of each sleeper" 0 "$bad" "$diags"

out=$(ks_as_nobody "$KSCOPE" sched portraits 2>&1); rc=$?
ktap_check "nobody: portraits refused, saying why" "rc $rc: $out" eval \
	'[ $rc -ne 0 ] && grep -q "CAP_NET_ADMIN" <<<"$out" && ! grep -q "^pid " <<<"$out"'
ktap_check "nobody still reads the run-queue histogram" "failed" eval \
	'ks_as_nobody "$KSCOPE" sched runqlat >/dev/null' 

kill "${pids[@]}" 2>/dev/null
wait "${pids[@]}" 2>/dev/null
ks_unload kscope_sched
ktap_eq "unload kscope_sched" "no" "$(ks_loaded kscope_sched && echo yes || echo no)"
ktap_done
