"""Table.index and Table.version: kept in step with insert/update/delete, absent from clones."""

from __future__ import annotations

from mockcrm.store import Row, Table


def by_title(row: Row) -> object:
    return row.get("title")


def fresh_index(t: Table) -> dict[object, list[int]]:
    """The index as a rebuild from scratch would make it."""
    out: dict[object, list[int]] = {}
    for rid, row in t.rows.items():
        out.setdefault(by_title(row), []).append(rid)
    return out


def test_index_follows_every_change() -> None:
    t = Table("clientcat", "clid")
    for title in ["a", "b", "a", "c"]:
        t.insert({"clid": None, "title": title})
    assert t.index("title", by_title) == {"a": [1, 3], "b": [2], "c": [4]}
    t.insert({"clid": None, "title": "a"})
    t.update(2, {"title": "a"})
    t.update(4, {"des": "unchanged key"})
    t.delete(1)
    t.insert({"clid": 3, "title": "z"})  # replaces a row in place
    assert t.index("title", by_title) == fresh_index(t) == {"a": [2, 5], "z": [3], "c": [4]}


def test_version_counts_changes_and_clones_start_clean() -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    v = t.version
    t.update(1, {"title": "b"})
    t.delete(1)
    assert t.version == v + 2
    t.insert({"clid": None, "title": "c"})
    t.index("title", by_title)
    clone = t.clone()
    clone.insert({"clid": None, "title": "c"})
    assert clone.index("title", by_title) == {"c": [2, 3]}
    assert t.index("title", by_title) == {"c": [2]}
