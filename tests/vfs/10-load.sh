#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_vfs load and control surface: bad parameters fail the load with
# one clear line and leave nothing registered; the attach string names
# the VFS functions this kernel really has (checked against kallsyms) and
# the mechanism the kernel really used (an fprobe shows in ftrace's
# enabled_functions and not in the kprobes list, a kretprobe in the
# kprobes list); netlink control rejects bad values and unprivileged
# callers.
. "$(dirname "$0")/../lib.sh"

ktap_plan 11

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }

for p in top_max=1 maxactive=5 mech=bogus; do
	dmesg -C
	if insmod "$(ks_ko kscope_vfs)" "$p" 2>/dev/null; then
		ktap_fail "$p refused" "module loaded"
		rmmod kscope_vfs
	elif [ -e "$KS_DEBUGFS/vfs" ] || ks_loaded kscope_vfs; then
		ktap_fail "$p refused" "something left registered"
	else
		ktap_check "$p refused, nothing left, one log line" \
			"$(dmesg | tail -3)" grep -qE "${p%=*}=.*(out of range|not auto)" <(dmesg)
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
got=$(sed 's/;.*//' <<<"$attach" | tr ' ' '\n' | grep -vxE 'fprobes|kretprobes' | tr '\n' ' ')
ktap_eq "attach names every target kallsyms has" "$(tr ' ' '\n' <<<"$want" | sort | tr '\n' ' ')" \
	"$(tr ' ' '\n' <<<"$got" | sort | tr '\n' ' ')"
# the mechanism: fprobes where the kernel has them, as ftrace shows them
if grep -q ' register_fprobe_syms$' /proc/kallsyms; then mech=fprobes; else mech=kretprobes; fi
T=/sys/kernel/tracing
kp=$(grep -cE ' vfs_(read|write)\+0x0 ' /sys/kernel/debug/kprobes/list 2>/dev/null)
ef=$(grep -cE '^vfs_(read|write) ' "$T/enabled_functions" 2>/dev/null)
diag "mechanism: $mech; kprobes on vfs_read/vfs_write: $kp; in enabled_functions: $ef"
if [ $mech = fprobes ]; then
	ktap_check "attach says fprobes, and ftrace (not kprobes) hooks vfs_read/vfs_write" \
		"$attach; kprobes $kp, ftrace $ef" \
		bash -c "[[ '$attach' == fprobes\ * && $kp == 0 && $ef == 2 ]]"
else
	ktap_check "attach says kretprobes, and the kprobes list has vfs_read/vfs_write" \
		"$attach; kprobes $kp" bash -c "[[ '$attach' == kretprobes\ * && $kp == 2 ]]"
fi
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
