#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# kscope_source_register() makes the source reachable over netlink, so it
# is the last step of kscope_vfs's init, and kscope_source_unregister()
# the first of its exit. Seen by ftrace kprobe events on the core's
# register/unregister, the kernel's kretprobe calls and the core's hook
# calls (kscope_hook_attach, kscope_hooks_detach: the core hooks by
# fprobe where the kernel has it, and 7.2 refuses a kprobe on
# register_fprobe_syms), in the order they ran:
# a load that fails (maxactive=5, refused while attaching) never
# registers the source; a good load attaches every probe before it
# registers; an unload unregisters before it detaches.
. "$(dirname "$0")/../lib.sh"

ktap_plan 5
T=/sys/kernel/tracing

ks_load kscope_core || { ktap_fail "load kscope_core"; ktap_done; }
ks_unload kscope_vfs

ev_off() {
	echo 0 >"$T/tracing_on"
	echo 0 2>/dev/null >"$T/events/kst_vfs/enable"
	for e in reg unreg krp unkrp fp unfp; do echo "-:kst_vfs/$e" >>"$T/kprobe_events" 2>/dev/null; done
}
ev_off
if ! { echo 'p:kst_vfs/reg kscope_source_register name=+0(+0(%di)):string' >>"$T/kprobe_events" &&
	echo 'p:kst_vfs/unreg kscope_source_unregister name=+0(+0(%di)):string' >>"$T/kprobe_events" &&
	echo 'p:kst_vfs/krp register_kretprobe' >>"$T/kprobe_events" &&
	echo 'p:kst_vfs/unkrp unregister_kretprobes' >>"$T/kprobe_events" &&
	echo 'p:kst_vfs/fp kscope_hook_attach' >>"$T/kprobe_events" &&
	echo 'p:kst_vfs/unfp kscope_hooks_detach' >>"$T/kprobe_events"; } 2>"$KS_TMP/kp.err"; then
	for c in "failed load" "load: probes before register" "load: registered once" \
		 "unload: unregister first" "unload: unregistered once"; do
		ktap_skip "$c" "no kprobe events here: $(cat "$KS_TMP/kp.err")"
	done
	ev_off
	ktap_done
fi

# trace_of CMD...: the kst_vfs events CMD caused, as "event name" lines
trace_of() {
	echo >"$T/trace"
	echo 1 >"$T/events/kst_vfs/enable"
	echo 1 >"$T/tracing_on"
	"$@" 2>/dev/null
	local rc=$?
	echo 0 >"$T/tracing_on"
	echo 0 >"$T/events/kst_vfs/enable"
	sed -n 's/.* \(reg\|unreg\|krp\|unkrp\|fp\|unfp\): ([^)]*)\( name="\([^"]*\)"\)\?.*/\1 \3/p' "$T/trace" |
		sed 's/^fp /krp /; s/^unfp /unkrp /'
	return $rc
}

t=$(trace_of insmod "$(ks_ko kscope_vfs)" maxactive=5) &&
	{ diag "maxactive=5 loaded"; rmmod kscope_vfs; }
diag "failed load: $(tr '\n' ';' <<<"$t")"
ktap_eq "a failed load never registers the source" 0 "$(grep -c '^reg vfs' <<<"$t")"

t=$(trace_of insmod "$(ks_ko kscope_vfs)") || diag "load failed: $(dmesg | tail -3)"
diag "load: $(uniq -c <<<"$t" | tr -s ' \n' ' ')"
ktap_check "load: every kretprobe/fprobe registered before the source" "$t" \
	awk '$1 == "krp" { k++; if (r) bad = 1 } $1 == "reg" && $2 == "vfs" { r++ } END { exit !(k > 0 && r && !bad) }' <<<"$t"
ktap_eq "load: the source registered once" 1 "$(grep -c '^reg vfs' <<<"$t")"

t=$(trace_of rmmod kscope_vfs)
diag "unload: $(uniq -c <<<"$t" | tr -s ' \n' ' ')"
ktap_check "unload: the source unregistered before any kretprobe/fprobe" "$t" \
	awk '$1 == "unkrp" { k++; if (!u) bad = 1 } $1 == "unreg" && $2 == "vfs" { u++ } END { exit !(k > 0 && u && !bad) }' <<<"$t"
ktap_eq "unload: unregistered once, module gone" "1 no" \
	"$(grep -c '^unreg vfs' <<<"$t") $(ks_loaded kscope_vfs && echo yes || echo no)"

ev_off
ktap_done
