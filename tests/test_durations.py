"""Durations ("1h30m") and clock times ("09:00"): parsing, formatting and what is refused."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rustlamp.core.durations import (
    DURATION_FORMS,
    format_duration,
    parse_clock_time,
    parse_duration,
)

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


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "1x", "h", "m", "1.5h", "-5m", "5", "1m1h", "30s1m", "1d", "1h30", "m30", "1 hour",
     "1h-30m", "PT1H", "1hh", "09:00", "1h30m!", "1m 1m"],
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
    [("9:05", time(9, 5)), (" 09:00 ", time(9)), ("0:00", time(0)), ("23:59", time(23, 59))],
)
def test_clock_time_allows_one_digit_hours_and_spaces(text: str, expected: time) -> None:
    assert parse_clock_time(text) == expected


@pytest.mark.parametrize(
    "text",
    ["24:00", "23:60", "25:00", "99:99", "12:5", "123:00", "12:000", "", "noon", "12.30", "-1:00", "1230",
     "12:30:00", "12:30pm", ":30", "12:", "1 2:30", "9h"],
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
@given(st.text())
def test_parse_clock_time_on_any_text_returns_or_raises_value_error_only(text: str) -> None:
    try:
        parsed = parse_clock_time(text)
    except ValueError:
        return
    assert parsed.second == 0 and parsed.microsecond == 0 and parsed.tzinfo is None
