#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: a kscope_blk ssd-profile device, some I/O through it, its statistics.
K=userspace/kscope
[ -d /sys/module/kscope_blk ] || exit 0
$K blk add demo --profile ssd --size 64 --queues 2 --completion timer --slow-us 200
# the disk's name, as the device reports it ("disk kblk_demo")
dev=/dev/$($K blk list | awk '$1 == "name" { n = $2 } $1 == "disk" && n == "demo" { print $2 }')
[ -b "$dev" ] || { echo "demo: no block device for demo ($dev)" >&2; $K blk del demo; exit 1; }
dd if=/dev/urandom of="$dev" bs=64k count=64 oflag=direct status=none
dd if="$dev" of=/dev/null bs=4k count=512 iflag=direct status=none
$K blk list
$K blk stat demo
$K blk del demo
