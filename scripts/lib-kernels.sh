# SPDX-License-Identifier: GPL-2.0
# Shared helpers for fetch-kernels, kbuild and guest-run. Sourced, not run.
# shellcheck shell=bash

KS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
# physical: .cache may be a link to a store shared by clones (.ci/run), and
# the links made inside it must not name the clone that made them
mkdir -p "${KSCOPE_CACHE:-$KS_ROOT/.cache}"
KS_CACHE=$(cd "${KSCOPE_CACHE:-$KS_ROOT/.cache}" && pwd -P)
KS_KERNELS=$KS_CACHE/kernels
KS_SIDROOT=$KS_CACHE/sidroot
KS_VERSIONS=(6.1 6.12 7.2)
# built from source by scripts/build-debug-kernel, not fetched
KS_DEBUG_VERSIONS=(6.12-debug)

ks_die() { echo "${0##*/}: error: $*" >&2; exit 1; }
ks_log() { echo "${0##*/}: $*" >&2; }

ks_check_ver() {
	case "${1:-}" in
	6.1|6.12|7.2|6.12-debug) ;;
	*) ks_die "unknown kernel version '${1:-}' (want one of: ${KS_VERSIONS[*]} ${KS_DEBUG_VERSIONS[*]})" ;;
	esac
}

# Directory of a fetched kernel; dies with a hint when it is not there.
ks_kernel_dir() {
	local v=$1 d=$KS_KERNELS/$1
	ks_check_ver "$v"
	[[ -s $d/abi && -e $d/vmlinuz && -d $d/modules/ ]] ||
		ks_die "kernel $v not there: run scripts/fetch-kernels $v (6.12-debug: scripts/build-debug-kernel)"
	echo "$d"
}

ks_abi() { cat "$(ks_kernel_dir "$1")/abi"; }
