#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Tiny TCP workload with known byte counts for the kscope_tcp tests.

serve ADDR PORT COUNT REPLY READYFILE: accept COUNT connections one by one;
  read each until EOF, then send REPLY bytes and close. Prints one line per
  connection: "conn PEER received N sent REPLY".
client ADDR PORT COUNT SEND [GOFILE]: once GOFILE exists (if given), COUNT
  times connect, send SEND bytes, shut down the write side, read the reply
  until EOF, close. Prints one line per connection:
  "conn LOCALPORT sent SEND received N".
bulk ADDR PORT SEND READYFILE DONEFILE (server: `bulksrv ADDR PORT READYFILE`):
  one connection, send SEND bytes, then two 1-byte round trips so that the
  sender's last ACK processing is complete, and a last server byte that
  acks nothing new; write DONEFILE, wait for the file DONEFILE.go, close.
holdsrv ADDR PORT COUNT READYFILE GOFILE / hold ADDR PORT COUNT DONEFILE:
  COUNT connections held open until GOFILE (DONEFILE.go) exists.
"""
import os
import socket
import sys
import time


def family(addr):
    return socket.AF_INET6 if ':' in addr else socket.AF_INET


def listen(addr, port):
    s = socket.socket(family(addr), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(64)
    return s


def ready(path):
    with open(path, 'w') as f:
        f.write('ready\n')


def read_all(c):
    n = 0
    while True:
        b = c.recv(65536)
        if not b:
            return n
        n += len(b)


def serve(addr, port, count, reply, readyfile):
    s = listen(addr, port)
    ready(readyfile)
    payload = b'r' * reply
    for _ in range(count):
        c, peer = s.accept()
        n = read_all(c)
        c.sendall(payload)
        c.close()
        print('conn %s received %d sent %d' % (peer[1], n, reply), flush=True)
    s.close()


def wait_go(path):
    # long enough for the slowest guest (a KASAN kernel under TCG reads a
    # 2K-socket flow table for minutes); the test always sends "go"
    deadline = time.time() + 900
    while not os.path.exists(path) and time.time() < deadline:
        time.sleep(0.05)


def client(addr, port, count, send, gofile=None):
    payload = b's' * send
    if gofile:
        wait_go(gofile)
    for _ in range(count):
        c = socket.socket(family(addr), socket.SOCK_STREAM)
        c.connect((addr, port))
        lport = c.getsockname()[1]
        c.sendall(payload)
        c.shutdown(socket.SHUT_WR)
        n = read_all(c)
        c.close()
        print('conn %d sent %d received %d' % (lport, send, n), flush=True)


def bulksrv(addr, port, readyfile):
    s = listen(addr, port)
    ready(readyfile)
    c, _ = s.accept()
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    n = pings = 0
    while True:
        b = c.recv(65536)
        if not b:
            break
        n += len(b)
        if b.endswith(b'P'):
            pings += 1
            c.sendall(b'p')
            if pings == 2:
                # a segment that acks nothing new: the sender samples
                # its settled state and processes no ACK
                time.sleep(0.3)
                c.sendall(b'q')
    c.close()
    print('bulksrv received %d' % n, flush=True)


def bulk(addr, port, send, readyfile, donefile):
    c = socket.socket(family(addr), socket.SOCK_STREAM)
    c.connect((addr, port))
    c.sendall(b'b' * (send - 2) + b'P')
    c.recv(1)
    c.sendall(b'P')
    got = b''
    while len(got) < 2:
        got += c.recv(2 - len(got))
    print('bulk lport %d' % c.getsockname()[1], flush=True)
    ready(donefile)
    wait_go(donefile + '.go')
    c.close()


def holdsrv(addr, port, count, readyfile, gofile):
    s = listen(addr, port)
    ready(readyfile)
    conns = [s.accept()[0] for _ in range(count)]
    wait_go(gofile)
    for c in conns:
        c.close()


def hold(addr, port, count, donefile):
    conns = []
    for _ in range(count):
        c = socket.socket(family(addr), socket.SOCK_STREAM)
        c.connect((addr, port))
        conns.append(c)
    ready(donefile)
    wait_go(donefile + '.go')
    for c in conns:
        c.close()


def main():
    cmd, a = sys.argv[1], sys.argv[2:]
    if cmd == 'serve':
        serve(a[0], int(a[1]), int(a[2]), int(a[3]), a[4])
    elif cmd == 'client':
        client(a[0], int(a[1]), int(a[2]), int(a[3]),
               a[4] if len(a) > 4 else None)
    elif cmd == 'bulksrv':
        bulksrv(a[0], int(a[1]), a[2])
    elif cmd == 'bulk':
        bulk(a[0], int(a[1]), int(a[2]), a[3], a[4])
    elif cmd == 'holdsrv':
        holdsrv(a[0], int(a[1]), int(a[2]), a[3], a[4])
    elif cmd == 'hold':
        hold(a[0], int(a[1]), int(a[2]), a[3])
    else:
        sys.exit('unknown command ' + cmd)


if __name__ == '__main__':
    main()
