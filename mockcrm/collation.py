"""What MySQL's utf8_general_ci ordering needs in Python, shared by the list actions."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .store import Row


def plain_sort_key(rows: list[Row], column: str, numeric: bool) -> Callable[[Row], Any] | None:
    """``itemgetter(column)`` when every row's value is its own sort key, else None.

    That holds for ints in a numeric column, and for ASCII text without capitals or trailing
    spaces in a text column (dates, most codes): folding and trimming leave such text as it is.
    NULLs, mixed kinds and text that needs folding take the general (Python-keyed) order.  The
    key runs in C, which is what a sort of many rows spends its time on otherwise.
    """
    getter = operator.itemgetter(column)
    try:
        kinds = set(map(type, map(getter, rows)))
    except KeyError:
        return None
    if numeric:
        return getter if kinds == {int} else None  # text in a numeric column compares as a number
    if kinds != {str}:
        return None
    text = "\0".join(map(getter, rows)) + "\0"
    return getter if text.isascii() and text.lower() == text and " \0" not in text else None
