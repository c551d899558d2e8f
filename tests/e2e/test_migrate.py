"""wharfd migrate: an embedded installation's blobs go to S3 and its metadata to PostgreSQL, and a wharfd on those
serves everything the embedded one did, with the same admin token; a second run into the same database is refused."""

import subprocess

import pytest

from conftest import MotoS3, WharfServer, _wharfd_binary, fresh_database, push_layout
from images import OCI_MANIFEST, build_image

pytestmark = pytest.mark.one_process


def test_an_embedded_installation_moves_to_postgresql_and_s3(tmp_path_factory, skopeo, tmp_path):
    binary = _wharfd_binary()
    embedded = WharfServer(binary, tmp_path_factory.mktemp("embedded"), embedded=True)
    embedded.start()
    try:
        image = build_image(seed=91)
        push_layout(skopeo, embedded, image, "moved/app", "v1")
        r = embedded.post("/apis/image.openshift.io/v1/namespaces/moved/imagestreams",
                          json={"metadata": {"name": "other", "labels": {"team": "blue"}}})
        assert r.status_code == 201, r.text
        stream = embedded.get("/apis/image.openshift.io/v1/namespaces/moved/imagestreams/app").json()
    finally:
        embedded.stop()

    database, bucket = fresh_database(f"wharf_migrate_{embedded.port}"), MotoS3.shared().bucket(f"wharf-migrate-{embedded.port}")
    command = [binary, "migrate", "--from-data-dir", str(embedded.data_dir), "--database-url", database, "--blob-store", bucket]
    environment = {**__import__("os").environ, **MotoS3.ENV}
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"blobs: {len(image.blobs()) + 1} copied" in result.stdout, result.stdout  # the layers, the config and the manifest
    assert "metadata:" in result.stdout and "done:" in result.stdout

    moved = WharfServer(binary, tmp_path_factory.mktemp("moved"), args=(
        "--database-url", database, "--blob-store", bucket, "--admin-token-file", str(embedded.data_dir / "admin.token")))
    moved.start()
    assert moved.token == embedded.token
    r = moved.get("/v2/moved/app/manifests/v1", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200 and r.content == image.manifest
    for blob in image.blobs():
        assert moved.get(f"/v2/moved/app/blobs/{blob.digest}").content == blob.data
    again = moved.get("/apis/image.openshift.io/v1/namespaces/moved/imagestreams/app").json()
    assert again["metadata"]["resourceVersion"] == stream["metadata"]["resourceVersion"]
    assert again["status"]["tags"] == stream["status"]["tags"]
    other = moved.get("/apis/image.openshift.io/v1/namespaces/moved/imagestreams/other").json()
    assert other["metadata"]["labels"] == {"team": "blue"}
    # New writes continue the resourceVersion sequence.
    r = moved.post("/apis/image.openshift.io/v1/namespaces/moved/imagestreams", json={"metadata": {"name": "new"}})
    assert int(r.json()["metadata"]["resourceVersion"]) > int(other["metadata"]["resourceVersion"])
    skopeo.copy(f"docker://{moved.registry}/moved/app:v1", f"oci:{tmp_path / 'pulled'}:v1")
    moved.stop()

    # Blobs already there are skipped; the database is not empty any more, so the metadata is refused.
    result = subprocess.run(command, capture_output=True, text=True, env=environment, timeout=300)
    assert result.returncode != 0
    assert "already there" in result.stdout and "migrate into an empty one" in result.stderr, result.stdout + result.stderr
