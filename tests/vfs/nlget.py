#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# nlget.py [--top-n N] [--find STRING ...]: one KSCOPE_CMD_CTL_GET request
# for source "vfs", built and parsed by hand (not by the kscope reader), so
# that tests see exactly what the kernel sent. Reads every reply message
# up to the acknowledgement and prints one JSON object:
#   errno, extack          0 and "" unless the kernel refused
#   msgs, sizes            reply messages and their lengths (bytes)
#   ops                    KSCOPE_VFS_OPS nests (per-filesystem totals)
#   files, procs           top entries: [pid, comm, name] / [pid, comm]
#   found                  {STRING: whether its bytes occur in any reply}
#   bad                    attributes whose lengths do not fit their parent
import json
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


BAD = []


def parse_attrs(buf):
    """[(type, payload)] in order; a length past the buffer is noted."""
    out = []
    while len(buf) >= 4:
        ln, t = struct.unpack("=HH", buf[:4])
        if ln < 4 or ln > len(buf):
            BAD.append("type %d len %d in %d bytes" % (t & 0x3fff, ln,
                                                        len(buf)))
            break
        out.append((t & 0x3fff, buf[4:ln]))
        buf = buf[(ln + 3) & ~3:]
    return out


def cstr(b):
    return b.split(b"\0", 1)[0].decode(errors="replace")


def talk(sk, msg):
    """Send @msg; return (reply bodies, error, extack) up to the ACK."""
    want = struct.unpack("=I", msg[8:12])[0]
    sk.send(msg)
    replies = []
    while True:
        data = sk.recv(1 << 20)
        while len(data) >= 16:
            ln, typ, flags, seq, pid = struct.unpack("=IHHII", data[:16])
            if seq == want:
                if typ == NLMSG_ERROR:
                    err = -struct.unpack("=i", data[16:20])[0]
                    # extack TLVs follow the echoed request header
                    tl = dict(parse_attrs(data[16 + 4 + 16:ln]))
                    return replies, err, cstr(tl.get(1, b""))
                replies.append(data[:ln])
            data = data[(ln + 3) & ~3:]


def main():
    E = enums()
    top_n, finds = None, []
    args = sys.argv[1:]
    while args:
        if args[0] == "--top-n":
            top_n = int(args[1])
        elif args[0] == "--find":
            finds.append(args[1])
        else:
            sys.exit("usage: nlget.py [--top-n N] [--find STRING ...]")
        args = args[2:]

    sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_GENERIC)
    sk.bind((0, 0))
    sk.setsockopt(270, 11, 1)  # SOL_NETLINK, NETLINK_EXT_ACK
    sk.setsockopt(270, 10, 1)  # NETLINK_CAP_ACK: no echoed payload
    # CTRL_CMD_GETFAMILY(3), CTRL_ATTR_FAMILY_NAME(2)
    rep, err, _ = talk(sk, genl_msg(GENL_ID_CTRL, 3,
                                    attr(2, b"kscope\0"), 1))
    if err or not rep:
        print(json.dumps(dict(errno=err or -1, extack="no kscope family")))
        return 2
    fam = struct.unpack("=H", dict(parse_attrs(rep[0][20:]))[1][:2])[0]

    ctl = b""
    if top_n is not None:
        ctl += attr(E["KSCOPE_VFS_TOP_N"], struct.pack("=I", top_n))
    req = attr(E["KSCOPE_A_SOURCE"], b"vfs\0") + \
        attr(E["KSCOPE_A_CTL_VFS"] | 0x8000, ctl)
    rep, err, ext = talk(sk, genl_msg(fam, E["KSCOPE_CMD_CTL_GET"], req, 2))

    out = dict(errno=err, extack=ext, msgs=len(rep),
               sizes=[len(m) for m in rep], ops=0, files=[], procs=[],
               found={s: any(s.encode() in m for m in rep) for s in finds})
    for m in rep:
        for t, p in parse_attrs(m[20:]):
            if t != E["KSCOPE_A_CTL"]:
                continue
            for t2, p2 in parse_attrs(p):
                if t2 == E["KSCOPE_VFS_OPS"]:
                    out["ops"] += 1
                    parse_attrs(p2)
                elif t2 in (E["KSCOPE_VFS_TOP_FILE"], E["KSCOPE_VFS_TOP_PROC"]):
                    a = dict(parse_attrs(p2))
                    pid = struct.unpack("=I", a[E["KSCOPE_VFS_PID"]])[0]
                    comm = cstr(a.get(E["KSCOPE_VFS_COMM"], b""))
                    if t2 == E["KSCOPE_VFS_TOP_FILE"]:
                        out["files"].append(
                            [pid, comm, cstr(a.get(E["KSCOPE_VFS_NAME"], b""))])
                    else:
                        out["procs"].append([pid, comm])
    out["bad"] = BAD
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
