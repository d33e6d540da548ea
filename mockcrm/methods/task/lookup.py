"""The CRM's lookup helpers that `task` and `history` answers are built with.

``current_client``/``current_dogovor``/``current_person``, ``yexplode``, ``getTipTask`` and
friends from ``inc/func.helpers.php`` (other-methods.md §0.5), read from the real tables
``clientcat`` (clid, title), ``dogovor`` (did, title), ``personcat`` (pid, person) and
``activities``.
"""

from __future__ import annotations

from typing import Any

from ...backend import Account
from ...errors import Fatal
from ...php import intval, php_values, strip_tags, strval, trim, yexplode
from ...sanitize import untag
from ..mysql import ci_equal, mysql_text
from ..user.sql import current_userbylogin

NOT_FOUND = "--не найден--"


def blank(value: Any) -> bool:
    """PHP 8 ``$value == ''``: null, false and the empty string (but not 0 or "0")."""
    return value is None or value is False or value == ""


def yimplode(sep: str, values: Any) -> str:
    return sep.join(strval(v) for v in (php_values(values) if isinstance(values, (list, dict)) else [values]))


def clean_pid_list(value: Any, called_from: tuple[str, int] | None = None) -> str:
    """``yimplode(";", yexplode(";", str_replace(",", ";", $pid)))``: ``"1, 2;"`` → ``"1;2"``.

    An array survives str_replace and reaches yexplode's ``?string`` parameter: a TypeError
    naming the calling script and line (``called_from``); add.list casts it to "Array" first.
    """
    if isinstance(value, (list, dict)):
        if called_from is None:
            value = "Array"
        else:
            script, line = called_from
            # real server: yexplode(string $str) gets an array (golden 48-arrays-history-batches)
            raise Fatal(
                "TypeError",
                "yexplode(): Argument #2 ($str) must be of type ?string, array given, called in "
                f"{{ROOT}}/{script} on line {line} and defined",
                "inc/func.php",
                5140,
            )
    return ";".join(yexplode(";", strval(value).replace(",", ";")))


def current_client(db: Account, clid: Any) -> str:
    if intval(clid) <= 0:
        return ""
    row = db.table("clientcat", "clid").get(intval(clid))
    title = strval(row.get("title")) if row else ""
    return title if title != "" else NOT_FOUND


def current_dogovor(db: Account, did: Any) -> str:
    if intval(did) <= 0:
        return ""
    row = db.table("dogovor", "did").get(intval(did))
    title = strval(row.get("title")) if row else ""
    return title if title != "" else NOT_FOUND


def current_person(db: Account, pid: Any) -> str | None:
    """First two words of the contact's name; "" for id 0, None for a missing contact."""
    if intval(pid) <= 0:
        return ""
    row = db.table("personcat", "pid").get(intval(pid))
    person = strval(row.get("person")) if row else ""
    if person == "":
        return None
    words = yexplode(" ", person) + ["", ""]
    # real server: $p[0]." ".$p[1], so a one-word name keeps a trailing space (func.helpers.php)
    return f"{words[0]} {words[1]}"


def client_main_pid(db: Account, clid: Any) -> str:
    """``get_client_info(clid)['pid']``: the client's main contact, "0" when there is none."""
    row = db.table("clientcat", "clid").get(intval(clid)) if intval(clid) > 0 else None
    return str(intval(row.get("pid"))) if row else "0"


def user_id_by_login(db: Account, login: Any) -> int:
    """``current_userbylogin``: the user's id, 0 for an unknown login (see methods.user.sql)."""
    return current_userbylogin(db, login)


def person_list(db: Account, pids: list[str]) -> list[dict[str, Any]]:
    return [{"pid": intval(p), "person": current_person(db, p)} for p in pids]


def get_time(value: Any) -> str:
    """``getTime``: ``HH:MM:SS`` → ``HH:MM``."""
    parts = strval(value).split(":")
    return ":".join(parts[:2]) if len(parts) >= 2 else strval(value)


def get_tip_task(db: Account, name: str) -> str:
    """``getTipTask``: an unknown activity type is created on the fly; the name comes back as given."""
    table = db.table("activities", "id")
    # real server: the WHERE literal is not cut, so a name past VARCHAR(20) never finds its own
    # cut row and adds another one each time (func.helpers.php getTipTask, golden 41)
    # real server: nor can a name with an emoji find its own row (stored "????", the literal keeps the emoji)
    if table.first(lambda r: ci_equal(r.get("title"), name)) is None:
        table.insert(
            {
                "id": None,
                "title": mysql_text(name, 20),
                "color": None,
                "icon": None,
                "resultat": None,
                "isDefault": None,
                "aorder": None,
                "filter": "all",
                "identity": str(db.identity),
            }
        )
    return name


def tips(db: Account) -> dict[str, Any]:
    """All activity types in table order (task.md §6, other-methods.md §3)."""
    rows = [
        {"title": r.get("title"), "color": r.get("color"), "filter": r.get("filter")}
        for r in db.table("activities", "id")
    ]
    return {"data": rows} if rows else {}


def untag_value(value: Any) -> str:
    return untag(strval(value))


def untag_arg(value: Any) -> str:
    """``untag($value)`` on a request value: an array crashes in its ``strip_tags`` (protocol.md §9)."""
    if isinstance(value, (list, dict)):
        # real server: untag() passes the array on to strip_tags(), a TypeError (goldens 40, 41, 43)
        raise Fatal(
            "TypeError", "strip_tags(): Argument #1 ($string) must be of type string, array given", "inc/func.php", 660
        )
    return untag(strval(value))


def untag3(text: str) -> str:
    """``untag3`` (history list): tags out, ``"``/«» → ”, ``/`` → ``-``."""
    text = trim(strip_tags(text))
    for a, b in (("<", ""), (">", ""), ('"', "\u201d"), ("&laquo;", ""), ("&raquo;", ""), ("/", "-")):
        text = text.replace(a, b)
    text = text.replace("«", "\u201d").replace("»", "\u201d")
    return strip_tags(text)


def nl2br(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("\r\n", "\n\r"):
            out.append("<br />" + pair)
            i += 2
            continue
        if text[i] in "\r\n":
            out.append("<br />")
        out.append(text[i])
        i += 1
    return "".join(out)


def cleaner_arg(value: Any, cleaner_at: tuple[str, int]) -> str:
    """A value handed to the script's own ``Cleaner()``: its ``trim`` throws on an array."""
    if isinstance(value, (list, dict)):
        # real server: Cleaner(array) is a trim() TypeError (golden 48-arrays-history-batches)
        raise Fatal("TypeError", "trim(): Argument #1 ($string) must be of type string, array given", *cleaner_at)
    return strval(value)
