"""`person` helpers: the `personcat` row, field configuration, PHP comparisons, dictionary lookups.

Rows use the real `personcat` column names (person.md §2.1): INT columns hold ints,
VARCHAR/TEXT columns str or None, `iduser` is VARCHAR(12) and therefore a str.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from ...errors import Fatal
from ...php import empty, floatval, intval, is_numeric, php_float_str, php_values, strval, trim

# real server: yimplode() reads indexes 0..count-1 only (inc/func.php); person.py takes it from here
from ...php import yimplode as yimplode
from ...sanitize import untag
from ...store import Row
from ..mysql import raise_on_parse_error
from ..user.sql import current_userbylogin

if TYPE_CHECKING:
    from ...backend import Account
    from ...wire import Call

#: personcat columns in table order with their defaults (person.md §2.1)
COLUMNS: dict[str, Any] = {
    "pid": None,
    "clid": 0,
    "ptitle": None,
    "person": None,
    "tel": None,
    "fax": None,
    "mob": None,
    "mail": None,
    "rol": None,
    "social": None,
    "iduser": "0",
    "clientpath": 0,
    "loyalty": 0,
    **{f"input{i}": None for i in range(1, 11)},
    "date_create": None,
    "date_edit": None,
    "creator": 0,
    "editor": 0,
    "uid": 0,
    "identity": 1,
}
INT_COLUMNS = {"pid", "clid", "clientpath", "loyalty", "creator", "editor", "uid", "identity"}
TEXT_COLUMNS = {"rol", "social"}
DATE_COLUMNS = {"date_create", "date_edit"}
VARCHAR_LEN = {"iduser": 12, "input10": 512, **{f"input{i}": 255 for i in range(1, 10)}}

#: the 8 social slots and their display names (person.md §2.4)
SOCIALS = {
    "blog": "Блог",
    "mysite": "Сайт",
    "twitter": "Twitter",
    "icq": "ICQ",
    "skype": "Skype",
    "google": "Google",
    "yandex": "Я.ru",
    "mykrug": "Мой круг",
}

# the script's fixed keys in front of the configured fields (person.md §3)
BASE_FIELDS = ["pid", "date_create", "date_edit"]


# ------------------------------------------------------------------ field configuration


def _person_fields(db: Account) -> list[Row]:
    return [f for f in db.fields if f.get("fld_tip") == "person" and f.get("fld_on") == "yes"]


def enabled_physical(db: Account) -> list[Row]:
    """Enabled person fields except `social`, in physical (insertion = fld_id) order."""
    rows = [f for f in _person_fields(db) if f.get("fld_name") != "social"]
    return sorted(rows, key=lambda f: int(f.get("fld_id") or 0))


def enabled_by_order(db: Account) -> list[str]:
    """Enabled person field names except `social`, by fld_order (add/update iterate this way)."""
    rows = [f for f in _person_fields(db) if f.get("fld_name") != "social"]
    rows.sort(key=lambda f: (int(f.get("fld_order") or 0), int(f.get("fld_id") or 0)))
    return [str(f["fld_name"]) for f in rows]


def allowed_fields(db: Account) -> list[str]:
    return BASE_FIELDS + [str(f["fld_name"]) for f in enabled_physical(db)]


def effective_fields(call: Call) -> list[str]:
    """The `fields` request parameter applied to the allowed set (person.md §3)."""
    allowed = allowed_fields(call.db)
    raw = call.get("fields")
    if loose_eq(raw, ""):
        return allowed
    if isinstance(raw, (dict, list)):
        # real server: yexplode() is typed ?string and runs before every action (protocol.md §9)
        raise Fatal(
            "TypeError",
            "yexplode(): Argument #2 ($str) must be of type ?string, array given, called in "
            # real server: PHP's display adds " in inc/func.php:5140" after "defined" itself
            "{ROOT}/developer/v2/person.php on line 207 and defined",
            "inc/func.php",
            5140,
        )
    wanted = [trim(x) for x in strval(raw).split(",")]
    return [f for f in wanted if f and f in allowed]


# ------------------------------------------------------------------ PHP semantics


def isset(params: dict[str, Any], key: str) -> bool:
    return params.get(key) is not None


def php_str(v: Any) -> str:
    """PHP string conversion; floats as PHP prints them."""
    if isinstance(v, float):
        return php_float_str(v)
    return strval(v)


def loose_eq(a: Any, b: Any) -> bool:
    """PHP 8 ``==`` for the scalar types the API sees."""
    if isinstance(a, bool) or isinstance(b, bool):
        return (not empty(a)) == (not empty(b))
    if a is None or b is None:
        other = b if a is None else a
        # null is compared as "" with strings and as false with everything else
        return other == "" if isinstance(other, str) else other is None or empty(other)
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return isinstance(a, (dict, list)) and isinstance(b, (dict, list)) and php_values(a) == php_values(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, str) and isinstance(b, str):
        if is_numeric(a) and is_numeric(b):
            return floatval(a) == floatval(b)
        return a == b
    num, text = (a, b) if isinstance(a, (int, float)) else (b, a)
    if is_numeric(text):
        return float(num) == floatval(text)
    return php_str(num) == str(text)


def yexplode(sep: str, value: Any) -> list[str]:
    return [x for x in (trim(p) for p in php_str(value).split(sep)) if x != ""]


def ci_key(s: str) -> str:
    """utf8_general_ci approximation: case- and accent-insensitive (Ё = Е), trailing spaces ignored."""
    decomposed = unicodedata.normalize("NFD", s.rstrip(" "))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


#: MySQL string-literal escapes; \\% and \\_ keep their backslash for LIKE, any other \\x is x
_LITERAL_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a", "%": "\\%", "_": "\\_"}


def sql_literal(text: str) -> str:
    """The value MySQL reads from ``'text'`` pasted into a query (backslash escapes resolved)."""
    if "\\" not in text:
        return text
    out: list[str] = []
    chars = iter(text)
    for c in chars:
        if c == "\\":
            nxt = next(chars, "")
            c = _LITERAL_ESCAPES.get(nxt, nxt)
        out.append(c)
    return "".join(out)


def like(value: Any, needle: str) -> bool:
    """MySQL ``value LIKE '%needle%'`` under utf8_general_ci with ``needle`` pasted in; NULL never matches.

    The pasted text is first read as a string literal (``\\n`` is a line break, ``e\\`` escapes
    the closing ``%``), then as a LIKE pattern (``\\`` escapes, ``%`` and ``_`` are wildcards).
    """
    if value is None:
        return False
    parts: list[str] = []
    chars = iter(ci_key(sql_literal(f"%{needle}%")))
    for c in chars:
        if c == "\\":
            parts.append(re.escape(next(chars, "\\")))
        elif c == "%":
            parts.append(".*")
        elif c == "_":
            parts.append(".")
        else:
            parts.append(re.escape(c))
    return re.fullmatch("".join(parts), ci_key(php_str(value)), re.DOTALL) is not None


def mysql_number(v: Any) -> float:
    """How MySQL turns a string into a number when comparing it with an INT column."""
    return floatval(v) if not isinstance(v, (int, float)) else float(v)


# ------------------------------------------------------------------ writing values


def mb3(s: str) -> str:
    # real server: utf8 (3-byte) columns store every byte of a 4-byte character as "?"
    if not s or max(s) <= "\uffff":
        return s
    return "".join("????" if ord(c) > 0xFFFF else c for c in s)


def to_column(column: str, value: Any) -> Any:
    """A PHP value as MySQL (non-strict mode) stores it in ``column``."""
    if value is None:
        return None
    if column in INT_COLUMNS:
        if isinstance(value, (dict, list)):
            return 0
        n = mysql_number(value)
        if n != n:
            return 0
        # real server: INT columns clamp what does not fit (person update clid 999…9 reads 2147483647)
        n = max(-(2.0**31), min(2.0**31 - 1, n))
        return int(n + 0.5) if n >= 0 else -int(-n + 0.5)
    text = mb3(php_str(value))
    if column in TEXT_COLUMNS or column in DATE_COLUMNS:
        return text
    return text[: VARCHAR_LEN.get(column, 250)]


def new_row(values: dict[str, Any]) -> Row:
    row = dict(COLUMNS)
    for key, value in values.items():
        if key in row:
            row[key] = to_column(key, value)
    return row


# ------------------------------------------------------------------ lookups


def current_client(db: Account, clid: Any) -> str:
    """``current_client``: the client title; "" for 0, ``--не найден--`` when gone (person.md §5.2)."""
    # real server: (int)$id > 0 first, then the raw value is pasted into WHERE clid = '$id' (func.helpers.php
    # current_client), so "O'Reilly" is "" and "1'x" a syntax error
    if intval(clid) <= 0:
        return ""
    text = php_str(clid)
    raise_on_parse_error(f"SELECT title FROM app_clientcat WHERE clid = '{text}' AND identity = '{db.identity}'")
    n = mysql_number(text)
    row = db.table("clientcat", "clid").get(int(n)) if n.is_integer() else None
    # real server: `if ($ctitle == '')`, so a client whose title is empty also reads --не найден-- (found by
    # mockcrm diff: a client added with a whitespace-only title)
    title = "" if row is None else strval(row.get("title") or "")
    return title or "--не найден--"


def loyalty_title(db: Account, loyalty: Any) -> str | None:
    """``current_loyalty``: title by id; null for 0, "" when missing."""
    if empty(loyalty):
        return None
    row = db.table("loyal_cat", "idcategory").get(loyalty)
    return str(row.get("title") or "") if row else ""


def clientpath_name(db: Account, cpid: Any) -> str:
    """``current_clientpathbyid``: source name by id; "" for 0/missing."""
    if empty(cpid):
        return ""
    row = db.table("clientpath").get(cpid)
    return str(row.get("name") or "") if row else ""


def loyalty_id(db: Account, title: str, create: bool = False) -> int:
    table = db.table("loyal_cat", "idcategory")
    found = table.first(lambda r: ci_key(str(r.get("title") or "")) == ci_key(title))
    if found is not None:
        return int(found["idcategory"])
    if not create or title == "":
        return 0
    # real server: getPersonLoyalty() inserts title and identity only: column defaults for the rest
    return _create(
        table, {"idcategory": None, "title": mb3(title), "color": "#CCCCCC", "isDefault": None, "identity": "1"}
    )


def clientpath_id(db: Account, name: str) -> int:
    """``getClientpath``: the source with that name, CREATED when missing (person.md §5.1)."""
    table = db.table("clientpath")
    found = table.first(lambda r: ci_key(str(r.get("name") or "")) == ci_key(name))
    if found is not None:
        return int(found["id"])
    if name == "":
        return 0
    # real server: getClientpath() inserts name, utm_source (NULL) and identity; the rest stay NULL
    row = {"id": None, "name": mb3(name), "isDefault": None, "utm_source": None, "destination": None, "identity": "1"}
    return _create(table, row)


def _create(table: Any, row: Row) -> int:
    rid: int = table.insert(row)
    # directory rows keep the fixture's all-string convention
    table.rows[rid][table.id_key] = str(rid)
    return rid


def rel_default(db: Account) -> int:
    """``$relDefault``: the default relation id, reused as the default clientpath (client.md §2.3)."""
    row = db.table("relations").first(lambda r: r.get("isDefault") == "yes")
    return int(row["id"]) if row else 0


def user_id_by_login(db: Account, login: Any) -> int:
    """``current_userbylogin``: iduser of that login, 0 when unknown (see methods.user.sql)."""
    return current_userbylogin(db, login)


def untag_value(v: Any) -> str:
    if isinstance(v, (dict, list)):
        raise Fatal(
            "TypeError", "strip_tags(): Argument #1 ($string) must be of type string, array given", "inc/func.php", 660
        )
    return untag(php_str(v))


def socials_of(social: Any) -> dict[str, Any]:
    """The 8 slots of a stored ``social`` string; missing slots are null (person.md §5.2)."""
    parts = php_str(social).split(";")
    return {key: parts[i] if i < len(parts) else None for i, key in enumerate(SOCIALS)}
