"""Settings: built-in defaults, read from TOML, validated with messages that name the file, line and key.

Validation collects every problem instead of stopping at the first, so `rustlamp config check` can list
them all. Nothing here writes the person's file.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from typing import Any, Literal

from rustlamp.core.durations import DURATION_FORMS, format_duration, parse_clock_time, parse_duration

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
MAX_SNOOZE_CHOICES = 6
MAX_PROMPT_LENGTH = 300


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


@dataclass(frozen=True)
class Settings:
    language: str = "auto"
    reminders: Reminders = field(default_factory=Reminders)
    break_: BreakSettings = field(default_factory=BreakSettings)
    routines: tuple[Routine, ...] = ()
    extra_prompts: tuple[str, ...] = ()


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
        text = path.read_text(encoding="utf-8")
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
        line, message = _syntax_error_position(str(exc))
        return LoadResult(None, (Problem(filename, line, "", f"not valid TOML: {message}"),))
    checker = _Checker(filename, _key_lines(text))
    settings = checker.settings(data)
    errors = any(p.severity == "error" for p in checker.problems)
    return LoadResult(None if errors else settings, tuple(checker.problems))


def _failed(path: Path, line: int | None, key: str, message: str) -> LoadResult:
    return LoadResult(None, (Problem(str(path), line, key, message),))


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def _syntax_error_position(message: str) -> tuple[int | None, str]:
    """tomllib says '... (at line 3, column 8)'; keep the line for the prefix and say the column in words."""
    match = _POSITION.search(message)
    if match is None:
        return None, message
    reason = message[: match.start()]
    return int(match.group(1)), f"{reason} (line {match.group(1)}, column {match.group(2)})"


# --- where keys stand, so messages can name a line -------------------------------------------------

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_ASSIGN = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)\s*="""
)


def _split_key(dotted: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", dotted)
    return tuple(p[1:-1] if p[:1] in "\"'" else p for p in parts)


def _key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each key path to the line it is written on. Approximate by design: a line scan, not a parser,
    good enough to point a person at the right place; the path falls back to its table's line."""
    lines: dict[tuple[str, ...], int] = {}
    table: tuple[str, ...] = ()
    depth = 0  # inside a multi-line array or inline table, assignments belong to the outer key
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0] if '"' not in raw and "'" not in raw else raw
        if depth == 0:
            header = _HEADER.match(raw)
            if header:
                table = _split_key(header.group(1))
                lines.setdefault(table, number)
                continue
            assign = _ASSIGN.match(raw)
            if assign:
                lines.setdefault(table + _split_key(assign.group(1)), number)
        depth = max(0, depth + line.count("[") + line.count("{") - line.count("]") - line.count("}"))
    return lines


# --- validation ---------------------------------------------------------------------------------------

_KNOWN_TOP = ("language", "reminders", "break", "routines", "prompts")
_KNOWN_REMINDERS = ("every", "start", "end", "days", "snooze")
_KNOWN_BREAK = ("length",)
_KNOWN_ROUTINE = ("at", "days", "prompt", "enabled")
_KNOWN_PROMPTS = ("extra",)


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
        for cut in range(len(path), 0, -1):
            line = self.key_lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None

    def error(self, path: Sequence[str], message: str) -> None:
        self.problems.append(Problem(self.filename, self._line(path), ".".join(path), message))

    def warn(self, path: Sequence[str], message: str) -> None:
        self.problems.append(Problem(self.filename, self._line(path), ".".join(path), message, "warning"))

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
        if reminders.days and not _window_fits_every(reminders):
            self.warn(
                ["reminders", "every"],
                f"{format_duration(reminders.every)} is longer than the active hours "
                f"{reminders.start:%H:%M}-{reminders.end:%H:%M}, so no reminder can come; routines still do",
            )
        return Settings(language, reminders, break_, routines, extra)

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
        time_allowed = 'allowed: a time of day "HH:MM" from "00:00" to "23:59"'
        start = self.parsed(table, "start", path, d.start, _clock_time, time_allowed)
        end = self.parsed(table, "end", path, d.end, _clock_time, time_allowed)
        days = self.parsed(table, "days", path, d.days, _days, f"allowed: a list of {', '.join(DAY_NAMES)}")
        if "days" in table and isinstance(table["days"], list) and not table["days"]:
            self.warn([*path, "days"], "is empty, so no reminders come; routines still do")
        snooze = self.parsed(
            table,
            "snooze",
            path,
            d.snooze,
            _snooze_list,
            f"allowed: a list of 1 to {MAX_SNOOZE_CHOICES} durations from 10s to 24h, like "
            '["10m", "30m", "1h"]',
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
        return BreakSettings(length)

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
            at = self.parsed(body, "at", path, None, _clock_time, 'allowed: a time of day "HH:MM"')
            days = self.parsed(
                body, "days", path, EVERY_DAY, _days, f"allowed: a list of {', '.join(DAY_NAMES)}"
            )
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
        value = table.get("extra", [])
        if not isinstance(value, list):
            self.error([*path, "extra"], f"is {_type_name(value)}; allowed: a list of strings")
            return ()
        extra: list[str] = []
        for index, item in enumerate(value):
            try:
                extra.append(_prompt_text(item))
            except (ValueError, TypeError) as exc:
                self.error(
                    [*path, f"extra[{index}]"],
                    f"{exc}; allowed: a non-empty string of at most {MAX_PROMPT_LENGTH} characters",
                )
        return tuple(extra)


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


def _days(value: Any) -> frozenset[int]:
    if not isinstance(value, list):
        raise TypeError(f"is {_type_name(value)}, not a list")
    days: set[int] = set()
    for item in value:
        name = _expect_str(item).strip().lower()
        if name in DAY_NAMES:
            days.add(DAY_NAMES.index(name))
            continue
        hint = f" (did you mean {name[:3]!r}?)" if name[:3] in DAY_NAMES else ""
        raise ValueError(f"{item!r} is not a day{hint}")
    return frozenset(days)


def _snooze_list(value: Any) -> tuple[timedelta, ...]:
    if not isinstance(value, list):
        raise TypeError(f"is {_type_name(value)}, not a list")
    if not 1 <= len(value) <= MAX_SNOOZE_CHOICES:
        raise ValueError(f"has {len(value)} choices")
    parse = _bounded_duration(MIN_EVERY, MAX_EVERY)
    return tuple(parse(item) for item in value)


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
    """Whether at least one reminder can fall inside a day's window (ignoring DST and joined windows)."""
    start = reminders.start.hour * 60 + reminders.start.minute
    end = reminders.end.hour * 60 + reminders.end.minute
    length = (end - start) % (24 * 60) or 24 * 60
    return reminders.every < timedelta(minutes=length) or length == 24 * 60
