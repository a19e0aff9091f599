# SPDX-License-Identifier: GPL-2.0
# Minimal TAP helpers for host-side checks (scripts/check-style).
_n=0 _f=0
ok() { _n=$((_n + 1)); echo "ok $_n $1"; }
notok() {
	_n=$((_n + 1)); _f=$((_f + 1)); echo "not ok $_n $1"
	[ $# -lt 2 ] || printf '%s\n' "$2" | head -40 | sed 's/^/# /'
}
done_tap() { echo "1..$_n"; [ "$_f" -eq 0 ]; }
