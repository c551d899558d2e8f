"""wharfd starts as the contract says, answers the OCI base endpoint, ends watches whose clients go, and shuts down
gracefully within its grace period."""

import os
import re
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from conftest import _wharfd_binary

# These tests are about one wharfd process; with WHARF_E2E_REPLICAS they still get one (conftest.py).
pytestmark = pytest.mark.one_process

ROOT = Path(__file__).resolve().parents[2]


def expected_version() -> str:
    """The release as the one place that writes it says."""
    source = (ROOT / "Sources/WharfVersion/WharfVersion.swift").read_text()
    return re.search(r'static let version = "([^"]+)"', source).group(1)


def check_version_line(output: str) -> str:
    """Asserts `output` is `--version`'s line and returns the commit it names."""
    match = re.fullmatch(r"(\S+) \(commit ([0-9a-f]{40}|unknown), (clean|dirty|unknown)\)\n", output)
    assert match, f"--version printed {output!r}"
    assert match.group(1) == expected_version()
    if (ROOT / ".git").exists():  # built from a git checkout: the commit is known
        assert match.group(2) != "unknown", output
    return match.group(2)


def test_v2_base_endpoint(wharf):
    r = wharf.get("/v2/")
    assert r.status_code == 200
    assert r.headers.get("Docker-Distribution-API-Version") == "registry/2.0"


def test_wharfd_version_prints_the_release_and_the_commit_that_version_serves(wharf):
    result = subprocess.run([_wharfd_binary(), "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    commit = check_version_line(result.stdout)
    body = wharf.get("/version").json()
    assert body["gitCommit"] == commit
    assert body["gitVersion"] == f"v{body['major']}.{body['minor']}.0+wharf.{expected_version()}"


def test_startup_lines(start_wharf):
    wharf = start_wharf("wharfd-startup")
    expected = [f"wharfd listening on http://{wharf.registry}", f"data directory: {wharf.data_dir}"]
    # The server answered already; give a buffered stdout a moment to reach the log file.
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not all(line in wharf.log() for line in expected):
        time.sleep(0.1)
    lines = wharf.log().splitlines()
    for line in expected:
        assert line in lines, f"{line!r} not printed at start; log:\n{wharf.log()}"


def test_admin_token_is_printed_once_and_kept(start_wharf):
    server = start_wharf("wharfd-restart")
    first = server.log()
    assert "Created the admin identity" in first and server.token in first
    assert server.get("/v2/").status_code == 200
    anonymous = server.http.get(server.url("/v2/"), headers={"Authorization": ""}, timeout=10)
    assert anonymous.status_code == 401 and anonymous.headers["WWW-Authenticate"].startswith("Bearer realm=")
    token = server.token
    server.stop()
    server.log_path.write_text("")
    server.start()
    assert server.token == token, "the admin token changed across a restart"
    assert "Created the admin identity" not in server.log() and token not in server.log()
    assert server.get("/v2/").status_code == 200


# ---------------------------------------------------------------------------------------------
# Shutdown, dropped watches and timeouts

WATCH = "/apis/image.openshift.io/v1/namespaces/shutdown/imagestreams?watch=1"


def _create_stream(server, namespace: str, name: str) -> None:
    r = server.post(f"/apis/image.openshift.io/v1/namespaces/{namespace}/imagestreams",
                    json={"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": {"name": name}})
    assert r.status_code == 201, r.text


def _raw_watch(server, path: str) -> socket.socket:
    """Opens a watch on a plain socket and returns it once the watch's first event has come."""
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {server.registry}\r\nAuthorization: Bearer {server.token}\r\n\r\n".encode())
    received = b""
    while b'"type":"ADDED"' not in received:
        chunk = sock.recv(65536)
        assert chunk, f"the watch closed at once: {received!r}"
        received += chunk
    assert received.startswith(b"HTTP/1.1 200"), received
    return sock


def _close_wait_sockets(port: int) -> list[str]:
    """Server sockets on `port` in CLOSE-WAIT: the client closed, and the server never did."""
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except FileNotFoundError:
            continue
        for line in lines:
            fields = line.split()
            local, state = fields[1], fields[3]
            if int(local.rsplit(":", 1)[1], 16) == port and state == "08":
                found.append(line)
    return found


def test_sigterm_ends_a_watch_with_a_last_event_and_exits_zero(start_wharf):
    server = start_wharf("wharfd-sigterm")
    _create_stream(server, "shutdown", "s")
    sock = _raw_watch(server, WATCH + "&allowWatchBookmarks=true")
    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    try:
        status = server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        raise AssertionError(f"wharfd did not exit within 20 s of SIGTERM with a watch open\n{server.log()}")
    elapsed = time.monotonic() - began
    rest = b""
    sock.settimeout(5)
    while chunk := sock.recv(65536):
        rest += chunk
    sock.close()
    assert status == 0, f"wharfd exited with {status}\n{server.log()}"
    assert elapsed < 10, f"wharfd took {elapsed:.1f} s to exit; the shutdown grace is 30 s and the watch should end at once"
    assert b'"type":"BOOKMARK"' in rest, f"no last event before the stream ended: {rest!r}"
    assert rest.endswith(b"0\r\n\r\n"), f"the chunked stream did not end: {rest!r}"


def test_a_dropped_watch_leaves_no_socket_in_close_wait(start_wharf):
    server = start_wharf("wharfd-dropped-watch")
    _create_stream(server, "shutdown", "s")
    socks = [_raw_watch(server, WATCH) for _ in range(3)]
    for sock in socks:
        sock.close()  # as Ctrl-C on `kubectl get -w` does
    deadline = time.monotonic() + 5
    while _close_wait_sockets(server.port) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _close_wait_sockets(server.port) == [], "the server kept dropped watches' sockets open (CLOSE-WAIT)"
    # The server still answers, and still stops at once.
    assert server.get("/v2/").status_code == 200
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=20) == 0


def test_the_shutdown_grace_bounds_a_stuck_request(start_wharf):
    server = start_wharf("wharfd-grace", args=("--shutdown-grace", "2"))
    r = server.post("/v2/shutdown/stuck/blobs/uploads/")
    assert r.status_code == 202, r.text
    sock = socket.create_connection((server.host, server.port), timeout=10)
    sock.sendall(f"PATCH {r.headers['Location']} HTTP/1.1\r\nHost: {server.registry}\r\nAuthorization: Bearer {server.token}\r\n"
                 f"Content-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n".encode() + b"x" * 1000)
    time.sleep(0.5)
    began = time.monotonic()
    server.proc.send_signal(signal.SIGTERM)
    try:
        status = server.proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        raise AssertionError(f"wharfd did not exit with a request stuck, past its 2 s grace\n{server.log()}")
    elapsed = time.monotonic() - began
    sock.close()
    assert status == 0, f"wharfd exited with {status}\n{server.log()}"
    assert 1.5 <= elapsed < 6, f"wharfd exited {elapsed:.1f} s after SIGTERM; the stuck request had a 2 s grace"


def test_idle_connections_are_closed_over_tls_too(start_wharf):
    server = start_wharf("wharfd-tls-idle", tls=True, args=("--idle-timeout", "1"))
    sock = socket.create_connection((server.host, server.port), timeout=10)
    began = time.monotonic()
    try:
        closed = sock.recv(1) == b""
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        closed = False
    sock.close()
    assert closed and time.monotonic() - began < 5, "an idle TLS connection was kept open"


def test_json_logs_carry_the_request_id_that_x_request_id_echoes(start_wharf):
    import json

    server = start_wharf("wharfd-json", args=("--log-format", "json", "--log-level", "info"))
    r = server.get("/v2/ns/app/manifests/latest", headers={"X-Request-Id": "e2e-pull-1"})
    assert r.headers.get("X-Request-Id") == "e2e-pull-1"
    deadline = time.monotonic() + 5
    found = None
    while time.monotonic() < deadline and found is None:
        objects = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        found = next((o for o in objects if o.get("request_id") == "e2e-pull-1" and o.get("message") == "pull"), None)
        time.sleep(0.1)
    assert found, f"no JSON pull line with the request id; log:\n{server.log()}"
    assert found["level"] == "info" and found["path"] == "/v2/ns/app/manifests/latest"
