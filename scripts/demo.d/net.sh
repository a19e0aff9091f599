#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: ping over a veth pair answered by kscope_net's echo responder.
K=userspace/kscope
[ -d /sys/module/kscope_net ] || exit 0
ip netns add demo-a && ip netns add demo-b
ip link add va netns demo-a type veth peer name vb netns demo-b
ip -n demo-a addr add 10.99.0.1/24 dev va && ip -n demo-a link set va up
ip -n demo-b addr add 10.99.0.2/24 dev vb && ip -n demo-b link set vb up
$K net echo on --netns /run/netns/demo-b --dev vb
ip netns exec demo-a ping -c 3 -i 0.2 10.99.0.2
$K net echo off --netns /run/netns/demo-b --dev vb
ip netns del demo-a; ip netns del demo-b
