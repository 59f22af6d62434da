"""Everything a person can ask for, as small values: the notification buttons (and later the tray menu and
the command line) all become one of these, handled in one place, so they cannot disagree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from rustlamp.core.durations import parse_duration


@dataclass(frozen=True)
class TakeBreak:
    source: str  # where the wish came from, for the log: "notification", "tray", ...


@dataclass(frozen=True)
class Snooze:
    delay: timedelta | None  # None: the rest of today
    source: str


@dataclass(frozen=True)
class Pause:
    delay: timedelta | None  # None: until tomorrow's active hours
    source: str


@dataclass(frozen=True)
class Resume:
    source: str


@dataclass(frozen=True)
class CheckIn:
    source: str


@dataclass(frozen=True)
class ShowWeek:
    source: str


@dataclass(frozen=True)
class OpenSettings:
    source: str


@dataclass(frozen=True)
class About:
    source: str


@dataclass(frozen=True)
class Quit:
    source: str


@dataclass(frozen=True)
class ToggleAutostart:
    """Start at login: on when it is off, off when it is on (rustlamp.system.autostart does the work)."""

    source: str


@dataclass(frozen=True)
class Reload:
    """Read the settings file again (the settings window saved it, or `rustlamp reload`)."""

    source: str


Command = (
    TakeBreak
    | Snooze
    | Pause
    | Resume
    | CheckIn
    | ShowWeek
    | OpenSettings
    | About
    | Quit
    | ToggleAutostart
    | Reload
)

# Action keys of notification buttons and menu items: short strings that survive a trip through D-Bus.
BREAK_KEY = "break"
ACTIVATE_KEY = "activate"  # a click on the tray icon itself
CHECKIN_KEY = "checkin"
WEEK_KEY = "week"
RESUME_KEY = "resume"
SETTINGS_KEY = "settings"
ABOUT_KEY = "about"
QUIT_KEY = "quit"
AUTOSTART_KEY = "autostart"
RELOAD_KEY = "reload"
SNOOZE_PREFIX = "snooze:"
PAUSE_PREFIX = "pause:"
_TODAY = "today"
_TOMORROW = "tomorrow"

_Simple = TakeBreak | Resume | CheckIn | ShowWeek | OpenSettings | About | Quit | ToggleAutostart | Reload
_SIMPLE: dict[str, type[_Simple]] = {
    BREAK_KEY: TakeBreak,
    ACTIVATE_KEY: TakeBreak,
    CHECKIN_KEY: CheckIn,
    WEEK_KEY: ShowWeek,
    RESUME_KEY: Resume,
    SETTINGS_KEY: OpenSettings,
    ABOUT_KEY: About,
    QUIT_KEY: Quit,
    AUTOSTART_KEY: ToggleAutostart,
    RELOAD_KEY: Reload,
}


def _seconds(delay: timedelta) -> str:
    return f"{int(delay.total_seconds())}s"


def snooze_key(delay: timedelta | None) -> str:
    return SNOOZE_PREFIX + (_TODAY if delay is None else _seconds(delay))


def pause_key(delay: timedelta | None) -> str:
    return PAUSE_PREFIX + (_TOMORROW if delay is None else _seconds(delay))


# The longest snooze or pause a key may carry: the longest any menu, button or command offers. A longer one
# (a hand-made request, `pause:99999999h`) is refused here, so no time beyond the calendar is ever computed.
LONGEST_DELAY = timedelta(hours=24)


def _delay(rest: str, open_ended: str) -> tuple[bool, timedelta | None]:
    """(valid, delay) for the part after the prefix; `open_ended` stands for None."""
    if rest == open_ended:
        return True, None
    if len(rest) > 32:  # no duration is written that long; int() of thousands of digits is slow
        return False, None
    try:
        delay = parse_duration(rest)
    except ValueError:
        return False, None
    return timedelta(0) < delay <= LONGEST_DELAY, delay


def command_from_key(key: str, source: str) -> Command | None:
    """The command an action key stands for; None for a key we never sent."""
    simple = _SIMPLE.get(key)
    if simple is not None:
        return simple(source)
    if key.startswith(SNOOZE_PREFIX):
        valid, delay = _delay(key[len(SNOOZE_PREFIX) :], _TODAY)
        return Snooze(delay, source) if valid else None
    if key.startswith(PAUSE_PREFIX):
        valid, delay = _delay(key[len(PAUSE_PREFIX) :], _TOMORROW)
        return Pause(delay, source) if valid else None
    return None
