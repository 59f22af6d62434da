"""The running schedule: what is pending now, and how it changes when things happen.

The runtime asks `due(now)` when its one timer fires, shows what comes back, and sleeps until
`next_wake()`. Everything else (a rest, a snooze, a wake from sleep) is a method here, so the whole
behaviour can be driven by tests with a fake clock and no waiting.

Sleep, suspend and clock jumps: what was missed is not replayed. After waking at most one reminder comes,
and a gap at least as long as a break counts as rest: the next reminder is then planned from the wake.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from rustlamp.core.schedule import Event, Schedule, to_utc

# A timer may fire a little late (a busy machine); an event this late is still shown. Anything later was
# missed while asleep and is dropped, never replayed.
LATE_GRACE = timedelta(minutes=2)


@dataclass
class Planner:
    schedule: Schedule
    break_length: timedelta
    anchor: datetime  # the last rest moment, or the last reminder nobody acted on (UTC)
    last_rest: datetime  # the last rest moment itself: how warm the lamp is (UTC)
    snoozed_until: datetime | None = None
    paused_until: datetime | None = None
    _routine_next: dict[str, datetime | None] = field(default_factory=dict)

    @classmethod
    def start(cls, schedule: Schedule, break_length: timedelta, now: datetime) -> Planner:
        """Starting the app is a rest moment: the first reminder comes `every` later."""
        planner = cls(schedule, break_length, to_utc(now), to_utc(now))
        planner._plan_routines(now)
        return planner

    # --- what is pending --------------------------------------------------------------------------

    def next_reminder(self) -> datetime | None:
        if self.paused_until is not None:
            # a pause ends as a fresh start: the first reminder after it comes `every` later
            return self.schedule.next_reminder(max(self.anchor, to_utc(self.paused_until)))
        if self.snoozed_until is not None:
            return self.snoozed_until
        return self.schedule.next_reminder(self.anchor)

    def next_wake(self, reminders: bool = True) -> datetime | None:
        """When the runtime should next call due(); None when nothing will ever come. Without
        `reminders` (a break is open) only the routines and the end of a pause count."""
        candidates = (
            self.next_reminder() if reminders else None,
            self.paused_until,
            *self._routine_next.values(),
        )
        times = [t for t in candidates if t is not None]
        return min(times, key=to_utc) if times else None

    def due(self, now: datetime) -> list[Event]:
        """Events due at `now`, at most one reminder; the planner moves on past them. While paused,
        routines pass quietly and no reminder comes."""
        now_utc = to_utc(now)
        if self.paused_until is not None and to_utc(self.paused_until) <= now_utc:
            self.anchor = max(self.anchor, to_utc(self.paused_until))
            self.paused_until = None
        paused = self.paused_until is not None
        events: list[Event] = []
        for routine in self.schedule.routines:
            at = self._routine_next.get(routine.name)
            if at is not None and to_utc(at) <= now_utc:
                if now_utc - to_utc(at) <= LATE_GRACE and not paused:
                    events.append(Event(now.astimezone(self.schedule.zone), "routine", routine.name))
                self._routine_next[routine.name] = self.schedule.next_routine(routine, now_utc)
        reminder = self.next_reminder()
        if reminder is not None and to_utc(reminder) <= now_utc:
            # the next one comes `every` after this one, never stacked; one that is due outside active
            # hours (the timer woke late) is not shown and the anchor moves on all the same
            if self.schedule.is_active(now_utc):
                events.append(Event(now.astimezone(self.schedule.zone), "reminder"))
            self.anchor = now_utc
            self.snoozed_until = None
        return events

    # --- what happens -----------------------------------------------------------------------------

    def rested(self, now: datetime) -> None:
        """A finished break (or any rest moment): the clock starts again."""
        self.anchor = self.last_rest = to_utc(now)
        self.snoozed_until = None

    def restart_from(self, now: datetime) -> None:
        """The next reminder is planned from `now` (a break ended without a rest to count)."""
        self.anchor = max(self.anchor, to_utc(now))
        self.snoozed_until = None

    def checked_in(self, now: datetime, sooner: timedelta = timedelta(0)) -> None:
        """A check-in is a moment of rest too. After a hurried breath the next reminder may come `sooner`
        (the setting), never by more than half of `every`, so it never comes straight away."""
        self.rested(now)
        if sooner > timedelta(0):
            self.anchor -= min(sooner, self.schedule.reminders.every / 2)

    def pause(self, now: datetime, delay: timedelta | None) -> datetime:
        """No reminders or routines until now + delay, or, for None, until the next day's active hours
        begin (a day later when no window is found). A pause always ends by itself."""
        until: datetime | None = None
        if delay is None:
            until = self.schedule.next_day_start(now)
        if until is None:
            until = to_utc(now) + (delay if delay is not None else timedelta(days=1))
        self.paused_until = until.astimezone(self.schedule.zone)
        self.snoozed_until = None
        return self.paused_until

    def resume(self, now: datetime) -> None:
        """End a pause now; the next reminder comes `every` later."""
        if self.paused_until is not None:
            self.anchor = max(self.anchor, to_utc(now))
            self.paused_until = None

    def snooze(self, now: datetime, delay: timedelta) -> datetime | None:
        """Move the pending reminder to now + delay (inside active hours); returns when it will come."""
        self.snoozed_until = self.schedule.snooze_until(now, delay)
        return self.snoozed_until

    def snooze_rest_of_today(self, now: datetime) -> datetime | None:
        self.snoozed_until = self.schedule.rest_of_today_until(now)
        return self.snoozed_until

    def woke(self, last_seen: datetime, now: datetime) -> bool:
        """The wall clock moved on more than the process lived (suspend, a resumed VM, a clock set
        forward). Returns True when the gap counted as rest. A clock set back is clock_set_back()."""
        gap = to_utc(now) - to_utc(last_seen)
        rested = gap >= self.break_length
        if rested:
            self.rested(now)
        elif self.snoozed_until is not None and to_utc(self.snoozed_until) < to_utc(now):
            self.snoozed_until = to_utc(now)  # a snooze that ran out while asleep comes once, now
        self._replan_routines_after_jump(now)
        return rested

    def clock_set_back(self, now: datetime) -> None:
        """The wall clock was set back: nobody rested, but an anchor (or a last rest) in the future would
        silence reminders and cool the lamp, so the clock starts again from now."""
        now_utc = to_utc(now)
        self.anchor = now_utc
        self.last_rest = min(self.last_rest, now_utc)
        self.snoozed_until = None
        self._replan_routines_after_jump(now)

    def _replan_routines_after_jump(self, now: datetime) -> None:
        # a routine planned within the coming week stays: after the clock is set back, the one that already
        # came today is not repeated; anything else (missed while asleep) is planned afresh, not replayed
        now_utc = to_utc(now)
        keep = {
            name: at
            for name, at in self._routine_next.items()
            if at is not None and now_utc < to_utc(at) <= now_utc + timedelta(days=8)
        }
        self._plan_routines(now)
        self._routine_next.update(keep)

    def replace_schedule(self, schedule: Schedule, break_length: timedelta, now: datetime) -> None:
        """New settings: keep the anchor and any snooze, re-plan the routines."""
        self.schedule = schedule
        self.break_length = break_length
        self._plan_routines(now)

    def _plan_routines(self, now: datetime) -> None:
        # the routine's own time counts as already passed when it is exactly now, so it fires once
        after = to_utc(now) - timedelta(microseconds=1)
        self._routine_next = {r.name: self.schedule.next_routine(r, after) for r in self.schedule.routines}
