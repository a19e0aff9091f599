# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope_sched tests: workloads named by a symlink (comm is
# the basename of what was executed), the event watcher, libbpf-tools.

KS_AREA=sched

# sched_prog NAME TARGET: $KS_TMP/NAME -> TARGET, so the process's comm is NAME
sched_prog() { ln -sf "$2" "$KS_TMP/$1"; echo "$KS_TMP/$1"; }

sched_ctr() { ks_counter sched "$1"; }

# portrait lines of processes with comm $1
sched_portraits() { awk -v c="$1" '{ for (i = 1; i < NF; i++) if ($i == "comm" && $(i + 1) == c) print }' "$KS_DEBUGFS/sched/portraits"; }

# field KEY of a portrait line
pfield() { awk -v k="$2" '{ for (i = 1; i < NF; i++) if ($i == k) print $(i + 1) }' <<<"$1"; }

sched_events() {
	jq -c "select(.source == \"sched\" and .event == \"$2\")${3:+ | select($3)}" "$1"
}

