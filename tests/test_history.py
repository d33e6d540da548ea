"""Method `history` (activity records): whole bodies as the real server answers them
(other-methods.md §3, golden 13-guides-user-history)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from flask import Flask

from mockcrm.backend import Account, Backend
from mockcrm.events import Event
from tests.conftest import MANAGER, MANAGER2, Api

ADMIN_LOGIN = "admin@example.com"
MISSING = {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры"}}
NOT_FOUND = {
    "result": "Error",
    "error": {"code": "403", "text": "Не найдено в пределах аккаунта указанного пользователя."},
}
DELETE_NOT_FOUND = {"result": "Error", "error": {"code": 403, "text": "Запись не найдена."}}
TITLE_MISSING = {"code": 405, "text": "Отсутствуют параметры - Заголовок"}


def backend(app: Flask) -> Backend:
    b: Backend = app.extensions["mockcrm"]
    return b


def account(app: Flask) -> Account:
    return backend(app).accounts[1]


@pytest.fixture(autouse=True)
def world(app: Flask) -> None:
    backend(app).clock.freeze(dt.datetime(2026, 11, 28, 12, 14, 9))
    acc = account(app)
    acc.table("clientcat", "clid").insert({"clid": 1, "title": "Ижевский Оружейник, ООО", "pid": 0, "iduser": 1})
    acc.table("personcat", "pid").insert({"pid": 1, "person": "Калашников Михаил Тимофеевич", "clid": 1})
    acc.table("personcat", "pid").insert({"pid": 2, "person": "Драгунов", "clid": 1})
    acc.table("dogovor", "did").insert({"did": 1, "title": "СД2: Поставка станков", "clid": 1})


def obj(cid: int, **over: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "cid": cid,
        "datum": "2024-09-10 12:14:00",
        "content": "Текст",
        "tip": "Событие",
        "iduser": 1,
        "user": ADMIN_LOGIN,
        "clid": 0,
        "client": "",
        "person": [{"pid": 0, "person": ""}],
        "did": 0,
        "dogovor": "",
    }
    out.update(over)
    return out


def test_fields(api: Api) -> None:
    assert api("history", "fields") == {
        "data": {
            "cid": "Идентификатор записи",
            "datum": "Дата",
            "des": "Содержание",
            "tip": "Тип активности",
            "iduser": "Ответственный",
            "clid": "ID клиента",
            "pid": "ID контакта (массив)",
            "did": "ID сделки",
        }
    }


def test_tips_are_the_task_tips_and_add_creates_none(api: Api) -> None:
    before = api("history", "tips")
    assert before == api("task", "tips")
    api("history", "add", clid=1, content="Новый тип", tip="Видеозвонок", datum="2024-09-12")
    assert api("history", "tips") == before


def test_no_events(api: Api, app: Flask) -> None:
    seen: list[Event] = []
    backend(app).events.subscribe("*", seen.append)
    api("history", "add", clid=1, content="x", datum="2024-09-10")
    api("history", "delete", id=1)
    assert seen == []


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"clid": 1, "tip": "исх.Звонок"}, {"clid": 1, "client": "Ижевский Оружейник, ООО", "tip": "исх.Звонок"}),
        ({"pid": "1, 2"}, {"person": [{"pid": 1, "person": "Калашников Михаил"}]}),
        ({"pid": "2;1;"}, {"person": [{"pid": 2, "person": "Драгунов "}]}),
        ({"did": 1, "tip": "Встреча"}, {"did": 1, "dogovor": "СД2: Поставка станков", "tip": "Встреча"}),
        ({"clid": 1, "user": MANAGER}, {"clid": 1, "client": "Ижевский Оружейник, ООО", "iduser": 2, "user": MANAGER}),
        (
            {"clid": 1, "user": "ghost@example.com"},
            {"clid": 1, "client": "Ижевский Оружейник, ООО", "iduser": 0, "user": ""},
        ),
        ({"clid": 1, "datum": None}, {"clid": 1, "client": "Ижевский Оружейник, ООО", "datum": "0000-00-00 00:00:00"}),
        (
            {"clid": 1, "datum": "2024-09-17 08:30:00"},
            {"clid": 1, "client": "Ижевский Оружейник, ООО", "datum": "2024-09-17 08:30:00"},
        ),
        ({"clid": 5}, {"clid": 5, "client": "--не найден--"}),
        ({"pid": "7"}, {"person": [{"pid": 7, "person": None}]}),
    ],
)
def test_add_then_info(api: Api, params: dict[str, Any], expected: dict[str, Any]) -> None:
    query: dict[str, Any] = {"content": "Текст", "datum": "2024-09-10", **params}
    query = {k: v for k, v in query.items() if v is not None}
    assert api("history", "add", **query) == {"result": "Успешно", "data": 1}
    assert api("history", "info", id=1, login=MANAGER2) == {"data": obj(1, **expected)}


def test_add_text_cleaning_per_transport(api: Api) -> None:
    text = "<b>Жирный</b> \"текст\" 'в кавычках'\nвторая строка"
    api("history", "add", clid=1, content=text, datum="2024-09-18")
    api.json("history", {"action": "add", "clid": 1, "content": text, "datum": "2024-09-18"})
    assert api("history", "info", id=1)["data"]["content"] == "Жирный ”текст” &acute;в кавычках&acute;\nвторая строка"  # type: ignore[index]
    assert api("history", "info", id=2)["data"]["content"] == "Жирный текст в кавычках\nвторая строка"  # type: ignore[index]


@pytest.mark.parametrize("params", [{"clid": 1}, {"content": "Без привязки"}, {"clid": "", "content": "x"}])
def test_add_missing(api: Api, params: dict[str, Any]) -> None:
    assert api("history", "add", datum="2024-09-19", **params) == MISSING


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - id напоминания"}}),
        ({"id": 999}, NOT_FOUND),
        ({"id": "abc"}, NOT_FOUND),
    ],
)
def test_info_errors(api: Api, params: dict[str, Any], body: dict[str, Any]) -> None:
    assert api("history", "info", **params) == body


# ------------------------------------------------------------------ list


def _seed(api: Api) -> None:
    api("history", "add", clid=1, content="Клиенту", datum="2024-09-10")
    api("history", "add", pid="1, 2", content="Письмо/двум\nконтактам", datum="2024-09-13")
    api("history", "add", pid="1", content="Еще письмо", datum="2024-09-14", tip="исх.Почта")
    api("history", "add", pid="1", content="Менеджера", datum="2024-09-15", user=MANAGER)


def test_list_needs_pid_and_cleans_text(api: Api) -> None:
    _seed(api)
    assert api("history", "list", dateStart="2024-09-01", dateEnd="2024-09-30") == []
    assert api("history", "list", dateStart="2024-09-01", dateEnd="2024-09-30", pid=2) == {
        "data": [
            {
                "cid": 2,
                "datum": "2024-09-13 12:14:00",
                "content": "Письмо-двум<br />\nконтактам",
                "tip": "Событие",
                "iduser": 1,
                "user": ADMIN_LOGIN,
                "clid": 0,
                "client": "",
                "person": [{"pid": 1, "person": "Калашников Михаил"}, {"pid": 2, "person": "Драгунов "}],
                "did": 0,
                "dogovor": "",
            }
        ]
    }


@pytest.mark.parametrize(
    ("params", "cids"),
    [
        ({}, [4, 3, 2]),
        ({"order": "cid", "first": "old"}, [2, 3, 4]),
        ({"word": "ПИСЬМО"}, [3, 2]),
        ({"word": "почта"}, [3]),
        ({"tip": "исх.Почта"}, [4, 3, 2]),
        ({"user": MANAGER}, [4]),
        ({"clid": 1}, []),
        ({"offset": 1}, []),
        ({"dateEnd": "2024-09-14"}, [2]),  # a date means midnight
        ({"dateStart": "", "dateEnd": ""}, []),
    ],
)
def test_list_filters(api: Api, params: dict[str, Any], cids: list[int]) -> None:
    _seed(api)
    body = api("history", "list", **{"dateStart": "2024-09-01", "dateEnd": "2024-09-30", "pid": 1, **params})
    if not cids:
        assert body == []
    else:
        assert [r["cid"] for r in body["data"]] == cids  # type: ignore[index]


def test_list_as_manager_sees_own(api: Api) -> None:
    _seed(api)
    body = api("history", "list", login=MANAGER, dateStart="2024-09-01", dateEnd="2024-09-30", pid=1)
    assert body == {
        "data": [
            {
                "cid": 4,
                "datum": "2024-09-15 12:14:00",
                "content": "Менеджера",
                "tip": "Событие",
                "iduser": 2,
                "user": MANAGER,
                "clid": 0,
                "client": "",
                "person": [{"pid": 1, "person": "Калашников Михаил"}],
                "did": 0,
                "dogovor": "",
            }
        ]
    }


# ------------------------------------------------------------------ add.list / delete


def test_add_list_reuses_one_result(api: Api) -> None:
    items = [
        {"clid": 1, "content": "Пакет 1", "datum": "2024-09-21", "tip": "Событие"},
        {"pid": "1", "content": "Пакет 2", "datum": "2024-09-22", "user": MANAGER},
        {"clid": 1, "datum": "2024-09-23"},
        {"did": 1, "content": "Без даты"},
    ]
    assert api.json("history", {"action": "add.list", "list": items}) == [
        {"result": "Успешно", "data": 1},
        {"result": "Успешно", "data": 2},
        {"result": "Error", "data": 2, "error": TITLE_MISSING},
        {"result": "Успешно", "data": 3, "error": TITLE_MISSING},
    ]
    assert api("history", "info", id=2) == {
        "data": obj(
            2,
            datum="2024-09-22 12:14:00",
            content="Пакет 2",
            tip=None,
            iduser=2,
            user=MANAGER,
            person=[{"pid": 1, "person": "Калашников Михаил"}],
        )
    }
    assert api("history", "info", id=3)["data"]["datum"] == "2026-11-28 12:14:09"  # type: ignore[index]


@pytest.mark.parametrize("body", [{"action": "add.list", "list": []}, {"action": "add.list"}])
def test_add_list_empty(api: Api, body: dict[str, Any]) -> None:
    assert api.json("history", body) == []


def test_add_list_first_failure_has_no_data(api: Api) -> None:
    body = api("history", "add.list", **{"list[0][clid]": "1", "list[1][clid]": "1", "list[1][content]": "GET"})
    assert body == [
        {"result": "Error", "error": TITLE_MISSING},
        {"result": "Успешно", "error": TITLE_MISSING, "data": 1},
    ]


@pytest.mark.parametrize(
    ("login", "params", "body"),
    [
        (ADMIN_LOGIN, {"id": 2}, {"result": "Успешно"}),
        (MANAGER, {"id": 2}, {"result": "Успешно"}),
        (MANAGER, {"id": 1}, DELETE_NOT_FOUND),
        (MANAGER2, {"id": 2}, DELETE_NOT_FOUND),
        (ADMIN_LOGIN, {"id": 9}, DELETE_NOT_FOUND),
        (ADMIN_LOGIN, {}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры - cid записи"}}),
    ],
)
def test_delete(api: Api, login: str, params: dict[str, Any], body: dict[str, Any]) -> None:
    api("history", "add", clid=1, content="Админа", datum="2024-09-10")
    api("history", "add", clid=1, content="Менеджера", datum="2024-09-10", login=MANAGER)
    assert api("history", "delete", login=login, **params) == body


def test_delete_then_info(api: Api) -> None:
    api("history", "add", clid=1, content="x", datum="2024-09-10")
    assert api("history", "delete", id=1) == {"result": "Успешно"}
    assert api("history", "info", id=1) == NOT_FOUND
    assert api("history", "delete", id=1) == DELETE_NOT_FOUND
