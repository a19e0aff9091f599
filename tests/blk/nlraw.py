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
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import kscope_nl as nl  # noqa: E402


def main():
    E = nl.enums()
    sk = nl.Genl()
    fam, _ = sk.family("kscope")
    if fam is None:
        print("kscope family not registered")
        return 2

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
        ctl += nl.attr(t, p)
    attrs = nl.attr(E["KSCOPE_A_SOURCE"], b"blk\0") + \
        nl.attr(E["KSCOPE_A_CTL_BLK"] | nl.NLA_F_NESTED, ctl)
    cmd = E["KSCOPE_CMD_" + sys.argv[1]]
    ans = sk.talk(fam, cmd, attrs)
    if ans.replies:
        print("reply")
        return 0
    if ans.errno == 0:
        print("ack")
        return 0
    print("errno %d: %s" % (ans.errno, ans.extack))
    return 1

if __name__ == "__main__":
    sys.exit(main())
