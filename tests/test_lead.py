"""Method `lead`: info, add, list, stat and the 402 of everything else (lead.md, golden 09-lead)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask

from mockcrm.backend import Account, Backend
from mockcrm.events import Event
from tests.conftest import MANAGER, Api

NOW = "2026-11-28 12:13:12"
NOT_FOUND = {"result": "Error", "error": {"code": 404, "text": "Не найдено"}}
UNKNOWN = {"result": "Error", "error": {"code": 402, "text": "Не известный метод"}}
STAT_ZERO = {
    "data": [
        {"login": "admin@example.com", "open": 0, "processed": 0},
        {"login": "manager@example.com", "open": 0, "processed": 0},
        {"login": "manager2@example.com", "open": 0, "processed": 0},
    ]
}
EMPTY_INFO_TAIL = {
    "utm_source": None,
    "utm_medium": None,
    "utm_campaign": None,
    "utm_term": None,
    "utm_content": None,
    "utm_referrer": None,
}


def backend(app: Flask) -> Backend:
    b: Backend = app.extensions["mockcrm"]
    return b


def account(app: Flask) -> Account:
    return backend(app).accounts[1]


@pytest.fixture
def frozen(app: Flask) -> Flask:
    backend(app).clock.freeze(dt.datetime(2026, 11, 28, 12, 13, 12))
    return app


@pytest.fixture
def events(app: Flask) -> list[Event]:
    seen: list[Event] = []
    backend(app).events.subscribe("*", seen.append)
    return seen


def seed_client_and_contact(app: Flask) -> None:
    """Client 1 and contact 1 as the client/person methods store them (golden 09-lead)."""
    acc = account(app)
    client = {"clid": None, "title": "Вятский Лес, ООО", "phone": "+7 (8332) 64-00-01", "fax": None}
    client.update(mail_url=None, site_url="https://vyatles.ru", iduser=1)
    acc.table("clientcat", "clid").insert(client)
    person = {"pid": None, "person": "Лаптев Игорь Петрович", "clid": 1, "mail": "laptev@vyatles.ru"}
    person.update(tel=None, mob="+7 (912) 700-00-01", iduser=1)
    acc.table("personcat", "pid").insert(person)


def set_module(app: Flask, **changes: Any) -> None:
    row = next(m for m in account(app).modules if m["mpath"] == "leads")
    content = json.loads(row["content"])
    content.update(changes)
    row["content"] = json.dumps(content, ensure_ascii=False)


def info_body(lid: int, **fields: Any) -> dict[str, Any]:
    """The whole ``info`` answer of a lead with the given non-default fields."""
    data: dict[str, Any] = {"id": lid, "datum": NOW, "datum_do": None, "status": 0, "rezult": 0, "title": None}
    data.update(email=None, phone=None, site=None, company=None, description="", ip=None, city=None, country=None)
    data.update(iduser=0, clientpath=0, pid=0, clid=0, did=0, partner=0, **EMPTY_INFO_TAIL)
    names = {"statusName": "Открыт", "rezultName": None, "clientpathName": "", "userName": None}
    names.update(client=None, person=None, deal=None)
    for key, value in fields.items():
        (names if key in names or key == "uids" else data)[key] = value
    uids = names.pop("uids", None)
    if uids is not None:
        data["uids"] = uids
    return {"data": {**data, **names}, "id": lid}


# ------------------------------------------------------------------ protocol


@pytest.mark.parametrize("action", ["setuser", "do", "processing", "workit", "update", "delete", "frobnicate", None])
def test_actions_outside_the_api_are_402_with_two_word_text(api: Api, action: str | None) -> None:
    assert api("lead", action, id=1) == UNKNOWN


STUB = {"description": "", "statusName": "", "rezultName": None, "clientpathName": ""}
STUB.update(userName=None, client=None, person=None, deal=None)


def test_json_true_action_runs_info(api: Api) -> None:
    assert api.json("lead", {"action": True}) == {"data": STUB, "id": 0}


# ------------------------------------------------------------------ info


@pytest.mark.parametrize("params", [{"id": 999}, {}])
def test_info_of_unknown_lead_is_a_stub(api: Api, params: dict[str, Any]) -> None:
    assert api("lead", "info", **params) == {"data": STUB, "id": params.get("id", 0)}


# ------------------------------------------------------------------ add


def test_add_full_lead(frozen: Flask, api: Api, events: list[Event]) -> None:
    params = {
        "title": "Заявка с сайта: пиломатериалы",
        "email": "buyer@stroymarket.ru",
        "phone": "+7 (495) 800-00-01",
        "company": "ООО СтройМаркет",
        "description": "Нужна доска обрезная 50х150, 20 м3",
        "site": "stroymarket.ru",
        "city": "Москва",
        "country": "Россия",
        "clientpath": "Заказ с сайта",
        "utm_medium": "cpc",
        "utm_campaign": "les-2031",
        "utm_term": "доска обрезная",
        "utm_content": "banner-1",
        "utm_referrer": "https://yandex.ru",
    }
    assert api("lead", "add", **params) == {"result": "Success", "id": 1}
    fields = {k: v for k, v in params.items() if k != "clientpath"}
    assert api("lead", "info", id=1) == info_body(1, clientpath=4, clientpathName="Заказ с сайта", **fields)
    assert [(e.name, e.payload) for e in events] == [
        ("lead.add", {"id": "1", "clid": "0", "pid": "0", "did": "0", "iduser": "1"})
    ]
    history = list(account(frozen).table("history"))
    assert [(h["des"], h["tip"], h["iduser"], h["datum"]) for h in history] == [
        ("Добавлен лид #1", "СобытиеCRM", 1, NOW)
    ]


def test_add_without_parameters_creates_an_empty_lead(frozen: Flask, api: Api) -> None:
    assert api("lead", "add") == {"result": "Success", "id": 1}
    assert api("lead", "info", id=1) == info_body(1)


@pytest.mark.parametrize(
    ("params", "clid", "pid", "client_title", "person_name"),
    [
        ({"email": "laptev@vyatles.ru"}, 1, 1, "Вятский Лес, ООО", "Лаптев Игорь"),
        # an 8-prefixed number is not the stored +7 one: only the digits are compared
        ({"phone": "8 912 700-00-01"}, 0, 0, None, None),
        ({"phone": "+7 912 700 00 01"}, 1, 1, "Вятский Лес, ООО", "Лаптев Игорь"),
        # the client's own phone, when no contact matches
        ({"phone": "+7 (8332) 64-00-01"}, 1, 0, "Вятский Лес, ООО", None),
        ({"clid": 1, "pid": 1}, 1, 1, "Вятский Лес, ООО", "Лаптев Игорь"),
        # an explicit clid switches matching off even when the e-mail would match
        ({"clid": "", "email": "laptev@vyatles.ru"}, 0, 0, None, None),
    ],
)
def test_add_matches_contact_or_client(
    frozen: Flask, api: Api, params: dict[str, Any], clid: int, pid: int, client_title: Any, person_name: Any
) -> None:
    seed_client_and_contact(frozen)
    assert api("lead", "add", **params) == {"result": "Success", "id": 1}
    fields = {k: v for k, v in params.items() if k in ("email", "phone")}
    assert api("lead", "info", id=1) == info_body(
        1, clid=clid, pid=pid, client=client_title, person=person_name, **fields
    )


def test_add_by_utm_source_takes_the_source_and_its_utm(frozen: Flask, api: Api) -> None:
    api("lead", "add", email="friend@mail.ru", utm_source="fromfriend")
    expected = info_body(1, email="friend@mail.ru", clientpath=5, clientpathName="Рекомендации клиентов")
    expected["data"]["utm_source"] = "fromfriend"
    assert api("lead", "info", id=1) == expected


def test_unknown_source_name_is_added_to_the_directory(frozen: Flask, api: Api) -> None:
    api("lead", "add", clientpath="Выставка Лесдревмаш")
    body = api("guides", "clientpath")
    assert isinstance(body, dict)
    assert body["data"][-1] == {"id": 6, "title": "Выставка Лесдревмаш", "utm_source": None, "destination": None}
    assert api("lead", "info", id=1) == info_body(1, clientpath=6, clientpathName="Выставка Лесдревмаш")


@pytest.mark.parametrize(
    ("send", "title", "description"),
    [
        ("get", "Заявка ”срочно” O&acute;Hara", "жирный текст"),
        ("json", "Заявка срочно OHara", "жирный текст"),
    ],
)
def test_add_cleans_text_per_transport(frozen: Flask, api: Api, send: str, title: str, description: str) -> None:
    params = {"title": 'Заявка "срочно" O\'Hara', "description": "<b>жирный</b> текст"}
    if send == "json":
        assert api.json("lead", {"action": "add", **params}) == {"result": "Success", "id": 1}
    else:
        assert api("lead", "add", **params) == {"result": "Success", "id": 1}
    assert api("lead", "info", id=1) == info_body(1, title=title, description=description)


def test_add_with_id_updates_that_lead_silently(frozen: Flask, api: Api, events: list[Event]) -> None:
    api("lead", "add", company="Старая")
    events.clear()
    assert api("lead", "add", id=1, title="Теперь с темой", email="updated@example.com") == {
        "result": "Success",
        "id": 1,
    }
    # real server: arrayNullClean() drops the empty values, so the company stays (golden 88)
    expected = info_body(1, title="Теперь с темой", email="updated@example.com", company="Старая")
    assert api("lead", "info", id=1) == expected
    assert events == []


def test_external_ids_are_listed(frozen: Flask, api: Api) -> None:
    api.client.get(
        "/developer/v2/lead",
        query_string={
            "apikey": "VaSeZvkTfh5HMjJpNnge1W7Bloim0S",
            "login": "admin@example.com",
            "action": "add",
            "email": "ext@partner.ru",
            "uids[amo_id]": "A-1001",
            "uids[roistat]": "R-77",
        },
    )
    uids = [
        {"datum": NOW, "name": "amo_id", "value": "A-1001", "eid": 0, "clid": 0, "did": 0},
        {"datum": NOW, "name": "roistat", "value": "R-77", "eid": 0, "clid": 0, "did": 0},
    ]
    assert api("lead", "info", id=1) == info_body(1, email="ext@partner.ru", uids=uids)
    body = api("lead", "list")
    assert isinstance(body, dict)
    assert body["data"][0]["uids"] == uids


def test_user_parameters_are_ignored_and_free_method_leaves_lead_unassigned(
    frozen: Flask, api: Api, events: list[Event]
) -> None:
    api("lead", "add", login=MANAGER, email="u@example.com", iduser=2, user=MANAGER)
    assert api("lead", "info", id=1) == info_body(1, email="u@example.com")
    assert events[0].payload["iduser"] == "1"


def test_method_unknown_assigns_the_contact_owner(frozen: Flask, api: Api, events: list[Event]) -> None:
    seed_client_and_contact(frozen)
    set_module(frozen, leadMethod="unknown")
    api("lead", "add", email="laptev@vyatles.ru")
    expected = info_body(1, email="laptev@vyatles.ru", clid=1, pid=1, client="Вятский Лес, ООО", person="Лаптев Игорь")
    expected["data"].update(status=1, iduser=1, statusName="В работе", userName="Админов Иван")
    assert api("lead", "info", id=1) == expected
    assert [(e.name, e.payload) for e in events] == [
        ("lead.setuser", {"id": "1", "clid": "1", "pid": "1", "did": "0", "iduser": "1"})
    ]
    assert api("lead", "stat") == {
        "data": [
            {"login": "admin@example.com", "open": 1, "processed": 0},
            {"login": "manager@example.com", "open": 0, "processed": 0},
            {"login": "manager2@example.com", "open": 0, "processed": 0},
        ]
    }


def test_no_event_without_notifications(frozen: Flask, api: Api, events: list[Event]) -> None:
    set_module(frozen, leadSendCoordinatorNotify="no")
    api("lead", "add")
    assert events == []


# ------------------------------------------------------------------ list


def list_item(lid: int, datum: str = NOW, **fields: Any) -> dict[str, Any]:
    item: dict[str, Any] = {"id": lid, "datum": datum, "datum_do": None, "email": None, "phone": None, "site": None}
    item.update(company=None, city=None, country=None, content=None, clid=0, client=None, pid=0, person=None)
    item.update(did=0, deal=None, user=0, userName="Не определен", status=0, statusName="Открыт", rezult=None)
    item.update(rezultName="", clientpath="0", clientpathName=None, uids=[])
    item.update(fields)
    return item


def test_list_empty_is_404(api: Api) -> None:
    assert api("lead", "list") == NOT_FOUND


@pytest.fixture
def three_leads(frozen: Flask, api: Api) -> Api:
    seed_client_and_contact(frozen)
    clock = backend(frozen).clock
    api("lead", "add", email="a@example.com")
    clock.advance(dt.timedelta(seconds=1))
    api("lead", "add", email="laptev@vyatles.ru", description="Хотим")
    clock.advance(dt.timedelta(seconds=1))
    api("lead", "add", email="c@example.com", clientpath="Маркетинг")
    return api


A = list_item(1, email="a@example.com")
B = list_item(
    2,
    "2026-11-28 12:13:13",
    email="laptev@vyatles.ru",
    content="Хотим",
    clid=1,
    client="Вятский Лес, ООО",
    pid=1,
    person="Лаптев Игорь Петрович",
)
C = list_item(3, "2026-11-28 12:13:14", email="c@example.com", clientpath="2", clientpathName="Маркетинг")


@pytest.mark.parametrize(
    ("params", "items"),
    [
        ({}, [C, B, A]),
        ({"order": "id", "first": "old"}, [A, B, C]),
        ({"order": "client"}, [B, A, C]),
        ({"order": "client", "first": "old"}, [A, C, B]),
        ({"status": 0, "order": "id", "first": "old"}, [A, B, C]),
        ({"status": 1}, None),
        ({"user": "admin@example.com"}, None),
        ({"dateStart": "2026-11-28", "dateEnd": "2026-11-28"}, [C, B, A]),
        ({"dateStart": "2024-01-01", "dateEnd": "2024-12-31"}, None),
        # real server: a lone dateStart compares a two-digit year (lead.md §5)
        ({"dateStart": "2026-11-28"}, None),
        ({"dateStart": "26-11-28"}, [C, B, A]),
        ({"dateEnd": "2030-01-01"}, None),
        ({"offset": 1}, None),
    ],
)
def test_list_filters_and_order(three_leads: Api, params: dict[str, Any], items: list[Any] | None) -> None:
    assert three_leads("lead", "list", **params) == ({"data": items} if items else NOT_FOUND)


def test_list_unknown_order_column_is_a_sql_fatal(three_leads: Api) -> None:
    root = "/var/www/salesman/vendor/colshrapnel/safemysql/safemysql.class.php"
    assert three_leads.raw("lead", "list", order="nope").decode() == (
        "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: Unknown column 'nope' in 'ORDER BY' "
        f"in {root}:466\nStack trace:\n#0 {{main}}\n  thrown in <b>{root}</b> on line <b>466</b><br />\n"
    )


# ------------------------------------------------------------------ stat


def test_stat_lists_active_operators(api: Api) -> None:
    assert api("lead", "stat") == STAT_ZERO
    assert api("lead", "stat", dateStart="2000-01-01", dateEnd="2100-12-31") == STAT_ZERO


def test_stat_counts_processed_by_processing_date(frozen: Flask, api: Api) -> None:
    api("lead", "add")
    account(frozen).table("leads").update(1, {"iduser": 3, "status": 2, "datum_do": "2026-11-28 15:00:00"})
    expected = json.loads(json.dumps(STAT_ZERO))
    expected["data"][2]["processed"] = 1
    assert api("lead", "stat") == expected
    assert api("lead", "stat", dateStart="2026-11-29", dateEnd="2026-11-30") == STAT_ZERO


def test_stat_without_the_module_is_a_sql_fatal(app: Flask, api: Api) -> None:
    account(app).modules = [m for m in account(app).modules if m["mpath"] != "leads"]
    text = api.raw("lead", "stat").decode()
    assert text.startswith(
        "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: You have an error in your SQL syntax; "
    )
    assert "near ') and identity = '1'' at line 1" in text
