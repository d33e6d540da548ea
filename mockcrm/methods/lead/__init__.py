"""Method `lead` (lead.md): info, add, stat, list of the lead collector's leads (table ``leads``).

No visibility rules: every user sees every lead (lead.md §1).  ``setuser``, ``workit``, ``do``,
``update`` and ``delete`` exist only in the web UI's class, so the API answers them with 402.
"""

from __future__ import annotations

from typing import Any

from ... import php
from ...errors import CRMError, sql_syntax_fatal
from ...mysql_order import order_by
from ...store import Row
from ...wire import Call
from ..mysql import mysql_int, mysql_text, raise_on_parse_error, sql_parse_error
from ..task.lookup import untag_arg, user_id_by_login
from .match import (
    COORDINATOR_KEY,
    column_value,
    get_client,
    get_clientpath,
    get_user,
    lead_settings,
    ne_empty,
    operators,
    partner_by_site,
    yimplode,
)
from .view import LEAD_COLUMNS, SELECT_ALIASES, date_filter, info_record, joined, list_record, resolve_column, sort_rows

PAGE = 200

#: the utm columns ``Leads::edit`` stores through ``untag()`` (utm_source comes from the source row)
UTM_UNTAGGED = ("utm_medium", "utm_campaign", "utm_term", "utm_content", "utm_referrer")


class UnknownLeadAction(CRMError):
    # real server: lead.php keeps "result" and spells "Не известный" in two words (lead.md §1)
    code = 402
    text = "Не известный метод"


class NotFound(CRMError):
    code = 404
    text = "Не найдено"


# ------------------------------------------------------------------ add helpers


def _lead_values(call: Call, clientpath: int, iduser: int) -> Row:
    """The ``$lead`` array ``Leads::edit`` builds from the request (lead.md §6 step 5)."""
    p = call.params
    db = call.db
    phone = p.get("tel") if p.get("tel") is not None else p.get("phone")
    wanted = p.get("clid") is None and p.get("pid") is None
    client = get_client(db, phone, p.get("email")) if wanted else {"clid": 0, "pid": 0}
    lead: Row = {k: untag_arg(p.get(k)) for k in ("title", "email")}
    lead["phone"] = yimplode(phone)
    lead.update({k: untag_arg(p.get(k)) for k in ("site", "city")})
    lead["clientpath"] = clientpath
    lead["partner"] = partner_by_site(db, untag_arg(p.get("partner")))
    lead["description"] = untag_arg(p.get("description"))
    lead["iduser"] = iduser
    lead["muid"] = p.get("muid")
    lead.update({k: untag_arg(p.get(k)) for k in ("company", "country")})
    lead["clid"] = max(php.intval(p["clid"]) if p.get("clid") is not None else client["clid"], 0)
    lead["pid"] = max(php.intval(p["pid"]) if p.get("pid") is not None else client["pid"], 0)
    path = db.table("clientpath").get(clientpath)
    # real server: utm_source is copied from the chosen source row, not from the request (lead.md §6)
    lead["utm_source"] = path.get("utm_source") if path else None
    lead.update({k: untag_arg(p.get(k)) for k in UTM_UNTAGGED})
    return lead


#: widths of the text columns of ``leads`` (_install/db/setup.sql); the others are INT, dates or TEXT
LEAD_WIDTHS = {"city": 100, "ip": 16, "timezone": 5}


#: the INT columns of ``leads`` that ``Leads::edit`` fills
LEAD_INTS = ("clientpath", "partner", "iduser", "clid", "pid", "status")


def _stored(lead: Row) -> Row:
    """``arrayNullClean`` + SafeMySQL's ``?u`` (see column_value), then what MariaDB keeps."""
    out = {key: column_value(value) for key, value in lead.items()}
    for key, value in out.items():
        if value is None:
            continue
        if key in LEAD_INTS:
            out[key] = mysql_int(php.intval(value))
        else:
            # real server: VARCHAR(255)/(100) cut silently, emoji become ???? (golden 40-lead-webform)
            out[key] = mysql_text(value, None if key == "description" else LEAD_WIDTHS.get(key, 255))
    return out


def _uid_pairs(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(str(k), v) for k, v in value.items()]
    if isinstance(value, list):
        return [(str(i), v) for i, v in enumerate(value)]
    return []


def _insert(call: Call, lead: Row, settings: dict[str, Any] | None) -> int:
    """The new-lead branch of ``Leads::edit``: row, events, history, external ids."""
    db = call.db
    now = call.backend.clock.now_str() if call.backend else ""
    row: Row = dict.fromkeys(LEAD_COLUMNS)
    row.update(_stored(lead))
    row.update(id=None, datum=now, status=1 if lead["iduser"] > 0 else 0, identity=db.identity)
    lid = db.table("leads").insert(row)
    payload = {"id": str(lid), "clid": str(lead["clid"]), "pid": str(lead["pid"]), "did": "0"}
    settings = settings or {}
    if lead["iduser"] > 0 and settings.get("leadSendOperatorNotify") == "yes":
        call.emit("lead.setuser", {**payload, "iduser": str(lead["iduser"])})
    elif settings.get("leadSendCoordinatorNotify") == "yes":
        coordinator = settings.get(COORDINATOR_KEY)
        call.emit("lead.add", {**payload, "iduser": None if coordinator is None else php.strval(coordinator)})
    author = lead["iduser"] if lead["iduser"] > 0 else call.iduser
    db.add_history(datum=now, iduser=author, des=f"Добавлен лид #{lid}", tip="СобытиеCRM")
    for name, value in _uid_pairs(call.params.get("uids")):
        # real server: UIDs::add inserts arrayNullClean([name, value, …]) one by one, so an array value
        # crashes after the earlier ones are in (golden 88 uids-nested); both are VARCHAR(100)
        cleaned = column_value(name), column_value(value)
        uid: Row = {"id": None, "datum": now, "name": None, "lid": lid, "eid": 0, "value": None}
        if cleaned[0] is not None:
            uid["name"] = mysql_text(cleaned[0], 100)
        if cleaned[1] is not None:
            uid["value"] = mysql_text(cleaned[1], 100)
        uid.update(clid=lead["clid"], did=0, identity=db.identity)
        db.table("uids").insert(uid)
    return lid


# ------------------------------------------------------------------ actions


def info(call: Call) -> Any:
    lid = php.intval(call.get("id"))
    return {"data": info_record(call.db, lid), "id": lid}


def add(call: Call) -> Any:
    """``lead.php`` add → ``Leads::edit``; with an ``id`` it updates that lead instead (golden 09-lead)."""
    db = call.db
    settings = lead_settings(db.modules)
    clientpath = get_clientpath(db, call.get("clientpath"), call.get("utm_source"), db.identity)
    iduser = get_user(db, settings, call.get("phone"), call.get("email"))
    lead = _lead_values(call, clientpath, iduser)
    lid = php.intval(call.get("id"))
    if lid < 1:
        lid = _insert(call, lead, settings)
    else:
        # real server: the update branch neither fires events nor writes history (golden 09-lead)
        existing = db.table("leads").get(lid)
        if existing is not None:
            # real server: arrayNullClean() drops the empty values, so UPDATE … SET ?u leaves those
            # columns as they were (golden 88 id-true-update keeps the phone)
            kept = {k: v for k, v in _stored(lead).items() if v is not None}
            existing.update(kept, status=1 if lead["iduser"] > 0 else 0)
    return {"result": "Success", "id": lid}


def _list_query(call: Call, sort: str, order: str, offset: str) -> tuple[str, str]:
    """The list query of lead.php up to ``ORDER BY `` and the rest; the SELECT list before WHERE
    only counts for "at line N"."""
    first = "" if call.params.get("first") == "old" else "DESC"
    where = (
        f"\t\t\tWHERE\n\t\t\t\tapp_leads.id > 0\n\t\t\t\t{sort} and \n\t\t\t\t"
        f"app_leads.identity = '{call.db.identity}'\n\t\t\tORDER BY "
    )
    return "SELECT" + "\n" * 29 + where, f"{order} {first} \n\t\t\tLIMIT {offset},{PAGE}\n\t\t"


def _date_sort(p: dict[str, Any], column: str) -> str:
    """The dateStart/dateEnd condition lead.php pastes into its queries (list and stat alike)."""
    ds, de = php.strval(p.get("dateStart")), php.strval(p.get("dateEnd"))
    if ne_empty(p.get("dateStart")) and not ne_empty(p.get("dateEnd")):
        return f" and DATE_FORMAT(app_leads.{column}, '%y-%m-%d') = '{ds}'"
    if ne_empty(p.get("dateStart")) and ne_empty(p.get("dateEnd")):
        return f" and (app_leads.{column} BETWEEN '{ds} 00:00:00' and '{de} 23:59:59')"
    if ne_empty(p.get("dateEnd")):
        return f" and DATE_FORMAT(app_leads.{column}, '%y-%m-%d') < '{de}'"
    return ""


def _list_sort(call: Call) -> tuple[str, int]:
    """``$sort`` as lead.php builds it (dates, status, user) and the responsible user asked for."""
    p = call.params
    sort = _date_sort(p, "datum")
    if ne_empty(p.get("status")):
        sort += f" and app_leads.status = '{php.strval(p.get('status'))}'"
    uid = 0
    if ne_empty(p.get("user")):
        uid = user_id_by_login(call.db, p.get("user"))
        sort += f" and app_leads.iduser = '{uid}'"
    return sort, uid


def list_(call: Call) -> Any:
    p = call.params
    db = call.db
    sort, uid = _list_sort(call)
    order = php.strval(p.get("order")) if ne_empty(p.get("order")) else "datum"
    # real server: (int)$offset * 200 past PHP_INT_MAX is a float, pasted as "1.844674407371E+21"
    offset = php.mul_text(max(php.intval(p.get("offset")), 0), PAGE)
    head, tail = _list_query(call, sort, order, offset)
    if sql_parse_error(head) is not None:
        # real server: the values are pasted into the query; a raw quote (JSON) breaks it (golden 45)
        # (MariaDB drops the query's trailing whitespace before parsing)
        raise_on_parse_error((head + tail).rstrip())
    # the SELECT list before WHERE counts for "at line N" (MariaDB counts from the first token)
    order_keys = order_by(tail, resolve_column, SELECT_ALIASES, line=head.count("\n") + 1)
    rows = [joined(db, db.table("leads").rows[k]) for k in sorted(db.table("leads").rows)]
    conditions = [date_filter(p, "datum")]
    if ne_empty(p.get("status")):
        wanted = php.floatval(php.strval(p.get("status")))
        conditions.append(lambda j: php.floatval(j["status"]) == wanted)
    if ne_empty(p.get("user")):
        conditions.append(lambda j: php.intval(j["iduser"]) == uid)
    rows = [j for j in rows if all(c(j) for c in conditions if c is not None)]
    # real server: a `#` in `order` comments the LIMIT out; `order=id limit 1 #` sets its own
    data = [list_record(db, j) for j in order_keys.page(sort_rows(rows, order_keys.keys))]
    if not data:
        raise NotFound()
    return {"data": data}


def stat(call: Call) -> Any:
    """Leads per active operator: ``open`` by creation date, ``processed`` by processing date."""
    db = call.db
    ops = {php.strval(o) for o in operators(lead_settings(db.modules))}
    if not ops:
        # real server: an empty operator list yields "iduser IN ()" (lead.md §7)
        raise sql_syntax_fatal(f") and identity = '{db.identity}'")
    month = call.backend.clock.now().strftime("%Y-%m") if call.backend else ""
    created = date_filter(call.params, "datum") or (lambda j: php.strval(j["datum"])[:7] == month)
    done = date_filter(call.params, "datum_do") or (
        lambda j: j["datum_do"] is not None and php.strval(j["datum_do"])[:7] == month
    )
    leads = list(db.table("leads"))
    data = []
    for user in sorted(db.users, key=lambda u: php.intval(u.get("iduser"))):
        if user.get("secrty") != "yes" or php.strval(user.get("iduser")) not in ops:
            continue
        for status, column in (("status = '1'", "datum"), ("status IN ('2','3')", "datum_do")):
            # real server: the dates are pasted into both counts; a raw quote (JSON) breaks the first (scenario 116)
            raise_on_parse_error(
                f"SELECT COUNT(*) as count FROM app_leads WHERE id > 0 and {status} {_date_sort(call.params, column)} "
                f"and iduser = '{php.strval(user.get('iduser'))}' and identity = '{db.identity}'"
            )
        mine = [r for r in leads if php.intval(r.get("iduser")) == php.intval(user.get("iduser"))]
        opened = sum(1 for r in mine if php.intval(r.get("status")) == 1 and created(r))
        processed = sum(1 for r in mine if php.intval(r.get("status")) in (2, 3) and done(r))
        data.append({"login": user.get("login"), "open": opened, "processed": processed})
    return {"data": data} if data else {}


UNKNOWN_ACTION = UnknownLeadAction
#: real server: loose in_array lets JSON ``true`` run the first case, info (lead.md §1)
LOOSE_TRUE_ACTION = "info"

ACTIONS = {
    "info": info,
    "add": add,
    "stat": stat,
    "list": list_,
}
