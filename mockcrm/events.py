"""Event bus: actions announce CRM events, subscribers (webhooks, listeners) act."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("mockcrm.events")


@dataclass(frozen=True)
class Event:
    name: str
    payload: dict[str, Any]
    account: str = "1"
    #: iduser of the user whose call fired the event
    actor: str = "1"
    #: the mock's own base URL as the caller reached it ({HOME} in hook URLs)
    home: str = ""


Listener = Callable[[Event], None]


class EventBus:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: list[tuple[str, Listener]] = []

    def subscribe(self, name: str, fn: Listener) -> Callable[[], None]:
        """Call ``fn(event)`` for events called ``name`` ("*" = all); returns an unsubscribe."""
        entry = (name, fn)
        with self._lock:
            self._listeners.append(entry)

        def unsubscribe() -> None:
            with self._lock:
                if entry in self._listeners:
                    self._listeners.remove(entry)

        return unsubscribe

    def publish(self, event: Event) -> None:
        with self._lock:
            targets = [fn for name, fn in self._listeners if name in ("*", event.name)]
        for fn in targets:
            try:
                fn(event)
            except Exception:  # a listener never breaks the API answer
                log.exception("listener for %s failed", event.name)
