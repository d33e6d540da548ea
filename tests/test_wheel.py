"""The built wheel works outside the checkout: a fresh virtual environment, no network.

``make dist`` (a step of ``make test``) builds the wheel and fills ``dist/wheelhouse`` with it and
everything it needs; this test installs from there only, then runs ``mockcrm serve``, one API
call, and a pytest run that uses the plugin, all from a folder that is not the checkout.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WHEELHOUSE = ROOT / "dist" / "wheelhouse"
APIKEY = "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"


def test_the_wheel_installs_serves_and_plugs_into_pytest(tmp_path: Path) -> None:
    wheels = sorted(WHEELHOUSE.glob("mockcrm-*.whl"))
    if not wheels:
        pytest.fail("no built wheel: `make dist` builds it (`make test` runs it first)")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {"PATH": f"{venv / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "--no-index"]
    subprocess.run([*pip, "--find-links", str(WHEELHOUSE), "mockcrm", "pytest"], check=True, env=env, cwd=tmp_path)

    # the installed package, not the checkout: run from a folder of its own
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import mockcrm, mockcrm.backend as b; print(mockcrm.__file__)"],
        check=True,
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(str(venv)), where

    serve = subprocess.Popen(
        [str(venv / "bin" / "mockcrm"), "serve", "--port", "0", "--quiet"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert serve.stdout is not None
        first = serve.stdout.readline()
        assert first.startswith("mockcrm ") and " at http://127.0.0.1:" in first, first
        base = first.split(" at ", 1)[1].split("/developer/v2", 1)[0]
        url = f"{base}/developer/v2/client?action=add&title=Ромашка&login=admin@example.com&apikey={APIKEY}"
        with urllib.request.urlopen(
            url.replace("Ромашка", "%D0%A0%D0%BE%D0%BC%D0%B0%D1%88%D0%BA%D0%B0"), timeout=10
        ) as r:
            assert json.loads(r.read()) == {"result": "Успешно", "data": 1}
    finally:
        serve.send_signal(signal.SIGTERM)
        out, err = serve.communicate(timeout=15)
    assert serve.returncode == 0, err
    assert "mockcrm stopped." in out

    (tmp_path / "test_with_plugin.py").write_text(
        "def test_client_add(mockcrm):\n"
        "    assert mockcrm.call('client', 'add', title='ООО Альфа') == {'result': 'Успешно', 'data': 1}\n"
        "    assert mockcrm.call('client', 'info', clid=1, fields='title') == {'data': {'title': 'Альфа, ООО'}}\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pytest", "-q", "-p", "no:cacheprovider", "test_with_plugin.py"],
        env={**env, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert not os.path.exists(tmp_path / "mockcrm")  # nothing of the checkout was needed
