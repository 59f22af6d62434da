"""Settings: built-in defaults, read from TOML, validated with messages that name the file, line and key.

Validation collects every problem instead of stopping at the first, so `rustlamp config check` can list
them all. Nothing here writes the person's file. A problem's words are a Phrase (rustlamp.core.problem_words):
its `message` is the precise English that `config check` prints; `message_in` says it plainly for a person,
in Dutch or English, and `line_in` precisely in either.
"""

from __future__ import annotations

import difflib
import json
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Literal

from rustlamp.core.content import LANGUAGES
from rustlamp.core.durations import (
    DURATION_FORMS,
    parse_clock_time,
    parse_duration,
)
from rustlamp.core.problem_words import (
    ENGLISH,
    Amount,
    Phrase,
    PhrasedTypeError,
    PhrasedValueError,
    Precise,
    Value,
    phrase,
    phrase_of,
    warning_prefix,
)
from rustlamp.core.small_file import NotAFile, read_small_text
from rustlamp.core.toml_lines import key_lines, toml_lines

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WORKDAYS = frozenset(range(5))
EVERY_DAY = frozenset(range(7))
LANGUAGE_CHOICES = ("auto", *LANGUAGES)

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
    kind: str = "other"  # what it is for, one of ROUTINE_KINDS: which of rustlamp's own words it gets


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
    during_calls: bool = True  # hold reminders while another program uses the microphone or a camera


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
    """One thing wrong (or worth a warning) in a settings file.

    `message` is English, as `rustlamp config check` prints it; `phrase`, when there is one, says the same
    in Dutch too (see message_in). A Problem made from a message alone says that message in every language.
    """

    file: str
    line: int | None
    key: str
    message: str
    severity: Literal["error", "warning"] = "error"
    phrase: Phrase | None = field(default=None, compare=False, repr=False)

    @classmethod
    def from_phrase(
        cls,
        file: str,
        line: int | None,
        key: str,
        words: Phrase,
        severity: Literal["error", "warning"] = "error",
    ) -> Problem:
        return cls(file, line, key, words.said(ENGLISH, precise=True), severity, words)

    def message_in(self, language: str) -> str:
        """The message for a person, in `language` ("nl" or "en"): durations in words ("10 sec tot 24
        uur"), examples as people write them (rustlamp.core.problem_words says how)."""
        if self.phrase is None:
            return self.message
        return self.phrase.said(language)

    def line_in(self, language: str) -> str:
        """The whole line, FILE:LINE: KEY: and the precise message, in `language`; str() is the English
        one, as `config check` prints it."""
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        prefix = warning_prefix(language) if self.severity == "warning" else ""
        key = f" {self.key}:" if self.key else ""
        message = self.message if self.phrase is None else self.phrase.said(language, precise=True)
        return f"{where}:{key} {prefix}{message}"

    def __str__(self) -> str:
        return self.line_in(ENGLISH)


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


SETTINGS_LIMIT = 1024 * 1024  # bytes; a settings file is a few kilobytes


def load_settings(path: Path) -> LoadResult:
    """Read and validate one file. A missing or unreadable file is an error, not an exception."""
    try:
        # bounded and never blocking: a FIFO, a device or a huge file is refused, not waited on or read whole
        text = read_small_text(path, SETTINGS_LIMIT, encoding="utf-8-sig")  # -sig: a BOM is fine
    except FileNotFoundError:
        return _failed(path, phrase("no_file"))
    except UnicodeDecodeError as exc:
        return _failed(path, phrase("not_utf8", reason=exc.reason, byte=exc.start))
    except NotAFile as exc:
        return _failed(path, phrase("cannot_read", reason=exc.phrase))
    except OSError as exc:
        return _failed(path, phrase("cannot_read", reason=str(exc.strerror or exc)))
    return parse_settings(text, str(path))


def parse_settings(text: str, filename: str = "config.toml") -> LoadResult:
    """Validate TOML text; pure, so the same checks serve the app, `config check` and the tests."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, words = _syntax_error_position(str(exc), text)
        return LoadResult(None, (Problem.from_phrase(filename, line, "", words),))
    except RecursionError:
        return LoadResult(None, (Problem.from_phrase(filename, None, "", phrase("too_deep")),))
    checker = _Checker(filename, key_lines(text))
    settings = checker.settings(data)
    errors = any(p.severity == "error" for p in checker.problems)
    return LoadResult(None if errors else settings, tuple(checker.problems))


def _failed(path: Path, words: Phrase) -> LoadResult:
    return LoadResult(None, (Problem.from_phrase(str(path), None, "", words),))


_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_AT_END = re.compile(r"\s*\(at end of document\)\s*$")


def _syntax_error_position(message: str, text: str) -> tuple[int | None, Phrase]:
    """tomllib says '... (at line 3, column 8)' or '... (at end of document)'; keep the line for the
    prefix and say the column in words. tomllib's own detail stays as it is (English)."""
    match = _POSITION.search(message)
    if match is not None:
        line, column = int(match.group(1)), int(match.group(2))
    else:
        match = _AT_END.search(message)
        if match is None:
            return None, phrase("not_toml", detail=message)
        # the end of the document: after the last character of the last line
        lines = toml_lines(text)
        last = lines[-1] if lines else ""
        line, column = max(1, len(lines)), len(last) + 1
    return line, phrase("not_toml_at", detail=message[: match.start()], line=line, column=column)


# --- validation ---------------------------------------------------------------------------------------

_KNOWN_TOP = ("language", "reminders", "break", "routines", "prompts", "checkin", "journal", "idle", "dnd")
_KNOWN_REMINDERS = ("every", "start", "end", "days", "snooze")
_KNOWN_BREAK = ("length", "inhale", "exhale")
_KNOWN_ROUTINE = ("at", "days", "prompt", "enabled", "kind")
# What a routine can be for; its own words (`prompt`) go before rustlamp's words for its kind.
ROUTINE_KINDS = ("morning", "evening", "other")
# Without `kind`, these names say it (the files of before `kind` existed, and the obvious Dutch names).
_KIND_BY_NAME = {"morning": "morning", "ochtend": "morning", "evening": "evening", "avond": "evening"}


def routine_kind_for_name(name: str) -> str:
    """The kind of a routine without `kind`: its name says it (morning/ochtend, evening/avond), else other."""
    return _KIND_BY_NAME.get(name.strip().lower(), "other")


_KNOWN_PROMPTS = ("extra",)
_KNOWN_CHECKIN = ("offer_after_break", "sooner_when_hurried")
_KNOWN_JOURNAL = ("enabled",)
_KNOWN_IDLE = ("natural_breaks", "natural_break_after")
_KNOWN_DND = ("when_fullscreen", "during_calls")


DAY_ITEM = ", ".join(DAY_NAMES)
_DAYS = phrase("day_list", days=DAY_ITEM)
_TRUE_OR_FALSE = phrase("true_or_false")
_CLOCK_TIME = Precise(phrase("clock_time"), phrase("clock_time_plain"))
_PROMPT = phrase("prompt", most=MAX_PROMPT_LENGTH)
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


_TYPES = {
    str: "type_str",
    int: "type_number",
    float: "type_number",
    list: "type_list",
    dict: "type_table",
    date: "type_date",
    datetime: "type_datetime",
}


def _type_name(value: object) -> Phrase:
    """What a value is: 'a number', 'true/false'..."""
    if isinstance(value, bool):
        return phrase("type_bool")
    if isinstance(value, time):
        return phrase("type_time")
    key = _TYPES.get(type(value))
    return phrase(key) if key is not None else phrase("type_other", name=type(value).__name__)


def _amount(delta: timedelta) -> Amount:
    return Amount(int(delta.total_seconds()))


def _duration(low: timedelta, high: timedelta, like: Precise | None = None, key: str = "duration") -> Phrase:
    """'a duration from 10s to 24h, like "90s", "20m", ...' precise; 'from 10 sec to 24 hours, like 45 min
    or 1 hour 30 min' to a person."""
    if like is None:
        like = Precise(DURATION_FORMS, phrase("like_durations"))
    return phrase(key, low=_amount(low), high=_amount(high), like=like)


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

    def error(self, path: Sequence[str], words: Phrase) -> None:
        self.problems.append(Problem.from_phrase(self.filename, self._line(path), _key_path(path), words))

    def warn(self, path: Sequence[str], words: Phrase) -> None:
        line = self._line(path)
        self.problems.append(Problem.from_phrase(self.filename, line, _key_path(path), words, "warning"))

    def unknown_keys(self, table: Mapping[str, Any], known: Sequence[str], path: Sequence[str]) -> None:
        for key in table:
            if key not in known:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = (
                    phrase("did_you_mean_key", key=close[0])
                    if close
                    else phrase("known_keys", keys=", ".join(known))
                )
                self.warn([*path, key], phrase("unknown_key", hint=hint))

    # typed getters: each returns the default (and records an error) when the value is wrong

    def table(self, data: Mapping[str, Any], key: str, path: Sequence[str]) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            self.error(
                [*path, key], phrase("not_a_table", type=_type_name(value), table=".".join([*path, key]))
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
        allowed: Value,
    ) -> Any:
        if key not in data:
            return default
        try:
            return parse(data[key])
        except (ValueError, TypeError) as exc:
            self.error([*path, key], phrase("reason_allowed", reason=phrase_of(exc), allowed=allowed))
            return default

    def items(
        self,
        data: Mapping[str, Any],
        key: str,
        path: Sequence[str],
        default: Any,
        parse_item: Callable[[Any], Any],
        allowed_list: Value,
        allowed_item: Value,
        sizes: range = range(0, 10_000),
    ) -> list[Any] | Any:
        """A list whose every bad item is reported on its own; the default when any is bad."""
        if key not in data:
            return default
        value = data[key]
        if not isinstance(value, list):
            reason = phrase("not_a_list", type=_type_name(value))
            self.error([*path, key], phrase("reason_allowed", reason=reason, allowed=allowed_list))
            return default
        if len(value) not in sizes:
            reason = phrase("item_count", count=len(value))
            self.error([*path, key], phrase("reason_allowed", reason=reason, allowed=allowed_list))
            return default
        parsed: list[Any] = []
        for index, item in enumerate(value):
            try:
                parsed.append(parse_item(item))
            except (ValueError, TypeError) as exc:
                words = phrase("reason_allowed", reason=phrase_of(exc), allowed=allowed_item)
                self.error([*path, key, f"[{index}]"], words)
        return parsed if len(parsed) == len(value) else default

    # the file

    def settings(self, data: Mapping[str, Any]) -> Settings:
        self.unknown_keys(data, _KNOWN_TOP, [])
        choices = [json.dumps(choice) for choice in LANGUAGE_CHOICES]
        allowed = phrase("one_of", choices=", ".join(choices[:-1]), last=choices[-1])
        language = self.parsed(data, "language", [], DEFAULTS.language, _language, allowed)
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
                phrase(
                    "every_outside_hours",
                    every=_amount(reminders.every),
                    start=f"{reminders.start:%H:%M}",
                    end=f"{reminders.end:%H:%M}",
                ),
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
            _duration(MIN_EVERY, MAX_EVERY),
        )
        if every < GENTLE_EVERY:
            gentle = _amount(GENTLE_EVERY)
            self.warn([*path, "every"], phrase("very_often", every=_amount(every), gentle=gentle))
        start = self.parsed(table, "start", path, d.start, _clock_time, _CLOCK_TIME)
        end = self.parsed(table, "end", path, d.end, _clock_time, _CLOCK_TIME)
        days = frozenset(self.items(table, "days", path, d.days, _day, _DAYS, DAY_ITEM))
        if "days" in table and isinstance(table["days"], list) and not table["days"]:
            self.warn([*path, "days"], phrase("days_empty"))
        snooze = tuple(
            self.items(
                table,
                "snooze",
                path,
                d.snooze,
                _bounded_duration(MIN_EVERY, MAX_EVERY),
                phrase(
                    "durations",
                    few=1,
                    many=MAX_SNOOZE_CHOICES,
                    low=_amount(MIN_EVERY),
                    high=_amount(MAX_EVERY),
                    like=Precise('["10m", "30m", "1h"]', phrase("like_snooze")),
                ),
                _duration(MIN_EVERY, MAX_EVERY),
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
            _duration(MIN_BREAK, MAX_BREAK),
        )
        breath = _bounded_duration(MIN_BREATH, MAX_BREATH)
        breath_allowed = _duration(MIN_BREATH, MAX_BREATH, like=Precise('"4s"', phrase("like_breath")))
        inhale = self.parsed(table, "inhale", path, DEFAULTS.break_.inhale, breath, breath_allowed)
        exhale = self.parsed(table, "exhale", path, DEFAULTS.break_.exhale, breath, breath_allowed)
        return BreakSettings(length, inhale, exhale)

    def routines(self, table: Mapping[str, Any]) -> tuple[Routine, ...]:
        routines: list[Routine] = []
        for name, body in table.items():
            path = ["routines", name]
            if not isinstance(body, dict):
                header = f"routines.{name}"
                self.error(path, phrase("routine_not_a_table", type=_type_name(body), table=header))
                continue
            self.unknown_keys(body, _KNOWN_ROUTINE, path)
            if "at" not in body:
                self.error([*path, "at"], phrase("at_missing"))
                continue
            at = self.parsed(body, "at", path, None, _clock_time, _CLOCK_TIME)
            days = frozenset(self.items(body, "days", path, EVERY_DAY, _day, _DAYS, DAY_ITEM))
            prompt = self.parsed(body, "prompt", path, None, _prompt_text, _PROMPT)
            enabled = self.parsed(body, "enabled", path, True, _boolean, _TRUE_OR_FALSE)
            guessed = routine_kind_for_name(name)
            kinds = [json.dumps(kind) for kind in ROUTINE_KINDS]
            kind_allowed = phrase("one_of", choices=", ".join(kinds[:-1]), last=kinds[-1])
            kind = self.parsed(body, "kind", path, guessed, _routine_kind, kind_allowed)
            if at is not None:
                routines.append(Routine(name, at, days, prompt, enabled, kind))
        return tuple(routines)

    def prompts(self, table: Mapping[str, Any]) -> tuple[str, ...]:
        path = ["prompts"]
        self.unknown_keys(table, _KNOWN_PROMPTS, path)
        return tuple(self.items(table, "extra", path, (), _prompt_text, phrase("prompt_list"), _PROMPT))

    def checkin(self, table: Mapping[str, Any]) -> CheckInSettings:
        path = ["checkin"]
        d = DEFAULTS.checkin
        self.unknown_keys(table, _KNOWN_CHECKIN, path)
        offer = self.parsed(table, "offer_after_break", path, d.offer_after_break, _boolean, _TRUE_OR_FALSE)
        sooner = self.parsed(
            table,
            "sooner_when_hurried",
            path,
            d.sooner_when_hurried,
            _bounded_duration(timedelta(0), MAX_SOONER),
            _duration(
                timedelta(0), MAX_SOONER, like=Precise('"10m"', phrase("like_sooner")), key="duration_or_off"
            ),
        )
        return CheckInSettings(offer, sooner)

    def journal(self, table: Mapping[str, Any]) -> JournalSettings:
        path = ["journal"]
        self.unknown_keys(table, _KNOWN_JOURNAL, path)
        enabled = self.parsed(table, "enabled", path, DEFAULTS.journal.enabled, _boolean, _TRUE_OR_FALSE)
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
            _duration(MIN_BREAK, MAX_BREAK, key="duration_or_break_length"),
        )
        on = self.parsed(
            table, "natural_breaks", path, DEFAULTS.idle.natural_breaks, _boolean, _TRUE_OR_FALSE
        )
        return IdleSettings(on, after)

    def dnd(self, table: Mapping[str, Any]) -> DndSettings:
        path = ["dnd"]
        self.unknown_keys(table, _KNOWN_DND, path)
        when = self.parsed(
            table, "when_fullscreen", path, DEFAULTS.dnd.when_fullscreen, _boolean, _TRUE_OR_FALSE
        )
        calls = self.parsed(table, "during_calls", path, DEFAULTS.dnd.during_calls, _boolean, _TRUE_OR_FALSE)
        return DndSettings(when, calls)


# --- value parsers: raise ValueError/TypeError (phrased, for Dutch too) with what is wrong --------------


def _expect_str(value: Any) -> str:
    if not isinstance(value, str):
        raise PhrasedTypeError(phrase("not_a_string", type=_type_name(value)))
    return value


def _language(value: Any) -> str:
    text = _expect_str(value).strip().lower()
    if text not in LANGUAGE_CHOICES:
        raise PhrasedValueError(phrase("not_a_language", value=repr(value)))
    return text


def _routine_kind(value: Any) -> str:
    text = _expect_str(value).strip().lower()
    if text not in ROUTINE_KINDS:
        raise PhrasedValueError(phrase("not_a_routine_kind", value=repr(value)))
    return text


def _bounded_duration(low: timedelta, high: timedelta) -> Callable[[Any], timedelta]:
    def parse(value: Any) -> timedelta:
        delta = parse_duration(_expect_str(value))
        if delta < low:
            raise PhrasedValueError(phrase("too_short", value=repr(value)))
        if delta > high:
            raise PhrasedValueError(phrase("too_long", value=repr(value)))
        return delta

    return parse


def _clock_time(value: Any) -> time:
    if isinstance(value, time):  # TOML's own local time, 09:00:00
        if value.tzinfo is not None:
            raise PhrasedValueError(phrase("time_with_offset"))
        return value.replace(second=0, microsecond=0)
    return parse_clock_time(_expect_str(value))


def _day(value: Any) -> int:
    name = _expect_str(value).strip().lower()
    if name in DAY_NAMES:
        return DAY_NAMES.index(name)
    if name[:3] in DAY_NAMES:
        raise PhrasedValueError(phrase("not_a_day_hint", value=repr(value), day=repr(name[:3])))
    raise PhrasedValueError(phrase("not_a_day", value=repr(value)))


def _prompt_text(value: Any) -> str:
    text = _expect_str(value).strip()
    if not text:
        raise PhrasedValueError(phrase("empty"))
    if len(text) > MAX_PROMPT_LENGTH:
        raise PhrasedValueError(phrase("too_many_characters", count=len(text)))
    return text


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise PhrasedTypeError(phrase("not_true_or_false", type=_type_name(value)))
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
