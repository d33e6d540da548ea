"""`person list`: the WHERE / ORDER BY / LIMIT the script builds, evaluated on `personcat` rows.

Follows the order in which `developer/v2/person.php` builds and runs the query, so that side
effects (a filter creating a clientpath) and crashes happen in the same order (person.md §5.1).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ... import mysql_order
from ...errors import Fatal, sql_fatal, sql_syntax_fatal
from ...mysql_order import OrderBy, table_resolver
from ...php import floatval, intval, is_numeric, mul_text
from ...store import Row
from ...wire import cleaner
from ..mysql import breaks_literal, compared_datetime
from .store import (
    COLUMNS,
    INT_COLUMNS,
    ci_key,
    clientpath_id,
    like,
    loose_eq,
    loyalty_id,
    mysql_number,
    php_str,
    untag_value,
    user_id_by_login,
)

if TYPE_CHECKING:
    from ...wire import Call

PAGE = 200
_SCRIPT = "developer/v2/person.php"
Pred = Callable[[Row], bool]
# MySQL's string → DATETIME reading: any punctuation as delimiter, or the compact YYYYMMDD[HHMMSS]
_DATE = re.compile(r"\s*(\d{4})[^\w\s](\d{1,2})[^\w\s](\d{1,2})(?:[ T](\d{1,2})[^\w\s](\d{1,2})(?:[^\w\s](\d{1,2}))?)?")
_DATE_COMPACT = re.compile(r"\s*(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?(?!\d)")
_ZERO_DATE = "0000-00-00 00:00:00"
_SQL_TOKEN = re.compile(r"'(?:[^'\\]|\\.|'')*(?:'|\Z)|\w+|\S", re.S)
_PHONE_JUNK = str.maketrans("", "", "+() -")


def select(call: Call) -> tuple[list[Row], int]:
    """The page of rows and the total count, or a raised Fatal where the real script crashes."""
    p = call.params
    order = p.get("order") if not loose_eq(p.get("order"), "") else "date_create"
    desc = not loose_eq(p.get("first"), "old")
    preds = [*_word(p.get("word")), *_dates(p.get("dateStart"), p.get("dateEnd")), _owner(call)]
    filt = p.get("filter")
    checks: list[str] = []
    if isinstance(filt, (dict, list)):
        items = filt.items() if isinstance(filt, dict) else enumerate(filt)
        for key, value in items:
            pred = _filter(call, key, value, checks)
            if pred is not None:
                preds.append(pred)
    start = _page_start(p.get("offset"))
    _date_quotes(call, p.get("dateStart"), p.get("dateEnd"), order, desc, start)
    for column in checks:
        if _column(column) is None and not re.fullmatch(r"\d+", column):
            raise sql_fatal(f"Unknown column '{column}' in 'WHERE'")
    order_keys = order_by(order, "DESC" if desc else "", start)
    keys = order_keys.keys
    rows = [r for r in call.db.table("personcat", "pid") if _pid(r) > 0 and all(f(r) for f in preds)]
    # real server: ties keep table order (pid ascending) in both directions, as do rows under a
    # constant key such as 4.5 (mockcrm diff, seeds 7209 and 7302: same-second date_create DESC)
    rows.sort(key=_pid)
    for column, descending in reversed(keys):
        rows.sort(key=_by_column(column), reverse=descending)
    # real server: a `#` in `order` comments the LIMIT out; `order=pid limit 1 #` sets its own
    return order_keys.page(rows), len(rows)


def _pid(row: Row) -> int:
    return intval(row.get("pid"))


def _word(word: Any) -> list[Pred]:
    if loose_eq(word, ""):
        return []
    if isinstance(word, (dict, list)):
        raise Fatal("TypeError", "trim(): Argument #1 ($string) must be of type string, array given", _SCRIPT, 28)
    w = cleaner(php_str(word))

    def match(r: Row) -> bool:
        tel = r.get("tel")
        tel_clean = tel.translate(_PHONE_JUNK) if isinstance(tel, str) else None
        return any(like(v, w) for v in (tel_clean, r.get("person"), r.get("ptitle"), r.get("mail")))

    return [match]


def _date(value: Any) -> str:
    """A date parameter as MySQL reads it against a TIMESTAMP column (``compared_datetime``)."""
    return compared_datetime(php_str(value))


def _date_quotes(call: Call, start: Any, end: Any, order: Any, desc: bool, offset: str) -> None:
    """The syntax error of a date whose quote or backslash breaks out of its SQL string literal.

    The dates are pasted into the query unescaped (JSON skips Cleaner; a backslash survives it).
    The query text after them is rebuilt (owner clause, identity, ORDER BY, LIMIT; filter
    clauses are left out) and its tokens are compared with those of a harmless date: the first
    difference is where MariaDB stops; its error quotes the text from there.
    """
    has_start, has_end = not loose_eq(start, ""), not loose_eq(end, "")
    dates = [php_str(v) for v, has in ((start, has_start), (end, has_end)) if has]
    if not breaks_literal(*dates):
        return

    def sql(values: list[str]) -> str:
        if has_start and has_end:
            head = f"(date_create BETWEEN '{values[0]}' and '{values[1]}')"
        else:
            head = f"date_create {'>' if has_start else '<'} '{values[0]}'"
        user = call.get("user")
        if not loose_eq(user, ""):
            owner = f" and iduser = '{user_id_by_login(call.db, user)}'"
        else:
            owner = f" and iduser IN ({','.join(str(x) for x in call.db.people(call.iduser))})"
        text = php_str(order) if not isinstance(order, (dict, list)) else "Array"
        tail = f" and identity = '{call.db.identity}' ORDER BY {text} {'DESC' if desc else ''} LIMIT {offset},{PAGE}"
        return head + owner + tail

    actual, expected = sql(dates), sql(["x" for _ in dates])
    got = list(_SQL_TOKEN.finditer(actual))
    want = list(_SQL_TOKEN.finditer(expected))
    for i, m in enumerate(got):
        if i >= len(want) or _kind(m.group()) != _kind(want[i].group()):
            raise sql_syntax_fatal(actual[m.start() :])
    if len(got) < len(want):
        raise sql_syntax_fatal("")


def _kind(token: str) -> str:
    return "'" if token.startswith("'") else token.lower()


def _dates(start: Any, end: Any) -> list[Pred]:
    has_start, has_end = not loose_eq(start, ""), not loose_eq(end, "")

    def created(r: Row) -> str | None:
        v = r.get("date_create")
        return v if isinstance(v, str) else None

    if has_start and not has_end:
        return [lambda r: (created(r) or "") > _date(start) and created(r) is not None]
    if has_start and has_end:
        return [lambda r: created(r) is not None and _date(start) <= (created(r) or "") <= _date(end)]
    if has_end:
        return [lambda r: created(r) is not None and (created(r) or "") < _date(end)]
    return []


def _owner(call: Call) -> Pred:
    """`user` login → that owner only (no subordination check); else get_people (person.md §5.1)."""
    user = call.get("user")
    if not loose_eq(user, ""):
        wanted = str(user_id_by_login(call.db, user))
        return lambda r: r.get("iduser") is not None and str(r["iduser"]).rstrip(" ") == wanted
    people = {float(x) for x in call.db.people(call.iduser)}
    # real server: iduser is VARCHAR compared with an int list; NULL never matches (person.md §5.1)
    return lambda r: r.get("iduser") is not None and mysql_number(r["iduser"]) in people


def _filter(call: Call, key: Any, value: Any, checks: list[str]) -> Pred | None:
    """One `filter[key]=value` clause; unknown keys go into SQL verbatim (person.md §5.1)."""
    k = str(key)
    if isinstance(key, str) and k == "clid":
        n = intval(value)
        return (lambda r: intval(r.get("clid")) == n) if n > 0 else None
    if isinstance(key, str) and k == "uid":
        if loose_eq(value, ""):
            return None
        target = floatval(untag_value(value))
        return lambda r: r.get("uid") is not None and float(r["uid"]) == target
    if isinstance(key, str) and k in ("loyalty", "clientpath"):
        if loose_eq(value, ""):
            return None
        if is_numeric(value):
            n = intval(value)
        elif k == "loyalty":
            n = loyalty_id(call.db, untag_value(value))
        else:
            n = clientpath_id(call.db, untag_value(value))
        return lambda r: r.get(k) is not None and intval(r[k]) == n
    needle = untag_value(value)
    checks.append(k)
    column = _column(k)
    if column is None:
        # a numeric key is a valid SQL literal: `0 LIKE '%x%'`
        return lambda r: like(k, needle)
    return lambda r: like(r.get(column), needle)


def _page_start(offset: Any) -> str:
    """``$offset * 200`` with PHP 8 operand rules (person.md §5.1), as pasted into LIMIT."""
    if not _gt_zero(offset):
        return "0"
    if isinstance(offset, (dict, list)):
        raise Fatal("TypeError", "Unsupported operand types: array * int", _SCRIPT, 395)
    if isinstance(offset, str) and not re.match(r"\s*[+-]?(\d|\.\d)", offset):
        raise Fatal("TypeError", "Unsupported operand types: string * int", _SCRIPT, 395)
    # real server: a float product prints as "0.2" or "2.0E+22", a syntax error in LIMIT (golden 88)
    return mul_text(offset, PAGE)


def _gt_zero(v: Any) -> bool:
    if v is None or v is False:
        return False
    if v is True or isinstance(v, (dict, list)):
        return True
    if isinstance(v, (int, float)):
        return v > 0
    s = str(v)
    return floatval(s) > 0 if is_numeric(s) else s > "0"


def _column(name: str) -> str | None:
    low = name.lower()
    return next((c for c in COLUMNS if c == low), None)


_resolve = table_resolver("app_personcat", list(COLUMNS))


def order_by(order: Any, first: str, start: str) -> OrderBy:
    """``ORDER BY $order $first LIMIT $lpos,200``: the param is pasted in as SQL (mysql_order).

    ``$first`` ("DESC" or "") lands after the last item, so ``order=person desc`` with the
    default ``first`` is a syntax error (person.md §5.1).
    """
    text = php_str(order) if not isinstance(order, (dict, list)) else "Array"
    return mysql_order.order_by(
        f"{text} {first} LIMIT {start},{PAGE}", _resolve, list(COLUMNS), numeric=lambda c: c in INT_COLUMNS
    )


def _by_column(column: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda r: _sort_key(column, r.get(column))


def _sort_key(column: str, value: Any) -> tuple[int, Any]:
    """MySQL ordering: NULL first, INT columns numerically, text by the collation."""
    if value is None:
        return (0, 0)
    if column in INT_COLUMNS:
        return (1, mysql_number(value))
    return (1, ci_key(php_str(value)))
