"""Reading clients: the list query (filters, ORDER BY, paging) and the record shapes (client.md §6-§7)."""

from __future__ import annotations

import functools
import itertools
import math
import operator
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ...collation import plain_sort_key
from ...errors import Fatal
from ...mysql_order import OrderBy, order_by, table_resolver
from ...php import floatval, intval, is_numeric, loose_eq, mul_text, strval
from ...records import page_body
from ...sanitize import untag
from ...wire import JSONBytes, cleaner
from ..mysql import compared_datetime, raise_on_parse_error
from . import data
from .dates import card_date

if TYPE_CHECKING:
    from ...store import Row, Table
    from ...wire import Call

Pred = Callable[["Row"], bool]
PAGE = 200
CLIENT_PHP = "developer/v2/client.php"


# ------------------------------------------------------------------ parameters


def output_fields(call: Call) -> list[str]:
    """The effective field list (client.md §4); computed for every action, before the switch."""
    allowed = data.allowed_fields(call.db)
    given = call.get("fields")
    if not data.not_blank(given):
        return allowed
    if isinstance(given, (dict, list)):
        raise Fatal(
            "TypeError",
            "yexplode(): Argument #2 ($str) must be of type ?string, array given, "
            f"called in {{ROOT}}/{CLIENT_PHP} on line 210 and defined",
            "inc/func.php",
            5140,
        )
    items = [p.strip() for p in strval(given).split(",")]
    return [f for f in items if f and f in allowed]


def page_offset(value: Any) -> str:
    """``$offset = ($params['offset'] > 0) ? ... : 0`` then ``$offset * 200`` under PHP 8 rules,
    as pasted into the LIMIT."""
    if value is None or value is False:
        return "0"
    if isinstance(value, (dict, list)):
        raise Fatal("TypeError", "Unsupported operand types: array * int", CLIENT_PHP, 369)
    operand: Any = value
    if isinstance(value, str) and not is_numeric(value):
        prefix = re.match(r"[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)", value)
        # real server: a non-numeric string compares with 0 as text, then the multiplication throws
        if value <= "0":
            return "0"
        if not prefix:
            raise Fatal("TypeError", "Unsupported operand types: string * int", CLIENT_PHP, 369)
        operand = prefix.group(0)
    if floatval(operand) <= 0:
        return "0"
    # real server: a float product prints as "0.2" or "2.0E+22", which the LIMIT refuses (order_of)
    return mul_text(operand, PAGE)


def order_of(call: Call, offset: str) -> OrderBy:
    """``ORDER BY $order $first LIMIT $lpos,200`` as MariaDB reads it (mysql_order)."""
    text, first = order_words(call)
    return _parse_order(f"{text} {first} LIMIT {offset},{PAGE}")


def order_words(call: Call) -> tuple[str, str]:
    """``$order`` and ``$first`` as client.php pastes them into ``ORDER BY $order $first``."""
    order = call.get("order")
    # real server: PHP 8's loose ==, so a JSON true order equals 'date_change' (scenario 123) and a true first 'old'
    text = "date_edit" if loose_eq(order, "date_change") else strval(order) if data.not_blank(order) else "date_create"
    return text, "" if loose_eq(call.get("first"), "old") else "DESC"


_resolve = table_resolver("app_clientcat", list(data.COLUMNS))


@functools.lru_cache(maxsize=256)
def _parse_order(tail: str) -> OrderBy:
    return order_by(tail, _resolve, list(data.COLUMNS), numeric=lambda c: data.COLUMNS[c][0] == "int")


def _sort_key(column: str) -> Callable[[Row], tuple[int, Any]]:
    if data.COLUMNS[column][0] == "int":

        def int_key(row: Row) -> tuple[int, Any]:
            v = row.get(column)
            if v is None:
                return (0, 0)
            return (1, v if type(v) is int else intval(v))

        return int_key

    def key(row: Row) -> tuple[int, Any]:
        v = row.get(column)
        if v is None:
            return (0, 0)
        if type(v) is str and v.isascii():
            return (1, v.lower().rstrip(" "))  # what fold() gives for ASCII text (dates, most codes)
        return (1, data.fold(strval(v)).rstrip(" "))

    return key


def sort_rows(items: list[tuple[str, bool]], rows: list[Row]) -> list[Row]:
    # ties keep physical order in both directions (client.md §6.1): Python's sort is stable
    if len(items) == 1:
        plain = sorted_plain(rows, *items[0])
        if plain is not None:
            return plain
    return sorted_general(rows, items)


def sorted_general(rows: list[Row], items: list[tuple[str, bool]]) -> list[Row]:
    """``ORDER BY`` (column, descending) items: one stable sort per item, the last item first."""
    for column, desc in reversed(items):
        rows = sorted(rows, key=_sort_key(column), reverse=desc)
    return rows


def sorted_plain(rows: list[Row], column: str, desc: bool) -> list[Row] | None:
    """``sort_rows`` for one column whose values are their own sort keys (see ``plain_sort_key``):
    C-keyed stable sorts (stable with ``reverse`` too, so ties keep table order); else None."""
    key = plain_sort_key(rows, column, data.COLUMNS[column][0] == "int")
    if key is None:
        return None
    return sorted(rows, key=key, reverse=desc)


# ------------------------------------------------------------------ WHERE


def _sql_value(v: Any) -> str:
    return strval(v)  # a quote in it breaks the whole query: check_list_query tells where


_DATE_PARAMS = ("dateStart", "dateEnd", "dateChangeStart", "dateChangeEnd")


def check_list_query(call: Call, offset: str) -> None:
    """The list query as client.php pastes it, when a date bound holds a quote: MariaDB's syntax error
    (near = the rest of the query from the quote on, ORDER BY and LIMIT included)."""
    p = call.params
    if not any("'" in strval(p.get(k)) for k in _DATE_PARAMS):
        return
    start, end = p.get("dateStart"), p.get("dateEnd")
    sort = ""
    # real server: the same four pairs of conditions as list_preds, pasted with the raw values (client.php)
    if data.not_blank(start) and not data.not_blank(end):
        sort += f" and date_create > '{strval(start)}'"
    if data.not_blank(start) and data.not_blank(end):
        sort += f" and (date_create BETWEEN '{strval(start)}' and '{strval(end)}')"
    if not data.not_blank(start) and data.not_blank(end):
        sort += f" and date_create < '{strval(end)}'"
    cstart, cend = p.get("dateChangeStart"), p.get("dateChangeEnd")
    if data.not_blank(cstart) and not data.not_blank(cend):
        sort += f" and date_edit > '{strval(start)}'"
    if data.not_blank(cstart) and data.not_blank(cend):
        sort += f" and (date_edit BETWEEN '{strval(cstart)}' and '{strval(cend)}')"
    if not data.not_blank(cstart) and data.not_blank(cend):
        sort += f" and date_edit < '{strval(cend)}'"
    if data.not_blank(p.get("user")):
        sort += f" and app_clientcat.iduser = '{data.user_id_by_login(call.db, p.get('user'))}'"
    elif (call.user or {}).get("isadmin") != "on":
        people = ",".join(str(x) for x in sorted(data.visible_owners(call.db, call.iduser)))
        sort += f" and app_clientcat.iduser IN ({people})"
    text, first = order_words(call)
    raise_on_parse_error(
        f"SELECT * FROM app_clientcat WHERE clid > 0{sort} and identity = '{call.db.identity}' "
        f"ORDER BY {text} {first} LIMIT {offset},{PAGE}"
    )


def _date_cmp(column: str, op: str, bound: Any, bound2: Any = None) -> Pred:
    low = compared_datetime(_sql_value(bound))
    high = compared_datetime(_sql_value(bound2)) if bound2 is not None else ""

    def pred(row: Row) -> bool:
        v = row.get(column)
        if v is None:
            return False
        return low < v if op == ">" else v < low if op == "<" else low <= v <= high

    return pred


_PHONE_PUNCT = re.compile(r"[+() -]")
#: the columns `word` searches; the phone without its punctuation (client.md §6.1)
WORD_COLUMNS = ("phone", "title", "des", "mail_url", "site_url", "address")
_word_columns = operator.itemgetter(*WORD_COLUMNS)
#: one text per block of rows: each row's folded word columns joined by NUL, rows joined by SOH
_COLUMN_SEP, _ROW_SEP = "\0", "\1"


def _folded_values(raw: tuple[Any, ...]) -> list[str | None]:
    phone = raw[0] if raw[0] is None else _PHONE_PUNCT.sub("", raw[0])
    return [None if v is None else data.fold(strval(v)) for v in (phone, *raw[1:])]


def _joined(raw: tuple[Any, ...]) -> str:
    """A row's searched column values → their folded texts joined by NUL."""
    return _COLUMN_SEP.join(v for v in _folded_values(raw) if v is not None)


#: joined folded texts by the searched values, for every table and every backend: the same
#: values always fold the same, so the texts outlive a reset (a test's first search after its
#: reset folds only the rows it added or changed)
_KNOWN: dict[tuple[Any, ...], str] = {}
#: how many texts ``_KNOWN`` holds at most before it starts over
KNOWN_MAX = 200_000


def _row_texts(rows: list[Row], known: dict[tuple[Any, ...], str]) -> list[str]:
    """Each row's joined folded text; ``known`` keeps them by the searched values (text or NULL
    only: other kinds are folded every time), so only new or changed rows are folded."""
    try:
        raws = list(map(_word_columns, rows))
    except KeyError:  # a row without one of the columns (made by hand)
        raws = [tuple(row.get(c) for c in WORD_COLUMNS) for row in rows]
    lookup: Callable[[Any], Any] = known.get
    texts: list[Any] = list(map(lookup, raws))  # C-level: no Python step per known row
    if None in texts:
        if len(known) > max(KNOWN_MAX, 2 * len(rows) + 1024):
            known.clear()  # mostly values no row holds any more
        for n, text in enumerate(texts):
            if text is None:
                raw = raws[n]
                texts[n] = _joined(raw)
                if all(v is None or type(v) is str for v in raw):
                    known[raw] = texts[n]
    return texts


class _SearchText:
    """The rows' folded word columns in blocks of texts, to find a word at C speed.

    A word is looked for in each block's joined text first (``in``), then row by row inside the
    blocks that have it (``map``/``compress``): no Python step per row or per match.  Rebuilt
    when the table's version moves (any change to a client row, however made), from the texts
    kept by value (see ``_row_texts``); until then a word searched again gets the rows found the
    first time (tests often poll one list).  Other tables' writes (a deal, a task) leave it be.
    """

    BLOCK = 64
    #: words whose rows are kept per text
    WORDS = 32

    def __init__(self, table: Table, known: dict[tuple[Any, ...], str]) -> None:
        self.version = table.version
        self.rows = list(table.rows.values())
        self.texts = _row_texts(self.rows, known)
        n = self.BLOCK
        self.blocks = [_ROW_SEP.join(self.texts[i : i + n]) for i in range(0, len(self.texts), n)]
        self.found: dict[str, list[Row]] = {}

    def rows_with(self, needle: str) -> list[Row]:
        """The rows one of whose columns contains ``needle`` (free of both separators), in table order."""
        found = self.found.get(needle)
        if found is None:
            if len(self.found) >= self.WORDS:
                self.found.clear()
            found = self.found[needle] = self._search(needle)
        return list(found)

    def _search(self, needle: str) -> list[Row]:
        found: list[Row] = []
        n, rows, texts = self.BLOCK, self.rows, self.texts
        for b in [b for b, block in enumerate(self.blocks) if needle in block]:
            lo = b * n
            found.extend(
                itertools.compress(
                    rows[lo : lo + n], map(operator.contains, texts[lo : lo + n], itertools.repeat(needle))
                )
            )
        return found


def _search_text(table: Table) -> _SearchText:
    memo = table.memo
    hit: _SearchText | None = memo.get("word.text")
    if hit is None or hit.version != table.version:
        hit = memo["word.text"] = _SearchText(table, _KNOWN)
    return hit


def _word_pred(word: Any, table: Table) -> Pred:
    if isinstance(word, (dict, list)):
        raise Fatal("TypeError", "trim(): Argument #1 ($string) must be of type string, array given", CLIENT_PHP, 28)
    pattern = "%" + data.sql_unescape(cleaner(strval(word))) + "%"
    test = data.like_matcher(pattern)
    needle = data.like_needle(pattern)

    def pred(row: Row) -> bool:
        try:
            raw = _word_columns(row)
        except KeyError:
            raw = tuple(row.get(c) for c in WORD_COLUMNS)
        return any(v is not None and test(v) for v in _folded_values(raw))

    if needle and _COLUMN_SEP not in needle and _ROW_SEP not in needle:
        # a needle free of both separators found in the joined text lies inside one column of one row
        pred.needle = needle  # type: ignore[attr-defined]
    return pred


def matching_rows(table: Table, preds: list[Pred]) -> list[Row]:
    """The rows meeting every predicate, in table order (the WHERE of the list query).

    A plain ``word`` search (the first predicate) runs over the folded text of all rows, kept
    between calls (see ``_SearchText``); the other predicates then only see the rows with it.
    """
    needle = getattr(preds[0], "needle", None) if preds else None
    if needle is None:
        return _filtered(list(table), preds)
    return _filtered(_search_text(table).rows_with(needle), preds[1:])


def _filtered(rows: list[Row], preds: list[Pred]) -> list[Row]:
    """``rows`` through each predicate in turn (a row stops at its first false one, as in SQL)."""
    for pred in preds:
        bulk = getattr(pred, "filter_rows", None)
        rows = bulk(rows) if bulk is not None else [r for r in rows if pred(r)]
    return rows


def _eq(column: str, value: Any) -> Pred:
    if data.COLUMNS[column][0] == "int":
        target = intval(value)
        return lambda r: r.get(column) is not None and intval(r.get(column)) == target
    return lambda r: data.ci_eq(r.get(column), value)


def _like(column: str, pattern: str) -> Pred:
    return lambda r: data.like(r.get(column), pattern)


def _filter_preds(call: Call) -> list[Pred]:
    flt = call.get("filter")
    if not isinstance(flt, (dict, list)):
        return []
    items = flt.items() if isinstance(flt, dict) else enumerate(flt)
    enabled_inputs = {f["fld_name"] for f in data.enabled_rows(call.db) if "input" in str(f["fld_name"])}
    preds: list[Pred] = []
    for k, v in items:
        if not data.not_blank(v) or not isinstance(k, str):
            continue
        text = strval(v)
        if k == "relations":
            preds.append(_eq("tip_cmr", untag(text)))
        elif k == "idcategory":
            preds.append(_eq(k, intval(v) if is_numeric(v) else data.category_id(call.db, untag(text), False)))
        elif k == "territory":
            preds.append(_eq(k, intval(v) if is_numeric(v) else data.territory_id(call.db, untag(text), False)))
        elif k == "type":
            preds.append(_eq("type", untag(text)))
        elif k == "clientpath":
            # real server: an unknown source name is CREATED by the filter (client.md §6.1)
            preds.append(_eq(k, intval(v) if is_numeric(v) else data.clientpath_id(call.db, untag(text))))
        elif k == "trash" or k in enabled_inputs:
            preds.append(_like(k, "%" + untag(text) + "%"))
    return preds


def list_preds(call: Call) -> list[Pred]:
    p = call.params
    preds: list[Pred] = []
    if data.not_blank(p.get("word")):
        preds.append(_word_pred(p.get("word"), call.db.table("clientcat", "clid")))
    start, end = p.get("dateStart"), p.get("dateEnd")
    if data.not_blank(start) and not data.not_blank(end):
        preds.append(_date_cmp("date_create", ">", start))
    if data.not_blank(start) and data.not_blank(end):
        preds.append(_date_cmp("date_create", "between", start, end))
    if not data.not_blank(start) and data.not_blank(end):
        preds.append(_date_cmp("date_create", "<", end))
    cstart, cend = p.get("dateChangeStart"), p.get("dateChangeEnd")
    if data.not_blank(cstart) and not data.not_blank(cend):
        # real server: compares date_edit with dateStart, not dateChangeStart (client.md §6.1)
        preds.append(_date_cmp("date_edit", ">", "" if start is None else start))
    if data.not_blank(cstart) and data.not_blank(cend):
        preds.append(_date_cmp("date_edit", "between", cstart, cend))
    if not data.not_blank(cstart) and data.not_blank(cend):
        preds.append(_date_cmp("date_edit", "<", cend))
    if data.not_blank(p.get("user")):
        owner = str(data.user_id_by_login(call.db, p.get("user")))
        preds.append(lambda r: data.ci_eq(r.get("iduser"), owner))
    elif (call.user or {}).get("isadmin") != "on":
        # real server: an isadmin user's list has no owner filter at all, so it shows owner 0 and owners that
        # are no user (client.php, `elseif($isadmin != 'on')`; $isadmin comes from inc/settings.php)
        preds.append(_visible_pred(data.visible_owners(call.db, call.iduser)))
    return preds + _filter_preds(call)


def _visible_pred(people: set[int]) -> Pred:
    """``iduser IN (people)`` on the text column: the MySQL number of each distinct owner value, once."""
    seen: dict[Any, bool] = {}

    def pred(row: Row) -> bool:
        owner = row.get("iduser")
        if owner is None:
            return False
        ok = seen.get(owner)
        if ok is None:
            ok = seen[owner] = data.mysql_number(owner) in people
        return ok

    def filter_rows(rows: list[Row]) -> list[Row]:
        """The same test for many rows: decided once per distinct owner value, applied in C."""
        try:
            owners = list(map(operator.itemgetter("iduser"), rows))
        except KeyError:
            return [r for r in rows if pred(r)]
        for owner in set(owners) - seen.keys():
            seen[owner] = owner is not None and data.mysql_number(owner) in people
        return list(itertools.compress(rows, map(seen.__getitem__, owners)))

    pred.filter_rows = filter_rows  # type: ignore[attr-defined]
    return pred


# ------------------------------------------------------------------ records


def user_login(db: Any, owner: Any) -> str:
    """``current_userlogin($iduser)``: the text column's value meets the INT id in SQL, so MySQL compares numbers
    ("2.9" is no user, " 3 " and "3abc" are user 3; golden 65)."""
    number = data.mysql_number(owner)
    return db.login_of(int(number)) if math.isfinite(number) and number.is_integer() else ""


#: list fields answered as ints: the int columns, and three more (client.md §6.2)
_LIST_INTS = frozenset({"head_clid", "pid", "iduser", *(f for f, (kind, _) in data.COLUMNS.items() if kind == "int")})
#: list fields that bring a looked-up title before them: field → (key, lookup)
_LIST_TITLES: dict[str, tuple[str, Callable[[Any, Any], Any]]] = {
    # real server: the CATEGORY title looked up by the head clid (client.md §6.2)
    "head_clid": ("head_clidTitle", data.category_title),
    "pid": ("person", data.person_short),
    "iduser": ("user", lambda db, v: user_login(db, v)),
    "idcategory": ("idcategoryTitle", data.category_title),
    "territory": ("territoryTitle", data.territory_title),
    "clientpath": ("clientpathTitle", data.clientpath_name),
}


def list_record(call: Call, row: Row, fields: list[str]) -> dict[str, Any]:
    db = call.db
    out: dict[str, Any] = {}
    for f in fields:
        v = row.get(f)
        title = _LIST_TITLES.get(f)
        if title is not None:
            out[title[0]] = title[1](db, v)
        out[f] = (v if type(v) is int else intval(v)) if f in _LIST_INTS else v
    return out


def list_json(call: Call, table: Table, page: list[Row], names: list[str], count: int, stamp: Any) -> JSONBytes:
    """The list answer, each distinct record rendered once while the account stamp stands still."""
    return page_body(table, stamp, names, page, count, lambda: lambda row: list_record(call, row, names))


def uids_of(call: Call, clid: int) -> list[dict[str, Any]]:
    rows = [r for r in call.db.table("uids") if intval(r.get("clid")) == clid]
    keys = ("datum", "name", "value", "eid", "clid", "did")
    return [{k: intval(r.get(k)) if k in ("eid", "clid", "did") else r.get(k) for k in keys} for r in rows]


def info_record(call: Call, row: Row, fields: list[str]) -> dict[str, Any]:
    db = call.db
    out: dict[str, Any] = {}
    for f in fields:
        v = row.get(f)
        if f == "head_clid":
            head = intval(v)
            title = data.client_title(db, head) if head else ""
            out[f] = ("--не найден--" if title is None else title) if head else ""
        elif f == "pid":
            out[f] = intval(v)
            out["person"] = data.person_short(db, v)
        elif f == "iduser":
            out[f] = intval(v)
            out["user"] = user_login(db, v)
        elif f == "idcategory":
            out[f] = intval(v)
            out["categoryName"] = data.category_title(db, v)
        elif f == "territory":
            out[f] = intval(v)
            out["territoryName"] = data.territory_title(db, v)
        elif f == "clientpath":
            out[f] = data.clientpath_name(db, v)
        elif f == "date_create":
            out["created"] = v
            out[f] = card_date(v)
        elif f == "date_edit":
            out["edited"] = v
            out[f] = card_date(v)
        elif f == "clid":
            out[f] = intval(v)
        else:
            out[f] = v if v is not None and v != "" else None
    return out


def contacts(call: Call, clid: int) -> list[dict[str, Any]]:
    """``contacts=yes``: the API user's own contacts of this client that have an e-mail (client.md §7.3)."""
    db = call.db
    me = str(call.iduser)
    out = []
    for p in db.table("personcat", "pid"):
        if intval(p.get("clid")) != clid or strval(p.get("iduser")) != me or not strval(p.get("mail")):
            continue
        owner = db.user(p.get("iduser"))
        loyal = data._find(db, "loyal_cat", "idcategory", p.get("loyalty")) if intval(p.get("loyalty")) else None
        path = data._find(db, "clientpath", "id", p.get("clientpath")) if intval(p.get("clientpath")) else None
        item = {k: _raw(p.get(k)) for k in ("pid", "person", "ptitle", "clid", "tel", "mob", "mail", "iduser")}
        item.update(rol=_raw(p.get("rol")), date_create=_raw(p.get("date_create")))
        item["client"] = _raw(data.client_title(db, clid))
        item["user"] = _raw(owner.get("title")) if owner else None
        item["color"] = _raw(loyal.get("color")) if loyal else None
        item["relation"] = _raw(loyal.get("title")) if loyal else None
        item["clientpath"] = _raw(path.get("name")) if path else None
        out.append(item)
    return out


def _raw(v: Any) -> str | None:
    """A value as mysqli hands it over: text or NULL."""
    return None if v is None else strval(v)
