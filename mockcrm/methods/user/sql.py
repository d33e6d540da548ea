"""``current_userbylogin($login)`` (inc/func.helpers.php) as the real server runs it.

The login is pasted into ``SELECT iduser FROM app_user WHERE login = '$login' AND identity = '…'``
unescaped, and the JSON transports skip Cleaner, so a quote in a list's ``user`` parameter either
breaks the query (a syntax error page) or rewrites its WHERE clause (``x' OR '1'='1`` finds the
first user).  This module checks the syntax like MariaDB and evaluates the small WHERE languages
such values make (comparisons, LIKE, AND/OR/XOR/NOT, parentheses, comments) over the user table.
"""

from __future__ import annotations

import re
from typing import Any

from ... import php
from ...account import Account
from ...errors import sql_fatal
from ...store import Row
from ..mysql import ci_key, like, raise_on_parse_error, sql_literal


class _Unsupported(Exception):
    """A construct this small evaluator does not know: the lookup falls back to the plain login."""


_TOKEN = re.compile(
    r"""\s+|(?P<str>'(?:[^'\\]|\\.|'')*')|(?P<num>\d+(?:\.\d+)?)|`(?P<qid>[^`]*)`|(?P<id>[A-Za-z_][\w$]*)"""
    r"""|(?P<op><=>|<>|!=|<=|>=|&&|\|\||[=<>()!])""",
    re.DOTALL,
)
_COMMENT = re.compile(r"#[^\n]*|--(?:[ \t\r\n\x00-\x1f][^\n]*|$)|/\*.*?\*/", re.DOTALL)


def _tokens(where: str) -> list[tuple[str, Any]]:
    where = _COMMENT.sub(" ", where)
    out: list[tuple[str, Any]] = []
    i = 0
    while i < len(where):
        m = _TOKEN.match(where, i)
        if m is None:
            raise _Unsupported(where[i:])
        i = m.end()
        if m.group("str") is not None:
            out.append(("val", sql_literal(m.group("str")[1:-1].replace("''", "'"))))
        elif m.group("num") is not None:
            out.append(("val", float(m.group("num"))))
        elif m.group("qid") is not None:
            out.append(("col", m.group("qid")))
        elif m.group("id") is not None:
            word = m.group("id").upper()
            out.append(("word", word) if word in _WORDS else ("col", m.group("id")))
        elif m.group("op") is not None:
            out.append(("op", m.group("op")))
    return out


_WORDS = {"AND", "OR", "XOR", "NOT", "LIKE", "NULL", "TRUE", "FALSE", "IS"}
_COMPARE = {"=", "<>", "!=", "<", ">", "<=", ">=", "<=>"}


class _Where:
    """Recursive descent over the tokens, evaluated for one row (NULL is None)."""

    def __init__(self, tokens: list[tuple[str, Any]], row: Row) -> None:
        self.t, self.i, self.row = tokens, 0, row

    def peek(self) -> tuple[str, Any]:
        return self.t[self.i] if self.i < len(self.t) else ("end", None)

    def take(self) -> tuple[str, Any]:
        tok = self.peek()
        self.i += 1
        return tok

    def accept(self, *texts: str) -> str | None:
        kind, text = self.peek()
        if kind in ("op", "word") and text in texts:
            self.i += 1
            return str(text)
        return None

    def run(self) -> Any:
        value = self.or_()
        if self.peek()[0] != "end":
            raise _Unsupported(self.peek())
        return value

    def or_(self) -> Any:
        value = self.xor()
        while self.accept("OR", "||"):
            right = self.xor()
            value = _or(value, right)
        return value

    def xor(self) -> Any:
        value = self.and_()
        while self.accept("XOR"):
            right = self.and_()
            value = None if value is None or right is None else _truth(value) != _truth(right)
        return value

    def and_(self) -> Any:
        value = self.not_()
        while self.accept("AND", "&&"):
            right = self.not_()
            value = _and(value, right)
        return value

    def not_(self) -> Any:
        if self.accept("NOT", "!"):
            value = self.not_()
            return None if value is None else not _truth(value)
        return self.compare()

    def compare(self) -> Any:
        left = self.primary()
        while True:
            op = self.accept(*_COMPARE, "LIKE")
            if op is None:
                return left
            right = self.primary()
            left = _compare(op, left, right)

    def primary(self) -> Any:
        kind, text = self.take()
        if kind == "val":
            return text
        if kind == "col":
            key = next((k for k in self.row if k.lower() == str(text).lower()), None)
            if key is None:
                # real server: MariaDB names the clause in capitals (11.x)
                raise sql_fatal(f"Unknown column '{text}' in 'WHERE'")
            return self.row[key]
        if kind == "word" and text in ("NULL", "TRUE", "FALSE"):
            return {"NULL": None, "TRUE": 1.0, "FALSE": 0.0}[text]
        if kind == "op" and text == "(":
            value = self.or_()
            if not self.accept(")"):
                raise _Unsupported(self.peek())
            return value
        raise _Unsupported((kind, text))


def _truth(v: Any) -> bool:
    return php.floatval(v) != 0 if isinstance(v, str) else bool(v)


def _or(a: Any, b: Any) -> Any:
    if (a is not None and _truth(a)) or (b is not None and _truth(b)):
        return True
    return None if a is None or b is None else False


def _and(a: Any, b: Any) -> Any:
    if (a is not None and not _truth(a)) or (b is not None and not _truth(b)):
        return False
    return None if a is None or b is None else True


def _compare(op: str, a: Any, b: Any) -> Any:
    if op == "<=>":
        if a is None or b is None:
            return a is None and b is None
        op = "="
    if a is None or b is None:
        return None
    if op == "LIKE":
        return like(a, php.strval(b))
    x: Any
    y: Any
    if isinstance(a, str) and isinstance(b, str):
        # two strings: utf8_general_ci, trailing spaces ignored
        x, y = ci_key(a), ci_key(b)
    else:
        # a number on either side: both compared as numbers (MariaDB's string → double)
        x, y = _number(a), _number(b)
    return {"=": x == y, "<>": x != y, "!=": x != y, "<": x < y, ">": x > y, "<=": x <= y, ">=": x >= y}[op]


def _number(v: Any) -> float:
    return v if isinstance(v, float) else php.floatval(php.strval(v))


def _first_match(db: Account, where: str) -> Row | None:
    tokens = _tokens(where)
    for row in sorted(db.users, key=lambda u: php.intval(u.get("iduser"))):
        if _truth_or_false(_Where(tokens, row).run()):
            return row
    return None


def _truth_or_false(v: Any) -> bool:
    return v is not None and _truth(v)


def current_userbylogin(db: Account, login: Any) -> int:
    """The iduser ``current_userbylogin`` returns: 0 for an empty or unknown login."""
    if php.empty(login):
        # real server: `if ($login)` skips the query for "", "0", 0, false, null and []
        return 0
    text = php.strval(login)
    where = f"login = '{text}' AND identity = '{db.identity}'"
    # real server: the login is pasted into the SQL; a raw quote (JSON) may break it (golden 90)
    raise_on_parse_error(f"SELECT iduser FROM app_user WHERE {where}")
    if "'" not in text and "\\" not in text:
        row = db.user_by_login(text)
    else:
        try:
            row = _first_match(db, where)
        except _Unsupported:
            row = db.user_by_login(sql_literal(text))
    return php.intval(row.get("iduser")) if row else 0
