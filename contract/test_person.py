"""person: add, add.list, info, list (paging, order, filters), update, delete."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import MISSING_ID, Contract

pytestmark = pytest.mark.write


@pytest.fixture(scope="module")
def owner(contract: Contract) -> dict[str, Any]:
    contract.nodeid = "contract/test_person.py::owner"
    clid = contract.check("04:client-1", params={"title": contract.title("Альфа-Пермь")}, track="client").data()
    pid = contract.check(
        "04:add-basic", update={"person": contract.title("Петров Петр"), "clid": clid}, track="person"
    ).data()
    return {"clid": clid, "pid": pid}


@pytest.mark.parametrize(
    "ref", ["04:add-json", "04:add-socials-nested", "04:add-socials-flat", "04:add-quotes-get", "04:add-mperson"]
)
def test_add(crm: Contract, owner: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"person": crm.title(ref), "clid": owner["clid"]}, track="person")


@pytest.mark.parametrize("ref", ["04:add-no-person", "04:add-empty-person", "04:add-spaces-person"])
def test_add_nothing(crm: Contract, ref: str) -> None:
    crm.check(ref, update={"clid": MISSING_ID} if "clid" in crm.golden.step(ref)["params"] else None)


def test_add_list(crm: Contract, owner: dict[str, Any]) -> None:
    golden = crm.golden.step("04:addlist-get")["params"]["persons"]
    persons = [dict(p, person=crm.title(p.get("person", "")), clid=owner["clid"]) for p in golden]
    answer = crm.check("04:addlist-get", params={"persons": persons})
    for row in (answer.json or {}).get("data", []) if isinstance(answer.json, dict) else answer.json or []:
        if isinstance(row, dict) and isinstance(row.get("data"), int) and row["data"] > 0:
            crm.created_record("person", row["data"])


@pytest.mark.parametrize("ref", ["04:addlist-json-ignored", "04:addlist-none"])
def test_add_list_nothing(crm: Contract, ref: str) -> None:
    crm.check(ref, update={"persons": [{"person": crm.title("JSON")}]} if "json" in ref else None)


@pytest.mark.parametrize("ref", ["04:info-1", "04:info-fields"])
def test_info(crm: Contract, owner: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"pid": owner["pid"]})


@pytest.mark.parametrize(
    "ref, params",
    [("04:info-unknown", {"pid": MISSING_ID}), ("04:info-no-pid", None), ("04:info-pid-text", None)],
)
@pytest.mark.reads
def test_info_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


@pytest.mark.parametrize(
    "ref",
    [
        "04:list-default",
        "04:list-order-pid-old",
        "04:list-full-rows",
        "04:list-order-person",
        "04:list-word-name",
        "04:list-socinfo",
        "04:list-fields-unknown",
        "04:list-offset-1",
    ],
)
def test_list(crm: Contract, owner: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"word": crm.marker})


def test_list_filter_clid(crm: Contract, owner: dict[str, Any]) -> None:
    crm.check("04:list-filter-clid", update={"filter": {"clid": owner["clid"]}})


@pytest.mark.reads
def test_list_fatal(crm: Contract) -> None:
    crm.check("04:list-filter-unknown-column", update={"word": "contract-nothing"})


def test_update(crm: Contract, owner: dict[str, Any]) -> None:
    crm.check(
        "04:update-full",
        update={"pid": owner["pid"], "clid": owner["clid"], "person": crm.title("Петров Петр")},
        subst={'"1"': f'"{owner["pid"]}"'},
        expect={"data": owner["pid"]},
    )
    crm.check("04:info-after-updates", update={"pid": owner["pid"]})


def test_delete(crm: Contract, owner: dict[str, Any]) -> None:
    pid = crm.check("04:add-json", update={"person": crm.title("на удаление"), "clid": owner["clid"]}).data()
    crm.check("04:delete-plain", params={"pid": pid}, values=("result",), expect={"data": pid})
    crm.check("04:info-after-delete", params={"pid": pid})
