"""Push and pull with skopeo: OCI manifests, Docker schema 2, multi-arch indexes, digest-only pushes."""

import json

from images import (
    DOCKER_CONFIG,
    DOCKER_LAYER_GZIP,
    DOCKER_LIST,
    DOCKER_MANIFEST,
    OCI_INDEX,
    OCI_MANIFEST,
    Layout,
    build_image,
    build_index,
    sha256_digest,
    write_index_layout,
)


def assert_image_in_layout(layout: Layout, image) -> None:
    """The layout holds the image's manifest, config and every layer, byte for byte."""
    assert layout.blob(image.digest) == image.manifest
    assert layout.blob(image.config_digest) == image.config
    for layer in image.layers:
        assert layout.blob(layer.digest) == layer.data


def test_oci_image_round_trip(wharf, skopeo, ruby_image, tmp_path):
    reference = f"docker://{wharf.registry}/test/origin-ruby-sample:latest"
    skopeo.copy(reference, f"oci:{tmp_path / 'pulled'}:latest")

    pulled = Layout(tmp_path / "pulled")
    descriptor = pulled.descriptor("latest")
    assert descriptor["mediaType"] == OCI_MANIFEST
    assert descriptor["digest"] == ruby_image.digest
    assert descriptor["size"] == len(ruby_image.manifest)
    assert pulled.top("latest") == ruby_image.manifest
    assert_image_in_layout(pulled, ruby_image)

    assert skopeo.inspect_raw(reference) == ruby_image.manifest


def test_oci_manifest_over_http(wharf, ruby_image):
    repository = "test/origin-ruby-sample"
    for reference in ("latest", ruby_image.digest):
        r = wharf.get(f"/v2/{repository}/manifests/{reference}", headers={"Accept": OCI_MANIFEST})
        assert r.status_code == 200
        assert r.headers["Content-Type"] == OCI_MANIFEST
        assert r.headers["Docker-Content-Digest"] == ruby_image.digest
        assert r.content == ruby_image.manifest

        r = wharf.head(f"/v2/{repository}/manifests/{reference}", headers={"Accept": OCI_MANIFEST})
        assert r.status_code == 200
        assert r.headers["Docker-Content-Digest"] == ruby_image.digest
        assert int(r.headers["Content-Length"]) == len(ruby_image.manifest)

    layer = ruby_image.layers[0]
    r = wharf.get(f"/v2/{repository}/blobs/{layer.digest}")
    assert r.status_code == 200
    assert r.headers["Docker-Content-Digest"] == layer.digest
    assert r.content == layer.data


def test_docker_schema2_push(wharf, skopeo, push, tmp_path):
    image = build_image(seed=20)
    reference = push(image, "test/ruby-v2s2", "latest", "--format", "v2s2")

    raw = skopeo.inspect_raw(reference)
    manifest = json.loads(raw)
    assert manifest["schemaVersion"] == 2
    assert manifest["mediaType"] == DOCKER_MANIFEST
    assert manifest["config"] == {"mediaType": DOCKER_CONFIG, "size": len(image.config), "digest": image.config_digest}
    assert [(l["mediaType"], l["digest"], l["size"]) for l in manifest["layers"]] == [
        (DOCKER_LAYER_GZIP, layer.digest, layer.size) for layer in image.layers
    ]

    # dir: keeps the manifest as pushed (an oci: destination would convert it back to OCI).
    pulled = tmp_path / "pulled"
    skopeo.copy(reference, f"dir:{pulled}")
    assert (pulled / "manifest.json").read_bytes() == raw
    assert (pulled / image.config_digest.split(":")[1]).read_bytes() == image.config
    for layer in image.layers:
        assert (pulled / layer.digest.split(":")[1]).read_bytes() == layer.data

    r = wharf.get("/v2/test/ruby-v2s2/manifests/latest", headers={"Accept": DOCKER_MANIFEST})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == DOCKER_MANIFEST
    assert r.headers["Docker-Content-Digest"] == sha256_digest(raw)
    assert r.content == raw


def test_multi_arch_oci_index(wharf, skopeo, tmp_path):
    index = build_index(seed=30)
    write_index_layout(tmp_path / "source", index)
    reference = f"docker://{wharf.registry}/test/multi:latest"
    skopeo.copy(f"oci:{tmp_path / 'source'}:latest", reference, "--all")

    assert skopeo.inspect_raw(reference) == index.manifest
    for image in index.images:
        assert skopeo.inspect_raw(f"docker://{wharf.registry}/test/multi@{image.digest}") == image.manifest

    skopeo.copy(reference, f"oci:{tmp_path / 'pulled'}:latest", "--all")
    pulled = Layout(tmp_path / "pulled")
    descriptor = pulled.descriptor("latest")
    assert descriptor["mediaType"] == OCI_INDEX
    assert descriptor["digest"] == index.digest
    assert pulled.top("latest") == index.manifest
    for image in index.images:
        assert_image_in_layout(pulled, image)

    r = wharf.get("/v2/test/multi/manifests/latest", headers={"Accept": OCI_INDEX})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == OCI_INDEX
    assert r.headers["Docker-Content-Digest"] == index.digest
    assert r.content == index.manifest


def test_multi_arch_docker_manifest_list(wharf, skopeo, tmp_path):
    index = build_index(seed=40)
    write_index_layout(tmp_path / "source", index)
    reference = f"docker://{wharf.registry}/test/multi-docker:latest"
    skopeo.copy(f"oci:{tmp_path / 'source'}:latest", reference, "--all", "--format", "v2s2")

    raw = skopeo.inspect_raw(reference)
    manifest_list = json.loads(raw)
    assert manifest_list["mediaType"] == DOCKER_LIST
    assert [(m["mediaType"], m["platform"]["architecture"], m["platform"]["os"]) for m in manifest_list["manifests"]] == [
        (DOCKER_MANIFEST, image.architecture, image.os) for image in index.images
    ]
    for entry, image in zip(manifest_list["manifests"], index.images):
        child_raw = skopeo.inspect_raw(f"docker://{wharf.registry}/test/multi-docker@{entry['digest']}")
        assert sha256_digest(child_raw) == entry["digest"]
        assert len(child_raw) == entry["size"]
        child = json.loads(child_raw)
        assert child["mediaType"] == DOCKER_MANIFEST
        assert child["config"]["digest"] == image.config_digest
        assert [l["digest"] for l in child["layers"]] == [layer.digest for layer in image.layers]

    r = wharf.get("/v2/test/multi-docker/manifests/latest", headers={"Accept": DOCKER_LIST})
    assert r.status_code == 200
    assert r.headers["Content-Type"] == DOCKER_LIST
    assert r.headers["Docker-Content-Digest"] == sha256_digest(raw)
    assert r.content == raw


def test_push_by_digest_then_pull_by_digest(wharf, skopeo, tmp_path):
    image = build_image(seed=90)
    repository = "test/bydigest"
    for blob in image.blobs():
        wharf.upload_blob(repository, blob)
    r = wharf.put_manifest(repository, image.digest, image.manifest, OCI_MANIFEST)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == image.digest

    skopeo.copy(f"docker://{wharf.registry}/{repository}@{image.digest}", f"oci:{tmp_path / 'pulled'}")
    pulled = Layout(tmp_path / "pulled")
    descriptor = pulled.descriptor(None)
    assert descriptor["digest"] == image.digest
    assert descriptor["mediaType"] == OCI_MANIFEST
    assert_image_in_layout(pulled, image)
