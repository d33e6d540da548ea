"""What PHP's ``strtotime()`` and MariaDB do to the values a deal is written with.

``Deal::add`` turns ``datum_plan`` into ``date('Y-m-d', strtotime(...))`` and hands every other
value to ``INSERT ... SET`` as a string; table ``dogovor`` (``_install/db/setup.sql``) then keeps
what its column type allows (sql-mode ``NO_ENGINE_SUBSTITUTION,ALLOW_INVALID_DATES``: no strict
mode, so over-long text is cut, bad dates become zero dates, numbers are clamped and rounded).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

from ... import php_time
from ...php import floatval, intval, is_numeric, php_float_str, strval

ZERO_DATE = "0000-00-00"

#: `dogovor` columns by kind (setup.sql); VARCHAR widths in characters
_INT = {
    "did", "idcategory", "clid", "payer", "pid", "autor", "iduser", "sid", "isFrozen",
    "mcid", "direction", "idcurrency", "idcourse", "lid", "identity",
}  # fmt: skip
_DOUBLE_20_2 = {"kol", "kol_fact", "co_kol", "marga"}
_DATE = {"datum", "datum_plan", "datum_izm", "datum_close", "datum_start", "datum_end", "akt_date"}
_VARCHAR = {
    "uid": 30, "tip": 100, "close": 5, "coid": 12, "coid2": 12, "calculate": 4, "pid_list": 255,
    "partner": 100, "zayavka": 200, "ztitle": 255, "akt_temp": 200, **{f"input{i}": 512 for i in range(1, 11)},
}  # fmt: skip
_TEXT_BYTES = 65535
_DOUBLE_MAX = 999999999999999999.99


# ------------------------------------------------------------------ strtotime


def strtotime_date(value: Any, zone: str, now: dt.datetime) -> str | None:
    """``date('Y-m-d', strtotime($value))`` in the account zone (``Deal.php:656``); None when false.

    One PHP 8 ``strtotime`` for every caller (``mockcrm.php_time``): ``2025-02-31`` → ``2025-03-03``,
    ``0000-00-00`` → ``-0001-11-30``, ``next monday``, ``15 March 2025``, ``+1 week 2 days``...
    """
    return php_time.strtotime_format(strval(value), "Y-m-d", zone, now)


# ------------------------------------------------------------------ column storage


_MYSQL_DATE = re.compile(r"\s*(\d{4}|\d{2})[-./:](\d{1,2})[-./:](\d{1,2})(?!\d)|\s*(\d{4})(\d{2})(\d{2})(?!\d)")


def store_date(value: Any) -> str:
    """A string stored into a DATE column under ALLOW_INVALID_DATES: days 0..31 in any month."""
    mt = _MYSQL_DATE.match(strval(value))
    if not mt:
        return ZERO_DATE
    y, m, d = (mt.group(1), mt.group(2), mt.group(3)) if mt.group(1) else (mt.group(4), mt.group(5), mt.group(6))
    year = int(y) + (0 if len(y) == 4 else 2000 if int(y) < 70 else 1900)
    if int(m) > 12 or int(d) > 31:
        return ZERO_DATE
    return f"{year:04d}-{int(m):02d}-{int(d):02d}"


_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def store_int(value: Any) -> int:
    """INT: a number is rounded half away from zero ('1.5' → 2), text keeps its leading integer,
    and what does not fit a signed INT is clamped to it (non-strict mode)."""
    # real server: deal update mcid=2147483648 lists mcid 2147483647 (found by mockcrm diff)
    return max(_INT_MIN, min(_INT_MAX, _int_value(value)))


def _int_value(value: Any) -> int:
    if isinstance(value, bool) or isinstance(value, int):
        return int(value)
    f = value if isinstance(value, float) else floatval(value) if is_numeric(value) else None
    if f is None or not math.isfinite(f):
        return intval(value)
    return int(math.copysign(math.floor(abs(f) + 0.5), f))


def mysql_double(value: float, dec: int = 2) -> float:
    """A PHP float stored into a MariaDB ``double(20,2)`` column: it reaches the SQL as PHP's 14-digit
    string (safemysql quotes ``(string)$float``), so 1.2345678901234568e17 is stored as 1.2345678901235e17."""
    # real server: json of a deal kol of 123456789012345678 is 1.2345678901235e+17 (golden 92)
    return _double_column(value if math.isnan(value) or math.isinf(value) else float(php_float_str(value)), dec)


def _double_column(value: float, dec: int = 2) -> float:
    """A number MariaDB stores into a ``double(20,2)`` column (``truncate_double`` in sql/field.cc).

    The fraction alone is rounded half-to-even on its binary value, so ``1500.005`` keeps
    ``1500.01`` while ``1.005`` becomes ``1.00``; values beyond 10^18 are clamped.
    """
    if math.isnan(value):
        return 0.0
    if not math.isinf(value):
        whole = math.floor(value)
        value = whole + round((value - whole) * 10**dec) / 10**dec
    return max(-_DOUBLE_MAX, min(_DOUBLE_MAX, value)) + 0.0


def store_double(value: Any) -> float:
    """DOUBLE(20,2) of any PHP value: a PHP float goes through ``mysql_double``, a string is read by MariaDB."""
    return mysql_double(value) if isinstance(value, float) else _double_column(floatval(value))


def store_text(text: str, limit: int | None) -> str:
    # real server: the columns are utf8mb3, a 4-byte character becomes "????" (observed in golden 30)
    if text and max(text) > "\uffff":
        text = "".join("????" if ord(c) > 0xFFFF else c for c in text)
    if limit is not None:
        return text[:limit]
    raw = text.encode("utf-8")
    return text if len(raw) <= _TEXT_BYTES else raw[:_TEXT_BYTES].decode("utf-8", "ignore")


def store_value(column: str, value: Any) -> Any:
    """What MariaDB keeps of ``value`` in ``dogovor.column`` (non-strict mode)."""
    if value is None:
        return None
    if column in _INT:
        return store_int(value)
    if column in _DOUBLE_20_2:
        return store_double(value)
    if column in _DATE:
        return store_date(value)
    if isinstance(value, bool):
        value = "1" if value else ""
    return store_text(strval(value), _VARCHAR.get(column))


def store_row(values: dict[str, Any]) -> dict[str, Any]:
    return {k: store_value(k, v) for k, v in values.items()}
