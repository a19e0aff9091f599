#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kscope watch stops at once under a steady event stream: SIGINT, --count
# and --duration each end it within half a second of the stop (it used to
# wait for 200 ms without events, up to 30 s, which a steady stream never
# gives). It still ends with its loss summary, and nothing recorded before
# the stop is missing (the core flushes before the reader leaves: core/40
# checks every event of a run arrives). The oracle is the wall clock of
# this shell around the reader's exit.
. "$(dirname "$0")/../lib.sh"
ktap_plan 6
ks_load kscope_testgen || { ktap_fail "load kscope_testgen"; ktap_done; }

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# A steady stream on CPU 0 for up to 5 minutes, 1000 events a second, which
# the reader keeps up with (one that falls behind reads its own backlog
# first). The reader's start-up, timed on its
# own (the same binary asked for its version, between the same two clock
# reads), is the slack on every bound: a TCG guest on a busy host runs
# everything several times slower, and each bound below times a process's
# exit and a clock read after it, which that start-up costs as well (a
# slow host's 440 ms start-up met a 567 ms SIGINT exit, 2026-12-07).
"$KSCOPE" testgen 300000 --cpus 0x1 --rate 1000 --no-wait
t0=$(ms); "$KSCOPE" version >/dev/null; t1=$(ms)
startup=$((t1 - t0))
slack=$((startup > 500 ? startup : 0))

# 1. SIGINT
"$KSCOPE" watch --json testgen >"$KS_TMP/w" 2>"$KS_TMP/w.err" &
wpid=$!
ks_wait_subscribed $wpid || diag "watcher not subscribed after 60 s"
sleep 1
t0=$(ms)
kill -INT $wpid
wait $wpid
rc=$?
t1=$(ms)
got=$(grep -c '"event":"tick"' "$KS_TMP/w")
ktap_check "SIGINT under a steady stream: exit within 500 ms + start-up ($startup ms)" \
	"took $((t1 - t0)) ms, exit $rc, $got events" test $((t1 - t0)) -lt $((500 + startup)) -a "$rc" -eq 0 -a "$got" -gt 0
diag "SIGINT to exit: $((t1 - t0)) ms ($got events read; start-up $startup ms)"
ktap_check "SIGINT: the final loss line is printed" "$(tail -2 "$KS_TMP/w")" \
	grep -q '"final":true' "$KS_TMP/w"

# 2. --count: the run ends after N events, whatever keeps coming: within
# its start-up, the 200 ms the events take to come, and half a second
t0=$(ms)
timeout 30 "$KSCOPE" watch --json --count 200 testgen >"$KS_TMP/c" 2>"$KS_TMP/c.err"
rc=$?
t1=$(ms)
got=$(grep -c '"event":"tick"' "$KS_TMP/c")
ktap_eq "--count 200: exactly 200 events" 200 "$got" events
ktap_check "--count 200: exit within start-up ($startup ms) + 700 ms" \
	"took $((t1 - t0)) ms, exit $rc" test $((t1 - t0)) -lt $((startup * 2 + 700 + slack)) -a "$rc" -eq 0

# 3. --duration 1
t0=$(ms)
timeout 30 "$KSCOPE" watch --json --duration 1 testgen >"$KS_TMP/d" 2>"$KS_TMP/d.err"
rc=$?
t1=$(ms)
ktap_check "--duration 1: exit within 1 s + start-up ($startup ms) + 500 ms" \
	"took $((t1 - t0)) ms, exit $rc" test $((t1 - t0)) -lt $((1000 + startup * 2 + 500 + slack)) -a "$rc" -eq 0

# the stream is still running: unloading the source ends it
ktap_check "unload testgen under its stream" "rmmod failed" rmmod kscope_testgen
ktap_done
