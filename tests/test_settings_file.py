"""Writing the settings file: every change lands, and not a word the person wrote is lost.

Real files in tmp_path; hypothesis for the two promises (the values mean what was saved, and a one-value
save changes exactly one line of a hand-written file)."""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from platforms import not_on_windows, posix_modes

from rustlamp.core.config import (
    DAY_NAMES,
    DEFAULTS,
    EVERY_DAY,
    Routine,
    Settings,
    parse_settings,
)
from rustlamp.core.durations import format_duration, parse_clock_time, parse_duration
from rustlamp.settings_file import (
    REMOVE,
    ChangedOnDisk,
    Snapshot,
    apply_changes,
    read_snapshot,
    save_settings,
    toml_value,
)

pytestmark = pytest.mark.windows

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"
EXAMPLE_TEXT = EXAMPLE.read_text(encoding="utf-8")
ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False


def settings_of(text: str) -> Settings:
    result = parse_settings(text)
    assert result.errors == (), [str(p) for p in result.problems]
    assert result.settings is not None
    return result.settings


def lines_of(text: str) -> list[str]:
    """Lines with their endings, split on "\\n" only (U+2028 may stand in a comment)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def merged(base: str | None, changes: dict[tuple[str, ...], Any]) -> dict[str, Any]:
    """The values a file should hold after the changes: the test's own, plain-dict version."""
    data = tomllib.loads((base or "").lstrip("\ufeff"))
    for path, value in changes.items():
        node = data
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                if value is REMOVE:
                    break
                node[part] = {}
            node = node[part]
        else:
            if value is REMOVE:
                node.pop(path[-1], None)
            else:
                node[path[-1]] = value
    return data


def without_empty_tables(data: dict[str, Any]) -> dict[str, Any]:
    result = {}
    for key, value in data.items():
        if isinstance(value, dict):
            value = without_empty_tables(value)
            if not value:
                continue
        result[key] = value
    return result


def diff(before: str, after: str) -> list[str]:
    return [
        line
        for line in difflib.unified_diff(lines_of(before), lines_of(after), n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --- TOML-level values: what the settings window hands over --------------------------------------------


def durations(low: int, high: int) -> st.SearchStrategy[str]:
    """A duration string between low and high seconds, written as rustlamp writes it or in seconds."""
    return st.builds(
        lambda seconds, plain: f"{seconds}s" if plain else format_duration(timedelta(seconds=seconds)),
        st.integers(low, high),
        st.booleans(),
    )


LANGUAGES = st.sampled_from(["auto", "nl", "en"])
EVERY = durations(10, 24 * 3600)
BREAK_LENGTH = durations(10, 2 * 3600)
BREATH = durations(2, 15)
SOONER = durations(0, 30 * 60)
CLOCKS = st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 23), st.integers(0, 59))
DAYS = st.lists(st.sampled_from(DAY_NAMES), unique=True)
SNOOZE = st.lists(EVERY, min_size=1, max_size=6)
ANY_TEXT = st.characters(blacklist_categories=("Cs",))  # any character a string may hold, escaped or not
PROMPTS = st.text(ANY_TEXT, min_size=1, max_size=60).filter(lambda s: bool(s.strip()))
ROUTINE_NAMES = st.one_of(st.sampled_from(["thee", "morning", "tea time"]), st.text(ANY_TEXT, max_size=10))
ROUTINES = st.fixed_dictionaries(
    {"at": CLOCKS}, optional={"days": DAYS, "prompt": PROMPTS, "enabled": st.booleans()}
)
KEY_VALUES: dict[tuple[str, ...], st.SearchStrategy[Any]] = {
    ("language",): LANGUAGES,
    ("reminders", "every"): EVERY,
    ("reminders", "start"): CLOCKS,
    ("reminders", "end"): CLOCKS,
    ("reminders", "days"): DAYS,
    ("reminders", "snooze"): SNOOZE,
    ("break", "length"): BREAK_LENGTH,
    ("break", "inhale"): BREATH,
    ("break", "exhale"): BREATH,
    ("checkin", "offer_after_break"): st.booleans(),
    ("checkin", "sooner_when_hurried"): SOONER,
    ("journal", "enabled"): st.booleans(),
    ("idle", "natural_break_after"): BREAK_LENGTH,
    ("dnd", "when_fullscreen"): st.booleans(),
    ("dnd", "during_calls"): st.booleans(),
    ("prompts", "extra"): st.lists(PROMPTS, max_size=4),
}


@st.composite
def setting_changes(draw: st.DrawFn, removable: tuple[tuple[str, ...], ...] = ()) -> dict[Any, Any]:
    values = draw(st.fixed_dictionaries({}, optional=KEY_VALUES))
    routines = draw(st.dictionaries(ROUTINE_NAMES, ROUTINES, max_size=3))
    changes: dict[tuple[str, ...], Any] = dict(values)
    for name, body in routines.items():
        for key, value in body.items():
            changes["routines", name, key] = value
    removals = draw(st.lists(st.sampled_from(removable), unique=True)) if removable else []
    # removals first: a routine taken out and then given only some keys again would lack its time
    return {path: REMOVE for path in removals} | dict(draw(st.permutations(list(changes.items()))))


def direct_settings(changes: dict[tuple[str, ...], Any]) -> Settings:
    """The Settings the values mean, built by hand over the defaults (for a file without other values)."""

    def get(path: tuple[str, ...], default: Any, convert: Any = lambda v: v) -> Any:
        return convert(changes[path]) if path in changes else default

    def days(names: list[str]) -> frozenset[int]:
        return frozenset(DAY_NAMES.index(name) for name in names)

    d = DEFAULTS
    reminders = dataclasses.replace(
        d.reminders,
        every=get(("reminders", "every"), d.reminders.every, parse_duration),
        start=get(("reminders", "start"), d.reminders.start, parse_clock_time),
        end=get(("reminders", "end"), d.reminders.end, parse_clock_time),
        days=get(("reminders", "days"), d.reminders.days, days),
        snooze=get(("reminders", "snooze"), d.reminders.snooze, lambda v: tuple(map(parse_duration, v))),
    )
    break_ = dataclasses.replace(
        d.break_,
        length=get(("break", "length"), d.break_.length, parse_duration),
        inhale=get(("break", "inhale"), d.break_.inhale, parse_duration),
        exhale=get(("break", "exhale"), d.break_.exhale, parse_duration),
    )
    names = list(dict.fromkeys(path[1] for path in changes if path[0] == "routines"))
    routines = tuple(
        Routine(
            name,
            parse_clock_time(changes["routines", name, "at"]),
            get(("routines", name, "days"), EVERY_DAY, days),
            get(("routines", name, "prompt"), None, str.strip),
            get(("routines", name, "enabled"), True),
            {"morning": "morning", "ochtend": "morning", "evening": "evening", "avond": "evening"}.get(
                name.strip().lower(), "other"
            ),
        )
        for name in names
    )
    return dataclasses.replace(
        d,
        language=get(("language",), d.language),
        reminders=reminders,
        break_=break_,
        routines=routines,
        extra_prompts=get(("prompts", "extra"), (), lambda v: tuple(p.strip() for p in v)),
        checkin=dataclasses.replace(
            d.checkin,
            offer_after_break=get(("checkin", "offer_after_break"), d.checkin.offer_after_break),
            sooner_when_hurried=get(
                ("checkin", "sooner_when_hurried"), d.checkin.sooner_when_hurried, parse_duration
            ),
        ),
        journal=dataclasses.replace(d.journal, enabled=get(("journal", "enabled"), d.journal.enabled)),
        idle=dataclasses.replace(
            d.idle, natural_break_after=get(("idle", "natural_break_after"), None, parse_duration)
        ),
        dnd=dataclasses.replace(
            d.dnd,
            when_fullscreen=get(("dnd", "when_fullscreen"), d.dnd.when_fullscreen),
            during_calls=get(("dnd", "during_calls"), d.dnd.during_calls),
        ),
    )


HAND_WRITTEN = """\
# my own settings, handgeschreven ✍ — do not lose these words
language='en'   # English please

reminders.every = "1h"     # a dotted key, at the top
reminders.days = [ "mon",   # start of the week
    "wed",
]
break = { length = "3m", inhale = "5s" }   # an inline table
mood = "calm"   # not a rustlamp key

[routines.thee]
# tea, every day
at = "15:00"
prompt = 'Thee zetten. "Langzaam."'

[checkin]
offer_after_break=false
unknown_inside = [1, 2.5, true, 1979-05-27]

# a table rustlamp does not know
[plugins.weather]
city = "Utrecht"   # for later
"""

REMOVABLE_EXAMPLE = (("language",), ("reminders", "every"), ("break", "inhale"), ("prompts", "extra"))
REMOVABLE_HAND_WRITTEN = (
    ("language",),
    ("reminders", "every"),
    ("break", "inhale"),
    ("routines", "thee"),
    ("checkin", "offer_after_break"),
    ("mood",),
    ("plugins",),
)
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check_saved(base: str | None, changes: dict[tuple[str, ...], Any]) -> str:
    result = apply_changes(base, changes)
    expected = merged(base, changes)
    assert without_empty_tables(tomllib.loads(result.lstrip("\ufeff"))) == without_empty_tables(expected)
    plain = tomli_w.dumps(expected)  # the same values, written plainly
    assert settings_of(result) == settings_of(plain)
    return result


@PROPERTY
@given(setting_changes())
def test_saved_values_mean_what_was_saved_in_a_new_file(changes: dict[tuple[str, ...], Any]) -> None:
    result = check_saved(None, changes)
    assert settings_of(result) == direct_settings(changes)


@PROPERTY
@given(setting_changes(REMOVABLE_EXAMPLE))
def test_saved_values_mean_what_was_saved_in_the_example(changes: dict[tuple[str, ...], Any]) -> None:
    result = check_saved(EXAMPLE_TEXT, changes)
    # the example holds exactly the defaults, so taking a key out means the same as leaving it alone
    kept = {path: value for path, value in changes.items() if value is not REMOVE}
    assert settings_of(result) == direct_settings(kept)
    for line in lines_of(EXAMPLE_TEXT):
        if line.lstrip().startswith("#"):
            assert line in lines_of(result)  # the example's explanations all stay


@PROPERTY
@given(setting_changes(REMOVABLE_HAND_WRITTEN))
def test_saved_values_mean_what_was_saved_in_a_hand_written_file(changes: dict[tuple[str, ...], Any]) -> None:
    result = check_saved(HAND_WRITTEN, changes)
    for line in lines_of(HAND_WRITTEN):
        if line.lstrip().startswith("#") and "tea, every day" not in line:  # inside [routines.thee]
            assert line in lines_of(result)


# --- hand-written files: a one-value save changes exactly one line ---------------------------------------

COMMENT_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.just("\t"), max_size=20)
SPACES = st.sampled_from(["", " ", "  ", "\t", "   "])
INDENTS = st.sampled_from(["", "", " ", "\t", "    "])
UNKNOWN_NAMES = st.from_regex(r"[a-z][a-z0-9_-]{0,8}", fullmatch=True)
UNKNOWN_VALUES = st.sampled_from(
    [
        "1",
        "-3",
        "2.5",
        "inf",
        "true",
        '"x"',
        "'literal \\ backslash'",
        '"quote \\" and # hash"',
        "[1, 2]",
        "[ ]",
        "{ a = 1, b = 'c' }",
        "1979-05-27",
        "07:32:00",
        "1979-05-27T07:32:00+01:00",
        '"""\nmulti\n[not.a.header]\n# not a comment\n"""',
        "'''\nliteral\n\n'''",
    ]
)
SECTIONS: dict[tuple[str, ...], dict[str, st.SearchStrategy[Any]]] = {
    (): {"language": LANGUAGES},
    ("reminders",): {"every": EVERY, "start": CLOCKS, "end": CLOCKS, "days": DAYS, "snooze": SNOOZE},
    ("break",): {"length": BREAK_LENGTH, "inhale": BREATH, "exhale": BREATH},
    ("checkin",): {"offer_after_break": st.booleans(), "sooner_when_hurried": SOONER},
    ("journal",): {"enabled": st.booleans()},
    ("idle",): {"natural_break_after": BREAK_LENGTH},
    ("dnd",): {"when_fullscreen": st.booleans(), "during_calls": st.booleans()},
    ("mystery",): {},
    ("plugins", "weather"): {},
}


DOUBLE = '"'


def render(value: Any, quote: str) -> str:
    """A value as a person might write it (the values here need no escapes)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(render(item, quote) for item in value) + "]"
    return f"{quote}{value}{quote}"


@dataclasses.dataclass
class KeyLine:
    path: tuple[str, ...]
    value: Any
    index: int  # the line's number, from 0
    prefix: str  # indent, key and the "=" with its spaces
    quote: str
    suffix: str  # spaces, the comment and the line ending


@dataclasses.dataclass
class HandWritten:
    text: str
    newline: str
    bom: str
    keys: list[KeyLine]
    tables: list[tuple[str, ...]]
    comments: list[str]  # every whole-line and trailing comment, as written


@st.composite
def hand_written(draw: st.DrawFn) -> HandWritten:
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.sampled_from(["", "\ufeff"]))
    chosen = draw(st.lists(st.sampled_from(list(SECTIONS)[1:]), unique=True))
    lines: list[str] = []
    keys: list[KeyLine] = []
    comments: list[str] = []

    def comment() -> str:
        text = "#" + draw(COMMENT_TEXT)
        comments.append(text)
        return text

    for table in [(), *chosen]:
        if table:
            for _ in range(draw(st.integers(0, 2))):
                lines.append(draw(INDENTS) + comment() + newline)
            trailing = draw(SPACES) + comment() if draw(st.booleans()) else ""
            lines.append(f"{draw(INDENTS)}[{'.'.join(table)}]{trailing}{newline}")
        known = (
            draw(st.lists(st.sampled_from(sorted(SECTIONS[table])), unique=True)) if SECTIONS[table] else []
        )
        unknown = draw(
            st.lists(UNKNOWN_NAMES.filter(lambda n, t=table: n not in SECTIONS[t]), unique=True, max_size=3)
        )
        if table == ():
            unknown = [name for name in unknown if name not in {"reminders", "break", "idle", "dnd"}]
        entries = [("known", name) for name in known] + [("unknown", name) for name in unknown]
        entries += [("comment", "")] * draw(st.integers(0, 3)) + [("blank", "")] * draw(st.integers(0, 2))
        for kind, name in draw(st.permutations(entries)):
            if kind == "blank":
                lines.append(draw(st.sampled_from(["", " ", "\t"])) + newline)
                continue
            if kind == "comment":
                lines.append(draw(INDENTS) + comment() + newline)
                continue
            prefix = f"{draw(INDENTS)}{name}{draw(SPACES)}={draw(SPACES)}"
            suffix = (draw(SPACES) + comment() if draw(st.booleans()) else draw(SPACES)) + newline
            if kind == "unknown":
                lines.append(prefix + draw(UNKNOWN_VALUES).replace("\n", newline) + suffix)
                continue
            value = draw(SECTIONS[table][name])
            quote = draw(st.sampled_from(['"', "'"]))
            index = sum(line.count("\n") for line in lines)  # an unknown value may span lines
            keys.append(KeyLine((*table, name), value, index, prefix, quote, suffix))
            lines.append(prefix + render(value, quote) + suffix)
        if draw(st.booleans()):
            lines.append(newline)
    return HandWritten(bom + "".join(lines), newline, bom, keys, [(), *chosen], comments)


def new_value(draw: st.DrawFn, path: tuple[str, ...], old: Any) -> Any:
    strategy = SECTIONS[path[:-1]][path[-1]]
    return draw(strategy.filter(lambda v: v != old))


def expected_line(key: KeyLine, value: Any) -> str:
    quote = key.quote
    if isinstance(key.value, list) and not key.value:
        quote = '"'  # an empty list shows no style to keep
    return key.prefix + render(value, quote) + key.suffix


@PROPERTY
@given(hand_written(), st.data())
def test_changing_one_value_changes_exactly_its_line(doc: HandWritten, data: st.DataObject) -> None:
    if not doc.keys:
        return
    key = data.draw(st.sampled_from(doc.keys))
    value = new_value(data.draw, key.path, key.value)
    result = apply_changes(doc.text, {key.path: value})
    before = lines_of(doc.text.removeprefix(doc.bom))
    expected = [*before[: key.index], expected_line(key, value), *before[key.index + 1 :]]
    assert result == doc.bom + "".join(expected)


@PROPERTY
@given(hand_written(), st.data())
def test_adding_one_value_adds_exactly_its_line(doc: HandWritten, data: st.DataObject) -> None:
    present = {key.path for key in doc.keys}
    absent = [(*t, name) for t in doc.tables for name in sorted(SECTIONS[t]) if (*t, name) not in present]
    if not absent:
        return
    path = data.draw(st.sampled_from(absent))
    value = new_value(data.draw, path, None)
    result = apply_changes(doc.text, {path: value})
    assert result.startswith(doc.bom)
    added = diff(doc.text.removeprefix(doc.bom), result.removeprefix(doc.bom))
    newline = doc.newline if doc.newline in doc.text else "\n"  # an empty file shows no style
    new_line = f"+{path[-1]} = {render(value, DOUBLE)}{newline}"
    assert added in ([new_line], [new_line, f"+{newline}"]), added  # a blank line before a table
    data_after = tomllib.loads(result.removeprefix(doc.bom))
    node = data_after
    for part in path[:-1]:
        node = node[part]
    assert node[path[-1]] == value


@PROPERTY
@given(hand_written(), st.data())
def test_removing_one_value_removes_exactly_its_line(doc: HandWritten, data: st.DataObject) -> None:
    if not doc.keys:
        return
    key = data.draw(st.sampled_from(doc.keys))
    result = apply_changes(doc.text, {key.path: REMOVE})
    before = lines_of(doc.text.removeprefix(doc.bom))
    assert result == doc.bom + "".join(before[: key.index] + before[key.index + 1 :])


@PROPERTY
@given(hand_written(), st.data())
def test_every_comment_survives_a_save(doc: HandWritten, data: st.DataObject) -> None:
    changes = (
        {
            key.path: new_value(data.draw, key.path, key.value)
            for key in data.draw(st.lists(st.sampled_from(doc.keys), unique_by=lambda k: k.path))
        }
        if doc.keys
        else {}
    )
    result = apply_changes(doc.text, changes)
    for text in doc.comments:
        assert text in result
    assert result.count(doc.newline) >= doc.text.count(doc.newline)
    if doc.newline == "\r\n":
        assert "\n" not in result.replace("\r\n", "")


def test_saving_the_same_values_leaves_the_text_as_it_is() -> None:
    changes = {
        ("language",): "en",
        ("reminders", "every"): "1h",
        ("reminders", "days"): ["mon", "wed"],
        ("break", "length"): "3m",
        ("routines", "thee", "prompt"): 'Thee zetten. "Langzaam."',
        ("checkin", "offer_after_break"): False,
    }
    assert apply_changes(HAND_WRITTEN, changes) == HAND_WRITTEN
    assert apply_changes(EXAMPLE_TEXT, {("reminders", "every"): "45m"}) == EXAMPLE_TEXT


# --- examples ------------------------------------------------------------------------------------------


def test_a_new_file_has_a_header_and_only_the_changed_keys_in_a_sensible_order() -> None:
    text = apply_changes(
        None,
        {
            ("routines", "tea time", "prompt"): "Thee ☕",
            ("routines", "tea time", "at"): "15:00",
            ("break", "length"): "3m",
            ("reminders", "snooze"): ["5m"],
            ("reminders", "every"): "30m",
            ("language",): "nl",
            ("idle", "natural_break_after"): REMOVE,
        },
    )
    assert text.startswith("# rustlamp settings.")
    assert "config.example.toml" in text and "rustlamp config check" in text
    body = "\n".join(line for line in text.splitlines() if line and not line.startswith("#"))
    assert body == textwrap.dedent(
        """\
        language = "nl"
        [reminders]
        every = "30m"
        snooze = [
            "5m",
        ]
        [break]
        length = "3m"
        [routines."tea time"]
        at = "15:00"
        prompt = "Thee ☕\""""
    )


def test_adding_a_routine_to_the_example_puts_a_table_at_the_end() -> None:
    text = apply_changes(
        EXAMPLE_TEXT,
        {("routines", "morning", "at"): "08:00", ("routines", "morning", "days"): ["sat", "sun"]},
    )
    assert text == EXAMPLE_TEXT + '\n[routines.morning]\nat = "08:00"\ndays = ["sat", "sun"]\n'
    assert settings_of(text).routines == (
        Routine("morning", parse_clock_time("08:00"), frozenset({5, 6}), kind="morning"),
    )


def test_adding_and_removing_a_routine_gives_back_the_same_text() -> None:
    added = apply_changes(EXAMPLE_TEXT, {("routines", "tea", "at"): "15:00"})
    assert apply_changes(added, {("routines", "tea"): REMOVE}) == EXAMPLE_TEXT


ROUTINES_FILE = """\
[reminders]
every = "1h"

# tea with Anna
[routines.tea]
at = "15:00"   # after lunch
days = ["sat"]
# prompt = "maybe later"

# the walk
[routines.walk]
at = "12:00"
# about the check-in
[checkin]
offer_after_break = true
"""


def test_a_new_routine_goes_after_the_last_one() -> None:
    text = apply_changes(ROUTINES_FILE, {("routines", "swim", "at"): "07:00"})
    assert text == ROUTINES_FILE.replace(
        '[routines.walk]\nat = "12:00"\n',
        '[routines.walk]\nat = "12:00"\n\n[routines.swim]\nat = "07:00"\n\n',
    )


def test_removing_a_routine_takes_its_table_and_keeps_the_comments_around_it() -> None:
    text = apply_changes(ROUTINES_FILE, {("routines", "tea"): REMOVE})
    assert text == ROUTINES_FILE.replace(
        '[routines.tea]\nat = "15:00"   # after lunch\ndays = ["sat"]\n# prompt = "maybe later"\n', ""
    )
    # the comment above the header stays, set apart; the one touching the next header stays with it
    text = apply_changes(ROUTINES_FILE, {("routines", "walk"): REMOVE})
    assert text == ROUTINES_FILE.replace('[routines.walk]\nat = "12:00"\n', "\n")
    assert settings_of(text).routines == (Routine("tea", parse_clock_time("15:00"), frozenset({5})),)


def test_removing_the_last_table_leaves_no_dangling_blank_line() -> None:
    text = apply_changes('language = "nl"\n\n[routines.tea]\nat = "15:00"\n\n', {("routines", "tea"): REMOVE})
    assert text == 'language = "nl"\n'


def test_removing_a_routine_written_in_several_places() -> None:
    text = (
        '[routines.tea]\nat = "15:00"\n\n[reminders]\nevery = "1h"\n\n'
        '[routines.tea.notes]\nx = 1\n\n[routines]\nwalk = { at = "12:00" }\n'
    )
    result = apply_changes(text, {("routines", "tea"): REMOVE})
    assert result == '[reminders]\nevery = "1h"\n\n[routines]\nwalk = { at = "12:00" }\n'


def test_removing_what_is_not_there_changes_nothing() -> None:
    assert (
        apply_changes(ROUTINES_FILE, {("routines", "nope"): REMOVE, ("idle", "x"): REMOVE}) == ROUTINES_FILE
    )


def test_a_header_inside_a_multi_line_string_is_not_a_header() -> None:
    text = (
        '[routines.a]\nat = "01:00"\nprompt = """\n[routines.b]\nat = "x"\n"""\n'
        '\n[routines.b]\nat = "02:00"\n'
    )
    result = apply_changes(text, {("routines", "b"): REMOVE})
    assert result == '[routines.a]\nat = "01:00"\nprompt = """\n[routines.b]\nat = "x"\n"""\n'


def test_dotted_keys_stay_dotted() -> None:
    text = 'reminders.every = "45m"  # how often\nlanguage = "nl"\n'
    result = apply_changes(text, {("reminders", "every"): "1h", ("reminders", "start"): "10:00"})
    assert result == 'reminders.every = "1h"  # how often\nreminders.start = "10:00"\nlanguage = "nl"\n'
    result = apply_changes(text, {("reminders", "every"): REMOVE})
    assert result == 'language = "nl"\n'
    assert settings_of(result).reminders == DEFAULTS.reminders


def test_an_inline_table_stays_inline() -> None:
    text = 'break = { length = "5m" }  # short\n\n[reminders]\nevery = "1h"\n'
    result = apply_changes(text, {("break", "length"): "6m", ("break", "inhale"): "3s"})
    assert result == 'break = { length = "6m", inhale = "3s" }  # short\n\n[reminders]\nevery = "1h"\n'
    result = apply_changes(result, {("break", "length"): REMOVE})
    assert result == 'break = { inhale = "3s" }  # short\n\n[reminders]\nevery = "1h"\n'
    text = '[routines]\ntea = { at = "15:00" }  # mine\n'
    result = apply_changes(text, {("routines", "tea", "days"): ["sun"], ("routines", "walk", "at"): "12:00"})
    assert (
        result
        == '[routines]\ntea = { at = "15:00", days = ["sun"] }  # mine\n\n[routines.walk]\nat = "12:00"\n'
    )
    text = 'routines = { tea = { at = "15:00" } }\n'
    result = apply_changes(text, {("routines", "walk", "at"): "12:00"})
    assert result == 'routines = { tea = { at = "15:00" }, walk = { at = "12:00" } }\n'


def test_a_changed_value_keeps_its_comment_spacing_and_quotes() -> None:
    text = "[reminders]\n  every   =   '45m'    # not too often\nend = \"17:30\"#home\n"
    result = apply_changes(text, {("reminders", "every"): "1h", ("reminders", "end"): "18:00"})
    assert result == "[reminders]\n  every   =   '1h'    # not too often\nend = \"18:00\"#home\n"
    # a value a literal string cannot hold gets double quotes
    result = apply_changes("[prompts]\nextra = ['a']  # mine\n", {("prompts", "extra"): ["it's", "b"]})
    assert result == "[prompts]\nextra = [\"it's\", 'b']  # mine\n"


def test_a_list_over_several_lines_keeps_its_comments() -> None:
    text = '[reminders]\nsnooze = [\n  "10m",  # a short one\n  "1h",   # a long one\n]\n'
    result = apply_changes(text, {("reminders", "snooze"): ["10m", "2h", "3h"]})
    assert "# a short one" in result
    assert tomllib.loads(result)["reminders"]["snooze"] == ["10m", "2h", "3h"]
    assert diff(text, result) == ['-  "1h",   # a long one\n', '+  "2h",\n', '+  "3h",\n']


def test_unicode_in_prompts() -> None:
    prompts = ["Adem. Je mag het zacht doen.", 'Thee ☕ — "langzaam" \\ é\u2028', "😌\ttab", "a\nb"]
    text = apply_changes(EXAMPLE_TEXT, {("prompts", "extra"): prompts, ("routines", "café", "at"): "09:00"})
    assert tomllib.loads(text)["prompts"]["extra"] == prompts
    assert settings_of(text).extra_prompts == tuple(p.strip() for p in prompts)
    assert settings_of(text).routines[0].name == "café"
    assert "☕" in text and "😌" in text  # written as they are, not as escapes
    new = apply_changes(None, {("prompts", "extra"): prompts})
    assert settings_of(new).extra_prompts == tuple(p.strip() for p in prompts)


def test_a_bom_and_crlf_line_endings_are_kept() -> None:
    text = '\ufeff# mine\r\n[reminders]\r\nevery = "1h"  # x\r\n'
    result = apply_changes(text, {("reminders", "every"): "2h", ("idle", "natural_break_after"): "10m"})
    assert result == (
        '\ufeff# mine\r\n[reminders]\r\nevery = "2h"  # x\r\n\r\n[idle]\r\nnatural_break_after = "10m"\r\n'
    )
    # mixed endings: each line keeps its own
    mixed = '[reminders]\r\nevery = "1h"\nend = "17:00"\r\n'
    assert apply_changes(mixed, {("reminders", "every"): "2h"}) == mixed.replace("1h", "2h")


def test_a_file_without_a_final_newline() -> None:
    assert apply_changes('[reminders]\nevery = "1h"', {("reminders", "end"): "18:00"}) == (
        '[reminders]\nevery = "1h"\nend = "18:00"\n'
    )
    assert apply_changes("x = 1", {("reminders", "every"): "2h"}) == 'x = 1\n\n[reminders]\nevery = "2h"\n'


def test_a_key_goes_under_the_comments_of_a_table_without_keys() -> None:
    text = (
        '[idle]\n# Away this long counts as a break.\n# natural_break_after = "5m"\n'
        "\n[dnd]\nwhen_fullscreen = true\n"
    )
    result = apply_changes(text, {("idle", "natural_break_after"): "10m"})
    assert diff(text, result) == ['+natural_break_after = "10m"\n']
    assert result.index('natural_break_after = "10m"') < result.index("[dnd]")


def test_a_top_level_key_goes_above_the_tables() -> None:
    text = '# mine\n\n# about reminders\n[reminders]\nevery = "1h"\n'
    result = apply_changes(text, {("language",): "nl"})
    assert result == '# mine\nlanguage = "nl"\n\n# about reminders\n[reminders]\nevery = "1h"\n'
    assert settings_of(result).language == "nl"


def test_a_file_that_is_not_valid_toml_is_a_value_error() -> None:
    with pytest.raises(ValueError, match=r"not valid TOML.*line 2"):
        apply_changes('[reminders]\nevery = "1h\n', {("reminders", "every"): "2h"})
    with pytest.raises(ValueError, match="not valid TOML"):
        apply_changes("a = 1\na = 2\n", {("language",): "nl"})


def test_a_change_that_does_not_fit_the_file_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="reminders is not a table"):
        apply_changes("reminders = 5\n", {("reminders", "every"): "2h"})


def test_values_must_be_plain() -> None:
    with pytest.raises(TypeError, match="toml_value"):
        apply_changes("", {("reminders", "every"): timedelta(minutes=5)})
    with pytest.raises(TypeError):
        apply_changes("", {(): "x"})


def test_toml_value() -> None:
    assert toml_value(timedelta(minutes=90)) == "1h30m"
    assert toml_value(timedelta(0)) == "0s"
    assert toml_value(parse_clock_time("7:05")) == "07:05"
    assert toml_value(frozenset({4, 0, 6})) == ["mon", "fri", "sun"]
    assert toml_value((timedelta(minutes=10), timedelta(hours=1))) == ["10m", "1h"]
    assert toml_value(None) is REMOVE
    assert toml_value(True) is True
    assert toml_value("Adem.") == "Adem."
    with pytest.raises(TypeError):
        toml_value(object())
    # a window can turn Settings into changes with it, and they mean the same Settings again
    s = dataclasses.replace(DEFAULTS, routines=(Routine("tea", parse_clock_time("15:00"), frozenset({5})),))
    changes = {
        ("reminders", "every"): toml_value(s.reminders.every),
        ("reminders", "days"): toml_value(s.reminders.days),
        ("reminders", "snooze"): toml_value(s.reminders.snooze),
        ("routines", "tea", "at"): toml_value(s.routines[0].at),
        ("routines", "tea", "days"): toml_value(s.routines[0].days),
        ("routines", "tea", "prompt"): toml_value(s.routines[0].prompt),
        ("idle", "natural_break_after"): toml_value(s.idle.natural_break_after),
    }
    assert settings_of(apply_changes(None, changes)) == s


# --- snapshots and saving ------------------------------------------------------------------------------


def test_read_snapshot(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert read_snapshot(path) == Snapshot(path, None, None)
    path.write_bytes("\ufeffa = 1\r\n".encode())
    snapshot = read_snapshot(path)
    assert snapshot.text == "\ufeffa = 1\r\n"
    assert snapshot.digest == hashlib.sha256(path.read_bytes()).hexdigest()
    path.write_bytes(b"a = '\xff'\n")
    with pytest.raises(UnicodeDecodeError):
        read_snapshot(path)


@posix_modes
def test_a_new_file_is_0600_in_a_new_0700_folder(tmp_path: Path) -> None:
    path = tmp_path / "config" / "rustlamp" / "config.toml"
    old_umask = os.umask(0o022)
    try:
        saved = save_settings(read_snapshot(path), {("reminders", "every"): "30m"})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700
    assert saved == read_snapshot(path)
    assert settings_of(path.read_text(encoding="utf-8")).reminders.every == timedelta(minutes=30)


@posix_modes
def test_an_existing_file_keeps_its_mode(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    path.chmod(0o644)
    tmp_path.chmod(0o755)
    save_settings(read_snapshot(path), {("language",): "nl"})
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert diff(EXAMPLE_TEXT, path.read_text(encoding="utf-8")) == [
        '-language = "auto"\n',
        '+language = "nl"\n',
    ]
    assert os.listdir(tmp_path) == ["config.toml"]


@not_on_windows("making a symlink takes a privilege there")
def test_a_symlinked_file_stays_a_symlink(tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    (dotfiles / "rustlamp.toml").write_text('language = "en"\n', encoding="utf-8", newline="")
    path = tmp_path / "config.toml"
    path.symlink_to(dotfiles / "rustlamp.toml")
    save_settings(read_snapshot(path), {("language",): "nl"})
    assert path.is_symlink()
    assert (dotfiles / "rustlamp.toml").read_text(encoding="utf-8") == 'language = "nl"\n'


def test_nothing_is_written_when_nothing_changes(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    inode = path.stat().st_ino
    snapshot = read_snapshot(path)
    assert save_settings(snapshot, {("reminders", "every"): "45m"}) == snapshot
    assert path.stat().st_ino == inode  # not even replaced by the same bytes
    missing = tmp_path / "none" / "config.toml"
    save_settings(read_snapshot(missing), {("reminders", "every"): REMOVE})
    assert not missing.parent.exists()


def test_changed_on_disk_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    snapshot = read_snapshot(path)
    edited = EXAMPLE_TEXT.replace('every = "45m"', 'every = "50m"  # my own edit')
    path.write_text(edited, encoding="utf-8", newline="")
    with pytest.raises(ChangedOnDisk) as caught:
        save_settings(snapshot, {("language",): "nl"})
    assert path.read_text(encoding="utf-8") == edited
    assert caught.value.current == read_snapshot(path)
    assert os.listdir(tmp_path) == ["config.toml"]


def test_a_file_that_appeared_or_went_away_is_changed_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    none = read_snapshot(path)
    path.write_text("# started by hand\n", encoding="utf-8", newline="")
    with pytest.raises(ChangedOnDisk):
        save_settings(none, {("language",): "nl"})
    assert path.read_text(encoding="utf-8") == "# started by hand\n"
    there = read_snapshot(path)
    path.unlink()
    with pytest.raises(ChangedOnDisk):
        save_settings(there, {("language",): "nl"})
    assert not path.exists()


HAND_EDIT = """\
import sys
from pathlib import Path
path = Path(sys.argv[1])
text = path.read_text(encoding="utf-8")
path.write_text(text.replace('end = "17:30"', 'end = "16:00"  # Friday: home early'), encoding="utf-8")
"""


def test_a_save_racing_a_hand_edit_loses_neither(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    change = {("reminders", "every"): "30m"}
    snapshot = read_snapshot(path)
    subprocess.run([sys.executable, "-c", HAND_EDIT, str(path)], check=True)  # the person's editor
    with pytest.raises(ChangedOnDisk):
        save_settings(snapshot, change)
    assert 'end = "16:00"  # Friday: home early' in path.read_text(encoding="utf-8")
    save_settings(read_snapshot(path), change)  # the window re-reads and saves again
    text = path.read_text(encoding="utf-8")
    assert 'end = "16:00"  # Friday: home early' in text
    assert 'every = "30m"' in text
    reminders = settings_of(text).reminders
    assert (reminders.every, reminders.end) == (timedelta(minutes=30), parse_clock_time("16:00"))


def test_a_failed_rename_leaves_no_temp_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space"):
        save_settings(read_snapshot(path), {("language",): "nl"})
    assert os.listdir(tmp_path) == ["config.toml"]
    assert path.read_text(encoding="utf-8") == EXAMPLE_TEXT


FULL_DISK = """\
import resource, signal, sys
from pathlib import Path
from rustlamp.settings_file import read_snapshot, save_settings
snapshot = read_snapshot(Path(sys.argv[1]))
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))  # no file may grow past 100 bytes, not even for root
try:
    save_settings(snapshot, {("prompts", "extra"): ["Kijk even naar de lucht."] * 20})
except OSError as exc:
    print("refused:", exc.errno)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_that_fails_halfway_leaves_no_temp_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(path)], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "refused: 27", done.stderr  # EFBIG: the temp file was being written
    assert os.listdir(tmp_path) == ["config.toml"]
    assert path.read_text(encoding="utf-8") == EXAMPLE_TEXT


AS_NOBODY = """\
import os, sys
from pathlib import Path
from rustlamp.settings_file import read_snapshot, save_settings
os.setgroups([])
os.setgid(65534)
os.setuid(65534)  # nobody: may read the file, may not write in its folder
try:
    save_settings(read_snapshot(Path(sys.argv[1])), {("language",): "nl"})
except PermissionError as exc:
    print("refused:", exc.errno)
"""


@pytest.fixture
def open_folder() -> Iterator[Path]:
    """A folder others may enter (pytest's tmp_path sits in a 0700 folder that nobody cannot pass)."""
    top = Path(tempfile.mkdtemp(prefix="rustlamp-settings-"))
    top.chmod(0o755)
    yield top
    for folder, _, _ in os.walk(top):
        os.chmod(folder, 0o755)
    shutil.rmtree(top)


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_a_folder_that_cannot_be_written_leaves_no_temp_file(open_folder: Path) -> None:
    folder = open_folder / "rustlamp"
    folder.mkdir()
    path = folder / "config.toml"
    path.write_text(EXAMPLE_TEXT, encoding="utf-8", newline="")
    path.chmod(0o666)  # even a file anyone may write is replaced only through its folder
    folder.chmod(0o555)
    try:
        if ROOT:  # root writes anywhere: ask as nobody, who really cannot
            done = subprocess.run(
                [sys.executable, "-c", AS_NOBODY, str(path)], capture_output=True, text=True, check=True
            )
            assert done.stdout.strip() == "refused: 13", done.stderr
        else:
            with pytest.raises(PermissionError):
                save_settings(read_snapshot(path), {("language",): "nl"})
        assert os.listdir(folder) == ["config.toml"]
        assert path.read_text(encoding="utf-8") == EXAMPLE_TEXT
    finally:
        folder.chmod(0o755)
