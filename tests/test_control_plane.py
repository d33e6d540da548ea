"""Control plane: config, reset, clock, request journal, faults, snapshots, state, records, users, editions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask.testing import FlaskClient

from mockcrm import Settings, create_app
from tests.conftest import ADMIN, APIKEY, task_record

UNKNOWN_ACTION = {"error": {"code": 402, "text": "Неизвестный метод"}}


def j(resp: Any) -> Any:
    return json.loads(resp.data)


def api(client: FlaskClient, method: str, action: str, login: str = ADMIN, apikey: str = APIKEY, **params: Any) -> Any:
    query = {"action": action, "login": login, "apikey": apikey, **params}
    return client.get(f"/developer/v2/{method}", query_string=query)


def test_health_counts_and_config(client: FlaskClient) -> None:
    h = j(client.get("/__mockcrm/health"))
    assert h["status"] == "ok" and h["edition"] == "box" and isinstance(h["uptime"], float)
    assert h["counts"] == {
        "accounts": 1,
        "clientcat": 0,
        "personcat": 0,
        "dogovor": 0,
        "tasks": 0,
        "leads": 0,
        "history": 0,
        "users": 3,
    }
    cfg = create_app(Settings(log_requests=False, webhooks='[{"event":"*","url":"http://x","secret":"s"}]'))
    conf = j(cfg.test_client().get("/__mockcrm/config"))
    assert conf["webhooks"] == '[{"event": "*", "url": "http://x", "secret": "***"}]'
    assert conf["edition"] == "box" and conf["timezone"] == "Europe/Moscow"


def test_journal_records_masked_calls_and_filters(client: FlaskClient) -> None:
    api(client, "client", "nope", extra="1")
    api(client, "person", "nope", login="manager@example.com")
    r = j(client.get("/__mockcrm/requests?method=client"))
    assert r["count"] == 1
    (e,) = r["requests"]
    assert {k: e[k] for k in ("id", "method", "action", "transport", "login", "params", "code")} == {
        "id": 1,
        "method": "client",
        "action": "nope",
        "transport": "get",
        "login": ADMIN,
        "params": {"action": "nope", "login": ADMIN, "apikey": "***", "extra": "1"},
        "code": 402,
    }
    assert APIKEY not in json.dumps(j(client.get("/__mockcrm/requests")))
    assert j(client.get("/__mockcrm/requests/count?login=MANAGER@example.com")) == {"count": 1}
    ok = client.post("/__mockcrm/requests/verify", json={"method": "person", "count": 1})
    assert (ok.status_code, j(ok)) == (
        200,
        {"ok": True, "expected": 1, "actual": 1, "method": "person", "action": None, "login": None},
    )
    bad = client.post("/__mockcrm/requests/verify", json={"method": "deal", "count": 2})
    assert (bad.status_code, j(bad)["actual"]) == (409, 0)
    client.delete("/__mockcrm/requests")
    assert j(client.get("/__mockcrm/requests/count")) == {"count": 0}


def test_journal_entry_keeps_the_answer_and_the_webhooks_it_fired(client: FlaskClient) -> None:
    client.post(
        "/developer/v2/client", json={"action": "add", "title": "ООО Ромашка", "login": ADMIN, "apikey": APIKEY}
    )
    api(client, "client", "info", clid=1, fields="title")
    api(client, "client", "nope")
    one = j(client.get("/__mockcrm/requests/1"))
    assert one == {
        "id": 1,
        "time": one["time"],
        "method": "client",
        "action": "add",
        "transport": "json",
        "login": ADMIN,
        "params": {"action": "add", "title": "ООО Ромашка", "login": ADMIN, "apikey": "***"},
        "code": 200,
        "duration_ms": one["duration_ms"],
        "rules": [],
        "status": 200,
        "content_type": "application/json; charset=utf-8",
        "events": [
            {
                "event": "client.add",
                "payload": {
                    "clid": "1",
                    "autor": "1",
                    "user": "1",
                    "event": "client.add",
                    "identity": "1",
                    "iduser1": "1",
                },
            }
        ],
        "answer_size": 36,
        "answer": '{"result":"Успешно","data":1}',
    }
    listed = j(client.get("/__mockcrm/requests?after=1"))
    assert [(e["id"], e["action"], e["code"], e["events"]) for e in listed["requests"]] == [
        (2, "info", 200, []),
        (3, "nope", 402, []),
    ]
    assert "answer" not in listed["requests"][0]  # the list stays small: bodies are in /requests/<id>
    assert [e["id"] for e in j(client.get("/__mockcrm/requests?code=402"))["requests"]] == [3]
    assert [e["id"] for e in j(client.get("/__mockcrm/requests?transport=json"))["requests"]] == [1]
    assert j(client.get("/__mockcrm/requests/2"))["answer"] == '{"data":{"title":"Ромашка, ООО"}}'
    gone = client.get("/__mockcrm/requests/9")
    assert (gone.status_code, j(gone)) == (
        404,
        {"error": "no request with id 9 (the journal keeps the last ones only)"},
    )


def test_admin_token_cookie_opens_the_dashboard_and_the_control_plane() -> None:
    c = create_app(Settings(log_requests=False, admin_token="s3cret")).test_client()
    r = c.get("/__mockcrm/ui/requests")
    assert (r.status_code, r.headers["Location"]) == (302, "/__mockcrm/ui/login?next=/__mockcrm/ui/requests")
    assert c.get("/__mockcrm/requests").status_code == 401
    assert c.get("/__mockcrm/ui/login").status_code == 200
    assert c.post("/__mockcrm/ui/login", data={"token": "nope"}).status_code == 401
    r = c.post("/__mockcrm/ui/login?next=/__mockcrm/ui/requests", data={"token": "s3cret"})
    assert (r.status_code, r.headers["Location"]) == (302, "/__mockcrm/ui/requests")
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("mockcrm_admin=s3cret;") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert j(c.get("/__mockcrm/requests")) == {"count": 0, "requests": []}
    assert c.get("/__mockcrm/ui/requests").status_code == 200
    r = c.post("/__mockcrm/ui/login?next=https://evil.example/", data={"token": "s3cret"})
    assert r.headers["Location"] == "/__mockcrm/ui/"  # never sent off the mock


def test_journal_is_bounded() -> None:
    c = create_app(Settings(log_requests=False, journal_size=5)).test_client()
    for _ in range(12):
        api(c, "client", "nope")
    assert [e["id"] for e in j(c.get("/__mockcrm/requests"))["requests"]] == [8, 9, 10, 11, 12]


def test_error_and_fatal_faults_with_count(client: FlaskClient) -> None:
    r = client.post(
        "/__mockcrm/faults", json={"kind": "error", "method": "client", "code": 500, "text": "Сбой", "count": 1}
    )
    assert r.status_code == 201
    assert api(client, "client", "nope").data == '{"result":"Error","error":{"code":500,"text":"Сбой"}}'.encode()
    assert j(api(client, "client", "nope")) == UNKNOWN_ACTION  # the count is used up
    client.post("/__mockcrm/faults", json={"kind": "fatal", "action": "list"})
    page = api(client, "person", "list").data.decode()
    assert page.startswith("<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: MySQL server has gone away in ")
    assert j(api(client, "person", "nope")) == UNKNOWN_ACTION  # other actions untouched
    codes = [e["code"] for e in j(client.get("/__mockcrm/requests"))["requests"]]
    assert codes == ["fault:error", 402, "fault:fatal", 402]


def test_malformed_fault_truncates_the_answer(client: FlaskClient) -> None:
    client.post("/__mockcrm/faults", json={"kind": "malformed"})
    full = '{"error":{"code":402,"text":"Неизвестный метод"}}'.encode()
    assert api(client, "client", "nope").data == full[: len(full) // 2]


def test_probability_with_seed_is_repeatable() -> None:
    def run() -> list[int]:
        c = create_app(Settings(log_requests=False)).test_client()
        c.post("/__mockcrm/faults", json={"kind": "error", "probability": 0.5, "seed": 7})
        return [j(api(c, "client", "nope"))["error"]["code"] for _ in range(20)]

    first = run()
    assert first == run()
    assert set(first) == {402, 500}


@pytest.mark.parametrize(
    ("fault", "field", "error"),
    [
        ({"kind": "boom"}, "kind", "fault 'kind' must be one of error, fatal, latency, drop, malformed"),
        (
            {"kind": "latency", "latency": [2, 1]},
            "latency",
            "fault 'latency' range must be [low, high] seconds with 0 <= low <= high",
        ),
        ({"kind": "error", "probability": 2}, "probability", "fault 'probability' must be a number from 0 to 1"),
        ({"kind": "error", "colour": 1}, "colour", "Unknown field."),
        ([{"kind": "drop"}, {"kind": "error", "seed": "x"}], "1.seed", "Not a valid integer."),
    ],
)
def test_bad_faults(client: FlaskClient, fault: Any, field: str, error: str) -> None:
    r = client.post("/__mockcrm/faults", json=fault)
    line = error if f"'{field}'" in error else f"{field}: {error}"
    assert (r.status_code, j(r)) == (400, {"error": line, "errors": {field: [error]}})
    assert j(client.get("/__mockcrm/faults")) == {"faults": []}


def test_fault_list_delete_and_reset_clears(client: FlaskClient) -> None:
    client.post("/__mockcrm/faults", json=[{"kind": "latency", "latency": 0}, {"kind": "drop", "method": "deal"}])
    assert [(f["id"], f["kind"]) for f in j(client.get("/__mockcrm/faults"))["faults"]] == [(1, "latency"), (2, "drop")]
    assert j(client.delete("/__mockcrm/faults/1")) == {"status": "ok"}
    assert client.delete("/__mockcrm/faults/1").status_code == 404
    client.post("/__mockcrm/reset")
    assert j(client.get("/__mockcrm/faults")) == {"faults": []}


def test_clock_freeze_advance_real(client: FlaskClient) -> None:
    r = j(client.post("/__mockcrm/clock/freeze", json={"at": "2030-01-31 23:59:30"}))
    assert r == {"now": "2030-01-31 23:59:30", "frozen": True, "timezone": "Europe/Moscow"}
    assert j(client.post("/__mockcrm/clock/advance", json={"seconds": 45}))["now"] == "2030-02-01 00:00:15"
    assert j(client.post("/__mockcrm/clock/real"))["frozen"] is False
    bad = client.post("/__mockcrm/clock/freeze", json={"at": "tomorrow"})
    wall = '"at" must be a wall-clock time "YYYY-MM-DD HH:MM:SS" in the account zone'
    assert (bad.status_code, j(bad)) == (400, {"error": wall, "errors": {"at": [wall]}})
    bad = client.post("/__mockcrm/clock/advance", json={"seconds": "45"})
    assert (bad.status_code, j(bad)) == (
        400,
        {"error": "seconds: Not a number.", "errors": {"seconds": ["Not a number."]}},
    )
    assert j(client.get("/__mockcrm/clock"))["now"] != "2030-02-01 00:00:15"


def test_records_snapshots_state_roundtrip(client: FlaskClient) -> None:
    r = client.post(
        "/__mockcrm/records/clientcat", json=[{"title": "Альфа", "iduser": "1"}, {"clid": 10, "title": "Бета"}]
    )
    assert (r.status_code, j(r)) == (201, {"table": "clientcat", "ids": [1, 10]})
    dup = client.post("/__mockcrm/records/clientcat", json={"clid": 10, "title": "x"})
    assert (dup.status_code, j(dup)) == (409, {"error": "clientcat clid=10 exists already"})
    nested = client.post("/__mockcrm/records/clientcat", json={"title": ["x"]})
    scalars = "a record is a JSON object of scalar values (string, number, boolean, null)"
    assert (nested.status_code, j(nested)) == (400, {"error": scalars, "errors": {"_body": [scalars]}})
    assert client.post("/__mockcrm/records/nope", json={}).status_code == 404
    state = j(client.get("/__mockcrm/state?table=clientcat"))
    (acc,) = state["accounts"]
    assert acc["tables"] == {
        "clientcat": {
            "id_key": "clid",
            "next_id": 11,
            "rows": [
                {"clid": 1, "title": "Альфа", "iduser": "1", "identity": 1},
                {"clid": 10, "title": "Бета", "identity": 1},
            ],
        }
    }
    assert j(client.post("/__mockcrm/snapshots", json={"name": "two"})) == {"status": "ok", "name": "two"}
    exported = j(client.get("/__mockcrm/state/export"))
    client.post("/__mockcrm/reset")
    assert j(client.get("/__mockcrm/state?table=clientcat"))["accounts"][0]["tables"]["clientcat"]["rows"] == []
    assert j(client.post("/__mockcrm/snapshots/two/restore")) == {"status": "ok", "name": "two"}
    assert j(client.get("/__mockcrm/state/export")) == exported
    client.post("/__mockcrm/reset")
    assert j(client.post("/__mockcrm/state/import", json=exported)) == {"status": "ok"}
    assert j(client.get("/__mockcrm/state/export")) == exported
    assert j(client.get("/__mockcrm/snapshots")) == {"snapshots": ["two"]}
    assert j(client.delete("/__mockcrm/snapshots/two")) == {"status": "ok"}
    assert client.post("/__mockcrm/snapshots/two/restore").status_code == 404
    assert client.post("/__mockcrm/state/import", json={"x": 1}).status_code == 400


def test_users_added_can_call_the_api(client: FlaskClient) -> None:
    r = client.post(
        "/__mockcrm/users",
        json={"login": "boss@example.com", "title": "Начальников Босс", "role": "Руководитель отдела", "boss": 1},
    )
    assert r.status_code == 201
    user = j(r)
    assert {k: user[k] for k in ("iduser", "login", "title", "tip", "mid", "identity")} == {
        "iduser": "4",
        "login": "boss@example.com",
        "title": "Начальников Босс",
        "tip": "Руководитель отдела",
        "mid": "1",
        "identity": "1",
    }
    assert j(api(client, "client", "nope", login="boss@example.com")) == UNKNOWN_ACTION
    assert client.post("/__mockcrm/users", json={"login": "boss@example.com"}).status_code == 409


def test_box_edition_has_one_account(client: FlaskClient) -> None:
    r = client.post("/__mockcrm/accounts", json={"apikey": "k2"})
    assert (r.status_code, j(r)) == (
        409,
        {"error": "the box edition has exactly one account; start with MOCKCRM_EDITION=cloud"},
    )
    # box: a wrong apikey answers 401, the recorded behaviour
    assert j(api(client, "client", "nope", apikey="nope"))["error"]["code"] == 401


def test_cloud_edition_isolates_accounts() -> None:
    c = create_app(Settings(log_requests=False, edition="cloud")).test_client()
    assert j(api(c, "client", "nope", apikey="nope")) == {
        "result": "Error",
        "error": {"code": 400, "text": "Не верный API key"},
    }
    assert j(c.post("/__mockcrm/accounts", json={"apikey": "tenant-2"})) == {"identity": 2, "apikey": "tenant-2"}
    assert j(api(c, "client", "nope", apikey="tenant-2")) == UNKNOWN_ACTION
    c.post("/__mockcrm/records/clientcat?account=2", json={"title": "Только во втором"})
    counts = [len(a["tables"]["clientcat"]["rows"]) for a in j(c.get("/__mockcrm/state?table=clientcat"))["accounts"]]
    assert counts == [0, 1]
    assert [a["apikey"] for a in j(c.get("/__mockcrm/accounts"))["accounts"]] == [APIKEY, "tenant-2"]
    assert c.post("/__mockcrm/accounts", json={"apikey": "TENANT-2"}).status_code == 409


def test_frozen_clock_drives_stamps_and_the_today_default_of_lists(client: FlaskClient) -> None:
    client.post("/__mockcrm/clock/freeze", json={"at": "2030-03-10 09:15:00"})
    assert j(api(client, "task", "add", title="Позвонить", totime="10:00")) == {"result": "Успешно", "data": 1}
    task = task_record(1, datum="2030-03-10", title="Позвонить")
    assert j(api(client, "task", "list")) == {"data": [task]}
    assert j(api(client, "client", "add", title="ООО Часы")) == {"result": "Успешно", "data": 1}
    info = j(api(client, "client", "info", clid=1, fields="date_create"))
    assert info == {"data": {"created": "2030-03-10 09:15:00", "date_create": "10.03.30,  09:15"}}
    # a day later the default range is the new "today": yesterday's task is gone from it
    client.post("/__mockcrm/clock/advance", json={"seconds": 86400})
    assert j(api(client, "task", "list")) == []
