"""The request journal: a bounded ring buffer of API calls, for tests to inspect."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from .ringlog import RingLog

MASK = "***"


def _secret_name(key: Any) -> bool:
    """A parameter name that holds the apikey in any spelling: apikey, APIKEY, api_key, "apikey ", api-key."""
    name = str(key).lower()
    if name.isalnum():
        return name == "apikey"  # most names: no separators to drop
    return "".join(ch for ch in name if ch.isalnum()) == "apikey"


def mask_params(params: dict[str, Any], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """A copy of the params without secrets, at any depth: a value under an apikey-like name is masked,
    and so is every string that contains one of ``secrets`` (the accounts' apikeys), whatever its name.

    The copy is made without recursion, so a body nested as deep as PHP accepts (512) is journaled too.
    """
    known = sorted({x.strip() for x in secrets if x.strip()}, key=len, reverse=True)
    # the apikey is compared case-insensitively (Backend.account_for), so it is masked in any case
    pattern = re.compile("|".join(re.escape(x) for x in known), re.IGNORECASE) if known else None

    def scrub(value: Any) -> Any:
        return pattern.sub(MASK, value) if pattern is not None and isinstance(value, str) else value

    root: dict[str, Any] = {}
    stack: list[tuple[Any, Any]] = [(params, root)]
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, dict) else enumerate(source)
        for key, value in items:
            if _secret_name(key):
                copied: Any = MASK
            elif isinstance(value, dict):
                copied = {}
                stack.append((value, copied))
            elif isinstance(value, list):
                copied = [None] * len(value)
                stack.append((value, copied))
            else:
                copied = scrub(value)
            target[key] = copied
    return root


@dataclass
class Entry:
    id: int
    time: str
    method: str
    action: Any
    transport: str
    login: Any
    params: dict[str, Any]
    #: the CRM code of the answer: 200 for success, the error code, "fatal", "fault:<kind>" or "rule:<kind>"
    code: Any
    duration_ms: float
    #: ids of the rules this call set off (mockcrm.rules)
    rules: list[int] = field(default_factory=list)
    #: the HTTP status and Content-Type of the answer
    status: int = 200
    content_type: str = ""
    #: the webhooks it fired: {"event", "payload"} as the hooks receive them
    events: list[dict[str, Any]] = field(default_factory=list)
    #: the answer's body as sent (its first ANSWER_KEPT bytes); only in ``detail()``
    answer: bytes = b""
    answer_size: int = 0

    def public(self) -> dict[str, Any]:
        # not dataclasses.asdict(): its deep copy recurses, and params may nest 512 deep
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "answer"}

    def detail(self) -> dict[str, Any]:
        """``public()`` plus the answer's text (UTF-8; bytes that are not shown as U+FFFD)."""
        return {**self.public(), "answer": self.answer.decode("utf-8", "replace")}


#: how much of each answer the journal keeps (1,000 entries x 256 KB at most)
ANSWER_KEPT = 256 * 1024


class Journal(RingLog[Entry]):
    """The bounded journal of API calls."""

    def record(self, **fields: Any) -> Entry:
        return self.add_new(lambda eid: Entry(id=eid, **fields))

    def entries(
        self,
        method: str | None = None,
        action: str | None = None,
        login: str | None = None,
        transport: str | None = None,
        code: str | None = None,
        after: int | None = None,
    ) -> list[Entry]:
        """The entries that match every criterion given (``code`` as text: "200", "402", "fault:drop")."""
        return [
            e
            for e in self.snapshot()
            if (method is None or e.method == method)
            and (action is None or e.action == action)
            and (login is None or (isinstance(e.login, str) and e.login.lower() == login.lower()))
            and (transport is None or e.transport == transport)
            and (code is None or str(e.code) == code)
            and (after is None or e.id > after)
        ]

    def get(self, entry_id: int) -> Entry | None:
        return next((e for e in self.snapshot() if e.id == entry_id), None)


def answer_code(result: Any) -> Any:
    """The CRM code of a rendered result dict: its error code, else 200."""
    if isinstance(result, dict):
        err = result.get("error")
        if isinstance(err, dict) and "code" in err:
            return err["code"]
    return 200
