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
	free_lines=0
	free_zlines=0
	rm -f "$KS_TMP/free.fifo" "$KS_TMP/free.idle"
	mkfifo "$KS_TMP/free.fifo" "$KS_TMP/free.idle"
	"$@" "$KSCOPE" --json mem show 1 "$n" >"$KS_TMP/free.fifo" 2>"$KS_TMP/free.err" &
	free_pid=$!
	exec {free_fd}<"$KS_TMP/free.fifo"
	# a FIFO no one writes, open for both: `read -t` on it is a sleep
	# that starts no process
	exec {free_idle}<>"$KS_TMP/free.idle"
}

# free_next JSON FILE OUT: the reader's next mem_zone line of every zone
# into JSON; FILE, read by builtins just before the first of those lines
# came, into OUT, and read again just after the last, into OUT.next: the
# reader's own read of the lists lies between the two (a check takes
# either). Fails when the reader ended first, with its exit status and
# what it printed appended to free.err.
#
# The reader's output is only ever read whole lines at a time, with no
# timeout: `read -t` on the pipe itself, as this did before, could end a
# line part-way through in a loaded guest, and once in a suite run the
# reader's lines ran out one interval early.
free_next() {
	local line n=0 rc
	local -a z p q
	# the interval's lines are written at once: wait for the first
	while :; do
		mapfile -t p <"$2"
		read -t 0 -u "$free_fd" && break
		read -t 0.05 -u "$free_idle" line
	done
	while ((n < free_zones)); do
		if ! IFS= read -r -u "$free_fd" line; then
			wait "$free_pid"
			rc=$?
			echo "the reader's exit status: $rc; it printed $free_lines lines, $free_zlines of them mem_zone ($free_zones zones an interval)${line:+; an unterminated last line: $line}" >>"$KS_TMP/free.err"
			return 1
		fi
		free_lines=$((free_lines + 1))
		[[ $line == '{"type":"mem_zone"'* ]] || continue
		free_zlines=$((free_zlines + 1))
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
	exec {free_fd}<&- {free_idle}<&-
	kill "$free_pid" 2>/dev/null
	wait "$free_pid" 2>/dev/null
	return 0
}
