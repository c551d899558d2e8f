"""Three wharfd replicas on one PostgreSQL database and one S3 bucket, behind nginx (round-robin, no stickiness):
an upload whose requests reach three replicas, a watch on one replica that sees a push through another, a replica
killed during eight pushes, a rolling restart under pulls, and replicas started at the same instant.

These tests make their fleets whatever WHARF_E2E_REPLICAS says; they need PostgreSQL (WHARF_TEST_DATABASE_URL, which
scripts/test sets), moto and nginx, and fail without them."""

import hashlib
import json
import os
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urljoin

import pytest
import requests

from conftest import SKOPEO_TIMEOUT, Fleet, WharfServer, _wharfd_binary, fresh_database
from images import OCI_MANIFEST, build_image, write_image_layout


@pytest.fixture
def fleet(tmp_path_factory):
    made: list[Fleet] = []

    def make(name: str) -> Fleet:
        server = Fleet(_wharfd_binary(), tmp_path_factory.mktemp(name), 3)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        server.stop()


def push(skopeo, registry: str, image, repository: str, tag: str, workdir: Path) -> subprocess.CompletedProcess:
    """skopeo copy of `image` to `registry`, returning the process (a failed push is an answer here, not a failure)."""
    layout = Path(tempfile.mkdtemp(prefix="layout-", dir=workdir))
    write_image_layout(layout, image)
    return subprocess.run([skopeo.binary, "--insecure-policy", "copy", "--dest-tls-verify=false", f"oci:{layout}:latest",
                           f"docker://{registry}/{repository}:{tag}"], capture_output=True, timeout=SKOPEO_TIMEOUT,
                          stdin=subprocess.DEVNULL)


def pulled_bytes_match(server, repository: str, image) -> None:
    """A pull by digest through `server` gives the pushed manifest, config and layers byte for byte."""
    r = server.get(f"/v2/{repository}/manifests/{image.digest}", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200 and r.content == image.manifest, (repository, r.status_code, r.text[:300])
    for blob in image.blobs():
        r = server.get(f"/v2/{repository}/blobs/{blob.digest}")
        assert r.status_code == 200 and r.content == blob.data, (repository, blob.digest, r.status_code)


def test_replicas_started_at_the_same_instant_make_one_admin(fleet):
    server = fleet("fleet-start")
    created = [replica for replica in server.replicas if "Created the admin identity" in replica.log()]
    assert len(created) == 1, [replica.log()[-2000:] for replica in server.replicas]
    for replica in server.replicas:
        assert replica.get("/v2/").status_code == 200
        assert replica.token == server.token


def upload_across(replicas: list, repository: str, chunks: list[bytes]) -> str:
    """POST on the first replica, each chunk's PATCH on the next in turn (any replica reporting the offset after
    it), the PUT on the next again; returns the digest."""
    data = b"".join(chunks)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    r = replicas[0].post(f"/v2/{repository}/blobs/uploads/")
    assert r.status_code == 202, r.text
    path = r.headers["Location"]
    offset = 0
    for index, chunk in enumerate(chunks):
        replica = replicas[(index + 1) % len(replicas)]
        r = replica.http.patch(urljoin(replica.url("/"), path), data=chunk, timeout=120, headers={
            "Content-Type": "application/octet-stream", "Content-Range": f"{offset}-{offset + len(chunk) - 1}"})
        assert r.status_code == 202, r.text
        offset += len(chunk)
        path = r.headers["Location"]
        other = replicas[(index + 2) % len(replicas)]
        status = other.http.get(urljoin(other.url("/"), path), timeout=30)
        assert status.status_code == 204 and status.headers["Range"] == f"0-{offset - 1}"
    last = replicas[(len(chunks) + 1) % len(replicas)]
    r = last.http.put(urljoin(last.url("/"), path), params={"digest": digest}, timeout=120)
    assert r.status_code == 201, r.text
    return digest


def test_a_chunked_upload_whose_requests_reach_three_replicas(fleet):
    server = fleet("fleet-chunks")
    chunks = [os.urandom(3 << 20), os.urandom(4 << 20), os.urandom(1000)]
    digest = upload_across(server.replicas, "fleet/chunks", chunks)
    r = server.get(f"/v2/fleet/chunks/blobs/{digest}")
    assert r.status_code == 200 and r.content == b"".join(chunks)


def test_postgresql_with_a_shared_directory_for_blobs(tmp_path_factory):
    """The other mix the scale-out issue names: metadata in PostgreSQL, blobs in a directory the replicas share."""
    work = tmp_path_factory.mktemp("fleet-shared-dir")
    shared = ("--database-url", fresh_database(f"wharf_shared_dir_{os.getpid()}_{time.monotonic_ns()}"),
              "--blob-store", str(work / "blobs"), "--admin-token-file", str(work / "admin.token"))
    replicas = [WharfServer(_wharfd_binary(), work / f"replica{n}", args=shared) for n in range(2)]
    try:
        for replica in replicas:
            replica.start()
        chunks = [os.urandom(1 << 20), os.urandom(5000)]
        digest = upload_across(replicas, "shared/dir", chunks)
        for replica in replicas:
            assert replica.get(f"/v2/shared/dir/blobs/{digest}").content == b"".join(chunks)
        assert list((work / "blobs" / "blobs" / "sha256").iterdir()), "the blob is in the shared directory"
    finally:
        for replica in replicas:
            replica.stop()


def test_a_watch_on_one_replica_sees_a_push_through_another(fleet, skopeo):
    server = fleet("fleet-watch")
    watcher, pusher = server.replicas[0], server.replicas[2]
    seen: list[dict] = []
    received = threading.Event()

    def watch() -> None:
        with watcher.http.get(watcher.url("/apis/image.openshift.io/v1/namespaces/fleetwatch/imagestreams?watch=1&timeoutSeconds=60"),
                              stream=True, timeout=90) as response:
            for line in response.iter_lines():
                if line:
                    event = json.loads(line)
                    seen.append(event)
                    if event["object"].get("metadata", {}).get("name") == "app" and event["object"].get("status", {}).get("tags"):
                        received.set()
                        return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    time.sleep(1)  # the watch is open
    image = build_image(seed=61)
    pushed = time.monotonic()
    result = push(skopeo, pusher.registry, image, "fleetwatch/app", "v1", server.workdir)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert received.wait(30), f"the watch on replica 0 saw no push through replica 2; events: {seen}"
    assert time.monotonic() - pushed < 30
    kinds = [event["type"] for event in seen]
    assert "ADDED" in kinds, kinds


def test_a_replica_killed_during_eight_pushes_loses_no_acknowledged_push(fleet, skopeo):
    server = fleet("fleet-kill")
    images = [build_image(seed=70 + n) for n in range(8)]
    results: dict[int, subprocess.CompletedProcess] = {}

    def run(n: int) -> None:
        results[n] = push(skopeo, server.registry, images[n], f"fleetkill/app{n}", "v1", server.workdir)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.3)
    victim = server.replicas[1]
    under_way = sum(thread.is_alive() for thread in threads)
    victim.proc.send_signal(signal.SIGKILL)
    victim.proc.wait(timeout=10)
    for thread in threads:
        thread.join()
    assert under_way > 0, "every push had ended before the kill"
    acknowledged = [n for n, result in results.items() if result.returncode == 0]
    assert acknowledged, {n: r.stderr.decode(errors="replace")[-500:] for n, r in results.items()}
    for n in acknowledged:
        pulled_bytes_match(server, f"fleetkill/app{n}", images[n])
        tag = server.get(f"/v2/fleetkill/app{n}/manifests/v1", headers={"Accept": OCI_MANIFEST})
        assert tag.status_code == 200 and tag.content == images[n].manifest
    # The killed replica comes back on the same database and bucket, and serves what the others took.
    victim.start()
    for n in acknowledged:
        pulled_bytes_match(victim, f"fleetkill/app{n}", images[n])


def test_a_rolling_restart_of_every_replica_fails_no_pull(fleet, skopeo):
    server = fleet("fleet-rolling")
    image = build_image(seed=81)
    result = push(skopeo, server.registry, image, "rolling/app", "v1", server.workdir)
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    stop = threading.Event()
    pulls: list[str] = []
    failures: list[str] = []

    def pull_loop() -> None:
        session = requests.Session()
        session.trust_env = False
        session.headers["Authorization"] = f"Bearer {server.token}"
        deadline = time.monotonic() + 300
        while not stop.is_set() and time.monotonic() < deadline:
            try:
                r = session.get(server.url("/v2/rolling/app/manifests/v1"), headers={"Accept": OCI_MANIFEST}, timeout=30)
                ok = r.status_code == 200 and r.content == image.manifest
                for blob in image.blobs():
                    b = session.get(server.url(f"/v2/rolling/app/blobs/{blob.digest}"), timeout=30)
                    ok = ok and b.status_code == 200 and b.content == blob.data
                (pulls if ok else failures).append(f"{r.status_code}")
            except requests.RequestException as error:
                failures.append(str(error))

    thread = threading.Thread(target=pull_loop)
    thread.start()
    try:
        time.sleep(1)
        for replica in server.replicas:
            replica.proc.send_signal(signal.SIGTERM)
            assert replica.proc.wait(timeout=40) == 0
            replica.start()
            time.sleep(1)
    finally:
        stop.set()
        thread.join()
    assert not failures, failures[:5]
    assert len(pulls) > 10, pulls
