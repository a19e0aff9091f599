#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The hooks' latency clock (kscope_core's clock parameter; include/kscope/
# clock.h). auto takes the TSC exactly when the kernel trusts it: the CPU
# has one (/proc/cpuinfo's tsc flag) and the kernel did not mark it
# unstable (a TSC marked so at boot is never registered as a clocksource;
# one marked later, the log says so). clock=tsc is refused where it would not be
# taken, a bad value is refused with a line naming the parameter, and with
# each clock the guest can use, a FIFO read that waits 0.5 s for its
# writer shows in kscope_vfs's slow event with a latency between 0.45 s
# and the workload's own measure of that read, and in its histogram's
# slot for that latency. With the TSC, a second read waits longer than
# 2^32 cycles (at the rate the kernel detected), a span the clock scales
# with a 128-bit multiply rather than in 64 bits.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"
ktap_plan 13

ko=$(ks_ko kscope_core)
# unload_core: kscope_core and the modules an earlier test left on it
# (kscope_net, ...); later tests load what they need
unload_core() {
	local m
	if ks_loaded kscope_core; then
		for m in /sys/module/kscope_core/holders/*; do
			[ -e "$m" ] && ks_unload_busy "${m##*/}"
		done
	fi
	ks_unload_busy kscope_core
}
# reload_core [PARAM...]: kscope_core alone, with PARAMs
reload_core() { unload_core && insmod "$ko" "$@"; }

tsc_ok=1
grep -qw tsc /proc/cpuinfo || tsc_ok=0
cs=/sys/devices/system/clocksource/clocksource0/available_clocksource
grep -qw tsc "$cs" || tsc_ok=0
dmesg | grep -q 'Marking TSC unstable' && tsc_ok=0
expect=ktime; [ $tsc_ok = 1 ] && expect=tsc
diag "a TSC the kernel has not marked unstable: $tsc_ok (clocksources: $(cat "$cs"))"

reload_core || { ktap_fail "load kscope_core" "$(lsmod | grep kscope)"; ktap_done; }
ktap_eq "clock=auto takes $expect" "$expect" "$(cat /sys/module/kscope_core/parameters/clock)"
ktap_check "the load line names it" "$(dmesg | grep 'kscope_core: loaded' | tail -1)" \
	sh -c "dmesg | grep 'kscope_core: loaded' | tail -1 | grep -q 'hook clock $expect\$'"

rejected() { unload_core && ks_load_rejected kscope_core "$1"; }	# with a line naming it
ktap_check "clock=bogus refused with a line naming it" "$(dmesg | tail -2)" rejected clock=bogus
if [ $tsc_ok = 1 ]; then
	reload_core clock=tsc
	ktap_eq "clock=tsc loads" tsc "$(cat /sys/module/kscope_core/parameters/clock 2>&1)"
else
	ktap_check "clock=tsc refused here, with the reason" "$(dmesg | tail -2)" rejected clock=tsc
fi

# fifo_read CLOCK NAME DELAY: a FIFO read that waits DELAY s for its
# writer, in the slow events and in the histogram; the
# two checks name the read by its DELAY
fifo_read() {
	local c=$1 f=$2 delay=$3 min rus lat fs bucket

	min=$(awk -v d="$delay" 'BEGIN { printf "%d", (d - 0.05) * 1000000 }')
	"$KSCOPE" vfs slow --threshold-us 100000
	watch_start ev
	rm -f "$KS_TMP/$f" "$KS_TMP/$f.fast"
	$VFS_WORK fifo "$KS_TMP/$f" "$delay" >"$KS_TMP/fifo.json"
	sleep 1
	watch_stop
	"$KSCOPE" vfs slow --threshold-us 0
	rus=$(jq -r .read_us "$KS_TMP/fifo.json")
	lat=$(jq -r "select(.source == \"vfs\" and .event == \"slow\" and .file == \"$f\" and .op == \"read\") | .latency_us" \
		"$KS_TMP/ev.ev" | head -1)
	# no event, or no time from the workload, fails
	ktap_check "clock=$c: the $delay s FIFO read's slow event within [$min us, the workload's own $rus us]" \
		"latency_us ${lat:-none}" test "$min" -gt 0 -a "${lat:-0}" -ge "$min" -a "${lat:-0}" -le "${rus:-0}"
	# its bucket in the histogram: "lo -> hi : count" under "<fs> read"
	fs=$(findmnt -n -o FSTYPE --target "$KS_TMP")
	bucket=$(awk -v h="$fs read" -v min="$min" '$0 == h { on = 1; next } /^[^ ]/ { on = 0 }
		on && $1 ~ /^[0-9]+$/ && $5 > 0 && $3 >= min { print $1, $3, $5 }' \
		"$KS_DEBUGFS/vfs/hist")
	ktap_check "clock=$c: $fs's read histogram has the $delay s read in a slot reaching $min us, from at most $rus us" \
		"bucket (lo hi count): ${bucket:-none}" \
		bash -c "read -r lo hi n <<<'$bucket' && [ \"\$n\" = 1 ] && [ \"\$lo\" -le ${rus:-0} ]"
}

# over 2^32 cycles at the TSC rate the kernel detected (5 s if none)
mhz=$(dmesg | sed -n 's/.*tsc: Detected \([0-9.]*\) MHz.*/\1/p' | tail -1)
long=$(awk -v m="${mhz:-0}" 'BEGIN { printf "%.1f", (m > 0 ? 4294967296 / (m * 1000000) + 0.8 : 5) }')
diag "TSC ${mhz:-?} MHz: 2^32 cycles take less than $long s"

clocks="ktime"
[ $tsc_ok = 1 ] && clocks="tsc ktime"
n=0
for c in $clocks; do
	n=$((n + 1))
	reload_core clock=$c && ks_load kscope_vfs ||
		{ ktap_fail "clock=$c: load kscope_core and kscope_vfs" "$(dmesg | tail -3)"; continue; }
	ktap_eq "clock=$c in use" "$c" "$(cat /sys/module/kscope_core/parameters/clock)"
	fifo_read "$c" "kst_clk$n" 0.5
	[ "$c" = tsc ] && fifo_read "$c" "kst_clk${n}l" "$long"
done
for t in "the FIFO read" "the read histogram" "the long FIFO read (128-bit scaling)" \
	"the long read's histogram slot" "in use"; do
	[ $tsc_ok = 1 ] || ktap_skip "clock=tsc: $t" "the kernel does not trust this CPU's TSC"
done

ks_unload kscope_vfs
reload_core
ktap_check "back to the default clock" "$(cat /sys/module/kscope_core/parameters/clock)" ks_loaded kscope_core
ktap_done
