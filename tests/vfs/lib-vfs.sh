# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_vfs tests: the workload (vfswork.py), an ext4
# file system on a loop device, a kscope event watcher, libbpf-tools.

VFS_WORK="/usr/bin/python3 $KS_TOP/tests/vfs/vfswork.py"

# bsleep SECS: sleep without exec'ing sleep(1), whose loader opens and
# reads would show in system-wide counts (vfsstat)
exec {vfs_sleep_fd}<> <(:)
bsleep() { read -rt "$1" -u "$vfs_sleep_fd" || true; }

# wait_stopped PID [SECONDS [POLL]]: until the process stopped itself
# (SIGSTOP), polling every POLL seconds (0.1)
wait_stopped() {
	local s end=$((SECONDS + ${2:-120}))
	while [ $SECONDS -lt $end ]; do
		read -r _ _ s _ </proc/"$1"/stat 2>/dev/null || return 1
		[ "$s" = T ] && return 0
		bsleep "${3:-0.1}"
	done
	return 1
}

wait_file() {
	local i
	for ((i = 0; i < ${2:-60} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

# ext4_up IMG MNT [MB]: ext4 on a loop device backed by a tmpfs file
ext4_up() {
	modprobe loop 2>/dev/null
	truncate -s "${3:-64}M" "$1" &&
	VFS_LOOP=$(losetup -f --show "$1") &&
	mkfs.ext4 -q -F "$VFS_LOOP" &&
	mkdir -p "$2" && mount -t ext4 "$VFS_LOOP" "$2"
}

ext4_down() {
	umount "$1" 2>/dev/null
	[ -n "${VFS_LOOP:-}" ] && losetup -d "$VFS_LOOP" 2>/dev/null
	VFS_LOOP=
	return 0
}

# watch_start NAME: kscope --json watch vfs into $KS_TMP/NAME.ev
watch_start() {
	"$KSCOPE" --json watch "${2:-vfs}" >"$KS_TMP/$1.ev" 2>"$KS_TMP/$1.everr" &
	watch_pid=$!
	sleep 1	# TCG: let it resolve the family and join the group
}
watch_stop() { kill -INT "$watch_pid" 2>/dev/null; wait "$watch_pid"; }

# bpf_start VAR TOOL [ARGS...]: a libbpf tool, line-buffered, into
# $KS_TMP/TOOL.out; waits for its first line (BPF load is slow under TCG).
bpf_start() {
	local var=$1 tool=$2; shift 2
	stdbuf -oL "/usr/sbin/$tool" "$@" >"$KS_TMP/$tool.out" 2>"$KS_TMP/$tool.err" &
	printf -v "$var" %s $!
	wait_file "$KS_TMP/$tool.out" 120
}
# SIGINT for tools that handle it; vfsstat does not, and a background job
# of a non-interactive shell ignores SIGINT: it gets SIGTERM (bpf_stop PID TERM)
bpf_stop() { kill -"${2:-INT}" "$1" 2>/dev/null; wait "$1"; }

# vfs_ops FS OP FIELD: from `kscope vfs show --json` in $KS_TMP/show.json
vfs_ops() {
	jq -r --arg fs "$1" --arg op "$2" \
		'select(.kind == "ops" and .fs == $fs and .op == $op) | .'"$3" \
		"$KS_TMP/show.json" | awk '{ s += $1 } END { print s + 0 }'
}

# fsync_reaches SYM: does fsync(2) call SYM out of line on this kernel?
# Asked of an ftrace kprobe event, not of kscope. On 7.2 do_fsync has
# vfs_fsync and vfs_fsync_range inlined: a probe there sees no fsync(2).
fsync_reaches() {
	local t=/sys/kernel/tracing hits
	echo "p:ksvfs_fsync $1" >>"$t/kprobe_events" 2>/dev/null || return 1
	echo 1 >"$t/events/kprobes/ksvfs_fsync/enable"
	/usr/bin/python3 -c 'import os; fd = os.open("/tmp/.ksvfs_fsync", os.O_CREAT | os.O_WRONLY); os.fsync(fd); os.fsync(fd)'
	hits=$(awk '$1 == "ksvfs_fsync" { print $2 }' "$t/kprobe_profile")
	echo 0 >"$t/events/kprobes/ksvfs_fsync/enable"
	echo '-:ksvfs_fsync' >>"$t/kprobe_events"
	rm -f /tmp/.ksvfs_fsync
	[ "${hits:-0}" -ge 2 ]
}
