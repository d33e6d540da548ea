"""`deal list` builds records fast and keeps their texts between calls: they must never be stale."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from flask import Flask
from hypothesis import given, settings
from hypothesis import strategies as st

from mockcrm import records
from mockcrm.account import Account
from mockcrm.backend import Backend
from mockcrm.methods.deal import listing, read
from mockcrm.methods.deal.record import list_record
from mockcrm.wire import Call

FIELDS = "did,title,clid,step,direction,tip,iduser,status_close"


def account_of(app: Flask) -> Account:
    backend: Backend = app.extensions["mockcrm"]
    return backend.accounts[1]


def record(did: int, title: str, **changes: Any) -> dict[str, Any]:
    """One record of the FIELDS list as the two seeded deals print it, with ``changes`` applied."""
    rec: dict[str, Any] = {
        "did": did,
        "title": title,
        "clid": did,
        "clientTitle": "Ромашка, ООО" if did == 1 else "АО Плательщик",
        "step": 20,
        "stepID": 2,
        "stepTitle": "Подтвержден интерес",
        "directionID": 1,
        "direction": "Основное",
        "tipID": 6,
        "tip": "Продажа быстрая",
        "iduser": 1,
        "user": "admin@example.com",
        "userTitle": "Админов Иван",
        "status_close": False,
    }
    rec.update(changes)
    return rec


def page(*records: dict[str, Any]) -> dict[str, Any]:
    return {"data": list(records), "count": len(records)}


@pytest.fixture
def two_deals(api: Api) -> Api:
    api("client", "add", title="ООО Ромашка")
    api("client", "add", title="АО Плательщик")
    assert api("deal", "add", clid=1, title="Поставка", datum_plan="2031-03-31", step="20") == {
        "result": "Успешно",
        "data": 1,
    }
    assert api("deal", "add", clid=2, title="Монтаж", datum_plan="2031-04-30", step="20") == {
        "result": "Успешно",
        "data": 2,
    }
    # same datum: the stable sort keeps did order even when descending (deal.md §5)
    assert api("deal", "list", fields=FIELDS) == page(record(1, "СД2: Поставка"), record(2, "СД3: Монтаж"))
    return api


# ------------------------------------------------------------------ the cached texts


def test_an_update_through_the_api_shows_in_the_next_list(two_deals: Api) -> None:
    assert two_deals("deal", "update", did=1, title="Ремонт") == {"result": "Готово", "data": 1}
    assert two_deals("deal", "list", fields=FIELDS) == page(record(1, "Ремонт"), record(2, "СД3: Монтаж"))


def test_a_deal_edited_in_place_is_rendered_again(two_deals: Api, app: Flask) -> None:
    # white-box tests may edit stored rows directly (the pytest plugin hands out the backend)
    deal = account_of(app).table("dogovor").rows[1]
    deal["title"] = "Правка руками"
    deal["idcategory"] = 11
    assert two_deals("deal", "list", fields=FIELDS) == page(
        record(1, "Правка руками", step=40, stepID=11, stepTitle="Отправлено КП"),
        record(2, "СД3: Монтаж"),
    )


def test_a_directory_title_changed_through_the_table_shows(two_deals: Api, app: Flask) -> None:
    account_of(app).table("direction").update(1, {"title": "Запасное"})
    account_of(app).table("dogcategory", "idcategory").update(2, {"content": "Интерес есть"})
    changed = {"direction": "Запасное", "stepTitle": "Интерес есть"}
    assert two_deals("deal", "list", fields=FIELDS) == page(
        record(1, "СД2: Поставка", **changed), record(2, "СД3: Монтаж", **changed)
    )


def test_a_directory_title_edited_in_place_shows_at_once(two_deals: Api, app: Flask) -> None:
    # a stored row tells its table when it is edited in place: the next list renders it anew
    assert two_deals("deal", "list", fields=FIELDS) == page(record(1, "СД2: Поставка"), record(2, "СД3: Монтаж"))
    account_of(app).table("dogtips", "tid").rows[6]["title"] = "Продажа медленная"
    assert two_deals("deal", "list", fields=FIELDS) == page(
        record(1, "СД2: Поставка", tip="Продажа медленная"), record(2, "СД3: Монтаж", tip="Продажа медленная")
    )


def test_a_login_edited_in_place_shows_at_once(two_deals: Api, app: Flask) -> None:
    assert two_deals("deal", "list", fields=FIELDS) == page(record(1, "СД2: Поставка"), record(2, "СД3: Монтаж"))
    account_of(app).users.rows[1]["login"] = "boss@example.com"
    boss = {"user": "boss@example.com"}
    assert two_deals("deal", "list", fields=FIELDS, login="boss@example.com") == page(
        record(1, "СД2: Поставка", **boss), record(2, "СД3: Монтаж", **boss)
    )


def test_a_client_renamed_through_the_api_shows(two_deals: Api) -> None:
    assert two_deals("client", "update", clid=2, title="ЗАО Заказчик")["result"] == "Успешно"  # type: ignore[index]
    assert two_deals("deal", "list", fields=FIELDS) == page(
        record(1, "СД2: Поставка"), record(2, "СД3: Монтаж", clientTitle="Заказчик, ЗАО")
    )


def test_reads_leave_the_stamp_alone_and_writes_move_it(two_deals: Api, app: Flask) -> None:
    account = account_of(app)
    before = account.stamp()
    for action in ("list", "info", "fields", "steplist", "direction", "statusclose", "type", "funnel"):
        two_deals("deal", action, did=1)
    identical = {"result": "Данные корректны, но идентичны имеющимся.", "data": 1, "error": {"code": 302}}
    assert two_deals("deal", "update", did=1, title="СД2: Поставка") == identical  # nothing written
    assert account.stamp() == before
    assert two_deals("deal", "update", did=1, title="СД2: Поставка и монтаж") == {"result": "Готово", "data": 1}
    assert account.stamp() > before


def test_invalid_utf8_in_one_record_empties_the_whole_answer(two_deals: Api, app: Flask) -> None:
    # real server: json_encode fails on invalid UTF-8 and prints nothing (protocol.md §6)
    deals = account_of(app).table("dogovor")
    deals.rows[1]["title"] = "bad \udcff byte"
    assert two_deals.raw("deal", "list", fields=FIELDS) == b""
    deals.rows[1]["title"] = "Снова хорошо"
    assert two_deals("deal", "list", fields=FIELDS) == page(record(1, "Снова хорошо"), record(2, "СД3: Монтаж"))


def test_many_field_lists_keep_the_cache_bounded(two_deals: Api, app: Flask) -> None:
    memo = account_of(app).table("dogovor").memo
    for n in range(20):
        two_deals("deal", "list", fields="did," + ",".join(["title", "kol", "step", "tip", "close"][: n % 5 + 1]) * n)
    assert sum(key.startswith("list:") for key in memo) <= records.FIELD_LISTS_MAX


def test_a_deal_without_a_printed_column_is_printed(two_deals: Api, app: Flask) -> None:
    del account_of(app).table("dogovor").rows[1]["direction"]
    assert two_deals("deal", "list", fields=FIELDS) == page(
        record(1, "СД2: Поставка", directionID=0, direction=None), record(2, "СД3: Монтаж")
    )


def test_an_empty_field_list_prints_empty_records(two_deals: Api) -> None:
    assert two_deals.raw("deal", "list", fields="nosuch") == b'{"data":[[],[]],"count":2}'


# ------------------------------------------------------------------ the compiled builder


_EDGE_DEALS: list[dict[str, Any]] = [
    {},  # every value missing
    {"idcategory": 99, "direction": 42, "tip": "77", "sid": 99, "clid": 999, "payer": "2", "iduser": 99},
    {"idcategory": "11", "direction": "1", "tip": 0, "sid": "3", "clid": "1 ", "iduser": "1", "dog_num": 1},
    {"idcategory": 2.0, "did": "7x", "kol": "12.5", "marga": None, "close": "", "title": 0, "dog_num": "9"},
    {"idcategory": None, "direction": None, "tip": None, "sid": None, "clid": None, "payer": 0, "iduser": None},
    {"idcategory": True, "direction": "abc", "tip": "", "sid": "", "clid": False, "iduser": "x", "uid": ""},
]


@pytest.mark.parametrize("deal", _EDGE_DEALS)
def test_the_compiled_builder_prints_what_list_record_prints(two_deals: Api, app: Flask, deal: dict[str, Any]) -> None:
    account = account_of(app)
    account.table("contract", "deid").insert({"deid": 1, "title": "Договор", "number": "Д-1", "datum_start": None})
    fields = ["did", "uid", "datum", "clid", "title", "payer", "iduser", "step", "direction", "tip", "dog_num"]
    fields += ["kol", "marga", "close", "status_close", "dog_num", "datum_close", "des_fact", "kol_fact", "nosuch"]
    call = Call(method="deal", action="list", params={}, transport="get")
    call.account = account
    want = list_record(call, deal, fields)
    got = listing.record_builder(call, fields)(deal)
    assert list(got.items()) == list(want.items())  # key order too


def test_a_repeated_list_renders_no_record_again(two_deals: Api, rendered_records: list[object]) -> None:
    first = two_deals.raw("deal", "list", fields=FIELDS + ",kol")  # a field list not listed yet
    assert len(rendered_records) == 2
    assert two_deals.raw("deal", "list", fields=FIELDS + ",kol") == first
    assert len(rendered_records) == 2


# ------------------------------------------------------------------ the C-level sort

_values = st.one_of(
    st.none(),
    st.sampled_from(["2024-01-10", "2024-01-11", "2025-03-01", "", "b", "B", "b ", "é", "ё", "е"]),
    st.integers(-3, 3),
    st.sampled_from(["2", "x", "-1", True]),
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(_values, max_size=12),
    column=st.sampled_from(["datum", "title", "iduser", "kol"]),
    desc=st.booleans(),
)
def test_the_plain_sort_orders_rows_like_the_general_one(values: list[object], column: str, desc: bool) -> None:
    rows = [{"did": n, column: v} for n, v in enumerate(values, 1)]
    try:
        general = sorted(rows, key=read._sort_key(column), reverse=desc)
    except (TypeError, ValueError):
        general = None  # float() of text: the general sort fails, so must the plain one
    key = listing.plain_sort_key(rows, column)
    if key is not None:
        assert general is not None
        assert [r["did"] for r in sorted(rows, key=key, reverse=desc)] == [r["did"] for r in general]


def test_the_plain_sort_takes_the_usual_orders() -> None:
    rows = [{"did": n, "datum": f"2024-01-0{n}", "iduser": 9 - n, "title": "Б"} for n in (1, 2, 3)]
    assert listing.plain_sort_key(rows, "datum") is not None
    assert listing.plain_sort_key(rows, "iduser") is not None
    assert listing.plain_sort_key(rows, "title") is None  # needs folding
    assert listing.plain_sort_key([{"did": 1, "iduser": "10"}, {"did": 2, "iduser": "9"}], "iduser") is None
    assert listing.plain_sort_key([*rows, {"did": 4, "datum": None}], "datum") is None
    assert listing.plain_sort_key([*rows, {"did": 4}], "datum") is None
