"""Actions `add` and `update` of the deal method (deal.md §7, §8)."""

from __future__ import annotations

from typing import Any

from ...errors import CRMError, Fatal, sql_fatal
from ...php import floatval, intval, is_numeric, strval, trim, yexplode
from ...sanitize import field_clean, pre_format, untag
from ...store import Row
from ...wire import Call
from ..mysql import sql_parse_error
from ..person.store import current_client
from . import speka
from .common import (
    COLUMNS,
    FLOAT_COLUMNS,
    INT_COLUMNS,
    add_days,
    deals,
    direction_by_title,
    direction_default,
    now,
    php_empty_str,
    php_gt0,
    php_loose_eq,
    php_text,
    php_truthy,
    pid_list_str,
    pre_format_arg,
    step_by_title,
    step_rows,
    table,
    text_arg,
    tip_default,
    tip_get_or_create,
    today,
    user_by_login,
    user_uid,
    visible_deal,
    yimplode,
)
from .log import deal_log
from .mysql import store_row, strtotime_date
from .record import form_fields


class NoTitle(CRMError):
    code = 406
    text = "Отсутствуют параметры - Название сделки"


class NoClient(CRMError):
    code = 407
    text = "Клиент или Плательщик не найден."


class EmptyTitle(CRMError):
    code = 402
    text = "Отсутствуют параметры - Название сделки"


class NotFoundForUser(CRMError):
    code = 403
    text = "Сделка с указанным did не найдена в пределах аккаунта указанного пользователя."


class NoDid(CRMError):
    code = 402
    text = "Отсутствуют параметры - did сделки"


def deal_fields(call: Call) -> list[str]:
    """``dealFields()``: the keys add/update accept, in their processing order (deal.md §7.2)."""
    names: list[str] = []
    for f in form_fields(call):
        n = f["fld_name"]
        names += ["step", "idcategory"] if n == "idcategory" else ["marga" if n == "marg" else n]
    head = ["did", "uid", "datum", "datum_izm", "clid", "title"]
    tail = ["datum_start", "datum_end", "close", "datum_close", "status_close", "des_fact", "kol_fact", "category"]
    return head + names + tail


def _mc_default(call: Call) -> int:
    """``$mcDefault``: cached in cash/settings.all.json (0 on a fresh install), see Account.refresh_settings_cache."""
    return intval(call.db.settings_all.get("mcDefault"))


def _last_mcid(call: Call) -> int:
    """``Deal::add`` for ``(int)mcid == 0``: the mcid of the deal with the highest did, else 0."""
    rows = list(deals(call))
    return intval(max(rows, key=lambda r: r["did"]).get("mcid")) if rows else 0


def _php_num_cmp(value: Any, n: int) -> float | str:
    """How PHP 8 compares ``$value`` with the int ``n``: as numbers if numeric, else as strings."""
    if value is None or isinstance(value, bool):
        return float(bool(value))
    if isinstance(value, (int, float)) or is_numeric(value):
        return float(value)
    return strval(value)


def _joined(key: str, value: Any) -> Any:
    """``Deal::add`` joins an array value before its switch: ``trim(yimplode(", ", v))`` (``;`` for coid1/pid_list)."""
    if not isinstance(value, (list, dict)):
        return value
    return trim(yimplode(";" if key in ("coid1", "pid_list") else ", ", value))


def _php_lt1(value: Any) -> bool:
    """PHP 8 ``$value < 1``: numbers compare as numbers, other strings with ``"1"`` as strings."""
    cmp = _php_num_cmp(value, 1)
    return cmp < 1.0 if isinstance(cmp, float) else cmp < "1"


def _direction(call: Call, value: Any) -> Any:
    """``Deal::add``: ``(int)v == 0 && !empty(v)`` → lookup by name; then ``v == 0`` → the default."""
    if value is None:
        return direction_default(call)  # real server: $params['direction'] ?? $dirDefault
    value = _joined("direction", value)  # real server: an array is joined first ({"a":1} → "", stored 0)
    if intval(value) == 0 and php_truthy(value):
        value = direction_by_title(call, untag(text_arg(value)))
    cmp = _php_num_cmp(value, 0)
    # real server: "" == 0 is false in PHP 8, so direction="" stays "" (stored as 0); -1 stays -1
    return direction_default(call) if cmp == 0.0 or cmp == "0" else value


def _tip(call: Call, value: Any) -> Any:
    """``Deal::add``: a name creates the type; then ``v < 1`` (PHP 8 comparison) → the default."""
    if value is None:
        return tip_default(call)
    value = _joined("tip", value)
    if intval(value) == 0 and php_truthy(value):
        # real server: !empty() is checked before untag(), so " " or "<b></b>" creates a type without a title
        value = tip_get_or_create(call, untag(text_arg(value)), blank=True)
    # real server: "2abc" < 1 compares "2abc" < "1" as strings (false), so tip stays "2abc"
    return tip_default(call) if _php_lt1(value) else value


def _mcid(call: Call, value: Any) -> int:
    """``Deal::add``: ``(int)mcid == 0`` → the last deal's; in the loop ``v < 1`` → ``$mcDefault``, else ``(int)v``."""
    if intval(value) == 0:
        value = _last_mcid(call)
    value = _joined("mcid", value)  # real server: (int)["2"] is 1, but the loop sees the joined "2"
    mcid = _mc_default(call) if _php_lt1(value) else intval(value)
    return mcid or _mc_default(call)


def _blank_deal(call: Call) -> Row:
    row: Row = dict.fromkeys(COLUMNS)
    row.update(
        {"idcategory": 0, "clid": 0, "payer": 0, "pid": 0, "autor": 0, "tip": "0", "kol": 0.0, "close": "no"}
        | {"iduser": 0, "sid": 0, "kol_fact": 0.0, "co_kol": 0.0, "marga": 0.0, "isFrozen": 0, "mcid": 0}
        | {"direction": 0, "idcurrency": 0, "idcourse": 0, "lid": 0, "identity": call.db.identity}
    )
    return row


def _cleaned(value: Any) -> Any:
    """The ``default:`` branch of ``Deal::add``'s switch: ``$value != NULL ? fieldClean($value) : NULL``."""
    if php_loose_eq(value, None):
        return None  # real server: "", 0, false and a joined empty array are == NULL (the key leaves the hook)
    return field_clean(strval(value))


def _add_value(call: Call, key: str, value: Any) -> Any:
    if key == "title":
        return value
    if key == "iduser":
        return value
    if key == "pid_list":
        return _cleaned(pid_list_str(value))
    if key in ("kol", "marga"):
        return pre_format(value)
    if key == "payer":
        return intval(value)  # real server: (int) before and inside the loop (Deal::add)
    if key in ("datum_start", "datum_end"):
        # real server: `!= ''` ? untag(value) : NULL, then the loop's default branch (`!= NULL ? fieldClean`),
        # so " " untags to "" and leaves the hook (Deal::add; found by mockcrm diff)
        return None if php_empty_str(value) else _cleaned(untag(text_arg(value)))
    if key in ("datum_izm", "des_fact", "kol_fact"):
        return value  # real server: these cases only `break` (Deal::add)
    return _cleaned(value)


def add(call: Call) -> dict[str, Any]:
    p = dict(call.params)
    p["iduser"] = call.iduser if php_empty_str(p.get("user")) else user_by_login(call, p.get("user"))
    clients = table(call, "clientcat", "clid")
    found_clid = clients.get(intval(p.get("clid"))) is not None
    found_payer = clients.get(intval(p.get("payer"))) is not None
    if not (found_clid or found_payer):
        # real server: the 405 for missing clid/payer is always overwritten by this 407 (deal.md §7.1)
        raise NoClient()
    if php_empty_str(p.get("title")):
        raise NoTitle()
    if p.get("speka") is not None:  # real server: isset($params['speka']), so a null speka is absent (deal.php)
        p["calculate"] = "yes"
    if "clid" not in p and intval(p.get("payer")) > 0:
        p["clid"] = p["payer"]
    elif "payer" not in p and intval(p.get("clid")) > 0:
        p["payer"] = p["clid"]
    return _insert(call, p)


DEAL_CLASS = "inc/class/Deal.php"


def _add_arguments(p: dict[str, Any]) -> None:
    """The PHP 8 TypeErrors of ``Deal::add`` for array values, in the order it meets them."""
    if isinstance(p.get("datum_plan"), (list, dict)):
        # real server: strtotime($params['datum_plan']) refuses an array (Deal.php:656; found by mockcrm diff)
        raise Fatal(
            "TypeError", "strtotime(): Argument #1 ($datetime) must be of type string, array given", DEAL_CLASS, 656
        )
    for key in ("datum_start", "datum_end"):
        if php_truthy(p.get(key)) or isinstance(p.get(key), (list, dict)):
            text_arg(p[key])  # real server: untag() of a value != '' (an array is != '') (Deal.php:661-662)
    pre_format_arg(p["summa"] if "summa" in p else p.get("kol"), DEAL_CLASS, 667)
    pre_format_arg(p["marga"] if "marga" in p else p.get("marg"), DEAL_CLASS, 668)


def _payer_clid(p: dict[str, Any]) -> None:
    """``Deal::add`` settles payer and clid before its loop: payer is always an int from then on."""
    p["payer"] = intval(p.get("clid")) if intval(p.get("payer")) < 1 else intval(p.get("payer"))
    if p["payer"] > 0 and intval(p.get("clid")) == 0 and intval(p.get("pid")) == 0:
        p["clid"] = p["payer"]  # real server: clid "", 0, "abc" or [] takes the payer (Deal::add)
    if p["payer"] == 0 and intval(p.get("clid")) > 0:
        p["payer"] = intval(p["clid"])


def _insert(call: Call, p: dict[str, Any]) -> dict[str, Any]:
    _add_arguments(p)
    if "status_close" in p:
        raise sql_fatal("Unknown column 'status_close' in 'INSERT INTO'")
    title = untag(text_arg(p.get("title") if php_truthy(p.get("title")) else p.get("title_dog")))
    if title == "":
        raise EmptyTitle()
    settings = call.db.settings
    # real server: dNum is only counted up after the INSERT succeeded (Deal::add)
    num = intval(settings.get("dNum")) + 1
    title = strval(settings.get("dFormat") or "СД{cnum}").replace("{cnum}", str(num)) + ": " + title
    _payer_clid(p)
    accepted = deal_fields(call) + ["coid1", "pid_list", "idcourse", "idcurrency"]
    newparam: dict[str, Any] = {}
    for key, value in p.items():
        if key not in accepted:
            continue
        if key not in ("payer", "mcid"):  # real server: (int) casts of the raw value come first for these
            value = _joined(key, value)
        name = "idcategory" if key in ("step", "category") else key
        if key == "step":
            newparam[name] = step_by_title(call, value)
        elif key == "category":
            # real server: (int)category, 0 → otherSettings dealStepDefault (Deal::add)
            newparam[name] = intval(value) or intval(call.db.other_settings.get("dealStepDefault"))
        else:
            newparam[name] = _add_value(call, name, value)
    newparam["title"] = title
    if "payer" in newparam and newparam["payer"] < 1:
        newparam["payer"] = intval(p.get("clid"))  # real server: payer < 1 → (int)clid (Deal::add)
    # real server: date('Y-m-d', strtotime(datum_plan)); a false strtotime gives the default (Deal::add)
    assert call.backend is not None
    given = p.get("datum_plan")
    plan = strtotime_date(given, call.db.timezone, call.backend.clock.now()) if given is not None else None
    period = intval(call.db.other_settings.get("dealPeriodDefault") or 14)
    defaults: list[tuple[str, Any]] = [
        ("datum_plan", plan or add_days(today(call), period)),
        ("kol", pre_format(p["summa"] if "summa" in p else p.get("kol", 0))),
        ("marga", pre_format(p["marga"] if "marga" in p else p.get("marg", 0))),
        ("direction", _direction(call, p.get("direction"))),
        ("tip", _tip(call, p.get("tip"))),
        ("close", "no"),
        ("mcid", _mcid(call, p.get("mcid"))),
        ("pid", intval(p.get("pid"))),
        ("calculate", p.get("calculate", "no")),
        ("datum", today(call)),
        ("autor", call.iduser),
        ("identity", call.db.identity),
        ("idcategory", 0),
        ("idcurrency", 0),
        ("idcourse", 0),
    ]
    for key, value in defaults:
        if key in ("datum_plan", "direction", "tip", "mcid", "kol", "marga") and key in newparam:
            newparam[key] = value
        elif key not in newparam or key in ("pid", "calculate", "datum", "autor", "identity"):
            newparam[key] = value
    if intval(newparam.get("idcategory")) == 0 and p.get("category") is not None:
        newparam["idcategory"] = intval(p["category"])
    elif intval(newparam.get("idcategory")) == 0 and p.get("step") is not None:
        # real server: a second try with getStep((int)step), so step="" or "abc" finds the step titled 0
        newparam["idcategory"] = step_by_title(call, intval(p["step"]))
    if intval(newparam.get("idcategory")) == 0:
        newparam["idcategory"] = 0  # real server: (int)$mFunnel['default'], 0 without multisteps (Deal::add)
    if "summa" in p and "kol" in newparam:
        newparam["kol"] = pre_format(p["summa"])
    # real server: (int)idcurrency == 0 → 0; without both a currency and a course the course is 0
    newparam["idcurrency"] = newparam["idcurrency"] if intval(newparam.get("idcurrency")) else 0
    if not intval(newparam["idcurrency"]) or not intval(newparam.get("idcourse")):
        newparam["idcourse"] = 0
    row = _blank_deal(call)
    row.update(store_row({k: v for k, v in newparam.items() if k in row}))
    row["did"] = row["did"] or None  # real server: INSERT ... did = '0' (or NULL) takes the next AUTO_INCREMENT
    if row["did"] is not None and deals(call).get(row["did"]) is not None:
        raise sql_fatal(f"Duplicate entry '{row['did']}' for key 'PRIMARY'")
    did = deals(call).insert(row)
    settings["dNum"] = str(num)
    newparam["did"] = did
    newparam["uids"] = _copy_client_uids(call, intval(row["clid"]), did)
    out: dict[str, Any] = {"result": "Успешно", "data": did}
    # real server: this history row carries the client but no did, so deleting the deal keeps it (golden 12);
    # Deal::add writes it before the specification, which may still crash; its clid is (int)$params['clid'],
    # not the row's: a clid array is 1 there while the deal's INT column gets 0 (scenario 124)
    call.db.add_history(
        datum=now(call), des="Добавлена сделка", tip="СобытиеCRM", iduser=call.iduser, clid=intval(p.get("clid"))
    )
    if php_truthy(p.get("speka")):
        # real server: only a non-empty speka reaches Speka::mass; its text is "" when an item failed
        out["text"] = [speka.add_items(call, did, p["speka"])]
    call.emit(
        "deal.add", {"did": did, "autor": call.iduser, "userUID": user_uid(call, call.iduser), "newparam": newparam}
    )
    return out


def _copy_client_uids(call: Call, clid: int, did: int) -> list[dict[str, Any]]:
    """Deal::add: ``UIDs::info(['clid' => clid])`` goes into the deal.add payload, and each of those
    external ids is added again for the new deal (``UIDs::add`` with clid, did, name, value)."""
    if clid <= 0:
        return []  # real server: UIDs::info without a condition is an Error, so uids stays unset ([] here)
    uids = table(call, "uids", "id")
    found = [r for r in uids.where(lambda r: intval(r.get("clid")) == clid)]
    # real server: the client's uids (e.g. from a lead) reach the deal.add webhook (found by mockcrm diff)
    listed = [
        {"datum": r.get("datum"), "name": r.get("name"), "value": r.get("value"), "eid": intval(r.get("eid")),
         "clid": intval(r.get("clid")), "did": intval(r.get("did"))}
        for r in found
    ]  # fmt: skip
    for r in found:
        uids.insert({"id": None, "datum": now(call), "name": r.get("name"), "value": r.get("value"), "lid": 0,
                     "eid": 0, "clid": clid, "did": did, "identity": call.db.identity})  # fmt: skip
    return listed


# ------------------------------------------------------------------ update


def update(call: Call) -> dict[str, Any]:
    p = dict(call.params)
    p.pop("step", None)
    p.pop("idcategory", None)
    uid = untag(text_arg(p.get("uid")))  # real server: the first line of update, before any lookup (deal.php:1045)
    if intval(p.get("did")) > 0:
        deal = visible_deal(call, did=p.get("did"))
    elif uid != "":
        deal = visible_deal(call, uid=uid)
    else:
        # real server: no id condition at all → the first visible deal (deal.md §8)
        deal = _first_visible(call)
    if deal is None:
        raise NotFoundForUser()
    if p.get("speka") is not None:  # real server: isset($params['speka']), so a null speka is absent (deal.php)
        p["calculate"] = "yes"
    if "pid_list" in p and not isinstance(p["pid_list"], (list, dict)):
        p["pid_list"] = strval(p["pid_list"]).replace(",", ";")
    if "clid" not in p and intval(p.get("payer")) > 0:
        p["clid"] = intval(p["payer"])
    elif "payer" not in p and intval(p.get("clid")) > 0:
        p["payer"] = intval(p["clid"])
    did = intval(p.get("did"))
    if did <= 0:
        raise NoDid()
    return _fullupdate(call, did, p)


def _first_visible(call: Call) -> Row | None:
    seen = set(call.db.people(call.iduser))
    rows = sorted((d for d in deals(call) if intval(d.get("iduser")) in seen), key=lambda d: d["did"])
    return rows[0] if rows else None


def _differs(old: Any, new: Any) -> bool:
    return not php_loose_eq(old, new)


def _pid_list_differs(old: Any, new: Any) -> bool:
    """doLogger() compares the contact lists as arrays: yexplode()d, element by element (recorded: an
    unchanged list is no change, deal.md §13)."""
    before = old if isinstance(old, list) else yexplode(";", old)
    after = new if isinstance(new, list) else yexplode(";", new)
    return len(before) != len(after) or any(not php_loose_eq(a, b) for a, b in zip(before, after, strict=True))


def _dog_info(row: Row) -> dict[str, Any]:
    """``get_dog_info($did, 'yes')``: the row with int/float columns cast and the content's newlines as <br>."""
    out = dict(row)
    for key, value in row.items():
        if key in INT_COLUMNS:
            out[key] = intval(value)
        elif key in FLOAT_COLUMNS:
            out[key] = floatval(value)
    out["content"] = strval(row.get("content")).replace("\n", "<br>")
    return out


def _update_value(call: Call, field: str, p: dict[str, Any], old: Row) -> Any:
    v = p[field]
    if field == "title":
        return untag(strval(v))
    if field == "payer":
        # real server: a non-empty payer is (int)-cast first (Deal::fullupdate: $params['payer'] = (int)...)
        return intval(p.get("clid")) if not php_gt0(v) else intval(v)
    if field == "mcid":
        return _mc_default(call) if _php_lt1(v) else intval(v)  # real server: `$v < 1 ? $mcDefault : (int)$v`
    if field in ("idcourse", "idcurrency"):
        return intval(v)
    if field in ("kol", "marga"):
        return pre_format(v)
    if field in ("direction", "tip"):
        if intval(v) == 0 and v not in (None, "", 0, "0", False):
            resolved = (
                direction_by_title(call, untag(strval(v)))
                if field == "direction"
                else tip_get_or_create(call, untag(strval(v)))
            )
        else:
            resolved = intval(v)
        # real server: a name gives (int)0 here, so the default wins after the lookup (deal.md §8)
        if intval(v) == 0:
            resolved = direction_default(call) if field == "direction" else tip_default(call)
        return resolved
    return field_clean(strval(v))


def _fullupdate(call: Call, did: int, p: dict[str, Any]) -> dict[str, Any]:
    old = dict(deals(call).get(did) or {})
    p["marga"] = pre_format(p["marg"] if "marg" in p else p.get("marga"))
    p.pop("marg", None)
    if php_truthy(p.get("payer")):
        p["payer"] = intval(p["payer"])  # real server: `!empty(payer)` → (int), before arrays are joined
    fields = deal_fields(call) + ["coid1", "pid_list", "calculate", "idcourse", "idcurrency"]
    new: dict[str, Any] = {}
    moved: dict[str, Any] = {}
    has_title = p.get("title") is not None or p.get("title_dog") is not None
    if has_title:
        # real server: a falsy title ("", "0", 0) takes title_dog, else "" (Deal::fullupdate)
        p["title"] = untag(text_arg(p.get("title") if php_truthy(p.get("title")) else p.get("title_dog")))
        if not php_truthy(p["title"]):
            # real server: `$deal['title'] = $dealOld['title']` comes first, so title leads the hook's newparam
            # even though the loop below sets it to "" (Deal::fullupdate; found by mockcrm diff, seed 901153)
            new["title"] = old.get("title")
        new.update({"zayavka": 0, "ztitle": ""})
    if p.get("direction") is not None and p.get("tip") is not None:
        # real server: with both given, a direction *name* goes through the step lookup (deal.md §8)
        # real server: is_numeric() is false for booleans and arrays, so they reach untag() (an array crashes)
        p["direction"] = (
            intval(p["direction"])
            if is_numeric(p["direction"]) and not isinstance(p["direction"], bool)
            else step_by_title(call, untag(text_arg(p["direction"])))
        )
        p["tip"] = (
            intval(p["tip"])
            if is_numeric(p["tip"]) and not isinstance(p["tip"], bool)
            else tip_get_or_create(call, untag(text_arg(p["tip"])), blank=True)
        )
        d, t = intval(p["direction"]), intval(p["tip"])
        if (d > 0 and t == 0) or (t > 0 and d == 0):
            # real server: without multisteps getMultiStepList() answers no 'steps' for a lone direction or
            # type, and array_keys(null) is a TypeError (Deal.php:1812)
            message = "array_keys(): Argument #1 ($array) must be of type array, null given"
            raise Fatal("TypeError", message, DEAL_CLASS, 1812)
        # real server: the funnel of that pair is checked; a deal whose step is not in it (no step at all,
        # as API-made deals have) is put on the funnel's first step (Deal::fullupdate, getMultiStepList)
        current, ids = intval(old.get("idcategory")), [intval(r["idcategory"]) for r in step_rows(call)]
        new["idcategory"] = current
        if ids and current not in ids:
            new["idcategory"] = moved["idcategory"] = ids[0]
    p.setdefault("pid_list", "")
    p.setdefault("coid1", "")
    skip = {
        "idcategory",
        "category",
        "step",
        "sid",
        "close",
        "kol_fact",
        "datum_close",
        "status_close",
        "datum_izm",
        "des_fact",
    }
    for field in fields:
        if field not in p or field in skip:
            continue
        if isinstance(p[field], (list, dict)):
            sep = ";" if field in ("coid1", "pid_list") else ", "
            p[field] = trim(yimplode(sep, p[field]))
        new[field] = _update_value(call, field, p, old)
    new.pop("did", None)
    new.pop("datum", None)
    if "calculate" in p:
        new["calculate"] = p["calculate"]
    compare = moved | {k: v for k, v in new.items() if k not in ("did", "idcategory", "kol", "marga")}
    if p.get("calculate") != "yes" and has_title:
        for key in ("kol", "marga"):
            if p.get(key) not in (None, "", 0, 0.0, "0", False):
                compare[key] = pre_format(p[key])
                new[key] = compare[key]
    if "uid" not in p:
        compare.pop("uid", None)
    # real server: the old values come from get_dog_info(), which casts int/float columns (NULL clid is 0,
    # so clid=[] or "" reads as a change in PHP 8) and turns the content's newlines into <br>
    seen = _dog_info(old)
    changed = [k for k, v in compare.items() if (_pid_list_differs if k == "pid_list" else _differs)(seen.get(k), v)]
    if not changed:
        return {"result": "Данные корректны, но идентичны имеющимся.", "data": did, "error": {"code": 302}}
    if "clid" in changed:
        # real server: doLogger() names the new client with current_client(), which pastes the raw
        # value into its SQL: "1'x" is an uncaught syntax error (func.helpers.php doLogger; a payer
        # "1'x" passes, observed)
        current_client(call.db, compare["clid"])
    new["datum_izm"] = today(call)
    new["pid"] = intval(p.get("pid")) if php_gt0(p.get("pid")) else 0
    new["uid"] = old.get("uid") if old.get("uid") not in (None, "") else new.get("uid")
    if p.get("calculate") == "no" and old.get("calculate") == "yes":
        speka.drop_items(call, did)
    deals(call).update(did, store_row({k: v for k, v in new.items() if k in COLUMNS}))
    speka.recalculate(call, did)
    log = deal_log(call, changed, seen, compare)
    call.db.add_history(
        datum=now(call), des=log, tip="ЛогCRM", iduser=call.iduser, clid=intval(p.get("clid")),
        pid=strval(intval(p.get("pid"))), did=did,
    )  # fmt: skip
    for query in (
        f"select title from app_clientcat where clid='{php_text(p.get('clid'))}' and identity = '{call.db.identity}'",
        f"SELECT person FROM app_personcat WHERE pid = '{php_text(p.get('pid'))}' AND identity = '{call.db.identity}'",
    ):
        # real server: sendNotify() gets getClientData/getPersonData of the raw clid and pid inside the
        # try: a quote there is caught as error 500 after the UPDATE and the log, and no event fires
        fatal = sql_parse_error(query)
        if fatal is not None:
            return {"result": "Error", "data": did, "error": {"code": 500, "text": fatal.message}}
    # real server: the event's list compares the stored contact list as an array, so pid_list is always in it
    # (deal.md §13)
    diff = {k: v for k, v in compare.items() if k == "pid_list" or not php_loose_eq(seen.get(k), v)}
    call.emit("deal.edit", {"did": did, "autor": call.iduser, "newparam": diff})
    return {"result": "Готово", "data": did}
