from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockcrm import Settings, create_app

pytest_plugins = ["pytester"]

APIKEY = "VaSeZvkTfh5HMjJpNnge1W7Bloim0S"
ADMIN = "admin@example.com"
MANAGER = "manager@example.com"
MANAGER2 = "manager2@example.com"


@pytest.fixture
def app() -> Flask:
    return create_app(Settings(log_requests=False))


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


class Api:
    """Calls /developer/v2 through the test client; returns the decoded body."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def raw(self, method: str, action: str | None = None, login: str = ADMIN, **params: object) -> bytes:
        query: dict[str, object] = {"login": login, "apikey": APIKEY}
        if action is not None:
            query["action"] = action
        query.update(params)
        return self.client.get(f"/developer/v2/{method}", query_string=query).data

    def __call__(self, method: str, action: str | None = None, login: str = ADMIN, **params: object) -> object:
        import json

        return json.loads(self.raw(method, action, login, **params))

    def json(self, method: str, body: dict[str, object], login: str = ADMIN) -> object:
        import json

        r = self.client.post(
            f"/developer/v2/{method}",
            data=json.dumps(body),
            headers={"Content-Type": "application/json", "apikey": APIKEY, "login": login},
        )
        return json.loads(r.data)


@pytest.fixture
def api(client: FlaskClient) -> Api:
    return Api(client)


@pytest.fixture
def rendered_records(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every list record rendered to JSON (by ``mockcrm.records``) while the test runs."""
    from mockcrm import records

    rendered: list[object] = []
    real = records.php_json

    def counting(value: object) -> str:
        rendered.append(value)
        return real(value)

    monkeypatch.setattr(records, "php_json", counting)
    return rendered


def spawn_serve(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.Popen[str], str]:
    """``python -m mockcrm serve *args`` as a child process: (the process, its base URL).

    The child sees no MOCKCRM_* variable of ours, only those in ``env``; the URL comes from the
    first line it prints ("mockcrm ... at http://host:port/developer/v2").
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "mockcrm", "serve", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith("MOCKCRM_")}, **(env or {})},
    )
    assert proc.stdout is not None
    first = proc.stdout.readline()
    assert first.startswith("mockcrm "), first + (proc.stderr.read() if proc.stderr else "")
    return proc, first.split(" at ", 1)[1].split("/developer", 1)[0]


def stop_serve(proc: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM a ``spawn_serve`` child and wait (killed after 15 s): its (stdout, stderr)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.communicate(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.communicate()


def task_record(tid: int, **over: Any) -> dict[str, Any]:
    """A list record of a plain admin task; ``over`` replaces keys, ``person`` makes it an info one."""
    out: dict[str, Any] = {
        "tid": str(tid),
        "datum": "2031-02-10",
        "totime": "10:00",
        "title": "Задача",
        "des": None,
        "tip": "Звонок",
        "active": "yes",
        "priority": "0",
        "speed": "0",
        "iduser": 1,
        "user": ADMIN,
        "autor": 0,
        "autorlogin": "",
        "clid": 0,
        "client": "",
        "did": 0,
        "dogovor": "",
        "readonly": "no",
        "day": None,
        "status": "0",
    }
    person = over.pop("person", None)
    out.update(over)
    if person is not None:
        keys = list(out)
        at = keys.index("did")
        out = {k: out[k] for k in keys[:at]} | {"person": person} | {k: out[k] for k in keys[at:]}
    return out
