"""--rate-limit: callers beyond their share get 429 TOOMANYREQUESTS with Retry-After, which skopeo waits out."""

import time

import pytest
import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from images import OCI_MANIFEST, build_image

# Each replica limits on its own (README): these tests are about one wharfd's limit, so a fleet run gives them one.
pytestmark = pytest.mark.one_process


def test_skopeo_pulls_through_a_tight_rate_limit_by_honouring_retry_after(start_wharf, skopeo, tmp_path):
    server = start_wharf("rate-limited", args=("--rate-limit", "2"))
    # Push with a client that waits out 429s itself (skopeo retries only requests without a body).
    retry = Retry(total=30, status_forcelist=[429], allowed_methods=None, respect_retry_after_header=True, backoff_factor=0)
    server.http.mount("http://", HTTPAdapter(max_retries=retry))
    image = build_image(seed=41)
    for blob in image.blobs():
        server.upload_blob("limited/app", blob)
    assert server.put_manifest("limited/app", "v1", image.manifest, OCI_MANIFEST).status_code == 201

    # A burst beyond the share is refused in the OCI format, with a Retry-After of a second.
    plain = requests.Session()
    plain.trust_env = False
    plain.headers["Authorization"] = f"Bearer {server.token}"
    answers = [plain.get(server.url("/v2/limited/app/tags/list"), timeout=10) for _ in range(6)]
    refused = [r for r in answers if r.status_code == 429]
    assert refused, [r.status_code for r in answers]
    assert refused[0].json()["errors"][0]["code"] == "TOOMANYREQUESTS"
    assert refused[0].headers["Retry-After"] == "1"
    assert all(r.status_code in (200, 429) for r in answers)

    # skopeo sends more than two requests a second for a pull; it waits as told and the pull completes.
    started = time.monotonic()
    skopeo.copy(f"docker://{server.registry}/limited/app:v1", f"oci:{tmp_path / 'pulled'}:v1")
    assert (tmp_path / "pulled" / "index.json").is_file()
    assert skopeo.inspect_raw(f"docker://{server.registry}/limited/app:v1") == image.manifest
    assert time.monotonic() - started < 120
