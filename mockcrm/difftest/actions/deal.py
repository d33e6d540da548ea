"""Builders of `deal`, with `change.*` and `invoice.*` (deal.md, examples/deal-example.php)."""

from __future__ import annotations

from typing import Any

from .. import values as V
from .base import Ctx, Spec, list_common, opt, pick_fields

# ------------------------------------------------------------------ deal

DEAL_FIELDS = ["did", "title", "kol", "step", "iduser", "clid", "pid_list", "datum_plan", "uid", "close", "marga"]


def deal_list(c: Ctx) -> Spec:
    s = Spec()
    list_common(c, s, ["did", "title", "datum_plan", "kol"], DEAL_FIELDS)
    opt(c, s, 0.2, "word", c.pick(["Поставка", "насос", "Аудит"]))
    opt(c, s, 0.2, "filter", {"clid": c.model.ref("client")}, "struct")
    opt(c, s, 0.15, "steps", c.pick(V.STEPS), "text")
    opt(c, s, 0.15, "active", c.pick(["yes", "no"]), "yesno")
    opt(c, s, 0.15, "invoice", "yes", "yesno")
    opt(c, s, 0.1, "bankinfo", "yes", "yesno")
    return s


def deal_info(c: Ctx) -> Spec:
    s = Spec()
    if c.maybe(0.85):
        s.params.append(("did", c.model.ref("deal", c.owner), "id"))
    else:
        s.params.append(("uid", c.model.attr("deal", "uid", "1C-DEAL-NONE"), "text"))
    for name in ("client", "payer", "speka", "invoice", "bankinfo", "uids"):
        opt(c, s, 0.2, name, "yes", "yesno")
    opt(c, s, 0.2, "fields", pick_fields(c, DEAL_FIELDS))
    return s


def _speka(c: Ctx) -> list[dict[str, Any]]:
    rows = []
    for title, art, unit in c.rng.sample(V.GOODS, c.rng.randint(1, 2)):
        rows.append(
            {"title": title, "artikul": art, "kol": c.rng.randint(1, 3), "price": 5000, "nds": 20, "edizm": unit}
        )
    return rows


def _deal_params(c: Ctx, n: int) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("title", f"{c.pick(V.DEALS)} {n}", "text")]
    for name, value, kind, prob in (
        ("clid", c.model.ref("client", c.owner), "id", 0.8),
        ("kol", V.money(c.rng), "money", 0.6),
        ("datum_plan", V.date(c.rng), "date", 0.5),
        ("pid", c.model.ref("person", c.owner), "id", 0.2),
        ("pid_list", f"{c.model.ref('person')},{c.model.ref('person')}", "text", 0.1),
        ("step", c.pick(V.STEPS), "text", 0.3),
        ("direction", c.pick(V.DIRECTIONS + ["1"]), "text", 0.2),
        ("tip", c.pick(V.DEAL_TYPES), "text", 0.2),
        ("uid", f"1C-DEAL-{n:04d}", "text", 0.25),
        ("content", c.pick(V.TEXTS), "text", 0.2),
        ("marga", c.rng.randint(0, 90000), "money", 0.1),
        ("mcid", 1, "id", 0.1),
        ("datum_start", "2031-01-01", "date", 0.1),
        ("datum_end", "2033-12-31", "date", 0.1),
    ):
        if c.maybe(prob):
            p.append((name, value, kind))
    return p


def deal_add(c: Ctx) -> Spec:
    n = c.n()
    s = Spec(params=_deal_params(c, n), obj_kind="deal", key="title")
    if c.maybe(0.6):
        s.params.append(("speka", _speka(c), "struct"))
    opt(c, s, 0.15, "user", c.login())
    attrs = {k: v for k, v, _ in s.params if k in ("title", "uid")}
    s.obj = c.model.created("deal", c.owner, speka=any(k == "speka" for k, _, _ in s.params), **attrs)
    return s


def deal_update(c: Ctx) -> Spec:
    s = Spec()
    if c.maybe(0.85):
        s.params.append(("did", c.model.ref("deal", c.owner), "id"))
    else:
        s.params.append(("uid", c.model.attr("deal", "uid", "1C-DEAL-NONE"), "text"))
    extra = [p for p in _deal_params(c, c.n()) if p[0] != "uid"]
    s.params += c.rng.sample(extra, min(len(extra), c.rng.randint(1, 3)))
    return s


def deal_change_step(c: Ctx) -> Spec:
    s = Spec(params=[("did", c.model.ref("deal", c.owner), "id"), ("step", c.pick(V.STEPS + [80, 55]), "text")])
    opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    return s


def deal_change_close(c: Ctx) -> Spec:
    s = Spec(params=[("did", c.model.ref("deal", c.owner), "id")])
    if c.maybe(0.7):
        s.params.append(("sid", c.rng.randint(1, 7), "id"))
    else:
        s.params.append(("status_close", c.pick(V.CLOSE_STATUSES), "text"))
    opt(c, s, 0.4, "kol_fact", V.money(c.rng), "money")
    opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    opt(c, s, 0.4, "datum", V.date(c.rng), "date")
    return s


def deal_change_user(c: Ctx) -> Spec:
    s = Spec(params=[("did", c.model.ref("deal"), "id"), ("user", c.login(), "text")])
    opt(c, s, 0.3, "client.send", "yes", "yesno")
    opt(c, s, 0.3, "person.send", "yes", "yesno")
    return s


def deal_delete(c: Ctx) -> Spec:
    if c.maybe(0.85):
        return Spec(params=[("did", c.model.ref("deal", c.owner), "id")])
    return Spec(params=[("uid", c.model.attr("deal", "uid", "1C-DEAL-NONE"), "text")])


def deal_funnel(c: Ctx) -> Spec:
    s = Spec()
    opt(c, s, 0.4, "direction", c.pick([1, "Основное"]), "text")
    opt(c, s, 0.4, "tip", c.pick([1, "Продажа простая"]), "text")
    opt(c, s, 0.2, "did", c.model.ref("deal"), "id")
    return s


def _invoice_ref(c: Ctx) -> list[tuple[str, Any, str]]:
    if c.maybe(0.85) or not c.model.objects["invoice"]:
        return [("id", c.model.ref("invoice"), "id")]
    return [("invoice", c.model.attr("invoice", "invoice", "СЧ-НЕТ"), "text")]


def invoice_info(c: Ctx) -> Spec:
    return Spec(params=[("id", c.model.ref("invoice"), "id")])


def invoice_add(c: Ctx, express: bool = False) -> Spec:
    n = c.n()
    deal = c.model.pick("deal", c.owner)
    did = deal.id if deal and c.maybe(0.9) else c.model.ref("deal")
    s = Spec(params=[("did", did, "id")], obj_kind="invoice", key="did")
    opt(c, s, 0.7, "summa", c.pick([1000, 5000, 15000.5, "2 500,50"]), "money")
    opt(c, s, 0.4, "date", V.date(c.rng), "date")
    number = c.pick(["auto", f"СЧ-2031/{n:03d}"]) if c.maybe(0.4) else None
    if number:
        s.params.append(("invoice", number, "text"))
    if express:
        opt(c, s, 0.5, "date.do", V.date(c.rng), "date")
    else:
        opt(c, s, 0.3, "date.plan", V.date(c.rng), "date")
        opt(c, s, 0.2, "contract", f"Договор №{n} от 10.01.2031")
        opt(c, s, 0.2, "tip", c.pick(["Счет", "Счет-договор"]))
        opt(c, s, 0.15, "nds", c.pick([0, 20, 5000]), "number")
        opt(c, s, 0.1, "do", "on", "yesno")
    s.obj = c.model.created("invoice", c.owner, invoice=number if number != "auto" else None)
    return s


def invoice_express(c: Ctx) -> Spec:
    return invoice_add(c, express=True)


def invoice_do(c: Ctx) -> Spec:
    s = Spec(params=_invoice_ref(c))
    opt(c, s, 0.4, "summa", c.pick([500, 1000, 5000]), "money")
    opt(c, s, 0.5, "date.do", V.date(c.rng), "date")
    return s


def invoice_by_id(c: Ctx) -> Spec:
    return Spec(params=_invoice_ref(c))
