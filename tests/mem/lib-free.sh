# SPDX-License-Identifier: GPL-2.0
#
# Sourced by mem/20 and mem/25. The free lists move by tens of blocks
# whenever a process starts or exits, and on the debug kernel by over a
# hundred (a task's vmalloc'd stack and its KASAN shadow come and go):
# read by `cat A; cat B`, kscope's buddyinfo and /proc/buddyinfo differed
# by up to 120 order-0 blocks there, and read by bash builtins in one
# shell they were equal, 6 times of 6. So a comparison reads both sides
# with no process starting or ending in between: the kernel's files by
# builtins, and the reader's view from a `kscope --json mem show 1 N`
# that stays running, with the kernel's file read by builtins just before
# and just after an interval of its lines arrives. After kfuzz had loaded
# and unloaded modules a hundred times, the lists still moved by 150
# order-0 blocks in the moments between the reader's read and the one
# after it (deferred frees): the check takes the kernel's read before or
# the one after.

# free_read FILE OUT: FILE's lines into OUT, read by this shell
free_read() {
	local -a l
	mapfile -t l <"$1"
	printf '%s\n' "${l[@]}" >"$2"
}

# free_start N [RUNNER...]: start `kscope --json mem show 1 N` (under
# RUNNER, e.g. ks_as_nobody) with its lines on fd free_fd
free_start() {
	local n=$1
	local -a z
	shift
	mapfile -t z </proc/buddyinfo
	free_zones=${#z[@]}
	rm -f "$KS_TMP/free.fifo"
	mkfifo "$KS_TMP/free.fifo"
	"$@" "$KSCOPE" --json mem show 1 "$n" >"$KS_TMP/free.fifo" 2>"$KS_TMP/free.err" &
	free_pid=$!
	exec {free_fd}<"$KS_TMP/free.fifo"
}

# free_next JSON FILE OUT: the reader's next mem_zone line of every zone
# into JSON; FILE, read by builtins just before the first of those lines
# came, into OUT, and read again just after the last, into OUT.next: the
# reader's own read of the lists lies between the two (a check takes
# either). Fails when the reader ended first.
free_next() {
	local line part="" n=0 rc
	local -a z p q
	while ((n < free_zones)); do
		((n == 0)) && mapfile -t p <"$2"
		IFS= read -r -t 0.05 -u "$free_fd" line
		rc=$?
		if ((rc > 128)); then	# timed out: keep what came of a line
			part+=$line
			continue
		fi
		((rc == 0)) || return 1
		line=$part$line
		part=""
		[[ $line == '{"type":"mem_zone"'* ]] || continue
		z+=("$line")
		n=$((n + 1))
	done
	mapfile -t q <"$2"
	printf '%s\n' "${z[@]}" >"$1"
	printf '%s\n' "${p[@]}" >"$3"
	printf '%s\n' "${q[@]}" >"$3.next"
}

# free_stop: end the reader (its last interval may not have come)
free_stop() {
	exec {free_fd}<&-
	kill "$free_pid" 2>/dev/null
	wait "$free_pid" 2>/dev/null
	return 0
}
