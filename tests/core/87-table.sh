#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The core's bounded table, on keys this test chooses: the test module
# looks them up in order (creating them), each from an IPI (hard IRQ), in a
# table of table_cap entries in sets of table_ways, and shows the
# table's snapshot: each set's keys, least recently touched first, and
# the evictions counted. The oracle is a model of the table's contract in
# this script: a key goes to set reciprocal_scale(hash_64(key, 32), sets);
# a full set gives up a stale entry (with table_stale_odd: an odd key)
# before any other, each time the least recently touched; looking a key up
# again touches it. Its exact kind (table_exact) keeps the first keys
# that fit, refuses (and counts) the others until a clear empties it, and
# lists each key once, even read a record at a time. A clear (table_clear_at)
# empties either kind. The table keeps a gauge of its entries in use (the
# source testgen_table's "entries", read by the reader over netlink): it
# must equal the model's count of keys in the table, after evictions,
# refusals and clears alike.
. "$(dirname "$0")/../lib.sh"
ktap_plan 18

model() {	# CAP WAYS STALE_ODD CLEAR_AT KEYS...
	/usr/bin/python3 - "$@" <<'PY'
import sys
cap, ways, odd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
clear_at = int(sys.argv[4])
keys = [int(k) for k in sys.argv[5:]]
M = (1 << 64) - 1
nsets = (cap + ways - 1) // ways
sets = [dict() for _ in range(nsets)]
clock = [0] * nsets
ev = 0
for i, k in enumerate(keys, 1):
    if i == clear_at:
        sets = [dict() for _ in range(nsets)]
    h = ((k * 0x61C8864680B583EB) & M) >> 32
    s = (h * nsets) >> 32
    st = sets[s]
    clock[s] += 1
    if k not in st and len(st) == ways:
        victim = min(st, key=lambda x: (not (odd and x & 1), st[x]))
        del st[victim]
        ev += 1
    st[k] = clock[s]
print("evictions %d/%d used %d sets %d ways %d" %
      (ev, ev, sum(len(x) for x in sets), nsets, ways))
for i, st in enumerate(sets):
    for k in sorted(st, key=st.get):
        print("set %d key %d" % (i, k))
PY
}

model_exact() {	# CAP CLEAR_AT KEYS...
	/usr/bin/python3 - "$@" <<'PY'
import sys
cap, clear_at = int(sys.argv[1]), int(sys.argv[2])
present, refused, total = [], 0, 0
for i, k in enumerate((int(k) for k in sys.argv[3:]), 1):
    if i == clear_at:
        present, refused = [], 0
    if k in present:
        continue
    if len(present) == cap:
        refused += 1
        total += 1
        continue
    present.append(k)
print("refused %d/%d used %d" % (refused, total, len(present)))
for k in sorted(present):
    print("key %d" % k)
PY
}

# run_exact NAME CAP CLEAR_AT KEYS...: the listing in key order
run_exact() {
	local name=$1 cap=$2 clear_at=$3
	shift 3
	ks_unload kscope_testgen
	if ! ks_load kscope_testgen table_exact=1 table_cap="$cap" \
		table_clear_at="$clear_at" table_keys="$(IFS=,; echo "$*")"; then
		ktap_fail "$name: load" "$(dmesg | tail -3)"
		return
	fi
	model_exact "$cap" "$clear_at" "$@" >"$KS_TMP/want"
	{ head -1 "$KS_DEBUGFS/testgen/table"
	  tail -n +2 "$KS_DEBUGFS/testgen/table" | sort -k2,2n; } >"$KS_TMP/got"
	ktap_check "$name: $(head -1 "$KS_TMP/want")" \
		"$(diff "$KS_TMP/want" "$KS_TMP/got" | head -6 | tr '\n' ' ')" \
		cmp -s "$KS_TMP/want" "$KS_TMP/got"
}

# gauge NAME: the reader's "entries" of testgen_table = the model's "used N"
gauge() {
	local want got
	want=$(head -1 "$KS_TMP/want" | sed -n 's/.* used \([0-9]*\).*/\1/p')
	got="$("$KSCOPE" --json stat testgen_table 2>&1 | jq -r '.counters.entries' 2>&1) $("$KSCOPE" \
		--json list 2>&1 | jq -r 'select(.source == "testgen_table") | .counters[] |
			select(.name == "entries") | .kind' 2>&1)"
	ktap_eq "$1: the entries gauge = the keys in the table ($want)" "$want gauge" "$got"
}

# run NAME CAP WAYS STALE_ODD CLEAR_AT KEYS...
run() {
	local name=$1 cap=$2 ways=$3 odd=$4 clear_at=$5
	shift 5
	ks_unload kscope_testgen
	if ! ks_load kscope_testgen table_cap="$cap" table_ways="$ways" \
		table_stale_odd="$odd" table_clear_at="$clear_at" \
		table_keys="$(IFS=,; echo "$*")"; then
		ktap_fail "$name: load" "$(dmesg | tail -3)"
		return
	fi
	model "$cap" "$ways" "$odd" "$clear_at" "$@" >"$KS_TMP/want"
	cp "$KS_DEBUGFS/testgen/table" "$KS_TMP/got"
	ktap_check "$name: $(head -1 "$KS_TMP/want")" \
		"$(diff "$KS_TMP/want" "$KS_TMP/got" | head -6 | tr '\n' ' ')" \
		cmp -s "$KS_TMP/want" "$KS_TMP/got"
}

run "one set of 4 is a plain LRU" 4 4 0 0 1 2 3 4 1 5 6 3 7
# 4 sets of 4: fill, touch the first half again, then push 28 more through
keys=($(seq 1 12) $(seq 1 6) $(seq 13 40))
run "16 entries in 4-way sets, ${#keys[@]} lookups" 16 4 0 0 "${keys[@]}"
gauge "16 entries in 4-way sets"
run "the same with odd keys stale: they go first" 16 4 1 0 "${keys[@]}"
# a clear after 30 lookups: the sets hold only what came after it
run "the same, cleared before lookup 31" 16 4 0 31 "${keys[@]}"
gauge "cleared before lookup 31"
run "the same, cleared before a last lookup: that key alone" 16 4 0 $((${#keys[@]} + 1)) "${keys[@]}" 99
gauge "cleared before a last lookup"
# big keys (hashing uses all 64 bits), capacity rounded up to whole sets
big=()
for ((i = 0; i < 100; i++)); do big+=($(( (i * 2654435761 + 12345) & 0x7fffffffffff ))); done
run "100 keys of 47 bits in 50 entries of 8-way sets" 50 8 0 0 "${big[@]}"
big2=("${big[@]:0:40}" "${big[@]:0:40}")
run "40 keys twice in 64 entries of 16-way sets: no eviction" 64 16 0 0 "${big2[@]}"
ktap_eq "its snapshot lists 40 keys" 40 "$(grep -c '^set ' "$KS_TMP/got")"
gauge "40 keys twice"

twice=($(seq 1 20) $(seq 1 20))
run_exact "exact: 20 keys twice in 16 entries: the first 16, the rest refused" 16 0 "${twice[@]}"
gauge "exact, with refusals"
run_exact "exact: cleared before lookup 21: the next 16 new keys" 16 21 $(seq 1 40)
gauge "exact, cleared"
run_exact "exact: 100 keys of 47 bits in 64 entries, read a record at a time" 64 0 "${big[@]}"

ks_unload kscope_testgen
ktap_eq "unload kscope_testgen" "no" "$(ks_loaded kscope_testgen && echo yes || echo no)"
ktap_done
