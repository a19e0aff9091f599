#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_mem load and control surface: a bad parameter fails the load with
# one clear line and nothing registered; the attach string names the kmem
# tracepoints and the slow path as this kernel has it (checked against
# kallsyms), or says the slow path is not available where the compiler
# inlined it (the debug 6.12), in debugfs and in `kscope list`; netlink
# rejects an order out of range and unprivileged callers.
. "$(dirname "$0")/../lib.sh"

ktap_plan 7

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }

dmesg -C
if insmod "$(ks_ko kscope_mem)" high_order=99 2>/dev/null; then
	ktap_fail "high_order=99 refused" "module loaded"
	rmmod kscope_mem
else
	ktap_check "high_order=99 refused, nothing left, one log line" "$(dmesg | tail -3)" \
		bash -c "[ ! -e $KS_DEBUGFS/mem ] && dmesg | grep -q 'high_order=99 out of range'"
fi

if ! ks_load kscope_mem; then
	ktap_fail "load kscope_mem" "$(dmesg | tail -5)"
	ktap_done
fi
ktap_ok "load kscope_mem"

attach=$(cat "$KS_DEBUGFS/mem/attach")
diag "attach: $attach"
# the function or its clone, not its .cold part
slow=$(awk '$3 ~ /^__alloc_pages_slowpath(\.(constprop|isra|part)\.[0-9]+)*$/ { print $3; exit }' /proc/kallsyms)
if [ -n "$slow" ]; then
	# the core hooks by fprobe where the kernel has fprobes and ftrace
	# can hook the function (it has an fentry site: ftrace lists it)
	hook=kretprobe
	grep -q ' register_fprobe_syms$' /proc/kallsyms &&
		grep -qx "$slow" /sys/kernel/tracing/available_filter_functions && hook=fprobe
	diag "ftrace can hook $slow: $(grep -cx "$slow" /sys/kernel/tracing/available_filter_functions)"
	want="tracepoints kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_free_batched; $hook $slow"
else
	want="tracepoints kmem:mm_page_alloc kmem:mm_page_free kmem:mm_page_free_batched; slowpath: not available (__alloc_pages_slowpath not found)"
fi
ktap_eq "attach: kmem tracepoints and the slow path as kallsyms has it (${slow:-none})" \
	"$want" "$attach"
listed=$("$KSCOPE" --json list | jq -r 'select(.source == "mem") | .attach')
ktap_eq "kscope list shows the same attach line" "$want" "$listed"

"$KSCOPE" mem high-order 11 >/dev/null 2>"$KS_TMP/err"
rc=$?
ktap_check "order beyond the last order rejected by the kernel" "rc $rc: $(cat "$KS_TMP/err")" \
	bash -c "[ $rc -ne 0 ] && grep -qi 'range\|invalid' '$KS_TMP/err'"

ks_as_nobody "$KSCOPE" mem high-order 3 >/dev/null 2>"$KS_TMP/err"
rc=$?
ktap_check "unprivileged change refused" "rc $rc: $(cat "$KS_TMP/err")" \
	bash -c "[ $rc -ne 0 ] && grep -qi 'permi' '$KS_TMP/err'"

if ks_unload kscope_mem && [ ! -e "$KS_DEBUGFS/mem" ]; then
	ktap_ok "unload kscope_mem"
else
	ktap_fail "unload kscope_mem"
fi
ktap_done
