"""Golden fidelity: replay the recorded real-server exchanges against a real mockcrm server.

Runs contract/replay.py (the project's copy of the replay tool) for every golden file in
contract/golden (the shared corpus and the project's own recordings of real-server behaviour),
against a MockCRMServer on a free port, with strict key order and webhook comparison (every
event is delivered to the replay tool's receiver on another free port).
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from mockcrm import MockCRMServer, Settings

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "contract" / "golden"
TARGETS = sorted(p.stem for p in GOLDEN.glob("*.jsonl"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def hook_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(hook_port: int) -> Iterator[MockCRMServer]:
    hooks = f'[{{"event":"*","url":"http://127.0.0.1:{hook_port}/hook/{{event}}"}}]'
    with MockCRMServer(Settings(log_requests=False, webhooks=hooks)) as srv:
        yield srv


@pytest.mark.parametrize("name", TARGETS)
def test_golden_file(server: MockCRMServer, hook_port: int, name: str, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    # a fresh install, and the clock back to real time (replay.py then freezes it and moves it on)
    reset = (
        f'{sys.executable} -c "import urllib.request as u; '
        f"u.urlopen(u.Request('{server.url}/__mockcrm/reset', method='POST')); "
        f"u.urlopen(u.Request('{server.url}/__mockcrm/clock/real', method='POST'))\""
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
            "--hook-port",
            str(hook_port),
            # deliveries finish before the API answers (sync mode): no quiet period to wait for
            "--hook-quiet",
            "0",
            # the mock's clock follows the recorded timeline: rows share a second exactly where they did
            "--clock-url",
            f"{server.url}/__mockcrm/clock",
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
