"""The `wharf` CLI against a real wharfd: tokens created, used by skopeo and revoked; `wharf tag` across streams."""

from __future__ import annotations

import os
import subprocess

import pytest

from conftest import add_registry_login, push_layout
from images import build_image, write_image_layout


@pytest.fixture(scope="module")
def cli() -> str:
    binary = os.environ.get("WHARF_CLI")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail("WHARF_CLI is not set to the wharf binary (scripts/test sets it)", pytrace=False)
    return binary


@pytest.fixture(scope="module")
def server(start_wharf):
    return start_wharf("wharfd-cli")


def wharf(cli: str, server, *args: str, token: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("WHARF_")}
    env.update(WHARF_SERVER=server.base_url, WHARF_TOKEN=token or server.token)
    result = subprocess.run([cli, *args], capture_output=True, text=True, env=env, timeout=60, stdin=subprocess.DEVNULL)
    if check and result.returncode != 0:
        pytest.fail(f"wharf {' '.join(args)} exited {result.returncode}\n{result.stderr}", pytrace=False)
    return result


def test_version_prints_the_release_and_the_commit(cli):
    from test_server import check_version_line

    result = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    check_version_line(result.stdout)


def test_token_create_use_and_revoke(cli, server, skopeo, tmp_path):
    secret = wharf(cli, server, "token", "create", "ci-bot", "--expires-in-hours", "1").stdout.strip()
    assert secret.startswith("wharf_")
    listed = wharf(cli, server, "token", "list").stdout
    assert "ci-bot" in listed and secret not in listed
    image = build_image(41)
    layout = tmp_path / "layout"
    write_image_layout(layout, image)
    add_registry_login(server.registry, "ci", secret)
    skopeo.copy(f"oci:{layout}:latest", f"docker://{server.registry}/cli/app:latest")
    assert server.get("/v2/cli/app/manifests/latest", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    assert "deleted" in wharf(cli, server, "token", "delete", "ci-bot").stdout
    refused = server.get("/v2/cli/app/manifests/latest", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status_code == 401
    failed = wharf(cli, server, "token", "list", token=secret, check=False)
    assert failed.returncode != 0 and "401" in failed.stderr
    add_registry_login(server.registry, "admin", server.token)


def test_tag_pins_an_image_into_another_stream(cli, server, skopeo):
    image = build_image(42)
    push_layout(skopeo, server, image, "cli/source", "v1")
    out = wharf(cli, server, "tag", "cli/source:v1", "cli/release:stable").stdout
    assert "Tag cli/release:stable set to cli/source:v1." in out
    tag = server.get("/apis/image.openshift.io/v1/namespaces/cli/imagestreamtags/release:stable").json()
    assert tag["tag"]["from"] == {"kind": "ImageStreamImage", "namespace": "cli", "name": f"source@{image.digest}"}
    assert tag["image"]["metadata"]["name"] == image.digest
    pulled = server.get("/v2/cli/release/manifests/stable", headers={"Accept": "application/vnd.oci.image.manifest.v1+json"})
    assert pulled.status_code == 200 and pulled.content == image.manifest
    listed = wharf(cli, server, "get", "is", "-n", "cli").stdout
    assert "release" in listed and "stable" in listed
