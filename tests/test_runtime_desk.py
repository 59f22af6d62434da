"""The runtime's side of the desk, in process with an injected clock: a sleep told by a watcher where the
monotonic clock counts through the suspend (Windows before Python 3.13), and watchers that can only be
asked (Windows and macOS fullscreen and do-not-disturb), asked when a reminder is due and not before.

The OS is not here (those adapters are tested in test_windows_desk.py and test_macos_desk.py); the
notifier is a recorder, since only what the runtime decides to show is in question."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from app_process import QUIET_ALL_DAY

from rustlamp.core.clock import FakeClock
from rustlamp.core.schedule import Event
from rustlamp.desk.asked_hold import AskedHoldWatcher
from rustlamp.desk.base import DeskEvent
from rustlamp.notify.base import Message
from rustlamp.runtime import JUMP_TOLERANCE, App
from rustlamp.settings_source import SettingsSource

pytestmark = pytest.mark.windows

MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
SETTINGS = QUIET_ALL_DAY + '[break]\nlength = "5m"\n'  # every 45 minutes, all day, every day


class Shown:
    """Stands in for the notifier: keeps what the runtime showed."""

    backend = "recorder"

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def show(self, message: Message) -> None:
        self.messages.append(message)

    async def close(self) -> None:
        pass


def make_app(tmp_path: Path) -> tuple[App, FakeClock, Shown]:
    config = tmp_path / "config.toml"
    config.write_text(SETTINGS, encoding="utf-8")
    clock = FakeClock(MONDAY_NOON)
    app = App(SettingsSource(config, True), clock)
    shown = Shown()
    app.notifier = shown  # type: ignore[assignment]
    return app, clock, shown


def desk(kind: str) -> DeskEvent:
    return DeskEvent(kind, "test")  # type: ignore[arg-type]


def test_a_sleep_the_monotonic_clock_counted_still_counts_as_rest(tmp_path: Path) -> None:
    app, clock, _ = make_app(tmp_path)
    clock.advance(timedelta(minutes=30))
    app.on_desk(desk("sleep"))
    clock.advance(timedelta(hours=2))  # wall and monotonic together: the jump rule cannot see it
    app.on_desk(desk("wake"))
    assert app.planner.last_rest == clock.now()
    assert app.planner.next_reminder() == clock.now() + timedelta(minutes=45)


def test_a_sleep_the_wall_clock_rule_saw_is_counted_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app, clock, _ = make_app(tmp_path)
    app.on_desk(desk("sleep"))
    clock.jump(timedelta(hours=2))  # Linux: the monotonic clock stops in a suspend
    caplog.set_level("INFO", logger="rustlamp.runtime")
    app.on_desk(desk("wake"))
    assert [r.message for r in caplog.records if r.message.startswith("woke")] == [
        "woke: the wall clock moved 2:00:00 while the process lived 0:00:00; counted as rest"
    ]


def test_a_sleep_heard_of_only_after_waking_counts_from_when_the_os_told_it(tmp_path: Path) -> None:
    app, clock, _ = make_app(tmp_path)
    told = clock.now()
    clock.advance(timedelta(hours=2))  # the loop ran again only after the machine woke
    app.on_desk(DeskEvent("sleep", "test", at=told))
    app.on_desk(desk("wake"))
    assert app.planner.last_rest == clock.now()


def test_a_short_sleep_is_not_rest(tmp_path: Path) -> None:
    app, clock, _ = make_app(tmp_path)
    start = app.planner.anchor
    app.on_desk(desk("sleep"))
    clock.advance(JUMP_TOLERANCE + timedelta(minutes=1))  # longer than a jump, shorter than a break
    app.on_desk(desk("wake"))
    assert app.planner.anchor == start


def test_a_reminder_due_while_asleep_is_held_and_a_long_sleep_makes_it_unneeded(tmp_path: Path) -> None:
    app, clock, shown = make_app(tmp_path)

    async def scenario() -> None:
        app.on_desk(desk("sleep"))
        clock.advance(timedelta(hours=1))
        await app._show(Event(clock.now(), "reminder"))  # the timer fired first, on waking
        app.on_desk(desk("wake"))
        await asyncio.sleep(0)

    asyncio.run(scenario())
    assert shown.messages == []  # slept an hour: that was rest, so nothing to remind of


class Moment:
    """A question the OS would answer: is this a bad moment? Counts the questions."""

    def __init__(self) -> None:
        self.busy = False
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        return self.busy


def test_an_asked_watcher_holds_a_reminder_in_a_bad_moment_and_lets_it_come_once_after(
    tmp_path: Path,
) -> None:
    app, clock, shown = make_app(tmp_path)
    moment = Moment()
    watcher = AskedHoldWatcher("test-fullscreen", "fullscreen", moment, poll_while_held=0.01)

    async def scenario() -> None:
        assert await watcher.start(app.on_desk) is None
        app._dnd_watchers = [watcher]
        asked_at_start = moment.asked
        await asyncio.sleep(0.05)
        assert moment.asked == asked_at_start  # nobody asks between reminders
        moment.busy = True
        await app._show(Event(clock.now(), "reminder"))
        await app._show(Event(clock.now(), "reminder"))  # a second one due while it lasts: held too
        assert shown.messages == [] and app.desk.held_reminder
        await asyncio.sleep(0.05)
        assert shown.messages == []
        moment.busy = False
        for _ in range(100):
            if shown.messages:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        polls = moment.asked
        await asyncio.sleep(0.05)
        assert moment.asked == polls  # free again: the asking stopped
        await watcher.close()

    asyncio.run(scenario())
    assert [m.title for m in shown.messages] == ["A moment of rest"]


def test_a_watcher_that_cannot_be_asked_does_not_cost_the_reminder(tmp_path: Path) -> None:
    app, clock, shown = make_app(tmp_path)
    moment = Moment()
    watcher = AskedHoldWatcher("test-dnd", "dnd", moment)

    def broken() -> bool:
        raise OSError("the OS said no")

    async def scenario() -> None:
        assert await watcher.start(app.on_desk) is None
        app._dnd_watchers = [watcher]
        watcher._query = broken
        await app._show(Event(clock.now(), "reminder"))

    asyncio.run(scenario())
    assert len(shown.messages) == 1


def test_when_fullscreen_switched_off_the_watchers_start_afresh_and_what_they_held_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock, shown = make_app(tmp_path)
    moment = Moment()
    moment.busy = True
    watcher = AskedHoldWatcher("test-fullscreen", "fullscreen", moment, poll_while_held=60)
    chosen: list[tuple[bool, bool]] = []

    async def choose(
        emit: object, when_fullscreen: bool, during_calls: bool
    ) -> tuple[list[object], list[str]]:
        chosen.append((when_fullscreen, during_calls))
        return [], ["test: nothing to watch"]

    monkeypatch.setattr("rustlamp.desk.dnd_select.choose_dnd_watchers", choose)

    async def scenario() -> None:
        assert await watcher.start(app.on_desk) is None
        app._dnd_watchers, app._dnd_fullscreen, app._dnd_calls = [watcher], True, True
        await app._show(Event(clock.now(), "reminder"))
        assert shown.messages == [] and app.desk.holds == {"fullscreen (test-fullscreen)"}
        # natural breaks off: where an idle watcher can start (Windows) it must not hold the reminder itself
        changed = SETTINGS + "[idle]\nnatural_breaks = false\n[dnd]\nwhen_fullscreen = false\n"
        (tmp_path / "config.toml").write_text(changed, encoding="utf-8")
        app.reload()
        for _ in range(100):
            if shown.messages:
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert chosen == [(False, True)]  # started afresh with the new setting
    assert app.desk.holds == set() and app._dnd_watchers == []
    assert [m.title for m in shown.messages] == ["A moment of rest"]  # the held one, once
    assert watcher._emit is None  # the old watcher was closed


class CallWatcher:
    """A watcher that says a call is going on from the start, as calls_linux does."""

    name = "test-calls"

    def __init__(self) -> None:
        self.closed = False

    async def start(self, emit: object) -> None:
        return None

    async def close(self) -> None:
        self.closed = True


def test_during_calls_switched_off_lets_the_call_go_and_the_held_reminder_comes_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock, shown = make_app(tmp_path)
    watcher = CallWatcher()
    chosen: list[tuple[bool, bool]] = []

    async def choose(
        emit: object, when_fullscreen: bool, during_calls: bool
    ) -> tuple[list[object], list[str]]:
        chosen.append((when_fullscreen, during_calls))
        return [], []

    monkeypatch.setattr("rustlamp.desk.dnd_select.choose_dnd_watchers", choose)

    async def scenario() -> None:
        app._dnd_watchers, app._dnd_fullscreen, app._dnd_calls = [watcher], True, True  # type: ignore[list-item]
        app.on_desk(DeskEvent("hold", "test-calls", reason="call"))
        assert app._view().in_call
        for _ in range(3):  # an hour-long call
            clock.advance(timedelta(minutes=45))
            await app._show(Event(clock.now(), "reminder"))
        assert shown.messages == []
        # natural breaks off: where an idle watcher can start (Windows) it must not hold the reminder
        changed = SETTINGS + "[idle]\nnatural_breaks = false\n[dnd]\nduring_calls = false\n"
        (tmp_path / "config.toml").write_text(changed, encoding="utf-8")
        app.reload()
        for _ in range(100):
            if shown.messages:
                break
            await asyncio.sleep(0.01)

    asyncio.run(scenario())
    assert chosen == [(True, False)]
    assert watcher.closed and app.desk.holds == set() and not app._view().in_call
    assert [m.title for m in shown.messages] == ["A moment of rest"]  # one, never a stack
