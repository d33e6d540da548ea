"""Dates the client code reads and writes: PHP ``strtotime``, MySQL datetime casts, the card format."""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

FMT = "%Y-%m-%d %H:%M:%S"
ZERO = "0000-00-00 00:00:00"

_ISO = re.compile(
    r"(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?",
    re.IGNORECASE,
)
_DMY = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_MYSQL = re.compile(r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?")


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int) -> dt.datetime | None:
    if not (1 <= mo <= 12 and 0 <= d <= 31 and h <= 24 and mi <= 59 and s <= 59):
        return None
    # PHP rolls day overflow (2024-02-30 → 2024-03-01) instead of failing
    return dt.datetime(y, mo, 1) + dt.timedelta(days=d - 1, hours=h, minutes=mi, seconds=s)


def strtotime(value: str, zone: str, now: dt.datetime) -> str | None:
    """PHP ``date('Y-m-d H:i:s', strtotime($value))`` in the account zone; None when PHP gives false.

    Covers the formats integrations send: ISO dates with optional time and offset, dd.mm.yyyy,
    and the words now/today/tomorrow/yesterday.
    """
    text = value.strip()
    word = text.lower()
    if word in ("now", "today", "midnight", "tomorrow", "yesterday"):
        base = now if word == "now" else now.replace(hour=0, minute=0, second=0)
        shift = {"tomorrow": 1, "yesterday": -1}.get(word, 0)
        return (base + dt.timedelta(days=shift)).strftime(FMT)
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        when = _build(y, mo, d, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
        if when is None:
            return None
        if m[7]:
            when = _to_zone(when, m[7], zone)
        return when.strftime(FMT)
    m = _DMY.fullmatch(text)
    if m:
        when = _build(int(m[3]), int(m[2]), int(m[1]), int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
        return when.strftime(FMT) if when else None
    return None


def _to_zone(naive: dt.datetime, offset: str, zone: str) -> dt.datetime:
    if offset.upper() == "Z":
        tz = dt.UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        tz = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return naive.replace(tzinfo=tz).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def timestamp_column(value: str) -> str:
    """A TIMESTAMP column keeps 1970-2038 only; anything else is stored as zeros (protocol.md §8)."""
    return value if "1970-01-01 00:00:01" <= value <= "2038-01-19 03:14:07" else ZERO


def mysql_datetime(value: str) -> str:
    """A string compared with a DATETIME column: cast like MySQL; unparsable text is the zero date."""
    m = _MYSQL.match(value)
    if not m:
        return ZERO
    parts = [int(p or 0) for p in m.groups()]
    return "{:04d}-{:02d}-{:02d} {:02d}:{:02d}:{:02d}".format(*parts)


def card_date(value: str | None) -> str:
    """``get_sfdate``: the client card format ``dd.mm.yy,  HH:MM`` ("" for NULL)."""
    if not value or value.startswith("0000"):
        return ""
    return _card_date(value) if isinstance(value, str) else _card_date.__wrapped__(value)


@functools.lru_cache(maxsize=8192)
def _card_date(value: str) -> str:
    # remembered: strptime is slow and a table holds few distinct stamps per second
    try:
        when = dt.datetime.strptime(value, FMT)
    except ValueError:
        return ""
    return when.strftime("%d.%m.%y,  %H:%M")
