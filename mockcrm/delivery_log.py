"""The delivery log: every webhook delivery attempt, like the real ``webhooklog`` and more."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any


@dataclass
class Delivery:
    """One delivery attempt: the real ``webhooklog`` row plus what the real one drops."""

    id: int
    hook_id: int
    event: str
    url: str
    #: the real log's ``query``: the payload in json_encode_cyr form
    query: str
    body: str
    #: response body; "" when the request failed or answered >= 400 (like the real log)
    response: str
    status: int | None
    duration_ms: float
    error: str | None
    attempt: int
    datum: str
    ok: bool

    def public(self) -> dict[str, Any]:
        return asdict(self)


class DeliveryLog:
    """A bounded, thread-safe log of delivery attempts (oldest dropped first)."""

    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._items: deque[Delivery] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def add(self, item: Delivery) -> None:
        with self._lock:
            self._items.append(item)

    def get(self, did: int) -> Delivery | None:
        with self._lock:
            return next((d for d in self._items if d.id == did), None)

    def entries(self, event: str | None = None, ok: bool | None = None, limit: int | None = None) -> list[Delivery]:
        with self._lock:
            items = [d for d in self._items if (event is None or d.event == event) and (ok is None or d.ok == ok)]
        return items[-limit:] if limit else items

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
