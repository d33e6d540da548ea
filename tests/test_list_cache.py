"""`client list` keeps rendered records and search text between calls: they must never be stale."""

from __future__ import annotations

import pytest
from conftest import Api
from flask import Flask

from mockcrm.backend import Backend

FIELDS = "clid,title,iduser"


def backend_of(app: Flask) -> Backend:
    backend: Backend = app.extensions["mockcrm"]
    return backend


@pytest.fixture
def two_clients(api: Api) -> Api:
    api("client", "add", title="ООО Альфа", phone="+7 (342) 211-00-01")
    api("client", "add", title="ООО Бета", phone="+7 (343) 222-00-02")
    assert api("client", "list", fields=FIELDS) == {
        "data": [
            {"clid": 2, "title": "Бета, ООО", "user": "admin@example.com", "iduser": 1},
            {"clid": 1, "title": "Альфа, ООО", "user": "admin@example.com", "iduser": 1},
        ],
        "count": 2,
    }
    return api


def test_an_update_through_the_api_shows_in_the_next_list(two_clients: Api) -> None:
    api = two_clients
    api("client", "update", clid=1, title="ООО Гамма")
    assert api("client", "list", fields=FIELDS, word="гамма") == {
        "data": [{"clid": 1, "title": "Гамма, ООО", "user": "admin@example.com", "iduser": 1}],
        "count": 1,
    }
    assert api("client", "list", fields=FIELDS, word="альфа") == {"count": 0}


def test_a_row_edited_in_place_is_rendered_again(two_clients: Api, app: Flask) -> None:
    # white-box tests may edit stored rows directly (the pytest plugin hands out the backend)
    row = backend_of(app).accounts[1].table("clientcat").rows[2]
    row["title"] = "Дельта, ООО"
    assert two_clients("client", "list", fields=FIELDS) == {
        "data": [
            {"clid": 2, "title": "Дельта, ООО", "user": "admin@example.com", "iduser": 1},
            {"clid": 1, "title": "Альфа, ООО", "user": "admin@example.com", "iduser": 1},
        ],
        "count": 2,
    }


def test_looked_up_titles_follow_any_write_action(two_clients: Api, app: Flask) -> None:
    # an action that edits another table in place (as deal change.user does with client owners)
    # must not leave a stale login behind: every write action moves the account stamp, even one
    # that writes nothing through the Table API (an update with identical data)
    backend_of(app).accounts[1].users.rows[1]["login"] = "boss@example.com"
    two_clients("client", "update", clid=1, title="ООО Альфа", login="boss@example.com")
    assert two_clients("client", "list", fields=FIELDS, login="boss@example.com") == {
        "data": [
            {"clid": 2, "title": "Бета, ООО", "user": "boss@example.com", "iduser": 1},
            {"clid": 1, "title": "Альфа, ООО", "user": "boss@example.com", "iduser": 1},
        ],
        "count": 2,
    }


def test_looked_up_titles_follow_a_control_plane_write(two_clients: Api, app: Flask) -> None:
    backend_of(app).accounts[1].users.rows[1]["login"] = "boss@example.com"
    assert app.test_client().post("/__mockcrm/clock/advance", json={"seconds": 1}).status_code == 200
    assert two_clients("client", "list", fields=FIELDS, login="boss@example.com") == {
        "data": [
            {"clid": 2, "title": "Бета, ООО", "user": "boss@example.com", "iduser": 1},
            {"clid": 1, "title": "Альфа, ООО", "user": "boss@example.com", "iduser": 1},
        ],
        "count": 2,
    }


def test_reads_leave_the_stamp_alone_and_writes_move_it(two_clients: Api, app: Flask) -> None:
    account = backend_of(app).accounts[1]
    before = account.stamp()
    two_clients("client", "list")
    two_clients("client", "info", clid=1)
    two_clients("client", "fields")
    assert account.stamp() == before
    two_clients("client", "update", clid=1, title="ООО Альфа")  # identical data: nothing written
    assert account.stamp() != before


def test_invalid_utf8_in_one_record_empties_the_whole_answer(two_clients: Api, app: Flask) -> None:
    # real server: json_encode fails on invalid UTF-8 and prints nothing (protocol.md §6)
    backend_of(app).accounts[1].table("clientcat").rows[1]["title"] = "bad \udcff byte"
    assert two_clients.raw("client", "list", fields=FIELDS) == b""
    assert two_clients("client", "list", fields=FIELDS, word="бета") == {
        "data": [{"clid": 2, "title": "Бета, ООО", "user": "admin@example.com", "iduser": 1}],
        "count": 1,
    }


def test_many_field_lists_keep_the_cache_bounded(two_clients: Api, app: Flask) -> None:
    memo = backend_of(app).accounts[1].table("clientcat").memo
    for n in range(20):
        two_clients("client", "list", fields=f"clid,{'title' if n % 2 else 'phone'},uid{',type' * n}")
    assert sum(key.startswith("list:") for key in memo) <= 8
