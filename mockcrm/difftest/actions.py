"""One builder per API action: the parameters of a plausible call, each tagged with its kind so the
generator can swap one of them for an odd value. Actions and parameters come from
``../shared/salesman-v2/*.md``, ``developer/v2/*.php`` and the vendor examples in ``developer/v2/examples/``.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import values as V
from .model import Model, Obj

LOGIN_TOKENS = {"admin": "{LOGIN}", "manager": "{LOGIN2}", "manager2": "{LOGIN3}"}


@dataclass
class Spec:
    params: list[tuple[str, Any, str]] = field(default_factory=list)  # (name, value, kind)
    obj: Obj | None = None  # what an add creates (predicted)
    obj_kind: str = ""
    key: str = ""  # the parameter without which the add creates nothing


@dataclass
class Ctx:
    rng: random.Random
    model: Model
    who: str  # admin | manager | manager2 | bad-apikey | unknown-login | none

    @property
    def owner(self) -> str:
        return self.who if self.who in LOGIN_TOKENS else "admin"

    def maybe(self, p: float = 0.5) -> bool:
        return self.rng.random() < p

    def pick(self, seq: list[Any]) -> Any:
        return self.rng.choice(seq)

    def login(self) -> str:
        return self.pick(list(LOGIN_TOKENS.values()))

    def n(self) -> int:
        return self.model.unique()


Builder = Callable[[Ctx], Spec]


def _opt(c: Ctx, spec: Spec, p: float, name: str, value: Any, kind: str = "text") -> None:
    if c.maybe(p):
        spec.params.append((name, value, kind))


def _mail(c: Ctx) -> str:
    return f"user{c.n()}@example.com"  # never a real address: invoice.mail writes to contacts


def _phone(c: Ctx) -> str:
    return f"+7 (342) {c.rng.randint(200, 299)}-{c.rng.randint(10, 99)}-{c.rng.randint(10, 99)}"


def _fields(c: Ctx, names: list[str]) -> str:
    return ",".join(c.rng.sample(names, c.rng.randint(1, min(4, len(names)))))


def _list_common(c: Ctx, spec: Spec, orders: list[str], fields: list[str]) -> None:
    _opt(c, spec, 0.3, "fields", _fields(c, fields))
    _opt(c, spec, 0.3, "order", c.pick(orders))
    _opt(c, spec, 0.3, "first", c.pick(["old", "new"]))
    _opt(c, spec, 0.2, "offset", c.rng.randint(0, 2), "number")
    _opt(c, spec, 0.2, "user", c.login())
    if c.maybe(0.2):
        spec.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]


def nothing(c: Ctx) -> Spec:
    return Spec()


# ------------------------------------------------------------------ client

CLIENT_FIELDS = ["clid", "title", "phone", "mail_url", "type", "iduser", "date_create", "uid", "address", "recv"]


def client_list(c: Ctx) -> Spec:
    s = Spec()
    _list_common(c, s, ["clid", "title", "date_create", "date_edit"], CLIENT_FIELDS)
    _opt(c, s, 0.3, "word", c.model.title_word())
    _opt(c, s, 0.2, "filter", {"type": c.pick(V.CLIENT_TYPES)}, "struct")
    _opt(c, s, 0.1, "uids", "yes", "yesno")
    _opt(c, s, 0.1, "bankinfo", "yes", "yesno")
    return s


def client_info(c: Ctx) -> Spec:
    s = Spec()
    r = c.rng.random()
    if r < 0.7:
        s.params.append(("clid", c.model.ref("client", c.owner), "id"))
    elif r < 0.85:
        s.params.append(("uid", c.model.attr("client", "uid", "1C-NONE"), "text"))
    else:
        s.params.append(("inn", c.model.attr("client", "inn", "5900000000"), "text"))
    _opt(c, s, 0.3, "fields", _fields(c, CLIENT_FIELDS))
    _opt(c, s, 0.2, "bankinfo", "yes", "yesno")
    _opt(c, s, 0.2, "contacts", "yes", "yesno")
    _opt(c, s, 0.1, "uids", "yes", "yesno")
    return s


def _client_params(c: Ctx, n: int) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("title", f"{c.pick(V.COMPANIES)} {n}", "text")]
    for name, value, kind, prob in (
        ("phone", _phone(c), "text", 0.5),
        ("mail_url", _mail(c), "text", 0.4),
        ("site_url", f"site{n}.example.com", "text", 0.2),
        ("address", f"г. Пермь, ул. Ленина, {n}", "text", 0.3),
        ("uid", f"1C-{n:06d}", "text", 0.3),
        ("type", c.pick(V.CLIENT_TYPES), "text", 0.2),
        ("idcategory", c.pick([1, 2]), "id", 0.1),
        ("territory", c.pick(V.TERRITORIES), "text", 0.15),
        ("tip_cmr", c.pick(V.RELATIONS), "text", 0.15),
        ("clientpath", c.pick(V.CLIENTPATHS), "text", 0.15),
        ("des", c.pick(V.TEXTS), "text", 0.2),
        ("date_create", f"2024-0{c.rng.randint(1, 9)}-15 10:20:30", "date", 0.15),
    ):
        if c.maybe(prob):
            p.append((name, value, kind))
    if c.maybe(0.25):
        recv = {"castInn": f"59{n:08d}", "castKpp": "590401001", "castUrName": f"Общество {n}"}
        p.append(("recv", recv, "struct"))
    return p


def client_add(c: Ctx) -> Spec:
    n = c.n()
    s = Spec(params=_client_params(c, n), obj_kind="client", key="title")
    _opt(c, s, 0.15, "user", c.login())
    attrs = {k: v for k, v, _ in s.params if k in ("title", "uid")}
    recv = next((v for k, v, _ in s.params if k == "recv"), None)
    s.obj = c.model.created("client", c.owner, inn=recv["castInn"] if recv else None, **attrs)
    return s


def client_add_list(c: Ctx) -> Spec:
    rows = []
    for _ in range(c.rng.randint(1, 3)):
        rows.append({k: v for k, v, _ in _client_params(c, c.n())})
        c.model.created("client", c.owner, title=rows[-1]["title"])
    return Spec(params=[("client", rows, "struct")])


def client_update(c: Ctx) -> Spec:
    s = Spec()
    if c.maybe(0.85):
        s.params.append(("clid", c.model.ref("client", c.owner), "id"))
    else:
        s.params.append(("uid", c.model.attr("client", "uid", "1C-NONE"), "text"))
    extra = [p for p in _client_params(c, c.n()) if p[0] != "uid"]
    s.params += c.rng.sample(extra, min(len(extra), c.rng.randint(1, 3)))
    return s


def client_delete(c: Ctx) -> Spec:
    clid = c.model.ref("client", c.owner)
    return Spec(params=[("clid", clid, "id")])


def client_change_user(c: Ctx) -> Spec:
    return Spec(params=[("clid", c.model.ref("client"), "id"), ("user", c.login(), "text")])


# ------------------------------------------------------------------ person

PERSON_FIELDS = ["pid", "person", "ptitle", "clid", "mail", "tel", "mob", "iduser", "date_create", "rol"]


def person_list(c: Ctx) -> Spec:
    s = Spec()
    _list_common(c, s, ["pid", "person", "date_create"], PERSON_FIELDS)
    _opt(c, s, 0.2, "word", c.pick(["Петров", "Анна", "Волков"]))
    _opt(c, s, 0.2, "filter", {"clid": c.model.ref("client")}, "struct")
    _opt(c, s, 0.1, "socinfo", "yes", "yesno")
    return s


def person_info(c: Ctx) -> Spec:
    s = Spec(params=[("pid", c.model.ref("person", c.owner), "id")])
    _opt(c, s, 0.3, "socinfo", "yes", "yesno")
    _opt(c, s, 0.3, "fields", _fields(c, PERSON_FIELDS))
    return s


def _person_params(c: Ctx, n: int) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("person", f"{c.pick(V.PEOPLE)} {n}", "text")]
    for name, value, kind, prob in (
        ("ptitle", c.pick(V.POSTS), "text", 0.5),
        ("clid", c.model.ref("client", c.owner), "id", 0.6),
        ("tel", _phone(c), "text", 0.4),
        ("mob", _phone(c), "text", 0.3),
        ("mail", _mail(c), "text", 0.5),
        ("rol", c.pick(["ЛПР", "Бухгалтер", "Секретарь"]), "text", 0.2),
        ("loyalty", c.pick(V.LOYALTY), "text", 0.15),
        ("clientpath", c.pick(V.CLIENTPATHS), "text", 0.1),
        ("socials", {"skype": f"skype{n}", "blog": f"blog{n}.example.com"}, "struct", 0.1),
        ("mperson", "yes", "yesno", 0.1),
    ):
        if c.maybe(prob):
            p.append((name, value, kind))
    return p


def person_add(c: Ctx) -> Spec:
    s = Spec(params=_person_params(c, c.n()), obj_kind="person", key="person")
    _opt(c, s, 0.15, "user", c.login())
    s.obj = c.model.created("person", c.owner, person=s.params[0][1])
    return s


def person_add_list(c: Ctx) -> Spec:
    rows = []
    for _ in range(c.rng.randint(1, 3)):
        rows.append({k: v for k, v, _ in _person_params(c, c.n())})
        c.model.created("person", c.owner)
    return Spec(params=[("persons", rows, "struct")])


def person_update(c: Ctx) -> Spec:
    s = Spec(params=[("pid", c.model.ref("person", c.owner), "id")])
    extra = _person_params(c, c.n())
    s.params += c.rng.sample(extra, min(len(extra), c.rng.randint(1, 3)))
    return s


def person_delete(c: Ctx) -> Spec:
    return Spec(params=[("pid", c.model.ref("person", c.owner), "id")])


# ------------------------------------------------------------------ deal

DEAL_FIELDS = ["did", "title", "kol", "step", "iduser", "clid", "pid_list", "datum_plan", "uid", "close", "marga"]


def deal_list(c: Ctx) -> Spec:
    s = Spec()
    _list_common(c, s, ["did", "title", "datum_plan", "kol"], DEAL_FIELDS)
    _opt(c, s, 0.2, "word", c.pick(["Поставка", "насос", "Аудит"]))
    _opt(c, s, 0.2, "filter", {"clid": c.model.ref("client")}, "struct")
    _opt(c, s, 0.15, "steps", c.pick(V.STEPS), "text")
    _opt(c, s, 0.15, "active", c.pick(["yes", "no"]), "yesno")
    _opt(c, s, 0.15, "invoice", "yes", "yesno")
    _opt(c, s, 0.1, "bankinfo", "yes", "yesno")
    return s


def deal_info(c: Ctx) -> Spec:
    s = Spec()
    if c.maybe(0.85):
        s.params.append(("did", c.model.ref("deal", c.owner), "id"))
    else:
        s.params.append(("uid", c.model.attr("deal", "uid", "1C-DEAL-NONE"), "text"))
    for name in ("client", "payer", "speka", "invoice", "bankinfo", "uids"):
        _opt(c, s, 0.2, name, "yes", "yesno")
    _opt(c, s, 0.2, "fields", _fields(c, DEAL_FIELDS))
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
    _opt(c, s, 0.15, "user", c.login())
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
    _opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    return s


def deal_change_close(c: Ctx) -> Spec:
    s = Spec(params=[("did", c.model.ref("deal", c.owner), "id")])
    if c.maybe(0.7):
        s.params.append(("sid", c.rng.randint(1, 7), "id"))
    else:
        s.params.append(("status_close", c.pick(V.CLOSE_STATUSES), "text"))
    _opt(c, s, 0.4, "kol_fact", V.money(c.rng), "money")
    _opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    _opt(c, s, 0.4, "datum", V.date(c.rng), "date")
    return s


def deal_change_user(c: Ctx) -> Spec:
    s = Spec(params=[("did", c.model.ref("deal"), "id"), ("user", c.login(), "text")])
    _opt(c, s, 0.3, "client.send", "yes", "yesno")
    _opt(c, s, 0.3, "person.send", "yes", "yesno")
    return s


def deal_delete(c: Ctx) -> Spec:
    if c.maybe(0.85):
        return Spec(params=[("did", c.model.ref("deal", c.owner), "id")])
    return Spec(params=[("uid", c.model.attr("deal", "uid", "1C-DEAL-NONE"), "text")])


def deal_funnel(c: Ctx) -> Spec:
    s = Spec()
    _opt(c, s, 0.4, "direction", c.pick([1, "Основное"]), "text")
    _opt(c, s, 0.4, "tip", c.pick([1, "Продажа простая"]), "text")
    _opt(c, s, 0.2, "did", c.model.ref("deal"), "id")
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
    _opt(c, s, 0.7, "summa", c.pick([1000, 5000, 15000.5, "2 500,50"]), "money")
    _opt(c, s, 0.4, "date", V.date(c.rng), "date")
    number = c.pick(["auto", f"СЧ-2031/{n:03d}"]) if c.maybe(0.4) else None
    if number:
        s.params.append(("invoice", number, "text"))
    if express:
        _opt(c, s, 0.5, "date.do", V.date(c.rng), "date")
    else:
        _opt(c, s, 0.3, "date.plan", V.date(c.rng), "date")
        _opt(c, s, 0.2, "contract", f"Договор №{n} от 10.01.2031")
        _opt(c, s, 0.2, "tip", c.pick(["Счет", "Счет-договор"]))
        _opt(c, s, 0.15, "nds", c.pick([0, 20, 5000]), "number")
        _opt(c, s, 0.1, "do", "on", "yesno")
    s.obj = c.model.created("invoice", c.owner, invoice=number if number != "auto" else None)
    return s


def invoice_express(c: Ctx) -> Spec:
    return invoice_add(c, express=True)


def invoice_do(c: Ctx) -> Spec:
    s = Spec(params=_invoice_ref(c))
    _opt(c, s, 0.4, "summa", c.pick([500, 1000, 5000]), "money")
    _opt(c, s, 0.5, "date.do", V.date(c.rng), "date")
    return s


def invoice_by_id(c: Ctx) -> Spec:
    return Spec(params=_invoice_ref(c))


# ------------------------------------------------------------------ task

TASK_LIST_ORDERS = ["tid", "datum", "title"]


def task_list(c: Ctx) -> Spec:
    s = Spec()
    _opt(c, s, 0.3, "dateStart", "2031-01-01", "date")
    _opt(c, s, 0.3, "dateEnd", "2032-12-31", "date")
    _opt(c, s, 0.2, "order", c.pick(TASK_LIST_ORDERS))
    _opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    _opt(c, s, 0.2, "active", c.pick(["yes", "no"]), "yesno")
    _opt(c, s, 0.15, "word", c.pick(["Позвонить", "Встреча"]))
    _opt(c, s, 0.15, "tip", c.pick(V.ACTIVITIES))
    _opt(c, s, 0.15, "clid", c.model.ref("client"), "id")
    _opt(c, s, 0.1, "did", c.model.ref("deal"), "id")
    _opt(c, s, 0.15, "user", c.login())
    _opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
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
    _opt(c, s, 0.2, "user", c.login())
    s.obj = c.model.created("task", c.owner)
    return s


def task_update(c: Ctx) -> Spec:
    s = Spec(params=[("id", c.model.ref("task", c.owner), "id")])
    extra = _task_params(c)
    s.params += c.rng.sample(extra, min(len(extra), c.rng.randint(1, 3)))
    _opt(c, s, 0.1, "user", c.login())
    _opt(c, s, 0.1, "active", c.pick(["yes", "no"]), "yesno")
    return s


def task_doit(c: Ctx) -> Spec:
    s = Spec(params=[("id", c.model.ref("task", c.owner), "id")])
    _opt(c, s, 0.4, "description", c.pick(V.TEXTS))
    _opt(c, s, 0.3, "status", c.rng.randint(1, 2), "number")
    _opt(c, s, 0.3, "tip", c.pick(V.ACTIVITIES))
    return s


def by_id(kind: str, name: str = "id") -> Builder:
    def build(c: Ctx) -> Spec:
        return Spec(params=[(name, c.model.ref(kind, c.owner), "id")])

    return build


def task_history(c: Ctx) -> Spec:
    s = Spec(params=[("content", c.pick(V.TEXTS), "text")])
    _opt(c, s, 0.6, "clid", c.model.ref("client", c.owner), "id")
    _opt(c, s, 0.3, "pid", c.pick([c.model.ref("person"), "1, 2"]), "text")
    _opt(c, s, 0.5, "tip", c.pick(V.ACTIVITIES))
    _opt(c, s, 0.4, "datum", V.date(c.rng), "date")
    c.model.created("history", c.owner)
    return s


# ------------------------------------------------------------------ history


def history_list(c: Ctx) -> Spec:
    s = Spec()
    _opt(c, s, 0.3, "clid", c.model.ref("client"), "id")
    _opt(c, s, 0.15, "pid", c.model.ref("person"), "id")
    if c.maybe(0.3):
        s.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]
    _opt(c, s, 0.2, "order", c.pick(["cid", "datum"]))
    _opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    _opt(c, s, 0.15, "word", c.pick(["Звонок", "КП"]))
    _opt(c, s, 0.15, "user", c.login())
    _opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
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
    _opt(c, s, 0.15, "user", c.login())
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
    _opt(c, s, 0.2, "order", c.pick(["id", "datum"]))
    _opt(c, s, 0.2, "first", c.pick(["old", "new"]))
    _opt(c, s, 0.2, "status", c.rng.randint(0, 3), "number")
    _opt(c, s, 0.15, "user", c.login())
    if c.maybe(0.2):
        s.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]
    _opt(c, s, 0.1, "offset", c.rng.randint(0, 2), "number")
    return s


def lead_add(c: Ctx) -> Spec:
    n = c.n()
    s = Spec(params=[("title", f"Заявка с сайта {n}", "text")], obj_kind="lead", key="")
    for name, value, kind, prob in (
        ("email", _mail(c), "text", 0.6),
        ("phone", _phone(c), "text", 0.5),
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
    _opt(c, s, 0.7, "title", f"{c.pick(V.PEOPLE)} {n}")
    _opt(c, s, 0.3, "tip", c.pick(V.ROLES))
    _opt(c, s, 0.3, "boss", c.login())
    _opt(c, s, 0.2, "email", _mail(c))
    _opt(c, s, 0.2, "phone", _phone(c))
    _opt(c, s, 0.2, "uid", f"EMP-{n}")
    s.obj = c.model.created("user", c.owner)
    return s


# ------------------------------------------------------------------ the table

ACTIONS: dict[tuple[str, str], tuple[Builder, float]] = {
    ("client", "fields"): (nothing, 0.5),
    ("client", "list"): (client_list, 1.5),
    ("client", "info"): (client_info, 1.5),
    ("client", "add"): (client_add, 2.5),
    ("client", "add.list"): (client_add_list, 0.7),
    ("client", "update"): (client_update, 1.5),
    ("client", "delete"): (client_delete, 0.6),
    ("client", "change.user"): (client_change_user, 0.2),
    ("person", "fields"): (nothing, 0.4),
    ("person", "list"): (person_list, 1.0),
    ("person", "info"): (person_info, 1.0),
    ("person", "add"): (person_add, 1.5),
    ("person", "add.list"): (person_add_list, 0.5),
    ("person", "update"): (person_update, 1.0),
    ("person", "delete"): (person_delete, 0.5),
    ("deal", "fields"): (nothing, 0.4),
    ("deal", "steplist"): (nothing, 0.3),
    ("deal", "direction"): (nothing, 0.3),
    ("deal", "statusclose"): (nothing, 0.3),
    ("deal", "type"): (nothing, 0.3),
    ("deal", "funnel"): (deal_funnel, 0.4),
    ("deal", "list"): (deal_list, 1.2),
    ("deal", "info"): (deal_info, 1.2),
    ("deal", "add"): (deal_add, 2.0),
    ("deal", "update"): (deal_update, 1.0),
    ("deal", "change.step"): (deal_change_step, 1.0),
    ("deal", "change.close"): (deal_change_close, 0.7),
    ("deal", "change.user"): (deal_change_user, 0.6),
    ("deal", "delete"): (deal_delete, 0.5),
    ("deal", "invoice.info"): (invoice_info, 0.6),
    ("deal", "invoice.add"): (invoice_add, 1.0),
    ("deal", "invoice.do"): (invoice_do, 0.7),
    ("deal", "invoice.express"): (invoice_express, 0.6),
    ("deal", "invoice.html"): (invoice_by_id, 0.4),
    ("deal", "invoice.pdf"): (invoice_by_id, 0.3),
    ("deal", "invoice.mail"): (invoice_by_id, 0.3),
    ("deal", "invoice.templates"): (nothing, 0.3),
    ("task", "tips"): (nothing, 0.3),
    ("task", "fields"): (nothing, 0.3),
    ("task", "list"): (task_list, 1.0),
    ("task", "info"): (by_id("task"), 1.0),
    ("task", "add"): (task_add, 1.5),
    ("task", "update"): (task_update, 1.0),
    ("task", "doit"): (task_doit, 0.8),
    ("task", "delete"): (by_id("task"), 0.5),
    ("task", "history"): (task_history, 0.6),
    ("history", "tips"): (nothing, 0.3),
    ("history", "fields"): (nothing, 0.3),
    ("history", "list"): (history_list, 0.8),
    ("history", "info"): (by_id("history"), 0.8),
    ("history", "add"): (history_add, 1.2),
    ("history", "add.list"): (history_add_list, 0.5),
    ("history", "delete"): (by_id("history"), 0.5),
    ("lead", "info"): (by_id("lead"), 0.8),
    ("lead", "add"): (lead_add, 1.2),
    ("lead", "stat"): (lead_stat, 0.5),
    ("lead", "list"): (lead_list, 0.8),
    ("guides", "category"): (nothing, 0.2),
    ("guides", "territory"): (nothing, 0.2),
    ("guides", "relations"): (nothing, 0.2),
    ("guides", "clientpath"): (nothing, 0.2),
    ("guides", "company.list"): (nothing, 0.2),
    ("guides", "company.listfull"): (nothing, 0.2),
    ("guides", "company.bank"): (nothing, 0.2),
    ("guides", "company.signers"): (nothing, 0.2),
    ("user", "user"): (user_user, 0.6),
    ("user", "user.list"): (nothing, 0.4),
    ("user", "user.add"): (user_add, 0.5),
}
