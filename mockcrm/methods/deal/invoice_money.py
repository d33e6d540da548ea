"""Money rules of the invoice actions: how MariaDB stores a sum, the VAT (НДС) taken from the
specification, the own company's bank account and PHP's ``num_format`` (deal.md §12, §14)."""

from __future__ import annotations

import math
import re
from typing import Any

from ...errors import Fatal
from ...php import floatval, intval, number_format, php_float_str, strval
from ...sanitize import pre_format
from ...store import Row
from ...wire import Call
from ..mysql import mysql_datetime
from .common import table
from .mysql import mysql_double

_DATE = re.compile(r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})")


def php_money(value: Any) -> float:
    """``pre_format()`` of a value PHP already turned into a float: the float goes through its 14-digit
    string form first, so 165819.87499999997 is stored as 165819.875 and then rounded to .88."""
    return pre_format(strval(value))


def utf8mb3(text: str, width: int) -> str:
    """A string stored into a utf8mb3 varchar: 4-byte characters become ``????``, then the width cuts."""
    # real server: the emoji of an invoice number comes back as "????" (golden 23 info-emoji-number)
    return "".join("????" if ord(c) > 0xFFFF else c for c in text)[:width]


def date_column(value: Any) -> str:
    """A string stored into a DATE column under ``ALLOW_INVALID_DATES``: any day 0–31 of month 0–12."""
    m = _DATE.match(strval(value))
    if not m or int(m.group(2)) > 12 or int(m.group(3)) > 31:
        return "0000-00-00"
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def timestamp_column(value: Any) -> str:
    """A string stored into a TIMESTAMP column: a real date between 1970 and 2038, else the zero stamp."""
    stamp = mysql_datetime(value)
    if not ("1970-01-01 03:00:01" <= stamp <= "2038-01-19 06:14:07"):
        return "0000-00-00 00:00:00"
    return stamp


def num_format(value: Any, valuta: str = "") -> str:
    """``num_format()`` (inc/func.php): ``number_format($x, 2, ',', ' ')``."""
    # real server: str_replace() turns a float into text first, at precision 14 (1e18-5000 prints 1 000…000,00)
    number = floatval(strval(value).replace(",", ".").replace(" ", ""))
    if math.isinf(number) or math.isnan(number):
        return php_float_str(number)
    text = number_format(number, 2, ",", " ")
    return f"{text} {valuta}" if valuta else text


def php_float_text(value: float) -> str:
    """A float pasted into a PHP string (``'… в размере '.$summa``): ``15000``, ``1500.5``."""
    return php_float_str(value)


def default_rs(call: Call, mcid: Any) -> int:
    """The own company's default bank account (``mycomps_recv`` with ``isDefault = 'yes'``, first by title)."""
    rows = [
        r
        for r in table(call, "mycomps_recv")
        if intval(r.get("cid")) == intval(mcid) and intval(mcid) > 0 and r.get("isDefault") == "yes"
    ]
    rows.sort(key=lambda r: strval(r.get("title")).casefold())
    return intval(rows[0]["id"]) if rows else 0


def bank_account(call: Call, rs: Any) -> Row | None:
    return table(call, "mycomps_recv").get(intval(rs)) if intval(rs) > 0 else None


def rs_add(call: Call, rs: Any, summa: float) -> None:
    """``Budget::rsadd($rs, $summa, 'plus')``: the payment lands on the bank account's balance."""
    row = bank_account(call, rs)
    if row is not None:
        row["ostatok"] = f"{mysql_double(floatval(row.get('ostatok')) + summa):.2f}"


def company_nalog(call: Call, mcid: int) -> float:
    """``getNalogScheme(0, $mcid)['nalog']``: the VAT rate of the company's default account."""
    if mcid <= 0:
        return 0.0
    rows = [r for r in table(call, "mycomps_recv") if intval(r.get("cid")) == mcid and r.get("isDefault") == "yes"]
    return floatval(rows[0].get("ndsDefault")) if rows else 0.0


def spec_nalog(call: Call, deal: Row) -> tuple[float, float]:
    """``Speka::getNalog($did)`` → (VAT total, sum) over the rows with ``tip != 2``.

    real server: the VAT is inside the price (``ndsInOut`` off): price * (1 - 1/(1 + nds/100)),
    and a company whose default account has no VAT rate charges none (inc/class/Speka.php).
    """
    did = intval(deal["did"])
    company_free = company_nalog(call, intval(deal.get("mcid"))) == 0
    nalog = summa = 0.0
    rows = table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == did and strval(r.get("tip")) != "2")
    for r in sorted(rows, key=lambda r: intval(r["spid"])):
        price, kol, dop = floatval(r.get("price")), floatval(r.get("kol")), floatval(r.get("dop"))
        rate = 0.0 if company_free else floatval(r.get("nds"))
        nalog += price * (1 - 1 / (1 + rate / 100)) * kol * dop
        summa += kol * price * dop
    return nalog, summa


def is_service_deal(call: Call, deal: Row) -> bool:
    """``isServices($did)``: the deal's type title mentions месячный, сервис or абонент."""
    words = ("месячный", "сервис", "абонент")
    services = {
        strval(r.get("tid"))
        for r in table(call, "dogtips", "tid")
        if any(w in strval(r.get("title")).casefold() for w in words)
    }
    return strval(deal.get("tip")) in services


def recalculate(call: Call, did: int) -> None:
    """``reCalculate($did)`` (inc/func.helpers.php): the deal's kol/marga after its specification changed.

    A calculated deal takes its sum from the specification without materials (tip 2); a service
    deal takes it from its invoices (none: the sum stays); materials always come off the margin.
    """
    deal = table(call, "dogovor", "did").get(did)
    if deal is None:
        return
    rows = sorted(table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == did), key=lambda r: r["spid"])
    goods = [r for r in rows if strval(r.get("tip")) != "2"]
    kol = floatval(deal.get("kol"))
    if deal.get("calculate") != "yes":
        total, marga = kol, floatval(deal.get("marga"))
    elif not is_service_deal(call, deal):
        total = sum(floatval(r.get("kol")) * floatval(r.get("price")) * floatval(r.get("dop")) for r in goods)
        marga = total - sum(
            floatval(r.get("price_in")) * floatval(r.get("kol")) * floatval(r.get("dop")) for r in goods
        )
    else:
        summa_sp = sum(floatval(r.get("price")) * floatval(r.get("kol")) for r in goods)
        sum_in = sum(floatval(r.get("price_in")) * floatval(r.get("kol")) for r in goods)
        if summa_sp == 0:
            raise Fatal("DivisionByZeroError", "Division by zero", "inc/func.helpers.php", 4665)
        credits = table(call, "credit", "crid").where(lambda r: intval(r.get("did")) == did)
        total = sum(floatval(r.get("summa_credit")) for r in credits)
        marga = total * ((summa_sp - sum_in) / summa_sp)
    if total == 0:
        total = kol
    marga -= sum(floatval(r.get("kol")) * floatval(r.get("price_in")) for r in rows if strval(r.get("tip")) == "2")
    # real server: the sums are pasted into SQL as PHP strings (14 digits), then stored as double(20,2)
    deal["kol"] = mysql_double(floatval(strval(total)))
    deal["marga"] = mysql_double(floatval(strval(marga)))
