"""End-to-end fixtures: a real `wharfd` process and real clients (skopeo, oras).

The server binary comes from the environment variable WHARFD (scripts/test sets it to the debug
build). A missing binary or a missing client fails the tests at setup; nothing here skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from images import Blob, Image, build_image, write_image_layout

REPO_ROOT = Path(__file__).resolve().parents[2]
SEED_DIR = REPO_ROOT / "examples"  # the seed document's mapping, kept in the repository

STARTUP_TIMEOUT = 60.0
HTTP_TIMEOUT = 30.0
SKOPEO_TIMEOUT = 300.0

IMAGE_API = "/apis/image.openshift.io/v1"

# skopeo (and podman) read registry credentials from this file; every server started here adds its admin login.
AUTH_FILE = Path(tempfile.mkdtemp(prefix="wharf-e2e-auth-")) / "auth.json"
AUTH_FILE.write_text('{"auths": {}}')
os.environ["REGISTRY_AUTH_FILE"] = str(AUTH_FILE)


_AUTH_LOCK = threading.Lock()


def add_registry_login(registry: str, username: str, password: str) -> None:
    """Records a login for `registry` in the auth file skopeo reads (the replicas of a fleet start on threads of their own)."""
    import base64
    import json

    with _AUTH_LOCK:
        auths = json.loads(AUTH_FILE.read_text())
        auths["auths"][registry] = {"auth": base64.b64encode(f"{username}:{password}".encode()).decode()}
        staged = AUTH_FILE.with_suffix(".tmp")
        staged.write_text(json.dumps(auths))
        staged.replace(AUTH_FILE)

# With WHARF_E2E_BLOB_STORE=s3, every server started here keeps its blobs in a bucket of its own on one S3 server
# (moto, started on loopback for the session) instead of its data directory: .ci/run runs the suite that way once.
BLOB_STORE = os.environ.get("WHARF_E2E_BLOB_STORE", "")
if BLOB_STORE not in ("", "s3"):
    raise RuntimeError(f"WHARF_E2E_BLOB_STORE must be s3 or empty, not {BLOB_STORE!r}")


class MotoS3:
    """moto's S3 server on a free loopback port, killed when the session ends."""

    _instance: "MotoS3 | None" = None
    ENV = {"AWS_ACCESS_KEY_ID": "wharf-e2e", "AWS_SECRET_ACCESS_KEY": "wharf-e2e-secret"}

    def __init__(self) -> None:
        import atexit

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        atexit.register(self.proc.kill)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail("moto's S3 server exited at start: pip install 'moto[server]' (scripts/test does)", pytrace=False)
            try:
                requests.get(self.url, timeout=2)
                return
            except requests.RequestException:
                time.sleep(0.2)
        pytest.fail(f"moto's S3 server did not answer within {STARTUP_TIMEOUT:.0f} s", pytrace=False)

    @classmethod
    def shared(cls) -> "MotoS3":
        if cls._instance is None:
            cls._instance = MotoS3()
        return cls._instance

    def bucket(self, name: str) -> str:
        """Creates the bucket `name`; returns the --blob-store value for it."""
        r = requests.put(f"{self.url}/{name}", timeout=HTTP_TIMEOUT)
        assert r.status_code == 200, f"creating bucket {name} on moto: {r.status_code} {r.text}"
        return f"s3://{name}?endpoint={self.url}&region=us-east-1"


# With WHARF_E2E_DATABASE=postgres, every server started here keeps its metadata in a database of its own on the
# PostgreSQL server of WHARF_TEST_DATABASE_URL (scripts/start-postgres prints it) instead of SQLite.
DATABASE = os.environ.get("WHARF_E2E_DATABASE", "")
if DATABASE not in ("", "postgres"):
    raise RuntimeError(f"WHARF_E2E_DATABASE must be postgres or empty, not {DATABASE!r}")


def fresh_database(name: str) -> str:
    """Creates the database `name`; returns the --database-url value for it."""
    base = os.environ.get("WHARF_TEST_DATABASE_URL", "")
    if not base:
        pytest.fail("WHARF_E2E_DATABASE=postgres needs WHARF_TEST_DATABASE_URL (scripts/start-postgres prints it)", pytrace=False)
    subprocess.run(["psql", base, "-v", "ON_ERROR_STOP=1", "-qc", f"CREATE DATABASE {name}"], check=True, capture_output=True, timeout=60)
    return base.rsplit("/", 1)[0] + "/" + name


# Every server started in this session, so a failing test can show their logs.
_servers: list["WharfServer"] = []


# ---------------------------------------------------------------------------------------------
# The server


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class WharfServer:
    """A running `wharfd` on 127.0.0.1 with its own data directory and log file."""

    def __init__(self, binary: str, workdir: Path, tls: bool = False, args: tuple[str, ...] = (), embedded: bool = False):
        self.embedded = embedded  # True: SQLite and files in the data directory, whatever WHARF_E2E_* say
        self.binary = binary
        self.tls = tls
        self.args = tuple(args)  # extra wharfd flags, such as ("--htpasswd", path)
        self.workdir = workdir
        self.host = "127.0.0.1"
        self.port = _free_port()
        self.data_dir = workdir / "data"
        self.log_path = workdir / "wharfd.log"
        self.proc: subprocess.Popen | None = None
        self.database_url: str | None = None  # with WHARF_E2E_DATABASE=postgres
        self.bucket: str | None = None  # with WHARF_E2E_BLOB_STORE=s3
        self.token: str | None = None
        self.http = requests.Session()
        self.http.trust_env = False  # never send loopback traffic through a proxy from the environment

    @property
    def registry(self) -> str:
        """host:port, as used in image references."""
        return f"{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.registry}"

    def url(self, path: str) -> str:
        return urljoin(self.base_url, path)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return "(no log file)"

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [self.binary, "--host", self.host, "--port", str(self.port), "--data-dir", str(self.data_dir), *self.args]
        # A restart keeps its database and bucket, as it keeps its data directory.
        if DATABASE == "postgres" and "--database-url" not in self.args and not self.embedded:
            if self.database_url is None:
                self.database_url = fresh_database(f"wharf_e2e_{self.port}_{time.monotonic_ns()}")
            command += ["--database-url", self.database_url]
        if BLOB_STORE == "s3" and "--blob-store" not in self.args and not self.embedded:
            if self.bucket is None:
                self.bucket = MotoS3.shared().bucket(f"wharf-{self.port}-{time.monotonic_ns()}")
            command += ["--blob-store", self.bucket]
        environment = {**os.environ, **MotoS3.ENV} if any(arg.startswith("s3://") for arg in command) else None
        if self.tls:
            # kubectl sends credentials only over TLS: serve HTTPS with a self-signed pair made here (a fleet's
            # replicas are given the fleet's pair in their arguments).
            if "--tls-cert" not in self.args:
                cert, key = make_tls_pair(self.workdir)
                command += ["--tls-cert", str(cert), "--tls-key", str(key)]
            self.http.verify = False
        with open(self.log_path, "wb") as log:
            self.proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment)
        _servers.append(self)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        last_error = "no answer yet"
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(
                    f"wharfd exited with status {self.proc.returncode} before answering GET /v2/\n"
                    f"command: {' '.join(command)}\n--- wharfd log ---\n{self.log()}",
                    pytrace=False,
                )
            try:
                r = self.http.get(self.url("/v2/"), timeout=2)
                if r.status_code in (200, 401):
                    self._log_in()
                    return
                last_error = f"GET /v2/ answered {r.status_code}"
            except requests.RequestException as e:
                last_error = str(e)
            time.sleep(0.2)
        self.stop()
        pytest.fail(
            f"wharfd did not answer 200 on GET /v2/ within {STARTUP_TIMEOUT:.0f} s ({last_error})\n"
            f"command: {' '.join(command)}\n--- wharfd log ---\n{self.log()}",
            pytrace=False,
        )

    def _log_in(self) -> None:
        """Reads the admin token the first start wrote, and uses it for HTTP requests and skopeo."""
        token_file = Path(self.args[self.args.index("--admin-token-file") + 1]) if "--admin-token-file" in self.args else self.data_dir / "admin.token"
        if not token_file.exists():
            pytest.fail(f"wharfd did not write {token_file} on its first start\n--- wharfd log ---\n{self.log()}", pytrace=False)
        mode = token_file.stat().st_mode & 0o777
        if mode != 0o600:
            pytest.fail(f"{token_file} has mode {oct(mode)}; the admin token must be readable only by its owner (0600)", pytrace=False)
        self.token = token_file.read_text().strip()
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        add_registry_login(self.registry, "admin", self.token)

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)

    # Plain HTTP helpers: paths are relative to the server root ("/v2/...", "/apis/...").
    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", HTTP_TIMEOUT)
        return self.http.request(method, self.url(path), **kwargs)

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def head(self, path: str, **kwargs) -> requests.Response:
        return self.request("HEAD", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    # OCI distribution helpers
    def upload_blob(self, repository: str, blob: Blob) -> None:
        """POST an upload session, then PUT the whole blob with ?digest= (monolithic upload)."""
        r = self.post(f"/v2/{repository}/blobs/uploads/")
        assert r.status_code == 202, f"POST upload for {repository}: {r.status_code} {r.text}"
        location = urljoin(self.url(f"/v2/{repository}/blobs/uploads/"), r.headers["Location"])
        r = self.http.put(
            location,
            params={"digest": blob.digest},
            data=blob.data,
            headers={"Content-Type": "application/octet-stream"},
            timeout=HTTP_TIMEOUT,
        )
        assert r.status_code == 201, f"PUT blob {blob.digest} to {repository}: {r.status_code} {r.text}"
        assert r.headers.get("Docker-Content-Digest") == blob.digest

    def put_manifest(self, repository: str, reference: str, payload: bytes, media_type: str) -> requests.Response:
        return self.put(f"/v2/{repository}/manifests/{reference}", data=payload, headers={"Content-Type": media_type})


def make_tls_pair(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key in `directory` (made once)."""
    cert, key = directory / "tls.crt", directory / "tls.key"
    if not cert.exists():
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                        "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                       check=True, capture_output=True, timeout=60)
    return cert, key


# With WHARF_E2E_REPLICAS=3 (and WHARF_E2E_DATABASE=postgres, WHARF_E2E_BLOB_STORE=s3), every server the tests start is
# a fleet: that many wharfd replicas sharing one database, one bucket and one admin token file, behind nginx
# (round-robin, no stickiness) on 127.0.0.1. Modules marked `one_process` (tests of one process: its signals, its
# restarts, its sockets) still get one wharfd.
REPLICAS = int(os.environ.get("WHARF_E2E_REPLICAS", "1"))

NGINX_CONF = """
daemon off;
worker_processes 1;
pid {work}/nginx.pid;
error_log {log} warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {work}/body; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
    upstream wharf {{
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port}{ssl};
{certificate}
        client_max_body_size 0;
        proxy_request_buffering off;
        proxy_buffering off;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $http_host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_read_timeout 3600s;
        proxy_send_timeout 3600s;
        proxy_ssl_verify off;
        location / {{ proxy_pass {scheme}://wharf; }}
    }}
}}
"""


class Fleet(WharfServer):
    """`count` wharfd replicas on one PostgreSQL database, one S3 bucket and one admin token file, behind nginx on
    127.0.0.1: to the tests, one server at nginx's address (`proc` is nginx's process, `replicas` the wharfd ones)."""

    def __init__(self, binary: str, workdir: Path, count: int, tls: bool = False, args: tuple[str, ...] = ()):
        super().__init__(binary, workdir, tls=tls, args=args)
        self.data_dir = workdir / "replica0" / "data"
        self.log_path = workdir / "nginx-error.log"
        shared = ["--database-url", fresh_database(f"wharf_fleet_{self.port}_{time.monotonic_ns()}"),
                  "--blob-store", MotoS3.shared().bucket(f"wharf-fleet-{self.port}-{time.monotonic_ns()}"),
                  "--admin-token-file", str(workdir / "admin.token"),
                  "--registry-hostname", f"127.0.0.1:{self.port}", "--trusted-proxies", "127.0.0.1"]
        if tls:
            cert, key = make_tls_pair(workdir)
            shared += ["--tls-cert", str(cert), "--tls-key", str(key)]
        self.replicas: list[WharfServer] = []
        for index in range(count):
            (workdir / f"replica{index}").mkdir(parents=True, exist_ok=True)
            self.replicas.append(WharfServer(binary, workdir / f"replica{index}", tls=tls, args=(*shared, *args)))

    def start(self) -> None:
        failures: list[BaseException] = []

        def start(replica: WharfServer) -> None:
            try:
                replica.start()
            except BaseException as error:  # pytest.fail raises an exception outside Exception
                failures.append(error)

        # Replicas start at the same instant, on an empty database: they must neither fail nor make two admins.
        threads = [threading.Thread(target=start, args=(replica,)) for replica in self.replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]
        self.start_nginx()
        self.token = self.replicas[0].token
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        if self.tls:
            self.http.verify = False
        add_registry_login(self.registry, "admin", self.token)

    def start_nginx(self) -> None:
        if shutil.which("nginx") is None:
            pytest.fail("nginx is not installed (scripts/test installs it)", pytrace=False)
        work = self.workdir / "nginx"
        work.mkdir(exist_ok=True)
        cert, key = self.workdir / "tls.crt", self.workdir / "tls.key"
        conf = NGINX_CONF.format(
            work=work, log=self.log_path, port=self.port, ssl=" ssl" if self.tls else "", scheme="https" if self.tls else "http",
            certificate=f"        ssl_certificate {cert};\n        ssl_certificate_key {key};" if self.tls else "",
            servers="\n".join(f"        server 127.0.0.1:{replica.port} max_fails=0;" for replica in self.replicas))
        (work / "nginx.conf").write_text(conf)
        self.proc = subprocess.Popen(["nginx", "-c", str(work / "nginx.conf"), "-p", str(work), "-e", str(self.log_path)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        _servers.append(self)
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                pytest.fail(f"nginx exited with status {self.proc.returncode}\n{self.log()}", pytrace=False)
            try:
                if self.http.get(self.url("/v2/"), timeout=2, verify=False).status_code in (200, 401):
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        pytest.fail(f"nginx did not answer within {STARTUP_TIMEOUT:.0f} s\n{self.log()}", pytrace=False)

    def log(self) -> str:
        own = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join([own] + [replica.log() for replica in self.replicas])

    def stop(self) -> None:
        super().stop()
        for replica in self.replicas:
            replica.stop()


def _wharfd_binary() -> str:
    binary = os.environ.get("WHARFD")
    if not binary:
        pytest.fail("WHARFD is not set: point it at the wharfd binary (scripts/test does this)", pytrace=False)
    if not (os.path.isfile(binary) and os.access(binary, os.X_OK)):
        pytest.fail(f"WHARFD={binary} is not an executable file", pytrace=False)
    return binary


@pytest.fixture(scope="session")
def _start_server(tmp_path_factory):
    """Starts a wharfd (a fleet, with WHARF_E2E_REPLICAS, unless `one_process`); stopped at the end of the session."""
    binary = _wharfd_binary()
    started: list[WharfServer] = []

    def start(name: str = "wharfd", tls: bool = False, args: tuple[str, ...] = (), one_process: bool = False) -> WharfServer:
        workdir = tmp_path_factory.mktemp(name)
        fleet = REPLICAS > 1 and not one_process
        server = Fleet(binary, workdir, REPLICAS, tls=tls, args=args) if fleet else WharfServer(binary, workdir, tls=tls, args=args)
        started.append(server)
        server.start()
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def start_wharf(_start_server, request):
    """Start another wharfd with an empty data directory (and any extra `args` flags); stopped at the end of the session.
    In a module marked `one_process` it is one wharfd whatever WHARF_E2E_REPLICAS says."""
    one_process = request.node.get_closest_marker("one_process") is not None

    def start(name: str = "wharfd", tls: bool = False, args: tuple[str, ...] = ()) -> WharfServer:
        return _start_server(name, tls=tls, args=args, one_process=one_process)

    return start


@pytest.fixture(scope="session")
def wharf(_start_server) -> WharfServer:
    """The shared server most tests run against. Tests use distinct repositories to stay independent."""
    return _start_server("wharfd")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.failed:
        for server in _servers:
            report.sections.append((f"wharfd log ({server.log_path})", server.log()[-20000:]))


# ---------------------------------------------------------------------------------------------
# Clients


class Skopeo:
    """Runs skopeo; a non-zero exit fails the test with skopeo's stderr."""

    def __init__(self, binary: str):
        self.binary = binary

    def run(self, *args: str) -> subprocess.CompletedProcess:
        command = [self.binary, "--insecure-policy", *args]
        try:
            return subprocess.run(command, capture_output=True, check=True, timeout=SKOPEO_TIMEOUT, stdin=subprocess.DEVNULL)
        except subprocess.CalledProcessError as e:
            pytest.fail(
                f"{' '.join(command)}\nexited with status {e.returncode}\n"
                f"--- stderr ---\n{e.stderr.decode(errors='replace')}\n"
                f"--- stdout ---\n{e.stdout.decode(errors='replace')}",
                pytrace=False,
            )
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"{' '.join(command)}\ntimed out after {SKOPEO_TIMEOUT:.0f} s\n{e.stderr or b''!r}", pytrace=False)

    def copy(self, source: str, destination: str, *flags: str) -> None:
        """skopeo copy with TLS verification off on both sides (the registry speaks plain HTTP)."""
        self.run("copy", "--src-tls-verify=false", "--dest-tls-verify=false", *flags, source, destination)

    def inspect_raw(self, reference: str) -> bytes:
        return self.run("inspect", "--tls-verify=false", "--raw", reference).stdout


@pytest.fixture(scope="session")
def skopeo() -> Skopeo:
    binary = shutil.which("skopeo")
    if binary is None:
        pytest.fail("skopeo is not installed (scripts/test installs it)", pytrace=False)
    return Skopeo(binary)


@pytest.fixture(scope="session")
def oras_client(wharf):
    try:
        import oras.client
    except ImportError as e:
        pytest.fail(f"the Python package oras is not installed (scripts/test installs it): {e}", pytrace=False)
    client = oras.client.OrasClient(hostname=wharf.registry, insecure=True)
    client.login(username="admin", password=wharf.token, hostname=wharf.registry, tls_verify=False)
    return client


# ---------------------------------------------------------------------------------------------
# Shared images


def push_layout(skopeo: Skopeo, wharf: WharfServer, image: Image, repository: str, tag: str, *flags: str) -> str:
    """Write `image` as an OCI layout and push it with skopeo; returns the docker:// reference."""
    layout = Path(tempfile.mkdtemp(prefix="layout-", dir=wharf.workdir))
    write_image_layout(layout, image)
    reference = f"docker://{wharf.registry}/{repository}:{tag}"
    skopeo.copy(f"oci:{layout}:latest", reference, *flags)
    return reference


@pytest.fixture(scope="session")
def push(skopeo, wharf):
    """push(image, repository, tag, *skopeo_flags) -> docker:// reference, on the shared server."""

    def push(image: Image, repository: str, tag: str, *flags: str) -> str:
        return push_layout(skopeo, wharf, image, repository, tag, *flags)

    return push


@pytest.fixture(scope="session")
def ruby_image(push) -> Image:
    """The seeded OCI image, pushed once with skopeo to test/origin-ruby-sample:latest."""
    image = build_image(seed=1)
    push(image, "test/origin-ruby-sample", "latest")
    return image


@pytest.fixture(scope="session")
def seed_mapping_path() -> Path:
    path = SEED_DIR / "origin-ruby-sample-mapping.yaml"
    if not path.is_file():
        pytest.fail(f"seed file missing: {path}", pytrace=False)
    return path
