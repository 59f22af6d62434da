"""Time comes from a clock that is handed in, so the core can be tested without waiting."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    """Wall-clock time (aware, in the local zone) and a monotonic reading in seconds."""

    def now(self) -> datetime: ...

    def monotonic(self) -> float: ...


def local_zone() -> tzinfo:
    """The system's local zone, honouring TZ; a zoneinfo key where one can be found, so DST is known."""
    from rustlamp.core.zones import system_zone

    return system_zone()


@dataclass
class SystemClock:
    """The real clock."""

    zone: tzinfo = field(default_factory=local_zone)

    def now(self) -> datetime:
        return datetime.now(self.zone)

    def monotonic(self) -> float:
        return time.monotonic()


@dataclass
class FakeClock:
    """A clock for tests: it moves only when told. `jump` moves the wall clock alone, as a suspend does."""

    current: datetime
    mono: float = 0.0

    def __post_init__(self) -> None:
        if self.current.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")

    def now(self) -> datetime:
        return self.current

    def monotonic(self) -> float:
        return self.mono

    def advance(self, delta: timedelta) -> None:
        self.current = (self.current.astimezone(timezone.utc) + delta).astimezone(self.current.tzinfo)
        self.mono += delta.total_seconds()

    def jump(self, delta: timedelta) -> None:
        self.current = (self.current.astimezone(timezone.utc) + delta).astimezone(self.current.tzinfo)
