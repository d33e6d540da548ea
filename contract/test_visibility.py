"""Visibility between two users: an ordinary manager (SALESMAN_LOGIN2) and the admin-like main login."""

from __future__ import annotations

from typing import Any

import pytest

from .harness import Contract

pytestmark = pytest.mark.write


@pytest.fixture(scope="module")
def records(contract: Contract) -> dict[str, Any]:
    if not contract.target.login2:
        pytest.skip("needs SALESMAN_LOGIN2 (a second, ordinary manager)")
    contract.nodeid = "contract/test_visibility.py::records"
    adm = contract.check("10:adm-client", update={"title": contract.title("Админский")}, track="client").data()
    mgr = contract.check("10:mgr-client", update={"title": contract.title("Петра")}, track="client").data()
    adm_deal = contract.check("10:adm-deal", update={"clid": adm, "title": contract.title("адм")}, track="deal").data()
    mgr_deal = contract.check("10:mgr-deal", update={"clid": mgr, "title": contract.title("мгр")}, track="deal").data()
    adm_task = contract.check("10:adm-task", update={"clid": adm, "title": contract.title("задача")}, track="task")
    return {"adm": adm, "mgr": mgr, "adm_deal": adm_deal, "mgr_deal": mgr_deal, "adm_task": adm_task.data()}


def test_manager_sees_own_clients_only(crm: Contract, records: dict[str, Any]) -> None:
    answer = crm.check("10:mgr-client-list", update={"word": crm.marker})
    seen = {row.get("clid") for row in (answer.json or {}).get("data", [])}
    if records["adm"] in seen or records["mgr"] not in seen:
        pytest.fail(f"manager's client list {sorted(seen)} must hold {records['mgr']} and not {records['adm']}")
    crm.check("10:adm-client-list", update={"word": crm.marker})


def test_client_info_across_users(crm: Contract, records: dict[str, Any]) -> None:
    crm.check("10:mgr-client-info-own", update={"clid": records["mgr"]}, expect={"data.clid": records["mgr"]})
    crm.check("10:mgr-client-info-admins", params={"clid": records["adm"]})
    crm.check("10:adm-client-info-mgrs", update={"clid": records["mgr"]}, expect={"data.clid": records["mgr"]})


@pytest.mark.parametrize(
    "ref, params",
    [
        ("10:mgr-deal-info-admins", {}),
        ("10:mgr-deal-update-admins", {"title": "contract: must not change"}),
        ("10:mgr-deal-step-admins", {"step": "40"}),
        ("10:mgr-deal-delete-admins", {}),
    ],
)
def test_manager_cannot_touch_admins_deal(
    crm: Contract, records: dict[str, Any], ref: str, params: dict[str, Any]
) -> None:
    crm.check(ref, params={"did": records["adm_deal"], **params})


def test_deal_lists(crm: Contract, records: dict[str, Any]) -> None:
    crm.check("10:mgr-deal-list", update={"word": crm.marker})
    crm.check("10:adm-deal-list", update={"word": crm.marker})
    crm.check("10:adm-deal-info-mgrs", update={"did": records["mgr_deal"]})


def test_tasks(crm: Contract, records: dict[str, Any]) -> None:
    crm.check("10:mgr-task-info-admins", params={"id": records["adm_task"]}, values=())
    crm.check("10:mgr-task-delete-admins", params={"id": records["adm_task"]})


@pytest.mark.reads
def test_users(crm: Contract) -> None:
    crm.check("10:mgr-user-list")
    crm.check("10:mgr-user-info-admin")
