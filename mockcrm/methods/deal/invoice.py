"""Invoice actions of the deal method (deal.md §12, golden 07-deal-invoice)."""

from __future__ import annotations

import html as _html
import re
from typing import Any

from ...errors import CRMError, Fatal, escape_fatal, sql_syntax_fatal
from ...php import empty as empty_php
from ...php import floatval, intval, is_numeric, strtr, strval, yimplode
from ...sanitize import pre_format, untag
from ...store import Row
from ...wire import Call
from ..mysql import mysql_rounded_int
from .common import (
    DEAL_PHP,
    add_days,
    ci,
    deals,
    now,
    pasted_literal,
    php_empty_str,
    php_gt0,
    php_truthy,
    pre_format_arg,
    table,
    text_arg,
    today,
    user_uid,
)
from .invoice_html import render_invoice, signer_info
from .invoice_money import (
    bank_account,
    date_column,
    default_rs,
    is_service_deal,
    mysql_double,
    num_format,
    php_money,
    rs_add,
    spec_nalog,
    timestamp_column,
    utf8mb3,
)

ADD_DIVISION_LINE = 1334  # golden 07 add-deal-without-speka
EXPRESS_DIVISION_LINE = 1477  # the same statement in the express branch of developer/v2/deal.php
INVOICE_CLASS = "inc/class/Invoice.php"
# real server: synonyms of the invoice type, replaced anywhere in the text with strtr() (Invoice::TIPS)
INVOICE_TIPS = {
    "ispeka": "По спецификации",
    "ioffer": "Счет-договор",
    "icontract": "По договору",
    "ipre": "Предварительная оплата",
    "iafter": "Окончательная оплата",
}
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
    # real server: template > 0 → that contract_temp row of any type, else the row of file invoice.tpl
    if intval(tid) > 0:
        row = table(call, "contract_temp").get(intval(tid))
    else:
        row = table(call, "contract_temp").first(lambda r: r.get("file") == "invoice.tpl")
    if row is None:
        return {"id": 0, "title": None, "file": None, "typeid": 0}
    return {
        "id": intval(row["id"]),
        "title": row.get("title"),
        "file": row.get("file"),
        "typeid": intval(row.get("typeid")),
    }


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
        "signer": signer_info(call, r.get("signer")) if intval(r.get("signer")) > 0 else None,
    }


def info(call: Call) -> dict[str, Any]:
    crid = call.get("id")
    if isinstance(crid, str):
        # real server: Invoice::info($id) runs before the isset() check, pasting id between quotes
        crid = pasted_literal(crid, f" and identity = '{call.db.identity}'")
    if crid is None:  # real server: isset($params['id'])
        raise NoInvoiceId()
    # real server: an unknown id gives an object of zeros, the 403 branch is unreachable (deal.md §12.2);
    # `crid = '3abc'` finds invoice 3 (MySQL casts the string)
    wanted = sql_number(crid)
    row = credits(call).first(lambda r: float(intval(r["crid"])) == wanted)
    return {"data": invoice_info(call, row)}


# ------------------------------------------------------------------ add / express


def sql_number(value: Any) -> float:
    """A request value pasted into ``col = '…'`` of an INT column: MySQL casts the text ('Array' → 0)."""
    return 0.0 if isinstance(value, (list, dict)) else floatval(value)


def _find_deal(call: Call, express: bool) -> Row | None:
    # real server: invoice.express casts did with (int), invoice.add pastes it raw into SQL
    raw = call.get("did")
    did: Any = intval(raw) if express else raw
    uid = untag(text_arg(call.get("uid")))  # real server: the action's second line, before the deal lookup
    if php_gt0(did):
        if isinstance(did, str):
            # real server: WHERE did = '$did' and identity = ... (deal.php invoice.add; found by mockcrm diff)
            did = pasted_literal(did, f" and identity = '{call.db.identity}'")
        return next((d for d in deals(call) if float(d["did"]) == sql_number(did)), None)
    if uid != "":
        return next((d for d in deals(call) if ci(d.get("uid")) == ci(uid)), None)
    raise sql_syntax_fatal(f"and identity = '{call.db.identity}'")


def _deal_credits(call: Call, did: int) -> list[Row]:
    return sorted(credits(call).where(lambda r: intval(r.get("did")) == did), key=lambda r: intval(r["crid"]))


def _kol_text(deal: Row) -> str:
    """``getDogData($did, 'kol')``: the double(20,2) column as MySQL prints it (``120000.00``)."""
    return f"{floatval(deal.get('kol')):.2f}"


def _sumdo_below_kol(sumdo: float | None, kol: float) -> bool:
    # real server: `$sumdo < $kol` compares SUM() = NULL with the string "0.00": "" < "0.00", so a deal
    # without invoices always passes (golden 27 add-zero-kol reaches the division)
    return True if sumdo is None else sumdo < kol


def _invoice_number(call: Call) -> tuple[str, bool]:
    """(number as Invoice::add sees it, auto-number wanted)."""
    param = call.get("invoice")
    # real server: `$params["invoice"] == "auto"` is loose, JSON true also asks for a number
    auto = param is True or param == "auto"
    return ("" if auto else untag(strval(param))), auto


def _generate_number(call: Call) -> str:
    """``generate_num('invoice')``: settings ``iformat`` with ``inum + 1`` and the date parts."""
    settings = call.db.settings
    stamp = now(call)
    parts = {
        "{cnum}": str(intval(settings.get("inum")) + 1),
        "{DD}": stamp[8:10],
        "{MM}": stamp[5:7],
        "{YY}": stamp[2:4],
        "{YYYY}": stamp[:4],
        "{HH}": stamp[11:13],
        "{MI}": stamp[14:16],
    }
    text = strval(settings.get("iformat"))
    for key, value in parts.items():
        text = text.replace(key, value)
    return text


def _datum(call: Call) -> str:
    # real server: Invoice::add reads `datum` and appends date('G').':'.date('i').':00' (inc/class/Invoice.php)
    date = call.get("date")
    day = today(call) if php_empty_str(date) else untag(strval(date))
    stamp = now(call)
    return timestamp_column(f"{day} {int(stamp[11:13])}:{stamp[14:16]}:00")


def _nullable(text: str, width: int) -> str | None:
    # real server: arrayNullClean() drops "" (column default NULL); MariaDB cuts to the varchar width
    return utf8mb3(text, width) if text != "" else None


def _template_for_add(call: Call, express: bool) -> int:
    file: Any = call.get("template")
    if php_empty_str(file):
        file = ""
        # real server: invoice.express never loads the template list, so templateID is ignored there
        if not express and php_gt0(call.get("templateID")):
            found = [t for t in _templates(call) if t["id"] == intval(call.get("templateID"))]
            file = found[0]["file"] if found else ""
        file = file or "invoice.tpl"
    if is_numeric(file):
        return intval(round(floatval(file)))
    row = table(call, "contract_temp").first(lambda r: ci(r.get("file")) == ci(file))
    return intval(row["id"]) if row else 0


def _recount_service_deal(call: Call, deal: Row, express: bool) -> str:
    """A service deal's kol/marga follow its invoices (``$isper == 'yes'`` in Invoice::add/express)."""
    did = intval(deal["did"])
    rows = sorted(table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == did), key=lambda r: r["spid"])
    # real server: add groups the specification by spid and reads the first group only
    rows = rows if express else rows[:1]
    summa_sp = sum(floatval(r.get("price")) * floatval(r.get("kol")) for r in rows)
    sum_in = sum(floatval(r.get("price_in")) * floatval(r.get("kol")) for r in rows)
    if summa_sp == 0:
        raise Fatal("DivisionByZeroError", "Division by zero", INVOICE_CLASS, 1466 if express else 866)
    total = sum(floatval(r.get("summa_credit")) for r in _deal_credits(call, did))
    deal["kol"] = mysql_double(total)
    deal["marga"] = mysql_double(total * ((summa_sp - sum_in) / summa_sp))
    return "Суммы по сделке обновлены"


#: the texts Invoice::add/express hand to untag() in their order (`date` arrives as `datum`, `date.plan` as
#: `datum_credit`, `contract` as `invoice_chek`); an array there is a strip_tags() TypeError
_UNTAGGED = {
    False: ("invoice", "date", "date.plan", "contract", "date.do", "do"),
    True: ("invoice", "date", "date.plan", "contract", "date.do"),  # real server: express sets do = 'on' itself
}


def _array_fatals(call: Call, express: bool) -> None:
    """The TypeErrors an array meets after the sums, in the order of deal.php and Invoice::add/express.

    Every array passes deal.php's ``isset($x) && $x != ''`` (PHP 8 ranks arrays above strings).
    """
    template = call.get("template")
    if not express and php_empty_str(template) and isinstance(call.get("templateID"), (list, dict)):
        # real server: $template[$params['templateID']] with an array key (invoice.express never reads templateID)
        raise Fatal("TypeError", "Illegal offset type", DEAL_PHP, 1360)
    for key in _UNTAGGED[express]:
        text_arg(call.get(key))
    if isinstance(call.get("tip"), (list, dict)):
        line = 1294 if express else 748
        message = "strtr(): Argument #1 ($string) must be of type string, array given"
        raise Fatal("TypeError", message, INVOICE_CLASS, line)
    if not php_empty_str(template) and not is_numeric(template):
        # real server: a template file name is pasted between quotes (Invoice::add/express `file = '…'`)
        pasted_literal(strval(template), f" AND identity = '{call.db.identity}' LIMIT 1")
    if isinstance(call.get("rs"), (list, dict)):
        raise escape_fatal()  # real server: `rs > 0` keeps the array, which reaches INSERT ... SET ?u


def _new_invoice(call: Call, express: bool) -> dict[str, Any]:
    deal = _find_deal(call, express)
    if deal is None:
        raise DealNotFound()
    did, owner = intval(deal["did"]), intval(deal.get("iduser"))
    existing = _deal_credits(call, did)
    sumdo = sum(floatval(r.get("summa_credit")) for r in existing) if existing else None
    if not _sumdo_below_kol(sumdo, floatval(deal.get("kol"))):
        raise AllInvoiced()
    nalog, spec_sum = spec_nalog(call, deal)
    if spec_sum == 0:
        line = EXPRESS_DIVISION_LINE if express else ADD_DIVISION_LINE
        # real server: the VAT share divides by the specification total (deal.md §12.2)
        raise Fatal("DivisionByZeroError", "Division by zero", DEAL_PHP, line)
    # real server: the VAT still due on the specification, whatever the invoice sum (deal.php invoice.add)
    nds_left = (spec_sum - (sumdo or 0.0)) * (nalog / spec_sum)
    summa_param = call.get("summa")
    # real server: deal.php runs pre_format() and Invoice::add runs it again on the float
    line = 1492 if express else 1349  # the summa line of developer/v2/deal.php; nds is the next one
    summa_in = (
        pre_format(_kol_text(deal)) if php_empty_str(summa_param) else pre_format_arg(summa_param, DEAL_PHP, line)
    )
    summa = php_money(summa_in)
    nds_param = call.get("nds")
    nds_in = nds_left if php_empty_str(nds_param) else pre_format_arg(nds_param, DEAL_PHP, line + 1)
    nds = php_money(nds_in)
    _array_fatals(call, express)
    number, auto = _invoice_number(call)
    generated = number == "" and auto
    if generated:
        number = _generate_number(call)
    # real server: the API hands the deal owner as the invoice's user (`!isset(user) && user != ''` is never true)
    author = owner if owner > 0 else call.iduser
    iduser = (owner if owner >= 1 else call.iduser) if express else owner
    plan = call.get("date.plan")
    datum_credit = untag(strval(plan)) if not php_empty_str(plan) else add_days(today(call), CREDIT_DAYS)
    datum = _datum(call)
    if express and datum_credit == "0000-00-00":
        datum_credit = datum[:10]
    pay_date = call.get("date.do")
    if express:
        paid_on: str | None = untag(strval(pay_date)) if not php_empty_str(pay_date) else today(call)
    else:
        paid_on = untag(strval(pay_date)) if not php_empty_str(pay_date) else ""
    rs_param = call.get("rs")
    rs = mysql_rounded_int(rs_param) if php_gt0(rs_param) else default_rs(call, deal.get("mcid"))
    do = "on" if express else (untag(strval(call.get("do"))) if not php_empty_str(call.get("do")) else "no")
    tip = strval(call.get("tip")) if not php_empty_str(call.get("tip")) else "Счет-договор"
    summa_out: Any = summa
    if express and summa > floatval(deal.get("kol")):
        # real server: an express payment is capped at the deal sum, as MySQL prints it (Invoice::express)
        summa_out = _kol_text(deal)
        summa = floatval(summa_out)
    row: Row = {
        "crid": None,
        "did": did,
        "clid": intval(deal.get("clid")),
        "pid": intval(deal.get("pid")),
        "datum": datum,
        "datum_credit": date_column(datum_credit) if datum_credit != "" else None,
        "summa_credit": mysql_double(summa),
        "nds_credit": mysql_double(nds),
        "iduser": iduser,
        "idowner": owner,
        "do": utf8mb3(do or "no", 5),
        "invoice": _nullable(number, 20),
        "invoice_chek": _nullable(untag(strval(call.get("contract"))), 40),
        "invoice_date": date_column(paid_on) if paid_on else None,
        "rs": rs,
        # real server: the type goes through strtr(Invoice::TIPS), not untag()
        "tip": utf8mb3(strtr(tip, INVOICE_TIPS), 255),
        "template": _template_for_add(call, express),
        "suffix": None,
        "signer": 0 if not php_gt0(call.get("signer")) else intval(call.get("signer")),
        "identity": call.db.identity,
    }
    crid = credits(call).insert(row)
    valuta = strval(call.db.settings.get("valuta"))
    messages = []
    if express:
        messages.append(f"Внесена оплата {num_format(summa_out, valuta)}")
        rs_add(call, rs, summa)
        if isinstance(rs_param, str) and php_gt0(rs_param):
            # real server: the account title is read with the raw rs pasted between quotes, after the
            # invoice was written and paid (Invoice::express); a quote crashes there
            pasted_literal(rs_param, f" and identity = '{call.db.identity}'")
        account = bank_account(call, rs)
        if account is not None and strval(account.get("title")) != "":
            # real server: this line prints the raw sum, not num_format() (Invoice::express)
            messages.append(f"На р/с {account['title']} внесена оплата в размере {strval(summa_out)} {valuta}")
    if generated:
        call.db.settings["inum"] = str(intval(call.db.settings.get("inum")) + 1)
        call.db.drop_settings_cache()  # real server: unlink(cash/settings.all.json) with the counter (Invoice::add)
    messages.append("Счет добавлен в платежи")
    if owner == 0 and express:
        # real server: the payment's user (the API user) lacks access to an ownerless deal and gets it
        # (Deal::changeDostup() in Invoice::express always answers Ok)
        me = call.db.user(iduser) or {}
        messages.append(f"Ответственному {strval(me.get('title'))} предоставлен доступ в карточку Сделки")
    if is_service_deal(call, deal):
        messages.append(_recount_service_deal(call, deal, express))
    text = "<br>".join(messages)
    call.db.add_history(datum=now(call), des=untag(text), tip="СобытиеCRM", iduser=author, did=did)
    call.emit(
        "invoice.add",
        {
            "did": did,
            "autor": author,
            # real server: an ownerless deal hands Invoice::add no user at all (null is dropped)
            "user": iduser if iduser > 0 else None,
            "userUID": user_uid(call, iduser),
            "id": crid,
            "summa": summa_out,
            "invoice": number,
        },
    )
    return {"result": f"Успешно;{text}", "data": {"id": crid, "invoice": number}}


def add(call: Call) -> dict[str, Any]:
    return _new_invoice(call, express=False)


def express(call: Call) -> dict[str, Any]:
    return _new_invoice(call, express=True)


# ------------------------------------------------------------------ existing invoices


def _find_invoice(call: Call, cast_id: bool = False) -> Row | None:
    crid, number = call.get("id"), call.get("invoice")
    # real server: invoice.do casts id with (int); html/pdf/mail paste it into SQL, where '2abc' means 2
    if cast_id:
        crid = intval(crid)
    tail = f" AND identity = '{call.db.identity}'"
    if php_gt0(crid):
        # real server: crid = '$crid' / invoice = '$invoice' are pasted between quotes (deal.php)
        wanted = sql_number(pasted_literal(crid, tail) if isinstance(crid, str) else crid)
        return credits(call).first(lambda r: float(intval(r["crid"])) == wanted)
    if not php_empty_str(number):
        rows = _by_number(call, pasted_literal(number, tail) if isinstance(number, str) else number)
        return rows[0] if rows else None
    raise sql_syntax_fatal(f"AND identity = '{call.db.identity}'")


def _by_number(call: Call, number: Any) -> list[Row]:
    # real server: `invoice = '…'` compares under utf8_general_ci (case and trailing spaces ignored)
    key = ci(number)
    return sorted(credits(call).where(lambda r: r.get("invoice") is not None and ci(r["invoice"]) == key),
                  key=lambda r: intval(r["crid"]))  # fmt: skip


def do(call: Call) -> dict[str, Any]:
    row = _find_invoice(call, cast_id=True)
    if row is None:
        raise InvoiceNotFound()
    valuta = strval(call.db.settings.get("valuta"))
    planned = floatval(row.get("summa_credit"))
    param = call.get("summa")
    summa = pre_format_arg(param, INVOICE_CLASS, 1635) if not php_empty_str(param) else 0.0
    if summa + 0 == 0:
        summa = planned
    did = intval(row.get("did"))
    deal = deals(call).get(did) or {}
    owner = intval(deal.get("iduser"))
    rs = intval(row.get("rs"))
    # real server: date.do reaches Invoice::doit as invoice_date, which it never reads (golden 07 info-after-do)
    delta = planned - summa
    row.update({"do": "on", "summa_credit": mysql_double(summa)})
    messages = [f"Внесена оплата по графику {num_format(summa, valuta)}"]
    out: dict[str, Any] = {"result": "Успешно"}
    if delta > 0 and not is_service_deal(call, deal):
        extra: Row = {
            "crid": None,
            "did": did,
            "clid": intval(deal.get("payer")),
            "pid": intval(deal.get("pid")),
            "datum": row.get("datum"),
            "datum_credit": row.get("datum_credit"),
            "summa_credit": mysql_double(pre_format(strval(delta))),
            "nds_credit": 0.0,
            "iduser": owner,
            "idowner": 0,
            "do": "no",
            "invoice": row.get("invoice") or None,
            "invoice_chek": None,
            "invoice_date": None,
            "rs": rs,
            "tip": row.get("tip"),
            "template": 0,
            "suffix": None,
            "signer": 0,
            "identity": call.db.identity,
        }
        out["newdata"] = credits(call).insert(extra)
        extra_text = f"Добавлен дополнительный платеж {num_format(delta, valuta)}"
        messages.append(f"Поступившая оплата отличается от планируемой.<br>{extra_text}")
    rs_add(call, rs, summa)
    account = bank_account(call, rs)
    if account is not None and strval(account.get("title")) != "":
        messages.append(f"На р/с {account['title']} внесена оплата в размере {num_format(summa, valuta)}")
    text = "<br>".join(messages)
    call.db.add_history(datum=now(call), des=untag(text), tip="СобытиеCRM", iduser=call.iduser, did=did)
    payload: dict[str, Any] = {"id": row["crid"], "did": did, "autor": call.iduser}
    payload["userUID"] = user_uid(call, owner)
    if row.get("invoice") is not None:
        payload["invoice"] = row["invoice"]
    payload.update({"summa": summa, "summaNew": delta})
    call.emit("invoice.doit", payload)
    out["data"] = text
    if "newdata" in out:
        out["newdata"] = out.pop("newdata")  # real server: "newdata" comes after "data"
    return out


def html(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    # real server: Invoice::getInvoice() gets the request's parameters (tip/api overwritten) and reads
    # tagsAttached and nosignat from them
    attached = call.get("tagsAttached")
    if php_truthy(attached) and not isinstance(attached, (list, dict)):
        kind = {bool: "bool", int: "int", float: "float"}.get(type(attached), "string")
        raise Fatal("TypeError", f"array_merge(): Argument #2 must be of type array, {kind} given", INVOICE_CLASS, 2577)
    page = render_invoice(call, row, call.base_url, nosignat=php_truthy(call.get("nosignat")))
    return {"html": page, "id": intval(row["crid"]), "invoice": row.get("invoice")}


def pdf(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    number = row.get("invoice")
    if number is not None and not re.match(r"[ \t\n\r\v\f]*[+-]?(\d|\.\d)", number):
        # real server: `invoice + 0` on a non-numeric number is a TypeError in PHP 8; "5abc" gives 5
        raise Fatal("TypeError", "Unsupported operand types: string + int", DEAL_PHP, 1599)
    value: Any = 0 if number in (None, "") else floatval(number)
    value = int(value) if float(value).is_integer() else value
    return {"url": f"{call.base_url}/files/invoice_{row['crid']}.pdf", "id": intval(row["crid"]), "invoice": value}


class NoRecipient(CRMError):
    code = 407
    text = "Не найден ниодин получатель"


# real server: the default letter of Invoice::mail(), a Mustache template (tabs and all)
MAIL_TEMPLATE = (
    "\n\t\t\tПриветствую, {{person}}\n\t\t\t\n\t\t\tОтправляю Вам Счет на оплату.\n\t\t\t\n"
    "\t\t\tСпасибо за внимание.\n\t\t\tС уважением,\n\t\t\t{{mName}}{{#mPhone}}\n\t\t\tТел.: {{mPhone}}{{/mPhone}}"
    "{{#mMail}}\n\t\t\tEmail.: {{mMail}}{{/mMail}}\n\t\t\t{{#mCompany}}==============================\n"
    "\t\t\t{{mCompany}}{{/mCompany}}"
)


def _mustache(template: str, tags: dict[str, str]) -> str:
    """The little of Mustache the letter uses: ``{{#x}}…{{/x}}`` sections and escaped ``{{x}}``."""
    for name, value in tags.items():
        section = re.compile(r"\{\{#" + name + r"\}\}(.*?)\{\{/" + name + r"\}\}", re.S)
        template = section.sub(r"\1" if value else "", template)
    for name, value in tags.items():
        escaped = _html.escape(value, quote=True).replace("&#x27;", "&#039;")
        template = template.replace("{{" + name + "}}", escaped)
    return re.sub(r"\{\{[^}]*\}\}", "", template)


def _nl2br(text: str) -> str:
    return re.sub(r"(\r\n|\n\r|\n|\r)", r"<br />\1", text)


def _first_mail(value: Any) -> str:
    return strval(value).replace(" ", "").replace(";", ",").split(",")[0]


def _php_array(value: Any) -> list[Any]:
    """PHP ``(array)$v`` then ``foreach``: null → [], a scalar → [scalar], an array → its values."""
    if value is None:
        return []
    if isinstance(value, dict):
        return list(value.values())
    return list(value) if isinstance(value, list) else [value]


def _auto_list(call: Call, row: Row, given: Any) -> list[Any]:
    """The ``email`` list Invoice::mail() builds for the API when none is given: the invoice's client, then
    the deal's contacts (or the client's main contact)."""
    clid = intval(row.get("clid"))
    deal = deals(call).get(intval(row.get("did"))) or {}
    pids = [p for p in strval(deal.get("pid_list")).split(";") if p.strip() != ""]
    if not pids:
        client = table(call, "clientcat", "clid").get(clid) or {}
        pids = [strval(intval(client.get("pid")))]
    if isinstance(given, str):
        # real server: `$email[] = …` on the string '' or '0' the request sent
        raise Fatal("Error", "[] operator not supported for strings", INVOICE_CLASS, 2206 if clid > 0 else 2212)
    if isinstance(given, (int, float)) and not isinstance(given, bool):
        raise Fatal("Error", "Cannot use a scalar value as an array", INVOICE_CLASS, 2206 if clid > 0 else 2212)
    return ([f"clid:{clid}"] if clid > 0 else []) + [f"pid:{p}" for p in pids]


def _address(call: Call, entry: str) -> tuple[str | None, str, str]:
    """One ``kind:id`` entry → (clid it names or None, name, first e-mail)."""
    kind, _, key = entry.partition(":")
    if kind == "pid":
        person = table(call, "personcat", "pid").get(intval(key)) if is_numeric(key) else None
        return None, strval((person or {}).get("person")), _first_mail((person or {}).get("mail"))
    if kind == "clid":
        client = table(call, "clientcat", "clid").get(intval(key)) if is_numeric(key) else None
        return key, strval((client or {}).get("title")), _first_mail((client or {}).get("mail_url"))
    return None, "", ""


def _recipients(call: Call, email: Any, emails: Any, cc: list[Any]) -> tuple[str, str, list[Any], str | None]:
    """(to mail, to name, copies, last clid named) as Invoice::mail() walks the ``email`` list.

    The first entry with a name is the addressee; once it is set, a given ``emails`` list takes over:
    its head becomes the addressee and the rest are copied (again for every further entry).
    """
    to_mail = to_name = ""
    clid: str | None = None
    pending = list(emails) if isinstance(emails, list) else _php_array(emails) if emails else []
    # real server: foreach over a string or number only warns, so no entry is read
    for entry in _php_array(email) if isinstance(email, (list, dict)) else []:
        if isinstance(entry, (list, dict)):
            raise Fatal("TypeError", "explode(): Argument #2 ($string) must be of type string, array given",
                        INVOICE_CLASS, 2300)  # fmt: skip
        named, name, mail = _address(call, strval(entry))
        clid = named if named is not None else clid
        if to_name == "":
            to_name, to_mail = name, mail
        elif pending:
            head = pending.pop(0)
            to_name, to_mail = strval(_key(head, "name")), strval(_key(head, "email"))
            cc.extend({"name": _key(e, "name"), "email": _key(e, "email")} for e in pending)
        else:
            cc.append({"name": name, "email": mail})
    return to_mail, to_name, cc, clid


def _key(item: Any, key: str) -> Any:
    """``$item['key']``: null for a missing key or a non-array (a string is a TypeError, see _check_copies)."""
    return item.get(key) if isinstance(item, dict) else None


_VALID_MAIL = re.compile(r"^[^@\s<>()\[\],;:\\\"]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _check_copies(copies: list[Any], line: int) -> list[str]:
    """mailto(): ``AddCC($c['email'], …)`` for each copy; a string copy is a TypeError, the rest give addresses."""
    out = []
    for c in copies:
        if isinstance(c, str):
            raise Fatal("TypeError", "Cannot access offset of type string on string", "inc/func.php", line)
        out.append(strval(_key(c, "email")))
    return out


def _mustache_arg(value: Any) -> str:
    if isinstance(value, (list, dict)):
        # real server: Mustache_Engine::render() tokenizes with strlen(), which refuses an array
        raise Fatal("TypeError", "strlen(): Argument #1 ($string) must be of type string, array given",
                    "vendor/mustache/mustache/src/Mustache/Tokenizer.php", 109)  # fmt: skip
    return strval(value)


def mail(call: Call) -> dict[str, Any]:
    row = _find_invoice(call)
    if row is None:
        raise InvoiceNotFound()
    given = call.get("email")
    email = given if given is not None else []
    if empty_php(email):
        email = _auto_list(call, row, given if given is not None else [])
    number = strval(row.get("invoice"))
    if number == "":
        # real server: Invoice::mail() mails only numbered invoices
        raise CRMError("Счет не найден", 406)
    number = number.replace("/", "-")
    crid = intval(row["crid"])
    if empty_php(email):
        raise CRMError("Не указан ни один получатель", 407)
    to_mail, to_name, copies, named_clid = _recipients(call, email, call.get("emails"), _php_array(call.get("cc")))
    clid = named_clid if named_clid is not None else intval(row.get("clid"))
    sender = call.get("iduser")
    # real server: an `iduser` parameter > 0 (PHP 8 comparison) is the sender (Invoice::mail)
    iduser: Any = sender if php_gt0(sender) else call.iduser
    me = (call.db.user(iduser) if not isinstance(iduser, (list, dict)) and is_numeric(iduser) else None) or {}
    account = bank_account(call, row.get("rs"))
    company = table(call, "mycomps").get(intval(account.get("cid"))) if account else None
    theme = call.get("theme")
    theme = "Счет на оплату" if php_empty_str(theme) else theme
    content = call.get("content")
    content = content.replace("\\r\\n", "<br>") if isinstance(content, str) else content
    content = MAIL_TEMPLATE if php_empty_str(content) else content
    tags = {
        "person": to_name,
        "mName": strval(me.get("title")),
        "mMail": strval(me.get("email")),
        "mPhone": strval(me.get("phone")),
        "mCompany": strval((company or {}).get("name_shot")),
    }
    html_text = _nl2br(_mustache(_mustache_arg(content), tags))
    theme = _mustache(_mustache_arg(theme), tags)
    addresses = [to_mail] + _check_copies(copies, 4751) + _check_copies(_php_array(call.get("bcc")), 4757)
    if not any(_VALID_MAIL.match(a) for a in addresses):
        # real server: PHPMailer refuses a letter without one valid address (Invoice::mail)
        error = NoRecipient()
        text = "Выполнено с ошибками. Ошибка: Пожалуйста, введите хотя бы один email-адрес получателя."
        return {"result": "Error", "error": {"code": error.code, "text": error.text}, "data": crid,
                "invoice": number, "text": text}  # fmt: skip
    copy_names = yimplode(", ", [_key(c, "name") for c in copies])
    des = (
        f"Отправлен Счет на Email: {to_mail} на имя {to_name}. "
        + (f"Копия отправлена: {copy_names}" if copies else "")
        + f"\n\nТема: {theme}.\n\nТекст сообщения:\n{html_text}"
    )
    call.db.add_history(datum=now(call), des=untag(des), tip="Исх.Почта", iduser=iduser, clid=clid,
                        did=intval(row.get("did")))  # fmt: skip
    return {"result": "Успешно", "data": {"id": crid, "invoice": number}}
