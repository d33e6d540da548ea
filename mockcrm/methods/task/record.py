"""Task rows: the ``$fieldsname`` output record and the ``Todo::add``/``Todo::edit`` writes.

Rows of table ``tasks`` use the real column names; INT columns hold ints, text columns str or
None, exactly as MariaDB would have stored what the PHP code sent (task.md §3).
"""

from __future__ import annotations

from typing import Any

from ...backend import Account
from ...php import empty, intval, php_values, strval
from ...store import Row
from ..mysql import mysql_date, mysql_int, mysql_text, mysql_time
from .lookup import (
    blank,
    client_main_pid,
    current_client,
    current_dogovor,
    get_time,
    person_list,
    untag_value,
    yexplode,
)

#: ``$fieldsname`` of developer/v2/task.php: the accepted field names, in output order
FIELDS = [
    "tid",
    "datum",
    "totime",
    "title",
    "des",
    "tip",
    "active",
    "priority",
    "speed",
    "iduser",
    "autor",
    "clid",
    "pid",
    "did",
    "readonly",
    "day",
    "status",
]

FIELD_TITLES = {
    "tid": "Идентификатор напоминания",
    "datum": "Дата",
    "totime": "Время",
    "title": "Тема",
    "des": "Агенда",
    "tip": "Тип напоминания",
    "active": "Признак: выполнено,активно",
    "priority": "Важность",
    "speed": "Срочность",
    "iduser": "Ответственный",
    "autor": "Автор напоминания",
    "clid": "ID клиента",
    "pid": "ID контакта",
    "did": "ID сделки",
    "readonly": "Только для чтения",
    "day": "На весь день",
    "status": "Статус выполнения",
}

#: every column of table ``tasks`` with its default (_install/db/setup.sql)
COLUMNS: dict[str, Any] = {
    "tid": None,
    "maintid": 0,
    "iduser": None,
    "clid": None,
    "pid": None,
    "did": None,
    "cid": None,
    "datum": None,
    "totime": "09:00:00",
    "title": None,
    "des": None,
    "tip": "Звонок",
    "active": "yes",
    "autor": None,
    "priority": 0,
    "speed": 0,
    "created": None,
    "readonly": "no",
    "alert": "yes",
    "day": None,
    "status": 0,
    "alertTime": None,
    "identity": 1,
}

#: widths of the text columns of ``tasks`` (_install/db/setup.sql); None = TEXT
TEXT_WIDTHS: dict[str, int | None] = {
    "pid": 255, "title": 250, "des": None, "tip": 100, "active": 255, "readonly": 3, "alert": 3, "day": 3,
}  # fmt: skip

INT_COLUMNS = {"tid", "maintid", "iduser", "clid", "did", "cid", "autor", "priority", "speed", "status", "identity"}


def _str(value: Any) -> str | None:
    return None if value is None else strval(value)


def view(db: Account, row: Row, with_person: bool) -> dict[str, Any]:
    """One record as info (with ``person``) or list (without) prints it (task.md §4)."""
    out: dict[str, Any] = {}
    for field in FIELDS:
        value = row.get(field)
        if field == "clid":
            out["clid"] = intval(value)
            out["client"] = current_client(db, value)
        elif field == "pid":
            # real server: list iterates the raw string, so the key is absent there (task.md §4)
            if with_person:
                out["person"] = person_list(db, yexplode(";", value))
        elif field == "did":
            out["did"] = intval(value)
            out["dogovor"] = current_dogovor(db, value)
        elif field in ("iduser", "autor"):
            out[field] = intval(value)
            out["user" if field == "iduser" else "autorlogin"] = db.login_of(intval(value))
        elif field == "totime":
            out["totime"] = get_time(value)
        else:
            out[field] = _str(value)
    return out


# ------------------------------------------------------------------ writes


def store(values: dict[str, Any]) -> Row:
    """``arrayNullClean`` (NULL and "" dropped) and MariaDB's coercion of what is left."""
    row: Row = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        if key == "datum":
            row[key] = mysql_date(value)
        elif key == "totime":
            row[key] = mysql_time(value)
        elif key in INT_COLUMNS:
            row[key] = mysql_int(strval(value))
        else:
            # real server: VARCHAR(n) cuts silently, emoji become ???? (golden 41-task-odd-inputs)
            row[key] = mysql_text(value, TEXT_WIDTHS.get(key))
    return row


def pid_text(value: Any) -> Any:
    """``is_array($pid) ? yimplode(";", $pid) : $pid``."""
    if isinstance(value, (list, dict)):
        return ";".join(strval(v) for v in php_values(value))
    return value


def added_row(db: Account, iduser: int, api_user: int, data: dict[str, Any], now: str) -> Row:
    """What ``Todo::add`` inserts for one responsible user (task.md §9)."""
    autor: Any = api_user if intval(data.get("autor")) == 0 else data.get("autor")
    if intval(autor) == iduser:
        autor = 0
    task: dict[str, Any] = {
        "title": untag_value(data.get("title")),
        "des": untag_value(data.get("des")),
        "clid": intval(data.get("clid")),
        "did": intval(data.get("did")),
        "pid": pid_text(data.get("pid")),
        "datum": untag_value(data.get("datum")),
        "totime": untag_value(data.get("totime")),
        "tip": untag_value(data.get("tip")),
        "readonly": untag_value(data["readonly"]) if not empty(data.get("readonly")) else "no",
        "alert": "no",
        "priority": intval(data.get("priority")),
        "speed": intval(data.get("speed")),
        "created": now,
        "active": "yes",
        "day": untag_value(data.get("day")),
        "autor": autor,
    }
    if blank(task["pid"]):
        task["pid"] = client_main_pid(db, task["clid"])
    task["identity"] = db.identity
    task["iduser"] = iduser
    row = dict(COLUMNS)
    row.update(store(task))
    return row


def edited_values(db: Account, api_user: int, data: dict[str, Any]) -> tuple[Row, int]:
    """What ``Todo::edit`` writes (a full overwrite, task.md §10) and the event's ``autor``."""
    clid = data.get("clid") if intval(data.get("clid")) > 0 else None
    task: dict[str, Any] = {
        "title": untag_value(data.get("title")),
        "des": untag_value(data.get("des")),
        "clid": clid,
        "did": data.get("did") if intval(data.get("did")) > 0 else None,
        "pid": pid_text(data.get("pid")),
        "datum": untag_value(data.get("datum")),
        "totime": untag_value(data.get("totime")),
        "tip": untag_value(data.get("tip")),
        "readonly": data["readonly"] if not blank(data.get("readonly")) else "no",
        "alert": "no",
        "priority": intval(data.get("priority")) if not blank(data.get("priority")) else 0,
        "speed": intval(data.get("speed")) if not blank(data.get("speed")) else 0,
        "active": data["active"] if not blank(data.get("active")) else "yes",
        "autor": intval(data.get("autor")),
        "day": untag_value(data.get("day")),
    }
    if blank(task["pid"]):
        task["pid"] = client_main_pid(db, clid)
    # real server: edit() gives the task to the caller whatever user was asked for (task.md §10)
    task["iduser"] = api_user
    written = store(task)
    # real server: des and day are written even when empty, so an update clears them (task.md §10)
    written["des"] = mysql_text(task["des"])
    written["day"] = mysql_text(task["day"], TEXT_WIDTHS["day"])
    event_autor = 0 if task["iduser"] == task["autor"] else task["autor"]
    return written, event_autor
