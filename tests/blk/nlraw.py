#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# nlraw.py CMD [NAME:TYPE:VALUE ...]: send one KSCOPE_CMD_<CMD> request for
# source "blk" with the given attributes in its KSCOPE_A_CTL_BLK nest, built
# by hand (no kscope reader), so that tests can send requests the reader
# would never build. NAME is an enum name from include/uapi/linux/kscope.h or a
# number; TYPE is u8, u16, u32, u64, str (NUL-terminated) or raw (hex).
# Prints "errno N: extack" and exits 1 when the kernel refuses, 0 on ACK.
import os
import re
import socket
import struct
import sys

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
NETLINK_GENERIC = 16
GENL_ID_CTRL = 0x10
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2


def enums():
    """Every enumerator of the uapi header, by name."""
    text = open(os.path.join(TOP, "include/uapi/linux/kscope.h")).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    out = {}
    for body in re.findall(r"enum \w+ \{(.*?)\};", text, flags=re.S):
        val = -1
        for ent in body.split(","):
            ent = ent.strip()
            if not ent:
                continue
            if "=" in ent:
                name, expr = (s.strip() for s in ent.split("="))
                val = int(expr, 0)
            else:
                name, val = ent, val + 1
            out[name] = val
    return out


def attr(t, payload):
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + b"\0" * ((4 - ln % 4) % 4)


def genl_msg(family, cmd, attrs, seq):
    body = struct.pack("=BBH", cmd, 1, 0) + attrs
    return struct.pack("=IHHII", 16 + len(body), family,
                       NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body


def parse_attrs(buf):
    out = {}
    while len(buf) >= 4:
        ln, t = struct.unpack("=HH", buf[:4])
        if ln < 4:
            break
        out[t & 0x3fff] = buf[4:ln]
        buf = buf[(ln + 3) & ~3:]
    return out


def talk(sk, msg):
    """Send @msg, return the first message answering its sequence number."""
    want = struct.unpack("=I", msg[8:12])[0]
    sk.send(msg)
    while True:
        data = sk.recv(65536)
        while len(data) >= 16:
            ln, typ, flags, seq, pid = struct.unpack("=IHHII", data[:16])
            if seq == want:
                return typ, data[16:ln]
            data = data[(ln + 3) & ~3:]


def main():
    E = enums()
    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sk.bind((0, 0))
    sk.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
    sk.setsockopt(270, 10, 1)  # NETLINK_CAP_ACK: no echoed payload
    # CTRL_CMD_GETFAMILY(3), CTRL_ATTR_FAMILY_NAME(2)
    typ, body = talk(sk, genl_msg(GENL_ID_CTRL, 3,
                                  attr(2, b"kscope\0"), 1))
    if typ == NLMSG_ERROR:
        print("kscope family not registered")
        return 2
    fam = struct.unpack("=H", parse_attrs(body[4:])[1][:2])[0]

    ctl = b""
    for spec in sys.argv[2:]:
        name, kind, value = spec.split(":", 2)
        t = E[name] if name in E else int(name, 0)
        if kind == "str":
            p = value.encode() + b"\0"
        elif kind == "raw":
            p = bytes.fromhex(value)
        else:
            p = struct.pack({"u8": "=B", "u16": "=H", "u32": "=I",
                             "u64": "=Q"}[kind], int(value, 0))
        ctl += attr(t, p)
    attrs = attr(E["KSCOPE_A_SOURCE"], b"blk\0") + \
        attr(E["KSCOPE_A_CTL_BLK"] | 0x8000, ctl)
    cmd = E["KSCOPE_CMD_" + sys.argv[1]]
    typ, body = talk(sk, genl_msg(fam, cmd, attrs, 2))
    if typ != NLMSG_ERROR:
        print("reply")
        return 0
    err = struct.unpack("=i", body[:4])[0]
    if err == 0:
        print("ack")
        return 0
    # extack TLVs follow the echoed request header (capped: 16 bytes)
    tl = parse_attrs(body[4 + 16:])
    msg = tl.get(1, b"").rstrip(b"\0").decode(errors="replace")
    print("errno %d: %s" % (-err, msg))
    return 1


if __name__ == "__main__":
    sys.exit(main())
