#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Who sees whose activity, and how big the answer is. Root turns top
# collection on; 110 processes of root's, each with its own name
# (prctl), read each its own file. Then, asked with a hand-built
# CTL_GET (tests/vfs/nlget.py, not the kscope reader):
# - root gets the top files and processes, each file with the pid and
#   name of the process that read it (the workload's own record);
# - nobody gets the per-filesystem totals and no top entry at all: none
#   of the names of root's processes or files occurs in any byte of the
#   reply; asking for top entries is refused with EPERM and a message;
# - a 100 + 100 entry reply comes in several messages of at most a
#   page, every attribute length within its parent.
. "$(dirname "$0")/../lib.sh"

ktap_plan 10
D=/tmp/kst_vfs_priv N=110
NLGET="/usr/bin/python3 $KS_TOP/tests/vfs/nlget.py"

cleanup() {
	[ -n "${wpid:-}" ] && kill -9 "$wpid" 2>/dev/null
	umount "$D" 2>/dev/null
	ks_unload kscope_vfs
}

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_vfs"
mkdir -p "$D" && mount -t tmpfs kst_vfs_priv "$D" ||
	{ ktap_fail "tmpfs" "$(dmesg | tail -3)"; cleanup; ktap_done; }

/usr/bin/python3 - "$D" $N >"$KS_TMP/pids.json" 2>"$KS_TMP/work.err" <<'PY' &
import ctypes, json, os, signal, sys
d, n = sys.argv[1], int(sys.argv[2])
libc = ctypes.CDLL(None)
paths = []
for i in range(n):
    p = os.path.join(d, "kst_secret_file_%03d" % i)
    with open(p, "wb") as f:
        f.write(b"s" * 64)
    paths.append(p)
os.kill(os.getpid(), signal.SIGSTOP)	# the test starts an interval
pids = []
for i in range(n):
    pid = os.fork()
    if pid == 0:
        libc.prctl(15, b"kstsecret%03d" % i)	# PR_SET_NAME: no file op
        fd = os.open(paths[i], os.O_RDONLY)
        for _ in range(20 + i % 5):	# busier than the guest's background
            os.pread(fd, 64, 0)
        os.close(fd)
        os._exit(0)
    pids.append(pid)
for p in pids:
    os.waitpid(p, 0)
os.kill(os.getpid(), signal.SIGSTOP)	# the test reads while we live
print(json.dumps(pids))
PY
wpid=$!
ks_wait_stopped $wpid || { ktap_fail "workload ready" "$(cat "$KS_TMP/work.err")"; cleanup; ktap_done; }
"$KSCOPE" vfs collect on ||
	{ ktap_fail "top collection on"; cleanup; ktap_done; }
kill -CONT $wpid
sleep 0.5
ks_wait_stopped $wpid 300 0.5 || diag "workload did not stop again"

$NLGET --top-n 100 --find kstsecret --find kst_secret_file >"$KS_TMP/root.json"
ks_as_nobody $NLGET --find kstsecret --find kst_secret_file >"$KS_TMP/nobody.json" 2>"$KS_TMP/nobody.err"
ks_as_nobody $NLGET --top-n 10 >"$KS_TMP/nobody-top.json" 2>>"$KS_TMP/nobody.err"
ks_as_nobody "$KSCOPE" vfs show --count 5 >/dev/null 2>"$KS_TMP/show-count.err"
rc_count=$?
ks_as_nobody "$KSCOPE" --json vfs show >"$KS_TMP/show.json" 2>>"$KS_TMP/nobody.err"
kill -CONT $wpid
wait $wpid
wpid=

diag "root: $(jq -c '{errno, msgs, sizes, ops, files: (.files | length), procs: (.procs | length), found}' "$KS_TMP/root.json")"
diag "nobody: $(cat "$KS_TMP/nobody.json") $(cat "$KS_TMP/nobody.err")"

# root: the workload's files and processes, matched to the workload's
# own fork order: file i was read by pid i, named kstsecret<i>
chk=$(jq -r --slurpfile p "$KS_TMP/pids.json" '
	[.files[] | select(.[2] | startswith("kst_secret_file_"))] as $f |
	[.procs[] | select(.[1] | startswith("kstsecret"))] as $q |
	[$f[] | (.[2][16:] | tonumber) as $i
	      | select(.[0] == $p[0][$i] and .[1] == ("kstsecret" + .[2][16:]))] as $fok |
	[$q[] | (.[1][9:] | tonumber) as $i | select(.[0] == $p[0][$i])] as $qok |
	"\($f | length) \($fok | length) \($q | length) \($qok | length)"' "$KS_TMP/root.json")
read -r nf nfok np npok <<<"$chk"
ktap_check "root: >= 90 of the top 100 files are the workload's, each with its reader's pid and name" \
	"files $nf, matching $nfok" test "${nf:-0}" -ge 90 -a "${nf:-0}" = "${nfok:-x}"
ktap_check "root: >= 90 of the top 100 processes are the workload's, with their pids" \
	"procs $np, matching $npok" test "${np:-0}" -ge 90 -a "${np:-0}" = "${npok:-x}"

# the reply: several messages, each at most a page, lengths consistent
ktap_eq "root: reply in several messages of at most 4096 bytes, lengths consistent" \
	"multi small ok" "$(jq -r '"\(if .msgs > 1 then "multi" else "one" end) \(if ([.sizes[] | select(. > 4096)] | length) == 0 then "small" else "big" end) \(if (.bad | length) == 0 then "ok" else .bad end)"' "$KS_TMP/root.json")"

# nobody: aggregate totals only
ktap_eq "nobody: a reply with per-filesystem totals and no top entry" \
	"0 yes 0 0" "$(jq -r '"\(.errno) \(if .ops > 0 then "yes" else "no" end) \(.files | length) \(.procs | length)"' "$KS_TMP/nobody.json")"
ktap_eq "nobody: no byte of the reply names root's processes or files" \
	"false false" "$(jq -r '"\(.found.kstsecret) \(.found.kst_secret_file)"' "$KS_TMP/nobody.json")"
ktap_eq "root: the same search finds them (the search works)" \
	"true true" "$(jq -r '"\(.found.kstsecret) \(.found.kst_secret_file)"' "$KS_TMP/root.json")"
ktap_check "nobody: asking for top entries is refused with EPERM, saying why" \
	"$(cat "$KS_TMP/nobody-top.json")" \
	test "$(jq -r '"\(.errno) \(.extack | test("CAP_NET_ADMIN"))"' "$KS_TMP/nobody-top.json")" = "1 true"
ktap_check "nobody: kscope vfs show --count refused (permission denied)" \
	"rc $rc_count: $(cat "$KS_TMP/show-count.err")" \
	bash -c "[ $rc_count -ne 0 ] && grep -qi 'permission denied' '$KS_TMP/show-count.err'"
ktap_eq "nobody: kscope vfs show prints totals, no file or process row" "yes 0" \
	"$(jq -rs '"\(if ([.[] | select(.type == "vfs_ops")] | length) > 0 then "yes" else "no" end) \([.[] | select(.type == "vfs_top_file" or .type == "vfs_top_proc")] | length)"' "$KS_TMP/show.json")"

cleanup
ktap_done
