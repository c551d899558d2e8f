"""The served OpenAPI v3 documents are what the server does: schemathesis generates requests from each document and
checks every response against it (status codes, content types, schemas, no 5xx, schema-invalid input rejected).

It runs against its own wharfd, since it deletes collections. The run is bounded and repeatable: a few examples per
operation and a fixed seed. Two checks are left out, each for a reason that is not a lie in the document:
- positive_data_acceptance: the schemas give fields and types, not every rule a write enforces (name formats such as
  `<stream>:<tag>`, required references, selector syntax), so schema-valid input may be rightly refused with 400/422.
- unsupported_method: Wharf answers 405 for an undocumented method without an `Allow` header (as Kubernetes does).
"""

from __future__ import annotations

import subprocess
import sys

import pytest

SEED = 20261202
MAX_EXAMPLES = 10
RUN_TIMEOUT = 120.0
EXCLUDED_CHECKS = "positive_data_acceptance,unsupported_method"
# The coverage phase (every boundary value of every parameter) takes minutes here; examples, fuzzing and the
# stateful links run in seconds.
PHASES = "examples,fuzzing,stateful"
DOCUMENTS = ["apis/image.openshift.io/v1", "api/v1", "apis/rbac.authorization.k8s.io/v1"]


@pytest.fixture(scope="module")
def server(start_wharf):
    return start_wharf("wharfd-openapi")


def test_the_index_lists_every_document(server):
    r = server.get("/openapi/v3")
    assert r.status_code == 200, r.text
    assert sorted(r.json()["paths"]) == sorted(DOCUMENTS)


@pytest.mark.parametrize("document", DOCUMENTS)
def test_schemathesis_finds_no_failure(server, document, tmp_path):
    try:
        import schemathesis  # noqa: F401
    except ImportError as e:
        pytest.fail(f"the Python package schemathesis is not installed (scripts/test installs it): {e}", pytrace=False)
    url = server.get("/openapi/v3").json()["paths"][document]["serverRelativeURL"]
    command = [
        sys.executable, "-c", "from schemathesis.cli import schemathesis; schemathesis()",
        "run", server.url(url),
        "--header", f"Authorization: Bearer {server.token}",
        "--phases", PHASES, "--workers", "2",
        "--checks", "all", "--exclude-checks", EXCLUDED_CHECKS,
        "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED), "--generation-database", "none",
        "--request-timeout", "10", "--no-color",
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, timeout=RUN_TIMEOUT, stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT:.0f} s on {document}\n{e.stdout or ''}", pytrace=False)
    if result.returncode != 0:
        pytest.fail(
            f"schemathesis found failures in {document} (exit {result.returncode}):\n"
            f"--- stdout ---\n{result.stdout[-20000:]}\n--- stderr ---\n{result.stderr[-5000:]}",
            pytrace=False,
        )
