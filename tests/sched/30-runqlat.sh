#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run-queue latency on an oversubscribed CPU (4 spinners and 2 frequent
# sleepers on 2 vCPUs) against libbpf-tools' runqlat -P run over the same
# time: per workload process, the number of samples must agree, and the
# histograms must have a similar shape.
#
# Tolerance: both measure the same thing at the same tracepoints
# (sched_wakeup/_new stamps, a preempted prev re-stamped, the sample taken
# when next is switched in), and the workload processes are born after
# both tracers started and die before they stop, so the counts should be
# equal; a sample can be lost only by a table eviction (kscope's
# task_evictions, checked to be 0; runqlat's 10240-entry map cannot fill
# here) or by BPF recursion protection dropping a program run. We allow
# 1% (at least 2 samples). Shape: both take their timestamp microseconds
# apart in different probes, moving samples near a power-of-two boundary
# to the next bucket, so we require the same median bucket (+-1) and an
# L1 distance between the normalized histograms below 0.25.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-sched.sh"
ktap_plan 5

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
ktap_ok "load kscope_sched"
# children of this shell: portraits from fork, as runqlat -P sees them
"$KSCOPE" sched filter --clear --pid $$
ev0=$(sched_ctr task_evictions)
bpf_start rq runqlat -P
spin=$(sched_prog kst_rq /bin/bash)
mkfifo "$KS_TMP/fifo"
pids=()
# spinners until the sleepers are done (the guest's wall clock, and so
# bash's SECONDS, cannot be trusted under TCG)
for i in 1 2 3 4; do
	"$spin" -c "while [ ! -e $KS_TMP/stop ]; do :; done" &
	pids+=($!)
done
sl=()
for i in 1 2; do
	"$spin" -c "exec 3<>$KS_TMP/fifo; for ((i = 0; i < 150; i++)); do read -t 0.01 -u 3; done" &
	sl+=($!)
done
wait "${sl[@]}"
touch "$KS_TMP/stop"
pids+=("${sl[@]}")
wait "${pids[@]}"
sleep 0.5
cp "$KS_DEBUGFS/sched/portraits" "$KS_TMP/portraits"
bpf_stop "$rq"
ev1=$(sched_ctr task_evictions)

# runqlat -P: "pid = N comm" then "lo -> hi : count |...|" lines; the
# portraits file: "pid N ..." then the same histogram rows (kscope's one
# rendering), so one parser reads both
awk '/^pid = / { pid = $3; next } / -> / && pid { print pid, $1, $5 }' \
	"$KS_TMP/runqlat.out" >"$KS_TMP/rq.hist"
awk '/^pid / { pid = $2; next } / -> / && pid { print pid, $1, $5 }' \
	"$KS_TMP/portraits" >"$KS_TMP/ks.hist"
slot_of() { if [ "$1" = 0 ]; then echo 0; else awk -v v="$1" 'BEGIN { print int(log(v) / log(2) + 0.5) }'; fi; }
kt=0 bt=0
declare -A kh bh
for p in "${pids[@]}"; do
	line=$(grep "^pid $p " "$KS_TMP/portraits")
	k=$(pfield "$line" runq_samples)
	kt=$((kt + ${k:-0}))
	while read -r _ lo c; do
		s=$(slot_of "$lo")
		kh[$s]=$(( ${kh[$s]:-0} + c ))
	done < <(awk -v p="$p" '$1 == p' "$KS_TMP/ks.hist")
	while read -r _ lo c; do
		s=$(slot_of "$lo")
		bh[$s]=$(( ${bh[$s]:-0} + c ))
		bt=$((bt + c))
	done < <(awk -v p="$p" '$1 == p' "$KS_TMP/rq.hist")
done
diag "samples of the ${#pids[@]} workload processes: kscope $kt, runqlat $bt"
ktap_eq "no wakeup stamp evicted" 0 "$((ev1 - ev0))"
tol=$(( bt / 100 > 2 ? bt / 100 : 2 ))
d=$(( kt > bt ? kt - bt : bt - kt ))
ktap_check "run-queue samples = runqlat's within $tol (kscope $kt, runqlat $bt)" \
	"runqlat output: $(head -c 600 "$KS_TMP/runqlat.out")" test "$bt" -gt 100 -a "$d" -le "$tol"
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
"$KSCOPE" sched filter --clear
ks_unload kscope_sched
ktap_done
