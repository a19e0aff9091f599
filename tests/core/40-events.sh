#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kscope watch prints every event a source produced, and when the reader is
# too slow the loss is counted exactly: produced = received + counted lost.
# The oracle is the number of events the test asked testgen to produce.
. "$(dirname "$0")/../lib.sh"
ktap_plan 12
ks_load kscope_testgen
ncpu=$(nproc)
mask=$(( (1 << ncpu) - 1 ))

# start a watcher and wait until it has subscribed
watch_start() {
	"$KSCOPE" watch "$@" >"$KS_TMP/w.out" 2>"$KS_TMP/w.err" &
	wpid=$!
	ks_wait_subscribed "$wpid" || diag "watcher not subscribed after 60 s"
}
watch_stop() {
	kill -INT "$wpid"; wait "$wpid"
}

# 1. all events, in JSON, each (cpu, n) exactly once
watch_start --json testgen
"$KSCOPE" testgen 1000 --cpus $mask --wait
watch_stop
want=$((1000 * ncpu))
got=$(grep -c '"event":"tick"' "$KS_TMP/w.out")
ktap_eq "json: every event received" "$want" "$got" "events"
dups=$(grep '"event":"tick"' "$KS_TMP/w.out" | sed -E 's/.*"cpu":([0-9]+).*"n":([0-9]+).*/\1 \2/' | sort -u | wc -l)
ktap_eq "json: each (cpu, n) once" "$want" "$dups" "distinct events"
ktap_check "json: task context carries pid and comm" "no kscope_tg comm" \
	grep -q '"ctx":"task","pid":[0-9]*,"tid":[0-9]*,"comm":"kscope_tg/0"' "$KS_TMP/w.out"
final=$(grep '"final":true' "$KS_TMP/w.out")
ktap_check "json: final loss line says zero lost" "$final" \
	grep -q '"kernel":0,.*"received":'"$want" <<<"$final"

# 2. text mode, one line per event
watch_start
"$KSCOPE" testgen 500 --cpus 1 --wait
watch_stop
got=$(grep -cE '^[0-9]+\.[0-9]{9} 0 testgen tick pid=[0-9]+ comm=kscope_tg/0 .*n=[0-9]+' "$KS_TMP/w.out")
ktap_eq "text: one line per event" 500 "$got" "lines"
ktap_check "text: final loss line on stderr" "$(cat "$KS_TMP/w.err")" \
	grep -q '^kscope: lost events: kernel 0 .*received 500' "$KS_TMP/w.err"

# 3. a reader that stops reading: loss is counted, and exactly
lost0=$(ks_counter core lost_overrun); full0=$(ks_counter core lost_buffer_full)
watch_start --json --rcvbuf 4096 --interval 0 testgen
kill -STOP "$wpid"
"$KSCOPE" testgen 20000 --cpus $mask --wait
kill -CONT "$wpid"
watch_stop
want=$((20000 * ncpu))
got=$(grep -c '"event":"tick"' "$KS_TMP/w.out")
klost=$(jq -r 'select(.type == "loss" and .final) | .lost.kernel' "$KS_TMP/w.out")
dlost=$(( $(ks_counter core lost_overrun) - lost0 + $(ks_counter core lost_buffer_full) - full0 ))
ktap_check "slow reader: events were lost" "received $got of $want" test "$got" -lt "$want"
ktap_eq "slow reader: produced = received + lost (reader's count)" "$want" "$((got + klost))" "sum"
ktap_eq "slow reader: produced = received + lost (debugfs)" "$want" "$((got + dlost))" "sum"

# 4. nobody listening is not a loss
rec0=$(ks_counter testgen events_recorded); un0=$(ks_counter testgen events_unheard)
l0=$(( $(ks_counter testgen lost_overrun) + $(ks_counter testgen lost_buffer_full) ))
"$KSCOPE" testgen 1000 --cpus 1 --wait
ktap_eq "no listener: counted unheard" 1000 "$(( $(ks_counter testgen events_unheard) - un0 ))" "unheard"
ktap_eq "no listener: nothing recorded" "$rec0" "$(ks_counter testgen events_recorded)" "recorded"
ktap_eq "no listener: nothing lost" "$l0" "$(( $(ks_counter testgen lost_overrun) + $(ks_counter testgen lost_buffer_full) ))" "lost"
ks_unload kscope_testgen
ktap_done
