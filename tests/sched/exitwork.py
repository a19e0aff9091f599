#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
#
# exitwork.py run N THREADS COUNTERS: fork N children, one at a time; each
# runs THREADS threads in all (half of them spinning, half sleeping), says
# when they all run, and leaves by exit_group() (os._exit) when told. For
# each child, prints "PID DELTA": the change of the "exits" line of the
# COUNTERS file (kscope_sched's debugfs counters) from the moment all its
# threads ran to the moment it was reaped, then the CLOCK_MONOTONIC ns
# before and after the first read and before and after the second ("PID
# DELTA TA T0 T1 TB"). Reads the file itself: no process of ours but the
# child exits in between (others on the machine may: the test explains
# those by their exit events' times).
#
# exitwork.py load SECONDS: load without process exits: two spinning
# threads and a third that keeps creating and joining threads.
import os
import sys
import threading
import time


def counter(path, name):
    with open(path) as f:
        for line in f:
            k, v = line.split()
            if k == name:
                return int(v)
    raise SystemExit("no counter " + name)


def child(threads, ready_w, go_r):
    started = threading.Barrier(threads)

    def spin():
        started.wait()
        while True:
            pass

    def nap():
        started.wait()
        while True:
            time.sleep(0.001)

    for i in range(threads - 1):
        threading.Thread(target=spin if i % 2 else nap, daemon=True).start()
    started.wait()
    os.write(ready_w, b"r")
    os.read(go_r, 1)
    os._exit(0)		# exit_group(2): every thread dies at once


def run(n, threads, path):
    for _ in range(n):
        ready_r, ready_w = os.pipe()
        go_r, go_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(ready_r)
            os.close(go_w)
            child(threads, ready_w, go_r)
        os.close(ready_w)
        os.close(go_r)
        if os.read(ready_r, 1) != b"r":
            raise SystemExit("child %d did not start" % pid)
        ta = time.monotonic_ns()
        before = counter(path, "exits")
        t0 = time.monotonic_ns()
        os.write(go_w, b"g")
        _, status = os.waitpid(pid, 0)
        t1 = time.monotonic_ns()
        after = counter(path, "exits")
        tb = time.monotonic_ns()
        os.close(ready_r)
        os.close(go_w)
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status):
            raise SystemExit("child %d: status %#x" % (pid, status))
        print(pid, after - before, ta, t0, t1, tb, flush=True)


def load(seconds):
    end = time.monotonic() + seconds

    def spin():
        while time.monotonic() < end:
            pass

    def churn():
        while time.monotonic() < end:
            t = threading.Thread(target=lambda: None)
            t.start()
            t.join()

    ts = [threading.Thread(target=f) for f in (spin, spin, churn)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


if __name__ == "__main__":
    if sys.argv[1] == "run":
        run(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif sys.argv[1] == "load":
        load(float(sys.argv[2]))
    else:
        raise SystemExit(__doc__)
