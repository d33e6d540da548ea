"""Accepted divergences: entries with shell-style patterns on ``method``, ``action``, ``kind``
(status, content_type, body, webhooks), ``path`` and optionally ``as`` and ``login`` (the login
parameter sent), each with a required ``reason``. The default list ships with the package and holds
the mock's deliberate deviations (README "Fidelity")."""

from __future__ import annotations

import fnmatch
import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

FIELDS = ("method", "action", "kind", "path", "as", "login")


@dataclass(frozen=True)
class Entry:
    reason: str
    patterns: tuple[tuple[str, str], ...]

    def matches(self, facts: dict[str, str]) -> bool:
        return all(fnmatch.fnmatchcase(facts.get(k, ""), p) for k, p in self.patterns)


class Allowlist:
    def __init__(self, entries: list[Entry]) -> None:
        self.entries = entries

    @classmethod
    def parse(cls, data: Any, origin: str = "allowlist") -> Allowlist:
        items = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(items, list):
            raise ValueError(f"{origin}: a list of entries (or {{'entries': [...]}}) expected")
        entries = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or not isinstance(item.get("reason"), str) or not item["reason"].strip():
                raise ValueError(f"{origin}: entry {i} needs a non-empty 'reason'")
            unknown = set(item) - set(FIELDS) - {"reason"}
            if unknown:
                raise ValueError(f"{origin}: entry {i} has unknown keys {sorted(unknown)}")
            entries.append(Entry(item["reason"], tuple((k, str(item[k])) for k in FIELDS if k in item)))
        return cls(entries)

    @classmethod
    def load(cls, path: str | Path | None = None) -> Allowlist:
        if path is None:
            text = resources.files(__package__).joinpath("allowlist.json").read_text(encoding="utf-8")
            return cls.parse(json.loads(text), "default allowlist")
        return cls.parse(json.loads(Path(path).read_text(encoding="utf-8")), str(path))

    def reason(self, step: dict[str, Any], kind: str, path: str) -> str | None:
        """The reason of the first entry that accepts this difference, else None."""
        params = step.get("params") or {}
        facts = {
            "method": str(step.get("method")),
            "action": str(step.get("action")),
            "kind": kind,
            "path": path,
            "as": str(step.get("as", "admin")),
            "login": str(params.get("login", "")),
        }
        return next((e.reason for e in self.entries if e.matches(facts)), None)

    def accepts(self, step: dict[str, Any], diffs: list[tuple[str, str]]) -> str | None:
        """A reason when every difference of the step is accepted (the first entry's reason)."""
        reasons = [self.reason(step, k, p) for k, p in diffs]
        if not diffs or any(r is None for r in reasons):
            return None
        return "; ".join(dict.fromkeys(r for r in reasons if r))
