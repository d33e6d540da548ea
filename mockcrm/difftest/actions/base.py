"""What every builder shares: the call context, the spec it returns, small value helpers."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..model import Model, Obj

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


def opt(c: Ctx, spec: Spec, p: float, name: str, value: Any, kind: str = "text") -> None:
    if c.maybe(p):
        spec.params.append((name, value, kind))


def mail(c: Ctx) -> str:
    return f"user{c.n()}@example.com"  # never a real address: invoice.mail writes to contacts


def phone(c: Ctx) -> str:
    return f"+7 (342) {c.rng.randint(200, 299)}-{c.rng.randint(10, 99)}-{c.rng.randint(10, 99)}"


def pick_fields(c: Ctx, names: list[str]) -> str:
    return ",".join(c.rng.sample(names, c.rng.randint(1, min(4, len(names)))))


def list_common(c: Ctx, spec: Spec, orders: list[str], fields: list[str]) -> None:
    opt(c, spec, 0.3, "fields", pick_fields(c, fields))
    opt(c, spec, 0.3, "order", c.pick(orders))
    opt(c, spec, 0.3, "first", c.pick(["old", "new"]))
    opt(c, spec, 0.2, "offset", c.rng.randint(0, 2), "number")
    opt(c, spec, 0.2, "user", c.login())
    if c.maybe(0.2):
        spec.params += [("dateStart", "2000-01-01", "date"), ("dateEnd", "2100-01-01", "date")]


def nothing(c: Ctx) -> Spec:
    return Spec()


def by_id(kind: str, name: str = "id") -> Builder:
    def build(c: Ctx) -> Spec:
        return Spec(params=[(name, c.model.ref(kind, c.owner), "id")])

    return build
