#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Slow-operation events (like fsslower): with a 100 ms threshold, a read
# that waits on purpose (a FIFO fed 0.5 s later) and an fsync on ext4 over
# a dm-delay device (200 ms per write) must each give one event with the
# workload's pid, the file, the filesystem, and a latency between the
# delay and the workload's own measurement of the call; 400 fast calls
# must give none. libbpf-tools' fsslower must see the same ext4 fsync.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"

ktap_plan 7
EXTD=/tmp/kst_vfs_slow DM=kst_vfs_delay

cleanup() {
	umount "$EXTD" 2>/dev/null
	DM_DISABLE_UDEV=1 dmsetup remove $DM 2>/dev/null
	ext4_down /nonexistent
	ks_unload kscope_vfs
}

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_vfs"

# ext4 made on the loop device, mounted through dm-delay (writes +200 ms)
modprobe dm-delay 2>/dev/null
modprobe loop 2>/dev/null
truncate -s 32M "$KS_TMP/slow.img"
VFS_LOOP=$(losetup -f --show "$KS_TMP/slow.img") && mkfs.ext4 -q -F "$VFS_LOOP" &&
	DM_DISABLE_UDEV=1 dmsetup create $DM --table "0 $(blockdev --getsz "$VFS_LOOP") delay $VFS_LOOP 0 0 $VFS_LOOP 0 200" &&
	{ [ -b /dev/mapper/$DM ] || dmsetup mknodes $DM; } &&	# no udev in the guest
	mkdir -p "$EXTD" && mount -t ext4 /dev/mapper/$DM "$EXTD" ||
	{ ktap_fail "ext4 over dm-delay" "$(dmesg | tail -3)"; cleanup; ktap_done; }

"$KSCOPE" vfs slow --threshold-us 100000 || { ktap_fail "threshold set"; cleanup; ktap_done; }
have_bpf=1
bpf_start fs_pid fsslower -t ext4 -m 100 || have_bpf=0
watch_start ev

/usr/bin/python3 - "$EXTD/synced" >"$KS_TMP/fsync.json" <<'PY'
import json, os, sys, time
fd = os.open(sys.argv[1], os.O_CREAT | os.O_WRONLY, 0o644)
os.write(fd, b"z" * 65536)
t = time.monotonic()
os.fsync(fd)
us = int((time.monotonic() - t) * 1e6)
os.close(fd)
print(json.dumps(dict(pid=os.getpid(), fsync_us=us)))
PY
$VFS_WORK fifo "$KS_TMP/kst_fifo" 0.5 >"$KS_TMP/fifo.json" &
fpid=$!
wait $fpid
sleep 1
watch_stop
[ $have_bpf = 1 ] && bpf_stop "$fs_pid"
"$KSCOPE" vfs slow --threshold-us 0

ev=$KS_TMP/ev.ev
slow() { jq -c "select(.source == \"vfs\" and .event == \"slow\")${1:+ | select($1)}" "$ev"; }
diag "$(slow | head -5)"

# the FIFO read
r=$(slow '.file == "kst_fifo" and .op == "read"')
rus=$(jq -r .read_us "$KS_TMP/fifo.json")
ktap_eq "one slow read of the FIFO, tmpfs, 100 bytes, workload's pid" \
	"1 tmpfs 100 $fpid" "$(jq -rs '"\(length) \(.[0].fs) \(.[0].bytes) \(.[0].pid)"' <<<"$r")"
lat=$(jq -r .latency_us <<<"$r" | head -1)
ktap_check "its latency within [0.45 s, the workload's own $rus us]" "latency_us $lat" \
	test "${lat:-0}" -ge 450000 -a "${lat:-0}" -le "$rus"
ktap_eq "no slow event for 400 fast calls" 0 "$(slow '.file == "kst_fifo.fast"' | wc -l)"

# the fsync on ext4 over dm-delay
f=$(slow '.file == "synced" and .op == "fsync"')
fus=$(jq -r .fsync_us "$KS_TMP/fsync.json")
fpid2=$(jq -r .pid "$KS_TMP/fsync.json")
flat=$(jq -r .latency_us <<<"$f" | head -1)
ktap_check "one slow fsync, ext4, the workload's pid, latency within [0.18 s, $fus us]" "$f" \
	test "$(jq -rs '"\(length) \(.[0].fs) \(.[0].pid)"' <<<"$f")" = "1 ext4 $fpid2" -a \
	"${flat:-0}" -ge 180000 -a "${flat:-0}" -le "${fus:-0}"

if [ $have_bpf = 1 ]; then
	diag "$(cat "$KS_TMP/fsslower.out")"
	# fsslower times ext4_sync_file, inside the fsync kscope times: not longer
	fl=$(awk '$4 == "F" && $NF == "synced" { print int($7 * 1000) }' "$KS_TMP/fsslower.out" | head -1)
	ktap_check "fsslower saw that fsync, no longer than kscope (${fl:-none} vs $flat us)" \
		"$(cat "$KS_TMP/fsslower.out")" \
		test -n "$fl" -a "${fl:-0}" -le "$((flat + 1000))" -a "${fl:-0}" -ge 100000
else
	ktap_skip "fsslower saw that fsync" "fsslower did not start: $(head -c 200 "$KS_TMP/fsslower.err")"
fi

cleanup
ktap_done
