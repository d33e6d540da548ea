"""`client list` keeps rendered records and search text between calls: they must never be stale."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from mockcrm import records
from mockcrm.backend import Backend
from mockcrm.methods.client import read
from mockcrm.store import Table

FIELDS = "clid,title,iduser"


def backend_of(app: Flask) -> Backend:
    backend: Backend = app.extensions["mockcrm"]
    return backend


@pytest.fixture
def two_clients(api: Api) -> Api:
    # stamps a day apart: rows of the same second keep table order, like the real server's
    api("client", "add", title="ООО Альфа", phone="+7 (342) 211-00-01", date_create="2024-01-01 10:00:00")
    api("client", "add", title="ООО Бета", phone="+7 (343) 222-00-02", date_create="2024-01-02 10:00:00")
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


OMEGA_PAGE = {
    "data": [
        {"clid": 2, "title": "Бета, ООО", "user": "admin@example.com", "iduser": 1},
        {"clid": 1, "title": "Омега, ООО", "user": "admin@example.com", "iduser": 1},
    ],
    "count": 2,
}


def _by_api(api: Api, app: Flask) -> None:
    assert api("client", "update", clid=1, title="ООО Омега") == {"result": "Успешно", "data": 1, "hid": 3}


def _by_table_update(api: Api, app: Flask) -> None:
    backend_of(app).accounts[1].table("clientcat").update(1, {"title": "Омега, ООО"})


def _in_place(api: Api, app: Flask) -> None:
    backend_of(app).accounts[1].table("clientcat").rows[1]["title"] = "Омега, ООО"


def _in_place_update(api: Api, app: Flask) -> None:
    backend_of(app).accounts[1].table("clientcat").get(1).update(title="Омега, ООО")  # type: ignore[union-attr]


def _by_state_import(api: Api, app: Flask) -> None:
    control = app.test_client()
    state = control.get("/__mockcrm/state/export").get_json()
    for table in state["accounts"][0]["tables"]["clientcat"]["rows"]:
        if table["clid"] == 1:
            table["title"] = "Омега, ООО"
    assert control.post("/__mockcrm/state/import", json=state).get_json() == {"status": "ok"}


#: every way the public API offers to rename client 1, and a word search or list right after it
RENAMES = [_by_api, _by_table_update, _in_place, _in_place_update, _by_state_import]


@pytest.mark.parametrize("rename", RENAMES, ids=[f.__name__.lstrip("_") for f in RENAMES])
def test_a_rename_by_any_path_is_seen_by_the_next_list(two_clients: Api, app: Flask, rename: Any) -> None:
    assert two_clients("client", "list", fields="clid", word="альфа") == {"data": [{"clid": 1}], "count": 1}
    rename(two_clients, app)
    assert two_clients("client", "list", fields="clid", word="альфа") == {"count": 0}
    assert two_clients("client", "list", fields="clid", word="омега") == {"data": [{"clid": 1}], "count": 1}
    assert two_clients("client", "list", fields=FIELDS) == OMEGA_PAGE


def test_rows_added_and_removed_by_the_control_plane_are_seen(two_clients: Api, app: Flask) -> None:
    assert two_clients("client", "list", fields="clid", word="ООО") == {"data": [{"clid": 2}, {"clid": 1}], "count": 2}
    control = app.test_client()
    new = [{"title": "Омега, ООО", "iduser": "1", "date_create": "2024-01-03 10:00:00"}]
    assert control.post("/__mockcrm/records/clientcat", json=new).get_json() == {"table": "clientcat", "ids": [3]}
    assert two_clients("client", "list", fields="clid", word="ООО") == {
        "data": [{"clid": 3}, {"clid": 2}, {"clid": 1}],
        "count": 3,
    }
    assert control.post("/__mockcrm/reset").status_code == 200
    assert two_clients("client", "list", fields="clid", word="ООО") == {"count": 0}


BOSS_PAGE = {
    "data": [
        {"clid": 2, "title": "Бета, ООО", "user": "boss@example.com", "iduser": 1},
        {"clid": 1, "title": "Альфа, ООО", "user": "boss@example.com", "iduser": 1},
    ],
    "count": 2,
}


def test_a_looked_up_login_edited_in_place_shows_at_once(two_clients: Api, app: Flask) -> None:
    # a record prints its owner's login from the users table: an edit there moves the account stamp
    backend_of(app).accounts[1].users.rows[1]["login"] = "boss@example.com"
    assert two_clients("client", "list", fields=FIELDS, login="boss@example.com") == BOSS_PAGE


def test_a_write_to_another_table_keeps_the_search_text(two_clients: Api, app: Flask) -> None:
    # the search text reads client rows only: a deal or a task leaves it as it is
    memo = backend_of(app).accounts[1].table("clientcat").memo
    assert two_clients("client", "list", fields="clid", word="бета") == {"data": [{"clid": 2}], "count": 1}
    text = memo["word.text"]
    assert two_clients("deal", "add", clid=2, title="Поставка") == {"result": "Успешно", "data": 1}
    assert two_clients("client", "list", fields="clid", word="бета") == {"data": [{"clid": 2}], "count": 1}
    assert memo["word.text"] is text


def test_a_repeated_list_renders_no_record_again(two_clients: Api, rendered_records: list[object]) -> None:
    first = two_clients.raw("client", "list", fields="clid,title")  # a field list not listed yet
    assert len(rendered_records) == 2
    assert two_clients.raw("client", "list", fields="clid,title") == first
    assert len(rendered_records) == 2


def test_reads_leave_the_stamp_alone_and_writes_move_it(two_clients: Api, app: Flask) -> None:
    account = backend_of(app).accounts[1]
    before = account.stamp()
    two_clients("client", "list")
    two_clients("client", "info", clid=1)
    two_clients("client", "fields")
    assert account.stamp() == before
    identical = {"result": "Данные корректны, но идентичны имеющимся.", "data": 1}
    assert two_clients("client", "update", clid=1, title="ООО Альфа") == identical  # nothing written
    assert account.stamp() == before
    assert two_clients("client", "update", clid=1, title="ООО Гамма") == {"result": "Успешно", "data": 1, "hid": 3}
    assert account.stamp() > before


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


# ------------------------------------------------------------------ the C-level sort


_dates = st.one_of(
    st.none(),
    st.sampled_from(["2024-01-10 09:00:00", "2024-01-10 09:00:01", "2025-03-01 00:00:00", "", "b", "B", "b ", "é"]),
)
_ints = st.one_of(st.none(), st.integers(-3, 3), st.sampled_from(["2", "x", "-1"]))


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.tuples(_dates, _ints), max_size=12),
    ids=st.permutations(range(1, 13)),
    column=st.sampled_from(["date_create", "title", "head_clid"]),
    desc=st.booleans(),
)
def test_the_plain_sort_orders_rows_like_the_general_one(
    values: list[tuple[str | None, object]], ids: list[int], column: str, desc: bool
) -> None:
    # ids out of table order, so ties (which keep table order) are really exercised
    rows = [
        {"clid": clid, "date_create": d, "title": d, "head_clid": i} for clid, (d, i) in zip(ids, values, strict=False)
    ]
    plain = read.sorted_plain(rows, column, desc)
    if plain is not None:
        assert [r["clid"] for r in plain] == [r["clid"] for r in read.sorted_general(rows, [(column, desc)])]


def test_the_plain_sort_takes_the_usual_orders() -> None:
    rows = [{"clid": n, "date_create": f"2024-01-0{n} 10:00:00", "head_clid": 9 - n} for n in (1, 2, 3)]
    assert read.sorted_plain(rows, "date_create", True) == [rows[2], rows[1], rows[0]]
    assert read.sorted_plain(rows, "head_clid", False) == [rows[2], rows[1], rows[0]]
    assert read.sorted_plain([*rows, {"clid": 4, "date_create": None, "head_clid": 0}], "date_create", True) is None


@pytest.mark.parametrize(
    "owners",
    [
        ["1", "2", None, "1abc", "", " 1", "0", 1, 2.0, True, "x", "3"],
        [None, None],
        [],
    ],
)
def test_the_bulk_visibility_filter_keeps_the_rows_the_row_test_keeps(owners: list[object]) -> None:
    rows = [{"clid": n, "iduser": owner} for n, owner in enumerate(owners)]
    row_test = read._visible_pred({1, 0})
    expected = [r for r in rows if row_test(r)]
    assert read._visible_pred({1, 0}).filter_rows(rows) == expected  # type: ignore[attr-defined]
    # a row without the column at all (made by hand) sends the filter row by row
    with_missing = [*rows, {"clid": 99}]
    assert read._visible_pred({1, 0}).filter_rows(with_missing) == expected  # type: ignore[attr-defined]


def test_words_searched_again_are_kept_but_bounded(two_clients: Api, app: Flask) -> None:
    for n in range(40):
        assert two_clients("client", "list", fields="clid", word=f"слово{n}") == {"count": 0}
    assert two_clients("client", "list", fields="clid", word="альфа") == {"data": [{"clid": 1}], "count": 1}
    assert two_clients("client", "list", fields="clid", word="альфа") == {"data": [{"clid": 1}], "count": 1}
    text = backend_of(app).accounts[1].table("clientcat").memo["word.text"]
    assert len(text.found) <= text.WORDS


def test_rows_made_for_one_answer_are_never_taken_for_each_other() -> None:
    # records are kept by the row object's identity for one stamp: the kept entry holds its rows,
    # so a row freed after its answer cannot hand its identity (address) to the next one
    table = Table("clientcat", "clid")
    for n in range(50):
        page = [{"clid": n, "title": f"Клиент {n}"}]
        body = records.page_body(table, 1, ["clid", "title"], page, 1, lambda: dict)
        assert body == f'{{"data":[{{"clid":{n},"title":"Клиент {n}"}}],"count":1}}'.encode()
