"""The control plane: health, reset, hooks, deliveries, replay, trigger, drain."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from mockcrm import Settings, create_app
from tests.receiver import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def control(receiver: Receiver) -> FlaskClient:
    hooks = json.dumps([{"event": "*", "url": receiver.url + "/hook/{event}", "title": "all"}])
    return create_app(Settings(log_requests=False, webhooks=hooks)).test_client()


def body(resp: object) -> object:
    return json.loads(resp.data)  # type: ignore[attr-defined]


def test_hooks_configured_from_settings_add_delete_and_reset(control: FlaskClient, receiver: Receiver) -> None:
    configured = {
        "event": "*",
        "url": receiver.url + "/hook/{event}",
        "title": "all",
        "id": 1,
        "retries": [],
        "secret": None,
    }
    assert body(control.get("/__mockcrm/webhooks")) == {"hooks": [configured]}
    r = control.post("/__mockcrm/webhooks", json={"event": "deal.add", "url": "http://x/h", "secret": "s3"})
    assert r.status_code == 201
    added = {
        "event": "deal.add",
        "url": "http://x/h",
        "title": "hook deal.add",
        "id": 2,
        "retries": [],
        "secret": "***",
    }
    assert body(r) == {"hooks": [added]}
    assert body(control.get("/__mockcrm/webhooks")) == {"hooks": [configured, added]}
    assert body(control.delete("/__mockcrm/webhooks/2")) == {"status": "ok"}
    r = control.delete("/__mockcrm/webhooks/2")
    assert (r.status_code, body(r)) == (404, {"error": "no hook with id 2"})
    assert body(control.delete("/__mockcrm/webhooks")) == {"status": "ok"}
    assert body(control.get("/__mockcrm/webhooks")) == {"hooks": []}
    control.post("/__mockcrm/reset")
    assert body(control.get("/__mockcrm/webhooks")) == {"hooks": [configured]}


@pytest.mark.parametrize(
    ("payload", "field", "error"),
    [
        ({"url": "http://x"}, "event", "Missing data for required field."),
        ({"event": "", "url": "http://x"}, "event", "hook 'event' must be a non-empty string (an event name or '*')"),
        ({"event": "a", "url": "u", "retries": "x"}, "retries", "Not a valid list."),
        ({"event": "a", "url": "u", "retries": [-1]},
         "retries", "hook 'retries' must be a list of non-negative delays in seconds"),
        ({"event": "a", "url": "u", "colour": "red"}, "colour", "Unknown field."),
        ([1], "0", "Invalid input type."),
    ],
)  # fmt: skip
def test_bad_hooks_are_rejected(control: FlaskClient, payload: object, field: str, error: str) -> None:
    r = control.post("/__mockcrm/webhooks", json=payload)
    line = error if f"'{field}'" in error else f"{field}: {error}"
    assert (r.status_code, body(r)) == (400, {"error": line, "errors": {field: [error]}})


def test_trigger_deliveries_replay(control: FlaskClient, receiver: Receiver) -> None:
    r = control.post("/__mockcrm/webhooks/trigger", json={"event": "lead.add", "payload": {"id": 5, "iduser": 1}})
    assert body(r) == {"event": "lead.add", "hooks": 1}
    (got,) = receiver.wait_for(1)
    assert got.path == "/hook/lead.add"
    assert json.loads(got.body) == {"id": "5", "iduser": "1", "event": "lead.add", "identity": "1", "iduser1": "1"}
    log = body(control.get("/__mockcrm/webhooks/deliveries"))
    assert isinstance(log, dict) and log["count"] == 1
    (entry,) = log["deliveries"]
    assert {k: entry[k] for k in ("id", "event", "status", "response", "error", "attempt", "ok")} == {
        "id": 1,
        "event": "lead.add",
        "status": 200,
        "response": '{"ok":true}',
        "error": None,
        "attempt": 1,
        "ok": True,
    }
    again = body(control.post("/__mockcrm/webhooks/deliveries/1/replay"))
    assert isinstance(again, dict) and (again["id"], again["attempt"], again["body"]) == (2, 2, entry["body"])
    assert body(control.get("/__mockcrm/webhooks/deliveries?event=deal.add")) == {"count": 0, "deliveries": []}
    assert body(control.get("/__mockcrm/webhooks/deliveries?status=failed")) == {"count": 0, "deliveries": []}
    r = control.post("/__mockcrm/webhooks/deliveries/99/replay")
    assert (r.status_code, body(r)) == (404, {"error": "no delivery with id 99"})
    assert body(control.post("/__mockcrm/webhooks/drain")) == {"drained": True, "pending": 0}
    assert body(control.delete("/__mockcrm/webhooks/deliveries")) == {"status": "ok"}
    assert body(control.get("/__mockcrm/webhooks/deliveries")) == {"count": 0, "deliveries": []}


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [("status=maybe", "status", "status must be 'ok' or 'failed'"), ("limit=x", "limit", "Not a valid integer.")],
)
def test_bad_delivery_queries(control: FlaskClient, query: str, field: str, error: str) -> None:
    r = control.get("/__mockcrm/webhooks/deliveries?" + query)
    line = error if error.startswith(field) else f"{field}: {error}"
    assert (r.status_code, body(r)) == (400, {"error": line, "errors": {field: [error]}})


def test_trigger_needs_an_event(control: FlaskClient) -> None:
    r = control.post("/__mockcrm/webhooks/trigger", json={"payload": {}})
    missing = "Missing data for required field."
    assert (r.status_code, body(r)) == (400, {"error": f"event: {missing}", "errors": {"event": [missing]}})
