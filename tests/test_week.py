"""The week's summary (rustlamp.core.week) and entries as JSON (rustlamp.core.entries_json): pure values,
tested with properties over generated journals and with examples for the words."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rustlamp.core.entries import BREAK_OUTCOMES, Entry
from rustlamp.core.entries_json import entries_from_json, entries_to_json
from rustlamp.core.week import (
    WEEK_TEXTS,
    CheckInDot,
    DaySummary,
    RestDot,
    WeekSummary,
    summarize_week,
    summary_line,
    week_days,
    weekday_name,
)

pytestmark = pytest.mark.windows

TODAY = date(2024, 3, 31)  # a Sunday, and the night Europe's summer time began

# Offsets as the world has them (UTC-12 to UTC+14, in quarter hours), plus odd historic ones with seconds.
quarter_hours = st.integers(min_value=-12 * 4, max_value=14 * 4).map(lambda q: timedelta(minutes=15 * q))
odd_offsets = st.integers(min_value=-86399, max_value=86399).map(lambda s: timedelta(seconds=s))
offsets = st.one_of(quarter_hours, odd_offsets).map(timezone)

breaths = st.sampled_from(["calm", "hurried", "unknown", None])
details: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "break": st.sampled_from(BREAK_OUTCOMES).map(lambda outcome: {"outcome": outcome}),
    "checkin": breaths.map(lambda breath: {"breath": breath, "signals": [], "need": "", "note": ""}),
    "routine": st.just({"name": "morning"}),
    "snooze": st.just({"until": None}),
    "pause": st.just({"until": "2024-03-30T15:00:00+01:00"}),
}


@st.composite
def entries(draw: st.DrawFn, around: date = TODAY) -> Entry:
    """An entry within two weeks of `around` (so some fall outside the week), at any offset."""
    day = around + timedelta(days=draw(st.integers(min_value=-10, max_value=3)))
    moment = draw(st.times())
    at = datetime.combine(day, moment, tzinfo=draw(offsets))
    kind = draw(st.sampled_from(sorted(details)))
    return Entry(at, kind, draw(details[kind]))


journals = st.lists(entries(), max_size=60)


def _in_week(entry: Entry, today: date = TODAY) -> bool:
    return today - timedelta(days=6) <= entry.at.date() <= today


@settings(max_examples=300)
@given(journals)
def test_the_totals_are_the_sums_over_the_seven_days(journal: list[Entry]) -> None:
    week = summarize_week(journal, TODAY)
    assert [day.day for day in week.days] == list(week_days(TODAY))
    assert len(week.days) == 7 and week.days[-1].day == TODAY and week.today == TODAY
    assert week.rest_count == sum(day.rest_count for day in week.days)
    assert week.attempt_count == sum(day.attempt_count for day in week.days)
    assert week.checkin_count == sum(day.checkin_count for day in week.days)
    for day in week.days:
        assert 0 <= day.attempt_count <= day.rest_count
        assert day.is_empty == (day.rest_count == day.checkin_count == 0)
    assert week.attempt_count <= week.rest_count


@settings(max_examples=300)
@given(journals)
def test_every_rest_and_checkin_in_the_week_is_counted_once_on_its_own_local_date(
    journal: list[Entry],
) -> None:
    week = summarize_week(journal, TODAY)
    # Each dot keeps its entry's exact time (offset too), so the dots are the entries, one for one.
    counted_rests = Counter(
        (day.day, dot.at, dot.at.utcoffset(), dot.attempt) for day in week.days for dot in day.rests
    )
    wanted_rests = Counter(
        (e.at.date(), e.at, e.at.utcoffset(), e.is_attempt) for e in journal if e.is_rest and _in_week(e)
    )
    assert counted_rests == wanted_rests
    counted_checkins = Counter((day.day, dot.at, dot.breath) for day in week.days for dot in day.checkins)
    wanted_checkins = Counter(
        (e.at.date(), e.at, e.detail["breath"]) for e in journal if e.kind == "checkin" and _in_week(e)
    )
    assert counted_checkins == wanted_checkins


@settings(max_examples=200)
@given(journals, st.lists(entries(around=TODAY - timedelta(days=30)), max_size=20))
def test_entries_outside_the_seven_days_change_nothing(journal: list[Entry], long_ago: list[Entry]) -> None:
    inside = [e for e in journal if _in_week(e)]
    outside = [e for e in journal + long_ago if not _in_week(e)]
    assert summarize_week(inside + outside, TODAY) == summarize_week(inside, TODAY)


@settings(max_examples=200)
@given(journals, st.randoms(use_true_random=False))
def test_the_order_of_the_journal_does_not_matter_and_dots_are_in_time_order(
    journal: list[Entry], random: Any
) -> None:
    # Equal moments may come in either order; give every entry its own second so the order is one.
    unique = list({e.at: e for e in journal}.values())
    shuffled = unique[:]
    random.shuffle(shuffled)
    week = summarize_week(unique, TODAY)
    assert summarize_week(shuffled, TODAY) == week
    for day in week.days:
        for dots in (day.rests, day.checkins):
            moments = [dot.at for dot in dots]
            assert moments == sorted(moments)


@pytest.mark.parametrize(
    ("at", "day"),
    [
        # Just before and just after midnight, each in its own offset.
        (datetime(2024, 3, 30, 23, 59, 59, tzinfo=timezone(timedelta(hours=1))), date(2024, 3, 30)),
        (datetime(2024, 3, 31, 0, 0, tzinfo=timezone(timedelta(hours=1))), date(2024, 3, 31)),
        # 23:30 in New York is already the next day in UTC: it stays on the New York date.
        (datetime(2024, 3, 30, 23, 30, tzinfo=timezone(timedelta(hours=-4))), date(2024, 3, 30)),
        # 00:30 in Tokyo is the previous day in UTC: it stays on the Tokyo date.
        (datetime(2024, 3, 31, 0, 30, tzinfo=timezone(timedelta(hours=9))), date(2024, 3, 31)),
        # The first day of the window, and the day before it.
        (datetime(2024, 3, 25, 0, 0, tzinfo=timezone.utc), date(2024, 3, 25)),
        (datetime(2024, 3, 24, 23, 59, tzinfo=timezone(timedelta(hours=-12))), None),
        (datetime(2024, 4, 1, 0, 0, tzinfo=timezone(timedelta(hours=14))), None),
    ],
)
def test_an_entry_lands_on_the_date_of_its_own_local_time(at: datetime, day: date | None) -> None:
    week = summarize_week([Entry(at, "break", {"outcome": "done"})], TODAY)
    landed = [d.day for d in week.days if d.rests]
    assert landed == ([] if day is None else [day])


def test_a_day_in_detail() -> None:
    cet, cest = timezone(timedelta(hours=1)), timezone(timedelta(hours=2))
    journal = [
        Entry(datetime(2024, 3, 31, 1, 40, tzinfo=cet), "break", {"outcome": "natural", "how": "sleep"}),
        Entry(datetime(2024, 3, 31, 9, 5, tzinfo=cest), "break", {"outcome": "attempt"}),
        Entry(datetime(2024, 3, 31, 8, 0, tzinfo=cest), "checkin", {"breath": "hurried"}),
        Entry(datetime(2024, 3, 31, 10, 0, tzinfo=cest), "break", {"outcome": "later", "until": "x"}),
        Entry(datetime(2024, 3, 31, 11, 0, tzinfo=cest), "checkin", {}),  # an empty check-in counts
        Entry(datetime(2024, 3, 31, 12, 0, tzinfo=cest), "checkin", {"breath": "panting"}),  # not ours
        Entry(datetime(2024, 3, 31, 13, 0, tzinfo=cest), "routine", {"name": "morning"}),
        Entry(datetime(2024, 3, 31, 14, 0, tzinfo=cest), "snooze", {"until": None}),
    ]
    today = summarize_week(journal, TODAY).days[-1]
    assert today == DaySummary(
        day=TODAY,
        rests=(RestDot(journal[0].at, attempt=False), RestDot(journal[1].at, attempt=True)),
        checkins=(
            CheckInDot(journal[2].at, "hurried"),
            CheckInDot(journal[4].at, None),
            CheckInDot(journal[5].at, None),
        ),
    )
    assert today.rests[1].time_of_day == time(9, 5)
    assert today.rests[1].day_fraction == pytest.approx((9 * 60 + 5) / (24 * 60))
    assert (today.rest_count, today.attempt_count, today.checkin_count) == (2, 1, 3)


def test_an_empty_journal_is_seven_empty_days() -> None:
    week = summarize_week([], TODAY)
    assert all(day.is_empty for day in week.days)
    assert (week.rest_count, week.attempt_count, week.checkin_count) == (0, 0, 0)


# ----- the summary line ----------------------------------------------------------------------------------


def _week(rests: int = 0, attempts: int = 0, checkins: int = 0) -> WeekSummary:
    at = datetime(2024, 3, 29, 10, 0, tzinfo=timezone.utc)
    journal = [Entry(at, "break", {"outcome": "attempt" if i < attempts else "done"}) for i in range(rests)]
    journal += [Entry(at, "checkin", {"breath": "calm"}) for _ in range(checkins)]
    return summarize_week(journal, TODAY)


@pytest.mark.parametrize(
    ("counts", "nl", "en"),
    [
        ((9, 0, 3), "Deze week: 9 rustmomenten, 3 check-ins", "This week: 9 rest moments, 3 check-ins"),
        ((1, 0, 1), "Deze week: 1 rustmoment, 1 check-in", "This week: 1 rest moment, 1 check-in"),
        (
            (9, 2, 3),
            "Deze week: 9 rustmomenten (waarvan 2 pogingen), 3 check-ins",
            "This week: 9 rest moments (2 of them attempts), 3 check-ins",
        ),
        (
            (4, 1, 0),
            "Deze week: 4 rustmomenten (waarvan 1 poging)",
            "This week: 4 rest moments (1 of them an attempt)",
        ),
        ((1, 1, 0), "Deze week: 1 rustmoment (een poging)", "This week: 1 rest moment (an attempt)"),
        (
            (3, 3, 2),
            "Deze week: 3 rustmomenten (waarvan 3 pogingen), 2 check-ins",
            "This week: 3 rest moments (3 of them attempts), 2 check-ins",
        ),
        ((0, 0, 2), "Deze week: 2 check-ins", "This week: 2 check-ins"),
        (
            (0, 0, 0),
            "Deze week: nog geen rustmomenten of check-ins",
            "This week: no rest moments or check-ins yet",
        ),
    ],
)
def test_the_summary_line_in_both_languages(counts: tuple[int, int, int], nl: str, en: str) -> None:
    week = _week(*counts)
    assert summary_line(week, "nl") == nl
    assert summary_line(week, "en") == en


@settings(max_examples=200)
@given(journals)
def test_the_summary_line_never_judges(journal: list[Entry]) -> None:
    week = summarize_week(journal, TODAY)
    for language in ("nl", "en"):
        line = summary_line(week, language).lower()
        for word in ("gemist", "missed", "streak", "reeks", "fail", "mislukt", "niet gelukt"):
            assert word not in line, (word, line)
        assert not re.search(r"\b0 ", line), line  # a zero is left out, never said


def test_both_languages_have_the_same_words_and_weekdays() -> None:
    assert WEEK_TEXTS["nl"].keys() == WEEK_TEXTS["en"].keys()
    assert all(words.strip() for language in WEEK_TEXTS.values() for words in language.values())
    monday = date(2024, 3, 25)
    names = {
        lang: [weekday_name(lang, monday + timedelta(days=i)) for i in range(7)] for lang in ("nl", "en")
    }
    assert names["nl"] == ["ma", "di", "wo", "do", "vr", "za", "zo"]
    assert names["en"] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


# ----- entries as JSON -----------------------------------------------------------------------------------


@settings(max_examples=300)
@given(journals)
@example(
    [
        Entry(
            datetime(2024, 10, 27, 2, 30, 0, 1, tzinfo=timezone(timedelta(hours=2))),
            "break",
            {"outcome": "done"},
        )
    ]
)
def test_the_json_round_trip_is_exact(journal: list[Entry]) -> None:
    data = entries_to_json(journal)
    text = json.dumps(data, ensure_ascii=False)
    back = entries_from_json(json.loads(text))
    assert back == journal
    for before, after in zip(journal, back, strict=True):
        # == on aware times compares moments; the wall time and the offset must be kept as well.
        assert after.at.replace(tzinfo=None) == before.at.replace(tzinfo=None)
        assert after.at.utcoffset() == before.at.utcoffset()
        assert dict(after.detail) == dict(before.detail)
    assert entries_to_json(back) == data


def test_json_looks_like_the_journal_says() -> None:
    entry = Entry(
        datetime(2024, 5, 6, 9, 30, tzinfo=timezone(timedelta(hours=2))), "break", {"outcome": "done"}
    )
    assert entries_to_json([entry]) == [
        {"at": "2024-05-06T09:30:00+02:00", "kind": "break", "detail": {"outcome": "done"}}
    ]
    # detail may be left out: an entry with nothing more to say
    assert entries_from_json([{"at": "2024-05-06T09:30:00+02:00", "kind": "routine"}])[0].detail == {}


def test_the_json_is_a_copy_not_a_view() -> None:
    answers = {"breath": "calm", "signals": ["sigh"]}
    entry = Entry(datetime(2024, 5, 6, 9, 30, tzinfo=timezone.utc), "checkin", answers)
    data = entries_to_json([entry])
    data[0]["detail"]["signals"].append("shoulders")
    assert entry.detail["signals"] == ["sigh"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"at": "x"}, "the entries must be a JSON list"),
        (["x"], "entry 1: an entry must be a JSON object"),
        ([{"kind": "break"}], "entry 1: 'at' is missing"),
        ([{"at": "2024-05-06T09:30:00+02:00"}], "entry 1: 'kind' is missing"),
        ([{"at": 5, "kind": "break"}], "entry 1: 'at' must be a string"),
        ([{"at": "yesterday", "kind": "routine"}], "entry 1: 'at' is not an ISO 8601 time: 'yesterday'"),
        ([{"at": "2024-05-06T09:30:00", "kind": "routine"}], "entry 1: 'at' must carry its offset"),
        (
            [
                {"at": "2024-05-06T09:30:00+02:00", "kind": "routine"},
                {"at": "2024-05-06T09:30:00+02:00", "kind": "nap"},
            ],
            "entry 2: kind must be one of",
        ),
        ([{"at": "2024-05-06T09:30:00+02:00", "kind": "break", "detail": {}}], "entry 1: a break's outcome"),
        (
            [{"at": "2024-05-06T09:30:00+02:00", "kind": "break", "detail": []}],
            "entry 1: 'detail' must be a JSON object",
        ),
        ([{"at": "2024-05-06T09:30:00+02:00", "kind": 3}], "entry 1: 'kind' must be a string"),
        (
            [{"at": "2024-05-06T09:30:00+02:00", "kind": "routine", "when": 1}],
            "entry 1: unknown field 'when'",
        ),
    ],
)
def test_bad_json_says_which_entry_and_what(data: Any, message: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        entries_from_json(data)


def test_the_week_stays_pure() -> None:
    """The week and its JSON belong to the core: no toolkit, no image library (a fresh interpreter)."""
    script = (
        "import sys, rustlamp.core.week, rustlamp.core.entries_json\n"
        "print(sorted(m for m in ('PIL', 'tkinter', '_tkinter', 'asyncio') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
