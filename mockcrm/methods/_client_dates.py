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
_MYSQL = re.compile(r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?")


def _build(y: int, mo: int, d: int, h: int, mi: int, s: int) -> dt.datetime | None:
    if not (0 <= mo <= 12 and 0 <= d <= 31 and h <= 24 and mi <= 59 and s <= 59):
        return None
    # PHP rolls over instead of failing: 2024-02-30 is 2024-03-01, month 0 is December of the year before,
    # day 0 the last day of the month before (0000-00-00 is -0001-11-30)
    return _roll(y, mo, d, h, mi, s)


def _roll(y: int, mo: int, d: int, h: int = 0, mi: int = 0, s: int = 0) -> dt.datetime:
    y, mo = y + (mo - 1) // 12, (mo - 1) % 12 + 1
    if y < 1:
        return dt.datetime(1, 1, 1)  # before year 1: no TIMESTAMP can hold it, stored as zeros anyway
    return dt.datetime(y, mo, 1) + dt.timedelta(days=d - 1, hours=h, minutes=mi, seconds=s)


_WEEKDAYS = {
    name: i
    for i, names in enumerate(
        [
            ("monday", "mon"),
            ("tuesday", "tue"),
            ("wednesday", "wed"),
            ("thursday", "thu"),
            ("friday", "fri"),
            ("saturday", "sat"),
            ("sunday", "sun"),
        ]
    )
    for name in names
}
_UNITS = {
    "sec": "s", "secs": "s", "second": "s", "seconds": "s",
    "min": "mi", "mins": "mi", "minute": "mi", "minutes": "mi",
    "hour": "h", "hours": "h", "day": "d", "days": "d", "week": "w", "weeks": "w",
    "fortnight": "f", "fortnights": "f", "month": "mo", "months": "mo", "year": "y", "years": "y",
}  # fmt: skip
_TOKEN = re.compile(
    r"(?P<us>(?P<um>\d{1,2})/(?P<ud>\d{1,2})(?:/(?P<uy>\d{4}|\d{2}))?)(?!\d)"
    r"|(?P<dmy>(?P<dd>\d{1,2})\.(?P<dm>\d{1,2})\.(?P<dy>\d{4}))(?!\d)"
    r"|(?P<ymd>(?P<y>\d{4})(?P<sep>[-/])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2}))(?!\d)"
    r"|(?P<time>(?P<th>\d{1,2}):(?P<tm>\d{2})(?::(?P<ts>\d{2}))?)(?!\d)"
    r"|(?P<rel>(?P<sign>[+-]?)\s*(?P<n>\d+)\s*(?P<unit>[a-z]+))"
    r"|(?P<digits>\d+)(?![\d:/.-])"
    r"|(?P<dir>next|last|previous|this)\s+(?P<what>[a-z]+)"
    r"|(?P<word>[a-z]+)",
)


class _When:
    """What strtotime collected: an absolute date and time (or now's), then relative offsets."""

    def __init__(self, now: dt.datetime) -> None:
        self.y, self.mo, self.d = now.year, now.month, now.day
        self.h, self.mi, self.s = now.hour, now.minute, now.second
        self.have_date = self.have_time = False
        self.rel = {"y": 0, "mo": 0, "d": 0, "h": 0, "mi": 0, "s": 0}
        self.weekday: tuple[int, int] | None = None  # (weekday, behaviour: 0 this/plain, 1 next, -1 last)

    def date(self, y: int, mo: int, d: int) -> bool:
        if self.have_date:
            return False
        self.y, self.mo, self.d, self.have_date = y, mo, d, True
        if not self.have_time:
            self.h = self.mi = self.s = 0
        return True

    def time(self, h: int, mi: int, s: int) -> bool:
        if self.have_time or h > 24 or mi > 59 or s > 59:
            return False
        self.h, self.mi, self.s, self.have_time = h, mi, s, True
        return True

    def midnight(self) -> None:
        if not self.have_time:
            self.h = self.mi = self.s = 0

    def add(self, unit: str, n: int) -> None:
        if unit == "w":
            unit, n = "d", n * 7
        elif unit == "f":
            unit, n = "d", n * 14
        self.rel[unit] += n

    def result(self) -> dt.datetime:
        r = self.rel
        base = _roll(self.y + r["y"], self.mo + r["mo"], self.d)
        when = base + dt.timedelta(
            days=r["d"], hours=self.h + r["h"], minutes=self.mi + r["mi"], seconds=self.s + r["s"]
        )
        if self.weekday is not None:
            wd, how = self.weekday
            delta = (wd - when.weekday()) % 7
            if how == 1 and delta == 0:
                delta = 7
            if how == -1:
                delta = -((when.weekday() - wd) % 7 or 7)
            when += dt.timedelta(days=delta)
        return when


def _word(w: _When, word: str) -> bool:
    if word == "now":
        return True
    if word in ("today", "midnight"):
        w.midnight()
        return True
    if word in ("tomorrow", "yesterday"):
        w.midnight()
        w.add("d", 1 if word == "tomorrow" else -1)
        return True
    if word == "noon":
        w.h, w.mi, w.s, w.have_time = 12, 0, 0, True
        return True
    if word in _WEEKDAYS:
        w.midnight()
        w.weekday = (_WEEKDAYS[word], 0)
        return True
    return False


def _digits(w: _When, text: str) -> bool:
    """A bare number: 4 digits HHMM, 6 HHMMSS, 8 YYYYMMDD, 12 YYYYMMDDHHMM, 14 YYYYMMDDHHMMSS."""
    n = len(text)
    if n == 4:
        return w.time(int(text[:2]), int(text[2:]), 0)
    if n == 6:
        return w.time(int(text[:2]), int(text[2:4]), int(text[4:]))
    if n in (8, 12, 14):
        ok = w.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        return ok and (n == 8 or w.time(int(text[8:10]), int(text[10:12]), int(text[12:14] or 0)))
    return False


def _token(w: _When, m: re.Match[str]) -> bool:
    if m["us"]:
        year = m["uy"]
        y = w.y if year is None else int(year) + (0 if len(year) == 4 else 1900 if int(year) >= 70 else 2000)
        return w.date(y, int(m["um"]), int(m["ud"]))
    if m["dmy"]:
        return w.date(int(m["dy"]), int(m["dm"]), int(m["dd"]))
    if m["ymd"]:
        return w.date(int(m["y"]), int(m["m"]), int(m["d"]))
    if m["time"]:
        return w.time(int(m["th"]), int(m["tm"]), int(m["ts"] or 0))
    if m["digits"]:
        return _digits(w, m["digits"])
    if m["rel"]:
        unit = _UNITS.get(m["unit"])
        if unit is None:
            return False
        w.add(unit, -int(m["n"]) if m["sign"] == "-" else int(m["n"]))
        return True
    if m["dir"]:
        what, how = m["what"], {"next": 1, "last": -1, "previous": -1}.get(m["dir"], 0)
        if what in _WEEKDAYS:
            w.midnight()
            w.weekday = (_WEEKDAYS[what], how)
            return True
        unit = _UNITS.get(what)
        if unit is None:
            return False
        w.add(unit, how)
        return True
    return _word(w, m["word"])


def _relative(text: str, now: dt.datetime) -> dt.datetime | None:
    """The general strtotime: dates (ISO, m/d/y, d.m.Y, bare digits), times, words, relative offsets."""
    w = _When(now)
    pos, text = 0, text.lower()
    while pos < len(text):
        if text[pos] in " \t,":
            pos += 1
            continue
        m = _TOKEN.match(text, pos)
        if m is None or not _token(w, m):
            return None
        pos = m.end()
    if not (w.have_date and not (0 <= w.mo <= 12 and 0 <= w.d <= 31)):
        return w.result()
    return None


def strtotime(value: str, zone: str, now: dt.datetime) -> str | None:
    """PHP ``date('Y-m-d H:i:s', strtotime($value))`` in the account zone; None when PHP gives false.

    ISO dates with optional time and offset, ``@timestamp``, then the general grammar of ``_relative``
    (checked against php8.2's strtotime for the spellings in golden 65).
    """
    text = value.strip()
    m = _ISO.fullmatch(text)
    if m:
        y, mo, d = int(m[1]), int(m[2]), int(m[3])
        when = _build(y, mo, d, int(m[4] or 0), int(m[5] or 0), int(m[6] or 0))
        if when is None:
            return None
        if m[7]:
            when = _to_zone(when, m[7], zone)
        return when.strftime(FMT)
    m = _AT.fullmatch(text)
    if m:
        stamp = dt.datetime.fromtimestamp(int(m[1]), dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)
        return stamp.strftime(FMT)
    if not text:
        return None
    when = _relative(text, now)
    return when.strftime(FMT) if when is not None else None


_AT = re.compile(r"@([+-]?\d+)(?:\.\d+)?")


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
    _, mo, d, h, mi, s = parts
    if mo > 12 or d > 31 or h > 23 or mi > 59 or s > 59:
        # real server: MariaDB compares an out-of-range date ('2031-13-01', '… 25:00') as the zero
        # date, while 2031-02-30 still counts (checked on the real server's MariaDB)
        return ZERO
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
