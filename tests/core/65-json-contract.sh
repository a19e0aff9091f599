#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reader's JSON contract (kscope(8), JSON OUTPUT): every command, run
# with --json against every module loaded, prints only lines that are one
# JSON object each, with unique keys, a "type" and "schema": 1, in the
# shape userspace/kscope.schema.json gives for that type (checked by
# check-json.py, Python's standard library only); each command prints the
# types it documents; a command that changes a setting prints nothing; an
# error goes to stderr and leaves stdout empty.
. "$(dirname "$0")/../lib.sh"
ktap_plan 8

CHECK="python3 $KS_TOP/tests/core/check-json.py"
SCHEMA=$KS_TOP/userspace/kscope.schema.json
[ -f "$SCHEMA" ] || SCHEMA=/usr/share/kscope/kscope.schema.json
[ -f "$SCHEMA" ] || ks_skip_all "no kscope.schema.json (neither in the checkout nor installed)"

for m in kscope_testgen kscope_tcp kscope_blk kscope_vfs kscope_mem kscope_sched kscope_probe kscope_net; do
	[ $m = kscope_testgen ] && { ks_load $m hist_values=1,5,300 || ktap_fail "load $m"; continue; }
	ks_load $m || ktap_fail "load $m"
done

OUT=$KS_TMP/json
: >"$OUT"
bad=""
# j EXPECT_TYPES ARGS...: kscope --json ARGS, its lines to $OUT (checked
# below), the types it printed must include EXPECT_TYPES (comma list, "-":
# prints nothing)
j() {
	local want=$1 f=$KS_TMP/one; shift
	if ! "$KSCOPE" --json "$@" >"$f" 2>"$KS_TMP/one.err"; then
		bad+=" [kscope $*: exit $? $(head -c 200 "$KS_TMP/one.err")]"
		return
	fi
	cat "$f" >>"$OUT"
	if [ "$want" = - ]; then
		[ -s "$f" ] && bad+=" [kscope $*: printed $(head -c 100 "$f")]"
		return
	fi
	local t
	for t in ${want//,/ }; do
		grep -q "^{\"type\":\"$t\",\"schema\":1[,}]" "$f" || bad+=" [kscope $*: no $t line]"
	done
}

# the read-only commands
j version version
j source list
j counters stat
j counters stat --percpu core
j hist testgen hist
j sched_filter sched filter --show
j sched_cpu sched cpu
j hist sched runqlat
j sched_portrait sched portraits
j tcp_filter tcp filter --show
j setting,mem_zone mem show
j setting,vfs_ops vfs show
# interval mode (a baseline, then one interval) and the front-ends
j counters stat core 0.3 1
j hist sched runqlat -T 0.3 1
j hist runqlat 0.3 1
j hist runqlat -m 0.3 1
j sched_portrait runqlat -P 0.5 1
j sched_cpu sar 0.3 1
j vfs_ops vfs show 0.3 1
j vfs_ops vfsstat 0.3 1
j hist,mem_zone mem show 0.3 1

# tcp flows: one connection held open meanwhile; tcpconnect sees it
# made, tcplife closed (both stop after one line)
"$KSCOPE" --json tcpconnect --count 1 --duration 120 >"$KS_TMP/tc" 2>"$KS_TMP/tc.err" &
tcp_c=$!
"$KSCOPE" --json tcplife --count 1 --duration 120 >"$KS_TMP/tl" 2>"$KS_TMP/tl.err" &
tcp_l=$!
ks_wait_subscribed $tcp_c; ks_wait_subscribed $tcp_l
python3 -c 'import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
c = socket.create_connection(s.getsockname()); a, _ = s.accept()
print("held", flush=True); time.sleep(60)' >"$KS_TMP/held" &
holder=$!
wait_file "$KS_TMP/held" 60
j tcp_flow tcp flows
j tcp_flow tcp flows 0.3 1
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null
for f in tc tl; do
	p=$tcp_c; [ $f = tl ] && p=$tcp_l
	wait $p || bad+=" [$f: exit $?: $(cat "$KS_TMP/$f.err")]"
	cat "$KS_TMP/$f" >>"$OUT"
	grep -q '^{"type":"event","schema":1,.*"source":"tcp"' "$KS_TMP/$f" || bad+=" [$f: no tcp event line]"
done

# blk: a device, its statistics, its queues
j - blk add kj --size=16 --queues=2
dd if=/dev/zero of=/dev/kblk_kj bs=4k count=8 oflag=direct status=none
j blk_device blk list
j blk_device blk stat kj
j blk_device blk stat kj --hwq
j blk_device blk stat kj 0.3 1
j hist biolatency 0.3 1
j hist biolatency -D -F 0.3 1
j status status
j - blk del kj

# probe: one with a histogram
j probe probe add vfs_read --latency
cat /proc/version >/dev/null
j probe probe list
j probe probe latency
j probe probe list 0.3 1
j - probe del vfs_read

# settings: nothing on stdout
j - vfs slow --threshold-us 0
j - mem high-order 0
j - sched reset
j - tcp filter --clear

# vfs top (admin): the busiest files and processes
"$KSCOPE" --json vfs top --interval 1 --count 3 >"$KS_TMP/top" 2>"$KS_TMP/top.err" &
topj=$!
for i in $(seq 100); do cat /proc/version >/dev/null; done
wait $topj || bad+=" [vfs top: exit $?: $(cat "$KS_TMP/top.err")]"
cat "$KS_TMP/top" >>"$OUT"
for t in vfs_top_file vfs_top_proc; do
	grep -q "^{\"type\":\"$t\",\"schema\":1," "$KS_TMP/top" || bad+=" [vfs top: no $t line]"
done

# watch: events and the loss lines, stopped by --count
"$KSCOPE" --json watch --count 20 testgen >"$KS_TMP/w" 2>"$KS_TMP/w.err" &
wpid=$!
ks_wait_subscribed "$wpid" || diag "watch not subscribed after 60 s"
"$KSCOPE" testgen 20 --wait
wait "$wpid" || bad+=" [watch: exit $?: $(cat "$KS_TMP/w.err")]"
cat "$KS_TMP/w" >>"$OUT"
grep -q '^{"type":"event","schema":1,' "$KS_TMP/w" || bad+=" [watch: no event line]"
grep -q '^{"type":"loss","schema":1,.*"final":true}$' "$KS_TMP/w" || bad+=" [watch: no final loss line]"

# xdp on a dummy device (kscope's family, and so kscope stat's xdp:DEV,
# is in the initial network namespace only)
ip link add kj0 type dummy && ip link set kj0 up &&
	"$KSCOPE" xdp attach kj0 --mode skb || bad+=" [xdp attach failed]"
"$KSCOPE" --json xdp stats kj0 >"$KS_TMP/x" 2>&1 || bad+=" [xdp stats: $(cat "$KS_TMP/x")]"
"$KSCOPE" --json stat >>"$KS_TMP/x" 2>&1 || bad+=" [stat failed]"
cat "$KS_TMP/x" >>"$OUT"
grep -q '^{"type":"xdp","schema":1,' "$KS_TMP/x" || bad+=" [xdp stats: no xdp line]"
grep -q '"source":"xdp:kj0"' "$KS_TMP/x" || bad+=" [stat: no xdp:kj0]"
"$KSCOPE" xdp detach kj0 || bad+=" [xdp detach failed]"
ip link del kj0
# ...and says so in another one
ip netns add ksjson
out=$(ip netns exec ksjson "$KSCOPE" --json stat 2>&1)
grep -q 'not in this network namespace' <<<"$out" || bad+=" [stat in a netns: $out]"
ip netns del ksjson

ktap_eq "every command ran and printed the types it documents" "" "$bad" "problems"

res=$($CHECK --schema "$SCHEMA" "$OUT")
ktap_check "every line of every command is valid against kscope.schema.json" "$res" \
	grep -q '^ok:' <<<"$res"
diag "$res"
# every type the schema knows was printed by some command
python3 -c 'import json, sys
print("\n".join(sorted(json.load(open(sys.argv[1]))["properties"]["type"]["enum"])))' \
	"$SCHEMA" >"$KS_TMP/types.want"
sed -n 's/^{"type":"\([a-z_]*\)".*/\1/p' "$OUT" | sort -u >"$KS_TMP/types.got"
missing=$(comm -23 "$KS_TMP/types.want" "$KS_TMP/types.got" | tr '\n' ' ')
ktap_eq "the commands printed every type of the schema" "" "$missing" "types never printed"

# the checker is not a rubber stamp: a line of the old shapes is refused
old='{"source":"core","counters":{"a":1}}'
res=$($CHECK --schema "$SCHEMA" <<<"$old")
ktap_check "the checker refuses a line without type and schema" "$res" test $? -ne 0

# errors: stderr only, stdout empty
bad=""
for line in "blk stat nosuchdev" "probe del 999999" "stat nosuch" "watch --bogus" \
	    "xdp stats nosuchdev"; do
	# shellcheck disable=SC2086
	"$KSCOPE" --json $line >"$KS_TMP/e.out" 2>"$KS_TMP/e.err"
	rc=$?
	{ [ $rc -ne 0 ] && [ ! -s "$KS_TMP/e.out" ] && [ -s "$KS_TMP/e.err" ]; } ||
		bad+=" [$line: rc $rc, stdout $(head -c 80 "$KS_TMP/e.out")]"
done
ktap_eq "a failing command: exit status, a message on stderr, nothing on stdout" "" "$bad" "problems"

# errors say what to do
out=$(ks_as_nobody "$KSCOPE" sched portraits 2>&1)
ktap_check "nobody's admin read: 'need CAP_NET_ADMIN (run as root)'" "$out" \
	grep -q 'need CAP_NET_ADMIN (run as root)' <<<"$out"
ks_unload kscope_sched
out=$("$KSCOPE" sched runqlat 2>&1)
ktap_check "an absent source: 'kscope_sched is not loaded (modprobe kscope_sched)'" "$out" \
	test "$out" = "kscope: kscope_sched is not loaded (modprobe kscope_sched)"
out=$(ks_as_nobody "$KSCOPE" xdp attach lo --mode skb 2>&1)
ktap_check "nobody's XDP attach: 'need CAP_BPF and CAP_NET_ADMIN', no libbpf noise" "$out" \
	bash -c '[ "$(wc -l <<<"$1")" = 1 ] && grep -q "need CAP_BPF and CAP_NET_ADMIN" <<<"$1" && ! grep -q libbpf <<<"$1"' _ "$out"

for m in kscope_net kscope_probe kscope_mem kscope_vfs kscope_blk kscope_tcp kscope_testgen; do
	ks_unload $m
done
ktap_done
