#!/usr/bin/env python3
"""A soak test of one wharfd: many clients mixing every kind of work for a long time. See bench/README.md.

Starts wharfd on a free loopback port with a temporary data directory and runs `--clients` threads for `--duration`
seconds. Each client, on its own keep-alive connection, picks one operation at a time: a push (two small random
blobs and a manifest, to a tag of its own repository), a pull (a tag's manifest and its blobs, digests checked), a
tag list, an image API read (a LIST of image streams, an ImageStreamTag, an Image), an image API write (a merge patch
of the stream's annotations) or a watch (a watch of its namespace's image streams that ends after 1 s).

It passes when no operation failed (any unexpected status, wrong digest or socket error), no answer was 5xx, and
the server's RSS stayed flat: the median RSS of the last tenth of the run is within 10 % of the median of the tenth
after warm-up. Prints each operation's count and p50/p99 latency, and the RSS, and exits 0 on a pass, 1 otherwise.

    bench/soak.py                                   # 32 clients, 10 minutes, the release wharfd
    bench/soak.py --duration 20 --clients 8 --wharfd .build/debug/wharfd   # the smoke run of scripts/test
"""
from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

from bench import BenchError, Server  # the harness's wharfd process, as every workload in bench/ starts it

REPO_ROOT = Path(__file__).resolve().parent.parent
API = "/apis/image.openshift.io/v1"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MiB = 1 << 20
RSS_TOLERANCE = 0.10
TAGS_PER_CLIENT = 8

# How often each operation is picked.
WEIGHTS = {"push": 2, "pull": 4, "tags": 2, "api-read": 4, "api-write": 2, "watch": 1}


class Failure(Exception):
    """An operation that did not do what it should; `status` is the HTTP status when it was a wrong one."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


class Stats:
    """Latencies by operation, failures and 5xx answers; shared by the clients."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.failures: dict[str, int] = defaultdict(int)
        self.server_errors = 0
        self.examples: list[str] = []

    def record(self, op: str, seconds: float) -> None:
        with self.lock:
            self.latencies[op].append(seconds)

    def fail(self, op: str, why: str, server_error: bool) -> None:
        with self.lock:
            self.failures[op] += 1
            self.server_errors += server_error
            if len(self.examples) < 10:
                self.examples.append(f"{op}: {why}")


class Client:
    """One soak client: its own connection, repository and namespace."""

    def __init__(self, index: int, server: Server, stats: Stats, seed: int):
        self.index = index
        self.server = server
        self.stats = stats
        self.rng = random.Random(seed * 1000 + index)
        self.namespace = f"soak{index}"
        self.repo = f"{self.namespace}/app"
        self.pushed: dict[str, tuple[str, list[str]]] = {}  # tag -> (manifest digest, blob digests)
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
                expect: tuple[int, ...] = (200,)) -> tuple[http.client.HTTPResponse, bytes]:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        all_headers = {"Authorization": f"Bearer {self.server.token}"}
        all_headers.update(headers or {})
        try:
            self.connection.request(method, path, body=body, headers=all_headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as e:
            self.connection.close()
            self.connection = None
            raise Failure(f"{method} {path}: {type(e).__name__}: {e}") from e
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        if response.status not in expect:
            raise Failure(f"{method} {path}: {response.status} {data[:300]!r}", response.status)
        return response, data

    # -- operations
    def push(self) -> None:
        blobs = [self.rng.randbytes(self.rng.randint(1024, 64 * 1024)) for _ in range(2)]
        config = json.dumps({"architecture": "amd64", "os": "linux", "config": {"Labels": {"soak": str(self.index)}},
                             "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(b).hexdigest() for b in blobs]}}).encode()
        digests = []
        for data in blobs + [config]:
            digest = "sha256:" + hashlib.sha256(data).hexdigest()
            self.request("POST", f"/v2/{self.repo}/blobs/uploads/?digest={digest}", data, {"Content-Type": "application/octet-stream"},
                         expect=(201,))
            digests.append(digest)
        manifest = json.dumps({
            "schemaVersion": 2, "mediaType": OCI_MANIFEST,
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digests[2], "size": len(config)},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": d, "size": len(b)} for d, b in zip(digests, blobs)],
        }).encode()
        tag = f"t{self.rng.randrange(TAGS_PER_CLIENT)}"
        if tag in self.pushed:
            # The tag is deleted before it is pushed again, as CI jobs that reuse tags clean up: every push is a new
            # image, and without this each tag's history, and with it every read of the stream, would grow for as
            # long as the soak runs, which would be growth of the data, not of the server.
            self.request("DELETE", f"/v2/{self.repo}/manifests/{tag}", None, {}, expect=(202,))
            del self.pushed[tag]
        response, _ = self.request("PUT", f"/v2/{self.repo}/manifests/{tag}", manifest, {"Content-Type": OCI_MANIFEST}, expect=(201,))
        digest = "sha256:" + hashlib.sha256(manifest).hexdigest()
        if response.getheader("Docker-Content-Digest") != digest:
            raise Failure(f"push {tag}: Docker-Content-Digest {response.getheader('Docker-Content-Digest')}, expected {digest}")
        self.pushed[tag] = (digest, digests)

    def pull(self) -> None:
        if not self.pushed:
            return self.push()
        tag, (digest, blobs) = self.rng.choice(list(self.pushed.items()))
        _, manifest = self.request("GET", f"/v2/{self.repo}/manifests/{tag}", headers={"Accept": OCI_MANIFEST})
        if "sha256:" + hashlib.sha256(manifest).hexdigest() != digest:
            raise Failure(f"pull {tag}: the manifest is not the one pushed")
        for blob in blobs:
            _, data = self.request("GET", f"/v2/{self.repo}/blobs/{blob}")
            if "sha256:" + hashlib.sha256(data).hexdigest() != blob:
                raise Failure(f"pull {tag}: blob {blob} came back different")

    def tags(self) -> None:
        if not self.pushed:
            return self.push()
        _, data = self.request("GET", f"/v2/{self.repo}/tags/list?n=100")
        listed = set(json.loads(data).get("tags") or [])
        if not set(self.pushed) <= listed:
            raise Failure(f"tags/list lacks {sorted(set(self.pushed) - listed)}")

    def api_read(self) -> None:
        self.request("GET", f"{API}/namespaces/{self.namespace}/imagestreams?limit=50")
        if self.pushed:
            tag, (digest, _) = self.rng.choice(list(self.pushed.items()))
            self.request("GET", f"{API}/namespaces/{self.namespace}/imagestreamtags/app:{tag}")
            self.request("GET", f"{API}/images/{digest}")
        self.request("GET", f"{API}/imagestreams?limit=20&labelSelector=soak!=none")

    def api_write(self) -> None:
        if not self.pushed:
            return self.push()
        patch = json.dumps({"metadata": {"annotations": {"soak/last": str(self.rng.randrange(1 << 30))}}}).encode()
        self.request("PATCH", f"{API}/namespaces/{self.namespace}/imagestreams/app", patch,
                     {"Content-Type": "application/merge-patch+json"})

    def watch(self) -> None:
        # A watch of one second on its own connection; it ends when the server closes the stream.
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            connection.request("GET", f"{API}/namespaces/{self.namespace}/imagestreams?watch=true&timeoutSeconds=1",
                               headers={"Authorization": f"Bearer {self.server.token}"})
            response = connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise Failure(f"watch: {type(e).__name__}: {e}") from e
        finally:
            connection.close()
        if response.status != 200:
            raise Failure(f"watch: {response.status} {data[:300]!r}", response.status)
        for line in data.splitlines():
            if json.loads(line).get("type") == "ERROR":
                raise Failure(f"watch: an ERROR event {line[:300]!r}")

    def run(self, deadline: float) -> None:
        operations = {"push": self.push, "pull": self.pull, "tags": self.tags, "api-read": self.api_read,
                      "api-write": self.api_write, "watch": self.watch}
        names = list(WEIGHTS)
        weights = [WEIGHTS[n] for n in names]
        while time.monotonic() < deadline:
            op = self.rng.choices(names, weights)[0]
            started = time.monotonic()
            try:
                operations[op]()
                self.stats.record(op, time.monotonic() - started)
            except Failure as e:
                self.stats.fail(op, str(e), server_error=e.status is not None and e.status >= 500)
                time.sleep(0.05)
            except Exception as e:  # noqa: BLE001 - any other error is a failure of the run, not of the harness
                self.stats.fail(op, f"{type(e).__name__}: {e}", server_error=False)
                time.sleep(0.05)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wharfd", default=os.environ.get("WHARFD") or str(REPO_ROOT / ".build" / "release" / "wharfd"))
    parser.add_argument("--duration", type=float, default=600, help="seconds of load (default 600)")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients (default 32)")
    parser.add_argument("--warmup", type=float, default=None, help="seconds before RSS is watched (default: a third of the run, at most 60)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    warmup = args.warmup if args.warmup is not None else min(60.0, args.duration / 3)
    if not os.access(args.wharfd, os.X_OK):
        print(f"soak: no wharfd at {args.wharfd} (build it, or pass --wharfd)", file=sys.stderr)
        return 2

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="wharf-soak-"))
    server = Server("wharf", "wharfd", workdir, args.wharfd)
    stats = Stats()
    samples: list[tuple[float, int]] = []
    try:
        server.start()
        print(f"soak: {args.clients} clients for {args.duration:.0f} s against {args.wharfd} (warm-up {warmup:.0f} s)", flush=True)
        started = time.monotonic()
        deadline = started + args.duration
        clients = [Client(i, server, stats, args.seed) for i in range(args.clients)]
        threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
        for t in threads:
            t.start()
        next_report = started + 60
        while time.monotonic() < deadline and server.proc.poll() is None:
            samples.append((time.monotonic() - started, int(server.rss_mib() * 1024 * 1024)))
            if time.monotonic() >= next_report:
                done = sum(len(v) for v in stats.latencies.values())
                print(f"soak: {time.monotonic() - started:.0f} s, {done} operations, {sum(stats.failures.values())} failed, "
                      f"RSS {samples[-1][1] / MiB:.0f} MiB", flush=True)
                next_report += 60
            time.sleep(0.5)
        for t in threads:
            t.join(timeout=60)
        exit_code = server.proc.poll()
        crashed = exit_code is not None
        elapsed = time.monotonic() - started
    except (Failure, BenchError) as e:
        print(f"soak: {e}", file=sys.stderr)
        return 1
    finally:
        server.stop()
        log_tail = server.log_tail(40)
        shutil.rmtree(workdir, ignore_errors=True)

    # RSS: the tenth of the run after warm-up against the last tenth.
    window = max(1.0, (args.duration - warmup) / 10)
    early = [rss for t, rss in samples if warmup <= t < warmup + window]
    late = [rss for t, rss in samples if t >= args.duration - window]
    early_mib = statistics.median(early) / MiB if early else 0.0
    late_mib = statistics.median(late) / MiB if late else 0.0
    rss_flat = bool(early and late) and late_mib <= early_mib * (1 + RSS_TOLERANCE)

    every = [s for v in stats.latencies.values() for s in v]
    print(f"{'operation':<10} {'count':>7} {'failed':>6} {'p50 ms':>8} {'p99 ms':>8}")
    for op in WEIGHTS:
        values = stats.latencies.get(op, [])
        print(f"{op:<10} {len(values):>7} {stats.failures.get(op, 0):>6} {percentile(values, 0.5) * 1000:>8.1f} {percentile(values, 0.99) * 1000:>8.1f}")
    failed = sum(stats.failures.values())
    print(f"{'all':<10} {len(every):>7} {failed:>6} {percentile(every, 0.5) * 1000:>8.1f} {percentile(every, 0.99) * 1000:>8.1f}")
    print(f"throughput {len(every) / elapsed:.0f} operations/s; RSS {early_mib:.0f} MiB after warm-up, {late_mib:.0f} MiB at the end "
          f"({(late_mib / early_mib - 1) * 100 if early_mib else 0:+.1f} %, at most +{RSS_TOLERANCE * 100:.0f} %)")
    for example in stats.examples:
        print(f"  failed: {example}")
    problems = []
    if crashed:
        problems.append(f"wharfd exited with status {exit_code}")
    if failed:
        problems.append(f"{failed} operations failed")
    if stats.server_errors:
        problems.append(f"{stats.server_errors} answers were 5xx")
    if not rss_flat:
        problems.append("RSS did not stay flat")
    if args.json:
        args.json.write_text(json.dumps({
            "clients": args.clients, "duration": args.duration, "operations": len(every), "failed": failed,
            "server_errors": stats.server_errors, "rss_after_warmup_mib": early_mib, "rss_end_mib": late_mib,
            "p99_ms": {op: percentile(v, 0.99) * 1000 for op, v in stats.latencies.items()}, "p99_all_ms": percentile(every, 0.99) * 1000,
        }, indent=2))
    if problems:
        print("soak: FAILED: " + "; ".join(problems))
        if crashed:
            print("--- last lines of the wharfd log ---\n" + log_tail)
        return 1
    print("soak: passed (0 errors, 0 5xx, RSS flat)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
