"""Everything a person can ask for, as small values: the notification buttons (and later the tray menu and
the command line) all become one of these, handled in one place, so they cannot disagree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

from rustlamp.core.durations import format_human, parse_duration


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


@dataclass(frozen=True)
class Forget:
    """`rustlamp journal forget`: the running lamp drops the entries still waiting to go into the journal
    (of the local days before `before`, or all: None), the same ones the command line removed from the
    file. Not a lamp decision, so rustlamp.runtime carries it out itself."""

    before: date | None
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
    | Forget
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
FORGET_PREFIX = "forget:"  # forget:all, forget:2026-11-25 (the days before it)
_TODAY = "today"
# the open-ended choice as a person types it on the command line, in each language the command line speaks
TODAY_WORDS = (_TODAY, "vandaag", "heute")
_TOMORROW = "tomorrow"

_Simple = TakeBreak | Resume | CheckIn | ShowWeek | OpenSettings | About | Quit | ToggleAutostart | Reload


def _seconds(delay: timedelta) -> str:
    return f"{int(delay.total_seconds())}s"


# The longest snooze or pause a key may carry: the longest any menu, button or command offers. A longer one
# (a hand-made request, `pause:99999999h`) is refused, so no time beyond the calendar is ever computed.
LONGEST_DELAY = timedelta(hours=24)


@dataclass(frozen=True)
class DelayArgument:
    """A command's one argument: a duration from `low` to `high`, or the word `open_word` (None)."""

    low: timedelta
    high: timedelta
    open_word: str  # in the action key ("snooze:today", "pause:tomorrow"): the open-ended choice
    default: timedelta | str | None = "required"  # "required": the command line must give it

    def read(self, text: str) -> timedelta | None:
        """The delay `text` stands for; ValueError (saying what is allowed) when it is none or out of range.
        The command line says "today" for the open-ended choice of both commands."""
        if text.strip().lower() in (self.open_word, *TODAY_WORDS):
            return None
        if len(text) > 32:  # no duration is written that long; int() of thousands of digits is slow
            raise ValueError(f"{text[:32]!r}... is not a duration")
        delay = parse_duration(text)
        if not self.low <= delay <= self.high:
            raise ValueError(f"{text!r} is out of range; {self.allowed}")
        return delay

    @property
    def allowed(self) -> str:
        low, high = format_human(self.low, "en"), format_human(self.high, "en")
        return f"use {low} to {high}, or {_TODAY}"


@dataclass(frozen=True)
class CommandRow:
    """One thing a person can ask for: its word on the command line, its action key (menu, notification
    button, control channel) and its argument; the command line's help for it is the catalog's "cli.<name>"
    (and "cli.<name>_delay" for the argument), with - as _. Adding a command is one row and its words."""

    name: str
    key: str
    make: Callable[[timedelta | None, str], Command]
    argument: DelayArgument | None = None

    def key_for(self, delay: timedelta | None) -> str:
        """The action key with its argument, as the channel and the menu carry it: "snooze:600s"."""
        if self.argument is None:
            return self.key
        return f"{self.key}:{self.argument.open_word if delay is None else _seconds(delay)}"


def _simple(kind: type[_Simple]) -> Callable[[timedelta | None, str], Command]:
    return lambda _delay, source: kind(source)


COMMANDS: tuple[CommandRow, ...] = (
    CommandRow("break", BREAK_KEY, _simple(TakeBreak)),
    CommandRow("check-in", CHECKIN_KEY, _simple(CheckIn)),
    CommandRow("settings", SETTINGS_KEY, _simple(OpenSettings)),
    CommandRow("reload", RELOAD_KEY, _simple(Reload)),
    CommandRow("resume", RESUME_KEY, _simple(Resume)),
    CommandRow("quit", QUIT_KEY, _simple(Quit)),
    CommandRow(
        "snooze",
        SNOOZE_PREFIX.rstrip(":"),
        lambda delay, source: Snooze(delay, source),
        DelayArgument(timedelta(seconds=10), LONGEST_DELAY, _TODAY),
    ),
    CommandRow(
        "pause",
        PAUSE_PREFIX.rstrip(":"),
        lambda delay, source: Pause(delay, source),
        DelayArgument(
            timedelta(minutes=1),
            LONGEST_DELAY,
            _TOMORROW,
            default=timedelta(minutes=30),
        ),
    ),
)
# Keys only the menu and the notifications send (no command line word of their own)
_MENU_ONLY: dict[str, type[_Simple]] = {
    ACTIVATE_KEY: TakeBreak,
    WEEK_KEY: ShowWeek,
    ABOUT_KEY: About,
    AUTOSTART_KEY: ToggleAutostart,
}
BY_NAME = {row.name: row for row in COMMANDS}
_BY_KEY = {row.key: row for row in COMMANDS}


def snooze_key(delay: timedelta | None) -> str:
    """The menu's and the notification's key for a snooze, from the table's row."""
    return BY_NAME["snooze"].key_for(delay)


def pause_key(delay: timedelta | None) -> str:
    return BY_NAME["pause"].key_for(delay)


def forget_key(before: date | None) -> str:
    """The channel's key for `journal forget --before DATE` (or `--all`: None)."""
    return FORGET_PREFIX + ("all" if before is None else before.isoformat())


def _forget_from_key(rest: str, source: str) -> Forget | None:
    if rest == "all":
        return Forget(None, source)
    if len(rest) != 10:  # only the exact form forget_key writes
        return None
    try:
        return Forget(date.fromisoformat(rest), source)
    except ValueError:
        return None


def forgets(at_text: str, before: date | None) -> bool:
    """Whether `journal forget` removes an entry stamped `at_text` (its ISO 8601 time, local): the rule of
    rustlamp.core.journal's DELETE (the first ten characters, the local day, before `before`), so the file
    and the waiting entries lose the same ones."""
    return before is None or at_text[:10] < before.isoformat()


def command_from_key(key: str, source: str) -> Command | None:
    """The command an action key stands for; None for a key we never sent, or an argument out of the
    row's range (so the channel checks what the command line checks)."""
    if key.startswith(FORGET_PREFIX):
        return _forget_from_key(key[len(FORGET_PREFIX) :], source)
    simple = _MENU_ONLY.get(key)
    if simple is not None:
        return simple(source)
    word, _, rest = key.partition(":")
    row = _BY_KEY.get(word)
    if row is None or (row.argument is None) != (rest == "" and ":" not in key):
        return None
    if row.argument is None:
        return row.make(None, source)
    try:
        delay = row.argument.read(rest)
    except ValueError:
        return None
    return row.make(delay, source)
