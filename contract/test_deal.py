"""deal: add, info, list (paging, order, filters), update, change.step/close/user, delete, invoice reads."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import MISSING_ID, Contract

pytestmark = pytest.mark.write


@pytest.fixture(scope="module")
def deal(contract: Contract) -> dict[str, Any]:
    contract.nodeid = "contract/test_deal.py::deal"
    c1 = contract.check("05:client-1", update={"title": contract.title("Прикамская Нефть")}, track="client").data()
    c2 = contract.check("05:client-2-payer", update={"title": contract.title("Уральский Лизинг")}, track="client")
    payer = c2.data()
    pid = contract.check("05:person-1", update={"person": contract.title("Григорьев"), "clid": c1}, track="person")
    did = contract.check(
        "05:add-full",
        update={
            "clid": c1,
            "payer": payer,
            "pid_list": str(pid.data()),
            "title": contract.title("Лизинг"),
            "uid": contract.uid("d"),
        },
        track="deal",
    ).data()
    return {"clid": c1, "payer": payer, "pid": pid.data(), "did": did, "uid": contract.uid("d")}


def new_deal(crm: Contract, deal: dict[str, Any], title: str) -> int:
    return crm.check("05:add-minimal", update={"clid": deal["clid"], "title": crm.title(title)}, track="deal").data()


@pytest.mark.parametrize(
    "ref", ["05:add-minimal", "05:add-summa-alias", "05:add-kol-formatted", "05:add-default-datum-plan"]
)
def test_add(crm: Contract, deal: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"clid": deal["clid"], "title": crm.title(ref)}, track="deal")


def test_add_payer_only(crm: Contract, deal: dict[str, Any]) -> None:
    crm.check("05:add-payer-only", update={"payer": deal["payer"], "title": crm.title("payer")}, track="deal")


@pytest.mark.parametrize(
    "ref, update",
    [
        ("05:add-no-client", None),
        ("05:add-unknown-client", {"clid": MISSING_ID}),
        ("05:add-unknown-payer", {"payer": MISSING_ID}),
        ("05:add-client-text", None),
        ("05:add-no-title", "clid"),
        ("05:add-empty-title", "clid"),
        ("05:add-title-dog-alias", "clid"),
    ],
)
def test_add_errors(crm: Contract, deal: dict[str, Any], ref: str, update: Any) -> None:
    crm.check(ref, update={"clid": deal["clid"]} if update == "clid" else update)


@pytest.mark.parametrize(
    "ref",
    [
        "05:info-full",
        "05:info-client-payer",
        "05:info-bankinfo-speka-invoice-uids",
        "05:info-fields",
        "05:info-fields-date-aliases",
    ],
)
def test_info(crm: Contract, deal: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"did": deal["did"]})


def test_info_minimal(crm: Contract, deal: dict[str, Any]) -> None:
    crm.check("05:info-by-did", params={"did": new_deal(crm, deal, "info")})


def test_info_by_uid(crm: Contract, deal: dict[str, Any]) -> None:
    crm.check("05:info-by-uid", params={"uid": deal["uid"]})


@pytest.mark.parametrize(
    "ref, params",
    [
        ("05:info-unknown", {"did": MISSING_ID}),
        ("05:info-unknown-uid", {"uid": "contract-no-such-uid"}),
        ("05:info-did-text", None),
        ("05:info-no-params", None),
        ("07:info-no-params", None),
        ("07:info-unknown", {"id": MISSING_ID}),
        ("07:html-unknown", {"id": MISSING_ID}),
        ("07:pdf-unknown", {"id": MISSING_ID}),
        ("07:mail-unknown", {"id": MISSING_ID}),
        ("07:do-unknown", {"id": MISSING_ID}),
        ("07:express-unknown", {"did": MISSING_ID, "summa": 1}),
        ("07:add-unknown-deal", {"did": MISSING_ID, "summa": 1000}),
    ],
)
@pytest.mark.reads
def test_read_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


@pytest.mark.parametrize(
    "ref",
    [
        "06:list-default",
        "06:list-order-did",
        "06:list-order-did-old",
        "06:list-order-kol",
        "06:list-order-title-old",
        "06:list-order-date-plan",
        "06:list-offset-1",
        "06:list-active-yes",
        "06:list-active-other",
        "06:list-steps-20-40",
        "06:list-fields-subset",
        "06:list-fields-aliases",
        "06:list-fields-unknown",
        "06:list-bankinfo",
        "06:list-invoice-uids",
    ],
)
def test_list(crm: Contract, deal: dict[str, Any], ref: str) -> None:
    crm.check(ref, update={"word": crm.marker})


def test_list_filter_clid(crm: Contract, deal: dict[str, Any]) -> None:
    crm.check("06:list-filter-clid", update={"filter": {"clid": deal["clid"]}})


@pytest.mark.reads
def test_list_fatal(crm: Contract) -> None:
    crm.check("06:list-order-unknown", update={"word": "contract-nothing"})


def test_update(crm: Contract, deal: dict[str, Any]) -> None:
    did = new_deal(crm, deal, "update")
    crm.check("05:update-partial", update={"did": did, "title": crm.title("изм.")}, expect={"data": did})
    crm.check("05:update-identical", update={"did": did}, expect={"data": did})
    crm.check("05:update-datum-plan", update={"did": did})
    crm.check("05:info-after-owner-update", update={"did": did})


@pytest.mark.parametrize(
    "ref, params",
    [("05:update-unknown", {"did": MISSING_ID, "title": "x"}), ("05:update-no-did", None), ("05:update-by-uid", "uid")],
)
def test_update_errors(crm: Contract, deal: dict[str, Any], ref: str, params: Any) -> None:
    crm.check(ref, params=None if params == "uid" else params, update={"uid": deal["uid"]} if params == "uid" else None)


def test_change_step(crm: Contract, deal: dict[str, Any]) -> None:
    did = new_deal(crm, deal, "step")
    crm.check("05:step-40", update={"did": did}, expect={"data": did}, hook_expect={"0.payload.did": str(did)})
    crm.check("05:step-same", update={"did": did})
    crm.check("05:step-80", update={"did": did})
    crm.check("05:step-no-step", update={"did": did})
    crm.check("05:info-after-steps", update={"did": did}, values=())


@pytest.mark.parametrize(
    "ref, params",
    [("05:step-unknown-did", {"did": MISSING_ID, "step": "40"}), ("05:step-no-did", None), ("05:step-by-uid", "uid")],
)
def test_change_step_errors(crm: Contract, deal: dict[str, Any], ref: str, params: Any) -> None:
    crm.check(ref, params=None if params == "uid" else params, update={"uid": deal["uid"]} if params == "uid" else None)


def test_change_close(crm: Contract, deal: dict[str, Any]) -> None:
    did = new_deal(crm, deal, "close")
    crm.check("05:close-win-sid", update={"did": did})
    crm.check("05:info-after-close", update={"did": did}, values=())
    crm.check("05:close-again", update={"did": did})
    crm.check("06:list-active-no", update={"word": crm.marker})


@pytest.mark.parametrize(
    "ref, params", [("05:close-unknown", {"did": MISSING_ID, "sid": 1}), ("05:close-no-did", None)]
)
def test_change_close_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


def test_change_user(crm: Contract, deal: dict[str, Any]) -> None:
    crm.check("05:user-no-user-param", update={"did": deal["did"]}, expect={"data": deal["did"]})
    crm.check("05:info-after-user-change", update={"did": deal["did"]}, values=())


@pytest.mark.parametrize(
    "ref, params", [("05:user-unknown-did", {"did": MISSING_ID, "user": "{LOGIN2}"}), ("05:user-no-did", None)]
)
def test_change_user_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)


def test_delete(crm: Contract, deal: dict[str, Any]) -> None:
    did = new_deal(crm, deal, "delete")
    crm.check("05:delete-by-did", params={"did": did}, expect={"data": did})
    crm.created.remove(("deal", did))
    crm.check("05:info-after-delete", params={"did": did})
    crm.check("05:delete-again", params={"did": did})


@pytest.mark.parametrize(
    "ref, params", [("05:delete-by-uid", {"uid": "contract-no-such-uid"}), ("05:delete-no-did", None)]
)
def test_delete_errors(crm: Contract, ref: str, params: dict[str, Any] | None) -> None:
    crm.check(ref, params=params)
