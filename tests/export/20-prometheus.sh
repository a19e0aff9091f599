#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A real Prometheus (Debian's, scrape interval 1 s, the exporter found by
# file-based service discovery) scrapes kscope export while a workload
# runs, and its HTTP API must agree with the reader read at one moment:
#  - every counter of `kscope --json stat` (and runqlat's count and sum)
#    lies between the sample of the last scrape that finished before the
#    read and the first that began after it (Prometheus' own
#    scrape_duration_seconds gives each scrape's end);
#  - increase() of tcp connects_v6 over the workload rounds to the N
#    connects the workload made to [::1] (increase() extrapolates to the
#    range's ends, so it may exceed N by at most the range / sampled
#    span: with 10 quiet seconds on each side and N = 4 it cannot reach
#    N + 0.5; Prometheus' own scrapes are IPv4 and do not count), and the
#    exact difference of the counter at two instants is N;
#  - histogram_quantile(0.99) of the run-queue latency histogram falls in
#    the same log2 bucket as the p99 of `kscope sched runqlat` read
#    between the same two scrapes;
#  - a module unloaded under the running exporter: its series are stale
#    in Prometheus within seconds (none served as live) and come back
#    when it is loaded again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-export.sh"
ex_need prometheus curl python3
ktap_plan 9
N=4

ex_load_all || { ktap_fail "load every module" "$(dmesg | tail -5)"; ktap_done; }
ex_export_start 19620 || { ktap_fail "exporter" "$(cat "$KS_TMP/export.err")"; ex_unload_all; ktap_done; }
mkdir -p "$KS_TMP/sd"
cat >"$KS_TMP/sd/kscope.yml" <<EOT
- targets: ['127.0.0.1:19620']
  labels:
    lab: test
EOT
cat >"$KS_TMP/prometheus.yml" <<EOT
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: kscope
    file_sd_configs:
      - files: ['$KS_TMP/sd/*.yml']
        refresh_interval: 1s
EOT
ex_prom_start 19621 "$KS_TMP/prometheus.yml" ||
	{ ktap_fail "prometheus ready" "$(tail -20 "$KS_TMP/prometheus-19621.log")"; ex_unload_all; ktap_done; }
up=$(ex_wait_value 'up{job="kscope",lab="test"} == 1' 120)
ktap_eq "Prometheus found the exporter by file_sd and scrapes it (up)" 1 "$up"

# -- the workload: N IPv6 connects on loopback, run-queue latency
ks_sleep 10
tw0=$(now)
python3 - "$N" >"$KS_TMP/conn.out" <<'EOP'
import socket, sys
n = int(sys.argv[1])
srv = socket.socket(socket.AF_INET6)
srv.bind(("::1", 0))
srv.listen(n)
ok = 0
for i in range(n):
    c = socket.create_connection(("::1", srv.getsockname()[1]))
    a, _ = srv.accept()
    a.close()
    c.close()
    ok += 1
srv.close()
print(ok)
EOP
spin=()
for i in 1 2 3 4; do
	timeout 4 bash -c 'while :; do :; done' &
	spin+=($!)
done
wait "${spin[@]}"
tw1=$(now)
ks_sleep 10
ktap_eq "the workload made $N IPv6 connects" "$N" "$(cat "$KS_TMP/conn.out")"

# -- one read of the reader, between two scrapes
ks_sleep 2
ts0=$(now)
"$KSCOPE" --json stat >"$KS_TMP/stat.json"
"$KSCOPE" --json sched runqlat >"$KS_TMP/runq.json"
ts1=$(now)
ks_sleep 4
te=$(now)
sel='{__name__=~"kscope_.*",__name__!~".*_bucket",job="kscope"}[15s]'
ex_query "$sel" "$te" >"$KS_TMP/series.json"
ex_query 'scrape_duration_seconds{job="kscope"}[15s]' "$te" >"$KS_TMP/dur.json"
python3 "$EX_HERE/expo.py" bracket "$KS_TMP/series.json" "$KS_TMP/dur.json" \
	"$KS_TMP/stat.json" "$KS_TMP/runq.json" "$ts0" "$ts1" >"$KS_TMP/bracket.out" 2>&1
rc=$?
diag "$(grep -v BAD "$KS_TMP/bracket.out")"
ktap_check "kscope --json stat = Prometheus within one scrape's movement, every counter" \
	"$(head -30 "$KS_TMP/bracket.out")" test "$rc" = 0

# -- increase() over the workload
# (awk, not bc: a test machine need not have bc)
read -r t_a t_b range < <(awk -v a="$tw0" -v b="$tw1" \
	'BEGIN { a -= 9; b += 9; printf "%.3f %.3f %d\n", a, b, int(b - a + 0.999) }')
inc=$(ex_value "increase(kscope_tcp_connects_v6_total[${range}s])" "$t_b")
d=$(ex_value "kscope_tcp_connects_v6_total @ $t_b - kscope_tcp_connects_v6_total @ $t_a" "$t_b")
diag "increase(kscope_tcp_connects_v6_total[${range}s]) at the workload's end + 9 s: $inc; exact difference: $d"
ktap_eq "the counter moved by exactly $N between two instants around the workload" "$N" "$d"
ktap_check "round(increase(...[${range}s])) = $N, and $N <= $inc <= $N * $range / ($range - 2.5)" \
	"increase $inc" awk -v v="$inc" -v n="$N" -v r="$range" \
	'BEGIN { exit !(v != "" && int(v + 0.5) == n && v >= n - 1e-9 && v <= n * r / (r - 2.5)) }'

# -- run-queue p99: the same log2 bucket
ks=$(python3 "$EX_HERE/expo.py" p99slot "$KS_TMP/runq.json")
read -r sa sb < <(python3 - "$KS_TMP/dur.json" "$ts0" "$ts1" <<'EOP'
import json, sys
t0, t1 = float(sys.argv[2]), float(sys.argv[3])
pts = [(float(t), float(v)) for r in json.load(open(sys.argv[1]))["data"]["result"] for t, v in r["values"]]
a = [t for t, d in pts if t + d <= t0]
b = [t for t, d in pts if t >= t1]
print(a[-1] if a else 0, b[0] if b else 0)
EOP
)
slots=""
for t in $sa $sb; do
	q=$(ex_value 'histogram_quantile(0.99, kscope_sched_runq_latency_seconds_bucket{job="kscope"})' "$t")
	slots="$slots$(python3 "$EX_HERE/expo.py" slotof "$q") "
	diag "histogram_quantile(0.99) at the scrape of $t: $q s"
done
diag "kscope sched runqlat p99 slot: $ks; Prometheus' quantile at the scrapes before and after: $slots"
ktap_check "histogram_quantile(0.99) of run-queue latency in runqlat's p99 bucket (slot $ks)" \
	"slots $slots" bash -c "[ -n '$ks' ] && [[ ' $slots' == *' $ks '* ]]"

# -- unloaded under the exporter: gone from Prometheus, then back
vfs_live() { ex_value 'count({__name__=~"kscope_vfs_.*",job="kscope"})'; }
before=$(vfs_live)
ks_unload kscope_vfs
ks_sleep 5
after=$(vfs_live)
info=$(ex_value 'kscope_source_info{source="vfs"}')
ktap_check "kscope_vfs unloaded: no kscope_vfs_* series live in Prometheus ($before before)" \
	"count after: '$after', source_info: '$info'" test -n "$before" -a -z "$after" -a -z "$info"
ks_load kscope_vfs
back=$(ex_wait_value 'count({__name__=~"kscope_vfs_.*",job="kscope"})' 30)
ktap_check "loaded again: its series are back ($back)" "" test -n "$back"
# a scrape after the reload succeeds (one alone may pass scrape_timeout,
# 1 s, in a starved guest: 7.2 under CI's load had one, up 0)
up=$(ex_wait_value 'up{job="kscope"} == 1' 30)
ktap_check "the exporter lived through it, Prometheus scrapes it (up $up)" \
	"$(tail -5 "$KS_TMP/export.err")" bash -c "kill -0 $ex_pid && [ '$up' = 1 ]"

ex_cleanup
ex_unload_all
ktap_done
