"""Lead output: the ``info`` record, the joined ``list`` rows, their filters and ORDER BY (lead.md §4, §5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import php
from ..errors import sql_fatal
from ..store import Row
from ._lead_match import REZULTES, STATUSES, ne_empty, sql_eq

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
#: leads columns that are not selected but are unique across the joined tables
LEAD_ONLY = {"ip", "description", "timezone", "partner", "muid", "rezz", "utm_source", "utm_medium",
             "utm_campaign", "utm_term", "utm_content", "utm_referrer"}  # fmt: skip


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


def current_person(db: Any, pid: int) -> str | None:
    """``current_person()``: the first two words of the contact's name, null if it is gone."""
    row = db.table("personcat", "pid").get(pid)
    return " ".join(php.strval(row.get("person")).split(" ")[:2]) if row else None


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
        return lambda j: j[column] is not None and f"{ds} 00:00:00" <= php.strval(j[column]) <= f"{de} 23:59:59"
    if ne_empty(end):
        return lambda j: j[column] is not None and short(j[column]) < de
    return None


def _sort_key(v: Any) -> tuple[int, Any]:
    if v is None:
        return (0, 0)
    if isinstance(v, (int, float)):
        return (1, v)
    return (2, php.strval(v).casefold())


def _column(name: str) -> str:
    """The joined-row key an ORDER BY name refers to, or a fatal like MariaDB's."""
    bare = name.strip("`")
    by_lower = {a.lower(): a for a in SELECT_ALIASES}
    if bare.isdigit() and 0 < int(bare) <= len(SELECT_ALIASES):
        return SELECT_ALIASES[int(bare) - 1]
    if bare.lower() in by_lower:
        return by_lower[bare.lower()]
    if bare.lower() in LEAD_ONLY:
        return bare.lower()
    if bare.lower() in ("title", "identity"):
        raise sql_fatal(f"Column '{bare}' in ORDER BY is ambiguous")
    raise sql_fatal(f"Unknown column '{bare}' in 'ORDER BY'")


def order_rows(rows: list[dict[str, Any]], order: str, desc: bool) -> list[dict[str, Any]]:
    """``ORDER BY $order $first``: ``first`` applies to the last term only; ties keep id order."""
    terms = [t.split() for t in order.split(",")]
    keys: list[tuple[str, bool]] = []
    for i, term in enumerate(terms):
        if not term:
            raise sql_fatal("Unknown column '' in 'ORDER BY'")
        direction = term[1].lower() if len(term) > 1 else ""
        term_desc = direction == "desc" or (i == len(terms) - 1 and desc)
        keys.append((_column(term[0]), term_desc))
    out = sorted(rows, key=lambda j: php.intval(j["id"]))
    for col, term_desc in reversed(keys):
        out = sorted(out, key=lambda j, c=col: _sort_key(j[c]), reverse=term_desc)  # type: ignore[misc]
    return out
