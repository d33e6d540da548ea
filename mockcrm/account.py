"""Account: one tenant's settings, users, configuration and data tables."""

from __future__ import annotations

import copy
import operator
from typing import Any

from .store import Row, Table

#: id column of the CRM's data tables (the table names are the real ones)
DATA_TABLES = {
    "clientcat": "clid",
    "personcat": "pid",
    "dogovor": "did",
    "tasks": "tid",
    "history": "cid",
    "leads": "id",
    "uids": "id",
    "credit": "crid",
    "speca": "spid",
    "contract": "deid",
    "file": "fid",
    "price": "n_id",
}

#: roles that see every user of the account (protocol.md §11, get_people)
SEE_ALL = {"Руководитель организации", "Поддержка продаж", "Руководитель с доступом", "Администратор"}


_VERSION = operator.attrgetter("version")


def _short(key: str) -> str:
    """``"category (client industries)"`` → ``"category"``."""
    return key.split(" ", 1)[0]


class Account:
    """One account (``identity``): its settings, users, configuration and data tables."""

    def __init__(self, data: dict[str, Any], identity: int = 1) -> None:
        self.identity = identity
        self.settings: dict[str, Any] = dict(data["settings"][0])
        self.apikey: str = self.settings["api_key"]
        self.timezone: str = self.settings.get("timezone") or "Europe/Moscow"
        auto = {k.removeprefix("app_"): v for k, v in data.get("auto_increment", {}).items()}
        self.users = Table("user", "iduser")
        self.users.load(data["users"], auto.get("user"))
        self.fields: list[Row] = [dict(f) for f in data.get("fields", [])]
        self.modules: list[Row] = [dict(m) for m in data.get("modules", [])]
        self.other_settings: dict[str, Any] = copy.deepcopy(data.get("otherSettings (cash/otherSettings.json)", {}))
        self.settings_all: dict[str, Any] = copy.deepcopy(data.get("cash/settings.all.json", {}))
        self.settings_all_dropped = False
        self.webhooks: list[Row] = [dict(h) for h in data.get("webhooks", [])]
        self.api_samples: dict[str, Any] = data.get("api", {})
        self.tables: dict[str, Table] = {}
        for key, rows in data.get("directories", {}).items():
            name = _short(key)
            id_key = next(iter(rows[0])) if rows else "id"
            table = Table(name, id_key)
            table.load(rows, auto.get(name))
            self.tables[name] = table
        for name, id_key in DATA_TABLES.items():
            self.tables.setdefault(name, Table(name, id_key, auto.get(name, 1)))

    # -- change stamp ---------------------------------------------------------------
    def stamp(self) -> int:
        """The newest change to any of the account's rows (users and tables): derived data keyed on
        it knows it is current.  Every change moves a table's version, made through the ``Table``
        methods or in place (see ``store``), and versions come from one growing sequence."""
        return max(self.users.version, max(map(_VERSION, self.tables.values()), default=0))

    # -- tables -------------------------------------------------------------------
    def table(self, name: str, id_key: str = "id") -> Table:
        """A table by its real name; created empty on first use."""
        t = self.tables.get(name)
        if t is None:
            t = self.tables[name] = Table(name, id_key)
        return t

    # -- users --------------------------------------------------------------------
    def user_by_login(self, login: Any) -> Row | None:
        """MySQL ``login = ?`` under utf8_general_ci: case-insensitive, trailing spaces ignored."""
        if not isinstance(login, str) or not login:
            return None
        key = login.rstrip(" ").lower()
        return self.users.first(lambda u: (u.get("login") or "").rstrip(" ").lower() == key)

    def add_user(self, login: str, title: str, tip: str = "Менеджер продаж", mid: Any = 0, admin: bool = False) -> Row:
        """A user row shaped like the installer's (all values strings)."""
        template = next(iter(self.users), {})
        row: Row = {k: None for k in template}
        row.update(
            {
                "iduser": None,
                "login": login,
                "title": title,
                "tip": tip,
                "mid": str(mid or 0),
                "isadmin": "on" if admin else "",
                "secrty": "yes",
                "email": login,
                "identity": str(self.identity),
            }
        )
        iduser = self.users.insert(row)
        self.users.rows[iduser]["iduser"] = str(iduser)
        return self.users.rows[iduser]

    def user(self, iduser: Any) -> Row | None:
        return self.users.get(iduser)

    def login_of(self, iduser: Any) -> str:
        """``current_userlogin``: the login, or "" for 0/NULL/unknown ids."""
        u = self.users.get(iduser)
        return str(u.get("login") or "") if u else ""

    def people(self, iduser: Any) -> list[int]:
        """``get_people``: the ids whose records ``iduser`` may see (protocol.md §11)."""
        me = self.users.get(iduser)
        if me is None:
            return []
        uid = int(me["iduser"])
        tip = me.get("tip") or ""
        if tip in SEE_ALL:
            return sorted(self.users.rows)
        if tip == "Руководитель отдела":
            return [uid] + [int(u["iduser"]) for u in self.users if str(u.get("mid")) == str(uid)]
        if tip == "Руководитель подразделения":
            level1 = [int(u["iduser"]) for u in self.users if str(u.get("mid")) == str(uid)]
            level2 = [int(u["iduser"]) for u in self.users if str(u.get("mid")) in {str(x) for x in level1}]
            return [uid, *level1, *level2]
        return [uid]

    # -- history ------------------------------------------------------------------
    def add_history(self, **cols: Any) -> int:
        """Insert a history (activity) row; ``cid`` comes from the one shared counter."""
        row: Row = {
            "cid": None,
            "datum": None,
            "des": "",
            "tip": "",
            "iduser": 0,
            "clid": 0,
            "pid": "",
            "did": 0,
            "fid": "",
            "uid": None,
            "identity": self.identity,
        }
        row.update(cols)
        return self.tables["history"].insert(row)

    # -- cash/settings.all.json ------------------------------------------------------
    def drop_settings_cache(self) -> None:
        """What ``unlink(cash/settings.all.json)`` does (Invoice::add after numbering an invoice)."""
        self.settings_all_dropped = True

    def refresh_settings_cache(self) -> None:
        """inc/settings.php, run by every request: a missing cache file is rebuilt from the database.

        Only ``mcDefault`` changes: it is then the ``mcid`` of the deal with the highest did (settings.php:268).
        """
        if not self.settings_all_dropped:
            return
        deals = self.tables.get("dogovor")
        last = max(deals, key=lambda r: int(r["did"])) if deals is not None and len(deals) else None
        self.settings_all["mcDefault"] = int(last.get("mcid") or 0) if last else 0
        self.settings_all_dropped = False

    # -- snapshots ------------------------------------------------------------------
    def clone(self) -> Account:
        """A copy sharing nothing mutable with this account."""
        other = copy.copy(self)
        other.settings = dict(self.settings)
        other.users = self.users.clone()
        other.fields = [dict(f) for f in self.fields]
        other.modules = [dict(m) for m in self.modules]
        other.other_settings = copy.deepcopy(self.other_settings)
        other.settings_all = copy.deepcopy(self.settings_all)
        other.webhooks = [dict(h) for h in self.webhooks]
        other.tables = {name: t.clone() for name, t in self.tables.items()}
        return other

    def export(self) -> dict[str, Any]:
        """The whole account as JSON-ready data (see ``from_export``)."""
        return {
            "identity": self.identity,
            "settings": self.settings,
            "users": self.users.dump(),
            "fields": self.fields,
            "modules": self.modules,
            "otherSettings": self.other_settings,
            "settingsAll": self.settings_all,
            "settingsAllDropped": self.settings_all_dropped,
            "tables": {name: t.dump() for name, t in sorted(self.tables.items())},
        }

    @classmethod
    def from_export(cls, data: dict[str, Any]) -> Account:
        self = cls.__new__(cls)
        self.identity = int(data["identity"])
        self.settings = dict(data["settings"])
        self.apikey = self.settings["api_key"]
        self.timezone = self.settings.get("timezone") or "Europe/Moscow"
        self.users = Table.from_dump("user", data["users"])
        self.fields = [dict(f) for f in data.get("fields", [])]
        self.modules = [dict(m) for m in data.get("modules", [])]
        self.other_settings = copy.deepcopy(data.get("otherSettings", {}))
        self.settings_all = copy.deepcopy(data.get("settingsAll", {}))
        self.settings_all_dropped = bool(data.get("settingsAllDropped"))
        self.webhooks = []
        self.api_samples = {}
        self.tables = {name: Table.from_dump(name, t) for name, t in data.get("tables", {}).items()}
        for name, id_key in DATA_TABLES.items():
            self.tables.setdefault(name, Table(name, id_key))
        return self
