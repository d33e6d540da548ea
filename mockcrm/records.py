"""List answers put together from record texts kept between calls.

A list record is a function of the row it prints and of what it looks up elsewhere (titles,
logins, directories), and nothing else changes while the account stamp stands still: every
change to any row of the account, however made, moves it (see ``store``).  So a record's
PHP-JSON text is kept in the table's ``memo``, per field list, for one stamp, by the row
object's identity; the entry holds the rows it rendered, so an identity is never reused while
it is kept.  The lookups of a page of kept records are two ``map`` calls in C: no Python step
per record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .store import Row, Table
from .wire import InvalidUTF8, JSONBytes, php_json

#: record texts kept per field list; a cache that grows past this starts over
RENDERED_MAX = 4096
#: field lists kept at once per table
FIELD_LISTS_MAX = 8

Render = Callable[[Row], Any]


class _Texts:
    def __init__(self, stamp: Any) -> None:
        self.stamp = stamp
        #: id(row) → the record's text
        self.texts: dict[int, bytes] = {}
        #: the rows rendered: alive as long as their texts are kept, so their ids stay theirs
        self.rows: list[Row] = []


def _texts_for(table: Table, fields: list[str], stamp: Any) -> _Texts:
    key = "list:" + ",".join(fields)
    memo = table.memo
    entry: _Texts | None = memo.get(key)
    if entry is None or entry.stamp != stamp:
        if entry is None and sum(k.startswith("list:") for k in memo) >= FIELD_LISTS_MAX:
            for k in [k for k in memo if k.startswith("list:")]:
                del memo[k]
        entry = memo[key] = _Texts(stamp)
    return entry


def page_body(
    table: Table,
    stamp: Any,
    fields: list[str],
    page: list[Row],
    count: int,
    renderer: Callable[[], Render],
) -> JSONBytes:
    """``{"data": [records], "count": n}`` (``{"count": 0}`` without records) as UTF-8.

    ``fields`` name the record layout, ``stamp`` is the account's (``Account.stamp``), and
    ``renderer()`` makes the function that builds one record (asked for only on a miss).
    """
    try:
        parts = _record_texts(_texts_for(table, fields, stamp), page, renderer)
    except InvalidUTF8:
        return JSONBytes(b"")  # real server: json_encode fails on invalid UTF-8 and prints nothing (protocol.md §6)
    tail = b'"count":%d}' % count
    if not parts:
        return JSONBytes(b"{" + tail)
    # a page can be ~130 KB: glue head and tail to the end parts so that one join copies it
    parts[0] = b'{"data":[' + parts[0]
    parts[-1] += b"]," + tail
    return JSONBytes(b",".join(parts))


def _record_texts(entry: _Texts, page: list[Row], renderer: Callable[[], Render]) -> list[bytes]:
    keys = list(map(id, page))
    texts = entry.texts
    lookup: Callable[[Any], Any] = texts.get
    parts: list[Any] = list(map(lookup, keys))  # C-level: no Python step per kept record
    if None in parts:
        if len(texts) + len(page) > RENDERED_MAX:
            texts.clear()
            entry.rows.clear()
        render = renderer()
        for n, text in enumerate(parts):
            if text is None:
                row = page[n]
                parts[n] = texts[keys[n]] = _encoded(render(row))
                entry.rows.append(row)
    return parts


def _encoded(record: Any) -> bytes:
    return php_json(record).encode("utf-8")  # php_json's text is valid UTF-8 (or it raised InvalidUTF8)
