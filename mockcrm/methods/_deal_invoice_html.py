"""The printed invoice (action invoice.html); filled in below."""

from __future__ import annotations

from typing import Any

from ..store import Row
from ..wire import Call


def render_invoice(call: Call, row: Row, base_url: str) -> str:
    return ""


_: Any = None
