"""Shared helpers of the `deal` method: directory lookups, visibility, PHP-isms (deal.md)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ...errors import Fatal, sql_syntax_fatal
from ...php import floatval, int_param, intval, is_numeric, php_type, php_values, strval, trim
from ...php import loose_eq as php_loose_eq  # noqa: F401  (the deal modules import it from here)
from ...sanitize import pre_format
from ...store import Row, Table
from ...wire import Call
from ..mysql import literal_end, raise_on_parse_error
from ..user.sql import current_userbylogin
from .mysql import store_text


def php_text(value: Any) -> str:
    """A value as PHP pastes it into a string: arrays as "Array"."""
    return "Array" if isinstance(value, (list, dict)) else strval(value)


DEAL_PHP = "developer/v2/deal.php"
DEAL_CLASS = "inc/class/Deal.php"

#: column types of table `dogovor` (setup.sql); everything else is text/date
INT_COLUMNS = {
    "did", "idcategory", "clid", "payer", "pid", "autor", "iduser", "sid", "isFrozen",
    "mcid", "direction", "idcurrency", "idcourse", "lid", "identity",
}  # fmt: skip
FLOAT_COLUMNS = {"kol", "lat", "lan", "kol_fact", "co_kol", "marga"}
COLUMNS = [
    "did", "uid", "idcategory", "clid", "payer", "pid", "datum", "autor", "datum_plan", "title",
    "content", "tip", "kol", "close", "lat", "lan", "adres", "iduser", "datum_izm", "datum_close",
    "sid", "kol_fact", "des_fact", "coid", "co_kol", "coid1", "coid2", "dog_num", "marga",
    "calculate", "isFrozen", "datum_start", "datum_end", "pid_list", "partner", "zayavka", "ztitle",
    "mcid", "direction", "idcurrency", "idcourse", "akt_date", "akt_temp", "lid",
    *[f"input{i}" for i in range(1, 11)], "identity",
]  # fmt: skip


def deals(call: Call) -> Table:
    return call.db.table("dogovor", "did")


def table(call: Call, name: str, id_key: str = "id") -> Table:
    return call.db.table(name, id_key)


def today(call: Call) -> str:
    assert call.backend is not None
    return call.backend.clock.today_str()


def now(call: Call) -> str:
    assert call.backend is not None
    return call.backend.clock.now_str()


def ci(s: Any) -> str:
    """A utf8_general_ci comparison key: case-insensitive, trailing spaces ignored, ё = е."""
    return strval(s).rstrip(" ").casefold().replace("ё", "е")


def mysql_num(v: Any) -> float:
    """MySQL's string → number conversion (leading numeric prefix, else 0)."""
    return floatval(v)


def php_empty_str(v: Any) -> bool:
    """PHP ``$v == ''`` (PHP 8): null, false and "" only."""
    return v is None or v is False or v == ""


def php_gt0(v: Any) -> bool:
    """PHP 8 ``$v > 0`` for a request value."""
    if isinstance(v, (list, dict)):
        return True  # real server: PHP 8 ranks an array above any scalar, so even [] > 0
    if v is None or isinstance(v, bool):
        return bool(v)
    if isinstance(v, (int, float)):
        return v > 0
    if isinstance(v, str):
        if is_numeric(v):
            return float(v) > 0
        return v > "0"  # real server: non-numeric strings compare as strings in PHP 8
    # real server: an array is greater than any number in PHP 8, even [] (deal delete did=[] looks up 'Array')
    return isinstance(v, (list, dict)) or bool(v)


# ------------------------------------------------------------------ directories


def step_rows(call: Call) -> list[Row]:
    """Deal steps in pipeline order (numeric title)."""
    return sorted(table(call, "dogcategory", "idcategory"), key=lambda r: (intval(r["title"]), intval(r["idcategory"])))


def step_by_title(call: Call, value: Any) -> int:
    """``getStep()``: idcategory whose (INT) title equals the value as MySQL compares it; 0 if none.

    The value is pasted into the SQL as it is (no untag): ``<b>40</b>`` compares as 0, an array as
    the string ``Array`` (also 0), so both find the step titled ``0``; null and false find nothing.
    """
    if value is None or value is False or value == "":
        return 0
    # real server: WHERE title='".$name."' - a quote in the value is a syntax error (func.helpers.php getStep)
    raise_on_parse_error(
        f"SELECT idcategory FROM app_dogcategory WHERE title='{php_text(value)}' AND identity = '{call.db.identity}'"
    )
    want = mysql_num("Array" if isinstance(value, (list, dict)) else value)
    for row in step_rows(call):
        if float(intval(row["title"])) == want:
            return intval(row["idcategory"])
    return 0


def step_row(call: Call, idcategory: Any) -> Row | None:
    return table(call, "dogcategory", "idcategory").get(idcategory)


def step_name(call: Call, idcategory: Any) -> str | None:
    """``current_dogstepname``: the step title; None for no step, "" for a missing row."""
    if intval(idcategory) <= 0:  # real server: current_dogstepname() only looks up ids > 0 (-1 → null)
        return None
    row = step_row(call, idcategory)
    return "" if row is None else strval(row["title"])


def step_content(call: Call, idcategory: Any) -> str | None:
    if intval(idcategory) <= 0:  # real server: current_dogstepcontent() only looks up ids > 0
        return None
    row = step_row(call, idcategory)
    return "" if row is None else row.get("content")


def direction_title(call: Call, did: Any) -> str | None:
    if intval(did) <= 0:  # real server: current_direction() only looks up ids > 0
        return None
    row = table(call, "direction").get(intval(did))
    return "" if row is None else row.get("title")


def direction_by_title(call: Call, title: Any) -> int:
    key = ci(title)
    row = table(call, "direction").first(lambda r: ci(r.get("title")) == key)
    return intval(row["id"]) if row else 0


def direction_default(call: Call) -> int:
    row = table(call, "direction").first(lambda r: r.get("isDefault") == "yes")
    return intval(row["id"]) if row else 0


def tip_title(call: Call, tid: Any) -> str | None:
    if intval(tid) <= 0:  # real server: current_dogtype((int)tip) only looks up ids > 0
        return None
    row = table(call, "dogtips", "tid").get(intval(tid))
    return "" if row is None else row.get("title")


def tip_by_title(call: Call, title: Any) -> int:
    """``current_dogtype(0, name)``: the type id by title, 0 when unknown."""
    key = ci(title)
    row = table(call, "dogtips", "tid").first(lambda r: ci(r.get("title")) == key)
    return intval(row["tid"]) if row else 0


def tip_get_or_create(call: Call, title: str, blank: bool = False) -> int:
    """``getDogTip()``: an unknown type name creates a new type (directories.md §4).

    ``blank``: the caller hands "" on as well (Deal::fullupdate does; Deal::add checks !empty before untag()),
    and getDogTip('') creates a type without a title.
    """
    tid = tip_by_title(call, title)
    if tid or (not title and not blank):
        return tid
    tips = table(call, "dogtips", "tid")
    # real server: dogtips.title is utf8mb3 TEXT (4-byte characters become ????)
    stored = store_text(title, None)
    return tips.insert({"tid": None, "title": stored, "isDefault": None, "identity": str(call.db.identity)})


def tip_default(call: Call) -> int:
    row = table(call, "dogtips", "tid").first(lambda r: r.get("isDefault") == "yes")
    return intval(row["tid"]) if row else 0


def status_row(call: Call, sid: Any) -> Row | None:
    return table(call, "dogstatus", "sid").get(sid)


def status_title(call: Call, sid: Any) -> Any:
    """Title of a close status, or False (SafeMySQL getOne on no row)."""
    row = status_row(call, sid)
    return row.get("title") if row else False


def status_sql_check(call: Call, title: Any) -> None:
    """``getStatusClose()`` pastes the title between quotes: a quote in it is a syntax error."""
    raise_on_parse_error(
        f"SELECT sid FROM app_dogstatus WHERE title='{php_text(title)}' AND identity = '{call.db.identity}'"
    )


def status_by_title(call: Call, title: Any) -> int:
    status_sql_check(call, title)
    key = ci(title)
    row = table(call, "dogstatus", "sid").first(lambda r: ci(r.get("title")) == key)
    return intval(row["sid"]) if row else 0


# ------------------------------------------------------------------ users, visibility


def user_title(call: Call, iduser: Any) -> str:
    """``current_user``: full name, "Не определен" for 0/unknown."""
    u = call.db.user(iduser)
    return strval(u.get("title")) if u else "Не определен"


def user_uid(call: Call, iduser: Any) -> str:
    u = call.db.user(iduser)
    return strval(u.get("uid")) if u else ""


def user_by_login(call: Call, login: Any) -> int:
    """``current_userbylogin``: 0 for an unknown login (see methods.user.sql)."""
    return current_userbylogin(call.db, login)


def people(call: Call) -> list[int]:
    return call.db.people(call.iduser)


def people_sql(call: Call) -> str:
    return "and iduser IN (" + ",".join(str(x) for x in people(call)) + ")"


def _after_string(text: str) -> str | None:
    """What follows a MySQL string literal whose opening quote came just before ``text``
    ('' and backslash escapes stay inside); None when the literal never ends."""
    end = literal_end("'" + text, 0)
    return None if end is None else text[end - 1 :]


def pasted_literal(value: str, tail: str) -> str:
    """A value pasted between quotes into SQL followed by ``tail``: the text MySQL reads, or its syntax error."""
    if "'" not in value:
        return value
    # real server: the value is pasted between quotes; its own quote ends the string early
    near = _after_string(f"{value}'{tail}")
    if near != tail:
        raise sql_syntax_fatal(near if near is not None else "'")
    # the value was a whole literal ('' or \' inside): MySQL reads the quote it stands for
    return value.replace("''", "'").replace("\\'", "'")


def visible_deal(call: Call, did: Any = None, uid: Any = None) -> Row | None:
    """``SELECT did FROM dogovor WHERE <did|uid> <get_people> ...``; the caller picks the key.

    Without any key the real server pastes an empty condition and crashes (deal.md §6).
    """
    if did is None and uid is None:
        raise sql_syntax_fatal(f"{people_sql(call)} and identity = '{call.db.identity}'")
    key = uid if did is None else did
    if isinstance(key, str) and "'" in key:
        unquoted = pasted_literal(key, f"  {people_sql(call)} and identity = '{call.db.identity}'")
        did, uid = (unquoted, uid) if did is not None else (did, unquoted)
    seen = set(people(call))
    if isinstance(did, (list, dict)):
        did = "Array"  # real server: an array pasted into did = '...' reads as 'Array', which is 0
    for row in sorted(deals(call), key=lambda r: r["did"]):
        if intval(row.get("iduser")) not in seen:
            continue
        if did is not None and float(row["did"]) == mysql_num(did):
            return row
        if uid is not None and row.get("uid") is not None and ci(row["uid"]) == ci(uid):
            return row
    return None


def type_fatal_arg(func: str, value: Any, called_line: int, defined_line: int) -> Fatal:
    """PHP 8 TypeError for a non-int ``$did`` handed to a typed ``Deal`` method."""
    return Fatal(
        "TypeError",
        f"Salesman\\Deal::{func}(): Argument #1 ($did) must be of type int, {php_type(value)} given, "
        f"called in {{ROOT}}/{DEAL_PHP} on line {called_line} and defined",
        DEAL_CLASS,
        defined_line,
    )


def int_arg_ok(value: Any) -> bool:
    """Whether PHP (non-strict mode) accepts the value for an ``int`` parameter."""
    # real server: "1.5" is only deprecated (1); "1abc", "", INF and a 40-digit did are a TypeError (php8.2)
    return int_param(value) is not None


# ------------------------------------------------------------------ values


def yimplode(sep: str, value: Any) -> str:
    """``yimplode()``: walks ``$array[0..count-1]`` (other keys read as null), skips blank items,
    puts the divider before every item but index 0 and recurses into nested arrays without one."""
    if value is None:
        return ""
    if not isinstance(value, (list, dict)):
        return strval(value)
    items = value if isinstance(value, list) else [value.get(str(i)) for i in range(len(value))]
    out = ""
    for i, item in enumerate(items):
        if isinstance(item, (list, dict)):
            out += yimplode(sep, item)
        elif trim(strval(item)) != "":
            out += (sep if i else "") + trim(strval(item))
    return out


def pid_list_str(value: Any) -> str:
    """``pid_list``: ``str_replace(",", ";", …)`` (per item for arrays), then ``trim(yimplode(";", …))``."""
    if isinstance(value, (list, dict)):
        items = [v if isinstance(v, (list, dict)) else strval(v).replace(",", ";") for v in php_values(value)]
        return trim(yimplode(";", items))
    return strval(value).replace(",", ";")


def split_ids(value: Any) -> list[str]:
    return [x for x in (trim(p) for p in strval(value).split(";")) if x != ""]


_DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"), (1, 2, 3)),
    (re.compile(r"(\d{4})/(\d{1,2})/(\d{1,2})$"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: \d{1,2}:\d{2}(?::\d{2})?)?$"), (3, 2, 1)),
    (re.compile(r"(\d{1,2})-(\d{1,2})-(\d{4})$"), (3, 2, 1)),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})$"), (3, 1, 2)),
)


def parse_date(value: Any) -> str | None:
    """A small ``strtotime()`` for the date shapes integrations send; None when unparsable."""
    s = trim(strval(value))
    for rx, (y, m, d) in _DATE_FORMATS:
        mt = rx.match(s)
        if mt:
            try:
                return dt.date(int(mt.group(y)), int(mt.group(m)), int(mt.group(d))).isoformat()
            except ValueError:
                return None
    return None


def add_days(date: str, days: int) -> str:
    return (dt.date.fromisoformat(date) + dt.timedelta(days=days)).isoformat()


def money(value: float, valuta: str = "р.") -> str:
    """``num_format`` of the invoice texts: ``40 000,00 р.``."""
    whole = f"{abs(value):,.2f}".replace(",", " ").replace(".", ",")
    return ("-" if value < 0 else "") + whole + " " + valuta


def php_truthy(v: Any) -> bool:
    """PHP's boolean conversion of a request value ("0", 0, 0.0, "", [], null and false are false)."""
    return not (v is None or v is False or v == "" or v == "0" or v == [] or v == {} or v == 0)


def text_arg(v: Any) -> str:
    """A value handed to ``untag()``: ``strip_tags`` refuses arrays on PHP 8."""
    if isinstance(v, (list, dict)):
        raise Fatal(
            "TypeError", "strip_tags(): Argument #1 ($string) must be of type string, array given", "inc/func.php", 660
        )
    return strval(v)


def pre_format_arg(value: Any, called_in: str, line: int) -> float:
    """``pre_format($x)``: typed ``?string``, so an array is a TypeError (golden 27)."""
    if isinstance(value, (list, dict)):
        raise Fatal(
            "TypeError",
            "pre_format(): Argument #1 ($string) must be of type ?string, array given, "
            f"called in {{ROOT}}/{called_in} on line {line} and defined",
            "inc/func.php",
            1030,
        )
    return pre_format(value)


def yexplode_fatal(line: int) -> Fatal:
    """``yexplode(",", <array>)``: its ``?string`` parameter refuses arrays on PHP 8."""
    return Fatal(
        "TypeError",
        "yexplode(): Argument #2 ($str) must be of type ?string, array given, "
        f"called in {{ROOT}}/{DEAL_PHP} on line {line} and defined",
        "inc/func.php",
        5140,
    )
