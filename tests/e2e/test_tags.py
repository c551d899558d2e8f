"""GET /v2/<name>/tags/list."""

from images import OCI_MANIFEST, build_image


def test_tags_list_is_sorted(wharf, push):
    image = build_image(seed=80)
    repository = "test/tags-sample"
    push(image, repository, "v2")
    for tag in ("latest", "alpha", "v1.0"):
        r = wharf.put_manifest(repository, tag, image.manifest, OCI_MANIFEST)
        assert r.status_code == 201, r.text

    r = wharf.get(f"/v2/{repository}/tags/list")
    assert r.status_code == 200
    assert r.json() == {"name": repository, "tags": ["alpha", "latest", "v1.0", "v2"]}

    r = wharf.get(f"/v2/{repository}/tags/list", params={"n": 2})
    assert r.status_code == 200
    assert r.json() == {"name": repository, "tags": ["alpha", "latest"]}

    r = wharf.get(f"/v2/{repository}/tags/list", params={"n": 2, "last": "latest"})
    assert r.status_code == 200
    assert r.json() == {"name": repository, "tags": ["v1.0", "v2"]}


def test_tags_list_of_pushed_stream(wharf, ruby_image):
    r = wharf.get("/v2/test/origin-ruby-sample/tags/list")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "test/origin-ruby-sample"
    assert "latest" in body["tags"]
    assert body["tags"] == sorted(body["tags"])


def test_tags_list_of_unknown_repository(wharf):
    r = wharf.get("/v2/test/no-such-stream/tags/list")
    assert r.status_code == 404
    assert [e["code"] for e in r.json()["errors"]] == ["NAME_UNKNOWN"]
