"""The history texts a contact write leaves: ``doLogger('pid', …)`` and the deal's contact list.

Both come from ``doLogger()`` in inc/func.helpers.php; ``history list``/``info`` show them
untagged with ``<br />`` line breaks, and their row ids show in every later ``hid``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...php import intval, strtr, yimplode
from ..task.lookup import current_person
from .store import clientpath_name, current_client, loose_eq, loyalty_title, php_str

if TYPE_CHECKING:
    from ...backend import Account
    from ...store import Row

HEAD = "Изменены параметры записи:\n============================\n "


def _titles(db: Account) -> dict[str, str]:
    """``getIndCol('fld_name', …)``: the enabled person fields' titles by name."""
    rows = [f for f in db.fields if f.get("fld_tip") == "person" and f.get("fld_on") == "yes"]
    return {str(f["fld_name"]): php_str(f.get("fld_title")) for f in rows}


def _shown(db: Account, key: str, value: Any) -> str:
    """One side of a ``key - <b>new</b> (было - old)`` line, as the 'pid' branch prints it."""
    if key == "clientpath":
        return clientpath_name(db, value) if intval(value) > 0 else ""
    if key == "loyalty":
        return (loyalty_title(db, value) or "") if intval(value) > 0 else ""
    if key == "clid":
        return current_client(db, value)
    text = yimplode(", ", value) if isinstance(value, (dict, list)) else value
    return "Нет" if loose_eq(text, "") else php_str(text)


def person_log(db: Account, old: Row | None, new: dict[str, Any]) -> str:
    """``doLogger('pid', $pid, $new, $old)``: one line per value that differs (loose ``!=``)."""
    titles = _titles(db)
    lines = []
    for key, value in new.items():
        before = old.get(key) if old else None
        if loose_eq(before, value):
            continue
        label = strtr(key, titles)
        lines.append(f"{label} - <b>{_shown(db, key, value)}</b> (было - {_shown(db, key, before)})")
    return HEAD + "\n".join(lines)


def deal_contacts_log(db: Account, old_list: Any, new_list: list[str]) -> str:
    """``Deal::update($did, ["pid_list" => …])``: the 'did' branch's pid_list line."""

    def names(pids: list[str]) -> str:
        return ", ".join(php_str(current_person(db, p)) for p in pids)

    new_names = names(new_list) or "Нет"
    # real server: the stored list is explode()d, not yexplode()d: "" gives one empty name
    old_names = names(php_str(old_list).split(";")) or "Нет"
    return f"{HEAD}Контакты сделки - <b>{new_names}</b> (было - {old_names})"
