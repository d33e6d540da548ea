"""Backend: all mutable state (accounts, users, tables, clock, history), one lock, the event bus."""

from __future__ import annotations

import copy
import json
import threading
from functools import cache
from pathlib import Path
from typing import Any

from .clock import Clock
from .events import Event, EventBus
from .settings import Settings
from .store import Row, Table
from .webhooks import Dispatcher, Hook, parse_hooks

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


def fixtures_dir() -> Path:
    """fixtures/ inside an installed wheel, else the checkout's top-level fixtures/."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "fixtures", here.parent / "fixtures"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("mockcrm fixtures folder not found")


@cache
def _read_fixture(path: str) -> str:
    return Path(path).read_text(encoding="utf-8")


def load_fixture(name: str) -> dict[str, Any]:
    """A data set by name (``fixtures/<name>.json``) or by path; a fresh copy every call."""
    path = Path(name)
    if not path.suffix:
        path = fixtures_dir() / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"fixture {name!r} not found (looked for {path})")
    data: dict[str, Any] = json.loads(_read_fixture(str(path.resolve())))
    return data


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

    # -- snapshots ------------------------------------------------------------------
    def clone(self) -> Account:
        return copy.deepcopy(self)


class Backend:
    """Holds every account and the machinery shared by them; nothing lives in module globals."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        self.lock = threading.RLock()
        self.events = EventBus()
        self.clock = Clock(self.settings.timezone)
        self.fixture = load_fixture(self.settings.fixture)
        self.webhooks = Dispatcher(
            configured_hooks(self.settings),
            timeout=self.settings.webhook_timeout,
            mode=self.settings.webhook_mode,
            log_size=self.settings.webhook_log_size,
            clock=self.clock.now_str,
        )
        self.events.subscribe("*", self.webhooks)
        self.accounts: dict[int, Account] = {}
        self._start: dict[int, Account] = {}
        self._build_from_fixture()

    def _build_from_fixture(self) -> None:
        account = Account(copy.deepcopy(self.fixture), identity=1)
        self.accounts = {1: account}
        self._start = {1: account.clone()}

    def reset(self) -> None:
        """Back to the state the server started with."""
        with self.lock:
            self.accounts = {i: a.clone() for i, a in self._start.items()}
        self.webhooks.reset()
        self.webhooks.log.clear()

    def account_for(self, apikey: Any) -> Account | None:
        """The account whose key matches (``utf8_general_ci``: case-insensitive, trailing spaces)."""
        if not isinstance(apikey, str) or not apikey:
            return None
        key = apikey.rstrip(" ").lower()
        for account in self.accounts.values():
            if account.apikey.rstrip(" ").lower() == key:
                return account
        return None

    def publish(
        self, events: list[tuple[str, dict[str, Any]]], account: Account, actor: Any = 1, home: str = ""
    ) -> None:
        """Announce what an action did; called outside the lock (deliveries may take time)."""
        for name, payload in events:
            self.events.publish(Event(name, payload, str(account.identity), str(actor), home))

    def close(self) -> None:
        self.webhooks.close()


def configured_hooks(settings: Settings) -> list[Hook]:
    """Hooks from MOCKCRM_WEBHOOKS and MOCKCRM_WEBHOOKS_FILE (both may be set)."""
    hooks: list[Hook] = []
    if settings.webhooks.strip():
        hooks += parse_hooks(settings.webhooks, "MOCKCRM_WEBHOOKS")
    if settings.webhooks_file:
        path = Path(settings.webhooks_file)
        if not path.is_file():
            raise FileNotFoundError(f"MOCKCRM_WEBHOOKS_FILE: {path} not found")
        hooks += parse_hooks(path.read_text(encoding="utf-8"), str(path))
    return hooks
