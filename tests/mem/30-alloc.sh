#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocations seen as the workloads know them: K pipe resizes to 8 MiB
# (each a kmalloc_large of 2048 struct pipe_buffer, 80 KiB: one order-5
# allocation in the resizing process) must give exactly K high-order
# events (threshold 3, set while it resizes) with its pid and comm, and move the
# order-5 alloc and free counters by at least K; faulting in 64 MiB of
# anonymous memory with THP off must move the order-0 alloc counter by at
# least its 16384 pages and by at most 10% + 1000 more (page tables and
# the rest of the quiet guest), and the frees likewise when it is unmapped.
. "$(dirname "$0")/../lib.sh"

ktap_plan 6
K=20 MB=64
WORK="/usr/bin/python3 $KS_TOP/tests/mem/memwork.py"

ctr() { ks_counter mem "$1"; }

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"
"$KSCOPE" --json watch mem >"$KS_TMP/ev" 2>"$KS_TMP/everr" &
wp=$!
ks_wait_subscribed $wp || diag "watcher not subscribed after 60 s"

$WORK pipes $K >"$KS_TMP/pipes.json" &
pp=$!
ks_wait_stopped $pp
# events only while the workload resizes (python's start-up allocates
# high orders too)
"$KSCOPE" mem high-order 3
a5=$(ctr alloc_o5) f5=$(ctr free_o5)
kill -CONT $pp; sleep 0.3; ks_wait_stopped $pp
a5=$(( $(ctr alloc_o5) - a5 )) f5=$(( $(ctr free_o5) - f5 ))
"$KSCOPE" mem high-order 0
kill -CONT $pp; wait $pp
sleep 0.5
kill -INT $wp; wait $wp

grown=$(jq -r .grown "$KS_TMP/pipes.json")
ktap_eq "workload grew its pipe $K times" "$K" "$grown"
ev=$(jq -c "select(.source == \"mem\" and .event == \"high_order\" and .pid == $pp)" "$KS_TMP/ev")
diag "orders seen from the workload: $(jq -r .order <<<"$ev" | sort -n | uniq -c | tr -s ' \n' ' ')"
ktap_eq "high-order events of the workload: $K of order 5, comm python3" "$K python3" \
	"$(jq -rs 'map(select(.order == 5)) | "\(length) \(.[0].comm)"' <<<"$ev")"
ktap_check "alloc_o5 and free_o5 moved by at least $K" "alloc_o5 +$a5 free_o5 +$f5" \
	test "$a5" -ge "$K" -a "$f5" -ge "$K"

$WORK anon $MB >"$KS_TMP/anon.json" &
ap=$!
ks_wait_stopped $ap
a0=$(ctr alloc_o0)
kill -CONT $ap; sleep 0.3; ks_wait_stopped $ap
a0=$(( $(ctr alloc_o0) - a0 ))
f0=$(ctr free_o0)
kill -CONT $ap; sleep 0.3; ks_wait_stopped $ap
f0=$(( $(ctr free_o0) - f0 ))
kill -CONT $ap; wait $ap
pages=$(jq -r .pages "$KS_TMP/anon.json")
ktap_check "alloc_o0 moved by the $pages pages faulted in (+10% + 1000)" "alloc_o0 +$a0" \
	test "$a0" -ge "$pages" -a "$a0" -le $((pages + pages / 10 + 1000))
ktap_check "free_o0 moved by the $pages pages unmapped (+10% + 1000)" "free_o0 +$f0" \
	test "$f0" -ge "$pages" -a "$f0" -le $((pages + pages / 10 + 1000))

ks_unload kscope_mem
ktap_done
