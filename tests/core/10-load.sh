#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kscope_core loads and unloads cleanly, 100 times in a row (20 on the
# KASAN kernel, where each cycle takes seconds under TCG), also with a
# source producing into a listener; bad parameters fail the load and leave
# nothing behind.
. "$(dirname "$0")/../lib.sh"
ktap_plan 12

ks_unload kscope_testgen; ks_unload kscope_core
ktap_check "load" "insmod kscope_core failed" ks_load kscope_core
ktap_check "debugfs directory" "$KS_DEBUGFS/core missing" test -r "$KS_DEBUGFS/core/counters"
ktap_check "genl family registered" "kscope version failed" "$KSCOPE" version
ktap_check "unload" "rmmod failed" rmmod kscope_core
if ! ks_loaded kscope_core && [ ! -e "$KS_DEBUGFS" ] && ! "$KSCOPE" version >/dev/null 2>&1; then
	ktap_ok "unload leaves no module, debugfs or family"
else
	ktap_fail "unload leaves no module, debugfs or family"
fi

fails=0
ko=$(ks_ko kscope_core)
cycles=$(ks_sized 100 20)
for ((i = 0; i < cycles; i++)); do
	insmod "$ko" || fails=$((fails + 1))
	rmmod kscope_core || fails=$((fails + 1))
done
ktap_eq "$cycles load/unload cycles" 0 "$fails" "failures"

# unload a source while it produces into a listener
ks_load kscope_testgen
"$KSCOPE" watch --json >"$KS_TMP/w" 2>&1 &
wpid=$!
ks_wait_subscribed $wpid || diag "watcher not subscribed after 60 s"
"$KSCOPE" testgen 2000000 --cpus 0x3 --rate 20000 --no-wait
sleep 1
ktap_check "unload a source under load" "rmmod kscope_testgen failed" rmmod kscope_testgen
kill -INT $wpid; wait $wpid
got=$(grep -c '"event":"tick"' "$KS_TMP/w")
ktap_check "events flowed before the unload" "got $got events" test "$got" -gt 0
ktap_check "unload core after" "rmmod kscope_core failed" rmmod kscope_core

# one clear line naming the parameter
badparam() { ks_load_rejected kscope_core "$@"; }
ktap_check "ring_slots=100 rejected" "loaded or no log line" badparam ring_slots=100
ktap_check "ring_slots=32 rejected" "loaded or no log line" badparam ring_slots=32
ktap_check "flush_ms=0 rejected" "loaded or no log line" badparam flush_ms=0
ktap_done
