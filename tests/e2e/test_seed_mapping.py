"""The seed ImageStreamMapping (the OpenShift documentation's example), posted as YAML and as JSON.

These tests run against their own wharfd: the seed tags test/origin-ruby-sample:latest, which
the shared server's push tests also use.
"""

import copy
import json

import pytest
import yaml

from conftest import IMAGE_API

SEED_DIGEST = "sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d"
SEED_REFERENCE = f"172.30.56.218:5000/test/origin-ruby-sample@{SEED_DIGEST}"


class NoTimestampLoader(yaml.SafeLoader):
    """SafeLoader without the YAML 1.1 timestamp rule: `build-date: 2015-12-23` and `Created:` stay strings.

    (BaseLoader would keep them strings too, but would also turn `size: 0`, `AttachStdout: true`
    and `creationTimestamp: null` into strings, which is not what the document means.)
    """


NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@pytest.fixture(scope="module")
def server(start_wharf):
    return start_wharf("wharfd-seed")


@pytest.fixture(scope="module")
def seed_yaml(seed_mapping_path) -> bytes:
    return seed_mapping_path.read_bytes()


@pytest.fixture(scope="module")
def seed_document(seed_yaml) -> dict:
    document = yaml.load(seed_yaml, Loader=NoTimestampLoader)
    labels = document["image"]["dockerImageMetadata"]["Config"]["Labels"]
    assert labels["build-date"] == "2015-12-23"
    assert document["image"]["dockerImageMetadata"]["Size"] == 441976279
    assert document["image"]["dockerImageMetadata"]["Config"]["User"] == "1001"
    return document


def create_stream(server, namespace, name):
    body = {"apiVersion": "image.openshift.io/v1", "kind": "ImageStream", "metadata": {"name": name}}
    r = server.post(f"{IMAGE_API}/namespaces/{namespace}/imagestreams", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["kind"] == "ImageStream"
    assert created["metadata"]["name"] == name
    assert created["metadata"]["namespace"] == namespace


def assert_success_status(r):
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["kind"] == "Status"
    assert body["apiVersion"] == "v1"
    assert body["status"] == "Success"
    assert body["code"] == 201


def assert_seed_image(server):
    r = server.get(f"{IMAGE_API}/images/{SEED_DIGEST}")
    assert r.status_code == 200, r.text
    image = r.json()
    assert image["metadata"]["name"] == SEED_DIGEST
    assert image["dockerImageReference"] == SEED_REFERENCE
    metadata = image["dockerImageMetadata"]
    build_date = metadata["Config"]["Labels"]["build-date"]
    assert isinstance(build_date, str) and build_date == "2015-12-23"
    assert metadata["Size"] == 441976279
    assert len(image["dockerImageLayers"]) == 7


def assert_stream_tag(server, namespace, stream):
    r = server.get(f"{IMAGE_API}/namespaces/{namespace}/imagestreamtags/{stream}:latest")
    assert r.status_code == 200, r.text
    tag = r.json()
    assert tag["kind"] == "ImageStreamTag"
    assert tag["metadata"]["name"] == f"{stream}:latest"
    assert tag["image"]["metadata"]["name"] == SEED_DIGEST


def test_seed_mapping_as_yaml(server, seed_yaml):
    create_stream(server, "test", "origin-ruby-sample")
    r = server.post(
        f"{IMAGE_API}/namespaces/test/imagestreammappings",
        data=seed_yaml,
        headers={"Content-Type": "application/yaml"},
    )
    assert_success_status(r)
    assert_seed_image(server)
    assert_stream_tag(server, "test", "origin-ruby-sample")


def test_seed_mapping_as_json(server, seed_document):
    create_stream(server, "test", "origin-ruby-sample-json")
    document = copy.deepcopy(seed_document)
    document["metadata"]["name"] = "origin-ruby-sample-json"
    r = server.post(
        f"{IMAGE_API}/namespaces/test/imagestreammappings",
        data=json.dumps(document),
        headers={"Content-Type": "application/json"},
    )
    assert_success_status(r)
    assert_seed_image(server)
    assert_stream_tag(server, "test", "origin-ruby-sample-json")


def test_mapping_to_missing_stream(server, seed_document):
    document = copy.deepcopy(seed_document)
    document["metadata"]["name"] = "no-such-stream"
    r = server.post(
        f"{IMAGE_API}/namespaces/test/imagestreammappings",
        data=json.dumps(document),
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 404, r.text
    status = r.json()
    assert status["kind"] == "Status"
    assert status["apiVersion"] == "v1"
    assert status["status"] == "Failure"
    assert status["reason"] == "NotFound"
    assert status["code"] == 404
    assert status["message"] == 'imagestreams.image.openshift.io "no-such-stream" not found'
