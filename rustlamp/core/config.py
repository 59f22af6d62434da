"""Settings: built-in defaults, read from TOML, validated with messages that name the file, line and key.

Validation collects every problem instead of stopping at the first, so `rustlamp config check` can list
them all. Nothing here writes the person's file.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from rustlamp.core.durations import (
    CLOCK_FORMS,
    DURATION_FORMS,
    format_duration,
    parse_clock_time,
    parse_duration,
)
from rustlamp.core.toml_lines import key_lines, toml_lines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
LANGUAGE_CHOICES = ("auto", "nl", "en")

MIN_EVERY = timedelta(seconds=10)
MAX_EVERY = timedelta(hours=24)
GENTLE_EVERY = timedelta(minutes=5)  # below this, reminders start to feel like nagging
MIN_BREAK = timedelta(seconds=10)
MAX_BREAK = timedelta(hours=2)
MIN_BREATH = timedelta(seconds=2)  # a breath guide faster than this hurries, slower than 15 s strains
MAX_BREATH = timedelta(seconds=15)
MAX_SNOOZE_CHOICES = 6
MAX_PROMPT_LENGTH = 300
MAX_SOONER = timedelta(minutes=30)


@dataclass(frozen=True)
class Routine:
    name: str
    at: time
    days: frozenset[int] = EVERY_DAY
    prompt: str | None = None
    enabled: bool = True


@dataclass(frozen=True)
class Reminders:
    every: timedelta = timedelta(minutes=45)
    start: time = time(9, 0)
    end: time = time(17, 30)
    days: frozenset[int] = WORKDAYS
    snooze: tuple[timedelta, ...] = (timedelta(minutes=10), timedelta(minutes=30), timedelta(hours=1))


@dataclass(frozen=True)
class BreakSettings:
    length: timedelta = timedelta(minutes=5)
    inhale: timedelta = timedelta(seconds=4)  # the breathing guide's pace
    exhale: timedelta = timedelta(seconds=6)


@dataclass(frozen=True)
class CheckInSettings:
    offer_after_break: bool = True  # a quiet "Check in…" button in the break window
    # After a hurried breath the next reminder may come this much sooner; off (zero) by default, since a
    # reminder that moves by itself could surprise.
    sooner_when_hurried: timedelta = timedelta(0)


@dataclass(frozen=True)
class IdleSettings:
    # false: no natural breaks, and reminders come even when nobody seems to be at the desk
    natural_breaks: bool = True
    # Away from keyboard and mouse this long counts as a natural break; None: the break length.
    natural_break_after: timedelta | None = None


@dataclass(frozen=True)
class DndSettings:
    when_fullscreen: bool = True  # hold reminders while a fullscreen window has the focus


@dataclass(frozen=True)
class JournalSettings:
    enabled: bool = True  # false: nothing is kept at all


@dataclass(frozen=True)
class Settings:
    language: str = "auto"
    reminders: Reminders = field(default_factory=Reminders)
    break_: BreakSettings = field(default_factory=BreakSettings)
    routines: tuple[Routine, ...] = ()
    extra_prompts: tuple[str, ...] = ()
    checkin: CheckInSettings = field(default_factory=CheckInSettings)
    journal: JournalSettings = field(default_factory=JournalSettings)
    idle: IdleSettings = field(default_factory=IdleSettings)
    dnd: DndSettings = field(default_factory=DndSettings)

    @property
    def natural_break_after(self) -> timedelta:
        return self.idle.natural_break_after or self.break_.length


DEFAULTS = Settings()


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or worth a warning) in a settings file."""

    file: str
    line: int | None
    key: str
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        prefix = "warning: " if self.severity == "warning" else ""
        key = f" {self.key}:" if self.key else ""
        return f"{where}:{key} {prefix}{self.message}"


@dataclass(frozen=True)
class LoadResult:
    """Settings when the file is valid (warnings allowed), else None; every problem found either way."""

    settings: Settings | None
    problems: tuple[Problem, ...]

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.severity == "warning")


def load_settings(path: Path) -> LoadResult:
    """Read and validate one file. A missing or unreadable file is an error, not an exception."""
    try:
        text = path.read_text(encoding="utf-8-sig")  # -sig: a BOM (as some Windows editors write) is fine
    except FileNotFoundError:
        return _failed(
            path,
            None,
            "",
            "no such file; create it from config.example.toml, or leave it out to use the built-in defaults",
        )
    except UnicodeDecodeError as exc:
        return _failed(path, None, "", f"is not UTF-8 text ({exc.reason} at byte {exc.start})")
    except OSError as exc:
        return _failed(path, None, "", f"cannot be read: {exc.strerror or exc}")
    return parse_settings(text, str(path))


def parse_settings(text: str, filename: str = "config.toml") -> LoadResult:
    """Validate TOML text; pure, so the same checks serve the app, `config check` and the tests."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, message = _syntax_error_position(str(exc), text)
        return LoadResult(None, (Problem(filename, line, "", f"not valid TOML: {message}"),))
    except RecursionError:
        return LoadResult(
            None, (Problem(filename, None, "", "not valid here: values are nested too deeply"),)
        )
    checker = _Checker(filename, key_lines(text))
    settings = checker.settings(data)
    errors = any(p.severity == "error" for p in checker.problems)
    return LoadResult(None if errors else settings, tuple(checker.problems))


def _failed(path: Path, line: int | None, key: str, message: str) -> LoadResult:
    return LoadResult(None, (Problem(str(path), line, key, message),))


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _syntax_error_position(message: str, text: str) -> tuple[int | None, str]:
    """tomllib says '... (at line 3, column 8)' or '... (at end of document)'; keep the line for the
    prefix and say the column in words."""
    match = _POSITION.search(message)
    if match is not None:
        line, column = int(match.group(1)), int(match.group(2))
    else:
        match = _AT_END.search(message)
        if match is None:
            return None, message
        # the end of the document: after the last character of the last line
        lines = toml_lines(text)
        last = lines[-1] if lines else ""
        line, column = max(1, len(lines)), len(last) + 1
    return line, f"{message[: match.start()]} (line {line}, column {column})"


# --- validation ---------------------------------------------------------------------------------------

_KNOWN_TOP = ("language", "reminders", "break", "routines", "prompts", "checkin", "journal", "idle", "dnd")
_KNOWN_REMINDERS = ("every", "start", "end", "days", "snooze")
_KNOWN_BREAK = ("length", "inhale", "exhale")
_KNOWN_ROUTINE = ("at", "days", "prompt", "enabled")
_KNOWN_PROMPTS = ("extra",)
_KNOWN_CHECKIN = ("offer_after_break", "sooner_when_hurried")
_KNOWN_JOURNAL = ("enabled",)
_KNOWN_IDLE = ("natural_breaks", "natural_break_after")
_KNOWN_DND = ("when_fullscreen",)


DAY_ITEM = ", ".join(DAY_NAMES)
DAYS_LIST = f"a list of {DAY_ITEM}"
_INDEX = re.compile(r"\[\d+\]")
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _key_path(path: Sequence[str]) -> str:
    """('routines', 'tea time', 'days', '[2]') -> 'routines."tea time".days[2]', as TOML would write it."""
    text = ""
    for part in path:
        if _INDEX.fullmatch(part):
            text += part
        else:
            key = part if _BARE_KEY.fullmatch(part) else json.dumps(part, ensure_ascii=False)
            text += f".{key}" if text else key
    return text


def _type_name(value: object) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, time):
        return "a time"
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "a table"}.get(
        type(value), type(value).__name__
    )


class _Checker:
    def __init__(self, filename: str, key_lines: Mapping[tuple[str, ...], int]) -> None:
        self.filename = filename
        self.key_lines = key_lines
        self.problems: list[Problem] = []

    # reporting

    def _line(self, path: Sequence[str]) -> int | None:
        keys = tuple(part for part in path if not _INDEX.fullmatch(part))  # an item stands on its key's line
        for cut in range(len(keys), 0, -1):
            line = self.key_lines.get(keys[:cut])
            if line is not None:
                return line
        return None

    def error(self, path: Sequence[str], message: str) -> None:
        self.problems.append(Problem(self.filename, self._line(path), _key_path(path), message))

    def warn(self, path: Sequence[str], message: str) -> None:
        self.problems.append(Problem(self.filename, self._line(path), _key_path(path), message, "warning"))

    def unknown_keys(self, table: Mapping[str, Any], known: Sequence[str], path: Sequence[str]) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean `{close[0]}`?" if close else f"known keys here: {', '.join(known)}"
                self.warn([*path, key], f"unknown key, ignored; {hint}")

    # typed getters: each returns the default (and records an error) when the value is wrong

    def table(self, data: Mapping[str, Any], key: str, path: Sequence[str]) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.error(
                [*path, key], f"is {_type_name(value)}; expected a table like [{'.'.join([*path, key])}]"
            )
            return {}
        return value

    def parsed(
        self,
        data: Mapping[str, Any],
        key: str,
        path: Sequence[str],
        default: Any,
        parse: Callable[[Any], Any],
        allowed: str,
    ) -> Any:
        if key not in data:
            return default
        try:
            return parse(data[key])
        except (ValueError, TypeError) as exc:
            self.error([*path, key], f"{exc}; {allowed}")
            return default

    def items(
        self,
        data: Mapping[str, Any],
        key: str,
        path: Sequence[str],
        default: Any,
        parse_item: Callable[[Any], Any],
        allowed_list: str,
        allowed_item: str,
        sizes: range = range(0, 10_000),
    ) -> list[Any] | Any:
        """A list whose every bad item is reported on its own; the default when any is bad."""
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, list):
            self.error([*path, key], f"is {_type_name(value)}, not a list; allowed: {allowed_list}")
            return default
        if len(value) not in sizes:
            self.error([*path, key], f"has {len(value)} items; allowed: {allowed_list}")
            return default
        parsed: list[Any] = []
        for index, item in enumerate(value):
            try:
                parsed.append(parse_item(item))
            except (ValueError, TypeError) as exc:
                self.error([*path, key, f"[{index}]"], f"{exc}; allowed: {allowed_item}")
        return parsed if len(parsed) == len(value) else default

    # the file

    def settings(self, data: Mapping[str, Any]) -> Settings:
        self.unknown_keys(data, _KNOWN_TOP, [])
        language = self.parsed(
            data, "language", [], DEFAULTS.language, _language, 'allowed: "auto", "nl" or "en"'
        )
        reminders = self.reminders(self.table(data, "reminders", []))
        break_ = self.break_settings(self.table(data, "break", []))
        routines = self.routines(self.table(data, "routines", []))
        extra = self.prompts(self.table(data, "prompts", []))
        checkin = self.checkin(self.table(data, "checkin", []))
        journal = self.journal(self.table(data, "journal", []))
        idle = self.idle(self.table(data, "idle", []))
        dnd = self.dnd(self.table(data, "dnd", []))
        if reminders.days and not _window_fits_every(reminders):
            self.warn(
                ["reminders", "every"],
                f"{format_duration(reminders.every)} is longer than the active hours "
                f"{reminders.start:%H:%M}-{reminders.end:%H:%M}, so no reminder can come; routines still do",
            )
        return Settings(language, reminders, break_, routines, extra, checkin, journal, idle, dnd)

    def reminders(self, table: Mapping[str, Any]) -> Reminders:
        path = ["reminders"]
        d = DEFAULTS.reminders
        self.unknown_keys(table, _KNOWN_REMINDERS, path)
        every = self.parsed(
            table,
            "every",
            path,
            d.every,
            _bounded_duration(MIN_EVERY, MAX_EVERY),
            f"allowed: a duration from 10s to 24h, like {DURATION_FORMS}",
        )
        if every < GENTLE_EVERY:
            self.warn(
                [*path, "every"],
                f"{format_duration(every)} is very often; reminders under 5m can feel like nagging",
            )
        time_allowed = f"allowed: a time of day {CLOCK_FORMS}"
        start = self.parsed(table, "start", path, d.start, _clock_time, time_allowed)
        end = self.parsed(table, "end", path, d.end, _clock_time, time_allowed)
        days = frozenset(self.items(table, "days", path, d.days, _day, DAYS_LIST, DAY_ITEM))
        if "days" in table and isinstance(table["days"], list) and not table["days"]:
            self.warn([*path, "days"], "is empty, so no reminders come; routines still do")
        snooze = tuple(
            self.items(
                table,
                "snooze",
                path,
                d.snooze,
                _bounded_duration(MIN_EVERY, MAX_EVERY),
                f'a list of 1 to {MAX_SNOOZE_CHOICES} durations from 10s to 24h, like ["10m", "30m", "1h"]',
                f"a duration from 10s to 24h, like {DURATION_FORMS}",
                sizes=range(1, MAX_SNOOZE_CHOICES + 1),
            )
        )
        return Reminders(every, start, end, days, snooze)

    def break_settings(self, table: Mapping[str, Any]) -> BreakSettings:
        path = ["break"]
        self.unknown_keys(table, _KNOWN_BREAK, path)
        length = self.parsed(
            table,
            "length",
            path,
            DEFAULTS.break_.length,
            _bounded_duration(MIN_BREAK, MAX_BREAK),
            f"allowed: a duration from 10s to 2h, like {DURATION_FORMS}",
        )
        breath = _bounded_duration(MIN_BREATH, MAX_BREATH)
        breath_allowed = 'allowed: a duration from 2s to 15s, like "4s"'
        inhale = self.parsed(table, "inhale", path, DEFAULTS.break_.inhale, breath, breath_allowed)
        exhale = self.parsed(table, "exhale", path, DEFAULTS.break_.exhale, breath, breath_allowed)
        return BreakSettings(length, inhale, exhale)

    def routines(self, table: Mapping[str, Any]) -> tuple[Routine, ...]:
        routines: list[Routine] = []
        for name, body in table.items():
            path = ["routines", name]
            if not isinstance(body, dict):
                self.error(
                    path, f'is {_type_name(body)}; expected a table like [routines.{name}] with at = "08:00"'
                )
                continue
            self.unknown_keys(body, _KNOWN_ROUTINE, path)
            if "at" not in body:
                self.error([*path, "at"], 'is missing; a routine needs a time, like at = "08:00"')
                continue
            at = self.parsed(body, "at", path, None, _clock_time, f"allowed: a time of day {CLOCK_FORMS}")
            days = frozenset(self.items(body, "days", path, EVERY_DAY, _day, DAYS_LIST, DAY_ITEM))
            prompt = self.parsed(
                body,
                "prompt",
                path,
                None,
                _prompt_text,
                f"allowed: a non-empty string of at most {MAX_PROMPT_LENGTH} characters",
            )
            enabled = self.parsed(body, "enabled", path, True, _boolean, "allowed: true or false")
            if at is not None:
                routines.append(Routine(name, at, days, prompt, enabled))
        return tuple(routines)

    def prompts(self, table: Mapping[str, Any]) -> tuple[str, ...]:
        path = ["prompts"]
        self.unknown_keys(table, _KNOWN_PROMPTS, path)
        item = f"a non-empty string of at most {MAX_PROMPT_LENGTH} characters"
        return tuple(self.items(table, "extra", path, (), _prompt_text, "a list of strings", item))

    def checkin(self, table: Mapping[str, Any]) -> CheckInSettings:
        path = ["checkin"]
        d = DEFAULTS.checkin
        self.unknown_keys(table, _KNOWN_CHECKIN, path)
        offer = self.parsed(
            table, "offer_after_break", path, d.offer_after_break, _boolean, "allowed: true or false"
        )
        sooner = self.parsed(
            table,
            "sooner_when_hurried",
            path,
            d.sooner_when_hurried,
            _bounded_duration(timedelta(0), MAX_SOONER),
            'allowed: a duration from 0s (off) to 30m, like "10m"',
        )
        return CheckInSettings(offer, sooner)

    def journal(self, table: Mapping[str, Any]) -> JournalSettings:
        path = ["journal"]
        self.unknown_keys(table, _KNOWN_JOURNAL, path)
        enabled = self.parsed(
            table, "enabled", path, DEFAULTS.journal.enabled, _boolean, "allowed: true or false"
        )
        return JournalSettings(enabled)

    def idle(self, table: Mapping[str, Any]) -> IdleSettings:
        path = ["idle"]
        self.unknown_keys(table, _KNOWN_IDLE, path)
        after = self.parsed(
            table,
            "natural_break_after",
            path,
            None,
            _bounded_duration(MIN_BREAK, MAX_BREAK),
            f"allowed: a duration from 10s to 2h, like {DURATION_FORMS} (leave it out for the break length)",
        )
        on = self.parsed(
            table, "natural_breaks", path, DEFAULTS.idle.natural_breaks, _boolean, "allowed: true or false"
        )
        return IdleSettings(on, after)

    def dnd(self, table: Mapping[str, Any]) -> DndSettings:
        path = ["dnd"]
        self.unknown_keys(table, _KNOWN_DND, path)
        when = self.parsed(
            table, "when_fullscreen", path, DEFAULTS.dnd.when_fullscreen, _boolean, "allowed: true or false"
        )
        return DndSettings(when)


# --- value parsers: raise ValueError/TypeError with what is wrong --------------------------------------


def _expect_str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"is {_type_name(value)}, not a string")
    return value


def _language(value: Any) -> str:
    text = _expect_str(value).strip().lower()
    if text not in LANGUAGE_CHOICES:
        raise ValueError(f"{value!r} is not a known language")
    return text


def _bounded_duration(low: timedelta, high: timedelta) -> Callable[[Any], timedelta]:
    def parse(value: Any) -> timedelta:
        delta = parse_duration(_expect_str(value))
        if not low <= delta <= high:
            raise ValueError(f"{value!r} is out of range")
        return delta

    return parse


def _clock_time(value: Any) -> time:
    if isinstance(value, time):  # TOML's own local time, 09:00:00
        if value.tzinfo is not None:
            raise ValueError("a time of day here is local wall-clock time, without an offset")
        return value.replace(second=0, microsecond=0)
    return parse_clock_time(_expect_str(value))


def _day(value: Any) -> int:
    name = _expect_str(value).strip().lower()
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    hint = f" (did you mean {name[:3]!r}?)" if name[:3] in DAY_NAMES else ""
    raise ValueError(f"{value!r} is not a day{hint}")


def _prompt_text(value: Any) -> str:
    text = _expect_str(value).strip()
    if not text:
        raise ValueError("is empty")
    if len(text) > MAX_PROMPT_LENGTH:
        raise ValueError(f"is {len(text)} characters long")
    return text


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise TypeError(f"is {_type_name(value)}, not true or false")
    return value


def _window_fits_every(reminders: Reminders) -> bool:
    """Whether at least one reminder can fall inside a stretch of active hours (ignoring DST)."""
    start = reminders.start.hour * 60 + reminders.start.minute
    end = reminders.end.hour * 60 + reminders.end.minute
    length = timedelta(minutes=(end - start) % (24 * 60))
    if length:
        return reminders.every < length
    # all-day windows on consecutive days join: the longest run of active days is the longest stretch
    if len(reminders.days) == 7:
        return True
    longest = max(_run_from(day, reminders.days) for day in reminders.days)
    return reminders.every < timedelta(days=longest)


def _run_from(day: int, days: frozenset[int]) -> int:
    run = 0
    while (day + run) % 7 in days:
        run += 1
    return run
