#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/export.sh [--kernel 6.1|6.12|7.2] [--scrapes N] [--seconds S]: the
# cost of a scrape of kscope export with every module loaded (a blk device
# with two hardware queues, a --latency probe), next to node_exporter's
# (Debian's, its default collectors) in the same guest:
#  - time per scrape: N back-to-back GETs of /metrics on one keep-alive
#    connection with Prometheus' Accept header (median and 90th percentile),
#    the page's size and samples, and the server's CPU (utime + stime of
#    /proc/PID/stat) per scrape over them;
#  - CPU at a 1 s interval: one GET a second for S seconds, the server's CPU
#    per scrape and as a share of one CPU.
# The guest's CPU time is tick-sampled (100 Hz) and TCG stretches ticks when
# the host is busy: read the two servers' figures side by side.
# Under TCG everything is several times slower than on hardware: compare
# the two servers, not the absolute figures.
set -euo pipefail
ver=6.12 scrapes=100 secs=60
while [[ $# -gt 0 ]]; do
	case $1 in
	--kernel) ver=$2; shift 2 ;;
	--scrapes) scrapes=$2; shift 2 ;;
	--seconds) secs=$2; shift 2 ;;
	*) echo "usage: bench/export.sh [--kernel V] [--scrapes N] [--seconds S]" >&2; exit 2 ;;
	esac
done
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
bench_in_guest "core tcp blk net vfs mem sched probe" 2400 -- --kernel "$ver" --scrapes "$scrapes" --seconds "$secs"

K=userspace/kscope
b=$out/$ver
tmp=$(mktemp -d)
# (after the tests in the same guest, kscope_core may be loaded already)
for m in core tcp blk net vfs mem sched probe; do
	[ -d "/sys/module/kscope_$m" ] || insmod "$b/modules/$m/kscope_$m.ko"
done
$K blk add bench --profile nvme --size 16 --queues 2 >/dev/null
$K probe add vfs_read --latency >/dev/null
dd if=/dev/zero of=/dev/kblk_bench bs=64k count=64 oflag=direct status=none
dd if=/dev/kblk_bench of=/dev/null bs=4k count=256 iflag=direct status=none

$K export --listen 127.0.0.1:19650 2>"$tmp/export.err" &
kp=$!
prometheus-node-exporter --web.listen-address=127.0.0.1:19651 >"$tmp/node.log" 2>&1 &
np=$!
for u in 19650 19651; do
	for _ in $(seq 300); do curl -sf -o /dev/null "http://127.0.0.1:$u/metrics" && break; sleep 0.2; done
done
# as Prometheus asks
accept='application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'

# ticks of PID (utime + stime)
ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }
hz=$(getconf CLK_TCK)

# client MODE URL N: one process, one keep-alive connection, as Prometheus;
# "burst": N GETs back to back, each one's seconds on a line; "paced": one
# GET a second for N seconds, prints "GETS ELAPSED"
client() {
	python3 - "$@" <<'EOP'
import http.client, sys, time, urllib.parse
mode, url, n = sys.argv[1], urllib.parse.urlsplit(sys.argv[2]), int(sys.argv[3])
accept = ("application/openmetrics-text;version=1.0.0,application/openmetrics-text;"
          "version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1")
c = http.client.HTTPConnection(url.hostname, url.port, timeout=60)
def get():
    c.request("GET", url.path, headers={"Accept": accept})
    r = c.getresponse()
    r.read()
    return r.status == 200
start = time.monotonic()
gets = 0
for i in range(n):
    if mode == "paced":
        d = start + i - time.monotonic()
        if d > 0:
            time.sleep(d)
    t = time.monotonic()
    gets += get()
    if mode == "burst":
        print("%.6f" % (time.monotonic() - t))
if mode == "paced":
    print(gets, "%.3f" % (time.monotonic() - start))
EOP
}

row() {
	local name=$1 port=$2 pid=$3 t0 t1 t2 gets el
	local url=http://127.0.0.1:$port/metrics
	curl -s -H "Accept: $accept" -o "$tmp/$name.page" "$url"
	t0=$(ticks "$pid")
	client burst "$url" "$scrapes" >"$tmp/$name.t"
	t1=$(ticks "$pid")
	read -r gets el < <(client paced "$url" "$secs")
	t2=$(ticks "$pid")
	awk -v name="$name" -v med="$(median "$tmp/$name.t")" \
		-v p90="$(sort -g "$tmp/$name.t" | awk -v n="$scrapes" 'NR == int(n * 0.9 + 0.5)')" \
		-v bytes="$(wc -c <"$tmp/$name.page")" -v samples="$(grep -vc '^#' "$tmp/$name.page")" \
		-v burst="$((t1 - t0))" -v paced="$((t2 - t1))" -v hz="$hz" -v n="$scrapes" \
		-v gets="$gets" -v el="$el" \
		'BEGIN { printf "| %-13s | %7.1f | %7.1f | %7d | %6d | %7.1f | %7.1f | %6.2f%% |\n",
			name, med * 1000, p90 * 1000, bytes, samples,
			burst * 1000 / hz / n, paced * 1000 / hz / gets, paced / hz / el * 100 }'
}

echo "kernel $(uname -r), $(nproc) CPUs (TCG); $scrapes back-to-back scrapes, then one a second for $secs s (one keep-alive client)"
echo "| server | ms/scrape median | p90 | bytes | samples | CPU ms/scrape, back to back | CPU ms/scrape at 1/s | CPU share at 1/s |"
echo "|---|---|---|---|---|---|---|---|"
row "kscope export" 19650 "$kp"
row "node_exporter" 19651 "$np"
kill "$kp" "$np"
wait 2>/dev/null || true
$K probe del vfs_read
$K blk del bench
rm -rf "$tmp"
