#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope export's page with every module loaded (a blk device with two
# hardware queues and I/O on it, a latency probe, vfs traffic): promtool
# (Prometheus' own parser and linter) accepts it; every counter that
# `kscope --json stat` shows is there under its name and the kind `kscope
# --json list` gives it (counter: _total and TYPE counter, gauge: TYPE
# gauge, lost_*: events_lost_total{reason}); every histogram has
# cumulative buckets at the log2 bounds in seconds, +Inf = _count, a
# _sum. Over HTTP: OpenMetrics when the Accept header asks for it (as
# Prometheus does), text 0.0.4 otherwise, 404 elsewhere, the connection
# kept between scrapes; the default
# listener is 127.0.0.1:9617 only; nobody gets the same families as root;
# --sources keeps only those sources.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-export.sh"
ex_need promtool curl python3
ktap_plan 13

ex_load_all || { ktap_fail "load every module" "$(dmesg | tail -5)"; ktap_done; }
"$KSCOPE" blk add exfmt --profile nvme --size 8 --queues 2 >/dev/null &&
	"$KSCOPE" probe add vfs_read --latency >/dev/null ||
	{ ktap_fail "blk device and probe" "$(cat "$KS_TMP"/*.err 2>/dev/null)"; ex_unload_all; ktap_done; }
dd if=/dev/zero of=/dev/kblk_exfmt bs=64k count=16 oflag=direct status=none
dd if=/dev/kblk_exfmt of=/dev/null bs=4k count=64 iflag=direct status=none
cat /etc/os-release >/dev/null

P=$KS_TMP/page.prom
"$KSCOPE" --json list >"$KS_TMP/list.json"
"$KSCOPE" --json stat >"$KS_TMP/stat.json"
"$KSCOPE" export --once >"$P"
rc=$?
ktap_check "kscope export --once ($(grep -vc '^#' "$P") samples)" "exit $rc" test "$rc" = 0 -a -s "$P"
promtool check metrics <"$P" >"$KS_TMP/promtool.out" 2>&1
rc=$?
ktap_check "promtool check metrics accepts it (parser and lint)" \
	"exit $rc: $(head -20 "$KS_TMP/promtool.out")" test "$rc" = 0
python3 "$EX_HERE/expo.py" names "$P" "$KS_TMP/list.json" "$KS_TMP/stat.json" >"$KS_TMP/names.out" 2>&1
rc=$?
diag "$(grep -v BAD "$KS_TMP/names.out")"
ktap_check "every counter of kscope --json stat under its name and kind" \
	"$(head -20 "$KS_TMP/names.out")" test "$rc" = 0
python3 "$EX_HERE/expo.py" hists "$P" >"$KS_TMP/hists.out" 2>&1
rc=$?
diag "$(grep -v BAD "$KS_TMP/hists.out")"
ktap_check "histograms: log2 le bounds in base units, cumulative, +Inf = _count, _sum" \
	"$(head -20 "$KS_TMP/hists.out")" test "$rc" = 0
want="kscope_blk_device_latency_seconds kscope_blk_queue_latency_seconds kscope_mem_slowpath_latency_seconds kscope_probe_function_latency_seconds kscope_sched_runq_latency_seconds kscope_vfs_fs_latency_seconds"
got=$(awk '$1 == "#" && $2 == "TYPE" && $4 == "histogram" { print $3 }' "$P" | sort | tr '\n' ' ')
ktap_eq "the histograms of blk, mem, probe, sched and vfs" "$want " "$got" "histograms"
got=$(grep -c '^kscope_blk_queue_requests_total{device="exfmt",queue="[01]",op="[a-z_]*"}' "$P")
ktap_eq "blk per-queue series: 2 queues x 5 ops, labelled device, queue, op" 10 "$got"

# -- HTTP
ex_export_start 19610 || { ktap_fail "exporter on 127.0.0.1:19610" "$(cat "$KS_TMP/export.err")"; ktap_done; }
om_accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'
ct_om=$(curl -s -o "$KS_TMP/om" -w '%{content_type}' -H "Accept: $om_accept" http://127.0.0.1:19610/metrics)
ct_txt=$(curl -s -o "$KS_TMP/txt" -w '%{content_type}' http://127.0.0.1:19610/metrics)
ktap_eq "Content-Type: OpenMetrics for Prometheus' Accept, else text 0.0.4" \
	"application/openmetrics-text; version=1.0.0; charset=utf-8|text/plain; version=0.0.4; charset=utf-8" \
	"$ct_om|$ct_txt"
# OpenMetrics: counters' TYPE without _total, # EOF last
ok=1
tail -1 "$KS_TMP/om" | grep -qx '# EOF' || ok=0
grep -q '^# TYPE kscope_tcp_connects_v4 counter$' "$KS_TMP/om" || ok=0
grep -q '^kscope_tcp_connects_v4_total [0-9]' "$KS_TMP/om" || ok=0
grep -q '^# TYPE kscope_tcp_connects_v4_total counter$' "$KS_TMP/txt" || ok=0
ktap_check "OpenMetrics: family names without _total, ends with # EOF; 0.0.4 names with it" \
	"$(tail -3 "$KS_TMP/om")" test $ok = 1
codes=$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:19610/nothing)/$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:19610/metrics)
ktap_eq "other paths 404, other methods 405" "404/405" "$codes"
n=$(curl -sv -o /dev/null -o /dev/null http://127.0.0.1:19610/metrics http://127.0.0.1:19610/metrics 2>&1 |
	grep -c 'Re-using existing connection')
ktap_eq "two scrapes on one connection (keep-alive, as Prometheus scrapes)" 1 "$n"
kill "$ex_pid"; wait "$ex_pid" 2>/dev/null

# -- the default listener: loopback only
"$KSCOPE" export 2>>"$KS_TMP/export.err" &
dp=$!
ex_pids+=("$dp")
ex_wait_http http://127.0.0.1:9617/metrics 30
got=$(ss -Htlnp | grep "pid=$dp," | awk '{ print $4 }' | tr '\n' ' ')
kill "$dp"; wait "$dp" 2>/dev/null
ktap_eq "default --listen: 127.0.0.1:9617 only" "127.0.0.1:9617 " "$got" "listeners"

# -- nobody: the same families (reads need no privilege); --sources
ks_as_nobody "$KSCOPE" export --once >"$KS_TMP/nobody.prom" 2>"$KS_TMP/nobody.err"
"$KSCOPE" export --once >"$KS_TMP/root.prom"
fams() { awk '$1 == "#" && $2 == "TYPE" { print $3, $4 }' "$1" | sort; }
d=$(diff <(fams "$KS_TMP/root.prom") <(fams "$KS_TMP/nobody.prom"))
ktap_check "as nobody: the same $(fams "$KS_TMP/root.prom" | wc -l) families as root" \
	"$d $(cat "$KS_TMP/nobody.err")" test -z "$d" -a -s "$KS_TMP/nobody.prom"
got=$("$KSCOPE" export --once --sources tcp,core | awk '$1 == "#" && $2 == "TYPE" { sub(/^kscope_/, "", $3); sub(/_.*/, "", $3); print $3 }' | sort -u | tr '\n' ' ')
ktap_eq "--sources tcp,core: only tcp, core and the exporter's own" "core exporter source tcp up " "$got" "prefixes"

"$KSCOPE" probe del vfs_read
"$KSCOPE" blk del exfmt
ex_unload_all
ktap_done
