"""Method `guides`: the directories in the real server's row order (other-methods.md §1, golden 13)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from mockcrm.backend import Account
from tests.conftest import MANAGER, Api

CATEGORY = {
    "data": [{"id": 1, "title": "Физические лица", "tip": "client"}, {"id": 2, "title": "Розница", "tip": "client"}]
}
CLIENTPATH = {
    "data": [
        {"id": 1, "title": "Личные связи", "utm_source": "", "destination": ""},
        {"id": 2, "title": "Маркетинг", "utm_source": "", "destination": ""},
        {"id": 3, "title": "Справочник", "utm_source": "", "destination": ""},
        {"id": 4, "title": "Заказ с сайта", "utm_source": "", "destination": ""},
        {"id": 5, "title": "Рекомендации клиентов", "utm_source": "fromfriend", "destination": ""},
    ]
}
BANK_1 = {
    "id": 1,
    "tip": "bank",
    "isDefault": "yes",
    "ndsDefault": "20",
    "compNameRs": "Основной расчетный счет",
    "compBankBik": "045744863",
    "compBankRs": "1234567890000000000000000",
    "compBankKs": "30101810300000000863",
    "compBankName": "Филиал ОАО «УРАЛСИБ» в г. Пермь",
}
BANK_2 = {
    "id": 2,
    "tip": "kassa",
    "isDefault": "",
    "ndsDefault": "0",
    "compNameRs": "Касса",
    "compBankBik": "",
    "compBankRs": "0",
    "compBankKs": "",
    "compBankName": "",
}
SIGNER = {
    "id": 1,
    "mcid": 1,
    "title": "Андреев В.Г.",
    "status": "Директор",
    "signature": "Андреев В.Г.",
    "osnovanie": "Устава",
    "stamp": None,
}
COMPANY = {
    "mcid": 1,
    "compUrName": "Общество с ограниченной ответственностью ”Брикет Солюшн”",
    "compShotName": "ООО ”Брикет Солюшн”",
    "compUrAddr": "614007, г. Пермь, ул. Народовольческая, 60",
    "compFacAddr": "614007, г. Пермь, ул. Народовольческая, 60",
    "compDirName": "Директора Андреева Владислава Германовича",
    "compDirSignature": "Андреев В.Г.",
    "compDirStatus": "Директор",
    "compDirOsnovanie": "Устава",
    "compInn": "590402247104",
    "compKpp": "590401001",
    "compOgrn": "312590427000020",
}


def with_mcid(bank: dict[str, Any]) -> dict[str, Any]:
    return {"id": bank["id"], "mcid": 1, **{k: v for k, v in bank.items() if k != "id"}}


def account(app: Flask) -> Account:
    acc: Account = app.extensions["mockcrm"].accounts[1]
    return acc


def add_signer(app: Flask) -> None:
    row = {"id": None, "mcid": "1", "title": "Андреев В.Г.", "status": "Директор", "signature": "Андреев В.Г."}
    row.update(osnovanie="Устава", stamp=None, identity="1")
    account(app).table("mycomps_signer").insert(row)


def fatal(line: int) -> str:
    where = "/var/www/salesman/developer/v2/guides.php"
    return (
        "<br />\n<b>Fatal error</b>:  Uncaught TypeError: array_values(): Argument #1 ($array) must be of type "
        f"array, null given in {where}:{line}\nStack trace:\n#0 {{main}}\n"
        f"  thrown in <b>{where}</b> on line <b>{line}</b><br />\n"
    )


@pytest.mark.parametrize(
    ("action", "body"),
    [
        ("category", CATEGORY),
        (
            "territory",
            {
                "data": [
                    {"id": 1, "title": "Пермь"},
                    {"id": 3, "title": "Тюмень"},
                    {"id": 4, "title": "Челябинск"},
                    {"id": 5, "title": "Москва"},
                ]
            },
        ),
        (
            # the install's physical row order puts 5 before 4
            "relations",
            {
                "data": [
                    {"id": 1, "title": "0 - Не работаем", "color": "#333333"},
                    {"id": 2, "title": "1 - Холодный клиент", "color": "#99ccff"},
                    {"id": 3, "title": "3 - Текущий клиент", "color": "#3366ff"},
                    {"id": 5, "title": "4 - Постоянный клиент", "color": "#ff9900"},
                    {"id": 4, "title": "2 - Потенциальный клиент", "color": "#99ff66"},
                    {"id": 6, "title": "5 - Перспективный клиент", "color": "#ff0033"},
                ]
            },
        ),
        ("clientpath", CLIENTPATH),
        ("company.bank", {"data": [with_mcid(BANK_1), with_mcid(BANK_2)]}),
        ("company.signers", {"data": [[]]}),
    ],
)
def test_directories(api: Api, action: str, body: dict[str, Any]) -> None:
    got = api("guides", action)
    assert got == body
    assert json_keys(got) == json_keys(body)


def json_keys(body: Any) -> Any:
    """Key order matters on the wire: compare it too."""
    if isinstance(body, dict):
        return [(k, json_keys(v)) for k, v in body.items()]
    if isinstance(body, list):
        return [json_keys(v) for v in body]
    return None


@pytest.mark.parametrize(("action", "line"), [("company.list", 248), ("company.listfull", 301)])
def test_company_without_signers_crashes(api: Api, action: str, line: int) -> None:
    assert api.raw("guides", action).decode() == fatal(line)


def test_companies_with_signers(app: Flask, api: Api) -> None:
    add_signer(app)
    listed = {"data": [{**COMPANY, "signers": [SIGNER]}]}
    full = {"data": [{**COMPANY, "bank": [BANK_1, BANK_2], "signers": [SIGNER]}]}
    assert api("guides", "company.list") == listed
    assert json_keys(api("guides", "company.listfull")) == json_keys(full)
    assert api("guides", "company.listfull") == full
    assert api("guides", "company.signers") == {"data": [{"1": {"1": SIGNER}}]}


def test_empty_directory_answers_an_empty_array(app: Flask, api: Api) -> None:
    categories = account(app).table("category")
    for rid in list(categories.rows):
        categories.delete(rid)
    assert api("guides", "category") == []


def test_same_for_every_user_and_transport(api: Api) -> None:
    assert api("guides", "category", login=MANAGER) == CATEGORY
    assert api.json("guides", {"action": "clientpath"}) == CLIENTPATH


@pytest.mark.parametrize("action", ["frobnicate", "list", None])
def test_unknown_action(api: Api, action: str | None) -> None:
    assert api("guides", action) == {"result": "Error", "error": {"code": 402, "text": "Неизвестный метод"}}


def test_json_true_runs_the_first_case(api: Api) -> None:
    assert api.json("guides", {"action": True}) == CATEGORY
