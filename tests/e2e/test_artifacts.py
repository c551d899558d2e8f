"""OCI artifacts with a subject, and the referrers API (distribution-spec v1.1)."""

from images import OCI_INDEX, OCI_MANIFEST, Blob, build_image, go_json, sha256_digest

SBOM_TYPE = "application/vnd.wharf.e2e.sbom.v1+json"
SIGNATURE_TYPE = "application/vnd.wharf.e2e.signature.v1"
EMPTY_JSON = Blob("application/vnd.oci.empty.v1+json", b"{}")


def get_referrers(wharf, repository, digest, **params):
    r = wharf.get(f"/v2/{repository}/referrers/{digest}", params=params)
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == OCI_INDEX
    body = r.json()
    assert body["schemaVersion"] == 2
    assert body["mediaType"] == OCI_INDEX
    return r, body["manifests"]


def test_oras_artifact_with_subject(wharf, oras_client, ruby_image, tmp_path):
    repository = "test/origin-ruby-sample"
    sbom = tmp_path / "sbom.spdx.json"
    sbom.write_bytes(go_json({"spdxVersion": "SPDX-2.3", "name": "origin-ruby-sample", "seed": 1}))
    config = tmp_path / "config.json"
    config.write_bytes(go_json({"tool": "wharf-e2e"}))
    annotations = {"org.opencontainers.image.description": "SBOM of origin-ruby-sample"}

    from oras.oci import Subject  # imported here: the oras_client fixture reports a missing package

    subject = Subject(mediaType=OCI_MANIFEST, digest=ruby_image.digest, size=len(ruby_image.manifest))
    response = oras_client.push(
        target=f"{wharf.registry}/{repository}:sbom",
        files=[f"{sbom}:application/spdx+json"],
        manifest_config=f"{config}:{SBOM_TYPE}",
        manifest_annotations=annotations,
        subject=subject,
        disable_path_validation=True,
        quiet=True,
    )
    assert response.status_code == 201
    assert response.headers["OCI-Subject"] == ruby_image.digest

    # What oras pushed, as the registry stores it.
    r = wharf.get(f"/v2/{repository}/manifests/sbom", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200
    artifact = r.content
    artifact_digest = sha256_digest(artifact)
    assert response.headers["Docker-Content-Digest"] == artifact_digest
    assert r.json()["subject"] == {"mediaType": OCI_MANIFEST, "digest": ruby_image.digest, "size": len(ruby_image.manifest)}

    _, manifests = get_referrers(wharf, repository, ruby_image.digest)
    assert manifests == [{
        "mediaType": OCI_MANIFEST,
        "digest": artifact_digest,
        "size": len(artifact),
        "artifactType": SBOM_TYPE,  # no artifactType field in the manifest: the config's media type
        "annotations": annotations,
    }]

    r, filtered = get_referrers(wharf, repository, ruby_image.digest, artifactType=SBOM_TYPE)
    assert r.headers["OCI-Filters-Applied"] == "artifactType"
    assert filtered == manifests

    r, none = get_referrers(wharf, repository, ruby_image.digest, artifactType="other/type")
    assert r.headers["OCI-Filters-Applied"] == "artifactType"
    assert none == []

    files = oras_client.pull(target=f"{wharf.registry}/{repository}:sbom", outdir=str(tmp_path / "pulled"))
    assert len(files) == 1
    with open(files[0], "rb") as f:
        pulled = f.read()
    assert pulled == sbom.read_bytes()


def test_artifact_type_field_pushed_by_digest(wharf, push):
    """An artifact with its own artifactType and the empty config, pushed by digest only (no tag)."""
    subject = build_image(seed=70)
    repository = "test/signed-sample"
    push(subject, repository, "latest")

    signature = Blob(SIGNATURE_TYPE, b"wharf e2e signature of " + subject.digest.encode())
    for blob in (EMPTY_JSON, signature):
        wharf.upload_blob(repository, blob)
    annotations = {"org.opencontainers.image.created": "2015-12-23T10:00:00Z"}
    manifest = go_json({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST,
        "artifactType": SIGNATURE_TYPE,
        "config": EMPTY_JSON.descriptor(),
        "layers": [signature.descriptor()],
        "subject": subject.descriptor(),
        "annotations": annotations,
    })
    digest = sha256_digest(manifest)
    r = wharf.put_manifest(repository, digest, manifest, OCI_MANIFEST)
    assert r.status_code == 201, r.text
    assert r.headers["Docker-Content-Digest"] == digest
    assert r.headers["OCI-Subject"] == subject.digest

    _, manifests = get_referrers(wharf, repository, subject.digest)
    assert manifests == [{
        "mediaType": OCI_MANIFEST,
        "digest": digest,
        "size": len(manifest),
        "artifactType": SIGNATURE_TYPE,
        "annotations": annotations,
    }]

    r = wharf.get(f"/v2/{repository}/manifests/{digest}", headers={"Accept": OCI_MANIFEST})
    assert r.status_code == 200
    assert r.content == manifest


def test_referrers_of_unknown_subject(wharf, ruby_image):
    _, manifests = get_referrers(wharf, "test/origin-ruby-sample", "sha256:" + "0" * 64)
    assert manifests == []
