#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The source is registered last in the module's init (and unregistered
# first at exit): a request that reaches it finds the module whole. While
# the module loads with twelve devices, two readers list devices as fast
# as they can: every list that succeeds shows all twelve (a source
# registered first showed fewer), and the ones refused say the source is
# not there (kscope_blk is not loaded). /sys/block is the oracle of what the load made.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-blk.sh"

rounds=4
ktap_plan $(( rounds + 1 ))
ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ko=$(ks_ko kscope_blk)
# twelve devices, so that the load takes a while
devs=nvme:4M,ssd:4M,hdd:4M,nvme:4M,ssd:4M,hdd:4M,nvme:4M,ssd:4M,hdd:4M,nvme:4M,ssd:4M,hdd:4M

for r in $(seq 1 $rounds); do
	: >"$KS_TMP/lists"
	lpids=""
	for l in 1 2; do
		(
			while :; do
				out=$($KSCOPE --json blk list 2>&1) &&
					echo "ok $(jq -s length <<<"$out")" >>"$KS_TMP/lists" ||
					echo "refused ${out//$'\n'/ }" >>"$KS_TMP/lists"
				[ -e "$KS_TMP/stop" ] && break
			done
		) &
		lpids="$lpids $!"
	done
	ks_sleep 0.3
	insmod "$ko" devices=$devs completion=softirq
	ks_sleep 0.5
	touch "$KS_TMP/stop"
	# shellcheck disable=SC2086
	wait $lpids
	rm -f "$KS_TMP/stop"
	disks=$(ls /sys/block | grep -c '^kblk_')
	oks=$(grep -c '^ok' "$KS_TMP/lists")
	partial=$(grep '^ok' "$KS_TMP/lists" | grep -vc "^ok $disks$")
	refused=$(grep -c '^refused' "$KS_TMP/lists")
	odd=$(grep '^refused' "$KS_TMP/lists" | grep -v 'source\|not loaded\|No such file' | head -2)
	if [ "$disks" = 12 ] && [ "$oks" -gt 0 ] && [ "$partial" = 0 ] && [ -z "$odd" ]; then
		ktap_ok "round $r: $oks lists during/after the load all show 12 devices, $refused refused before"
	else
		ktap_fail "round $r" "disks=$disks lists=$oks partial=$partial refused=$refused" \
			"$(sort "$KS_TMP/lists" | uniq -c)" "$odd"
	fi
	rmmod kscope_blk
done
ktap_eq "nothing left behind" "0 no" \
	"$(ls /sys/block | grep -c '^kblk_') $([ -d "$BLK_DBG" ] && echo yes || echo no)"
ktap_done
