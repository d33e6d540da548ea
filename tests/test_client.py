"""Method `client` through the wire: whole bodies, compared with what the real server answers."""

from __future__ import annotations

import json

import pytest
from conftest import MANAGER, Api
from flask import Flask

NOT_VISIBLE = {
    "result": "Error",
    "error": {"code": 403, "text": "Клиент не найден в пределах аккаунта указанного пользователя."},
}
IDENTICAL = "Данные корректны, но идентичны имеющимся."
EMPTY_BANK = {
    "castUrName": "",
    **dict.fromkeys(
        [
            "castInn",
            "castKpp",
            "castBank",
            "castBankKs",
            "castBankRs",
            "castBankBik",
            "castOkpo",
            "castOgrn",
            "castDirName",
            "castDirSignature",
            "castDirStatus",
            "castDirStatusSig",
            "castDirOsnovanie",
            "castUrAddr",
        ],
        "",
    ),
}


def test_fields_follow_the_enabled_rows_in_physical_order(api: Api) -> None:
    assert api("client", "fields") == {
        "data": {
            "clid": "Уникальный идентификатор записи клиента в CRM",
            "uid": "Уникальный идентификатор записи клиента в вашей ИС",
            "type": "Тип записи (допустимые - client,person,concurent,contractor,parnter)",
            "date_create": "Дата создания. Timestamp",
            "date_edit": "Дата последнего изменения. Timestamp",
            "title": "Название",
            "iduser": "Ответственный",
            "address": "Адрес",
            "phone": "Телефон",
            "fax": "Факс",
            "site_url": "Сайт",
            "mail_url": "Почта",
            "recv": "Реквизиты",
        }
    }


@pytest.mark.parametrize(
    ("title", "stored"),
    [
        ("ООО Ромашка", "Ромашка, ООО"),
        ("ЗАО Север", "Север, ЗАО"),
        ("ООО ТехноООО", "Техно, ООО"),
        ("ооо Лесная", "ооо Лесная"),
        ("АО «Уралхиммаш»", "АО Уралхиммаш"),
        ("Кофейня 🍩", "Кофейня ????"),
    ],
)
def test_add_normalises_the_title(api: Api, title: str, stored: str) -> None:
    assert api("client", "add", title=title) == {"result": "Успешно", "data": 1}
    assert api("client", "info", clid=1, fields="clid,title") == {"data": {"clid": 1, "title": stored}}


def test_add_then_duplicate_then_missing_title(api: Api) -> None:
    assert api("client", "add", title="ООО Ромашка", phone="+7 (342) 111-11-11") == {"result": "Успешно", "data": 1}
    assert api("client", "add", title="Ромашка, ООО", phone="73421111111") == {
        "result": "Error",
        "exists": 1,
        "error": {"code": 304, "text": "Найден существующий клиент - Ромашка, ООО (clid = 1). Запрос отклонен."},
    }
    assert api("client", "add", title="Ромашка, ООО", phone="73429999999") == {"result": "Успешно", "data": 2}
    assert api("client", "add", title="   ") == {
        "result": "Error",
        "error": {"code": 402, "text": "Отсутствуют параметры - Название клиента"},
    }


def test_info_full_record_with_bank_details(api: Api) -> None:
    api("client", "add", title="ООО Вектор", uid="1C-1", date_create="2024-03-15 10:20:30", **{"recv[castInn]": "123"})
    assert api("client", "info", uid="1C-1", bankinfo="yes") == {
        "data": {
            "clid": 1,
            "uid": "1C-1",
            "type": "client",
            "created": "2024-03-15 10:20:30",
            "date_create": "15.03.24,  10:20",
            "edited": None,
            "date_edit": "",
            "title": "Вектор, ООО",
            "iduser": 1,
            "user": "admin@example.com",
            "address": None,
            "phone": None,
            "fax": None,
            "site_url": None,
            "mail_url": None,
            "bankinfo": {**EMPTY_BANK, "castInn": "123"},
        }
    }


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры клиента"}}),
        ({"clid": "abc"}, {"result": "Error", "error": {"code": 405, "text": "Отсутствуют параметры клиента"}}),
        ({"clid": 999}, NOT_VISIBLE),
        ({"uid": "nope"}, {"result": "Error", "error": {"code": 404, "text": "Не найдено"}}),
        ({"clid": 1, "fields": "foo"}, []),
    ],
)
def test_info_errors(api: Api, params: dict[str, object], body: object) -> None:
    api("client", "add", title="ООО Один")
    assert api("client", "info", **params) == body


def test_visibility_follows_the_role(api: Api) -> None:
    api("client", "add", title="ООО Админский")
    api("client", "add", title="ООО Петра", login=MANAGER)
    assert api("client", "list", login=MANAGER, fields="clid,title,iduser") == {
        "data": [{"clid": 2, "title": "Петра, ООО", "user": "manager@example.com", "iduser": 2}],
        "count": 1,
    }
    assert api("client", "info", clid=1, login=MANAGER) == NOT_VISIBLE
    assert api("client", "list", fields="clid", order="clid", first="old") == {
        "data": [{"clid": 1}, {"clid": 2}],
        "count": 2,
    }


def test_list_filters_and_paging(api: Api) -> None:
    for n, (title, phone) in enumerate([("ООО Альфа", "+7 (342) 211-00-01"), ("ООО Бета", "+7 (343) 222-00-02")]):
        api("client", "add", title=title, phone=phone, date_create=f"2024-0{n + 1}-10 09:00:00")
    assert api("client", "list", word="3422110001", fields="clid,phone") == {
        "data": [{"clid": 1, "phone": "+7 (342) 211-00-01"}],
        "count": 1,
    }
    assert api("client", "list", dateStart="2024-02-01", fields="clid,date_create") == {
        "data": [{"clid": 2, "date_create": "2024-02-10 09:00:00"}],
        "count": 1,
    }
    assert api("client", "list", offset=1, fields="clid") == {"count": 2}
    assert api("client", "list", order="title", fields="title") == {
        "data": [{"title": "Бета, ООО"}, {"title": "Альфа, ООО"}],
        "count": 2,
    }


@pytest.mark.parametrize(
    ("params", "start"),
    [
        ({"offset": "abc"}, "<br />\n<b>Fatal error</b>:  Uncaught TypeError: Unsupported operand types: string * int"),
        ({"order": "nope"}, "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: Unknown column 'nope'"),
        ({"fields[]": "clid"}, "<br />\n<b>Fatal error</b>:  Uncaught TypeError: yexplode(): Argument #2"),
    ],
)
def test_list_crashes_where_the_real_server_crashes(api: Api, params: dict[str, object], start: str) -> None:
    assert api.raw("client", "list", **params).decode().startswith(start)


def test_update_reports_changes_and_history_ids(api: Api) -> None:
    api("client", "add", title="ООО Ромашка")
    assert api("client", "update", clid=1, phone="+7 (342) 200-00-01") == {"data": 1, "hid": 2, "result": "Успешно"}
    assert api("client", "update", clid=1, phone="+7 (342) 200-00-01") == {"data": 1, "result": IDENTICAL}
    assert api("client", "update", clid=1, **{"recv[castKpp]": "456"}) == {
        "data": 1,
        "result": IDENTICAL + "; Реквизиты обновлены",
    }
    assert api("client", "update", clid=999) == {
        "result": "Error",
        "error": {"code": 403, "text": "Клиент с указанным clid не найден в пределах аккаунта"},
    }


def test_add_list_mixes_results(api: Api) -> None:
    body = {"client": [{"title": "ООО Лист 1"}, {"phone": "1"}, {"title": "ООО Лист 1"}]}
    assert api.json("client", {"action": "add.list", **body}) == [
        {"result": "Успешно", "data": 1},
        {"result": "Error", "error": {"code": 402, "text": "Отсутствуют параметры - Название клиента"}},
        {
            "result": "Error",
            "exists": 1,
            "error": {"code": 304, "text": "Найден существующий клиент - Лист 1, ООО (clid = 1). Запрос отклонен."},
        },
    ]


def test_delete_then_again(api: Api) -> None:
    api("client", "add", title="ООО Ромашка")
    api("client", "update", clid=1, phone="1")
    assert api("client", "delete", clid=1) == {
        "message": "Успешно: Клиент удален.<br>Также удалено 2 записи истории активностей. Снята привязка к "
        "Клиенту у 0 Контактов. Удалено 0 записей напоминаний. Удалено 0 файлов.",
        "result": "Клиент удален",
        "data": 1,
    }
    assert api("client", "delete", clid=1) == {"result": "Error", "error": {"code": 403, "text": "Не найдена запись"}}
    page = api.raw("client", "delete").decode()
    assert "Salesman\\Client::delete(): Argument #1 ($clid) must be of type int, null given" in page


def test_change_user_is_not_an_accepted_action(api: Api) -> None:
    assert api("client", "change.user", clid=1) == {"error": {"code": 402, "text": "Неизвестный метод"}}


def test_events_carry_the_fire_site_args(api: Api, app: object) -> None:
    events: list[tuple[str, dict[str, object]]] = []
    backend = app.extensions["mockcrm"]  # type: ignore[attr-defined]
    backend.events.subscribe("*", lambda e: events.append((e.name, e.payload)))
    api("client", "add", title="ООО Ромашка", user=MANAGER)
    api("client", "update", clid=1, address="Пермь")
    api("client", "delete", clid=1)
    assert json.loads(json.dumps(events)) == [
        ["client.add", {"clid": 1, "autor": 1, "user": 2}],
        ["client.edit", {"clid": 1, "autor": 1, "user": 0, "newparam": {"address": "Пермь"}}],
        ["client.delete", {"clid": 1, "autor": 1}],
    ]


def test_list_names_each_main_contact_by_its_id(api: Api, app: Flask) -> None:
    # with "pid" switched on, every record looks its contact up: by id, not by a table scan
    account = app.extensions["mockcrm"].accounts[1]
    for f in account.fields:
        if f.get("fld_tip") == "client" and f.get("fld_name") == "pid":
            f["fld_on"] = "yes"
    people = account.table("personcat", "pid")
    for n in range(300):
        people.insert({"person": f"Иванов{n + 1} Иван Иванович", "clid": 0, "iduser": "1"})
    for pid in (0, 7, 300, 999):
        api("client", "add", title=f"ООО Контакт {pid}")
        clid = max(account.table("clientcat").rows)
        account.table("clientcat").update(clid, {"pid": pid})
    assert api("client", "list", fields="clid,pid", order="clid") == {
        "data": [
            {"clid": 4, "person": None, "pid": 999},
            {"clid": 3, "person": "Иванов300 Иван", "pid": 300},
            {"clid": 2, "person": "Иванов7 Иван", "pid": 7},
            {"clid": 1, "person": "", "pid": 0},
        ],
        "count": 4,
    }


# what php8.2 answers for date('Y-m-d H:i:s', strtotime($v, <2026-12-04 17:27:04 Europe/Moscow>))
STRTOTIME_CASES = [
    ("2024", "2026-12-04 20:24:00"),
    ("20240305", "2024-03-05 00:00:00"),
    ("202403051020", "2024-03-05 10:20:00"),
    ("03/05/2024 10:20", "2024-03-05 10:20:00"),
    ("3/5/24", "2024-03-05 00:00:00"),
    ("2024/03/05", "2024-03-05 00:00:00"),
    ("@1700000000", "2023-11-15 01:13:20"),
    ("+1 week 2 days", "2026-12-13 17:27:04"),
    ("-1 month", "2026-11-04 17:27:04"),
    ("next monday", "2026-12-07 00:00:00"),
    ("friday", "2026-12-04 00:00:00"),
    ("last friday", "2026-11-27 00:00:00"),
    ("tomorrow 10:00", "2026-12-05 10:00:00"),
    ("2024-01-31 +1 month", "2024-03-02 00:00:00"),
    ("2024-02-30", "2024-03-01 00:00:00"),
    ("2024-00-10", "2023-12-10 00:00:00"),
    ("05.03.2024 23:59:59", "2024-03-05 23:59:59"),
    ("1", None),
    ("завтра", None),
    ("2024-03-05 25:00", None),
]


@pytest.mark.parametrize(("text", "expected"), STRTOTIME_CASES)
def test_strtotime_like_php(text: str, expected: str | None) -> None:
    import datetime as dt

    from mockcrm.methods.client.dates import strtotime

    assert strtotime(text, "Europe/Moscow", dt.datetime(2026, 12, 4, 17, 27, 4)) == expected
