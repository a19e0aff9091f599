#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each per-device (and per-queue) statistic carries its kind: "pages",
# "openers", "inflight" and "inflight_max" are gauges, the counts of what
# happened ("write_reqs", "write_bytes", ...) counters, in `kscope --json blk stat`
# ("kinds" beside "counters", a kind for every counter) and in the
# exporter's TYPE lines. Oracles: the bytes dd wrote (distinct pages, the
# page size from getconf: the "pages" gauge is the backing store, one
# page per page of the device written to, freed by a discard of a whole
# page), those dd and blkdiscard asked for, and the descriptors this
# script holds open on the device ("openers"). In interval mode a gauge
# shows its value and a counter its change.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

ktap_plan 12
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_load kscope_blk || { ktap_fail "load kscope_blk"; ktap_done; }
$KSCOPE blk add kd --profile nvme --size 8 --queues 2 --discard 1 --completion inline ||
	{ ktap_fail "add device"; ktap_done; }
PS=$(getconf PAGESIZE)
st() { $KSCOPE --json blk stat kd ${1:+--hwq}; }

# 64 KiB at 0, 37 pages at 1 MiB, the first 64 KiB again: distinct
# pages 64K/PS + 37, bytes written 64K + 37 PS + 64K
w0=$(st | jq '.counters.write_bytes')
dd if=/dev/urandom of=/dev/kblk_kd bs=64k count=1 oflag=direct status=none &&
	dd if=/dev/urandom of=/dev/kblk_kd bs="$PS" count=37 seek=$((1048576 / PS)) \
		oflag=direct status=none &&
	dd if=/dev/urandom of=/dev/kblk_kd bs=64k count=1 oflag=direct status=none ||
	ktap_fail "dd"
pages=$((65536 / PS + 37)) bytes=$((2 * 65536 + 37 * PS))
st >"$KS_TMP/s1"
ktap_eq "pages = distinct pages written ($pages), a gauge" "$pages gauge" \
	"$(jq -r '"\(.counters.pages) \(.kinds.pages)"' "$KS_TMP/s1")"
ktap_eq "write_bytes = bytes dd wrote ($bytes), a counter" "$bytes counter" \
	"$(jq -r --argjson w0 "$w0" '"\(.counters.write_bytes - $w0) \(.kinds.write_bytes)"' "$KS_TMP/s1")"

# the same names in counters and kinds, device and every queue; gauges
# exactly pages and inflight*, the rest counters
st --hwq >"$KS_TMP/sq"
got=$(jq -r '([.] + .hwq)[] | (.counters | keys) == (.kinds | keys)' "$KS_TMP/sq" | sort -u | tr '\n' ' ')
ktap_eq "device and each queue: a kind for every counter, none else" "true " "$got"
got=$(jq -r '([.] + .hwq)[] | .kinds | to_entries[] | select(.value == "gauge") | .key' "$KS_TMP/sq" |
	sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
ktap_eq "gauges: inflight and inflight_max (device + 2 queues), openers and pages (device)" \
	"inflightx3 inflight_maxx3 openersx1 pagesx1 " "$got"
got=$(jq -r '([.] + .hwq)[] | .kinds | to_entries[] | select(.value != "gauge" and .value != "counter") | .key' "$KS_TMP/sq")
ktap_eq "every other kind is counter" "" "$got"

# a discard of the 37 pages frees them: the gauge goes down, with the
# interval view showing the value (gauge) and the change (counter)
blkdiscard -o 1048576 -l $((37 * PS)) /dev/kblk_kd || ktap_fail "blkdiscard"
$KSCOPE --json blk stat kd 1 1 >"$KS_TMP/iv" 2>"$KS_TMP/iv.err"
ktap_eq "interval: pages as they are ($((65536 / PS))), write_bytes' change (0)" \
	"$((65536 / PS)) 0" "$(jq -r '"\(.counters.pages) \(.counters.write_bytes)"' "$KS_TMP/iv" | tail -1)"

# the exporter: TYPE gauge for a gauge, counter (with _total) for a counter
"$KSCOPE" export --once --sources blk >"$KS_TMP/page.prom" 2>"$KS_TMP/page.err"
python3 - "$KS_TMP/page.prom" "$KS_TMP/sq" >"$KS_TMP/ex.out" 2>&1 <<'EOF'
import json, re, sys
page = open(sys.argv[1]).read()
types = dict(re.findall(r'^# TYPE (\S+) (\S+)$', page, re.M))
dev = json.load(open(sys.argv[2]))
ops = ("read", "write", "flush", "discard", "write_zeroes")
bad, n = [], 0
for scope, kinds in [("device", dev["kinds"])] + [("queue", q["kinds"]) for q in dev["hwq"]]:
    for name, kind in kinds.items():
        what = name
        for op in ops:
            if name.startswith(op + "_"):
                what = name[len(op) + 1:]
        if what == "lat_ns_sum":
            continue  # request_time_seconds, a counter in seconds
        what = "requests" if what == "reqs" else what
        m = "kscope_blk_%s_%s%s" % (scope, what, "_total" if kind == "counter" else "")
        n += 1
        if types.get(m) != kind:
            bad.append("%s %s: TYPE %s %s" % (scope, name, m, types.get(m)))
print("%d checked" % n)
print("\n".join(bad[:10]))
sys.exit(1 if bad or not n else 0)
EOF
rc=$?
ktap_check "export: every device and queue statistic's TYPE is its kind ($(head -1 "$KS_TMP/ex.out"))" \
	"$(tail -n +2 "$KS_TMP/ex.out") $(cat "$KS_TMP/page.err")" test "$rc" = 0
ktap_eq "export: kscope_blk_device_pages of kd = the pages left ($((65536 / PS)))" \
	"$((65536 / PS))" \
	"$(awk '$1 == "kscope_blk_device_pages{device=\"kd\"}" { print $2 }' "$KS_TMP/page.prom")"

# openers: the descriptors held on the device now (two, then none)
exec 7</dev/kblk_kd 8</dev/kblk_kd
ktap_eq "openers = the 2 descriptors held open, a gauge" "2 gauge" \
	"$(st | jq -r '"\(.counters.openers) \(.kinds.openers)"')"
"$KSCOPE" export --once --sources blk >"$KS_TMP/open.prom" 2>>"$KS_TMP/page.err"
ktap_eq "export: kscope_blk_device_openers of kd = 2" "2" \
	"$(awk '$1 == "kscope_blk_device_openers{device=\"kd\"}" { print $2 }' "$KS_TMP/open.prom")"
exec 7<&- 8<&-
ktap_eq "openers = 0 once they are closed" "0" "$(st | jq -r '.counters.openers')"

$KSCOPE blk del kd
ktap_check "unload" "rmmod failed" rmmod kscope_blk
ktap_done
