#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Slow-mkdir events name the right directory. Since 6.15 vfs_mkdir()
# consumes the dentry it is given (it dput()s it on an error, and on
# tmpfs a negative dentry is freed once unused) and returns the new one:
# the event must take its name from what is still valid. With a 1 us
# threshold every mkdir is an event; on a tmpfs with room for 6 inodes,
# a workload makes directories until mkdir fails with ENOSPC, and more
# after that. Its own record of names and results is the oracle: one
# event per mkdir, with the name and the result (0 or -errno) it got;
# the directories that exist afterwards are those it made.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/lib-vfs.sh"

ktap_plan 4
D=/tmp/kst_vfs_mkdir

cleanup() {
	umount "$D" 2>/dev/null
	"$KSCOPE" vfs slow --threshold-us 0 2>/dev/null
	ks_unload kscope_vfs
}

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_vfs"
mkdir -p "$D" && mount -t tmpfs -o nr_inodes=6 kst_vfs_mkdir "$D" ||
	{ ktap_fail "tmpfs nr_inodes=6" "$(dmesg | tail -3)"; cleanup; ktap_done; }

"$KSCOPE" vfs slow --threshold-us 1 || { ktap_fail "threshold set"; cleanup; ktap_done; }
watch_start ev
/usr/bin/python3 - "$D" >"$KS_TMP/mkdir.json" <<'PY'
import errno, json, os, sys
d, out = sys.argv[1], []
for i in range(12):
    name = "kst_mkdir_dir_%02d" % i
    try:
        os.mkdir(os.path.join(d, name))
        out.append([name, 0])
    except OSError as e:
        out.append([name, -e.errno])
print(json.dumps(dict(pid=os.getpid(), mkdirs=out)))
PY
sleep 1
watch_stop
"$KSCOPE" vfs slow --threshold-us 0

pid=$(jq -r .pid "$KS_TMP/mkdir.json")
want=$(jq -r '.mkdirs[] | "\(.[0]) \(.[1])"' "$KS_TMP/mkdir.json" | sort)
got=$(jq -r --argjson p "$pid" 'select(.source == "vfs" and .event == "slow" and .op == "mkdir" and .pid == $p) | "\(.file) \(.ret)"' "$KS_TMP/ev.ev" | sort)
diag "workload: $(tr '\n' ';' <<<"$want")"
ktap_check "some mkdirs made it, some failed with ENOSPC (the test's premise)" "$want" \
	bash -c "grep -q ' 0\$' <<<'$want' && grep -q ' -$(python3 -c 'import errno; print(errno.ENOSPC)')\$' <<<'$want'"
ktap_eq "one mkdir event per mkdir, each with its directory's name and result" "$want" "$got"
ktap_eq "the directories that exist are those made" \
	"$(awk '$2 == 0 { print $1 }' <<<"$want" | sort | tr '\n' ' ')" \
	"$(ls "$D" | sort | tr '\n' ' ')"

cleanup
ktap_done
