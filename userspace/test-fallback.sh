#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of the kscope reader without the kernel module: the
# debugfs fallback of "stat" (through the hidden KSCOPE_DEBUGFS variable),
# the "not loaded" error and the usage errors. TAP output; kselftest exit
# codes (0 pass, 1 fail, 4 skip). VALGRIND=1 runs every call under valgrind.

cd "$(dirname "$0")" || exit 1
KSCOPE=${KSCOPE:-./kscope}
[ -x "$KSCOPE" ] || { echo "1..0 # SKIP $KSCOPE not built"; exit 4; }

if "$KSCOPE" version >/dev/null 2>&1; then
	echo "1..0 # SKIP the kscope family is registered: no fallback here"
	exit 4
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
root=$tmp/kscope
mkdir -p "$root/core" "$root/testgen" "$root/nocounters"
printf 'events_recorded 10\nevents_delivered 8\nlost_buffer_full 2\n' \
	>"$root/core/counters"
printf 'events_recorded 3\n\nruns 1\nthis is bad\ngenerated 18446744073709551615\n' \
	>"$root/testgen/counters"
echo "not a source" >"$root/stray"

n=0
fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		[ -s "$tmp/out" ] && sed 's/^/# out: /' "$tmp/out"
		[ -s "$tmp/err" ] && sed 's/^/# err: /' "$tmp/err"
	fi
}

# run ARGS...: stdout to $tmp/out, stderr to $tmp/err, status in $rc
run() {
	if [ -n "$VALGRIND" ]; then
		KSCOPE_DEBUGFS=${DBG-$root} valgrind -q --leak-check=full \
			--errors-for-leak-kinds=definite --error-exitcode=99 \
			"$KSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	else
		KSCOPE_DEBUGFS=${DBG-$root} "$KSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"
	fi
	rc=$?
}

# value SOURCE COUNTER: the value in "SOURCE COUNTER VALUE" output
value() {
	awk -v s="$1" -v c="$2" '$1 == s && $2 == c { print $3 }' "$tmp/out"
}

echo "1..14"

run stat
[ $rc = 0 ] && [ "$(value core events_recorded)" = 10 ] &&
	[ "$(value core lost_buffer_full)" = 2 ] &&
	[ "$(value testgen generated)" = 18446744073709551615 ]
ok $? "stat: all sources read from the fake debugfs"

[ "$(wc -l <"$tmp/out")" = 6 ] && ! grep -q nocounters "$tmp/out" &&
	! grep -q stray "$tmp/out"
ok $? "stat: only directories with a counters file are sources"

grep -q "reading counters from $root" "$tmp/err"
ok $? "stat: says on stderr that it fell back"

grep -q 'testgen/counters:4: not a "name value" line: this is bad' "$tmp/err"
ok $? "stat: a malformed line is reported and skipped"

run stat testgen
[ $rc = 0 ] && [ "$(awk '{ print $1 }' "$tmp/out" | sort -u)" = testgen ] &&
	[ "$(value testgen runs)" = 1 ]
ok $? "stat SOURCE: only that source"

run stat --json core
[ $rc = 0 ] && [ "$(cat "$tmp/out")" = \
	'{"type":"counters","schema":1,"source":"core","counters":{"events_recorded":10,"events_delivered":8,"lost_buffer_full":2}}' ]
ok $? "stat --json (after the subcommand): one object per source"

run --json stat
if command -v python3 >/dev/null; then
	python3 -c 'import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
assert [o["source"] for o in objs] == ["core", "testgen"]
assert objs[1]["counters"]["generated"] == 2**64 - 1' "$tmp/out"
else
	[ $rc = 0 ] && [ "$(wc -l <"$tmp/out")" = 2 ]
fi
ok $? "--json stat: every line parses as JSON"

run stat --percpu core
[ $rc = 0 ] && grep -q "per-CPU counters are not available" "$tmp/err" &&
	[ "$(value core events_delivered)" = 8 ]
ok $? "stat --percpu: totals, with a note"

run stat core nosuch
[ $rc = 1 ] && grep -qx 'kscope: unknown source "nosuch"' "$tmp/err" &&
	[ ! -s "$tmp/out" ]
ok $? "stat with an unknown source fails"

DBG=$tmp/missing run stat
[ $rc = 1 ] && [ "$(cat "$tmp/err")" = \
	'kscope: kscope_core is not loaded (modprobe kscope_core)' ]
ok $? "stat without netlink or debugfs: not loaded"

for cmd in list watch "testgen 10" "watch --json core"; do
	# shellcheck disable=SC2086
	run $cmd
	[ $rc = 1 ] && [ "$(cat "$tmp/err")" = \
		'kscope: kscope_core is not loaded (modprobe kscope_core)' ] ||
		break
done
ok $? "list, watch, testgen: one-line not loaded error, exit 1"

run --help
[ $rc = 0 ] && grep -q '^usage: kscope' "$tmp/out" && grep -q watch "$tmp/out"
ok $? "--help: usage on stdout, exit 0"

rc2=0
for cmd in "" bogus --bogus "stat --bogus" "watch --count" "watch --interval x" \
	   "testgen" "testgen 0" "help bogus"; do
	# shellcheck disable=SC2086
	run $cmd
	[ $rc = 2 ] && grep -q '^kscope: ' "$tmp/err" || { rc2=1; echo "# '$cmd': rc $rc"; }
done
ok $rc2 "usage errors exit 2"

run watch --help
[ $rc = 0 ] && grep -q -- '--rcvbuf' "$tmp/out"
ok $? "subcommand --help"

[ $fails = 0 ]
