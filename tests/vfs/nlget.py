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
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import kscope_nl as nl  # noqa: E402
from kscope_nl import attr, cstr, genl_payload  # noqa: E402

BAD = []


def parse_attrs(buf):
    """[(type, payload)] in order; a length past the buffer is noted."""
    return nl.parse_attrs(buf, BAD)


def main():
    E = nl.enums()
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

    sk = nl.Genl(BAD)
    fam, err = sk.family("kscope")
    if fam is None:
        print(json.dumps(dict(errno=err or -1, extack="no kscope family")))
        return 2

    ctl = b""
    if top_n is not None:
        ctl += attr(E["KSCOPE_VFS_TOP_N"], struct.pack("=I", top_n))
    req = attr(E["KSCOPE_A_SOURCE"], b"vfs\0") + \
        attr(E["KSCOPE_A_CTL_VFS"] | nl.NLA_F_NESTED, ctl)
    ans = sk.talk(fam, E["KSCOPE_CMD_CTL_GET"], req)
    rep, err, ext = ans.replies, ans.errno, ans.extack

    out = dict(errno=err, extack=ext, msgs=len(rep),
               sizes=[len(m) for m in rep], ops=0, files=[], procs=[],
               found={s: any(s.encode() in m for m in rep) for s in finds})
    for m in rep:
        for t, p in parse_attrs(genl_payload(m)):
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
