"""Builders of `task`, `history`, `lead` and `user` (task.md, lead.md, other-methods.md, examples/)."""

from __future__ import annotations

from typing import Any

from .. import values as V
from .base import Ctx, Spec, mail, opt, phone

# ------------------------------------------------------------------ task

TASK_LIST_ORDERS = ["tid", "datum", "title"]


def task_list(c: Ctx) -> Spec:
    s = Spec()
    opt(c, s, 0.3, "dateStart", "2031-01-01", "date")
    opt(c, s, 0.3, "dateEnd", "2032-12-31", "date")
    opt(c, s, 0.2, "order", c.pick(TASK_LIST_ORDERS))
    opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    opt(c, s, 0.2, "active", c.pick(["yes", "no"]), "yesno")
    opt(c, s, 0.15, "word", c.pick(["Позвонить", "Встреча"]))
    opt(c, s, 0.15, "tip", c.pick(V.ACTIVITIES))
    opt(c, s, 0.15, "clid", c.model.ref("client"), "id")
    opt(c, s, 0.1, "did", c.model.ref("deal"), "id")
    opt(c, s, 0.15, "user", c.login())
    opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
    return s


def _task_params(c: Ctx) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("title", c.pick(V.TEXTS), "text")]
    for name, value, kind, prob in (
        ("datum", V.date(c.rng), "date", 0.8),
        ("totime", f"{c.rng.randint(8, 19):02d}:{c.pick(['00', '30'])}", "text", 0.6),
        ("clid", c.model.ref("client", c.owner), "id", 0.5),
        ("pid", c.model.ref("person", c.owner), "id", 0.2),
        ("did", c.model.ref("deal", c.owner), "id", 0.2),
        ("tip", c.pick(V.ACTIVITIES), "text", 0.4),
        ("des", c.pick(V.TEXTS), "text", 0.3),
        ("priority", c.rng.randint(0, 2), "number", 0.15),
        ("speed", c.rng.randint(0, 2), "number", 0.15),
        ("readonly", c.pick(["yes", "no"]), "yesno", 0.1),
        ("day", c.pick(["yes", "no"]), "yesno", 0.1),
    ):
        if c.maybe(prob):
            p.append((name, value, kind))
    return p


def task_add(c: Ctx) -> Spec:
    s = Spec(params=_task_params(c), obj_kind="task", key="")
    opt(c, s, 0.2, "user", c.login())
    s.obj = c.model.created("task", c.owner)
    return s


def task_update(c: Ctx) -> Spec:
    s = Spec(params=[("id", c.model.ref("task", c.owner), "id")])
    extra = _task_params(c)
    s.params += c.rng.sample(extra, min(len(extra), c.rng.randint(1, 3)))
    opt(c, s, 0.1, "user", c.login())
    opt(c, s, 0.1, "active", c.pick(["yes", "no"]), "yesno")
    return s


def task_doit(c: Ctx) -> Spec:
    s = Spec(params=[("id", c.model.ref("task", c.owner), "id")])
    opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    opt(c, s, 0.3, "status", c.rng.randint(1, 2), "number")
    opt(c, s, 0.3, "tip", c.pick(V.ACTIVITIES))
    return s


def task_history(c: Ctx) -> Spec:
    s = Spec(params=[("content", c.pick(V.TEXTS), "text")])
    opt(c, s, 0.6, "clid", c.model.ref("client", c.owner), "id")
    opt(c, s, 0.3, "pid", c.pick([c.model.ref("person"), "1, 2"]), "text")
    opt(c, s, 0.5, "tip", c.pick(V.ACTIVITIES))
    opt(c, s, 0.4, "datum", V.date(c.rng), "date")
    c.model.created("history", c.owner)
    return s


# ------------------------------------------------------------------ history


def history_list(c: Ctx) -> Spec:
    s = Spec()
    opt(c, s, 0.3, "clid", c.model.ref("client"), "id")
    opt(c, s, 0.15, "pid", c.model.ref("person"), "id")
    if c.maybe(0.3):
        s.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]
    opt(c, s, 0.2, "order", c.pick(["cid", "datum"]))
    opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    opt(c, s, 0.15, "word", c.pick(["Звонок", "КП"]))
    opt(c, s, 0.15, "user", c.login())
    opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
    return s


def _history_params(c: Ctx) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("content", c.pick(V.TEXTS), "text")]
    for name, value, kind, prob in (
        ("clid", c.model.ref("client", c.owner), "id", 0.7),
        ("pid", c.model.ref("person"), "text", 0.2),
        ("did", c.model.ref("deal"), "id", 0.2),
        ("datum", V.date(c.rng), "date", 0.6),
        ("tip", c.pick(V.ACTIVITIES), "text", 0.6),
    ):
        if c.maybe(prob):
            p.append((name, value, kind))
    return p


def history_add(c: Ctx) -> Spec:
    s = Spec(params=_history_params(c), obj_kind="history", key="")
    opt(c, s, 0.15, "user", c.login())
    s.obj = c.model.created("history", c.owner)
    return s


def history_add_list(c: Ctx) -> Spec:
    rows = []
    for _ in range(c.rng.randint(1, 3)):
        rows.append({k: v for k, v, _ in _history_params(c)})
        c.model.created("history", c.owner)
    return Spec(params=[("list", rows, "struct")])


# ------------------------------------------------------------------ lead


def lead_list(c: Ctx) -> Spec:
    s = Spec()
    opt(c, s, 0.2, "order", c.pick(["id", "datum"]))
    opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    opt(c, s, 0.2, "status", c.rng.randint(0, 3), "number")
    opt(c, s, 0.15, "user", c.login())
    if c.maybe(0.2):
        s.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]
    opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
    return s


def lead_add(c: Ctx) -> Spec:
    n = c.n()
    s = Spec(params=[("title", f"Заявка с сайта {n}", "text")], obj_kind="lead", key="")
    for name, value, kind, prob in (
        ("email", mail(c), "text", 0.6),
        ("phone", phone(c), "text", 0.5),
        ("company", f"{c.pick(V.COMPANIES)} {n}", "text", 0.4),
        ("description", c.pick(V.TEXTS), "text", 0.4),
        ("site", f"site{n}.example.com", "text", 0.2),
        ("city", c.pick(V.TERRITORIES), "text", 0.2),
        ("country", "Россия", "text", 0.1),
        ("clientpath", c.pick(V.CLIENTPATHS), "text", 0.3),
        ("utm_source", c.pick(["yandex", "google", "fromfriend"]), "text", 0.2),
        ("utm_medium", "cpc", "text", 0.1),
        ("utm_campaign", f"camp-{n}", "text", 0.1),
        ("uids", {"amo_id": f"A-{n}"}, "struct", 0.1),
        ("clid", c.model.ref("client"), "id", 0.1),
        ("pid", c.model.ref("person"), "id", 0.1),
        ("user", c.login(), "text", 0.15),
    ):
        if c.maybe(prob):
            s.params.append((name, value, kind))
    s.obj = c.model.created("lead", c.owner)
    return s


def lead_stat(c: Ctx) -> Spec:
    s = Spec()
    if c.maybe(0.5):
        s.params += [("dateStart", c.pick(["2000-01-01", "2024-01-01"]), "date"), ("dateEnd", "2100-12-31", "date")]
    return s


# ------------------------------------------------------------------ user


def user_user(c: Ctx) -> Spec:
    r = c.rng.random()
    if r < 0.5:
        return Spec(params=[("user", c.login(), "text")])
    if r < 0.8:
        return Spec(params=[("iduser", c.rng.randint(1, 4), "id")])
    return Spec(params=[("uid", c.pick(["EMP-1", f"EMP-{c.n()}"]), "text")])


def user_add(c: Ctx) -> Spec:
    n = c.n()
    login = c.pick([f"new{n}@example.com", "{LOGIN2}"]) if c.maybe(0.2) else f"new{n}@example.com"
    s = Spec(params=[("user", login, "text"), ("password", "Secret123", "text")], obj_kind="user", key="user")
    opt(c, s, 0.7, "title", f"{c.pick(V.PEOPLE)} {n}")
    opt(c, s, 0.3, "tip", c.pick(V.ROLES))
    opt(c, s, 0.3, "boss", c.login())
    opt(c, s, 0.2, "email", mail(c))
    opt(c, s, 0.2, "phone", phone(c))
    opt(c, s, 0.2, "uid", f"EMP-{n}")
    s.obj = c.model.created("user", c.owner)
    return s
