#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Counter kinds. Every counter of every source has a kind in `kscope --json
# list` ("counter" or "gauge"), the same names as debugfs counts and the
# same kinds as debugfs "kinds". The gauges follow what exists: blk
# "devices" against the kblk_* disks in /sys/block, probe "probes" against
# the kprobes the kernel lists in debugfs kprobes/list; both go down when
# devices and probes go. Over a workload that adds and removes both while
# I/O, probe hits and scheduling go on, no counter of kind "counter"
# ever decreases between snapshots, while the gauges do (so the check
# sees a decrease when there is one), and blk "requests" grows by at
# least the I/Os /sys/block/<disk>/stat counted.
. "$(dirname "$0")/../lib.sh"
ktap_plan 9

KPL=/sys/kernel/debug/kprobes/list
loaded=""
for m in kscope_blk kscope_probe kscope_sched kscope_vfs; do
	ks_loaded "$m" || loaded="$m $loaded"
	ks_load "$m" || { ktap_fail "load $m" "$(dmesg | tail -3)"; ktap_done; }
done
# kprobes other modules hold (vfs, mem): counted before, subtracted
# (awk prints 0 for an empty list, where grep -c prints 0 and fails)
nkp() { awk 'END { print NR }' "$KPL" 2>/dev/null || echo 0; }
nblk() { ls /sys/block | grep -c '^kblk_'; }
gauge() { ks_counter "$1" "$2"; }

# -- every counter has a kind, as debugfs names and kinds them
"$KSCOPE" --json list >"$KS_TMP/list" || { ktap_fail "json list"; ktap_done; }
python3 - "$KS_TMP/list" "$KS_DEBUGFS" >"$KS_TMP/kinds.out" 2>&1 <<'EOF'
import json, os, sys
bad = []
for line in open(sys.argv[1]):
    o = json.loads(line)
    src = o["source"]
    ctrs = o["counters"]
    names = [c["name"] for c in ctrs]
    with open(os.path.join(sys.argv[2], src, "counters")) as f:
        dbg = [l.split()[0] for l in f if l.strip()]
    if names != dbg:
        bad.append("%s: json names %s, debugfs %s" % (src, names, dbg))
    for c in ctrs:
        if c.get("kind") not in ("counter", "gauge"):
            bad.append("%s/%s: kind %r" % (src, c["name"], c.get("kind")))
    with open(os.path.join(sys.argv[2], src, "kinds")) as f:
        dk = [tuple(l.split()) for l in f if l.strip()]
    if dk != [(c["name"], c.get("kind")) for c in ctrs]:
        bad.append("%s: debugfs kinds %s differ from json" % (src, dk))
if bad:
    print("\n".join(bad))
sys.exit(1 if bad else 0)
EOF
ktap_check "every counter has a kind (json = debugfs names and kinds)" \
	"$(cat "$KS_TMP/kinds.out")" test ! -s "$KS_TMP/kinds.out"
got=$(jq -r '.source as $s | .counters[] | select(.kind == "gauge") | "\($s)/\(.name)"' "$KS_TMP/list" |
	grep -E '^(blk|probe)/' | sort | tr '\n' ' ')
ktap_eq "the gauges of blk and probe: devices, probes" "blk/devices probe/probes " "$got" "gauges"

# -- blk devices: up with adds, down with dels, as /sys/block says
base_blk=$(nblk)
for d in ka kb kc; do "$KSCOPE" blk add "$d" --profile nvme --size 8 >/dev/null || ktap_fail "blk add $d"; done
up="$(gauge blk devices) $(nblk)"
"$KSCOPE" blk del kb && "$KSCOPE" blk del kc
down="$(gauge blk devices) $(nblk)"
ktap_eq "blk devices follows /sys/block: 3 added, 2 removed" \
	"$((base_blk + 3)) $((base_blk + 3)) / $((base_blk + 1)) $((base_blk + 1))" "$up / $down"

# -- probe probes: as kprobes/list says
base_kp=$(nkp)
# (--kretprobe: a return side is an fprobe where the kernel has them,
# which ftrace lists and kprobes/list does not)
"$KSCOPE" probe add vfs_read >/dev/null && "$KSCOPE" probe add vfs_write --ret --kretprobe >/dev/null ||
	ktap_fail "probe add"
up="$(gauge probe probes) $(( $(nkp) - base_kp ))"
"$KSCOPE" probe del vfs_read
down="$(gauge probe probes) $(( $(nkp) - base_kp ))"
ktap_eq "probe probes follows kprobes/list: 2 added, 1 removed" "2 2 / 1 1" "$up / $down"

# -- a workload: counters never decrease, gauges do
read -r r0 _ _ _ w0 _ </sys/block/kblk_ka/stat
: >"$KS_TMP/snaps"
snap() { "$KSCOPE" --json stat >>"$KS_TMP/snaps" && echo '#' >>"$KS_TMP/snaps"; }
snap
for i in 1 2 3 4 5; do
	dd if=/dev/urandom of=/dev/kblk_ka bs=64k count=16 oflag=direct status=none
	dd if=/dev/kblk_ka of=/dev/null bs=64k count=16 iflag=direct status=none
	"$KSCOPE" blk add "w$i" --profile ssd --size 8 >/dev/null
	"$KSCOPE" probe add vfs_read >/dev/null
	snap
	"$KSCOPE" blk del "w$i"
	"$KSCOPE" probe del vfs_read
	snap
done
read -r r1 _ _ _ w1 _ </sys/block/kblk_ka/stat
python3 - "$KS_TMP/snaps" "$KS_TMP/list" >"$KS_TMP/mono.out" 2>&1 <<'EOF'
import json, sys
kinds = {}
for line in open(sys.argv[2]):
    o = json.loads(line)
    for c in o["counters"]:
        kinds[(o["source"], c["name"])] = c["kind"]
snaps, cur = [], {}
for line in open(sys.argv[1]):
    if line.startswith("#"):
        snaps.append(cur)
        cur = {}
        continue
    o = json.loads(line)
    for k, v in o["counters"].items():
        cur[(o["source"], k)] = v
bad, down, checked = [], set(), 0
for a, b in zip(snaps, snaps[1:]):
    for key, v in b.items():
        if key not in a:
            continue
        if kinds.get(key) == "counter":
            checked += 1
            if v < a[key]:
                bad.append("%s/%s: %d -> %d" % (key[0], key[1], a[key], v))
        elif kinds.get(key) == "gauge" and v < a[key]:
            down.add("%s/%s" % key)
print("snapshots %d, counter pairs checked %d" % (len(snaps), checked))
print("gauges that went down: %s" % " ".join(sorted(down)))
for b in bad:
    print("DECREASED " + b)
reqs = [s.get(("blk", "requests"), 0) for s in snaps]
print("blk requests %d -> %d" % (reqs[0], reqs[-1]))
EOF
diag "$(cat "$KS_TMP/mono.out")"
ktap_check "no counter decreased over 11 snapshots of every source" \
	"$(grep DECREASED "$KS_TMP/mono.out")" \
	bash -c "! grep -q DECREASED '$KS_TMP/mono.out' && grep -q 'snapshots 11,' '$KS_TMP/mono.out'"
ktap_check "the same snapshots show both gauges going down" \
	"$(grep 'went down' "$KS_TMP/mono.out")" \
	bash -c "grep 'went down' '$KS_TMP/mono.out' | grep -w blk/devices | grep -qw probe/probes"
ios=$(( r1 - r0 + w1 - w0 ))
read -r _ _ rq0 _ rq1 < <(grep 'blk requests' "$KS_TMP/mono.out")
ktap_check "blk requests grew by at least the $ios I/Os of /sys/block/kblk_ka/stat" \
	"requests $rq0 -> $rq1" test $(( rq1 - rq0 )) -ge "$ios" -a "$ios" -ge 160

# -- back to none: the gauges at zero again
"$KSCOPE" probe del vfs_write
"$KSCOPE" blk del ka
ktap_eq "all removed: gauges back to what /sys/block and kprobes/list show" \
	"$base_blk 0" "$(gauge blk devices) $(gauge probe probes)"
ktap_eq "kprobes/list back to its start" "$base_kp" "$(nkp)"
for m in $loaded; do ks_unload "$m"; done
ktap_done
