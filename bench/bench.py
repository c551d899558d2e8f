#!/usr/bin/env python3
"""Wharf against CNCF Distribution, side by side on loopback (issue 5). See bench/README.md.

Starts the Wharf release binary and Debian's `docker-registry` on 127.0.0.1, runs the same workloads against
both, alternating which goes first, over several passes, and prints the medians, the ratio Wharf/Distribution
and whether each target of issue 5 holds. Standard library only; drives skopeo and wrk.
"""
from __future__ import annotations

import argparse
import atexit
import hashlib
import http.client
import io
import json
import os
import base64
import random
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import urllib.parse
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from backend import Backend  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent
MiB = 1 << 20
GiB = 1 << 30
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip"
ACCEPT_MANIFESTS = ("application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, "
                    "application/vnd.docker.distribution.manifest.v2+json, "
                    "application/vnd.docker.distribution.manifest.list.v2+json")
CLK_TCK = os.sysconf("SC_CLK_TCK")
HTTP_TIMEOUT = 120  # seconds, for every request of the harness's own client


class BenchError(Exception):
    """A failed step: the run goes on to clean up and exits non-zero."""


def log(msg: str) -> None:
    print(msg, flush=True)


# --------------------------------------------------------------------------------------------------------------
# Sizes: full (issue 5), --quick (under 2 minutes), --smoke (under 1 minute, CI)
# --------------------------------------------------------------------------------------------------------------

PRESETS = {
    "full": dict(passes=3, push_mib=1024, push_layers=4, upload_mib=1024, chunk_mib=8, get_rounds=2, get_conns=4,
                 manifest_repos=200, manifest_conns=16, manifest_seconds=10, small_images=200, small_conns=8,
                 small_layer_kib=4, scale_streams=10000, scale_seconds=10),
    "quick": dict(passes=3, push_mib=256, push_layers=4, upload_mib=256, chunk_mib=8, get_rounds=2, get_conns=4,
                  manifest_repos=200, manifest_conns=16, manifest_seconds=3, small_images=200, small_conns=8,
                  small_layer_kib=4, scale_streams=10000, scale_seconds=3),
    "smoke": dict(passes=1, push_mib=4, push_layers=4, upload_mib=3, chunk_mib=1, get_rounds=1, get_conns=4,
                  manifest_repos=20, manifest_conns=4, manifest_seconds=1, small_images=20, small_conns=4,
                  small_layer_kib=4, scale_streams=20, scale_seconds=1, scale=[60]),
}

PHASES = ["push", "pull", "upload-mono", "upload-chunked", "blob-get", "small-push", "manifest-get"]


# --------------------------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------------------------

def ensure_tools(need_distribution: bool, need_skopeo: bool) -> None:
    """Installs skopeo, wrk and docker-registry from Debian if missing, and with skopeo what `bench/floor.c` is built
    with (a C compiler and OpenSSL's headers)."""
    wanted = {"wrk": "wrk"}
    if need_skopeo:
        wanted["skopeo"] = "skopeo"
        wanted["cc"] = "gcc"
    if need_distribution:
        wanted["docker-registry"] = "docker-registry"
    missing = [pkg for cmd, pkg in wanted.items() if shutil.which(cmd) is None]
    if need_skopeo and not Path(Floor.HEADER).exists():
        missing.append("libssl-dev")
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        raise BenchError(f"missing {', '.join(missing)} and cannot apt-get install them (need root and apt)")
    log(f"installing {' '.join(missing)} with apt-get")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    cmd = ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]
    if subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, timeout=900).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, stdout=subprocess.DEVNULL, timeout=900)
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, timeout=900, check=True)
    still = [cmd for cmd in wanted if shutil.which(cmd) is None]
    if need_skopeo and not Path(Floor.HEADER).exists():
        still.append(Floor.HEADER)
    if still:
        raise BenchError(f"still missing after apt-get: {', '.join(still)}")


def find_wharfd(path: str | None) -> str:
    if path:
        if not os.access(path, os.X_OK):
            raise BenchError(f"--wharfd {path} is not an executable")
        return path
    binary = REPO_ROOT / ".build" / "release" / "wharfd"
    if not binary.exists():
        log("no release wharfd: building it with `swift build -c release --product wharfd` (several minutes)")
        subprocess.run(["swift", "build", "-c", "release", "--product", "wharfd"], cwd=REPO_ROOT, check=True,
                       timeout=3600)
    return str(binary)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------------------------------------------
# Registry processes
# --------------------------------------------------------------------------------------------------------------

LIVE_SERVERS: list["Server"] = []

DISTRIBUTION_CONFIG = """\
# Written by bench/bench.py: CNCF Distribution with the run's storage (bench/backend.py), no auth, loopback only.
# Logging is at warn and the access log is off, because Wharf logs no line per request either.
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
{storage}  cache:
    blobdescriptor: inmemory
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:{port}
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: false
"""


# Wharf is secure by default: the harness logs in as the admin whose token the first start writes. Each Wharf port
# gets an Authorization header (HTTP client, wrk) and a login in the auth file skopeo reads.
AUTH: dict[int, str] = {}
AUTH_FILE = Path(tempfile.mkdtemp(prefix="wharf-bench-auth-")) / "auth.json"
atexit.register(shutil.rmtree, AUTH_FILE.parent, True)
AUTH_FILE.write_text('{"auths": {}}')
os.environ["REGISTRY_AUTH_FILE"] = str(AUTH_FILE)


def log_in(port: int, token: str) -> None:
    AUTH[port] = f"Bearer {token}"
    auths = json.loads(AUTH_FILE.read_text())
    auths["auths"][f"127.0.0.1:{port}"] = {"auth": base64.b64encode(f"admin:{token}".encode()).decode()}
    AUTH_FILE.write_text(json.dumps(auths))


class Server:
    def __init__(self, kind: str, label: str, workdir: Path, wharfd: str):
        self.kind = kind  # "wharf" or "distribution"
        self.label = label
        self.workdir = workdir
        self.wharfd = wharfd
        self.proc: subprocess.Popen | None = None
        self.port = 0
        self.data = workdir / "data"
        self.logfile = workdir / "server.log"
        self.startup_ms = 0.0
        self.start_peak_mib = 0.0
        self.can_reset_peak = True
        self.extra_args: list[str] = []  # more wharfd flags, such as --htpasswd
        self.token = ""  # Wharf's admin token, once started
        self.backend: Backend | None = None  # where the data lives (bench/backend.py); None: the filesystem
        self.shared_with: Server | None = None  # another Wharf whose database, bucket and admin this one shares
        self.storage_args: list[str] = []
        self.storage_env: dict[str, str] = {}

    # -- lifecycle
    def start(self, fresh: bool = True) -> None:
        if fresh and self.data.exists():
            shutil.rmtree(self.data)
        self.data.mkdir(parents=True, exist_ok=True)
        if fresh or not self.port:  # a restart keeps the address, and with it Wharf's registry hostname
            self.port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("REGISTRY_", "WHARF_"))}
        backend = self.backend or Backend("filesystem")
        if self.kind == "wharf":
            if self.shared_with:
                shared = self.shared_with
                storage_args = shared.storage_args + ["--admin-token-file", str(shared.data / "admin.token")]
                storage_env = shared.storage_env
            else:
                storage_args, storage_env = backend.wharf()
            self.storage_args, self.storage_env = storage_args, storage_env
            env.update(storage_env)
            cmd = [self.wharfd, "--host", "127.0.0.1", "--port", str(self.port), "--data-dir", str(self.data),
                   *storage_args, *self.extra_args]
        else:
            config = self.workdir / "config.yml"
            config.write_text(DISTRIBUTION_CONFIG.format(storage=backend.distribution_storage(self.data), port=self.port))
            # Distribution's AWS SDK refuses to start with a custom CA bundle beside its own HTTP transport.
            env.pop("AWS_CA_BUNDLE", None)
            cmd = ["docker-registry", "serve", str(config)]
        out = open(self.logfile, "ab")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)
        out.close()
        LIVE_SERVERS.append(self)
        deadline = t0 + 60
        while True:
            if self.proc.poll() is not None:
                raise BenchError(f"{self.label} exited with {self.proc.returncode} at start; log:\n{self.log_tail()}")
            if time.perf_counter() > deadline:
                raise BenchError(f"{self.label} did not answer GET /v2/ within 60 s; log:\n{self.log_tail()}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/v2/")
                status = c.getresponse().status
                c.close()
                if status == 200 or (status == 401 and self.kind == "wharf"):
                    break
                raise BenchError(f"{self.label}: GET /v2/ answered {status}")
            except (ConnectionError, OSError):
                time.sleep(0.005)
        self.startup_ms = (time.perf_counter() - t0) * 1000
        if self.kind == "wharf":
            self.token = ((self.shared_with.data if self.shared_with else self.data) / "admin.token").read_text().strip()
            log_in(self.port, self.token)
        self.start_peak_mib = self.peak_rss_mib()

    def stop(self) -> None:
        if self.proc is None:
            return
        proc, self.proc = self.proc, None
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        if self in LIVE_SERVERS:
            LIVE_SERVERS.remove(self)

    def check_alive(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise BenchError(f"{self.label} is not running (exit {code}); log:\n{self.log_tail()}")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.logfile.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    # -- /proc figures
    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def cpu_seconds(self) -> float:
        text = Path(f"/proc/{self.pid}/stat").read_text()
        fields = text[text.rindex(")") + 2:].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime

    def _status_kib(self, key: str) -> int:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    def peak_rss_mib(self) -> float:
        return self._status_kib("VmHWM") / 1024

    def rss_mib(self) -> float:
        return self._status_kib("VmRSS") / 1024

    def reset_peak(self) -> None:
        if not self.can_reset_peak:
            return
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            self.can_reset_peak = False  # then each phase's peak is the peak since start

    @property
    def base(self) -> str:
        return f"127.0.0.1:{self.port}"


class Measure:
    """Registry CPU seconds, peak RSS and wall time of one phase, and the CPU seconds of the client processes
    (skopeo, wrk) that ran and ended in it."""

    def __init__(self, server: Server):
        self.server = server
        self.wall = self.cpu = self.peak_mib = self.client_cpu = 0.0

    @staticmethod
    def children_cpu() -> float:
        ru = resource.getrusage(resource.RUSAGE_CHILDREN)  # ended, waited-for children: not the running registries
        return ru.ru_utime + ru.ru_stime

    def __enter__(self) -> "Measure":
        self.server.check_alive()
        self.server.reset_peak()
        self.cpu0 = self.server.cpu_seconds()
        self.client0 = self.children_cpu()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.t0
        self.client_cpu = self.children_cpu() - self.client0
        if self.server.proc is not None and self.server.proc.poll() is None:
            self.cpu = self.server.cpu_seconds() - self.cpu0
            self.peak_mib = self.server.peak_rss_mib()


# --------------------------------------------------------------------------------------------------------------
# HTTP client (standard library, one keep-alive connection per object)
# --------------------------------------------------------------------------------------------------------------

class Client:
    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=HTTP_TIMEOUT, blocksize=MiB)

    def close(self) -> None:
        self.conn.close()

    def request(self, method: str, path: str, body=None, headers: dict | None = None,
                expect: tuple = (200,), read: bool = True):
        try:
            headers = dict(headers or {})
            if self.port in AUTH:
                headers.setdefault("Authorization", AUTH[self.port])
            self.conn.request(method, path, body=body, headers=headers)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the next request reconnects
            raise
        data = resp.read() if read else b""
        if resp.status not in expect:
            raise BenchError(f"{method} {path} answered {resp.status}, expected {expect}: {data[:300]!r}")
        return resp, data


def location_path(resp: http.client.HTTPResponse) -> str:
    loc = resp.getheader("Location")
    if not loc:
        raise BenchError("upload answer without Location")
    parts = urllib.parse.urlsplit(loc)
    return parts.path + ("?" + parts.query if parts.query else "")


def with_query(path: str, **params: str) -> str:
    return path + ("&" if "?" in path else "?") + urllib.parse.urlencode(params)


def upload_blob(client: Client, repo: str, data: bytes, digest: str, head_first: bool = True) -> None:
    """HEAD (404), POST, then one PUT with the bytes: a monolithic push of a small blob."""
    if head_first:
        resp, _ = client.request("HEAD", f"/v2/{repo}/blobs/{digest}", expect=(200, 404))
        if resp.status == 200:
            return
    resp, _ = client.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"", expect=(202,))
    client.request("PUT", with_query(location_path(resp), digest=digest), body=data,
                   headers={"Content-Type": "application/octet-stream"}, expect=(201,))


# --------------------------------------------------------------------------------------------------------------
# Deterministic test data
# --------------------------------------------------------------------------------------------------------------

class RandomReader(io.RawIOBase):
    """`size` seeded pseudo-random (incompressible) bytes as a readable file."""

    def __init__(self, seed: str, size: int):
        self.rng = random.Random(seed)
        self.left = size

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        if n is None or n < 0 or n > self.left:
            n = self.left
        self.left -= n
        return self.rng.randbytes(n) if n else b""


class GzipHashWriter(io.RawIOBase):
    """Takes the uncompressed tar stream: hashes it (diff_id), gzips it, hashes and writes the result."""

    def __init__(self, out, level: int):
        self.out = out
        self.diff = hashlib.sha256()
        self.blob = hashlib.sha256()
        self.size = 0
        self.z = zlib.compressobj(level, zlib.DEFLATED, 31)  # 31: gzip wrapper, mtime 0

    def writable(self) -> bool:
        return True

    def _emit(self, data: bytes) -> None:
        if data:
            self.blob.update(data)
            self.size += len(data)
            self.out.write(data)

    def write(self, data) -> int:
        self.diff.update(data)
        self._emit(self.z.compress(data))
        return len(data)

    def finish(self) -> tuple[str, int, str]:
        self._emit(self.z.flush())
        return "sha256:" + self.blob.hexdigest(), self.size, "sha256:" + self.diff.hexdigest()


def write_layer(out, seed: str, payload: int, name: str, level: int) -> tuple[str, int, str]:
    """A real tar.gz layer: s2i-like directories and one file of incompressible bytes."""
    w = GzipHashWriter(out, level)
    with tarfile.open(fileobj=w, mode="w|", format=tarfile.PAX_FORMAT, copybufsize=MiB) as tar:
        for d in ("opt", "opt/app-root", "opt/app-root/src"):
            ti = tarfile.TarInfo(d)
            ti.type, ti.mode, ti.mtime, ti.uid, ti.gid = tarfile.DIRTYPE, 0o775, 1700000000, 1001, 0
            tar.addfile(ti)
        ti = tarfile.TarInfo(f"opt/app-root/src/{name}")
        ti.size, ti.mode, ti.mtime, ti.uid, ti.gid = payload, 0o664, 1700000000, 1001, 0
        tar.addfile(ti, RandomReader(seed, payload))
    return w.finish()


def s2i_config(diff_ids: list[str], name: str, extra_labels: dict | None = None) -> bytes:
    labels = {
        "io.k8s.description": "Platform for building and running Ruby 2.2 applications",
        "io.k8s.display-name": name,
        "io.openshift.build.commit.id": hashlib.sha1(name.encode()).hexdigest(),
        "io.openshift.build.commit.ref": "master",
        "io.openshift.build.source-location": "https://github.com/openshift/ruby-hello-world.git",
        "io.openshift.expose-services": "8080:http",
        "io.openshift.s2i.scripts-url": "image:///usr/libexec/s2i",
        "io.openshift.tags": "builder,ruby,ruby22",
        "io.s2i.scripts-url": "image:///usr/libexec/s2i",
        "license": "GPLv2",
        "name": "CentOS Base Image",
        "vendor": "CentOS",
    }
    labels.update(extra_labels or {})
    config = {
        "architecture": "amd64",
        "os": "linux",
        "created": "2024-01-02T03:04:05Z",
        "author": "bench",
        "config": {
            "User": "1001",
            "Env": ["RACK_ENV=production", "OPENSHIFT_BUILD_NAMESPACE=bench", "EXAMPLE=sample-app",
                    "PATH=/opt/app-root/src/bin:/opt/app-root/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
                    "STI_SCRIPTS_URL=image:///usr/libexec/s2i", "STI_SCRIPTS_PATH=/usr/libexec/s2i",
                    "HOME=/opt/app-root/src", "RUBY_VERSION=2.2"],
            "Entrypoint": ["container-entrypoint"],
            "Cmd": ["/usr/libexec/s2i/run"],
            "WorkingDir": "/opt/app-root/src",
            "ExposedPorts": {"8080/tcp": {}},
            "Labels": labels,
        },
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
        "history": [{"created": "2024-01-02T03:04:05Z", "created_by": f"bench layer {i}"}
                    for i in range(len(diff_ids))],
    }
    return json.dumps(config, sort_keys=True, separators=(",", ":")).encode()


def oci_manifest(config: bytes, layers: list[tuple[str, int]], annotations: dict | None = None) -> bytes:
    m = {
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "config": {"mediaType": OCI_CONFIG, "digest": sha256(config), "size": len(config)},
        "layers": [{"mediaType": OCI_LAYER_GZIP, "digest": d, "size": s} for d, s in layers],
    }
    if annotations:
        m["annotations"] = annotations
    return json.dumps(m, separators=(",", ":")).encode()


def sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(4 * MiB):
            h.update(chunk)
    return "sha256:" + h.hexdigest()


class BigImage:
    """The OCI layout pushed with skopeo: `layers` tar.gz layers of incompressible content, `total` bytes."""

    def __init__(self, cache: Path, seed: int, total: int, layers: int):
        self.dir = cache / f"big-{layers}x{total // layers}-s{seed}"
        stamp = self.dir / "bench-meta.json"
        if not stamp.exists():
            if self.dir.exists():
                shutil.rmtree(self.dir)
            self._generate(seed, total, layers)
            stamp.write_text(json.dumps(self.meta))
        self.meta = json.loads(stamp.read_text())
        self.layers = [(d, s) for d, s in self.meta["layers"]]
        self.manifest_digest = self.meta["manifest"]
        self.bytes = sum(s for _, s in self.layers)

    def blob_path(self, digest: str) -> Path:
        return self.dir / "blobs" / "sha256" / digest.split(":", 1)[1]

    def _generate(self, seed: int, total: int, layers: int) -> None:
        t0 = time.perf_counter()
        blobs = self.dir / "blobs" / "sha256"
        blobs.mkdir(parents=True)
        out_layers, diff_ids = [], []
        for i in range(layers):
            tmp = blobs / f"tmp-{i}"
            with open(tmp, "wb") as f:
                # level 0: stored deflate blocks. Still a real gzip stream, and the content is random anyway.
                digest, size, diff_id = write_layer(f, f"big-{seed}-{i}", total // layers - 4096, f"layer-{i}.bin", 0)
            tmp.rename(blobs / digest.split(":")[1])
            out_layers.append((digest, size))
            diff_ids.append(diff_id)
        config = s2i_config(diff_ids, "bench/big:latest")
        (blobs / sha256(config).split(":")[1]).write_bytes(config)
        manifest = oci_manifest(config, out_layers)
        (blobs / sha256(manifest).split(":")[1]).write_bytes(manifest)
        (self.dir / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
        index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
                 "manifests": [{"mediaType": OCI_MANIFEST, "digest": sha256(manifest), "size": len(manifest),
                                "annotations": {"org.opencontainers.image.ref.name": "latest"}}]}
        (self.dir / "index.json").write_text(json.dumps(index))
        self.meta = {"layers": out_layers, "manifest": sha256(manifest), "config": sha256(config)}
        log(f"generated {self.dir.name}: {sum(s for _, s in out_layers) / 1e6:.0f} MB in "
            f"{time.perf_counter() - t0:.1f} s")


class UploadBlob:
    """A blob of incompressible bytes for the HTTP upload phase."""

    def __init__(self, cache: Path, seed: int, size: int, name: str):
        self.path = cache / f"upload-{name}-{size}-s{seed}.bin"
        stamp = self.path.with_suffix(".sha256")
        if not stamp.exists():
            reader = RandomReader(f"upload-{seed}-{name}", size)
            h = hashlib.sha256()
            with open(self.path, "wb") as f:
                while chunk := reader.read(4 * MiB):
                    h.update(chunk)
                    f.write(chunk)
            stamp.write_text("sha256:" + h.hexdigest())
        self.digest = stamp.read_text().strip()
        self.size = self.path.stat().st_size


class SmallImages:
    """`count` images of two small tar.gz layers and an s2i-like config each; image i goes to its own repository."""

    def __init__(self, seed: int, count: int, layer_kib: int):
        self.images = []
        for i in range(count):
            layers, diff_ids, blobs = [], [], {}
            for j in range(2):
                buf = io.BytesIO()
                # The tar's own padding compresses; this payload gives layers of about layer_kib KiB.
                digest, size, diff_id = write_layer(buf, f"small-{seed}-{i}-{j}", max(layer_kib * 1024 - 260, 1),
                                                    f"part-{j}.bin", 6)
                layers.append((digest, size))
                diff_ids.append(diff_id)
                blobs[digest] = buf.getvalue()
            repo = f"small{i % 10}/app{i:04d}"
            config = s2i_config(diff_ids, repo + ":latest", {"bench.index": str(i)})
            blobs[sha256(config)] = config
            manifest = oci_manifest(config, layers)
            self.images.append({"repo": repo, "tag": "latest", "blobs": blobs, "manifest": manifest,
                                "digest": sha256(manifest)})
        self.layer_bytes = sum(len(b) for im in self.images for b in im["blobs"].values()) / max(count, 1)


# --------------------------------------------------------------------------------------------------------------
# wrk
# --------------------------------------------------------------------------------------------------------------

LUA_DONE = r'''
function done(summary, latency, requests)
  local ok, bad, quota = 0, 0, 0
  for _, t in ipairs(threads) do
    ok = ok + (t:get("ok") or 0); bad = bad + (t:get("bad") or 0); quota = quota + (t:get("quota") or 0)
  end
  io.write(string.format('BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%.1f,"p99_us":%.1f,' ..
    '"max_us":%.1f,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"ok":%d,"bad":%d,"quota":%d}\n',
    summary.requests, summary.duration, summary.bytes, latency:percentile(50), latency:percentile(99),
    latency.max, summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout, ok, bad, quota))
end
'''


def lua_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def wrk_get_script(paths: list[str], accept: str | None) -> str:
    headers = f'{{["Accept"] = {lua_string(accept)}}}' if accept else "{}"
    return (
        "local paths = {" + ",".join(lua_string(p) for p in paths) + "}\n"
        f"local headers = {headers}\n"
        "threads = {}\n"
        'function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end\n'
        "local counter = 0\n"
        "function init(args) counter = (tid or 0) * 7919 end\n"
        "function request()\n"
        "  counter = counter + 1\n"
        '  return wrk.format("GET", paths[(counter % #paths) + 1], headers)\n'
        "end\n" + LUA_DONE)


def run_wrk(port: int, script: str, workdir: Path, threads: int, conns: int, seconds: float,
            timeout_s: int = 10, finish_dir: Path | None = None) -> dict:
    """Runs wrk with a Lua script that prints BENCHJSON in done(). With finish_dir, the script writes one file
    there per thread that is done, and wrk (which otherwise sleeps for the whole -d) is interrupted then."""
    path = workdir / f"wrk-{time.monotonic_ns()}.lua"
    if port in AUTH:  # wrk.format ignores wrk.headers when given headers, so wrap it
        script = ("local unauthenticated_format = wrk.format\n"
                  "wrk.format = function(m, p, h, b) h = h or {}; h[\"Authorization\"] = " + lua_string(AUTH[port])
                  + "; return unauthenticated_format(m, p, h, b) end\n") + script
    path.write_text(script)
    threads = max(1, min(threads, conns))
    cmd = ["wrk", "-t", str(threads), "-c", str(conns), "-d", f"{max(1, round(seconds))}s",
           "--timeout", f"{timeout_s}s", "-s", str(path), f"http://127.0.0.1:{port}/"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            stdin=subprocess.DEVNULL)
    try:
        if finish_dir is not None:
            deadline = time.monotonic() + seconds + 5
            while proc.poll() is None and time.monotonic() < deadline:
                if len(list(finish_dir.iterdir())) >= threads:
                    proc.send_signal(signal.SIGINT)  # wrk's handler ends the run and still calls done()
                    break
                time.sleep(0.02)
        out, err = proc.communicate(timeout=seconds + timeout_s + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        path.unlink()
    if os.environ.get("BENCH_DEBUG"):
        print(out, err)
    for line in out.splitlines():
        if line.startswith("BENCHJSON "):
            return json.loads(line[len("BENCHJSON "):])
    raise BenchError(f"wrk failed ({proc.returncode}): {out[-500:]} {err[-500:]}")


def wrk_figures(r: dict, what: str) -> dict:
    errors = r["connect"] + r["read"] + r["write"] + r["status"] + r["timeout"]
    if errors:
        raise BenchError(f"{what}: wrk saw errors {r}")
    if r["requests"] == 0:
        raise BenchError(f"{what}: wrk completed no request")
    secs = r["duration_us"] / 1e6
    return {"requests": r["requests"], "rps": r["requests"] / secs, "p50_ms": r["p50_us"] / 1000,
            "p99_ms": r["p99_us"] / 1000}


# --------------------------------------------------------------------------------------------------------------
# Workloads (one registry, one pass)
# --------------------------------------------------------------------------------------------------------------

class Floor:
    """`bench/floor.c`: the least any registry must do per byte of an upload (receive it, hash it, write it with
    `O_DIRECT`), in C, fed by a sender as busy as skopeo. Its CPU per GiB is the floor under "registry CPU per GiB
    pushed" on this machine at this moment; each pass measures it next to the registries' pushes."""
    SOURCE = Path(__file__).resolve().parent / "floor.c"
    HEADER = "/usr/include/openssl/evp.h"
    SENDER_HASHES = 4  # the sender hashes each byte this many times, to be as busy as skopeo (see floor.c)

    def __init__(self, cache: Path):
        self.binary = cache / "floor"
        if self.binary.exists() and self.binary.stat().st_mtime >= self.SOURCE.stat().st_mtime:
            return
        cmd = ["cc", "-O2", "-o", str(self.binary), str(self.SOURCE), "-lcrypto"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise BenchError(f"building bench/floor.c failed: {(proc.stderr or proc.stdout)[-800:]}")

    def measure(self, layers: list[Path], workdir: Path) -> float:
        """CPU seconds per GiB the receiver spent on `layers`."""
        port = free_port()
        receiver = subprocess.Popen([str(self.binary), "receive", str(port), str(workdir / "floor.out")],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            run_cmd([str(self.binary), "send", str(port), str(self.SENDER_HASHES), *map(str, layers)], timeout=1800)
            out, err = receiver.communicate(timeout=120)
        finally:
            if receiver.poll() is None:
                receiver.kill()
                receiver.wait()
        found = re.search(r"([0-9.]+) s per GiB", out)
        if receiver.returncode != 0 or not found:
            raise BenchError(f"bench/floor.c receive failed ({receiver.returncode}): {(err or out)[-800:]}")
        return float(found.group(1))


class Bench:
    def __init__(self, args, cfg: dict, workdir: Path, cache: Path):
        self.args = args
        self.cfg = cfg
        self.workdir = workdir
        self.cache = cache
        self.big = self.upload_mono = self.upload_chunked = self.small = None
        self.floor: Floor | None = None

    def prepare_data(self, phases: list[str]) -> None:
        seed, cfg = self.args.seed, self.cfg
        self.cache.mkdir(parents=True, exist_ok=True)
        if {"push", "pull", "blob-get"} & set(phases):
            self.big = BigImage(self.cache, seed, cfg["push_mib"] * MiB, cfg["push_layers"])
        if "push" in phases:
            self.floor = Floor(self.cache)
        if "upload-mono" in phases:
            self.upload_mono = UploadBlob(self.cache, seed, cfg["upload_mib"] * MiB, "mono")
        if "upload-chunked" in phases:
            self.upload_chunked = UploadBlob(self.cache, seed, cfg["upload_mib"] * MiB, "chunked")
        if {"small-push", "manifest-get"} & set(phases):
            count = max(cfg["small_images"] if "small-push" in phases else 0, cfg["manifest_repos"])
            self.small = SmallImages(seed, count, cfg["small_layer_kib"])

    # -- 1. push with skopeo
    def push(self, srv: Server, state: dict) -> dict:
        repo = f"bench/push-{state['tag']}"
        cmd = ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false",
               f"oci:{self.big.dir}:latest", f"docker://{srv.base}/{repo}:latest"]
        with Measure(srv) as m:
            run_cmd(cmd, timeout=1800)
        state["big_repo"] = repo
        return phase_result(m, bytes=self.big.bytes)

    # -- 2. pull with skopeo, every digest checked
    def pull(self, srv: Server, state: dict) -> dict:
        if "big_repo" not in state:
            self.push(srv, state)
        dest = self.workdir / f"pulled-{srv.kind}"
        shutil.rmtree(dest, ignore_errors=True)
        cmd = ["skopeo", "--insecure-policy", "copy", "--quiet", "--src-tls-verify=false",
               f"docker://{srv.base}/{state['big_repo']}:latest", f"oci:{dest}:latest"]
        try:
            with Measure(srv) as m:
                run_cmd(cmd, timeout=1800)
            index = json.loads((dest / "index.json").read_text())
            got = index["manifests"][0]["digest"]
            if got != self.big.manifest_digest:
                raise BenchError(f"pulled manifest {got}, pushed {self.big.manifest_digest}")
            for digest, size in self.big.layers:
                p = dest / "blobs" / "sha256" / digest.split(":", 1)[1]
                if not p.exists() or p.stat().st_size != size or file_sha256(p) != digest:
                    raise BenchError(f"pulled layer {digest} is missing or wrong")
        finally:
            shutil.rmtree(dest, ignore_errors=True)
        return phase_result(m, bytes=self.big.bytes)

    # -- 3. blob upload from our own client
    def upload(self, srv: Server, state: dict, blob: UploadBlob, chunked: bool) -> dict:
        repo = f"bench/upload-{state['tag']}"
        client = Client(srv.port)
        chunk = self.cfg["chunk_mib"] * MiB
        requests = 0
        try:
            with Measure(srv) as m:
                resp, _ = client.request("POST", f"/v2/{repo}/blobs/uploads/", body=b"", expect=(202,))
                loc = location_path(resp)
                requests += 1
                with open(blob.path, "rb") as f:
                    if not chunked:
                        client.request("PUT", with_query(loc, digest=blob.digest), body=f,
                                       headers={"Content-Type": "application/octet-stream",
                                                "Content-Length": str(blob.size)}, expect=(201,))
                        requests += 1
                    else:
                        offset = 0
                        for _ in range(blob.size // chunk + 2):  # bounded
                            data = f.read(chunk)
                            if not data:
                                break
                            resp, _ = client.request(
                                "PATCH", loc, body=data,
                                headers={"Content-Type": "application/octet-stream",
                                         "Content-Range": f"{offset}-{offset + len(data) - 1}"},
                                expect=(202,))
                            loc = location_path(resp)
                            offset += len(data)
                            requests += 1
                        if offset != blob.size:
                            raise BenchError(f"chunked upload sent {offset} of {blob.size} bytes")
                        client.request("PUT", with_query(loc, digest=blob.digest), body=b"",
                                       headers={"Content-Type": "application/octet-stream"}, expect=(201,))
                        requests += 1
            resp, _ = client.request("HEAD", f"/v2/{repo}/blobs/{blob.digest}", expect=(200,))
            if int(resp.getheader("Content-Length", "-1")) != blob.size:
                raise BenchError(f"HEAD after upload: Content-Length {resp.getheader('Content-Length')}")
            if resp.getheader("Docker-Content-Digest") != blob.digest:
                raise BenchError(f"HEAD after upload: digest {resp.getheader('Docker-Content-Digest')}")
        finally:
            client.close()
        return phase_result(m, bytes=blob.size, requests=requests)

    # -- 4. blob GET over several connections
    def blob_get(self, srv: Server, state: dict) -> dict:
        if "big_repo" not in state:
            self.push(srv, state)
        repo, layers, conns = state["big_repo"], self.big.layers, self.cfg["get_conns"]
        jobs = [layers[k % len(layers)] for k in range(self.cfg["get_rounds"] * len(layers))]
        per_conn = [jobs[i::conns] for i in range(conns)]
        errors: list[str] = []
        got = [0] * conns

        def worker(i: int) -> None:
            client = Client(srv.port)
            buf = memoryview(bytearray(MiB))
            try:
                for digest, size in per_conn[i]:
                    client.conn.request("GET", f"/v2/{repo}/blobs/{digest}", headers={"Authorization": AUTH[srv.port]} if srv.port in AUTH else {})
                    resp = client.conn.getresponse()
                    if resp.status != 200:
                        raise BenchError(f"GET blob answered {resp.status}")
                    n = 0
                    for _ in range(size // len(buf) + 2 + size // 65536):  # bounded
                        k = resp.readinto(buf)
                        if not k:
                            break
                        n += k
                    if n != size:
                        raise BenchError(f"GET blob {digest}: {n} bytes of {size}")
                    got[i] += n
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"{type(e).__name__}: {e}")
            finally:
                client.close()

        with Measure(srv) as m:
            run_threads(worker, conns)
        if errors:
            raise BenchError("blob GET: " + errors[0])
        return phase_result(m, bytes=sum(got))

    # -- 6. many small images over HTTP
    def push_small(self, srv: Server, images: list[dict], conns: int) -> None:
        errors: list[str] = []

        def worker(t: int) -> None:
            client = Client(srv.port)
            try:
                for im in images[t::conns]:
                    for digest, data in im["blobs"].items():
                        upload_blob(client, im["repo"], data, digest)
                    resp, _ = client.request("PUT", f"/v2/{im['repo']}/manifests/{im['tag']}", body=im["manifest"],
                                             headers={"Content-Type": OCI_MANIFEST}, expect=(201,))
                    if resp.getheader("Docker-Content-Digest") not in (None, im["digest"]):
                        raise BenchError(f"manifest PUT answered digest {resp.getheader('Docker-Content-Digest')}")
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(f"{type(e).__name__}: {e}")
            finally:
                client.close()

        run_threads(worker, conns)
        if errors:
            raise BenchError("small image push: " + errors[0])

    def check_small(self, srv: Server, images: list[dict]) -> None:
        client = Client(srv.port)
        try:
            for im in images:
                resp, _ = client.request("HEAD", f"/v2/{im['repo']}/manifests/{im['tag']}",
                                         headers={"Accept": ACCEPT_MANIFESTS}, expect=(200,))
                if resp.getheader("Docker-Content-Digest") != im["digest"]:
                    raise BenchError(f"{im['repo']}:{im['tag']} resolves to {resp.getheader('Docker-Content-Digest')}"
                                     f", pushed {im['digest']}")
            if srv.kind == "wharf" and images:
                ns, name = images[0]["repo"].split("/")
                _, body = client.request("GET", f"/apis/image.openshift.io/v1/namespaces/{ns}/imagestreams/{name}")
                stream = json.loads(body)
                tags = {t["tag"]: t for t in stream.get("status", {}).get("tags", [])}
                if tags.get("latest", {}).get("items", [{}])[0].get("image") != images[0]["digest"]:
                    raise BenchError(f"image stream {ns}/{name} has no tag event for latest: {body[:300]!r}")
        finally:
            client.close()

    def small_push(self, srv: Server, state: dict) -> dict:
        images = self.small.images[:self.cfg["small_images"]]
        with Measure(srv) as m:
            self.push_small(srv, images, self.cfg["small_conns"])
        self.check_small(srv, images)
        state["small_pushed"] = len(images)
        return phase_result(m, images=len(images), requests=len(images) * 10)

    # -- 5. manifest GET by tag across repositories
    def manifest_get(self, srv: Server, state: dict) -> dict:
        repos = self.cfg["manifest_repos"]
        have = state.get("small_pushed", 0)
        if have < repos:  # setup, not measured
            self.push_small(srv, self.small.images[have:repos], self.cfg["small_conns"])
            self.check_small(srv, self.small.images[have:repos])
            state["small_pushed"] = repos
        paths = [f"/v2/{im['repo']}/manifests/{im['tag']}" for im in self.small.images[:repos]]
        script = wrk_get_script(paths, ACCEPT_MANIFESTS)
        with Measure(srv) as m:
            r = run_wrk(srv.port, script, self.workdir, self.args.wrk_threads, self.cfg["manifest_conns"],
                        self.cfg["manifest_seconds"])
        f = wrk_figures(r, "manifest GET")
        return phase_result(m, **f)

    def run_phase(self, name: str, srv: Server, state: dict) -> dict:
        if name == "push":
            return self.push(srv, state)
        if name == "pull":
            return self.pull(srv, state)
        if name == "upload-mono":
            return self.upload(srv, state, self.upload_mono, chunked=False)
        if name == "upload-chunked":
            return self.upload(srv, state, self.upload_chunked, chunked=True)
        if name == "blob-get":
            return self.blob_get(srv, state)
        if name == "small-push":
            return self.small_push(srv, state)
        if name == "manifest-get":
            return self.manifest_get(srv, state)
        raise BenchError(f"unknown phase {name}")


def run_cmd(cmd: list[str], timeout: float) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd[:3])} … failed ({proc.returncode}): {(proc.stderr or proc.stdout)[-800:]}")


def run_threads(fn, n: int) -> None:
    threads = [threading.Thread(target=fn, args=(i,), daemon=True) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=3600)
        if t.is_alive():
            raise BenchError("a client thread did not finish within an hour")


def phase_result(m: Measure, **figures) -> dict:
    return {"wall": m.wall, "cpu": m.cpu, "peak_mib": m.peak_mib, "client_cpu": m.client_cpu, **figures}


def describe(name: str, r: dict) -> str:
    base = f"{r['wall']:7.2f} s, cpu {r['cpu']:6.2f} s, peak {r['peak_mib']:6.1f} MiB"
    if "bytes" in r:
        return f"{r['bytes'] / 1e6 / r['wall']:8.0f} MB/s, cpu {r['cpu'] / (r['bytes'] / GiB):5.2f} s/GiB | {base}"
    if "rps" in r:
        return f"{r['rps']:8.0f} req/s, p50 {r['p50_ms']:.2f} ms, p99 {r['p99_ms']:.2f} ms | {base}"
    if "images" in r:
        return f"{r['images'] / r['wall']:8.1f} images/s | {base}"
    return base


# --------------------------------------------------------------------------------------------------------------
# Figures, medians, targets
# --------------------------------------------------------------------------------------------------------------

def figures_of(results: dict) -> dict:
    """Per-pass figures of one registry from its phase results."""
    f = {}

    def thr(phase: str, key: str) -> None:
        r = results.get(phase)
        if r:
            f[f"{key}_mbps"] = r["bytes"] / 1e6 / r["wall"]
            f[f"{key}_cpu_gib"] = r["cpu"] / (r["bytes"] / GiB)

    thr("push", "push")
    thr("pull", "pull")
    if r := results.get("push"):
        f["push_client_gib"] = r["client_cpu"] / (r["bytes"] / GiB)
        f["push_client_busy"] = r["client_cpu"] / r["wall"]
    thr("upload-mono", "upmono")
    thr("upload-chunked", "upchunk")
    thr("blob-get", "get")
    if r := results.get("small-push"):
        f["small_ips"] = r["images"] / r["wall"]
        f["small_cpu_ms"] = r["cpu"] * 1000 / r["images"]
    if r := results.get("manifest-get"):
        f["mget_rps"], f["mget_p50"], f["mget_p99"] = r["rps"], r["p50_ms"], r["p99_ms"]
        f["mget_cpu_ms"] = r["cpu"] * 1000 / r["requests"]
    return f


FIGURES = [  # key, label, unit
    ("push_mbps", "push with skopeo", "MB/s"),
    ("push_cpu_gib", "  registry CPU per GiB pushed", "s"),
    ("push_client_gib", "  skopeo CPU per GiB pushed", "s"),
    ("push_client_busy", "  skopeo CPU / wall time", "cores"),
    ("pull_mbps", "pull with skopeo (digests checked)", "MB/s"),
    ("pull_cpu_gib", "  registry CPU per GiB pulled", "s"),
    ("upmono_mbps", "blob upload, monolithic PUT", "MB/s"),
    ("upmono_cpu_gib", "  registry CPU per GiB", "s"),
    ("upchunk_mbps", "blob upload, chunked PATCH", "MB/s"),
    ("upchunk_cpu_gib", "  registry CPU per GiB", "s"),
    ("get_mbps", "blob GET, parallel connections", "MB/s"),
    ("get_cpu_gib", "  registry CPU per GiB", "s"),
    ("mget_rps", "manifest GET by tag", "req/s"),
    ("mget_p50", "  p50 latency", "ms"),
    ("mget_p99", "  p99 latency", "ms"),
    ("mget_cpu_ms", "  registry CPU per 1,000 requests", "s"),
    ("small_ips", "small images pushed over HTTP", "images/s"),
    ("small_cpu_ms", "  registry CPU per image", "ms"),
    ("peak_rss", "peak RSS over the whole benchmark", "MiB"),
    ("startup_ms", "start to first answer (empty)", "ms"),
]


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt(v: float | None) -> str:
    if v is None:
        return "-"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def print_table(headers: list[str], rows: list[list[str]], left: int = 1) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(headers)]
    line = "| " + " | ".join(h.ljust(w) for h, w in zip(headers, widths)) + " |"
    print(line)
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for r in rows:
        print("| " + " | ".join((c.ljust(w) if i < left else c.rjust(w)) for i, (c, w) in enumerate(zip(r, widths)))
              + " |")


def targets(w: dict, d: dict, scale: dict, floor: float | None) -> list[tuple[str, str, str]]:
    """(target, measured, verdict) for each row of issue 5's table; `floor` is `Floor`'s median, shown beside the
    push CPU."""
    out = []

    def add(name: str, value: str, ok: bool | None) -> None:
        out.append((name, value, "n/a" if ok is None else ("yes" if ok else "NO")))

    def ratio(k: str) -> float | None:
        return w[k] / d[k] if w.get(k) is not None and d.get(k) else None

    v = w.get("push_cpu_gib")
    add("registry CPU s per GiB pushed <= 1.0", fmt(v) + (f" (floor {fmt(floor)})" if floor is not None else ""),
        None if v is None else v <= 1.0)
    r = ratio("push_mbps")
    add("push MB/s >= 1.4x Distribution", f"{fmt(r)}x" if r else "-", None if r is None else r >= 1.4)
    v = w.get("pull_cpu_gib")
    add("registry CPU s per GiB pulled <= 0.33", fmt(v), None if v is None else v <= 0.33)
    r = ratio("get_mbps")
    c = ratio("get_cpu_gib")
    add("blob GET MB/s >= 1.0x, with less CPU", f"{fmt(r)}x, CPU {fmt(c)}x" if r and c else "-",
        None if r is None or c is None else (r >= 1.0 and c < 1.0))
    r = ratio("mget_rps")
    p = ratio("mget_p99")
    add("manifest GET req/s >= 5x, p99 no worse", f"{fmt(r)}x, p99 {fmt(p)}x" if r and p else "-",
        None if r is None or p is None else (r >= 5.0 and p <= 1.0))
    r = ratio("small_ips")
    add("small images/s >= 2x Distribution", f"{fmt(r)}x" if r else "-", None if r is None else r >= 2.0)
    v = w.get("peak_rss")
    add("peak RSS over the whole benchmark <= 64 MiB", fmt(v), None if v is None else v <= 64)
    curve = scale.get("wharf") or []
    if len(curve) >= 2:
        lo, hi = curve[0], curve[-1]
        rr = hi["mget_p99"] / lo["mget_p99"]
        full = lo["size"] <= 1000 and hi["size"] >= 1_000_000
        add(f"manifest GET p99 at {hi['size']:,} vs {lo['size']:,} images <= 1.5x", f"{rr:.2f}x",
            (rr <= 1.5) if full else None)
    else:
        add("manifest GET p99 at 1,000,000 vs 1,000 images <= 1.5x", "not run (--scale 1000,100000,1000000)", None)
    if curve:
        hi = curve[-1]
        add(f"start to first answer <= 300 ms (at {hi['size']:,} images)", f"{hi['startup_ms']:.0f} ms",
            (hi["startup_ms"] <= 300) if hi["size"] >= 1_000_000 else None)
    else:
        add("start to first answer <= 300 ms with 1,000,000 images", "not run", None)
    return out


# --------------------------------------------------------------------------------------------------------------
# Scale
# --------------------------------------------------------------------------------------------------------------

def scale_stream(s: int) -> str:
    return f"scale{s // 100:03d}/s{s:05d}"


def scale_tag(i: int, streams: int) -> str:
    return f"v{i // streams:07d}"


LUA_PRELOAD = r'''
threads = {}
function setup(thread) thread:set("tid", #threads); table.insert(threads, thread) end
function init(args)
  local T = %(threads)d
  lo, hi, S = %(lo)d, %(hi)d, %(streams)d
  nxt = lo + tid
  quota = 0
  if hi - lo > tid then quota = math.floor((hi - lo - tid - 1) / T) + 1 end
  step = T
  ok, bad, finished = 0, 0, false
  -- wrk calls request() once on thread 0 to verify the script and drops that request: don't spend an index on it
  skip_verify = (tid == 0)
end
local function stream(s) return string.format("scale%%03d/s%%05d", math.floor(s / 100), s) end
function request()
  if skip_verify then
    skip_verify = false
    return wrk.format("GET", "/v2/", {})
  end
  if nxt < hi then
    local i = nxt
    nxt = nxt + step
%(make)s
  end
  return wrk.format("GET", "/v2/", {})
end
function delay()
  if nxt < hi then return 0 end
  return 5  -- idle connections wait for the last answers without hammering the server
end
function response(status, headers, body)
  if status == %(expect)d then ok = ok + 1 elseif status ~= 200 then bad = bad + 1 end
  if ok + bad >= quota and not finished then
    finished = true
    local f = io.open(string.format("%(finish)s/%%d", tid), "w")
    if f then f:write("done"); f:close() end
    wrk.thread:stop()
  end
end
'''

LUA_MAKE_MOUNT = r'''
    local s, b = math.floor(i / 2), i %% 2
    local d = b == 0 and %(config)s or %(layer)s
    return wrk.format("POST", "/v2/" .. stream(s) .. "/blobs/uploads/?mount=" .. d .. "&from=%(src)s", {}, "")'''

LUA_MAKE_PUT = r'''
    local path = string.format("/v2/%%s/manifests/v%%07d", stream(i %% S), math.floor(i / S))
    return wrk.format("PUT", path, {["Content-Type"] = "%(ct)s"}, string.format(%(body)s, i))'''


class Scale:
    """Preloads images through the API (small manifests sharing one config and one layer) and measures."""

    def __init__(self, bench: Bench, srv: Server, streams_max: int):
        self.bench, self.srv, self.streams_max = bench, srv, streams_max
        self.loaded = 0
        self.streams_ready = 0
        self.digests: list[str] = []  # of the manifests, by image index (direct preload)
        layer_buf = io.BytesIO()
        ldigest, lsize, diff_id = write_layer(layer_buf, "scale-layer", 2000, "scale.bin", 6)
        self.layer = (ldigest, lsize, layer_buf.getvalue())
        self.config = s2i_config([diff_id], "scale")
        cfg = {"mediaType": OCI_CONFIG, "digest": sha256(self.config), "size": len(self.config)}
        lay = {"mediaType": OCI_LAYER_GZIP, "digest": ldigest, "size": lsize}
        # Byte-identical in Python and Lua: one %d, the image index, in an annotation.
        self.template = ('{"schemaVersion":2,"mediaType":"%s","config":%s,"layers":[%s],'
                         '"annotations":{"bench.scale.index":"%%d"}}' % (
                             OCI_MANIFEST, json.dumps(cfg, separators=(",", ":")),
                             json.dumps(lay, separators=(",", ":"))))

    def manifest(self, i: int) -> bytes:
        return (self.template % i).encode()

    def _preload_wrk(self, make: str, lo: int, hi: int, expect: int) -> tuple[int, float]:
        if hi <= lo:
            return 0, 0.0
        threads = max(1, min(self.bench.args.wrk_threads, hi - lo))
        conns = max(threads, min(self.bench.cfg["manifest_conns"], hi - lo))
        finish = Path(tempfile.mkdtemp(prefix="finish-", dir=self.bench.workdir))
        script = LUA_PRELOAD % {"threads": threads, "lo": lo, "hi": hi, "streams": self.streams_max,
                                "make": make, "expect": expect, "finish": finish} + LUA_DONE
        t0 = time.perf_counter()
        try:  # bounded: at least 10 requests/s on average, or it fails
            r = run_wrk(self.srv.port, script, self.bench.workdir, threads, conns, 60 + (hi - lo) / 10,
                        timeout_s=60, finish_dir=finish)
        finally:
            shutil.rmtree(finish, ignore_errors=True)
        elapsed = time.perf_counter() - t0
        if r["ok"] != hi - lo or r["bad"] or r["connect"] or r["timeout"]:
            raise BenchError(f"preload of [{lo}, {hi}) expecting {expect}: {r}")
        return r["ok"], elapsed

    def grow(self, size: int) -> dict:
        if self.srv.kind == "wharf" and self.bench.args.scale_preload == "direct":
            return self._grow_direct(size)
        return self._grow_api(size)

    def _grow_direct(self, size: int) -> dict:
        """Image 0 goes through the API; the rest are written straight into Wharf's store (SQLite rows and manifest
        files) from the rows the API wrote for image 0, with the server stopped. Much faster than the API at a
        million images, and the same data: each image has its Image, manifest row, tag, tag event and file."""
        if self.loaded == 0:
            self._grow_api(1)
        srv, S = self.srv, min(self.streams_max, size)
        srv.stop()
        t0 = time.perf_counter()
        loaded = DirectLoad(srv.data, self).load(self.loaded, size, S, self.streams_ready)
        self.loaded, self.streams_ready = size, max(self.streams_ready, S)
        wall = time.perf_counter() - t0
        return {"preload_ips": loaded / wall if loaded else 0.0, "preload_cpu_ms": 0.0}

    def _grow_api(self, size: int) -> dict:
        srv = self.srv
        streams_needed = min(self.streams_max, size)
        client = Client(srv.port)
        try:
            if self.streams_ready == 0:
                upload_blob(client, scale_stream(0), self.config, sha256(self.config))
                upload_blob(client, scale_stream(0), self.layer[2], self.layer[0])
                self.streams_ready = 1
        finally:
            client.close()
        mount = LUA_MAKE_MOUNT % {"config": lua_string(sha256(self.config)), "layer": lua_string(self.layer[0]),
                                  "src": scale_stream(0)}
        # Mount the two blobs into each new stream (index j: stream j // 2, blob j % 2).
        self._preload_wrk(mount, 2 * self.streams_ready, 2 * streams_needed, 201)
        self.streams_ready = max(self.streams_ready, streams_needed)
        put = LUA_MAKE_PUT % {"ct": OCI_MANIFEST, "body": lua_string(self.template)}
        with Measure(srv) as m:
            n, _ = self._preload_wrk(put, self.loaded, size, 201)
        self.loaded = size
        return {"preload_ips": n / m.wall if n else 0.0, "preload_cpu_ms": m.cpu * 1000 / n if n else 0.0}

    def measure(self, size: int, rng: random.Random) -> dict:
        srv, cfg, args = self.srv, self.bench.cfg, self.bench.args
        S = min(self.streams_max, size)
        sample = sorted(rng.sample(range(size), min(size, 1000)))
        client = Client(srv.port)
        try:  # correctness first: digests, one full tags walk with Link, one LIST page
            for i in sample[:20]:
                resp, _ = client.request("HEAD", f"/v2/{scale_stream(i % S)}/manifests/{scale_tag(i, S)}",
                                         headers={"Accept": ACCEPT_MANIFESTS})
                if resp.getheader("Docker-Content-Digest") != sha256(self.manifest(i)):
                    raise BenchError(f"scale image {i} resolves to {resp.getheader('Docker-Content-Digest')}")
            per_stream = len(range(0, size, S))
            path, seen = f"/v2/{scale_stream(0)}/tags/list?n=10", 0
            for _ in range(per_stream // 10 + 3):  # bounded walk of the Link chain
                resp, body = client.request("GET", path)
                seen += len(json.loads(body).get("tags") or [])
                link = resp.getheader("Link")
                if not link:
                    break
                path = urllib.parse.urlsplit(link.split(";")[0].strip().strip("<>"))
                path = path.path + "?" + path.query
            if seen != per_stream:
                raise BenchError(f"tags/list walk of {scale_stream(0)} saw {seen} tags, expected {per_stream}")
            if srv.kind == "wharf":
                _, body = client.request("GET", "/apis/image.openshift.io/v1/namespaces/scale000/imagestreams"
                                                "?limit=100")
                items = json.loads(body).get("items", [])
                if len(items) != min(100, S):
                    raise BenchError(f"image stream LIST page has {len(items)} items, expected {min(100, S)}")
        finally:
            client.close()
        out = {"size": size}
        paths = [f"/v2/{scale_stream(i % S)}/manifests/{scale_tag(i, S)}" for i in sample]
        # One untimed second first: after the restart, the first requests fill the database and file caches.
        run_wrk(srv.port, wrk_get_script(paths, ACCEPT_MANIFESTS), self.bench.workdir, args.wrk_threads,
                cfg["manifest_conns"], 1)
        runs = []  # three measures, medians reported (the curve is one pass; this keeps a stray stall out of it)
        with Measure(srv) as m:
            for _ in range(3):
                runs.append(wrk_figures(run_wrk(srv.port, wrk_get_script(paths, ACCEPT_MANIFESTS), self.bench.workdir,
                                                args.wrk_threads, cfg["manifest_conns"], cfg["scale_seconds"]),
                                        "scale GET"))
        out.update(mget_rps=statistics.median(r["rps"] for r in runs),
                   mget_p50=statistics.median(r["p50_ms"] for r in runs),
                   mget_p99=statistics.median(r["p99_ms"] for r in runs), peak_mib=m.peak_mib)
        tag_paths = []
        for i in sample[:200]:
            s = i % S
            tag_paths.append(f"/v2/{scale_stream(s)}/tags/list?n=50")
            if i >= S:  # a page from the middle of the stream's tags
                tag_paths.append(f"/v2/{scale_stream(s)}/tags/list?n=50&last={scale_tag(i, S)}")
        r = wrk_figures(run_wrk(srv.port, wrk_get_script(tag_paths, None), self.bench.workdir, args.wrk_threads,
                                cfg["manifest_conns"], cfg["scale_seconds"]), "scale tags/list")
        out.update(tags_rps=r["rps"], tags_p99=r["p99_ms"])
        if srv.kind == "wharf":
            namespaces = (S + 99) // 100
            list_paths = [f"/apis/image.openshift.io/v1/namespaces/scale{n:03d}/imagestreams?limit=100"
                          for n in range(min(namespaces, 100))]
            r = wrk_figures(run_wrk(srv.port, wrk_get_script(list_paths, None), self.bench.workdir,
                                    args.wrk_threads, min(4, cfg["manifest_conns"]), cfg["scale_seconds"],
                                    timeout_s=30), "image stream LIST")
            out.update(list_rps=r["rps"], list_p99=r["p99_ms"])
        return out


class DirectLoad:
    """Writes scale images [lo, hi) into a stopped Wharf's data directory, copying the rows of image 0."""

    def __init__(self, data: Path, scale: Scale):
        self.data, self.scale = data, scale
        self.db = sqlite3.connect(str(data / "metadata.sqlite"), isolation_level=None)
        d0 = sha256(scale.manifest(0))
        self.d0 = d0
        one = lambda sql, *a: self.db.execute(sql, a).fetchone()
        self.image_doc, self.image_uid, self.image_rv = one(
            "SELECT document, uid, resource_version FROM objects WHERE kind='Image' AND name=?", d0)
        self.stream_doc = json.loads(one("SELECT document FROM objects WHERE kind='ImageStream' AND namespace=? "
                                         "AND name=?", *scale_stream(0).split("/"))[0])
        self.manifest_row = one("SELECT media_type, artifact_type FROM manifests WHERE digest=?", d0)
        self.links = self.db.execute("SELECT digest, size FROM blob_links WHERE repository=?",
                                     (scale_stream(0),)).fetchall()
        ref = self.stream_doc["status"]["tags"][0]["items"][0]["dockerImageReference"]
        self.host = ref.split("/")[0]

    def digest(self, i: int) -> str:
        cache = self.scale.digests
        while len(cache) <= i:
            cache.append(sha256(self.scale.manifest(len(cache))))
        return cache[i]

    def load(self, lo: int, hi: int, streams: int, streams_ready: int) -> int:
        lo = max(lo, 1)
        db, rv = self.db, self.db.execute("SELECT value FROM sequence").fetchone()[0]
        db.execute("BEGIN")
        image_rows, manifest_rows, tag_rows = [], [], []
        doc0 = bytes(self.image_doc).decode()
        repo0 = f"{self.host}/{scale_stream(0)}@"
        for i in range(lo, hi):
            d, body, repo = self.digest(i), self.scale.manifest(i), scale_stream(i % streams)
            path = self.data / "blobs" / "sha256" / d[7:9] / d[7:]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(body)
            rv += 1
            uid = f"{i:08x}-0000-4000-8000-000000000000"
            doc = (doc0.replace(self.d0, d).replace(repo0, f"{self.host}/{repo}@").replace(self.image_uid, uid)
                   .replace(f'"resourceVersion":"{self.image_rv}"', f'"resourceVersion":"{rv}"'))
            image_rows.append(("Image", "", d, uid, rv, doc.encode()))
            manifest_rows.append((repo, d, self.manifest_row[0], len(body), None, self.manifest_row[1],
                                  '{"bench.scale.index":"%d"}' % i))
            tag_rows.append((repo, scale_tag(i, streams), d))
            if len(image_rows) >= 20000:
                self._insert(image_rows, manifest_rows, tag_rows)
        self._insert(image_rows, manifest_rows, tag_rows)
        db.executemany("INSERT OR REPLACE INTO blob_links VALUES (?, ?, ?)",
                       [(scale_stream(s), d, n) for s in range(streams_ready, streams) for d, n in self.links])
        for s in range(streams):
            rv += 1
            namespace, name = scale_stream(s).split("/")
            doc = json.loads(json.dumps(self.stream_doc))
            item = doc["status"]["tags"][0]["items"][0]
            doc["metadata"].update(name=name, namespace=namespace, resourceVersion=str(rv),
                                   uid=f"{s:08x}-0000-4000-9000-000000000000")
            doc["status"]["dockerImageRepository"] = f"{self.host}/{scale_stream(s)}"
            doc["status"]["tags"] = [
                {"items": [dict(item, dockerImageReference=f"{self.host}/{scale_stream(s)}@{self.digest(i)}",
                                image=self.digest(i))], "tag": scale_tag(i, streams)}
                for i in range(s, hi, streams)]
            db.execute("INSERT OR REPLACE INTO objects VALUES ('ImageStream', ?, ?, ?, ?, ?)",
                       (namespace, name, doc["metadata"]["uid"], rv,
                        json.dumps(doc, separators=(",", ":"), sort_keys=True).encode()))
        db.execute("UPDATE sequence SET value = ?", (rv,))
        db.execute("COMMIT")
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.close()
        os.sync()
        return hi - lo

    def _insert(self, images: list, manifests: list, tags: list) -> None:
        self.db.executemany("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, ?)", images)
        # The columns are named, so columns a later migration adds take their defaults.
        self.db.executemany("INSERT OR REPLACE INTO manifests (repository, digest, media_type, size, subject, artifact_type, "
                            "annotations) VALUES (?, ?, ?, ?, ?, ?, ?)", manifests)
        self.db.executemany("INSERT OR REPLACE INTO tags VALUES (?, ?, ?)", tags)
        images.clear(), manifests.clear(), tags.clear()


def run_scale(bench: Bench, kinds: list[str], sizes: list[int], workdir: Path, wharfd: str) -> dict:
    curves: dict[str, list[dict]] = {}
    streams_max = min(bench.cfg["scale_streams"], max(sizes))
    for kind in kinds:
        srv = Server(kind, f"{kind} (scale)", workdir / f"scale-{kind}", wharfd)
        curves[kind] = []
        try:
            srv.start()
            sc = Scale(bench, srv, streams_max)
            for size in sizes:
                grown = sc.grow(size)
                srv.stop()
                srv.start(fresh=False)  # start to first answer with `size` images stored
                row = {"startup_ms": srv.startup_ms, **grown,
                       **sc.measure(size, random.Random(f"scale-{bench.args.seed}-{size}"))}
                row["rss_mib"] = srv.rss_mib()
                curves[kind].append(row)
                log(f"[scale] {kind:12s} {size:>9,} images: preload {row['preload_ips']:.0f} images/s, start "
                    f"{row['startup_ms']:.0f} ms, manifest GET {row['mget_rps']:.0f} req/s p99 {row['mget_p99']:.2f} ms"
                    f", tags/list {row['tags_rps']:.0f} req/s p99 {row['tags_p99']:.2f} ms"
                    + (f", LIST {row['list_rps']:.0f} req/s p99 {row['list_p99']:.2f} ms" if "list_rps" in row
                       else ""))
        finally:
            srv.stop()
            if not bench.args.keep:
                shutil.rmtree(srv.workdir, ignore_errors=True)
    return curves


def print_scale(curves: dict) -> None:
    print("\nScale curve (one pass; preload (Wharf: --scale-preload), then a restart, then the measures):")
    rows = []
    for kind, curve in curves.items():
        for r in curve:
            rows.append([kind, f"{r['size']:,}", fmt(r["preload_ips"]), fmt(r["startup_ms"]), fmt(r["mget_rps"]),
                         fmt(r["mget_p50"]), fmt(r["mget_p99"]), fmt(r["tags_rps"]), fmt(r["tags_p99"]),
                         fmt(r.get("list_rps")), fmt(r.get("list_p99")), fmt(r["peak_mib"])])
    print_table(["registry", "images", "preload img/s", "start ms", "GET tag req/s", "p50 ms", "p99 ms",
                 "tags/list req/s", "p99 ms", "IS LIST req/s", "p99 ms", "peak RSS MiB"], rows)


# --------------------------------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------------------------------

def parse_args(argv: list[str]):
    p = argparse.ArgumentParser(description="Wharf vs CNCF Distribution on loopback (issue 5).",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--quick", action="store_true", help="small sizes: the whole run takes under 2 minutes")
    mode.add_argument("--smoke", action="store_true", help="tiny sizes, 1 pass, under 1 minute: for CI")
    p.add_argument("--passes", type=int, help="passes (default 3; smoke 1)")
    p.add_argument("--registries", default="wharf,distribution", help="which registries, comma-separated")
    p.add_argument("--only", help=f"comma-separated phases out of {','.join(PHASES)},scale (default: all, and "
                                  "scale when --scale is given)")
    p.add_argument("--push-mib", type=int, help="size of the skopeo image, MiB (full 1024, quick 256)")
    p.add_argument("--push-layers", type=int, help="layers of the skopeo image (4)")
    p.add_argument("--upload-mib", type=int, help="size of each HTTP-uploaded blob, MiB (full 1024, quick 256)")
    p.add_argument("--chunk-mib", type=int, help="PATCH chunk size, MiB (8)")
    p.add_argument("--get-rounds", type=int, help="blob GET: times each big layer is fetched (2)")
    p.add_argument("--get-conns", type=int, help="blob GET connections (4)")
    p.add_argument("--manifest-repos", type=int, help="manifest GET: repositories (200)")
    p.add_argument("--manifest-conns", type=int, help="manifest GET: keep-alive connections (16)")
    p.add_argument("--manifest-seconds", type=int, help="manifest GET: seconds per measure (full 10, quick 3)")
    p.add_argument("--small-images", type=int, help="small images pushed over HTTP (200)")
    p.add_argument("--small-conns", type=int, help="connections for the small image pushes (8)")
    p.add_argument("--small-layer-kib", type=int, help="size of each small layer, KiB (4)")
    p.add_argument("--scale", help="comma-separated image counts to preload and measure, e.g. 1000,100000 "
                                   "(default: none; smoke: 60)")
    p.add_argument("--scale-streams", type=int, help="streams the scale images spread over (10000)")
    p.add_argument("--scale-preload", choices=["direct", "api"], default="direct",
                   help="how Wharf's scale images are preloaded: written into its store from the rows the API wrote "
                        "for the first image (direct), or all through the API (about 700 images/s)")
    p.add_argument("--scale-registries", default="wharf",
                   help="registries the scale curve runs on (Distribution preloads through its API, ~450 images/s)")
    p.add_argument("--scale-seconds", type=int, help="seconds per scale measure (full 10, quick 3)")
    p.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    p.add_argument("--seed", type=int, default=5, help="seed of the generated test data")
    p.add_argument("--wharfd", help="wharfd binary (default: .build/release/wharfd, built if missing)")
    p.add_argument("--cache-dir", default=os.path.join(tempfile.gettempdir(), "wharf-bench-cache"),
                   help="where generated test data is kept between runs")
    p.add_argument("--workdir", help="where registries keep their data (default: a new temporary directory)")
    p.add_argument("--backend", default="filesystem", choices=["filesystem", "postgres-s3"],
                   help="where both registries keep their data (bench/backend.py): the filesystem, or PostgreSQL and "
                        "S3 (moto) for Wharf beside Distribution's s3 driver on the same moto")
    p.add_argument("--keep", action="store_true", help="keep the work directory (server logs, data)")
    p.add_argument("--json", help="write every per-pass figure and the medians to this file")
    p.add_argument("--fail-on-targets", action="store_true", help="exit 2 when a target does not hold")
    args = p.parse_args(argv)
    preset = dict(PRESETS["smoke" if args.smoke else "quick" if args.quick else "full"])
    for key in list(preset):
        val = getattr(args, key, None)
        if val is not None and key != "scale":
            preset[key] = val
    if args.scale:
        preset["scale"] = sorted({int(x.replace("_", "")) for x in args.scale.split(",") if x.strip()})
    preset.setdefault("scale", [])
    if not 1 <= preset["passes"] <= 50:
        p.error("--passes must be between 1 and 50")
    return args, preset


def main(argv: list[str]) -> int:
    args, cfg = parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    kinds = [k.strip() for k in args.registries.split(",") if k.strip()]
    for k in kinds:
        if k not in ("wharf", "distribution"):
            raise BenchError(f"unknown registry {k}")
    phases = PHASES if not args.only else [p.strip() for p in args.only.split(",") if p.strip()]
    for ph in phases:
        if ph not in PHASES + ["scale"]:
            raise BenchError(f"unknown phase {ph}; phases: {', '.join(PHASES)}, scale")
    if "scale" in phases and not cfg["scale"]:
        raise BenchError("--only scale needs --scale N[,N...]")
    if args.only and "scale" not in phases:
        cfg["scale"] = []
    phases = [p for p in PHASES if p in phases]
    if not phases:
        cfg["passes"] = 0
    t_start = time.perf_counter()
    ensure_tools("distribution" in kinds, bool({"push", "pull", "blob-get"} & set(phases)))
    wharfd = find_wharfd(args.wharfd) if "wharf" in kinds else ""
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="wharf-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args, cfg, workdir, Path(args.cache_dir))
    backend = Backend(args.backend)
    log(f"mode {mode}, backend {args.backend}, {cfg['passes']} pass(es), registries {', '.join(kinds)}, phases {', '.join(phases)}; "
        f"workdir {workdir}")
    bench.prepare_data(phases)

    per_pass: dict[str, list[dict]] = {k: [] for k in kinds}
    floor_runs: list[float] = []
    phase_raw: dict[str, list[dict]] = {k: [] for k in kinds}
    scale_curves: dict = {}
    try:
        for p in range(cfg["passes"]):
            order = kinds if p % 2 == 0 else list(reversed(kinds))
            servers = {k: Server(k, k, workdir / f"pass{p + 1}-{k}", wharfd) for k in order}
            for server in servers.values():
                server.backend = backend
            results: dict[str, dict] = {k: {} for k in kinds}
            states = {k: {"tag": f"p{p + 1}"} for k in kinds}
            try:
                for k in order:
                    servers[k].start()
                    log(f"[pass {p + 1}/{cfg['passes']}] {k:12s} started in {servers[k].startup_ms:.0f} ms "
                        f"(pid {servers[k].pid}, port {servers[k].port})")
                for ph in phases:
                    for k in order:
                        r = bench.run_phase(ph, servers[k], states[k])
                        results[k][ph] = r
                        log(f"[pass {p + 1}/{cfg['passes']}] {k:12s} {ph:15s} {describe(ph, r)}")
                    if ph == "push" and bench.floor:
                        floor_runs.append(bench.floor.measure([bench.big.blob_path(d) for d, _ in bench.big.layers],
                                                              workdir))
                        log(f"[pass {p + 1}/{cfg['passes']}] {'floor':12s} {ph:15s} cpu {floor_runs[-1]:5.2f} s/GiB "
                            f"(bench/floor.c: receive, hash, direct write; no registry)")
                for k in kinds:
                    f = figures_of(results[k])
                    f["peak_rss"] = max([servers[k].start_peak_mib] + [r["peak_mib"] for r in results[k].values()])
                    f["startup_ms"] = servers[k].startup_ms
                    per_pass[k].append(f)
                    phase_raw[k].append(results[k])
            finally:
                for s in servers.values():
                    s.stop()
                if not args.keep:
                    for s in servers.values():
                        shutil.rmtree(s.workdir, ignore_errors=True)
        if cfg["scale"]:
            scale_kinds = [k for k in kinds if k in args.scale_registries.split(",")]
            scale_curves = run_scale(bench, scale_kinds, cfg["scale"], workdir, wharfd)
    finally:
        for s in list(LIVE_SERVERS):
            s.stop()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    # ---- report
    med = {k: {key: median([f[key] for f in per_pass[k] if key in f]) for key, _, _ in FIGURES} for k in kinds}
    w, d = med.get("wharf", {}), med.get("distribution", {})
    if cfg["passes"]:
        print(f"\nMedians over {cfg['passes']} pass(es), mode {mode} (push {cfg['push_mib']} MiB in "
              f"{cfg['push_layers']} layers, uploads {cfg['upload_mib']} MiB, chunks {cfg['chunk_mib']} MiB, "
              f"blob GET {cfg['get_conns']} conns, manifest GET {cfg['manifest_repos']} repos x "
              f"{cfg['manifest_conns']} conns x {cfg['manifest_seconds']} s, {cfg['small_images']} small images x "
              f"{cfg['small_conns']} conns):")
        rows = [[label, unit, fmt(w.get(key)), fmt(d.get(key)),
                 f"{w[key] / d[key]:.2f}" if w.get(key) is not None and d.get(key) else "-"]
                for key, label, unit in FIGURES if w.get(key) is not None or d.get(key) is not None]
        print_table(["figure", "unit", "Wharf", "Distribution", "W/D"], rows, left=2)
        if floor_runs:
            print(f"Floor under the CPU per GiB pushed: {fmt(median(floor_runs))} s (bench/floor.c, in C: receive, "
                  f"SHA-256, O_DIRECT blocks, with a sender as busy as skopeo; median of {len(floor_runs)})")

        print("\nPer phase, medians: registry CPU seconds and peak RSS (VmHWM, reset before each phase):")
        prow = []
        for ph in phases:
            row = [ph]
            for k in ("wharf", "distribution"):
                runs = [r[ph] for r in phase_raw.get(k, []) if ph in r]
                row += [fmt(median([r["cpu"] for r in runs])), fmt(median([r["peak_mib"] for r in runs]))] if runs \
                    else ["-", "-"]
            prow.append(row)
        print_table(["phase", "Wharf CPU s", "Wharf peak MiB", "Distribution CPU s", "Distribution peak MiB"], prow)

    if scale_curves:
        print_scale(scale_curves)

    verdicts = targets(w, d, scale_curves, median(floor_runs)) if "wharf" in kinds else []
    if not cfg["passes"]:
        verdicts = verdicts[-2:]  # only the scale rows were measured
    if verdicts:
        print(f"\nTargets of issue 5{' (sizes are not the full ones: indicative only)' if mode != 'full' else ''}:")
        print_table(["target", "Wharf (median)", "holds"], [list(v) for v in verdicts])
    elapsed = time.perf_counter() - t_start
    print(f"\nwhole run: {elapsed:.0f} s")
    if args.json:
        Path(args.json).write_text(json.dumps({"mode": mode, "config": cfg, "per_pass": per_pass,
                                               "phases": phase_raw, "medians": med, "floor": floor_runs,
                                               "scale": scale_curves,
                                               "targets": verdicts, "seconds": elapsed}, indent=1))
    if args.fail_on_targets and any(v[2] == "NO" for v in verdicts):
        return 2
    return 0


def _on_signal(signum, _frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGHUP, _on_signal)
    try:
        sys.exit(main(sys.argv[1:]))
    except BenchError as e:
        print(f"\nbench: FAILED: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    except subprocess.TimeoutExpired as e:
        print(f"\nbench: FAILED: timed out: {e}", file=sys.stderr, flush=True)
        sys.exit(1)
    finally:
        for server in list(LIVE_SERVERS):
            server.stop()
