"""The settings window's form without a toolkit: what the window shows, what the person changed, what the
core says about it, and saving it. rustlamp.ui.settings_window (Qt) only shows this model and hands the
person's edits to it, so everything the window decides is tested here without a display.

- `SETTINGS` lists the settings tab by tab (what a row is, its label's and hint's words, where it is in the
  file, its default); `Form` makes one `Setting` (with its `Value`s) of each.
- A `Value` holds what was read (`initial`) and what is shown now (`current`); only a changed one is written,
  so an untouched file is never rewritten and comments, order and unknown keys stay (rustlamp.settings_file
  edits the text in place).
- `Form.check()` builds the would-be file and runs the same checks `rustlamp config check` runs; each
  problem goes to the setting (or routine) its key belongs to, the rest to `elsewhere`.
- `Form.save()` never writes over a file changed on disk since it was read, switches start at login
  (rustlamp.system.autostart, not the file) and asks the running app to read the file again.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any, Final, Literal

from rustlamp.core.config import (
    DAY_NAMES,
    DEFAULTS,
    EVERY_DAY,
    LANGUAGE_CHOICES,
    ROUTINE_KINDS,
    Problem,
    load_settings,
    parse_settings,
    routine_kind_for_name,
)
from rustlamp.core.config import _key_path as key_text
from rustlamp.core.durations import format_clock_time, format_human, parse_clock_time, parse_duration
from rustlamp.core.problem_words import phrase, reason_of, warning_prefix
from rustlamp.core.setting_names import ROUTINE_SETTINGS
from rustlamp.settings_file import (
    REMOVE,
    ChangedOnDisk,
    Snapshot,
    apply_changes,
    read_snapshot,
    save_settings,
)
from rustlamp.ui.settings_words import SETTINGS_TEXTS, TAB_KEYS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

NEW_ROUTINE_AT = "12:00"  # a new routine's time until the person types their own
BOTTOM_PROBLEMS = 3  # problems for keys the window does not show: this many lines, then "and N more"
TELL_APP_TIMEOUT = 2.0  # seconds to wait for the running app to take the `reload`

MISSING: Final = object()  # a key the file does not have

KeyPath = tuple[str, ...]
Kind = Literal["text", "duration", "durations", "lines", "check", "choice", "days", "hours"]


# ----- small pure helpers ---------------------------------------------------------------------------------


def problem_text(problem: Problem, language: str = "en") -> str:
    """What `rustlamp config check` prints for the problem (said in `language`), without its FILE:LINE:."""
    where = f"{problem.file}:{problem.line}" if problem.line is not None else problem.file
    return problem.line_in(language)[len(where) + 1 :].strip()


_ITEM = re.compile(r"(\[\d+\])+$")


def owner_key(problem_key: str, shown: Iterable[str]) -> str | None:
    """Which of the `shown` keys a problem's key belongs to: the key itself (without a list item's [n]),
    or the longest shown key it lies inside (`routines.tea.prompt` inside `routines.tea`); None if none."""
    key = _ITEM.sub("", problem_key)
    best: str | None = None
    for candidate in shown:
        inside = key == candidate or key.startswith((candidate + ".", candidate + "["))
        if inside and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


# A routine's keys as its fields are named in the window (a key the window does not know stays as written).
ROUTINE_FIELDS = {**ROUTINE_SETTINGS, "enabled": "routine_enabled"}


def note_text(problem: Problem, owner: str, language: str = "en") -> str:
    """A problem's words beside the field (or routine) `owner`, in `language`: its message, after what it
    is about when that is something inside the owner: a field by its label ("Time: ..."), a key the window
    does not know as the file has it ("colour: unknown key, ...")."""
    key = _ITEM.sub("", problem.key)
    rest = key[len(owner) :].lstrip(".")
    message = problem.message_in(language)
    if not rest:
        return message
    prefix = warning_prefix(language) if problem.severity == "warning" else ""
    words = SETTINGS_TEXTS[language]
    about = words[ROUTINE_FIELDS[rest]] if rest in ROUTINE_FIELDS else rest
    return f"{about}: {prefix}{message}"


def without_bom(text: str) -> str:
    """The text as `config check` reads it (utf-8-sig): a BOM some editors write is no part of it."""
    return text.removeprefix("\ufeff")


def home_short(path: Path) -> str:
    """/home/anna/.config/rustlamp/config.toml -> ~/.config/rustlamp/config.toml"""
    try:
        return "~" + os.sep + str(path.relative_to(Path.home()))
    except (ValueError, RuntimeError):
        return str(path)


def comma_list(text: str) -> list[str]:
    """'10 min, 30 min,1 uur' -> ['10 min', '30 min', '1 uur']; empty pieces go."""
    return [part.strip() for part in text.split(",") if part.strip()]


def line_list(text: str) -> list[str]:
    """One item a line; blank lines go."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def shown_text(raw: Any) -> str:
    """A file's value as a text field shows it: a string as written, a TOML time as HH:MM, anything else
    as TOML would write it (so a wrong type is visible and can be put right)."""
    if isinstance(raw, str):
        return raw
    if isinstance(raw, time):
        return raw.strftime("%H:%M") if raw.second == 0 and raw.microsecond == 0 else raw.isoformat()
    with contextlib.suppress(TypeError, ValueError):
        return json.dumps(raw, ensure_ascii=False, default=str)
    return str(raw)


def in_words(raw: Any, language: str) -> str:
    """A duration from the file as a person writes it in `language` ("1h30m" -> "1 uur 30 min"); what
    is no duration is shown as written, so its problem can be seen and put right."""
    if isinstance(raw, str):
        try:
            return format_human(parse_duration(raw), language)
        except ValueError:
            return raw
    return shown_text(raw)


def duration_or_text(text: str) -> timedelta | str:
    """What a typed duration means, to compare two ways of writing one ("45m", "45 min"); the text itself
    (trimmed) when it is no duration."""
    try:
        return parse_duration(text)
    except ValueError:
        return text.strip()


def lookup(data: Mapping[str, Any] | None, path: KeyPath) -> Any:
    """The value at `path` in parsed TOML, or MISSING."""
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return MISSING
        node = node[part]
    return node


def _day_set(raw: Any, default: frozenset[int]) -> frozenset[int]:
    if not isinstance(raw, list):
        return default
    names = [item.strip().lower() for item in raw if isinstance(item, str)]
    return frozenset(DAY_NAMES.index(name) for name in names if name in DAY_NAMES)


def autostart_module() -> ModuleType | None:
    """rustlamp.system.autostart when it is there and can work on this platform."""
    try:
        module = importlib.import_module("rustlamp.system.autostart")
    except ImportError:
        return None
    available: Callable[[], bool] = getattr(module, "available", lambda: True)
    return module if available() else None


# ----- values: one key each, what was read and what is shown ----------------------------------------------


class Value:
    """One key at `path` in the file; `changed` when what is shown differs from what was read."""

    def __init__(self, path: KeyPath) -> None:
        self.path = path

    def load(self, raw: Any) -> None:
        """Show the file's value (MISSING: the default); it is then what was read."""
        raise NotImplementedError

    def changed(self) -> bool:
        raise NotImplementedError

    def value(self) -> Any:
        """What to write: a plain TOML value, or REMOVE."""
        raise NotImplementedError


class TextValue(Value):
    """A one-line text: a duration, a time of day. Empty means the default when `empty_removes`."""

    def __init__(self, path: KeyPath, default: str, empty_removes: bool = False) -> None:
        super().__init__(path)
        self.default = default
        self.empty_removes = empty_removes
        self.initial = ""
        self.current = ""

    def load(self, raw: Any) -> None:
        self.initial = self.current = self.default if raw is MISSING else shown_text(raw)

    def changed(self) -> bool:
        return self.current.strip() != self.initial.strip()

    def value(self) -> Any:
        text = self.current.strip()
        return REMOVE if not text and self.empty_removes else text


class DurationValue(TextValue):
    """A duration, shown in the window's language as people write it ("1 uur 30 min"), whatever form the
    file has it in ("1h30m"). Another way of writing the same length of time is no change; a changed one
    is written as the person typed it (the core reads that back)."""

    def __init__(
        self, path: KeyPath, default: timedelta | None, language: str, empty_removes: bool = False
    ) -> None:
        super().__init__(path, "" if default is None else format_human(default, language), empty_removes)
        self.language = language

    def load(self, raw: Any) -> None:
        self.initial = self.current = self.default if raw is MISSING else in_words(raw, self.language)

    def changed(self) -> bool:
        return duration_or_text(self.current) != duration_or_text(self.initial)


def clock_or_text(text: str) -> time | str:
    """What a typed time of day means ("9:00", "09:00", "9.00" are one); the text itself when it is none."""
    try:
        return parse_clock_time(text)
    except ValueError:
        return text.strip()


class ClockValue(TextValue):
    """A time of day, shown as people write it here ("17:30"), whether the file has "17.30", "17:30" or a
    TOML time; another way of writing the same time is no change."""

    def load(self, raw: Any) -> None:
        if isinstance(raw, str) and isinstance(clock_or_text(raw), time):
            self.initial = self.current = format_clock_time(parse_clock_time(raw))
        else:
            super().load(raw)

    def changed(self) -> bool:
        return clock_or_text(self.current) != clock_or_text(self.initial)


class DurationListValue(DurationValue):
    """Durations in one line with a comma between them (the snooze choices)."""

    def __init__(self, path: KeyPath, default: Sequence[timedelta], language: str) -> None:
        super().__init__(path, None, language)
        self.default = ", ".join(format_human(item, language) for item in default)

    def load(self, raw: Any) -> None:
        if isinstance(raw, list):
            self.initial = self.current = ", ".join(in_words(item, self.language) for item in raw)
        else:
            super().load(raw)

    def changed(self) -> bool:
        return [duration_or_text(t) for t in comma_list(self.current)] != [
            duration_or_text(t) for t in comma_list(self.initial)
        ]

    def value(self) -> Any:
        return comma_list(self.current)


class LinesValue(TextValue):
    """A text of several lines, one item a line (the person's own prompts)."""

    def __init__(self, path: KeyPath) -> None:
        super().__init__(path, "")

    def load(self, raw: Any) -> None:
        if raw is MISSING:
            self.initial = ""
        elif isinstance(raw, list):
            self.initial = "\n".join(shown_text(item) for item in raw)
        else:
            self.initial = shown_text(raw)
        self.current = self.initial

    def changed(self) -> bool:
        return line_list(self.current) != line_list(self.initial)

    def value(self) -> Any:
        return line_list(self.current)


class BoolValue(Value):
    """A check box. A value that is not true/false shows the default: changing the box writes one."""

    def __init__(self, path: KeyPath, default: bool) -> None:
        super().__init__(path)
        self.default = default
        self.initial = self.current = default

    def load(self, raw: Any) -> None:
        self.initial = self.current = raw if isinstance(raw, bool) else self.default

    def changed(self) -> bool:
        return self.current != self.initial

    def value(self) -> Any:
        return self.current


class ChoiceValue(Value):
    """One of `choices` (radio buttons); a value that is none of them shows none chosen ("")."""

    def __init__(self, path: KeyPath, default: str, choices: Sequence[str]) -> None:
        super().__init__(path)
        self.default = default
        self.choices = tuple(choices)
        self.initial = self.current = default

    def load(self, raw: Any) -> None:
        if raw is MISSING:
            self.initial = self.default
        elif isinstance(raw, str) and raw.strip().lower() in self.choices:
            self.initial = raw.strip().lower()
        else:
            self.initial = ""
        self.current = self.initial

    def changed(self) -> bool:
        return self.current != self.initial

    def value(self) -> Any:
        return self.current


class DaysValue(Value):
    """Days of the week (0 is Monday); written as a list of day names in week order."""

    def __init__(self, path: KeyPath, default: frozenset[int]) -> None:
        super().__init__(path)
        self.default = default
        self.initial = self.current = default

    def load(self, raw: Any) -> None:
        self.initial = self.current = self.default if raw is MISSING else _day_set(raw, self.default)

    def changed(self) -> bool:
        return self.current != self.initial

    def value(self) -> Any:
        return [DAY_NAMES[day] for day in sorted(self.current)]


# ----- what the window shows, tab by tab ------------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """One row of a tab. `label` and `hint` are keys of SETTINGS_TEXTS; `chars`: how many characters a
    text field shows (it is made wide enough for them). An "hours" row is two times, `path` + start/end."""

    kind: Kind
    label: str
    path: KeyPath
    default: Any = None
    hint: str = ""
    chars: int = 8
    empty_removes: bool = False


def _settings() -> tuple[tuple[Spec, ...], ...]:
    r, b, c = DEFAULTS.reminders, DEFAULTS.break_, DEFAULTS.checkin
    dnd = (
        Spec("check", "fullscreen", ("dnd", "when_fullscreen"), DEFAULTS.dnd.when_fullscreen),
        Spec("check", "during_calls", ("dnd", "during_calls"), DEFAULTS.dnd.during_calls),
    )
    general = (
        Spec("choice", "language", ("language",), DEFAULTS.language, "language_hint"),
        Spec("lines", "prompts", ("prompts", "extra"), "", "prompts_hint", chars=44),
    )
    long = 12  # characters of a duration field: "1 uur 30 min"
    reminders = (
        Spec("duration", "every", ("reminders", "every"), r.every, "every_hint", long),
        Spec("hours", "hours", ("reminders",), (f"{r.start:%H:%M}", f"{r.end:%H:%M}"), "hours_hint", 5),
        Spec("days", "days", ("reminders", "days"), r.days),
        Spec("durations", "snooze", ("reminders", "snooze"), r.snooze, "snooze_hint", chars=22),
        *dnd,
    )
    break_ = (
        Spec("duration", "length", ("break", "length"), b.length, "length_hint", long),
        Spec("duration", "inhale", ("break", "inhale"), b.inhale, "breath_hint", long),
        Spec("duration", "exhale", ("break", "exhale"), b.exhale, "breath_hint", long),
        Spec("duration", "natural", ("idle", "natural_break_after"), None, "natural_hint", long, True),
        Spec("check", "offer", ("checkin", "offer_after_break"), c.offer_after_break),
        Spec(
            "duration",
            "sooner",
            ("checkin", "sooner_when_hurried"),
            c.sooner_when_hurried,
            "sooner_hint",
            long,
        ),
    )
    privacy = (Spec("check", "journal", ("journal", "enabled"), DEFAULTS.journal.enabled, "journal_hint"),)
    return general, reminders, break_, (), privacy


SETTINGS: Final = dict(zip(TAB_KEYS, _settings(), strict=True))  # the routines' tab has its own editor


@dataclass
class Setting:
    """A row of the form: its spec, its values (two for the active hours), and the problems said for it."""

    spec: Spec
    tab: int
    values: tuple[Value, ...]
    notes: tuple[str, ...] = ()  # the problems' words, in the window's language
    error: bool = False  # one of them is an error (not only warnings)


def _values(spec: Spec, language: str) -> tuple[Value, ...]:
    if spec.kind == "hours":
        start, end = spec.default
        return (ClockValue((*spec.path, "start"), start), ClockValue((*spec.path, "end"), end))
    made: dict[Kind, Callable[[], Value]] = {
        "text": lambda: TextValue(spec.path, spec.default, spec.empty_removes),
        "duration": lambda: DurationValue(spec.path, spec.default, language, spec.empty_removes),
        "durations": lambda: DurationListValue(spec.path, spec.default, language),
        "lines": lambda: LinesValue(spec.path),
        "check": lambda: BoolValue(spec.path, spec.default),
        "choice": lambda: ChoiceValue(spec.path, spec.default, LANGUAGE_CHOICES),
        "days": lambda: DaysValue(spec.path, spec.default),
    }
    return (made[spec.kind](),)


@dataclass
class Routine:
    """One routine on the Routines tab. `new`: not in the file yet. Its `prompt` is left out of the file
    while it is empty (rustlamp then picks the words): emptied, it is taken out."""

    name: str
    new: bool = False
    enabled: BoolValue = field(init=False)
    at: TextValue = field(init=False)
    days: DaysValue = field(init=False)
    kind: ChoiceValue = field(init=False)
    prompt: TextValue = field(init=False)
    notes: tuple[str, ...] = ()
    error: bool = False

    def __post_init__(self) -> None:
        path = self.path
        self.enabled = BoolValue((*path, "enabled"), True)
        self.at = ClockValue((*path, "at"), NEW_ROUTINE_AT if self.new else "")
        self.days = DaysValue((*path, "days"), EVERY_DAY)
        # without `kind` in the file, the core takes it from the name ("avond" is an evening)
        self.kind = ChoiceValue((*path, "kind"), routine_kind_for_name(self.name), ROUTINE_KINDS)
        self.prompt = TextValue((*path, "prompt"), "", empty_removes=True)

    @property
    def path(self) -> KeyPath:
        return ("routines", self.name)

    def values(self) -> tuple[Value, ...]:
        return (self.enabled, self.at, self.days, self.kind, self.prompt)

    def load(self, body: Any) -> None:
        table = body if isinstance(body, dict) else {}
        for value in self.values():
            value.load(MISSING if self.new else lookup(table, value.path[2:]))

    def changes(self) -> dict[KeyPath, Any]:
        if self.new:  # all of it, but the defaults
            changes: dict[KeyPath, Any] = {self.at.path: self.at.value()}
            if self.days.current != EVERY_DAY:
                changes[self.days.path] = self.days.value()
            if self.kind.current != self.kind.default:
                changes[self.kind.path] = self.kind.value()
            if self.prompt.value() is not REMOVE:
                changes[self.prompt.path] = self.prompt.value()
            if not self.enabled.value():
                changes[self.enabled.path] = False
            return changes
        return {value.path: value.value() for value in self.values() if value.changed()}


# ----- outcomes of the form's actions ---------------------------------------------------------------------

StatusKind = Literal["", "saved", "reloaded", "opened", "changed_on_disk", "failed"]


@dataclass(frozen=True)
class Status:
    """The line under the tabs: what just happened, in the window's language. `reload` offers Reload."""

    kind: StatusKind = ""
    words: str = ""

    @property
    def trouble(self) -> bool:
        return self.kind in ("changed_on_disk", "failed")

    @property
    def offers_reload(self) -> bool:
        return self.kind in ("changed_on_disk", "opened")


class Form:
    """The settings form: what was read, what is shown, the problems, and saving."""

    def __init__(
        self,
        language: str,
        path: Path,
        autostart: ModuleType | None = None,
        tell_app: Callable[[], None] | None = None,
    ) -> None:
        self.language = language
        self.words = SETTINGS_TEXTS[language]
        self.path = path
        self.autostart = autostart  # rustlamp.system.autostart or a stand-in; None: no start-at-login box
        self.tell_app = tell_app if tell_app is not None else tell_running_app
        self.settings = [
            Setting(spec, tab, _values(spec, language))
            for tab, key in enumerate(TAB_KEYS)
            for spec in SETTINGS[key]
        ]
        self.routines: list[Routine] = []
        self.removed_routines: list[str] = []
        self.autostart_initial = False
        self.autostart_current = False
        self.snapshot = Snapshot(path, None, None)
        self.data: dict[str, Any] | None = None
        self.read_only: Problem | None = None  # why the file cannot be edited here
        self.saved = False  # something was saved since the window opened
        self.problems: tuple[Problem, ...] = ()
        self.elsewhere: tuple[Problem, ...] = ()  # problems with keys the window does not show
        self.errors = False
        self.status = Status()

    # ----- reading ------------------------------------------------------------------------------------

    def setting(self, path: KeyPath) -> Setting:
        """The setting that holds the key at `path`."""
        return next(s for s in self.settings if any(v.path == path for v in s.values))

    def value(self, path: KeyPath) -> Value:
        return next(v for s in self.settings for v in s.values if v.path == path)

    def routine(self, name: str) -> Routine:
        return next(r for r in self.routines if r.name == name)

    def reload(self, quiet: bool = False) -> None:
        """Read the file again and show its values; edits are let go."""
        try:
            snapshot = read_snapshot(self.path)
        except (OSError, ValueError) as exc:  # not UTF-8, not readable: as `config check` words it
            said = load_settings(self.path).problems
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            problem = (
                said[0]
                if said
                else Problem.from_phrase(str(self.path), None, "", phrase("cannot_read", reason=reason))
            )
            self._be_read_only(Snapshot(self.path, None, None), problem)
            return
        self.load(snapshot)
        if not quiet and self.read_only is None:
            self.status = Status("reloaded", self.words["reloaded"])

    def load(self, snapshot: Snapshot) -> None:
        """Show what `snapshot` holds; it is then what was read."""
        self.snapshot = snapshot
        text = without_bom(snapshot.text or "")
        try:
            data: dict[str, Any] | None = tomllib.loads(text)
        except (tomllib.TOMLDecodeError, RecursionError):
            data = None
        if data is None:
            result = parse_settings(text, str(self.path))
            problem = result.problems[0] if result.problems else Problem(str(self.path), None, "", "")
            self._be_read_only(snapshot, problem)
            return
        self.data = data
        self.read_only = None
        for setting in self.settings:
            for value in setting.values:
                value.load(lookup(data, value.path))
        self._load_routines(data)
        if self.autostart is not None:
            self.autostart_initial = self.autostart_current = self._autostart_enabled()
        self.status = Status()
        self.check()

    def _load_routines(self, data: Mapping[str, Any]) -> None:
        table = data.get("routines")
        bodies = (
            {name: body for name, body in table.items() if isinstance(body, dict)}
            if isinstance(table, dict)
            else {}
        )
        self.removed_routines = []
        self.routines = [Routine(name) for name in bodies]
        for routine in self.routines:
            routine.load(bodies[routine.name])

    def _autostart_enabled(self) -> bool:
        assert self.autostart is not None
        try:
            return bool(self.autostart.is_enabled())
        except OSError:
            return False

    def _be_read_only(self, snapshot: Snapshot, problem: Problem) -> None:
        """Not TOML, or not readable: nothing can be saved until it is read again, mended."""
        self.snapshot = snapshot
        self.data = None
        self.read_only = problem
        self.problems = self.elsewhere = ()
        self.errors = False
        self.status = Status()

    def read_only_words(self) -> str:
        """What the window says instead of the tabs while the file cannot be edited here."""
        assert self.read_only is not None
        return f"{self.words['read_only']}\n\n{self.read_only.line_in(self.language)}"

    # ----- what changed, and what the core says about it ------------------------------------------

    def changes(self) -> dict[KeyPath, Any]:
        """What the person changed, as settings_file changes; empty when nothing was."""
        if self.read_only is not None:
            return {}
        changes = {v.path: v.value() for s in self.settings for v in s.values if v.changed()}
        for name in self.removed_routines:
            changes[("routines", name)] = REMOVE
        for routine in self.routines:
            changes.update(routine.changes())
        return changes

    def autostart_changed(self) -> bool:
        return self.autostart is not None and self.autostart_current != self.autostart_initial

    def has_changes(self) -> bool:
        return bool(self.changes()) or self.autostart_changed()

    @property
    def can_save(self) -> bool:
        return self.read_only is None and not self.errors and self.has_changes()

    def edited(self) -> None:
        """The person changed something: a passing status goes, and the form is checked again."""
        if self.status.kind in ("saved", "reloaded", "opened"):
            self.status = Status()
        self.check()

    def check(self) -> None:
        """Check the would-be file as `rustlamp config check` would; each problem goes to its place."""
        if self.read_only is not None:
            return
        changes = self.changes()
        apply_problem: Problem | None = None
        text = self.snapshot.text or ""
        if changes:
            try:
                text = apply_changes(self.snapshot.text, changes)
            except (ValueError, TypeError, KeyError) as exc:
                words = phrase("cannot_change", detail=reason_of(exc))
                apply_problem = Problem.from_phrase(str(self.path), None, "", words)
        problems = list(parse_settings(without_bom(text), str(self.path)).problems)
        if apply_problem is not None:
            problems.append(apply_problem)
        self.problems = tuple(problems)

        owners: dict[str, Setting | Routine] = {}
        for setting in self.settings:
            for value in setting.values:
                owners[key_text(value.path)] = setting
        for routine in self.routines:
            owners[key_text(routine.path)] = routine
        placed: dict[int, list[tuple[Problem, str]]] = {}
        elsewhere: list[Problem] = []
        for problem in problems:
            owner = owner_key(problem.key, owners) if problem.key else None
            if owner is None:
                elsewhere.append(problem)
            else:
                placed.setdefault(id(owners[owner]), []).append(
                    (problem, note_text(problem, owner, self.language))
                )
        holders: list[Setting | Routine] = [*self.settings, *self.routines]
        for holder in holders:
            here = placed.get(id(holder), [])
            holder.notes = tuple(words for _, words in here)
            holder.error = any(p.severity == "error" for p, _ in here)
        self.elsewhere = tuple(elsewhere)
        self.errors = any(p.severity == "error" for p in problems)

    def tab_has_error(self, tab: int) -> bool:
        if TAB_KEYS[tab] == "routines":
            return any(r.error for r in self.routines)
        return any(s.error for s in self.settings if s.tab == tab)

    def elsewhere_words(self) -> tuple[str, bool]:
        """The problems no field shows, as the line under the tabs says them, and whether one is an
        error; ("", False) when there are none."""
        if not self.elsewhere:
            return "", False
        lines = [problem_text(p, self.language) for p in self.elsewhere[:BOTTOM_PROBLEMS]]
        if len(self.elsewhere) > BOTTOM_PROBLEMS:
            lines.append(self.words["more"].format(count=len(self.elsewhere) - BOTTOM_PROBLEMS))
        error = any(p.severity == "error" for p in self.elsewhere)
        return self.words["in_the_file"] + "\n" + "\n".join(lines), error

    # ----- routines ---------------------------------------------------------------------------------

    def add_routine(self, name: str) -> Routine | str:
        """Add a routine called `name` (stripped); the new routine, or the words that say why not."""
        name = name.strip()
        if not name:
            return self.words["routine_name_empty"]
        if any(r.name == name for r in self.routines):
            return self.words["routine_name_taken"]
        if name in self.removed_routines:  # removed a moment ago: it comes back as it was in the file
            self.removed_routines.remove(name)
            routine = Routine(name)
            routine.load(lookup(self.data, ("routines", name)))
        else:
            routine = Routine(name, new=True)
            routine.load(None)
        self.routines.append(routine)
        self.edited()
        return routine

    def remove_routine(self, name: str) -> None:
        routine = self.routine(name)
        self.routines.remove(routine)
        if not routine.new:
            self.removed_routines.append(name)
        self.edited()

    # ----- saving and the file ----------------------------------------------------------------------

    def save(self) -> bool:
        """Write what changed (never over a file changed on disk), switch start at login, tell the app.
        True when everything was done; `status` says what happened either way."""
        if not self.can_save:
            return False
        changes = self.changes()
        wrote = False
        if changes:
            try:
                snapshot = save_settings(self.snapshot, changes)
            except ChangedOnDisk:
                self.status = Status("changed_on_disk", self.words["changed_on_disk"])
                return False
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                self.status = Status("failed", self.words["cannot_save"].format(reason=reason))
                return False
            self.snapshot = snapshot
            self.saved = wrote = True
        if self.autostart_changed():
            assert self.autostart is not None
            try:
                self.autostart.enable() if self.autostart_current else self.autostart.disable()
            except OSError as exc:
                if wrote:
                    self._after_write()
                reason = exc.strerror or str(exc)
                self.status = Status("failed", self.words["cannot_autostart"].format(reason=reason))
                return False
            self.saved = True
        if wrote:
            self._after_write()
        else:
            self.load(self.snapshot)
        self.status = Status("saved", self.words["saved"])
        return True

    def _after_write(self) -> None:
        self.tell_app()
        self.load(self.snapshot)  # what the file holds now is what was read

    def open_file(self, opener: Callable[[Path], str | None] | None = None) -> None:
        """Open config.toml in the desktop's editor (`opener`: rustlamp.system.open_file's by default),
        creating it from the example when there is none."""
        from rustlamp.system.open_file import ensure_config_file, open_in_desktop

        try:
            created = ensure_config_file(self.path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.status = Status("failed", self.words["cannot_open"].format(reason=reason))
            return
        if created and self.snapshot.text is None:
            with contextlib.suppress(OSError, ValueError):
                snapshot = read_snapshot(self.path)
                if self.has_changes():
                    self.snapshot = snapshot  # the example holds the defaults: the edits still apply
                    self.check()
                else:
                    self.load(snapshot)
        problem = (opener or open_in_desktop)(self.path)
        if problem is not None:
            self.status = Status("failed", self.words["cannot_open"].format(reason=problem))
        else:
            self.status = Status("opened", self.words["opened"])


def tell_running_app() -> None:
    """Ask the running app to read the settings again; no app running is fine."""
    from rustlamp.system.control import send

    with contextlib.suppress(OSError, ValueError):
        send("reload", timeout=TELL_APP_TIMEOUT)
