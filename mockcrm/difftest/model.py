"""What a generated sequence has created so far, with the ids a fresh install hands out (all from 1).

Ids are predicted, not read back: a step that fails on the server leaves a gap in the prediction, so
a later reference may name an object that does not exist; that is a fine test too (both targets get
the same request).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from . import values as V

KINDS = ("client", "person", "deal", "task", "history", "lead", "invoice", "user")
FIRST_ID = {"user": 4}  # three users in a fresh install


@dataclass
class Obj:
    id: int
    owner: str  # "admin" | "manager" | "manager2"
    attrs: dict[str, Any] = field(default_factory=dict)


class Model:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.objects: dict[str, list[Obj]] = {k: [] for k in KINDS}
        self.next_id = {k: FIRST_ID.get(k, 1) for k in KINDS}
        self.serial = 0

    def created(self, kind: str, owner: str, **attrs: Any) -> Obj:
        obj = Obj(self.next_id[kind], owner, attrs)
        self.next_id[kind] += 1
        self.objects[kind].append(obj)
        return obj

    def forget(self, kind: str, oid: Any) -> None:
        self.objects[kind] = [o for o in self.objects[kind] if o.id != oid]

    def unique(self) -> int:
        self.serial += 1
        return self.serial

    def pick(self, kind: str, owner: str | None = None) -> Obj | None:
        """A created object, preferring ``owner``'s own (and sometimes another user's)."""
        objs = self.objects[kind]
        if not objs:
            return None
        if owner is not None and self.rng.random() < 0.7:
            mine = [o for o in objs if o.owner == owner]
            if mine:
                return self.rng.choice(mine)
        return self.rng.choice(objs)

    def ref(self, kind: str, owner: str | None = None) -> Any:
        """An id: mostly a created object's, else an unknown or foreign one."""
        obj = self.pick(kind, owner)
        if obj is None or self.rng.random() < 0.1:
            return self.rng.choice([999, self.next_id[kind], 1])
        return obj.id

    def attr(self, kind: str, name: str, default: Any) -> Any:
        objs = [o for o in self.objects[kind] if o.attrs.get(name) not in (None, "")]
        if not objs:
            return default
        return self.rng.choice(objs).attrs[name]

    def title_word(self) -> str:
        title = self.attr("client", "title", self.rng.choice(V.COMPANIES))
        words = [w for w in str(title).split() if len(w) > 2]
        return self.rng.choice(words) if words else str(title)
