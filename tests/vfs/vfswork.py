#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""VFS workload with known operation counts, for the kscope_vfs tests.

  vfswork.py ops DIR... : stops itself (SIGSTOP) so that the test can
      set filters and read counters, then in each DIR: FILES files
      created by open(O_CREAT), WRITES writes of SIZE bytes each, one
      fsync (fdatasync for every other file; the first file also one msync(MS_SYNC) of a shared mapping,
      an fsync that enters the VFS at vfs_fsync_range), reopened for READS reads of SIZE, MKNOD files made by mknod,
      DIRS mkdir+rmdir, each file renamed then unlinked. Prints the
      counts it performed per directory as JSON after stopping again.
  vfswork.py fifo PATH DELAY : opens the FIFO read-write, reads 100 bytes
      that a child writes after DELAY seconds; prints the read's own
      duration in us. Then 200 fast 1-byte write+read pairs on PATH.fast.
"""
import json
import mmap
import os
import signal
import sys
import time

FILES, WRITES, READS, SIZE, MKNOD, DIRS = 8, 30, 20, 512, 3, 2


def checkpoint():
    os.kill(os.getpid(), signal.SIGSTOP)


def ops(d):
    c = dict(read=0, write=0, open=0, fsync=0, msync=0, fdatasync=0,
             create=0, unlink=0,
             rename=0, mkdir=0, rmdir=0, read_bytes=0, write_bytes=0)
    buf = b"k" * SIZE
    names = []
    for i in range(FILES):
        p = os.path.join(d, "kswork%d" % i)
        fd = os.open(p, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o644)
        c["open"] += 1
        c["create"] += 1
        for _ in range(WRITES):
            c["write_bytes"] += os.write(fd, buf)
            c["write"] += 1
        if i % 2:
            os.fdatasync(fd)
            c["fdatasync"] += 1
        else:
            os.fsync(fd)
        c["fsync"] += 1
        if i == 0:
            m = mmap.mmap(fd, SIZE)
            m[0:1] = b"m"
            m.flush()   # msync(MS_SYNC)
            m.close()
            c["fsync"] += 1
            c["msync"] += 1
        os.close(fd)
        names.append(p)
    for p in names:
        fd = os.open(p, os.O_RDONLY)
        c["open"] += 1
        for _ in range(READS):
            c["read_bytes"] += len(os.read(fd, SIZE))
            c["read"] += 1
        os.close(fd)
    for i in range(MKNOD):
        p = os.path.join(d, "ksnod%d" % i)
        os.mknod(p, 0o644)
        c["create"] += 1
        names.append(p)
    for i in range(DIRS):
        p = os.path.join(d, "ksdir%d" % i)
        os.mkdir(p)
        c["mkdir"] += 1
        os.rmdir(p)
        c["rmdir"] += 1
    for p in names:
        os.rename(p, p + ".old")
        c["rename"] += 1
        os.unlink(p + ".old")
        c["unlink"] += 1
    return c


def fifo(path, delay):
    os.mkfifo(path)
    fd = os.open(path, os.O_RDWR)
    pid = os.fork()
    if pid == 0:
        time.sleep(delay)
        w = os.open(path, os.O_WRONLY)
        os.write(w, b"x" * 100)
        os._exit(0)
    t = time.monotonic()
    n = len(os.read(fd, 100))
    us = int((time.monotonic() - t) * 1e6)
    os.waitpid(pid, 0)
    os.close(fd)
    fast = os.open(path + ".fast", os.O_CREAT | os.O_RDWR, 0o644)
    for _ in range(200):
        os.pwrite(fast, b"y", 0)
        os.pread(fast, 1, 0)
    os.close(fast)
    print(json.dumps(dict(read_us=us, bytes=n)), flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "ops":
        checkpoint()
        out = {d: ops(d) for d in sys.argv[2:]}
        checkpoint()    # counters are read here: print nothing before
        print(json.dumps(out), flush=True)
    elif sys.argv[1] == "fifo":
        fifo(sys.argv[2], float(sys.argv[3]))
