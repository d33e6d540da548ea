"""Method `client` (client.md): organisations in table `clientcat`.

Every action first computes the output field list, like the script does before its switch, so
an array ``fields`` crashes any action (client.md §4).  ``change.user`` has a handler in the real
script but is not in its accepted list, so it is left out of ACTIONS and answers 402 (client.md §12).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from ...errors import CRMError, Fatal
from ...php import intval, php_values, strval
from ...wire import Call
from ..mysql import find_in_set, raise_on_parse_error
from . import data, read, write

FIELD_HINTS = {
    "clid": "Уникальный идентификатор записи клиента в CRM",
    "uid": "Уникальный идентификатор записи клиента в вашей ИС",
    # real server: "parnter" is misspelt in the answer (client.md §5)
    "type": "Тип записи (допустимые - client,person,concurent,contractor,parnter)",
    "date_create": "Дата создания. Timestamp",
    "date_edit": "Дата последнего изменения. Timestamp",
}


class InfoNotVisible(CRMError):
    code = 403
    text = "Клиент не найден в пределах аккаунта указанного пользователя."


class InfoNoParams(CRMError):
    code = 405
    text = "Отсутствуют параметры клиента"


class InfoNotFound(CRMError):
    code = 404
    text = "Не найдено"


def fields(call: Call) -> Any:
    read.output_fields(call)
    out: dict[str, Any] = dict(FIELD_HINTS)
    for f in data.enabled_rows(call.db):
        out[str(f["fld_name"])] = f.get("fld_title")
    return {"data": out}


def list_(call: Call) -> Any:
    names = read.output_fields(call)
    offset = read.page_offset(call.get("offset"))
    preds = read.list_preds(call)
    read.check_list_query(call, offset)
    table = call.db.table("clientcat", "clid")
    rows = read.matching_rows(table, preds)
    order = read.order_of(call, offset)
    # real server: a `#` or `-- ` in `order` comments the LIMIT out; `order=x limit 1 #` sets its own
    page = order.page(read.sort_rows(order.keys, rows))
    if not data.is_yes(call.get("bankinfo")) and not data.is_yes(call.get("uids")):
        return read.list_json(call, table, page, names, len(rows), call.db.stamp())
    out: dict[str, Any] = {}
    for row in page:
        record = read.list_record(call, row, names)
        if data.is_yes(call.get("bankinfo")):
            record["bankinfo"] = data.bankinfo(row)
        if data.is_yes(call.get("uids")):
            record["uids"] = read.uids_of(call, int(row["clid"]))
        out.setdefault("data", []).append(record)
    out["count"] = len(rows)
    return out


def _info_match(call: Call, row: dict[str, Any], people: set[int]) -> bool:
    p = call.params
    if row.get("iduser") is None or data.mysql_number(row["iduser"]) not in people:
        return False
    uid, clid, inn = p.get("uid"), p.get("clid"), p.get("inn")
    if data.not_blank(uid):
        if not data.ci_eq(row.get("uid"), uid):
            return False
    elif data.not_blank(clid) or not data.not_blank(inn):
        # real server: `clid = '<value>'` — MySQL casts the text to a number (client.md §7.1)
        given = "Array" if isinstance(clid, (dict, list)) else strval(clid)
        if data.mysql_number(given) != intval(row["clid"]):
            return False
    if data.not_blank(inn):
        # real server: FIND_IN_SET over recv with ";" turned into "," — any slot matches (client.md §7.1)
        if not find_in_set(strval(inn), row.get("recv")):
            return False
    return True


def _info_candidates(call: Call) -> Iterable[dict[str, Any]]:
    """The rows `_info_match` has to look at, in table order.

    When the clid decides (no uid), only the row whose id equals the clid's MySQL number can
    match: that one row is looked up instead of scanning the table (same answer, O(1)).
    """
    table = call.db.table("clientcat", "clid")
    p = call.params
    uid, clid, inn = p.get("uid"), p.get("clid"), p.get("inn")
    if data.not_blank(uid) or not (data.not_blank(clid) or not data.not_blank(inn)):
        return table
    number = data.mysql_number("Array" if isinstance(clid, (dict, list)) else strval(clid))
    row = table.rows.get(int(number)) if math.isfinite(number) and number.is_integer() else None
    return [row] if row is not None else []


def _info_query(call: Call) -> str:
    """The lookup query of client.php info, values pasted unescaped (a quote breaks it)."""
    p = call.params

    def text(v: Any) -> str:
        return "Array" if isinstance(v, (dict, list)) else strval(v)

    uid, clid, inn = p.get("uid"), p.get("clid"), p.get("inn")
    s = f"AND uid = '{text(uid)}'" if data.not_blank(uid) else f"AND clid = '{text(clid)}'"
    if data.not_blank(inn):
        if not data.not_blank(uid) and not data.not_blank(clid):
            s = ""
        s += f"AND FIND_IN_SET('{text(inn)}', REPLACE(recv, ';',',')) "
    people = ",".join(str(i) for i in call.db.people(call.iduser))
    tail = f"AND iduser IN ({people}) and identity = '{call.db.identity}'"
    return f"SELECT clid FROM app_clientcat WHERE clid > 0 {s} {tail}"


def info(call: Call) -> Any:
    names = read.output_fields(call)
    # real server: uid/clid/inn are pasted into the lookup query as they came (client.php info)
    raise_on_parse_error(_info_query(call))
    people = data.visible_owners(call.db, call.iduser)
    row = next((r for r in _info_candidates(call) if _info_match(call, r, people)), None)
    p = call.params
    if row is None:
        if intval(p.get("clid")) > 0:
            raise InfoNotVisible()
        if not data.not_blank(p.get("uid")) and not data.not_blank(p.get("inn")):
            raise InfoNoParams()
        raise InfoNotFound()
    out: dict[str, Any] = {}
    record = read.info_record(call, row, names)
    if data.is_yes(call.get("bankinfo")):
        record["bankinfo"] = data.bankinfo(row)
    if record:
        out["data"] = record
    if data.is_yes(call.get("contacts")):
        out["contacts"] = read.contacts(call, int(row["clid"]))
    return out


def add(call: Call) -> Any:
    read.output_fields(call)
    return write.add_one(call, call.params)


def add_list(call: Call) -> Any:
    read.output_fields(call)
    items = call.get("client")
    results = []
    for item in php_values(items) if isinstance(items, (dict, list)) else []:
        if isinstance(item, str):
            raise Fatal("TypeError", "Cannot access offset of type string on string", read.CLIENT_PHP, 653)
        if isinstance(item, (int, float)) and item is not False:
            # real server: $client['iduser'] = ... on an int, float or true (null/false become arrays)
            raise Fatal("Error", "Cannot use a scalar value as an array", read.CLIENT_PHP, 653)
        item = dict(item) if isinstance(item, dict) else {}
        # real server: the owner is forced from `user` before add runs (client.md §9)
        item["iduser"] = call.iduser if item.get("user") is None else data.user_id_by_login(call.db, item["user"])
        results.append(write.add_one(call, item))
    return results


def update(call: Call) -> Any:
    read.output_fields(call)
    return write.update(call)


def delete(call: Call) -> Any:
    read.output_fields(call)
    return write.delete(call, write.delete_clid(call.get("clid")))


ACTIONS = {
    "fields": fields,
    "list": list_,
    "info": info,
    "add": add,
    "add.list": add_list,
    "update": update,
    "delete": delete,
}
