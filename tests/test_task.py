"""Method `task` (reminders): whole bodies as the real server answers them (task.md, golden 08-task)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flask import Flask

from mockcrm.backend import Account, Backend
from mockcrm.events import Event
from tests.conftest import APIKEY, MANAGER, MANAGER2, Api, task_record

ADMIN_LOGIN = "admin@example.com"
MISSING_TID = {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - tid напоминания"}}
NOT_FOUND = {"result": "Error", "error": {"code": 403, "text": "Напоминание не найдено."}}
INFO_NOT_FOUND = {
    "result": "Error",
    "error": {
        "code": "403",
        "text": "Напоминание с указанным id не найдено в пределах аккаунта указанного пользователя.",
    },
}
TIPS = [
    {"title": "Первичный звонок", "color": "#009900", "filter": "all"},
    {"title": "Факс", "color": "#cc00cc", "filter": "activ"},
    {"title": "Встреча", "color": "#ffcc00", "filter": "all"},
    {"title": "Задача", "color": "#ff6600", "filter": "all"},
    {"title": "Предложение", "color": "#66ccff", "filter": "activ"},
    {"title": "Событие", "color": "#666699", "filter": "activ"},
    {"title": "исх.Почта", "color": "#cccc00", "filter": "all"},
    {"title": "вх.Звонок", "color": "#99cc00", "filter": "all"},
    {"title": "вх.Почта", "color": "#cc3300", "filter": "all"},
    {"title": "Поздравление", "color": "#009999", "filter": "task"},
    {"title": "исх.2.Звонок", "color": "#339966", "filter": "all"},
    {"title": "Отправка КП", "color": "#ff0000", "filter": "all"},
]


def backend(app: Flask) -> Backend:
    b: Backend = app.extensions["mockcrm"]
    return b


def account(app: Flask) -> Account:
    return backend(app).accounts[1]


@pytest.fixture(autouse=True)
def world(app: Flask) -> None:
    """A frozen clock, client 1 (no main contact) with contacts 1-2, client 2 of the manager, deal 1."""
    backend(app).clock.freeze(dt.datetime(2026, 11, 28, 12, 13, 6))
    acc = account(app)
    acc.table("clientcat", "clid").insert({"clid": 1, "title": "Сибирский Хлеб, ООО", "pid": 0, "iduser": 1})
    acc.table("clientcat", "clid").insert({"clid": 2, "title": "Томская Мука, ООО", "pid": 0, "iduser": 2})
    acc.table("personcat", "pid").insert({"pid": 1, "person": "Федоров Максим Олегович", "clid": 1})
    acc.table("personcat", "pid").insert({"pid": 2, "person": "Егорова Наталья", "clid": 1})
    acc.table("dogovor", "did").insert({"did": 1, "title": "СД2: Поставка муки", "clid": 1})


@pytest.fixture
def events(app: Flask) -> list[Event]:
    seen: list[Event] = []
    backend(app).events.subscribe("*", seen.append)
    return seen


def add(api: Api, login: str = "admin@example.com", **params: object) -> Any:
    base: dict[str, object] = {"title": "Задача", "datum": "2031-02-10", "totime": "10:00"}
    base.update(params)
    return api("task", "add", login=login, **base)


# ------------------------------------------------------------------ static actions


def test_fields(api: Api) -> None:
    assert api("task", "fields") == {
        "data": {
            "tid": "Идентификатор напоминания",
            "datum": "Дата",
            "totime": "Время",
            "title": "Тема",
            "des": "Агенда",
            "tip": "Тип напоминания",
            "active": "Признак: выполнено,активно",
            "priority": "Важность",
            "speed": "Срочность",
            "iduser": "Ответственный",
            "autor": "Автор напоминания",
            "clid": "ID клиента",
            "pid": "ID контакта",
            "did": "ID сделки",
            "readonly": "Только для чтения",
            "day": "На весь день",
            "status": "Статус выполнения",
        }
    }


def test_json_true_action_runs_fields(api: Api) -> None:
    assert api.json("task", {"action": True}) == api("task", "fields")


def test_unknown_action_has_no_result_key(api: Api) -> None:
    assert api("task", "frobnicate") == {"error": {"code": 402, "text": "Неизвестный метод"}}


def test_tips_grow_with_unknown_types(api: Api) -> None:
    assert api("task", "tips") == {"data": TIPS}
    assert add(api, tip="Отправка образцов") == {"result": "Успешно", "data": 1}
    assert add(api, tip="встреча") == {"result": "Успешно", "data": 2}  # known, case-insensitively
    assert api("task", "tips") == {"data": [*TIPS, {"title": "Отправка образцов", "color": None, "filter": "all"}]}


# ------------------------------------------------------------------ add / info


def test_add_full_then_info(api: Api, events: list[Event]) -> None:
    body = add(
        api,
        title="Позвонить по договору",
        des="Уточнить объемы",
        totime="10:30",
        tip="Первичный звонок",
        clid=1,
        pid="1,2",
        did=1,
        priority=2,
        speed=1,
        readonly="yes",
        day="no",
    )
    assert body == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1) == {
        "data": task_record(
            1,
            totime="10:30",
            title="Позвонить по договору",
            des="Уточнить объемы",
            tip="Первичный звонок",
            priority="2",
            speed="1",
            clid=1,
            client="Сибирский Хлеб, ООО",
            person=[{"pid": 1, "person": "Федоров Максим"}, {"pid": 2, "person": "Егорова Наталья"}],
            did=1,
            dogovor="СД2: Поставка муки",
            readonly="yes",
            day="no",
        )
    }
    assert [(e.name, e.payload) for e in events] == [("task.add", {"id": 1, "autor": 1})]


def test_add_defaults_come_from_the_account_clock(api: Api) -> None:
    assert api("task", "add", title="Сделать сегодня") == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1) == {
        "data": task_record(
            1, datum="2026-11-28", totime="13:13", title="Сделать сегодня", person=[{"pid": 0, "person": ""}]
        )
    }


@pytest.mark.parametrize(
    ("params", "stored"),
    [
        ({"tip": ""}, {"tip": "Задача"}),
        ({"datum": "31.02.2031", "totime": "25:61"}, {"datum": "0000-00-00", "totime": "00:00"}),
        ({"totime": "9:5"}, {"totime": "09:05"}),
        (
            {"title": 'Обсудить "условия" O\'Brien', "des": "<b>важно</b>"},
            {"title": "Обсудить ”условия” O&acute;Brien", "des": "важно"},
        ),
        ({"autor": "2"}, {"autor": 2, "autorlogin": MANAGER}),
        ({"autor": ADMIN_LOGIN}, {}),
        ({"readonly": "0"}, {}),
        # MariaDB: VARCHAR cut, utf8mb3, ALLOW_INVALID_DATES, INT clamp, packed dates (goldens 41, 46)
        ({"title": "т" * 260}, {"title": "т" * 250}),
        ({"title": "Звонок 📞", "readonly": "yesno"}, {"title": "Звонок ????", "readonly": "yes"}),
        ({"datum": "2031-02-30"}, {"datum": "2031-02-30"}),
        ({"datum": "20310906", "totime": "123456"}, {"datum": "2031-09-06", "totime": "12:34"}),
        ({"priority": "99999999999"}, {"priority": "2147483647"}),
    ],
)
def test_add_stores_like_mariadb(api: Api, params: dict[str, Any], stored: dict[str, Any]) -> None:
    assert add(api, **params) == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1) == {"data": task_record(1, person=[{"pid": 0, "person": ""}], **stored)}


def test_add_json_removes_quotes_and_joins_pid_array(api: Api) -> None:
    body: dict[str, object] = {
        "action": "add",
        "title": 'Обсудить "условия" O\'Brien',
        "datum": "2031-02-10",
        "totime": "10:00",
        "pid": [1, 2],
    }
    assert api.json("task", body) == {"result": "Успешно", "data": 1}
    info = api("task", "info", id=1)
    assert info == {
        "data": task_record(
            1,
            title="Обсудить условия OBrien",
            person=[{"pid": 1, "person": "Федоров Максим"}, {"pid": 2, "person": "Егорова Наталья"}],
        )
    }


def test_add_for_another_user_records_the_author(api: Api) -> None:
    assert add(api, user=MANAGER, clid=2) == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1, login=MANAGER2) == {
        "data": task_record(
            1,
            iduser=2,
            user=MANAGER,
            autor=1,
            autorlogin=ADMIN_LOGIN,
            clid=2,
            client="Томская Мука, ООО",
            person=[{"pid": 0, "person": ""}],
        )
    }


@pytest.mark.parametrize("params", [{}, {"title": ""}, {"title": "   "}])
def test_add_without_title(api: Api, params: dict[str, Any]) -> None:
    body = api("task", "add", datum="2031-02-10", **params)
    assert body == {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - Заголовок"}}


def test_add_for_unknown_login_is_a_php_fatal(api: Api) -> None:
    raw = api.raw("task", "add", title="Никому", user="ghost@example.com").decode()
    assert raw.startswith(
        "<br />\n<b>Fatal error</b>:  Uncaught TypeError: implode(): Argument #1 ($array) must be of type array, "
        "string given in "
    )
    assert "developer/v2/task.php:566\nStack trace:" in raw


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - id напоминания"}}),
        ({"tid": 1}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - id напоминания"}}),
        ({"id": 999}, INFO_NOT_FOUND),
        ({"id": "abc"}, INFO_NOT_FOUND),
    ],
)
def test_info_errors(api: Api, params: dict[str, Any], body: dict[str, Any]) -> None:
    add(api)
    assert api("task", "info", **params) == body


# ------------------------------------------------------------------ update


def test_update_is_a_full_overwrite(api: Api, events: list[Event]) -> None:
    add(api, des="Агенда", clid=1, pid="1", did=1, priority=2, day="yes", tip="Встреча")
    assert api("task", "update", id=1, title="Перенос", datum="2031-02-20") == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1) == {
        "data": task_record(
            1,
            datum="2031-02-20",
            title="Перенос",
            des="",
            tip="Встреча",
            clid=1,
            client="Сибирский Хлеб, ООО",
            person=[{"pid": 0, "person": ""}],
            did=1,
            dogovor="СД2: Поставка муки",
            day="",
        )
    }
    assert [(e.name, e.payload) for e in events][-1] == ("task.edit", {"id": 1, "autor": 0})


def test_update_gives_the_task_to_the_caller(api: Api, events: list[Event]) -> None:
    add(api, login=MANAGER)
    assert api("task", "update", id=1, user=MANAGER, login=MANAGER2) == {"result": "Успешно", "data": 1}
    assert api("task", "info", id=1) == {
        "data": task_record(
            1, iduser=3, user=MANAGER2, autor=3, autorlogin=MANAGER2, des="", day="", person=[{"pid": 0, "person": ""}]
        )
    }
    assert (events[-1].name, events[-1].payload) == ("task.edit", {"id": 1, "autor": 0})


def test_update_reopens_and_creates_types(api: Api) -> None:
    add(api)
    api("task", "update", id=1, active="no")
    assert api("task", "info", id=1)["data"]["active"] == "no"  # type: ignore[index]
    api("task", "update", id=1, tip="Дегустация")
    assert api("task", "info", id=1)["data"]["active"] == "yes"  # type: ignore[index]
    assert api("task", "tips")["data"][-1] == {"title": "Дегустация", "color": None, "filter": "all"}  # type: ignore[index]


@pytest.mark.parametrize(
    ("params", "body"),
    [({"id": 999}, NOT_FOUND), ({}, MISSING_TID), ({"id": "abc"}, MISSING_TID), ({"id": 0}, MISSING_TID)],
)
def test_update_errors(api: Api, params: dict[str, Any], body: dict[str, Any]) -> None:
    add(api)
    assert api("task", "update", title="x", **params) == body


# ------------------------------------------------------------------ list


def _seed_list(api: Api) -> None:
    add(api, title="Первая", datum="2031-02-20")
    add(api, title="вторая", datum="2031-02-11", clid=1)
    add(api, title="Третья", datum="2031-02-18", user=MANAGER, clid=2)
    add(api, title="Четвертая", datum="2031-02-18", totime="11:00", des="объемы")
    api("task", "doit", id=4)
    api("task", "add", title="Сегодня")


def test_list_defaults_to_today_and_has_no_count(api: Api) -> None:
    _seed_list(api)
    assert api("task", "list") == {"data": [task_record(5, datum="2026-11-28", totime="13:13", title="Сегодня")]}


def test_list_range_orders_by_datum_desc_ties_by_tid(api: Api) -> None:
    _seed_list(api)
    body = api("task", "list", dateStart="2031-02-01", dateEnd="2031-02-28")
    assert [r["tid"] for r in body["data"]] == ["1", "3", "4", "2"]  # type: ignore[index]


@pytest.mark.parametrize(
    ("params", "tids"),
    [
        ({"order": "tid", "first": "old"}, ["1", "2", "3", "4"]),
        ({"order": "title", "first": "old"}, ["2", "1", "3", "4"]),
        ({"active": "no", "order": "tid"}, ["4", "3", "2", "1"]),  # golden: `active` does not filter
        ({"status": 2, "order": "tid"}, ["4", "3", "2", "1"]),  # the status condition is discarded
        ({"active": "1"}, []),
        ({"word": "ОБЪЕМЫ"}, ["4"]),
        ({"word": "втор"}, ["2"]),
        ({"tip": "Звонок"}, ["1", "3", "4", "2"]),  # only a field name would filter
        ({"user": MANAGER}, ["3"]),
        ({"user": "ghost@example.com"}, []),
        ({"clid": 1}, ["2"]),
        ({"clid": "2abc"}, ["3"]),
        ({"offset": 1}, []),
        ({"dateStart": "2031-02-15", "dateEnd": ""}, []),  # the end defaults to today
    ],
)
def test_list_filters(api: Api, params: dict[str, Any], tids: list[str]) -> None:
    _seed_list(api)
    body = api("task", "list", **{"dateStart": "2031-02-01", "dateEnd": "2031-02-28", **params})
    if not tids:
        assert body == []
    else:
        assert [r["tid"] for r in body["data"]] == tids  # type: ignore[index]


def test_list_sees_only_visible_users(api: Api) -> None:
    _seed_list(api)
    body = api("task", "list", login=MANAGER, dateStart="2031-02-01", dateEnd="2031-02-28")
    assert body == {
        "data": [
            task_record(
                3,
                datum="2031-02-18",
                title="Третья",
                iduser=2,
                user=MANAGER,
                autor=1,
                autorlogin=ADMIN_LOGIN,
                clid=2,
                client="Томская Мука, ООО",
            )
        ]
    }


def test_list_unknown_order_column_is_a_sql_fatal(api: Api) -> None:
    raw = api.raw("task", "list", order="nope").decode()
    assert "Uncaught mysqli_sql_exception: Unknown column 'nope' in 'ORDER BY'" in raw


# ------------------------------------------------------------------ doit / delete / history


def test_doit_writes_history(api: Api, events: list[Event]) -> None:
    add(api, clid=1, did=1, pid="2", tip="Встреча")
    assert api("task", "doit", id=1) == {
        "result": "Успешно",
        "data": 1,
        "message": "Добавлена Активность",
        "historyID": 1,
    }
    assert api("task", "doit", id=1, description="<i>Повторно</i>", status=2, tip="исх.Почта") == {
        "result": "Успешно",
        "data": 1,
        "message": "Добавлена Активность",
        "historyID": 2,
    }
    info = api("task", "info", id=1)
    assert info["data"]["active"] == "no" and info["data"]["status"] == "2"  # type: ignore[index]
    assert api("history", "info", id=2) == {
        "data": {
            "cid": 2,
            "datum": "2026-11-28 12:13:06",
            "content": "Повторно",
            "tip": "исх.Почта",
            "iduser": 1,
            "user": ADMIN_LOGIN,
            "clid": 1,
            "client": "Сибирский Хлеб, ООО",
            "person": [{"pid": 2, "person": "Егорова Наталья"}],
            "did": 1,
            "dogovor": "СД2: Поставка муки",
        }
    }
    assert api("history", "info", id=1)["data"]["content"] == "Выполнено напоминание"  # type: ignore[index]
    assert account_last_hist(api) == "2026-11-28 12:13:06"
    assert [(e.name, e.payload) for e in events][1:] == [("task.doit", {"id": 1, "autor": 1})] * 2


def account_last_hist(api: Api) -> Any:
    app: Flask = api.client.application
    return account(app).table("clientcat", "clid").get(1)["last_hist"]  # type: ignore[index]


@pytest.mark.parametrize(("params", "body"), [({"id": 999}, NOT_FOUND), ({}, MISSING_TID)])
def test_doit_errors(api: Api, params: dict[str, Any], body: dict[str, Any]) -> None:
    assert api("task", "doit", **params) == body


def test_doit_has_no_visibility_check(api: Api) -> None:
    add(api)
    body = api("task", "doit", id=1, login=MANAGER2)
    assert body == {"result": "Успешно", "data": 1, "message": "Добавлена Активность", "historyID": 1}


@pytest.mark.parametrize(
    ("login", "params", "body"),
    [
        (ADMIN_LOGIN, {"id": 2}, {"result": "Успешно", "data": 2, "message": "Запись удалена"}),
        (MANAGER, {"id": 2}, {"result": "Успешно", "data": 2, "message": "Запись удалена"}),
        (MANAGER, {"id": 1}, NOT_FOUND),
        (MANAGER2, {"id": 2}, NOT_FOUND),
        (ADMIN_LOGIN, {"id": 9}, NOT_FOUND),
        (ADMIN_LOGIN, {}, MISSING_TID),
    ],
)
def test_delete(api: Api, login: str, params: dict[str, Any], body: dict[str, Any]) -> None:
    add(api)
    add(api, login=MANAGER)
    assert api("task", "delete", login=login, **params) == body


def test_delete_then_info(api: Api) -> None:
    add(api)
    api("task", "delete", id=1)
    assert api("task", "info", id=1) == INFO_NOT_FOUND
    assert api("task", "delete", id=1) == NOT_FOUND


def test_history_action(api: Api) -> None:
    assert api("task", "history", clid=1, content="Дегустация", tip="Встреча", datum="2031-02-21") == {
        "result": "Успешно",
        "data": 1,
    }
    assert api("task", "history", pid="1, 2", content="Письмо", tip="исх.Почта", datum="2031-02-22") == {
        "result": "Успешно",
        "data": 2,
    }
    info = api("history", "info", id=2)["data"]  # type: ignore[index]
    assert (info["datum"], info["person"]) == ("2031-02-22 12:13:00", [{"pid": 1, "person": "Федоров Максим"}])


@pytest.mark.parametrize("params", [{"clid": 1, "tip": "Встреча"}, {"content": "Без привязки"}])
def test_history_action_missing_params_still_creates_the_type(api: Api, params: dict[str, Any]) -> None:
    assert api("task", "history", **params) == {
        "result": "Error",
        "error": {"code": 405, "text": "Отсутствуют параметры"},
    }
    extra = [] if "tip" in params else [{"title": "", "color": None, "filter": "all"}]
    assert api("task", "tips") == {"data": TIPS + extra}


def json_raw(api: Api, body: dict[str, object]) -> str:
    """A JSON-transport call whose answer may be a PHP fatal page rather than JSON."""
    r = api.client.post(
        "/developer/v2/task",
        data=json.dumps(body),
        headers={"Content-Type": "application/json", "apikey": APIKEY, "login": ADMIN_LOGIN},
    )
    return r.data.decode()


def test_array_title_is_a_strip_tags_fatal(api: Api) -> None:
    raw = json_raw(api, {"action": "add", "title": ["a"], "datum": "2031-03-09"})
    assert "strip_tags(): Argument #1 ($string) must be of type string, array given" in raw
    assert api("task", "info", id=1) == INFO_NOT_FOUND


@pytest.mark.parametrize(
    ("body", "near"),
    [
        ({"action": "info", "id": "1'"}, "near '1'' at line 1"),
        ({"action": "list", "user": "a'b"}, "near 'b' AND identity = '1'' at line 1"),
        ({"action": "list", "clid": "1'"}, "near '1' ORDER BY datum DESC LIMIT 0,200' at line 1"),
    ],
)
def test_raw_quote_from_json_breaks_the_sql(api: Api, body: dict[str, object], near: str) -> None:
    add(api)
    raw = json_raw(api, body)
    assert "mysqli_sql_exception: You have an error in your SQL syntax" in raw
    assert near in raw


@pytest.mark.parametrize(("offset", "fatal"), [("abc", "string * int"), (["1"], "array * int")])
def test_non_numeric_offset_is_a_type_error(api: Api, offset: object, fatal: str) -> None:
    raw = json_raw(api, {"action": "list", "offset": offset})
    assert f"Unsupported operand types: {fatal}" in raw
