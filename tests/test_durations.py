"""Durations ("1h30m", "45 min", "1 uur") and clock times ("09:00", "17.30"): parsing, formatting both ways
(for the file and for a person, in Dutch and English) and what is refused."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rustlamp.core.catalog import PSEUDO_VARIABLE, available_languages, parse_po
from rustlamp.core.durations import (
    DURATION_FORMS,
    HOUR_WORDS,
    MINUTE_WORDS,
    SECOND_WORDS,
    format_clock_time,
    format_duration,
    format_human,
    parse_clock_time,
    parse_duration,
)

LANGUAGES = available_languages()  # every catalog: its duration words must read back too

# --- durations ---------------------------------------------------------------------------------------


pytestmark = pytest.mark.windows


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90s", timedelta(seconds=90)),
        ("20m", timedelta(minutes=20)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        ("1h", timedelta(hours=1)),
        ("2h5s", timedelta(hours=2, seconds=5)),
        ("1h2m3s", timedelta(hours=1, minutes=2, seconds=3)),
        ("90m", timedelta(minutes=90)),
        ("0s", timedelta(0)),
        ("  45m  ", timedelta(minutes=45)),
        ("1h 30m", timedelta(hours=1, minutes=30)),
        ("1H30M", timedelta(hours=1, minutes=30)),
        ("24h", timedelta(hours=24)),
        # the way people write them, and the app writes them on screen, in Dutch and English
        ("45 min", timedelta(minutes=45)),
        ("45 minuten", timedelta(minutes=45)),
        ("45 Min.", timedelta(minutes=45)),
        ("1 uur", timedelta(hours=1)),
        ("2 uren", timedelta(hours=2)),
        ("1 uur 30 min", timedelta(hours=1, minutes=30)),
        ("1 uur en 30 minuten", timedelta(hours=1, minutes=30)),
        ("1u30", timedelta(hours=1, minutes=30)),
        ("1h30", timedelta(hours=1, minutes=30)),
        ("1,5 uur", timedelta(hours=1, minutes=30)),
        ("1.5h", timedelta(hours=1, minutes=30)),
        ("1 hour", timedelta(hours=1)),
        ("2 hours 15 minutes", timedelta(hours=2, minutes=15)),
        ("2 hours and 15 minutes", timedelta(hours=2, minutes=15)),
        ("2 hours, 15 minutes", timedelta(hours=2, minutes=15)),
        ("1 hr 5 mins", timedelta(hours=1, minutes=5)),
        ("30 sec", timedelta(seconds=30)),
        ("30 seconden", timedelta(seconds=30)),
        ("1 seconde", timedelta(seconds=1)),
        ("1 minuut", timedelta(minutes=1)),
        ("0,5 min", timedelta(seconds=30)),
    ],
)
def test_parse_duration_accepts_the_documented_forms(text: str, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("delta", "expected"),
    [
        (timedelta(seconds=90), "1m30s"),
        (timedelta(minutes=20), "20m"),
        (timedelta(minutes=90), "1h30m"),
        (timedelta(hours=24), "24h"),
        (timedelta(hours=1, seconds=1), "1h1s"),
        (timedelta(0), "0s"),
    ],
)
def test_format_duration_is_short_and_canonical(delta: timedelta, expected: str) -> None:
    assert format_duration(delta) == expected


@pytest.mark.parametrize(
    ("delta", "nl", "en"),
    [
        (timedelta(minutes=45), "45 min", "45 min"),
        (timedelta(hours=1), "1 uur", "1 hour"),
        (timedelta(hours=2), "2 uur", "2 hours"),
        (timedelta(minutes=90), "1 uur 30 min", "1 hour 30 min"),
        (timedelta(seconds=90), "1 min 30 sec", "1 min 30 sec"),
        (timedelta(0), "0 min", "0 min"),
    ],
)
def test_format_human_says_a_duration_in_words(delta: timedelta, nl: str, en: str) -> None:
    assert (format_human(delta, "nl"), format_human(delta, "en")) == (nl, en)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10 * 24 * 3600), st.sampled_from(LANGUAGES))
def test_what_the_app_says_to_a_person_parses_back_to_the_same_duration(seconds: int, language: str) -> None:
    delta = timedelta(seconds=seconds)
    assert parse_duration(format_human(delta, language)) == delta


def test_a_duration_is_said_in_real_words_even_in_the_pseudo_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(PSEUDO_VARIABLE, "1")
    assert format_human(timedelta(minutes=90), "en") == "1 hour 30 min"  # typed back into the settings


def test_a_catalogs_own_unit_words_read_back(monkeypatch: pytest.MonkeyPatch) -> None:
    import rustlamp.core.durations as durations

    german = parse_po(
        'msgid ""\nmsgstr "Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n\n'
        'msgctxt "duration.hours"\nmsgid "{count} hour"\nmsgid_plural "{count} hours"\n'
        'msgstr[0] "{count} Stunde"\nmsgstr[1] "{count} Stunden"\n\n'
        'msgctxt "duration.minutes"\nmsgid "{count} min"\nmsgid_plural "{count} min"\n'
        'msgstr[0] "{count} Min."\nmsgstr[1] "{count} Min."\n\n'
        'msgctxt "duration.seconds"\nmsgid "{count} sec"\nmsgid_plural "{count} sec"\n'
        'msgstr[0] "{count} Sek."\nmsgstr[1] "{count} Sek."\n',
        "de.po",
        "de",
    )
    monkeypatch.setattr(durations, "available_languages", lambda: ("de",))
    monkeypatch.setattr(durations, "catalog", lambda language, pseudo=None: german)
    durations._catalog_units.cache_clear()
    try:
        assert format_human(timedelta(minutes=150, seconds=5), "de") == "2 Stunden 30 Min. 5 Sek."
        assert parse_duration("2 Stunden 30 Min. 5 Sek.") == timedelta(minutes=150, seconds=5)
        assert parse_duration("1 Stunde") == timedelta(hours=1)
    finally:
        monkeypatch.undo()
        durations._catalog_units.cache_clear()
    with pytest.raises(ValueError):
        parse_duration("1 Stundo")  # a word no catalog has


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10 * 24 * 3600))
def test_format_then_parse_round_trips(seconds: int) -> None:
    delta = timedelta(seconds=seconds)
    text = format_duration(delta)
    assert parse_duration(text) == delta
    # and the text is canonical: formatting what was parsed gives the same text back
    assert format_duration(parse_duration(text)) == text


@st.composite
def duration_texts(draw: st.DrawFn) -> tuple[str, timedelta]:
    """Any combination of h, m and s parts (at least one), in order, with optional spaces and case."""
    parts = draw(
        st.lists(st.sampled_from("hms"), min_size=1, max_size=3, unique=True).map(
            lambda us: sorted(us, key="hms".index)
        )
    )
    values = {u: draw(st.integers(min_value=0, max_value=500)) for u in parts}
    space = st.sampled_from(["", " ", "  "])
    text = draw(space)
    for unit in parts:
        text += f"{values[unit]}{draw(space)}{draw(st.sampled_from([unit, unit.upper()]))}{draw(space)}"
    expected = timedelta(hours=values.get("h", 0), minutes=values.get("m", 0), seconds=values.get("s", 0))
    return text, expected


@settings(max_examples=300, deadline=None)
@given(duration_texts())
def test_parse_then_format_then_parse_round_trips(case: tuple[str, timedelta]) -> None:
    text, expected = case
    parsed = parse_duration(text)
    assert parsed == expected
    assert parse_duration(format_duration(parsed)) == parsed


@st.composite
def worded_duration_texts(draw: st.DrawFn) -> tuple[str, timedelta]:
    """Parts in words, as a person types them: any unit word of either language, any case, joined by
    nothing, spaces, a comma, "en" or "and"."""
    units = draw(st.lists(st.sampled_from((3600, 60, 1)), min_size=1, max_size=3, unique=True))
    units.sort(reverse=True)
    words = {3600: HOUR_WORDS, 60: MINUTE_WORDS, 1: SECOND_WORDS}
    joins = st.sampled_from(["", " ", ", ", " en ", " and "])
    text, total = "", 0
    for index, unit in enumerate(units):
        value = draw(st.integers(min_value=0, max_value=500))
        word = draw(st.sampled_from(words[unit]))
        word = draw(st.sampled_from([word, word.upper(), word.capitalize()]))
        text += (draw(joins) if index else "") + f"{value}{draw(st.sampled_from(['', ' ']))}{word}"
        total += value * unit
    return text, timedelta(seconds=total)


@settings(max_examples=300, deadline=None)
@given(worded_duration_texts())
def test_durations_in_words_parse_in_both_languages(case: tuple[str, timedelta]) -> None:
    text, expected = case
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "1x", "h", "m", "-5m", "5", "45", "1m1h", "30s1m", "1d", "m30", "1 dag", "1h-30m",
     "PT1H", "1hh", "09:00", "1h30m!", "1m 1m", "1 uur en", "1 hour and", "1h,", "1h90", "0.5s", "1,5",
     "een uur", "1 uur 30 min 10", "min 30"],
)  # fmt: skip
def test_parse_duration_refuses_other_text_with_a_value_error(text: str) -> None:
    with pytest.raises(ValueError, match="not a duration") as caught:
        parse_duration(text)
    assert repr(text) in str(caught.value)


@settings(max_examples=300, deadline=None)
@given(st.text())
@example("")
@example("\n")
@example("1h\n2m")
def test_parse_duration_on_any_text_returns_or_raises_value_error_only(text: str) -> None:
    try:
        delta = parse_duration(text)
    except ValueError:
        return
    assert delta >= timedelta(0)


@pytest.mark.parametrize("text", ["99999999999h", "999999999999999m", "9" * 20 + "s"])
def test_huge_durations_raise_value_error(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_the_accepted_duration_forms_are_spelled_out() -> None:
    """Callers put DURATION_FORMS in their messages; every form it names must itself be accepted."""
    forms = [f.strip().strip('"') for f in DURATION_FORMS.split(",")]
    assert forms == ["90s", "20m", "1h30m"]
    for form in forms:
        parse_duration(form)


# --- clock times -------------------------------------------------------------------------------------


def test_every_minute_of_the_day_parses() -> None:
    for hour in range(24):
        for minute in range(60):
            assert parse_clock_time(f"{hour:02d}:{minute:02d}") == time(hour, minute)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("9:05", time(9, 5)), (" 09:00 ", time(9)), ("0:00", time(0)), ("23:59", time(23, 59)),
     ("17.30", time(17, 30)), ("9.00", time(9))],
)  # fmt: skip
def test_clock_time_allows_one_digit_hours_a_dot_and_spaces(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["24:00", "23:60", "25:00", "99:99", "12:5", "123:00", "12:000", "", "noon", "12,30", "-1:00", "1230",
     "12:30:00", "12:30pm", ":30", "12:", "1 2:30", "9h", "9.5", "24.00", "12:.30"],
)  # fmt: skip
def test_clock_time_refuses_everything_else(text: str) -> None:
    with pytest.raises(ValueError, match="not a time of day"):
        parse_clock_time(text)


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=99), st.integers(min_value=0, max_value=99))
def test_clock_time_range_is_00_00_to_23_59(hour: int, minute: int) -> None:
    text = f"{hour:02d}:{minute:02d}"
    if hour <= 23 and minute <= 59:
        assert parse_clock_time(text) == time(hour, minute)
    else:
        with pytest.raises(ValueError):
            parse_clock_time(text)


@settings(max_examples=300, deadline=None)
@given(st.times())
def test_a_time_as_the_app_shows_it_parses_back(moment: time) -> None:
    minute = moment.replace(second=0, microsecond=0)
    assert parse_clock_time(format_clock_time(moment)) == minute
    assert parse_clock_time(format_clock_time(moment).replace(":", ".")) == minute


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parse_clock_time_on_any_text_returns_or_raises_value_error_only(text: str) -> None:
    try:
        parsed = parse_clock_time(text)
    except ValueError:
        return
    assert parsed.second == 0 and parsed.microsecond == 0 and parsed.tzinfo is None
