#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Checks of kscope export's output, the oracles being the reader's own
JSON (kscope --json list/stat/sched runqlat) read independently, and the
Prometheus HTTP API.

  expo.py names PAGE LIST_JSON STAT_JSON     every counter under its name and type
  expo.py hists PAGE                         histogram invariants, log2 le bounds
  expo.py bracket SERIES_JSON DUR_JSON STAT_JSON RUNQ_JSON T0 T1
                                             stat read in [T0, T1] between the
                                             scrapes before and after
  expo.py p99slot RUNQ_JSON                  slot of runqlat's p99 (reader's rule)
  expo.py slotof SECONDS                     slot a quantile in seconds falls in
"""
import json
import math
import re
import sys

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
CHAN = ["events_recorded", "events_delivered", "lost_buffer_full",
        "lost_nomem", "lost_overrun", "lost_nmi", "events_unheard",
        "lost_recursion", "lost_invalid", "lost_closed"]


def parse(path):
    types, samples = {}, []
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("# TYPE "):
            _, _, name, t = line.split(" ", 3)
            types[name] = t
            continue
        if not line or line.startswith("#"):
            continue
        m = LINE.match(line)
        if not m:
            raise SystemExit("unparsable line: %r" % line)
        labels = dict(LABEL.findall(m.group(3) or ""))
        samples.append((m.group(1), labels, float(m.group(4))))
    return types, samples


def jsonl(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def metric_of(source, name, kind):
    """(metric, labels, type) the exporter must use for a schema counter"""
    base = "kscope_%s_" % source
    if name.startswith("lost_") and name in CHAN:
        return base + "events_lost_total", {"reason": name[5:]}, "counter"
    if kind == "gauge":
        return base + name, {}, "gauge"
    return base + name + "_total", {}, "counter"


def names(page, listj, statj):
    types, samples = parse(page)
    idx = {}
    for n, l, v in samples:
        idx[(n, tuple(sorted(l.items())))] = v
    kinds = {}
    for o in jsonl(listj):
        if o.get("type") != "source":
            continue
        for c in o["counters"]:
            kinds[(o["source"], c["name"])] = c["kind"]
    bad, n = [], 0
    for o in jsonl(statj):
        if o.get("type") != "counters":
            continue
        src = o["source"]
        if (src, "events_recorded") not in kinds:
            continue  # not a kscope source (xdp maps)
        if not any(s[0] == "kscope_source_info" and s[1].get("source") == src
                   for s in samples):
            bad.append("no kscope_source_info for %s" % src)
        for name in o["counters"]:
            metric, labels, t = metric_of(src, name, kinds[(src, name)])
            n += 1
            fam = metric
            if types.get(fam) != t:
                bad.append("%s/%s: TYPE of %s is %r, want %s" %
                           (src, name, fam, types.get(fam), t))
            if (metric, tuple(sorted(labels.items()))) not in idx:
                bad.append("%s/%s: no sample %s%s" % (src, name, metric, labels))
    print("%d counters of %d sources checked" % (n, len(jsonl(statj))))
    for b in bad:
        print("BAD " + b)
    return 1 if bad or n == 0 else 0


def series_key(labels):
    return tuple(sorted((k, v) for k, v in labels.items() if k != "le"))


def hists(page):
    types, samples = parse(page)
    bad, nh = [], 0
    for fam, t in types.items():
        if t != "histogram":
            continue
        buckets, sums, counts = {}, {}, {}
        for n, l, v in samples:
            if n == fam + "_bucket":
                buckets.setdefault(series_key(l), []).append((l["le"], v))
            elif n == fam + "_sum":
                sums[series_key(l)] = v
            elif n == fam + "_count":
                counts[series_key(l)] = v
        scale = 1e6 if fam.endswith("_seconds") else 1
        for key, bl in buckets.items():
            nh += 1
            les = [b[0] for b in bl]
            vals = [b[1] for b in bl]
            if les[-1] != "+Inf":
                bad.append("%s%s: last le %s" % (fam, key, les[-1]))
            # slot i's inclusive upper bound 2^(i+1)-1 in the unit
            for i, le in enumerate(les[:-1]):
                want = (2 ** (i + 1) - 1)
                # ns histograms (probe latency) have 9 decimals
                got = float(le) * (1e9 if "probe" in fam else scale)
                if abs(got - want) > 1e-6 * want:
                    bad.append("%s%s: le[%d] = %s, want %d in the unit" %
                               (fam, key, i, le, want))
                    break
            if any(b < a for a, b in zip(vals, vals[1:])):
                bad.append("%s%s: buckets not cumulative %s" % (fam, key, vals))
            if counts.get(key) != vals[-1]:
                bad.append("%s%s: _count %s != +Inf bucket %s" %
                           (fam, key, counts.get(key), vals[-1]))
            if key not in sums:
                bad.append("%s%s: no _sum" % (fam, key))
    print("%d histogram series checked" % nh)
    for b in bad:
        print("BAD " + b)
    return 1 if bad or nh == 0 else 0


def runq_hist(path):
    """the histogram of `kscope --json sched runqlat`: its "hist" line"""
    return next(o["hist"] for o in jsonl(path) if o.get("type") == "hist")


def p99slot_of(h, q=0.99):
    total = sum(b["count"] for b in h["buckets"])
    acc = 0
    for b in h["buckets"]:
        acc += b["count"]
        if acc >= q * total:
            return int(math.log2(b["low"])) if b["low"] > 1 else 0
    return None


def slotof(secs):
    """slot i with (2^i - 1) us < secs <= (2^(i+1) - 1) us"""
    us = secs * 1e6
    i = 0
    while us > 2 ** (i + 1) - 1 + 1e-6:
        i += 1
    return i


def bracket(series, durs, statj, runqj, t0, t1):
    """each counter of the stat read in [t0, t1] must lie between the
    last scrape that ended before t0 and the first that began after t1"""
    t0, t1 = float(t0), float(t1)
    dur = {}
    for r in json.load(open(durs))["data"]["result"]:
        for ts, v in r["values"]:
            dur[float(ts)] = float(v)
    prom = {}
    for r in json.load(open(series))["data"]["result"]:
        m = dict(r["metric"])
        name = m.pop("__name__")
        for target_label in ("job", "instance", "lab"):
            m.pop(target_label, None)
        prom[(name, tuple(sorted(m.items())))] = [
            (float(ts), float(v)) for ts, v in r["values"]]

    def around(key):
        pts = prom.get(key)
        if not pts:
            return None, None
        a = [p for p in pts if p[0] + dur.get(p[0], 1e9) <= t0]
        b = [p for p in pts if p[0] >= t1]
        return (a[-1] if a else None), (b[0] if b else None)

    want = []
    for o in jsonl(statj):
        if o.get("type") != "counters":
            continue
        for name, v in o["counters"].items():
            if "events_recorded" not in o["counters"]:
                continue
            kind = "counter"
            metric, labels, _ = metric_of(o["source"], name, kind)
            if (metric, tuple(sorted(labels.items()))) not in prom:
                metric, labels, _ = metric_of(o["source"], name, "gauge")
            want.append((metric, labels, v))
    runq = runq_hist(runqj)
    want.append(("kscope_sched_runq_latency_seconds_count", {}, runq["count"]))
    want.append(("kscope_sched_runq_latency_seconds_sum", {}, runq["sum"] / 1e6))
    bad, ok, moved, spans = [], 0, 0, []
    for metric, labels, v in want:
        key = (metric, tuple(sorted(labels.items())))
        a, b = around(key)
        if a is None or b is None:
            bad.append("%s%s: no scrape before and after the read (%s, %s)" %
                       (metric, labels, a, b))
            continue
        spans.append(b[0] - a[0])
        lo, hi = min(a[1], b[1]), max(a[1], b[1])
        if not lo - 1e-9 * abs(lo) <= v <= hi + 1e-9 * abs(hi):
            bad.append("%s%s: kscope stat %s not within the scrapes at %.3f (%s) and %.3f (%s)" %
                       (metric, labels, v, a[0], a[1], b[0], b[1]))
        else:
            ok += 1
            moved += a[1] != b[1]
    print("%d values within one scrape's movement (%d moved between the two scrapes; "
          "scrapes %.1f-%.1f s apart)" % (ok, moved, min(spans or [0]), max(spans or [0])))
    for x in bad[:30]:
        print("BAD " + x)
    return 1 if bad or ok == 0 else 0


def main():
    cmd = sys.argv[1]
    if cmd == "names":
        return names(*sys.argv[2:5])
    if cmd == "hists":
        return hists(sys.argv[2])
    if cmd == "bracket":
        return bracket(*sys.argv[2:8])
    if cmd == "p99slot":
        print(p99slot_of(runq_hist(sys.argv[2])))
        return 0
    if cmd == "slotof":
        print(slotof(float(sys.argv[2])))
        return 0
    raise SystemExit("unknown command " + cmd)


if __name__ == "__main__":
    sys.exit(main())
