"""The rules engine (/__mockcrm/rules): respond, patch and the fault kinds, matchers, order, bounds."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN, APIKEY

MANAGER = "manager@example.com"
NOT_FOUND = {
    "result": "Error",
    "error": {"code": 403, "text": "Клиент не найден в пределах аккаунта указанного пользователя."},
}


def j(resp: Any) -> Any:
    return json.loads(resp.data)


def api(client: FlaskClient, method: str, action: str, login: str = ADMIN, **params: Any) -> Any:
    return client.get(
        f"/developer/v2/{method}", query_string={"action": action, "login": login, "apikey": APIKEY, **params}
    )


def form(client: FlaskClient, method: str, action: str, **params: Any) -> Any:
    query = {"action": action, "login": ADMIN, "apikey": APIKEY}
    return client.post(f"/developer/v2/{method}", query_string=query, data=params)


def json_call(client: FlaskClient, method: str, action: str, **params: Any) -> Any:
    headers = {"login": ADMIN, "apikey": APIKEY}
    return client.post(f"/developer/v2/{method}", json={"action": action, **params}, headers=headers)


def add_rule(client: FlaskClient, **rule: Any) -> dict[str, Any]:
    r = client.post("/__mockcrm/rules", json=rule)
    assert r.status_code == 201, r.data
    added: dict[str, Any] = j(r)["rules"][0]
    return added


def test_the_issue_example_stubs_one_client_and_leaves_the_others(client: FlaskClient) -> None:
    rule = add_rule(
        client,
        kind="respond",
        method="client",
        action="info",
        params={"clid": "7"},
        body={"data": {"clid": 7, "title": "Stub"}},
    )
    assert rule == {
        "id": 1,
        "kind": "respond",
        "method": "client",
        "action": "info",
        "login": "*",
        "transport": "*",
        "params": {"clid": "7"},
        "priority": 0,
        "body": {"data": {"clid": 7, "title": "Stub"}},
        "status": 200,
        "headers": {},
        "probability": 1.0,
        "seed": None,
        "count": None,
        "ttl": None,
        "fired": 0,
    }
    r = api(client, "client", "info", clid=7)
    assert (r.status_code, r.content_type, r.data) == (
        200,
        "application/json; charset=utf-8",
        b'{"data":{"clid":7,"title":"Stub"}}',
    )
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert j(api(client, "client", "info", clid=8)) == NOT_FOUND
    journal = j(client.get("/__mockcrm/requests"))["requests"]
    assert [(e["params"].get("clid"), e["code"], e["rules"]) for e in journal] == [
        ("7", "rule:respond", [1]),
        ("8", 403, []),
    ]
    assert j(client.get("/__mockcrm/rules/1"))["fired"] == 1
    assert j(client.delete("/__mockcrm/rules")) == {"status": "ok"}
    assert j(api(client, "client", "info", clid=7)) == NOT_FOUND


def test_respond_fills_placeholders_sets_status_headers_and_raw_text(client: FlaskClient) -> None:
    add_rule(
        client,
        kind="respond",
        method="client",
        action="info",
        body={"data": {"clid": "{clid}", "who": "{login}", "kind": "{filter[type]}", "keep": "{nope} {}"}},
        status=503,
        headers={"Retry-After": "3"},
    )
    r = api(client, "client", "info", clid=42, **{"filter[type]": "client"})
    assert (r.status_code, r.headers["Retry-After"], j(r)) == (
        503,
        "3",
        {"data": {"clid": "42", "who": ADMIN, "kind": "client", "keep": "{nope} {}"}},
    )
    add_rule(client, kind="respond", method="deal", raw="<h1>Maintenance {action}</h1>", content_type="text/html")
    r = api(client, "deal", "list")
    assert (r.status_code, r.content_type, r.data) == (200, "text/html", b"<h1>Maintenance list</h1>")


def test_patch_merges_sets_and_removes_on_the_real_answer(client: FlaskClient) -> None:
    clid = j(api(client, "client", "add", title="ООО Ромашка", phone="+7 342 000-00-00"))["data"]
    real = j(api(client, "client", "info", clid=clid))["data"]
    add_rule(
        client,
        kind="patch",
        method="client",
        action="info",
        merge={"data": {"title": "Patched", "phone": None, "extra": {"x": 1}}},
        set={"/data/tags/-": "vip", "/data/a~1b": True},
        remove=["/data/des", "/data/missing/deep"],
    )
    patched = j(api(client, "client", "info", clid=clid))
    expected = {k: v for k, v in real.items() if k not in ("phone", "des")}
    expected.update(title="Patched", extra={"x": 1}, tags={"-": "vip"}, **{"a/b": True})
    assert patched == {"data": expected}
    assert j(client.get("/__mockcrm/requests"))["requests"][-1]["code"] == "rule:patch"


def test_patch_leaves_a_page_that_is_not_json(client: FlaskClient) -> None:
    add_rule(client, kind="fatal", method="client", action="info", message="gone")
    add_rule(client, kind="patch", method="client", merge={"x": 1})
    r = api(client, "client", "info", clid=1)
    assert r.data.startswith(b"<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: gone")


@pytest.mark.parametrize(
    ("matcher", "hits"),
    [
        ({"clid": 7}, ["7"]),
        ({"clid": {"equals": "7"}}, ["7"]),
        ({"clid": {"regex": "^1\\d$"}}, ["12"]),
        ({"clid": {"present": True}}, ["7", "12"]),
        ({"clid": {"present": False}}, [None]),
        ({"filter[type]": "person"}, []),
    ],
)
def test_param_matchers(client: FlaskClient, matcher: dict[str, Any], hits: list[Any]) -> None:
    add_rule(client, kind="error", method="client", action="info", params=matcher, code=418, text="matched")
    for clid in ("7", "12", None):
        api(client, "client", "info", **({} if clid is None else {"clid": clid}))
    journal = j(client.get("/__mockcrm/requests"))["requests"]
    assert [e["params"].get("clid") for e in journal if e["code"] == "fault:error"] == hits


def test_nested_params_and_json_types_match_as_php_reads_them(client: FlaskClient) -> None:
    add_rule(client, kind="error", method="client", action="list", params={"filter[type]": "person"}, text="nested")
    add_rule(client, kind="error", method="deal", action="add", params={"speka": [{"kol": 2}]}, text="array")
    assert j(json_call(client, "client", "list", filter={"type": "person"}))["error"]["text"] == "nested"
    assert j(api(client, "client", "list", **{"filter[type]": "person"}))["error"]["text"] == "nested"
    assert j(json_call(client, "deal", "add", speka=[{"kol": "2"}]))["error"]["text"] == "array"
    assert j(json_call(client, "deal", "add", speka=[{"kol": 3}])) != {
        "result": "Error",
        "error": {"code": 500, "text": "array"},
    }


def test_login_and_transport_matchers(client: FlaskClient) -> None:
    add_rule(client, kind="error", login=MANAGER.upper(), code=403, text="manager only")
    add_rule(client, kind="error", transport="json", code=415, text="json only")
    assert j(api(client, "client", "info", login=MANAGER, clid=1))["error"]["text"] == "manager only"
    assert j(json_call(client, "client", "info", clid=1))["error"]["text"] == "json only"
    assert j(form(client, "client", "info", clid=1)) == NOT_FOUND


def test_priority_then_order_one_answer_per_call_and_count(client: FlaskClient) -> None:
    add_rule(client, kind="error", method="client", text="first, low", count=1)
    add_rule(client, kind="respond", method="client", body={"r": "high"}, priority=5, count=2)
    add_rule(client, kind="error", method="client", text="second, low")
    texts = [api(client, "client", "info", clid=1).data for _ in range(4)]
    assert texts == [
        b'{"r":"high"}',
        b'{"r":"high"}',
        b'{"result":"Error","error":{"code":500,"text":"first, low"}}',
        b'{"result":"Error","error":{"code":500,"text":"second, low"}}',
    ]
    assert [(r["id"], r["count"], r["fired"]) for r in j(client.get("/__mockcrm/rules"))["rules"]] == [(3, None, 1)]


def test_latency_patch_and_malformed_combine_with_an_answer(client: FlaskClient) -> None:
    add_rule(client, kind="latency", latency=0)
    add_rule(client, kind="respond", body={"data": {"a": 1, "b": 2}})
    add_rule(client, kind="malformed")
    r = api(client, "client", "info", clid=1)
    assert r.data == b'{"data":{"a'  # the first 11 of the 22 bytes of {"data":{"a":1,"b":2}}
    (entry,) = j(client.get("/__mockcrm/requests"))["requests"]
    assert (entry["code"], entry["rules"]) == ("fault:malformed", [1, 2, 3])


def test_probability_with_a_seed_repeats(app: Flask) -> None:
    def run() -> list[int]:
        c = app.test_client()
        c.post("/__mockcrm/reset", json={})
        add_rule(c, kind="error", probability=0.5, seed=3)
        return [j(api(c, "client", "info", clid=1))["error"]["code"] for _ in range(8)]

    first = run()
    assert first == run() and set(first) == {500, 403}


def test_faults_is_a_view_of_the_fault_kinds(client: FlaskClient) -> None:
    add_rule(client, kind="respond", method="deal", body={})
    r = client.post("/__mockcrm/faults", json={"kind": "drop", "method": "task"})
    assert [f["id"] for f in j(r)["faults"]] == [2]
    assert [f["id"] for f in j(client.get("/__mockcrm/faults"))["faults"]] == [2]
    kinds = "fault 'kind' must be one of error, fatal, latency, drop, malformed"
    assert j(client.post("/__mockcrm/faults", json={"kind": "respond", "body": {}})) == {
        "error": kinds,
        "errors": {"kind": [kinds]},
    }
    assert client.delete("/__mockcrm/faults/1").status_code == 404
    assert j(client.delete("/__mockcrm/faults")) == {"status": "ok"}
    assert [r["id"] for r in j(client.get("/__mockcrm/rules"))["rules"]] == [1]


def test_reset_clears_rules(client: FlaskClient) -> None:
    add_rule(client, kind="respond", body={})
    client.post("/__mockcrm/reset", json={})
    assert j(client.get("/__mockcrm/rules")) == {"rules": []}
    assert client.get("/__mockcrm/rules/1").status_code == 404


@pytest.mark.parametrize(
    ("rule", "field", "error"),
    [
        ({"kind": "stub"}, "kind", "rule 'kind' must be one of respond, patch, error, fatal, latency, drop, malformed"),
        ({"kind": "respond"}, "body", "a respond rule has either 'body' (JSON) or 'raw' (text)"),
        ({"kind": "respond", "body": {}, "raw": "x"},
         "body", "a respond rule has either 'body' (JSON) or 'raw' (text)"),
        ({"kind": "respond", "body": {}, "status": 99},
         "status", "respond 'status' must be an HTTP status code (100-599)"),
        ({"kind": "respond", "body": {}, "headers": {"Content-Length": "1"}},
         "headers", "respond 'headers' cannot set Content-Length (the server sets it)"),
        ({"kind": "respond", "body": {}, "message": "x"}, "message", "Unknown field."),
        ({"kind": "patch"}, "merge", "a patch rule needs 'merge', 'set' or 'remove'"),
        ({"kind": "patch", "set": {"data": 1}}, "_body", "patch pointer 'data' must start with '/' (RFC 6901)"),
        ({"kind": "error", "params": {"clid": {"regex": "("}}}, "params", "rule 'params.clid.regex' is not a regular"
         " expression: missing ), unterminated subpattern at position 0"),
        ({"kind": "error", "params": {"clid": {"present": "yes"}}}, "params",
         "rule 'params.clid.present' must be true or false"),
        ({"kind": "error", "params": {"clid": {"regex": "1", "present": True}}},
         "params", "rule 'params.clid' takes one of equals, regex, present"),
        ({"kind": "error", "transport": "soap"}, "transport", "rule 'transport' must be one of *, get, form, json"),
        ({"kind": "error", "priority": "high"}, "priority", "Not a valid integer."),
        ({"kind": "error", "count": True}, "count", "Not a valid integer."),
        ({"kind": "error", "ttl": "5"}, "ttl", "Not a number."),
    ],
)  # fmt: skip
def test_bad_rules_answer_400_naming_the_field(
    client: FlaskClient, rule: dict[str, Any], field: str, error: str
) -> None:
    r = client.post("/__mockcrm/rules", json=rule)
    line = error if field == "_body" or f"'{field}" in error else f"{field}: {error}"
    assert (r.status_code, j(r)) == (400, {"error": line, "errors": {field: [error]}})
    assert j(client.get("/__mockcrm/rules")) == {"rules": []}


def test_no_rule_no_trace(client: FlaskClient) -> None:
    assert j(api(client, "client", "info", clid=1)) == NOT_FOUND
    (entry,) = j(client.get("/__mockcrm/requests"))["requests"]
    assert (entry["code"], entry["rules"]) == (403, [])
