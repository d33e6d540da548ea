from __future__ import annotations

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
