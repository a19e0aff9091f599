#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The reader's one-line errors and its JSON, checked against what the test
# arranged (module absent, unknown source) and against debugfs.
. "$(dirname "$0")/../lib.sh"
ktap_plan 7
ks_unload kscope_testgen; ks_unload kscope_core

out=$("$KSCOPE" list 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && [[ $out == *"kscope_core is not loaded"* ]]; then
	ktap_ok "core not loaded: one clear line, exit 1"
else
	ktap_fail "core not loaded: one clear line, exit 1" "rc=$rc: $out"
fi
ks_load kscope_testgen
out=$("$KSCOPE" stat nosuch 2>&1); rc=$?
if [ $rc -eq 1 ] && [[ $out == *'unknown source "nosuch"'* ]]; then
	ktap_ok "unknown source: clear error, exit 1"
else
	ktap_fail "unknown source: clear error, exit 1" "rc=$rc: $out"
fi
out=$("$KSCOPE" frobnicate 2>&1); rc=$?
ktap_eq "unknown subcommand: usage error" 2 "$rc" "exit code"

# JSON list: every source in debugfs appears once, with its attach string
want=$(ls "$KS_DEBUGFS" | sort)
got=$("$KSCOPE" --json list | jq -r 'select(.type == "source") | .source' | sort)
ktap_eq "json list names the debugfs sources" "$(echo $want)" "$(echo $got)" "sources"
att=$("$KSCOPE" --json list | grep '"source":"testgen"' | sed -E 's/.*"attach":"([^"]*)".*/\1/')
ktap_eq "json list carries attach" "$(cat "$KS_DEBUGFS/testgen/attach")" "$att" "attach"
# JSON stat equals debugfs, counter by counter
"$KSCOPE" --json stat testgen | python3 -c '
import json, sys
for k, v in json.loads(sys.stdin.readline())["counters"].items(): print(k, v)' | sort >"$KS_TMP/j"
sort "$KS_DEBUGFS/testgen/counters" >"$KS_TMP/d"
ktap_check "json stat equals debugfs" "$(diff "$KS_TMP/j" "$KS_TMP/d")" cmp -s "$KS_TMP/j" "$KS_TMP/d"
ktap_skip "version mismatch error" "needs a kernel module speaking another protocol version; not exercised"
ks_unload kscope_testgen
ktap_done
