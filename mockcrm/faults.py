"""Fault injection: rules keyed by method and action that break answers on purpose."""

from __future__ import annotations

import itertools
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

KINDS = ("error", "fatal", "latency", "drop", "malformed")


@dataclass
class Fault:
    """One rule.  ``method``/``action`` may be ``"*"``; ``kind`` is one of KINDS."""

    kind: str
    method: str = "*"
    action: str = "*"
    #: error: the CRM error code and text of the answer
    code: int | str = 500
    text: str = "Внутренняя ошибка"
    #: fatal: the PHP error class and message of the fatal page
    message: str = "MySQL server has gone away"
    #: latency: seconds, or [low, high] for a uniform range
    latency: float | list[float] = 0.0
    probability: float = 1.0
    seed: int | None = None
    #: how many more times the rule may fire (None = unlimited)
    count: int | None = None
    #: seconds the rule lives from its creation (None = forever)
    ttl: float | None = None
    id: int = 0
    created: float = field(default_factory=time.monotonic)
    fired: int = 0
    _rng: random.Random = field(default_factory=random.Random, repr=False)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def public(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "method": self.method,
            "action": self.action,
            "code": self.code,
            "text": self.text,
            "message": self.message,
            "latency": self.latency,
            "probability": self.probability,
            "seed": self.seed,
            "count": self.count,
            "ttl": self.ttl,
            "fired": self.fired,
        }

    def expired(self, now: float) -> bool:
        return (self.count is not None and self.count <= 0) or (self.ttl is not None and now - self.created > self.ttl)

    def matches(self, method: str, action: Any) -> bool:
        return self.method in ("*", method) and (self.action == "*" or self.action == action)

    def delay(self) -> float:
        if isinstance(self.latency, list):
            low, high = self.latency
            return self._rng.uniform(low, high)
        return float(self.latency)

    @classmethod
    def from_dict(cls, data: Any) -> Fault:
        if not isinstance(data, dict):
            raise ValueError("a fault is an object with at least 'kind'")
        allowed = {
            "kind",
            "method",
            "action",
            "code",
            "text",
            "message",
            "latency",
            "probability",
            "seed",
            "count",
            "ttl",
        }
        unknown = set(data) - allowed
        if unknown:
            raise ValueError(f"unknown fault keys: {', '.join(sorted(unknown))}")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault 'kind' must be one of {', '.join(KINDS)}")
        latency = data.get("latency", 0.0)
        if isinstance(latency, list):
            if len(latency) != 2 or not all(_number(x) and x >= 0 for x in latency) or latency[0] > latency[1]:
                raise ValueError("fault 'latency' range must be [low, high] seconds with 0 <= low <= high")
            latency = [float(x) for x in latency]
        elif not _number(latency) or latency < 0:
            raise ValueError("fault 'latency' must be seconds (a number >= 0) or [low, high]")
        probability = data.get("probability", 1.0)
        if not _number(probability) or not 0 <= probability <= 1:
            raise ValueError("fault 'probability' must be a number from 0 to 1")
        for key in ("count", "seed"):
            if data.get(key) is not None and (not isinstance(data[key], int) or isinstance(data[key], bool)):
                raise ValueError(f"fault '{key}' must be an integer")
        ttl = data.get("ttl")
        if ttl is not None and (not _number(ttl) or ttl <= 0):
            raise ValueError("fault 'ttl' must be a number of seconds > 0")
        for key in ("method", "action", "text", "message"):
            if key in data and not isinstance(data[key], str):
                raise ValueError(f"fault '{key}' must be a string")
        return cls(
            kind=kind,
            method=data.get("method", "*"),
            action=data.get("action", "*"),
            code=data.get("code", 500),
            text=data.get("text", "Внутренняя ошибка"),
            message=data.get("message", "MySQL server has gone away"),
            latency=latency,
            probability=float(probability),
            seed=data.get("seed"),
            count=data.get("count"),
            ttl=None if ttl is None else float(ttl),
        )


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


class Faults:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[Fault] = []
        self._ids = itertools.count(1)

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            fault.id = next(self._ids)
            self._rules.append(fault)
        return fault

    def remove(self, fid: int) -> bool:
        with self._lock:
            before = len(self._rules)
            self._rules = [f for f in self._rules if f.id != fid]
            return len(self._rules) != before

    def clear(self) -> None:
        with self._lock:
            self._rules = []

    def rules(self) -> list[Fault]:
        now = time.monotonic()
        with self._lock:
            self._rules = [f for f in self._rules if not f.expired(now)]
            return list(self._rules)

    def pick(self, method: str, action: Any) -> list[Fault]:
        """The rules that fire for this call (at most one of each kind, first rule wins)."""
        now = time.monotonic()
        fired: dict[str, Fault] = {}
        with self._lock:
            for f in self._rules:
                if f.kind in fired or f.expired(now) or not f.matches(method, action):
                    continue
                if f.probability < 1 and f._rng.random() >= f.probability:
                    continue
                if f.count is not None:
                    f.count -= 1
                f.fired += 1
                fired[f.kind] = f
        return list(fired.values())
