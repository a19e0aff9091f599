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
"""
import fcntl
import json
import mmap
import os
import signal
import sys

F_SETPIPE_SZ = 1031


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


def anon(mb):
    size = mb << 20
    checkpoint()
    m = mmap.mmap(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    m.madvise(mmap.MADV_NOHUGEPAGE)
    for off in range(0, size, mmap.PAGESIZE):
        m[off] = 1
    checkpoint()
    m.close()
    checkpoint()
    print(json.dumps(dict(pages=size // mmap.PAGESIZE)), flush=True)


if __name__ == "__main__":
    {"pipes": pipes, "anon": anon}[sys.argv[1]](int(sys.argv[2]))
