"""Writing clients: ``Client::add``, ``Client::fullupdate`` and ``Client::delete`` (client.md §8-§11)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ...errors import SAFEMYSQL, CRMError, Fatal
from ...php import int_param, intval, is_numeric, php_type, php_values, strtr, strval, trim, yexplode, yimplode
from ...sanitize import clean, clean_all, client_format_title, field_clean, untag
from ..mysql import breaks_literal, raise_on_parse_error, sql_parse_error
from ..person.store import current_client
from . import data
from .dates import strtotime, timestamp_column

if TYPE_CHECKING:
    from ...clock import Clock
    from ...store import Row
    from ...wire import Call

CLIENT_CLASS = "inc/class/Client.php"


class MissingTitle(CRMError):
    code = 402
    text = "Отсутствуют параметры - Название клиента"


class UnknownClient(CRMError):
    code = 403
    text = "Клиент с указанным clid не найден в пределах аккаунта"


class NotFound(CRMError):
    code = 403
    text = "Не найдена запись"


class HasDeals(CRMError):
    code = 408
    text = (
        "Клиент не удален. Внимание: К сожалению Удаление записи не возможно. "
        "Причина - Имеются связанные записи - Сделки."
    )


def emit(call: Call, event: str, args: dict[str, Any]) -> None:
    """Fire an event with its fire-site args; the webhook layer adds event/identity/iduser1 (webhooks.md §6.3)."""
    call.emit(event, args)


def _clock(call: Call) -> Clock:
    assert call.backend is not None
    return call.backend.clock


def _text_arg(v: Any, where: str = "inc/func.php", line: int = 660) -> str:
    """A value handed to ``strip_tags``: arrays crash (protocol.md §9)."""
    if isinstance(v, (dict, list)):
        raise Fatal("TypeError", "strip_tags(): Argument #1 ($string) must be of type string, array given", where, line)
    return strval(v)


def _joined(v: Any) -> Any:
    """An array given for a text field becomes ``trim(yimplode(", ", $v))`` (Client::add, ::fullupdate)."""
    return trim(yimplode(", ", v)) if isinstance(v, (dict, list)) else v


# ------------------------------------------------------------------ add


def _phones(value: Any) -> list[Any] | None:
    """``$params['phone']`` as Client::add turns it into an array: given one, or ``yexplode(";", ...)``."""
    if isinstance(value, (dict, list)):
        return php_values(value)
    if data.not_blank(value):
        # real server: yexplode keeps " " between two separators as "" (it trims after the empty test)
        return list(yexplode(";", strval(value).replace(",", ";")))
    return None


def _duplicate_query(call: Call, title: str, patterns: list[str], mail_pattern: str | None) -> str:
    """The duplicate lookup of ``Client::add`` as it pastes the values (line 382)."""
    stripped = "replace(replace(replace(replace(replace(phone, '+', ''), '(', ''), ')', ''), ' ', ''), '-', '')"
    q = " and (" + " OR ".join(f" {stripped} LIKE '{p}' " for p in patterns) + ")" if patterns else ""
    if mail_pattern is not None:
        q += f" and mail_url LIKE '{mail_pattern}'"
    return f"SELECT clid FROM app_clientcat WHERE title = '{title}' {q} and identity = '{call.db.identity}'"


def _duplicate(call: Call, title: str, phones: list[str] | None, mail: Any) -> Row | None:
    """The first client matching title (+ any phone, + mail) — all clients of the account (client.md §8.1)."""
    patterns = ["%" + re.sub(r"\D", "", strval(p))[1:] + "%" for p in phones or []]
    mail_pattern = "%" + clean(strval(mail)) + "%" if data.not_blank(mail) else None
    # real server: a quote in the title or the e-mail (JSON) breaks this query before the insert
    # (the phone patterns are digits: they cannot)
    if breaks_literal(title, mail_pattern):
        raise_on_parse_error(_duplicate_query(call, title, patterns, mail_pattern))
    table = call.db.table("clientcat", "clid")
    # only rows whose title equals under utf8_general_ci can match: found through an index
    same_title = table.index("title_ci", _title_key).get(data.ci_key(title), [])
    for rid in same_title:
        row = table.rows[rid]
        if not data.ci_eq(row.get("title"), title):
            continue
        if patterns:
            phone = row.get("phone")
            bare = None if phone is None else re.sub(r"[+() -]", "", phone)
            if not any(data.like(bare, p) for p in patterns):
                continue
        if mail_pattern is not None and not data.like(row.get("mail_url"), mail_pattern):
            continue
        return row
    return None


def _title_key(row: Row) -> str | None:
    title = row.get("title")
    return None if title is None else data.ci_key(title)


def _add_value(call: Call, key: str, value: Any) -> Any:
    db = call.db
    if key == "type":
        if isinstance(value, (dict, list)):
            return value  # real server: add does not clean type; the INSERT crashes on it (see _add)
        # real server: PHP 8 `$value == ''` is true for null, false and "" (not for 0 or [])
        return "client" if not data.not_blank(value) else strval(value)
    if key == "title":
        return client_format_title(strval(value))
    if key == "idcategory":
        return intval(value) if is_numeric(value) else data.category_id(db, value)
    if key == "clientpath":
        return intval(value) if is_numeric(value) else data.clientpath_id(db, value)
    if key == "territory":
        return intval(value) if is_numeric(value) else data.territory_id(db, untag(strval(value)))
    if key == "tip_cmr":
        return data.relation_title(db, untag(strval(value))) if is_numeric(value) else untag(strval(value))
    frow = data.field_row(db, key) or {}
    if frow.get("fld_temp") == "textarea" and value is not None:
        template = strval(frow.get("fld_var"))
        return field_clean(strval(value)) if template.lower() != strval(value).lower() else None
    if frow.get("fld_temp") == "datetime":
        return strval(value).replace("Z", ":00").replace("T", " ")
    return field_clean(_text_arg(value, "inc/func.php", 753))


def add_one(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    """``Client::add``: the answer dict for one client (errors are answers, not exceptions, in add.list)."""
    try:
        return _add(call, dict(params))
    except CRMError as exc:
        return exc.body()


def _add(call: Call, params: dict[str, Any]) -> dict[str, Any]:
    db = call.db
    if intval(params.get("iduser")) == 0:
        user = params.get("user")
        params["iduser"] = call.iduser if not data.not_blank(user) else data.user_id_by_login(db, user)
    creator = intval(params.get("creator"))
    given_phone = params.get("phone")
    phones = _phones(given_phone)
    if phones is not None:
        # real server: a given array is imploded as it came (its keys too), a string as yexplode made it
        params["phone"] = given_phone if isinstance(given_phone, (dict, list)) else phones
    title = client_format_title(_text_arg(params.get("title")))
    mail = params.get("mail_url")
    if isinstance(mail, (dict, list)):
        # real server: the duplicate query runs clean($params['mail_url']) before arrays are joined, and an
        # array (even []) is != '' in PHP 8 (Client::add, line 382)
        _text_arg(mail, "inc/func.php", 790)
    dup = _duplicate(call, title, phones, mail)
    if dup is not None:
        # real server: current_client(), which reads an empty title as "--не найден--" (found by mockcrm diff,
        # seed 4001157: a title that an update with an array made empty)
        name = current_client(db, dup["clid"])
        text = f"Найден существующий клиент - {name} (clid = {dup['clid']}). Запрос отклонен."
        return {"result": "Error", "exists": dup["clid"], "error": {"code": 304, "text": text}}
    if not data.not_blank(params.get("title")):
        raise MissingTitle()
    params.setdefault("type", "client")
    if params["type"] is None:
        params["type"] = "client"
    if isinstance(params.get("phone"), (dict, list)):
        params["phone"] = yimplode(",", params["phone"])
    fields = ["type", *data.enabled_by_order(db), "uid"]
    for name in fields[1:-1]:
        params[name] = _joined(params.get(name)) if name in params else params.get(name)
    client: dict[str, Any] = {}
    for key, value in params.items():
        if key in fields:
            client[key] = _add_value(call, key, value)
    recv = params.get("recv")
    if isinstance(recv, str):
        raise Fatal("TypeError", "Cannot access offset of type string on string", CLIENT_CLASS, 501)
    source = recv if isinstance(recv, dict) else {}
    if any(isinstance(source.get(k), (dict, list)) for k in data.RECV_KEYS):
        # real server: clean_all() trims each slot before the INSERT, an array crashes it (Client.php:501)
        raise Fatal(
            "TypeError", "trim(): Argument #1 ($string) must be of type string, array given", "inc/func.php", 836
        )
    recv_text = ";".join(clean_all(strval(source.get(k))) for k in data.RECV_KEYS)
    # real server: without a stored source, the default RELATION id is used (client.md §2.3)
    client["clientpath"] = intval(client["clientpath"]) if "clientpath" in client else data.default_relation_id(db)
    clock = _clock(call)
    given = params.get("date_create")
    if isinstance(given, (dict, list)):
        # real server: strtotime() takes a string only (Client.php:511), before the INSERT
        raise Fatal(
            "TypeError", "strtotime(): Argument #1 ($datetime) must be of type string, array given", CLIENT_CLASS, 511
        )
    stamp = strtotime(strval(given), db.timezone, clock.now()) if given is not None else None
    client["date_create"] = timestamp_column(stamp) if stamp else clock.now_str()
    client["creator"] = creator if creator > 0 else call.iduser
    if any(isinstance(v, (dict, list)) for v in client.values()):
        # real server: SafeMysql escapes every value of `SET ?u` as a string (safemysql.class.php:560)
        raise Fatal(
            "TypeError",
            "mysqli_real_escape_string(): Argument #2 ($string) must be of type string, array given",
            SAFEMYSQL,
            560,
        )
    row = data.new_row(db.identity)
    for key, value in client.items():
        if value is not None and value != "":
            row[key] = value if key == "date_create" else data.store_value(key, value)
    clid = db.table("clientcat", "clid").insert(row)
    db.add_history(datum=clock.now_str(), des="Добавлен клиент", tip="СобытиеCRM", iduser=call.iduser, clid=clid)
    db.table("clientcat", "clid").update(clid, {"recv": data.store_value("recv", recv_text)})
    emit(call, "client.add", {"clid": clid, "autor": call.iduser, "user": intval(params.get("iduser"))})
    mail = client.get("mail_url")
    for email in yexplode(",", strval(mail).replace(";", ",")) if data.not_blank(mail) else []:
        # real server: checkMailerEmail() pastes each address into a SELECT; Client::add catches
        # the exception and answers 500 with MariaDB's message and code (Client.php:613, 629)
        fatal = sql_parse_error(
            f"SELECT id, mid FROM app_ymail_messagesrec WHERE email = '{email}' and identity = '{db.identity}'"
        )
        if fatal is not None:
            text = f"Ошибка{fatal.message} в строке 1064"
            return {"result": "Error", "data": clid, "error": {"code": 500, "text": text}}
    return {"result": "Успешно", "data": clid}


# ------------------------------------------------------------------ update


def _update_value(call: Call, key: str, value: Any) -> Any:
    db = call.db
    if key == "type":
        # real server: `$params['type'] == ''` (null, false, ""), else untag(), which crashes on an array
        return "client" if not data.not_blank(value) else untag(_text_arg(value))
    if key == "title":
        return client_format_title(strval(value))
    if key in ("idcategory", "clientpath"):
        finder = data.category_id if key == "idcategory" else data.clientpath_id
        return intval(value) if is_numeric(value) else finder(db, value)
    if key == "territory":
        return intval(value) if is_numeric(value) else data.territory_id(db, untag(strval(value)))
    if key == "tip_cmr":
        return value if is_numeric(value) else data.relation_title(db, untag(strval(value)))
    if key == "head_clid":
        return intval(value)
    return field_clean(_text_arg(value, "inc/func.php", 753))


#: doLogger's directory fields: a value below 1 becomes "Нет", then both sides are looked up by id
_LOG_LOOKUPS: dict[str, Any] = {
    "idcategory": data.category_title,
    "clientpath": data.clientpath_name,
    "territory": data.territory_title,
    "head_clid": data.client_title,
    "pid": data.person_short,
}


def _log_value(db: Any, key: str, value: Any) -> str:
    """One side of a doLogger line: arrays imploded, blank (PHP 8 ``== ''``) as "Нет"."""
    lookup = _LOG_LOOKUPS.get(key)
    if lookup is not None:
        # `$param[$key] < 1` turns it into "Нет", whose (int) is 0 for the lookup
        return strval(lookup(db, 0 if intval(value) < 1 else value))
    if isinstance(value, (dict, list)):
        value = yimplode("," if key in ("phone", "fax") else ";", value)
    return "Нет" if not data.not_blank(value) else strval(value)


def _change_log(db: Any, row: Row, changed: dict[str, Any]) -> str:
    """``doLogger('clid', ...)`` (inc/func.helpers.php): one line per changed field, titled from the field
    configuration (type is "Тип записи"; a field without a title keeps its name, through strtr)."""
    titles = {strval(f["fld_name"]): strval(f.get("fld_title")) for f in data.enabled_rows(db)}
    titles["type"] = "Тип записи"
    lines = [
        f"{strtr(key, titles)} - <b>{_log_value(db, key, new)}</b> (было - {_log_value(db, key, _old_value(row, key))})"
        for key, new in changed.items()
    ]
    return "Изменены параметры записи:\n============================\n " + "\n".join(lines)


def _old_value(row: Row, key: str) -> Any:
    """``get_client_info`` values used for the comparison: ints for the id columns."""
    if key in ("iduser", "idcategory", "territory", "head_clid", "pid", "clientpath"):
        return intval(row.get(key))
    return row.get(key)


def update(call: Call) -> dict[str, Any]:
    db = call.db
    table = db.table("clientcat", "clid")
    row = table.get(intval(call.get("clid")))
    if row is None:
        raise UnknownClient()
    clid = int(row["clid"])
    params = dict(call.params)
    fields = [*data.enabled_by_order(db), "uid", "type"]
    for name in fields[:-2]:
        if name in params:
            params[name] = _joined(params[name])
    client = {f: _update_value(call, f, params[f]) for f in fields if f in params}
    # real server: an existing uid is never replaced (client.md §10.1)
    if data.not_blank(row.get("uid")):
        client["uid"] = row["uid"]
    changed = {k: v for k, v in client.items() if not data.loose_eq(v, _old_value(row, k))}
    out: dict[str, Any] = {"data": clid}
    messages = ["Данные корректны, но идентичны имеющимся."]
    if changed:
        now = _clock(call).now_str()
        # real server: addHistorty(untag => "no") only turns a literal \r\n into CR LF (history info shows it)
        des = _change_log(db, row, changed).replace("\\r\\n", "\r\n")
        # history.des is a utf8mb3 TEXT column like clientcat.des: an emoji is stored as "????" (golden 64)
        des = data.store_value("des", des)
        values = {k: data.store_value(k, v) for k, v in client.items()}
        table.update(clid, {**values, "date_edit": now, "editor": call.iduser})
        out["hid"] = db.add_history(datum=now, des=des, tip="ЛогCRM", iduser=call.iduser, clid=clid)
        messages = ["Успешно"]
        emit(
            call,
            "client.edit",
            {"clid": clid, "autor": call.iduser, "user": intval(params.get("iduser")), "newparam": changed},
        )
    recv = params.get("recv")
    if recv is not None and recv != [] and recv != {}:
        current = data.recv_slots(row)
        source = recv if isinstance(recv, dict) else {}
        for k in data.RECV_KEYS:
            # real server: clean() of an array slot crashes after the fields were saved (Client.php:1261)
            _text_arg(source.get(k), "inc/func.php", 790)
        slots = [
            clean(strval(source[k])) if source.get(k) is not None else (current[i] if i < len(current) else "")
            for i, k in enumerate(data.RECV_KEYS)
        ]
        table.update(clid, {"recv": data.store_value("recv", ";".join(slots))})
        messages.append("Реквизиты обновлены")
    out["result"] = "; ".join(messages)
    return out


# ------------------------------------------------------------------ delete


def delete_clid(value: Any) -> int:
    """``Client::delete(int $clid)``: PHP's coercion of the argument, or the TypeError page."""
    # real server: PHP's weak int coercion; "2abc", a 40-digit string or 1e19 is the TypeError (php8.2)
    number = int_param(value)
    if number is not None:
        return number
    given = php_type(value)
    raise Fatal(
        "TypeError",
        f"Salesman\\Client::delete(): Argument #1 ($clid) must be of type int, {given} given, "
        "called in {ROOT}/developer/v2/client.php on line 677 and defined",
        CLIENT_CLASS,
        1317,
    )


def delete(call: Call, clid: int) -> dict[str, Any]:
    db = call.db
    table = db.table("clientcat", "clid")
    if table.get(clid) is None:
        raise NotFound()
    if _linked(db, "dogovor", clid):
        raise HasDeals()
    _drop(db, "file", clid)
    persons = _linked(db, "personcat", clid)
    for name in ("personcat", "contract", "comments", "leads", "entry"):
        for r in _linked(db, name, clid):
            r["clid"] = 0
    history = _drop(db, "history", clid)
    for name in ("dogovor", "credit", "profile"):
        _drop(db, name, clid)
    tasks = _linked(db, "tasks", clid)
    for t in tasks:
        if intval(t.get("pid")) == 0:
            db.tables["tasks"].delete(t[db.tables["tasks"].id_key])
        else:
            t["clid"] = 0
    table.delete(clid)
    emit(call, "client.delete", {"clid": clid, "autor": call.iduser})
    # real server: files are removed by an earlier loop, so the counted files are always 0 (client.md §11)
    message = (
        f"Успешно: Клиент удален.<br>Также удалено {history} записи истории активностей. "
        f"Снята привязка к Клиенту у {len(persons)} Контактов. Удалено {len(tasks)} записей напоминаний. "
        "Удалено 0 файлов."
    )
    return {"message": message, "result": "Клиент удален", "data": clid}


def _linked(db: Any, name: str, clid: int) -> list[Row]:
    """Rows of another method's table that point at this client (real column ``clid``)."""
    t = db.tables.get(name)
    return [r for r in t if intval(r.get("clid")) == clid] if t is not None else []


def _drop(db: Any, name: str, clid: int) -> int:
    rows = _linked(db, name, clid)
    for r in rows:
        db.tables[name].delete(r[db.tables[name].id_key])
    return len(rows)
