#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Decoding and printing of events (text and JSON) from messages built like
# kscope_core's, through test-events. TAP output, kselftest exit codes.

cd "$(dirname "$0")" || exit 1
[ -x ./test-events ] || { echo "1..0 # SKIP test-events not built"; exit 4; }
VG=
[ -n "$VALGRIND" ] && VG="valgrind -q --leak-check=full --error-exitcode=99"

echo "1..4"
fails=0
out=$($VG ./test-events 2>&1)
expect='12.000000346 0 testgen tick pid=42 comm="my prog" n=1 run=7 tag=abc
12.000000348 0 testgen tick pid=42 comm="q\"\xff\xc3\xa9" n=2 run=7 tag="a b"
12.000000350 1 net pkt ctx=softirq saddr=192.0.2.1 daddr=2001:db8::1 delta=-5 flags=0xff
12.000000346 1 src9 type2 ctx=hardirq f0=77 f1=xyz
12.000000351 1 net clash pid=42 comm=hdr pid=7 type=x comm=own
12.000000445 1 testgen tick ctx=nmi
12.000000349 0 testgen tick ctx=nmi
received 7 gaps 1'
if [ "$out" = "$expect" ]; then
	echo "ok 1 - text lines"
else
	echo "not ok 1 - text lines"; fails=1
	echo "$out" | sed 's/^/# /'
fi

out=$($VG ./test-events --json 2>&1)
expect='{"type":"event","schema":1,"ts":12000000346,"cpu":0,"seq":1,"source":"testgen","event":"tick","ctx":"task","pid":42,"tid":43,"comm":"my prog","n":1,"run":7,"tag":"abc"}
{"type":"event","schema":1,"ts":12000000348,"cpu":0,"seq":3,"source":"testgen","event":"tick","ctx":"task","pid":42,"tid":43,"comm":"q\"\u00ffé","n":2,"run":7,"tag":"a b"}
{"type":"event","schema":1,"ts":12000000350,"cpu":1,"seq":5,"source":"net","event":"pkt","ctx":"softirq","saddr":"192.0.2.1","daddr":"2001:db8::1","delta":-5,"flags":"0xff"}
{"type":"event","schema":1,"ts":12000000346,"cpu":1,"seq":1,"source":"src9","event":"type2","ctx":"hardirq","f0":77,"f1":"xyz"}
{"type":"event","schema":1,"ts":12000000351,"cpu":1,"seq":6,"source":"net","event":"clash","ctx":"task","tid":43,"pid":7,"field_type":"x","comm":"own"}
{"type":"event","schema":1,"ts":12000000445,"cpu":1,"seq":100,"source":"testgen","event":"tick","ctx":"nmi"}
{"type":"event","schema":1,"ts":12000000349,"cpu":0,"seq":4,"source":"testgen","event":"tick","ctx":"nmi"}
received 7 gaps 1'
if [ "$out" = "$expect" ]; then
	echo "ok 2 - JSON lines"
else
	echo "not ok 2 - JSON lines"; fails=1
	echo "$out" | sed 's/^/# /'
fi

if command -v python3 >/dev/null; then
	echo "$out" | grep '^{' | python3 -c 'import json, sys
for l in sys.stdin: json.loads(l)'
	if [ $? = 0 ]; then echo "ok 3 - JSON parses"; else echo "not ok 3 - JSON parses"; fails=1; fi
else
	echo "ok 3 - JSON parses # SKIP no python3"
fi
# the reader's own filters: the loss accounting still sees every event
out=$($VG ./test-events --filter a 192.0.2.1 2>&1)
out2=$($VG ./test-events --filter P 7 2>&1)
out3=$($VG ./test-events --filter C hdr 2>&1)
expect='12.000000350 1 net pkt ctx=softirq saddr=192.0.2.1 daddr=2001:db8::1 delta=-5 flags=0xff
received 7 gaps 1
shown 1|12.000000351 1 net clash pid=42 comm=hdr pid=7 type=x comm=own
received 7 gaps 1
shown 1|received 7 gaps 1
shown 0'
if [ "$out|$out2|$out3" = "$expect" ]; then
	echo "ok 4 - filters: --addr, --pid (the event's own field), --comm (the event's own, not the header's)"
else
	echo "not ok 4 - filters"; fails=1
	printf '%s\n' "$out|$out2|$out3" | sed 's/^/# /'
fi
[ $fails = 0 ]
