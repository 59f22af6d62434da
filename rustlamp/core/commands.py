"""Everything a person can ask for, as small values: the notification buttons (and later the tray menu and
the command line) all become one of these, handled in one place, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rustlamp.core.durations import parse_duration


@dataclass(frozen=True)
class TakeBreak:
    source: str  # where the wish came from, for the log: "notification", "click", ...


@dataclass(frozen=True)
class Snooze:
    delay: timedelta | None  # None: the rest of today
    source: str


Command = TakeBreak | Snooze

# Notification action keys: short strings that survive a round trip through D-Bus.
BREAK_KEY = "break"
SNOOZE_PREFIX = "snooze:"


def snooze_key(delay: timedelta) -> str:
    return f"{SNOOZE_PREFIX}{int(delay.total_seconds())}s"


def command_from_key(key: str, source: str) -> Command | None:
    """The command a notification action key stands for; None for a key we never sent."""
    if key == BREAK_KEY:
        return TakeBreak(source)
    if key.startswith(SNOOZE_PREFIX):
        rest = key[len(SNOOZE_PREFIX) :]
        if rest == "today":
            return Snooze(None, source)
        try:
            return Snooze(parse_duration(rest), source)
        except ValueError:
            return None
    return None
