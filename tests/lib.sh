# SPDX-License-Identifier: GPL-2.0
#
# Sourced by every test script (tests/<module>/NN-name.sh). Scripts run as
# root, inside a guest (scripts/guest-run) from the checkout, or on any test
# machine from the kselftest collection (tests/Makefile, the kscope-tests
# package), and print KTAP: a plan, then one `ok`/`not ok` line per check,
# `# SKIP reason` for checks that cannot run here. Exit codes follow
# kselftest: 0 pass, 1 fail, 4 skip.
#
# Modules and reader: the checkout's build (.cache/build/<kernel>/,
# userspace/kscope) when there is one, else what is installed (modules
# that modprobe finds, e.g. from DKMS; `kscope` on PATH).

KS_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KS_VER=${KSCOPE_KERNEL:-$(uname -r)}
KS_BUILD=${KSCOPE_BUILD:-$KS_TOP/.cache/build/$KS_VER}
KS_DEBUGFS=/sys/kernel/debug/kscope
KS_TMP=$(mktemp -d /tmp/kscope-test.XXXXXX)

ktap_n=0
ktap_failed=0
ktap_passed=0
ktap_skipped=0

ktap_plan() {
	echo "KTAP version 1"
	echo "1..$1"
}

ktap_ok() {
	ktap_n=$((ktap_n + 1)); ktap_passed=$((ktap_passed + 1))
	echo "ok $ktap_n $*"
}

# ktap_fail NAME [diagnostic lines...]
ktap_fail() {
	local name=$1; shift
	ktap_n=$((ktap_n + 1)); ktap_failed=$((ktap_failed + 1))
	echo "not ok $ktap_n $name"
	local l
	for l in "$@"; do printf '%s\n' "$l" | sed 's/^/# /'; done
}

# ktap_skip NAME REASON
ktap_skip() {
	ktap_n=$((ktap_n + 1)); ktap_skipped=$((ktap_skipped + 1))
	echo "ok $ktap_n $1 # SKIP $2"
}

# ktap_check NAME DIAG COMMAND...: ok when COMMAND succeeds
ktap_check() {
	local name=$1 diag=$2; shift 2
	if "$@"; then ktap_ok "$name"; else ktap_fail "$name" "$diag"; fi
}

# ktap_eq NAME EXPECTED GOT [what]
ktap_eq() {
	if [ "$2" = "$3" ]; then
		ktap_ok "$1"
	else
		ktap_fail "$1" "expected ${4:-value} '$2', got '$3'"
	fi
}

ktap_done() {
	echo "# $ktap_passed passed, $ktap_failed failed, $ktap_skipped skipped"
	rm -rf "$KS_TMP"
	[ "$ktap_failed" -eq 0 ] || exit 1
	[ "$ktap_passed" -gt 0 ] || [ "$ktap_skipped" -eq 0 ] || exit 4
	exit 0
}

diag() { printf '%s\n' "$*" | sed 's/^/# /'; }

# ks_skip_all REASON: this script cannot run here (kselftest exit 4)
ks_skip_all() {
	echo "# SKIP $1"
	echo "# $ktap_passed passed, $ktap_failed failed, $ktap_skipped skipped"
	rm -rf "$KS_TMP"
	exit 4
}

if [ -n "${KSCOPE_BIN:-}" ]; then
	KSCOPE=$KSCOPE_BIN
elif [ -x "$KS_TOP/userspace/kscope" ]; then
	KSCOPE=$KS_TOP/userspace/kscope
else
	KSCOPE=$(command -v kscope) ||
		ks_skip_all "no kscope reader: neither $KS_TOP/userspace/kscope nor kscope on PATH"
fi

# Path of a module by name (kscope_core, kscope_testgen, ...): built in the
# checkout, else installed for the running kernel (modinfo finds what
# modprobe would load, e.g. DKMS's updates/dkms/).
ks_ko() {
	local ko=""
	[ -d "$KS_BUILD" ] && ko=$(find "$KS_BUILD" -name "$1.ko" -print -quit 2>/dev/null)
	[ -n "$ko" ] || ko=$(modinfo -n "$1" 2>/dev/null) ||
		{ echo "ks_ko: $1 neither built in $KS_BUILD nor installed for $(uname -r)" >&2; return 1; }
	echo "$ko"
}

ks_loaded() { [ -d "/sys/module/$1" ]; }

# ks_kasan: the guest runs a KASAN kernel (6.12-debug), where TCG makes
# everything several times slower: tests size their matrices for it
ks_kasan() { zgrep -q '^CONFIG_KASAN=y' /proc/config.gz 2>/dev/null; }
# ks_sized N M: N, or M on a KASAN kernel (a repeat count sized for each)
ks_sized() { if ks_kasan; then echo "$2"; else echo "$1"; fi; }

# ks_load NAME [params...]: insmod (ks_ko) unless loaded. A module that is
# neither built nor installed skips the script: kscope_testgen, a test-only
# module, comes only with kscope-tests or a KSCOPE_TESTS=y build.
ks_load() {
	local name=$1 ko; shift
	ks_loaded "$name" && return 0
	[ "$name" = kscope_core ] || ks_load kscope_core || return 1
	ko=$(ks_ko "$name" 2>/dev/null) ||
		ks_skip_all "module $name is not available: not built in $KS_BUILD, not installed for $(uname -r)"
	insmod "$ko" "$@"
}

# ks_load_rejected NAME PARAM...: loading NAME (not loaded now) with
# PARAMs fails, leaves it unloaded, and NAME logs one line naming the
# first PARAM ("NAME: param=value: why")
ks_load_rejected() {
	local name=$1 ko before; shift
	ko=$(ks_ko "$name") || return 1
	before=$(dmesg | wc -l)
	if insmod "$ko" "$@" 2>/dev/null; then rmmod "$name"; return 1; fi
	ks_loaded "$name" && return 1
	dmesg | tail -n +$((before + 1)) | grep -q "$name: ${1%%=*}="
}

ks_unload() {
	ks_loaded "$1" || return 0
	rmmod "$1"
}

# ks_unload_busy NAME: ks_unload, retried (up to 20 times, 0.25 s apart)
# while rmmod fails with the module still in use: a netlink request holds
# its source's module (try_module_get) while it runs, and the kernel
# refuses to unload a module in use (EAGAIN) rather than wait
ks_unload_busy() {
	local i
	for ((i = 0; i < 20; i++)); do
		ks_unload "$1" 2>/dev/null && return 0
		[ "$(cat "/sys/module/$1/refcnt" 2>/dev/null)" != 0 ] || break
		ks_sleep 0.25
	done
	ks_unload "$1"
}

# Value of counter NAME in a debugfs counters file of SOURCE.
ks_counter() {
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print "missing" }' \
		"$KS_DEBUGFS/$1/counters"
}

# ks_sleep SECS: sleep without exec'ing sleep(1), whose loader's opens and
# reads would show in system-wide counts (vfsstat): a read that times out
# on a pipe we hold both ends of
exec {ks_sleep_fd}<> <(:)
ks_sleep() { read -rt "$1" -u "$ks_sleep_fd" || true; }

# ks_server NAME CMD...: CMD, a server answering one line per argument
# line (tests/net/tools/craft.py --serve, tests/blk/nlraw.py --serve),
# kept for the script: a python3 start costs most of a second in a
# guest. Its FIFOs are opened read-write here, so neither side's open
# waits for the other. ks_ask NAME ARGS... sends ARGS shell-quoted and
# prints the answer line (status 2 a second or two after the server ended
# without one, or after 60 s); ks_server_stop NAME closes its input, and
# it ends.
declare -gA ks_srv_in ks_srv_out ks_srv_pid
ks_server() {
	local name=$1 fin fout; shift
	mkfifo "$KS_TMP/$name.in" "$KS_TMP/$name.out" || return 1
	"$@" <"$KS_TMP/$name.in" >"$KS_TMP/$name.out" 2>"$KS_TMP/$name.err" &
	ks_srv_pid[$name]=$!
	exec {fin}<>"$KS_TMP/$name.in" {fout}<>"$KS_TMP/$name.out"
	ks_srv_in[$name]=$fin ks_srv_out[$name]=$fout
}
ks_ask() {
	local name=$1 line="" part i; shift
	printf '%q ' "$@" >&"${ks_srv_in[$name]}"
	echo >&"${ks_srv_in[$name]}"
	# a second at a time: a read that times out keeps what it got
	for ((i = 0; i < 60; i++)); do
		if read -rt 1 -u "${ks_srv_out[$name]}" part; then
			echo "$line$part"
			return 0
		fi
		line+=$part
		kill -0 "${ks_srv_pid[$name]}" 2>/dev/null && continue
		# ended: what it wrote before that is still in the FIFO
		if read -rt 0.5 -u "${ks_srv_out[$name]}" part; then
			echo "$line$part"
			return 0
		fi
		echo "$name ended without an answer: $(tail -3 "$KS_TMP/$name.err")"
		return 2
	done
	echo "$name gave no answer in 60 s: $(tail -3 "$KS_TMP/$name.err")"
	return 2
}
ks_server_stop() {
	[ -n "${ks_srv_pid[$1]:-}" ] || return 0
	local fin=${ks_srv_in[$1]} fout=${ks_srv_out[$1]}
	exec {fin}>&- {fout}>&-
	wait "${ks_srv_pid[$1]}"
	unset "ks_srv_pid[$1]" "ks_srv_in[$1]" "ks_srv_out[$1]"
}

# ks_wait_stopped PID [SECONDS [POLL]]: until PID stopped itself (SIGSTOP):
# the test workloads' checkpoints; polls every POLL s (0.1), with builtins
# only. Fails when PID is gone or SECONDS (120) ran out.
ks_wait_stopped() {
	local s end=$((SECONDS + ${2:-120}))
	while [ $SECONDS -lt $end ]; do
		read -r _ _ s _ </proc/"$1"/stat 2>/dev/null || return 1
		[ "$s" = T ] && return 0
		ks_sleep "${3:-0.1}"
	done
	return 1
}

# wait_file PATH [SECONDS]: until PATH is not empty (60 s)
wait_file() {
	local i
	for ((i = 0; i < ${2:-60} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ks_wait_subscribed PID [SECONDS]: until process PID holds a generic
# netlink socket that joined a multicast group (/proc/net/netlink: Eth 16,
# Groups not 0, its Inode among PID's fds); 60 s at most. A reader under
# TCG (and KASAN) may take seconds to resolve the family and join.
ks_wait_subscribed() {
	local end=$((SECONDS + ${2:-60})) inodes
	while [ "$SECONDS" -lt "$end" ] && [ -d "/proc/$1" ]; do
		inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l ' 2>/dev/null | tr -dc '0-9 ')
		awk -v l="$inodes" 'BEGIN { n = split(l, a, " "); for (i = 1; i <= n; i++) s[a[i]] = 1 }
			$2 == 16 && $4 != "00000000" && ($10 in s) { f = 1 } END { exit !f }' \
			/proc/net/netlink && return 0
		sleep 0.1
	done
	return 1
}

# watch_start NAME [SOURCE]: kscope --json watch SOURCE (default
# $KS_AREA, set by the area's lib) into $KS_TMP/NAME.ev, once it listens;
# watch_stop ends it
watch_start() {
	"$KSCOPE" --json watch "${2:-$KS_AREA}" >"$KS_TMP/$1.ev" 2>"$KS_TMP/$1.everr" &
	watch_pid=$!
	ks_wait_subscribed "$watch_pid" || diag "watch_start: $1 not subscribed after 60 s"
}
watch_stop() { kill -INT "$watch_pid" 2>/dev/null; wait "$watch_pid"; }

# bpf_start VAR TOOL [ARGS...]: a libbpf tool, line-buffered, into
# $KS_TMP/TOOL.out, its pid in VAR; waits for its first line (BPF load is
# slow under TCG). bpf_stop PID [SIGNAL]: SIGINT unless told (a background
# job of a non-interactive shell ignores SIGINT: tools that do not
# handle it need TERM)
bpf_start() {
	local var=$1 tool=$2; shift 2
	[ -x "/usr/sbin/$tool" ] ||
		ks_skip_all "/usr/sbin/$tool, this test's oracle, is not installed (libbpf-tools)"
	stdbuf -oL "/usr/sbin/$tool" "$@" >"$KS_TMP/$tool.out" 2>"$KS_TMP/$tool.err" &
	printf -v "$var" %s $!
	wait_file "$KS_TMP/$tool.out" 120
}
bpf_stop() { kill -"${2:-INT}" "$1" 2>/dev/null; wait "$1"; }

# Run as an unprivileged user (nobody), no capabilities.
ks_as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"
}
