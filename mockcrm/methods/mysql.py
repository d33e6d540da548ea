"""What MariaDB does to the values `task` and `history` write and filter on.

The real server pastes parameters into SQL (non-strict mode, utf8_general_ci), so the stored
value, the ``=``/``BETWEEN``/``LIKE`` comparisons and ``ORDER BY`` follow MySQL's rules, not
Python's.  Only what these two methods need is emulated here.
"""

from __future__ import annotations

import calendar
import functools
import math
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from ..errors import Fatal, sql_fatal, sql_syntax_fatal, type_fatal
from ..php import floatval, intval, is_numeric, mul_text, strval
from ..store import Row, Table

ZERO_DATE = "0000-00-00"
ZERO_TIME = "00:00:00"
ZERO_DATETIME = "0000-00-00 00:00:00"
#: the TIMESTAMP range (UTC 1970-01-01 00:00:01 .. 2038-01-19 03:14:07) in the server's zone, +03:00
TIMESTAMP_MIN = "1970-01-01 03:00:01"
TIMESTAMP_MAX = "2038-01-19 06:14:07"

#: characters outside the BMP: four bytes in UTF-8, which a utf8 (utf8mb3) connection cannot carry
_NON_BMP = re.compile("[\U00010000-\U0010ffff]")

#: MariaDB's str_to_datetime: any punctuation between the parts, a 2-digit year is 20YY below 70 (19YY
#: from 70); checked against the server: '2031:01:05', '31-01-05' and '2031-01-05 10' are read
_DATE = re.compile(r"\s*(\d{4}|\d{2})[^\w\s](\d{1,2})[^\w\s](\d{1,2})(?!\d)")
_DATETIME_TAIL = re.compile(r"(?:[ T]+(\d{1,2})(?:[^\w\s](\d{1,2})(?:[^\w\s](\d{1,2}))?)?(?!\d))?")
_TIME = re.compile(r"\s*(-?)\s*(\d+):(\d{1,2})(?::(\d{1,2}))?")
_TIME_NUMBER = re.compile(r"\s*([-+]?)\s*(\d+)")


_COMPACT = re.compile(r"\s*(\d{4}|\d{2})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2}))?\s*\Z")


def _year(text: str) -> int:
    """A 2-digit year as MariaDB reads it: 00-69 → 2000-2069, 70-99 → 1970-1999."""
    y = int(text)
    return y if len(text) == 4 else y + (2000 if y < 70 else 1900)


def _compact(text: str) -> tuple[int, int, int, int, int, int] | None:
    """``YYYYMMDD`` / ``YYMMDD`` / ``YYYYMMDDHHMMSS``: MariaDB reads a string of only digits as a packed date."""
    m = _COMPACT.match(text)
    if not m:
        return None
    parts = [int(g) if g else 0 for g in m.groups()]
    return _year(m.group(1)), parts[1], parts[2], parts[3], parts[4], parts[5]


def _date_parts(text: str, strict: bool = True) -> tuple[int, int, int, int] | None:
    """(year, month, day, end position) of a leading MySQL date, or None when invalid.

    ``strict=False`` is a DATE/DATETIME column: the server runs with ALLOW_INVALID_DATES, so any
    day 0-31 of any month 0-12 is kept ("2031-02-30"); TIMESTAMP columns check the calendar.
    """
    m = _DATE.match(text)
    packed = _compact(text) if not m else None
    if packed:
        # real server: "20310906" is 2031-09-06 (golden 46-numbers-dates)
        y, mo, d = packed[:3]
    elif not m:
        return None
    else:
        y, mo, d = _year(m.group(1)), int(m.group(2)), int(m.group(3))
    if mo > 12 or d > 31:
        return None
    if strict and mo and d > calendar.monthrange(y or 2000, mo)[1]:
        return None
    return y, mo, d, (m.end() if m else len(text))


def mysql_date(value: Any) -> str:
    """A value stored into a DATE column (invalid → zero date, trailing garbage truncated)."""
    # real server: sql-mode ALLOW_INVALID_DATES keeps "2031-02-30" in a DATE column (golden 41)
    parts = _date_parts(strval(value), strict=False)
    if parts is None:
        return ZERO_DATE
    y, mo, d, _ = parts
    return f"{y:04d}-{mo:02d}-{d:02d}"


def mysql_datetime(value: Any, strict: bool = True) -> str:
    """A value stored into a TIMESTAMP (``strict``) or DATETIME column (``" 12:14"`` → zero;
    ``"… 08:30:00 12:14"`` truncated)."""
    text = strval(value)
    parts = _date_parts(text, strict)
    if parts is None:
        return ZERO_DATETIME
    y, mo, d, end = parts
    t = _DATETIME_TAIL.match(text, end)
    h = mi = s = 0
    packed = _compact(text)
    if packed:
        h, mi, s = packed[3:]
        if h > 23 or mi > 59 or s > 59:
            return ZERO_DATETIME
    elif t and t.group(1) is not None:
        h, mi, s = int(t.group(1)), int(t.group(2) or 0), int(t.group(3) or 0)
        if h > 23 or mi > 59 or s > 59:
            return ZERO_DATETIME
    out = f"{y:04d}-{mo:02d}-{d:02d} {h:02d}:{mi:02d}:{s:02d}"
    if strict and out != ZERO_DATETIME and not TIMESTAMP_MIN <= out <= TIMESTAMP_MAX:
        # real server: a TIMESTAMP outside 1970-2038 is stored as zero (golden 43-history-odd-inputs)
        return ZERO_DATETIME
    return out


def compared_datetime(value: Any) -> str:
    """A string constant compared with a DATETIME/TIMESTAMP column: read as a DATETIME (any day 0–31 of
    month 0–12, no 1970–2038 range); what MariaDB cannot read compares as the zero date."""
    # real server: date_create BETWEEN '2000-01-01' AND '2031-13-01' matches nothing (found by mockcrm diff)
    return mysql_datetime(value, strict=False)


def mysql_time(value: Any) -> str:
    """A value stored into a TIME column (MariaDB str_to_time, checked on the real server):
    ``H:M[:S]`` or a number read as ``[H]HHMMSS`` ("-1" is ``-00:00:01``, "130" is ``00:01:30``), a sign
    with spaces after it, the fraction cut; minutes or seconds past 59 are zero, hours past 838 clip
    to ``838:59:59`` ("24:13" is a valid TIME)."""
    text = strval(value)
    m = _TIME.match(text)
    if m:
        sign, h, mi, s = m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4) or 0)
    else:
        n = _TIME_NUMBER.match(text)
        if not n or len(n.group(2)) > 7:
            return ZERO_TIME
        sign, number = n.group(1), int(n.group(2))
        h, mi, s = number // 10000, number // 100 % 100, number % 100
    if mi > 59 or s > 59:
        return ZERO_TIME
    if h > 838:
        h, mi, s = 838, 59, 59
    sign = "-" if sign == "-" and (h or mi or s) else ""
    return f"{sign}{h:02d}:{mi:02d}:{s:02d}"


def as_datetime(value: Any) -> str:
    """A comparison operand against a DATE/DATETIME column (a date alone means midnight)."""
    # real server: ALLOW_INVALID_DATES, so a stored "2031-02-30" is a date like any other (golden 41)
    return mysql_datetime(value, strict=False)


INT_MIN, INT_MAX = -2147483648, 2147483647


def mysql_int(value: Any) -> int:
    """A value stored into an INT column in non-strict mode: out-of-range numbers are clamped."""
    # real server: clid 99999999999 is kept as 2147483647 (golden 46-numbers-dates)
    return min(max(intval(value), INT_MIN), INT_MAX)


def mysql_rounded_int(value: Any) -> int:
    """A request value SafeMySQL quotes into an INT column: MariaDB reads the number at the start of the
    text and rounds it half away from zero ("1.5" → 2, "-1.5" → -2, "1.5abc" → 2, "2.5e0" → 3), then
    clamps it (task doit's status; scenario 119)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = float(value)
    else:
        number = floatval(value)
    if math.isinf(number) or math.isnan(number):
        return INT_MAX if number > 0 else INT_MIN if number < 0 else 0
    rounded = int(math.floor(abs(number) + 0.5)) * (1 if number >= 0 else -1)
    return min(max(rounded, INT_MIN), INT_MAX)


# ------------------------------------------------------------------ text columns


def utf8mb3(text: str) -> str:
    """A string stored over the CRM's ``utf8`` connection: each 4-byte character (emoji and the like)
    becomes ``????``.  Not so in a WHERE literal: there its bytes stay, and equal no stored value."""
    # real server: SafeMysql connects with charset utf8 = utf8mb3 (README of real-salesman, golden 41)
    return _NON_BMP.sub("????", text)


def mysql_text(value: Any, width: int | None = None) -> str:
    """A value stored into a CHAR/VARCHAR(width) or TEXT column in non-strict mode: utf8mb3, then
    cut to ``width`` characters without an error (MariaDB only warns)."""
    text = utf8mb3(strval(value))
    return text[:width] if width is not None else text


# ------------------------------------------------------------------ hand-built SQL

#: words that may follow a string literal in the WHERE/ORDER BY clauses the CRM builds
_AFTER_LITERAL = {
    "and", "or", "xor", "not", "is", "in", "like", "between", "escape", "collate", "order", "group",
    "having", "limit", "desc", "asc", "as", "regexp", "rlike", "div", "mod", "union",
}  # fmt: skip


def _near(query: str, pos: int, line: int, rest: str | None = None) -> Fatal:
    return sql_syntax_fatal(query[pos:] if rest is None else rest, line)


def literal_end(query: str, i: int) -> int | None:
    """The index after the string literal opening at ``i`` ('' and backslash escapes), None if open."""
    i += 1
    while i < len(query):
        if query[i] == "\\":
            i += 2
        elif query[i] == "'" and query[i + 1 : i + 2] == "'":
            i += 2
        elif query[i] == "'":
            return i + 1
        else:
            i += 1
    return None


def _comment_end(query: str, i: int) -> int | None:
    """The index after a comment starting at ``i`` (``#``, ``-- ``, ``/* */``), -1 for an open
    ``/*``, None for no comment (MariaDB: ``--`` needs a space or control character after it)."""
    if query.startswith("/*", i):
        end = query.find("*/", i + 2)
        return -1 if end < 0 else end + 2
    if query[i] == "#" or (query.startswith("--", i) and (i + 2 == len(query) or ord(query[i + 2]) <= 32)):
        end = query.find("\n", i)
        return len(query) if end < 0 else end
    return None


class _Paren:
    """One open parenthesis: a generic function call's argument list (its name) or a group."""

    __slots__ = ("alias", "args", "name")

    def __init__(self, name: str | None) -> None:
        self.name, self.args, self.alias = name, 0, False

    def close(self) -> Fatal | None:
        """MariaDB builds a native function when its ``)`` is read (Create_func_arg2): the
        argument count is checked first, then the aliases (golden 91)."""
        if self.name is None:
            return None
        if self.args != 2:
            return sql_fatal(f"Incorrect parameter count in the call to native function '{self.name}'")
        if self.alias:
            return sql_fatal(f"Incorrect parameters in the call to native function '{self.name}'")
        return None


def sql_parse_error(query: str) -> Fatal | None:
    """The syntax error MariaDB reports for a query the PHP code pasted a quote into, or None."""
    # the answer depends on the text alone, and the same queries come again and again (one per call)
    return None if _parses(query) else _parse_error(query)


@functools.lru_cache(maxsize=4096)
def _parses(query: str) -> bool:
    return _parse_error(query) is None


def _parse_error(query: str) -> Fatal | None:
    """The syntax error MariaDB reports for a query the PHP code pasted a quote into, or None.

    A value with ``'`` ends its literal early: what follows the literal is then a word, number or
    ``;`` where MariaDB wants an operator (near = the rest of the query from there, 80 characters
    at most), or the last literal never closes (near = its text).  The JSON transports skip
    Cleaner, so their quotes arrive raw (golden 45-transports-quotes).
    """
    # MariaDB counts lines from the first token and not inside string literals (golden 45: line 32)
    query = query.lstrip()
    i, line, after_literal, after_alias, want_alias = 0, 1, False, False, False
    parens: list[_Paren] = []
    prev_word = ""
    while i < len(query):
        c = query[i]
        if c.isspace():
            line += c == "\n"
            i += 1
            continue
        comment = _comment_end(query, i)
        if comment is not None:
            if comment < 0:
                # real server: an unclosed /* is an error near the comment itself
                return _near(query, i, line)
            line += query.count("\n", i, comment)
            i = comment
            continue
        word = re.match(r"[\w.@]+", query[i:])
        call = parens[-1] if parens and parens[-1].name is not None else None
        if want_alias:
            # after `expr AS` only an identifier or a quoted name may follow (select_alias)
            end = literal_end(query, i) if c == "'" else None
            if word is None and end is None:
                return _near(query, i, line)
            want_alias, after_alias = False, True
            i = end if end is not None else i + len(word.group(0) if word else " ")
            continue
        if after_alias and c not in ",)":
            # real server: after `'x' alias` inside FIND_IN_SET( only "," or ")" may follow
            return _near(query, i, line)
        after_alias = False
        if c == "'":
            end = literal_end(query, i)
            if end is None:
                # real server: an open literal is shown unescaped ('' as ') (golden 45-transports-quotes)
                return _near(query, i + 1, line, query[i + 1 :].replace("''", "'"))
            if call is not None and not after_literal:
                call.args = max(call.args, 1)
            i, after_literal = end, True
            continue
        lowered = word.group(0).lower() if word else ""
        if after_literal and lowered == "as":
            if call is None:
                # real server: `'1' AS b` outside a function's arguments is a syntax error (golden 91)
                return _near(query, i, line)
            # real server: FIND_IN_SET is a generic function call, whose arguments may carry an
            # alias (MariaDB udf_expr: expr [AS] ident)
            call.alias, want_alias, after_literal = True, True, False
            i += 2
            continue
        # real server: b'…' / x'…' lex as bit/hex literals, so `'a'b', …` fails at the b (golden 75)
        literal_prefix = word is not None and lowered in ("b", "x") and query[i + 1 : i + 2] == "'"
        alias_ok = word is not None and lowered not in _AFTER_LITERAL and not literal_prefix
        if after_literal and word and call is not None and alias_ok:
            # `'O'Reilly` passes as an alias and the error comes at the token after the word
            call.alias, after_literal, after_alias = True, False, True
            i += len(word.group(0))
            continue
        if after_literal and (c == ";" or (word and lowered not in _AFTER_LITERAL)):
            return _near(query, i, line)
        after_literal = False
        if c == "(":
            if call is not None:
                call.args = max(call.args, 1)
            parens.append(_Paren(word_before(query, i) if prev_word in _GENERIC_CALLS else None))
        elif c == ")" and parens:
            fatal = parens.pop().close()
            if fatal is not None:
                return fatal
        elif c == "," and call is not None:
            call.args = max(call.args, 1) + 1
        elif call is not None:
            call.args = max(call.args, 1)
        prev_word = lowered
        i += len(word.group(0)) if word else 1
    return None


def word_before(query: str, i: int) -> str:
    """The function name as written before the ``(`` at ``i`` (MariaDB echoes it as typed)."""
    m = re.search(r"([\w.@]+)\s*$", query[:i])
    return m.group(1) if m else ""


#: functions MariaDB parses as generic calls (function_call_generic), whose arguments take aliases
_GENERIC_CALLS = {"find_in_set"}


def breaks_literal(*pasted: str | None) -> bool:
    """Whether a value pasted inside '...' can end its literal: only a quote or a backslash can.

    A query template that parses keeps parsing whatever else goes between its quotes, so the
    syntax check (a full scan of the query) is needed only when this is true.
    """
    return any(v is not None and ("'" in v or "\\" in v) for v in pasted)


def raise_on_parse_error(query: str) -> None:
    fatal = sql_parse_error(query)
    if fatal is not None:
        raise fatal


# ------------------------------------------------------------------ utf8_general_ci


def _fold_char(ch: str) -> str:
    up = ch.upper()
    if len(up) != 1:
        return ch
    if up == "Ё":
        return "Е"
    if ord(up) < 0x250:
        base = unicodedata.normalize("NFD", up)[0]
        return base if base.isascii() else up
    return up


def fold(text: str) -> str:
    """Characters as utf8_general_ci compares them (case and Latin accents ignored)."""
    return "".join(_fold_char(c) for c in text)


def ci_key(text: str) -> str:
    """Sort/equality key under utf8_general_ci (PAD SPACE: trailing spaces ignored)."""
    return fold(text.rstrip(" "))


def ci_equal(a: Any, b: Any) -> bool:
    return a is not None and ci_key(strval(a)) == ci_key(strval(b))


_SQL_ESCAPES = {"0": "\0", "b": "\b", "n": "\n", "r": "\r", "t": "\t", "Z": "\x1a"}


def sql_literal(text: str) -> str:
    """What MariaDB reads from ``'text'`` pasted into a query: backslash escapes are resolved
    (``\\t`` is a tab, ``\\x`` is ``x``) except ``\\%`` and ``\\_``, which stay for LIKE."""
    out: list[str] = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append("\\" + nxt if nxt in "%_" else _SQL_ESCAPES.get(nxt, nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    # real server: a 4-byte character stays raw bytes in a literal, so '%😀%' never finds the stored
    # '????' (`'a😀' = 'a????'` is 0 over utf8mb3; golden 93-sql-emoji-order)
    return "".join(out)


def like(value: Any, pattern: str) -> bool:
    """``value LIKE pattern`` (``%``, ``_``, backslash escape; NULL never matches)."""
    if value is None:
        return False
    out: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            i += 1
            out.append(re.escape(fold(pattern[i])))
        elif c == "%":
            out.append(".*")
        elif c == "_":
            out.append(".")
        else:
            out.append(re.escape(fold(c)))
        i += 1
    return re.fullmatch("".join(out), fold(strval(value)), re.DOTALL) is not None


def find_in_set(needle: str, items: Any) -> bool:
    """``FIND_IN_SET(needle, REPLACE(items, ';', ','))`` > 0."""
    if items is None or "," in needle:
        return False
    text = strval(items).replace(";", ",")
    if text == "":
        return False
    # real server: FIND_IN_SET compares with strnncoll, not strnncollsp: no PAD SPACE, so
    # ' ' does not match an empty slot (MariaDB: FIND_IN_SET(' ', ',,') = 0, ('', ',,') = 1)
    return any(fold(part) == fold(needle) for part in text.split(","))


# ------------------------------------------------------------------ numbers and ids


def num_equal(column: Any, param: Any) -> bool:
    """``int_column = '<param>'``: MySQL turns the quoted text into a number."""
    if column is None:
        return False
    return float(intval(column)) == floatval(strval(param))


def find_row(table: Table, param: Any) -> Row | None:
    """``SELECT … WHERE <id> = '<param>'`` on an INT id (``'1abc'`` finds 1, ``'abc'`` nothing)."""
    wanted = floatval(strval(param))
    if not math.isfinite(wanted) or wanted != int(wanted):
        return None
    return table.get(int(wanted))


_LEADING_NUMBER = re.compile(r"[ \t\n\r\v\f]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def page_offset(param: Any, where: tuple[str, int], page: int = 200) -> str:
    """``$offset = ($params['offset'] > 0) ? $params['offset'] : 0; $lpos = $offset * 200`` on PHP 8.

    ``where`` is the script and line of the multiplication, where a non-numeric value crashes.
    """
    if isinstance(param, (list, dict)):
        # real server: an array is greater than any int, and array * int is a TypeError
        raise type_fatal("Unsupported operand types: array * int", *where)
    if param is None or isinstance(param, bool):
        return str(page) if param else "0"
    # real server: a float product prints as "0.2" or "2.0E+22", a syntax error in LIMIT
    if isinstance(param, (int, float)) or is_numeric(param):
        return mul_text(param, page) if floatval(param) > 0 else "0"
    text = strval(param)
    # real server: a non-numeric string is compared with 0 as the string "0" (PHP 8)
    if text.encode() <= b"0":
        return "0"
    lead = _LEADING_NUMBER.match(text)
    if lead is None:
        # real server: "abc" * 200 is a TypeError (golden 42-task-lifecycle)
        raise type_fatal("Unsupported operand types: string * int", *where)
    return mul_text(text, page)


# ------------------------------------------------------------------ ORDER BY


def sort_rows(rows: list[Row], keys: Iterable[tuple[str, bool]], numeric: set[str]) -> list[Row]:
    """``ORDER BY`` (column, descending) keys (see mysql_order): one stable sort per key, the last
    first; NULL first, INT columns by number, text by utf8_general_ci; ties keep the given order."""
    for name, desc in reversed(list(keys)):
        key: Callable[[Row], tuple[int, Any]]
        if name in numeric:
            key = lambda r, n=name: (0, 0.0) if r.get(n) is None else (1, float(intval(r[n])))  # type: ignore[misc]  # noqa: E731
        else:
            key = lambda r, n=name: (0, "") if r.get(n) is None else (1, ci_key(strval(r[n])))  # type: ignore[misc]  # noqa: E731
        rows = sorted(rows, key=key, reverse=desc)
    return rows
