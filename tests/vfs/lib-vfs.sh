# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_vfs tests: the workload (vfswork.py), an ext4
# file system on a loop device, a kscope event watcher, libbpf-tools.

KS_AREA=vfs

VFS_WORK="/usr/bin/python3 $KS_TOP/tests/vfs/vfswork.py"

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

# vfs_ops FS OP FIELD: from `kscope vfs show --json` in $KS_TMP/show.json
vfs_ops() {
	jq -r --arg fs "$1" --arg op "$2" \
		'select(.type == "vfs_ops" and .fs == $fs and .op == $op) | .'"$3" \
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

# lines_after FILE N [SECONDS]: until FILE has more than N lines (at most
# SECONDS, 30), with builtins only: an exec'd wc or sleep would show in
# system-wide counts (vfsstat's). nlines FILE: its line count, the same way.
lines_after() {
	local i l
	for ((i = 0; i < ${3:-30} * 4; i++)); do
		mapfile -t l <"$1"
		[ "${#l[@]}" -gt "$2" ] && return 0
		ks_sleep 0.25
	done
	return 1
}
nlines() { local l; mapfile -t l <"$1"; echo ${#l[@]}; }
