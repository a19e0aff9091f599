#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""pktdiff.py: differential fuzzing of kscope's ICMP echo responders.

  pktdiff.py send IFACE DST_MAC SRC4 DST4 SRC6 DST6 --seed S --count N
             [--wait MS] > RESULTS
  pktdiff.py compare NAME=RESULTS NAME=RESULTS...

send: builds N mutated echo requests from seed S (IPv4 and IPv6; IP
options, IPv6 extension headers, fragments, VLAN tags, wrong lengths and
checksums, other ICMP types and codes, TTL/hop limit 0 and 1, trailing
bytes) and sends each out of IFACE (AF_PACKET), followed by a marker: a
plain echo request that every responder answers. The frames the peer
sends back to IFACE's address until the marker's reply are the answer to
the packet (the packet and its marker take one CPU's backlog, in order);
a marker not answered within MS ms (default 3000) leaves the packet
undecided ("?"). ICMP errors about an earlier packet (a reassembly that
timed out) are not part of the answer. One line per packet: index, frame
sent (hex), frames received (hex, normalised: see normalize()), or "-".
The same seed gives the same packets, so runs against the plain stack,
the netfilter responder and the XDP responder can be compared.

compare: the first run (the stack) is the reference. Every packet on
which another run answers otherwise (a reply in one and not in the
other, different reply bytes, undecided), unless EXPECTED lists that
exact difference for that run, is printed with the packet in hex; the
expected differences are counted and named. Exit 1 on any disagreement.
"""
import os
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


def ts_zero(f, p, end):
    """The times an IPv4 timestamp option in f[p:end] carries, zeroed: the
    milliseconds since midnight at which the stack answered."""
    while p < end and f[p] != 0:
        if f[p] == 1:
            p += 1
            continue
        if p + 1 >= end or f[p + 1] < 2:
            return
        olen = f[p + 1]
        if f[p] == 0x44 and p + 4 <= end:
            step = 4 if f[p + 3] & 0xF == 0 else 8
            for q in range(p + 4 + step - 4, min(p + olen, end) - 3, step):
                f[q:q + 4] = b"\0\0\0\0"
        p += olen


def normalize(frame):
    """The IPv4 ID zeroed (the stack's reply takes a fresh one from its
    generator, the responders keep the request's: the issue puts it
    aside), the header checksum recomputed over that when it was right,
    and the times of an IPv4 timestamp option and of an ICMP timestamp
    reply zeroed (the stack stamps them as it answers, so they differ from
    one run to the next)."""
    f = bytearray(frame)
    off, etype = 14, struct.unpack("!H", f[12:14])[0]
    while etype == ETH_P_8021Q and len(f) >= off + 4:
        etype = struct.unpack("!H", f[off + 2:off + 4])[0]
        off += 4
    ihl = (f[off] & 0xF) * 4 if len(f) > off else 0
    if etype == ETH_P_IP and ihl >= 20 and len(f) >= off + ihl:
        good = csum(bytes(f[off:off + ihl])) == 0
        ts_zero(f, off + 20, off + ihl)
        f[off + 4:off + 6] = b"\0\0"
        f[off + 10:off + 12] = b"\0\0"
        if good:
            f[off + 10:off + 12] = struct.pack("!H", csum(bytes(f[off:off + ihl])))
        icmp_stamps_zero(f, off, ihl)
    return bytes(f)


def icmp_stamps_zero(f, off, ihl):
    """An ICMP timestamp reply's receive and transmit times zeroed (the
    stack stamps them as it answers: the milliseconds since midnight), its
    checksum recomputed over that when it was right."""
    end = min(len(f), off + struct.unpack("!H", f[off + 2:off + 4])[0])
    icmp = off + ihl
    if f[off + 9] != 1 or end < icmp + 20 or f[icmp] != 14:
        return
    good = csum(bytes(f[icmp:end])) == 0
    f[icmp + 12:icmp + 20] = bytes(8)
    if good:
        f[icmp + 2:icmp + 4] = b"\0\0"
        f[icmp + 2:icmp + 4] = struct.pack("!H", csum(bytes(f[icmp:end])))


def late_error(f, frame):
    """An ICMP error quoting a packet other than @frame's: the stack's late
    word on an earlier one (a reassembly timeout), not an answer to this."""
    req = frame[14:] if frame[12:14] != struct.pack("!H", ETH_P_8021Q) else frame[18:]
    etype = struct.unpack("!H", f[12:14])[0]
    if etype == ETH_P_IP and len(f) >= 34 and f[23] == 1:
        ihl = (f[14] & 0xF) * 4
        if f[14 + ihl] not in (3, 4, 5, 11, 12):
            return False
        q = f[14 + ihl + 8:]
        if len(q) < 20 or len(req) < 20:
            return True
        qihl, pihl = (q[0] & 0xF) * 4, (req[0] & 0xF) * 4
        return q[4:6] != req[4:6] or q[12:20] != req[12:20] or \
            q[qihl:qihl + 8] != req[pihl:pihl + 8]
    if etype == ETH_P_IPV6 and len(f) >= 62 and f[20] == 58 and f[54] < 128:
        q = f[62:]
        return q[4:7] != req[4:7] or q[8:48] != req[8:48]
    return False


MARK_ID = 0x6B73			# ICMP id of the markers


def marker(i, smac, dmac, src4, dst4):
    """A plain echo request every responder answers, sent after packet i:
    its reply closes packet i's window."""
    m = struct.pack("!BBHHH", 8, 0, 0, MARK_ID, i & 0xFFFF) + b"kscope!!"
    m = m[:2] + struct.pack("!H", csum(m)) + m[4:]
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(m), i & 0xFFFF, 0, 64, 1, 0,
                      src4.packed, dst4.packed)
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return dmac + smac + struct.pack("!H", ETH_P_IP) + hdr + m


def is_marker_reply(f, i):
    return len(f) >= 42 and f[12:14] == b"\x08\x00" and f[23] == 1 and \
        f[14 + (f[14] & 0xF) * 4:][:1] == b"\0" and \
        struct.unpack("!HH", f[14 + (f[14] & 0xF) * 4 + 4:][:4]) == (MARK_ID, i & 0xFFFF)


def send(a):
    iface, dmac = a[0], bytes.fromhex(a[1].replace(":", ""))
    src4, dst4, src6, dst6 = (ipaddress.ip_address(x) for x in a[2:6])
    opt = dict(zip(a[6::2], a[7::2]))
    seed, count = int(opt.get("--seed", 1)), int(opt.get("--count", 100))
    wait = float(opt.get("--wait", 3000)) / 1000
    with open("/sys/class/net/%s/address" % iface) as f:
        smac = bytes.fromhex(f.read().strip().replace(":", ""))
    # one CPU: the packet and its marker go through one backlog, in order
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    tx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    tx.bind((iface, 0))
    rx = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    rx.bind((iface, 0))
    r = random.Random(seed)
    lost = 0
    for i in range(count):
        etype, pkt, vlan = gen(r, i, src4, dst4, src6, dst6)
        eth = dmac + smac
        if vlan is not None:
            eth += struct.pack("!HH", ETH_P_8021Q, vlan)
        frame = eth + struct.pack("!H", etype) + pkt
        while select.select([rx], [], [], 0)[0]:
            rx.recvfrom(65535)		# late frames of the last packet
        tx.send(frame)
        tx.send(marker(i, smac, dmac, src4, dst4))
        got, end, marked = [], time.monotonic() + wait, False
        while not marked:
            left = end - time.monotonic()
            if left <= 0 or not select.select([rx], [], [], left)[0]:
                break
            f, addr = rx.recvfrom(65535)
            # ksB's frames to us (not its multicast chatter)
            if addr[2] == PACKET_OUTGOING or f[6:12] != dmac or f[:6] != smac:
                continue
            if is_marker_reply(f, i):
                marked = True
            elif not late_error(f, frame):
                got.append(normalize(f).hex())
        if not marked:
            lost += 1
            got.append("?")		# undecided: compare counts it
        print(i, frame.hex(), ",".join(got) or "-", flush=True)
    if lost:
        print("pktdiff: %d markers got no reply within %g s" % (lost, wait), file=sys.stderr)


def l3(frame):
    """(ethertype, IP packet, VLAN tags) of an Ethernet frame."""
    off, etype, tags = 14, struct.unpack("!H", frame[12:14])[0], []
    while etype == ETH_P_8021Q and len(frame) >= off + 4:
        tags.append(struct.unpack("!H", frame[off:off + 2])[0] & 0xFFF)
        etype = struct.unpack("!H", frame[off + 2:off + 4])[0]
        off += 4
    return etype, frame[off:], tags


def unlabelled(ans):
    """The frames of an answer with the IPv6 flow label masked."""
    out = []
    for h in ans.split(","):
        f = bytearray(bytes.fromhex(h)) if h not in ("-", "?") else bytearray()
        if len(f) >= 54 and f[12:14] == b"\x86\xdd":
            f[15] &= 0xF0
            f[16:18] = b"\0\0"
        out.append(bytes(f))
    return out


def xdp_flowlabel(req, ref, ans):
    """Identical but for the flow label, which is the request's."""
    etype, pkt, _ = l3(bytes.fromhex(req))
    if etype != ETH_P_IPV6 or "," in ans or ans in ("-", "?") or ref in ("-", "?"):
        return False
    label = bytes.fromhex(ans)[15:18]
    return unlabelled(ans) == unlabelled(ref) and \
        (label[0] & 0xF, label[1], label[2]) == (pkt[1] & 0xF, pkt[2], pkt[3])


# Where a responder's answer may differ from the stack's: its documented,
# deliberate behaviour, with the reason (README's net section and the
# responder's description in `kscope help net`/`kscope help xdp` say the
# same). Each entry: the run's name, a name for the difference, the
# reason, and a test of (request frame, the stack's answer, the run's
# answer) that holds only for exactly that difference. Any other
# disagreement fails. Not entries: the IPv4 ID, which normalize() sets
# aside for every run (the stack draws a new one each time); the XDP
# responder's TTL/hop limit 64, documented too, equal to the stack's
# here (default sysctls), so any difference there fails.
EXPECTED = [
    ("xdp", "flow label",
     "the XDP responder's replies keep the request's IPv6 flow label (the "
     "stack reflects the label or hashes it from the reply's flow with a key "
     "a BPF program cannot reach)",
     xdp_flowlabel),
]


def compare(a):
    """The first run is the reference (the stack); each other run must
    answer every packet as it does, or differ only as EXPECTED says."""
    runs = []
    for arg in a:
        name, path = arg.split("=", 1)
        with open(path) as f:
            runs.append((name, [ln.split() for ln in f if ln.strip()]))
    n = min(len(r[1]) for r in runs)
    ref_name, ref_rows = runs[0]
    bad, seen = 0, {}
    for i in range(n):
        req, ref = ref_rows[i][1], ref_rows[i][2]
        diff = []
        for name, rows in runs[1:]:
            ans = rows[i][2]
            if rows[i][1] != req:
                diff.append((name, ans, "a different packet was sent"))
                continue
            if ans == ref and "?" not in ans:
                continue
            why = next((e for e in EXPECTED if e[0] == name and "?" not in ref + ans
                        and e[3](req, ref, ans)), None)
            if why:
                seen[(name, why[1])] = seen.get((name, why[1]), 0) + 1
            else:
                diff.append((name, ans, None))
        if not diff and "?" not in ref:
            continue
        bad += 1
        print("packet %d: %s" % (i, req))
        print("  %s: %s" % (ref_name, {"-": "no reply", "?": "undecided (no marker reply)"}.get(ref, ref)))
        for name, ans, note in diff:
            print("  %s: %s" % (name, note or {"-": "no reply", "?": "undecided (no marker reply)"}.get(ans, ans)))
    for e in EXPECTED:
        if (e[0], e[1]) in seen:
            print("expected: %s differs from %s on %d packets (%s): %s" %
                  (e[0], ref_name, seen[(e[0], e[1])], e[1], e[2]))
    print("%d packets, %d expected differences, %d disagreements" %
          (n, sum(seen.values()), bad))
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
