"""Seeded demo data: a realistic Russian B2B data set made through the CRM's own actions.

Records are created by calling the real action functions (client add, person add, deal add,
change.step/close, task add/doit, history add, lead add) with a frozen clock, so every row,
counter and history record is exactly what the API would have made, and the same seed gives
the same state byte for byte.  No events are published while seeding.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from faker import Faker

from .account import Account
from .errors import CRMError, Fatal
from .methods import METHODS
from .wire import Call

if TYPE_CHECKING:
    from .backend import Backend

#: the wall-clock time the demo story ends at (fixed, so any process makes the same data)
ANCHOR = dt.datetime(2026, 11, 2, 18, 0, 0)

SIZES = {"small": 20, "medium": 200, "large": 2000}

DEMO_USERS = [
    ("sales.head@example.com", "Руководитель отдела", 1),
    ("sales1@example.com", "Менеджер продаж", "head"),
    ("sales2@example.com", "Менеджер продаж", "head"),
]

STEPS = ["20", "40", "60", "80", "90"]
TASK_TYPES = ["Первичный звонок", "Встреча", "Задача", "Предложение", "исх.2.Звонок", "Отправка КП"]
HISTORY_TYPES = ["исх.Почта", "вх.Звонок", "вх.Почта", "Событие"]
DEAL_WORDS = ["Поставка", "Внедрение", "Сервисный договор", "Монтаж", "Консалтинг", "Лицензии", "Аудит"]
POSTS = ["Генеральный директор", "Коммерческий директор", "Главный инженер", "Менеджер по закупкам", "Бухгалтер"]


@dataclass
class Seeder:
    backend: Backend
    account: Account
    fake: Faker
    rng: random.Random

    def run(self, method: str, action: str, login: str, params: dict[str, Any]) -> Any:
        user = self.account.user_by_login(login)
        assert user is not None
        call = Call(method, action, params, "json", backend=self.backend, account=self.account, user=user)
        try:
            return METHODS[method].ACTIONS[action](call)
        except (CRMError, Fatal):
            return None

    def at(self, when: dt.datetime) -> None:
        self.backend.clock.freeze(when)

    def logins(self) -> list[str]:
        return [str(u["login"]) for u in self.account.users]

    # -- records ---------------------------------------------------------------------
    def users(self) -> None:
        head = None
        for login, tip, boss in DEMO_USERS:
            if self.account.user_by_login(login) is not None:
                continue
            mid = head if boss == "head" else boss
            row = self.account.add_user(login, f"{self.fake.last_name_male()} {self.fake.first_name_male()}", tip, mid)
            if tip == "Руководитель отдела":
                head = int(row["iduser"])

    def client(self, login: str) -> int | None:
        f = self.fake
        recv = {
            "castUrName": f.company(),
            "castInn": f.businesses_inn(),
            "castKpp": f.kpp(),
            "castBank": f.bank(),
            "castBankKs": f.correspondent_account(),
            "castBankRs": f.checking_account(),
            "castBankBik": f.bic(),
            "castOgrn": f.businesses_ogrn(),
            "castDirName": f.name(),
            "castUrAddr": f.address(),
        }
        params = {
            "title": recv["castUrName"],
            "user": login,
            "phone": f.phone_number(),
            "mail_url": f.company_email(),
            "site_url": f.url(),
            "address": f.address(),
            "recv": recv,
        }
        result = self.run("client", "add", login, params)
        return int(result["data"]) if isinstance(result, dict) and "data" in result else None

    def person(self, clid: int, login: str) -> int | None:
        f = self.fake
        params = {
            "person": f.name(),
            "ptitle": self.rng.choice(POSTS),
            "clid": clid,
            "tel": f.phone_number(),
            "mob": f.phone_number(),
            "mail": f.email(),
            "user": login,
        }
        result = self.run("person", "add", login, params)
        return int(result["data"]) if isinstance(result, dict) and result.get("data") else None

    def deal(self, clid: int, pid: int | None, login: str, when: dt.datetime) -> None:
        rng = self.rng
        plan = (when + dt.timedelta(days=rng.randint(14, 120))).strftime("%Y-%m-%d")
        params = {
            "clid": clid,
            "title": f"{rng.choice(DEAL_WORDS)} {self.fake.bs()}"[:120],
            "kol": rng.randrange(50_000, 5_000_000, 1000),
            "datum_plan": plan,
            "step": "20",
            "user": login,
        }
        if pid:
            params["pid"] = pid
        result = self.run("deal", "add", login, params)
        if not isinstance(result, dict) or "data" not in result:
            return
        did = int(result["data"])
        step_index = rng.randint(0, len(STEPS) - 1)
        for n, step in enumerate(STEPS[1 : step_index + 1], start=1):
            self.at(when + dt.timedelta(days=3 * n, hours=rng.randint(0, 6)))
            self.run("deal", "change.step", login, {"did": did, "step": step, "description": "Согласовали"})
        if rng.random() < 0.3:
            self.at(when + dt.timedelta(days=3 * step_index + 5))
            won = rng.random() < 0.6
            sid = rng.choice(["1", "2"]) if won else rng.choice(["3", "4", "5", "6", "7"])
            params = {"did": did, "sid": sid, "kol_fact": params["kol"] if won else 0, "description": "Итог сделки"}
            self.run("deal", "change.close", login, params)

    def task(self, clid: int, pid: int | None, login: str, when: dt.datetime) -> None:
        rng = self.rng
        datum = (when + dt.timedelta(days=rng.randint(-10, 20))).strftime("%Y-%m-%d")
        params = {
            "title": f"{rng.choice(['Позвонить', 'Отправить КП', 'Встретиться', 'Уточнить сроки'])}: {self.fake.bs()}"[
                :120
            ],
            "datum": datum,
            "totime": f"{rng.randint(9, 18):02d}:{rng.choice(['00', '30'])}",
            "clid": clid,
            "tip": rng.choice(TASK_TYPES),
            "user": login,
        }
        if pid:
            params["pid"] = pid
        result = self.run("task", "add", login, params)
        if isinstance(result, dict) and "data" in result and rng.random() < 0.4:
            self.run("task", "doit", login, {"id": result["data"], "description": "Сделано", "status": 1})

    def note(self, clid: int, login: str, when: dt.datetime) -> None:
        params = {
            "clid": clid,
            "content": self.fake.paragraph(nb_sentences=2),
            "datum": when.strftime("%Y-%m-%d"),
            "tip": self.rng.choice(HISTORY_TYPES),
            "user": login,
        }
        self.run("history", "add", login, params)

    def lead(self, login: str) -> None:
        f = self.fake
        params = {
            "title": f"Заявка с сайта: {f.bs()}"[:120],
            "email": f.email(),
            "phone": f.phone_number(),
            "company": f.company(),
            "description": f.paragraph(nb_sentences=2),
        }
        self.run("lead", "add", login, params)


def seed(backend: Backend, seed: int = 1, size: str = "small", account: Account | None = None) -> dict[str, int]:
    """Fill ``account`` (default: the first) with demo data; returns the table sizes."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {', '.join(SIZES)}, got {size!r}")
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    rng = random.Random(seed)
    clock = backend.clock
    saved = (clock.frozen, clock.offset)
    with backend.lock:
        acc = account or backend.accounts[min(backend.accounts)]
        s = Seeder(backend, acc, fake, rng)
        try:
            s.users()
            logins = s.logins()
            n = SIZES[size]
            start = ANCHOR - dt.timedelta(days=180)
            for i in range(n):
                when = start + dt.timedelta(minutes=int(i * 180 * 24 * 60 / n) + rng.randint(0, 59))
                s.at(when)
                login = rng.choice(logins)
                clid = s.client(login)
                if clid is None:
                    continue
                pids = [p for p in (s.person(clid, login) for _ in range(rng.randint(1, 3))) if p]
                for _ in range(rng.choices([0, 1, 2], weights=[3, 5, 2])[0]):
                    s.at(when + dt.timedelta(hours=rng.randint(1, 48)))
                    s.deal(clid, pids[0] if pids else None, login, when)
                for _ in range(rng.randint(0, 2)):
                    s.at(when + dt.timedelta(hours=rng.randint(1, 72)))
                    s.task(clid, pids[-1] if pids else None, login, when)
                if rng.random() < 0.5:
                    s.note(clid, login, when)
                if rng.random() < 0.25:
                    s.lead(login)
        finally:
            clock.frozen, clock.offset = saved
        return {
            name: len(acc.tables[name]) for name in ("clientcat", "personcat", "dogovor", "tasks", "history", "leads")
        }
