"""The HTTP fuzzer (http_fuzz.py) as a pytest test: it passes only when no request failed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def test_no_request_breaks_wharfd():
    binary = os.environ.get("WHARFD")
    if not binary:
        pytest.fail("WHARFD is not set: point it at the wharfd binary (scripts/test does this)", pytrace=False)
    # The corpus is replayed, never written to, from under pytest; run http_fuzz.py itself to add to it.
    run = subprocess.run([sys.executable, str(HERE / "http_fuzz.py"), "--wharfd", binary, "--no-write"],
                         capture_output=True, text=True, timeout=1800)
    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else "(no output)"
    failures = "\n".join(line for line in run.stdout.splitlines() if line.startswith("FAIL"))
    assert run.returncode == 0, f"{summary}\n{failures}\n{run.stderr[-3000:]}"
