"""Table: rows by id with an auto-increment sequence; ids are never reused."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

Row = dict[str, Any]
KeyFn = Callable[[Row], Hashable]


class Table:
    """An in-memory table.  Rows are plain dicts of scalars (str, int, float, bool, None);
    ``id_key`` holds the int id.  Scalar values let a clone copy rows shallowly (fast reset).

    ``version`` and the secondary indexes follow changes made through insert/update/delete/load;
    code that edits a row dict in place must not change indexed or searched columns that way."""

    def __init__(self, name: str, id_key: str, next_id: int = 1) -> None:
        self.name = name
        self.id_key = id_key
        self.next_id = next_id
        self.rows: dict[int, Row] = {}
        #: bumped by every insert/update/delete/load: derived data keyed on it knows it is current
        self.version = 0
        #: secondary indexes by name: (key function, key → ids in table order); see ``index``
        self._indexes: dict[str, tuple[KeyFn, dict[Hashable, list[int]]]] = {}
        #: how many rows the indexes hold (a mismatch with ``rows`` means they are out of step)
        self._indexed = 0
        #: data that readers derive from the rows (search text, rendered records), each entry
        #: checked by its owner before use; it belongs to this object, so a clone starts empty
        self.memo: dict[str, Any] = {}

    def insert(self, row: Row) -> int:
        """Store a copy of ``row`` under the next id (or its own id, when it brings one)."""
        row = dict(row)
        given = row.get(self.id_key)
        rid = int(given) if given not in (None, "", 0) else self.next_id
        row[self.id_key] = rid
        self.version += 1
        if self._indexes:
            self._index_insert(rid, row)
        self.rows[rid] = row
        self.next_id = max(self.next_id, rid + 1)
        return rid

    def load(self, rows: list[Row], next_id: int | None = None) -> None:
        """Bulk-load fixture rows, keeping their ids as they are (strings stay strings)."""
        self._indexes.clear()
        self.version += 1
        for row in rows:
            rid = int(row[self.id_key])
            self.rows[rid] = dict(row)
            self.next_id = max(self.next_id, rid + 1)
        if next_id is not None:
            self.next_id = max(self.next_id, next_id)

    def get(self, rid: Any) -> Row | None:
        try:
            return self.rows.get(int(rid))
        except (TypeError, ValueError):
            return None

    def update(self, rid: int, values: Row) -> None:
        row = self.rows[int(rid)]
        self.version += 1
        if not self._indexes:
            row.update(values)
            return
        before = [(name, key(row)) for name, (key, _) in self._indexes.items()]
        row.update(values)
        for name, old in before:
            if self._indexes[name][0](row) != old:
                del self._indexes[name]  # the key changed: rebuilt on next use

    def delete(self, rid: int) -> Row | None:
        row = self.rows.pop(int(rid), None)
        self.version += 1
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
        A row dict edited directly, bypassing ``update``, is not seen: index only columns that
        change through ``update``, and check every row found against the full condition.
        """
        entry = self._indexes.get(name)
        if entry is not None and entry[0] is key and self._indexed == len(self.rows):
            return entry[1]
        if self._indexed != len(self.rows):
            self._indexes.clear()
        index: dict[Hashable, list[int]] = {}
        for rid, row in self.rows.items():
            index.setdefault(key(row), []).append(rid)
        self._indexes[name] = (key, index)
        self._indexed = len(self.rows)
        return index

    def _index_insert(self, rid: int, row: Row) -> None:
        if rid in self.rows:
            self._indexes.clear()  # a replaced row: rebuilt on next use
            return
        for key, index in self._indexes.values():
            index.setdefault(key(row), []).append(rid)  # a new id lands last in table order
        self._indexed += 1

    def __iter__(self) -> Iterator[Row]:
        return iter(list(self.rows.values()))

    def __len__(self) -> int:
        return len(self.rows)

    def where(self, pred: Callable[[Row], bool]) -> list[Row]:
        return [r for r in self.rows.values() if pred(r)]

    def first(self, pred: Callable[[Row], bool]) -> Row | None:
        return next((r for r in self.rows.values() if pred(r)), None)

    def clone(self) -> Table:
        t = Table(self.name, self.id_key, self.next_id)
        t.rows = {rid: dict(row) for rid, row in self.rows.items()}
        return t

    def dump(self) -> dict[str, Any]:
        return {"id_key": self.id_key, "next_id": self.next_id, "rows": [dict(r) for r in self.rows.values()]}

    @classmethod
    def from_dump(cls, name: str, data: dict[str, Any]) -> Table:
        t = cls(name, data["id_key"], int(data.get("next_id", 1)))
        for row in data.get("rows", []):
            t.rows[int(row[t.id_key])] = dict(row)
        t.next_id = max([t.next_id, *(rid + 1 for rid in t.rows)])
        return t
