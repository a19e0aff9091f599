#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Differential packet fuzzing of the two ICMP echo responders: the same
# seeded list of mutated echo requests (tools/pktdiff.py: IPv4 and IPv6,
# IP options, extension headers, fragments, VLAN tags, wrong lengths and
# checksums, other types and codes, TTL 0/1, trailing bytes) goes from ksA
# to ksB three times: to the plain stack (kscope_net loaded, echo off), to
# the netfilter responder (kscope net echo on) and to the XDP responder
# (kscope xdp attach, native). Every packet must get the same answer in
# all three, reply or none, and the same reply bytes (TTL/hop limit, IPv4
# ID and header checksum, IPv6 flow label aside). Each disagreement is
# printed with its packet in hex. 200 packets per run (60 on a KASAN
# kernel, where each takes ~10x longer under TCG); KSCOPE_PKTDIFF_COUNT
# overrides.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"

PKTDIFF="python3 $KS_TOP/tests/net/tools/pktdiff.py"
count=${KSCOPE_PKTDIFF_COUNT:-$(ks_sized 200 60)}
wait_ms=$(ks_sized 60 400)
seed=${KSCOPE_FUZZ_SEED:-1}

ktap_plan 6
ks_load kscope_net || { ktap_fail "load kscope_net"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }
# native XDP_TX on veth needs a program on the peer too
ina "$KSCOPE" xdp attach va --mode native --pass

run() {
	ina $PKTDIFF send va "$MAC_B" $A4 $B4 $A6 $B6 --seed "$seed" \
		--count "$count" --wait "$wait_ms" >"$KS_TMP/$1" 2>"$KS_TMP/$1.err"
	ktap_check "$1: $count packets sent" "$(tail -5 "$KS_TMP/$1.err")" \
		test "$(wc -l <"$KS_TMP/$1")" -eq "$count"
}

"$KSCOPE" net echo off --netns /run/netns/$NS_B 2>/dev/null
run stack
out=$("$KSCOPE" net echo on --netns /run/netns/$NS_B 2>&1)
[ -z "$out" ] || diag "net echo on: $out"
run netfilter
"$KSCOPE" net echo off --netns /run/netns/$NS_B
out=$(inb "$KSCOPE" xdp attach vb --mode native 2>&1)
[ -z "$out" ] || diag "xdp attach: $out"
run xdp
inb "$KSCOPE" xdp detach vb

replies=$(grep -vc ' -$' "$KS_TMP/stack")
diag "seed $seed: the stack answered $replies of $count packets"
ktap_check "the stack answered some packets and ignored others ($replies of $count)" "" \
	test "$replies" -gt 0 -a "$replies" -lt "$count"
for r in netfilter xdp; do
	out=$($PKTDIFF compare stack="$KS_TMP/stack" "$r=$KS_TMP/$r")
	ktap_check "$r responder answers every packet as the stack does" "$out" \
		test "${out##*, }" = "0 disagreements"
done
ina "$KSCOPE" xdp detach va
net_teardown
ktap_done
