"""The account clock: wall-clock time in the account time zone (protocol.md §8)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

FMT = "%Y-%m-%d %H:%M:%S"


class Clock:
    """Now in the account zone, as a naive datetime; can be frozen or shifted for tests."""

    def __init__(self, timezone: str = "Europe/Moscow") -> None:
        self.zone = ZoneInfo(timezone)
        self.frozen: dt.datetime | None = None
        self.offset = dt.timedelta(0)

    def now(self) -> dt.datetime:
        if self.frozen is not None:
            return self.frozen
        return (dt.datetime.now(self.zone) + self.offset).replace(tzinfo=None, microsecond=0)

    def now_str(self) -> str:
        return self.now().strftime(FMT)

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
