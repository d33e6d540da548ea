"""The account clock: wall-clock time in the account time zone (protocol.md §8)."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any
from zoneinfo import ZoneInfo

FMT = "%Y-%m-%d %H:%M:%S"


class Clock:
    """Now in the account zone, as a naive datetime; can be frozen or shifted for tests."""

    def __init__(self, timezone: str = "Europe/Moscow") -> None:
        self.zone = ZoneInfo(timezone)
        self.frozen: dt.datetime | None = None
        self.offset = dt.timedelta(0)
        self._last: tuple[Any, str] = (None, "")

    def now(self) -> dt.datetime:
        if self.frozen is not None:
            return self.frozen
        return (dt.datetime.now(self.zone) + self.offset).replace(tzinfo=None, microsecond=0)

    def now_str(self) -> str:
        if self.frozen is not None:
            return self.frozen.strftime(FMT)
        # one formatting per wall-clock second (every API request asks, for its journal entry)
        key = (int(time.time()), self.offset)
        last = self._last
        if last[0] != key:
            at = dt.datetime.fromtimestamp(key[0], self.zone) + key[1]
            last = self._last = (key, at.strftime(FMT))
        return last[1]

    def today_str(self) -> str:
        return self.now().strftime("%Y-%m-%d")

    def freeze(self, at: dt.datetime) -> None:
        self.frozen = at.replace(microsecond=0)

    def advance(self, delta: dt.timedelta) -> None:
        if self.frozen is not None:
            self.frozen += delta
        else:
            self.offset += delta

    def unfreeze(self) -> None:
        self.frozen = None
        self.offset = dt.timedelta(0)
