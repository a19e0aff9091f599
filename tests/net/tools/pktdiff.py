#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pktdiff.py: differential fuzzing of kscope's ICMP echo responders.

  pktdiff.py send IFACE DST_MAC SRC4 DST4 SRC6 DST6 --seed S --count N
             [--wait MS] > RESULTS
  pktdiff.py compare NAME=RESULTS NAME=RESULTS...

send: builds N mutated echo requests from seed S (IPv4 and IPv6; IP
options, IPv6 extension headers, fragments, VLAN tags, wrong lengths and
checksums, other ICMP types and codes, TTL/hop limit 0 and 1, trailing
bytes), sends each out of IFACE (AF_PACKET) and records every frame the
peer sends back within MS ms (default 60; the wait ends 5 ms after the
first frame). One line per packet: index, frame sent (hex), frames
received (hex, TTL/hop limit, IPv4 ID and header checksum and IPv6 flow
label zeroed), or
"-". The same seed gives the same packets, so runs against the plain
stack, the netfilter responder and the XDP responder can be compared.

compare: every packet on which the runs disagree (a reply in one and not
in another, or different reply bytes), with the packet in hex; exit 1
when there is one.
"""
import random
import select
import socket
import struct
import sys
import time
import ipaddress

ETH_P_ALL, ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q = 0x0003, 0x0800, 0x86DD, 0x8100
PACKET_OUTGOING = 4


def csum(data):
    if len(data) & 1:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def gen(r, i, src4, dst4, src6, dst6):
    """One mutated echo request: (ethertype, IP packet, vlan or None)."""
    v6 = r.random() < 0.5
    ident, seq = 0x7000 | (i >> 16 & 0xFFF), i & 0xFFFF
    plen = r.choice([0, 1, 7, 8, 56, 57, 200, 1000, 1400, r.randrange(64)])
    body = struct.pack("!HH", ident, seq) + bytes(r.randrange(256) for _ in range(min(plen, 16))) \
        + bytes(max(plen - 16, 0))
    typ = (128 if v6 else 8) if r.random() < 0.8 else r.randrange(256)
    code = 0 if r.random() < 0.9 else r.randrange(1, 256)
    m = struct.pack("!BBH", typ, code, 0) + body
    if r.random() < 0.05:
        m = m[:r.randrange(8)]			# truncated ICMP header
    if v6:
        pseudo = src6.packed + dst6.packed + struct.pack("!IxxxB", len(m), 58)
        c = csum(pseudo + m)
    else:
        c = csum(m)
    if r.random() < 0.1:
        c ^= 1 + r.randrange(0xFFFF)		# bad checksum
    if len(m) >= 4:
        m = m[:2] + struct.pack("!H", c) + m[4:]
    ttl = r.choice([64] * 8 + [0, 1, 255])
    if v6:
        nh, ext = 58, b""
        roll = r.random()
        if roll < 0.1:				# hop-by-hop, PadN
            ext = struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
            nh = 0
        elif roll < 0.2:			# destination options
            ext = struct.pack("!BB", nh, 0) + b"\x01\x04\0\0\0\0"
            nh = 60
        elif roll < 0.3:			# fragment: atomic, first or middle
            off, more = r.choice([(0, 0), (0, 1), (1, 0)])
            ext = struct.pack("!BxHI", nh, off << 3 | more, r.randrange(1 << 32))
            nh = 44
        elif roll < 0.33:			# unknown option, must discard
            ext = struct.pack("!BB", nh, 0) + b"\x80\x04\0\0\0\0"
            nh = 60
        pl = len(ext) + len(m)
        if r.random() < 0.05:
            pl = r.choice([0, pl - 1, pl + 1, 0xFFFF]) & 0xFFFF
        pkt = struct.pack("!IHBB16s16s", 6 << 28 | (r.randrange(1 << 20) if r.random() < 0.1 else 0),
                          pl, nh, ttl, src6.packed, dst6.packed) + ext + m
        etype = ETH_P_IPV6
    else:
        opts = b""
        if r.random() < 0.1:
            opts = r.choice([b"\x01\x01\x01\x00", b"\x07\x07\x04\0\0\0\0\0",
                             b"\x94\x04\0\0", b"\x44\x0c\x05\x00" + bytes(8)])
        ihl = 5 + len(opts) // 4
        tot = ihl * 4 + len(m)
        if r.random() < 0.05:
            tot = r.choice([0, 20, tot - 1, tot + 1, 0xFFFF]) & 0xFFFF
        frag = 0
        if r.random() < 0.07:
            frag = r.choice([0x2000, 0x0001, 0x2003, 0x4000, 0x8000])
        dst = dst4
        if r.random() < 0.03:
            dst = ipaddress.ip_address("10.99.0.255")
        hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, r.choice([0] * 9 + [0xB8]), tot,
                          r.randrange(1 << 16), frag, ttl, 1, 0, src4.packed, dst.packed) + opts
        hc = csum(hdr)
        if r.random() < 0.04:
            hc ^= 0x0101
        hdr = hdr[:10] + struct.pack("!H", hc) + hdr[12:]
        if r.random() < 0.02:
            hdr = bytes([0x40 | r.randrange(5)]) + hdr[1:]	# IHL < 5
        pkt = hdr + m
        etype = ETH_P_IP
    if r.random() < 0.05:
        pkt += bytes(r.randrange(1, 20))	# trailing bytes
    vlan = r.choice([5, 0]) if r.random() < 0.05 else None
    return etype, pkt, vlan


def normalize(frame):
    """TTL/hop limit, IPv4 ID and header checksum, IPv6 flow label zeroed:
    the stack's reply carries an automatic flow label (a hash of the flow,
    net.ipv6.auto_flowlabels), the responders the request's."""
    f = bytearray(frame)
    off, etype = 14, struct.unpack("!H", f[12:14])[0]
    while etype == ETH_P_8021Q and len(f) >= off + 4:
        etype = struct.unpack("!H", f[off + 2:off + 4])[0]
        off += 4
    if etype == ETH_P_IP and len(f) >= off + 20:
        f[off + 4:off + 6] = b"\0\0"
        f[off + 8] = 0
        f[off + 10:off + 12] = b"\0\0"
    elif etype == ETH_P_IPV6 and len(f) >= off + 40:
        f[off + 1] &= 0xF0
        f[off + 2:off + 4] = b"\0\0"
        f[off + 7] = 0
    return bytes(f)


def send(a):
    iface, dmac = a[0], bytes.fromhex(a[1].replace(":", ""))
    src4, dst4, src6, dst6 = (ipaddress.ip_address(x) for x in a[2:6])
    opt = dict(zip(a[6::2], a[7::2]))
    seed, count = int(opt.get("--seed", 1)), int(opt.get("--count", 100))
    wait = float(opt.get("--wait", 60)) / 1000
    with open("/sys/class/net/%s/address" % iface) as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((iface, 0))
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((iface, 0))
    r = random.Random(seed)
    for i in range(count):
        etype, pkt, vlan = gen(r, i, src4, dst4, src6, dst6)
        eth = dmac + smac
        if vlan is not None:
            eth += struct.pack("!HH", ETH_P_8021Q, vlan)
        frame = eth + struct.pack("!H", etype) + pkt
        while select.select([rx], [], [], 0)[0]:
            rx.recvfrom(65535)		# late frames of the last packet
        tx.send(frame)
        got, end = [], time.monotonic() + wait
        while True:
            left = end - time.monotonic()
            if left <= 0 or not select.select([rx], [], [], left)[0]:
                break
            f, addr = rx.recvfrom(65535)
            if addr[2] == PACKET_OUTGOING or f[6:12] != dmac:
                continue
            got.append(normalize(f).hex())
            end = min(end, time.monotonic() + 0.005)
        print(i, frame.hex(), ",".join(got) or "-", flush=True)


def compare(a):
    runs = []
    for arg in a:
        name, path = arg.split("=", 1)
        with open(path) as f:
            runs.append((name, [ln.split() for ln in f if ln.strip()]))
    n = min(len(r[1]) for r in runs)
    bad = 0
    for i in range(n):
        answers = {name: rows[i][2] for name, rows in runs}
        if len(set(answers.values())) > 1:
            bad += 1
            print("packet %d: %s" % (i, runs[0][1][i][1]))
            for name, ans in answers.items():
                print("  %s: %s" % (name, "no reply" if ans == "-" else ans))
    print("%d packets, %d disagreements" % (n, bad))
    return 1 if bad else 0


def main():
    if len(sys.argv) > 2 and sys.argv[1] == "send":
        send(sys.argv[2:])
        return 0
    if len(sys.argv) > 2 and sys.argv[1] == "compare":
        return compare(sys.argv[2:])
    sys.exit(__doc__)


if __name__ == "__main__":
    sys.exit(main())
