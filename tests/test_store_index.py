"""Table.index and Table.version: kept in step with every change (the Table methods or a row edited
in place), absent from clones."""

from __future__ import annotations

import copy
import gc
import pickle
import weakref
from collections.abc import Callable
from typing import Any

import pytest

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


def test_version_moves_with_every_change_and_clones_start_clean() -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    seen = [t.version]
    t.update(1, {"title": "b"})
    seen.append(t.version)
    t.delete(1)
    seen.append(t.version)
    assert seen == sorted(set(seen))
    t.insert({"clid": None, "title": "c"})
    t.index("title", by_title)
    clone = t.clone()
    clone.insert({"clid": None, "title": "c"})
    assert clone.index("title", by_title) == {"c": [2, 3]}
    assert t.index("title", by_title) == {"c": [2]}


#: every way to change a stored row in place, and what the row holds after it
IN_PLACE: list[tuple[str, Callable[[Row], Any], Row]] = [
    ("setitem", lambda r: r.__setitem__("title", "b"), {"clid": 1, "title": "b", "des": "x"}),
    ("delitem", lambda r: r.__delitem__("des"), {"clid": 1, "title": "a"}),
    ("update", lambda r: r.update(title="b"), {"clid": 1, "title": "b", "des": "x"}),
    ("ior", lambda r: r.__ior__({"title": "b"}), {"clid": 1, "title": "b", "des": "x"}),
    ("pop", lambda r: r.pop("des"), {"clid": 1, "title": "a"}),
    ("popitem", lambda r: r.popitem(), {"clid": 1, "title": "a"}),
    ("setdefault", lambda r: r.setdefault("pid", 0), {"clid": 1, "title": "a", "des": "x", "pid": 0}),
    ("clear", lambda r: r.clear(), {}),
]


@pytest.mark.parametrize(("how", "change", "after"), IN_PLACE, ids=[c[0] for c in IN_PLACE])
def test_a_row_edited_in_place_moves_the_version(how: str, change: Callable[[Row], Any], after: Row) -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a", "des": "x"})
    before = t.version
    change(t.rows[1])
    assert (t.rows[1], t.version > before) == (after, True)


def test_a_key_edited_in_place_keeps_the_index_in_step() -> None:
    t = Table("clientcat", "clid")
    for title in ["a", "b", "a"]:
        t.insert({"clid": None, "title": title})
    assert t.index("title", by_title) == {"a": [1, 3], "b": [2]}
    t.rows[1]["title"] = "b"
    t.rows[2]["des"] = "not a key"
    assert t.index("title", by_title) == fresh_index(t) == {"a": [3], "b": [1, 2]}
    del t.rows[3]["title"]
    assert t.index("title", by_title) == fresh_index(t) == {"b": [1, 2], None: [3]}


def test_setdefault_of_a_present_key_changes_nothing() -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    before = t.version
    assert (t.rows[1].setdefault("title", "b"), t.version) == ("a", before)


def test_the_rows_view_is_read_only() -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    with pytest.raises(TypeError):
        t.rows[2] = {"clid": 2, "title": "b"}  # type: ignore[index]
    assert dict(t.rows) == {1: {"clid": 1, "title": "a"}}


@pytest.mark.parametrize("make_copy", [dict, copy.copy, copy.deepcopy, lambda r: pickle.loads(pickle.dumps(r))])
def test_a_copy_of_a_stored_row_is_plain_data(make_copy: Callable[[Row], Row]) -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    before = t.version
    row = make_copy(t.rows[1])
    row["title"] = "b"
    assert (type(row), row, t.rows[1], t.version) == (
        dict,
        {"clid": 1, "title": "b"},
        {"clid": 1, "title": "a"},
        before,
    )


def test_a_clone_s_rows_tell_the_clone_not_the_original() -> None:
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    clone = t.clone()
    before, clone_before = t.version, clone.version
    clone.rows[1]["title"] = "b"
    assert (t.rows[1]["title"], t.version, clone.version > clone_before) == ("a", before, True)


def test_a_table_let_go_is_freed_at_once_rows_and_all() -> None:
    # rows reach their table through a weak reference: no cycle waits for the garbage collector
    t = Table("clientcat", "clid")
    t.insert({"clid": None, "title": "a"})
    clone = t.clone()
    row = clone.rows[1]
    gone = weakref.ref(clone)
    gc.disable()
    try:
        del clone
        assert gone() is None
    finally:
        gc.enable()
    row["title"] = "b"  # a row kept after its table is gone is plain data
    assert row == {"clid": 1, "title": "b"}
