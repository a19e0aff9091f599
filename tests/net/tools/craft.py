#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""craft.py IFACE DST_MAC SRC_IP DST_IP KIND [--count N] [--vlan ID] [--len N] [--wait S]

Sends hand-made ICMP/ICMPv6 frames out of IFACE through an AF_PACKET
socket, so that the tests can show what the echo responders leave to the
stack. KIND: echo (valid request), badsum (request with a wrong checksum),
truncated (ICMP shorter than its 8-byte header), frag (a valid request in
two IP fragments), nonecho (IPv4 timestamp request / ICMPv6 echo reply).
The family follows the addresses. Prints the number of frames sent and,
with --wait S, the number of echo replies to them (ICMP id 0x1234, any
device of the namespace, tagged or not) received within S seconds.

craft.py --serve: one process for many sends (a python3 start costs the
tests most of a second in a guest). Reads one argument line at a time
from stdin, as above but without the program name, and prints the line
that call would print, or "error ..." for a call that failed; ends at
the end of its input.
"""
import argparse
import contextlib
import ipaddress
import select
import shlex
import socket
import struct
import sys
import time

ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q = 0x0800, 0x86DD, 0x8100


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, payload, ident=0x4242, frag=0, proto=1):
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                      frag, 64, proto, 0, src.packed, dst.packed)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return hdr + payload


def ip6(src, dst, payload, nexthdr=58):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nexthdr, 64,
                       src.packed, dst.packed) + payload


def icmp4(typ, body, good=True):
    m = struct.pack("!BBH", typ, 0, 0) + body
    c = csum(m) ^ (0 if good else 0x5555)
    return m[:2] + struct.pack("!H", c) + m[4:]


def icmp6(src, dst, typ, body, good=True):
    m = struct.pack("!BBH", typ, 0, 0) + body
    pseudo = src.packed + dst.packed + struct.pack("!IxxxB", len(m), 58)
    c = csum(pseudo + m) ^ (0 if good else 0x5555)
    return m[:2] + struct.pack("!H", c) + m[4:]


def packets(kind, src, dst, seq, plen):
    v6 = src.version == 6
    body = struct.pack("!HH", 0x1234, seq) + bytes(i & 0xFF for i in range(plen))
    if kind in ("echo", "badsum", "frag"):
        m = icmp6(src, dst, 128, body, kind != "badsum") if v6 else \
            icmp4(8, body, kind != "badsum")
        if kind != "frag":
            return [ip6(src, dst, m) if v6 else ip4(src, dst, m)]
        cut = 24  # multiple of 8
        if v6:
            ident = 0x10000 + seq
            f1 = struct.pack("!BxHI", 58, 0 | 1, ident) + m[:cut]
            f2 = struct.pack("!BxHI", 58, cut, ident) + m[cut:]
            return [ip6(src, dst, f1, 44), ip6(src, dst, f2, 44)]
        return [ip4(src, dst, m[:cut], 0x5000 + seq, 0x2000),
                ip4(src, dst, m[cut:], 0x5000 + seq, cut // 8)]
    if kind == "truncated":
        m = struct.pack("!BBH", 128 if v6 else 8, 0, 0)
        c = csum((src.packed + dst.packed + struct.pack("!IxxxB", 4, 58) if v6 else b"") + m)
        m = m[:2] + struct.pack("!H", c)
        return [ip6(src, dst, m) if v6 else ip4(src, dst, m)]
    if kind == "nonecho":
        if v6:
            return [ip6(src, dst, icmp6(src, dst, 129, body))]
        # timestamp request: id, seq, three timestamps
        return [ip4(src, dst, icmp4(13, struct.pack("!HHIII", 0x1234, seq, 0, 0, 0)))]
    raise SystemExit("craft.py: unknown kind " + kind)


ETH_P_ALL, ETH_P_8021AD, PACKET_OUTGOING = 0x0003, 0x88A8, 4


def is_reply(frame):
    """An echo reply to one of ours: ICMP(v6) echo reply with id 0x1234."""
    off, etype = 14, struct.unpack("!H", frame[12:14])[0]
    while etype in (ETH_P_8021Q, ETH_P_8021AD) and len(frame) >= off + 4:
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    if etype == ETH_P_IP and len(frame) >= off + 28:
        ihl = (frame[off] & 0xF) * 4
        icmp = frame[off + ihl:off + ihl + 8]
        return frame[off + 9] == 1 and len(icmp) == 8 and icmp[0] == 0 and \
            struct.unpack("!H", icmp[4:6])[0] == 0x1234
    if etype == ETH_P_IPV6 and len(frame) >= off + 48:
        icmp = frame[off + 40:off + 48]
        return frame[off + 6] == 58 and icmp[0] == 129 and \
            struct.unpack("!H", icmp[4:6])[0] == 0x1234
    return False


def count_replies(rx, secs):
    n, end = 0, time.monotonic() + secs
    while True:
        left = end - time.monotonic()
        if left <= 0 or not select.select([rx], [], [], left)[0]:
            return n
        frame, addr = rx.recvfrom(65535)
        if addr[2] != PACKET_OUTGOING and is_reply(frame):
            n += 1


def parser():
    ap = argparse.ArgumentParser()
    ap.add_argument("iface")
    ap.add_argument("dst_mac")
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("kind")
    ap.add_argument("--count", type=int, default=1)
    ap.add_argument("--vlan", type=int)
    ap.add_argument("--len", type=int, default=56)
    ap.add_argument("--wait", type=float)
    return ap


def send(a):
    """Sends what the arguments a ask for; returns the line to print."""
    src, dst = ipaddress.ip_address(a.src), ipaddress.ip_address(a.dst)
    with open("/sys/class/net/%s/address" % a.iface) as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    dmac = bytes.fromhex(a.dst_mac.replace(":", ""))
    etype = ETH_P_IPV6 if src.version == 6 else ETH_P_IP
    eth = dmac + smac
    if a.vlan is not None:
        eth += struct.pack("!HH", ETH_P_8021Q, a.vlan)
    eth += struct.pack("!H", etype)
    # with --wait, every device of the namespace, opened before the sends:
    # a reply may come back elsewhere
    rx = contextlib.nullcontext() if a.wait is None else \
        socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    with rx, socket.socket(socket.AF_PACKET, socket.SOCK_RAW) as s:
        s.bind((a.iface, 0))
        n = 0
        for i in range(a.count):
            for p in packets(a.kind, src, dst, i + 1, a.len):
                s.send(eth + p)
                n += 1
        if a.wait is None:
            return str(n)
        return "%d %d" % (n, count_replies(rx, a.wait))


def serve():
    ap = parser()
    for line in iter(sys.stdin.readline, ""):
        try:
            out = send(ap.parse_args(shlex.split(line)))
        except (Exception, SystemExit) as e:  # argparse exits on bad input
            out = "error " + " ".join(repr(e).split())
        print(out, flush=True)


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        print(send(parser().parse_args()))


if __name__ == "__main__":
    main()
