#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_vfs load and control surface: bad parameters fail the load with
# one clear line and leave nothing registered; the attach string names
# the VFS functions this kernel really has (checked against kallsyms);
# netlink control rejects bad values and unprivileged callers.
. "$(dirname "$0")/../lib.sh"

ktap_plan 9

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }

for p in top_max=1 maxactive=5; do
	dmesg -C
	if insmod "$(ks_ko kscope_vfs)" "$p" 2>/dev/null; then
		ktap_fail "$p refused" "module loaded"
		rmmod kscope_vfs
	elif [ -e "$KS_DEBUGFS/vfs" ] || ks_loaded kscope_vfs; then
		ktap_fail "$p refused" "something left registered"
	else
		ktap_check "$p refused, nothing left, one log line" \
			"$(dmesg | tail -3)" grep -q "${p%=*}=.*out of range" <(dmesg)
	fi
done

if ! ks_load kscope_vfs; then
	ktap_fail "load kscope_vfs" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_vfs"

attach=$(cat "$KS_DEBUGFS/vfs/attach")
diag "attach: $attach"
want="" miss=""
for s in vfs_read vfs_write vfs_open __x64_sys_fsync __x64_sys_fdatasync do_fsync \
	 vfs_fsync vfs_fsync_range vfs_create vfs_unlink \
	 vfs_rename vfs_mkdir vfs_rmdir; do
	if grep -qE " $s\$" /proc/kallsyms; then want+=" $s"; else miss+=" $s"; fi
done
got=$(sed 's/;.*//; s/^kretprobes//' <<<"$attach")
ktap_eq "attach names every target kallsyms has" "$want" "$got"
if [ -z "$miss" ]; then
	ktap_check "nothing reported missing" "$attach" \
		bash -c "! grep -q 'not attached' <<<'$attach'"
else
	ktap_check "missing targets named" "$attach" grep -q "not attached:$miss" <<<"$attach"
fi

"$KSCOPE" vfs slow --threshold-us 99999999999 >/dev/null 2>"$KS_TMP/err"
rc=$?
ktap_check "threshold above 1 h rejected by the kernel" "rc $rc: $(cat "$KS_TMP/err")" \
	bash -c "[ $rc -ne 0 ] && grep -qi 'range\|invalid' '$KS_TMP/err'"

ks_as_nobody "$KSCOPE" vfs slow --threshold-us 1000 >/dev/null 2>"$KS_TMP/err"
rc=$?
ktap_check "unprivileged change refused" "rc $rc: $(cat "$KS_TMP/err")" \
	bash -c "[ $rc -ne 0 ] && grep -qi 'permi' '$KS_TMP/err'"

"$KSCOPE" vfs slow --threshold-us 1234 && "$KSCOPE" vfs filter --pid 1
ktap_eq "settings applied" "slow_us 1234 pid 1" \
	"$(awk '$1 == "slow_us" || $1 == "pid" { printf "%s%s %s", s, $1, $2; s = " " }' "$KS_DEBUGFS/vfs/settings")"

if ks_unload kscope_vfs && [ ! -e "$KS_DEBUGFS/vfs" ]; then
	ktap_ok "unload kscope_vfs"
else
	ktap_fail "unload kscope_vfs"
fi
ktap_done
