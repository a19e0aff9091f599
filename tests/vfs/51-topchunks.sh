#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The top tables under concurrent writers and readers. Two threads of one
# process (the pid filter keeps the rest of the guest out) each open and
# read every one of F files (file i: R reads by one, R + i % 7 by the
# other), while root reads the tables over and over through debugfs and
# netlink. With room for every file, each file's entry must hold exactly
# both threads' calls (no update lost between CPUs), nothing is dropped,
# and a top-100 request returns only files of the busiest kind; with 1300
# files for 1024 entries, exactly 1024 files are listed, each exact, and
# the calls on the others are counted in top_dropped, exactly. A read of
# the table must take its locks many times, a chunk at a time, not once
# for the whole table nor one lock for all: an ftrace kprobe event on
# _raw_spin_lock_irqsave, filtered on the address range of the files
# table's lock array (the core's, found with a kprobe on
# kscope_table_snapshot), counts the calls and the different locks.
. "$(dirname "$0")/../lib.sh"

ktap_plan 9
D=/tmp/kst_vfs_chunks R=4 MAX=1024
T=/sys/kernel/tracing

cleanup() {
	[ -n "${wpid:-}" ] && kill -9 "$wpid" 2>/dev/null
	[ -n "${rpid:-}" ] && kill "$rpid" 2>/dev/null
	echo '-:kst_vfs/lk' >>"$T/kprobe_events" 2>/dev/null
	echo '-:kst_vfs/snap' >>"$T/kprobe_events" 2>/dev/null
	"$KSCOPE" vfs filter --pid 0 2>/dev/null
	umount "$D" 2>/dev/null
	ks_unload kscope_vfs
}

if ! ks_load kscope_vfs top_max=$MAX; then
	ktap_fail "load kscope_vfs top_max=$MAX" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_vfs top_max=$MAX"
mkdir -p "$D" && mount -t tmpfs kst_vfs_chunks "$D" ||
	{ ktap_fail "tmpfs" "$(dmesg | tail -3)"; cleanup; ktap_done; }

# run_phase F: the workload over F files; leaves top_files in $KS_TMP/top.F
# and the top_dropped delta in drop_F
run_phase() {
	local f=$1 d0 d1
	rm -f "$D"/*
	/usr/bin/python3 - "$D" "$f" $R 2>"$KS_TMP/work.err" <<'PY' &
import os, signal, sys, threading
d, n, r = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
paths = [os.path.join(d, "kstchunk_%04d" % i) for i in range(n)]
for p in paths:
    with open(p, "wb") as f:
        f.write(b"c" * 32)
def work(order, extra):
    for i in order:
        fd = os.open(paths[i], os.O_RDONLY)
        for _ in range(r + extra * (i % 7)):
            os.pread(fd, 32, 0)
        os.close(fd)
ths = [threading.Thread(target=work, args=o)
       for o in ((range(n), 0), (range(n - 1, -1, -1), 1))]
os.kill(os.getpid(), signal.SIGSTOP)
for t in ths:
    t.start()
for t in ths:
    t.join()
os.kill(os.getpid(), signal.SIGSTOP)
PY
	wpid=$!
	ks_wait_stopped $wpid || { diag "workload: $(cat "$KS_TMP/work.err")"; return 1; }
	"$KSCOPE" vfs filter --pid $wpid && "$KSCOPE" vfs collect on || return 1
	d0=$(ks_counter vfs top_dropped)
	# readers all along: debugfs and netlink, from root (filtered out)
	( while :; do cat "$KS_DEBUGFS/vfs/top_files" "$KS_DEBUGFS/vfs/top_procs" >/dev/null
		"$KSCOPE" vfs show --count 100 >/dev/null; done ) &
	rpid=$!
	kill -CONT $wpid
	ks_sleep 0.5
	ks_wait_stopped $wpid 600 0.5 || diag "workload did not stop again"
	kill $rpid; wait $rpid 2>/dev/null; rpid=
	cp "$KS_DEBUGFS/vfs/top_files" "$KS_TMP/top.$f"
	/usr/bin/python3 "$KS_TOP/tests/vfs/nlget.py" --top-n 100 >"$KS_TMP/nl.$f"
	d1=$(ks_counter vfs top_dropped)
	printf -v "drop_$f" %s $((d1 - d0))
	kill -9 $wpid; wait $wpid 2>/dev/null; wpid=
	# no probe takes the table's locks from here: it accounts a dead pid
}

# rows FILE: workload files listed; exact FILE: those with both threads'
# calls (2 opens, 2R + i % 7 reads); listed_ops FILE: their calls;
# all_ops F: every call of the workload on its files
rows() { awk '$1 !~ /^#/ && $NF ~ /^kstchunk_/' "$1" | wc -l; }
exact() { awk -v r=$R '$1 !~ /^#/ && $NF ~ /^kstchunk_/ { i = substr($NF, 10) + 0
	if ($5 == 2 * r + i % 7 && $6 == 0 && $9 == 2 * (r + 1) + i % 7) n++ } END { print n + 0 }' "$1"; }
listed_ops() { awk '$1 !~ /^#/ && $NF ~ /^kstchunk_/ { s += $9 } END { print s + 0 }' "$1"; }
all_ops() { awk -v n="$1" -v r=$R 'BEGIN { for (i = 0; i < n; i++) s += 2 * (r + 1) + i % 7; print s }'; }

F1=800
if run_phase $F1; then
	ktap_eq "$F1 files: each listed once with both threads' calls" \
		"$F1 $F1" "$(rows "$KS_TMP/top.$F1") $(exact "$KS_TMP/top.$F1")" "rows, exact rows"
	ktap_eq "$F1 files: nothing dropped (counter, table header)" "0 0" \
		"$drop_800 $(awk '/^# interval_ms/ { print $NF }' "$KS_TMP/top.$F1")"
	ktap_eq "$F1 files: netlink top 100 = 100 of the busiest files (i % 7 = 6)" "100 100" \
		"$(jq -r '[.files[] | select(.[2] | startswith("kstchunk_"))] | "\(length) \([.[] | select((.[2][9:] | tonumber) % 7 == 6)] | length)"' "$KS_TMP/nl.$F1")"
else
	ktap_fail "$F1 files: workload" "$(cat "$KS_TMP/work.err")"
	ktap_fail "$F1 files: nothing dropped"
	ktap_fail "$F1 files: netlink top 100"
fi

# a read of the table takes its locks a chunk at a time, and not one lock
# for all: lock calls on the files table's own lock array (the core's
# exact table has 256 striped locks), found where kscope_table_snapshot()
# sees its table (the first two fields: the locks and their bytes)
if echo 'p:kst_vfs/snap kscope_table_snapshot locks=+0(%di):x64 span=+8(%di):u32' \
	>>"$T/kprobe_events" 2>"$KS_TMP/kp.err" &&
	echo 'p:kst_vfs/lk _raw_spin_lock_irqsave lock=%di:x64' >>"$T/kprobe_events" 2>>"$KS_TMP/kp.err"; then
	echo 'comm == "cat"' >"$T/events/kst_vfs/snap/filter"
	echo >"$T/trace"
	echo 1 >"$T/events/kst_vfs/snap/enable"
	echo 1 >"$T/tracing_on"
	cat "$KS_DEBUGFS/vfs/top_files" >/dev/null
	echo 0 >"$T/events/kst_vfs/snap/enable"
	read -r lo span < <(sed -n 's/.* snap: .* locks=\(0x[0-9a-f]*\) span=\([0-9]*\).*/\1 \2/p' "$T/trace" | sort -u | head -1)
	echo 0 >"$T/tracing_on"
fi
if [ -n "${lo:-}" ] && [ -n "${span:-}" ]; then
	printf -v hi '0x%x' $((lo + span))	# bash is signed: print unsigned
	echo "lock >= $lo && lock < $hi" >"$T/events/kst_vfs/lk/filter"
	echo >"$T/trace"
	echo 1 >"$T/events/kst_vfs/lk/enable"
	echo 1 >"$T/tracing_on"
	cat "$KS_DEBUGFS/vfs/top_files" >/dev/null
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/kst_vfs/lk/enable"
	locks=$(grep -c ' lk: ' "$T/trace")
	distinct=$(grep ' lk: ' "$T/trace" | sed 's/.*lock=//' | sort -u | wc -l)
	diag "lock calls on the files table in one read: $locks, on $distinct different locks in [$lo, $hi) ($span bytes)"
	ktap_check "a read of $F1 entries takes the table's locks >= $((F1 / 64)) times (64 entries a hold at most), >= 64 different ones" \
		"lock calls $locks on $distinct locks in [$lo, $hi)" \
		test "$locks" -ge $((F1 / 64)) -a "$distinct" -ge 64
else
	ktap_skip "a read takes the table's locks a chunk at a time" \
		"no kprobe event on kscope_table_snapshot or _raw_spin_lock_irqsave: $(cat "$KS_TMP/kp.err" 2>/dev/null)"
fi
echo '-:kst_vfs/lk' >>"$T/kprobe_events" 2>/dev/null
echo '-:kst_vfs/snap' >>"$T/kprobe_events" 2>/dev/null

F2=1300
if run_phase $F2; then
	ktap_eq "$F2 files for $MAX entries: $MAX listed, each exact" \
		"$MAX $MAX" "$(rows "$KS_TMP/top.$F2") $(exact "$KS_TMP/top.$F2")" "rows, exact rows"
	want=$(($(all_ops $F2) - $(listed_ops "$KS_TMP/top.$F2")))
	ktap_eq "$F2 files: the calls on the $((F2 - MAX)) unlisted files counted in top_dropped" \
		"$want" "$drop_1300"
	ktap_eq "$F2 files: the table's own dropped count agrees" "$want" \
		"$(awk '/^# interval_ms/ { print $NF }' "$KS_TMP/top.$F2")"
else
	ktap_fail "$F2 files: workload" "$(cat "$KS_TMP/work.err")"
	ktap_fail "$F2 files: top_dropped"
	ktap_fail "$F2 files: table dropped"
fi

cleanup
ktap_eq "unload" "no" "$(ks_loaded kscope_vfs && echo yes || echo no)"
ktap_done
