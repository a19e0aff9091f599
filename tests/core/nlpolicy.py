#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# nlpolicy.py: checks of the kscope family's request policies, one line
# per check, "ok NAME" or "not ok NAME: WHY" (tests/core/95-policy.sh makes
# them KTAP). The oracles are the headers, not the module: the attributes,
# their types, ranges and where they may go come from the comments of
# include/uapi/linux/kscope.h (see its "Source-specific requests"), the
# netlink numbers from /usr/include/linux/{netlink,genetlink}.h.
#
#   nlpolicy.py dump      CTRL_CMD_GETPOLICY of ops CTL and CTL_GET
#   nlpolicy.py refuse    requests the core's validation must refuse
#                         (run with kscope_tcp, _blk and _probe unloaded:
#                         only the core can answer them) and one the
#                         testgen source must take
import os
import re
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                ".."))
import kscope_nl  # noqa: E402
from kscope_nl import (UAPI, GENL_ID_CTRL, NLM_F_DUMP,  # noqa: E402
                       NLA_F_NESTED, attr, num, genl_payload)
from kscope_nl import parse_attrs as parse  # noqa: E402

SOURCES = ["testgen", "tcp", "blk", "net", "vfs", "mem", "sched", "probe"]
NO_READ = ("testgen", "net")    # sources without read requests (CTL_GET)


def source_attrs(src):
    """[(name, value, comment)] of enum kscope_<src>_attr: the comment on
    an enumerator's line, or the block comment right above it."""
    body = re.search(r"enum kscope_%s_attr \{(.*?)\};" % src,
                     open(UAPI).read(), re.S)[1]
    out, pending, block, val = [], "", None, -1
    for line in body.splitlines():
        s = line.strip()
        if block is not None:
            block.append(s.rstrip("/").strip("* "))
            if s.endswith("*/"):
                pending, block = " ".join(b for b in block if b), None
            continue
        if s.startswith("/*"):
            if s.endswith("*/"):
                pending = s[2:-2].strip(" *")
            else:
                block = [s[2:].strip()]
            continue
        m = re.match(r"(\w+)\s*(?:=\s*([^,]+))?,\s*(?:/\*(.*?)\*/)?", s)
        if not m:
            continue
        val = int(m[2], 0) if m[2] else val + 1
        if not m[1].startswith("__"):
            out.append((m[1], val, (m[3] or pending).strip()))
        pending = ""
    return out


U = kscope_nl.enums("/usr/include/linux/genetlink.h")
N = kscope_nl.enums("/usr/include/linux/netlink.h")
E, EM = kscope_nl.parse_enums(UAPI)
TYPES = {"u8": "U8", "u16": "U16", "u32": "U32", "u64": "U64", "s32": "S32",
         "string": "NUL_STRING", "flag": "FLAG", "nest": "NESTED"}
TYPE_NAME = {N["NL_ATTR_TYPE_" + t]: t for t in
             list(TYPES.values()) + ["BINARY", "STRING", "S8", "S16", "S64"]}


def expect(comment):
    """What the header says: (type, in CTL, in CTL_GET, checks)."""
    m = re.match(r"(u8|u16|u32|u64|s32|string|flag|nest|(\d+) bytes)\b",
                 comment)
    if not m:
        return None
    kind = "BINARY" if m[2] else TYPES[m[1]]
    reply = re.search(r"\(reply\b", comment) is not None
    get_only = "(CTL_GET)" in comment
    get = get_only or "(also CTL_GET)" in comment
    want = {}
    if m[2]:
        want = {"MIN_LENGTH": int(m[2]), "MAX_LENGTH": int(m[2])}
    rng = re.search(r"\b(\d+)\.\.(\d+)\b", comment)
    if kind == "NUL_STRING" and rng:
        want["MAX_LENGTH"] = int(rng[2])
    elif kind.startswith("U") and rng:
        want = {"MIN_VALUE_U": int(rng[1]), "MAX_VALUE_U": int(rng[2])}
    elif kind.startswith("U") and re.search(r"\b0/1\b", comment):
        want = {"MIN_VALUE_U": 0, "MAX_VALUE_U": 1}
    en = re.search(r"enum (kscope_\w+)", comment)
    if kind.startswith("U") and en:
        vals = [E[x] for x in EM[en[1]] if not x.startswith("__")]
        want = {"MIN_VALUE_U": min(vals), "MAX_VALUE_U": max(vals)}
    fl = re.search(r"\b(KSCOPE_\w+_F)_\*", comment)
    if fl:
        mask = 0
        for shift in re.findall(r"#define %s_\w+\s+\(1U << (\d+)\)" % fl[1],
                                open(UAPI).read()):
            mask |= 1 << int(shift)
        want = {"MASK": mask}
    return kind, not reply and not get_only, not reply and get, want


class Genl(kscope_nl.Genl):
    """A generic netlink socket with the kscope family's id in .fam."""

    def __init__(self):
        super().__init__()
        self.fam, err = self.family("kscope")
        if self.fam is None:
            sys.exit("not ok kscope family: errno %d" % err)


def policy_of(nl, cmd):
    """(op's policy index, {index: {attr: {NL_POLICY_TYPE_ATTR_*: v}}})"""
    ans = nl.talk(GENL_ID_CTRL, U["CTRL_CMD_GETPOLICY"],
                  attr(U["CTRL_ATTR_FAMILY_NAME"], b"kscope\0") +
                  attr(U["CTRL_ATTR_OP"], struct.pack("=I", cmd)),
                  NLM_F_DUMP)
    if ans.errno:
        raise RuntimeError("CTRL_CMD_GETPOLICY: errno %d" % ans.errno)
    names = {v: k[len("NL_POLICY_TYPE_ATTR_"):] for k, v in N.items()
             if k.startswith("NL_POLICY_TYPE_ATTR_")}
    op, pols = None, {}
    for r in ans.replies:
        for t, p in parse(genl_payload(r)):
            if t == U["CTRL_ATTR_OP_POLICY"]:
                for c, q in parse(p):
                    if c == cmd:
                        op = num(dict(parse(q))[U["CTRL_ATTR_POLICY_DO"]])
            elif t == U["CTRL_ATTR_POLICY"]:
                for idx, q in parse(p):
                    for a, d in parse(q):
                        pols.setdefault(idx, {})[a] = {
                            names.get(k, k): num(v) for k, v in parse(d)}
    return op, pols


def dump(nl):
    res = []
    for opname in ("CTL", "CTL_GET"):
        get = opname == "CTL_GET"
        op, pols = policy_of(nl, E["KSCOPE_CMD_" + opname])
        top = pols.get(op, {})
        bad = [n for n in ("KSCOPE_A_CTL",) if E[n] in top]
        if E["KSCOPE_A_SOURCE"] not in top:
            bad.append("KSCOPE_A_SOURCE missing")
        res.append(("%s: KSCOPE_A_SOURCE taken, KSCOPE_A_CTL refused" %
                    opname, bad))
        for src in SOURCES:
            slot = top.get(E["KSCOPE_A_CTL_" + src.upper()])
            attrs = source_attrs(src)
            wanted = [(n, v, expect(c)) for n, v, c in attrs
                      if not n.endswith(("_UNSPEC", "_PAD"))]
            errs = [n + ": no type in its comment" for n, v, x in wanted
                    if x is None]
            in_op = [(n, v, x) for n, v, x in wanted if x and x[1 + get]]
            if slot is None or slot.get("TYPE") != N["NL_ATTR_TYPE_NESTED"]:
                if in_op:
                    errs.append("no nested policy for the source's slot")
                res.append(("%s %s: nest policy" % (opname, src), errs))
                continue
            pol = pols.get(slot["POLICY_IDX"], {})
            if slot.get("POLICY_MAXTYPE") != attrs[-1][1] and not get:
                errs.append("maxtype %s, header's last attribute %d" %
                            (slot.get("POLICY_MAXTYPE"), attrs[-1][1]))
            shown = 0
            for n, v, x in wanted:
                p = pol.get(v)
                if x is None:
                    continue
                if not x[1 + get]:
                    if p is not None:
                        errs.append("%s accepted (type %s), header says "
                                    "not in this request" %
                                    (n, TYPE_NAME.get(p.get("TYPE"))))
                    continue
                if p is None:
                    errs.append("%s missing" % n)
                    continue
                shown += 1
                if p.get("TYPE") != N["NL_ATTR_TYPE_" + x[0]]:
                    errs.append("%s: type %s, header says %s" %
                                (n, TYPE_NAME.get(p.get("TYPE"),
                                                  p.get("TYPE")), x[0]))
                for k, w in x[3].items():
                    if p.get(k) != w:
                        errs.append("%s: %s %s, header says %s" %
                                    (n, k, p.get(k), w))
            for v in pol:
                if v not in [w[1] for w in wanted]:
                    errs.append("attribute %d not in the header" % v)
            res.append(("%s %s: %d attributes as the header says" %
                        (opname, src, shown), errs))
    return res


def request(nl, cmd, source, pre, slot, inner):
    """Send SOURCE + @pre attrs + @slot nest of @inner [(t, payload)];
    return (errno, extack msg, offset of the bad attr, offsets by name)."""
    hdr = 20
    attrs = attr(E["KSCOPE_A_SOURCE"], source.encode() + b"\0")
    offs = {}
    for name, t, p in pre:
        offs[name] = hdr + len(attrs)
        attrs += attr(t, p)
    if slot is not None:
        nest = b""
        offs[slot] = hdr + len(attrs)
        for name, t, p in inner:
            offs[name] = hdr + len(attrs) + 4 + len(nest)
            nest += attr(t, p)
        attrs += attr(E[slot] | NLA_F_NESTED, nest)
    ans = nl.talk(nl.fam, E["KSCOPE_CMD_" + cmd], attrs)
    return ans.errno, ans.extack, ans.offset, offs


def refused(label, got, at, errnos=(22, 34)):
    """A refusal with an extack message pointing at attribute @at."""
    err, msg, off, offs = got
    why = []
    if err not in errnos:
        why.append("errno %d (%s), want %s" %
                   (err, os.strerror(err) if err else "ok", errnos))
    if not msg:
        why.append("no extack message")
    if off != offs[at]:
        why.append("extack points at offset %s, %s is at %d" %
                   (off, at, offs[at]))
    return (label + (" (%s)" % msg if msg else ""), why)


def u(fmt, v):
    return struct.pack("=" + fmt, v)


def refuse(nl):
    res = []
    # wrong type or range inside a nest, for sources whose module is not
    # loaded: only the core's validation can answer with its attribute
    bad = [
        ("tcp", "KSCOPE_TCP_ADDR", b"\x7f\0\0\x01", "4 bytes for 16"),
        ("tcp", "KSCOPE_TCP_CLEAR", u("I", 1), "flag with a payload"),
        ("blk", "KSCOPE_BLK_NAME", b"abc", "string without its NUL"),
        ("blk", "KSCOPE_BLK_QUEUES", u("I", 0), "u32 below its range"),
        ("probe", "KSCOPE_PROBE_SYMBOL", b"vfs_read", "string without NUL"),
        ("probe", "KSCOPE_PROBE_OP", u("B", 9), "u8 beyond its enum"),
    ]
    for src, name, payload, what in bad:
        slot = "KSCOPE_A_CTL_" + src.upper()
        got = request(nl, "CTL", src, [], slot,
                      [(name, E[name], payload)])
        res.append(refused("%s %s: %s refused by the core" %
                           (src, name, what), got, name))
    # every reply-only attribute of every source, in its own request
    for src in SOURCES:
        slot = "KSCOPE_A_CTL_" + src.upper()
        names = [(n, expect(c)) for n, v, c in source_attrs(src)
                 if not n.endswith(("_UNSPEC", "_PAD")) and expect(c)]
        names = [(n, x[0]) for n, x in names if not x[1] and not x[2]]
        if not names:
            continue
        why = []
        for n, kind in names:
            t = E[n] | (NLA_F_NESTED if kind == "NESTED" else 0)
            for cmd in ("CTL", "CTL_GET"):
                got = request(nl, cmd, src, [], slot, [(n, t, u("I", 1))])
                # a source that takes no read requests has its whole
                # nest refused in CTL_GET: the extack points at the nest
                at = slot if cmd == "CTL_GET" and src in NO_READ else n
                r = refused("", got, at)[1]
                why += ["%s in %s: %s" % (n, cmd, w) for w in r]
        res.append(("%s: its %d reply-only attributes refused in requests" %
                    (src, len(names)), why))
    # the testgen source (loaded) and other sources' nests
    tg = "KSCOPE_A_CTL_TESTGEN"
    got = request(nl, "CTL", "testgen", [], "KSCOPE_A_CTL_TCP",
                  [("KSCOPE_TCP_PORT", E["KSCOPE_TCP_PORT"], u("H", 80))])
    name, why = refused("testgen with tcp's nest refused", got,
                        "KSCOPE_A_CTL_TCP", (22,))
    # kernels that format extack messages (6.2+) name it in the text too
    named = re.findall(r"KSCOPE_A_CTL_[A-Z]+\b", got[1])
    if named and "KSCOPE_A_CTL_TCP" not in named:
        why.append("the message names other attributes: %s" % named)
    res.append((name, why))
    got = request(nl, "CTL", "testgen",
                  [("KSCOPE_A_CTL_PROBE", E["KSCOPE_A_CTL_PROBE"] |
                    NLA_F_NESTED, b"")], tg,
                  [("KSCOPE_TG_COUNT", E["KSCOPE_TG_COUNT"], u("I", 1))])
    res.append(refused("testgen with its own and probe's nest refused", got,
                       "KSCOPE_A_CTL_PROBE", (22,)))
    got = request(nl, "CTL", "testgen",
                  [("KSCOPE_A_CTL", E["KSCOPE_A_CTL"] | NLA_F_NESTED,
                    attr(E["KSCOPE_TG_COUNT"], u("I", 1)))], None, [])
    res.append(refused("KSCOPE_A_CTL (replies') refused in a request", got,
                       "KSCOPE_A_CTL", (22,)))
    got = request(nl, "CTL", "testgen", [], tg,
                  [("KSCOPE_TG_COUNT", E["KSCOPE_TG_COUNT"], u("I", 1)),
                   ("KSCOPE_TG_WAIT", E["KSCOPE_TG_WAIT"], b"")])
    res.append(("testgen takes a request in its own nest",
                [] if got[0] == 0 else ["errno %d: %s" % got[:2]]))
    return res


def main():
    nl = Genl()
    res = dump(nl) if sys.argv[1:] == ["dump"] else refuse(nl)
    failed = 0
    for name, why in res:
        if why:
            failed += 1
            print("not ok %s: %s" % (name, "; ".join(why)))
        else:
            print("ok %s" % name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
