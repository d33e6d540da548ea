"""PHP 8's ``strtotime()``: timelib's scanner and its date arithmetic, for every API input PHP parses.

The real server passes ``client add`` ``date_create`` (``Client.php:511``) and ``deal add`` ``datum_plan``
(``Deal.php:656``) through ``strtotime()`` with the account zone as the default zone and "now" as the base.
This module follows timelib (``parse_date.re``, ``tm2unixtime.c``) as PHP 8.2 bundles it:

* the scanner takes, at each position, the longest match among timelib's formats (ties: the earlier rule),
  exactly as re2c does; an unexpected character, a second date, a second time or an unknown zone is an error
  and ``strtotime`` is false;
* the collected fields are filled from "now" where unset (a date without a time is midnight), then the
  relative parts are applied (weekday, ``+N unit``, ``first/last day of``, ``Nth weekday of``, weekdays)
  and every overflow rolls over (``2025-02-30`` is March 2nd, month 0 is December of the year before).

Checked spelling by spelling against the php 8.2 CLI: ``tests/data/strtotime.json``.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UNSET = None

# ------------------------------------------------------------------ the grammar (parse_date.re)

_SPACE = r"[ \t]+"
_FRAC = r"\.[0-9]+"
_HOUR24 = r"(?:2[0-4]|[01]?[0-9])"
_HOUR24LZ = r"(?:[01][0-9]|2[0-4])"
_HOUR12 = r"(?:1[0-2]|0?[1-9])"
_MINUTE = r"(?:[0-5]?[0-9])"
_MINUTELZ = r"[0-5][0-9]"
_SECOND = r"(?:60|[0-5]?[0-9])"
_SECONDLZ = r"(?:60|[0-5][0-9])"
_MERIDIAN = r"(?:[AaPp]\.?[Mm]\.?)[\0\t ]"
_TZ = r"(?:\(?[A-Za-z]{1,6}\)?|[A-Z][a-z]+(?:[_/-][A-Za-z]+)+)"
_TZCORRECTION = (
    rf"(?:GMT)?[+-](?:{_HOUR24}(?::?{_MINUTE})?|{_HOUR24LZ}{_MINUTELZ}{_SECONDLZ}"
    rf"|{_HOUR24LZ}:{_MINUTELZ}:{_SECONDLZ})"
)
_DAYSUF = r"(?:st|nd|rd|th)"
_MONTH = r"(?:0?[0-9]|1[0-2])"
_DAY = rf"(?:(?:[0-2]?[0-9]|3[01]){_DAYSUF}?)"
_YEAR = r"[0-9]{1,4}"
_YEAR2 = r"[0-9]{2}"
_YEAR4 = r"[0-9]{4}"
_YEAR4SIGN = r"[+-]?[0-9]{4}"
_YEARX = r"[+-][0-9]{5,19}"
_DAYOFYEAR = r"(?:00[1-9]|0[1-9][0-9]|[12][0-9][0-9]|3[0-5][0-9]|36[0-6])"
_WEEKOFYEAR = r"(?:0[1-9]|[1-4][0-9]|5[0-3])"
_MONTHLZ = r"(?:0[0-9]|1[0-2])"
_DAYLZ = r"(?:0[0-9]|[12][0-9]|3[01])"
_DAYFULL = r"(?i:(?:sunday|monday|tuesday|wednesday|thursday|friday|saturday)s?)"
_DAYABBR = r"(?i:sun|mon|tue|wed|thu|fri|sat)"
_DAYTEXT = rf"(?:{_DAYFULL}|{_DAYABBR}|(?i:weekdays?))"
_MONTHFULL = r"(?i:january|february|march|april|may|june|july|august|september|october|november|december)"
_MONTHABBR = r"(?i:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)"
_MONTHROMAN = r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)"
_MONTHTEXT = rf"(?:{_MONTHFULL}|{_MONTHABBR}|{_MONTHROMAN})"

_TIMETINY12 = rf"{_HOUR12}(?:{_SPACE})?{_MERIDIAN}"
_TIMESHORT12 = rf"{_HOUR12}[:.]{_MINUTE}(?:{_SPACE})?{_MERIDIAN}"
_TIMELONG12 = rf"{_HOUR12}[:.]{_MINUTE}[:.]{_SECOND}(?:{_SPACE})?{_MERIDIAN}"
_TIMETINY24 = rf"(?i:t){_HOUR24}"
_TIMESHORT24 = rf"(?i:t)?{_HOUR24}[:.]{_MINUTE}"
_TIMELONG24 = rf"(?i:t)?{_HOUR24}[:.]{_MINUTE}[:.]{_SECOND}"
_ISO8601LONG = rf"(?i:t)?{_HOUR24}[:.]{_MINUTE}[:.]{_SECOND}{_FRAC}"
_ISO8601NORMTZ = rf"(?i:t)?{_HOUR24}[:.]{_MINUTE}[:.]{_SECONDLZ}(?:{_SPACE})?(?:{_TZCORRECTION}|{_TZ})"
_GNUNOCOLON = rf"(?i:t)?{_HOUR24LZ}{_MINUTELZ}"
_ISO8601NOCOLON = rf"(?i:t)?{_HOUR24LZ}{_MINUTELZ}{_SECONDLZ}"

_DATENOYEAR = rf"{_MONTHTEXT}[ .\t-]*{_DAY}(?:[,.stndrh\t ]+|\0)"
_RELTEXTNUMBER = r"(?i:first|second|third|fourth|fifth|sixth|seventh|eighth|eight|ninth|tenth|eleventh|twelfth)"
_RELTEXTTEXT = r"(?i:next|last|previous|this)"
# 'week' alone only after a number or next/last/this/previous: "first week" is false, "first weeks" is not
_RELTEXTUNIT = (
    r"(?:(?i:ms|µs)|(?i:(?:msec|millisecond|µsec|microsecond|usec|sec|second|min|minute"
    r"|hour|day|fortnight|forthnight|month|year)s?)|(?i:weeks)|(?i:weekdays?)|" + _DAYTEXT + ")"
)

#: (name, pattern) in the order of parse_date.re: the longest match wins, ties go to the earlier rule
_RULES: list[tuple[str, str]] = [
    ("yesterday", r"(?i:yesterday)"),
    ("now", r"(?i:now)"),
    ("noon", r"(?i:noon)"),
    ("midnight", r"(?i:midnight|today)"),
    ("tomorrow", r"(?i:tomorrow)"),
    ("timestamp", r"@-?[0-9]+"),
    ("timestampms", r"@-?[0-9]+\.[0-9]{0,6}"),
    ("firstlastdayof", r"(?i:first day of|last day of)"),
    ("backfrontof", rf"(?i:back of |front of ){_HOUR24}(?:(?:{_SPACE})?{_MERIDIAN})?"),
    ("weekdayof", rf"(?:{_RELTEXTNUMBER}|{_RELTEXTTEXT}){_SPACE}(?:{_DAYFULL}|{_DAYABBR}){_SPACE}(?i:of)"),
    ("time12", rf"(?:{_TIMETINY12}|{_TIMESHORT12}|{_TIMELONG12})"),
    ("mssqltime", rf"{_HOUR12}:{_MINUTELZ}:{_SECONDLZ}[:.][0-9]+{_MERIDIAN}"),
    ("time24", rf"(?:{_TIMETINY24}|{_TIMESHORT24}|{_TIMELONG24}|{_ISO8601LONG})"),
    ("gnunocolon", _GNUNOCOLON),
    ("iso8601nocolon", _ISO8601NOCOLON),
    ("american", rf"{_MONTH}/{_DAY}(?:/{_YEAR})?"),
    ("iso8601date4", rf"(?:{_YEAR4SIGN}-{_MONTHLZ}-{_DAYLZ}|{_YEAR4}/{_MONTHLZ}/{_DAYLZ}/?|{_YEAR4}/{_MONTH}/{_DAY})"),
    ("iso8601date2", rf"{_YEAR2}-{_MONTHLZ}-{_DAYLZ}"),
    ("iso8601datex", rf"{_YEARX}-{_MONTHLZ}-{_DAYLZ}"),
    ("gnudateshorter", rf"{_YEAR4}-{_MONTH}"),
    ("gnudateshort", rf"{_YEAR}-{_MONTH}-{_DAY}"),
    ("datefull", rf"{_DAY}[ \t.-]*{_MONTHTEXT}[ \t.-]*{_YEAR}"),
    ("pointed", rf"{_DAY}[.\t-]{_MONTH}[.-]{_YEAR4}"),
    ("pointed2", rf"{_DAY}[.\t]{_MONTH}\.{_YEAR2}"),
    ("datenoday", rf"{_MONTHTEXT}[ .\t-]*{_YEAR4}"),
    ("datenodayrev", rf"{_YEAR4}[ .\t-]*{_MONTHTEXT}"),
    ("datetextual", rf"(?:{_MONTHTEXT}[ .\t-]*{_DAY}[,.stndrh\t ]+{_YEAR}|{_DATENOYEAR})"),
    ("datenoyearrev", rf"{_DAY}[ .\t-]*{_MONTHTEXT}"),
    ("datenocolon", rf"{_YEAR4}{_MONTHLZ}{_DAYLZ}"),
    (
        "xmlrpc",
        rf"(?:{_YEAR4}{_MONTHLZ}{_DAYLZ}T{_HOUR24}{_MINUTELZ}{_SECONDLZ}"
        rf"|{_YEAR4}{_MONTHLZ}{_DAYLZ}(?i:t){_HOUR24}{_MINUTELZ}{_SECONDLZ}"
        rf"|{_YEAR4}-{_MONTHLZ}-{_DAYLZ}T{_HOUR24LZ}:{_MINUTELZ}:{_SECONDLZ}{_FRAC}(?:{_TZCORRECTION})?"
        rf"|{_YEAR4}-{_MONTH}-{_DAY}T{_HOUR24}:{_MINUTE}:{_SECOND}"
        rf"|{_YEAR4}:{_MONTHLZ}:{_DAYLZ} {_HOUR24LZ}:{_MINUTELZ}:{_SECONDLZ})",
    ),
    ("pgydotd", rf"{_YEAR4}\.?{_DAYOFYEAR}"),
    ("isoweekday", rf"{_YEAR4}-?W{_WEEKOFYEAR}-?[0-7]"),
    ("isoweek", rf"{_YEAR4}-?W{_WEEKOFYEAR}"),
    ("pgtextshort", rf"{_MONTHABBR}-{_DAYLZ}-{_YEAR}"),
    ("pgtextreverse", rf"{_YEAR}-{_MONTHABBR}-{_DAYLZ}"),
    (
        "clf",
        rf"{_DAY}/{_MONTHABBR}/{_YEAR4}:{_HOUR24LZ}:{_MINUTELZ}:{_SECONDLZ}{_SPACE}{_TZCORRECTION}",
    ),
    ("year4", _YEAR4),
    ("ago", r"(?i:ago)"),
    ("daytext", _DAYTEXT),
    ("relativetextweek", rf"{_RELTEXTTEXT}{_SPACE}(?i:week)"),
    ("relativetext", rf"(?:{_RELTEXTNUMBER}|{_RELTEXTTEXT}){_SPACE}{_RELTEXTUNIT}"),
    ("monthtext", rf"(?:{_MONTHFULL}|{_MONTHABBR})"),
    ("tz", rf"(?:{_TZCORRECTION}|{_TZ})"),
    (
        "dateshortwithtime12",
        rf"{_DATENOYEAR}(?:{_TIMESHORT12}|{_TIMELONG12})",
    ),
    (
        "dateshortwithtime24",
        rf"{_DATENOYEAR}(?:{_TIMESHORT24}|{_TIMELONG24}|{_ISO8601NORMTZ})",
    ),
    ("relative", rf"[+-]*[ \t]*[0-9]{{1,13}}(?:{_SPACE})?(?:{_RELTEXTUNIT}|(?i:week))"),
    ("skip", r"[ .,\t]"),
    ("eol", r"[\0\n]"),
]
_COMPILED = [(name, re.compile(rx)) for name, rx in _RULES]


def _scan(text: str, pos: int) -> tuple[str, int] | None:
    """The longest token at ``pos`` (re2c: longest match, then the earliest rule); None: unexpected."""
    best: tuple[str, int] | None = None
    for name, rx in _COMPILED:
        if rx.match(text, pos) is None:
            continue
        floor = best[1] if best else pos
        for end in range(len(text), floor, -1):
            if rx.fullmatch(text, pos, end):
                best = (name, end)
                break
    return best


# ------------------------------------------------------------------ lookup tables (timelib.c, parse_date.re)

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12, "january": 1, "february": 2, "march": 3, "april": 4, "june": 6,
    "july": 7, "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10, "xi": 11, "xii": 12,
}  # fmt: skip
_RELTEXT = {
    "first": (1, 0), "next": (1, 0), "second": (2, 0), "third": (3, 0), "fourth": (4, 0), "fifth": (5, 0),
    "sixth": (6, 0), "seventh": (7, 0), "eight": (8, 0), "eighth": (8, 0), "ninth": (9, 0), "tenth": (10, 0),
    "eleventh": (11, 0), "twelfth": (12, 0), "last": (-1, 0), "previous": (-1, 0), "this": (0, 1),
}  # fmt: skip
_DAYS = {"sun": 0, "mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6}
_RELUNITS: dict[str, tuple[str, int]] = {
    **{k: ("us", 1000) for k in ("ms", "msec", "msecs", "millisecond", "milliseconds")},
    **{k: ("us", 1) for k in ("µs", "usec", "usecs", "µsec", "µsecs", "microsecond", "microseconds")},
    **{k: ("s", 1) for k in ("sec", "secs", "second", "seconds")},
    **{k: ("i", 1) for k in ("min", "mins", "minute", "minutes")},
    **{k: ("h", 1) for k in ("hour", "hours")},
    **{k: ("d", 1) for k in ("day", "days")},
    **{k: ("d", 7) for k in ("week", "weeks")},
    **{k: ("d", 14) for k in ("fortnight", "fortnights", "forthnight", "forthnights")},
    **{k: ("m", 1) for k in ("month", "months")},
    **{k: ("y", 1) for k in ("year", "years")},
    **{k: ("weekday", v) for k, v in _DAYS.items()},
    **{
        k: ("weekday", i)
        for i, day in enumerate(("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"))
        for k in (day, day + "s")
    },
    "weekday": ("special", 1),
    "weekdays": ("special", 1),
}
_RELUNIT_END = "\0 ,\t;:/.-()"

_SPECIAL_WEEKDAY, _DAY_OF_WEEK_IN_MONTH, _LAST_DAY_OF_WEEK_IN_MONTH = 1, 2, 3


class _Error(Exception):
    """A timelib error: strtotime() is false."""


class _Time:
    """timelib_time while parsing: the fields (None = unset), the have_* flags, the relative part."""

    def __init__(self) -> None:
        self.y: int | None = None
        self.m: int | None = None
        self.d: int | None = None
        self.h: int | None = None
        self.i: int | None = None
        self.s: int | None = None
        self.us: int | None = None
        self.z: int | None = None  # seconds east of UTC
        self.zone_id: str | None = None
        self.have_time = self.have_date = self.have_zone = 0
        self.have_relative = self.have_weekday_relative = self.have_special_relative = False
        self.rel = {"y": 0, "m": 0, "d": 0, "h": 0, "i": 0, "s": 0, "us": 0}
        self.weekday = 0
        self.weekday_behavior = 0
        self.first_last_day_of = 0  # 1 first, 2 last
        self.special_type = 0
        self.special_amount = 0

    def have_time_(self) -> None:
        if self.have_time:
            raise _Error("Double time specification")
        self.have_time = 1
        self.h = self.i = self.s = self.us = 0

    def unhave_time(self) -> None:
        self.have_time = 0
        self.h = self.i = self.s = self.us = 0

    def have_date_(self) -> None:
        if self.have_date:
            raise _Error("Double date specification")
        self.have_date = 1

    def have_tz(self) -> bool:
        """TIMELIB_HAVE_TZ: a second zone is a warning (token ignored), a third an error."""
        if self.have_zone:
            if self.have_zone > 1:
                raise _Error("Double timezone specification")
            self.have_zone += 1
            return False
        self.have_zone += 1
        return True


class _Ptr:
    """A cursor over one token's text, with timelib's small readers."""

    def __init__(self, text: str) -> None:
        self.t = text
        self.p = 0

    def ch(self, k: int = 0) -> str:
        return self.t[self.p + k] if self.p + k < len(self.t) else "\0"

    def get_nr(self, max_length: int) -> tuple[int | None, int]:
        """timelib_get_nr_ex: skip to the first digit, read at most max_length digits."""
        while not self.ch().isdigit() or not self.ch().isascii():
            if self.ch() == "\0":
                return None, 0
            self.p += 1
        start = self.p
        while self.p < len(self.t) and self.p - start < max_length and "0" <= self.t[self.p] <= "9":
            self.p += 1
        return int(self.t[start : self.p]), self.p - start

    def nr(self, max_length: int) -> int:
        value, _ = self.get_nr(max_length)
        return 0 if value is None else value

    def signed_nr(self, max_length: int) -> int:
        while not ("0" <= self.ch() <= "9") and self.ch() not in "+-":
            if self.ch() == "\0":
                raise _Error("Found unexpected data")
            self.p += 1
        sign = 1
        while self.ch() in "+-" and self.ch() != "\0":
            if self.ch() == "-":
                sign = -sign
            self.p += 1
        return sign * self.nr(max_length)

    def year(self, max_length: int = 4) -> int:
        """timelib_get_nr_ex + TIMELIB_PROCESS_YEAR: 1-2 digit years are 1970-2069."""
        value, length = self.get_nr(max_length)
        if value is None:
            return 0
        if length < 4 and value < 100:
            value += 2000 if value < 70 else 1900
        return value

    def skip_day_suffix(self) -> None:
        if self.t[self.p : self.p + 2].lower() in ("st", "nd", "rd", "th"):
            self.p += 2

    def month(self) -> int:
        """timelib_get_month: skip separators, then a month name or roman numeral."""
        while self.ch() in " \t-./" and self.ch() != "\0":
            self.p += 1
        start = self.p
        while self.ch().isascii() and self.ch().isalpha():
            self.p += 1
        return _MONTHS.get(self.t[start : self.p].lower(), 0)

    def word(self) -> str:
        start = self.p
        while self.ch().isascii() and self.ch().isalpha():
            self.p += 1
        return self.t[start : self.p].lower()

    def eat_spaces(self) -> None:
        while self.ch() in " \t" and self.ch() != "\0":
            self.p += 1

    def meridian(self, h: int) -> int:
        while self.ch() not in "AaPp" or self.ch() == "\0":
            self.p += 1
        if self.ch() in "aA":
            out = -12 if h == 12 else 0
        else:
            out = 12 if h != 12 else 0
        self.p += 1
        for c in (".", "mM", "."):
            if self.ch() in c and self.ch() != "\0":
                self.p += 1
        return out

    def relative_text(self) -> tuple[int, int]:
        while self.ch() in " \t-/" and self.ch() != "\0":
            self.p += 1
        return _RELTEXT.get(self.word(), (0, 1))

    def relunit(self) -> tuple[str, int] | None:
        start = self.p
        while self.ch() not in _RELUNIT_END:
            self.p += 1
        return _RELUNITS.get(self.t[start : self.p].lower())

    def rest(self) -> str:
        return self.t[self.p :].rstrip("\0")


def _set_relative(t: _Time, ptr: _Ptr, amount: int, behavior: int, keep_time: bool) -> None:
    """timelib_set_relative: an amount of a unit word (an unknown word adds nothing)."""
    unit = ptr.relunit()
    if unit is None:
        return
    kind, mult = unit
    if kind in t.rel:
        t.rel[kind] += amount * mult
    elif kind == "weekday":
        t.have_weekday_relative = True
        if not keep_time:
            t.unhave_time()
        t.rel["d"] += (amount - 1 if amount > 0 else amount) * 7
        t.weekday = mult
        t.weekday_behavior = behavior
    else:
        t.have_special_relative = True
        if not keep_time:
            t.unhave_time()
        t.special_type = mult
        t.special_amount = amount


def _parse_tz_cor(text: str) -> int | None:
    """timelib_parse_tz_cor: the digits of +H, +HH, +HMM, +HH:MM, +HHMMSS, +HH:MM:SS → seconds."""
    m = re.match(r"[0-9:]*", text)
    s = m.group(0) if m else ""

    def num(x: str) -> int:
        mm = re.match(r"[0-9]*", x)
        return int(mm.group(0)) if mm and mm.group(0) else 0

    n = len(s)
    if n in (1, 2):
        return num(s) * 3600
    if n in (3, 4):
        if s[1] == ":":
            return num(s) * 3600 + num(s[2:]) * 60
        if s[2] == ":":
            return num(s) * 3600 + num(s[3:]) * 60
        v = num(s)
        return v // 100 * 3600 + v % 100 * 60
    if n == 5 and s[2] == ":":
        return num(s) * 3600 + num(s[3:]) * 60
    if n == 6:
        v = num(s)
        return v // 10000 * 3600 + v // 100 % 100 * 60 + v % 100
    if n == 8 and s[2] == ":" and s[5] == ":":
        return num(s) * 3600 + num(s[3:]) * 60 + num(s[6:])
    return None


def _parse_zone(t: _Time, text: str) -> None:
    """timelib_parse_zone: an offset, an abbreviation (MSK, UTC, Z, EST...) or a zone id; else an error."""
    text = text.lstrip(" \t(").rstrip("\0")
    if text[:3] == "GMT" and text[3:4] in ("+", "-"):
        text = text[3:]
    if text[:1] in ("+", "-"):
        cor = _parse_tz_cor(text[1:])
        if cor is None:
            raise _Error("The timezone could not be found in the database")
        t.z = cor if text[0] == "+" else -cor
        t.zone_id = None
        return
    word = re.split(r"[ )]", text, maxsplit=1)[0]
    abbr = _ABBREVIATIONS.get(word.lower()) if len(word) < 6 else None
    if word.lower() in ("utc", "gmt"):
        abbr = 0
    if abbr is not None and not (word == "UTC"):
        t.z, t.zone_id = abbr, None
        return
    if _zone_exists(word):
        t.z, t.zone_id = None, word
        return
    if abbr is not None:
        t.z, t.zone_id = abbr, None
        return
    raise _Error("The timezone could not be found in the database")


@lru_cache(maxsize=256)
def _zone_exists(name: str) -> bool:
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+/-]*", name) or name.lower() in ("localtime", "posixrules"):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


#: abbreviation → UTC offset in seconds with its DST hour, as php 8.2 applies it (timelib's timezonemap.h,
#: taken from ``strtotime("2024-01-01 00:00:00 <abbr>")`` for every key of DateTimeZone::listAbbreviations())
_ABBREVIATIONS: dict[str, int] = {
    "a": 3600, "acdt": 37800, "acst": 34200, "addt": -7200, "adt": -10800, "aedt": 39600, "aest": 36000,
    "ahdt": -32400, "ahst": -36000, "akdt": -28800, "akst": -32400, "amt": -13840, "apt": -10800, "ast": -14400,
    "awdt": 32400, "awst": 28800, "awt": -10800, "b": 7200, "bdst": 7200, "bdt": -36000, "bmt": -14309, "bst": 3600,
    "c": 10800, "cast": 34200, "cat": 7200, "cddt": -14400, "cdt": -18000, "cemt": 10800, "cest": 7200, "cet": 3600,
    "chst": 36000, "cmt": -15408, "cpt": -18000, "cst": -21600, "cwt": -18000, "d": 14400, "dmt": -1521, "e": 18000,
    "eat": 10800, "eddt": -10800, "edt": -14400, "eest": 10800, "eet": 7200, "emt": -26248, "ept": -14400,
    "est": -18000, "ewt": -14400, "f": 21600, "ffmt": -14660, "fmt": -4056, "g": 25200, "gdt": 39600, "gmt": 0,
    "gst": 36000, "h": 28800, "hdt": -34200, "hkst": 32400, "hkt": 28800, "hmt": -19776, "hpt": -34200,
    "hst": -36000, "hwt": -34200, "i": 32400, "iddt": 14400, "idt": 10800, "imt": 25025, "ist": 7200, "jdt": 36000,
    "jmt": 8440, "jst": 32400, "k": 36000, "kdt": 36000, "kmt": 5736, "kst": 30600, "l": 39600, "lst": 9394,
    "m": 43200, "mddt": -18000, "mdst": 16279, "mdt": -21600, "mest": 7200, "met": 3600, "mmt": 9017, "mpt": -21600,
    "msd": 14400, "msk": 10800, "mst": -25200, "mwt": -21600, "n": -3600, "nddt": -5400, "ndt": -9052, "npt": -9000,
    "nst": -12600, "nwt": -9000, "nzdt": 46800, "nzmt": 41400, "nzst": 43200, "o": -7200, "p": -10800,
    "pddt": -21600, "pdt": -25200, "pkst": 21600, "pkt": 18000, "plmt": 25590, "pmt": -13236, "ppmt": -17340,
    "ppt": -25200, "pst": -28800, "pwt": -25200, "q": -14400, "qmt": -18840, "r": -18000, "rmt": 5794, "s": -21600,
    "sast": 7200, "sdmt": -16800, "sjmt": -20173, "smt": -13884, "sst": -39600, "t": -25200, "tbmt": 10751,
    "tmt": 12344, "u": -28800, "uct": 0, "utc": 0, "v": -32400, "w": -36000, "wast": 7200, "wat": 3600,
    "wemt": 7200, "west": 3600, "wet": 0, "wib": 25200, "wit": 32400, "wita": 28800, "wmt": 5040, "x": -39600,
    "y": -43200, "yddt": -25200, "ydt": -28800, "ypt": -28800, "yst": -32400, "ywt": -28800, "z": 0,
}  # fmt: skip


# ------------------------------------------------------------------ the token actions (parse_date.re)


def _action(t: _Time, name: str, tok: str) -> None:  # noqa: C901 - one branch per timelib rule
    p = _Ptr(tok)
    if name == "yesterday":
        t.have_relative = True
        t.unhave_time()
        t.rel["d"] = -1
    elif name == "now":
        pass
    elif name == "noon":
        t.unhave_time()
        t.have_time_()
        t.h = 12
    elif name == "midnight":
        t.unhave_time()
    elif name == "tomorrow":
        t.have_relative = True
        t.unhave_time()
        t.rel["d"] = 1
    elif name in ("timestamp", "timestampms"):
        t.have_relative = True
        t.have_date = 0
        t.y = t.m = t.d = 0  # TIMELIB_UNHAVE_DATE
        t.unhave_time()
        if not t.have_tz():
            return  # a zone was given before: the stamp is dropped, the date stays 0000-00-00
        negative = tok[1] == "-"
        body = tok[2:] if negative else tok[1:]
        whole, _, frac = body.partition(".")
        sec = int(whole[:24] or 0)
        us = int((frac + "000000")[:6]) if name == "timestampms" else 0
        if negative:
            sec, us = -sec, -us
        t.y, t.m, t.d, t.h, t.i, t.s, t.us = 1970, 1, 1, 0, 0, 0, 0
        t.rel["s"] += sec
        t.rel["us"] += us
        t.z, t.zone_id = 0, None
    elif name == "firstlastdayof":
        t.have_relative = True
        t.first_last_day_of = 1 if tok[:1].lower() == "f" else 2
    elif name == "backfrontof":
        t.unhave_time()
        t.have_time_()
        back = tok[:1] == "b"  # timelib compares a lower-case 'b': "BACK OF 7" is "front of"
        hour = p.nr(2)
        t.h, t.i = (hour, 15) if back else (hour - 1, 45)
        if p.rest().strip(" \t"):
            t.h += p.meridian(t.h)
    elif name == "weekdayof":
        t.have_relative = True
        t.have_special_relative = True
        amount, behavior = p.relative_text()
        p.eat_spaces()
        if amount > 0:
            t.special_type = _DAY_OF_WEEK_IN_MONTH
            _set_relative(t, p, amount, 1, False)
        else:
            t.special_type = _LAST_DAY_OF_WEEK_IN_MONTH
            _set_relative(t, p, amount, behavior, False)
    elif name == "time12":
        t.have_time_()
        t.h = p.nr(2)
        if p.ch() in ":." and p.ch() != "\0":
            t.i = p.nr(2)
            if p.ch() in ":." and p.ch() != "\0":
                t.s = p.nr(2)
        t.h += p.meridian(t.h)
    elif name == "mssqltime":
        t.have_time_()
        t.h, t.i, t.s = p.nr(2), p.nr(2), p.nr(2)
        if p.ch() in ":.":
            p.p += 1
            p.get_nr(9)
        p.eat_spaces()
        t.h += p.meridian(t.h)
    elif name == "time24":
        t.have_time_()
        t.h = p.nr(2)
        if p.ch() in ":." and p.ch() != "\0":
            t.i = p.nr(2)
            if p.ch() in ":." and p.ch() != "\0":
                t.s = p.nr(2)
    elif name == "gnunocolon":
        if t.have_time == 0:
            t.h, t.i, t.s = p.nr(2), p.nr(2), 0
        elif t.have_time == 1:
            t.y = p.nr(4)
        else:
            raise _Error("Double time specification")
        t.have_time += 1
    elif name == "iso8601nocolon":
        t.have_time_()
        t.h, t.i, t.s = p.nr(2), p.nr(2), p.nr(2)
    elif name == "american":
        t.have_date_()
        t.m, t.d = p.nr(2), p.nr(2)
        if p.ch() == "/":
            t.y = p.year(4)
    elif name == "iso8601date4":
        t.have_date_()
        t.y = p.signed_nr(4) if tok[0] in "+-" else p.nr(4)
        t.m, t.d = p.nr(2), p.nr(2)
    elif name == "iso8601date2":
        t.have_date_()
        t.y = p.year(4)
        t.m, t.d = p.nr(2), p.nr(2)
    elif name == "iso8601datex":
        t.have_date_()
        t.y = p.signed_nr(19)
        t.m, t.d = p.nr(2), p.nr(2)
    elif name == "gnudateshorter":
        t.have_date_()
        t.y = p.year(4)
        t.m, t.d = p.nr(2), 1
    elif name == "gnudateshort":
        t.have_date_()
        t.y = p.year(4)
        t.m, t.d = p.nr(2), p.nr(2)
    elif name == "datefull":
        t.have_date_()
        t.d = p.nr(2)
        p.skip_day_suffix()
        t.m = p.month()
        t.y = p.year(4)
    elif name == "pointed":
        t.have_date_()
        t.d, t.m = p.nr(2), p.nr(2)
        t.y = p.year(4)
    elif name == "pointed2":
        t.have_date_()
        t.d, t.m = p.nr(2), p.nr(2)
        t.y = p.year(2)
    elif name == "datenoday":
        t.have_date_()
        t.m = p.month()
        t.y = p.year(4)
        t.d = 1
    elif name == "datenodayrev":
        t.have_date_()
        t.y = p.year(4)
        t.m = p.month()
        t.d = 1
    elif name == "datetextual":
        t.have_date_()
        t.m = p.month()
        t.d = p.nr(2)
        y, length = p.get_nr(4)  # datenoyear: no digits left, the year is unset again (from now)
        t.y = y + (2000 if y < 70 else 1900) if y is not None and length < 4 and y < 100 else y
    elif name == "datenoyearrev":
        t.have_date_()
        t.d = p.nr(2)
        p.skip_day_suffix()
        t.m = p.month()
    elif name == "datenocolon":
        t.have_date_()
        t.y, t.m, t.d = p.nr(4), p.nr(2), p.nr(2)
    elif name == "xmlrpc":
        t.have_time_()
        t.have_date_()
        t.y, t.m, t.d = p.nr(4), p.nr(2), p.nr(2)
        t.h, t.i, t.s = p.nr(2), p.nr(2), p.nr(2)
        if p.ch() == ".":
            p.p += 1
            p.get_nr(9)
            if p.rest():
                if t.have_tz():
                    _parse_zone(t, p.rest())
    elif name == "pgydotd":
        t.have_date_()
        t.y = p.year(4)
        t.d = p.nr(3)
        t.m = 1
    elif name in ("isoweekday", "isoweek"):
        t.have_date_()
        t.have_relative = True
        y = p.nr(4)
        w = p.nr(2)
        d = p.nr(1) if name == "isoweekday" else 1
        t.y, t.m, t.d = y, 1, 1
        t.rel["d"] = _daynr_from_weeknr(y, w, d)
    elif name == "pgtextshort":
        t.have_date_()
        t.m = p.month()
        t.d = p.nr(2)
        t.y = p.year(4)
    elif name == "pgtextreverse":
        t.have_date_()
        t.y = p.year(4)
        t.m = p.month()
        t.d = p.nr(2)
    elif name == "clf":
        t.have_time_()
        t.have_date_()
        t.d = p.nr(2)
        t.m = p.month()
        t.y = p.nr(4)
        t.h, t.i, t.s = p.nr(2), p.nr(2), p.nr(2)
        if t.have_tz():
            _parse_zone(t, p.rest())
    elif name == "year4":
        t.y = p.nr(4)
    elif name == "ago":
        for k in ("y", "m", "d", "h", "i", "s"):  # not the microseconds: "-2 ms ago" stays -2 ms
            t.rel[k] = -t.rel[k]
        t.weekday = -t.weekday
        if t.weekday == 0:
            t.weekday = -7
        if t.have_special_relative and t.special_type == _SPECIAL_WEEKDAY:
            t.special_amount = -t.special_amount
    elif name == "daytext":
        t.have_relative = True
        t.have_weekday_relative = True
        t.unhave_time()
        unit = p.relunit()
        t.weekday = unit[1] if unit else 0
        if t.weekday_behavior != 2:
            t.weekday_behavior = 1
    elif name == "relativetextweek":
        t.have_relative = True
        amount, behavior = p.relative_text()
        p.eat_spaces()
        _set_relative(t, p, amount, behavior, False)
        t.weekday_behavior = 2
        if not t.have_weekday_relative:
            t.have_weekday_relative = True
            t.weekday = 1
    elif name == "relativetext":
        t.have_relative = True
        amount, behavior = p.relative_text()
        p.eat_spaces()
        _set_relative(t, p, amount, behavior, False)
    elif name == "monthtext":
        t.have_date_()
        t.m = p.month()
    elif name == "tz":
        if t.have_tz():
            _parse_zone(t, tok)
    elif name in ("dateshortwithtime12", "dateshortwithtime24"):
        t.have_date_()
        t.m = p.month()
        t.d = p.nr(2)
        t.have_time_()
        t.h, t.i = p.nr(2), p.nr(2)
        if name == "dateshortwithtime12":
            if p.ch() in ":.":
                t.s = p.nr(2)
            t.h += p.meridian(t.h)
        else:
            if p.ch() == ":":
                t.s = p.nr(2)
                if p.ch() == ".":
                    p.p += 1
                    p.get_nr(9)
            if p.rest():
                if t.have_tz():
                    _parse_zone(t, p.rest())
    elif name == "relative":
        t.have_relative = True
        amount = p.signed_nr(24)
        p.eat_spaces()
        _set_relative(t, p, amount, 1, True)


def _daynr_from_weeknr(iy: int, iw: int, d: int) -> int:
    """timelib_daynr_from_weeknr: days from January 1st to day ``d`` of ISO week ``iw``."""
    dow = _dow(iy, 1, 1)
    day = 0 - (dow - 7 if dow > 4 else dow)
    return day + ((iw - 1) * 7) + d


# ------------------------------------------------------------------ calendar (any year, proleptic Gregorian)


def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def _civil_from_days(z: int) -> tuple[int, int, int]:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return y + (m <= 2), m, d


def _dow(y: int, m: int, d: int) -> int:
    """0 = Sunday."""
    return (_days_from_civil(y, m, d) + 4) % 7


def _normalize(y: int, m: int, d: int, h: int, i: int, s: int) -> tuple[int, int, int, int, int, int]:
    """timelib_do_normalize: seconds, minutes, hours, months and days roll over into the next unit."""
    i += s // 60
    s %= 60
    h += i // 60
    i %= 60
    d += h // 24
    h %= 24
    y += (m - 1) // 12
    m = (m - 1) % 12 + 1
    y, m, d = _civil_from_days(_days_from_civil(y, m, 1) + d - 1)
    return y, m, d, h, i, s


# ------------------------------------------------------------------ zones


def _local_offset(zone: ZoneInfo, days: int, secs: int) -> int:
    """The zone's offset for a local wall time (the earlier one in a fold), years clamped to 1..9998."""
    y, m, d = _civil_from_days(days)
    y = min(max(y, 1), 9998)
    naive = dt.datetime(y, m, d) + dt.timedelta(seconds=secs)
    off = zone.utcoffset(naive)
    return int(off.total_seconds()) if off is not None else 0


def _utc_offset(zone: ZoneInfo, ts: int) -> int:
    days = ts // 86400
    y, m, d = _civil_from_days(days)
    if not 1 <= y <= 9998:
        return _local_offset(zone, days, 0)
    at = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(seconds=ts)
    off = at.astimezone(zone).utcoffset()
    return int(off.total_seconds()) if off is not None else 0


# ------------------------------------------------------------------ strtotime


_WS = " \t\n\r\v\f"


def parse(text: str) -> _Time | None:
    """timelib_strtotime: the fields and relative parts of ``text``; None on any error."""
    if not text:
        return None  # timelib: "Empty string"
    text = text.strip(_WS)
    if not text:
        return _Time()  # whitespace only: nothing parsed, no error, so "now"
    text = text + "\0"
    t = _Time()
    pos = 0
    try:
        while pos < len(text):
            hit = _scan(text, pos)
            if hit is None:
                return None  # "Unexpected character"
            name, end = hit
            if name not in ("skip", "eol"):
                _action(t, name, text[pos:end])
            pos = end
    except _Error:
        return None
    return t


def strtotime(text: str, zone: str, now: dt.datetime) -> int | None:
    """PHP 8 ``strtotime($text)`` with ``$zone`` as the default zone and ``now`` (naive, in that zone).

    Returns the Unix timestamp, or None where PHP returns false.
    """
    t = parse(text)
    if t is None:
        return None
    tz = ZoneInfo(zone)
    # timelib_fill_holes(TIMELIB_NO_CLOBBER): a date without a time is midnight, the rest comes from now
    if t.have_date and not t.have_time:
        t.h = t.i = t.s = t.us = 0
    y = now.year if t.y is None else t.y
    m = now.month if t.m is None else t.m
    d = now.day if t.d is None else t.d
    h = now.hour if t.h is None else t.h
    i = now.minute if t.i is None else t.i
    s = now.second if t.s is None else t.s
    us = 0 if t.us is None else t.us
    rel = t.rel

    # do_adjust_special_early
    if t.have_special_relative and t.special_type == _DAY_OF_WEEK_IN_MONTH:
        d, m, rel["m"] = 1, m + rel["m"], 0
    elif t.have_special_relative and t.special_type == _LAST_DAY_OF_WEEK_IN_MONTH:
        d, m, rel["m"] = 1, m + rel["m"] + 1, 0
    if t.first_last_day_of == 1:  # applied here (before the weekday) and again after the relative part
        d = 1
    elif t.first_last_day_of == 2:
        d, m = 0, m + 1
    y, m, d, h, i, s = _normalize(y, m, d, h, i, s)

    # do_adjust_relative
    if t.have_weekday_relative:
        d = _adjust_for_weekday(t, y, m, d)
    y, m, d, h, i, s = _normalize(y, m, d, h, i, s)
    if t.have_relative:
        us += rel["us"]
        s += rel["s"] + us // 1_000_000
        i += rel["i"]
        h += rel["h"]
        d += rel["d"]
        m += rel["m"]
        y += rel["y"]
    if t.first_last_day_of == 1:
        d = 1
    elif t.first_last_day_of == 2:
        y += (m - 1) // 12
        m = (m - 1) % 12 + 1
        d, m = 0, m + 1
    y, m, d, h, i, s = _normalize(y, m, d, h, i, s)

    # do_adjust_special
    if t.have_special_relative and t.special_type == _SPECIAL_WEEKDAY:
        d = _adjust_special_weekday(t.special_amount, y, m, d)
        y, m, d, h, i, s = _normalize(y, m, d, h, i, s)

    days = _days_from_civil(y, m, d)
    secs = h * 3600 + i * 60 + s
    if t.z is not None:
        offset = t.z
    else:
        offset = _local_offset(ZoneInfo(t.zone_id) if t.zone_id else tz, days, secs)
    ts = days * 86400 + secs - offset
    if not -(2**63) <= ts < 2**63:
        return None  # epoch_does_not_fit
    return ts


def _adjust_for_weekday(t: _Time, y: int, m: int, d: int) -> int:
    """do_adjust_for_weekday: move to the requested weekday (behaviour 2: within the same Monday week)."""
    current = _dow(y, m, d)
    weekday = t.weekday
    if t.weekday_behavior == 2:
        if current == 0 and weekday != 0:
            weekday -= 7
        if weekday == 0 and current != 0:
            weekday = 7
        return d - current + weekday
    difference = weekday - current
    if (t.rel["d"] < 0 and difference < 0) or (t.rel["d"] >= 0 and difference <= -t.weekday_behavior):
        difference += 7
    if weekday >= 0:
        return d + difference
    return d - (7 - (abs(weekday) - current))


def _adjust_special_weekday(count: int, y: int, m: int, d: int) -> int:
    """do_adjust_special_weekday: N working days (Monday to Friday) forward or back."""
    dow = _dow(y, m, d)
    quotient = abs(count) // 5 * (1 if count >= 0 else -1)  # C division truncates
    rem = count - quotient * 5
    if count > 0:
        d += quotient * 7
        if rem == 0:
            if dow == 0:
                d -= 2
            elif dow == 6:
                d -= 1
        elif dow == 6:
            d += 1
        elif dow + rem > 5:
            d += 2
    else:
        d += quotient * 7
        if rem == 0:
            if dow == 6:
                d += 2
            elif dow == 0:
                d += 1
        elif dow == 0:
            d -= 1
        elif dow + rem < 1:
            d -= 2
    return d + rem


def date(fmt: str, ts: int, zone: str) -> str:
    """PHP ``date()`` for the formats the server uses (``Y-m-d``, ``Y-m-d H:i:s``) in ``zone``."""
    local = ts + _utc_offset(ZoneInfo(zone), ts)
    days, secs = divmod(local, 86400)
    y, m, d = _civil_from_days(days)
    year = f"-{-y:04d}" if y < 0 else f"{y:04d}"
    out = {
        "Y": year,
        "m": f"{m:02d}",
        "d": f"{d:02d}",
        "H": f"{secs // 3600:02d}",
        "i": f"{secs // 60 % 60:02d}",
        "s": f"{secs % 60:02d}",
    }
    return "".join(out.get(c, c) for c in fmt)


def strtotime_format(text: str, fmt: str, zone: str, now: dt.datetime) -> str | None:
    """``date($fmt, strtotime($text))``; None where strtotime is false."""
    ts = strtotime(text, zone, now)
    return None if ts is None else date(fmt, ts, zone)
