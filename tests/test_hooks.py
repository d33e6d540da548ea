"""Python hooks in process: Backend.on (after an action, with its event payload) and Backend.filter."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockcrm import MockCRMServer, Settings
from mockcrm.hooks import ApiCall
from tests.conftest import ADMIN, APIKEY


def api(client: FlaskClient, method: str, action: str, **params: Any) -> Any:
    return client.get(
        f"/developer/v2/{method}", query_string={"action": action, "login": ADMIN, "apikey": APIKEY, **params}
    )


def test_on_runs_after_the_action_with_the_webhook_payload(app: Flask, client: FlaskClient) -> None:
    backend = app.extensions["mockcrm"]
    seen: list[tuple[dict[str, Any], int]] = []
    # after the action: the row is there when the hook runs
    remove = backend.on("client.add", lambda p: seen.append((p, len(backend.accounts[1].table("clientcat")))))
    everything: list[str] = []
    backend.on("*", lambda p: everything.append(p["event"]))
    api(client, "client", "add", title="ООО Хук")
    api(client, "person", "add", person="Иванов Иван", clid=1)
    payload = {"clid": "1", "autor": "1", "user": "1", "event": "client.add", "identity": "1", "iduser1": "1"}
    assert seen == [(payload, 1)]
    assert everything == ["client.add", "person.add"]
    remove()
    api(client, "client", "add", title="ООО Без хука")
    assert len(seen) == 1 and everything == ["client.add", "person.add", "client.add"]


def test_a_hook_that_changes_its_payload_changes_nothing_else(app: Flask, client: FlaskClient) -> None:
    backend = app.extensions["mockcrm"]
    backend.on("client.add", lambda p: p.update(clid=999))
    later: list[dict[str, Any]] = []
    backend.events.subscribe("client.add", lambda e: later.append(e.payload))  # as the webhooks see it
    api(client, "client", "add", title="ООО Хук")
    assert later == [{"clid": 1, "autor": 1, "user": 1}]


def test_filter_gets_the_call_and_the_answer_and_returns_the_answer(app: Flask, client: FlaskClient) -> None:
    backend = app.extensions["mockcrm"]
    calls: list[ApiCall] = []

    def rename(call: ApiCall, answer: Any) -> Any:
        calls.append(call)
        answer["data"]["title"] = answer["data"]["title"].upper()
        return answer

    api(client, "client", "add", title="ООО Фильтр")
    remove = backend.filter("client.info", rename)
    r = api(client, "client", "info", clid=1, fields="title")
    assert r.data.decode() == '{"data":{"title":"ФИЛЬТР, ООО"}}'
    assert calls == [
        ApiCall(
            "client",
            "info",
            ADMIN,
            "get",
            {"action": "info", "login": ADMIN, "apikey": APIKEY, "clid": "1", "fields": "title"},
        )
    ]
    remove()
    assert api(client, "client", "info", clid=1, fields="title").data.decode() == '{"data":{"title":"Фильтр, ООО"}}'


@pytest.mark.parametrize(
    ("pattern", "hit"),
    [("client.info", [True, False, False]), ("client.*", [True, True, False]), ("client", [True, True, False]),
     ("*", [True, True, True])],
)  # fmt: skip
def test_filter_patterns(app: Flask, client: FlaskClient, pattern: str, hit: list[bool]) -> None:
    seen: list[str] = []
    app.extensions["mockcrm"].filter(pattern, lambda call, answer: seen.append(f"{call.method}.{call.action}"))
    for method, action in (("client", "info"), ("client", "list"), ("deal", "list")):
        api(client, method, action)
    assert [name in seen for name in ("client.info", "client.list", "deal.list")] == hit


def test_filter_may_answer_text_keep_the_answer_or_fail_visibly(app: Flask, client: FlaskClient) -> None:
    backend = app.extensions["mockcrm"]
    backend.filter("client.info", lambda call, answer: None)  # keeps it
    backend.filter("client.info", lambda call, answer: f"<p>{answer['error']['code']}</p>")
    r = api(client, "client", "info", clid=5)
    assert (r.status_code, r.data) == (200, b"<p>403</p>")

    def broken(call: ApiCall, answer: Any) -> Any:
        raise KeyError("nope")

    backend.filter("deal.list", broken)
    r = api(client, "deal", "list")
    assert (r.status_code, json.loads(r.data)) == (
        500,
        {"error": "mockcrm filter for deal.list failed: KeyError: 'nope'"},
    )


def test_bad_patterns_and_hooks_are_refused(app: Flask) -> None:
    backend = app.extensions["mockcrm"]
    with pytest.raises(ValueError, match="a filter pattern is 'method.action'"):
        backend.filter("a.b.c", lambda c, a: a)
    with pytest.raises(TypeError, match="an event hook is a function"):
        backend.on("client.add", "not callable")


def test_the_server_handle_has_on_and_filter() -> None:
    with MockCRMServer(Settings(log_requests=False)) as srv:
        assert srv.on("client.add", print) is not None
        assert srv.filter("*", lambda c, a: a) is not None
        assert len(srv.backend.filters.matching("client", "info")) == 1
