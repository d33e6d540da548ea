"""How a deal is printed: available fields, the list and info record builders (deal.md §3)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...php import intval, strval, trim
from ...store import Row
from ...wire import Call
from .common import (
    FLOAT_COLUMNS,
    INT_COLUMNS,
    direction_title,
    split_ids,
    status_title,
    step_content,
    step_name,
    table,
    tip_title,
    user_title,
    user_uid,
    yexplode_fatal,
)

HEAD_FIELDS = ["did", "uid", "datum", "datum_izm", "clid", "title"]
TAIL_FIELDS = ["datum_start", "datum_end", "dog_num", "close", "datum_close", "status_close", "des_fact", "kol_fact"]
HIDDEN_FORM_FIELDS = {"kol_fact", "money", "pid_list", "oborot", "period", "des"}
FIXED_TITLES = {
    "did": "Уникальный идентификатор записи",
    "uid": "Уникальный идентификатор записи во внешней системе",
    "datum": "Дата создания. YYYY-MM-DD",
    "datum_izm": "Дата последнего изменения. YYYY-MM-DD",
    "clid": "Клиент",
}
TAIL_TITLES = {
    "datum_start": "Период действия. Начало",
    "datum_end": "Период действия. Конец",
    "close": "Признак закрытой сделки",
    "datum_close": "Дата закрытия. YYYY-MM-DD",
    "status_close": "Результат закрытия сделки",
    "des_fact": "Комментарий закрытия сделки",
    "kol_fact": "Фактическая сумма продажи",
}
BANK_KEYS = [
    "castUrName", "castInn", "castKpp", "castBank", "castBankKs", "castBankRs", "castBankBik",
    "castOkpo", "castOgrn", "castDirName", "castDirSignature", "castDirStatus", "castDirStatusSig",
    "castDirOsnovanie", "castUrAddr",
]  # fmt: skip


def form_fields(call: Call) -> list[Row]:
    """Active deal form fields in MyISAM (fld_id) order, minus the ones the API hides."""
    rows = [
        f
        for f in call.db.fields
        if f.get("fld_tip") == "dogovor" and f.get("fld_on") == "yes" and f.get("fld_name") not in HIDDEN_FORM_FIELDS
    ]
    return sorted(rows, key=lambda f: intval(f.get("fld_id")))


def api_name(fld_name: str) -> str:
    return {"idcategory": "step", "marg": "marga"}.get(fld_name, fld_name)


def ifields(call: Call) -> list[str]:
    """The output fields of list/info (deal.md §3.1); ``dog_num`` may appear twice."""
    return HEAD_FIELDS + [api_name(f["fld_name"]) for f in form_fields(call)] + TAIL_FIELDS


def fields_titles(call: Call) -> dict[str, Any]:
    data: dict[str, Any] = dict(FIXED_TITLES)
    for f in form_fields(call):
        name = api_name(f["fld_name"])
        # real server: the mcid title is hard-coded, every other title comes from the table (deal.md §4.1)
        data[name] = "ID своей компании" if name == "mcid" else f.get("fld_title")
    data.update(TAIL_TITLES)
    return data


def requested_fields(call: Call) -> list[str]:
    """``fields`` parameter filtered to available names, in request order (deal.md §3.2)."""
    available = ifields(call)
    raw = call.get("fields")
    if raw is None or raw == "" or raw is False:
        return available
    if isinstance(raw, (list, dict)):
        raise yexplode_fatal(254)  # real server: yexplode(",", fields) at the top of deal.php
    return [f for f in (trim(x) for x in strval(raw).split(",")) if f != "" and f in available]


# ------------------------------------------------------------------ related records


def client_title(call: Call, clid: Any) -> str:
    """``current_client``: "" unless (int)id > 0, "--не найден--" for a missing client or an empty title."""
    if intval(clid) <= 0:
        return ""
    row = table(call, "clientcat", "clid").get(clid)
    return strval(row.get("title")) if row and row.get("title") else "--не найден--"


def recv_slots(row: Row | None) -> list[str]:
    raw = row.get("recv") if row else None
    return [] if raw in (None, "") else strval(raw).split(";")


def bankinfo(call: Call, clid: Any) -> dict[str, Any]:
    """Payer requisites: slot text, "" for empty slots, None beyond the stored string."""
    slots = recv_slots(table(call, "clientcat", "clid").get(clid))
    if not slots:
        slots = [""]
    return {k: (slots[i] if i < len(slots) else None) for i, k in enumerate(BANK_KEYS)}


def _dmy(value: Any) -> str:
    try:
        d = dt.datetime.strptime(strval(value)[:19], "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return ""
    return d.strftime("%d.%m.%y,  %H:%M")


def _title_of(call: Call, name: str, id_key: str, rid: Any, col: str = "title", zero: Any = "") -> Any:
    if intval(rid) == 0:
        return zero
    row = table(call, name, id_key).get(rid)
    return row.get(col) if row else ""


def client_card(call: Call, clid: Any, with_recv: bool) -> dict[str, Any]:
    """``get_client_info($clid, 'yes')`` as deal list/info print it (deal.md §6)."""
    row = table(call, "clientcat", "clid").get(clid) or {}
    creator, editor = intval(row.get("creator")), intval(row.get("editor"))
    card: dict[str, Any] = {
        "clid": intval(clid),  # real server: the id asked for, also when no such client exists
        "uid": row.get("uid"),
        "clientUID": row.get("uid"),
        "iduser": intval(row.get("iduser")),
        "title": row.get("title"),
        "des": row.get("des"),
        "idcategory": intval(row.get("idcategory")),
        "category": _title_of(call, "category", "idcategory", row.get("idcategory")),
        "phone": row.get("phone"),
        "fax": row.get("fax"),
        "site_url": row.get("site_url"),
        "mail_url": row.get("mail_url"),
        "address": row.get("address"),
        "pid": intval(row.get("pid")),
        "fav": row.get("fav"),
        "trash": row.get("trash"),
        "head_clid": intval(row.get("head_clid")),
        "head": client_title(call, row.get("head_clid")) if intval(row.get("head_clid")) else "",
        "scheme": row.get("scheme"),
        "tip_cmr": row.get("tip_cmr"),
        "relation": row.get("tip_cmr"),
        "territory": intval(row.get("territory")),
        "territoryname": _title_of(call, "territory_cat", "idcategory", row.get("territory")),
        "created": row.get("date_create"),
        "creator": user_title(call, creator) if creator else "не определено",
        "creatorID": creator,
        "date_create": _dmy(row.get("date_create")),
        "edited": row.get("date_edit"),
        "editor": user_title(call, editor) if editor else "не определено",
        "editorID": editor,
        "date_edit": _dmy(row.get("date_edit")) if row.get("date_edit") else "",
    }
    if not with_recv:
        card["dostup"] = []
    card["clientpath"] = _title_of(call, "clientpath", "id", row.get("clientpath"), "name")
    card["clientpath2"] = intval(row.get("clientpath"))
    card["type"] = row.get("type")
    card["priceLevel"] = row.get("priceLevel")
    if with_recv:
        # real server: get_client_recv() explodes (string)recv by ";"; slots past the end are null
        slots = strval(row.get("recv")).split(";")
        bank = {k: (slots[i] if i < len(slots) else None) for i, k in enumerate(BANK_KEYS)}
        card["recv"] = {
            "clid": intval(clid),
            "castUrName": bank["castUrName"],
            "castUrNameShort": slots[15] if len(slots) > 15 else None,
            "castName": client_title(call, clid),
            **{k: bank[k] for k in BANK_KEYS[1:]},
            "castFacAddr": row.get("address"),
            "castType": row.get("type"),
        }
    return card


def person_info(call: Call, pid: Any) -> dict[str, Any]:
    """``personinfo()``: a contact of the deal (deal.md §6)."""
    row = table(call, "personcat", "pid").get(pid) or {}
    # real server: the columns as stored, so a contact that person update blanked shows "" (not null)
    return {
        "pid": intval(pid),
        "title": row.get("person"),
        "post": row.get("ptitle"),
        "phone": row.get("tel"),
        "mob": row.get("mob"),
        "email": row.get("mail"),
    }


def cut_date(value: Any) -> str:
    """``cut_date()``: the date part rebuilt with mktime(), so the zero stamp reads ``1999-11-30``."""
    text = strval(value)
    parts = (text.split(" ")[0].split("-") + ["", "", ""])[:3]
    year, month, day = (intval(p) for p in parts)
    # real server: mktime() maps years 0–69 to 2000–2069 and 70–100 to 1970–2000, and rolls over months/days
    year += 2000 if 0 <= year <= 69 else 1900 if 70 <= year <= 100 else 0
    year += (month - 1) // 12
    try:
        first = dt.date(year, (month - 1) % 12 + 1, 1)
        return (first + dt.timedelta(days=day - 1)).isoformat()
    except (ValueError, OverflowError):
        return text  # a year past 9999: not a date this mock prints


def invoices(call: Call, did: int) -> list[dict[str, Any]]:
    rows = sorted(table(call, "credit", "crid").where(lambda r: intval(r.get("did")) == did), key=lambda r: r["crid"])
    return [
        {
            "id": intval(r["crid"]),
            "invoice": r.get("invoice"),
            "date": cut_date(r.get("datum")),
            "summa": float(r.get("summa_credit") or 0),
            "nds": float(r.get("nds_credit") or 0),
            "do": r.get("do"),
            "date_do": r.get("invoice_date"),
            "contract": r.get("invoice_chek"),
            "rs": intval(r.get("rs")),
            "tip": r.get("tip"),
        }
        for r in rows
    ]


def speka(call: Call, did: int) -> list[dict[str, Any]]:
    rows = table(call, "speca", "spid").where(lambda r: intval(r.get("did")) == did)
    rows.sort(key=lambda r: (intval(r.get("sort")), r["spid"]))
    return [
        {
            "spid": intval(r["spid"]),
            "prid": intval(r.get("prid")),
            "artikul": r.get("artikul"),
            "title": r.get("title"),
            "tip": r.get("tip"),
            "kol": float(r.get("kol") or 0),
            "dop": float(r.get("dop") or 0),
            "price": float(r.get("price") or 0),
            "price_in": float(r.get("price_in") or 0),
            "nds": float(r.get("nds") or 0),
            "comments": r.get("comments"),
        }
        for r in rows
    ]


# ------------------------------------------------------------------ record builders


def _special(call: Call, deal: Row, field: str, out: dict[str, Any]) -> bool:
    """The branches list and info share (deal.md §3.3); False for a generic field."""
    if field == "step":
        out["step"] = intval(step_name(call, deal.get("idcategory")))
        out["stepID"] = intval(deal.get("idcategory"))
        out["stepTitle"] = step_content(call, deal.get("idcategory"))
    elif field == "direction":
        out["directionID"] = intval(deal.get("direction"))
        out["direction"] = direction_title(call, deal.get("direction"))
    elif field == "tip":
        out["tipID"] = intval(deal.get("tip"))
        out["tip"] = tip_title(call, deal.get("tip"))
    elif field == "status_close":
        out["status_close"] = status_title(call, deal.get("sid"))
    elif field == "dog_num":
        contract = table(call, "contract", "deid").get(deal.get("dog_num")) if deal.get("dog_num") else None
        out["contractID"] = intval(deal.get("dog_num"))
        out["contractTitle"] = contract.get("title") if contract else None
        out["contractNumber"] = contract.get("number") if contract else None
        out["contractDate"] = contract.get("datum_start") if contract else None
    else:
        return False
    return True


def list_record(call: Call, deal: Row, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        if field == "iduser":
            out["iduser"] = intval(deal.get("iduser"))
            out["user"] = call.db.login_of(deal.get("iduser"))
            out["userTitle"] = user_title(call, deal.get("iduser"))
        elif field in ("clid", "payer"):
            out[field] = intval(deal.get(field))
            out["clientTitle" if field == "clid" else "payerTitle"] = client_title(call, deal.get(field))
        elif _special(call, deal, field, out):
            continue
        elif field in INT_COLUMNS:
            out[field] = intval(deal.get(field))
        elif field in FLOAT_COLUMNS:
            out[field] = float(deal.get(field) or 0)
        else:
            value = deal.get(field)
            out[field] = None if value in (None, "") else value
    return out


def info_record(call: Call, deal: Row, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        if field == "iduser":
            out["iduser"] = intval(deal.get("iduser"))
            out["user"] = call.db.login_of(deal.get("iduser"))
            out["userUID"] = user_uid(call, deal.get("iduser"))
        elif _special(call, deal, field, out):
            continue
        else:
            # real server: the generic branch is inverted, only "" survives, everything else is null (deal.md §3.4)
            value = deal.get(field)
            out[field] = value if value == "" else None
    return out


def deal_persons(call: Call, deal: Row) -> list[dict[str, Any]]:
    return [person_info(call, pid) for pid in split_ids(deal.get("pid_list"))]
