# SPDX-License-Identifier: GPL-2.0
"""Generic netlink by hand, for kscope's Python test tools.

The tools (tests/blk/nlraw.py, tests/vfs/nlget.py, tests/core/nlpolicy.py)
build requests and parse replies themselves rather than through the kscope
reader, so that a test sees exactly what went over the socket. This module
holds what they share: the enumerators of a header (the oracle for every
number), attribute building and parsing, and a socket that resolves the
"kscope" family through nlctrl and reads every answer to a request up to
its acknowledgement, with the extended ACK's message and offset.

A tool run as a script from its own directory imports it with:

    sys.path.insert(0, os.path.join(os.path.dirname(
        os.path.abspath(__file__)), ".."))
    import kscope_nl
"""
import collections
import os
import re
import socket
import struct

TOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
UAPI = os.path.join(TOP, "include/uapi/linux/kscope.h")

NETLINK_GENERIC = 16
SOL_NETLINK, NETLINK_CAP_ACK, NETLINK_EXT_ACK = 270, 10, 11
NLMSG_HDRLEN, GENL_HDRLEN = 16, 4
NLMSG_ERROR, NLMSG_DONE = 2, 3
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
NLA_F_NESTED, NLA_TYPE_MASK = 0x8000, 0x3fff
NLMSGERR_ATTR_MSG, NLMSGERR_ATTR_OFFS = 1, 2
GENL_ID_CTRL = 0x10
CTRL_CMD_GETFAMILY = 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

_HDR = struct.Struct("=IHHII")  # struct nlmsghdr


def align(n):
    """@n rounded up to the netlink alignment (4 bytes)."""
    return (n + 3) & ~3


def parse_enums(path=UAPI):
    """({enumerator: value}, {enum tag: [enumerators]}) of the C header
    @path. A value may be a number or an enumerator defined before it;
    anonymous enums count under the tag ""."""
    with open(path) as f:
        text = f.read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"^\s*#.*$", "", text, flags=re.M)
    values, members = {}, {}
    for tag, body in re.findall(r"enum\s*(\w*)\s*\{(.*?)\};", text, re.S):
        val = -1
        names = members.setdefault(tag, [])
        for ent in body.split(","):
            ent = ent.strip()
            if not ent:
                continue
            if "=" in ent:
                ent, expr = (s.strip() for s in ent.split("=", 1))
                try:
                    val = int(expr, 0)
                except ValueError:
                    val = values.get(expr, val + 1)
            else:
                val += 1
            values[ent] = val
            names.append(ent)
    return values, members


def enums(path=UAPI):
    """Every enumerator of the header @path (kscope's uapi), by name."""
    return parse_enums(path)[0]


def attr(t, payload):
    """One attribute of type @t (flags included) carrying bytes @payload,
    padded to the netlink alignment."""
    ln = 4 + len(payload)
    return struct.pack("=HH", ln, t) + payload + b"\0" * (align(ln) - ln)


def parse_attrs(buf, bad=None):
    """[(type, payload)] of the attributes in @buf, in order, the type
    without its flag bits. A length shorter than the attribute header or
    running past @buf ends the walk; it is noted in the list @bad if one
    is given."""
    out = []
    while len(buf) >= 4:
        ln, t = struct.unpack_from("=HH", buf)
        if ln < 4 or ln > len(buf):
            if bad is not None:
                bad.append("type %d len %d in %d bytes" %
                           (t & NLA_TYPE_MASK, ln, len(buf)))
            break
        out.append((t & NLA_TYPE_MASK, buf[4:ln]))
        buf = buf[align(ln):]
    return out


def num(p):
    """The unsigned number in the payload @p of 1, 2, 4 or 8 bytes."""
    return struct.unpack({1: "=B", 2: "=H", 4: "=I", 8: "=Q"}[len(p)], p)[0]


def cstr(p):
    """The NUL-terminated string in the payload @p."""
    return p.split(b"\0", 1)[0].decode(errors="replace")


def genl_msg(family, cmd, attrs, seq, flags=NLM_F_ACK, version=1):
    """A request message: nlmsghdr, genlmsghdr and the bytes @attrs."""
    body = struct.pack("=BBH", cmd, version, 0) + attrs
    return _HDR.pack(NLMSG_HDRLEN + len(body), family, NLM_F_REQUEST | flags,
                     seq, 0) + body


def genl_payload(msg):
    """The attributes of the generic netlink message @msg (whole, from its
    nlmsghdr), after both headers."""
    return msg[NLMSG_HDRLEN + GENL_HDRLEN:]


# replies: whole messages (nlmsghdr on), before the ACK, NLMSG_ERROR or
# NLMSG_DONE; errno: positive, 0 for an ACK; extack, offset: the extended
# ACK's message ("" if none) and offset of the attribute it points at
# (from the start of the request, None if none); tlvs: all its attributes
Answer = collections.namedtuple("Answer",
                                "replies errno extack offset tlvs")


def parse_end(msg, bad=None):
    """(errno, extack, offset, tlvs) of an NLMSG_ERROR or NLMSG_DONE
    message @msg (whole, from its nlmsghdr). An error echoes the request
    after its error code, only its header when NLM_F_CAPPED; the extended
    ACK's attributes follow when NLM_F_ACK_TLVS. A dump's NLMSG_DONE
    carries its error code and the attributes right after it."""
    ln, typ, flags, _, _ = _HDR.unpack_from(msg)
    msg = msg[:ln]
    err = -struct.unpack_from("=i", msg, NLMSG_HDRLEN)[0] \
        if ln >= NLMSG_HDRLEN + 4 else 0
    tlvs = {}
    if flags & NLM_F_ACK_TLVS:
        off = NLMSG_HDRLEN + 4
        if typ == NLMSG_ERROR:
            echoed = NLMSG_HDRLEN
            if not flags & NLM_F_CAPPED and ln >= off + 4:
                echoed = align(struct.unpack_from("=I", msg, off)[0])
            off += echoed
        tlvs = dict(parse_attrs(msg[off:], bad))
    offs = tlvs.get(NLMSGERR_ATTR_OFFS)
    return (err, cstr(tlvs.get(NLMSGERR_ATTR_MSG, b"")),
            num(offs) if offs is not None and len(offs) == 4 else None, tlvs)


class Genl:
    """A generic netlink socket asking for extended ACKs and capped
    (header only) echoes of refused requests. Attribute lengths that do
    not fit, in answers' extended ACKs and in nlctrl's reply, are noted in
    the list @bad if one is given."""

    def __init__(self, bad=None):
        self.sk = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                                NETLINK_GENERIC)
        self.sk.bind((0, 0))
        self.sk.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
        self.sk.setsockopt(SOL_NETLINK, NETLINK_CAP_ACK, 1)
        self.seq = 0
        self.bad = bad

    def talk(self, family, cmd, attrs, flags=NLM_F_ACK):
        """Send one request; return its Answer, read up to the message
        that ends it (NLMSG_ERROR, or NLMSG_DONE for a dump)."""
        self.seq += 1
        self.sk.send(genl_msg(family, cmd, attrs, self.seq, flags))
        replies = []
        while True:
            data = self.sk.recv(1 << 20)
            while len(data) >= NLMSG_HDRLEN:
                ln, typ, _, seq, _ = _HDR.unpack_from(data)
                if ln < NLMSG_HDRLEN or ln > len(data):
                    break
                if seq == self.seq:
                    if typ in (NLMSG_ERROR, NLMSG_DONE):
                        return Answer(replies,
                                      *parse_end(data[:ln], self.bad))
                    replies.append(data[:ln])
                data = data[align(ln):]

    def family(self, name="kscope"):
        """(id, errno) of the generic netlink family @name, by nlctrl's
        CTRL_CMD_GETFAMILY; id is None if it was not found."""
        ans = self.talk(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                        attr(CTRL_ATTR_FAMILY_NAME, name.encode() + b"\0"))
        if ans.errno or not ans.replies:
            return None, ans.errno
        a = dict(parse_attrs(genl_payload(ans.replies[0]), self.bad))
        fid = a.get(CTRL_ATTR_FAMILY_ID)
        return (num(fid) if fid is not None and len(fid) == 2 else None,
                ans.errno)
