"""The delivery log: every webhook delivery attempt, like the real ``webhooklog`` and more."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .ringlog import RingLog


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


class DeliveryLog(RingLog[Delivery]):
    """A bounded, thread-safe log of delivery attempts (oldest dropped first)."""

    def get(self, did: int) -> Delivery | None:
        return next((d for d in self.snapshot() if d.id == did), None)

    def entries(self, event: str | None = None, ok: bool | None = None, limit: int | None = None) -> list[Delivery]:
        items = [d for d in self.snapshot() if (event is None or d.event == event) and (ok is None or d.ok == ok)]
        return items[-limit:] if limit else items
