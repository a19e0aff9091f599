#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of what the command table drives, no module needed: the
# committed man page and bash completion are the generated ones, `kscope
# help X`, `kscope X --help` and `kscope X SUB --help` print the same text,
# the man page has every command and the sections a man page needs, the
# completion completes, and options parse the same everywhere (--opt=value
# too). TAP output, kselftest exit codes.

cd "$(dirname "$0")" || exit 1
KSCOPE=${KSCOPE:-./kscope}
[ -x "$KSCOPE" ] || { echo "1..0 # SKIP $KSCOPE not built"; exit 4; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

n=0 fails=0
ok() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		fails=$((fails + 1))
		[ -n "$3" ] && sed 's/^/# /' <<<"$3"
	fi
}

echo "1..17"

"$KSCOPE" help --man >"$tmp/man"
out=$(diff -u kscope.8 "$tmp/man")
ok $? "kscope.8 is the page the table generates (make -C userspace doc)" "$out"

"$KSCOPE" completion bash >"$tmp/comp"
out=$(diff -u kscope.bash-completion "$tmp/comp")
ok $? "kscope.bash-completion is the generated one (make -C userspace doc)" "$out"

[ "$("$KSCOPE" --version)" = "kscope $(cat ../VERSION)" ]
ok $? "--version: the VERSION file's"

# the commands, as `kscope help` lists them
mapfile -t cmds < <("$KSCOPE" help | sed -n '/^commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }')
[ "${#cmds[@]}" -ge 15 ]
ok $? "kscope help lists the commands (${#cmds[@]})"

bad=""
for c in "${cmds[@]}"; do
	"$KSCOPE" help "$c" >"$tmp/a" 2>&1 || bad+=" help-$c"
	"$KSCOPE" "$c" --help >"$tmp/b" 2>&1 || bad+=" $c--help"
	cmp -s "$tmp/a" "$tmp/b" || bad+=" $c"
	grep -q "^usage: kscope $c" "$tmp/a" || bad+=" usage-$c"
	# each subcommand's --help too
	for s in $(sed -n "s/^ *\(usage:\)\? *kscope $c \([a-z][a-z-]*\).*/\2/p" "$tmp/a" | sort -u); do
		"$KSCOPE" "$c" "$s" --help >"$tmp/c" 2>&1 && cmp -s "$tmp/a" "$tmp/c" ||
			bad+=" $c/$s"
	done
done
[ -z "$bad" ]
ok $? "kscope help X = kscope X --help = kscope X SUB --help, for every X" "$bad"

bad=""
for c in "${cmds[@]}"; do
	grep -qx ".SS $c" kscope.8 || bad+=" $c"
done
[ -z "$bad" ]
ok $? "the man page has every command" "missing:$bad"

bad=""
for s in NAME SYNOPSIS DESCRIPTION "GLOBAL OPTIONS" COMMANDS "JSON OUTPUT" EXAMPLES \
	 ENVIRONMENT FILES "EXIT STATUS" "SEE ALSO"; do
	grep -qx "\.SH $s" kscope.8 || bad+=" '$s'"
done
[ -z "$bad" ]
ok $? "the man page has its sections" "missing:$bad"

bad=""
for t in runqlat biolatency tcplife tcpconnect vfsstat opensnoop funclatency cpudist filetop; do
	sed -n '/^\.SH SEE ALSO/,$p' kscope.8 | grep -q "^\.BR $t " || bad+=" $t"
done
[ -z "$bad" ]
ok $? "SEE ALSO names the libbpf-tools" "missing:$bad"

if command -v groff >/dev/null; then
	out=$(groff -man -ww -z kscope.8 2>&1)
	[ -z "$out" ]
	ok $? "groff -ww: no warning" "$out"
else
	ok 0 "groff -ww: no warning # SKIP no groff"
fi

bash -n kscope.bash-completion
ok $? "the completion is valid bash"

# comp WORD...: what the completion offers for the command line WORD...
comp() {
	# shellcheck disable=SC1091
	(. ./kscope.bash-completion
	 COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=()
	 _kscope; echo "${COMPREPLY[*]}")
}
got="$(comp kscope bl)|$(comp kscope blk a)|$(comp kscope blk add d0 --pro)|$(comp kscope blk add d0 --profile '')|$(comp kscope --json xdp attach eth0 --mode s)|$(comp kscope sched r)|$(comp kscope help pr)|$(comp kscope watch --count 5 --du)"
want="blk|add|--profile|nvme ssd hdd|skb|reset runqlat|probe|--duration"
[ "$got" = "$want" ]
ok $? "completion: commands, subcommands, options, values" "got:  $got
want: $want"

# option parsing: usage errors (2) before any netlink; a good line gets
# past the parser (1: no kscope family on this host)
if "$KSCOPE" version >/dev/null 2>&1; then
	for i in 1 2 3 4 5 6; do ok 0 "option parsing # SKIP the kscope family is registered here"; done
	[ $fails = 0 ]
	exit $?
fi
run() { "$KSCOPE" "$@" >"$tmp/out" 2>"$tmp/err"; rc=$?; }

run blk add d0 --size=64 --profile=hdd --slow-us=5
[ $rc = 1 ] && grep -q 'not loaded' "$tmp/err"
ok $? "blk add --size=64 --profile=hdd: parsed (then: not loaded)" "$(cat "$tmp/err")"

run blk add d0 --size=abc
[ $rc = 2 ] && grep -q "bad value 'abc'" "$tmp/err" && grep -q '^usage: kscope blk add' "$tmp/err"
ok $? "blk add --size=abc: usage error with add's synopsis" "$(cat "$tmp/err")"

run blk set d0 --profile ssd
[ $rc = 2 ] && grep -q "unknown option '--profile'" "$tmp/err"
ok $? "blk set takes only --slow-us" "$(cat "$tmp/err")"

bad=""
for line in "watch --count=5 --duration=1" "vfs top --interval=0.1 --count=3" \
	    "sched filter --pid=1" "tcp filter --port=80 --addr=::1" \
	    "probe add vfs_read --latency" "net echo on --dev=lo" "stat --percpu core" "vfs collect on" \
	    "testgen 10 --cpus=0x1 --no-wait"; do
	# shellcheck disable=SC2086
	run $line
	[ $rc = 1 ] && grep -q 'not loaded' "$tmp/err" || bad+=" [$line: $rc $(cat "$tmp/err")]"
done
[ -z "$bad" ]
ok $? "--opt=value and --opt value everywhere" "$bad"

bad=""
for line in "stat --bogus" "watch --count" "watch --interval=x" "vfs top --pid 1" \
	    "mem show extra" "sched runqlat --x" "blk add" "probe del" "xdp attach" \
	    "net echo maybe" "vfs collect maybe" "vfs top 1 2 --interval 1" "help nosuch" "nosuch" "completion zsh"; do
	# shellcheck disable=SC2086
	run $line
	[ $rc = 2 ] && [ ! -s "$tmp/out" ] || bad+=" [$line: $rc]"
done
[ -z "$bad" ]
ok $? "usage errors: exit 2, nothing on stdout" "$bad"

run watch --bogus
[ "$(head -1 "$tmp/err")" = "kscope: watch: unknown option '--bogus'" ] &&
	grep -q '^usage: kscope watch ' "$tmp/err" && grep -q "^Try 'kscope help watch'" "$tmp/err"
ok $? "a usage error names the option and shows the synopsis" "$(cat "$tmp/err")"
[ $fails = 0 ]
