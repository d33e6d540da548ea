"""Table: rows by id with an auto-increment sequence; ids are never reused.

Every change to a table's data moves its ``version``, whatever path it takes: the ``Table``
methods, or a stored row edited in place (a method's own code, or a test's hand through
``backend``).  Answers kept between calls (``Table.memo``) and the secondary indexes are
checked against it, so nobody has to say "something changed".
"""

from __future__ import annotations

import itertools
import types
import weakref
from collections.abc import Callable, Hashable, Iterator, Mapping
from typing import Any

Row = dict[str, Any]
KeyFn = Callable[[Row], Hashable]

#: table versions are drawn from one sequence: a newer change anywhere has a larger number, and
#: a new or cloned table never repeats a number another table had (see ``Account.stamp``)
_VERSIONS = itertools.count(1)


class StoredRow(dict[str, Any]):
    """A row a ``Table`` holds: a dict that tells its table when it is changed in place.

    Only the table makes them (insert, load, clone); a copy (``dict(row)``, ``copy.copy``,
    pickling) is a plain dict again.  The row knows its table through the table's one weak
    reference: no reference cycle, so a table reset away is freed at once, rows and all.
    """

    __slots__ = ("_table",)
    _table: weakref.ReferenceType[Table]

    def _edit(self, change: Callable[..., Any], *args: Any) -> Any:
        table = self._table()
        return change(self, *args) if table is None else table._edit(self, change, *args)

    def __setitem__(self, key: str, value: Any) -> None:
        self._edit(dict.__setitem__, key, value)

    def __delitem__(self, key: str) -> None:
        self._edit(dict.__delitem__, key)

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._edit(lambda row: dict.update(row, *args, **kwargs))

    def pop(self, *args: Any) -> Any:
        return self._edit(dict.pop, *args)

    def popitem(self) -> tuple[str, Any]:
        return self._edit(dict.popitem)

    def setdefault(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self else self._edit(dict.setdefault, key, default)

    def clear(self) -> None:
        self._edit(dict.clear)

    def __ior__(self, other: Any) -> StoredRow:  # type: ignore[override,misc]
        self.update(other)
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (dict(self),))


class Table:
    """An in-memory table.  Rows are dicts of scalars (str, int, float, bool, None); ``id_key``
    holds the int id.  Scalar values let a clone copy rows shallowly (fast reset).

    ``rows`` is a read-only view by id: change rows through insert/update/delete/load, or edit a
    row dict in place; both move ``version`` and keep the secondary indexes in step."""

    def __init__(self, name: str, id_key: str, next_id: int = 1) -> None:
        self.name = name
        self.id_key = id_key
        self.next_id = next_id
        self._rows: dict[int, StoredRow] = {}
        #: what each of its rows holds to reach it
        self._ref = weakref.ref(self)
        #: the rows by id, read-only (a stored row itself can be edited in place)
        self.rows: Mapping[int, Row] = types.MappingProxyType(self._rows)
        #: moves with every change to the rows: derived data keyed on it knows it is current
        self.version = next(_VERSIONS)
        #: secondary indexes by name: (key function, key → ids in table order); see ``index``
        self._indexes: dict[str, tuple[KeyFn, dict[Hashable, list[int]]]] = {}
        #: how many rows the indexes hold (a mismatch with ``rows`` means they are out of step)
        self._indexed = 0
        #: data that readers derive from the rows (search text, rendered records), each entry
        #: checked by its owner against ``version`` or the account stamp before use; it belongs
        #: to this object, so a clone starts empty
        self.memo: dict[str, Any] = {}

    def _stored(self, row: Mapping[str, Any]) -> StoredRow:
        stored = StoredRow(row)
        stored._table = self._ref
        return stored

    def _edit(self, row: StoredRow, change: Callable[..., Any], *args: Any) -> Any:
        """Apply an in-place change to one of this table's rows, keeping version and indexes in step."""
        self.version = next(_VERSIONS)
        if not self._indexes:
            return change(row, *args)
        before = [(name, key(row)) for name, (key, _) in self._indexes.items()]
        try:
            return change(row, *args)
        finally:
            for name, old in before:
                entry = self._indexes.get(name)
                if entry is not None and entry[0](row) != old:
                    del self._indexes[name]  # the key changed: rebuilt on next use

    def insert(self, row: Row) -> int:
        """Store a copy of ``row`` under the next id (or its own id, when it brings one)."""
        stored = self._stored(row)
        given = stored.get(self.id_key)
        rid = int(given) if given not in (None, "", 0) else self.next_id
        dict.__setitem__(stored, self.id_key, rid)
        self.version = next(_VERSIONS)
        if self._indexes:
            self._index_insert(rid, stored)
        self._rows[rid] = stored
        self.next_id = max(self.next_id, rid + 1)
        return rid

    def load(self, rows: list[Row], next_id: int | None = None) -> None:
        """Bulk-load fixture rows, keeping their ids as they are (strings stay strings)."""
        self._indexes.clear()
        self.version = next(_VERSIONS)
        for row in rows:
            rid = int(row[self.id_key])
            self._rows[rid] = self._stored(row)
            self.next_id = max(self.next_id, rid + 1)
        if next_id is not None:
            self.next_id = max(self.next_id, next_id)

    def get(self, rid: Any) -> Row | None:
        try:
            return self._rows.get(int(rid))
        except (TypeError, ValueError):
            return None

    def update(self, rid: int, values: Row) -> None:
        self._rows[int(rid)].update(values)

    def delete(self, rid: int) -> Row | None:
        row = self._rows.pop(int(rid), None)
        self.version = next(_VERSIONS)
        if row is not None and self._indexes:
            for name, (key, index) in list(self._indexes.items()):
                ids = index.get(key(row))
                if ids is None or int(rid) not in ids:
                    del self._indexes[name]  # out of step: rebuilt on next use
                    continue
                ids.remove(int(rid))
                if not ids:
                    del index[key(row)]
            self._indexed -= 1
        return row

    # -- secondary indexes ---------------------------------------------------------
    def index(self, name: str, key: KeyFn) -> dict[Hashable, list[int]]:
        """``key(row)`` → ids of the rows with that key, in table order; built on first use.

        Kept up to date by insert/update/delete (dropped by load; a clone starts without it).
        Check every row found against the full condition (the key is only a first cut).
        """
        entry = self._indexes.get(name)
        if entry is not None and entry[0] is key and self._indexed == len(self._rows):
            return entry[1]
        if self._indexed != len(self._rows):
            self._indexes.clear()
        index: dict[Hashable, list[int]] = {}
        for rid, row in self._rows.items():
            index.setdefault(key(row), []).append(rid)
        self._indexes[name] = (key, index)
        self._indexed = len(self._rows)
        return index

    def _index_insert(self, rid: int, row: Row) -> None:
        if rid in self._rows:
            self._indexes.clear()  # a replaced row: rebuilt on next use
            return
        for key, index in self._indexes.values():
            index.setdefault(key(row), []).append(rid)  # a new id lands last in table order
        self._indexed += 1

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self._rows.values()))

    def __len__(self) -> int:
        return len(self._rows)

    def where(self, pred: Callable[[Row], bool]) -> list[Row]:
        return [r for r in self._rows.values() if pred(r)]

    def first(self, pred: Callable[[Row], bool]) -> Row | None:
        return next((r for r in self._rows.values() if pred(r)), None)

    def clone(self) -> Table:
        t = Table(self.name, self.id_key, self.next_id)
        rows, ref = t._rows, t._ref
        for rid, row in self._rows.items():
            stored = rows[rid] = StoredRow(row)
            stored._table = ref
        return t

    def dump(self) -> dict[str, Any]:
        return {"id_key": self.id_key, "next_id": self.next_id, "rows": [dict(r) for r in self._rows.values()]}

    @classmethod
    def from_dump(cls, name: str, data: dict[str, Any]) -> Table:
        t = cls(name, data["id_key"], int(data.get("next_id", 1)))
        for row in data.get("rows", []):
            t._rows[int(row[t.id_key])] = t._stored(row)
        t.next_id = max([t.next_id, *(rid + 1 for rid in t._rows)])
        return t
