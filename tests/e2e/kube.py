"""Helpers shared by the Kubernetes-client tests (kubectl and the OpenShift Python client).

Every client gets a kubeconfig written into a temporary directory; nothing reads or writes ~/.kube.
"""

from __future__ import annotations

import re
import time
from pathlib import Path

import yaml

IMAGE_GROUP_VERSION = "image.openshift.io/v1"
DUMMY_TOKEN = "wharf-e2e-dummy-token"

# `oc`/kubectl print ages with docker/go-units HumanDuration plus " ago" (reference §12.1).
AGE_AGO = re.compile(r"^(Less than a second|1 second|\d+ seconds|About a minute|\d+ minutes) ago$")


def write_kubeconfig(path: Path, server_url: str, namespace: str = "default", token: str = DUMMY_TOKEN) -> Path:
    """A kubeconfig for `server_url` (plain HTTP), with TLS verification off and a bearer token."""
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "wharf", "cluster": {"server": server_url, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "e2e", "user": {"token": token}}],
        "contexts": [{"name": "wharf", "context": {"cluster": "wharf", "user": "e2e", "namespace": namespace}}],
        "current-context": "wharf",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def parse_table(text: str) -> tuple[list[str], list[dict[str, str]]]:
    """Parse kubectl's column output (one tabwriter block): the header and one dict per row.

    Column names may contain single spaces ("IMAGE REPOSITORY"); columns are at least three spaces apart
    and left-aligned, so each cell is the slice of its row under its header.
    """
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, f"no table in output:\n{text}"
    header = lines[0]
    spans = [(m.start(), m.group()) for m in re.finditer(r"\S+(?: \S+)*", header)]
    names = [name for _, name in spans]
    rows = []
    for line in lines[1:]:
        row = {}
        for i, (start, name) in enumerate(spans):
            end = spans[i + 1][0] if i + 1 < len(spans) else None
            row[name] = line[start:end].strip()
        rows.append(row)
    return names, rows


def split_row(line: str) -> list[str]:
    """Cells of one printed row whose cells are all non-empty (watch output is not column-aligned across events)."""
    return re.split(r"\s{2,}", line.strip())


def wait_for(predicate, timeout: float, interval: float = 0.2):
    """Poll `predicate` until it returns a truthy value or `timeout` seconds pass; returns the last value."""
    deadline = time.monotonic() + timeout
    value = predicate()
    while not value and time.monotonic() < deadline:
        time.sleep(interval)
        value = predicate()
    return value
