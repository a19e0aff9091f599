#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope export --textfile for node_exporter's textfile collector:
#  - the file is replaced atomically: 300 reads of it while it is rewritten
#    every 0.1 s each see a whole page (it ends with the exporter's last
#    metric), never a part, and no temporary file is left behind;
#  - with --textfile alone the exporter opens no listening socket;
#  - Debian's node_exporter (--collector.textfile.directory) serves it
#    without a parse error, and a real Prometheus scraping node_exporter
#    sees kscope's series there, with the counters of the file;
#  - when the exporter stops, the file goes: node_exporter serves no stale
#    kscope series.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-export.sh"
ex_need prometheus prometheus-node-exporter curl python3
ktap_plan 8

for m in kscope_tcp kscope_sched; do
	ks_loaded "$m" || ex_loaded="$m $ex_loaded"
	ks_load "$m" || { ktap_fail "load $m" "$(dmesg | tail -5)"; ktap_done; }
done

# -- atomic replacement, under a fast rewrite
F=$KS_TMP/fast
mkdir -p "$F"
"$KSCOPE" export --textfile "$F" --interval 0.1 2>>"$KS_TMP/export.err" &
fp=$!
ex_pids+=("$fp")
wait_file "$F/kscope.prom" 30
whole=0 part=0 inodes=""
for ((i = 0; i < 300; i++)); do
	page=$(<"$F/kscope.prom")
	if [[ $page == *$'\n'kscope_exporter_scrape_duration_seconds\ [0-9]* && $page == "# HELP "* ]]; then
		whole=$((whole + 1))
	else
		part=$((part + 1))
	fi
	[ $((i % 50)) = 0 ] && inodes="$inodes $(stat -c %i "$F/kscope.prom")"
done
ktap_eq "300 reads during rewrites every 0.1 s: each a whole page" "300 0" "$whole $part" "whole, partial"
n=$(echo $inodes | tr ' ' '\n' | sort -u | wc -l)
ktap_check "the file was replaced (renamed over: $n inodes in 6 looks)" "inodes:$inodes" test "$n" -ge 2
got=$(ss -Htlnp | grep -c "pid=$fp,")
ktap_eq "--textfile alone: no listening socket" 0 "$got"
kill "$fp"; wait "$fp" 2>/dev/null
ktap_eq "stopped: kscope.prom removed, no temporary file left" "" "$(ls -A "$F")"

# -- node_exporter serves it, Prometheus sees it there
D=$KS_TMP/textfile
mkdir -p "$D"
"$KSCOPE" export --textfile "$D" --interval 1 2>>"$KS_TMP/export.err" &
ex_pid=$!
ex_pids+=("$ex_pid")
wait_file "$D/kscope.prom" 30
prometheus-node-exporter --web.listen-address=127.0.0.1:19630 \
	--collector.disable-defaults --collector.textfile \
	--collector.textfile.directory="$D" >"$KS_TMP/node.log" 2>&1 &
ne=$!
ex_pids+=("$ne")
ex_wait_http http://127.0.0.1:19630/metrics 60
curl -sf http://127.0.0.1:19630/metrics >"$KS_TMP/node.prom"
got="$(grep -c '^kscope_tcp_connects_v4_total ' "$KS_TMP/node.prom") $(grep '^node_textfile_scrape_error ' "$KS_TMP/node.prom" | awk '{ print $2 }')"
ktap_eq "node_exporter serves kscope's series, no textfile scrape error" "1 0" "$got" \
	"(series, node_textfile_scrape_error)"

cat >"$KS_TMP/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ['127.0.0.1:19630']
EOT
ex_prom_start 19631 "$KS_TMP/prometheus.yml" ||
	{ ktap_fail "prometheus ready" "$(tail -20 "$KS_TMP/prometheus-19631.log")"; ex_unload_all; ktap_done; }
v=$(ex_wait_value 'kscope_sched_runq_latency_seconds_count{job="node"}' 120)
# the counter moves (Prometheus' and curl's own connects on 127.0.0.1): the
# value Prometheus has is one the file held between a read of it 3 s
# before the query (its sample is at most a scrape plus a rewrite old)
# and one after
file_v4() { awk '$1 == "kscope_tcp_connects_v4_total" { print $2 }' "$D/kscope.prom"; }
want0=$(file_v4)
ks_sleep 3
got=$(ex_value 'kscope_tcp_connects_v4_total{job="node"}')
want1=$(file_v4)
ktap_check "Prometheus scraping node_exporter sees kscope (runq count $v, connects_v4 $got, the file's $want0..$want1)" \
	"" awk -v v="$v" -v g="$got" -v a="$want0" -v b="$want1" \
	'BEGIN { exit !(v != "" && g != "" && a != "" && b != "" && g + 0 >= a + 0 && g + 0 <= b + 0) }'

kill "$ex_pid"; wait "$ex_pid" 2>/dev/null
ks_sleep 3
curl -sf http://127.0.0.1:19630/metrics >"$KS_TMP/node2.prom"
got="$(grep -c '^kscope_' "$KS_TMP/node2.prom") $(ls -A "$D" | wc -l)"
ktap_eq "exporter stopped: node_exporter serves no kscope series, the directory is empty" "0 0" "$got"

ex_cleanup
ex_unload_all
ktap_done
