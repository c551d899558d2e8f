#!/usr/bin/env python3
"""Manifest GET latency while the registry is busy with other work (issue 11, defect 12).

Slow or blocking work (SQLite commits with fsync, bcrypt, directory fsyncs, file opens) must never run on an event
loop: if it does, every GET served by that loop waits behind it. This workload measures manifest GET p99 with wrk,
first on an idle registry, then while 8 pushes and 4 htpasswd logins a second run (8 clients each pushing a small image
every second; bcrypt at cost 10 for each login). Target: the loaded p99 is at most 3x the idle p99.

CNCF Distribution runs the same GETs and pushes in the same run, for the ratio. It runs without authentication, as
in bench.py: with htpasswd it would run bcrypt on every request, GETs included, which is a different workload; its
row has no logins.

    bench/loaded.py                 # 20 s per phase
    bench/loaded.py --smoke         # a few seconds, for the test command
"""

from __future__ import annotations

import argparse
import base64
import itertools
import sys
import tempfile
import threading
import time
from pathlib import Path

import bench
from bench import (ACCEPT_MANIFESTS, OCI_MANIFEST, BenchError, Client, Server, SmallImages, fmt, print_table,
                   run_wrk, upload_blob, wrk_get_script, wrk_figures)

USER, PASSWORD = "bench-user", "bench-password-1"
TARGET = 3.0


def write_htpasswd(path: Path) -> None:
    import bcrypt  # installed with the end-to-end suite's packages

    path.write_text(f"{USER}:{bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=10)).decode()}\n")


class Load:
    """8 pushes of fresh small images a second (8 clients, one each per second) and, on Wharf, 4 htpasswd logins a
    second, until stopped."""

    def __init__(self, srv: Server, images: SmallImages, logins: bool):
        self.srv, self.images, self.logins = srv, images, logins
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.pushes = self.login_count = 0
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self.push, args=(t,), daemon=True) for t in range(8)]
        if logins:
            self.threads.append(threading.Thread(target=self.login, daemon=True))

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=60)
        if self.errors:
            raise BenchError(f"load on {self.srv.label}: {self.errors[0]}")

    def push(self, t: int) -> None:
        client = Client(self.srv.port)
        next_at = time.monotonic() + t / 8
        try:
            for n in itertools.count():
                if self.stop.wait(max(0.0, next_at - time.monotonic())):
                    return
                next_at += 1.0
                im = self.images.images[(t + 8 * n) % len(self.images.images)]
                repo = f"loaded{t}/app{n}"
                for digest, data in im["blobs"].items():
                    upload_blob(client, repo, data, digest)
                client.request("PUT", f"/v2/{repo}/manifests/latest", body=im["manifest"],
                               headers={"Content-Type": OCI_MANIFEST}, expect=(201,))
                with self.lock:
                    self.pushes += 1
        except Exception as e:  # noqa: BLE001 - reported by __exit__
            self.errors.append(f"push: {type(e).__name__}: {e}")
        finally:
            client.close()

    def login(self) -> None:
        basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
        next_at = time.monotonic()
        try:
            while not self.stop.is_set():
                client = Client(self.srv.port)
                try:
                    client.request("GET", "/v2/token?service=wharf&scope=repository:loaded0/app0:pull",
                                   headers={"Authorization": basic}, expect=(200,))
                finally:
                    client.close()
                with self.lock:
                    self.login_count += 1
                next_at += 0.25
                self.stop.wait(max(0.0, next_at - time.monotonic()))
        except Exception as e:  # noqa: BLE001 - reported by __exit__
            self.errors.append(f"login: {type(e).__name__}: {e}")


def measure(srv: Server, images: SmallImages, seconds: float, workdir: Path) -> dict:
    setup = Client(srv.port)
    try:
        for im in images.images:
            for digest, data in im["blobs"].items():
                upload_blob(setup, im["repo"], data, digest)
            setup.request("PUT", f"/v2/{im['repo']}/manifests/latest", body=im["manifest"],
                          headers={"Content-Type": OCI_MANIFEST}, expect=(201,))
    finally:
        setup.close()
    script = wrk_get_script([f"/v2/{im['repo']}/manifests/latest" for im in images.images], ACCEPT_MANIFESTS)
    run_wrk(srv.port, script, workdir, 2, 8, 1)  # warm-up, not measured
    idle = wrk_figures(run_wrk(srv.port, script, workdir, 2, 8, seconds), "idle manifest GET")
    with Load(srv, images, logins=srv.kind == "wharf") as load:
        busy = wrk_figures(run_wrk(srv.port, script, workdir, 2, 8, seconds), "loaded manifest GET")
    srv.check_alive()
    return {"idle": idle, "busy": busy, "pushes": load.pushes / seconds, "logins": load.login_count / seconds}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wharfd", help="the wharfd binary (default: the release build)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured phase")
    parser.add_argument("--smoke", action="store_true", help="a few seconds per phase, for the test command")
    args = parser.parse_args(argv)
    seconds = 3.0 if args.smoke else args.seconds
    bench.ensure_tools(need_distribution=True, need_skopeo=False)
    wharfd = bench.find_wharfd(args.wharfd)
    images = SmallImages(seed=11, count=40, layer_kib=4)
    results = {}
    with tempfile.TemporaryDirectory(prefix="wharf-loaded-") as tmp:
        work = Path(tmp)
        htpasswd = work / "htpasswd"
        write_htpasswd(htpasswd)
        for kind in ("wharf", "distribution"):
            srv = Server(kind, kind, work / kind, wharfd)
            if kind == "wharf":
                srv.extra_args = ["--htpasswd", str(htpasswd)]
            try:
                srv.start()
                results[kind] = measure(srv, images, seconds, work)
            finally:
                srv.stop()
    rows = []
    for kind, r in results.items():
        ratio = r["busy"]["p99_ms"] / r["idle"]["p99_ms"]
        rows.append([kind, fmt(r["idle"]["p99_ms"]), fmt(r["busy"]["p99_ms"]), fmt(ratio), fmt(r["idle"]["rps"]),
                     fmt(r["busy"]["rps"]), fmt(r["pushes"]), fmt(r["logins"])])
    print_table(["registry", "idle p99 ms", "loaded p99 ms", "loaded/idle", "idle GET/s", "loaded GET/s", "pushes/s",
                 "logins/s"], rows)
    w, d = results["wharf"], results["distribution"]
    ratio = w["busy"]["p99_ms"] / w["idle"]["p99_ms"]
    print(f"loaded p99 Wharf/Distribution: {fmt(w['busy']['p99_ms'] / d['busy']['p99_ms'])}")
    held = ratio <= TARGET
    print(f"target: Wharf's loaded manifest GET p99 <= {TARGET:g}x its idle p99: {fmt(ratio)}x, "
          f"{'holds' if held else 'does not hold'}")
    return 0 if held or args.smoke else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
