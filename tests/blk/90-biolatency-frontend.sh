#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope biolatency, the front-end, against libbpf-tools' biolatency on the
# same kscope_blk device and workload in the same boot: both with -D from
# before the I/O until after it, stopped with SIGINT, their "disk = NAME"
# histograms read with one parser. biolatency times a request from issue
# (block_rq_issue) to completion, kscope_blk from the driver's queue_rq to
# completion: the same requests (equal counts, 1% slack), microseconds
# apart (the same median bucket +-1). -F splits the device's requests by
# operation: as many writes as the workload's direct 4 KiB writes.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"
ktap_plan 6

if [ ! -e /sys/kernel/btf/vmlinux ]; then
	ktap_skip "biolatency comparison" "no BTF on this kernel (/sys/kernel/btf/vmlinux): libbpf-tools cannot load"
	ktap_done
fi
ks_load kscope_blk || { ktap_fail "load kscope_blk" "$(dmesg | tail -3)"; ktap_done; }
"$KSCOPE" blk add kbl --size=32 --profile ssd ||
	{ ktap_fail "blk add kbl"; ks_unload kscope_blk; ktap_done; }
ktap_ok "load kscope_blk, /dev/kblk_kbl"

W=200 R=100
"$KSCOPE" biolatency -D >"$KS_TMP/k.out" 2>"$KS_TMP/k.err" &
kp=$!
"$KSCOPE" biolatency -F -d kbl >"$KS_TMP/kf.out" 2>"$KS_TMP/kf.err" &
kfp=$!
wait_file "$KS_TMP/k.out" 60
wait_file "$KS_TMP/kf.out" 60
bpf_start bp biolatency -D || ks_skip_all "biolatency did not start: $(cat "$KS_TMP/biolatency.err")"
dd if=/dev/urandom of=/dev/kblk_kbl bs=4k count=$W oflag=direct status=none
dd if=/dev/kblk_kbl of=/dev/null bs=4k count=$R iflag=direct status=none
sleep 0.5
bpf_stop "$bp"
kill -INT $kp $kfp
wait $kp
rk=$?
wait $kfp
rkf=$?
ktap_eq "kscope biolatency -D and -F: exit 0 after SIGINT" 00 "$rk$rkf" \
	"$(cat "$KS_TMP/k.err" "$KS_TMP/kf.err")"

# "disk = NAME" (biolatency -D), then "lo -> hi : count |...|" rows
rows() { awk -v d="$2" '/^disk = / { on = ($3 == d); next } /^(op|flags) = / { on = 0 } / -> / && on { print $1, $5 }' "$1"; }
rows "$KS_TMP/biolatency.out" kblk_kbl >"$KS_TMP/b.rows"
rows "$KS_TMP/k.out" kblk_kbl >"$KS_TMP/k.rows"
bt=$(awk '{ s += $2 } END { print s + 0 }' "$KS_TMP/b.rows")
kt=$(awk '{ s += $2 } END { print s + 0 }' "$KS_TMP/k.rows")
tol=$(( bt / 100 > 1 ? bt / 100 : 1 ))
d=$(( kt > bt ? kt - bt : bt - kt ))
ktap_check "requests of kblk_kbl = biolatency -D's within $tol (kscope $kt, biolatency $bt)" \
	"biolatency: $(head -c 500 "$KS_TMP/biolatency.out"); kscope: $(head -c 500 "$KS_TMP/k.out")" \
	test "$bt" -ge $((W + R)) -a "$d" -le "$tol"
med() { awk -v t="$2" '{ a += $2; if (a * 2 >= t) { print $1; exit } }' "$1"; }
km=$(med "$KS_TMP/k.rows" "$kt") bm=$(med "$KS_TMP/b.rows" "$bt")
slot() { awk -v v="${1:-0}" 'BEGIN { s = 0; while (v > 1) { v = int(v / 2); s++ } print s }'; }
sd=$(( $(slot "$km") - $(slot "$bm") ))
ktap_check "the same median bucket +-1 (kscope from $km, biolatency from $bm usecs)" \
	"$(cat "$KS_TMP/k.rows") / $(cat "$KS_TMP/b.rows")" test "${sd#-}" -le 1
# -F -d kbl: "op = write" rows
wr=$(awk '/^op = / { on = ($3 == "write"); next } / -> / && on { s += $5 } END { print s + 0 }' "$KS_TMP/kf.out")
rd=$(awk '/^op = / { on = ($3 == "read"); next } / -> / && on { s += $5 } END { print s + 0 }' "$KS_TMP/kf.out")
ktap_check "-F: $W direct writes and at least $R reads ($wr, $rd)" "$(cat "$KS_TMP/kf.out")" \
	test "$wr" = $W -a "$rd" -ge $R
"$KSCOPE" blk del kbl
ks_unload kscope_blk
ktap_check "device removed, module unloaded" "rmmod failed" bash -c '! [ -d /sys/module/kscope_blk ]'
ktap_done
