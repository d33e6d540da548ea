"""MariaDB's reading of the ``ORDER BY {$order} {$first} LIMIT {$lpos},{$limit}`` tail of a list query.

The list actions paste the caller's ``order`` into their SQL unescaped, so what the real server
answers is whatever MariaDB makes of that text: a small tokenizer (identifiers, backticks, quoted
strings, numbers, comments, operators) and a recursive-descent reading of the order list, then the
resolution of each item against the table's columns.  One rule for every list (client, person,
task, history, lead): the caller gives the tail exactly as its PHP script builds it and a resolver
for names.

Order of failures, as in MariaDB: the whole text is parsed first (syntax error near the rest of the
query from the offending token, cut at 80 characters), then the items are resolved in order
(``Unknown column 'x' in 'ORDER BY'``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from .errors import NON_BMP, Fatal, invalid_utf8mb3_fatal, sql_fatal, sql_syntax_fatal

#: a resolver: (qualifier parts, column name, whole item?) → the row key it sorts by, or None when
#: unknown (MariaDB looks a whole-item name up in the SELECT list first, a name in an expression
#: in the FROM tables first)
Resolver = Callable[[tuple[str, ...], str, bool], "str | None"]

# real server: over the utf8mb3 connection a 4-byte character is no identifier character (a syntax error)
_IDENT_CHAR = r"0-9A-Za-z_$\u0080-\uffff"
_IDENT = re.compile(f"[{_IDENT_CHAR}]+")
_NUMBER = re.compile(
    rf"(?:0x[0-9A-Fa-f]+|0b[01]+|\d+\.\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d+)(?![{_IDENT_CHAR}])"
)
_OPERATORS = ("<=>", "<<", ">>", "<=", ">=", "<>", "!=", "||", "&&", ":=")
#: reserved words that cannot name a column unquoted (the ones a list's ORDER BY tail can meet)
_RESERVED = {
    "ASC", "DESC", "LIMIT", "ORDER", "BY", "SELECT", "FROM", "WHERE", "AND", "OR", "XOR", "NOT", "IS",
    "IN", "LIKE", "BETWEEN", "CASE", "WHEN", "THEN", "ELSE", "DIV", "MOD", "UNION", "GROUP", "HAVING",
    "COLLATE", "INTERVAL", "BINARY", "EXISTS", "REGEXP", "RLIKE", "DEFAULT", "INTO", "FOR", "ON", "AS",
    "JOIN", "LEFT", "RIGHT", "INNER", "OUTER", "SET", "VALUES", "WITH", "DISTINCT", "ALL", "ESCAPE",
    "OFFSET", "PROCEDURE", "LOCK", "NULL", "TRUE", "FALSE", "END",
}  # fmt: skip
_BINARY = {"+", "-", "*", "/", "%", "=", "<", ">", "<=", ">=", "<>", "!=", "<=>", "||", "&&", "|", "&", "^", "<<", ">>"}
_BINARY_WORDS = {"AND", "OR", "XOR", "DIV", "MOD", "LIKE", "REGEXP", "RLIKE"}
_UINT64_MAX = 18446744073709551615
#: built-in functions callable as name(...) (the common ones; any other name is a stored function)
_FUNCTIONS = set(
    """abs acos adddate addtime aes_decrypt aes_encrypt ascii asin atan atan2 avg benchmark bin bit_and
    bit_count bit_length bit_or bit_xor cast ceil ceiling char char_length character_length charset coalesce
    collation compress concat concat_ws connection_id conv convert convert_tz cos cot count crc32 curdate
    current_date current_time current_timestamp current_user curtime database date date_add date_format
    date_sub datediff day dayname dayofmonth dayofweek dayofyear decode degrees des_decrypt des_encrypt elt
    encode encrypt exp export_set extract field find_in_set floor format found_rows from_base64 from_days
    from_unixtime get_format greatest group_concat hex hour if ifnull inet_aton inet_ntoa insert instr
    interval isnull json_extract json_unquote json_value last_day last_insert_id lcase least left length ln
    load_file localtime localtimestamp locate log log10 log2 lower lpad ltrim make_set makedate maketime max
    md5 microsecond mid min minute mod month monthname now nullif oct octet_length ord password period_add
    period_diff pi position pow power quarter quote radians rand regexp_replace regexp_substr release_lock
    repeat replace reverse right round row_count rpad rtrim schema sec_to_time second session_user sha sha1
    sha2 sign sin sleep soundex space sqrt std stddev str_to_date strcmp subdate substr substring
    substring_index subtime sum sysdate system_user tan time time_format time_to_sec timediff timestamp
    timestampadd timestampdiff to_base64 to_days to_seconds trim truncate ucase uncompress unhex
    unix_timestamp upper user utc_date utc_time utc_timestamp uuid uuid_short values var_pop var_samp
    variance version week weekday weekofyear year yearweek""".split()
)
T = TypeVar("T")


@dataclass(frozen=True)
class Token:
    kind: str  # ident, quoted (backticks), string, number, op, word (reserved), end
    text: str  # source text (identifiers: the name, backticks removed)
    pos: int
    line: int

    @property
    def upper(self) -> str:
        return self.text.upper() if self.kind in ("ident", "word") else ""


@dataclass
class Ref:
    """A column reference in an item: its qualifier parts and name."""

    parts: tuple[str, ...]

    @property
    def full(self) -> str:
        return ".".join(self.parts)


@dataclass
class Item:
    """One ORDER BY item: the columns it mentions, and what it sorts by."""

    refs: list[Ref] = field(default_factory=list)
    #: names called as functions that MariaDB does not know (a stored function is looked up)
    unknown_functions: list[str] = field(default_factory=list)
    #: a bare column (possibly in parentheses, under unary +/-): (ref, negated)
    column: tuple[Ref, bool] | None = None
    #: an integer literal: a 1-based column position
    position: int | None = None
    descending: bool = False
    #: the item is nothing but the name (no parentheses or signs)
    bare: bool = False


@dataclass(frozen=True)
class OrderBy:
    """The sort keys (row key, descending) and the LIMIT that survived (None: commented out)."""

    keys: list[tuple[str, bool]]
    limit: tuple[int, int] | None

    def page(self, rows: list[T]) -> list[T]:
        if self.limit is None:
            return rows
        start, count = self.limit
        return rows[start : start + count]


class _SyntaxError(Exception):
    def __init__(self, token: Token) -> None:
        self.token = token


def tokenize(sql: str, line: int = 1) -> list[Token]:
    """MariaDB's lexer on the tail; comments vanish (``#``/``-- `` to the end of the line, ``/* */``;
    ``/*! ... */`` is read as code).  A token that cannot start anything ends the list with an
    ``error`` token (an open quote, backtick or comment, a stray ``?`` or backslash)."""
    out: list[Token] = []
    i, n = 0, len(sql)
    while i < n:
        c = sql[i]
        if c.isspace() and c != "\xa0":
            line += c == "\n"
            i += 1
            continue
        if c == "#" or (sql.startswith("--", i) and (i + 2 == n or sql[i + 2].isspace())):
            end = sql.find("\n", i)
            i = n if end < 0 else end
            continue
        if sql.startswith("/*!", i):
            # real server: an executable comment is read as SQL (the version digits are skipped)
            j = i + 3
            while j < n and sql[j].isdigit():
                j += 1
            end = sql.find("*/", j)
            if end < 0:
                out.append(Token("error", sql[i:], i, line))
                return out
            sql = sql[:i] + " " * (j - i) + sql[j:end] + "  " + sql[end + 2 :]
            continue
        if sql.startswith("/*", i):
            end = sql.find("*/", i + 2)
            if end < 0:
                # real server: the lexer has counted the lines of the whole open comment (lead list)
                out.append(Token("error", sql[i:], i, line + sql.count("\n", i)))
                return out
            line += sql.count("\n", i, end)
            i = end + 2
            continue
        if c in "'\"`":
            j = i + 1
            chunks: list[str] = []
            while j < n:
                if c != "`" and sql[j] == "\\" and j + 1 < n:
                    chunks.append(sql[j : j + 2])
                    j += 2
                elif sql[j] == c and sql[j + 1 : j + 2] == c:
                    chunks.append(c)
                    j += 2
                elif sql[j] == c:
                    break
                else:
                    chunks.append(sql[j])
                    j += 1
            if j >= n:
                # real server: an open quote is the syntax error, quoted from the quote on
                out.append(Token("error", sql[i:], i, line))
                return out
            out.append(Token("quoted" if c == "`" else "string", "".join(chunks), i, line))
            line += sql.count("\n", i, j)
            i = j + 1
            continue
        m = _NUMBER.match(sql, i)
        if m:
            out.append(Token("number", m.group(), i, line))
            i = m.end()
            continue
        m = _IDENT.match(sql, i)
        if (
            m
            and m.end() < n
            and sql[m.end()] == "'"
            and (m.group() in ("x", "X", "b", "B", "n", "N") or m.group()[0] == "_")
        ):
            # x'41', b'01', N'..', _utf8'..': the prefix belongs to the string literal
            close = sql.find("'", m.end() + 1)
            body = sql[m.end() + 1 : close] if close > 0 else ""
            digits = {"x": "0123456789abcdefABCDEF", "b": "01"}.get(m.group().lower())
            if digits is not None and (
                close < 0 or any(ch not in digits for ch in body) or (len(digits) > 2 and len(body) % 2)
            ):
                # real server: x'4' (odd digits) or b'2' is a syntax error at the prefix
                out.append(Token("error", sql[i:], i, line))
                return out
            i = m.end()
            continue
        if m:
            word = m.group()
            out.append(Token("word" if word.upper() in _RESERVED else "ident", word, i, line))
            i = m.end()
            continue
        if c == "@":
            m = _IDENT.match(sql, i + 1 + sql.startswith("@@", i))
            end = m.end() if m else i + 1
            out.append(Token("number", sql[i:end], i, line))  # a user variable: a constant
            i = end
            continue
        op = next((o for o in _OPERATORS if sql.startswith(o, i)), None)
        if op is None and c in "+-*/%=<>!~^&|(),.;:":
            op = c
        if op is None:
            out.append(Token("error", sql[i:], i, line))
            return out
        out.append(Token("op", op, i, line))
        i += len(op)
    out.append(Token("end", "", n, line))
    return out


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0

    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def take(self) -> Token:
        t = self.tokens[self.i]
        if t.kind == "error":
            raise _SyntaxError(t)
        self.i += 1
        return t

    def fail(self) -> _SyntaxError:
        return _SyntaxError(self.tok)

    def is_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def order_list(self) -> tuple[list[Item], tuple[int, int] | None]:
        items = [self.item()]
        while self.is_op(","):
            self.take()
            items.append(self.item())
        limit = None
        if self.tok.upper == "LIMIT":
            self.take()
            first = self.uint()
            if self.is_op(","):
                self.take()
                limit = (first, self.uint())
            elif self.tok.upper == "OFFSET":
                self.take()
                limit = (self.uint(), first)
            else:
                limit = (0, first)
        if self.is_op(";"):
            # real server: one statement only; whatever follows the semicolon is the error
            self.take()
        if self.tok.kind != "end":
            raise self.fail()
        return items, limit

    def uint(self) -> int:
        if self.tok.kind == "ident":
            # real server: LIMIT takes a variable name there, and INF (PHP's "1e400" * 200) names none
            raise sql_fatal(f"Undeclared variable: {self.tok.text}")
        if self.tok.kind != "number" or not self.tok.text.isdigit():
            raise self.fail()
        return int(self.take().text)

    def item(self) -> Item:
        item = Item()
        start = self.i
        self.expr(item)
        single = self.tokens[start : self.i]
        item.column, item.position = _shape(single, item)
        # real server: `(clid)` is still the bare column, looked up in the SELECT list first
        item.bare = len(item.refs) == 1 and all(t.kind in ("ident", "quoted") or t.text in ".()" for t in single)
        if self.tok.upper in ("ASC", "DESC"):
            item.descending = self.take().upper == "DESC"
        return item

    def expr(self, item: Item) -> None:
        self.unary(item)
        while True:
            t = self.tok
            if t.upper == "NOT" and self.tokens[self.i + 1].upper in ("LIKE", "IN", "BETWEEN", "REGEXP", "RLIKE"):
                self.take()
                continue
            if t.upper == "LIKE":
                self.take()
                self.unary(item)
                if self.tok.upper == "ESCAPE":
                    self.take()
                    self.unary(item)
            elif t.upper == "IN":
                self.take()
                if not self.is_op("("):
                    raise self.fail()
                self.primary(item)
            elif t.upper == "BETWEEN":
                self.take()
                self.unary(item)
                if self.tok.upper != "AND":
                    raise self.fail()
                self.take()
                self.unary(item)
            elif t.kind == "op" and t.text in _BINARY or t.upper in _BINARY_WORDS:
                self.take()
                self.unary(item)
            elif t.upper == "IS":
                self.take()
                if self.tok.upper == "NOT":
                    self.take()
                if self.tok.upper not in ("NULL", "TRUE", "FALSE"):
                    raise self.fail()
                self.take()
            elif t.upper == "COLLATE":
                self.take()
                if self.tok.kind not in ("ident", "quoted", "string"):
                    raise self.fail()
                self.take()
            else:
                return

    def expr_list(self, item: Item) -> None:
        """``expr {, expr}``: a parenthesised list or a function's arguments."""
        self.expr(item)
        while self.is_op(","):
            self.take()
            self.expr(item)

    def unary(self, item: Item) -> None:
        if self.is_op("-", "+", "!", "~") or self.tok.upper in ("NOT", "BINARY"):
            self.take()
            self.unary(item)
            return
        self.primary(item)

    def primary(self, item: Item) -> None:
        t = self.tok
        if t.kind == "number" or t.upper in ("NULL", "TRUE", "FALSE"):
            self.take()
            return
        if t.kind == "string":
            while self.tok.kind == "string":  # 'a' 'b' is one literal
                self.take()
            return
        if t.upper == "CASE":
            self.take()
            if self.tok.upper != "WHEN":
                self.expr(item)
            if self.tok.upper != "WHEN":
                raise self.fail()
            while self.tok.upper in ("WHEN", "THEN", "ELSE"):
                self.take()
                self.expr(item)
            if self.tok.upper != "END":
                raise self.fail()
            self.take()
            return
        if self.is_op("("):
            self.take()
            self.expr_list(item)
            if not self.is_op(")"):
                raise self.fail()
            self.take()
            return
        if t.kind in ("ident", "quoted"):
            self.take()
            if t.kind == "ident" and self.is_op("("):
                if t.text.lower() not in _FUNCTIONS:
                    item.unknown_functions.append(t.text)
                self.take()
                if self.tok.upper in ("DISTINCT", "ALL"):
                    self.take()
                if self.is_op("*"):
                    self.take()  # count(*)
                elif not self.is_op(")"):
                    self.expr_list(item)
                if not self.is_op(")"):
                    raise self.fail()
                self.take()
                return
            parts = [t.text]
            while self.is_op(".") and len(parts) < 3:
                self.take()
                if self.tok.kind not in ("ident", "quoted", "word"):
                    raise self.fail()
                parts.append(self.take().text)
            item.refs.append(Ref(tuple(parts)))
            return
        raise self.fail()


def _shape(tokens: list[Token], item: Item) -> tuple[tuple[Ref, bool] | None, int | None]:
    """What a whole item sorts by: a bare column (under parentheses and unary signs), or an
    integer literal (a position; ``-1`` and ``- 1`` fold into one negative literal, ``+1`` does not)."""
    texts = [t.text if t.kind == "op" else t.kind for t in tokens]
    inner = [t for t in tokens if not (t.kind == "op" and t.text in "()")]
    if len(inner) == 1 and inner[0].kind == "number" and inner[0].text.isdigit() and texts == ["number"]:
        value = int(inner[0].text)
        if value <= _UINT64_MAX:
            return None, value
    if len(tokens) == 2 and texts == ["-", "number"] and tokens[1].text.isdigit():
        value = int(tokens[1].text)
        if value <= 2**63:
            return None, -value
    plain = all(t.kind == "op" and t.text in "()+-." or t.kind in ("ident", "quoted") for t in tokens)
    if len(item.refs) == 1 and plain:
        signs = sum(1 for t in tokens if t.kind == "op" and t.text == "-")
        return (item.refs[0], signs % 2 == 1), None
    return None, None


def cut192(name: str) -> str:
    """A name as MariaDB's messages quote it: ``%-.192s`` keeps 192 bytes of UTF-8, whole characters."""
    # real server: 256 x's show as 192, 200 Я's as 96 (golden 73-task-history-list-order-sql)
    return name.encode()[:192].decode(errors="ignore")


def near_error(sql: str, token: Token) -> Fatal:
    # real server: at a misplaced comma MariaDB quotes from just after it (`a,,b` → near 'b')
    start = token.pos + 1 if token.kind == "op" and token.text == "," else token.pos
    return sql_syntax_fatal(sql[start:], line=token.line)


def order_by(
    tail: str,
    resolve: Resolver,
    positions: Sequence[str],
    *,
    line: int = 1,
    numeric: Callable[[str], bool] = lambda _: True,
) -> OrderBy:
    """Read ``tail`` (the query from just after ``ORDER BY``) as MariaDB does.

    ``resolve`` maps a column reference to a row key (None → ``Unknown column``; it may raise its
    own error, e.g. an ambiguous name); ``positions`` are the row keys of ``SELECT``'s columns in
    order, for ``ORDER BY 2``; ``line`` is the query line the tail starts on; ``numeric(key)``
    tells whether ``-column`` reverses the order (a text column under minus is a constant).
    """
    # real server: MariaDB drops the query's trailing whitespace before parsing (lead.php ends "\n\t\t")
    tail = tail.rstrip()
    tokens = tokenize(tail, line)
    # real server: the lexer refuses a `name` with a 4-byte character as soon as it reads it
    bad = next((t for t in tokens if t.kind == "quoted" and NON_BMP.search(t.text)), None)
    try:
        items, limit = _Parser(tokens).order_list()
    except _SyntaxError as e:
        if bad is not None and bad.pos <= e.token.pos:
            raise invalid_utf8mb3_fatal(bad.text) from None
        raise near_error(tail, e.token) from None
    if bad is not None:
        raise invalid_utf8mb3_fatal(bad.text)
    keys: list[tuple[str, bool]] = []
    for item in items:
        if item.position is not None:
            # real server: the literal is read as (uint) val_int(); 0 or past the last column fails
            index = item.position & 0xFFFFFFFF
            if not 1 <= index <= len(positions):
                shown = index - 2**32 if index >= 2**31 else index
                raise sql_fatal(f"Unknown column '{shown}' in 'ORDER BY'")
            keys.append((positions[index - 1], item.descending))
            continue
        for name in item.unknown_functions:
            # real server: a name MariaDB has no built-in for is a stored function of the database
            raise sql_fatal(f"FUNCTION salesman.{name} does not exist")
        resolved = []
        for ref in item.refs:
            key = resolve(ref.parts[:-1], ref.parts[-1], item.bare)
            if key is None:
                raise sql_fatal(f"Unknown column '{cut192(ref.full)}' in 'ORDER BY'")
            resolved.append(key)
        if item.column is not None:
            key, negated = resolved[0], item.column[1]
            if negated and not numeric(key):
                continue
            keys.append((key, item.descending != negated))
    return OrderBy(keys, limit)


def table_resolver(table: str, columns: Sequence[str], database: str = "salesman") -> Resolver:
    """Names of one table's ``SELECT *``: any case; qualified by the table (case-sensitive, as
    table names are on Linux) and optionally the database."""
    by_lower = {c.lower(): c for c in columns}

    def resolve(qualifier: tuple[str, ...], name: str, bare: bool) -> str | None:
        if qualifier not in ((), (table,), (database, table)):
            return None
        return by_lower.get(name.lower())

    return resolve
