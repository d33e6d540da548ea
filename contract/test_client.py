"""client: add, add.list, info, list (paging, order, filters), update, delete, every error path."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import MISSING_ID, Contract

pytestmark = pytest.mark.write


@pytest.fixture(scope="module")
def client(contract: Contract) -> dict[str, Any]:
    """One full client of this run (golden 01 add-full with a marked title and uid)."""
    title = contract.title("Уралхиммаш")
    uid = contract.uid("u")
    contract.nodeid = "contract/test_client.py::client"
    answer = contract.check("01:add-full", update={"title": title, "uid": uid}, track="client")
    return {"clid": answer.data(), "title": title, "uid": uid}


def test_add_minimal(crm: Contract) -> None:
    crm.check("01:add-minimal", params={"title": crm.title("Ромашка")}, track="client")


@pytest.mark.parametrize("ref", ["03:quotes-double-json", "03:quotes-single-get", "03:number-iduser-string-json"])
def test_add_values(crm: Contract, ref: str) -> None:
    crm.check(ref, update={"title": crm.title(ref.rsplit(":", 1)[1])}, track="client")


def test_add_duplicate_title(crm: Contract, client: dict[str, Any]) -> None:
    crm.check(
        "01:add-duplicate-title-same-phone",
        update={"title": client["title"]},
        subst={"АО Уралхиммаш": client["title"], "clid = 2": f"clid = {client['clid']}"},
        expect={"exists": client["clid"]},
    )


@pytest.mark.parametrize(
    "ref", ["01:add-no-title", "01:add-empty-title", "01:add-spaces-title", "01:add-no-params", "03:null-title-json"]
)
def test_add_errors(crm: Contract, ref: str) -> None:
    crm.check(ref)


@pytest.mark.parametrize("ref", ["03:array-title-get", "03:recv-as-string"])
def test_add_fatal(crm: Contract, ref: str) -> None:
    crm.check(ref, update={"title": ["x", crm.marker]} if "array" in ref else {"title": crm.title("recv")})


def test_add_list(crm: Contract) -> None:
    golden = crm.golden.step("03:addlist-json-mixed")["params"]["client"]
    # the same golden title maps to the same marked title (the batch holds a duplicate on purpose)
    items = [dict(x, title=crm.title(x["title"])) if "title" in x else x for x in golden]
    answer = crm.check("03:addlist-json-mixed", params={"client": items})
    for row in answer.json or []:
        if isinstance(row, dict) and isinstance(row.get("data"), int):
            crm.created_record("client", row["data"])


@pytest.mark.parametrize("ref", ["03:addlist-empty-list", "03:addlist-no-client-param", "03:addlist-client-string"])
def test_add_list_nothing(crm: Contract, ref: str) -> None:
    crm.check(ref)


@pytest.mark.parametrize(
    "ref, extra",
    [
        ("01:info-full", {}),
        ("01:info-full-bankinfo", {}),
        ("01:info-uids", {}),
        ("03:quotes-info-json", {}),
    ],
)
def test_info(crm: Contract, client: dict[str, Any], ref: str, extra: dict[str, Any]) -> None:
    crm.check(ref, update={"clid": client["clid"], **extra}, expect={"data.clid": client["clid"]})


@pytest.mark.parametrize("ref", ["01:info-fields-subset", "01:info-fields-unknown", "01:info-fields-disabled"])
def test_info_fields(crm: Contract, client: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"clid": client["clid"]})


def test_info_by_uid(crm: Contract, client: dict[str, Any]) -> None:
    crm.check("01:info-by-uid", params={"uid": client["uid"]}, expect={"data.clid": client["clid"]})


@pytest.mark.parametrize(
    "ref, params",
    [
        ("01:info-no-params", None),
        ("01:info-unknown-clid", {"clid": MISSING_ID}),
        ("01:info-unknown-uid", {"uid": "contract-no-such-uid"}),
        ("01:info-by-inn-unknown", {"inn": "0000000000"}),
        ("01:info-clid-zero", None),
        ("01:info-clid-text", None),
        ("01:info-clid-negative", None),
        ("03:clid-array-info", {"clid": [MISSING_ID, MISSING_ID + 1]}),
    ],
)
@pytest.mark.reads
def test_info_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


@pytest.mark.parametrize(
    "ref",
    [
        "02:list-word-title",
        "02:list-default",
        "02:list-first-old",
        "02:list-order-title",
        "02:list-order-clid-old",
        "02:list-order-phone",
        "02:list-offset-1",
        "02:list-date-range",
        "02:list-filter-type-empty",
        "02:list-filter-trash",
        "02:list-filter-unknown-key",
        "03:quotes-word-search-get",
    ],
)
def test_list(crm: Contract, client: dict[str, Any], ref: str) -> None:
    update: dict[str, Any] = {"word": crm.marker}
    if ref.endswith("date-range"):
        update.update(dateStart="2024-03-01", dateEnd="2024-03-31")
    crm.check(ref, update=update)


@pytest.mark.parametrize("ref", ["02:list-word-none", "02:list-order-unknown-column", "02:list-offset-text"])
@pytest.mark.reads
def test_list_empty_and_fatal(crm: Contract, ref: str) -> None:
    crm.check(ref, update={"word": crm.marker + "-nothing"} if ref.endswith("none") else None)


@pytest.mark.parametrize(
    "ref", ["01:update-partial", "01:update-identical", "01:update-recv-partial", "01:update-unknown-field-only"]
)
def test_update(crm: Contract, client: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"clid": client["clid"]}, expect={"data": client["clid"]})


def test_update_readback(crm: Contract, client: dict[str, Any]) -> None:
    crm.check("01:update-recv-only-same", update={"clid": client["clid"]})
    crm.check("01:info-recv-after-update", update={"clid": client["clid"]})


@pytest.mark.parametrize(
    "ref, params",
    [
        ("01:update-unknown-clid", {"clid": MISSING_ID, "phone": "1"}),
        ("01:update-no-clid", None),
        ("01:update-clid-text", None),
    ],
)
def test_update_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


def test_delete(crm: Contract) -> None:
    clid = crm.check("01:add-minimal", params={"title": crm.title("на удаление")}, track="client").data()
    crm.check("01:delete-plain", params={"clid": clid}, values=("result",))
    crm.created.remove(("client", clid))
    crm.check("01:info-after-delete", params={"clid": clid})
    crm.check("01:delete-again", params={"clid": clid})


@pytest.mark.parametrize(
    "ref, params",
    [
        ("01:delete-unknown", {"clid": MISSING_ID}),
        ("01:delete-clid-zero", None),
        ("01:delete-no-clid", None),
        ("01:delete-clid-text", None),
        ("01:delete-by-uid-not-supported", {"uid": "contract-no-such-uid"}),
    ],
)
def test_delete_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)
