"""The image API (image.openshift.io/v1) as a registry push leaves it."""

import re
from datetime import datetime

from images import OCI_MANIFEST, build_image

from conftest import IMAGE_API

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def get_json(wharf, path):
    r = wharf.get(path)
    assert r.status_code == 200, f"GET {path}: {r.status_code} {r.text}"
    return r.json()


def tag_events(wharf, namespace, stream, tag):
    body = get_json(wharf, f"{IMAGE_API}/namespaces/{namespace}/imagestreams/{stream}")
    matches = [t for t in body["status"]["tags"] if t["tag"] == tag]
    assert len(matches) == 1, f"status.tags of {namespace}/{stream}: {body['status']['tags']}"
    return matches[0]["items"]


def assert_event(event, wharf, repository, digest):
    assert event["image"] == digest
    assert event["dockerImageReference"] == f"{wharf.registry}/{repository}@{digest}"
    assert isinstance(event["created"], str) and RFC3339_UTC.match(event["created"]), event["created"]
    assert isinstance(event["generation"], int) and not isinstance(event["generation"], bool)


def test_imagestream_after_push(wharf, ruby_image):
    body = get_json(wharf, f"{IMAGE_API}/namespaces/test/imagestreams/origin-ruby-sample")
    assert body["kind"] == "ImageStream"
    assert body["apiVersion"] == "image.openshift.io/v1"
    assert body["metadata"]["name"] == "origin-ruby-sample"
    assert body["metadata"]["namespace"] == "test"
    assert body["status"]["dockerImageRepository"] == f"{wharf.registry}/test/origin-ruby-sample"

    items = tag_events(wharf, "test", "origin-ruby-sample", "latest")
    assert len(items) == 1
    assert_event(items[0], wharf, "test/origin-ruby-sample", ruby_image.digest)


def test_image_after_push(wharf, ruby_image):
    image = get_json(wharf, f"{IMAGE_API}/images/{ruby_image.digest}")
    assert image["kind"] == "Image"
    assert image["apiVersion"] == "image.openshift.io/v1"
    assert image["metadata"]["name"] == ruby_image.digest
    assert image["metadata"]["annotations"]["openshift.io/image.managed"] == "true"
    assert image["dockerImageReference"] == f"{wharf.registry}/test/origin-ruby-sample@{ruby_image.digest}"
    assert image["dockerImageManifestMediaType"] == OCI_MANIFEST
    assert image["dockerImageMetadataVersion"] == "1.0"
    assert image["dockerImageLayers"] == [
        {"name": layer.digest, "size": layer.size, "mediaType": layer.media_type} for layer in ruby_image.layers
    ]

    config = ruby_image.config_json
    distinct_layer_sizes = {layer.digest: layer.size for layer in ruby_image.layers}
    assert len(distinct_layer_sizes) < len(ruby_image.layers), "the test image should repeat a layer"

    metadata = image["dockerImageMetadata"]
    assert metadata["kind"] == "DockerImage"
    assert metadata["apiVersion"] == "image.openshift.io/1.0"
    assert metadata["Id"] == ruby_image.config_digest
    assert metadata["Architecture"] == "amd64"
    assert metadata["Created"] == config["created"]
    assert metadata["Author"] == config["author"]
    assert metadata["Size"] == len(ruby_image.config) + sum(distinct_layer_sizes.values())

    expected = config["config"]
    actual = metadata["Config"]
    assert actual["Cmd"] == expected["Cmd"]
    assert actual["Entrypoint"] == expected["Entrypoint"]
    assert actual["Env"] == expected["Env"]
    assert actual["ExposedPorts"] == {"8080/tcp": {}}
    assert actual["Labels"] == expected["Labels"]
    assert actual["Labels"]["build-date"] == "2015-12-23"
    assert actual["User"] == "1001"
    assert actual["WorkingDir"] == "/opt/app-root/src"


def test_tag_history(wharf, push):
    repository = "test/history-sample"
    first, second = build_image(seed=60), build_image(seed=61)
    assert first.digest != second.digest

    push(first, repository, "latest")
    items = tag_events(wharf, "test", "history-sample", "latest")
    assert [e["image"] for e in items] == [first.digest]

    push(second, repository, "latest")
    items = tag_events(wharf, "test", "history-sample", "latest")
    assert [e["image"] for e in items] == [second.digest, first.digest]
    assert_event(items[0], wharf, repository, second.digest)
    assert_event(items[1], wharf, repository, first.digest)
    assert datetime.fromisoformat(items[0]["created"]) >= datetime.fromisoformat(items[1]["created"])

    # The same image again: the newest event already says so, nothing is added.
    push(second, repository, "latest")
    again = tag_events(wharf, "test", "history-sample", "latest")
    assert again == items
