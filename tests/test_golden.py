"""Golden fidelity: replay the recorded real-server exchanges against a real mockcrm server.

Runs contract/replay.py (the project's copy of the replay tool) for each golden file listed
in contract/golden/targets.txt, against a MockCRMServer on a free port, with strict key order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockcrm import MockCRMServer, Settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "contract" / "golden"
TARGETS = [
    line.strip()
    for line in (GOLDEN / "targets.txt").read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


@pytest.fixture(scope="module")
def server() -> Iterator[MockCRMServer]:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        yield srv


@pytest.mark.parametrize("name", TARGETS)
def test_golden_file(server: MockCRMServer, name: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    reset = (
        f'{sys.executable} -c "import urllib.request as u; '
        f"u.urlopen(u.Request('{server.url}/__mockcrm/reset', method='POST'))\""
    )
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "contract" / "replay.py"),
            "--base-url",
            server.url,
            "--reset",
            reset,
            "--strict-key-order",
            "--no-webhooks",
            "--quiet",
            "--json-report",
            str(report),
            str(GOLDEN / f"{name}.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    result = json.loads(report.read_text(encoding="utf-8"))
    failed = [s for s in result["steps"] if not s["passed"]]
    assert failed == [], proc.stdout[-20000:]
    assert result["passed"] > 0
