"""Method `deal` through the wire, whole bodies (deal.md; golden 05/06/07)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import MANAGER, MANAGER2, Api

STEPS = [
    {"idcategory": "10", "title": "0", "content": "Проявлен/Выявлен интерес"},
    {"idcategory": "2", "title": "20", "content": "Подтвержден интерес"},
    {"idcategory": "11", "title": "40", "content": "Отправлено КП"},
    {"idcategory": "5", "title": "60", "content": "Обсуждение деталей - продукты, услуги, оплата"},
    {"idcategory": "6", "title": "80", "content": "Согласован договор, Выставлен счет"},
    {"idcategory": "7", "title": "90", "content": "Получена предоплата, Выполнение договора"},
    {"idcategory": "8", "title": "100", "content": "Закрытие сделки, Подписание документов"},
]
NOT_VISIBLE = {
    "result": "Error",
    "error": {"code": 403, "text": "Сделка с указанным did не найдена в пределах аккаунта указанного пользователя."},
}


@pytest.fixture
def seeded(api: Api) -> Api:
    assert api("client", "add", title="ООО Ромашка", date_create="2024-01-05 10:00:00") == {
        "result": "Успешно",
        "data": 1,
    }
    assert api("client", "add", title="АО Плательщик", date_create="2024-01-06 10:00:00") == {
        "result": "Успешно",
        "data": 2,
    }
    return api


def add_deal(api: Api, **params: Any) -> Any:
    base: dict[str, Any] = {"clid": 1, "title": "Поставка", "datum_plan": "2031-03-31"}
    return api("deal", "add", **(base | params))


def test_steplist_comes_from_the_directory(api: Api) -> None:
    assert api("deal", "steplist") == {"data": STEPS}


def test_type_after_unknown_type_name(seeded: Api) -> None:
    assert add_deal(seeded, tip="Госзакупка") == {"result": "Успешно", "data": 1}
    assert seeded("deal", "type")["data"][0] == {"tid": "7", "title": "Госзакупка", "isDefault": None}  # type: ignore[index]


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"title": "X"}, {"result": "Error", "error": {"code": 407, "text": "Клиент или Плательщик не найден."}}),
        (
            {"clid": 999, "title": "X"},
            {"result": "Error", "error": {"code": 407, "text": "Клиент или Плательщик не найден."}},
        ),
        ({"clid": 1}, {"result": "Error", "error": {"code": 406, "text": "Отсутствуют параметры - Название сделки"}}),
        (
            {"clid": 1, "title": "<b></b>"},
            {"result": "Error", "error": {"code": 402, "text": "Отсутствуют параметры - Название сделки"}},
        ),
    ],
)
def test_add_errors(seeded: Api, params: dict[str, Any], body: Any) -> None:
    assert seeded("deal", "add", **params) == body


def test_add_prefixes_the_number_and_list_prints_it(seeded: Api) -> None:
    assert add_deal(seeded, payer=2, kol="1 000,50", step="40", tip="Продажа услуг") == {"result": "Успешно", "data": 1}
    body = seeded("deal", "list", fields="did,title,clid,payer,step,tip,kol,status_close")
    assert body == {
        "data": [
            {
                "did": 1,
                "title": "СД2: Поставка",
                "clid": 1,
                "clientTitle": "Ромашка, ООО",
                "payer": 2,
                "payerTitle": "АО Плательщик",
                "step": 40,
                "stepID": 11,
                "stepTitle": "Отправлено КП",
                "tipID": 4,
                "tip": "Продажа услуг",
                "kol": 1000.5,
                "status_close": False,
            }
        ],
        "count": 1,
    }


def test_info_prints_null_for_generic_fields(seeded: Api) -> None:
    add_deal(seeded, step="20")
    assert seeded("deal", "info", did=1, fields="did,title,kol,step,iduser,payer") == {
        "data": {
            "did": None,
            "title": None,
            "kol": None,
            "step": 20,
            "stepID": 2,
            "stepTitle": "Подтвержден интерес",
            "iduser": 1,
            "user": "admin@example.com",
            "userUID": "",
        }
    }


def test_update_identical_then_changed(seeded: Api) -> None:
    add_deal(seeded)
    identical = {"result": "Данные корректны, но идентичны имеющимся.", "data": 1, "error": {"code": 302}}
    # real server: kol alone is not compared without a title (deal.md §8)
    assert seeded("deal", "update", did=1, kol=5) == identical
    assert seeded("deal", "update", did=1, datum_plan="2031-12-31") == {"result": "Готово", "data": 1}
    assert seeded("deal", "update", did=1, datum_plan="2031-12-31") == identical


def test_step_close_and_close_again(seeded: Api) -> None:
    add_deal(seeded, kol=100)
    assert seeded("deal", "change.step", did=1, step=40) == {
        "result": "Этап сделки изменен на 40%. Предыдущий этап %.",
        "data": 1,
    }
    assert seeded("deal", "change.step", did=1, step=40) == {
        "result": "Error",
        "error": {"code": 302, "text": "Данные корректны, но идентичны имеющимся"},
    }
    assert seeded("deal", "change.close", did=1, sid=1) == {
        "result": "Ok",
        "data": "Сделка закрыта со статусом Победа полная",
    }
    assert seeded("deal", "change.close", did=1, sid=3) == {
        "result": "Error",
        "data": "Сделка уже закрыта",
        "error": {"code": 407, "text": "Сделка уже закрыта"},
    }
    body = seeded("deal", "list", fields="did,step,close,kol_fact")
    assert body == {
        "data": [
            {
                "did": 1,
                "step": 100,
                "stepID": 8,
                "stepTitle": "Закрытие сделки, Подписание документов",
                "close": "yes",
                "kol_fact": 100,
            }
        ],
        "count": 1,
    }


@pytest.mark.parametrize("action", ["info", "update", "change.step", "change.user", "delete"])
def test_other_managers_deal_is_invisible(seeded: Api, action: str) -> None:
    add_deal(seeded, user=MANAGER)
    body = seeded("deal", action, login=MANAGER2, did=1, step=40)
    expected = (
        NOT_VISIBLE
        if action != "info"
        else {
            "result": "Error",
            "error": {"code": 403, "text": "Сделка не найдена в пределах аккаунта указанного пользователя."},
        }
    )
    assert body == expected


def test_change_user_and_delete(seeded: Api) -> None:
    add_deal(seeded)
    assert seeded("deal", "change.user", did=1, user=MANAGER) == {
        "result": "Успешно. Клиент не переведен<br>Контакты не переведены",
        "data": 1,
    }
    assert seeded("deal", "delete", did=1) == {"result": "Сделка удалена", "data": 1}
    assert seeded("deal", "list") == {"count": 0}


def test_missing_did_is_a_php_fatal(api: Api) -> None:
    raw = api.raw("deal", "delete").decode()
    assert raw.startswith(
        "<br />\n<b>Fatal error</b>:  Uncaught mysqli_sql_exception: You have an error in your SQL syntax"
    )


def test_json_true_action_runs_fields(api: Api) -> None:
    assert api.json("deal", {"action": True})["data"]["did"] == "Уникальный идентификатор записи"  # type: ignore[index]


def test_invoice_flow(seeded: Api) -> None:
    speka = {"speka[0][title]": "Линия", "speka[0][artikul]": "L-1", "speka[0][kol]": "1", "speka[0][price]": "1000"}
    assert add_deal(seeded, **speka) == {
        "result": "Успешно",
        "data": 1,
        "text": ["Добавлены позиции в спецификацию. Ошибок 0"],
    }
    assert seeded("deal", "invoice.add", did=1, summa=400) == {
        "result": "Успешно;Счет добавлен в платежи",
        "data": {"id": 1, "invoice": ""},
    }
    assert seeded("deal", "invoice.do", id=1, summa=300) == {
        "result": "Успешно",
        "data": "Внесена оплата по графику 300,00 р.<br>Поступившая оплата отличается от планируемой."
        "<br>Добавлен дополнительный платеж 100,00 р.",
        "newdata": 2,
    }
    assert seeded("deal", "delete", did=1) == {
        "result": "Error",
        "error": {"code": "407", "text": "Не возможно удалить сделку - есть счета"},
    }
    assert seeded("deal", "invoice.do", id=99) == {"error": {"code": 403, "text": "Счет по ID или Номеру не найден"}}


def _company_deal(api: Api) -> None:
    speka = {"speka[0][title]": "Станок", "speka[0][kol]": "2", "speka[0][price]": "50000", "speka[0][nds]": "20"}
    assert add_deal(api, kol="100000", mcid="1", **speka)["data"] == 1


def test_invoice_vat_comes_from_the_specification_and_the_company_account(seeded: Api) -> None:
    _company_deal(seeded)
    assert seeded("deal", "invoice.add", did=1, summa="60 000,50")["data"] == {"id": 1, "invoice": ""}
    info = seeded("deal", "invoice.info", id=1)["data"]
    # VAT still due on the whole specification (20 % inside the price), the company's default account
    assert (info["summa"], info["nds"], info["rs"]) == (60000.5, 16666.67, 1)
    assert seeded("deal", "invoice.add", did=1, summa="1000.129", nds="200,555")["data"]["id"] == 2
    info = seeded("deal", "invoice.info", id=2)["data"]
    assert (info["summa"], info["nds"]) == (1000.13, 200.56)


def test_invoice_do_over_and_under_payment(seeded: Api) -> None:
    _company_deal(seeded)
    seeded("deal", "invoice.add", did=1, summa="30000", invoice="INV-1")
    assert seeded("deal", "invoice.do", invoice="inv-1", summa="-1000") == {
        "result": "Успешно",
        "data": "Внесена оплата по графику -1 000,00 р.<br>Поступившая оплата отличается от планируемой."
        "<br>Добавлен дополнительный платеж 31 000,00 р."
        "<br>На р/с Основной расчетный счет внесена оплата в размере -1 000,00 р.",
        "newdata": 2,
    }
    assert seeded("deal", "invoice.do", id=2, summa="40000") == {
        "result": "Успешно",
        "data": "Внесена оплата по графику 40 000,00 р."
        "<br>На р/с Основной расчетный счет внесена оплата в размере 40 000,00 р.",
    }
    remainder = seeded("deal", "invoice.info", id=2)["data"]
    assert (remainder["summa"], remainder["do"], remainder["clid"], remainder["invoice"]) == (40000, "on", 1, "INV-1")
    assert seeded("history", "info", id=5)["data"]["content"] == (
        "Внесена оплата по графику -1 000,00 р.Поступившая оплата отличается от планируемой."
        "Добавлен дополнительный платеж 31 000,00 р."
        "На р/с Основной расчетный счет внесена оплата в размере -1 000,00 р."
    )


def test_invoice_express_is_capped_at_the_deal_sum(seeded: Api) -> None:
    _company_deal(seeded)
    assert seeded("deal", "invoice.express", did=1, summa="999 999") == {
        "result": "Успешно;Внесена оплата 100 000,00 р."
        "<br>На р/с Основной расчетный счет внесена оплата в размере 100000.00 р.<br>Счет добавлен в платежи",
        "data": {"id": 1, "invoice": ""},
    }
    assert seeded("deal", "invoice.express", did=1, summa="1") == {
        "error": {"code": 406, "text": "Уже выставлены все возможные счета"}
    }


@pytest.mark.parametrize(
    ("value", "stored"),
    [(1500.005, 1500.01), (1.005, 1.0), (2.675, 2.67), (1000.125, 1000.12), (-1.005, -1.0), (1e30, 1e18 - 0.01)],
)
def test_double_20_2_rounds_the_fraction_half_to_even(value: float, stored: float) -> None:
    from mockcrm.methods.deal.invoice_money import mysql_double

    assert mysql_double(value) == stored


@pytest.mark.parametrize(
    ("value", "text"),
    [(1000.555, "1 000,56"), (12345.675, "12 345,68"), (-1000.0, "-1 000,00"), (99999999.0, "99 999 999,00")],
)
def test_num_format_rounds_half_up(value: float, text: str) -> None:
    from mockcrm.methods.deal.invoice_money import num_format

    assert num_format(value) == text
