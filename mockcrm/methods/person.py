"""Method `person` (person.md)."""

from __future__ import annotations

from typing import Any

from ..wire import Call


def fields(call: Call) -> Any:
    return call.db.api_samples["person.fields"]


ACTIONS = {
    "fields": fields,
}
