"""History rows: ``addHistorty`` (the one writer behind task doit/history and history add) and
the history object as `history` info and list print it (other-methods.md §3).
"""

from __future__ import annotations

from typing import Any

from ...errors import escape_fatal
from ...php import empty, intval, strval
from ...store import Row
from ...wire import Call
from ..mysql import mysql_datetime, mysql_int, mysql_text
from ..task.lookup import current_client, current_dogovor, nl2br, person_list, untag3, untag_arg, yexplode

#: ``$fieldsname`` of developer/v2/history.php
FIELDS = ["cid", "datum", "des", "tip", "iduser", "clid", "pid", "did"]

FIELD_TITLES = {
    "cid": "Идентификатор записи",
    "datum": "Дата",
    "des": "Содержание",
    "tip": "Тип активности",
    "iduser": "Ответственный",
    "clid": "ID клиента",
    "pid": "ID контакта (массив)",
    "did": "ID сделки",
}

INT_COLUMNS = {"cid", "iduser", "clid", "did", "identity"}
COLUMNS = ["cid", "datum", "des", "tip", "iduser", "clid", "pid", "did", "fid", "uid", "identity"]


def add_history(
    call: Call,
    *,
    iduser: Any,
    clid: Any,
    pid: str,
    did: Any,
    datum: Any,
    des: Any,
    tip: Any,
) -> int:
    """``addHistorty``: text untagged, empty datum = now, NULL/"" columns left to their defaults."""
    assert call.backend is not None
    now = call.backend.clock.now_str()
    # real server: addHistorty untags the text, so an array is a fatal (golden 43-history-odd-inputs)
    text = untag_arg(des if isinstance(des, (list, dict)) else strval(des).replace("\\r\\n", "\r\n"))
    if isinstance(tip, (list, dict)):
        # real server: the tip reaches SafeMySQL's `SET ?u` raw, whose escape throws on an array
        # (addHistorty, func.helpers.php:5120); nothing is written
        raise escape_fatal()
    cid = call.db.add_history(
        datum=now if empty(datum) else mysql_datetime(datum),
        # real server: des TEXT, tip VARCHAR(50), pid VARCHAR(100) over a utf8mb3 connection (setup.sql)
        des=mysql_text(text),
        tip=None if tip is None or tip == "" else mysql_text(tip, 50),
        iduser=call.iduser if intval(iduser) < 0 else mysql_int(iduser),
        clid=mysql_int(clid),
        pid=mysql_text(pid, 100),
        did=mysql_int(did),
    )
    if intval(clid) > 0:
        client = call.db.table("clientcat", "clid").get(intval(clid))
        if client is not None:
            client["last_hist"] = now
    return cid


def info_view(call: Call, row: Row) -> dict[str, Any]:
    """``history info``: raw text; ``get_historyinfo`` casts the contact list to one int."""
    db = call.db
    first = intval(row.get("pid"))
    return {
        "cid": intval(row["cid"]),
        "datum": row.get("datum"),
        "content": row.get("des"),
        "tip": row.get("tip"),
        "iduser": intval(row.get("iduser")),
        "user": db.login_of(intval(row.get("iduser"))),
        "clid": intval(row.get("clid")),
        "client": current_client(db, row.get("clid")),
        # real server: (int)"1;2" keeps only the first contact (other-methods.md §3)
        "person": person_list(db, [str(first)]),
        "did": intval(row.get("did")),
        "dogovor": current_dogovor(db, row.get("did")),
    }


def list_view(call: Call, row: Row) -> dict[str, Any]:
    """``history list``: cleaned text, one person per stored contact, no key when there is none."""
    db = call.db
    out: dict[str, Any] = {
        "cid": intval(row["cid"]),
        "datum": row.get("datum"),
        "content": nl2br(untag3(strval(row.get("des")))),
        "tip": row.get("tip"),
        "iduser": intval(row.get("iduser")),
        "user": db.login_of(intval(row.get("iduser"))),
        "clid": intval(row.get("clid")),
        "client": current_client(db, row.get("clid")),
    }
    pids = yexplode(";", row.get("pid"))
    if pids:
        out["person"] = person_list(db, pids)
    out["did"] = intval(row.get("did"))
    out["dogovor"] = current_dogovor(db, row.get("did"))
    return out
