#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope vfsstat, the front-end, against libbpf-tools' vfsstat on the same
# workload in the same boot: both at 1 s intervals around a workload of
# known reads, writes and opens; their columns are read by their header
# names (the front-end prints vfsstat's header and rows). Summed over the
# intervals, READ/s, WRITE/s and OPEN/s are counts (an interval is one
# second) and must agree. vfsstat starts first and stops last (its own
# start-up, a BPF load that reads BTF, is outside both windows), so it may
# see a little more than kscope: the guest's background in its extra
# intervals (this script polls with builtins only), measured as its
# largest idle interval, and the two kscope start-ups (an open and a read
# per shared library). Allowed: 10% + that per extra interval + the
# start-ups + 10, as 20-counts.sh allows vfsstat against the workload. CREATE/s and FSYNC/s
# are not compared: kscope counts creating opens and every fsync, vfsstat
# vfs_create() and vfs_fsync() calls only (see 20-counts.sh).
# kscope's own totals, from its JSON intervals, must cover the workload.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"
ktap_plan 5

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
"$KSCOPE" vfs filter --pid 0
ktap_ok "load kscope_vfs, no pid filter"

N=3000	# reads and writes of the workload, 1 byte each, and opens (as many:
	# the two readers' start-ups, ~20 opens each, stay well inside 10%)
: >"$KS_TMP/k.out"; : >"$KS_TMP/kj.out"	# there before the readers open them
# vfsstat first, and two idle intervals of it: its window holds kscope's
bpf_start vp vfsstat 1 || ks_skip_all "vfsstat did not start: $(cat "$KS_TMP/vfsstat.err")"
lines_after "$KS_TMP/vfsstat.out" $(($(nlines "$KS_TMP/vfsstat.out") + 2))
v0=$(nlines "$KS_TMP/vfsstat.out")
"$KSCOPE" vfsstat 1 >"$KS_TMP/k.out" 2>"$KS_TMP/k.err" &
kp=$!
"$KSCOPE" --json vfsstat 1 >"$KS_TMP/kj.out" 2>"$KS_TMP/kj.err" &
kjp=$!
# their first interval printed: their baselines are read
lines_after "$KS_TMP/k.out" 1 || diag "kscope vfsstat: no first interval"
lines_after "$KS_TMP/kj.out" 0 || diag "kscope --json vfsstat: no first interval"
/usr/bin/python3 -c 'import os, sys
n = int(sys.argv[2])
fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR)
for i in range(n):
    os.pwrite(fd, b"x", 0)
for i in range(n):
    os.pread(fd, 1, 0)
for i in range(n):
    os.close(os.open(sys.argv[1], os.O_RDONLY))' "$KS_TMP/f" $N
lines_after "$KS_TMP/k.out" $(($(nlines "$KS_TMP/k.out") + 1))	# one more whole interval
kill -INT $kp $kjp
wait $kp
rk=$?
wait $kjp
# two more whole intervals of vfsstat after kscope's last
lines_after "$KS_TMP/vfsstat.out" $(($(nlines "$KS_TMP/vfsstat.out") + 2))
bpf_stop "$vp" TERM
ktap_eq "kscope vfsstat: exit 0 after SIGINT" 0 "$rk" "$(cat "$KS_TMP/k.err")"

# col FILE NAME [max]: column NAME/s of FILE's rows, summed (or its max)
col() {
	awk -v n="$2/s" -v m="${3:-sum}" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) k = i; next }
		k && $1 ~ /^[0-9]/ { s += $k; if ($k > x) x = $k } END { print (m == "max" ? x : s) + 0 }' "$1"
}
# vfsstat's two idle intervals before kscope started: the background
head -1 "$KS_TMP/vfsstat.out" >"$KS_TMP/v.idle"
sed -n "$((v0 - 1)),${v0}p" "$KS_TMP/vfsstat.out" >>"$KS_TMP/v.idle"
# the readers' own start-ups (two execs of kscope, before their first
# read): an open and a read of each shared library, in vfsstat's window only
libs=$(( $(ldd "$KSCOPE" 2>/dev/null | wc -l) + 4 ))
kwin=$(($(wc -l <"$KS_TMP/k.out") - 1))
vwin=$(($(wc -l <"$KS_TMP/vfsstat.out") - 1))
bad="" rep=""
for c in READ WRITE OPEN; do
	k=$(col "$KS_TMP/k.out" $c) v=$(col "$KS_TMP/vfsstat.out" $c)
	bg=$(col "$KS_TMP/v.idle" $c max)
	# vfsstat's window holds kscope's and kscope's start-up (its exec):
	# vfsstat sees more, by the background of its extra intervals
	tol=$((v / 10 + bg * (vwin - kwin + 2) + 2 * libs + 10))
	rep+="$c kscope=$k vfsstat=$v idle_max=$bg tol=$tol; "
	{ [ "$k" -le $((v + v / 100 + 2)) ] && [ $((v - k)) -le $tol ]; } || bad+="$c "
done
diag "$rep"
# rows as READ/WRITE/OPEN, vfsstat's from its first (two idle, then the
# interval kscope started in at row $((v0 + 1)))
rows() { awk 'NR == 1 { for (i = 1; i <= NF; i++) h[$i] = i; next }
	$1 ~ /^[0-9]/ { printf "%s/%s/%s ", $h["READ/s"], $h["WRITE/s"], $h["OPEN/s"] }' "$1"; }
diag "vfsstat rows: $(rows "$KS_TMP/vfsstat.out")"
diag "kscope rows: $(rows "$KS_TMP/k.out")"
ktap_eq "READ/s, WRITE/s, OPEN/s summed = vfsstat's over kscope's $kwin intervals, within vfsstat's $vwin intervals' background" \
	"" "$bad" "disagreeing columns: $(head -3 "$KS_TMP/k.out")"
hdr=$(head -1 "$KS_TMP/k.out" | tr -s ' ')
ktap_eq "vfsstat's header" "TIME READ/s WRITE/s CREATE/s OPEN/s FSYNC/s" "$hdr"

# JSON: each interval's vfs_ops lines; their counts cover the workload
got=$(jq -s --arg n $N '[.[] | select(.type == "vfs_ops" and .op == "read") | .count] | add' "$KS_TMP/kj.out")
w=$(jq -s '[.[] | select(.type == "vfs_ops" and .op == "write") | .count] | add' "$KS_TMP/kj.out")
ktap_check "JSON intervals: reads $got and writes $w >= the workload's $N each" \
	"$(head -3 "$KS_TMP/kj.out")" test "${got:-0}" -ge $N -a "${w:-0}" -ge $N
ks_unload kscope_vfs
ktap_done
