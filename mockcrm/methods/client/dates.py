"""Dates the client code reads and writes: PHP ``strtotime``, MySQL datetime casts, the card format."""

from __future__ import annotations

import datetime as dt
import functools
import re

from ... import php_time

FMT = "%Y-%m-%d %H:%M:%S"
ZERO = "0000-00-00 00:00:00"

_MYSQL = re.compile(r"\s*(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2})(?::(\d{1,2})(?::(\d{1,2}))?)?)?")


def strtotime(value: str, zone: str, now: dt.datetime) -> str | None:
    """PHP ``date('Y-m-d H:i:s', strtotime($value))`` in the account zone (``Client.php:511``); None when false.

    One PHP 8 ``strtotime`` for every caller: ``mockcrm.php_time`` (checked against php 8.2, tests/data).
    """
    return php_time.strtotime_format(value, "Y-m-d H:i:s", zone, now)


def timestamp_column(value: str) -> str:
    """A TIMESTAMP column keeps 1970-2038 only; anything else is stored as zeros (protocol.md §8)."""
    return value if "1970-01-01 00:00:01" <= value <= "2038-01-19 03:14:07" else ZERO


def card_date(value: str | None) -> str:
    """``get_sfdate``: the client card format ``dd.mm.yy,  HH:MM`` ("" for NULL)."""
    if not value or value.startswith("0000"):
        return ""
    return _card_date(value) if isinstance(value, str) else _card_date.__wrapped__(value)


@functools.lru_cache(maxsize=8192)
def _card_date(value: str) -> str:
    # remembered: strptime is slow and a table holds few distinct stamps per second
    try:
        when = dt.datetime.strptime(value, FMT)
    except ValueError:
        return ""
    return when.strftime("%d.%m.%y,  %H:%M")
