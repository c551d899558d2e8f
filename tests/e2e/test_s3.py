"""Blobs on S3 (moto on loopback): skopeo round trips, chunks of any size across S3's 5 MiB part minimum, ranges,
and --blob-redirect's 307 to a presigned URL that skopeo follows."""

import hashlib
import os
from urllib.parse import urljoin

import pytest
import requests

from conftest import MotoS3, push_layout
from images import Layout, build_image


def s3_server(start_wharf, name: str, *flags: str):
    return start_wharf(name, args=("--blob-store", MotoS3.shared().bucket(f"{name}-{os.getpid()}"), *flags))


def chunked_upload(server, repository: str, chunks: list[bytes]) -> str:
    """POST, a PATCH per chunk (each checked against the offset the server reports), PUT; returns the digest."""
    data = b"".join(chunks)
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    r = server.post(f"/v2/{repository}/blobs/uploads/")
    assert r.status_code == 202, r.text
    location = urljoin(server.url("/"), r.headers["Location"])
    offset = 0
    for chunk in chunks:
        r = server.http.patch(location, data=chunk, timeout=120, headers={
            "Content-Type": "application/octet-stream", "Content-Range": f"{offset}-{offset + len(chunk) - 1}"})
        assert r.status_code == 202, r.text
        offset += len(chunk)
        assert r.headers["Range"] == f"0-{offset - 1}"
        location = urljoin(server.url("/"), r.headers["Location"])
        status = server.http.get(location, timeout=30)
        assert status.status_code == 204 and status.headers["Range"] == f"0-{offset - 1}"
    r = server.http.put(location, params={"digest": digest}, timeout=120)
    assert r.status_code == 201, r.text
    return digest


def test_skopeo_round_trip_on_s3(start_wharf, skopeo, tmp_path):
    server = s3_server(start_wharf, "wharfd-s3")
    image = build_image(seed=41)
    push_layout(skopeo, server, image, "s3/app", "v1")
    skopeo.copy(f"docker://{server.registry}/s3/app:v1", f"oci:{tmp_path / 'pulled'}:v1")
    pulled = Layout(tmp_path / "pulled")
    assert pulled.top("v1") == image.manifest
    for layer in image.layers:
        assert pulled.blob(layer.digest) == layer.data


def test_chunks_of_any_size_cross_the_part_minimum_and_ranges_read_back(start_wharf):
    server = s3_server(start_wharf, "wharfd-s3-chunks")
    chunks = [os.urandom(1 << 20), os.urandom(4 << 20), os.urandom(9 << 20), os.urandom(3)]
    data = b"".join(chunks)
    digest = chunked_upload(server, "s3/chunks", chunks)
    r = server.get(f"/v2/s3/chunks/blobs/{digest}")
    assert r.status_code == 200 and r.content == data
    r = server.get(f"/v2/s3/chunks/blobs/{digest}", headers={"Range": f"bytes={(5 << 20) - 2}-{(5 << 20) + 1}"})
    assert r.status_code == 206 and r.content == data[(5 << 20) - 2:(5 << 20) + 2]
    r = server.get(f"/v2/s3/chunks/blobs/{digest}", headers={"Range": f"bytes={len(data)}-"})
    assert r.status_code == 416


def test_blob_redirect_sends_clients_to_a_presigned_url(start_wharf, skopeo, tmp_path):
    server = s3_server(start_wharf, "wharfd-s3-redirect", "--blob-redirect")
    image = build_image(seed=42)
    push_layout(skopeo, server, image, "s3/redirected", "v1")
    layer = image.layers[0]
    r = server.get(f"/v2/s3/redirected/blobs/{layer.digest}", allow_redirects=False)
    assert r.status_code == 307, r.text
    assert r.headers["Docker-Content-Digest"] == layer.digest
    target = r.headers["Location"]
    assert target.startswith(MotoS3.shared().url) and "X-Amz-Signature=" in target
    # The presigned URL needs no credentials, and serves ranges itself.
    assert requests.get(target, timeout=30).content == layer.data
    assert requests.get(target, headers={"Range": "bytes=0-9"}, timeout=30).content == layer.data[:10]
    # HEAD is answered by wharfd; a repository that may not read the blob gets no URL.
    assert server.head(f"/v2/s3/redirected/blobs/{layer.digest}").status_code == 200
    assert server.get(f"/v2/s3/other/blobs/{layer.digest}", allow_redirects=False).status_code == 404
    skopeo.copy(f"docker://{server.registry}/s3/redirected:v1", f"oci:{tmp_path / 'pulled'}:v1")
    assert Layout(tmp_path / "pulled").blob(layer.digest) == layer.data


def test_wharfd_refuses_s3_without_credentials_and_redirects_without_s3(tmp_path):
    import subprocess

    binary = os.environ["WHARFD"]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    r = subprocess.run([binary, "--data-dir", str(tmp_path), "--blob-store", "s3://bucket?endpoint=http://127.0.0.1:9"],
                       capture_output=True, text=True, env=environment, timeout=60)
    assert r.returncode != 0 and "AWS_ACCESS_KEY_ID" in r.stderr
    r = subprocess.run([binary, "--data-dir", str(tmp_path), "--blob-redirect"], capture_output=True, text=True, env=environment, timeout=60)
    assert r.returncode != 0 and "--blob-redirect needs an S3 --blob-store" in r.stderr
    r = subprocess.run([binary, "--data-dir", str(tmp_path), "--blob-store", "relative/dir"], capture_output=True, text=True, timeout=60)
    assert r.returncode != 0 and "absolute directory" in r.stderr
