"""Builders of `client` and `person` (client.md, person.md, examples/client-example.php, person-example.php)."""

from __future__ import annotations

from typing import Any

from .. import values as V
from .base import Ctx, Spec, list_common, mail, opt, phone, pick_fields

# ------------------------------------------------------------------ client

CLIENT_FIELDS = ["clid", "title", "phone", "mail_url", "type", "iduser", "date_create", "uid", "address", "recv"]


def client_list(c: Ctx) -> Spec:
    s = Spec()
    list_common(c, s, ["clid", "title", "date_create", "date_edit"], CLIENT_FIELDS)
    opt(c, s, 0.3, "word", c.model.title_word())
    opt(c, s, 0.2, "filter", {"type": c.pick(V.CLIENT_TYPES)}, "struct")
    opt(c, s, 0.1, "uids", "yes", "yesno")
    opt(c, s, 0.1, "bankinfo", "yes", "yesno")
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
    opt(c, s, 0.3, "fields", pick_fields(c, CLIENT_FIELDS))
    opt(c, s, 0.2, "bankinfo", "yes", "yesno")
    opt(c, s, 0.2, "contacts", "yes", "yesno")
    opt(c, s, 0.1, "uids", "yes", "yesno")
    return s


def _client_params(c: Ctx, n: int) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("title", f"{c.pick(V.COMPANIES)} {n}", "text")]
    for name, value, kind, prob in (
        ("phone", phone(c), "text", 0.5),
        ("mail_url", mail(c), "text", 0.4),
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
    opt(c, s, 0.15, "user", c.login())
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
    list_common(c, s, ["pid", "person", "date_create"], PERSON_FIELDS)
    opt(c, s, 0.2, "word", c.pick(["Петров", "Анна", "Волков"]))
    opt(c, s, 0.2, "filter", {"clid": c.model.ref("client")}, "struct")
    opt(c, s, 0.1, "socinfo", "yes", "yesno")
    return s


def person_info(c: Ctx) -> Spec:
    s = Spec(params=[("pid", c.model.ref("person", c.owner), "id")])
    opt(c, s, 0.3, "socinfo", "yes", "yesno")
    opt(c, s, 0.3, "fields", pick_fields(c, PERSON_FIELDS))
    return s


def _person_params(c: Ctx, n: int) -> list[tuple[str, Any, str]]:
    p: list[tuple[str, Any, str]] = [("person", f"{c.pick(V.PEOPLE)} {n}", "text")]
    for name, value, kind, prob in (
        ("ptitle", c.pick(V.POSTS), "text", 0.5),
        ("clid", c.model.ref("client", c.owner), "id", 0.6),
        ("tel", phone(c), "text", 0.4),
        ("mob", phone(c), "text", 0.3),
        ("mail", mail(c), "text", 0.5),
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
    opt(c, s, 0.15, "user", c.login())
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
