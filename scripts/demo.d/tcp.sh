#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# demo: three loopback TCP connections moving known byte counts; then the
# flow table kscope_tcp kept.
K=userspace/kscope
[ -d /sys/module/kscope_tcp ] || exit 0
python3 - <<'PY'
import socket, threading
srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(8)
port = srv.getsockname()[1]
def serve():
    for _ in range(3):
        c, _ = srv.accept()
        while c.recv(65536): pass
        c.close()
t = threading.Thread(target=serve); t.start()
for n in (1000, 100000, 1000000):
    s = socket.create_connection(("127.0.0.1", port)); s.sendall(b"x" * n); s.close()
t.join()
print("tcp demo: 3 connections, 1101000 bytes sent")
PY
$K tcp flows | head -5
