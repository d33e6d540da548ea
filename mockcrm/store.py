"""Table: rows by id with an auto-increment sequence; ids are never reused."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

Row = dict[str, Any]


class Table:
    """An in-memory table.  Rows are plain dicts of scalars (str, int, float, bool, None);
    ``id_key`` holds the int id.  Scalar values let a clone copy rows shallowly (fast reset)."""

    def __init__(self, name: str, id_key: str, next_id: int = 1) -> None:
        self.name = name
        self.id_key = id_key
        self.next_id = next_id
        self.rows: dict[int, Row] = {}

    def insert(self, row: Row) -> int:
        """Store a copy of ``row`` under the next id (or its own id, when it brings one)."""
        row = dict(row)
        given = row.get(self.id_key)
        rid = int(given) if given not in (None, "", 0) else self.next_id
        row[self.id_key] = rid
        self.rows[rid] = row
        self.next_id = max(self.next_id, rid + 1)
        return rid

    def load(self, rows: list[Row], next_id: int | None = None) -> None:
        """Bulk-load fixture rows, keeping their ids as they are (strings stay strings)."""
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
        self.rows[int(rid)].update(values)

    def delete(self, rid: int) -> Row | None:
        return self.rows.pop(int(rid), None)

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
