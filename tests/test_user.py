"""Method `user`: one employee, the list, user.add (other-methods.md §2, golden 13-guides-user-history)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mockcrm.backend import Account
from tests.conftest import MANAGER, Api

ADMIN_ROW = {
    "iduser": 1,
    "uid": None,
    "oid": False,
    "title": "Админов Иван",
    "login": "admin@example.com",
    "active": "yes",
    "tip": "Руководитель организации",
    "user_post": "Руководитель",
    "email": "admin@example.com",
    "phone": None,
    "phone_in": None,
    "mob": None,
}
MANAGER_ROW = {
    **ADMIN_ROW,
    "iduser": 2,
    "title": "Менеджеров Петр",
    "login": "manager@example.com",
    "tip": "Менеджер продаж",
    "user_post": "Менеджер",
    "email": "manager@example.com",
}
LIST = {
    "data": [
        {"iduser": i, "uid": None, "oid": False, "title": t, "login": login, "email": login, "active": "yes"}
        for i, t, login in [
            (1, "Админов Иван", "admin@example.com"),
            (2, "Менеджеров Петр", "manager@example.com"),
            (3, "Сидоров Алексей", "manager2@example.com"),
        ]
    ]
}
NOT_FOUND = {"error": {"code": "404", "text": "Пользователь не найден"}}
SAFEMYSQL = "/var/www/salesman/vendor/colshrapnel/safemysql/safemysql.class.php"


def account(app: Flask) -> Account:
    acc: Account = app.extensions["mockcrm"].accounts[1]
    return acc


def syntax_fatal(near: str) -> str:
    return (
        "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: You have an error in your SQL syntax; check "
        "the manual that corresponds to your MariaDB server version for the right syntax to use near "
        f"'{near}' at line 1 in {SAFEMYSQL}:466\nStack trace:\n#0 {{main}}\n"
        f"  thrown in <b>{SAFEMYSQL}</b> on line <b>466</b><br />\n"
    )


def test_user_list(api: Api) -> None:
    assert api("user", "user.list") == LIST
    assert api("user", "user.list", login=MANAGER) == LIST


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"user": "manager@example.com"}, {"data": MANAGER_ROW}),
        ({"user": "MANAGER@example.com"}, {"data": MANAGER_ROW}),
        ({"iduser": 1}, {"data": ADMIN_ROW}),
        # uid wins over user, user over iduser
        ({"uid": "EMP-1", "iduser": 1}, NOT_FOUND),
        ({"user": "ghost@example.com", "iduser": 1}, NOT_FOUND),
        ({"user": "", "iduser": 2}, {"data": MANAGER_ROW}),
    ],
)
def test_user_selectors(api: Api, params: dict[str, Any], body: Any) -> None:
    assert api("user", "user", **params) == body


def test_user_by_uid_with_department(app: Flask, api: Api) -> None:
    account(app).users.update(2, {"uid": "EMP-2", "otdel": "1"})
    assert api("user", "user", uid="emp-2") == {"data": {**MANAGER_ROW, "uid": "EMP-2", "oid": "OAP"}}
    body = api("user", "user.list")
    assert isinstance(body, dict)
    assert body["data"][1] == {**LIST["data"][1], "uid": "EMP-2", "oid": "OAP"}


def test_user_without_selector_is_a_sql_fatal(api: Api) -> None:
    assert api.raw("user", "user").decode() == syntax_fatal("and identity = '1'")


def test_quote_in_json_selector_is_a_sql_fatal(api: Api) -> None:
    r = api.client.post(
        "/developer/v2/user",
        json={"action": "user", "user": "o'hara"},
        headers={"apikey": "VaSeZvkTfh5HMjJpNnge1W7Bloim0S", "login": "admin@example.com"},
    )
    assert r.get_data(as_text=True) == syntax_fatal("hara' and identity = '1'")


@pytest.mark.parametrize(
    "params",
    [
        {"user": "newbie@example.com", "password": "Secret123", "title": "Новичков Олег", "boss": "admin@example.com"},
        {},
    ],
)
def test_user_add_fails_on_the_upper_case_table(api: Api, params: dict[str, Any]) -> None:
    error = {"code": "500", "text": "Table 'salesman.app_USER' doesn't exist в строке 1146"}
    assert api("user", "user.add", **params) == {"result": "Error", "error": error}
    assert api("user", "user.list") == LIST


def test_user_add_existing_login(api: Api) -> None:
    error = {"code": "406", "text": "Ошибка: Такой логин уже существует"}
    assert api("user", "user.add", user=" Manager@example.com ", password="x") == {"result": "Error", "error": error}


def test_user_add_on_case_insensitive_tables_creates_the_user(app: Flask, api: Api) -> None:
    account(app).lower_case_table_names = 1  # type: ignore[attr-defined]
    params = {"user": "newbie@example.com", "title": "<b>Новичков</b> Олег", "boss": "manager@example.com"}
    params.update(email="newbie@example.com", phone="+7 (342) 000-00-00", otdel="OPP", user_post="Стажер")
    assert api("user", "user.add", **params) == {"result": "Success", "data": 4}
    row = account(app).users.get(4)
    assert row is not None
    assert {k: row[k] for k in ("iduser", "login", "title", "tip", "mid", "otdel", "email", "secrty", "tzone")} == {
        "iduser": "4",
        "login": "newbie@example.com",
        "title": "Новичков Олег",
        "tip": "Менеджер продаж",
        "mid": "2",
        "otdel": "2",
        "email": None,
        "secrty": "yes",
        "tzone": "0:00",
    }
    assert api("user", "user", iduser=4) == {
        "data": {
            "iduser": 4,
            "uid": None,
            "oid": "OPP",
            "title": "Новичков Олег",
            "login": "newbie@example.com",
            "active": "yes",
            "tip": "Менеджер продаж",
            "user_post": "Стажер",
            "email": None,
            "phone": "+7 (342) 000-00-00",
            "phone_in": None,
            "mob": None,
        }
    }


@pytest.mark.parametrize("action", ["category", "relations", "mycompany", "mybank", "clientpath", "frobnicate", None])
def test_unknown_action_has_a_string_code(api: Api, action: str | None) -> None:
    assert api("user", action) == {"result": "Error", "error": {"code": "402", "text": "Неизвестный метод"}}


def test_json_true_runs_the_first_case(api: Api) -> None:
    assert api.json("user", {"action": True, "iduser": 2}) == {"data": MANAGER_ROW}
