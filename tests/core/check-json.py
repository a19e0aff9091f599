#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Check `kscope --json` output against the contract (kscope(8), JSON OUTPUT).

    check-json.py --schema userspace/kscope.schema.json [--expect TYPE]... [FILE...]
    check-json.py --self-test userspace/kscope.schema.json

Every line of each FILE (stdin without one) must be one JSON object with
unique keys that the schema accepts. --expect TYPE: at least one line of
that type. Prints "ok: N lines (TYPE=N ...)" or one line per problem,
exit status 0 or 1. Python's standard library only: the schema keywords
kscope.schema.json uses are implemented here (type, const, enum,
properties, required, additionalProperties, items, minimum, $ref, allOf,
if/then).
"""
import json
import sys

# JSON Schema's types, for Python values from json.loads
TYPES = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}
KNOWN = {"type", "const", "enum", "properties", "required", "additionalProperties",
         "items", "minimum", "maximum", "$ref", "allOf", "if", "then", "description",
         "$schema", "$id", "title", "$defs"}


class Checker:
    def __init__(self, schema):
        self.root = schema
        self.unknown = set()

    def ref(self, r):
        if not r.startswith("#/"):
            raise ValueError("only local $ref: %s" % r)
        node = self.root
        for part in r[2:].split("/"):
            node = node[part]
        return node

    def errors(self, v, s, path="$"):
        """The problems of value v under schema s, as strings."""
        if s is True or s == {}:
            return []
        if s is False:
            return ["%s: not allowed" % path]
        self.unknown |= set(s) - KNOWN
        errs = []
        if "$ref" in s:
            errs += self.errors(v, self.ref(s["$ref"]), path)
        if "type" in s:
            ts = s["type"] if isinstance(s["type"], list) else [s["type"]]
            if not any(TYPES[t](v) for t in ts):
                return errs + ["%s: %s is not %s" % (path, json.dumps(v)[:60], "|".join(ts))]
        if "const" in s and v != s["const"]:
            errs.append("%s: %s is not %s" % (path, json.dumps(v)[:60], json.dumps(s["const"])))
        if "enum" in s and v not in s["enum"]:
            errs.append("%s: %s is not one of %s" % (path, json.dumps(v)[:60], s["enum"]))
        if "minimum" in s and TYPES["number"](v) and v < s["minimum"]:
            errs.append("%s: %s < %s" % (path, v, s["minimum"]))
        if "maximum" in s and TYPES["number"](v) and v > s["maximum"]:
            errs.append("%s: %s > %s" % (path, v, s["maximum"]))
        if isinstance(v, dict):
            props = s.get("properties", {})
            for k in s.get("required", []):
                if k not in v:
                    errs.append("%s: no key %s" % (path, k))
            for k, x in v.items():
                if k in props:
                    errs += self.errors(x, props[k], "%s.%s" % (path, k))
                elif "additionalProperties" in s:
                    errs += self.errors(x, s["additionalProperties"], "%s.%s" % (path, k))
        if isinstance(v, list) and "items" in s:
            for i, x in enumerate(v):
                errs += self.errors(x, s["items"], "%s[%d]" % (path, i))
        for sub in s.get("allOf", []):
            errs += self.errors(v, sub, path)
        if "if" in s and not self.errors(v, s["if"], path) and "then" in s:
            errs += self.errors(v, s["then"], path)
        return errs


def unique_keys(pairs):
    keys = [k for k, _ in pairs]
    dup = sorted({k for k in keys if keys.count(k) > 1})
    if dup:
        raise ValueError("duplicate key(s) %s" % ", ".join(dup))
    return dict(pairs)


def check_line(chk, line):
    """(type, [problems]) of one line of output."""
    try:
        v = json.loads(line, object_pairs_hook=unique_keys)
    except ValueError as e:
        return None, ["not one JSON object: %s" % e]
    if not isinstance(v, dict):
        return None, ["not an object"]
    return v.get("type"), chk.errors(v, chk.root)


def check_files(chk, names, expect):
    counts, bad = {}, []
    files = names or ["-"]
    for name in files:
        f = sys.stdin if name == "-" else open(name, encoding="utf-8", errors="strict")
        for n, line in enumerate(f, 1):
            line = line.rstrip("\n")
            t, errs = check_line(chk, line)
            counts[t] = counts.get(t, 0) + 1
            for e in errs:
                bad.append("%s:%d: %s: %s" % (name, n, e, line[:100]))
    for t in expect:
        if not counts.get(t):
            bad.append("no line of type %s" % t)
    for b in bad[:50]:
        print(b)
    if not bad:
        print("ok: %d lines (%s)" % (sum(counts.values()),
              " ".join("%s=%d" % kv for kv in sorted(counts.items(), key=str))))
    return 1 if bad else 0


H = {"unit": "us", "count": 3, "sum": 7, "buckets": [{"low": 2, "high": 3, "count": 3}]}
GOOD = [
    {"type": "version", "schema": 1, "reader": "0.1.0", "protocol": 2, "kernel_protocol": 2, "nr_cpus": 2},
    {"type": "counters", "schema": 1, "source": "core", "counters": {"a": 1, "b": 18446744073709551615}},
    {"type": "event", "schema": 1, "ts": 1, "cpu": 0, "seq": 1, "source": "tcp", "event": "close",
     "ctx": "task", "pid": 1, "tid": 1, "comm": "x", "sport": 80, "saddr": "::1", "field_type": "y"},
    {"type": "loss", "schema": 1, "lost": dict.fromkeys(["kernel", "buffer_full", "nomem", "overrun", "nmi",
     "recursion", "invalid", "closed", "socket_overruns", "seq_gaps"], 0), "received": 5, "final": True},
    {"type": "hist", "schema": 1, "source": "sched", "name": "runqlat",
     "hist": {"unit": "us", "count": 0, "sum": 0, "buckets": [{"low": 1024, "high": None, "count": 0}]}},
    {"type": "blk_device", "schema": 1, "name": "d0", "disk": "kblk_d0", "profile": "ssd", "size_mb": 64,
     "counters": {"read_reqs": 1}, "latency": {"read": H},
     "hwq": [{"index": 0, "polled": False, "counters": {}, "latency": {}}]},
    {"type": "mem_zone", "schema": 1, "node": 0, "zone": "DMA", "free": [1, 2], "frag": [-1000, 3]},
    {"type": "hist", "schema": 1, "interval": {"n": 2, "ms": 1000, "time": 1764950000.25},
     "source": "sched", "name": "runqlat", "hist": dict(H, unit="ms")},
    {"type": "sched_portrait", "schema": 1, "pid": 1, "ppid": 0, "comm": None, "state": "live",
     "start_ns": 1, "lifetime_ns": 1, "oncpu_ns": 1, "runq_ns": 1, "runq_samples": 1, "nvcsw": 1,
     "nivcsw": 1, "threads": 1, "filename": None, "hist": H},
]
BAD = [
    '{"schema":1,"source":"core","counters":{}}',                       # no type
    '{"type":"counters","schema":2,"source":"core","counters":{}}',     # another schema
    '{"type":"counters","schema":1,"source":"core","counters":{"a":-1}}',
    '{"type":"counters","schema":1,"source":"core","counters":{"a":1.5}}',
    '{"type":"nosuch","schema":1}',
    '{"type":"event","schema":1,"ts":1,"cpu":0,"seq":1,"source":"t","event":"e","ctx":"task","pid":1,"pid":2}',
    '{"type":"event","schema":1,"ts":1,"cpu":0,"seq":1,"source":"t","event":"e","ctx":"task","x":{}}',
    '{"type":"hist","schema":1,"source":"s","name":"n","hist":{"unit":"us","count":1,"sum":1,"buckets":[[1,2,1]]}}',
    '{"type":"blk_device","schema":1,"name":"d","counters":[]}',
    '{"type":"version","schema":1,"reader":"x","protocol":2,"kernel_protocol":2,"nr_cpus":1,"extra":1}',
    '[{"type":"version"}]',
    '{"type":"loss","schema":1,"lost":{"kernel":0},"received":1,"final":true}',
    '{"type":"setting","schema":1,"interval":{"n":0,"ms":1,"time":1},"source":"s","name":"n","value":1}',
]


def self_test(chk):
    fails = 0
    for v in GOOD:
        t, errs = check_line(chk, json.dumps(v))
        if errs:
            fails += 1
            print("not ok: good %s refused: %s" % (t, errs))
    for line in BAD:
        t, errs = check_line(chk, line)
        if not errs:
            fails += 1
            print("not ok: bad line accepted: %s" % line)
    if chk.unknown:
        fails += 1
        print("not ok: schema keywords this checker ignores: %s" % sorted(chk.unknown))
    try:    # the same verdicts from python3-jsonschema, where it is installed
        import jsonschema
        v = jsonschema.Draft202012Validator(chk.root)
        for x in GOOD:
            if list(v.iter_errors(x)):
                fails += 1
                print("not ok: jsonschema refuses a good line: %s" % x)
        for line in BAD[:5] + BAD[6:]:
            try:
                x = json.loads(line, object_pairs_hook=unique_keys)
            except ValueError:
                continue
            if not list(v.iter_errors(x)):
                fails += 1
                print("not ok: jsonschema accepts a bad line: %s" % line)
        other = "and jsonschema agrees"
    except ImportError:
        other = "(no python3-jsonschema to compare with)"
    if not fails:
        print("ok: self-test, %d good and %d bad lines %s" % (len(GOOD), len(BAD), other))
    return 1 if fails else 0


def main(argv):
    schema, expect, files, selftest = None, [], [], False
    i = 0
    while i < len(argv):
        a = argv[i]
        if a in ("--schema", "--self-test", "--expect") and i + 1 < len(argv):
            if a == "--expect":
                expect.append(argv[i + 1])
            else:
                schema, selftest = argv[i + 1], selftest or a == "--self-test"
            i += 2
            continue
        if a.startswith("-") and a != "-":
            sys.exit(__doc__)
        files.append(a)
        i += 1
    if not schema:
        sys.exit(__doc__)
    with open(schema, encoding="utf-8") as f:
        chk = Checker(json.load(f))
    return self_test(chk) if selftest else check_files(chk, files, expect)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
