"""/metrics: a skopeo push is counted, only the admin (or system:monitoring) may scrape the main port, and
--metrics-port serves the same text unauthenticated on 127.0.0.1."""

import re

import pytest
import requests

from conftest import _free_port, push_layout
from images import build_image

PUSH_LINE = re.compile(r'^wharf_http_requests_total\{(?=[^}]*route="/v2/:name/manifests/:reference")(?=[^}]*method="PUT")'
                       r'(?=[^}]*status="201")[^}]*\} (\d+(\.\d+)?)$', re.MULTILINE)

# These tests are about one wharfd process; with WHARF_E2E_REPLICAS they still get one (conftest.py).
pytestmark = pytest.mark.one_process


def test_push_is_counted(start_wharf, skopeo):
    metrics_port = _free_port()
    server = start_wharf("wharfd-metrics", args=("--metrics-port", str(metrics_port)))
    push_layout(skopeo, server, build_image(seed=7), "metrics/app", "latest")

    scraped = server.get("/metrics", headers={"Authorization": f"Bearer {server.token}"})
    assert scraped.status_code == 200, scraped.text
    assert scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = scraped.text
    assert "# TYPE wharf_http_requests_total counter" in text
    assert "# TYPE wharf_http_request_duration_seconds histogram" in text
    assert 'wharf_http_request_duration_seconds_bucket{' in text and 'le="+Inf"' in text
    match = PUSH_LINE.search(text)
    assert match, text
    assert float(match.group(1)) >= 1
    assert "metrics/app" not in text  # the route pattern, never the raw path
    assert re.search(r"^process_resident_memory_bytes \d", text, re.MULTILINE)

    anonymous = requests.get(server.url("/metrics"), timeout=30)
    assert anonymous.status_code == 401
    assert anonymous.json()["kind"] == "Status"

    side = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=30)
    assert side.status_code == 200
    assert PUSH_LINE.search(side.text)
