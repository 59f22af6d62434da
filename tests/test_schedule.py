"""When reminders and routines come: worked examples, DST both ways, and properties over random settings.

The property tests compare the schedule with a small independent model (`Model` below) written straight
from the rules: windows as UTC intervals, touching or overlapping windows merged into stretches, and the
pytestmark = pytest.mark.windows

reminder rule applied to those. The model converts wall times with its own gap/fold logic instead of
`local_instant`, so a mistake in one is not copied into the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustlamp.core.config import EVERY_DAY, WORKDAYS, Reminders, Routine
from rustlamp.core.schedule import Event, Schedule, local_instant, to_utc

UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
NY = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
CHATHAM = ZoneInfo("Pacific/Chatham")
ZONE_KEYS = (
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
)
ZONES = tuple(ZoneInfo(k) for k in ZONE_KEYS)

MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def schedule(
    every: timedelta = timedelta(minutes=45),
    start: time = time(9),
    end: time = time(17, 30),
    days: frozenset[int] | set[int] = WORKDAYS,
    routines: tuple[Routine, ...] = (),
    zone: tzinfo = AMS,
) -> Schedule:
    return Schedule(Reminders(every, start, end, frozenset(days)), routines, zone)


def at(zone: tzinfo, *fields: int, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)  # type: ignore[misc]


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def reminders(events: list[Event]) -> list[datetime]:
    return [e.at for e in events if e.kind == "reminder"]


def same_instants(got: list[datetime] | datetime | None, expected: list[datetime] | datetime | None) -> bool:
    """Compare by the instant *and* the wall clock shown (offset included); == on aware datetimes that share a
    zone compares wall fields only and would call 02:30+02:00 and 02:30+01:00 equal."""

    def key(m: datetime | None) -> tuple[datetime, str] | None:
        return None if m is None else (utc(m), m.isoformat())

    if isinstance(got, list) and isinstance(expected, list):
        return [key(m) for m in got] == [key(m) for m in expected]
    assert not isinstance(got, list) and not isinstance(expected, list)
    return key(got) == key(expected)


# --- a normal workday (Europe/Amsterdam, Monday 2026-06-01) -------------------------------------------


def test_a_normal_workday() -> None:
    s = schedule()
    events = s.plan(at(AMS, 2026, 6, 1, 8, 0), 12)
    times = [f"{e.at:%a %H:%M}" for e in events]
    assert times == [
        "Mon 09:45", "Mon 10:30", "Mon 11:15", "Mon 12:00", "Mon 12:45", "Mon 13:30",
        "Mon 14:15", "Mon 15:00", "Mon 15:45", "Mon 16:30", "Mon 17:15", "Tue 09:45",
    ]  # fmt: skip
    assert all(e.kind == "reminder" and e.name == "" for e in events)
    assert all(e.at.tzinfo is AMS for e in events)


def test_a_rest_inside_the_window_counts_from_the_rest() -> None:
    s = schedule()
    assert s.next_reminder(at(AMS, 2026, 6, 1, 10, 7, 30)) == at(AMS, 2026, 6, 1, 10, 52, 30)
    # the anchor exactly at the window start
    assert s.next_reminder(at(AMS, 2026, 6, 1, 9, 0)) == at(AMS, 2026, 6, 1, 9, 45)
    # the last reminder that fits ends just before the end
    assert s.next_reminder(at(AMS, 2026, 6, 1, 16, 44, 59)) == at(AMS, 2026, 6, 1, 17, 29, 59)
    # at the end exactly it does not fit (end exclusive) and moves to the next day's start + every
    assert s.next_reminder(at(AMS, 2026, 6, 1, 16, 45)) == at(AMS, 2026, 6, 2, 9, 45)


def test_active_hours_bounds() -> None:
    s = schedule()
    assert not s.is_active(at(AMS, 2026, 6, 1, 8, 59, 59))
    assert s.is_active(at(AMS, 2026, 6, 1, 9, 0))
    assert s.is_active(at(AMS, 2026, 6, 1, 17, 29, 59))
    assert not s.is_active(at(AMS, 2026, 6, 1, 17, 30))
    assert not s.is_active(at(AMS, 2026, 6, 6, 12, 0))  # Saturday
    # the same instant given in another zone means the same thing
    assert s.is_active(at(AMS, 2026, 6, 1, 9, 0).astimezone(NY))


def test_the_weekend_is_skipped() -> None:
    s = schedule()
    assert s.next_reminder(at(AMS, 2026, 6, 5, 17, 0)) == at(AMS, 2026, 6, 8, 9, 45)  # Fri -> Mon
    assert s.next_reminder(at(AMS, 2026, 6, 6, 12, 0)) == at(AMS, 2026, 6, 8, 9, 45)  # Sat -> Mon


def test_every_longer_than_the_window_gives_none() -> None:
    assert schedule(every=timedelta(hours=8, minutes=31)).next_reminder(at(AMS, 2026, 6, 1, 8)) is None
    # end exclusive: exactly as long as the window does not fit either
    assert schedule(every=timedelta(hours=8, minutes=30)).next_reminder(at(AMS, 2026, 6, 1, 8)) is None
    one_less = schedule(every=timedelta(hours=8, minutes=29))
    assert one_less.next_reminder(at(AMS, 2026, 6, 1, 8)) == at(AMS, 2026, 6, 1, 17, 29)
    assert schedule(every=timedelta(hours=9)).plan(at(AMS, 2026, 6, 1, 8), 5) == []


def test_no_days_means_no_reminders_but_routines_still_come() -> None:
    tea = Routine("tea", time(15))
    s = schedule(days=set(), routines=(tea,))
    assert s.next_reminder(at(AMS, 2026, 6, 1, 8)) is None
    assert not s.is_active(at(AMS, 2026, 6, 1, 12))
    assert [(e.kind, f"{e.at:%d %H:%M}") for e in s.plan(at(AMS, 2026, 6, 1, 8), 2)] == [
        ("routine", "01 15:00"),
        ("routine", "02 15:00"),
    ]


# --- windows across midnight and joined windows ----------------------------------------------------------


def test_a_window_crossing_midnight() -> None:
    s = schedule(every=3 * HOUR, start=time(22), end=time(6), days=EVERY_DAY)
    events = s.plan(at(AMS, 2026, 6, 1, 23, 0), 4)
    assert [f"{e.at:%d %H:%M}" for e in events] == ["02 02:00", "02 05:00", "03 01:00", "03 04:00"]
    assert s.is_active(at(AMS, 2026, 6, 2, 5, 59))
    assert not s.is_active(at(AMS, 2026, 6, 2, 6, 0))
    assert s.is_active(at(AMS, 2026, 6, 2, 22, 0))


def test_a_window_crossing_midnight_belongs_to_the_day_it_starts() -> None:
    s = schedule(every=HOUR, start=time(22), end=time(6), days={FRI})
    assert s.is_active(at(AMS, 2026, 6, 6, 1, 0))  # Saturday night, Friday's window
    assert not s.is_active(at(AMS, 2026, 6, 5, 1, 0))  # Friday night: Thursday's window is off
    assert not s.is_active(at(AMS, 2026, 6, 6, 23, 0))  # Saturday's window is off
    assert s.next_reminder(at(AMS, 2026, 6, 1, 12)) == at(AMS, 2026, 6, 5, 23, 0)
    assert s.next_reminder(at(AMS, 2026, 6, 6, 5, 30)) == at(AMS, 2026, 6, 12, 23, 0)


def test_all_day_windows_join_across_midnight() -> None:
    s = schedule(start=time(0), end=time(0), days=EVERY_DAY)
    assert s.next_reminder(at(AMS, 2026, 6, 1, 23, 50)) == at(AMS, 2026, 6, 2, 0, 35)
    assert all(s.is_active(at(AMS, 2026, 6, 1, h, m)) for h in range(24) for m in (0, 59))


def test_all_day_windows_join_only_on_consecutive_days() -> None:
    # Monday 09:00 to Wednesday 09:00 is one stretch; then nothing until next Monday
    s = schedule(start=time(9), end=time(9), days={MON, TUE})
    assert s.next_reminder(at(AMS, 2026, 6, 2, 8, 50)) == at(AMS, 2026, 6, 2, 9, 35)  # across Tuesday 09:00
    assert s.next_reminder(at(AMS, 2026, 6, 3, 8, 30)) == at(AMS, 2026, 6, 8, 9, 45)  # would pass the end
    assert s.next_reminder(at(AMS, 2026, 6, 3, 8, 14, 59)) == at(AMS, 2026, 6, 3, 8, 59, 59)
    assert s.is_active(at(AMS, 2026, 6, 2, 9, 0))
    assert not s.is_active(at(AMS, 2026, 6, 3, 9, 0))


def test_every_of_a_day_fits_only_a_joined_stretch() -> None:
    s = schedule(every=24 * HOUR, start=time(0), end=time(0), days={MON, TUE})
    assert s.next_reminder(at(AMS, 2026, 6, 1, 0, 0)) == at(AMS, 2026, 6, 2, 0, 0)
    alone = schedule(every=24 * HOUR, start=time(0), end=time(0), days={MON, WED})
    assert alone.next_reminder(at(AMS, 2026, 6, 1, 0, 0)) is None


# --- routines -----------------------------------------------------------------------------------------


def test_a_routine_comes_on_its_days_only() -> None:
    walk = Routine("walk", time(12), frozenset({SAT}))
    s = schedule(days=set(), routines=(walk,))
    events = s.plan(at(AMS, 2026, 6, 1, 8), 3)
    assert [f"{e.at:%a %d %H:%M}" for e in events] == ["Sat 06 12:00", "Sat 13 12:00", "Sat 20 12:00"]
    assert all(e == Event(e.at, "routine", "walk") for e in events)


def test_routines_ignore_active_hours_and_interleave_with_reminders() -> None:
    night = Routine("night", time(3))
    lunch = Routine("lunch", time(12), frozenset({MON}))
    off = Routine("off", time(10), enabled=False)
    s = schedule(every=2 * HOUR, routines=(night, lunch, off))
    events = s.plan(at(AMS, 2026, 6, 1, 8), 8)
    assert [(e.kind, e.name, f"{e.at:%d %H:%M}") for e in events] == [
        ("reminder", "", "01 11:00"),
        ("routine", "lunch", "01 12:00"),
        ("reminder", "", "01 13:00"),
        ("reminder", "", "01 15:00"),
        ("reminder", "", "01 17:00"),
        ("routine", "night", "02 03:00"),
        ("reminder", "", "02 11:00"),
        ("reminder", "", "02 13:00"),
    ]


def test_a_routine_at_the_same_moment_as_a_reminder_both_come() -> None:
    s = schedule(every=HOUR, routines=(Routine("tea", time(10)),))
    events = s.plan(at(AMS, 2026, 6, 1, 9), 2)
    assert [(e.kind, e.name) for e in events] == [("reminder", ""), ("routine", "tea")]
    assert events[0].at == events[1].at


def test_next_routine_is_strictly_after() -> None:
    tea = Routine("tea", time(10))
    s = schedule(routines=(tea,))
    assert s.next_routine(tea, at(AMS, 2026, 6, 1, 10)) == at(AMS, 2026, 6, 2, 10)
    assert s.next_routine(tea, at(AMS, 2026, 6, 1, 9, 59, 59)) == at(AMS, 2026, 6, 1, 10)
    assert s.next_routine(Routine("x", time(1), frozenset()), at(AMS, 2026, 6, 1)) is None
    assert s.next_routine(Routine("x", time(1), enabled=False), at(AMS, 2026, 6, 1)) is None


def test_plan_until_stops_before_the_limit() -> None:
    s = schedule(routines=(Routine("tea", time(10)),))
    anchor = at(AMS, 2026, 6, 1, 8)
    full = s.plan(anchor, 50)
    limit = at(AMS, 2026, 6, 2, 10)
    assert s.plan(anchor, 50, until=limit) == [e for e in full if utc(e.at) < utc(limit)]
    assert s.plan(anchor, 0) == []


# --- snooze and "not today" ------------------------------------------------------------------------------


def test_snooze_inside_active_hours() -> None:
    s = schedule()
    assert s.snooze_until(at(AMS, 2026, 6, 1, 10, 0), timedelta(minutes=10)) == at(AMS, 2026, 6, 1, 10, 10)
    # a snooze may bring a reminder sooner than `every`
    assert s.snooze_until(at(AMS, 2026, 6, 1, 10, 0), timedelta(seconds=10)) == at(AMS, 2026, 6, 1, 10, 0, 10)
    # it may also land in the next day's window
    long = schedule(start=time(22), end=time(6), days=EVERY_DAY)
    assert long.snooze_until(at(AMS, 2026, 6, 1, 23), 2 * HOUR) == at(AMS, 2026, 6, 2, 1)


def test_snooze_outside_active_hours_moves_to_the_next_start_plus_every() -> None:
    s = schedule()
    assert s.snooze_until(at(AMS, 2026, 6, 1, 17, 25), timedelta(minutes=10)) == at(AMS, 2026, 6, 2, 9, 45)
    assert s.snooze_until(at(AMS, 2026, 6, 1, 17, 20), timedelta(minutes=10)) == at(AMS, 2026, 6, 2, 9, 45)
    assert s.snooze_until(at(AMS, 2026, 6, 5, 17, 0), HOUR) == at(AMS, 2026, 6, 8, 9, 45)  # Friday -> Monday
    # exactly at the end is outside (end exclusive)
    assert s.snooze_until(at(AMS, 2026, 6, 1, 17, 0), timedelta(minutes=30)) == at(AMS, 2026, 6, 2, 9, 45)
    # before the window opens: the window's start + every, not the end of the snooze
    assert s.snooze_until(at(AMS, 2026, 6, 1, 7, 0), timedelta(minutes=10)) == at(AMS, 2026, 6, 1, 9, 45)


def test_rest_of_today() -> None:
    s = schedule()
    assert s.rest_of_today_until(at(AMS, 2026, 6, 1, 10)) == at(AMS, 2026, 6, 2, 9, 45)
    assert s.rest_of_today_until(at(AMS, 2026, 6, 1, 7)) == at(AMS, 2026, 6, 2, 9, 45)
    assert s.rest_of_today_until(at(AMS, 2026, 6, 5, 10)) == at(AMS, 2026, 6, 8, 9, 45)  # Friday -> Monday
    assert s.rest_of_today_until(at(AMS, 2026, 6, 6, 10)) == at(AMS, 2026, 6, 8, 9, 45)  # Saturday -> Monday
    assert schedule(days=set()).rest_of_today_until(at(AMS, 2026, 6, 1, 10)) is None
    all_day = schedule(start=time(0), end=time(0), days=EVERY_DAY)
    assert all_day.rest_of_today_until(at(AMS, 2026, 6, 1, 23, 59)) == at(AMS, 2026, 6, 2, 0, 45)


# --- DST, both ways -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "routine_at", "day_before", "shown"),
    [
        # Amsterdam 2026-03-29: 02:00 CET -> 03:00 CEST; New York 2026-03-08: 02:00 EST -> 03:00 EDT
        (AMS, time(2, 30), date(2026, 3, 28), "03:30+02:00"),
        (NY, time(2, 30), date(2026, 3, 7), "03:30-04:00"),
        (AMS, time(2, 0), date(2026, 3, 28), "03:00+02:00"),
        # Lord Howe 2026-10-04: 02:00 +10:30 -> 02:30 +11:00 (a 30-minute gap)
        (LORD_HOWE, time(2, 15), date(2026, 10, 3), "02:45+11:00"),
        # Chatham 2026-09-27: 02:45 +12:45 -> 03:45 +13:45
        (CHATHAM, time(3, 0), date(2026, 9, 26), "04:00+13:45"),
    ],
)
def test_a_routine_in_the_spring_forward_gap_comes_once_moved_forward_by_the_gap(
    zone: ZoneInfo, routine_at: time, day_before: date, shown: str
) -> None:
    s = schedule(days=set(), routines=(Routine("r", routine_at),), zone=zone)
    events = s.plan(datetime.combine(day_before, time(12), zone), 3)
    local = [e.at.astimezone(zone) for e in events]
    assert [m.date() - day_before for m in local] == [DAY, 2 * DAY, 3 * DAY]
    assert local[0].isoformat(timespec="minutes")[11:] == shown
    assert local[1].time() == routine_at and local[2].time() == routine_at


@pytest.mark.parametrize(
    ("zone", "routine_at", "day", "first_offset"),
    [
        (AMS, time(2, 30), date(2026, 10, 25), timedelta(hours=2)),  # 03:00 CEST -> 02:00 CET
        (NY, time(1, 30), date(2026, 11, 1), timedelta(hours=-4)),  # 02:00 EDT -> 01:00 EST
        (LORD_HOWE, time(1, 45), date(2026, 4, 5), timedelta(hours=11)),  # 02:00 +11 -> 01:30 +10:30
        (CHATHAM, time(3, 0), date(2026, 4, 5), timedelta(hours=13, minutes=45)),
    ],
)
def test_a_routine_in_the_repeated_hour_comes_once_the_first_time(
    zone: ZoneInfo, routine_at: time, day: date, first_offset: timedelta
) -> None:
    s = schedule(days=set(), routines=(Routine("r", routine_at),), zone=zone)
    events = s.plan(datetime.combine(day - DAY, time(12), zone), 3)
    local = [e.at.astimezone(zone) for e in events]
    assert [m.date() for m in local] == [day, day + DAY, day + 2 * DAY]
    assert local[0].time() == routine_at
    assert local[0].utcoffset() == first_offset
    assert local[0].fold == 0
    # asking again from between the two occurrences does not give the second one
    between = utc(local[0]) + timedelta(minutes=40)
    assert utc(s.next_routine(s.routines[0], between)) == utc(local[1])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("zone", "day", "hours"),
    [
        (AMS, date(2026, 10, 25), 25),
        (AMS, date(2026, 3, 29), 23),
        (NY, date(2026, 11, 1), 25),
        (NY, date(2026, 3, 8), 23),
        (LORD_HOWE, date(2026, 4, 5), 24.5),
        (LORD_HOWE, date(2026, 10, 4), 23.5),
    ],
)
def test_an_all_day_schedule_counts_elapsed_hours_across_a_change(
    zone: ZoneInfo, day: date, hours: float
) -> None:
    s = schedule(every=30 * MIN, start=time(0), end=time(0), days=EVERY_DAY, zone=zone)
    start = datetime.combine(day, time(0), zone)
    events = s.plan(start, 60)
    gaps = {utc(b.at) - utc(a.at) for a, b in pairwise(events)}
    assert gaps == {30 * MIN}
    assert utc(events[0].at) - utc(start) == 30 * MIN
    on_the_day = [e for e in events if e.at.astimezone(zone).date() == day]
    assert len(on_the_day) == hours * 2 - 1  # every half hour from 00:30 until the last before midnight
    assert len({utc(e.at) for e in events}) == len(events)  # the repeated hour gives no duplicates


def test_hourly_all_day_across_fall_back_is_exactly_an_hour_apart() -> None:
    s = schedule(every=HOUR, start=time(0), end=time(0), days=EVERY_DAY)
    events = s.plan(at(AMS, 2026, 10, 25, 0, 0), 6)
    assert [e.at.isoformat()[11:] for e in events] == [
        "01:00:00+02:00", "02:00:00+02:00", "02:00:00+01:00", "03:00:00+01:00", "04:00:00+01:00",
        "05:00:00+01:00",
    ]  # fmt: skip
    assert {utc(b.at) - utc(a.at) for a, b in pairwise(events)} == {HOUR}


def test_a_window_with_its_start_in_the_gap_opens_after_the_gap() -> None:
    s = schedule(every=HOUR, start=time(2, 30), end=time(12), days=EVERY_DAY)
    first = s.next_reminder(at(AMS, 2026, 3, 29, 0, 0))
    assert same_instants(first, at(AMS, 2026, 3, 29, 4, 30))
    assert not s.is_active(at(AMS, 2026, 3, 29, 3, 15))
    assert s.is_active(at(AMS, 2026, 3, 29, 3, 30))


def test_a_window_inside_the_repeated_hour_uses_its_first_occurrence() -> None:
    # 02:00-02:50 on the fall-back day: the first 02:00-02:50 (CEST) only
    s = schedule(every=20 * MIN, start=time(2), end=time(2, 50), days={SUN})
    events = s.plan(at(AMS, 2026, 10, 25, 0, 0), 2)
    assert [e.at.isoformat()[11:] for e in events] == ["02:20:00+02:00", "02:40:00+02:00"]
    assert not s.is_active(at(AMS, 2026, 10, 25, 2, 10, fold=1))


def test_a_window_in_the_gap_moves_forward_by_the_gap() -> None:
    s = schedule(every=10 * MIN, start=time(2, 10), end=time(2, 50), days={SUN})
    # 2026-03-29: 02:10-02:50 does not exist; both bounds move forward by the hour
    assert same_instants(s.next_reminder(at(AMS, 2026, 3, 29, 0, 0)), at(AMS, 2026, 3, 29, 3, 20))
    assert s.is_active(at(AMS, 2026, 3, 29, 3, 49)) and not s.is_active(at(AMS, 2026, 3, 29, 3, 50))


def test_a_window_swallowed_by_the_gap_gives_nothing_that_day() -> None:
    # 02:30 moves to 03:30, after the end 03:15: by the gap rule the window is empty that Sunday
    s = schedule(every=10 * MIN, start=time(2, 30), end=time(3, 15), days={SUN})
    assert same_instants(s.next_reminder(at(AMS, 2026, 3, 29, 0, 0)), at(AMS, 2026, 4, 5, 2, 40))
    assert not s.is_active(at(AMS, 2026, 3, 29, 3, 10))


def test_every_event_shows_a_wall_time_that_exists() -> None:
    s = schedule(
        every=25 * MIN, start=time(0), end=time(0), days=EVERY_DAY, routines=(Routine("r", time(2, 30)),)
    )
    for event in s.plan(at(AMS, 2026, 3, 28, 22, 0), 40) + s.plan(at(AMS, 2026, 10, 24, 22, 0), 40):
        assert_wall_time_exists(event.at, AMS)


def test_events_compare_by_instant() -> None:
    first = Event(datetime(2026, 10, 25, 0, 30, tzinfo=UTC).astimezone(AMS), "reminder")
    second = Event(datetime(2026, 10, 25, 1, 30, tzinfo=UTC).astimezone(AMS), "reminder")
    between = Event(datetime(2026, 10, 25, 1, 10, tzinfo=UTC).astimezone(AMS), "reminder")
    assert first != second
    assert sorted([between, first]) == [first, between]


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError):
        schedule().next_reminder(datetime(2026, 6, 1, 9))
    with pytest.raises(ValueError):
        to_utc(datetime(2026, 6, 1, 9))


# --- the model ------------------------------------------------------------------------------------------


def assert_wall_time_exists(moment: datetime, zone: tzinfo) -> None:
    local = moment.astimezone(zone)
    again = datetime.combine(local.date(), local.time(), zone).replace(fold=local.fold)
    assert utc(again) == utc(moment), f"{local.isoformat()} does not exist or is ambiguous"
    assert again.utcoffset() == local.utcoffset()


@lru_cache(maxsize=100_000)
def wall_to_utc(day: date, wall: time, zone: tzinfo) -> datetime:
    """The instant a wall time names, by trying the offsets in force around it: the earliest one that reads
    back as the same wall time; for a wall time that does not exist, the offset from before the gap (so it
    lands as far after the gap as it was after the gap's start)."""
    naive = datetime.combine(day, wall)
    before = (naive - DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
    after = (naive + DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
    assert before is not None and after is not None
    candidates = sorted(
        (naive - offset).replace(tzinfo=UTC)
        for offset in {before, after}
        if (naive - offset).replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None, fold=0) == naive
    )
    if candidates:
        return candidates[0]
    return (naive - before).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Model:
    every: timedelta
    start: time
    end: time
    days: frozenset[int]
    routines: tuple[Routine, ...]
    zone: tzinfo

    @classmethod
    def of(cls, s: Schedule) -> Model:
        r = s.reminders
        return cls(r.every, r.start, r.end, r.days, s.routines, s.zone)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.zone).date()

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.days:
            return None
        begin = wall_to_utc(day, self.start, self.zone)
        finish = wall_to_utc(day + DAY if self.end <= self.start else day, self.end, self.zone)
        return (begin, finish) if finish > begin else None

    def is_active(self, moment: datetime) -> bool:
        moment = utc(moment)
        day = self.local_date(moment)
        windows = (self.window(day + k * DAY) for k in range(-2, 2))
        return any(w is not None and w[0] <= moment < w[1] for w in windows)

    def next_reminder(self, anchor: datetime, cap: int = 60, horizon_days: int = 440) -> datetime | None:
        """Merge windows that touch or overlap into stretches; the first stretch (of at most `cap` that end
        after the anchor) where max(anchor, start) + every comes before the end."""
        anchor = utc(anchor)
        first = self.local_date(anchor) - 2 * DAY
        stretch: list[datetime] | None = None  # [start, end]
        counted = 0

        def fits(s: list[datetime]) -> datetime | None:
            due = max(anchor, s[0]) + self.every
            return due if s[1] > anchor and due < s[1] else None

        for k in range(horizon_days):
            w = self.window(first + k * DAY)
            if w is None:
                continue
            if stretch is not None and w[0] <= stretch[1]:
                stretch[1] = max(stretch[1], w[1])
            else:
                if stretch is not None and stretch[1] > anchor:
                    counted += 1
                    if counted >= cap:
                        return None
                stretch = [w[0], w[1]]
            if stretch[1] > anchor and counted < cap and (due := fits(stretch)) is not None:
                return due
        raise AssertionError("model horizon too short")

    def next_routine(self, routine: Routine, after: datetime) -> datetime | None:
        if not routine.enabled or not routine.days:
            return None
        after = utc(after)
        day = self.local_date(after) - DAY
        for k in range(10):
            d = day + k * DAY
            if d.weekday() in routine.days and (moment := wall_to_utc(d, routine.at, self.zone)) > after:
                return moment
        raise AssertionError("unreachable")

    def plan(self, anchor: datetime, count: int) -> list[tuple[datetime, str, str]]:
        out: list[tuple[datetime, str, str]] = []
        reminder = self.next_reminder(anchor)
        routine_next = {r.name: (r, self.next_routine(r, anchor)) for r in self.routines}
        while len(out) < count:
            options = [(t, "routine", n) for n, (_, t) in routine_next.items() if t is not None]
            if reminder is not None:
                options.append((reminder, "reminder", ""))
            if not options:
                break
            chosen = min(options)
            out.append(chosen)
            if chosen[1] == "reminder":
                reminder = self.next_reminder(chosen[0])
            else:
                r = routine_next[chosen[2]][0]
                routine_next[chosen[2]] = (r, self.next_routine(r, chosen[0]))
        return out

    def snooze_until(self, now: datetime, delay: timedelta) -> datetime | None:
        target = utc(now) + delay
        return target if self.is_active(target) else self.next_reminder(target)


def test_the_model_converts_wall_times_like_the_rules_say() -> None:
    assert wall_to_utc(date(2026, 3, 29), time(2, 30), AMS) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert wall_to_utc(date(2026, 10, 25), time(2, 30), AMS) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert wall_to_utc(date(2026, 10, 4), time(2, 15), LORD_HOWE) == datetime(2026, 10, 3, 15, 45, tzinfo=UTC)
    for zone in ZONES:
        for day in (
            date(2026, 3, 8),
            date(2026, 3, 29),
            date(2026, 10, 25),
            date(2026, 11, 1),
            date(2026, 4, 5),
        ):
            for minute in range(0, 24 * 60, 15):
                wall = time(minute // 60, minute % 60)
                assert local_instant(day, wall, zone) == wall_to_utc(day, wall, zone), (zone, day, wall)


# --- strategies -------------------------------------------------------------------------------------------


def _transitions(zone: ZoneInfo) -> list[datetime]:
    """UTC instants in 2026-2030 where the zone's offset changes, to the minute."""
    found = []
    step = datetime(2026, 1, 1, tzinfo=UTC)
    while step.year < 2031:
        nxt = step + DAY
        if step.astimezone(zone).utcoffset() != nxt.astimezone(zone).utcoffset():
            low, high = step, nxt
            while high - low > MIN:
                mid = low + (high - low) / 2
                if mid.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = mid
                else:
                    high = mid
            found.append(high.replace(second=0, microsecond=0))
        step = nxt
    return found


TRANSITIONS = {key: _transitions(zone) for key, zone in zip(ZONE_KEYS, ZONES, strict=True)}
DST_ZONES = [k for k in ZONE_KEYS if TRANSITIONS[k]]
assert set(DST_ZONES) == {"Europe/Amsterdam", "America/New_York", "Australia/Lord_Howe", "Pacific/Chatham"}

# wall times around where the zones change (02:00, 02:30, 01:30, 02:45, 03:45) and some ordinary ones
SPECIAL_TIMES = [
    time(h, m)
    for h, m in [(0, 0), (1, 0), (1, 30), (1, 59), (2, 0), (2, 15), (2, 30), (2, 45), (3, 0), (3, 15),
                 (3, 45), (9, 0), (17, 30), (22, 0), (23, 59)]
]  # fmt: skip
WALL_TIMES = st.one_of(
    st.sampled_from(SPECIAL_TIMES),
    st.integers(0, 24 * 60 - 1).map(lambda m: time(m // 60, m % 60)),
    st.integers(0, 24 * 12 - 1).map(lambda m: time(m // 12, m % 12 * 5)),
)
EVERY = st.one_of(
    st.sampled_from(
        [10, 60, 300, 1800, 2700, 3600, 5400, 7200, 4 * 3600, 8 * 3600, 12 * 3600, 23 * 3600, 86400]
    ),
    st.integers(10, 86400),
    st.integers(1, 1440).map(lambda m: m * 60),
).map(lambda s: timedelta(seconds=s))
DAY_SETS = st.one_of(
    st.frozensets(st.integers(0, 6), min_size=1),
    st.sampled_from([WORKDAYS, EVERY_DAY, frozenset({SUN}), frozenset({SAT, SUN})]),
)
ROUTINES = st.lists(
    st.builds(
        Routine,
        name=st.sampled_from(["a", "b", "c", "tea"]),
        at=WALL_TIMES,
        days=DAY_SETS,
        enabled=st.sampled_from([True, True, True, False]),
    ),
    max_size=3,
    unique_by=lambda r: r.name,
).map(tuple)


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    return schedule(
        every=draw(EVERY),
        start=draw(WALL_TIMES),
        end=draw(WALL_TIMES),
        days=draw(DAY_SETS),
        routines=draw(ROUTINES),
        zone=ZoneInfo(draw(st.sampled_from(ZONE_KEYS))),
    )


@st.composite
def moments(draw: st.DrawFn, s: Schedule) -> datetime:
    """Instants in 2026-2030, a good share of them within days of a DST change (both ways) or right at a
    window bound, given in the schedule's zone."""
    zone = s.zone
    key = getattr(zone, "key", "UTC")
    kind = draw(st.sampled_from(["anywhere", "near a change", "near a change", "at a bound"]))
    if kind == "near a change" and TRANSITIONS.get(key):
        change = draw(st.sampled_from(TRANSITIONS[key]))
        offset = draw(
            st.one_of(
                st.integers(-3 * 86400, 3 * 86400),
                st.integers(-180, 180).map(lambda m: m * 60),
            )
        )
        moment = change + timedelta(seconds=offset)
    elif kind == "at a bound":
        day = draw(st.dates(date(2026, 1, 1), date(2030, 12, 30)))
        wall = draw(st.sampled_from([s.reminders.start, s.reminders.end, *SPECIAL_TIMES[:9]]))
        nudge = draw(st.sampled_from([0, 0, -1, 1, -60, 60, -s.reminders.every.total_seconds()]))
        moment = utc(datetime.combine(day, wall, zone)) + timedelta(seconds=nudge)
    else:
        moment = draw(st.datetimes(datetime(2026, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC)))
    return moment.astimezone(zone)


# --- properties -------------------------------------------------------------------------------------------

PLAN_LENGTH = 10


def wall_exists(day: date, wall: time, zone: tzinfo) -> bool:
    return wall_to_utc(day, wall, zone).astimezone(zone).replace(tzinfo=None) == datetime.combine(day, wall)


def check_plan(s: Schedule, anchor: datetime, events: list[Event]) -> None:
    zone, every, model = s.zone, s.reminders.every, Model.of(s)
    keys = [(utc(e.at), e.kind, e.name) for e in events]
    # ordered by the instant (a reminder before a routine at the same moment), no duplicates
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)
    assert all(t > utc(anchor) for t, _, _ in keys)
    for event in events:
        assert event.at.utcoffset() == event.at.astimezone(zone).utcoffset()
        assert_wall_time_exists(event.at, zone)

    previous = utc(anchor)
    for moment in (utc(e.at) for e in events if e.kind == "reminder"):
        assert s.is_active(moment) and model.is_active(moment)
        assert moment - previous >= every  # never sooner than `every` after the last one (or the anchor)
        from_previous = moment - every == previous
        opened = moment - every
        window = model.window(opened.astimezone(zone).date())
        from_window_start = window is not None and window[0] == opened and opened > previous
        assert from_previous or from_window_start, (previous, moment)
        previous = moment

    fired: set[tuple[str, date]] = set()
    by_name = {r.name: r for r in s.routines}
    for event in (e for e in events if e.kind == "routine"):
        routine = by_name[event.name]
        assert routine.enabled
        local = event.at.astimezone(zone)
        day = local.date()
        assert day.weekday() in routine.days
        assert (event.name, day) not in fired, f"{event.name} twice on {day}"
        fired.add((event.name, day))
        if wall_exists(day, routine.at, zone):
            assert local.time() == routine.at
            assert local.fold == 0 or not wall_exists_twice(day, routine.at, zone)
        else:  # in the gap: moved forward by the gap
            before = (
                (datetime.combine(day, routine.at) - DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
            )
            after = (datetime.combine(day, routine.at) + DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
            assert before is not None and after is not None and after > before
            assert local.replace(tzinfo=None) == datetime.combine(day, routine.at) + (after - before)

    expected = model.plan(anchor, PLAN_LENGTH)
    assert keys == expected[: len(keys)]
    assert len(keys) == min(len(expected), PLAN_LENGTH)


def wall_exists_twice(day: date, wall: time, zone: tzinfo) -> bool:
    naive = datetime.combine(day, wall)
    return utc(naive.replace(tzinfo=zone, fold=0)) != utc(naive.replace(tzinfo=zone, fold=1))


@settings(max_examples=400, deadline=None)
@given(st.data())
def test_plan_properties(data: st.DataObject) -> None:
    s = data.draw(schedules(), label="schedule")
    anchor = data.draw(moments(s), label="anchor")
    check_plan(s, anchor, s.plan(anchor, PLAN_LENGTH))


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_is_active_matches_the_windows(data: st.DataObject) -> None:
    s = data.draw(schedules(), label="schedule")
    moment = data.draw(moments(s), label="moment")
    assert s.is_active(moment) == Model.of(s).is_active(moment)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_next_reminder_matches_the_rules(data: st.DataObject) -> None:
    s = data.draw(schedules(), label="schedule")
    anchor = data.draw(moments(s), label="anchor")
    got = s.next_reminder(anchor)
    expected = Model.of(s).next_reminder(anchor)
    assert (None if got is None else utc(got)) == expected
    if got is not None:
        assert got.tzinfo is s.zone
        assert utc(got) - utc(anchor) >= s.reminders.every
    # a later rest never brings the reminder sooner
    later = utc(anchor) + timedelta(seconds=data.draw(st.integers(0, 3 * 86400), label="later by"))
    got_later = s.next_reminder(later)
    if got is not None and got_later is not None:
        assert utc(got_later) >= utc(got)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_snooze_lands_inside_active_hours(data: st.DataObject) -> None:
    s = data.draw(schedules(), label="schedule")
    now = data.draw(moments(s), label="now")
    delay = timedelta(
        seconds=data.draw(st.sampled_from([10, 300, 600, 1800, 3600, 86400]) | st.integers(10, 86400))
    )
    got = s.snooze_until(now, delay)
    assert (None if got is None else utc(got)) == Model.of(s).snooze_until(now, delay)
    if got is not None:
        assert s.is_active(got)
        assert utc(got) >= utc(now) + delay


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_rest_of_today_is_the_first_reminder_of_a_later_day(data: st.DataObject) -> None:
    s = data.draw(schedules(), label="schedule")
    now = data.draw(moments(s), label="now")
    got = s.rest_of_today_until(now)
    model = Model.of(s)
    today = now.astimezone(s.zone).date()
    first = next((w for k in range(1, 8) if (w := model.window(today + k * DAY)) is not None), None)
    if first is None:
        assert got is None
        return
    assert (None if got is None else utc(got)) == model.next_reminder(first[0])
    if got is not None:
        assert got.astimezone(s.zone).date() > today
