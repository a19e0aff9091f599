#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# kscope watch does not outlive kscope_core: unloading the core under a
# running reader makes it say so and exit non-zero, promptly, in text and
# JSON modes. Oracle: the process is gone (kill -0) and its exit status.
. "$(dirname "$0")/../lib.sh"
ktap_plan 6

for mode in text json; do
	ks_load kscope_testgen
	if [ $mode = json ]; then
		"$KSCOPE" --json watch >"$KS_TMP/$mode.out" 2>"$KS_TMP/$mode.err" &
	else
		"$KSCOPE" watch >"$KS_TMP/$mode.out" 2>"$KS_TMP/$mode.err" &
	fi
	wpid=$!
	ks_wait_subscribed $wpid || diag "$mode: watcher not subscribed after 60 s"
	"$KSCOPE" testgen 10 --wait >/dev/null
	rmmod kscope_testgen && rmmod kscope_core
	for ((i = 0; i < 100; i++)); do
		kill -0 $wpid 2>/dev/null || break
		ks_sleep 0.1
	done
	if kill -0 $wpid 2>/dev/null; then
		ktap_fail "$mode: watch exits within 10 s of the core's unload" "still running"
		kill -KILL $wpid
	else
		ktap_ok "$mode: watch exits within 10 s of the core's unload"
	fi
	wait $wpid; rc=$?
	ktap_eq "$mode: exit status" 1 "$rc" "status"
	ktap_check "$mode: says why" "$(cat "$KS_TMP/$mode.err")" \
		grep -q 'kscope_core was unloaded' "$KS_TMP/$mode.err"
done
ktap_done
