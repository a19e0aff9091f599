#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Allocation workloads with known numbers, for the kscope_mem tests.

Each stops itself (SIGSTOP) before and after its work, so that the test
reads counters around exactly that work, and prints what it did after.

  memwork.py pipes K   K times: grow a pipe to 8 MiB (its buffer array,
                       2048 x struct pipe_buffer, is one kmalloc_large:
                       a high-order page allocation in this process),
                       then shrink it to one page
  memwork.py anon MB   fault in MB MiB of anonymous memory with THP off
                       (order-0 pages), stop, unmap it
  memwork.py low N     fault in anonymous memory (THP off) 4 MiB at a
                       time until the largest zone's free pages are N
                       below its low watermark: from there on every
                       allocation fails the fast path's low-watermark
                       check and takes the slow path (which succeeds
                       while above min; it stops 2048 pages above min
                       at the latest). Stop, unmap it all
"""
import ctypes
import errno
import fcntl
import json
import mmap
import os
import signal
import sys

F_SETPIPE_SZ = 1031
MCL_CURRENT = 1


def checkpoint():
    os.kill(os.getpid(), signal.SIGSTOP)


def pipes(k):
    r, w = os.pipe()
    grown = 0
    checkpoint()
    for _ in range(k):
        if fcntl.fcntl(w, F_SETPIPE_SZ, 8 << 20) >= 8 << 20:
            grown += 1
        fcntl.fcntl(w, F_SETPIPE_SZ, 4096)
    checkpoint()
    print(json.dumps(dict(grown=grown, pid=os.getpid())), flush=True)


def small_pages(m):
    """Order-0 faults only. A kernel without transparent huge pages (the
    debug kernel) refuses MADV_NOHUGEPAGE with EINVAL: it has none to
    turn off."""
    try:
        m.madvise(mmap.MADV_NOHUGEPAGE)
    except OSError as e:
        if e.errno != errno.EINVAL:
            raise


def anon(mb):
    size = mb << 20
    checkpoint()
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    small_pages(m)
    for off in range(0, size, mmap.PAGESIZE):
        m[off] = 1
    checkpoint()
    m.close()
    checkpoint()
    print(json.dumps(dict(pages=size // mmap.PAGESIZE)), flush=True)


def zone_state():
    """(free, min, low) pages of the zone with the most managed pages"""
    zones, cur = [], None
    with open("/proc/zoneinfo") as f:
        for line in f:
            w = line.split()
            if line.startswith("Node"):
                cur = {}
                zones.append(cur)
            elif cur is not None and len(w) == 2 and w[0] in ("min", "low", "managed"):
                cur[w[0]] = int(w[1])
            elif cur is not None and w[:2] == ["pages", "free"]:
                cur["free"] = int(w[2])
    z = max((z for z in zones if "managed" in z), key=lambda z: z["managed"])
    return z["free"], z["min"], z["low"]


def low(below):
    chunk = 4 << 20
    maps = []
    # kswapd, awake below low, evicts what it can: keep this process's
    # own pages (python's text) resident, or it spends minutes refaulting;
    # only those: locking the chunks too would fault them in at mmap time,
    # before MADV_NOHUGEPAGE
    ctypes.CDLL(None, use_errno=True).mlockall(MCL_CURRENT)
    checkpoint()
    free, zmin, zlow = zone_state()
    start = free
    while free > zlow - below and free > zmin + 2048:
        m = mmap.mmap(-1, chunk, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
        small_pages(m)
        for off in range(0, chunk, mmap.PAGESIZE):
            m[off] = 1
        maps.append(m)
        free, zmin, zlow = zone_state()
    checkpoint()
    for m in maps:
        m.close()
    checkpoint()
    print(json.dumps(dict(mib=len(maps) * 4, free_before=start, free=free,
                          min=zmin, low=zlow)), flush=True)


if __name__ == "__main__":
    {"pipes": pipes, "anon": anon, "low": low}[sys.argv[1]](
        int(sys.argv[2]) if len(sys.argv) > 2 else 0)
