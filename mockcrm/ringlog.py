"""RingLog: a bounded, thread-safe, numbered log (oldest items dropped first).

The request journal and the webhook delivery log are both one of these, so neither can
grow without bound however long a server runs.
"""

from __future__ import annotations

import itertools
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class RingLog(Generic[T]):
    def __init__(self, size: int = 1000) -> None:
        self._lock = threading.Lock()
        self._items: deque[T] = deque(maxlen=max(1, size))
        self._ids = itertools.count(1)

    def next_id(self) -> int:
        with self._lock:
            return next(self._ids)

    def add(self, item: T) -> T:
        with self._lock:
            self._items.append(item)
        return item

    def add_new(self, make: Callable[[int], T]) -> T:
        """Number and append in one step, so ids rise in the order items are kept."""
        with self._lock:
            item = make(next(self._ids))
            self._items.append(item)
        return item

    def snapshot(self) -> list[T]:
        """The items, oldest first, as they are now."""
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)
