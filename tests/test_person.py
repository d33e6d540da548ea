"""Method `person` (contacts): whole bodies as the real server answers them (person.md, golden 04-person)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from mockcrm.backend import Account, Backend
from mockcrm.events import Event
from tests.conftest import APIKEY, MANAGER, MANAGER2, Api

ADMIN = "admin@example.com"
NOW = "2026-11-28 12:18:48"
ADDED = {"result": "Контакт добавлен", "data": 1, "error": ""}
NOT_ADDED = {"result": "", "data": 0, "error": ""}
SOCIAL_NAMES = {
    "blog": "Блог",
    "mysite": "Сайт",
    "twitter": "Twitter",
    "icq": "ICQ",
    "skype": "Skype",
    "google": "Google",
    "yandex": "Я.ru",
    "mykrug": "Мой круг",
}
NO_SOCIALS = {"blog": "", "mysite": None, "twitter": None, "icq": None}
NO_SOCIALS |= {"skype": None, "google": None, "yandex": None, "mykrug": None}
EMPTY_INFO = {
    "pid": None,
    "date_create": None,
    "date_edit": None,
    "clid": None,
    "client": "",
    "ptitle": None,
    "person": None,
    "tel": None,
    "fax": None,
    "mob": None,
    "mail": None,
    "iduser": "",
    "input7": None,
}
FATAL = "<br />\n<b>Fatal error</b>:  Uncaught "


def backend(app: Flask) -> Backend:
    b: Backend = app.extensions["mockcrm"]
    return b


def account(app: Flask) -> Account:
    return backend(app).accounts[1]


def tick(app: Flask, seconds: int = 1) -> None:
    backend(app).clock.advance(dt.timedelta(seconds=seconds))


@pytest.fixture(autouse=True)
def world(app: Flask) -> None:
    """A frozen clock; client 1 of the admin and client 2 of the manager, no contacts yet."""
    backend(app).clock.freeze(dt.datetime(2026, 11, 28, 12, 18, 48))
    clients = account(app).table("clientcat", "clid")
    clients.insert({"clid": 1, "title": "Альфа-Пермь, ООО", "pid": 0, "iduser": 1})
    clients.insert({"clid": 2, "title": "Бета-Урал, ООО", "pid": 0, "iduser": 2})


@pytest.fixture
def events(app: Flask) -> list[Event]:
    seen: list[Event] = []
    backend(app).events.subscribe("*", seen.append)
    return seen


def fired(events: list[Event]) -> list[tuple[str, dict[str, Any]]]:
    return [(e.name, e.payload) for e in events]


def info(pid: int, **over: Any) -> dict[str, Any]:
    """The default-fields info record of a contact added at NOW by the admin for client 1."""
    out: dict[str, Any] = {
        "pid": pid,
        "date_create": NOW,
        "date_edit": None,
        "clid": 1,
        "client": "Альфа-Пермь, ООО",
        "ptitle": None,
        "person": "Петров Петр",
        "tel": None,
        "fax": None,
        "mob": None,
        "mail": None,
        "iduser": ADMIN,
        "input7": None,
    }
    out.update(over)
    return out


def add(api: Api, login: str = ADMIN, **params: object) -> Any:
    base: dict[str, object] = {"person": "Петров Петр", "clid": 1}
    base.update(params)
    return api("person", "add", login=login, **base)


# ------------------------------------------------------------------ protocol


def test_fields(api: Api) -> None:
    assert api("person", "fields") == {
        "data": {
            "pid": "Уникальный идентификатор записи контакта",
            "date_create": "Дата создания. Timestamp",
            "date_edit": "Дата последнего изменения. Timestamp",
            "clid": "Клиент",
            "ptitle": "Должность",
            "person": "Ф.И.О.",
            "tel": "Тел.",
            "fax": "Факс",
            "mob": "Моб.",
            "mail": "Почта",
            "iduser": "Куратор",
            "input7": "Добавочный",
            "social": SOCIAL_NAMES,
        }
    }


def test_json_true_action_runs_fields(api: Api) -> None:
    assert api.json("person", {"action": True}) == api("person", "fields")


@pytest.mark.parametrize("action", ["frobnicate", "addlist", "Fields"])
def test_unknown_action_is_402_without_result(api: Api, action: str) -> None:
    assert api("person", action) == {"error": {"code": 402, "text": "Неизвестный метод"}}


def test_fields_param_as_array_crashes_before_any_action(api: Api) -> None:
    page = api.raw("person", "fields", **{"fields[]": "pid"}).decode()
    assert page.startswith(
        FATAL + "TypeError: yexplode(): Argument #2 ($str) must be of type ?string, array given, called in "
    )
    assert "/developer/v2/person.php on line 207 and defined in " in page


def test_json_string_body_crashes(client: FlaskClient) -> None:
    r = client.post(
        "/developer/v2/person",
        data='"abc"',
        headers={"Content-Type": "application/json", "apikey": APIKEY, "login": ADMIN},
    )
    assert (
        r.data.decode().startswith(FATAL + "TypeError: Cannot access offset of type string on string in ")
        and "/developer/v2/person.php:170\n" in r.data.decode()
    )


# ------------------------------------------------------------------ add / info


def test_add_then_info(api: Api, events: list[Event]) -> None:
    assert add(api, ptitle="Директор", tel="+7 (342) 211-11-11", input7="101") == ADDED
    assert api("person", "info", pid=1) == {"data": info(1, ptitle="Директор", tel="+7 (342) 211-11-11", input7="101")}
    assert fired(events) == [("person.add", {"pid": 1, "autor": 1})]


@pytest.mark.parametrize(
    "params",
    [{"ptitle": "Без имени"}, {"person": ""}, {"person": "   "}],
    ids=["no-person", "empty", "spaces"],
)
def test_add_without_name_inserts_nothing_and_reports_no_error(
    api: Api, events: list[Event], params: dict[str, object]
) -> None:
    assert api("person", "add", **params) == NOT_ADDED
    assert api("person", "list") == {"count": 0}
    assert events == []


@pytest.mark.parametrize(
    ("transport", "name", "stored"),
    [
        ("get", 'Д\'Артаньян "Шарль"', "Д&acute;Артаньян ”Шарль”"),
        ("json", 'О\'Коннор "Шон"', "О'Коннор ”Шон”"),
        ("get", "Смайлов 😀 Иван", "Смайлов ???? Иван"),
    ],
)
def test_add_stores_names_like_the_real_server(api: Api, transport: str, name: str, stored: str) -> None:
    if transport == "json":
        assert api.json("person", {"action": "add", "person": name}) == ADDED
    else:
        assert api("person", "add", person=name) == ADDED
    assert api("person", "info", pid=1, fields="person") == {"data": {"person": stored}}


def test_add_array_name_is_joined(api: Api) -> None:
    assert api.json("person", {"action": "add", "person": ["Массив", "Имен"], "ptitle": " x "}) == ADDED
    assert api("person", "info", pid=1, fields="person,ptitle") == {"data": {"person": "Массив, Имен", "ptitle": "x"}}


@pytest.mark.parametrize(
    ("params", "owner"),
    [
        ({}, ADMIN),
        ({"user": MANAGER}, MANAGER),
        ({"iduser": 3}, MANAGER2),
        ({"user": "ghost@example.com"}, ""),
    ],
)
def test_add_owner(api: Api, params: dict[str, object], owner: str) -> None:
    assert add(api, **params) == ADDED
    assert api("person", "info", pid=1, fields="iduser") == {"data": {"iduser": owner}}


def test_add_as_manager_owns_the_contact(api: Api, events: list[Event]) -> None:
    assert add(api, login=MANAGER, clid=2) == ADDED
    assert api("person", "list", login=MANAGER, fields="pid,iduser") == {
        "data": [{"pid": 1, "user": MANAGER, "iduser": 2}],
        "count": 1,
    }
    assert fired(events) == [("person.add", {"pid": 1, "autor": 2})]


def test_add_socials_nested_and_flat(api: Api) -> None:
    assert add(api, **{"socials[blog]": "volkov.blog", "socials[skype]": "volkov.d"}) == ADDED
    assert add(api, person="Зайцева", skype="zaytseva", icq="123456") == {**ADDED, "data": 2}
    assert add(api, person="Без соцсетей") == {**ADDED, "data": 3}
    body = api("person", "list", fields="pid", order="pid", first="old", socinfo="yes")
    assert body == {
        "data": [
            {"pid": 1, "socials": {**dict.fromkeys(SOCIAL_NAMES, ""), "blog": "volkov.blog", "skype": "volkov.d"}},
            {"pid": 2, "socials": {**dict.fromkeys(SOCIAL_NAMES, ""), "icq": "123456", "skype": "zaytseva"}},
            {"pid": 3, "socials": NO_SOCIALS},
        ],
        "count": 3,
    }


def test_add_loyalty_and_clientpath_are_raw_casts(api: Api, app: Flask) -> None:
    assert add(api, loyalty="4 - Очень Лояльный", clientpath="Рекомендации клиентов") == ADDED
    assert add(api, person="Лебедева", loyalty=3, clientpath=5) == {**ADDED, "data": 2}
    assert add(api, person="Без канала") == {**ADDED, "data": 3}
    rows = account(app).table("personcat", "pid").rows
    assert [(r["loyalty"], r["clientpath"]) for r in rows.values()] == [(4, 0), (3, 5), (0, 2)]
    assert api("person", "list", fields="pid", **{"filter[loyalty]": "4 - Очень Лояльный"}) == {
        "data": [{"pid": 2}],
        "count": 1,
    }


def test_add_mperson_sets_the_main_contact(api: Api, app: Flask) -> None:
    assert add(api, clid=2, mperson="yes") == ADDED
    assert account(app).table("clientcat", "clid").rows[2]["pid"] == 1


def test_add_with_did_appends_to_the_deal_and_resets_its_main_contact(
    api: Api, app: Flask, events: list[Event]
) -> None:
    account(app).table("dogovor", "did").insert({"did": 1, "clid": 1, "pid": 7, "pid_list": "7"})
    assert add(api, did=1) == ADDED
    deal = account(app).table("dogovor", "did").rows[1]
    assert (deal["pid"], deal["pid_list"]) == (0, "7;1")
    assert fired(events) == [
        ("person.add", {"pid": 1, "autor": 1}),
        ("deal.edit", {"did": 1, "autor": 1, "newparam": {"pid_list": "7;1"}}),
    ]


# ------------------------------------------------------------------ info


@pytest.mark.parametrize("pid", ["999", "abc", None])
def test_info_unknown_gives_an_empty_record(api: Api, pid: str | None) -> None:
    params = {} if pid is None else {"pid": pid}
    assert api("person", "info", **params) == {"data": EMPTY_INFO}


def test_info_has_no_visibility_check_and_keeps_caller_field_order(api: Api) -> None:
    assert add(api, mail="p@alfa.ru") == ADDED
    assert api("person", "info", login=MANAGER2, pid=1, fields="person,mail,clid,iduser") == {
        "data": {"person": "Петров Петр", "mail": "p@alfa.ru", "clid": 1, "client": "Альфа-Пермь, ООО", "iduser": ADMIN}
    }


def test_info_fields_matching_nothing_is_a_bare_array(api: Api) -> None:
    assert add(api) == ADDED
    assert api("person", "info", pid=1, fields="loyalty,nope") == []


# ------------------------------------------------------------------ add.list


def test_add_list_reads_raw_request_persons(api: Api, events: list[Event]) -> None:
    body = api(
        "person",
        "add.list",
        **{
            "persons[0][person]": 'Пакетный "Первый"',
            "persons[0][clid]": "1",
            "persons[1][person]": "Пакетный Второй",
            "persons[1][user]": MANAGER,
            "persons[2][ptitle]": "Без имени",
        },
    )
    assert body == [{**ADDED, "data": 1}, {**ADDED, "data": 2}, NOT_ADDED]
    assert api("person", "list", fields="pid,person,iduser", order="pid", first="old") == {
        "data": [
            {"pid": 1, "person": "Пакетный ”Первый”", "user": ADMIN, "iduser": 1},
            {"pid": 2, "person": "Пакетный Второй", "user": MANAGER, "iduser": 2},
        ],
        "count": 2,
    }
    assert [e.name for e in events] == ["person.add", "person.add"]


@pytest.mark.parametrize("body", [{"persons": [{"person": "Пакетный JSON"}]}, {}])
def test_add_list_ignores_a_json_body(api: Api, body: dict[str, object]) -> None:
    assert api.json("person", {"action": "add.list", **body}) == []


# ------------------------------------------------------------------ update


def test_update_is_a_full_replace(api: Api, app: Flask, events: list[Event]) -> None:
    assert add(api, ptitle="Директор", tel="+7 (342) 211-11-11", fax="211-11-12", input7="101") == ADDED
    tick(app)
    params = {"pid": 1, "person": "Петров Петр", "ptitle": "Генеральный директор", "iduser": 1, "clid": 1}
    params |= {"tel": "+7 (342) 211-11-11", "input7": "102"}
    assert api("person", "update", **params) == {"result": "Данные контакта обновлены", "data": 1, "error": ""}
    assert api("person", "info", pid=1) == {
        "data": info(1, date_edit="2026-11-28 12:18:49", ptitle="Генеральный директор", tel="+7 (342) 211-11-11")
        | {"fax": "", "mob": "", "mail": "", "input7": "102"}
    }
    newparam = {"ptitle": "Генеральный директор", "input7": "102", "fax": "", "date_edit": "2026-11-28 12:18:49"}
    assert fired(events)[1:] == [("person.edit", {"pid": 1, "autor": 1, "newparam": newparam | {"editor": 1}})]
    history = list(account(app).table("history", "cid"))
    assert [(h["tip"], h["pid"], h["clid"], h["iduser"]) for h in history] == [("ЛогCRM", "1", 1, 1)]


def test_update_in_the_same_second_without_changes_does_nothing(api: Api, events: list[Event]) -> None:
    assert add(api) == ADDED
    params = {"pid": 1, "person": "Петров Петр", "iduser": 1}
    assert api("person", "update", **params) == {"result": "Данные контакта обновлены", "data": 1, "error": ""}
    assert api("person", "update", **params) == {"result": "", "data": 1, "error": ""}
    assert [e.name for e in events] == ["person.add", "person.edit"]


def test_update_without_iduser_hides_the_contact(api: Api, app: Flask, events: list[Event]) -> None:
    assert add(api, ptitle="Бухгалтер") == ADDED
    tick(app)
    assert api("person", "update", pid=1, ptitle="Финансовый директор") == {
        "result": "Данные контакта обновлены",
        "data": 1,
        "error": "",
    }
    # the name was cleared: info no longer finds it; the NULL owner drops it from every list
    assert api("person", "info", pid=1) == {"data": EMPTY_INFO}
    assert api("person", "list") == {"count": 0}
    newparam = {"person": "", "ptitle": "Финансовый директор", "iduser": None, "date_edit": "2026-11-28 12:18:49"}
    assert events[-1].payload == {"pid": 1, "autor": 1, "newparam": newparam | {"editor": 1}}


def test_update_unknown_pid_succeeds_and_logs(api: Api, app: Flask, events: list[Event]) -> None:
    assert api("person", "update", pid=999, person="Призрак", iduser=1) == {
        "result": "Данные контакта обновлены",
        "data": 999,
        "error": "",
    }
    newparam = {"person": "Призрак", "iduser": "1", "clientpath": 2, "date_edit": NOW, "editor": 1}
    assert fired(events) == [("person.edit", {"pid": 999, "autor": 1, "newparam": newparam})]
    assert api("person", "list") == {"count": 0}


def test_update_socials_from_top_level_keys_only(api: Api, app: Flask) -> None:
    assert add(api, blog="old.blog", icq="1") == ADDED
    tick(app)
    api("person", "update", pid=1, person="Петров Петр", iduser=1, skype="new", **{"socials[blog]": "ignored"})
    assert api("person", "info", pid=1, fields="pid", socinfo="yes") == {
        "data": {"pid": 1, "socials": {**dict.fromkeys(SOCIAL_NAMES, ""), "skype": "new"}}
    }


def test_update_without_clid_keeps_the_client(api: Api, app: Flask) -> None:
    assert add(api, clid=2) == ADDED
    tick(app)
    api("person", "update", pid=1, person="Петров П.", iduser=1)
    assert api("person", "info", pid=1, fields="clid,person") == {
        "data": {"clid": 2, "client": "Бета-Урал, ООО", "person": "Петров П."}
    }


# ------------------------------------------------------------------ delete

DELETED = (
    "Успешно: Контакт удален. Также удалено {h} записи истории активностей. "
    "Удалено {t} записей напоминаний. Удалено 0 файлов.\n\t\t\t"
)


def deleted(pid: int, h: int = 0, t: int = 0) -> dict[str, Any]:
    return {"message": DELETED.format(h=h, t=t), "result": "Клиент удален", "data": pid}


def test_delete_counts_history_and_drops_the_contact(api: Api, app: Flask, events: list[Event]) -> None:
    assert add(api) == ADDED
    for _ in range(2):
        tick(app)
        api("person", "update", pid=1, person="Петров Петр", iduser=1, clid=1)
    assert api("person", "delete", login=MANAGER2, pid=1) == deleted(1, h=2)
    assert api("person", "info", pid=1) == {"data": EMPTY_INFO}
    # the log rows carry clid 1, so they stay, without the contact
    assert [h["pid"] for h in account(app).table("history", "cid")] == ["", ""]
    assert fired(events)[-1] == ("person.delete", {"pid": 1, "autor": 3})


@pytest.mark.parametrize("pid", [999, None])
def test_delete_unknown_reports_success_unless_a_deal_matches(api: Api, app: Flask, pid: int | None) -> None:
    params = {} if pid is None else {"pid": pid}
    assert api("person", "delete", **params) == deleted(pid or 0)
    account(app).table("dogovor", "did").insert({"did": 1, "clid": 1, "pid": pid or 0})
    assert api("person", "delete", **params) == {
        "result": "Контакт не удален",
        "error": "Внимание: К сожалению Удаление записи не возможно. Причина - Имеются связанные записи - Сделки.",
        "data": pid or 0,
    }


def test_delete_unlinks_tasks_and_history(api: Api, app: Flask) -> None:
    assert add(api) == ADDED
    acc = account(app)
    acc.table("tasks", "tid").insert({"tid": 1, "clid": 0, "did": 0, "pid": "1"})
    acc.table("tasks", "tid").insert({"tid": 2, "clid": 0, "did": 1, "pid": "1"})
    acc.add_history(des="x", pid="1;2", clid=0, did=0)
    assert api("person", "delete", pid=1) == deleted(1, h=1, t=2)
    assert [(t["tid"], t["pid"]) for t in acc.table("tasks", "tid")] == [(2, "")]
    assert [h["pid"] for h in acc.table("history", "cid")] == ["2"]


# ------------------------------------------------------------------ list


@pytest.fixture
def three(api: Api, app: Flask) -> None:
    add(api, person="Петров Петр", tel="+7 (342) 211-11-11", mail="petrov@alfa-perm.ru")
    tick(app)
    add(api, person="Сидорова Анна", ptitle="Главный бухгалтер", mob="+7 (912) 000-00-01")
    tick(app)
    add(api, login=MANAGER, person="Кузнецов Олег", clid=2)


@pytest.mark.parametrize(
    ("params", "pids"),
    [
        ({}, [3, 2, 1]),
        ({"order": "person", "first": "old"}, [3, 1, 2]),
        ({"word": "3422111111"}, [1]),
        ({"word": "9120000001"}, []),
        ({"word": "БУХГАЛТЕР"}, [2]),
        ({"dateStart": "2026-11-28 12:18:48"}, [3, 2]),
        ({"dateStart": "2026-11-28 12:18:48", "dateEnd": "2026-11-28 12:18:49"}, [2, 1]),
        ({"user": MANAGER}, [3]),
        ({"filter[clid]": "2"}, [3]),
        ({"filter[clid]": "0"}, [3, 2, 1]),
        ({"filter[uid]": "X-1"}, [3, 2, 1]),
        ({"filter[mail]": "alfa"}, [1]),
        ({"filter[input1]": ""}, []),
    ],
)
def test_list_filters(api: Api, three: None, params: dict[str, object], pids: list[int]) -> None:
    body = api("person", "list", fields="pid", **params)
    expected: dict[str, Any] = {"data": [{"pid": p} for p in pids]} if pids else {}
    assert body == expected | {"count": len(pids)}


def test_list_record_shape(api: Api, three: None) -> None:
    assert api("person", "list", user=MANAGER) == {
        "data": [
            {
                "pid": 3,
                "date_create": "2026-11-28 12:18:50",
                "date_edit": None,
                "clid": 2,
                "client": "Бета-Урал, ООО",
                "ptitle": None,
                "person": "Кузнецов Олег",
                "tel": None,
                "fax": None,
                "mob": None,
                "mail": None,
                "user": MANAGER,
                "iduser": 2,
                "input7": None,
            }
        ],
        "count": 1,
    }


def test_list_visibility_and_user_param(api: Api, three: None) -> None:
    assert api("person", "list", login=MANAGER, fields="pid") == {"data": [{"pid": 3}], "count": 1}
    assert api("person", "list", login=MANAGER, fields="pid", user=ADMIN) == {
        "data": [{"pid": 2}, {"pid": 1}],
        "count": 2,
    }


def test_list_unknown_fields_give_empty_records_and_offset_pages(api: Api, three: None) -> None:
    assert api("person", "list", fields="nope") == {"data": [[], [], []], "count": 3}
    assert api("person", "list", offset=1) == {"count": 3}


@pytest.mark.parametrize(
    ("params", "start"),
    [
        ({"filter[bogus]": "x"}, "mysqli_sql_exception: Unknown column 'bogus' in 'WHERE' in "),
        ({"order": "nope"}, "mysqli_sql_exception: Unknown column 'nope' in 'ORDER BY' in "),
        ({"offset": "abc"}, "TypeError: Unsupported operand types: string * int in "),
    ],
)
def test_list_crashes_like_the_real_server(api: Api, three: None, params: dict[str, object], start: str) -> None:
    assert api.raw("person", "list", **params).decode().startswith(FATAL + start)


def test_list_filter_clientpath_name_creates_the_source(api: Api, app: Flask) -> None:
    assert api("person", "list", **{"filter[clientpath]": "Новый канал"}) == {"count": 0}
    paths = account(app).table("clientpath")
    assert [r["name"] for r in paths][-1] == "Новый канал"


def test_json_numbers_are_accepted(api: Api) -> None:
    assert api.json("person", {"action": "add", "person": "Орлова", "clid": 2, "tel": 73422000000}) == ADDED
    body = api.json("person", {"action": "list", "fields": "pid,tel,clid", "filter": {"clid": 2}})
    assert json.dumps(body) == json.dumps(
        {"data": [{"pid": 1, "tel": "73422000000", "clid": 2, "client": "Бета-Урал, ООО"}], "count": 1}
    )


def test_update_compares_like_php8(api: Api, app: Flask, events: list[Event]) -> None:
    """null equals "" but not "0"; "1" equals 1 (person.md §9 change detection)."""
    assert add(api) == ADDED
    tick(app)
    api("person", "update", pid=1, person="Петров Петр", iduser=1, clid="1", tel="0", mob="")
    newparam = {"tel": "0", "date_edit": "2026-11-28 12:18:49", "editor": 1}
    assert events[-1].payload == {"pid": 1, "autor": 1, "newparam": newparam}


@pytest.mark.parametrize(("first", "pids"), [("", [1, 2]), ("old", [1, 2])])
def test_list_same_second_ties_keep_table_order(api: Api, first: str, pids: list[int]) -> None:
    add(api)
    add(api, person="Сидорова Анна")
    assert api("person", "list", fields="pid", first=first) == {"data": [{"pid": p} for p in pids], "count": 2}
