"""The D-Bus idle watchers against stand-ins on a private bus (tests/desktop.py's bare_bus), no mocks:
org.gnome.Mutter.IdleMonitor as Mutter serves it (watch ids, WatchFired sent to the watch's owner only,
one-shot user-active watches, idle watches that fire once per idle spell and at once when already past),
and org.freedesktop.ScreenSaver.GetSessionIdleTime with an idle time that really runs on the clock, so
the sleep-until-the-crossing scheduling is checked with real sleeps. Also choose_idle_watcher's order.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Annotated, Any, TypeVar

import pytest
from dbus_fast import DBusError, Message, MessageType, NameFlag, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import ServiceInterface, dbus_method
from desktop import bare_bus, extra_display, require_programs

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.idle_dbus import (
    MUTTER,
    MUTTER_PATH,
    SCREENSAVER,
    MutterIdleWatcher,
    ScreenSaverIdleWatcher,
)
from rustlamp.desk.idle_select import choose_idle_watcher

T = TypeVar("T")
UInt32 = Annotated[int, DBusSignature("u")]
UInt64 = Annotated[int, DBusSignature("t")]
NoArgs = Annotated[None, DBusSignature("")]
MINUTE = timedelta(minutes=1)


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def bus() -> Iterator[str]:
    require_programs(["dbus-daemon"])
    with bare_bus() as address:
        yield address


class Events:
    """An emit that keeps each event with the monotonic time it came."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, DeskEvent]] = []

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append((time.monotonic(), event))

    def kinds(self, start: int = 0) -> list[tuple[str, float | None]]:
        return [
            (e.kind, e.idle_for.total_seconds() if e.idle_for is not None else None)
            for _, e in self.seen[start:]
        ]

    async def wait(self, count: int, timeout: float = 5.0) -> None:
        await until(lambda: len(self.seen) >= count, f"{count} events (have {self.kinds()})", timeout)


async def until(condition: Any, what: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.005)


async def settle() -> None:
    """Time for a signal that should not come to come all the same (a local bus needs microseconds)."""
    await asyncio.sleep(0.2)


# ----- org.gnome.Mutter.IdleMonitor ---------------------------------------------------------------


class IdleMonitor(ServiceInterface):
    """org.gnome.Mutter.IdleMonitor with Mutter's watch semantics; the test moves its idle time."""

    def __init__(self, bus: MessageBus) -> None:
        super().__init__(MUTTER)
        self.bus = bus
        self.caller = ""  # the sender of the call being handled
        self.next_id = 1
        self.idle_ms = 0
        self.idle_watches: dict[int, tuple[str, int]] = {}  # id -> (owner, interval)
        self.active_watches: dict[int, str] = {}  # id -> owner
        self.fired: set[int] = set()  # idle watches fired in this idle spell
        self.calls: list[str] = []
        bus.add_message_handler(self._note_caller)

    def _note_caller(self, message: Message) -> None:  # runs before the method: who is calling
        if message.message_type == MessageType.METHOD_CALL and message.interface == MUTTER:
            self.caller = str(message.sender)
            self.calls.append(str(message.member))

    def _new_id(self) -> int:
        watch, self.next_id = self.next_id, self.next_id + 1
        return watch

    @dbus_method()
    def GetIdletime(self) -> UInt64:
        return self.idle_ms

    @dbus_method()
    def AddIdleWatch(self, interval: UInt64) -> UInt32:
        watch = self._new_id()
        self.idle_watches[watch] = (self.caller, interval)
        if self.idle_ms >= interval:  # already past it: Mutter fires it right away (after the reply)
            asyncio.get_running_loop().call_soon(self._fire_idle, watch)
        return watch

    @dbus_method()
    def AddUserActiveWatch(self) -> UInt32:
        watch = self._new_id()
        self.active_watches[watch] = self.caller
        return watch

    @dbus_method()
    def RemoveWatch(self, watch: UInt32) -> NoArgs:
        self.idle_watches.pop(watch, None)
        self.active_watches.pop(watch, None)

    def _fire_idle(self, watch: int) -> None:
        if watch in self.idle_watches and watch not in self.fired:
            self.fired.add(watch)
            self._send(self.idle_watches[watch][0], watch)

    def _send(self, owner: str, watch: int) -> None:
        """WatchFired goes to the watch's owner only, as Mutter sends it."""
        self.bus.send(
            Message(
                message_type=MessageType.SIGNAL,
                destination=owner,
                path=MUTTER_PATH,
                interface=MUTTER,
                member="WatchFired",
                signature="u",
                body=[watch],
            )
        )

    # the test's controls

    def reach(self, idle: timedelta) -> None:
        """The idle time grows to `idle`: every idle watch it reaches fires (once per spell)."""
        self.idle_ms = int(idle.total_seconds() * 1000)
        for watch, (_owner, interval) in sorted(self.idle_watches.items(), key=lambda w: w[1][1]):
            if interval <= self.idle_ms:
                self._fire_idle(watch)

    def input(self, tell_active_watches: bool = True) -> None:
        """Input: idle time 0, a new spell; user-active watches fire and are gone (one-shot)."""
        self.idle_ms = 0
        self.fired.clear()
        watches, self.active_watches = self.active_watches, {}
        if tell_active_watches:
            for watch, owner in watches.items():
                self._send(owner, watch)

    def intervals(self) -> list[int]:
        return sorted(interval for _owner, interval in self.idle_watches.values())


async def _own(bus: MessageBus, name: str) -> None:
    reply = await bus.request_name(name, NameFlag.DO_NOT_QUEUE)
    assert reply == RequestNameReply.PRIMARY_OWNER, reply


@asynccontextmanager
async def mutter(address: str) -> AsyncIterator[IdleMonitor]:
    bus = await MessageBus(bus_address=address).connect()
    monitor = IdleMonitor(bus)
    bus.export(MUTTER_PATH, monitor)
    await _own(bus, MUTTER)
    try:
        yield monitor
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]


def test_mutter_idle_watches_and_the_one_shot_return(bus: str) -> None:
    async def scenario() -> None:
        async with mutter(bus) as monitor:
            events = Events()
            watcher = MutterIdleWatcher(bus)
            watcher.set_thresholds([5 * MINUTE, MINUTE])
            assert await watcher.start(events) is None
            assert monitor.intervals() == [60_000, 300_000]
            assert monitor.active_watches == {}  # not while the person works

            monitor.reach(timedelta(seconds=61))
            await events.wait(1)
            assert events.kinds() == [("idle", 60.0)]
            assert events.seen[0][1].source == "mutter"
            await until(lambda: len(monitor.active_watches) == 1, "a user-active watch")

            monitor.reach(timedelta(minutes=6))
            await events.wait(2)
            monitor.input()
            await events.wait(3)
            assert events.kinds() == [("idle", 60.0), ("idle", 300.0), ("active", None)]

            # a new spell: the same watches fire again, and a new user-active watch is added
            monitor.reach(timedelta(seconds=90))
            await events.wait(4)
            await until(lambda: len(monitor.active_watches) == 1, "a new user-active watch")
            monitor.input()
            await events.wait(5)
            assert events.kinds(3) == [("idle", 60.0), ("active", None)]

            # input while nobody is idle is nothing
            monitor.input()
            await settle()
            assert len(events.seen) == 5

            monitor.reach(timedelta(seconds=61))
            await events.wait(6)
            await until(lambda: len(monitor.active_watches) == 1, "a user-active watch")
            await watcher.close()
            assert monitor.idle_watches == {} and monitor.active_watches == {}  # all removed

    run(scenario())


def test_mutter_input_before_the_return_watch_is_in_place(bus: str) -> None:
    """Input between the idle watch firing and the user-active watch being added is not lost: the
    watcher checks the idle time once the watch is in place."""

    async def scenario() -> None:
        async with mutter(bus) as monitor:
            events = Events()
            watcher = MutterIdleWatcher(bus)
            watcher.set_thresholds([MINUTE])
            assert await watcher.start(events) is None
            monitor.reach(timedelta(seconds=61))
            monitor.input()  # same turn of the loop: the watcher has not even seen the idle yet
            await events.wait(2)
            assert events.kinds() == [("idle", 60.0), ("active", None)]
            await until(lambda: not monitor.active_watches, "the unneeded user-active watch removed")

            # an idle watch firing again with no "active" seen means a new spell: the person was back
            monitor.reach(timedelta(seconds=61))
            await events.wait(3)
            await until(lambda: len(monitor.active_watches) == 1, "a user-active watch")
            monitor.input(tell_active_watches=False)  # as if that signal were lost
            monitor.reach(timedelta(seconds=61))
            await events.wait(5)
            assert events.kinds(2) == [("idle", 60.0), ("active", None), ("idle", 60.0)]
            await watcher.close()

    run(scenario())


def test_mutter_thresholds_changed_while_running(bus: str) -> None:
    async def scenario() -> None:
        async with mutter(bus) as monitor:
            events = Events()
            watcher = MutterIdleWatcher(bus)
            watcher.set_thresholds([MINUTE, 5 * MINUTE])
            assert await watcher.start(events) is None
            monitor.reach(timedelta(minutes=3))
            await events.wait(1)

            # while idle for 3 min: 2 min is past (told at once), 1 min was told, 10 min is to come
            watcher.set_thresholds([MINUTE, 2 * MINUTE, 10 * MINUTE])
            await until(lambda: monitor.intervals() == [60_000, 120_000, 600_000], "the new watches")
            await events.wait(2)
            await settle()
            assert events.kinds() == [("idle", 60.0), ("idle", 120.0)]
            monitor.reach(timedelta(minutes=11))
            monitor.input()
            await events.wait(4)
            assert events.kinds(2) == [("idle", 600.0), ("active", None)]
            await watcher.close()

    run(scenario())


def test_mutter_restarting_gets_the_watches_again(bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        watcher = MutterIdleWatcher(bus)
        watcher.set_thresholds([MINUTE])
        async with mutter(bus):
            assert await watcher.start(events) is None
        async with mutter(bus) as monitor:  # gnome-shell restarted: a new owner with no watches
            await until(lambda: monitor.intervals() == [60_000], "the watch added again")
            monitor.reach(timedelta(seconds=61))
            await events.wait(1)
            assert events.kinds() == [("idle", 60.0)]
            await watcher.close()

    run(scenario())


def test_mutter_missing_is_a_reason(bus: str) -> None:
    async def scenario() -> None:
        watcher = MutterIdleWatcher(bus)
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "not on the session bus" in reason
        await watcher.close()

        watcher = MutterIdleWatcher("unix:path=/nonexistent/rustlamp-bus")
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "no D-Bus session bus" in reason
        await watcher.close()

    run(scenario())


# ----- org.freedesktop.ScreenSaver ----------------------------------------------------------------


class SessionIdle(ServiceInterface):
    """org.freedesktop.ScreenSaver's GetSessionIdleTime (milliseconds, as KDE answers), over an idle
    time that runs on the real clock from the last `input()`. Keeps the time of every question."""

    def __init__(self, refuse: str = "") -> None:
        super().__init__(SCREENSAVER)
        self.last_input = time.monotonic()
        self.asked: list[float] = []
        self.refuse = refuse  # a D-Bus error to answer with (Plasma on Wayland: NotSupported)

    @dbus_method()
    def GetSessionIdleTime(self) -> UInt32:
        if self.refuse:
            raise DBusError(self.refuse, "GetSessionIdleTime is not supported on this platform")
        now = time.monotonic()
        self.asked.append(now)
        return int((now - self.last_input) * 1000)

    def input(self) -> float:
        self.last_input = time.monotonic()
        return self.last_input

    def asked_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.asked if start <= at <= end)


@asynccontextmanager
async def screensaver(address: str, path: str = "/org/freedesktop/ScreenSaver", refuse: str = "") -> Any:
    bus = await MessageBus(bus_address=address).connect()
    service = SessionIdle(refuse)
    bus.export(path, service)
    await _own(bus, SCREENSAVER)
    try:
        yield service
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]


def test_screensaver_asks_only_when_a_threshold_may_be_crossed(bus: str) -> None:
    async def scenario() -> None:
        async with screensaver(bus) as service:
            events = Events()
            watcher = ScreenSaverIdleWatcher(bus, poll_while_idle=0.3)
            watcher.set_thresholds([timedelta(seconds=0.8), timedelta(seconds=0.4)])
            started = service.input()
            assert await watcher.start(events) is None
            await events.wait(2, timeout=5)
            assert events.kinds() == [("idle", 0.4), ("idle", 0.8)]
            assert [e.source for _, e in events.seen] == ["freedesktop-screensaver"] * 2
            for (at, _), threshold in zip(events.seen, (0.4, 0.8), strict=True):
                assert threshold <= at - started <= threshold + 1.0
            # no question between start and the first crossing: it slept until then
            assert service.asked_between(started + 0.1, started + 0.35) == 0

            # idle: it asks every 0.3 s for the return, and sees it within that
            await asyncio.sleep(0.7)
            touched = service.input()
            await events.wait(3, timeout=5)
            at, event = events.seen[2]
            assert event.kind == "active" and at - touched <= 0.3 + 0.5

            # working (input every 0.1 s): no ticking, only a question each time a threshold could be due
            quiet_from = time.monotonic()
            for _ in range(12):
                service.input()
                await asyncio.sleep(0.1)
            quiet_to = time.monotonic()
            assert (
                service.asked_between(quiet_from, quiet_to) <= 4
            )  # a 0.3 s poll would be 4, a 0.1 s tick 12
            assert len(events.seen) == 3

            # and the thresholds come again
            touched = service.input()
            await events.wait(5, timeout=5)
            assert events.kinds(3) == [("idle", 0.4), ("idle", 0.8)]
            assert events.seen[3][0] - touched >= 0.4
            await watcher.close()

    run(scenario())


def test_screensaver_at_kdes_other_path_and_refusals(bus: str) -> None:
    async def scenario() -> None:
        watcher = ScreenSaverIdleWatcher(bus)
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "not on the session bus" in reason

        async with screensaver(bus, path="/ScreenSaver") as service:
            events = Events()
            watcher = ScreenSaverIdleWatcher(bus)
            watcher.set_thresholds([timedelta(seconds=0.2)])
            service.input()
            assert await watcher.start(events) is None
            await events.wait(1)
            await watcher.close()

        async with screensaver(bus, refuse="org.freedesktop.DBus.Error.NotSupported"):
            watcher = ScreenSaverIdleWatcher(bus)
            reason = await watcher.start(lambda event: None)
            assert reason is not None and "NotSupported" in reason
            await watcher.close()

    run(scenario())


# ----- choosing ------------------------------------------------------------------------------------


def test_choose_prefers_mutter_then_x11_then_the_screensaver(
    bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", bus)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("XDG_SESSION_TYPE", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)
    thresholds = [MINUTE]

    async def choose() -> tuple[str | None, str]:
        watcher, line = await choose_idle_watcher(thresholds, lambda event: None)
        name = None if watcher is None else watcher.name
        if watcher is not None:
            await watcher.close()
        return name, line

    async def scenario(display: str) -> None:
        name, line = await choose()
        assert name is None
        assert "org.gnome.Mutter.IdleMonitor is not on the session bus" in line
        assert "x11-sync: no X display" in line
        assert "org.freedesktop.ScreenSaver is not on the session bus" in line

        async with screensaver(bus):
            assert (await choose())[0] == "freedesktop-screensaver"
            monkeypatch.setenv("DISPLAY", display)
            assert (await choose())[0] == "x11-sync"
            monkeypatch.setenv("WAYLAND_DISPLAY", "wayland-0")  # XWayland's idle time would be wrong
            name, line = await choose()
            assert name == "freedesktop-screensaver"
            monkeypatch.delenv("WAYLAND_DISPLAY")
            async with mutter(bus) as monitor:
                name, line = await choose()
                assert name == "mutter" and "Mutter" in line
                await until(lambda: monitor.idle_watches == {}, "the chosen watcher closed")

    require_programs(["Xvfb"])
    with extra_display("640x480x24", "-noreset") as display:  # no reset when the last client leaves
        run(scenario(display))
