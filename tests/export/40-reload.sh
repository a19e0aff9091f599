#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Modules loaded and unloaded under a running exporter, scraped all the
# while (a client scraping back to back, every answer kept): each unload
# takes its source's series out of the next page, each load brings them
# back; unloading kscope_core itself leaves kscope_up 0 and no kscope
# series, and its reload (a new generic netlink family id) is followed.
# Every answer during the churn is a 200 with a whole page, and promtool
# accepts the pages of each state; the exporter never dies.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-export.sh"
ex_need curl promtool
CYCLES=1
ktap_plan 7

ex_load_all || { ktap_fail "load every module" "$(dmesg | tail -5)"; ktap_done; }
ex_export_start 19640 || { ktap_fail "exporter" "$(cat "$KS_TMP/export.err")"; ex_unload_all; ktap_done; }
URL=http://127.0.0.1:19640/metrics

# a client scraping back to back: status and whether the page is whole
(
	while [ ! -e "$KS_TMP/stop" ]; do
		code=$(curl -s -o "$KS_TMP/bg.prom" -w '%{http_code}' "$URL")
		if [ "$code" = 200 ] && tail -1 "$KS_TMP/bg.prom" | grep -q '^kscope_exporter_scrape_duration_seconds '; then
			echo ok
		else
			echo "bad $code"
		fi
	done >"$KS_TMP/bg.log"
) &
bg=$!

page() { curl -sf "$URL"; }
has() { grep -c "^kscope_$1_" || true; }
bad=""
for ((c = 1; c <= CYCLES; c++)); do
	for m in vfs tcp sched mem probe net blk; do
		ks_unload "kscope_$m" || bad="$bad rmmod:$m"
		p=$(page)
		n=$(has "$m" <<<"$p")
		i=$(grep -c "^kscope_source_info{source=\"$m\"" <<<"$p")
		[ "$n$i" = 00 ] || bad="$bad unloaded:$m:$n:$i"
		[ $c = 1 ] && [ $m = vfs ] && printf '%s\n' "$p" >"$KS_TMP/unloaded.prom"
		ks_load "kscope_$m" || bad="$bad insmod:$m"
		n=$(page | has "$m")
		[ "$n" -gt 0 ] || bad="$bad reloaded:$m:0"
	done
done
ktap_check "$CYCLES cycles of 7 modules: series gone after each unload, back after each load" \
	"$bad" test -z "$bad"
promtool check metrics <"$KS_TMP/unloaded.prom" >"$KS_TMP/pt1" 2>&1
ktap_check "promtool accepts the page with kscope_vfs unloaded" "$(head "$KS_TMP/pt1")" test $? = 0

# kscope_core itself
ex_unload_all
ex_loaded=""
rmmod kscope_core
p=$(page)
got="$(grep '^kscope_up ' <<<"$p") $(grep -v '^#' <<<"$p" | grep -c '^kscope_' ) "
ktap_eq "kscope_core unloaded: kscope_up 0, only the exporter's own two series" "kscope_up 0 2 " "$got"
printf '%s\n' "$p" >"$KS_TMP/nocore.prom"
ks_load kscope_core && ex_load_all
p=$(page)
up=$(grep '^kscope_up ' <<<"$p")
ns=$(grep -c '^kscope_source_info' <<<"$p")
ktap_check "kscope_core and the modules back: $up, $ns sources again" \
	"" test "$up" = "kscope_up 1" -a "$ns" -ge 8

touch "$KS_TMP/stop"
wait "$bg"
total=$(wc -l <"$KS_TMP/bg.log")
nbad=$(grep -c bad "$KS_TMP/bg.log")
ktap_check "$total back-to-back scrapes during the churn: every one a 200 with a whole page" \
	"$(grep bad "$KS_TMP/bg.log" | sort | uniq -c)" test "$total" -gt 10 -a "$nbad" = 0
promtool check metrics <"$KS_TMP/nocore.prom" >"$KS_TMP/pt2" 2>&1
ktap_check "promtool accepts the page without kscope_core" "$(head "$KS_TMP/pt2")" test $? = 0
ktap_check "the exporter is still running" "$(tail -5 "$KS_TMP/export.err")" kill -0 "$ex_pid"
ex_cleanup
ex_unload_all
ktap_done
