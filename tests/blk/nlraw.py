#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# nlraw.py CMD [NAME:TYPE:VALUE ...]: send one KSCOPE_CMD_<CMD> request for
# source "blk" with the given attributes in its KSCOPE_A_CTL_BLK nest, built
# by hand (no kscope reader), so that tests can send requests the reader
# would never build. NAME is an enum name from include/uapi/linux/kscope.h or a
# number; TYPE is u8, u16, u32, u64, str (NUL-terminated) or raw (hex).
# Prints "errno N: extack" and exits 1 when the kernel refuses, 0 on ACK.
#
# nlraw.py --serve: one process for many requests (a python3 start costs
# the tests most of a second in a guest). Reads one argument line at a
# time from stdin (CMD NAME:TYPE:VALUE ..., shell-quoted), and prints for
# each "STATUS TEXT": the exit status and the line a single call would
# give. Ends at the end of its input.
import os
import shlex
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import kscope_nl as nl  # noqa: E402

ENUMS = {}


def enums():
    """The uapi header's enums, read once per process."""
    if not ENUMS:
        ENUMS.update(nl.enums())
    return ENUMS


def request(argv):
    """Sends the request argv (CMD NAME:TYPE:VALUE ...); returns the exit
    status and the line to print."""
    E = enums()
    sk = nl.Genl()
    try:
        fam, _ = sk.family("kscope")
        if fam is None:
            return 2, "kscope family not registered"

        ctl = b""
        for spec in argv[1:]:
            name, kind, value = spec.split(":", 2)
            t = E[name] if name in E else int(name, 0)
            if kind == "str":
                p = value.encode() + b"\0"
            elif kind == "raw":
                p = bytes.fromhex(value)
            else:
                p = struct.pack({"u8": "=B", "u16": "=H", "u32": "=I",
                                 "u64": "=Q"}[kind], int(value, 0))
            ctl += nl.attr(t, p)
        attrs = nl.attr(E["KSCOPE_A_SOURCE"], b"blk\0") + \
            nl.attr(E["KSCOPE_A_CTL_BLK"] | nl.NLA_F_NESTED, ctl)
        cmd = E["KSCOPE_CMD_" + argv[0]]
        ans = sk.talk(fam, cmd, attrs)
    finally:
        sk.sk.close()
    if ans.replies:
        return 0, "reply"
    if ans.errno == 0:
        return 0, "ack"
    return 1, "errno %d: %s" % (ans.errno, ans.extack)


def serve():
    for line in iter(sys.stdin.readline, ""):
        try:
            rc, text = request(shlex.split(line))
        except Exception as e:
            rc, text = 2, "error " + " ".join(repr(e).split())
        print(rc, text, flush=True)


def main():
    if sys.argv[1:] == ["--serve"]:
        serve()
        return 0
    rc, text = request(sys.argv[1:])
    print(text)
    return rc


if __name__ == "__main__":
    sys.exit(main())
