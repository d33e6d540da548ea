"""Method `history` — activity records (other-methods.md §3): fields, tips, list, info, add,
add.list, delete.  No events are fired by any of them."""

from __future__ import annotations

from typing import Any

from ...errors import CRMError, type_fatal
from ...mysql_order import order_by, table_resolver
from ...php import intval, php_values, strval
from ...wire import Call, cleaner
from ..mysql import (
    as_datetime,
    ci_equal,
    find_in_set,
    find_row,
    like,
    num_equal,
    page_offset,
    raise_on_parse_error,
    sort_rows,
    sql_literal,
    sql_parse_error,
)
from ..task.lookup import blank, clean_pid_list, cleaner_arg, tips, untag_arg, user_id_by_login
from .record import FIELD_TITLES, FIELDS, INT_COLUMNS, add_history, info_view, list_view

# real server: history.php compares the action loosely too, so JSON true runs `fields`
LOOSE_TRUE_ACTION = "fields"
# real server: a JSON string body crashes where the script first indexes $params (protocol.md §2.1)
JSON_STRING_FATAL = ("developer/v2/history.php", 164)


class InfoNotFound(CRMError):
    # real server: string code here (other-methods.md §3)
    code = "403"
    text = "Не найдено в пределах аккаунта указанного пользователя."


class MissingInfoId(CRMError):
    # real server: the text speaks of reminders, copied from task.php (other-methods.md §3)
    code = 405
    text = "Отсутствуют параметры - id напоминания"


class MissingParams(CRMError):
    code = 405
    text = "Отсутствуют параметры"


class RecordNotFound(CRMError):
    code = 403
    text = "Запись не найдена."


class MissingCid(CRMError):
    code = 405
    text = "Отсутствуют параметры - cid записи"


#: app_history's columns in table order (setup.sql), for ``ORDER BY 12``; the mock keeps no
#: datum_izm / iduser_izm, which sort as NULL
SCHEMA = [
    "cid",
    "clid",
    "pid",
    "did",
    "datum",
    "datum_izm",
    "des",
    "iduser",
    "iduser_izm",
    "tip",
    "fid",
    "uid",
    "identity",
]
_RESOLVE = table_resolver("app_history", SCHEMA)


def _history(call: Call) -> Any:
    return call.db.table("history", "cid")


def _now_hm(call: Call) -> str:
    assert call.backend is not None
    return call.backend.clock.now().strftime("%H:%M")


# ------------------------------------------------------------------ actions


def fields(call: Call) -> dict[str, Any]:
    return {"data": dict(FIELD_TITLES)}


def tips_(call: Call) -> dict[str, Any]:
    return tips(call.db)


def info(call: Call) -> dict[str, Any]:
    raw = call.get("id")
    query = f"SELECT cid FROM app_history WHERE cid = '{strval(raw)}' and identity = '{call.db.identity}'"
    raise_on_parse_error(query)
    row = find_row(_history(call), raw)
    if row is None:
        raise MissingInfoId() if blank(raw) else InfoNotFound()
    # real server: no visibility check for info (golden 10-visibility)
    return {"data": info_view(call, row)}


def _matches(call: Call, row: dict[str, Any], p: dict[str, Any], start: str, end: str) -> bool:
    if not (start <= as_datetime(row.get("datum")) <= end):
        return False
    if not blank(p.get("word")):
        # real server: the word is pasted into a quoted literal, so "\\t" is a tab (golden 43)
        word = sql_literal(f"%{cleaner(strval(p['word']))}%")
        if not (like(row.get("des"), word) or like(row.get("tip"), word)):
            return False
    tip = p.get("tip")
    # real server: the type filter only applies to a value equal to a field name (other-methods.md §3)
    if isinstance(tip, str) and tip in FIELDS and not ci_equal(row.get("tip"), cleaner(tip)):
        return False
    if not blank(p.get("user")):
        if intval(row.get("iduser")) != user_id_by_login(call.db, p["user"]):
            return False
    elif intval(row.get("iduser")) not in call.db.people(call.iduser):
        return False
    for key in ("clid", "did"):
        if intval(p.get(key)) > 0 and not num_equal(row.get(key), p[key]):
            return False
    # real server: `(int)['pid'] > 0` is always true, so the contact filter always applies and
    # without `pid` nothing matches (other-methods.md §3)
    return find_in_set(strval(p.get("pid")), row.get("pid"))


def _list_where(call: Call, p: dict[str, Any], start: str, end: str) -> str:
    """The ``$sort`` of history.php list, values pasted as they came (the user lookup runs here)."""
    sort = ""
    if not blank(p.get("word")):
        w = cleaner(cleaner_arg(p["word"], ("developer/v2/history.php", 26)))
        sort += f" and (des LIKE '%{w}%' or tip LIKE '%{w}%')"
    if isinstance(p.get("tip"), str) and p["tip"] in FIELDS:
        sort += f" and tip = '{cleaner(p['tip'])}'"
    sort += f" and (datum BETWEEN '{start}' and '{end}')"
    if not blank(p.get("user")):
        sort += f" and app_history.iduser = '{user_id_by_login(call.db, p['user'])}'"
    else:
        sort += f" and app_history.iduser IN ({','.join(str(i) for i in call.db.people(call.iduser))})"
    for key in ("clid", "did"):
        if intval(p.get(key)) > 0:
            sort += f" and app_history.{key} = '{strval(p[key])}'"
    return sort + f" and FIND_IN_SET('{strval(p.get('pid'))}', REPLACE(app_history.pid, ';',',')) > 0"


def list_(call: Call) -> dict[str, Any]:
    p = call.params
    assert call.backend is not None
    today = call.backend.clock.today_str()
    # real server: each bound defaults to today, a date means midnight (other-methods.md §3)
    raw_start = today if blank(p.get("dateStart")) else strval(p["dateStart"])
    raw_end = today if blank(p.get("dateEnd")) else strval(p["dateEnd"])
    sort = _list_where(call, p, raw_start, raw_end)
    order = "datum" if blank(p.get("order")) else strval(p["order"])
    lpos = page_offset(p.get("offset"), ("developer/v2/history.php", 392))
    first = "" if p.get("first") == "old" else "DESC"
    head = f"SELECT * FROM app_history WHERE cid > 0 {sort} and identity = '{call.db.identity}' "
    tail = f"{order} {first} LIMIT {lpos},200"
    # real server: every value is pasted into one query; a raw quote breaks it (golden 45)
    if sql_parse_error(head) is not None:
        raise_on_parse_error(f"{head}ORDER BY {tail}")
    order_keys = order_by(tail, _RESOLVE, SCHEMA, numeric=lambda c: c in INT_COLUMNS)
    start, end = as_datetime(raw_start), as_datetime(raw_end)
    rows = [r for r in _history(call) if _matches(call, r, p, start, end)]
    rows = sort_rows(sorted(rows, key=lambda r: intval(r.get("cid"))), order_keys.keys, INT_COLUMNS)
    # real server: a `#` in `order` comments the LIMIT out; `order=x limit 1 #` sets its own
    rows = order_keys.page(rows)
    data = [list_view(call, r) for r in rows]
    return {"data": data} if data else {}


def add(call: Call) -> dict[str, Any]:
    p = call.params
    iduser = call.iduser if blank(p.get("user")) else user_id_by_login(call.db, p["user"])
    # real server: `$params['tip'] != ''` holds for an array, and untag() crashes on it (history.php add)
    tip = untag_arg(p["tip"]) if not blank(p.get("tip")) else "Событие"
    if all(blank(p.get(k)) for k in ("clid", "pid", "did")) or blank(p.get("content")):
        raise MissingParams()
    cid = add_history(
        call,
        iduser=iduser,
        clid=p.get("clid"),
        pid=clean_pid_list(p.get("pid"), ("developer/v2/history.php", 495)),
        did=p.get("did"),
        datum=f"{strval(p.get('datum'))} {_now_hm(call)}",
        des=p.get("content"),
        tip=tip,
    )
    return {"result": "Успешно", "data": cid}


def add_list(call: Call) -> list[dict[str, Any]]:
    p = call.params
    default_user = call.iduser if blank(p.get("user")) else user_id_by_login(call.db, p["user"])
    assert call.backend is not None
    out: list[dict[str, Any]] = []
    # real server: one result array is reused for every item, so keys leak between items
    res: dict[str, Any] = {}
    raw = p.get("list")
    for item in php_values(raw) if isinstance(raw, (list, dict)) else []:
        if isinstance(item, str):
            # real server: $item['content'] on a string item (golden 48-arrays-history-batches)
            raise type_fatal("Cannot access offset of type string on string", "developer/v2/history.php", 540)
        item = item if isinstance(item, dict) else {}
        if not blank(item.get("content")):
            datum = call.backend.clock.now_str() if blank(item.get("datum")) else strval(item["datum"])
            user = item.get("user")
            iduser = user_id_by_login(call.db, user) if not blank(user) else default_user
            res["result"] = "Успешно"
            res["data"] = add_history(
                call,
                iduser=iduser,
                clid=item.get("clid"),
                pid=clean_pid_list(item.get("pid")),
                did=item.get("did"),
                datum=f"{datum} {_now_hm(call)}",
                des=item.get("content"),
                tip=item.get("tip"),
            )
        else:
            res["result"] = "Error"
            res["error"] = {"code": 405, "text": "Отсутствуют параметры - Заголовок"}
        out.append(dict(res))
    return out


def delete(call: Call) -> dict[str, Any]:
    raw = call.get("id")
    people = ",".join(str(i) for i in call.db.people(call.iduser))
    raise_on_parse_error(
        f"SELECT cid FROM app_history WHERE cid = '{strval(raw)}'  and iduser IN ({people}) "
        f"and identity = '{call.db.identity}'"
    )
    row = find_row(_history(call), raw)
    if blank(raw):
        raise MissingCid()
    if row is None or intval(row.get("iduser")) not in call.db.people(call.iduser):
        raise RecordNotFound()
    _history(call).delete(intval(row["cid"]))
    return {"result": "Успешно"}


ACTIONS = {
    "tips": tips_,
    "fields": fields,
    "list": list_,
    "info": info,
    "add": add,
    "add.list": add_list,
    "delete": delete,
}
