"""The storage a benchmark run puts both registries on (`bench/run --backend`).

`filesystem` (the default): Wharf's embedded default (SQLite and files) beside Distribution's filesystem driver.
`postgres-s3`: Wharf on PostgreSQL (a fresh database per server, on the server scripts/start-postgres starts on
loopback) and S3, beside Distribution's `s3` driver, both on one moto server on loopback that this module starts.
Distribution's blob redirects are turned off, as Wharf's are by default, so both registries serve the bytes they
are measured on. The registry's CPU is read from its own process: moto's and PostgreSQL's are not counted, for
either registry.
"""

from __future__ import annotations

import atexit
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

FILESYSTEM_STORAGE = """\
  filesystem:
    rootdirectory: {root}
"""

S3_STORAGE = """\
  s3:
    accesskey: {key}
    secretkey: {secret}
    region: us-east-1
    regionendpoint: {endpoint}
    bucket: {bucket}
    secure: false
    v4auth: true
  redirect:
    disable: true
"""

ACCESS_KEY, SECRET_KEY = "wharf-bench", "wharf-bench-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Backend:
    """Where one run's registries keep their data."""

    def __init__(self, name: str):
        if name not in ("filesystem", "postgres-s3"):
            raise ValueError(f"unknown backend {name}: filesystem or postgres-s3")
        self.name = name
        self.endpoint = ""
        self.database = ""
        self._made = 0
        if name == "postgres-s3":
            self._start_moto()
            self.database = subprocess.run([str(REPO / "scripts" / "start-postgres")], check=True, capture_output=True,
                                           text=True, timeout=600).stdout.strip()

    def _start_moto(self) -> None:
        port = _free_port()
        self.endpoint = f"http://127.0.0.1:{port}"
        proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        atexit.register(proc.kill)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError("moto's S3 server did not start: pip install 'moto[server]'")
            try:
                urllib.request.urlopen(self.endpoint, timeout=2).read()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("moto's S3 server did not answer within 60 s")

    def _bucket(self) -> str:
        self._made += 1
        name = f"bench-{os.getpid()}-{self._made}"
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        urllib.request.urlopen(request, timeout=30).read()
        return name

    def wharf(self) -> tuple[list[str], dict[str, str]]:
        """The wharfd flags and environment of one server: a fresh database and bucket."""
        if self.name == "filesystem":
            return [], {}
        self._made += 1
        database = f"wharf_bench_{os.getpid()}_{self._made}"
        subprocess.run(["psql", self.database, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {database}"],
                       check=True, capture_output=True, timeout=60)
        url = self.database.rsplit("/", 1)[0] + "/" + database
        blobs = f"s3://{self._bucket()}?endpoint={self.endpoint}&region=us-east-1"
        return ["--database-url", url, "--blob-store", blobs], {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def distribution_storage(self, root: Path) -> str:
        """The `storage:` driver block of one Distribution config: a fresh bucket."""
        if self.name == "filesystem":
            return FILESYSTEM_STORAGE.format(root=root)
        return S3_STORAGE.format(key=ACCESS_KEY, secret=SECRET_KEY, endpoint=self.endpoint, bucket=self._bucket())
