"""Method `task` — not implemented yet (issue 3)."""

from __future__ import annotations

from typing import Any

from ..wire import Call

ACTIONS: dict[str, Any] = {}


def _unused(call: Call) -> Any:  # placeholder until the method is implemented
    return None
