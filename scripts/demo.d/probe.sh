#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: a kprobe with latency on a kernel function named at run time.
K=userspace/kscope
[ -d /sys/module/kscope_probe ] || exit 0
$K probe add vfs_fsync_range --ret --latency
for i in 1 2 3 4 5; do echo $i >/tmp/demo-fsync; sync -d /tmp/demo-fsync 2>/dev/null || sync /tmp/demo-fsync; done
$K probe list
$K probe del vfs_fsync_range
