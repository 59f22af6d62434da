"""The desk's rules, with plain datetimes: held reminders come once, time away counts as rest."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rustlamp.core.desk import AWAY_AFTER, Desk, Rested, ShowHeld

pytestmark = pytest.mark.windows

T0 = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
FIVE = timedelta(minutes=5)


def minutes(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def test_a_reminder_due_while_away_comes_once_on_return_when_the_time_away_was_short() -> None:
    desk = Desk(FIVE)
    assert desk.idle(AWAY_AFTER, minutes(1)) == []
    assert desk.quiet and desk.why_quiet() == "away"
    desk.hold_reminder()
    desk.hold_reminder()  # a second one due while still away: still only one
    assert desk.active(minutes(3)) == [ShowHeld()]
    assert not desk.quiet
    assert desk.active(minutes(4)) == []


def test_time_away_as_long_as_a_break_is_rest_and_the_held_reminder_is_not_needed() -> None:
    desk = Desk(FIVE)
    desk.idle(AWAY_AFTER, minutes(1))  # idle since 0
    desk.idle(FIVE, minutes(5))
    desk.hold_reminder()
    assert desk.active(minutes(12)) == [Rested("idle", T0, minutes(12))]


def test_a_short_idle_is_not_away_and_holds_nothing() -> None:
    desk = Desk(FIVE)
    desk.idle(timedelta(seconds=30), minutes(0.5))
    assert not desk.quiet
    assert desk.active(minutes(0.6)) == []


def test_a_natural_break_shorter_than_away_after_still_counts() -> None:
    desk = Desk(timedelta(seconds=30))
    desk.idle(timedelta(seconds=30), minutes(0.5))
    assert desk.quiet
    [rested] = desk.active(minutes(0.75))
    assert isinstance(rested, Rested) and rested.length == timedelta(seconds=45)


def test_fullscreen_and_dnd_hold_until_both_end_then_one_reminder() -> None:
    desk = Desk(FIVE)
    desk.hold("fullscreen")
    desk.hold("dnd")
    desk.hold_reminder()
    assert desk.release("fullscreen") == []
    assert desk.why_quiet() == "dnd"
    assert desk.release("dnd") == [ShowHeld()]
    assert desk.release("dnd") == []  # a repeated release is nothing


def test_a_call_holds_reminders_due_during_it_and_one_comes_after_it() -> None:
    desk = Desk(FIVE)
    desk.hold("call (linux-capture)")
    assert desk.holding_for("call") and not desk.holding_for("dnd")
    assert not desk.holding_for("cal")  # a reason is a whole word
    desk.hold_reminder()
    desk.hold_reminder()  # an hour-long call with reminders every 20 minutes: still one
    assert desk.why_quiet() == "call (linux-capture)"
    assert desk.release("call (linux-capture)") == [ShowHeld()]
    assert not desk.holding_for("call")
    assert desk.release("call (linux-capture)") == []


def test_a_long_lock_is_rest_a_short_one_brings_the_held_reminder() -> None:
    desk = Desk(FIVE)
    desk.lock(minutes(0))
    desk.lock(minutes(1))  # both logind and the screensaver said so: the first time counts
    desk.hold_reminder()
    assert desk.unlock(minutes(6)) == [Rested("lock", T0, minutes(6))]
    desk.lock(minutes(10))
    desk.hold_reminder()
    assert desk.unlock(minutes(11)) == [ShowHeld()]


def test_sleep_holds_and_wake_frees_but_does_not_count_rest_itself() -> None:
    desk = Desk(FIVE)
    desk.sleep()
    desk.hold_reminder()
    assert desk.quiet
    assert desk.wake() == [ShowHeld()]  # the runtime's wall-clock rule decides about rest


def test_a_break_taken_meanwhile_settles_the_held_reminder() -> None:
    desk = Desk(FIVE)
    desk.hold("fullscreen")
    desk.hold_reminder()
    desk.rested()
    assert desk.release("fullscreen") == []


EVENTS = st.lists(
    st.tuples(
        st.sampled_from(["idle", "active", "lock", "unlock", "sleep", "wake", "hold", "release", "due"]),
        st.sampled_from(["fullscreen", "dnd"]),
        st.integers(min_value=0, max_value=600),  # seconds since the previous event
    ),
    max_size=60,
)


@settings(max_examples=300)
@given(EVENTS, st.integers(min_value=10, max_value=900))
def test_never_a_burst_and_rest_only_for_enough_time_away(
    events: list[tuple[str, str, int]], natural: int
) -> None:
    desk = Desk(timedelta(seconds=natural))
    now = T0
    held_since_last_show = 0
    for kind, reason, gap in events:
        now += timedelta(seconds=gap)
        if kind == "due":
            if desk.quiet:
                desk.hold_reminder()
                held_since_last_show += 1
            continue
        if kind == "idle":
            effects = desk.idle(timedelta(seconds=gap), now)
        elif kind in ("hold", "release"):
            effects = getattr(desk, kind)(reason)
        elif kind in ("sleep", "wake"):
            effects = getattr(desk, kind)()
        else:
            effects = getattr(desk, kind)(now)
        shows = [e for e in effects if isinstance(e, ShowHeld)]
        rests = [e for e in effects if isinstance(e, Rested)]
        assert len(shows) <= 1 and len(rests) <= 1
        if shows:
            assert held_since_last_show >= 1  # only ever a reminder that was really held
            assert not desk.quiet  # and only when the desk is free
            held_since_last_show = 0
        for rest in rests:
            assert rest.length >= timedelta(seconds=natural)
            assert not shows  # a rest makes the held reminder unneeded
            held_since_last_show = 0
