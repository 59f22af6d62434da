"""The running planner, driven by a fake clock: worked stories, then a state machine that plays the
runtime's loop (sleep until next_wake, call due) against random rests, snoozes, sleeps and clock jumps."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from rustlamp.core.clock import FakeClock
from rustlamp.core.config import EVERY_DAY, WORKDAYS, Reminders, Routine
from rustlamp.core.planner import LATE_GRACE, Planner
from rustlamp.core.schedule import Event, Schedule

pytestmark = pytest.mark.windows

UTC = timezone.utc
AMS = ZoneInfo("Europe/Amsterdam")
MIN = timedelta(minutes=1)
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
EVERY = timedelta(minutes=45)
BREAK = timedelta(minutes=5)


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def at(*fields: int, zone: tzinfo = AMS, fold: int = 0) -> datetime:
    return datetime(*fields, tzinfo=zone, fold=fold)  # type: ignore[misc]


def make_schedule(
    every: timedelta = EVERY,
    start: time = time(9),
    end: time = time(17, 30),
    days: frozenset[int] = WORKDAYS,
    routines: tuple[Routine, ...] = (),
    snooze: tuple[timedelta, ...] = (10 * MIN, 30 * MIN, HOUR),
    zone: tzinfo = AMS,
) -> Schedule:
    return Schedule(Reminders(every, start, end, days, snooze), routines, zone)


class Story:
    """A planner, a fake clock and the runtime's loop, for the worked examples."""

    def __init__(self, schedule: Schedule | None = None, now: datetime | None = None, brk: timedelta = BREAK):
        self.clock = FakeClock(now or at(2026, 6, 1, 10, 0))  # Monday
        self.planner = Planner.start(schedule or make_schedule(), brk, self.clock.now())

    def now(self) -> datetime:
        return self.clock.now()

    def wake(self) -> datetime:
        wake = self.planner.next_wake()
        assert wake is not None
        return wake

    def advance_to(self, moment: datetime) -> None:
        delta = utc(moment) - utc(self.clock.now())
        assert delta >= timedelta(0)
        self.clock.advance(delta)

    def next(self) -> list[Event]:
        """Sleep until next_wake and call due there, as the runtime does."""
        self.advance_to(self.wake())
        return self.planner.due(self.now())

    def sleep(self, gap: timedelta) -> bool:
        """Suspend: the wall clock moves, the process does not notice until it wakes."""
        last_seen = self.now()
        self.clock.jump(gap)
        return self.planner.woke(last_seen, self.now())

    def set_back(self, gap: timedelta) -> None:
        """Someone sets the wall clock back by `gap`."""
        self.clock.jump(-gap)
        self.planner.clock_set_back(self.now())


def kinds(events: list[Event]) -> list[tuple[str, str]]:
    return [(e.kind, e.name) for e in events]


# --- stories ------------------------------------------------------------------------------------------


def test_start_is_a_rest_moment() -> None:
    story = Story()
    assert story.wake() == at(2026, 6, 1, 10, 45)
    assert story.planner.next_reminder() == at(2026, 6, 1, 10, 45)


def test_due_at_next_wake_gives_exactly_one_reminder() -> None:
    story = Story()
    assert story.planner.due(at(2026, 6, 1, 10, 44, 59)) == []
    events = story.next()
    assert events == [Event(at(2026, 6, 1, 10, 45), "reminder")]
    assert events[0].at.tzinfo is AMS
    assert story.planner.due(story.now()) == []  # asking again at the same moment gives nothing


def test_a_reminder_nobody_acts_on_is_followed_by_the_next_every_later() -> None:
    story = Story()
    shown = []
    for _ in range(10):
        events = story.next()
        assert kinds(events) == [("reminder", "")]
        shown.append(f"{events[0].at:%a %H:%M}")
    assert shown == [
        "Mon 10:45", "Mon 11:30", "Mon 12:15", "Mon 13:00", "Mon 13:45", "Mon 14:30", "Mon 15:15",
        "Mon 16:00", "Mon 16:45", "Tue 09:45",
    ]  # fmt: skip


def test_rested_restarts_the_clock() -> None:
    story = Story()
    story.next()  # 10:45
    story.advance_to(at(2026, 6, 1, 11, 10))
    story.planner.rested(story.now())
    assert story.wake() == at(2026, 6, 1, 11, 55)
    assert story.planner.due(at(2026, 6, 1, 11, 30)) == []
    assert kinds(story.next()) == [("reminder", "")]
    assert story.now() == at(2026, 6, 1, 11, 55)


def test_a_check_in_is_a_rest_moment() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 30))
    story.planner.checked_in(story.now())
    assert story.planner.last_rest == utc(at(2026, 6, 1, 10, 30))
    assert story.wake() == at(2026, 6, 1, 11, 15)


def test_a_hurried_breath_may_bring_the_next_reminder_sooner() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 30))
    story.planner.checked_in(story.now(), timedelta(minutes=10))
    assert story.wake() == at(2026, 6, 1, 11, 5)
    assert story.planner.last_rest == utc(at(2026, 6, 1, 10, 30))  # the lamp still shows the rest


def test_sooner_is_at_most_half_of_every_so_a_reminder_never_comes_at_once() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 30))
    story.planner.checked_in(story.now(), timedelta(hours=5))
    assert story.wake() == at(2026, 6, 1, 10, 52, 30)


def test_snooze_moves_the_reminder() -> None:
    story = Story()
    story.next()  # 10:45
    assert story.planner.snooze(story.now(), 10 * MIN) == at(2026, 6, 1, 10, 55)
    assert story.wake() == at(2026, 6, 1, 10, 55)
    assert kinds(story.next()) == [("reminder", "")]
    assert story.wake() == at(2026, 6, 1, 11, 40)  # the snooze is used up; `every` after it
    # a snooze before the pending reminder moves it too, later or sooner
    story.advance_to(at(2026, 6, 1, 11, 0))
    assert story.planner.snooze(story.now(), HOUR) == at(2026, 6, 1, 12, 0)
    assert story.wake() == at(2026, 6, 1, 12, 0)


def test_snooze_out_of_active_hours_goes_to_the_next_window() -> None:
    story = Story(now=at(2026, 6, 5, 16, 0))  # Friday
    story.advance_to(at(2026, 6, 5, 17, 0))
    assert story.planner.snooze(story.now(), HOUR) == at(2026, 6, 8, 9, 45)  # Monday
    assert story.wake() == at(2026, 6, 8, 9, 45)


def test_not_today() -> None:
    story = Story()
    assert story.planner.snooze_rest_of_today(story.now()) == at(2026, 6, 2, 9, 45)
    assert story.wake() == at(2026, 6, 2, 9, 45)
    assert kinds(story.next()) == [("reminder", "")]
    assert story.wake() == at(2026, 6, 2, 10, 30)


def test_due_late_gives_one_reminder_never_a_stack() -> None:
    story = Story()
    story.clock.advance(4 * HOUR)  # the timer did not fire for four hours: 14:00
    events = story.planner.due(story.now())
    assert events == [Event(at(2026, 6, 1, 14, 0), "reminder")]
    assert story.wake() == at(2026, 6, 1, 14, 45)  # `every` after the one shown, never sooner


def test_a_reminder_due_outside_active_hours_is_dropped() -> None:
    story = Story(now=at(2026, 6, 1, 16, 30))
    story.clock.advance(2 * HOUR)  # the 17:15 reminder's timer fired only at 18:30
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 2, 9, 45)


def test_a_long_sleep_counts_as_rest() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 30))
    assert story.sleep(90 * MIN) is True  # 12:00
    assert story.planner.due(story.now()) == []  # no reminder right at the wake
    assert story.wake() == at(2026, 6, 1, 12, 45)


def test_a_sleep_exactly_as_long_as_a_break_counts_as_rest() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 42))
    assert story.sleep(BREAK) is True
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 11, 32)


def test_a_short_sleep_over_a_reminder_gives_one_reminder_at_wake_then_every_later() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 44))
    assert story.sleep(2 * MIN) is False  # 10:46, the 10:45 reminder was missed
    assert story.wake() <= story.now()
    assert story.planner.due(story.now()) == [Event(at(2026, 6, 1, 10, 46), "reminder")]
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 11, 31)


def test_a_short_sleep_over_a_snooze_gives_it_once_at_wake() -> None:
    story = Story()
    story.next()  # 10:45
    story.planner.snooze(story.now(), 10 * MIN)
    story.advance_to(at(2026, 6, 1, 10, 54))
    assert story.sleep(3 * MIN) is False  # 10:57, the 10:55 snooze ran out while asleep
    assert kinds(story.planner.due(story.now())) == [("reminder", "")]
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 11, 42)


def test_a_long_sleep_clears_a_snooze() -> None:
    story = Story()
    story.next()
    story.planner.snooze(story.now(), 10 * MIN)
    assert story.sleep(HOUR) is True  # 11:45
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 12, 30)


def test_a_backward_clock_jump_does_not_silence_reminders() -> None:
    # the clock was a year ahead when the app started, then got corrected
    story = Story(now=at(2027, 6, 1, 10, 0))
    story.set_back(utc(at(2027, 6, 1, 10)) - utc(at(2026, 6, 1, 10)))
    assert story.now() == at(2026, 6, 1, 10, 0)
    assert story.planner.last_rest == utc(story.now())  # the lamp starts calm, not a year cold
    assert story.wake() == at(2026, 6, 1, 10, 45)
    assert kinds(story.next()) == [("reminder", "")]


def test_a_small_backward_jump_restarts_the_clock() -> None:
    story = Story()
    story.advance_to(at(2026, 6, 1, 10, 30))
    rested = story.planner.last_rest
    story.set_back(10 * MIN)  # 10:20
    assert story.wake() == at(2026, 6, 1, 11, 5)
    assert story.planner.last_rest == rested  # not a rest: the last real one stays


def test_a_pause_holds_reminders_and_ends_by_itself_as_a_fresh_start() -> None:
    story = Story()  # Monday 10:00
    story.advance_to(at(2026, 6, 1, 10, 10))
    until = story.planner.pause(story.now(), HOUR)
    assert until == at(2026, 6, 1, 11, 10)
    assert story.wake() == at(2026, 6, 1, 11, 10)  # the pause's end: the lamp stops being dimmed
    assert story.next() == []
    assert story.planner.paused_until is None
    assert story.wake() == at(2026, 6, 1, 11, 55)
    assert kinds(story.next()) == [("reminder", "")]


def test_a_pause_until_tomorrow_waits_for_the_next_days_active_hours_and_silences_routines() -> None:
    tea = Routine("tea", time(16, 0))
    story = Story(make_schedule(routines=(tea,)))
    story.advance_to(at(2026, 6, 1, 14, 0))
    assert story.planner.pause(story.now(), None) == at(2026, 6, 2, 9, 0)
    events: list[Event] = []
    while story.wake() < at(2026, 6, 2, 9, 45):
        events += story.next()
    assert events == []  # the routine at 16:00 passed quietly
    assert kinds(story.next()) == [("reminder", "")]
    assert story.now() == at(2026, 6, 2, 9, 45)


def test_resume_ends_a_pause_now_and_the_next_reminder_is_every_later() -> None:
    story = Story()
    story.planner.pause(story.now(), 2 * HOUR)
    story.advance_to(at(2026, 6, 1, 10, 20))
    story.planner.resume(story.now())
    assert story.planner.paused_until is None
    assert story.wake() == at(2026, 6, 1, 11, 5)


def test_last_rest_stays_while_reminders_go_unanswered() -> None:
    story = Story()
    story.next()
    story.next()
    assert story.planner.last_rest == utc(at(2026, 6, 1, 10, 0))
    story.planner.rested(story.now())
    assert story.planner.last_rest == utc(story.now())


def test_a_routine_is_not_repeated_after_the_clock_is_set_back() -> None:
    tea = Routine("tea", time(12, 0))
    story = Story(make_schedule(days=frozenset(), routines=(tea,)))
    assert kinds(story.next()) == [("routine", "tea")]  # 12:00
    story.advance_to(at(2026, 6, 1, 12, 10))
    story.sleep(-40 * MIN)  # the clock is set back to 11:30
    assert story.wake() == at(2026, 6, 2, 12, 0)  # tomorrow's, not today's again


def test_a_routine_far_ahead_after_a_big_backward_jump_is_planned_afresh() -> None:
    tea = Routine("tea", time(12, 0))
    story = Story(make_schedule(days=frozenset(), routines=(tea,)), now=at(2027, 6, 1, 10, 0))
    story.sleep(-(utc(at(2027, 6, 1, 10)) - utc(at(2026, 6, 1, 10))))  # a year back
    assert story.wake() == at(2026, 6, 1, 12, 0)


def test_routines_come_at_their_time_and_once() -> None:
    tea = Routine("tea", time(12, 0))
    story = Story(make_schedule(every=3 * HOUR, routines=(tea,)))
    assert story.wake() == at(2026, 6, 1, 12, 0)
    assert story.next() == [Event(at(2026, 6, 1, 12, 0), "routine", "tea")]
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 13, 0)  # the reminder, every after the start
    assert kinds(story.next()) == [("reminder", "")]
    assert story.wake() == at(2026, 6, 1, 16, 0)


def test_a_routine_at_the_start_moment_comes() -> None:
    story = Story(make_schedule(routines=(Routine("tea", time(10, 0)),)))
    assert story.wake() == at(2026, 6, 1, 10, 0)
    assert kinds(story.planner.due(story.now())) == [("routine", "tea")]


def test_routines_missed_during_sleep_are_not_replayed() -> None:
    tea, lunch = Routine("tea", time(11, 0)), Routine("lunch", time(12, 30))
    story = Story(make_schedule(routines=(tea, lunch)))
    story.advance_to(at(2026, 6, 1, 10, 50))
    assert story.sleep(3 * HOUR) is True  # 13:50: both routines passed while asleep
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 1, 14, 35)  # the reminder; routines come tomorrow
    assert kinds(story.next()) == [("reminder", "")]
    while story.wake() < at(2026, 6, 2, 11, 0):
        assert ("routine", "tea") not in kinds(story.next())
    assert story.wake() == at(2026, 6, 2, 11, 0)


def test_a_routine_a_short_sleep_passed_over_is_not_replayed() -> None:
    tea = Routine("tea", time(11, 0))
    story = Story(make_schedule(days=frozenset(), routines=(tea,)))
    story.advance_to(at(2026, 6, 1, 10, 59))
    assert story.sleep(90 * timedelta(seconds=1)) is False  # 11:00:30, within the timer's grace
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 2, 11, 0)


def test_a_routine_the_timer_reached_too_late_is_dropped_a_little_late_still_comes() -> None:
    tea = Routine("tea", time(11, 0))
    story = Story(make_schedule(days=frozenset(), routines=(tea,)))
    story.clock.advance(HOUR + LATE_GRACE)  # 11:02: within the grace
    assert kinds(story.planner.due(story.now())) == [("routine", "tea")]
    story.clock.advance(DAY + 2 * LATE_GRACE)  # 11:06 the next day: too late
    assert story.planner.due(story.now()) == []
    assert story.wake() == at(2026, 6, 3, 11, 0)


def test_a_routine_in_the_repeated_hour_comes_once() -> None:
    night = Routine("night", time(2, 30))
    story = Story(make_schedule(days=frozenset(), routines=(night,)), now=at(2026, 10, 25, 0, 0))
    assert kinds(story.next()) == [("routine", "night")]
    assert story.now().isoformat() == "2026-10-25T02:30:00+02:00"
    assert story.wake() == at(2026, 10, 26, 2, 30)


def test_a_routine_in_the_gap_comes_once_after_the_gap() -> None:
    night = Routine("night", time(2, 30))
    story = Story(make_schedule(days=frozenset(), routines=(night,)), now=at(2026, 3, 29, 0, 0))
    assert kinds(story.next()) == [("routine", "night")]
    assert story.now().isoformat() == "2026-03-29T03:30:00+02:00"
    assert story.wake() == at(2026, 3, 30, 2, 30)


def test_hourly_all_day_across_fall_back() -> None:
    story = Story(
        make_schedule(every=HOUR, start=time(0), end=time(0), days=EVERY_DAY), now=at(2026, 10, 25, 0, 0)
    )
    shown = []
    while story.wake() < at(2026, 10, 26, 0, 0):
        (event,) = story.next()
        shown.append(utc(event.at))
    assert len(shown) == 24  # 01:00 .. 23:00 and the repeated 02:00: 24 of a 25-hour day
    assert {b - a for a, b in pairwise(shown)} == {HOUR}


def test_no_reminders_when_every_never_fits_but_routines_still_come() -> None:
    story = Story(make_schedule(every=9 * HOUR, routines=(Routine("tea", time(15)),)))
    assert story.planner.next_reminder() is None
    assert story.wake() == at(2026, 6, 1, 15, 0)
    story = Story(make_schedule(every=9 * HOUR))
    assert story.planner.next_wake() is None


# --- the state machine ----------------------------------------------------------------------------------

ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
    "UTC",
    "Pacific/Chatham",
]
# near DST changes of 2026-2028 (both ways) and ordinary days
STARTS = [
    datetime(*fields)
    for fields in [(2026, 3, 28, 20), (2026, 10, 24, 20), (2026, 3, 7, 20), (2026, 10, 31, 20),
                   (2026, 4, 4, 20), (2026, 10, 3, 20), (2026, 9, 26, 20), (2027, 3, 27, 8),
                   (2028, 10, 28, 23), (2026, 6, 1, 8), (2029, 1, 1, 0), (2030, 7, 15, 12)]
]  # fmt: skip
WALL = st.integers(0, 24 * 12 - 1).map(lambda m: time(m // 12, m % 12 * 5)) | st.sampled_from(
    [time(2), time(2, 30), time(3), time(1, 30), time(2, 45)]
)
EVERY_CHOICES = st.sampled_from([10, 60, 300, 1200, 2700, 7200, 8 * 3600, 86400]) | st.integers(10, 86400)
SNOOZE_CHOICES = st.lists(
    st.sampled_from([10, 60, 300, 600, 1800, 3600, 86400]) | st.integers(10, 86400), min_size=1, max_size=6
)
DAY_SETS = st.frozensets(st.integers(0, 6), min_size=1) | st.sampled_from([WORKDAYS, EVERY_DAY])


def routine_slot(schedule: Schedule, routine: Routine, moment: datetime) -> tuple[date, datetime] | None:
    """The local date and instant of the routine's firing that `moment` is (at most LATE_GRACE after)."""
    zone = schedule.zone
    today = utc(moment).astimezone(zone).date()
    for day in (today, today - DAY):
        if day.weekday() not in routine.days:
            continue
        # the instant the wall time names: first occurrence, or moved forward by the gap
        fired = utc(datetime.combine(day, routine.at).replace(tzinfo=zone, fold=0))
        check = fired.astimezone(zone)
        if check.replace(tzinfo=None) != datetime.combine(day, routine.at):
            before = (
                (datetime.combine(day, routine.at) - DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
            )
            after = (datetime.combine(day, routine.at) + DAY).replace(tzinfo=UTC).astimezone(zone).utcoffset()
            assert before is not None and after is not None
            assert check.replace(tzinfo=None) == datetime.combine(day, routine.at) + (after - before)
        if timedelta(0) <= utc(moment) - fired <= LATE_GRACE:
            return day, fired
    return None


class PlannerMachine(RuleBasedStateMachine):
    """The runtime loop against random actions. What is truly guaranteed, and checked:

    - due() gives at most one reminder, and only inside active hours;
    - two reminders shown are at least min(every, the smallest snooze used in between) apart in elapsed
      time (reset by a backward clock jump, after which elapsed wall time means nothing);
    - after a wake, at most one reminder before `every` has passed (none when the wake counted as rest),
      unless a snooze was used since;
    - routines come at their wall time (gap-shifted), on their days, once a local date (unless the clock
      went back), never replayed after a sleep;
    - the anchor is never in the future, so nothing is silenced: the pending reminder is never later than
      what a rest right now would give.
    """

    def __init__(self) -> None:
        super().__init__()
        self.shown: list[datetime] = []

    @initialize(
        zone=st.sampled_from(ZONES),
        start_local=st.sampled_from(STARTS),
        every=EVERY_CHOICES,
        start=WALL,
        end=WALL,
        days=DAY_SETS,
        snooze=SNOOZE_CHOICES,
        brk=st.sampled_from([10, 60, 300, 1800, 7200]),
        routines=st.lists(
            st.builds(Routine, name=st.sampled_from(["a", "b", "c"]), at=WALL, days=DAY_SETS),
            max_size=2,
            unique_by=lambda r: r.name,
        ),
    )
    def setup(
        self,
        zone: str,
        start_local: datetime,
        every: int,
        start: time,
        end: time,
        days: frozenset[int],
        snooze: list[int],
        brk: int,
        routines: list[Routine],
    ) -> None:
        self.zone = ZoneInfo(zone)
        self.every = timedelta(seconds=every)
        self.snooze_choices = [timedelta(seconds=s) for s in snooze]
        self.schedule = make_schedule(
            self.every, start, end, days, tuple(routines), tuple(self.snooze_choices), self.zone
        )
        self.clock = FakeClock(start_local.replace(tzinfo=self.zone))
        self.planner = Planner.start(self.schedule, timedelta(seconds=brk), self.clock.now())
        self.last_shown: datetime | None = None
        self.smallest_snooze_since_shown: timedelta | None = None
        self.wake: tuple[datetime, bool] | None = None  # the last wake and whether it counted as rest
        self.shown_since_wake = 0
        self.snoozed_since_wake = False
        self.fired: set[tuple[str, date]] = set()
        wall_minutes = ((end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)) % 1440 or 1440
        self.every_fits_every_window = self.every + HOUR < timedelta(minutes=wall_minutes)
        self.run_until(self.now_utc())  # a routine at the very start moment comes at once

    # the runtime

    def now_utc(self) -> datetime:
        return utc(self.clock.now())

    def move_to(self, moment: datetime) -> None:
        delta = utc(moment) - self.now_utc()
        assert delta >= timedelta(0)
        self.clock.advance(delta)

    def call_due(self) -> None:
        now = self.clock.now()
        events = self.planner.due(now)
        shown = [e for e in events if e.kind == "reminder"]
        assert len(shown) <= 1, events
        for event in events:
            assert utc(event.at) == utc(now)
        for event in events:
            if event.kind == "routine":
                self.check_routine(event)
        if shown:
            self.check_reminder(utc(now))

    def check_reminder(self, now: datetime) -> None:
        assert self.schedule.is_active(now), f"reminder outside active hours at {now}"
        if self.last_shown is not None:
            bound = self.every
            if self.smallest_snooze_since_shown is not None:
                bound = min(bound, self.smallest_snooze_since_shown)
            assert now - self.last_shown >= bound, (self.last_shown, now, bound)
        if self.wake is not None and not self.snoozed_since_wake:
            woke_at, rested = self.wake
            if now - woke_at < self.every:
                assert not rested, f"a reminder {now - woke_at} after a wake that counted as rest"
                self.shown_since_wake += 1
                assert self.shown_since_wake <= 1, "more than one reminder after a wake"
        self.last_shown = now
        self.smallest_snooze_since_shown = None

    def check_routine(self, event: Event) -> None:
        routine = next(r for r in self.schedule.routines if r.name == event.name)
        assert routine.enabled
        slot = routine_slot(self.schedule, routine, event.at)
        assert slot is not None, f"{event.name} at {event.at.isoformat()} is not its time"
        day, fired = slot
        if self.wake is not None:
            assert fired >= self.wake[0], f"{event.name} of {fired} was missed during a sleep and replayed"
        assert (event.name, day) not in self.fired, f"{event.name} twice on {day}"
        self.fired.add((event.name, day))

    def run_until(self, target: datetime) -> None:
        """Sleep until next_wake, call due, repeat; stop at `target`."""
        for _ in range(5000):
            wake = self.planner.next_wake()
            if wake is None or utc(wake) > target:
                break
            self.move_to(max(utc(wake), self.now_utc()))
            before = (self.planner.anchor, self.planner.snoozed_until, dict(self.planner._routine_next))
            self.call_due()
            after = (self.planner.anchor, self.planner.snoozed_until, dict(self.planner._routine_next))
            assert before != after or utc(wake) > self.now_utc(), "due() at next_wake changed nothing"
        else:
            raise AssertionError("the loop does not move on")
        self.move_to(max(target, self.now_utc()))

    # actions

    @rule()
    def until_next_wake(self) -> None:
        wake = self.planner.next_wake()
        if wake is not None:
            self.run_until(max(utc(wake), self.now_utc()))

    @rule(fraction=st.floats(0.05, 5.0))
    def wait_part_of_every(self, fraction: float) -> None:
        self.run_until(self.now_utc() + self.every * fraction)

    @rule(seconds=st.integers(1, 3 * 86400))
    def wait(self, seconds: int) -> None:
        # keep the loop short for tiny `every`: at most a few hundred reminders per step
        self.run_until(self.now_utc() + min(timedelta(seconds=seconds), self.every * 300))

    @rule(seconds=st.integers(1, 3 * 86400) | st.sampled_from([1, 59, 299, 300, 301, 7200]))
    def sleep(self, seconds: int) -> None:
        last_seen = self.clock.now()
        self.clock.jump(timedelta(seconds=seconds))
        rested = self.planner.woke(last_seen, self.clock.now())
        assert rested == (timedelta(seconds=seconds) >= self.planner.break_length)
        self.after_wake(rested)

    @rule(before=st.integers(0, 600), after=st.integers(0, 600))
    def sleep_over_the_next_wake(self, before: int, after: int) -> None:
        """Wait until just before the next event, then sleep until just after it."""
        wake = self.planner.next_wake()
        if wake is None:
            return
        self.run_until(max(self.now_utc(), utc(wake) - timedelta(seconds=before)))
        self.sleep(int((utc(wake) - self.now_utc()).total_seconds()) + after + 1)

    @rule(seconds=st.integers(1, 2 * 86400))
    def clock_goes_back(self, seconds: int) -> None:
        self.clock.jump(-timedelta(seconds=seconds))
        last_rest = self.planner.last_rest
        self.planner.clock_set_back(self.clock.now())
        assert self.planner.last_rest == min(last_rest, self.now_utc())  # no rest came of it
        assert self.planner.anchor == self.now_utc()
        # elapsed wall time before the jump means nothing now; a routine may come again
        self.last_shown = None
        self.smallest_snooze_since_shown = None
        self.fired.clear()
        self.after_wake(True)

    def after_wake(self, rested: bool) -> None:
        now = self.now_utc()
        self.wake = (now, rested)
        self.shown_since_wake = 0
        self.snoozed_since_wake = False
        pending = self.planner.next_reminder()
        if rested and pending is not None:
            assert utc(pending) >= now + self.every
        self.run_until(now)  # the runtime calls due() at once when something is already due

    @rule(seconds=st.integers(1, 6 * 3600))
    def timer_fires_late(self, seconds: int) -> None:
        """The timer fired late and nobody noticed a sleep (no woke()): due() once, late."""
        self.clock.advance(min(timedelta(seconds=seconds), self.every * 300))
        self.call_due()
        self.run_until(self.now_utc())

    @rule()
    def rest(self) -> None:
        now = self.now_utc()
        self.planner.rested(self.clock.now())
        pending = self.planner.next_reminder()
        if pending is not None:
            assert utc(pending) >= now + self.every
        self.run_until(now)

    @rule(choice=st.integers(0, 5))
    def snooze(self, choice: int) -> None:
        delay = self.snooze_choices[choice % len(self.snooze_choices)]
        now = self.now_utc()
        until = self.planner.snooze(self.clock.now(), delay)
        if until is not None:
            assert utc(until) >= now + delay
            assert self.schedule.is_active(until)
        self.smallest_snooze_since_shown = min(delay, self.smallest_snooze_since_shown or delay)
        self.snoozed_since_wake = True
        self.run_until(now)

    @rule()
    def not_today(self) -> None:
        now = self.now_utc()
        until = self.planner.snooze_rest_of_today(self.clock.now())
        if until is not None:
            assert utc(until).astimezone(self.zone).date() > now.astimezone(self.zone).date()
            assert utc(until) >= now + self.every
        self.run_until(now)

    # always

    @precondition(lambda self: hasattr(self, "planner"))
    @invariant()
    def nothing_is_silenced(self) -> None:
        now = self.now_utc()
        assert utc(self.planner.anchor) <= now
        if self.planner.snoozed_until is None and self.every_fits_every_window:
            fresh = self.schedule.next_reminder(now)
            pending = self.planner.next_reminder()
            if fresh is not None:
                assert pending is not None and utc(pending) <= utc(fresh)

    @precondition(lambda self: hasattr(self, "planner"))
    @invariant()
    def nothing_overdue_after_the_loop(self) -> None:
        wake = self.planner.next_wake()
        assert wake is None or utc(wake) > self.now_utc()


PlannerMachine.TestCase.settings = settings(
    max_examples=300,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
TestPlannerMachine = PlannerMachine.TestCase


@pytest.mark.parametrize("zone", ["Europe/Amsterdam", "America/New_York"])
def test_the_machine_covers_dst_start_days(zone: str) -> None:
    """The starts offered to the machine really lie within a day of DST changes, both ways."""
    z = ZoneInfo(zone)
    offsets = {(s.replace(tzinfo=z) + k * HOUR).utcoffset() for s in STARTS[:4] for k in range(0, 30)}
    assert len(offsets) == 2
