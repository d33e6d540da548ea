"""Backend: all mutable state (accounts, users, tables, clock, history), one lock, the event bus."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from .account import DATA_TABLES, SEE_ALL, Account
from .clock import Clock
from .events import Event, EventBus
from .hooks import ApiCall, Filters
from .journal import Journal
from .rules import Rules
from .settings import Settings
from .webhooks import Dispatcher, Hook, build_payload, parse_hooks

__all__ = ["DATA_TABLES", "SEE_ALL", "Account", "Backend", "load_fixture"]


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


class Backend:
    """Holds every account and the machinery shared by them; nothing lives in module globals."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.settings = settings or Settings()
        if self.settings.edition not in EDITIONS:
            raise ValueError(f"MOCKCRM_EDITION must be one of {', '.join(EDITIONS)}, got {self.settings.edition!r}")
        self.lock = threading.RLock()
        self.events = EventBus()
        self.clock = Clock(self.settings.timezone)
        self.webhooks = Dispatcher(
            configured_hooks(self.settings),
            timeout=self.settings.webhook_timeout,
            mode=self.settings.webhook_mode,
            log_size=self.settings.webhook_log_size,
            clock=self.clock.now_str,
        )
        self.events.subscribe("*", self.webhooks)
        self.journal = Journal(self.settings.journal_size)
        self.rules = Rules()
        self.filters = Filters()
        self.snapshots: dict[str, dict[int, Account]] = {}
        self.started = time.monotonic()
        self._inflight = 0
        self._stopping = False
        self._idle = threading.Condition()
        self.accounts: dict[int, Account] = self._from_fixture(self.settings.fixture)
        #: whether the state came from ``state_file`` (then demo data is not added: mockcrm.demo)
        self.loaded_state = False
        if self.settings.state_file and Path(self.settings.state_file).is_file():
            path = self.settings.state_file
            try:
                self.import_state(json.loads(Path(path).read_text(encoding="utf-8")))
            except (ValueError, KeyError, TypeError) as exc:  # JSONDecodeError is a ValueError
                raise ValueError(f"MOCKCRM_STATE_FILE: cannot load {path}: {exc}") from None
            self.loaded_state = True
        self._start: dict[int, Account] = self._copy(self.accounts)

    def request_started(self) -> bool:
        """Mark one API request as in flight until ``request_done`` (a clean stop waits for them);
        False, and nothing marked, once the stop has begun: the request must not run."""
        with self._idle:
            if self._stopping:
                return False
            self._inflight += 1
            return True

    def begin_stop(self) -> None:
        """From now on no API request starts; those in flight are waited for (``wait_idle``) before a save."""
        with self._idle:
            self._stopping = True

    def request_done(self) -> None:
        with self._idle:
            self._inflight -= 1
            if not self._inflight:
                self._idle.notify_all()

    @property
    def inflight(self) -> int:
        with self._idle:
            return self._inflight

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no API request is in flight; False when ``timeout`` ran out first."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._inflight, timeout)

    def clock_uptime(self) -> float:
        """Seconds since this backend was made."""
        return time.monotonic() - self.started

    @property
    def edition(self) -> str:
        return self.settings.edition

    # -- state ---------------------------------------------------------------------
    @staticmethod
    def _copy(accounts: dict[int, Account]) -> dict[int, Account]:
        return {i: a.clone() for i, a in accounts.items()}

    @staticmethod
    def _from_fixture(name: str) -> dict[int, Account]:
        data = load_fixture(name)
        if "accounts" in data:  # a saved state (export_state) works as a fixture too
            return {int(a["identity"]): Account.from_export(a) for a in data["accounts"]}
        return {1: Account(data, identity=1)}

    def reset(self, fixture: str | None = None) -> None:
        """Back to the start state (or to a named fixture); clears journal, rules, deliveries."""
        accounts = self._from_fixture(fixture) if fixture else None
        with self.lock:
            self.accounts = accounts if accounts is not None else self._copy(self._start)
        self.webhooks.reset()
        self.webhooks.log.clear()
        self.journal.clear()
        self.rules.clear()

    def save_snapshot(self, name: str) -> None:
        with self.lock:
            self.snapshots[name] = self._copy(self.accounts)

    def restore_snapshot(self, name: str) -> bool:
        with self.lock:
            snap = self.snapshots.get(name)
            if snap is None:
                return False
            self.accounts = self._copy(snap)
            return True

    def export_state(self) -> dict[str, Any]:
        with self.lock:
            accounts = [a.export() for _, a in sorted(self.accounts.items())]
        return {"format": "mockcrm-state/1", "edition": self.edition, "accounts": accounts}

    def save_state(self, path: str | Path) -> None:
        """Write the whole state to ``path`` atomically (a temp file, then a rename)."""
        target = Path(path)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.export_state(), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, target)

    def mark_start(self) -> None:
        """What ``reset()`` goes back to from now on: the state as it is (demo data, say)."""
        with self.lock:
            self._start = self._copy(self.accounts)

    def import_state(self, data: dict[str, Any]) -> None:
        if not isinstance(data, dict) or data.get("format") != "mockcrm-state/1" or "accounts" not in data:
            raise ValueError('not a mockcrm state (expected {"format": "mockcrm-state/1", "accounts": [...]})')
        accounts = {int(a["identity"]): Account.from_export(a) for a in data["accounts"]}
        with self.lock:
            self.accounts = accounts

    # -- accounts ------------------------------------------------------------------
    def account_for(self, apikey: Any) -> Account | None:
        """The account whose key matches (``utf8_general_ci``: case-insensitive, trailing spaces)."""
        if not isinstance(apikey, str) or not apikey:
            return None
        key = apikey.rstrip(" ").lower()
        for account in self.accounts.values():
            if account.apikey.rstrip(" ").lower() == key:
                return account
        return None

    def add_account(self, apikey: str) -> Account:
        """A new account from the fresh-install data with its own apikey (cloud edition)."""
        if self.edition != "cloud":
            raise ValueError("the box edition has exactly one account; start with MOCKCRM_EDITION=cloud")
        if not apikey or self.account_for(apikey) is not None:
            raise ValueError(f"apikey {apikey!r} is empty or already used")
        with self.lock:
            identity = max(self.accounts, default=0) + 1
            data = load_fixture(self.settings.fixture)
            account = Account(data, identity=identity) if "accounts" not in data else None
            if account is None:
                raise ValueError("accounts can only be added when the server starts from a fixture")
            account.settings["api_key"] = account.apikey = apikey
            account.settings["id"] = str(identity)
            self.accounts[identity] = account
            return account

    # -- events --------------------------------------------------------------------
    def publish(
        self, events: list[tuple[str, dict[str, Any]]], account: Account, actor: Any = 1, home: str = ""
    ) -> list[Event]:
        """Announce what an action did; called outside the lock (deliveries may take time)."""
        published = [Event(name, payload, str(account.identity), str(actor), home) for name, payload in events]
        for event in published:
            self.events.publish(event)
        return published

    # -- Python hooks in process (mockcrm.hooks) ------------------------------------------
    def on(self, event: str, fn: Callable[[dict[str, Any]], Any]) -> Callable[[], None]:
        """Run ``fn(payload)`` after each action that fires ``event`` ("*" = all), with the payload as its
        webhook carries it (text values, ``event``, ``identity``, ``iduser1``); returns its remover."""
        if not callable(fn):
            raise TypeError("an event hook is a function fn(payload)")
        return self.events.subscribe(event, lambda e: fn(build_payload(e)))

    def filter(self, pattern: str, fn: Callable[[ApiCall, Any], Any]) -> Callable[[], None]:
        """Pass the answers of the calls ``pattern`` names through ``fn(call, answer)``; returns its remover."""
        return self.filters.add(pattern, fn)

    def close(self) -> None:
        self.webhooks.close()


EDITIONS = ("box", "cloud")


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
