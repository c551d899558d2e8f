"""Security acceptance tests (issue 4): logins, anonymous access, RBAC driven by kubectl, revocation, TLS, audit.

Each test runs against its own wharfd, since users, tokens and bindings are server state. skopeo gets a private
--authfile per identity, so only the credentials a test means to use are sent; pushes that need no particular
identity use the admin login that conftest records in REGISTRY_AUTH_FILE.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import bcrypt
import pytest
import requests

from conftest import SKOPEO_TIMEOUT, WharfServer, push_layout
from images import OCI_MANIFEST, Layout, build_image, write_image_layout
from kube import wait_for
from test_kubectl import Kubectl

TOKENS_API = "/apis/wharf.dev/v1/tokens"
RBAC_API = "/apis/rbac.authorization.k8s.io/v1"


# ---------------------------------------------------------------------------------------------
# Helpers


def run_skopeo(*args: str) -> subprocess.CompletedProcess:
    """Runs skopeo without failing the test on a non-zero exit (for steps that must be refused)."""
    return subprocess.run(["skopeo", "--insecure-policy", *args], capture_output=True, text=True,
                          timeout=SKOPEO_TIMEOUT, stdin=subprocess.DEVNULL)


def empty_authfile(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"auths": {}}')
    return path


def skopeo_login(server: WharfServer, username: str, password: str, authfile: Path) -> subprocess.CompletedProcess:
    return run_skopeo("login", "--tls-verify=false", "--authfile", str(authfile), "-u", username, "-p", password,
                      server.registry)


def logged_in(server: WharfServer, username: str, password: str, authfile: Path) -> Path:
    """skopeo login into a fresh authfile; fails the test unless the login succeeds."""
    result = skopeo_login(server, username, password, empty_authfile(authfile))
    assert result.returncode == 0, f"skopeo login -u {username} failed:\n{result.stderr}\n{result.stdout}"
    assert "Login Succeeded" in result.stdout
    assert server.registry in json.loads(authfile.read_text())["auths"], "skopeo login recorded no credentials"
    return authfile


def pull_and_check(skopeo, server: WharfServer, repository: str, tag: str, image, authfile: Path, workdir: Path) -> None:
    """Pull with `authfile` into an OCI layout and check it is `image`, byte for byte."""
    destination = Path(tempfile.mkdtemp(prefix="pulled-", dir=workdir))
    skopeo.copy(f"docker://{server.registry}/{repository}:{tag}", f"oci:{destination}:latest",
                "--src-authfile", str(authfile))
    pulled = Layout(destination)
    assert pulled.descriptor("latest")["digest"] == image.digest
    assert pulled.top("latest") == image.manifest
    for blob in image.blobs():
        assert pulled.blob(blob.digest) == blob.data


def layout_of(image, workdir: Path) -> str:
    layout = Path(tempfile.mkdtemp(prefix="layout-", dir=workdir))
    write_image_layout(layout, image)
    return f"oci:{layout}:latest"


def create_token(server: WharfServer, name: str, user: str) -> str:
    """Creates a token for `user` as admin through the tokens API; returns its secret (shown once)."""
    r = server.post(TOKENS_API, json={"metadata": {"name": name}, "spec": {"user": user}})
    assert r.status_code == 201, f"POST {TOKENS_API} for {user}: {r.status_code} {r.text}"
    secret = r.json()["status"]["token"]
    assert secret and isinstance(secret, str)
    return secret


def token_names(server: WharfServer) -> list[str]:
    r = server.get(TOKENS_API)
    assert r.status_code == 200, f"GET {TOKENS_API}: {r.status_code} {r.text}"
    return [item["metadata"]["name"] for item in r.json()["items"]]


def bind_cluster_role(server: WharfServer, namespace: str, name: str, cluster_role: str, user: str) -> None:
    """A RoleBinding created as admin through the JSON API (for tests whose subject is not kubectl)."""
    binding = {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": {"name": name, "namespace": namespace},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }
    r = server.post(f"{RBAC_API}/namespaces/{namespace}/rolebindings", json=binding)
    assert r.status_code == 201, f"create rolebinding {namespace}/{name}: {r.status_code} {r.text}"


def anonymous(server: WharfServer) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = False
    return session


def challenge_params(header: str) -> dict[str, str]:
    assert header.startswith("Bearer "), f"not a Bearer challenge: {header!r}"
    return dict(re.findall(r'(\w+)="([^"]*)"', header))


def kubectl_binary() -> str:
    binary = shutil.which("kubectl")
    if binary is None:
        pytest.fail("kubectl is not installed (scripts/test installs it)", pytrace=False)
    return binary


def audit_entries(server: WharfServer) -> list[dict[str, str]]:
    """The audit lines of the server log (swift-log: `<time> info wharfd: k=v k=v ... [WharfHTTP] audit`)."""
    return [dict(re.findall(r"(\w+)=(\S+)", line)) for line in server.log().splitlines() if line.endswith("[WharfHTTP] audit")]


# ---------------------------------------------------------------------------------------------
# 1. Registry login with a token and with a password


def test_skopeo_login_with_token_then_push_and_pull(start_wharf, skopeo, tmp_path):
    server = start_wharf("wharfd-login-token")
    bind_cluster_role(server, "tok", "build-dave", "system:image-builder", "dave")
    token = create_token(server, "dave-ci", "dave")

    # Any user name with the token as the password, as with `oc whoami -t`.
    auth = logged_in(server, "anything", token, tmp_path / "dave.json")
    image = build_image(seed=301)
    push_layout(skopeo, server, image, "tok/app", "v1", "--dest-authfile", str(auth))
    pull_and_check(skopeo, server, "tok/app", "v1", image, auth, tmp_path)

    bad = skopeo_login(server, "anything", "wharf_" + "A" * 43, empty_authfile(tmp_path / "bad.json"))
    assert bad.returncode != 0, f"login with an unknown token succeeded:\n{bad.stdout}"
    assert server.registry not in json.loads((tmp_path / "bad.json").read_text())["auths"]


def test_skopeo_login_with_htpasswd_password_then_push_and_pull(start_wharf, skopeo, tmp_path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"alice:{bcrypt.hashpw(b'wonderland', bcrypt.gensalt(rounds=10)).decode()}\n")
    server = start_wharf("wharfd-login-password", args=("--htpasswd", str(htpasswd)))
    bind_cluster_role(server, "pw", "build-alice", "system:image-builder", "alice")

    auth = logged_in(server, "alice", "wonderland", tmp_path / "alice.json")
    image = build_image(seed=302)
    push_layout(skopeo, server, image, "pw/app", "v1", "--dest-authfile", str(auth))
    pull_and_check(skopeo, server, "pw/app", "v1", image, auth, tmp_path)

    for username, password in [("alice", "wrong-password"), ("mallory", "wonderland")]:
        result = skopeo_login(server, username, password, empty_authfile(tmp_path / "bad.json"))
        assert result.returncode != 0, f"skopeo login -u {username} -p {password} succeeded:\n{result.stdout}"
        assert server.registry not in json.loads((tmp_path / "bad.json").read_text())["auths"]


# ---------------------------------------------------------------------------------------------
# 2. No credentials: nothing leaks


def test_anonymous_pull_is_refused_without_leaking_bytes(start_wharf, skopeo, tmp_path):
    server = start_wharf("wharfd-anonymous")
    image = build_image(seed=310)
    reference = push_layout(skopeo, server, image, "private/app", "latest")  # as admin

    result = run_skopeo("inspect", "--tls-verify=false", "--authfile", str(empty_authfile(tmp_path / "none.json")),
                        "--raw", reference)
    assert result.returncode != 0, f"anonymous skopeo inspect succeeded:\n{result.stdout}"
    assert re.search(r"unauthorized|401", result.stderr, re.IGNORECASE), result.stderr
    assert image.digest not in result.stdout and image.config_digest not in result.stdout

    session = anonymous(server)
    secrets = [image.manifest, image.config_digest.encode(), image.config] + [layer.data for layer in image.layers]
    for path in [f"/v2/private/app/manifests/latest", f"/v2/private/app/manifests/{image.digest}"]:
        for method in ("GET", "HEAD"):
            r = session.request(method, server.url(path), headers={"Accept": OCI_MANIFEST}, timeout=30)
            assert r.status_code == 401, f"anonymous {method} {path}: {r.status_code} {r.content[:500]!r}"
            params = challenge_params(r.headers.get("WWW-Authenticate", ""))
            assert params.get("realm") == f"{server.base_url}/openshift/token", params
            assert params.get("service") == "wharf", params
            assert params.get("scope") == "repository:private/app:pull", params
            assert "Docker-Content-Digest" not in r.headers
            for secret in secrets:
                assert secret not in r.content, f"anonymous {method} {path} leaked bytes: {r.content[:500]!r}"
            if method == "GET":
                assert [e["code"] for e in r.json()["errors"]] == ["UNAUTHORIZED"], r.text

    layer = image.layers[0]
    r = session.get(server.url(f"/v2/private/app/blobs/{layer.digest}"), timeout=30)
    assert r.status_code == 401, f"anonymous GET blob: {r.status_code}"
    assert layer.data not in r.content

    # Control: the same request with a token as a Basic password reads the manifest.
    r = session.get(server.url("/v2/private/app/manifests/latest"), headers={"Accept": OCI_MANIFEST},
                    auth=("anything", server.token), timeout=30)
    assert r.status_code == 200, f"GET manifest with Basic token credentials: {r.status_code} {r.text}"
    assert r.content == image.manifest


# ---------------------------------------------------------------------------------------------
# 3. kubectl grants a second user pull, not push


def test_kubectl_rolebinding_lets_a_second_user_pull_but_not_push(start_wharf, skopeo, tmp_path_factory, tmp_path):
    server = start_wharf("wharfd-rbac", tls=True)
    image = build_image(seed=320)
    push_layout(skopeo, server, image, "team/app", "latest")  # as admin

    admin = Kubectl(kubectl_binary(), tmp_path_factory.mktemp("kubectl-admin"), server.base_url, server.token)
    out = admin.ok("create", "rolebinding", "pull-bob", "--clusterrole=system:image-puller", "--user=bob", "-n", "team")
    assert out.strip() == "rolebinding.rbac.authorization.k8s.io/pull-bob created"
    binding = json.loads(admin.ok("get", "rolebinding", "pull-bob", "-n", "team", "-o", "json"))
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "system:image-puller"}
    assert binding["subjects"] == [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]

    token = create_token(server, "bob-laptop", "bob")
    auth = logged_in(server, "bob", token, tmp_path / "bob.json")
    pull_and_check(skopeo, server, "team/app", "latest", image, auth, tmp_path)

    pushed = build_image(seed=321)
    result = run_skopeo("copy", "--src-tls-verify=false", "--dest-tls-verify=false", "--dest-authfile", str(auth),
                        layout_of(pushed, tmp_path), f"docker://{server.registry}/team/app:bob")
    assert result.returncode != 0, f"bob pushed to team/app with only system:image-puller:\n{result.stderr}"
    assert re.search(r"denied|403", result.stderr, re.IGNORECASE), result.stderr
    r = server.get("/v2/team/app/tags/list")
    assert r.status_code == 200 and r.json()["tags"] == ["latest"], r.text

    # kubectl auth can-i as bob: the pull and push permissions are the layers subresource of imagestreams.
    bob = Kubectl(kubectl_binary(), tmp_path_factory.mktemp("kubectl-bob"), server.base_url, token)
    layers = ("imagestreams.image.openshift.io", "--subresource=layers")
    result = bob.run("auth", "can-i", "get", *layers, "-n", "team")
    assert (result.returncode, result.stdout.strip()) == (0, "yes"), result.stderr
    for verb, namespace in [("update", "team"), ("get", "elsewhere")]:
        result = bob.run("auth", "can-i", verb, *layers, "-n", namespace)
        assert (result.returncode, result.stdout.strip()) == (1, "no"), f"{verb} in {namespace}: {result.stdout}{result.stderr}"


# ---------------------------------------------------------------------------------------------
# 4. Revocation


def test_deleted_token_stops_working_at_once(start_wharf, skopeo, tmp_path):
    server = start_wharf("wharfd-revoke")
    image = build_image(seed=330)
    push_layout(skopeo, server, image, "team/app", "latest")  # as admin
    bind_cluster_role(server, "team", "pull-bob", "system:image-puller", "bob")
    token = create_token(server, "bob-ci", "bob")

    r = server.get(TOKENS_API)
    assert "bob-ci" in token_names(server)
    assert token not in r.text, "the token list shows a secret"

    auth = logged_in(server, "bob", token, tmp_path / "bob.json")
    pull_and_check(skopeo, server, "team/app", "latest", image, auth, tmp_path)

    r = server.request("DELETE", f"{TOKENS_API}/bob-ci")
    assert r.status_code == 200, f"DELETE token bob-ci: {r.status_code} {r.text}"
    assert "bob-ci" not in token_names(server)

    result = run_skopeo("copy", "--src-tls-verify=false", "--src-authfile", str(auth),
                        f"docker://{server.registry}/team/app:latest", f"oci:{tmp_path / 'after'}:latest")
    assert result.returncode != 0, "a pull with a revoked token succeeded"
    assert re.search(r"unauthorized|401", result.stderr, re.IGNORECASE), result.stderr

    session = anonymous(server)
    for credentials in [{"headers": {"Authorization": f"Bearer {token}"}}, {"auth": ("bob", token)}]:
        r = session.get(server.url("/v2/team/app/manifests/latest"), timeout=30, **credentials)
        assert r.status_code == 401, f"GET manifest with a revoked token {list(credentials)}: {r.status_code}"
        assert image.manifest not in r.content
    result = skopeo_login(server, "bob", token, empty_authfile(tmp_path / "again.json"))
    assert result.returncode != 0, "skopeo login with a revoked token succeeded"


# ---------------------------------------------------------------------------------------------
# 5. TLS


def test_skopeo_verifies_the_servers_certificate(start_wharf, skopeo, tmp_path):
    server = start_wharf("wharfd-tls", tls=True)
    certs = tmp_path / "certs"
    certs.mkdir()
    shutil.copy(server.workdir / "tls.crt", certs / "ca.crt")
    image = build_image(seed=340)
    reference = f"docker://{server.registry}/secure/app:latest"

    # Without the certificate, verification fails: the pair is self-signed.
    result = run_skopeo("copy", "--dest-tls-verify=true", layout_of(image, tmp_path), reference)
    assert result.returncode != 0, "skopeo trusted a self-signed certificate it was not given"
    assert re.search(r"x509|certificate", result.stderr), result.stderr

    skopeo.run("copy", "--dest-cert-dir", str(certs), "--dest-tls-verify=true", layout_of(image, tmp_path), reference)
    pulled = tmp_path / "pulled"
    skopeo.run("copy", "--src-cert-dir", str(certs), "--src-tls-verify=true", reference, f"oci:{pulled}:latest")
    assert Layout(pulled).top("latest") == image.manifest


# ---------------------------------------------------------------------------------------------
# 6. Audit


def test_audit_log_names_who_pushed(start_wharf, skopeo, tmp_path):
    server = start_wharf("wharfd-audit")
    bind_cluster_role(server, "team", "build-bob", "system:image-builder", "bob")
    token = create_token(server, "bob-ci", "bob")
    auth = logged_in(server, "bob", token, tmp_path / "bob.json")
    push_layout(skopeo, server, build_image(seed=350), "team/app", "v1", "--dest-authfile", str(auth))

    def manifest_puts():
        return [e for e in audit_entries(server) if e.get("method") == "PUT" and e.get("path") == "/v2/team/app/manifests/v1"]

    entries = wait_for(manifest_puts, timeout=10)
    assert entries, f"no audit line for PUT /v2/team/app/manifests/v1 in the log:\n{server.log()[-5000:]}"
    assert [(e.get("user"), e.get("status")) for e in entries] == [("bob", "201")], entries
    assert any(e.get("method") == "POST" and e.get("path") == TOKENS_API and e.get("user") == "admin"
               for e in audit_entries(server)), "creating bob's token was not audited as admin"
    assert token not in server.log(), "a token secret was logged"


# ---------------------------------------------------------------------------------------------
# 7. Login tokens of htpasswd users


def tokens_of(server: WharfServer, user: str) -> list[str]:
    r = server.get(TOKENS_API)
    assert r.status_code == 200, f"GET {TOKENS_API}: {r.status_code} {r.text}"
    return [item["metadata"]["name"] for item in r.json()["items"] if item["spec"]["user"] == user]


def test_skopeo_commands_of_an_htpasswd_user_share_a_login_token(start_wharf, skopeo, tmp_path):
    htpasswd = tmp_path / "htpasswd"
    htpasswd.write_text(f"alice:{bcrypt.hashpw(b'wonderland', bcrypt.gensalt(rounds=10)).decode()}\n")
    server = start_wharf("wharfd-login-reuse", args=("--htpasswd", str(htpasswd)))
    bind_cluster_role(server, "reuse", "build-alice", "system:image-builder", "alice")
    auth = logged_in(server, "alice", "wonderland", tmp_path / "alice.json")

    image = build_image(seed=360)
    push_layout(skopeo, server, image, "reuse/app", "v1", "--dest-authfile", str(auth))
    for _ in range(5):
        skopeo.run("inspect", "--tls-verify=false", "--raw", "--authfile", str(auth), f"docker://{server.registry}/reuse/app:v1")
    pull_and_check(skopeo, server, "reuse/app", "v1", image, auth, tmp_path)

    tokens = tokens_of(server, "alice")
    assert 1 <= len(tokens) <= 2, f"8 skopeo commands by alice left {len(tokens)} login tokens: {tokens}"


def test_a_user_removed_from_htpasswd_loses_their_tokens(start_wharf, skopeo, tmp_path):
    def line(user: str, password: bytes) -> str:
        return f"{user}:{bcrypt.hashpw(password, bcrypt.gensalt(rounds=10)).decode()}\n"

    htpasswd = tmp_path / "htpasswd"
    bob_line = line("bob", b"builder")
    htpasswd.write_text(line("alice", b"wonderland") + bob_line)
    server = start_wharf("wharfd-htpasswd-removal", args=("--htpasswd", str(htpasswd)))
    image = build_image(seed=361)
    push_layout(skopeo, server, image, "team/app", "latest")  # as admin
    for user in ("alice", "bob"):
        bind_cluster_role(server, "team", f"pull-{user}", "system:image-puller", user)

    alice_auth = logged_in(server, "alice", "wonderland", tmp_path / "alice.json")
    pull_and_check(skopeo, server, "team/app", "latest", image, alice_auth, tmp_path)
    session = anonymous(server)
    r = session.get(server.url("/openshift/token"), auth=("alice", "wonderland"), timeout=30)
    assert r.status_code == 200, f"token endpoint for alice: {r.status_code} {r.text}"
    alice_token = r.json()["token"]
    bearer = {"Authorization": f"Bearer {alice_token}"}
    assert session.get(server.url("/v2/team/app/tags/list"), headers=bearer, timeout=30).status_code == 200
    bob_token = session.get(server.url("/openshift/token"), auth=("bob", "builder"), timeout=30).json()["token"]
    assert tokens_of(server, "alice"), "alice's login left no token"

    htpasswd.write_text(bob_line)  # alice is removed

    # Wharf looks at the file at most once a second, off its event loops.
    deadline = time.monotonic() + 5
    while True:
        r = session.get(server.url("/v2/team/app/tags/list"), headers=bearer, timeout=30)
        if r.status_code != 200 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    assert r.status_code == 401, f"alice's token still works after her removal: {r.status_code} {r.text}"
    assert tokens_of(server, "alice") == [], "alice's tokens were not revoked"
    result = run_skopeo("copy", "--src-tls-verify=false", "--src-authfile", str(alice_auth),
                        f"docker://{server.registry}/team/app:latest", f"oci:{tmp_path / 'after'}:latest")
    assert result.returncode != 0, "a pull by a removed user succeeded"
    r = session.get(server.url("/v2/team/app/tags/list"), headers={"Authorization": f"Bearer {bob_token}"}, timeout=30)
    assert r.status_code == 200, f"bob's token stopped working when alice was removed: {r.status_code}"


def test_skopeo_says_a_token_has_expired(start_wharf, tmp_path):
    import datetime
    import time

    server = start_wharf("wharfd-expired-token")
    expiry = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(seconds=4)
    r = server.post(TOKENS_API, json={"metadata": {"name": "brief"},
                                      "spec": {"user": "admin", "expirationTimestamp": expiry.strftime("%Y-%m-%dT%H:%M:%SZ")}})
    assert r.status_code == 201, f"POST {TOKENS_API}: {r.status_code} {r.text}"
    auth = logged_in(server, "anyone", r.json()["status"]["token"], tmp_path / "brief.json")
    time.sleep(max(0.0, (expiry - datetime.datetime.now(datetime.timezone.utc)).total_seconds() + 1.5))

    result = run_skopeo("inspect", "--tls-verify=false", "--authfile", str(auth), f"docker://{server.registry}/team/app:latest")
    assert result.returncode != 0, "an expired token was accepted"
    assert "token has expired" in result.stderr, f"skopeo does not say why the token was refused:\n{result.stderr}"

    past = server.post(TOKENS_API, json={"metadata": {"name": "late"},
                                         "spec": {"user": "admin", "expirationTimestamp": "2020-01-01T00:00:00Z"}})
    assert past.status_code == 422, f"a token created expired: {past.status_code} {past.text}"
    assert [c["field"] for c in past.json()["details"]["causes"]] == ["spec.expirationTimestamp"]
