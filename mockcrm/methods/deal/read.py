"""Actions `list` and `info` of the deal method (deal.md §5, §6)."""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable
from typing import Any

from ...errors import CRMError, Fatal, sql_fatal, type_fatal
from ...mysql_order import OrderBy, order_by, table_resolver
from ...php import intval, is_numeric, mul_text, strval, trim
from ...sanitize import untag
from ...store import Row
from ...wire import Call, JSONBytes, cleaner
from ..mysql import as_datetime, breaks_literal, like, raise_on_parse_error
from .common import (
    COLUMNS,
    DEAL_PHP,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    ci,
    deals,
    direction_by_title,
    php_empty_str,
    php_gt0,
    php_loose_eq,
    step_by_title,
    table,
    text_arg,
    tip_by_title,
    user_by_login,
    visible_deal,
    yexplode_fatal,
)
from .listing import page_json, plain_sort_key, record_builder
from .record import bankinfo, client_card, deal_persons, ifields, info_record, invoices, requested_fields, speka

PAGE = 200


class DealNotVisible(CRMError):
    code = 403
    text = "Сделка не найдена в пределах аккаунта указанного пользователя."


def _php_empty(v: Any) -> bool:
    return v is None or v is False or v == "" or v == "0" or v == 0 or v == [] or v == {}


def _like(haystack: Any, needle: str) -> bool:
    """``col LIKE '%needle%'``: the needle's own ``%`` and ``_`` are wildcards too (deal.php pastes it)."""
    if haystack is None:
        return False
    if isinstance(haystack, float):
        haystack = f"{haystack:.2f}"
    return like(haystack, "%" + needle + "%")


def _digits(v: Any) -> str:
    return re.sub(r"\D", "", strval(v))


def _strip_phone(v: Any) -> str:
    return re.sub(r"[+() \-]", "", strval(v))


_PHONE_SQL = "replace(replace(replace(replace(replace({col}, '+', ''), '(', ''), ')', ''), ' ', ''), '-', '')"


def _filter_preds(call: Call) -> tuple[list[Any], str, Fatal | None]:
    """``filter[...]`` (deal.md §5): one predicate per usable key, the SQL text deal.php appends for
    them, and the error MariaDB gives that query for a key that is no column (raised after the
    syntax check: MariaDB parses the whole query before it resolves a column)."""
    flt = call.get("filter")
    if not isinstance(flt, dict):
        return [], "", None
    available = ifields(call)
    preds: list[Any] = []
    sql, unknown = "", None
    for k, v in flt.items():
        if (k not in available or _php_empty(v)) and k != "phone":
            continue
        if k in ("clid", "payer"):
            if intval(v) > 0:
                n = intval(v)
                preds.append(lambda d, k=k, n=n: intval(d.get(k)) == n)
                sql += f" and {k} = '{n}'"
        elif k == "direction":
            n = intval(v) if is_numeric(v) else direction_by_title(call, untag(strval(v)))
            preds.append(lambda d, n=n: intval(d.get("direction")) == n)
            sql += f" and direction = '{n}'"
        elif k == "tip":
            n = intval(v) if is_numeric(v) else tip_by_title(call, untag(strval(v)))
            preds.append(lambda d, n=n: intval(d.get("tip")) == n)
            sql += f" and tip = '{n}'"
        elif k == "phone":
            want = _digits(v)[1:]
            clids = {
                intval(c["clid"])
                for c in table(call, "clientcat", "clid")
                if any(c.get(col) is not None and want in _strip_phone(c.get(col)) for col in ("phone", "fax"))
            }
            preds.append(lambda d, s=clids: intval(d.get("clid")) in s)
            phone, fax = _PHONE_SQL.format(col="phone"), _PHONE_SQL.format(col="fax")
            found = f"({phone} LIKE '%{want}%' or {fax} LIKE '%{want}%')"
            sql += f" and clid IN (SELECT clid FROM app_clientcat WHERE {found})"
        else:
            needle = untag(text_arg(v))
            if k not in COLUMNS and unknown is None:
                # real server: the key is pasted into SQL as a column (deal.md §5)
                unknown = sql_fatal(f"Unknown column '{k}' in 'WHERE'")
            preds.append(lambda d, k=k, s=needle: _like(d.get(k), s))
            sql += f" and {k} LIKE '%{needle}%'"
    return preds, sql, unknown


def _date_preds(call: Call) -> list[Any]:
    preds: list[Any] = []
    start, end = call.get("dateStart"), call.get("dateEnd")
    cstart, cend = call.get("dateChangeStart"), call.get("dateChangeEnd")

    def rng(col: str, lo: Any, hi: Any) -> Any:
        # real server: the bound is pasted as '...' and MariaDB reads it as a DATETIME
        # ('abc', 'Array' → 0000-00-00 00:00:00; '2026-12-04x' → 2026-12-04 00:00:00)
        low = None if lo is None else as_datetime("Array" if isinstance(lo, (list, dict)) else lo)
        high = None if hi is None else as_datetime("Array" if isinstance(hi, (list, dict)) else hi)
        return lambda d: (
            d.get(col) is not None
            and (low is None or d[col] + " 00:00:00" >= low)
            and (high is None or d[col] + " 00:00:00" <= high)
        )

    if not php_empty_str(start):
        preds.append(rng("datum", start, None if php_empty_str(end) else end))
    elif not php_empty_str(end):
        preds.append(rng("datum", None, end))
    if not php_empty_str(cstart):
        # real server: "start only" compares datum_izm with dateStart, not dateChangeStart (deal.md §5)
        preds.append(
            rng("datum_izm", strval(start) if php_empty_str(cend) else cstart, None if php_empty_str(cend) else cend)
        )
    elif not php_empty_str(cend):
        preds.append(rng("datum_izm", None, cend))
    return preds


_did = operator.itemgetter("did")


def _sort_key(col: str) -> Any:
    def key(d: Row) -> Any:
        v = d.get(col)
        if v is None:
            return (0, 0)
        if col in INT_COLUMNS:
            return (1, intval(v))
        if col in FLOAT_COLUMNS:
            return (1, float(v))
        return (1, ci(v))

    return key


_resolve_column = table_resolver("app_dogovor", COLUMNS)


@functools.lru_cache(maxsize=256)
def _parse_order(tail: str) -> OrderBy:
    """``ORDER BY $order $first LIMIT $lpos,200`` as MariaDB reads it (deal.php list, line 572)."""
    return order_by(tail, _resolve_column, COLUMNS, numeric=lambda c: c in INT_COLUMNS or c in FLOAT_COLUMNS)


def _yes(call: Call, name: str) -> bool:
    """``$params[name] == 'yes'``: loose in PHP 8, so a JSON true switches the block on."""
    return php_loose_eq(call.get(name), "yes")


def _plain_records(call: Call) -> bool:
    """Whether the records carry nothing beyond the deal's own fields (no extra blocks, deal.md §5)."""
    if any(_yes(call, name) for name in ("bankinfo", "invoice", "uids")):
        return False
    flt = call.get("filter")
    return not (isinstance(flt, dict) and "phone" in flt)


def list_(call: Call) -> dict[str, Any] | JSONBytes:
    raw_order = call.get("order")
    order = "datum" if php_empty_str(raw_order) else raw_order
    # real server: loose == in PHP 8, so a JSON true order is 'date_create' and a true first is 'old'
    if php_loose_eq(order, "date_create"):
        order = "datum"
    elif php_loose_eq(order, "date_change"):
        order = "datum_izm"
    first = "" if php_loose_eq(call.get("first"), "old") else "DESC"
    preds: list[Any] = []
    active = call.get("active")
    if php_loose_eq(active, "no"):
        preds.append(lambda d: d.get("close") == "yes")
    elif php_loose_eq(active, "yes"):
        preds.append(lambda d: d.get("close") != "yes")
    word = call.get("word")
    if not php_empty_str(word):
        if isinstance(word, (list, dict)):
            raise type_fatal("trim(): Argument #1 ($string) must be of type string, array given", DEAL_PHP, 34)
        w = cleaner(strval(word))  # real server: Cleaner() again, also in JSON mode
        preds.append(lambda d: any(_like(d.get(c), w) for c in ("title", "content", "adres")))
    steps = call.get("steps")
    if not php_empty_str(steps):
        if isinstance(steps, (list, dict)):
            raise yexplode_fatal(453)
        ids = [s for s in (step_by_title(call, trim(x)) for x in strval(steps).split(",") if trim(x)) if s > 0]
        if ids:
            preds.append(lambda d: intval(d.get("idcategory")) in ids)
    preds += _date_preds(call)
    user = call.get("user")
    if not php_empty_str(user):
        owner = user_by_login(call, user)
        preds.append(lambda d: intval(d.get("iduser")) == owner)
    elif (call.user or {}).get("isadmin") != "on":
        seen = set(call.db.people(call.iduser))
        preds.append(lambda d: intval(d.get("iduser")) in seen)
    filter_preds, filter_sql, unknown_column = _filter_preds(call)
    preds += filter_preds

    start = _offset(call.get("offset"))
    # real server: the query runs after every parameter was read, so its SQL errors come last
    # real server: the connection is utf8mb3, so MariaDB reads each 4-byte character of the SQL as "????"
    tail = "".join("????" if ord(c) > 0xFFFF else c for c in f"{strval(order)} {first} LIMIT {start},{PAGE}")
    _dates_sql_check(call, tail, filter_sql)
    if unknown_column is not None:
        raise unknown_column
    terms = _parse_order(tail)
    rows = list(deals(call).rows.values())
    if preds:
        rows = [d for d in rows if all(p(d) for p in preds)]
    rows.sort(key=_did)  # ties and constant keys (1.5, NULL) keep table order
    for col, desc in reversed(terms.keys):
        rows.sort(key=plain_sort_key(rows, col) or _sort_key(col), reverse=desc)
    page, fields = terms.page(rows), requested_fields(call)
    if _plain_records(call):
        return page_json(call, deals(call), page, fields, len(rows))
    build = record_builder(call, fields)
    data = [_list_item(call, d, build) for d in page]
    out: dict[str, Any] = {"data": data} if data else {}
    out["count"] = len(rows)
    return out


_DATE_PARAMS = ("dateStart", "dateEnd", "dateChangeStart", "dateChangeEnd")


def _dates_sql_check(call: Call, tail: str, filter_sql: str = "") -> None:
    """The list query with its date bounds pasted between quotes: a quote in one is MariaDB's syntax error."""
    values = {k: call.get(k) for k in _DATE_PARAMS}
    if not breaks_literal(*(v for v in values.values() if isinstance(v, str))):
        return
    text = {k: "Array" if isinstance(v, (list, dict)) else strval(v) for k, v in values.items()}
    given = {k: not php_empty_str(v) for k, v in values.items()}
    # real server: deal.php list appends these to $sort in this order (lines 471-488)
    sort = ""
    if given["dateStart"] and not given["dateEnd"]:
        sort += f" and datum >= '{text['dateStart']}'"
    if given["dateStart"] and given["dateEnd"]:
        sort += f" and (datum BETWEEN '{text['dateStart']}' and '{text['dateEnd']}')"
    if not given["dateStart"] and given["dateEnd"]:
        sort += f" and datum <= '{text['dateEnd']}'"
    if given["dateChangeStart"] and not given["dateChangeEnd"]:
        sort += f" and datum_izm >= '{text['dateStart']}'"
    if given["dateChangeStart"] and given["dateChangeEnd"]:
        sort += f" and (datum_izm BETWEEN '{text['dateChangeStart']}' and '{text['dateChangeEnd']}')"
    if not given["dateChangeStart"] and given["dateChangeEnd"]:
        sort += f" and datum_izm <= '{text['dateChangeEnd']}'"
    user = call.get("user")
    if not php_empty_str(user):
        sort += f" and app_dogovor.iduser = '{user_by_login(call, user)}'"
    elif (call.user or {}).get("isadmin") != "on":
        sort += f" and app_dogovor.iduser IN ({','.join(str(i) for i in call.db.people(call.iduser))})"
    # real server: the filter's clauses follow (deal.php list), so they show in the error's "near" text (seed 7001099)
    sort += filter_sql
    # found by mockcrm diff: dateEnd "O'Reilly" is a syntax error near 'Reilly ...') and identity = '1' ORDER BY ...
    raise_on_parse_error(
        f"SELECT * FROM app_dogovor WHERE did > 0 {sort} and identity = '{call.db.identity}' ORDER BY {tail}"
    )


def _offset(offset: Any) -> str:
    """``$lpos = $offset * $limit`` with ``$offset = $params['offset'] > 0 ? $params['offset'] : 0``."""
    if not php_gt0(offset):
        return "0"
    if isinstance(offset, (list, dict)) or (isinstance(offset, str) and not re.match(r"\s*[+-]?\.?\d", offset)):
        # real server: "abc" > 0 holds in PHP 8 (string comparison), then "abc" * 200 throws
        kind = "array" if isinstance(offset, (list, dict)) else "string"
        raise Fatal("TypeError", f"Unsupported operand types: {kind} * int", DEAL_PHP, 570)
    # real server: a float product prints as "0.2" or "2.0E+22", a syntax error in LIMIT
    return mul_text(offset, PAGE)


def _list_item(call: Call, deal: Row, build: Callable[[Row], dict[str, Any]]) -> Any:
    rec: dict[str, Any] = build(deal)
    if _yes(call, "bankinfo"):
        rec["bankinfo"] = bankinfo(call, deal.get("payer"))
    if _yes(call, "invoice"):
        inv = invoices(call, deal["did"])
        if inv:
            rec["invoice"] = inv
    if _yes(call, "uids"):
        rec["uids"] = _uids(call, deal["did"])
    flt = call.get("filter")
    if isinstance(flt, dict) and "phone" in flt:
        rec["client"] = client_card(call, deal.get("clid"), with_recv=False)
    return rec if rec else []


def _uids(call: Call, did: int) -> list[dict[str, Any]]:
    rows = table(call, "uids", "id").where(lambda r: intval(r.get("did")) == did)
    return [
        {
            "datum": r.get("datum"),
            "name": r.get("name"),
            "value": r.get("value"),
            "eid": intval(r.get("eid")),
            "clid": intval(r.get("clid")),
            "did": intval(r.get("did")),
        }
        for r in rows
    ]


def info(call: Call) -> dict[str, Any]:
    uid, did = call.get("uid"), call.get("did")
    if not php_empty_str(uid):
        deal = visible_deal(call, uid=uid)
    elif not php_empty_str(did):
        deal = visible_deal(call, did=did)
    else:
        deal = visible_deal(call)
    if deal is None:
        raise DealNotVisible()
    rec = info_record(call, deal, requested_fields(call))
    # real server: client before payer, each set or unset in turn (deal.php info), so a payer that is not among
    # the fields comes after the client and one that is keeps its place (found by mockcrm diff)
    if _yes(call, "client"):
        rec["client"] = client_card(call, deal.get("clid"), with_recv=True)
    else:
        rec.pop("client", None)
    if _yes(call, "payer"):
        rec["payer"] = client_card(call, deal.get("payer"), with_recv=True)
    else:
        rec.pop("payer", None)
    persons = deal_persons(call, deal)
    if persons:
        rec["person"] = persons
    if _yes(call, "bankinfo"):
        rec["bankinfo"] = bankinfo(call, deal.get("payer"))
    if _yes(call, "speka"):
        items = speka(call, deal["did"])
        if items:
            rec["speka"] = items
    if _yes(call, "invoice"):
        inv = invoices(call, deal["did"])
        if inv:
            rec["invoice"] = inv
    return {"data": rec}
