"""Python hooks in process, the analog of the CRM's Events and "Hooks & filters".

* ``Backend.on(event, fn)``: ``fn(payload)`` runs after the action that fired ``event`` ("*" = every
  event), with the payload its webhook carries (``payload["event"]`` names it);
* ``Backend.filter(pattern, fn)``: ``fn(call, answer)`` gets every API call that ``pattern`` names
  (``"client.info"``, ``"client.*"`` or ``"client"``, ``"*"``) and the answer the mock computed, and
  returns the answer to send: a JSON value (sent as the real server encodes JSON), a ``str`` (sent as
  is, for a page that is not JSON), or ``None`` to keep the answer.

Both return a function that removes the hook.  They are code, not state: a reset keeps them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ApiCall:
    """What a filter learns about the call: the parsed parameters as the PHP script sees them."""

    method: str
    action: Any
    login: Any
    transport: str
    params: dict[str, Any]


Filter = Callable[[ApiCall, Any], Any]


def _check_pattern(pattern: str) -> tuple[str, str]:
    if not isinstance(pattern, str) or not pattern or pattern.count(".") > 1:
        raise ValueError(f"a filter pattern is 'method.action', 'method.*', 'method' or '*', got {pattern!r}")
    method, _, action = pattern.partition(".")
    return method, action or "*"


class Filters:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._filters: list[tuple[str, str, Filter]] = []

    def __bool__(self) -> bool:
        return bool(self._filters)

    def add(self, pattern: str, fn: Filter) -> Callable[[], None]:
        method, action = _check_pattern(pattern)
        if not callable(fn):
            raise TypeError("a filter is a function fn(call, answer) -> answer")
        entry = (method, action, fn)
        with self._lock:
            self._filters.append(entry)

        def remove() -> None:
            with self._lock:
                if entry in self._filters:
                    self._filters.remove(entry)

        return remove

    def matching(self, method: str, action: Any) -> list[Filter]:
        with self._lock:
            return [
                fn
                for m, a, fn in self._filters
                if m in ("*", method) and (a == "*" or (isinstance(action, str) and a == action))
            ]
