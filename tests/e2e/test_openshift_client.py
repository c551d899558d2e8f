"""The OpenShift Python client (`openshift.dynamic.DynamicClient`, on `kubernetes.dynamic`) against wharfd.

The client discovers the API first (GET /version as JSON, /version/openshift — a 404 is fine —, /apis,
then /apis/image.openshift.io/v1 on first use), then does plain REST: POST/GET/PUT/PATCH/DELETE with
JSON bodies, strategic merge patch by default, and `?watch=true&timeoutSeconds=N` for watches.
These tests run against their own wharfd, read a kubeconfig written into a temporary directory, and keep
the client's discovery cache there too.
"""

from __future__ import annotations

import json
import re
import threading

import pytest

from conftest import push_layout
from images import build_image
from kube import IMAGE_GROUP_VERSION, wait_for, write_kubeconfig

RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
WATCH_SECONDS = 60


@pytest.fixture(scope="module")
def server(start_wharf):
    return start_wharf("wharfd-openshift-client", tls=True)


@pytest.fixture(scope="module")
def push_to(skopeo, server):
    def push(image, repository: str, tag: str) -> str:
        return push_layout(skopeo, server, image, repository, tag)

    return push


@pytest.fixture(scope="module")
def client(server, tmp_path_factory):
    try:
        from kubernetes import config
        from openshift.dynamic import DynamicClient
    except ImportError as e:
        pytest.fail(f"the Python package openshift is not installed (scripts/test installs it): {e}", pytrace=False)
    workdir = tmp_path_factory.mktemp("openshift-client")
    kubeconfig = write_kubeconfig(workdir / "kubeconfig", server.base_url, token=server.token)
    api_client = config.new_client_from_config(config_file=str(kubeconfig), persist_config=False)
    assert api_client.configuration.host == server.base_url
    try:
        return DynamicClient(api_client, cache_file=str(workdir / "discovery.json"))
    except Exception as e:  # the client reads /version, /version/openshift and /apis here
        pytest.fail(
            f"DynamicClient discovery against {server.base_url} failed: {type(e).__name__} "
            f"status={getattr(e, 'status', None)} body={getattr(e, 'body', '')!r:.500}",
            pytrace=False,
        )


@pytest.fixture(scope="module")
def streams(client):
    return client.resources.get(api_version=IMAGE_GROUP_VERSION, kind="ImageStream")


@pytest.fixture(scope="module")
def stream_tags(client):
    return client.resources.get(api_version=IMAGE_GROUP_VERSION, kind="ImageStreamTag")


def errors():
    from kubernetes.dynamic import exceptions

    return exceptions


def as_dict(obj) -> dict:
    """A ResourceInstance/ResourceField as plain JSON data (watch events' raw objects already are)."""
    return obj if isinstance(obj, dict) else obj.to_dict()


def message(error) -> str:
    """The `message` of the Status object a failed request answered."""
    return json.loads(error.body)["message"]


def spec_tag_sources(stream) -> dict[str, str]:
    return {t["name"]: t["from"]["name"] for t in as_dict(stream)["spec"].get("tags") or []}


def status_tag_images(stream) -> dict[str, list[str]]:
    return {t["tag"]: [item["image"] for item in t["items"]] for t in as_dict(stream)["status"].get("tags") or []}


def docker_tag(name: str, pull_spec: str) -> dict:
    return {"name": name, "from": {"kind": "DockerImage", "name": pull_spec}, "reference": True}


# ---------------------------------------------------------------------------------------------
# discovery


def test_discovery(client, streams, stream_tags):
    version = client.version["kubernetes"]
    for key in ("major", "minor", "gitVersion", "platform"):
        assert isinstance(version.get(key), str) and version[key], f"/version lacks {key}: {version}"

    assert streams.group == "image.openshift.io"
    assert streams.api_version == "v1"
    assert streams.name == "imagestreams"
    assert streams.namespaced is True
    assert sorted(streams.verbs) == ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    assert streams.short_names == ["is"]
    assert streams.categories == ["all"]
    assert "status" in streams.subresources

    assert stream_tags.name == "imagestreamtags"
    assert stream_tags.namespaced is True
    assert sorted(stream_tags.verbs) == ["create", "delete", "get", "list", "patch", "update"]
    assert stream_tags.short_names == ["istag"]

    images = client.resources.get(api_version=IMAGE_GROUP_VERSION, kind="Image")
    assert images.name == "images" and images.namespaced is False
    mappings = client.resources.get(api_version=IMAGE_GROUP_VERSION, kind="ImageStreamMapping")
    assert mappings.name == "imagestreammappings" and mappings.verbs == ["create"]


# ---------------------------------------------------------------------------------------------
# ImageStream


def test_imagestream_crud(streams):
    NotFoundError, ConflictError = errors().NotFoundError, errors().ConflictError
    body = {
        "apiVersion": IMAGE_GROUP_VERSION,
        "kind": "ImageStream",
        "metadata": {"name": "crud", "labels": {"app": "crud"}},
        "spec": {"tags": [docker_tag("a", "quay.io/wharf-e2e/crud:a")]},
    }
    created = streams.create(body=body, namespace="pycrud")
    assert created.kind == "ImageStream"
    assert created.apiVersion == IMAGE_GROUP_VERSION
    assert created.metadata.name == "crud"
    assert created.metadata.namespace == "pycrud"
    assert as_dict(created)["metadata"]["labels"] == {"app": "crud"}
    assert created.metadata.uid and created.metadata.resourceVersion
    assert created.metadata.generation == 1
    assert RFC3339_UTC.match(created.metadata.creationTimestamp)
    assert spec_tag_sources(created) == {"a": "quay.io/wharf-e2e/crud:a"}

    fetched = streams.get(name="crud", namespace="pycrud")
    assert fetched.metadata.uid == created.metadata.uid
    assert fetched.metadata.resourceVersion == created.metadata.resourceVersion

    listed = streams.get(namespace="pycrud")
    assert listed.kind == "ImageStreamList"
    assert listed.metadata.resourceVersion
    assert [item.metadata.name for item in listed.items] == ["crud"]
    assert [i.metadata.name for i in streams.get(namespace="pycrud", label_selector="app=crud").items] == ["crud"]
    assert streams.get(namespace="pycrud", label_selector="app=other").items == []
    everywhere = streams.get()
    assert ("pycrud", "crud") in [(i.metadata.namespace, i.metadata.name) for i in everywhere.items]

    # PUT with the current resourceVersion.
    document = fetched.to_dict()
    document["metadata"]["annotations"] = {"wharf.test/owner": "e2e"}
    document["spec"]["tags"].append(docker_tag("b", "quay.io/wharf-e2e/crud:b"))
    replaced = streams.replace(body=document, namespace="pycrud")
    assert replaced.metadata.annotations["wharf.test/owner"] == "e2e"
    assert spec_tag_sources(replaced) == {"a": "quay.io/wharf-e2e/crud:a", "b": "quay.io/wharf-e2e/crud:b"}
    assert replaced.metadata.generation == 2
    assert replaced.metadata.resourceVersion != fetched.metadata.resourceVersion

    # PUT with a stale resourceVersion.
    stale = fetched.to_dict()
    stale["metadata"]["labels"] = {"app": "stale"}
    with pytest.raises(ConflictError) as conflict:
        streams.replace(body=stale, namespace="pycrud")
    assert conflict.value.status == 409
    assert message(conflict.value).startswith('Operation cannot be fulfilled on imagestreams.image.openshift.io "crud": ')

    # PATCH: the client's default is a strategic merge patch, which merges spec.tags by name.
    patched = streams.patch(
        name="crud", namespace="pycrud", body={"spec": {"tags": [docker_tag("c", "quay.io/wharf-e2e/crud:c")]}}
    )
    assert spec_tag_sources(patched) == {
        "a": "quay.io/wharf-e2e/crud:a",
        "b": "quay.io/wharf-e2e/crud:b",
        "c": "quay.io/wharf-e2e/crud:c",
    }
    assert patched.metadata.generation == 3
    patched = streams.patch(name="crud", namespace="pycrud", body={"spec": {"tags": [{"name": "a", "$patch": "delete"}]}})
    assert spec_tag_sources(patched) == {"b": "quay.io/wharf-e2e/crud:b", "c": "quay.io/wharf-e2e/crud:c"}
    assert patched.metadata.generation == 4
    assert streams.get(name="crud", namespace="pycrud").metadata.resourceVersion == patched.metadata.resourceVersion

    merged = streams.patch(
        name="crud",
        namespace="pycrud",
        body={"metadata": {"labels": {"app": None, "team": "py"}}},
        content_type="application/merge-patch+json",
    )
    assert as_dict(merged)["metadata"]["labels"] == {"team": "py"}
    assert merged.metadata.generation == 4, "a label change is not a spec change"

    status = streams.delete(name="crud", namespace="pycrud")
    assert status.kind == "Status"
    assert status.status == "Success"
    assert status.details.name == "crud"
    assert status.details.kind == "imagestreams"
    with pytest.raises(NotFoundError) as missing:
        streams.get(name="crud", namespace="pycrud")
    assert missing.value.status == 404
    assert message(missing.value) == 'imagestreams.image.openshift.io "crud" not found'


def test_imagestream_create_twice(streams):
    ConflictError = errors().ConflictError
    body = {"apiVersion": IMAGE_GROUP_VERSION, "kind": "ImageStream", "metadata": {"name": "twice"}}
    streams.create(body=body, namespace="pycrud")
    with pytest.raises(ConflictError) as conflict:
        streams.create(body=body, namespace="pycrud")
    assert conflict.value.status == 409
    assert message(conflict.value) == 'imagestreams.image.openshift.io "twice" already exists'


# ---------------------------------------------------------------------------------------------
# ImageStreamTag


def test_imagestreamtag_crud(server, streams, stream_tags, push_to):
    NotFoundError = errors().NotFoundError
    image = build_image(seed=130)
    push_to(image, "pytag/app", "latest")
    reference = f"{server.registry}/pytag/app@{image.digest}"

    pushed = stream_tags.get(name="app:latest", namespace="pytag")
    assert pushed.kind == "ImageStreamTag"
    assert pushed.apiVersion == IMAGE_GROUP_VERSION
    assert pushed.metadata.name == "app:latest"
    assert pushed.metadata.namespace == "pytag"
    assert pushed.tag is None, "a pushed tag has no spec tag"
    assert pushed.image.metadata.name == image.digest
    assert pushed.image.dockerImageReference == reference
    stream = streams.get(name="app", namespace="pytag")
    assert pushed.metadata.uid == stream.metadata.uid
    assert pushed.metadata.resourceVersion == stream.metadata.resourceVersion

    listed = stream_tags.get(namespace="pytag")
    assert listed.kind == "ImageStreamTagList"
    assert [item.metadata.name for item in listed.items] == ["app:latest"]

    # CREATE: a spec tag pinned to the pushed image, resolved at once.
    created = stream_tags.create(
        namespace="pytag",
        body={
            "apiVersion": IMAGE_GROUP_VERSION,
            "kind": "ImageStreamTag",
            "metadata": {"name": "app:pinned"},
            "tag": {"name": "pinned", "from": {"kind": "ImageStreamImage", "name": f"app@{image.digest}"}},
        },
    )
    assert created.metadata.name == "app:pinned"
    pinned = stream_tags.get(name="app:pinned", namespace="pytag")
    assert pinned.tag.name == "pinned"
    assert as_dict(pinned)["tag"]["from"] == {"kind": "ImageStreamImage", "name": f"app@{image.digest}"}
    assert pinned.image.metadata.name == image.digest
    assert sorted(item.metadata.name for item in stream_tags.get(namespace="pytag").items) == ["app:latest", "app:pinned"]

    # PUT: only the annotations (which become the spec tag's) may change.
    document = pinned.to_dict()
    annotations = {"wharf.test/note": "replaced"}
    document["metadata"]["annotations"] = annotations
    document["tag"]["annotations"] = annotations
    replaced = stream_tags.replace(body=document, namespace="pytag")
    assert as_dict(replaced)["metadata"]["annotations"] == annotations
    spec = {t["name"]: t for t in as_dict(streams.get(name="app", namespace="pytag"))["spec"]["tags"]}
    assert spec["pinned"]["annotations"] == annotations

    # PATCH (strategic, the client's default).
    patched = stream_tags.patch(
        name="app:pinned", namespace="pytag", body={"metadata": {"annotations": {"wharf.test/patched": "yes"}}}
    )
    assert as_dict(patched)["metadata"]["annotations"] == {"wharf.test/note": "replaced", "wharf.test/patched": "yes"}
    assert patched.image.metadata.name == image.digest

    # DELETE removes the spec tag and the status tag; the other tag stays.
    status = stream_tags.delete(name="app:pinned", namespace="pytag")
    assert status.kind == "Status"
    assert status.status == "Success"
    with pytest.raises(NotFoundError) as missing:
        stream_tags.get(name="app:pinned", namespace="pytag")
    assert message(missing.value) == 'imagestreamtags.image.openshift.io "app:pinned" not found'
    stream = streams.get(name="app", namespace="pytag")
    assert spec_tag_sources(stream) == {}
    assert status_tag_images(stream) == {"latest": [image.digest]}


# ---------------------------------------------------------------------------------------------
# watch


def test_watch_sees_a_push(server, streams, push_to):
    from kubernetes import watch

    push_to(build_image(seed=131), "pywatch/base", "latest")
    image = build_image(seed=132)

    watcher = watch.Watch()
    events: list[tuple[str, dict]] = []
    failures: list[BaseException] = []
    stopping = threading.Event()

    def run():
        try:
            for event in streams.watch(namespace="pywatch", timeout=WATCH_SECONDS, watcher=watcher):
                events.append((event["type"], event["raw_object"]))
        except BaseException as e:  # reported by the test thread
            if not stopping.is_set():  # Watch.stop() closes the response under the reader
                failures.append(e)

    thread = threading.Thread(target=run, name="imagestream-watch", daemon=True)
    thread.start()

    def names(kind=None):
        return [(t, o["metadata"]["name"]) for t, o in events if kind is None or t == kind]

    try:
        # Without a resourceVersion, a watch starts with an ADDED event for every existing stream.
        if not wait_for(lambda: events or failures, 30):
            pytest.fail("the watch delivered nothing within 30 s (expected ADDED for pywatch/base)", pytrace=False)
        assert not failures, failures
        assert events[0][0] == "ADDED" and events[0][1]["metadata"]["name"] == "base", names()

        push_to(image, "pywatch/app", "latest")

        def pushed():
            return [
                (t, o) for t, o in events
                if o["metadata"]["name"] == "app" and status_tag_images(o).get("latest", [None])[0] == image.digest
            ]

        if not wait_for(lambda: pushed() or failures, 30):
            pytest.fail(f"the watch did not show pywatch/app:latest within 30 s; events: {names()} {failures}", pytrace=False)
    finally:
        stopping.set()
        watcher.stop()
    assert not failures, failures

    app_events = [(t, o) for t, o in events if o["metadata"]["name"] == "app"]
    assert app_events[0][0] == "ADDED", "the push created the stream"
    kind, obj = pushed()[0]
    assert obj["kind"] == "ImageStream"
    assert obj["metadata"]["namespace"] == "pywatch"
    assert obj["status"]["dockerImageRepository"] == f"{server.registry}/pywatch/app"
