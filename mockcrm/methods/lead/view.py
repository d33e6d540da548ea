"""Lead output: the ``info`` record, the joined ``list`` rows, their filters and ORDER BY (lead.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import php
from ...errors import sql_fatal
from ...mysql_order import cut192
from ...store import Row
from ..mysql import as_datetime
from ..task.lookup import current_person
from .match import REZULTES, STATUSES, ne_empty, sql_eq

#: table ``leads`` in column order (``_install/db/setup.sql``)
LEAD_COLUMNS = [
    "id", "datum", "datum_do", "status", "rezult", "title", "email", "phone", "site", "company",
    "description", "ip", "city", "country", "timezone", "iduser", "clientpath", "pid", "clid", "did",
    "partner", "muid", "rezz", "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "utm_referrer", "identity",
]  # fmt: skip
#: the columns ``db_columns_types`` reports as int: ``Leads::info`` casts them (NULL → 0)
INT_COLUMNS = {"id", "status", "rezult", "iduser", "clientpath", "pid", "clid", "did", "partner"}
#: what ``Leads::info`` unsets before answering
HIDDEN = ("muid", "timezone", "rezz", "identity")

#: the SELECT list of ``lead.php`` ``list``: the names ORDER BY may use, in select order
SELECT_ALIASES = [
    "id", "datum", "datum_do", "pid", "clid", "did", "content", "status", "rezult", "iduser", "clientpath",
    "email", "phone", "site", "company", "city", "country", "client", "person", "deal", "clientpathName", "user",
]  # fmt: skip


# ------------------------------------------------------------------ lookups (inc/func.helpers.php)


def current_user(db: Any, iduser: Any) -> str:
    """``current_user()``: the user's title, "Не определен" when none matches ``iduser = '<v>'``."""
    # real server: MySQL turns the quoted value into a number, so a title like "Иван" matches nobody
    wanted = php.floatval(php.strval(iduser))
    user = next((u for u in db.users if php.floatval(u.get("iduser")) == wanted), None)
    return str(user.get("title") or "") if user else "Не определен"


def current_client(db: Any, clid: int) -> str:
    row = db.table("clientcat", "clid").get(clid)
    return php.strval(row.get("title")) if row else "--не найден--"


def current_dogovor(db: Any, did: int) -> str:
    row = db.table("dogovor", "did").get(did)
    return php.strval(row.get("title")) if row else "--не найден--"


def clientpath_name(db: Any, cpid: int) -> str:
    row = db.table("clientpath").get(cpid) if cpid > 0 else None
    return php.strval(row.get("name")) if row else ""


def uids_of(db: Any, lid: int) -> list[dict[str, Any]]:
    """``UIDs::info(["lid" => id])``: the external ids of a lead, uncast text, int ids."""
    rows = [db.table("uids").rows[k] for k in sorted(db.table("uids").rows)]
    return [
        {
            "datum": r.get("datum"),
            "name": r.get("name"),
            "value": r.get("value"),
            "eid": php.intval(r.get("eid")),
            "clid": php.intval(r.get("clid")),
            "did": php.intval(r.get("did")),
        }
        for r in rows
        if lid > 0 and php.intval(r.get("lid")) == lid
    ]


# ------------------------------------------------------------------ info


def info_record(db: Any, lid: int) -> dict[str, Any]:
    """``Leads::info`` + the names ``lead.php`` adds; an unknown id gives the stub of lead.md §4."""
    row = db.table("leads").get(lid) if lid > 0 else None
    lead: dict[str, Any] = {}
    if row is not None:
        for col in LEAD_COLUMNS:
            value = row.get(col)
            lead[col] = php.intval(value) if col in INT_COLUMNS else value
    lead["description"] = php.strval(lead.get("description")).replace("\t", "")
    uids = uids_of(db, lid)
    if uids:
        lead["uids"] = uids
    for key in HIDDEN:
        lead.pop(key, None)
    clid, pid, did = (php.intval(lead.get(k)) for k in ("clid", "pid", "did"))
    lead["statusName"] = php.strtr(lead.get("status"), STATUSES)
    lead["rezultName"] = php.strtr(lead["rezult"], REZULTES) if php.intval(lead.get("rezult")) > 0 else None
    lead["clientpathName"] = clientpath_name(db, php.intval(lead.get("clientpath")))
    lead["userName"] = current_user(db, lead["iduser"]) if php.intval(lead.get("iduser")) > 0 else None
    lead["client"] = current_client(db, clid) if clid > 0 else None
    lead["person"] = current_person(db, pid) if pid > 0 else None
    lead["deal"] = current_dogovor(db, did) if did > 0 else None
    return lead


# ------------------------------------------------------------------ list


def _raw(v: Any) -> Any:
    """A DB value as the PHP script reads it: text, or null."""
    return None if v is None else php.strval(v)


def joined(db: Any, row: Row) -> dict[str, Any]:
    """One row of the list query: ``leads`` LEFT JOIN user, personcat, clientcat, dogovor, clientpath."""
    client = db.table("clientcat", "clid").get(row.get("clid"))
    person = db.table("personcat", "pid").get(row.get("pid"))
    deal = db.table("dogovor", "did").get(row.get("did"))
    path = db.table("clientpath").get(row.get("clientpath"))
    user = db.users.get(row.get("iduser"))
    out = {k: row.get(k) for k in LEAD_COLUMNS}
    out.update(
        content=row.get("description"),
        client=client.get("title") if client else None,
        person=person.get("person") if person else None,
        deal=deal.get("title") if deal else None,
        clientpathName=path.get("name") if path else None,
        user=user.get("title") if user else None,
    )
    return out


def list_record(db: Any, j: dict[str, Any]) -> dict[str, Any]:
    """One ``list`` item in the script's key order (lead.md §5)."""
    lid = php.intval(j["id"])
    return {
        "id": lid,
        "datum": _raw(j["datum"]),
        "datum_do": _raw(j["datum_do"]),
        "email": _raw(j["email"]),
        "phone": _raw(j["phone"]),
        "site": _raw(j["site"]),
        "company": _raw(j["company"]),
        "city": _raw(j["city"]),
        "country": _raw(j["country"]),
        "content": _raw(j["content"]),
        "clid": php.intval(j["clid"]),
        "client": _raw(j["client"]),
        "pid": php.intval(j["pid"]),
        "person": _raw(j["person"]),
        "did": php.intval(j["did"]),
        "deal": _raw(j["deal"]),
        # real server: "user" is (int) of the user's full name and userName looks that up (lead.md §5)
        "user": php.intval(j["user"]),
        "userName": current_user(db, j["user"]),
        "status": php.intval(j["status"]),
        "statusName": php.strtr(j["status"], STATUSES),
        "rezult": _raw(j["rezult"]),
        "rezultName": php.strtr(j["rezult"], REZULTES),
        "clientpath": _raw(j["clientpath"]),
        "clientpathName": _raw(j["clientpathName"]),
        "uids": uids_of(db, lid),
    }


def date_filter(params: dict[str, Any], column: str) -> Callable[[dict[str, Any]], bool] | None:
    """The dateStart/dateEnd condition of ``list``/``stat``, bugs included (lead.md §5, §7)."""
    start, end = params.get("dateStart"), params.get("dateEnd")
    ds, de = php.strval(start), php.strval(end)

    def short(v: Any) -> str:  # DATE_FORMAT(col, '%y-%m-%d')
        return php.strval(v)[2:10]

    if ne_empty(start) and not ne_empty(end):
        # real server: a two-digit year compared with YYYY-MM-DD never matches (lead.md §5)
        return lambda j: j[column] is not None and sql_eq(short(j[column]), ds)
    if ne_empty(start) and ne_empty(end):
        # real server: the literals are read as DATETIME, an unreadable one as 0000-00-00 00:00:00
        # (dateStart "999…9" lets every lead through)
        low, high = as_datetime(f"{ds} 00:00:00"), as_datetime(f"{de} 23:59:59")
        return lambda j: j[column] is not None and low <= as_datetime(j[column]) <= high
    if ne_empty(end):
        return lambda j: j[column] is not None and short(j[column]) < de
    return None


def _sort_key(v: Any) -> tuple[int, Any]:
    if v is None:
        return (0, 0)
    if isinstance(v, (int, float)):
        return (1, v)
    return (2, php.strval(v).casefold())


#: the other tables of the list query's LEFT JOINs and their columns (setup.sql)
JOINED_TABLES = {
    "app_user": "iduser login pwd ses title tip user_post mid bid otdel email gcalendar territory office phone "
    "phone_in fax mob bday acs_analitics acs_maillist acs_files acs_price acs_credit acs_prava tzone viget_on "
    "viget_order secrty isadmin acs_import show_marga acs_plan zam CompStart CompEnd subscription avatar sole "
    "adate usersettings uid identity",
    "app_personcat": "pid clid ptitle person tel fax mob mail rol social iduser clientpath loyalty input1 input2 "
    "input3 input4 input5 input6 input7 input8 input9 input10 date_create date_edit creator editor uid identity",
    "app_clientcat": "clid uid title idcategory iduser clientpath des address phone fax site_url mail_url trash "
    "fav pid head_clid scheme tip_cmr territory input1 input2 input3 input4 input5 input6 input7 input8 input9 "
    "input10 date_create date_edit creator editor recv dostup last_dog last_hist type priceLevel identity",
    "app_dogovor": "did uid idcategory clid payer pid datum autor datum_plan title content tip kol close lat lan "
    "adres iduser datum_izm datum_close sid kol_fact des_fact coid co_kol coid1 coid2 dog_num marga calculate "
    "isFrozen datum_start datum_end pid_list partner zayavka ztitle mcid direction idcurrency idcourse akt_date "
    "akt_temp lid input1 input2 input3 input4 input5 input6 input7 input8 input9 input10 identity",
    "app_clientpath": "id name isDefault utm_source destination identity",
}
_TABLE_COLUMNS = {"app_leads": {c.lower(): c for c in LEAD_COLUMNS}} | {
    t: {c.lower(): c for c in cols.split()} for t, cols in JOINED_TABLES.items()
}


def resolve_column(qualifier: tuple[str, ...], name: str, bare: bool) -> str | None:
    """The joined-row key an ORDER BY name refers to, None when unknown, or MariaDB's fatal for an
    ambiguous name.  A whole-item name is looked up in the SELECT aliases first, a name inside an
    expression in the joined tables first.  A column of another table than ``leads`` has no value
    in the joined row (it sorts as NULL)."""
    low = name.lower()
    if len(qualifier) == 2 and qualifier[0] != "salesman":
        return None
    if qualifier:
        cols = _TABLE_COLUMNS.get(qualifier[-1])
        return None if cols is None or low not in cols else cols[low]
    aliases = {a.lower(): a for a in SELECT_ALIASES}
    if bare and low in aliases:
        return aliases[low]
    owners = [t for t, cols in _TABLE_COLUMNS.items() if low in cols]
    if len(owners) > 1:
        raise sql_fatal(f"Column '{cut192(name)}' in ORDER BY is ambiguous")
    if owners:
        return _TABLE_COLUMNS[owners[0]][low]
    return aliases.get(low)


def sort_rows(rows: list[dict[str, Any]], keys: list[tuple[str, bool]]) -> list[dict[str, Any]]:
    """The joined rows in ORDER BY (key, descending) order (see mysql_order); ties keep id order."""
    out = sorted(rows, key=lambda j: php.intval(j["id"]))
    for col, desc in reversed(keys):
        out = sorted(out, key=lambda j, c=col: _sort_key(j.get(c)), reverse=desc)  # type: ignore[misc]
    return out
