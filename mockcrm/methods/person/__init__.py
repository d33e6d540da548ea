"""Method `person` (contacts, person.md).

The golden recordings decide the PHP-version fork of person.md §1: add, update and
delete-with-deals answer with their JSON result objects (PHP 7 behaviour), not the fatal page.
"""

from __future__ import annotations

from typing import Any

from ...errors import escape_fatal, type_fatal
from ...php import empty, intval, is_numeric, php_values, trim
from ...sanitize import field_clean, untag
from ...store import Row
from ...wire import Call
from ..mysql import raise_on_parse_error
from .log import deal_contacts_log, person_log
from .query import select
from .store import (
    INT_COLUMNS,
    SOCIALS,
    clientpath_id,
    clientpath_name,
    current_client,
    effective_fields,
    enabled_by_order,
    enabled_physical,
    isset,
    loose_eq,
    loyalty_id,
    loyalty_title,
    mysql_number,
    new_row,
    php_str,
    rel_default,
    socials_of,
    to_column,
    user_id_by_login,
    yexplode,
    yimplode,
)

# real server: in_array/switch compare loosely, so a JSON `true` action runs the first case (person.md §1)
LOOSE_TRUE_ACTION = "fields"
# real server: a JSON string body is indexed at the action check (protocol.md §2.1; :72 without apikey header)
JSON_STRING_FATAL = ("developer/v2/person.php", 170)

FIELD_HINTS = {
    "pid": "Уникальный идентификатор записи контакта",
    "date_create": "Дата создания. Timestamp",
    "date_edit": "Дата последнего изменения. Timestamp",
}
ADDED = "Контакт добавлен"
UPDATED = "Данные контакта обновлены"
DEAL_BLOCK = "Внимание: К сожалению Удаление записи не возможно. Причина - Имеются связанные записи - Сделки."


# ------------------------------------------------------------------ helpers


def _now(call: Call) -> str:
    assert call.backend is not None
    return call.backend.clock.now_str()


def _contacts(call: Call) -> Any:
    return call.db.table("personcat", "pid")


def _stored(row: Row | None, column: str) -> Any:
    return row.get(column) if row else None


def _by_sql_pid(call: Call, pid: Any) -> Row | None:
    """The row of ``WHERE pid = '$pid'`` with the raw param pasted in (getPersonData, get_person_info)."""
    # real server: MySQL reads the quoted text as a number: "1abc" finds 1, "1.5" and "Array" find nothing;
    # a quote in it breaks the SQL (getPersonData: WHERE pid = '$id' AND identity = '$identity')
    raise_on_parse_error(
        f"SELECT clid FROM app_personcat WHERE pid = '{php_str(pid)}' AND identity = '{call.db.identity}'"
    )
    n = mysql_number(php_str(pid))
    return _contacts(call).get(int(n)) if n.is_integer() else None


def _found(call: Call, pid: Any) -> Row | None:
    """``Person::info``: only a contact with a name counts as found (person.md §6)."""
    row = _by_sql_pid(call, pid) if intval(pid) > 0 else None
    return row if row and row.get("person") not in (None, "") else None


def _typed(column: str, value: Any) -> Any:
    return intval(value) if column in INT_COLUMNS else value


def _list_record(call: Call, row: Row, fields: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields:
        if f == "clid":
            out["clid"] = intval(row.get("clid"))
            out["client"] = current_client(call.db, row.get("clid"))
        elif f == "loyalty":
            out["loyalty"] = loyalty_title(call.db, row.get("loyalty"))
        elif f == "iduser":
            out["user"] = call.db.login_of(row.get("iduser"))
            out["iduser"] = intval(row.get("iduser"))
        elif f == "clientpath":
            out["clientpath"] = clientpath_name(call.db, row.get("clientpath"))
        else:
            out[f] = _typed(f, row.get(f))
    if loose_eq(call.get("socinfo"), "yes"):
        out["socials"] = socials_of(row.get("social"))
    return out


def _set_main_contact(call: Call, clid: Any, pid: int) -> None:
    client = call.db.table("clientcat", "clid").get(intval(clid)) if intval(clid) > 0 else None
    if client is not None:
        client["pid"] = pid


def _social_of_add(params: dict[str, Any]) -> str:
    """`socials` object when non-empty, else the top-level slot keys (person.md §7 step 5)."""
    nested = params.get("socials")
    if not empty(nested):
        if isinstance(nested, str):
            # real server: $params['socials']['blog'] on a string throws in PHP 8 (Person::edit)
            raise type_fatal("Cannot access offset of type string on string", "inc/class/Person.php", 520)
        source = nested if isinstance(nested, dict) else {}
        return ";".join(php_str(source.get(k)) for k in SOCIALS)
    return ";".join(php_str(params.get(k)) for k in SOCIALS)


def _link_deal(call: Call, did: int, pid: int) -> None:
    """Append the contact to the deal's contact list (`Deal::update` with `pid_list`)."""
    deal = call.db.table("dogovor", "did").get(did)
    if deal is None:
        return
    pids = [*yexplode(";", deal.get("pid_list")), str(pid)]
    log = deal_contacts_log(call.db, deal.get("pid_list"), pids)
    pid_list = ";".join(pids)
    deal["pid_list"] = pid_list
    # real server: Deal::update re-saves the deal with its main contact reset to 0 (golden 04-person)
    deal["pid"] = 0
    deal["datum_izm"] = _now(call)[:10]
    # real server: Deal::update logs the contact list change; no clid/pid were passed (Deal.php update)
    call.db.add_history(datum=_now(call), des=log, tip="ЛогCRM", iduser=call.iduser, clid=0, pid=None, did=did)
    payload = {"did": did, "autor": call.iduser, "newparam": {"pid_list": pid_list}}
    call.emit("deal.edit", payload)


def _add_one(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """``Person::edit(0, params)`` (person.md §7)."""
    db = call.db
    params = dict(params)
    if intval(params.get("iduser")) == 0:
        params["iduser"] = call.iduser if not isset(params, "user") else user_id_by_login(db, params.get("user"))
    person = dict(params)
    names = [n for n in enabled_by_order(db) if not empty(person.get(n))]
    for n in names:
        v = person[n]
        person[n] = yimplode(", ", v) if isinstance(v, (dict, list)) else trim(php_str(v))
    aparams: dict[str, Any] = {}
    for n in names:
        v = person[n]
        if n == "loyalty":
            aparams[n] = intval(v) if is_numeric(v) else loyalty_id(db, untag(v), create=True)
        elif n == "clientpath":
            aparams[n] = intval(v) if is_numeric(v) else clientpath_id(db, v)
        elif n == "rol":
            aparams[n] = yimplode(";", yexplode(";", v))
        else:
            aparams[n] = field_clean(v)
    # real server: these overrides discard the lookups above; clientpath defaults to relDefault (person.md §7)
    if intval(params.get("clid")) > 0:
        aparams["clid"] = intval(params.get("clid"))
    aparams["clientpath"] = intval(params["clientpath"]) if not empty(params.get("clientpath")) else rel_default(db)
    aparams["loyalty"] = intval(params["loyalty"]) if isset(params, "loyalty") else 0
    aparams["iduser"] = intval(params.get("iduser"))
    pid, result = 0, ""
    # real server: no name → nothing inserted and no error reported (person.md §7 step 4)
    if not loose_eq(person.get("person"), ""):
        social = _social_of_add(params)
        if social != ";;;;;;;":
            aparams["social"] = social
        aparams.update(date_create=_now(call), creator=call.iduser, identity=db.identity)
        values = {k: v for k, v in aparams.items() if v is not None and v != ""}
        pid = _contacts(call).insert(new_row(values))
        call.emit("person.add", {"pid": pid, "autor": call.iduser})
        result = ADDED
    if loose_eq(params.get("mperson"), "yes"):
        _set_main_contact(call, aparams.get("clid"), pid)
    _check_mailer(call, aparams.get("mail"))
    did = intval(params.get("did"))
    if did > 0:
        _link_deal(call, did, pid)
    return {"result": result, "data": pid, "error": ""}


def _update_values(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """The row values ``Person::fullupdate`` writes: every enabled field, absent → "" (person.md §9)."""
    aparams: dict[str, Any] = {}
    for n in enabled_by_order(call.db):
        v = params.get(n)
        text = yimplode(", ", v) if isinstance(v, (dict, list)) else trim(php_str(v))
        if n == "rol":
            aparams[n] = yimplode(";", text.split(";"))
        else:
            aparams[n] = field_clean(text.replace("\\r\\n", "\r\n"))
    # real server: only the top-level slot keys count; the `socials` object is ignored (person.md §9)
    social = ";".join(php_str(params.get(k)) for k in SOCIALS)
    if social != ";;;;;;;":
        aparams["social"] = social
    aparams["clid"] = params.get("clid")
    cp = params.get("clientpath")
    aparams["clientpath"] = intval(cp) if not empty(cp) else rel_default(call.db)
    aparams["loyalty"] = intval(params["loyalty"]) if isset(params, "loyalty") else 0
    # real server: the raw param, NULL when absent — the contact then leaves every list (person.md §9)
    aparams["iduser"] = params.get("iduser")
    aparams["date_edit"] = _now(call)
    aparams["editor"] = call.iduser
    return aparams


def _unlink(rows: Any, pid: int) -> int:
    """Remove ``pid`` from the `;` lists of history/task rows; rows left with no link go (person.md §10)."""
    count = 0
    for row in rows:
        raw = row.get("pid")
        if raw is None or str(pid) not in php_str(raw).replace(";", ",").split(","):
            continue
        pids = yexplode(";", raw)
        hit = next((i for i, x in enumerate(pids) if loose_eq(x, pid)), None)
        if hit is not None:
            del pids[hit]
        if intval(row.get("clid")) < 1 and intval(row.get("did")) < 1 and not pids:
            rows.delete(row[rows.id_key])
        else:
            joined = ";".join(pids)
            row["pid"] = joined if isinstance(raw, str) else intval(joined)
        count += 1
    return count


def _delete_files(call: Call, pid: int) -> int:
    files = call.db.table("file", "fid")
    count = 0
    for row in files:
        if row.get("pid") is None or intval(row.get("pid")) != pid:
            continue
        if intval(row.get("clid")) > 0 or intval(row.get("did")) > 0:
            row["pid"] = ""
        else:
            files.delete(row["fid"])
            count += 1
    return count


# ------------------------------------------------------------------ actions


def fields(call: Call) -> Any:
    effective_fields(call)
    data: dict[str, Any] = dict(FIELD_HINTS)
    for f in enabled_physical(call.db):
        data[str(f["fld_name"])] = f.get("fld_title")
    data["social"] = dict(SOCIALS)
    return {"data": data}


def info(call: Call) -> Any:
    wanted = effective_fields(call)
    row = _found(call, call.get("pid"))
    data: dict[str, Any] = {}
    for f in wanted:
        value = _stored(row, f)
        if f == "clid":
            data["clid"] = value
            data["client"] = current_client(call.db, value)
        elif f == "iduser":
            # real server: info gives the owner LOGIN under `iduser` (person.md §6)
            data["iduser"] = call.db.login_of(value)
        elif f == "loyalty":
            data["loyalty"] = loyalty_title(call.db, value)
        elif f == "clientpath":
            # real server: the source NAME is looked up as an id, so this is "" in practice (person.md §6)
            data["clientpath"] = clientpath_name(call.db, intval(clientpath_name(call.db, value)))
        else:
            data[f] = value
    if loose_eq(call.get("socinfo"), "yes"):
        data["socials"] = socials_of(_stored(row, "social"))
    # real server: an empty result is the bare `[]` (protocol.md §5)
    return {"data": data} if data else {}


def list_(call: Call) -> Any:
    wanted = effective_fields(call)
    page, count = select(call)
    out: dict[str, Any] = {}
    if page:
        out["data"] = [_list_record(call, r, wanted) for r in page]
    out["count"] = count
    return out


def add(call: Call) -> Any:
    effective_fields(call)
    return _add_one(call, call.params)


def add_list(call: Call) -> Any:
    effective_fields(call)
    # real server: `persons` is read from raw $_REQUEST, never from a JSON body (person.md §8)
    persons = call.request_vars.get("persons")
    results = []
    for item in php_values(persons):
        if isinstance(item, str):
            # real server: $item['user'] on a string item throws in PHP 8; earlier items stay added
            raise type_fatal("Cannot access offset of type string on string", "developer/v2/person.php", 488)
        params = dict(item) if isinstance(item, dict) else {}
        user = params.get("user")
        params["iduser"] = call.iduser if loose_eq(user, "") else user_id_by_login(call.db, user)
        results.append(_add_one(call, params))
    return results


def update(call: Call) -> Any:
    """``Person::fullupdate``: full replace, no existence or ownership check (person.md §9)."""
    effective_fields(call)
    params = dict(call.params)
    pid = intval(params.get("pid"))
    contacts = _contacts(call)
    row = contacts.get(pid)
    if not isset(params, "clid"):
        # real server: getPersonData() gets the raw pid, fullupdate() the (int) one (person.php update)
        params["clid"] = intval(_stored(_by_sql_pid(call, params.get("pid")), "clid"))
    aparams = _update_values(call, params)
    if loose_eq(aparams["clientpath"], 0):
        aparams["clientpath"] = intval(_stored(row, "clientpath"))
    changed = {k: v for k, v in aparams.items() if not loose_eq(v, _stored(row, k))}
    if not changed:
        return {"result": "", "data": pid, "error": ""}
    if any(isinstance(v, (dict, list)) for v in aparams.values()):
        # real server: a raw array `clid`/`iduser` reaches SafeMySQL's ?u (Person::fullupdate, Person.php:294)
        raise escape_fatal()
    # real server: doLogger() compares with the row as it was, before the UPDATE (Person::fullupdate)
    log = person_log(call.db, row, aparams)
    if row is not None:
        row.update({k: to_column(k, v) for k, v in aparams.items()})
    call.db.add_history(
        datum=_now(call),
        des=log,
        tip="ЛогCRM",
        iduser=call.iduser,
        clid=to_column("clid", aparams["clid"]) or 0,
        pid=str(pid),
    )
    call.emit("person.edit", {"pid": pid, "autor": call.iduser, "newparam": changed})
    if loose_eq(params.get("mperson"), "yes"):
        _set_main_contact(call, aparams["clid"], pid)
    _check_mailer(call, aparams.get("mail"))
    return {"result": UPDATED, "data": pid, "error": ""}


def _check_mailer(call: Call, mail: Any) -> None:
    """``checkMailerEmail()``: each address is pasted into a SELECT on the mailer's table, so a quote
    crashes it after the row, the log and the event (Person::edit and ::fullupdate; found by mockcrm
    diff, seed 1000745, for update)."""
    if loose_eq(mail, ""):
        return
    for email in yexplode(",", php_str(mail).replace(";", ",")):
        raise_on_parse_error(
            f"SELECT id, mid FROM app_ymail_messagesrec WHERE email = '{email}' and identity = '{call.db.identity}'"
        )


def delete(call: Call) -> Any:
    """``Person::delete`` (person.md §10): blocked by deals, otherwise always "deleted"."""
    effective_fields(call)
    pid = intval(call.get("pid"))
    deals = call.db.table("dogovor", "did")
    if any(d.get("pid") is not None and intval(d.get("pid")) == pid for d in deals):
        return {"result": "Контакт не удален", "error": DEAL_BLOCK, "data": pid}
    files = _delete_files(call, pid)
    for lead in call.db.table("leads", "id"):
        if lead.get("pid") is not None and intval(lead.get("pid")) == pid:
            lead["pid"] = 0
    history = _unlink(call.db.table("history", "cid"), pid)
    tasks = _unlink(call.db.table("tasks", "tid"), pid)
    row = _contacts(call).get(pid)
    title = php_str(row.get("person")) if row is not None else ""
    _contacts(call).delete(pid)
    # real server: logger() pastes "Удален контакт: <name>" into an INSERT after the deletes; a quote in a
    # name that came by JSON (no Cleaner) crashes it there, the event never fires (scenario 117)
    raise_on_parse_error(
        "INSERT INTO app_logs (id, type, iduser, content, identity) VALUES(NULL, 'Удаление сделки', "
        f"'{call.iduser}', 'Удален контакт: {title}', '{call.db.identity}')"
    )
    call.emit("person.delete", {"pid": pid, "autor": call.iduser})
    message = (
        f"Успешно: Контакт удален. Также удалено {history} записи истории активностей. "
        f"Удалено {tasks} записей напоминаний. Удалено {files} файлов.\n\t\t\t"
    )
    # real server: the success text says "Клиент удален" (person.md §10)
    return {"message": message, "result": "Клиент удален", "data": pid}


ACTIONS = {
    "fields": fields,
    "list": list_,
    "info": info,
    "add": add,
    "update": update,
    "add.list": add_list,
    "delete": delete,
}
