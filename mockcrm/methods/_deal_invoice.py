"""Invoice actions of the deal method (deal.md §12, golden 07-deal-invoice)."""

from __future__ import annotations

from typing import Any

from ..errors import CRMError, Fatal, sql_syntax_fatal
from ..php import floatval, intval, is_numeric, strval
from ..sanitize import pre_format, untag
from ..store import Row
from ..wire import Call
from ._deal_common import DEAL_PHP, add_days, deals, money, now, php_empty_str, php_gt0, table, today, user_uid
from ._deal_invoice_html import render_invoice

ADD_DIVISION_LINE = 1334  # golden 07 add-deal-without-speka
EXPRESS_DIVISION_LINE = 1466  # same statement in the express branch (not recorded; estimated)
CREDIT_DAYS = 5  # observed: an invoice without date.plan is due in 5 days (golden 07 info-1)


class DealNotFound(CRMError):
    # real server: invoice errors carry no "result" key and no final period (deal.md §12.2)
    code = 403
    text = "Сделка с указанным did не найдена в пределах аккаунта указанного пользователя"
    with_result = False


class AllInvoiced(CRMError):
    code = 406
    text = "Уже выставлены все возможные счета"
    with_result = False


class InvoiceNotFound(CRMError):
    code = 403
    text = "Счет по ID или Номеру не найден"
    with_result = False


class NoInvoiceId(CRMError):
    code = 405
    text = "Отсутствуют параметры - id Счета"


class NoTemplates(CRMError):
    code = 404
    text = "Шаблоны не найдены"


def credits(call: Call) -> Any:
    return table(call, "credit", "crid")


def _templates(call: Call) -> list[dict[str, Any]]:
    kinds = {strval(r["id"]) for r in table(call, "contract_type") if r.get("type") == "invoice"}
    rows = [r for r in table(call, "contract_temp") if strval(r.get("typeid")) in kinds]
    return [
        {"id": intval(r["id"]), "title": r.get("title"), "file": r.get("file"), "typeid": intval(r.get("typeid"))}
        for r in sorted(rows, key=lambda r: intval(r["id"]))
    ]


def templates(call: Call) -> dict[str, Any]:
    data = _templates(call)
    if not data:
        raise NoTemplates()
    return {"result": "Success", "data": data}


def _template_of(call: Call, tid: Any) -> dict[str, Any]:
    found = [t for t in _templates(call) if t["id"] == intval(tid)]
    if not found:
        found = [t for t in _templates(call) if t["file"] == "invoice.tpl"] or _templates(call)[:1]
    return found[0] if found else {"id": 0, "title": None, "file": None, "typeid": 0}


def invoice_info(call: Call, row: Row | None) -> dict[str, Any]:
    r = row or {}
    return {
        "crid": intval(r.get("crid")),
        "invoice": r.get("invoice"),
        "datum": r.get("datum"),
        "datum_credit": r.get("datum_credit"),
        "invoice_date": r.get("invoice_date"),
        "contractnum": r.get("invoice_chek"),
        "summa": float(r.get("summa_credit") or 0),
        "nds": float(r.get("nds_credit") or 0),
        "clid": intval(r.get("clid")),
        "pid": intval(r.get("pid")),
        "did": intval(r.get("did")),
        "tip": r.get("tip"),
        "rs": intval(r.get("rs")),
        "iduser": intval(r.get("iduser")),
        "do": r.get("do"),
        "suffix": strval(r.get("suffix")),
        "valuta": call.db.settings.get("valuta"),
        "template": _template_of(call, r.get("template")),
        "idcurrency": 0,
        "currency": [],
        "idcourse": 0,
        "course": [],
        "signer": intval(r.get("signer")) or None,
    }


def info(call: Call) -> dict[str, Any]:
    if "id" not in call.params:
        raise NoInvoiceId()
    # real server: an unknown id gives an object of zeros, the 403 branch is unreachable (deal.md §12.2)
    return {"data": invoice_info(call, credits(call).get(call.get("id")))}


# ------------------------------------------------------------------ add / express


def _find_deal(call: Call) -> Row | None:
    did, uid = call.get("did"), untag(strval(call.get("uid")))
    if php_gt0(did):
        return next((d for d in deals(call) if float(d["did"]) == floatval(did)), None)
    if uid != "":
        return next((d for d in deals(call) if strval(d.get("uid")).casefold() == uid.casefold()), None)
    raise sql_syntax_fatal(f"and identity = '{call.db.identity}'")


def _spec_total(call: Call, did: int) -> float:
    rows = table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == did)
    return sum(float(r["price"]) * float(r["kol"]) * float(r.get("dop") or 1) for r in rows)


def _new_invoice(call: Call, express: bool) -> tuple[Row, dict[str, Any]]:
    deal = _find_deal(call)
    if deal is None:
        raise DealNotFound()
    did = intval(deal["did"])
    sumdo = sum(float(r.get("summa_credit") or 0) for r in credits(call).where(lambda r: intval(r.get("did")) == did))
    if not sumdo < float(deal.get("kol") or 0):
        raise AllInvoiced()
    if _spec_total(call, did) == 0:
        line = EXPRESS_DIVISION_LINE if express else ADD_DIVISION_LINE
        # real server: the NDS share divides by the specification total (deal.md §12.2)
        raise Fatal("DivisionByZeroError", "Division by zero", DEAL_PHP, line)
    number_param = call.get("invoice")
    number: str | None = None if php_empty_str(number_param) else strval(number_param)
    if number_param == "auto":
        settings = call.db.settings
        settings["inum"] = str(intval(settings.get("inum")) + 1)
        number = strval(settings.get("iformat") or "{cnum}").replace("{cnum}", settings["inum"])
    date = strval(call.get("date"))[:10] if not php_empty_str(call.get("date")) else today(call)
    summa = float(deal.get("kol") or 0) if php_empty_str(call.get("summa")) else pre_format(call.get("summa"))
    pay_date = call.get("date.do")
    row: Row = {
        "crid": None,
        "did": did,
        "clid": intval(deal.get("clid")),
        "pid": intval(deal.get("pid")),
        "datum": date + " " + now(call)[11:],
        "datum_credit": strval(call.get("date.plan")) or add_days(today(call), CREDIT_DAYS),
        "summa_credit": summa,
        "nds_credit": pre_format(call.get("nds")) if not php_empty_str(call.get("nds")) else 0.0,
        "iduser": intval(deal.get("iduser")),
        "idowner": intval(deal.get("iduser")),
        "do": "on" if express else (strval(call.get("do")) or "no"),
        "invoice": number,
        "invoice_chek": None if php_empty_str(call.get("contract")) else strval(call.get("contract")),
        "invoice_date": (strval(pay_date) or today(call))
        if express
        else (None if php_empty_str(pay_date) else strval(pay_date)),
        "rs": intval(call.get("rs")),
        "tip": strval(call.get("tip")) or "Счет-договор",
        "template": _template_for_add(call),
        "suffix": "",
        "signer": intval(call.get("signer")),
        "identity": call.db.identity,
    }
    crid = credits(call).insert(row)
    owner = intval(deal.get("iduser"))
    call.emit(
        "invoice.add",
        {
            "did": did,
            "autor": owner,
            "user": owner,
            "userUID": user_uid(call, owner),
            "id": crid,
            "summa": summa,
            "invoice": number or "",
        },
    )
    return credits(call).get(crid) or row, {"id": crid, "invoice": number or ""}


def _template_for_add(call: Call) -> int:
    file = strval(call.get("template"))
    if not file and intval(call.get("templateID")) > 0:
        found = [t for t in _templates(call) if t["id"] == intval(call.get("templateID"))]
        file = found[0]["file"] if found else ""
    file = file or "invoice.tpl"
    found = [t for t in _templates(call) if t["file"] == file]
    return found[0]["id"] if found else 0


def add(call: Call) -> dict[str, Any]:
    _, data = _new_invoice(call, express=False)
    return {"result": "Успешно;Счет добавлен в платежи", "data": data}


def express(call: Call) -> dict[str, Any]:
    row, data = _new_invoice(call, express=True)
    paid = money(float(row["summa_credit"]), strval(call.db.settings.get("valuta")))
    return {"result": f"Успешно;Внесена оплата {paid}<br>Счет добавлен в платежи", "data": data}


# ------------------------------------------------------------------ existing invoices


def _find_invoice(call: Call) -> Row | None:
    crid, number = call.get("id"), call.get("invoice")
    if php_gt0(crid):
        return credits(call).get(intval(crid)) if is_numeric(crid) else None
    if not php_empty_str(number):
        rows = sorted(
            credits(call).where(lambda r: strval(r.get("invoice")) == strval(number)), key=lambda r: r["crid"]
        )
        return rows[0] if rows else None
    raise sql_syntax_fatal(f"AND identity = '{call.db.identity}'")


def do(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    valuta = strval(call.db.settings.get("valuta"))
    planned = float(row.get("summa_credit") or 0)
    paid = planned if php_empty_str(call.get("summa")) else pre_format(call.get("summa"))
    row["do"] = "on"
    text = f"Внесена оплата по графику {money(paid, valuta)}"
    out: dict[str, Any] = {"result": "Успешно", "data": text}
    rest = round(planned - paid, 2) if paid < planned else 0.0
    if rest > 0:
        row["summa_credit"] = paid
        extra = dict(row, crid=None, summa_credit=rest, nds_credit=0.0, do="no", invoice_date=None)
        out["newdata"] = credits(call).insert(extra)
        out["data"] = (
            text + "<br>Поступившая оплата отличается от планируемой.<br>"
            f"Добавлен дополнительный платеж {money(rest, valuta)}"
        )
    payload: dict[str, Any] = {"id": row["crid"], "did": intval(row.get("did")), "autor": call.iduser}
    payload["userUID"] = user_uid(call, call.iduser)
    if row.get("invoice") is not None:
        payload["invoice"] = row["invoice"]
    payload.update({"summa": paid, "summaNew": rest})
    call.emit("invoice.doit", payload)
    return out


def html(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    return {"html": render_invoice(call, row, call.base_url), "id": intval(row["crid"]), "invoice": row.get("invoice")}


def pdf(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    number = row.get("invoice")
    if number not in (None, "") and not is_numeric(number):
        # real server: `invoice + 0` on a non-numeric number (PHP 8)
        raise Fatal("TypeError", "Unsupported operand types: string + int", DEAL_PHP, 1542)
    value: Any = 0 if number in (None, "") else floatval(number)
    value = int(value) if float(value).is_integer() else value
    return {"url": f"{call.base_url}/files/invoice_{row['crid']}.pdf", "id": intval(row["crid"]), "invoice": value}


def mail(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    # real server: Invoice::mail() answers this for the recorded invoices (golden 07 "mail")
    raise CRMError("Счет не найден", 406)
