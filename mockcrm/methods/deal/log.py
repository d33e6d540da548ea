"""The history text a deal update writes: ``doLogger('did', ...)`` (inc/func.helpers.php), line by line.

``Изменены параметры записи:`` and a rule, then one line per changed field: its title, the new value
in bold and the old one in brackets, each field shown its own way (names looked up, dates as
dd.mm.yyyy, sums through num_format, blanks as "Нет").
"""

from __future__ import annotations

from typing import Any

from ...php import empty, intval, strtr, strval, yexplode, yimplode
from ...wire import Call
from ..person.store import current_client
from ..task.lookup import current_person
from .common import direction_title, step_name, table, tip_title
from .invoice_money import num_format

HEAD = "Изменены параметры записи:\n============================\n "

#: doLogger's own titles; the deal form's custom fields (input*) are added from the field table
TITLES = {
    "uid": "UID сделки",
    "clid": "Клиент по сделке",
    "payer": "Плательщик по сделке",
    "title": "Название",
    "content": "Описание",
    "tip": "Тип сделки",
    "mcid": "Компания",
    "idcategory": "Этап сделки",
    "direction": "Направление",
    "adres": "Адрес",
    "datum_plan": "Дата план",
    "datum_start": "Период.Начало",
    "datum_end": "Период.Конец",
    "datum_close": "Дата закрытия",
    "kol": "Оборот",
    "marga": "Маржа",
    "dog_num": "Договор",
    "pid_list": "Контакты сделки",
    "coid1": "Конкуренты по сделке",
    "calculate": "Спецификация",
    "idcourse": "Курс валюты",
    "idcurrency": "Валюта",
}


def _titles(call: Call) -> dict[str, str]:
    fields = [
        f
        for f in call.db.fields
        if f.get("fld_tip") == "dogovor" and "input" in strval(f.get("fld_name")) and f.get("fld_on") == "yes"
    ]
    fields.sort(key=lambda f: intval(f.get("fld_order")))
    return {**TITLES, **{strval(f["fld_name"]): strval(f.get("fld_title")) for f in fields}}


def _blank(value: Any) -> bool:
    """PHP ``$x == ''`` in PHP 8: null and "" (a number is never equal to "")."""
    return value is None or value == "" or value is False


def format_date_rus(value: Any) -> str:
    """``format_date_rus()``: ``2032-02-27`` → ``27.02.2032``; pieces it lacks read as nothing."""
    if value is None or value == "0000-00-00":
        return ""
    parts = strval(value).split("-")
    day = parts[2] if len(parts) > 2 else None
    if day is not None and day.isdigit() and int(day) == 0:
        return ""  # real server: `$date_new[2] != '00'`, compared as numbers
    return f"{day or ''}.{parts[1] if len(parts) > 1 else ''}.{parts[0]}"


def _company(call: Call, mcid: Any) -> str:
    if intval(mcid) <= 0:
        return ""
    row = table(call, "mycomps").get(intval(mcid))
    return strval(row.get("name_shot")) if row else ""


def _contract(call: Call, deid: Any) -> str:
    if intval(deid) <= 0:
        return "Нет"
    row = table(call, "contract", "deid").get(intval(deid))
    number = strval(row.get("number")) if row else ""
    return number if number != "" else "Нет"


def _people(call: Call, pids: list[str]) -> str:
    names = ", ".join(strval(current_person(call.db, p)) for p in pids)
    return names if names != "" else "Нет"


def _clients(call: Call, ids: list[str]) -> str:
    names = ", ".join(current_client(call.db, c) for c in ids)
    return names if names != "" else "Нет"


def _line(label: str, new: Any, old: Any) -> str:
    return f"{label} - <b>{strval(new)}</b> (было - {strval(old)})"


def deal_log(call: Call, keys: list[str], old: dict[str, Any], new: dict[str, Any]) -> str:
    """The ``ЛогCRM`` text for the changed ``keys`` (in the order doLogger meets them), with the old values
    as get_dog_info() gives them and the new ones as the update stores them."""
    titles = _titles(call)
    lines: list[str] = []
    for key in keys:
        if key == "datum_close":
            continue  # real server: unset($diff['datum_close'])
        label = strtr(key, titles)
        n, o = new.get(key), old.get(key)
        if key in ("clid", "payer"):
            lines.append(_line(label, current_client(call.db, n), current_client(call.db, o)))
        elif key in ("datum_plan", "datum_start", "datum_end"):
            n = "Нет" if empty(n) else n
            o = "Нет" if empty(o) else o
            if strval(n) != strval(o) and n != "0000-00-00":
                lines.append(_line(label, format_date_rus(n), format_date_rus(o)))
        elif key == "tip":
            lines.append(_line(label, tip_title(call, n) or "", tip_title(call, o) or ""))
        elif key == "direction":
            lines.append(_line(label, direction_title(call, n) or "", direction_title(call, o) or ""))
        elif key == "mcid":
            lines.append(_line(label, _company(call, n), _company(call, o)))
        elif key in ("kol", "marga"):
            lines.append(_line(label, num_format(n), num_format(o)))
        elif key == "idcategory":
            # real server: the step's title with "%" (a deal off the funnel moves to its first step)
            lines.append(_line(label, f"{step_name(call, n) or ''}%", f"{step_name(call, o) or ''}%"))
        elif key == "dog_num":
            lines.append(_line(label, _contract(call, n), _contract(call, o)))
        elif key == "pid_list":
            # real server: the new list was yexploded (no blanks), the old one is explode()d as it is
            new_pids = [strval(x) for x in n] if isinstance(n, list) else yexplode(";", n)
            lines.append(_line(label, _people(call, new_pids), _people(call, strval(o).split(";"))))
        elif key == "coid1":
            lines.append(_line(label, _clients(call, strval(n).split(";")), _clients(call, strval(o).split(";"))))
        elif key == "calculate":
            lines.append(_line("Спецификация", "Вкл." if n == "yes" else "Откл.", "Вкл." if o == "yes" else "Откл."))
        else:
            n = yimplode(", ", n) if isinstance(n, (list, dict)) else n
            o = yimplode(", ", o) if isinstance(o, (list, dict)) else o
            lines.append(_line(label, "Нет" if _blank(n) else n, "Нет" if _blank(o) else o))
    return HEAD + "\n".join(lines)
