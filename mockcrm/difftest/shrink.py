"""Cut a diverging sequence to a short one that still diverges the same way: everything after the
diverging step goes, then the steps before it are delta-debugged (Zeller's ddmin), trying the empty
prefix first. Removing a step whose created ids are used later is simply tested like any other cut."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

Steps = list[dict[str, Any]]


class Budget:
    def __init__(self, tries: int, alive: Callable[[], bool] = lambda: True) -> None:
        self.left = tries
        self.alive = alive

    def take(self) -> bool:
        if self.left <= 0 or not self.alive():
            return False
        self.left -= 1
        return True


def shrink(
    prefix: Steps,
    last: dict[str, Any],
    still: Callable[[Steps], bool],
    budget: Budget,
    writes: Callable[[dict[str, Any]], bool] = lambda step: True,
) -> Steps:
    """The smallest prefix found (within the budget) for which ``still(prefix + [last])`` holds.
    Before ddmin, one try keeps only the steps that may change the state (``writes``): reads rarely
    matter, and on a real server that one try saves many."""
    if not prefix:
        return []
    if budget.take() and still([last]):
        return []
    items = list(prefix)
    kept = [s for s in items if writes(s)]
    if len(kept) < len(items) and budget.take() and still(kept + [last]):
        items = kept
        if not items:
            return []
    n = 2
    while len(items) >= 2:
        size = math.ceil(len(items) / n)
        chunks = [items[i : i + size] for i in range(0, len(items), size)]
        for i in range(len(chunks)):
            complement = [s for j, c in enumerate(chunks) if j != i for s in c]
            if not budget.take():
                return items
            if still(complement + [last]):
                items, n = complement, max(n - 1, 2)
                break
        else:
            if n >= len(items):
                break
            n = min(len(items), n * 2)
    if len(items) == 1 and budget.take() and still([last]):
        return []
    return items
