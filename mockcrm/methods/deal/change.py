"""Actions `change.step`, `change.close`, `change.user` and `delete` (deal.md §9-§11)."""

from __future__ import annotations

from typing import Any

from ...errors import CRMError
from ...php import intval, strval
from ...sanitize import untag
from ...store import Row
from ...wire import Call
from .common import (
    DEAL_CLASS,
    deals,
    int_arg_ok,
    now,
    php_empty_str,
    php_gt0,
    php_loose_eq,
    pre_format_arg,
    status_by_title,
    status_row,
    status_sql_check,
    step_by_title,
    step_name,
    step_rows,
    table,
    text_arg,
    today,
    type_fatal_arg,
    user_by_login,
    user_title,
    visible_deal,
)
from .mysql import store_date, store_row
from .write import NotFoundForUser


class NoStep(CRMError):
    code = 405
    text = "Отсутствуют параметры - Новый этап"


class SameStep(CRMError):
    code = 302
    text = "Данные корректны, но идентичны имеющимся"


class NoDidParam(CRMError):
    code = 406
    text = "Отсутствуют параметры - did сделки"


class CloseNoDid(CRMError):
    code = "405"  # real server: string code here (deal.md §10)
    text = "Отсутствуют параметры - did сделки"


class CloseError(CRMError):
    """change.close errors repeat their text in "data", before "error" (deal.md §10)."""

    def body(self) -> dict[str, Any]:
        return {"result": "Error", "data": self.text, "error": {"code": self.code, "text": self.text}}


class HasInvoices(CRMError):
    code = "407"  # real server: string code here (deal.md §11.2)
    text = "Не возможно удалить сделку - есть счета"


def _lookup(call: Call) -> Row | None:
    """did (when > 0) else uid, with visibility; neither → the SQL crash (deal.md §9)."""
    did, uid = call.get("did"), untag(strval(call.get("uid")))
    if php_gt0(did):
        return visible_deal(call, did=did)
    if uid != "":
        return visible_deal(call, uid=uid)
    return visible_deal(call)


def change_step(call: Call) -> dict[str, Any]:
    deal = _lookup(call)
    did_param = call.get("did")
    try:
        if deal is None:
            raise NotFoundForUser()
        if php_empty_str(call.get("step")):
            raise NoStep()
        new_id = step_by_title(call, call.get("step"))
        if not int_arg_ok(did_param):
            raise type_fatal_arg("changestep", did_param, 1135, 2654)
        return _changestep(call, intval(did_param), new_id)
    except CRMError:
        if php_empty_str(did_param):
            # real server: the missing-did check runs last and overwrites the answer (deal.md §9)
            raise NoDidParam() from None
        raise


def _changestep(call: Call, did: int, new_id: int) -> dict[str, Any]:
    deal = deals(call).get(did)
    assert deal is not None
    text_arg(call.get("description"))  # real server: untag(description) comes first and crashes on arrays
    old_name, new_name = step_name(call, deal.get("idcategory")), step_name(call, new_id)
    if strval(old_name) == strval(new_name):
        raise SameStep()
    deals(call).update(did, {"idcategory": new_id})
    # golden 12-transports: the description is untag()-ed (JSON quotes vanish, Cleaner's ” stay)
    comment = untag(strval(call.get("description")))
    text = f"Этап сделки изменен на {strval(new_name)}%. Предыдущий этап {strval(old_name)}%."
    call.db.add_history(
        datum=now(call),
        des=text + "Примечание: " + (comment or "Причина не указана"),
        tip="СобытиеCRM",
        iduser=call.iduser,
        did=did,
    )
    call.emit(
        "deal.change.step",
        {
            "did": did,
            "autor": call.iduser,
            "stepOld": old_name,
            "stepNew": new_name,
            "reason": comment,
            "comment": comment,
        },
    )
    return {"result": text, "data": did}


def change_close(call: Call) -> dict[str, Any]:
    did_param = call.get("did")
    if not int_arg_ok(did_param):
        raise type_fatal_arg("changeClose", did_param, 1153, 2881)
    did = intval(did_param)
    if did <= 0:  # real server: every branch of changeClose() needs $did > 0
        raise CloseNoDid()
    deal = deals(call).get(did)
    if deal is None:
        raise CloseError("Сделка не найдена", 403)
    if intval(deal.get("sid")) > 0:
        raise CloseError("Сделка уже закрыта", 407)
    # real server: the values are read in this order, so the first array among them is the TypeError shown
    # (strip_tags() in untag(), pre_format() typed ?string; Deal::changeClose lines 2919-2926)
    # real server: untag(datum) when datum != '' (an array crashes in strip_tags), else today
    datum = untag(text_arg(call.get("datum"))) if not php_empty_str(call.get("datum")) else today(call)
    des_fact = untag(text_arg(call.get("des_fact")))
    co_kol = pre_format_arg(call.get("co_kol"), DEAL_CLASS, 2923)
    marga_given = call.get("marga")
    marga = pre_format_arg(marga_given, DEAL_CLASS, 2925) if marga_given is not None else float(deal.get("marga") or 0)
    # real server: isset() decides, so kol_fact='' means 0, not the deal's kol (Deal::changeClose)
    kol_given = call.get("kol_fact")
    kol_fact = pre_format_arg(kol_given, DEAL_CLASS, 2926) if kol_given is not None else float(deal.get("kol") or 0)
    sid = intval(call.get("sid"))
    by_sid = sid > 0
    if not by_sid:
        sid = 0
        if call.get("status_close"):
            # real server: getStatusClose() gets the raw value; a quote in it breaks its SQL
            status_sql_check(call, call.get("status_close"))
            sid = status_by_title(call, untag(strval(call.get("status_close"))))
    status = status_row(call, sid)
    title = strval(status.get("title")) if status else ""
    # real server: des_fact is replaced by the untagged description whenever that is set (isset)
    if call.get("description") is not None:
        des_fact = untag(text_arg(call.get("description")))
    if by_sid and status and status.get("result_close") == "lose":
        marga = 0.0
    values: dict[str, Any] = {
        "close": "yes",
        "datum_close": datum,
        "sid": sid,
        "des_fact": des_fact,
        "coid": intval(call.get("coid")),  # real server: (int)coid into the VARCHAR(12) column
        "co_kol": co_kol,
        "kol_fact": kol_fact,
        "marga": marga,
    }
    rows = step_rows(call)
    last = intval(rows[-1]["idcategory"]) if rows else 0
    if kol_fact > 0 and last and intval(deal.get("idcategory")) != last:
        values["idcategory"] = last
    deals(call).update(did, store_row(values))
    client = table(call, "clientcat", "clid").get(deal.get("clid"))
    if client is not None:
        client["last_dog"] = store_date(datum)
    text = "Сделка закрыта со статусом " + title
    call.db.add_history(datum=now(call), des=text, tip="СобытиеCRM", iduser=call.iduser, did=did)
    call.emit(
        "deal.close",
        {
            "did": did,
            "autor": call.iduser,
            "summa": kol_fact,
            "status": title if status else False,
            "identity": call.db.identity,
        },
    )
    return {"result": "Ok", "data": text}


def change_user(call: Call) -> dict[str, Any]:
    deal = _lookup(call)
    did_param = call.get("did")
    try:
        if deal is None:
            raise NotFoundForUser()
        user = call.get("user")
        newuser = call.iduser if php_empty_str(user) else user_by_login(call, user)
        did = intval(did_param)
        if did <= 0:
            raise CloseNoDid()
        return _changeuser(call, did, newuser)
    except CRMError:
        if php_empty_str(did_param):
            raise NoDidParam() from None
        raise


def _send_flag(call: Call, name: str) -> bool:
    # real server: loose == "yes" (PHP 8), so JSON true counts and 1 does not
    return php_loose_eq(call.get(f"{name}.send"), "yes") or php_loose_eq(call.get(f"{name}_send"), "yes")


def _changeuser(call: Call, did: int, newuser: int) -> dict[str, Any]:
    deal = deals(call).get(did)
    assert deal is not None
    olduser, clid = deal.get("iduser"), intval(deal.get("clid"))
    # real server: $reazon = reason == '' ? 'не указано' : reason, raw (an array reaches the event as is)
    raw_reason = call.get("reason")
    reason = "не указано" if php_empty_str(raw_reason) else strval(raw_reason)
    deals(call).update(did, {"iduser": newuser})
    mes: list[str] = []
    client = table(call, "clientcat", "clid").get(clid) if clid else None
    if clid > 0 and _send_flag(call, "client"):
        if client is not None:
            client["iduser"] = newuser if isinstance(client.get("iduser"), int) else str(newuser)
        des = "Передача со сделкой. Причина: " + reason
        call.db.add_history(datum=now(call), des=des, tip="СобытиеCRM", iduser=call.iduser, clid=clid)
    else:
        mes.append("Клиент не переведен")
    if clid > 0 and _send_flag(call, "person"):
        for person in table(call, "personcat", "pid").where(lambda r: intval(r.get("clid")) == clid):
            person["iduser"] = newuser if isinstance(person.get("iduser"), int) else str(newuser)
            des = "Передача со сделкой. Причина: " + reason
            call.db.add_history(datum=now(call), des=des, tip="СобытиеCRM", iduser=call.iduser, pid=str(person["pid"]))
    else:
        mes.append("Контакты не переведены")
    todo_send = call.get("todo_send")
    if todo_send is True or todo_send == "yes":
        # real server: the old owner's tasks of the deal go to the new one (Deal::changeuser, golden 44)
        for task in table(call, "tasks", "tid").where(
            lambda r: intval(r.get("did")) == did and intval(r.get("iduser")) == intval(olduser)
        ):
            task["iduser"] = intval(newuser)
    for credit in table(call, "credit", "crid").where(lambda r: intval(r.get("did")) == did and r.get("do") != "on"):
        credit["idowner"] = newuser
    des = (
        f"Смена Ответственного: {user_title(call, olduser)}&rarr;{user_title(call, newuser)}. "
        f"Причина: {reason}. Изменил: {user_title(call, call.iduser)}"
    )
    call.db.add_history(datum=now(call), des=des, tip="СобытиеCRM", iduser=call.iduser, did=did)
    call.emit(
        "deal.change.user",
        {
            "did": did,
            "autor": call.iduser,
            "olduser": strval(olduser),
            "newuser": newuser,
            "comment": reason if php_empty_str(raw_reason) else raw_reason,
        },
    )
    return {"result": "Успешно. " + "<br>".join(mes), "data": did}


def delete(call: Call) -> dict[str, Any]:
    text_arg(call.get("uid"))  # real server: the first line of delete is untag($params["uid"]) (deal.php:1222)
    deal = _lookup(call)
    did_param = call.get("did")
    try:
        if deal is None:
            raise NotFoundForUser()
        if not int_arg_ok(did_param):
            raise type_fatal_arg("delete", did_param, 1246, 2212)
        return _delete(call, intval(did_param))
    except CRMError:
        if php_empty_str(did_param):
            raise NoDidParam() from None
        raise


def _delete(call: Call, did: int) -> dict[str, Any]:
    credits = table(call, "credit", "crid")
    if credits.first(lambda r: intval(r.get("did")) == did):
        raise HasInvoices()
    for name, id_key in (("contract", "deid"), ("leads", "id"), ("tasks", "tid"), ("entry", "ide"), ("comments", "id")):
        for row in table(call, name, id_key).where(lambda r: intval(r.get("did")) == did):
            row["did"] = 0
    for name, id_key in (("history", "cid"), ("speca", "spid"), ("file", "fid"), ("credit", "crid")):
        t = table(call, name, id_key)
        for row in t.where(lambda r: intval(r.get("did")) == did):
            t.delete(row[id_key])
    deals(call).delete(did)
    call.emit("deal.delete", {"did": did, "autor": call.iduser})
    return {"result": "Сделка удалена", "data": did}
