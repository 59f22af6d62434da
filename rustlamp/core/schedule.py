"""When reminders and routines come: pure functions of the settings, the zone and given instants.

Rules (the README states them for people):
- Active hours are windows from `start` to `end` (end exclusive; crossing midnight when end < start; all
  day when start == end) on the days listed, a window belonging to the day it starts on. Windows that touch
  join into one stretch.
- A reminder comes `every` after the anchor (the last rest moment, or the last reminder nobody acted on),
  or `every` after the start of the stretch the anchor falls before, whichever is later. One that would fall
  at or after its stretch's end moves to the next stretch: that stretch's start plus `every`.
- `every` is elapsed time; window bounds and routine times are local wall-clock times. A wall time that
  does not exist (the spring-forward gap) is moved forward by the gap; one that happens twice (fall back)
  counts the first time only.

All arithmetic is done on UTC instants: Python adds and compares aware datetimes that share a zone by their
wall-clock fields, which is wrong across a DST change.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Literal

from rustlamp.core.config import Reminders, Routine

UTC = timezone.utc
ONE_DAY = timedelta(days=1)
# How many windows to look through before deciding that `every` never fits (a safety bound, ~2 months)
_MAX_WINDOWS = 60

EventKind = Literal["reminder", "routine"]


@dataclass(frozen=True, order=True)
class Event:
    # Events compare and sort by their UTC instant: `at` itself would compare by wall-clock fields, and
    # 02:30 before and after the autumn change would then be "equal"
    instant: datetime = field(init=False, repr=False)
    at: datetime = field(compare=False)  # aware, in the schedule's zone
    kind: EventKind
    name: str = ""  # the routine's name; empty for reminders

    def __post_init__(self) -> None:
        object.__setattr__(self, "instant", to_utc(self.at))


def to_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the schedule works with aware datetimes only")
    return moment.astimezone(UTC)


@lru_cache(maxsize=4096)  # planning asks for the same few days' bounds again and again
def local_instant(day: date, at: time, zone: tzinfo) -> datetime:
    """The UTC instant of wall time `at` on `day` in `zone`; gaps move forward, repeats take the first."""
    wall = datetime.combine(day, at).replace(tzinfo=zone, fold=0)
    # fold=0 gives the earlier of two repeated times, and for a time in a gap the offset from before the
    # change, which lands the same distance after the gap as the wall time was after its start
    return wall.astimezone(UTC)


@lru_cache(maxsize=1024)
def _window_bounds(
    day: date, start_time: time, end_time: time, zone: tzinfo
) -> tuple[datetime, datetime] | None:
    """The window starting on `day` as UTC instants; None when a DST change swallows it."""
    start = local_instant(day, start_time, zone)
    end_day = day + ONE_DAY if end_time <= start_time else day
    end = local_instant(end_day, end_time, zone)
    return (start, end) if end > start else None


@dataclass(frozen=True)
class Schedule:
    reminders: Reminders
    routines: tuple[Routine, ...]
    zone: tzinfo

    # --- active windows ---------------------------------------------------------------------------

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        return _window_bounds(day, self.reminders.start, self.reminders.end, self.zone)

    def _windows_from(self, day: date) -> Iterator[tuple[datetime, datetime]]:
        """Windows in order, from those starting on `day` on; endless while any day is active."""
        if not self.reminders.days:
            return
        while True:
            if day.weekday() in self.reminders.days:
                window = self._window(day)
                if window is not None:
                    yield window
            day += ONE_DAY

    def _stretches_from(self, moment: datetime) -> Iterator[tuple[datetime, Iterator[datetime]]]:
        """Stretches that end after `moment`, in order, as (start, ends) where `ends` yields the end of the
        stretch so far, growing window by window while the next one touches. Lazy, so an endless all-day
        stretch costs only what is looked at."""
        # a window that contains `moment` started on its local date or the day before
        windows = self._windows_from(moment.astimezone(self.zone).date() - ONE_DAY)
        pending: list[tuple[datetime, datetime]] = []

        def take() -> tuple[datetime, datetime] | None:
            return pending.pop() if pending else next(windows, None)

        while True:
            window = take()
            if window is None:
                return
            start, end = window
            if end <= moment:
                continue

            def ends(end: datetime = end) -> Iterator[datetime]:
                yield end
                while True:
                    following = take()
                    if following is None:
                        return
                    if following[0] > end:
                        pending.append(following)
                        return
                    end = following[1]
                    yield end

            yield start, ends()

    def is_active(self, moment: datetime) -> bool:
        """Whether `moment` falls inside active hours."""
        moment = to_utc(moment)
        for start, ends in self._stretches_from(moment):
            if start > moment:
                return False
            return any(end > moment for end in ends)
        return False

    # --- reminders --------------------------------------------------------------------------------

    def next_reminder(self, anchor: datetime) -> datetime | None:
        """The first reminder after `anchor`, or None when `every` never fits in the active hours."""
        due = self._next_reminder_utc(to_utc(anchor))
        return None if due is None else due.astimezone(self.zone)

    def _next_reminder_utc(self, anchor: datetime) -> datetime | None:
        every = self.reminders.every
        # fast path, most calls: one window holds both the anchor and the reminder after it
        day = anchor.astimezone(self.zone).date()
        for start_day in (day, day - ONE_DAY):
            window = self._window(start_day) if start_day.weekday() in self.reminders.days else None
            if window is not None and window[0] <= anchor and anchor + every < window[1]:
                return anchor + every
        for count, (start, ends) in enumerate(self._stretches_from(anchor)):
            if count >= _MAX_WINDOWS:
                return None
            due = max(anchor, start) + every
            for end in ends:
                if due < end:
                    return due
        return None

    def snooze_until(self, now: datetime, delay: timedelta) -> datetime | None:
        """Snoozing moves the reminder to now + delay, or, outside active hours, to the next stretch's
        start plus `every`, as any reminder that misses its stretch does."""
        target = to_utc(now) + delay
        if self.is_active(target):
            return target.astimezone(self.zone)
        return self.next_reminder(target)

    def next_day_start(self, now: datetime) -> datetime | None:
        """The start of the first window that begins on a later local day than `now`'s."""
        tomorrow = to_utc(now).astimezone(self.zone).date() + ONE_DAY
        for start, _end in self._windows_from(tomorrow):
            return start.astimezone(self.zone)
        return None

    def rest_of_today_until(self, now: datetime) -> datetime | None:
        """'Not today': the first reminder of the first window that starts on a later day."""
        start = self.next_day_start(now)
        return None if start is None else self.next_reminder(start)

    # --- routines ---------------------------------------------------------------------------------

    def next_routine(self, routine: Routine, after: datetime) -> datetime | None:
        """The first time strictly after `after` that the routine fires, or None when it never does."""
        moment = self._next_routine_utc(routine, to_utc(after))
        return None if moment is None else moment.astimezone(self.zone)

    def _next_routine_utc(self, routine: Routine, after: datetime) -> datetime | None:
        if not routine.enabled or not routine.days:
            return None
        day = after.astimezone(self.zone).date() - ONE_DAY
        for _ in range(9):
            if day.weekday() in routine.days:
                moment = local_instant(day, routine.at, self.zone)
                if moment > after:
                    return moment
            day += ONE_DAY
        return None

    # --- planning ---------------------------------------------------------------------------------

    def plan(
        self,
        last_rest: datetime,
        count: int,
        until: datetime | None = None,
        first_reminder: datetime | Literal["from-rest"] | None = "from-rest",
        quiet_until: datetime | None = None,
    ) -> list[Event]:
        """The next `count` events (those before `until`, when given) if nothing is acted on and
        `last_rest` was the last rest moment. A running lamp knows its `first_reminder` (a snooze, a pause;
        None: none comes), and routines before `quiet_until` (a pause's end) pass quietly."""
        limit = to_utc(until) if until is not None else None
        events: list[Event] = []
        start = to_utc(last_rest)
        # UTC instants throughout: they sort by real time, whatever the wall clock did
        if first_reminder == "from-rest":
            reminder = self._next_reminder_utc(start)
        else:
            reminder = None if first_reminder is None else to_utc(first_reminder)
        quiet = to_utc(quiet_until) if quiet_until is not None else None
        routine_next = {r.name: self._next_routine_utc(r, start) for r in self.routines}
        by_name = {r.name: r for r in self.routines}
        while len(events) < count:
            candidates = [(t, "routine", n) for n, t in routine_next.items() if t is not None]
            if reminder is not None:
                candidates.append((reminder, "reminder", ""))
            if not candidates:
                break
            at, kind, name = min(candidates)
            if limit is not None and at >= limit:
                break
            if kind == "reminder":
                events.append(Event(at.astimezone(self.zone), "reminder"))
                reminder = self._next_reminder_utc(at)
            else:
                if quiet is None or at >= quiet:
                    events.append(Event(at.astimezone(self.zone), "routine", name))
                routine_next[name] = self._next_routine_utc(by_name[name], at)
        return events
