"""The request journal: a bounded ring buffer of API calls, for tests to inspect."""

from __future__ import annotations

import itertools
import threading
from collections import deque
from dataclasses import asdict, dataclass
from typing import Any

MASK = "***"


def mask_params(params: dict[str, Any]) -> dict[str, Any]:
    """The params without secrets: the apikey is masked wherever it sits at the top level."""
    return {k: (MASK if k.lower() == "apikey" else v) for k, v in params.items()}


@dataclass
class Entry:
    id: int
    time: str
    method: str
    action: Any
    transport: str
    login: Any
    params: dict[str, Any]
    #: the CRM code of the answer: 200 for success, the error code, "fatal" or "fault:<kind>"
    code: Any
    duration_ms: float

    def public(self) -> dict[str, Any]:
        return asdict(self)


class Journal:
    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._items: deque[Entry] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)

    def record(self, **fields: Any) -> Entry:
        with self._lock:
            entry = Entry(id=next(self._ids), **fields)
            self._items.append(entry)
            return entry

    def entries(self, method: str | None = None, action: str | None = None, login: str | None = None) -> list[Entry]:
        with self._lock:
            items = list(self._items)
        return [
            e
            for e in items
            if (method is None or e.method == method)
            and (action is None or e.action == action)
            and (login is None or (isinstance(e.login, str) and e.login.lower() == login.lower()))
        ]

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def answer_code(result: Any) -> Any:
    """The CRM code of a rendered result dict: its error code, else 200."""
    if isinstance(result, dict):
        err = result.get("error")
        if isinstance(err, dict) and "code" in err:
            return err["code"]
    return 200
