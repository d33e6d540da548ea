"""The `clientcat` table as MySQL holds it: columns, field configuration, directories, bank details.

Shared by the `client` actions (client.md §2-§4); nothing here knows about requests.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...php import empty, intval, is_numeric, strval
from ..user.sql import current_userbylogin

if TYPE_CHECKING:
    from ...backend import Account
    from ...store import Row

#: clientcat columns in table order → (kind, max length); kind "int" | "str" | "date" (client.md §2.1)
COLUMNS: dict[str, tuple[str, int]] = {
    "clid": ("int", 0),
    "uid": ("str", 30),
    "title": ("str", 250),
    "idcategory": ("int", 0),
    "iduser": ("str", 10),
    "clientpath": ("int", 0),
    "des": ("str", 0),
    "address": ("str", 0),
    "phone": ("str", 250),
    "fax": ("str", 250),
    "site_url": ("str", 250),
    "mail_url": ("str", 250),
    "trash": ("str", 10),
    "fav": ("str", 20),
    "pid": ("int", 0),
    "head_clid": ("int", 0),
    "scheme": ("str", 0),
    "tip_cmr": ("str", 255),
    "territory": ("int", 0),
    **{f"input{i}": ("str", 255) for i in range(1, 11)},
    "date_create": ("date", 0),
    "date_edit": ("date", 0),
    "creator": ("int", 0),
    "editor": ("int", 0),
    "recv": ("str", 0),
    "dostup": ("str", 255),
    "last_dog": ("date", 0),
    "last_hist": ("date", 0),
    "type": ("str", 100),
    "priceLevel": ("str", 255),
    "identity": ("int", 0),
}

#: the TEXT columns: their limit is 65535 bytes of utf8, not a number of characters
TEXT_COLUMNS = frozenset({"des", "address", "scheme", "recv"})
TEXT_BYTES = 65535

_DEFAULTS: dict[str, Any] = {
    "idcategory": 0,
    "iduser": "0",
    "clientpath": 0,
    "trash": "no",
    "fav": "no",
    "pid": 0,
    "head_clid": 0,
    "territory": 0,
    "creator": 0,
    "editor": 0,
    "type": "client",
    "priceLevel": "price_1",
}

#: the 16 `recv` slots (client.md §2.4); bankinfo output drops the last one
RECV_KEYS = [
    "castUrName",
    "castInn",
    "castKpp",
    "castBank",
    "castBankKs",
    "castBankRs",
    "castBankBik",
    "castOkpo",
    "castOgrn",
    "castDirName",
    "castDirSignature",
    "castDirStatus",
    "castDirStatusSig",
    "castDirOsnovanie",
    "castUrAddr",
    "castUrNameShort",
]
BANKINFO_KEYS = RECV_KEYS[:15]

#: the fixed head of the output field list (client.md §4)
FIXED_FIELDS = ["clid", "uid", "type", "date_create", "date_edit"]

_INSTALLER_FIRST = {15, 16, 17}


def new_row(identity: int) -> Row:
    """A clientcat row holding only column defaults."""
    row: Row = dict.fromkeys(COLUMNS)
    row.update(_DEFAULTS)
    row["identity"] = identity
    return row


def store_value(column: str, value: Any) -> Any:
    """What MySQL keeps of ``value`` in ``column`` (non-strict mode, utf8mb3 charset)."""
    kind, length = COLUMNS.get(column, ("str", 0))
    if value is None:
        return None
    if kind == "int":
        return intval(value)
    text = strval(value)
    # real server: utf8mb3 cannot hold 4-byte characters, each becomes "????" (observed, 03 golden)
    if text and max(text) > "\uffff":
        text = "".join("????" if ord(c) > 0xFFFF else c for c in text)
    if column in TEXT_COLUMNS and len(text) > TEXT_BYTES // 3:
        # real server: a TEXT column holds 65535 bytes; non-strict MariaDB cuts at the last whole character
        # (golden 63: 32770 "Ю" keep 32767)
        return text.encode("utf-8")[:TEXT_BYTES].decode("utf-8", "ignore")
    return text[:length] if length else text


# ------------------------------------------------------------------ field configuration


def field_rows(db: Account) -> list[Row]:
    """`field` rows of the client form in PHYSICAL order (client.md §2.2): input1-3 sit first."""
    return list(_field_config(db)[2])


def _field_config(db: Account) -> tuple[list[Row], int, list[Row], dict[Any, Row]]:
    """(fields list, its length, the client rows in physical order, the first row by name)."""
    fields = db.fields
    hit = _FIELD_ROWS.get(id(fields))
    if hit is not None and hit[0] is fields and hit[1] == len(fields):
        return hit
    rows = sorted([f for f in fields if f.get("fld_tip") == "client"], key=_physical_key)
    by_name: dict[Any, Row] = {}
    for f in rows:
        by_name.setdefault(f.get("fld_name"), f)
    if len(_FIELD_ROWS) > 64:
        _FIELD_ROWS.clear()
    hit = _FIELD_ROWS[id(fields)] = (fields, len(fields), rows, by_name)
    return hit


#: field configuration is replaced with its account (clone, import), never edited in place:
#: the sorted client rows are remembered per fields list (every action computes them, some often)
_FIELD_ROWS: dict[int, tuple[list[Row], int, list[Row], dict[Any, Row]]] = {}


def _physical_key(f: Row) -> tuple[bool, int]:
    fld_id = f.get("fld_id")
    n = _int_of(fld_id) if isinstance(fld_id, (str, int)) else intval(fld_id)
    return (n not in _INSTALLER_FIRST, n)


@functools.lru_cache(maxsize=4096)
def _int_of(v: str | int) -> int:
    """``intval`` of a field id, remembered (the ids are a few dozen fixed strings)."""
    return intval(v)


def enabled_rows(db: Account) -> list[Row]:
    return [f for f in field_rows(db) if f.get("fld_on") == "yes"]


def enabled_by_order(db: Account) -> list[str]:
    """Enabled field names except recv, ``ORDER BY fld_order`` (add/update)."""
    rows = sorted(enabled_rows(db), key=lambda f: intval(f.get("fld_order")))
    return [str(f["fld_name"]) for f in rows if f["fld_name"] != "recv"]


def allowed_fields(db: Account) -> list[str]:
    """Set A of client.md §4: the fixed five, then the enabled fields except recv (physical order)."""
    return FIXED_FIELDS + [str(f["fld_name"]) for f in enabled_rows(db) if f["fld_name"] != "recv"]


def field_row(db: Account, name: str) -> Row | None:
    return _field_config(db)[3].get(name)


# ------------------------------------------------------------------ MySQL comparisons (utf8_general_ci)


def _fold_char(c: str) -> str:
    if c in "Ёё":
        return "е"
    low = c.lower()
    if len(low) != 1:
        low = c
    if 0x80 <= ord(low) < 0x250:
        low = unicodedata.normalize("NFD", low)[0]
    return low


class _FoldTable(dict[int, str]):
    """``str.translate`` table that folds each code point once, on first sight."""

    def __missing__(self, code: int) -> str:
        folded = self[code] = _fold_char(chr(code))
        return folded


_FOLD_TABLE = _FoldTable()


def fold(s: str) -> str:
    """utf8_general_ci weight string: case-insensitive, Ё = Е, Latin accents ignored (same length)."""
    if s.isascii():
        return s.lower()  # the same as folding char by char: ASCII letters only lower-case
    return s.translate(_FOLD_TABLE)


def ci_key(value: Any) -> str:
    """What ``ci_eq`` compares: equal keys ⇔ equal under utf8_general_ci (trailing spaces ignored)."""
    return fold(strval(value)).rstrip(" ")


def ci_eq(stored: Any, value: Any) -> bool:
    """``column = 'value'`` on a text column: NULL never matches, trailing spaces are ignored."""
    if stored is None:
        return False
    return ci_key(stored) == ci_key(value)


def sql_unescape(s: str) -> str:
    """A value pasted into a MySQL string literal: backslash escapes are resolved (\\% and \\_ stay)."""
    if "\\" not in s:
        return s
    out: list[str] = []
    i = 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            out.append({"n": "\n", "r": "\r", "t": "\t", "0": "\0", "%": "\\%", "_": "\\_"}.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def like_needle(pattern: str) -> str | None:
    """The folded text of a ``%text%`` pattern without wildcards or escapes inside, else None."""
    middle = pattern[1:-1]
    if len(pattern) >= 2 and pattern[0] == pattern[-1] == "%" and not any(c in middle for c in "%_\\"):
        return fold(middle)
    return None


@functools.lru_cache(maxsize=512)
def like_matcher(pattern: str) -> Callable[[str], bool]:
    """``LIKE pattern`` as a test of an already folded value; built once per pattern."""
    needle = like_needle(pattern)
    if needle is not None:
        return lambda folded: needle in folded  # "%text%": a plain substring test
    parts: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            parts.append(re.escape(_fold_char(pattern[i + 1])))
            i += 2
            continue
        parts.append(".*" if c == "%" else "." if c == "_" else re.escape(_fold_char(c)))
        i += 1
    regex = re.compile("".join(parts), re.DOTALL)
    return lambda folded: regex.fullmatch(folded) is not None


def like(value: Any, pattern: str) -> bool:
    """MySQL ``value LIKE pattern`` (escape ``\\``), case-insensitive; NULL never matches."""
    if value is None:
        return False
    return like_matcher(pattern)(fold(strval(value)))


_NUMBER_PREFIX = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def mysql_number(v: Any) -> float:
    """A text value compared with a number in SQL: its numeric prefix (0 when none)."""
    m = _NUMBER_PREFIX.match(strval(v))
    return float(m.group(0)) if m else 0.0


def loose_eq(a: Any, b: Any) -> bool:
    """PHP 8 ``==`` between scalars (used for change detection, client.md §10.1)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return empty(a) == empty(b)
    if a is None or b is None:
        other = b if a is None else a
        return other is None or other == "" or (isinstance(other, (int, float)) and other == 0)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        num, text = (a, strval(b)) if isinstance(a, (int, float)) else (b, strval(a))
        return float(text) == num if is_numeric(text) else strval(num) == text
    sa, sb = strval(a), strval(b)
    if is_numeric(sa) and is_numeric(sb):
        return float(sa) == float(sb)
    return sa == sb


def not_blank(v: Any) -> bool:
    """PHP 8 ``$v != ''``: false only for null, false and ""."""
    return not (v is None or v is False or v == "")


def is_yes(v: Any) -> bool:
    """PHP ``$v == 'yes'``: the string itself, or JSON true (loose comparison)."""
    return v is True or v == "yes"


# ------------------------------------------------------------------ directories


def _table_rows(db: Account, name: str) -> list[Row]:
    t = db.tables.get(name)
    return list(t) if t is not None else []


def _find(db: Account, table: str, id_key: str, id_value: Any) -> Row | None:
    """The first row whose ``id_key`` is ``id_value`` as an int (``WHERE id = '...'``)."""
    wanted = intval(id_value)
    t = db.tables.get(table)
    if t is None:
        return None
    if t.id_key == id_key:
        # a Table keeps each row under the int of its own id column: one lookup, not a scan
        # (list records look up a contact, a category... per row)
        row = t.rows.get(wanted)
        return row if row is not None and intval(row.get(id_key)) == wanted else None
    return next((r for r in t.rows.values() if intval(r.get(id_key)) == wanted), None)


def category_title(db: Account, idcategory: Any) -> str:
    """``get_client_category``: "--не определено--" for 0, "" when the row is gone."""
    if intval(idcategory) <= 0:
        return "--не определено--"
    row = _find(db, "category", "idcategory", idcategory)
    return strval(row.get("title")) if row else ""


def territory_title(db: Account, territory: Any) -> str | None:
    """``current_territory``: null for 0, "" when the row is gone."""
    if intval(territory) <= 0:
        return None
    row = _find(db, "territory_cat", "idcategory", territory)
    return strval(row.get("title")) if row else ""


def clientpath_name(db: Account, clientpath: Any) -> str:
    """``current_clientpathbyid``: "" for 0 or a missing row."""
    if intval(clientpath) <= 0:
        return ""
    row = _find(db, "clientpath", "id", clientpath)
    return strval(row.get("name")) if row else ""


def _lookup_or_create(db: Account, table: str, id_key: str, title_key: str, title: str, extra: Row) -> int:
    for row in _table_rows(db, table):
        if ci_eq(row.get(title_key), title):
            return intval(row.get(id_key))
    row = {id_key: None, title_key: store_value("title", title), **extra, "identity": str(db.identity)}
    return db.table(table, id_key).insert(row)


def category_id(db: Account, title: Any, create: bool = True) -> int:
    if not create:
        row = next((r for r in _table_rows(db, "category") if ci_eq(r.get("title"), title)), None)
        return intval(row.get("idcategory")) if row else 0
    return _lookup_or_create(db, "category", "idcategory", "title", strval(title), {"tip": "client"})


def territory_id(db: Account, title: Any, create: bool = True) -> int:
    if not create:
        row = next((r for r in _table_rows(db, "territory_cat") if ci_eq(r.get("title"), title)), None)
        return intval(row.get("idcategory")) if row else 0
    return _lookup_or_create(db, "territory_cat", "idcategory", "title", strval(title), {})


def clientpath_id(db: Account, name: Any) -> int:
    """``getClientpath``: the source's id, created when missing (also from list filters, client.md §6.1)."""
    extra = {"isDefault": None, "utm_source": None, "destination": None}
    return _lookup_or_create(db, "clientpath", "id", "name", strval(name), extra)


def relation_title(db: Account, title: Any) -> str:
    """``getClientRelation``: ensures a relation with this title exists and returns the title."""
    text = strval(title)
    _lookup_or_create(db, "relations", "id", "title", text, {"color": None, "isDefault": None})
    return text


def default_relation_id(db: Account) -> int:
    """``$relDefault``: id of the default RELATION, which add stores as clientpath (client.md §2.3)."""
    row = next((r for r in _table_rows(db, "relations") if r.get("isDefault") == "yes"), None)
    return intval(row.get("id")) if row else 0


# ------------------------------------------------------------------ bank details, people


def recv_slots(row: Row) -> list[str]:
    return strval(row.get("recv")).split(";")


def bankinfo(row: Row) -> dict[str, Any]:
    """The 15 bankinfo keys: slot text, or null beyond the stored string (client.md §2.4)."""
    slots = recv_slots(row)
    return {k: (slots[i] if i < len(slots) else None) for i, k in enumerate(BANKINFO_KEYS)}


def person_short(db: Account, pid: Any) -> str | None:
    """``current_person``: first two words of the contact's name; "" for 0, null if missing/empty."""
    if intval(pid) <= 0:
        return ""
    row = _find(db, "personcat", "pid", pid)
    name = strval(row.get("person")) if row else ""
    if not name:
        return None
    return " ".join([w for w in name.split(" ") if w.strip()][:2])


def client_title(db: Account, clid: Any) -> str | None:
    row = db.table("clientcat", "clid").get(intval(clid))
    return row.get("title") if row else None


def visible_owners(db: Account, iduser: int) -> set[int]:
    """``get_people($iduser, "yes")``: the users' ids only, so an owner 0 (or a gone user) is seen by nobody."""
    return set(db.people(iduser))


def user_id_by_login(db: Account, login: Any) -> int:
    """``current_userbylogin``: 0 for an unknown or empty login (see methods.user.sql)."""
    return current_userbylogin(db, login)
