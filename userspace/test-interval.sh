#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# interval [count] in the reader (interval.c) through test-interval: the
# arguments, each interval's change per row and per histogram bucket, a
# row restarting from zero, a new row, the JSON interval object. TAP
# output, kselftest exit codes.

cd "$(dirname "$0")" || exit 1
[ -x ./test-interval ] || { echo "1..0 # SKIP test-interval not built"; exit 4; }
VG=
[ -n "$VALGRIND" ] && VG="valgrind -q --leak-check=full --error-exitcode=99"

echo "1..2"
fails=0
out=$($VG ./test-interval 2>&1)
expect='args: core 2 3 -> ret 0 end 2 secs 2 count 3
args: 0.5 -> ret 0 end 1 secs 0.5 count 0
args: core -> ret 0 end 2 secs 0 count 0
args: 1 0 -> ret 2 end 1 secs 1 count 0
args: 0 -> ret 2 end 1 secs 0 count 0
args: 1 2 3 -> ret 0 end 2 secs 2 count 3

row 30 10 hist 4 3 1

row 135 7 hist 9 5 4
new 1002
status 0 reads 3'
if [ "$out" = "$expect" ]; then
	echo "ok 1 - arguments, deltas per row and bucket, a restarted and a new row"
else
	echo "not ok 1 - text"; fails=1
	echo "$out" | sed 's/^/# /'
fi

out=$($VG ./test-interval --json 2>&1 | sed 's/"time":[0-9.]*/"time":T/; s/"ms":[0-9]*/"ms":M/')
expect='{"type":"counters","schema":1,"interval":{"n":1,"ms":M,"time":T},"grows":30,"restarts":10}
{"type":"counters","schema":1,"interval":{"n":2,"ms":M,"time":T},"grows":135,"restarts":7}
status 0 reads 3'
if [ "$out" = "$expect" ]; then
	echo "ok 2 - JSON: the interval object on each line, none on the baseline"
else
	echo "not ok 2 - JSON"; fails=1
	echo "$out" | sed 's/^/# /'
fi
[ $fails = 0 ]
