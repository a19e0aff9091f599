# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_blk tests (sourced after tests/lib.sh).

# nlraw_start: one tests/blk/nlraw.py --serve for the script's raw
# requests (ks_server); then nlraw CMD NAME:TYPE:VALUE... prints what
# nlraw.py would and returns its exit status.
nlraw_start() { ks_server nlraw python3 "$KS_TOP/tests/blk/nlraw.py" --serve; }
nlraw() {
	local line
	line=$(ks_ask nlraw "$@") || { echo "$line"; return 2; }
	echo "${line#* }"
	return "${line%% *}"
}

BLK_DBG=$KS_DEBUGFS/blk

# blk_stat DISK NAME: one statistic from debugfs
blk_stat() {
	awk -v n="$2" '$1 == n { print $2; f = 1 } END { if (!f) print "missing" }' \
		"$BLK_DBG/$1/stats"
}

# blk_fio NAME ARGS...: run fio with JSON output into $KS_TMP/NAME.json;
# fio's own exit status is returned.
blk_fio() {
	local name=$1; shift
	(cd "$KS_TMP" && fio --output-format=json --output="$KS_TMP/$name.json" \
		--verify_state_save=0 "$@" >"$KS_TMP/$name.err" 2>&1)
}

# blk_fio_get NAME JQ-EXPR: sum of EXPR over the jobs of run NAME
blk_fio_get() {
	jq "[.jobs[] | $2] | add" "$KS_TMP/$1.json"
}

# blk_set_sched DISK SCHED: select an I/O scheduler, loading it if modular
blk_set_sched() {
	local q=/sys/block/$1/queue/scheduler
	grep -qw "$2" "$q" || modprobe -q "$2" 2>/dev/null ||
		modprobe -q "${2//-/_}" 2>/dev/null || modprobe -q "${2}-iosched" 2>/dev/null || true
	echo "$2" > "$q" 2>/dev/null && grep -q "\[$2\]" "$q"
}

# Every I/O scheduler these tests need: none, mq-deadline, kyber, bfq.
BLK_SCHEDS="none mq-deadline kyber bfq"
