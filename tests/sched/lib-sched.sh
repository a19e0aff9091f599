# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_sched tests: workloads named by a symlink (comm is
# the basename of what was executed), the event watcher, libbpf-tools.

# sched_prog NAME TARGET: $KS_TMP/NAME -> TARGET, so the process's comm is NAME
sched_prog() { ln -sf "$2" "$KS_TMP/$1"; echo "$KS_TMP/$1"; }

sched_ctr() { ks_counter sched "$1"; }

# portrait lines of processes with comm $1
sched_portraits() { awk -v c="$1" '{ for (i = 1; i < NF; i++) if ($i == "comm" && $(i + 1) == c) print }' "$KS_DEBUGFS/sched/portraits"; }

# field KEY of a portrait line
pfield() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$1"; }

wait_file() {
	local i
	for ((i = 0; i < ${2:-60} * 10; i++)); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

watch_start() {
	"$KSCOPE" --json watch sched >"$KS_TMP/$1.ev" 2>"$KS_TMP/$1.everr" &
	watch_pid=$!
	sleep 1	# TCG: let it resolve the family and join the group
}
watch_stop() { kill -INT "$watch_pid" 2>/dev/null; wait "$watch_pid"; }

sched_events() {
	jq -c "select(.source == \"sched\" and .event == \"$2\")${3:+ | select($3)}" "$1"
}

bpf_start() {
	local var=$1 tool=$2; shift 2
	stdbuf -oL "/usr/sbin/$tool" "$@" >"$KS_TMP/$tool.out" 2>"$KS_TMP/$tool.err" &
	printf -v "$var" %s $!
	wait_file "$KS_TMP/$tool.out" 120
}
bpf_stop() { kill -INT "$1" 2>/dev/null; wait "$1"; }
