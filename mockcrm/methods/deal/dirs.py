"""Directory actions of the deal method, built from the directory tables (deal.md §4)."""

from __future__ import annotations

import json
from typing import Any

from ...php import floatval, intval, is_numeric, strtr, strval
from ...sanitize import untag
from ...wire import Call
from .common import ci, deals, direction_by_title, step_content, step_name, step_rows, table, text_arg, tip_by_title
from .record import fields_titles

STEP_DAYS = 5  # real server: every step of the default funnel lasts 5 days (deal.md §4.6)


def fields(call: Call) -> dict[str, Any]:
    return {"data": fields_titles(call)}


def _by_title(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda r: ci(r.get("title")))


def _wrap(data: list[Any]) -> dict[str, Any]:
    # real server: an empty table leaves no "data" key, the body is [] (deal.md §4.5)
    return {"data": data} if data else {}


def _step_in_hold(call: Call) -> dict[str, Any]:
    row = table(call, "customsettings").first(lambda r: r.get("tip") == "stepInHold")
    try:
        value = json.loads(row["params"]) if row and row.get("params") else {}
    except ValueError:
        value = {}
    return value if isinstance(value, dict) else {}


def steplist(call: Call) -> dict[str, Any]:
    hold = _step_in_hold(call)
    data = []
    for r in step_rows(call):
        item: dict[str, Any] = {"idcategory": r["idcategory"], "title": r["title"], "content": r.get("content")}
        if hold and strval(hold.get("step")) == strval(r["idcategory"]):
            item["inHold"] = True
            item["inHoldInput"] = hold.get("input")
        data.append(item)
    return _wrap(data)


def direction(call: Call) -> dict[str, Any]:
    rows = _by_title(list(table(call, "direction")))
    return _wrap([{"id": r["id"], "title": r["title"], "isDefault": r.get("isDefault")} for r in rows])


def type_(call: Call) -> dict[str, Any]:
    rows = _by_title(list(table(call, "dogtips", "tid")))
    return _wrap([{"tid": strval(r["tid"]), "title": r["title"], "isDefault": r.get("isDefault")} for r in rows])


def statusclose(call: Call) -> dict[str, Any]:
    rows = _by_title(list(table(call, "dogstatus", "sid")))
    return _wrap([{"sid": r["sid"], "title": r["title"]} for r in rows])


def _neighbour(row: dict[str, Any] | None) -> dict[str, Any]:
    if row is None:
        return {"id": 0, "title": None, "content": None}
    return {"id": intval(row["idcategory"]), "title": strval(row["title"]), "content": row.get("content")}


def _funnel_base(call: Call, did: Any, direction_id: Any, tip_id: Any) -> list[tuple[str, Any]]:
    """``getMultiStepList()`` with an empty multisteps table (deal.md §4.6)."""
    rows = step_rows(call)
    steps = {strval(r["idcategory"]): STEP_DAYS for r in rows}
    length = STEP_DAYS * len(rows)
    if intval(did) > 0:
        # real server: (int)did > 0, then WHERE did = '<did as sent>' (MySQL: '1abc' = 1)
        want = floatval("Array" if isinstance(did, (list, dict)) else did)
        deal = deals(call).first(lambda d: float(d["did"]) == want)
        current = intval(deal.get("idcategory")) if deal else 0
        # real server: without multisteps prev/next come from getDogData((int)did), so did "1.5" finds
        # no deal for current but deal 1 for its neighbours (getPrevNextStep)
        own = deals(call).get(intval(did))
        ids = [intval(r["idcategory"]) for r in rows]
        step_id = intval(own.get("idcategory")) if own else 0
        pos = ids.index(step_id) if step_id in ids else -1
        # real server: current is the deal's own idcategory, also when no such step exists (title/content "")
        cur_item = {"id": current, "title": step_name(call, current), "content": step_content(call, current)}
        prev = rows[pos - 1] if pos > 0 else None
        nxt = rows[pos + 1] if 0 <= pos < len(rows) - 1 else None
        return [
            ("steps", steps),
            ("default", 0),
            ("length", length),
            ("funnel", None),
            ("prev", _neighbour(prev)),
            ("current", cur_item),
            ("next", _neighbour(nxt)),
        ]
    # real server: (int)tip > 0 with any non-zero direction (also -1) is the "Общая" funnel
    if intval(tip_id) > 0 and intval(direction_id) != 0:
        nsteps = [
            {"id": intval(r["idcategory"]), "name": strval(r["title"]), "content": r.get("content")} for r in rows
        ]
        return [("steps", steps), ("nsteps", nsteps), ("length", length), ("default", 0), ("funnel", "Общая")]
    return []


def funnel(call: Call) -> dict[str, Any]:
    raw_dir, raw_tip = call.get("direction"), call.get("tip")
    # real server: a non-numeric value goes through untag(), which refuses arrays (strip_tags TypeError)
    dir_id = raw_dir if is_numeric(raw_dir) else direction_by_title(call, untag(text_arg(raw_dir)))
    tip_id = raw_tip if is_numeric(raw_tip) else tip_by_title(call, untag(text_arg(raw_tip)))
    base = _funnel_base(call, call.get("did"), dir_id, tip_id)
    names = {strval(r["idcategory"]): strval(r["title"]) for r in step_rows(call)}
    base_map = dict(base)
    steps_name = {k: strtr(k, names) for k in base_map.get("steps", {})}
    default = base_map.get("default")
    default_name = strtr(strval(default), names)
    # real server: arrayAddAfter() loses the last element on the first insert (deal.md §4.6)
    items = [("stepsName", steps_name), *base[:-1]]
    items.insert(min(3, len(items)), ("defaultName", default_name))
    return {"data": dict(items)}
