#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload kscope_net, responder on, and attach/detach the XDP
# responder while ksA floods ksB with pings (v4 and v6): every step must
# succeed, pings must still be answered afterwards, and the guest log must
# stay clean (guest-run fails the run on any WARNING/BUG).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"

ROUNDS=$(ks_sized 4 2)	# 2 on a KASAN kernel (TCG)
# a flood starves a KASAN guest under TCG (every command then takes
# seconds): 100 pings a second per family keep the hooks and the
# responder busy there
LOAD=$(ks_sized "-f" "-i 0.01")
ktap_plan 4
net_setup || { ktap_fail "netns setup"; ktap_done; }
ina "$KSCOPE" xdp attach va --mode native --pass

# not through ina(): $! must be ping itself (ip netns exec execs it), not
# a subshell whose kill would leave the flood running into the checks
# below and the next script
ip netns exec $NS_A ping $LOAD -q -w 60 $B4 >/dev/null 2>&1 &
f4=$!
ip netns exec $NS_A ping -6 $LOAD -q -w 60 $B6 >/dev/null 2>&1 &
f6=$!
sleep 1

fails=()
for i in $(seq $ROUNDS); do
	ks_load kscope_net || fails+=("round $i: load failed")
	"$KSCOPE" net echo on --netns /run/netns/$NS_B || fails+=("round $i: echo on failed")
	sleep 1
	ks_unload kscope_net || fails+=("round $i: unload failed")
done
if [ ${#fails[@]} -eq 0 ]; then
	ktap_ok "$ROUNDS load/echo on/unload rounds under ping load"
else
	ktap_fail "$ROUNDS load/echo on/unload rounds under ping load" "${fails[@]}"
fi

fails=()
for i in $(seq $ROUNDS); do
	for mode in native skb; do
		inb "$KSCOPE" xdp attach vb --mode $mode || fails+=("round $i: attach $mode failed")
		sleep 0.5
		inb "$KSCOPE" xdp detach vb || fails+=("round $i: detach $mode failed")
	done
done
if [ ${#fails[@]} -eq 0 ]; then
	ktap_ok "$ROUNDS XDP attach/detach rounds per mode under ping load"
else
	ktap_fail "$ROUNDS XDP attach/detach rounds per mode under ping load" "${fails[@]}"
fi
kill $f4 $f6 2>/dev/null; wait $f4 $f6 2>/dev/null

ktap_eq "pings answered after the churn" 3 "$(ping_replies $NS_A -c 3 -i 0.2 -W 2 $B4)" replies
ktap_check "kscope_net unloaded" "still loaded" bash -c '! [ -d /sys/module/kscope_net ]'
ina "$KSCOPE" xdp detach va
net_teardown
ktap_done
