# SPDX-License-Identifier: GPL-2.0
# Shared helpers for fetch-kernels, kbuild and guest-run. Sourced, not run.
# shellcheck shell=bash

KS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
KS_CACHE=${KSCOPE_CACHE:-$KS_ROOT/.cache}
KS_KERNELS=$KS_CACHE/kernels
KS_SIDROOT=$KS_CACHE/sidroot
KS_VERSIONS=(6.1 6.12 7.2)

ks_die() { echo "${0##*/}: error: $*" >&2; exit 1; }
ks_log() { echo "${0##*/}: $*" >&2; }

ks_check_ver() {
	case "${1:-}" in
	6.1|6.12|7.2) ;;
	*) ks_die "unknown kernel version '${1:-}' (want one of: ${KS_VERSIONS[*]})" ;;
	esac
}

# Directory of a fetched kernel; dies with a hint when it is not there.
ks_kernel_dir() {
	local v=$1 d=$KS_KERNELS/$1
	ks_check_ver "$v"
	[[ -s $d/abi && -e $d/vmlinuz && -d $d/modules/ ]] ||
		ks_die "kernel $v not fetched: run scripts/fetch-kernels $v"
	echo "$d"
}

ks_abi() { cat "$(ks_kernel_dir "$1")/abi"; }
