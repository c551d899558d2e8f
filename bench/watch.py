#!/usr/bin/env python3
"""Watches: what 1,000 idle watch connections cost, and how long a change takes to reach a watcher.

    python3 bench/watch.py [--backend filesystem|postgres-s3] [--watches 1000] [--idle-seconds 30] [--changes 50]

It starts wharfd (the release build unless --wharfd), opens --watches watch connections on image streams and holds
them idle for --idle-seconds, reading wharfd's CPU time from /proc before and after (target: under 0.02 CPU-seconds
a second). Then it makes --changes changes one at a time and times each from sending the write to its event on a
watch (target: p99 under 100 ms), which counts the write's own latency too. On postgres-s3 it starts a second wharfd
on the same database and bucket, writes through that one and watches through the first, so each event crosses
processes through PostgreSQL's NOTIFY. scripts/test runs both backends in a smoke size so that it keeps working.
"""

from __future__ import annotations

import argparse
import json
import resource
import socket
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend import Backend  # noqa: E402
from bench import BenchError, Server, find_wharfd  # noqa: E402

API = "/apis/image.openshift.io/v1/namespaces/watched/imagestreams"


def request(port: int, token: str, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), rest


def open_watch(port: int, token: str) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    s.sendall(f"GET {API}?watch=1&timeoutSeconds=3600 HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    status = head.split(b"\r\n")[0].decode(errors="replace")
    if " 200 " not in status:
        raise BenchError(f"a watch was answered {status}")
    return s


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--backend", default="filesystem", choices=["filesystem", "postgres-s3"])
    p.add_argument("--watches", type=int, default=1000)
    p.add_argument("--idle-seconds", type=float, default=30)
    p.add_argument("--changes", type=int, default=50)
    p.add_argument("--wharfd", help="wharfd binary (default: .build/release/wharfd, built if missing)")
    p.add_argument("--workdir", default="/tmp/wharf-bench-watch")
    args = p.parse_args(argv)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, args.watches * 2 + 256)), hard))
    backend = Backend(args.backend)
    wharfd = find_wharfd(args.wharfd)
    workdir = Path(args.workdir)
    watched = Server("wharf", "wharfd", workdir / "watched", wharfd)
    watched.backend = backend
    servers = [watched]
    try:
        watched.start()
        writer = watched
        if args.backend == "postgres-s3":
            # A second replica on the same database and bucket: the writes go through it.
            writer = Server("wharf", "wharfd (writer)", workdir / "writer", wharfd)
            writer.shared_with = watched
            servers.append(writer)
            writer.start()
        status, _ = request(writer.port, watched.token, "POST", API, b'{"metadata":{"name":"seed"}}')
        if status != 201:
            raise BenchError(f"creating the first stream answered {status}")
        sockets = [open_watch(watched.port, watched.token) for _ in range(args.watches)]
        time.sleep(2)  # the watches' first reads are over
        before, started = watched.cpu_seconds(), time.perf_counter()
        time.sleep(args.idle_seconds)
        idle = (watched.cpu_seconds() - before) / (time.perf_counter() - started)
        for s in sockets[1:]:
            s.close()
        watch = sockets[0]
        watch.settimeout(10)
        delays: list[float] = []
        buffer = b""
        for n in range(args.changes):
            name = f"s{n:05d}"
            # From the moment the write is sent: the event often arrives before the write's own answer is read.
            sent = time.perf_counter()
            status, _ = request(writer.port, watched.token, "POST", API, json.dumps({"metadata": {"name": name}}).encode())
            if status != 201:
                raise BenchError(f"creating {name} answered {status}")
            while f'"name":"{name}"'.encode() not in buffer:
                chunk = watch.recv(65536)
                if not chunk:
                    raise BenchError("the watch ended")
                buffer += chunk
            delays.append((time.perf_counter() - sent) * 1000)
            buffer = buffer[buffer.index(f'"name":"{name}"'.encode()):]
        watch.close()
        delays.sort()
        p99 = delays[min(len(delays) - 1, int(len(delays) * 0.99))]
        where = "through another replica (NOTIFY)" if writer is not watched else "in the same process"
        print(f"backend {args.backend}: {args.watches} idle watches cost {idle:.4f} CPU-s/s over {args.idle_seconds:.0f} s "
              f"(target < 0.02: {'holds' if idle < 0.02 else 'NO'})")
        print(f"backend {args.backend}: a change reaches a watch {where} in p50 {statistics.median(delays):.1f} ms, "
              f"p99 {p99:.1f} ms over {len(delays)} changes (target p99 < 100 ms: {'holds' if p99 < 100 else 'NO'})")
        return 0
    finally:
        for server in servers:
            server.stop()


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as error:
        print(f"watch: FAILED: {error}", file=sys.stderr)
        sys.exit(1)
