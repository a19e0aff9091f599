# SPDX-License-Identifier: GPL-2.0
#
# Helpers of the kscope export tests: the exporter, a real Prometheus
# server (Debian's, with its own storage in $KS_TMP) and its HTTP API.
# Everything listens on loopback; each script uses its own ports.

KS_AREA=export
EX_MODULES="kscope_tcp kscope_blk kscope_net kscope_vfs kscope_mem kscope_sched kscope_probe"
EX_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ex_pids=()
ex_loaded=""

ex_cleanup() {
	local p
	for p in "${ex_pids[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${ex_pids[@]}"; do wait "$p" 2>/dev/null; done
	ex_pids=()
}
trap ex_cleanup EXIT
# killed by the runner's timeout: still stop the servers
trap 'exit 1' TERM INT

# ex_need TOOL...: skip the script (exit 4) when a tool is missing
ex_need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null ||
			ks_skip_all "$t is not installed (Debian: $(ex_pkg "$t")), this test's oracle"
	done
}
ex_pkg() {
	case $1 in
	prometheus|promtool) echo prometheus ;;
	prometheus-node-exporter) echo prometheus-node-exporter ;;
	*) echo "$1" ;;
	esac
}

# ex_load_all: every module, remembering which this script loaded
ex_load_all() {
	local m
	for m in $EX_MODULES; do
		ks_loaded "$m" || ex_loaded="$m $ex_loaded"
		ks_load "$m" || return 1
	done
}
ex_unload_all() {
	local m
	for m in $ex_loaded; do ks_unload "$m"; done
}

# ex_wait_http URL [SECONDS]: until URL answers 200 (60 s)
ex_wait_http() {
	local end=$((SECONDS + ${2:-60}))
	while [ $SECONDS -lt $end ]; do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.2
	done
	return 1
}

# ex_export_start PORT [ARGS...]: kscope export --listen 127.0.0.1:PORT in
# the background (pid in ex_pid), once it answers
ex_export_start() {
	local port=$1; shift
	"$KSCOPE" export --listen "127.0.0.1:$port" "$@" 2>>"$KS_TMP/export.err" &
	ex_pid=$!
	ex_pids+=("$ex_pid")
	ex_wait_http "http://127.0.0.1:$port/metrics"
}

# ex_prom_start PORT CONFIG: Prometheus on 127.0.0.1:PORT with its own
# storage, once ready (a cold start takes ~15 s in a TCG guest)
ex_prom_start() {
	prometheus --config.file="$2" --storage.tsdb.path="$KS_TMP/tsdb-$1" \
		--web.listen-address="127.0.0.1:$1" --log.level=warn \
		>"$KS_TMP/prometheus-$1.log" 2>&1 &
	ex_pids+=($!)
	ex_prom=http://127.0.0.1:$1
	ex_wait_http "$ex_prom/-/ready" 300
}

# ex_query EXPR [TIME]: the API's JSON for an instant query
ex_query() {
	curl -sf "$ex_prom/api/v1/query" --data-urlencode "query=$1" \
		${2:+--data-urlencode "time=$2"}
}

# ex_value EXPR [TIME]: the value of a one-element instant query ("" if none)
ex_value() {
	ex_query "$@" | python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if len(r) == 1 else "")'
}

# ex_wait_value EXPR SECONDS: until EXPR has a value (prints it)
ex_wait_value() {
	local end=$((SECONDS + $2)) v
	while [ $SECONDS -lt $end ]; do
		v=$(ex_value "$1")
		[ -n "$v" ] && { echo "$v"; return 0; }
		sleep 1
	done
	return 1
}

now() { date +%s.%N; }
