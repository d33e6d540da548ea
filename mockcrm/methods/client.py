"""Method `client` (client.md)."""

from __future__ import annotations

from typing import Any

from ..wire import Call


def fields(call: Call) -> Any:
    return call.db.api_samples["client.fields"]


ACTIONS = {
    "fields": fields,
}
