"""Method `user` (other-methods.md §2): one employee, the employee list, adding an employee.

No visibility rules: any caller sees every user of the account, active or blocked.
"""

from __future__ import annotations

from typing import Any

from ... import php
from ...errors import CRMError, escape_fatal, sql_syntax_fatal, type_fatal
from ...sanitize import untag
from ...store import Row
from ...wire import Call
from ..lead.match import ne_empty, null_clean, sql_eq
from ..mysql import raise_on_parse_error
from .sql import current_userbylogin


class UnknownUserAction(CRMError):
    # real server: user.php answers 402 with the code as a string (other-methods.md §0.2)
    code = "402"
    text = "Неизвестный метод"


class UserNotFound(CRMError):
    # real server: no "result" key, string code (other-methods.md §2)
    code = "404"
    text = "Пользователь не найден"
    with_result = False


class LoginExists(CRMError):
    code = "406"
    text = "Ошибка: Такой логин уже существует"


class DbFailure(CRMError):
    code = "500"


#: real server: user.add inserts into "{prefix}USER"; on case-sensitive table names (the reference
#: install) MySQL answers error 1146 (other-methods.md §2, golden 13-guides-user-history)
MISSING_TABLE = "Table 'salesman.app_USER' doesn't exist в строке 1146"

#: the access defaults user.add writes for every new employee
NEW_USER_DEFAULTS: Row = {
    "acs_analitics": "on",
    "acs_maillist": "",
    "acs_files": "on",
    "acs_price": "on",
    "acs_credit": "",
    "acs_prava": "",
    "tzone": "0:00",
    "viget_on": "on;on;on;on;on;on;on;on;on;on;on;on;on;on",
    "viget_order": "d1;d2;d3;d4;d5;d6;d7;d8;d9;d10;d11;d12;d13;d14",
    "secrty": "yes",
    "acs_import": "off;on;off;off;off;off;off;off;on;on;on;on;on;on;on;on;on;off;off",
    "show_marga": "yes",
    "acs_plan": "on",
}


def _users(call: Call) -> list[Row]:
    return [call.db.users.rows[k] for k in sorted(call.db.users.rows)]


def _oid(call: Call, otdel: Any) -> Any:
    """``uid`` of the user's department; ``false`` (getOne's "no row") when there is none."""
    dept = call.db.table("otdel_cat", "idcategory").get(php.intval(otdel)) if otdel not in (None, "") else None
    return dept.get("uid") if dept else False


def _selector(call: Call) -> tuple[str, str]:
    """The first non-empty of uid / user (login) / iduser, as the column and the quoted text."""
    for param, column in (("uid", "uid"), ("user", "login"), ("iduser", "iduser")):
        value = call.get(param)
        if ne_empty(value):
            return column, php.strval(value)
    # real server: "WHERE  and identity = …" is invalid SQL (other-methods.md §2)
    raise sql_syntax_fatal(f"and identity = '{call.db.identity}'")


def _matches(row: Row, column: str, text: str) -> bool:
    if column == "iduser":
        # MySQL compares the quoted text with the int column as a number
        return php.floatval(row.get("iduser")) == php.floatval(text)
    return sql_eq(row.get(column), text)


# ------------------------------------------------------------------ actions


def user(call: Call) -> Any:
    column, text = _selector(call)
    if "'" in text:
        # the value is pasted into the SQL unescaped (JSON mode skips Cleaner)
        raise sql_syntax_fatal(text[text.index("'") + 1 :] + f"' and identity = '{call.db.identity}'")
    found = next((u for u in _users(call) if _matches(u, column, text)), None)
    if not found or not found.get("login"):
        raise UserNotFound()
    return {
        "data": {
            "iduser": php.intval(found.get("iduser")),
            "uid": found.get("uid"),
            "oid": _oid(call, found.get("otdel")),
            "title": found.get("title"),
            "login": found.get("login"),
            "active": found.get("secrty"),
            "tip": found.get("tip"),
            "user_post": found.get("user_post"),
            "email": found.get("email"),
            "phone": found.get("phone"),
            "phone_in": found.get("phone_in"),
            "mob": found.get("mob"),
        }
    }


def user_list(call: Call) -> Any:
    data = [
        {
            "iduser": php.intval(u.get("iduser")),
            "uid": u.get("uid"),
            "oid": _oid(call, u.get("otdel")),
            "title": u.get("title"),
            "login": u.get("login"),
            "email": u.get("email"),
            "active": u.get("secrty"),
        }
        for u in _users(call)
    ]
    return {"data": data} if data else {}


def _new_user_row(call: Call, login: str) -> Row:
    """The row user.add writes (every value text, like the fixture rows)."""
    p = call.params
    boss = next((u for u in _users(call) if u.get("tip") == "Руководитель организации"), None)
    if ne_empty(p.get("boss")):
        chief = call.db.user_by_login(p.get("boss"))
        mid = php.strval(chief.get("iduser")) if chief else "0"
    else:
        mid = php.strval(boss.get("iduser")) if boss else ""
    otdel = next(
        (d for d in call.db.table("otdel_cat", "idcategory") if sql_eq(d.get("uid"), php.strval(p.get("otdel")))), None
    )
    row: Row = {
        "iduser": None,
        "login": login,
        "title": untag(php.strval(p.get("title"))),
        "tip": php.strval(p.get("tip")) if ne_empty(p.get("tip")) else "Менеджер продаж",
        "mid": mid,
        "otdel": php.strval(otdel.get("idcategory")) if otdel else None,
        # real server: the e-mail goes to an undefined variable and is lost (other-methods.md §2)
        "email": None,
        "phone": untag(php.strval(p.get("phone"))),
        "fax": untag(php.strval(p.get("fax"))),
        "mob": untag(php.strval(p.get("mob"))),
        "bday": php.strval(p.get("bday")),
        "user_post": untag(php.strval(p.get("user_post"))),
        "uid": untag(php.strval(p.get("uid"))),
        **NEW_USER_DEFAULTS,
        "identity": str(call.db.identity),
    }
    return null_clean(row)


def _untag(call: Call, name: str) -> str:
    value = call.get(name)
    if isinstance(value, (dict, list)):
        # real server: untag() hands the array to strip_tags() (inc/func.php:660)
        raise type_fatal("strip_tags(): Argument #1 ($string) must be of type string, array given", "inc/func.php", 660)
    return untag(php.strval(value))


def user_add(call: Call) -> Any:
    # real server: user.php reads the parameters in this order before anything else (user.php:228-251); the
    # boss login and the otdel uid are pasted into SQL on the way, so a raw quote (JSON) is MariaDB's syntax
    # error there (found by mockcrm diff, seed 5000172)
    login = _untag(call, "user")
    _untag(call, "title")
    if ne_empty(call.get("boss")):
        current_userbylogin(call.db, call.get("boss"))
    _untag(call, "email")
    raise_on_parse_error(
        f"SELECT idcategory FROM app_otdel_cat WHERE uid = '{php.strval(call.get('otdel'))}' "
        f"and identity = '{call.db.identity}'"
    )
    for name in ("phone", "phone_in", "fax", "mob", "user_post", "uid"):
        _untag(call, name)
    backend = call.backend
    accounts = list(backend.accounts.values()) if backend else [call.db]
    # real server: logins are unique across all accounts
    if any(sql_eq(u.get("login"), login) for a in accounts for u in a.users):
        raise LoginExists()
    if any(isinstance(call.get(k), (dict, list)) for k in ("tip", "bday")):
        # real server: raw arrays reach SafeMySQL's ?u, which escapes before MySQL sees the table name
        raise escape_fatal()
    if not getattr(call.db, "lower_case_table_names", 0):
        raise DbFailure(MISSING_TABLE)
    users = call.db.users
    iduser = users.insert(_new_user_row(call, login))
    users.update(iduser, {"iduser": str(iduser)})
    return {"result": "Success", "data": iduser}


UNKNOWN_ACTION = UnknownUserAction
#: real server: loose in_array + switch let JSON ``true`` run the first case (other-methods.md §0.2)
LOOSE_TRUE_ACTION = "user"

ACTIONS = {
    "user": user,
    "user.list": user_list,
    "user.add": user_add,
}
