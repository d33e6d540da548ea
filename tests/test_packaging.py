"""The wheel carries the fixtures: a wheel install works, not only a checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import mockcrm

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_fixtures_and_starts_from_them(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("mockcrm-*.whl")
    site = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        zf.extractall(site)
    assert "mockcrm/fixtures/fresh-install.json" in names
    assert "mockcrm/difftest/allowlist.json" in names  # mockcrm diff's default allowlist
    assert "mockcrm/data/salesman_examples.json" in names  # /__mockcrm/salesman-openapi.json's examples
    assert any(n.endswith("entry_points.txt") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    with zipfile.ZipFile(wheel) as zf:
        head = zf.read(metadata).decode().split("\n\n", 1)[0].splitlines()
    assert f"Version: {mockcrm.__version__}" in head  # the one version string, read by the build
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    code = (
        "import mockcrm, mockcrm.backend as b; print(b.fixtures_dir()); print(mockcrm.Backend().accounts[1].apikey); "
        "from mockcrm.salesman_openapi import salesman_openapi as s; print(len(s()['paths']))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert out == [str(site / "mockcrm" / "fixtures"), "VaSeZvkTfh5HMjJpNnge1W7Bloim0S", "67"]
