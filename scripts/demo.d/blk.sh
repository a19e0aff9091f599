#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: a kscope_blk ssd-profile device, some I/O through it, its statistics.
K=userspace/kscope
[ -d /sys/module/kscope_blk ] || exit 0
$K blk add demo --profile ssd --size 64 --queues 2 --completion timer --slow-us 200
dev=$($K blk list | awk '$1 == "demo" { for (i = 1; i <= NF; i++) if ($i ~ /^\/dev\//) print $i }')
dev=${dev:-/dev/demo}
dd if=/dev/urandom of="$dev" bs=64k count=64 oflag=direct status=none
dd if="$dev" of=/dev/null bs=4k count=512 iflag=direct status=none
$K blk list
$K blk stat demo
$K blk del demo
