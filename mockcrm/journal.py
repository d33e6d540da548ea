"""The request journal: a bounded ring buffer of API calls, for tests to inspect."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .ringlog import RingLog

MASK = "***"


def mask_params(params: dict[str, Any]) -> dict[str, Any]:
    """The params without secrets: the apikey is masked wherever it sits at the top level."""
    out = dict(params)
    if "apikey" in out:
        out["apikey"] = MASK
    if "apikey" in "\0".join([str(k) for k in params if k != "apikey"]).lower():
        # another spelling (APIKEY=...) or a longer name holding it: the names one by one
        out = {k: (MASK if str(k).lower() == "apikey" else v) for k, v in params.items()}
    return out


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


class Journal(RingLog[Entry]):
    """The bounded journal of API calls."""

    def record(self, **fields: Any) -> Entry:
        return self.add_new(lambda eid: Entry(id=eid, **fields))

    def entries(self, method: str | None = None, action: str | None = None, login: str | None = None) -> list[Entry]:
        return [
            e
            for e in self.snapshot()
            if (method is None or e.method == method)
            and (action is None or e.action == action)
            and (login is None or (isinstance(e.login, str) and e.login.lower() == login.lower()))
        ]


def answer_code(result: Any) -> Any:
    """The CRM code of a rendered result dict: its error code, else 200."""
    if isinstance(result, dict):
        err = result.get("error")
        if isinstance(err, dict) and "code" in err:
            return err["code"]
    return 200
