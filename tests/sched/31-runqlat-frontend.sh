#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope runqlat, the front-end, against libbpf-tools' runqlat on the same
# workload in the same boot (the workload of 30-runqlat.sh: spinners and
# sleepers oversubscribing the vCPUs): `kscope runqlat -P` and `runqlat -P`
# both run from before the workload starts until after it ends, and are
# stopped with SIGINT; per workload process, their histograms are read
# with one parser (the front-end prints runqlat's "pid = N comm" and rows).
# No kernel-wide setting is touched: the sched filter stays at its default
# (every process), the per-process histograms are the reader's deltas.
#
# Tolerances as 30-runqlat.sh: samples equal within 1% (at least 2); the
# same median bucket +-1 and an L1 distance below 0.25. -m: the same
# samples, in millisecond buckets no higher than the microsecond ones / 1000.
# -p PID without -P: that process's histogram alone, unlabelled.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
ktap_plan 7

if [ ! -x /usr/sbin/runqlat ]; then
	ktap_skip "runqlat comparison" "libbpf-tools not installed"
	ktap_done
fi
if [ ! -e /sys/kernel/btf/vmlinux ]; then
	ktap_skip "runqlat comparison" "no BTF on this kernel (/sys/kernel/btf/vmlinux): libbpf-tools cannot load"
	ktap_done
fi
if ! ks_load kscope_sched; then
	ktap_fail "load kscope_sched" "$(dmesg | tail -5)"
	ktap_done
fi
"$KSCOPE" sched filter --clear
f=$("$KSCOPE" --json sched filter --show)
ktap_eq "kscope_sched loaded, its filter at its default" \
	'{"type":"sched_filter","schema":1,"pid":0,"comm":"","cgroup":0}' "$f"

"$KSCOPE" runqlat -P >"$KS_TMP/k.out" 2>"$KS_TMP/k.err" &
kp=$!
"$KSCOPE" runqlat -m -P >"$KS_TMP/km.out" 2>"$KS_TMP/km.err" &
kmp=$!
wait_file "$KS_TMP/k.out" 60 || diag "runqlat -P: no first read after 60 s"
wait_file "$KS_TMP/km.out" 60 || diag "runqlat -m -P: no first read after 60 s"
bpf_start rq runqlat -P
ev0=$(sched_ctr portrait_evictions)
spin=$(sched_prog kst_rq /bin/bash)
mkfifo "$KS_TMP/fifo"
pids=()
# the first spinner alone, with -p, from its first read (taken before the
# other spinners load the vCPUs) until the end
"$spin" -c "while [ ! -e $KS_TMP/stop ]; do :; done" &
one=$!
pids+=($one)
"$KSCOPE" runqlat -p "$one" >"$KS_TMP/one.out" 2>&1 &
op=$!
wait_file "$KS_TMP/one.out" 60 || diag "runqlat -p: no first read after 60 s"
for i in 2 3 4; do
	"$spin" -c "while [ ! -e $KS_TMP/stop ]; do :; done" &
	pids+=($!)
done
sl=()
for i in 1 2; do
	"$spin" -c "exec 3<>$KS_TMP/fifo; for ((i = 0; i < 60; i++)); do read -t 0.01 -u 3; done" &
	sl+=($!)
done
wait "${sl[@]}"
touch "$KS_TMP/stop"
pids+=("${sl[@]}")
wait "${pids[@]}"
sleep 0.5
bpf_stop "$rq"
# SIGINT, as a user stops runqlat; KILL after 60 s rather than a hung test
kill -INT $kp $kmp $op
( sleep 60; kill -KILL $kp $kmp $op 2>/dev/null ) &
dog=$!
wait $op
wait $kp
rk=$?
wait $kmp
rkm=$?
kill $dog 2>/dev/null
ev1=$(sched_ctr portrait_evictions)
ktap_check "kscope runqlat -P and -m -P: exit 0 after SIGINT" \
	"exit $rk/$rkm: $(cat "$KS_TMP/k.err" "$KS_TMP/km.err")" test "$rk$rkm" = 00

# one parser for both: "pid = N comm", then "lo -> hi : count |...|"
hists() { awk '/^pid = / { pid = $3; next } / -> / && pid { print pid, $1, $5 }' "$1"; }
hists "$KS_TMP/runqlat.out" >"$KS_TMP/rq.hist"
hists "$KS_TMP/k.out" >"$KS_TMP/ks.hist"
hists "$KS_TMP/km.out" >"$KS_TMP/ksm.hist"
slot_of() { if [ "$1" = 0 ]; then echo 0; else awk -v v="$1" 'BEGIN { print int(log(v) / log(2) + 0.5) }'; fi; }
kt=0 bt=0 mt=0 mbad=""
declare -A kh bh
for p in "${pids[@]}"; do
	while read -r _ lo c; do
		s=$(slot_of "$lo")
		kh[$s]=$(( ${kh[$s]:-0} + c ))
		kt=$((kt + c))
	done < <(awk -v p="$p" '$1 == p' "$KS_TMP/ks.hist")
	while read -r _ lo c; do
		s=$(slot_of "$lo")
		bh[$s]=$(( ${bh[$s]:-0} + c ))
		bt=$((bt + c))
	done < <(awk -v p="$p" '$1 == p' "$KS_TMP/rq.hist")
	mt=$((mt + $(awk -v p="$p" '$1 == p { s += $3 } END { print s + 0 }' "$KS_TMP/ksm.hist")))
	# a ms bucket's low bound is at most the largest us bucket's / 1000
	kmax=$(awk -v p="$p" '$1 == p && $3 > 0 { m = $2 } END { print m + 0 }' "$KS_TMP/ks.hist")
	mmax=$(awk -v p="$p" '$1 == p && $3 > 0 { m = $2 } END { print m + 0 }' "$KS_TMP/ksm.hist")
	[ $((mmax * 1000)) -le "$kmax" ] || [ "$mmax" -le 1 ] || mbad+=" $p:$mmax/$kmax"
done
diag "samples of the ${#pids[@]} workload processes: kscope $kt (ms: $mt), runqlat $bt"
ktap_eq "no portrait evicted meanwhile" 0 "$((ev1 - ev0))"
tol=$(( bt / 100 > 2 ? bt / 100 : 2 ))
d=$(( kt > bt ? kt - bt : bt - kt ))
ktap_check "run-queue samples = runqlat -P's within $tol (kscope $kt, runqlat $bt)" \
	"runqlat: $(head -c 400 "$KS_TMP/runqlat.out"); kscope: $(head -c 400 "$KS_TMP/k.out")" \
	test "$bt" -gt 100 -a "$d" -le "$tol"
for s in $(seq 0 26); do
	k=${kh[$s]:-0} b=${bh[$s]:-0}
	[ "$k$b" != 00 ] && diag "bucket $s: kscope $k runqlat $b" >&2
	echo "$s $k $b"
done >"$KS_TMP/both"
read -r kmed bmed l1 < <(awk -v kt="$kt" -v bt="$bt" '
	{ ka += $2; ba += $3
	  if (km == "" && ka * 2 >= kt) km = $1
	  if (bm == "" && ba * 2 >= bt) bm = $1
	  if (kt && bt) { x = $2 / kt - $3 / bt; d += x < 0 ? -x : x } }
	END { printf "%s %s %.3f\n", km, bm, d }' "$KS_TMP/both")
md=99
[[ $kmed =~ ^[0-9]+$ && $bmed =~ ^[0-9]+$ ]] && md=$(( kmed > bmed ? kmed - bmed : bmed - kmed ))
ktap_check "similar shape (median bucket $kmed vs $bmed, L1 distance $l1)" \
	"histograms differ" awk -v l="$l1" -v m="$md" 'BEGIN { exit !(l < 0.25 && m <= 1) }'
ktap_check "-m: the same samples ($mt), in millisecond buckets" "$mbad" \
	test "$mt" = "$kt" -a -z "$mbad"
# -p PID: started after that process, so a part of its -P histogram
pc=$(awk '/ -> / { s += $5 } END { print s + 0 }' "$KS_TMP/one.out")
pk=$(awk -v p="$one" '$1 == p { s += $3 } END { print s + 0 }' "$KS_TMP/ks.hist")
ktap_check "-p PID: its histogram alone, unlabelled, a part of -P's ($pc of $pk)" \
	"$(cat "$KS_TMP/one.out")" \
	bash -c '! grep -q "^pid = " "$1" && [ "$2" -gt 0 ] && [ "$2" -le "$3" ]' _ "$KS_TMP/one.out" "$pc" "$pk"
ks_unload kscope_sched
ktap_done
