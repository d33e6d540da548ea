"""Volatile values made comparable, exactly as the golden replay does, and the paths where two answers differ.

Adapted from ``contract/replay.py`` (``date_spans``, ``norm_pair``, ``fatal_head``, the path scrubbers):
dates and times that are "now" on either side become placeholders, server paths become ``{WEBROOT}/``,
the target's own base URL ``{BASE_URL}``. Nothing else is touched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PATH_RE = re.compile(
    r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)*?"
    r"(?=(?:developer|inc|vendor|modules|plugins|cash|files|content|_install|api|templates)/)"
)
PHP_FILE_RE = re.compile(r"(?<![\w{}.:/-])/(?:[^\s/<>:'\"()\[\]]+/)+(?=[^\s/<>:'\"()\[\]]+\.php\b)")

DATE_PATTERNS: list[tuple[re.Pattern[str], str, Callable[[re.Match[str]], dt.datetime]]] = [
    (
        re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?(?!\d)"),
        "{DATETIME}",
        lambda m: dt.datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0)),
    ),
    (
        re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?![\d:])"),
        "{DATE}",
        lambda m: dt.datetime(int(m[1]), int(m[2]), int(m[3])),
    ),
    (
        re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{2}),\s+(\d{2}):(\d{2})(?!\d)"),
        "{DMY_HM}",
        lambda m: dt.datetime(2000 + int(m[3]), int(m[2]), int(m[1]), int(m[4]), int(m[5])),
    ),
    (
        re.compile(r"(?<!\d)(\d{2})\.(\d{2})\.(\d{4})(?!\d)"),
        "{DMY}",
        lambda m: dt.datetime(int(m[3]), int(m[2]), int(m[1])),
    ),
]
WINDOW = dt.timedelta(days=60)  # replay.py --window-days default


@dataclass(frozen=True)
class Side:
    """What is volatile on one target: its base URL, the time of its answer, its receiver's host."""

    base: str
    ref: dt.datetime | None
    hook_host: str = ""

    def scrub(self, s: str) -> str:
        s = PATH_RE.sub("{WEBROOT}/", s)
        s = PHP_FILE_RE.sub("{WEBROOT}/", s)
        base = self.base.rstrip("/")
        s = s.replace(base, "{BASE_URL}")
        hostport = base.split("://", 1)[-1]
        if hostport:
            s = s.replace(hostport, "{BASE_HOST}")
        return s


def date_spans(s: str, ref: dt.datetime | None) -> list[tuple[int, int, str]]:
    """[(start, end, placeholder)] of date-like substrings of s within WINDOW of ref (naive UTC)."""
    spans = []
    taken: list[tuple[int, int]] = []
    for rx, ph, parse in DATE_PATTERNS:
        for m in rx.finditer(s):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            try:
                v = parse(m)
            except ValueError:
                continue
            if ref is not None and abs((v - ref).total_seconds()) <= WINDOW.total_seconds():
                spans.append((m.start(), m.end(), ph))
            taken.append((m.start(), m.end()))
    return sorted(spans)


def apply_spans(s: str, spans: list[tuple[int, int, str]]) -> str:
    out, pos = [], 0
    for a, b, ph in spans:
        out.append(s[pos:a])
        out.append(ph)
        pos = b
    out.append(s[pos:])
    return "".join(out)


def norm_one(v: Any, side: Side) -> Any:
    if isinstance(v, dict):
        return {side.scrub(k): norm_one(x, side) for k, x in v.items()}
    if isinstance(v, list):
        return [norm_one(x, side) for x in v]
    if isinstance(v, str):
        s = side.scrub(v)
        return apply_spans(s, date_spans(s, side.ref))
    return v


def norm_pair(a: Any, b: Any, sa: Side, sb: Side) -> tuple[Any, Any]:
    """Normalise A's value and B's value at the same place (replay.py's norm_pair, A as the golden side):
    a date in B becomes a placeholder only where A's value at that place held a "now" date."""
    if isinstance(a, dict) and isinstance(b, dict):
        a2: dict[str, Any] = {}
        b2: dict[str, Any] = {}
        for k in a:
            if k in b:
                a2[sa.scrub(k)], b2_v = norm_pair(a[k], b[k], sa, sb)
                b2[sb.scrub(k)] = b2_v
            else:
                a2[sa.scrub(k)] = norm_one(a[k], sa)
        for k in b:
            if k not in a:
                b2[sb.scrub(k)] = norm_one(b[k], sb)
        # B's keys in B's own order (b2 was filled in A's order)
        order = [sb.scrub(k) for k in b]
        return a2, {k: b2[k] for k in order}
    if isinstance(a, list) and isinstance(b, list):
        la, lb = [], []
        for i in range(max(len(a), len(b))):
            if i < len(a) and i < len(b):
                x, y = norm_pair(a[i], b[i], sa, sb)
                la.append(x)
                lb.append(y)
            elif i < len(a):
                la.append(norm_one(a[i], sa))
            else:
                lb.append(norm_one(b[i], sb))
        return la, lb
    if isinstance(a, str) and isinstance(b, str):
        ea, eb = sa.scrub(a), sb.scrub(b)
        spans = date_spans(ea, sa.ref)
        if not spans:
            return ea, eb
        return apply_spans(ea, spans), apply_spans(eb, date_spans(eb, sb.ref))
    return norm_one(a, sa), norm_one(b, sb)


def fatal_head(text: str) -> str:
    """A PHP fatal-error page up to its stack trace; any other text unchanged (replay.py)."""
    if "<b>Fatal error</b>" in text and "Stack trace:" in text:
        return text.split("Stack trace:", 1)[0] + "Stack trace: ..."
    return text


def _kind(v: Any) -> str:
    return type(v).__name__


def diff_paths(a: Any, b: Any, path: str = "") -> list[str]:
    """Dotted paths where b differs from a: values, types (1 != 1.0 != "1" != true), key sets,
    key order (``path#order``) and list lengths (``path#len``)."""
    here = path or "$"
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in a:
            if k not in b:
                out.append(_join(path, k) + "#missing")
        for k in b:
            if k not in a:
                out.append(_join(path, k) + "#extra")
        common_a = [k for k in a if k in b]
        common_b = [k for k in b if k in a]
        if common_a != common_b:
            out.append(here + "#order")
        for k in common_a:
            out += diff_paths(a[k], b[k], _join(path, k))
        return out
    if isinstance(a, list) and isinstance(b, list):
        out = [] if len(a) == len(b) else [here + "#len"]
        for i in range(min(len(a), len(b))):
            out += diff_paths(a[i], b[i], _join(path, str(i)))
        return out
    if _kind(a) != _kind(b):
        return [here + "#type"]
    return [] if a == b else [here]


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
