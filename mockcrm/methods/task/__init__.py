"""Method `task` — reminders (task.md): fields, tips, list, info, add, update, doit, delete, history."""

from __future__ import annotations

from typing import Any

from ...errors import CRMError, Fatal, escape_fatal
from ...mysql_order import order_by, table_resolver
from ...php import intval, php_values, strval
from ...wire import Call, cleaner
from ..history.record import add_history
from ..mysql import (
    as_datetime,
    ci_equal,
    find_row,
    like,
    mysql_rounded_int,
    num_equal,
    page_offset,
    raise_on_parse_error,
    sort_rows,
    sql_literal,
    sql_parse_error,
)
from .lookup import blank, clean_pid_list, cleaner_arg, get_tip_task, tips, untag_arg, user_id_by_login, yexplode
from .record import COLUMNS, FIELD_TITLES, FIELDS, INT_COLUMNS, added_row, edited_values, view

LOOSE_TRUE_ACTION = "fields"
# real server: a JSON string body crashes where the script first indexes $params (protocol.md §2.1)
JSON_STRING_FATAL = ("developer/v2/task.php", 186)


class MissingTitle(CRMError):
    code = 405
    text = "Отсутствуют параметры - Заголовок"


class MissingInfoId(CRMError):
    code = 405
    text = "Отсутствуют параметры - id напоминания"


class MissingTid(CRMError):
    code = 405
    text = "Отсутствуют параметры - tid напоминания"


class InfoNotFound(CRMError):
    # real server: this one 403 has a string code (task.md §7)
    code = "403"
    text = "Напоминание с указанным id не найдено в пределах аккаунта указанного пользователя."


class TaskNotFound(CRMError):
    code = 403
    text = "Напоминание не найдено."


class MissingParams(CRMError):
    code = 405
    text = "Отсутствуют параметры"


_RESOLVE = table_resolver("app_tasks", list(COLUMNS))


def _tasks(call: Call) -> Any:
    return call.db.table("tasks", "tid")


def _find(call: Call, raw: Any) -> Any:
    """``SELECT tid FROM tasks WHERE tid = '<id>' and identity = …``, quotes and all."""
    raise_on_parse_error(f"SELECT tid FROM app_tasks WHERE tid = '{strval(raw)}' and identity = '{call.db.identity}'")
    return find_row(_tasks(call), raw)


def _task_data(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The endpoint's loop: only ``$fieldsname`` keys go on, each cleaned its own way (task.md §9)."""
    data: dict[str, Any] = {}
    for key, value in params.items():
        if key not in FIELDS:
            continue
        if key == "pid":
            if isinstance(value, (list, dict)):
                data[key] = [strval(v).replace(",", ";") for v in php_values(value)]
            else:
                data[key] = strval(value).replace(",", ";")
        elif key in ("clid", "did"):
            data[key] = intval(value)
        elif key == "tip":
            data[key] = get_tip_task(call.db, untag_arg(value)) if not blank(value) else "Задача"
        else:
            data[key] = untag_arg(value)
    return data


def _owner_params(call: Call) -> dict[str, Any]:
    """``user`` empty → the caller is responsible; else that login, and the caller is the author."""
    params = dict(call.params)
    if blank(params.get("user")):
        params["iduser"] = call.iduser
    else:
        params["iduser"] = user_id_by_login(call.db, params["user"])
        params["autor"] = call.iduser
    return params


# ------------------------------------------------------------------ actions


def fields(call: Call) -> dict[str, Any]:
    return {"data": dict(FIELD_TITLES)}


def tips_(call: Call) -> dict[str, Any]:
    return tips(call.db)


def info(call: Call) -> dict[str, Any]:
    raw = call.get("id")
    row = _find(call, raw)
    if row is None:
        raise MissingInfoId() if blank(raw) else InfoNotFound()
    # real server: no visibility check for info (task.md §7)
    return {"data": view(call.db, row, with_person=True)}


def _matches(call: Call, row: dict[str, Any], p: dict[str, Any], start: str, end: str) -> bool:
    if not (start <= as_datetime(row.get("datum")) <= end):
        return False
    if not blank(p.get("word")):
        # real server: the word is pasted into a quoted literal, so "\\t" is a tab (golden 43)
        word = sql_literal(f"%{cleaner(strval(p['word']))}%")
        if not any(like(row.get(c), word) for c in ("title", "des", "tip")):
            return False
    tip = p.get("tip")
    # real server: the type filter only applies to a value equal to a field name (task.md §8)
    if isinstance(tip, str) and tip in FIELDS and not ci_equal(row.get("tip"), cleaner(tip)):
        return False
    if not blank(p.get("user")):
        if intval(row.get("iduser")) != user_id_by_login(call.db, p["user"]):
            return False
    elif intval(row.get("iduser")) not in call.db.people(call.iduser):
        return False
    active = p.get("active")
    # real server (golden, PHP 7 semantics): `(int)active != ''` only filters non-numeric-zero values
    if intval(active) != 0 and not ci_equal(row.get("active"), strval(active)):
        return False
    for key in ("clid", "did"):
        if intval(p.get(key)) > 0 and not num_equal(row.get(key), p[key]):
            return False
    return True


def _list_where(call: Call, p: dict[str, Any], start: str, end: str) -> str:
    """The ``$sort`` of task.php list, values pasted as they came (the user lookup runs here)."""
    sort = ""
    if not blank(p.get("word")):
        w = cleaner(cleaner_arg(p["word"], ("developer/v2/task.php", 28)))
        sort += f" and (title LIKE '%{w}%' or des LIKE '%{w}%' or tip LIKE '%{w}%')"
    if isinstance(p.get("tip"), str) and p["tip"] in FIELDS:
        sort += f" and tip = '{cleaner(p['tip'])}'"
    sort += f" and (datum BETWEEN '{start}' and '{end}')"
    if not blank(p.get("user")):
        sort += f" and app_tasks.iduser = '{user_id_by_login(call.db, p['user'])}'"
    else:
        sort += f" and app_tasks.iduser IN ({','.join(str(i) for i in call.db.people(call.iduser))})"
    if intval(p.get("active")) != 0:
        sort += f" and app_tasks.active = '{strval(p['active'])}'"
    for key in ("clid", "did"):
        if intval(p.get(key)) > 0:
            sort += f" and app_tasks.{key} = '{strval(p[key])}'"
    return sort


def list_(call: Call) -> dict[str, Any]:
    p = dict(call.params)
    if p.get("status") is not None:
        # real server: status forces active=no and its own condition is thrown away (task.md §8)
        p["active"] = "no"
    today = call.backend.clock.today_str() if call.backend else ""
    raw_start = today if blank(p.get("dateStart")) else strval(p["dateStart"])
    raw_end = today if blank(p.get("dateEnd")) else strval(p["dateEnd"])
    sort = _list_where(call, p, raw_start, raw_end)
    order = "datum" if blank(p.get("order")) else strval(p["order"])
    lpos = page_offset(p.get("offset"), ("developer/v2/task.php", 410))
    first = "" if p.get("first") == "old" else "DESC"
    head = f"SELECT * FROM app_tasks WHERE tid > 0 {sort} and identity = '{call.db.identity}' "
    tail = f"{order} {first} LIMIT {lpos},200"
    # real server: every value is pasted into one query; a raw quote breaks it (golden 45)
    if sql_parse_error(head) is not None:
        raise_on_parse_error(f"{head}ORDER BY {tail}")
    order_keys = order_by(tail, _RESOLVE, list(COLUMNS), numeric=lambda c: c in INT_COLUMNS)
    start, end = as_datetime(raw_start), as_datetime(raw_end)
    rows = [r for r in _tasks(call) if _matches(call, r, p, start, end)]
    rows = sort_rows(sorted(rows, key=lambda r: intval(r.get("tid"))), order_keys.keys, INT_COLUMNS)
    # real server: a `#` in `order` comments the LIMIT out; `order=x limit 1 #` sets its own
    rows = order_keys.page(rows)
    data = [view(call.db, r, with_person=False) for r in rows]
    # real server: no `count`; nothing found → the whole body is [] (task.md §8)
    return {"data": data} if data else {}


def add(call: Call) -> dict[str, Any]:
    params = _owner_params(call)
    if blank(params.get("title")):
        raise MissingTitle()
    assert call.backend is not None
    now = call.backend.clock.now()
    if blank(params.get("datum")):
        params["datum"] = now.strftime("%Y-%m-%d")
    if blank(params.get("totime")):
        # real server: date('H') + 1, so 23:xx gives 24:xx (task.md §9)
        params["totime"] = f"{now.hour + 1}:{now.minute:02d}"
    for key, default in (("priority", 0), ("speed", 0), ("active", "yes")):
        if blank(params.get(key)):
            params[key] = default
    data = _task_data(call, params)
    iduser = intval(params["iduser"])
    if iduser <= 0:
        # real server: Todo::add fails and the endpoint implodes a missing notice list (task.md §9)
        raise Fatal(
            "TypeError",
            "implode(): Argument #1 ($array) must be of type array, string given",
            "developer/v2/task.php",
            566,
        )
    row = added_row(call.db, iduser, call.iduser, data, call.backend.clock.now_str())
    tid = _tasks(call).insert(row)
    call.emit("task.add", {"id": tid, "autor": call.iduser})
    return {"result": "Успешно", "data": tid}


def update(call: Call) -> dict[str, Any]:
    params = _owner_params(call)
    row = _find(call, params.get("id"))
    result: dict[str, Any] | None = None
    if row is not None:
        tid = intval(row["tid"])
        written, event_autor = edited_values(call.db, call.iduser, _task_data(call, params))
        row.update(written)
        for child in _tasks(call).where(lambda r: r.get("maintid") == tid and r.get("iduser") != call.iduser):
            _tasks(call).delete(child["tid"])
        call.emit("task.edit", {"id": tid, "autor": event_autor})
        result = {"result": "Успешно", "data": tid}
    # real server: the missing-id check comes last and overrides (task.md §10)
    if intval(params.get("id")) == 0:
        raise MissingTid()
    if result is None:
        raise TaskNotFound()
    return result


def doit(call: Call) -> dict[str, Any]:
    p = call.params
    row = _find(call, p.get("id"))
    if blank(p.get("id")):
        raise MissingTid()
    if row is None:
        raise TaskNotFound()
    assert call.backend is not None
    now = call.backend.clock.now_str()
    # real server: Todo::doit untags the text, so an array is a fatal (golden 42-task-lifecycle)
    text = untag_arg(p.get("description")) if not blank(p.get("description")) else "Выполнено напоминание"
    tip = p.get("tip") if not blank(p.get("tip")) else row.get("tip")
    status = p.get("status") if p.get("status") is not None else 1
    hid = add_history(
        call,
        iduser=call.iduser,
        clid=row.get("clid"),
        pid=";".join(yexplode(";", row.get("pid"))),
        did=row.get("did"),
        datum=now,
        des=text,
        tip=tip,
    )
    if isinstance(status, (list, dict)):
        # real server: the UPDATE tasks SET ?u escapes the status after addHistorty(): the history row
        # stays, the task stays open and no event fires (Todo::doit; found by mockcrm diff)
        raise escape_fatal()
    # real server: the status is quoted into the INT column, which rounds it ("1.5" → 2; scenario 119)
    row.update({"active": "no", "status": mysql_rounded_int(status), "cid": hid})
    messages = ["Добавлена Активность"]
    mailed = _doit_mail_to(call, row)
    if mailed is not None:
        messages.append(f"Отправлено сотруднику {mailed}")
    client = call.db.table("clientcat", "clid").get(intval(row.get("clid"))) if intval(row.get("clid")) > 0 else None
    if client is not None:
        client["last_hist"] = now
    call.emit("task.doit", {"id": intval(row["tid"]), "autor": call.iduser})
    return {"result": "Успешно", "data": intval(row["tid"]), "message": "\n".join(messages), "historyID": hid}


def _doit_mail_to(call: Call, row: dict[str, Any]) -> str | None:
    """The name ``Todo::doit`` reports a mail to: the task's author (the caller when there is
    none) hears of it if mails are on, his subscription slot 10 is "on" and he is not the
    responsible user himself (Todo::taskTemplate 'doit', golden 42-task-lifecycle)."""
    if call.db.settings.get("mailme") != "yes":
        return None
    autor = intval(row.get("autor")) if intval(row.get("autor")) > 0 else call.iduser
    to = call.db.users.get(autor)
    slots = strval(to.get("subscription")).split(";") if to else []
    if len(slots) <= 10 or slots[10] != "on" or not to or not to.get("email"):
        return None
    return None if intval(row.get("iduser")) == autor else strval(to.get("title"))


def delete(call: Call) -> dict[str, Any]:
    p = call.params
    people = ",".join(str(i) for i in call.db.people(call.iduser))
    raise_on_parse_error(
        f"SELECT tid FROM app_tasks WHERE tid = '{strval(p.get('id'))}'  and iduser IN ({people}) "
        f"and identity = '{call.db.identity}'"
    )
    row = find_row(_tasks(call), p.get("id"))
    if blank(p.get("id")):
        raise MissingTid()
    if row is None or intval(row.get("iduser")) not in call.db.people(call.iduser):
        raise TaskNotFound()
    tid = intval(row["tid"])
    _tasks(call).delete(tid)
    for child in _tasks(call).where(lambda r: r.get("maintid") == tid):
        _tasks(call).delete(child["tid"])
    # real server: task.remove has no handler in developer/events.php, so nothing is sent (webhooks.md)
    return {"result": "Успешно", "data": tid, "message": "Запись удалена"}


def history(call: Call) -> dict[str, Any]:
    p = call.params
    iduser = call.iduser if blank(p.get("user")) else user_id_by_login(call.db, p["user"])
    # real server: getTipTask runs even for an empty tip, creating an untitled type (task.md §13)
    # real server: untag() hands an array tip to strip_tags(), a TypeError before anything is written
    tip = get_tip_task(call.db, untag_arg(p.get("tip")))
    targets = (p.get("clid"), p.get("pid"), p.get("did"))
    if all(blank(v) for v in targets) or blank(p.get("content")):
        raise MissingParams()
    assert call.backend is not None
    hid = add_history(
        call,
        iduser=iduser,
        clid=intval(p.get("clid")),
        pid=clean_pid_list(p.get("pid"), ("developer/v2/task.php", 852)),
        did=intval(p.get("did")),
        datum=f"{strval(p.get('datum'))} {call.backend.clock.now().strftime('%H:%M')}",
        des=p.get("content"),
        tip=tip,
    )
    return {"result": "Успешно", "data": hid}


ACTIONS = {
    "tips": tips_,
    "fields": fields,
    "list": list_,
    "info": info,
    "add": add,
    "update": update,
    "doit": doit,
    "delete": delete,
    "history": history,
}
