"""Lead intake helpers: the SQL/PHP quirks of ``Leads::getClient``/``getUser``, sources, partners.

Everything here reproduces what ``developer/v2/lead.php`` → ``inc/class/Leads.php`` does with the
hand-built SQL of the real server, including its operator-precedence accidents (lead.md §6).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable
from typing import Any

from ... import php
from ...errors import Fatal, escape_fatal
from ...store import Row
from ..mysql import mysql_text, raise_on_parse_error

#: ``Leads::STATUSES`` / ``Leads::REZULTES`` (directories.md §7)
STATUSES = {"0": "Открыт", "1": "В работе", "2": "Обработан", "3": "Закрыт"}
REZULTES = {"1": "Спам", "2": "Дубль", "3": "Другое", "4": "Не целевой"}

#: the coordinator key of the module settings is spelled with a Cyrillic "С" (directories.md §7)
COORDINATOR_KEY = "leadСoordinator"


# ------------------------------------------------------------------ PHP / SQL primitives


def ne_empty(v: Any) -> bool:
    """PHP 8 ``$v != ''``: false only for null, false and the empty string."""
    return not (v is None or v is False or v == "")


def like(column: Any, needle: str) -> bool:
    """MySQL ``column LIKE '%needle%'`` under utf8_general_ci (NULL never matches)."""
    if column is None:
        return False
    rx = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in needle)
    return re.search(rx, php.strval(column), re.IGNORECASE | re.DOTALL) is not None


def sql_eq(column: Any, value: str) -> bool:
    """MySQL ``column = 'value'`` on a text column: case-insensitive, trailing spaces ignored."""
    if column is None:
        return False
    return php.strval(column).rstrip(" ").lower() == value.rstrip(" ").lower()


def strip_phone(column: Any) -> Any:
    """``replace(replace(...(col, '+', ''), '(', ''), ')', ''), ' ', ''), '-', '')``."""
    if column is None:
        return None
    s = php.strval(column)
    for ch in "+() -":
        s = s.replace(ch, "")
    return s


def prepare_mob_phone(phone: Any) -> str:
    """``prepareMobPhone()`` pasted into SQL: the digits of the number (no 8 → 7 rewrite, golden 09-lead).

    real server: preg_replace() on an array gives an array, which the SQL string turns into "Array"
    (golden 88 phone-object: no client matches, clid 0)
    """
    if isinstance(phone, (list, dict)):
        return "Array"
    return "".join(c for c in php.strval(phone) if c.isdigit())


def yimplode(value: Any) -> str:
    """``yimplode(",", (array)$value)``: a scalar is a one-item array, so it comes back trimmed."""
    if value is None:
        return ""
    return php.yimplode(",", value if isinstance(value, (list, dict)) else [value])


def null_clean(row: Row) -> Row:
    """``arrayNullClean()``: empty strings are stored as NULL (lead.md §6 step 5)."""
    return {k: (None if v == "" else v) for k, v in row.items()}


def column_value(value: Any) -> Any:
    """What ``INSERT … SET ?u`` of ``arrayNullClean($row)`` sends for one value.

    real server: arrayNullClean() drops "", null and false (the column stays NULL); SafeMySQL's
    escapeString() hands the rest to mysqli_real_escape_string(), which turns true into "1", a float
    into its PHP string and refuses an array (golden 88 muid-object, uids-nested).
    """
    if value is None or value is False or value == "":
        return None
    if isinstance(value, (list, dict)):
        raise escape_fatal()
    if isinstance(value, (bool, float)):
        return php.strval(value)
    return value


def first(rows: Iterable[Row], pred: Any) -> Row | None:
    """``getRow`` without ORDER BY: the first matching row in primary-key order."""
    return next((r for r in rows if pred(r)), None)


# ------------------------------------------------------------------ module settings


def lead_settings(modules: list[Row]) -> dict[str, Any] | None:
    """``json_decode`` of the Leads module ``content`` (row ``mpath = 'leads'``), None if absent."""
    row = next((m for m in modules if m.get("mpath") == "leads"), None)
    if row is None or not row.get("content"):
        return None
    try:
        decoded = json.loads(row["content"])
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) else None


def operators(settings: dict[str, Any] | None) -> list[Any]:
    ops = (settings or {}).get("leadOperator")
    return php.php_values(ops) if isinstance(ops, (list, dict)) else []


# ------------------------------------------------------------------ matching


def _sorted(table: Any) -> list[Row]:
    return [table.rows[k] for k in sorted(table.rows)]


def _person_match(email: str, digits: str | None) -> Any:
    """``digits`` is None when there is no phone, else what ``prepareMobPhone`` pasted into the SQL."""
    p = digits or ""

    def match(r: Row) -> bool:
        tel, mob = like(strip_phone(r.get("tel")), p), like(strip_phone(r.get("mob")), p)
        mail = like(r.get("mail"), email)
        if email and digits is not None:
            # real server: "… and (tel) or (mob) and (tel) or (mob or mail)" = mob or mail (lead.md §6)
            return mob or mail
        return tel or mob if digits is not None else mail

    return match


def _client_match(email: str, digits: str | None) -> Any:
    p = digits or ""

    def match(r: Row) -> bool:
        by_phone = like(strip_phone(r.get("phone")), p) or like(strip_phone(r.get("fax")), p)
        mail = like(r.get("mail_url"), email)
        if email and digits is not None:
            return by_phone or mail
        return by_phone if digits is not None else mail

    return match


def _active(db: Any, iduser: int) -> bool:
    user = db.users.get(iduser)
    return bool(user) and user.get("secrty") == "yes"


def _stripped(column: str) -> str:
    return f"replace(replace(replace(replace(replace({column}, '+', ''), '(', ''), ')', ''), ' ', ''), '-', '')"


def _person_query(db: Any, email: str, digits: str | None) -> str:
    """The contact query of ``Leads::getClient`` as the PHP code builds it."""
    q = f" and mail LIKE '%{email}%'" if email else ""
    if digits is not None:
        q += f" and ({_stripped('tel')} LIKE '%{digits}%') or ({_stripped('mob')} LIKE '%{digits}%')"
    if email and digits is not None:
        q += f" and ({_stripped('tel')} LIKE '%{digits}%') or ({_stripped('mob')} LIKE '%{digits}%'"
        q += f" or mail LIKE '%{email}%')"
    return f"SELECT * FROM app_personcat WHERE pid > 0 {q} and identity = '{db.identity}'"


def get_client(db: Any, phone: Any, email: Any) -> dict[str, int]:
    """``Leads::getClient``: a contact, else a client, found by e-mail/phone, with its active owner."""
    # real server: `$params['phone'] != ''` holds for any array and for 0 (PHP 8 comparison)
    e, p = php.strval(email), prepare_mob_phone(phone) if ne_empty(phone) else None
    clid = pid = iduser = 0
    # real server: the e-mail is pasted into the SQL as sent; a raw quote (JSON) breaks it (golden 45)
    raise_on_parse_error(_person_query(db, e, p))
    if e or p is not None:
        row = first(_sorted(db.table("personcat", "pid")), _person_match(e, p))
        if row:
            pid, clid, iduser = php.intval(row.get("pid")), php.intval(row.get("clid")), php.intval(row.get("iduser"))
    if clid == 0 and pid == 0 and (e or p is not None):
        row = first(_sorted(db.table("clientcat", "clid")), _client_match(e, p))
        if row:
            clid, iduser = php.intval(row.get("clid")), php.intval(row.get("iduser"))
    return {"clid": clid, "pid": pid, "iduser": iduser if _active(db, iduser) else 0}


def get_user(db: Any, settings: dict[str, Any] | None, phone: Any, email: Any) -> int:
    """``Leads::getUser``: the responsible user by the module's ``leadMethod`` (lead.md §6 step 2)."""
    iduser = get_client(db, phone, email)["iduser"]
    e, p = php.strval(email), prepare_mob_phone(phone)
    # real server: an empty e-mail makes "email LIKE '%%'" match every earlier lead with an e-mail
    dup = first(
        _sorted(db.table("leads")),
        lambda r: like(r.get("email"), e) or like(strip_phone(r.get("phone")), p),
    )
    existing = php.intval(dup.get("iduser")) if dup else 0
    if existing > 0 and not _active(db, existing):
        existing = 0
    if existing > 0 and iduser == 0:
        iduser = existing
    method = (settings or {}).get("leadMethod")
    ops = operators(settings)
    if method in ("unknown", "effective"):
        return iduser
    if method == "randome":
        return iduser or (php.intval(random.choice(ops)) if ops else 0)
    if method == "equal":
        return iduser or _fewest_leads(db, ops)
    # "free", any other value and a missing module: everything goes to the coordinator (0)
    return 0


def _fewest_leads(db: Any, ops: list[Any]) -> int:
    # real server (PHP 8): reset() + key() on an int crashes here; the mock does what was meant
    counts = [(sum(1 for r in db.table("leads") if php.strval(r.get("iduser")) == php.strval(o)), o) for o in ops]
    return php.intval(min(counts, key=lambda c: c[0])[1]) if counts else 0


# ------------------------------------------------------------------ sources and partners


def get_clientpath(db: Any, clientpath: Any, utm_source: Any, identity: int) -> int:
    """``getClientpath($path, ?string $source)``: by utm_source, else by name; an unknown name
    becomes a new source."""
    table = db.table("clientpath")
    source = _source_arg(utm_source)
    # real server: $path is untyped: pasted into the SQL an array reads "Array" (golden 88)
    name = php.strval(clientpath)
    found: Row | None = None
    # real server: !empty(), so "0", 0.0 and [] count as absent for both
    has_source, has_name = not php.empty(source), not php.empty(clientpath)
    if source is not None and has_source:
        raise_on_parse_error(f"SELECT id FROM app_clientpath WHERE utm_source = '{source}' AND identity = '{identity}'")
        found = first(_sorted(table), lambda r: sql_eq(r.get("utm_source"), source))
    elif has_name:
        raise_on_parse_error(f"SELECT id FROM app_clientpath WHERE name = '{name}' AND identity = '{identity}'")
        # real server: looked up by name only, so "5" is a new source named "5" (golden 40-lead-webform)
        found = first(_sorted(table), lambda r: sql_eq(r.get("name"), name))
    # real server: a WHERE literal keeps a 4-byte character (the stored name has "????"): no match
    if found is not None:
        return php.intval(found.get("id"))
    if not has_name:
        return 0
    # real server: name and utm_source are VARCHAR(255) over a utf8mb3 connection (setup.sql);
    # the INSERT's ?u refuses an array $path (golden 88 clientpath-object-get)
    name = php.strval(column_value(clientpath))
    row = {"id": None, "name": mysql_text(name, 255), "isDefault": None, "utm_source": None, "destination": None}
    row["utm_source"] = None if source is None else mysql_text(source, 255)
    row["identity"] = str(identity)
    return table.insert(row)


def _source_arg(utm_source: Any) -> str | None:
    """PHP 8's weak-mode coercion of the ``?string $source`` argument of ``getClientpath``."""
    if isinstance(utm_source, (list, dict)):
        raise Fatal(
            "TypeError",
            "getClientpath(): Argument #2 ($source) must be of type ?string, array given, "
            "called in {ROOT}/developer/v2/lead.php on line 368 and defined",
            "inc/func.helpers.php",
            5265,
        )
    return None if utm_source is None else php.strval(utm_source)


def partner_by_site(db: Any, site: str) -> int:
    """``get_partnerbysite()``: the client whose ``site_url`` contains the bare host (0 if none)."""
    host = re.sub(r"^[a-z]+://", "", site.strip(), flags=re.IGNORECASE)
    host = re.sub(r"^www\.", "", host, flags=re.IGNORECASE).rstrip("/")
    if not host:
        return 0
    row = first(_sorted(db.table("clientcat", "clid")), lambda r: like(r.get("site_url"), host))
    return php.intval(row.get("clid")) if row else 0
