"""The real `kubectl` against wharfd's image API (image.openshift.io/v1).

kubectl needs the Kubernetes machinery around the resources: discovery (/api, /apis,
/apis/image.openshift.io/v1), OpenAPI v3 for `create`/`apply` with the default strict validation,
server-side tables for `get`, PATCH (merge and strategic), DELETE, and watch (with Table events for
`get -w`). These tests run against their own wharfd, so `get -A` sees only what they pushed, and the
seed mapping may tag test/origin-ruby-sample. Validation is never turned off.

kubectl reads a kubeconfig written into a temporary directory, and HOME and --cache-dir point there too:
nothing reads or writes ~/.kube.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from conftest import IMAGE_API, push_layout
from images import build_image
from kube import AGE_AGO, parse_table, split_row, wait_for, write_kubeconfig

KUBECTL_TIMEOUT = 120.0
WATCH_TIMEOUT = 60.0

SEED_DIGEST = "sha256:47463d94eb5c049b2d23b03a9530bf944f8f967a0fe79147dd6b9135bf7dd13d"
SEED_REFERENCE = f"172.30.56.218:5000/test/origin-ruby-sample@{SEED_DIGEST}"


class Kubectl:
    """Runs kubectl with a private kubeconfig, HOME and discovery cache."""

    def __init__(self, binary: str, workdir: Path, server_url: str, token: str):
        self.binary = binary
        self.workdir = workdir
        self.home = workdir / "home"
        self.home.mkdir(parents=True, exist_ok=True)
        self.cache_dir = workdir / "cache"
        self.kubeconfig = write_kubeconfig(workdir / "kubeconfig", server_url, token=token)
        self._files = 0

    def command(self, *args: str) -> list[str]:
        return [self.binary, "--cache-dir", str(self.cache_dir), *args]

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("KUBECTL_")}
        env.update(KUBECONFIG=str(self.kubeconfig), HOME=str(self.home))
        return env

    def run(self, *args: str, timeout: float = KUBECTL_TIMEOUT) -> subprocess.CompletedProcess:
        command = self.command(*args)
        try:
            return subprocess.run(
                command, capture_output=True, text=True, env=self.env(), timeout=timeout, stdin=subprocess.DEVNULL
            )
        except subprocess.TimeoutExpired as e:
            pytest.fail(f"{' '.join(command)}\ntimed out after {timeout:.0f} s\n--- stderr ---\n{e.stderr}", pytrace=False)

    def ok(self, *args: str) -> str:
        """Run kubectl, fail the test unless it exits 0, return stdout."""
        result = self.run(*args)
        if result.returncode != 0:
            pytest.fail(
                f"kubectl {' '.join(args)}\nexited with status {result.returncode}\n"
                f"--- stderr ---\n{result.stderr}\n--- stdout ---\n{result.stdout}",
                pytrace=False,
            )
        return result.stdout

    def fails(self, *args: str) -> subprocess.CompletedProcess:
        """Run kubectl, fail the test if it exits 0."""
        result = self.run(*args)
        if result.returncode == 0:
            pytest.fail(f"kubectl {' '.join(args)}\nshould have failed but printed:\n{result.stdout}", pytrace=False)
        return result

    def write(self, document: dict | str) -> Path:
        """A manifest file for -f (YAML)."""
        self._files += 1
        path = self.workdir / f"manifest-{self._files}.yaml"
        path.write_text(document if isinstance(document, str) else yaml.safe_dump(document, sort_keys=False))
        return path


@pytest.fixture(scope="module")
def server(start_wharf):
    return start_wharf("wharfd-kubectl", tls=True)


@pytest.fixture(scope="module")
def kubectl(server, tmp_path_factory) -> Kubectl:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail("kubectl is not installed (scripts/test installs it)", pytrace=False)
    return Kubectl(binary, tmp_path_factory.mktemp("kubectl"), server.base_url, server.token)


@pytest.fixture(scope="module")
def push_to(skopeo, server):
    """push_to(image, repository, tag) with skopeo, on this module's server."""

    def push(image, repository: str, tag: str) -> str:
        return push_layout(skopeo, server, image, repository, tag)

    return push


@pytest.fixture(scope="module")
def viewed(push_to):
    """kview/app:latest, pushed once; only read by the tests that use it."""
    image = build_image(seed=101)
    push_to(image, "kview/app", "latest")
    return image


def stream_json(server, namespace: str, name: str) -> dict:
    r = server.get(f"{IMAGE_API}/namespaces/{namespace}/imagestreams/{name}")
    assert r.status_code == 200, f"GET imagestream {namespace}/{name}: {r.status_code} {r.text}"
    return r.json()


def spec_tags(stream: dict) -> dict[str, dict]:
    return {t["name"]: t for t in stream["spec"].get("tags") or []}


def status_tags(stream: dict) -> dict[str, list]:
    return {t["tag"]: t["items"] for t in stream["status"].get("tags") or []}


def image_stream(namespace: str, name: str, tags: dict[str, str] | None = None, **metadata) -> dict:
    """An ImageStream manifest; `tags` maps spec tag names to reference-only DockerImage pull specs."""
    document = {
        "apiVersion": "image.openshift.io/v1",
        "kind": "ImageStream",
        "metadata": {"name": name, "namespace": namespace, **metadata},
    }
    if tags:
        document["spec"] = {
            "tags": [
                {"name": tag, "from": {"kind": "DockerImage", "name": pull_spec}, "reference": True}
                for tag, pull_spec in tags.items()
            ]
        }
    return document


def the_row(rows: list[dict], **cells) -> dict:
    matches = [row for row in rows if all(row.get(k) == v for k, v in cells.items())]
    assert len(matches) == 1, f"expected one row with {cells}, got {rows}"
    return matches[0]


# ---------------------------------------------------------------------------------------------
# get / describe


def test_get_imagestreams_all_namespaces(kubectl, server, push_to):
    image = build_image(seed=100)
    push_to(image, "kget-a/app", "v1")
    time.sleep(1.1)  # creation times have second precision: make `latest` strictly newer than `v1`
    push_to(image, "kget-a/app", "latest")
    push_to(image, "kget-b/other", "latest")

    names, rows = parse_table(kubectl.ok("get", "is", "-A"))
    assert names == ["NAMESPACE", "NAME", "IMAGE REPOSITORY", "TAGS", "UPDATED"]
    app = the_row(rows, NAMESPACE="kget-a", NAME="app")
    assert app["IMAGE REPOSITORY"] == f"{server.registry}/kget-a/app"
    assert app["TAGS"] == "latest,v1", "tags are ordered newest first"
    assert AGE_AGO.match(app["UPDATED"]), app
    other = the_row(rows, NAMESPACE="kget-b", NAME="other")
    assert other["IMAGE REPOSITORY"] == f"{server.registry}/kget-b/other"
    assert other["TAGS"] == "latest"
    assert AGE_AGO.match(other["UPDATED"]), other
    assert rows.index(app) < rows.index(other), "items are listed in (namespace, name) order"

    names, rows = parse_table(kubectl.ok("get", "is", "-n", "kget-a"))
    assert names == ["NAME", "IMAGE REPOSITORY", "TAGS", "UPDATED"]
    assert [row["NAME"] for row in rows] == ["app"]


def test_get_imagestream_yaml(kubectl, server, viewed):
    document = yaml.safe_load(kubectl.ok("get", "is/app", "-n", "kview", "-o", "yaml"))
    assert document["apiVersion"] == "image.openshift.io/v1"
    assert document["kind"] == "ImageStream"
    assert document["metadata"]["name"] == "app"
    assert document["metadata"]["namespace"] == "kview"
    assert document["spec"] == {"lookupPolicy": {"local": False}}
    assert document["status"]["dockerImageRepository"] == f"{server.registry}/kview/app"
    [(tag, items)] = status_tags(document).items()
    assert tag == "latest"
    assert [item["image"] for item in items] == [viewed.digest]
    assert items[0]["dockerImageReference"] == f"{server.registry}/kview/app@{viewed.digest}"
    # kubectl prints the object exactly as the API serves it.
    assert document == stream_json(server, "kview", "app")


def test_get_imagestreamtags(kubectl, server, viewed):
    reference = f"{server.registry}/kview/app@{viewed.digest}"

    names, rows = parse_table(kubectl.ok("get", "istag", "-n", "kview"))
    assert names == ["NAME", "IMAGE REFERENCE", "UPDATED"]
    assert len(rows) == 1, rows
    assert rows[0]["NAME"] == "app:latest"
    assert rows[0]["IMAGE REFERENCE"] == reference
    assert AGE_AGO.match(rows[0]["UPDATED"]), rows[0]

    names, rows = parse_table(kubectl.ok("get", "istag", "-n", "kview", "-o", "wide"))
    assert names == ["NAME", "IMAGE REFERENCE", "UPDATED", "IMAGE NAME"]
    assert [(r["NAME"], r["IMAGE REFERENCE"], r["IMAGE NAME"]) for r in rows] == [("app:latest", reference, viewed.digest)]

    tag = json.loads(kubectl.ok("get", "istag/app:latest", "-n", "kview", "-o", "json"))
    assert tag["kind"] == "ImageStreamTag"
    assert tag["metadata"]["name"] == "app:latest"
    assert tag["image"]["metadata"]["name"] == viewed.digest
    assert tag["image"]["dockerImageReference"] == reference


def test_describe_imagestream(kubectl, server, viewed):
    out = kubectl.ok("describe", "is/app", "-n", "kview")
    repository = f"{server.registry}/kview/app"
    # kubectl has no describer for this kind: it prints the object's fields generically.
    for pattern in [
        r"^Name:\s+app$",
        r"^Namespace:\s+kview$",
        r"^API Version:\s+image\.openshift\.io/v1$",
        r"^Kind:\s+ImageStream$",
        rf"^\s+Docker Image Repository:\s+{re.escape(repository)}$",
        rf"^\s+Docker Image Reference:\s+{re.escape(repository)}@{viewed.digest}$",
        rf"^\s+Image:\s+{viewed.digest}$",
        r"^\s+Tag:\s+latest$",
    ]:
        assert re.search(pattern, out, re.MULTILINE), f"{pattern!r} not in describe output:\n{out}"


# ---------------------------------------------------------------------------------------------
# create / apply


def test_create_imagestream(kubectl, server):
    manifest = kubectl.write(
        image_stream("kcreate", "created", {"stable": "quay.io/wharf-e2e/created:1.0"}, labels={"app": "created"})
    )
    out = kubectl.ok("create", "-f", str(manifest))
    assert out.strip() == "imagestream.image.openshift.io/created created"

    stream = stream_json(server, "kcreate", "created")
    assert stream["metadata"]["labels"] == {"app": "created"}
    assert stream["metadata"]["generation"] == 1
    assert stream["status"]["dockerImageRepository"] == f"{server.registry}/kcreate/created"
    tags = spec_tags(stream)
    assert list(tags) == ["stable"]
    assert tags["stable"]["from"] == {"kind": "DockerImage", "name": "quay.io/wharf-e2e/created:1.0"}
    assert tags["stable"]["reference"] is True

    again = kubectl.fails("create", "-f", str(manifest))
    assert (
        f'Error from server (AlreadyExists): error when creating "{manifest}": '
        'imagestreams.image.openshift.io "created" already exists'
    ) in again.stderr


def test_dry_run_server_stores_nothing(kubectl, server):
    """kubectl's --dry-run=server validates and answers, and neither a create nor a delete happens."""
    manifest = kubectl.write(image_stream("kdry", "dry", {"v1": "quay.io/wharf-e2e/dry:1"}))
    out = kubectl.ok("create", "--dry-run=server", "-f", str(manifest))
    assert out.strip() == "imagestream.image.openshift.io/dry created (server dry run)"
    r = server.get(f"{IMAGE_API}/namespaces/kdry/imagestreams/dry")
    assert r.status_code == 404, r.text

    kubectl.ok("create", "-f", str(manifest))
    before = stream_json(server, "kdry", "dry")
    out = kubectl.ok("delete", "imagestream", "dry", "-n", "kdry", "--dry-run=server")
    assert out.strip() == 'imagestream.image.openshift.io "dry" deleted (server dry run)'
    out = kubectl.ok("label", "imagestream", "dry", "-n", "kdry", "team=a", "--dry-run=server")
    assert "(server dry run)" in out
    assert stream_json(server, "kdry", "dry") == before


def test_namespace_writes_are_refused(kubectl, server):
    """Namespaces exist while they hold streams: kubectl gets a clear 405, never a fake success or a hang."""
    created = kubectl.fails("create", "namespace", "kns-new")
    assert "MethodNotAllowed" in created.stderr or "not allowed" in created.stderr, created.stderr
    kubectl.ok("create", "-f", str(kubectl.write(image_stream("kns", "app", {}))))
    deleted = kubectl.fails("delete", "namespace", "kns", "--timeout=20s")
    assert "MethodNotAllowed" in deleted.stderr or "not allowed" in deleted.stderr, deleted.stderr
    assert kubectl.ok("get", "ns", "kns", "-o", "name").strip() == "namespace/kns"


def test_create_seed_mapping(kubectl, server, seed_mapping_path):
    """The seed document exactly as shipped: `apiVersion: v1`, kind ImageStreamMapping, namespace test.

    kubectl resolves `v1` in the core group, so the server must serve ImageStreamMapping there as well
    (discovery of /api/v1 and OpenAPI v3 `api/v1`), as OpenShift's legacy API did.
    """
    out = kubectl.ok("create", "-f", str(kubectl.write(image_stream("test", "origin-ruby-sample"))))
    assert out.strip() == "imagestream.image.openshift.io/origin-ruby-sample created"

    out = kubectl.ok("create", "-f", str(seed_mapping_path))
    assert out.strip().endswith(" created"), out

    tag = json.loads(kubectl.ok("get", "istag/origin-ruby-sample:latest", "-n", "test", "-o", "json"))
    assert tag["image"]["metadata"]["name"] == SEED_DIGEST
    assert tag["image"]["dockerImageReference"] == SEED_REFERENCE
    assert tag["image"]["dockerImageMetadata"]["Config"]["Labels"]["build-date"] == "2015-12-23"
    assert tag["image"]["dockerImageMetadata"]["Size"] == 441976279
    [(name, items)] = status_tags(stream_json(server, "test", "origin-ruby-sample")).items()
    assert name == "latest"
    assert [item["image"] for item in items] == [SEED_DIGEST]


def test_create_seed_mapping_with_group_version(kubectl, server, seed_mapping_path):
    """The seed document with its apiVersion spelled as the group version, into another stream."""
    text = seed_mapping_path.read_text()
    assert text.count("\napiVersion: v1\n") == 1 and text.count("  name: origin-ruby-sample\n") == 1
    text = text.replace("\napiVersion: v1\n", "\napiVersion: image.openshift.io/v1\n")
    text = text.replace("  name: origin-ruby-sample\n", "  name: origin-ruby-sample-gv\n")

    kubectl.ok("create", "-f", str(kubectl.write(image_stream("test", "origin-ruby-sample-gv"))))
    out = kubectl.ok("create", "-f", str(kubectl.write(text)))
    assert out.strip().endswith(" created"), out

    r = server.get(f"{IMAGE_API}/namespaces/test/imagestreamtags/origin-ruby-sample-gv:latest")
    assert r.status_code == 200, r.text
    assert r.json()["image"]["metadata"]["name"] == SEED_DIGEST


def test_apply_twice_changes_a_spec_tag(kubectl, server):
    first = image_stream(
        "kapply", "applied", {"dev": "quay.io/wharf-e2e/applied:dev", "stable": "quay.io/wharf-e2e/applied:1.0"}
    )
    out = kubectl.ok("apply", "-f", str(kubectl.write(first)))
    assert out.strip() == "imagestream.image.openshift.io/applied created"
    stream = stream_json(server, "kapply", "applied")
    assert stream["metadata"]["generation"] == 1
    assert {name: t["from"]["name"] for name, t in spec_tags(stream).items()} == {
        "dev": "quay.io/wharf-e2e/applied:dev",
        "stable": "quay.io/wharf-e2e/applied:1.0",
    }
    applied = json.loads(stream["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert applied["metadata"]["name"] == "applied"

    second = image_stream(
        "kapply", "applied", {"dev": "quay.io/wharf-e2e/applied:dev", "stable": "quay.io/wharf-e2e/applied:1.1"}
    )
    out = kubectl.ok("apply", "-f", str(kubectl.write(second)))
    assert out.strip() == "imagestream.image.openshift.io/applied configured"
    stream = stream_json(server, "kapply", "applied")
    assert stream["metadata"]["generation"] == 2
    assert {name: t["from"]["name"] for name, t in spec_tags(stream).items()} == {
        "dev": "quay.io/wharf-e2e/applied:dev",
        "stable": "quay.io/wharf-e2e/applied:1.1",
    }
    applied = json.loads(stream["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"])
    assert [t["from"]["name"] for t in applied["spec"]["tags"] if t["name"] == "stable"] == ["quay.io/wharf-e2e/applied:1.1"]


def test_apply_of_the_same_file_is_unchanged(kubectl, server):
    """With spec.tags merged by name (OpenAPI v3 schema with x-kubernetes-patch-merge-key and a PATCH
    operation accepting strategic merge), re-applying a file whose tags the server defaulted sends nothing."""
    manifest = kubectl.write(image_stream("kapply", "steady", {"stable": "quay.io/wharf-e2e/steady:1.0"}))
    assert kubectl.ok("apply", "-f", str(manifest)).strip() == "imagestream.image.openshift.io/steady created"
    before = stream_json(server, "kapply", "steady")
    assert kubectl.ok("apply", "-f", str(manifest)).strip() == "imagestream.image.openshift.io/steady unchanged"
    assert stream_json(server, "kapply", "steady")["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]


# ---------------------------------------------------------------------------------------------
# patch


def test_patch_merge(kubectl, server, push_to):
    image = build_image(seed=103)
    push_to(image, "kpatch/merged", "latest")

    patch = {
        "metadata": {"labels": {"team": "blue"}},
        "spec": {
            "lookupPolicy": {"local": True},
            "tags": [{"name": "a", "from": {"kind": "DockerImage", "name": "quay.io/wharf-e2e/merged:a"}, "reference": True}],
        },
    }
    out = kubectl.ok("patch", "is", "merged", "-n", "kpatch", "--type", "merge", "-p", json.dumps(patch))
    assert out.strip() == "imagestream.image.openshift.io/merged patched"
    stream = stream_json(server, "kpatch", "merged")
    assert stream["metadata"]["labels"] == {"team": "blue"}
    assert stream["metadata"]["generation"] == 2
    assert stream["spec"]["lookupPolicy"] == {"local": True}
    assert list(spec_tags(stream)) == ["a"]
    assert [item["image"] for item in status_tags(stream)["latest"]] == [image.digest], "the push's status survives"

    # A JSON merge patch replaces a list wholesale.
    patch = {"spec": {"tags": [{"name": "b", "from": {"kind": "DockerImage", "name": "quay.io/wharf-e2e/merged:b"}, "reference": True}]}}
    kubectl.ok("patch", "is", "merged", "-n", "kpatch", "--type", "merge", "-p", json.dumps(patch))
    assert list(spec_tags(stream_json(server, "kpatch", "merged"))) == ["b"]


def test_patch_strategic(kubectl, server):
    kubectl.ok("create", "-f", str(kubectl.write(image_stream("kpatch", "strategic", {"a": "quay.io/wharf-e2e/strategic:a"}))))

    # The default patch type is strategic: spec.tags merge by name.
    patch = {"spec": {"tags": [{"name": "b", "from": {"kind": "DockerImage", "name": "quay.io/wharf-e2e/strategic:b"}, "reference": True}]}}
    out = kubectl.ok("patch", "is", "strategic", "-n", "kpatch", "-p", json.dumps(patch))
    assert out.strip() == "imagestream.image.openshift.io/strategic patched"
    stream = stream_json(server, "kpatch", "strategic")
    assert {name: t["from"]["name"] for name, t in spec_tags(stream).items()} == {
        "a": "quay.io/wharf-e2e/strategic:a",
        "b": "quay.io/wharf-e2e/strategic:b",
    }
    assert stream["metadata"]["generation"] == 2

    out = kubectl.ok("patch", "is", "strategic", "-n", "kpatch", "-p", json.dumps({"spec": {"tags": [{"name": "a", "$patch": "delete"}]}}))
    assert out.strip() == "imagestream.image.openshift.io/strategic patched"
    stream = stream_json(server, "kpatch", "strategic")
    assert list(spec_tags(stream)) == ["b"]
    assert stream["metadata"]["generation"] == 3

    labels = json.dumps({"metadata": {"labels": {"team": "green"}}})
    out = kubectl.ok("patch", "is", "strategic", "-n", "kpatch", "-p", labels)
    assert out.strip() == "imagestream.image.openshift.io/strategic patched"
    stream = stream_json(server, "kpatch", "strategic")
    assert stream["metadata"]["labels"] == {"team": "green"}
    assert stream["metadata"]["generation"] == 3, "a label change is not a spec change"

    # The same patch again changes nothing: the server answers the object as it was.
    out = kubectl.ok("patch", "is", "strategic", "-n", "kpatch", "-p", labels)
    assert out.strip() == "imagestream.image.openshift.io/strategic patched (no change)"
    assert stream_json(server, "kpatch", "strategic")["metadata"]["resourceVersion"] == stream["metadata"]["resourceVersion"]


# ---------------------------------------------------------------------------------------------
# delete


def test_delete_imagestreamtag(kubectl, server, push_to):
    image = build_image(seed=104)
    push_to(image, "kdelete/app", "latest")
    push_to(image, "kdelete/app", "v1")

    out = kubectl.ok("delete", "istag/app:latest", "-n", "kdelete")
    assert out.strip() == 'imagestreamtag.image.openshift.io "app:latest" deleted'

    r = server.get(f"{IMAGE_API}/namespaces/kdelete/imagestreamtags/app:latest")
    assert r.status_code == 404, r.text
    assert r.json()["message"] == 'imagestreamtags.image.openshift.io "app:latest" not found'
    assert list(status_tags(stream_json(server, "kdelete", "app"))) == ["v1"]

    missing = kubectl.fails("get", "istag/app:latest", "-n", "kdelete")
    assert 'Error from server (NotFound): imagestreamtags.image.openshift.io "app:latest" not found' in missing.stderr
    names, rows = parse_table(kubectl.ok("get", "istag", "-n", "kdelete"))
    assert [row["NAME"] for row in rows] == ["app:v1"]


# ---------------------------------------------------------------------------------------------
# watch


def test_get_watch_sees_a_push(kubectl, server, push_to):
    base = build_image(seed=105)
    push_to(base, "kwatch/base", "latest")
    fresh = build_image(seed=106)

    out_path, err_path = kubectl.workdir / "watch.out", kubectl.workdir / "watch.err"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        proc = subprocess.Popen(
            kubectl.command("get", "is", "-n", "kwatch", "-w", f"--request-timeout={WATCH_TIMEOUT:.0f}s"),
            stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=kubectl.env(),
        )

    def lines() -> list[str]:
        return [line for line in out_path.read_text().splitlines() if line.strip()]

    def report() -> str:
        return f"--- kubectl stdout ---\n{out_path.read_text()}\n--- kubectl stderr ---\n{err_path.read_text()}"

    repository = f"{server.registry}/kwatch"

    def seen_pushes() -> bool:
        rows = [split_row(line) for line in lines()[2:]]
        fresh_seen = any(row[:3] == ["fresh", f"{repository}/fresh", "latest"] for row in rows)
        base_seen = any(row[:2] == ["base", f"{repository}/base"] and "v2" in row[2].split(",") for row in rows if len(row) >= 3)
        return fresh_seen and base_seen

    try:
        # The list comes first; the watch starts from the list's resourceVersion, so nothing pushed after
        # this point may be missed even if the watch request is still on its way.
        if not wait_for(lambda: len(lines()) >= 2, 30):
            pytest.fail(f"kubectl get -w printed no table within 30 s\n{report()}", pytrace=False)
        push_to(fresh, "kwatch/fresh", "latest")
        push_to(base, "kwatch/base", "v2")
        if not wait_for(seen_pushes, 30):
            pytest.fail(f"kubectl get -w did not print rows for both pushes within 30 s\n{report()}", pytrace=False)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)

    printed = lines()
    names, rows = parse_table("\n".join(printed[:2]))
    assert names == ["NAME", "IMAGE REPOSITORY", "TAGS", "UPDATED"], report()
    assert rows[0]["NAME"] == "base" and rows[0]["IMAGE REPOSITORY"] == f"{repository}/base" and rows[0]["TAGS"] == "latest"
    # Watch events must be Tables too: kubectl prints one header only, and every later row has all columns.
    assert [line for line in printed if line.startswith("NAME ")] == [printed[0]], report()
    for line in printed[2:]:
        row = split_row(line)
        assert len(row) == 4 and row[0] in ("base", "fresh") and AGE_AGO.match(row[3]), f"{line!r}\n{report()}"
    fresh_rows = [split_row(line) for line in printed[2:] if split_row(line)[0] == "fresh"]
    assert fresh_rows[0][:3] == ["fresh", f"{repository}/fresh", "latest"]
    base_rows = [split_row(line) for line in printed[2:] if split_row(line)[0] == "base"]
    assert sorted(base_rows[-1][2].split(",")) == ["latest", "v2"]
