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
# all three, reply or none, and the same reply bytes (IPv4 ID aside), or
# differ only as pktdiff.py's EXPECTED list says (the responder's
# documented behaviour; README says the same). Each disagreement is
# printed with its packet in hex. Each responder must have answered at
# least the markers pktdiff sends after every packet, or it was not there
# to disagree. 200 packets per run on the Debian kernels; 1700 on a KASAN
# kernel (the debug guest, which fuzzes), so 5100 packets in all there:
# a run's time is mostly python's start (3.6 s under TCG on 6.12-debug;
# 41 packets took no longer than 1). KSCOPE_PKTDIFF_COUNT overrides.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-net.sh"

# beside this script, in the checkout and in a kselftest install alike
PKTDIFF="python3 $(cd "$(dirname "$0")" && pwd)/tools/pktdiff.py"
count=${KSCOPE_PKTDIFF_COUNT:-$(ks_sized 200 1700)}
# the longest wait for a marker's reply, ms
wait_ms=$(ks_sized 3000 20000)
seed=${KSCOPE_FUZZ_SEED:-1}

ktap_plan 8
ks_load kscope_net || { ktap_fail "load kscope_net"; ktap_done; }
net_setup || { ktap_fail "netns setup"; ktap_done; }
# ICMP errors (parameter problems, ...) unlimited, so that each run gets
# the same ones whatever the pace
inb sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
# native XDP_TX on veth needs a program on the peer too
ina "$KSCOPE" xdp attach va --mode native --pass

run() {
	ina $PKTDIFF send va "$MAC_B" $A4 $B4 $A6 $B6 --seed "$seed" \
		--count "$count" --wait "$wait_ms" >"$KS_TMP/$1" 2>"$KS_TMP/$1.err"
	ktap_check "$1: $count packets sent" "$(tail -5 "$KS_TMP/$1.err")" \
		test "$(wc -l <"$KS_TMP/$1")" -eq "$count"
}

# answered NAME BEFORE AFTER: the responder answered at least the markers
answered() {
	ktap_check "$1 responder answered the $count markers at least ($(($3 - $2)))" "" \
		test "$(($3 - $2))" -ge "$count"
}
nf_answered() { echo $(($(ks_counter net echo4_answered) + $(ks_counter net echo6_answered))); }
xdp_answered() {
	inb "$KSCOPE" xdp stats vb |
		awk '$1 ~ /^echo[46]_answered$/ { n += $2 } END { print n + 0 }'
}

"$KSCOPE" net echo off --netns /run/netns/$NS_B 2>/dev/null
run stack
out=$("$KSCOPE" net echo on --netns /run/netns/$NS_B 2>&1)
[ -z "$out" ] || diag "net echo on: $out"
a0=$(nf_answered)
run netfilter
answered netfilter "$a0" "$(nf_answered)"
"$KSCOPE" net echo off --netns /run/netns/$NS_B
out=$(inb "$KSCOPE" xdp attach vb --mode native 2>&1)
[ -z "$out" ] || diag "xdp attach: $out"
run xdp
answered xdp 0 "$(xdp_answered)"
inb "$KSCOPE" xdp detach vb

replies=$(grep -vc ' -$' "$KS_TMP/stack")
diag "seed $seed: the stack answered $replies of $count packets"
ktap_check "the stack answered some packets and ignored others ($replies of $count)" "" \
	test "$replies" -gt 0 -a "$replies" -lt "$count"
for r in netfilter xdp; do
	out=$($PKTDIFF compare stack="$KS_TMP/stack" "$r=$KS_TMP/$r")
	ktap_check "$r responder answers every packet as the stack does, or as documented" "$out" \
		test "${out##*, }" = "0 disagreements"
	[ "${out##*, }" = "0 disagreements" ] && diag "$(grep -v '^packet\|^  ' <<<"$out")"
done
ina "$KSCOPE" xdp detach va
net_teardown
ks_unload_busy kscope_net
ktap_done
