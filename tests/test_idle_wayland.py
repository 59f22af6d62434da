"""Idle time from a real Wayland compositor: sway 1.7 offers org_kde_kwin_idle (KWin's protocol, the
only idle protocol of wlroots 0.15); KDE Plasma's ext-idle-notify-v1 is tested in its own desktop
(test_real_plasma.py). Input comes from a virtual keyboard (wtype), which the compositor counts as
someone at the desk, as it does a real one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import selectors
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from wayland_session import Sway, sway

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.idle_select import choose_idle_watcher
from rustlamp.desk.idle_wayland import WaylandIdleWatcher
from rustlamp.desk.wayland_wire import WaylandConnection, socket_path

pytestmark = pytest.mark.real_desktop

SECOND = timedelta(seconds=1)


@pytest.fixture(scope="module")
def desktop() -> Iterator[Sway]:
    with sway() as running:
        yield running


@pytest.fixture
def on_sway(desktop: Sway, monkeypatch: pytest.MonkeyPatch) -> Sway:
    for name in ("XDG_RUNTIME_DIR", "WAYLAND_DISPLAY", "XDG_SESSION_TYPE", "DBUS_SESSION_BUS_ADDRESS"):
        monkeypatch.setenv(name, desktop.env[name])
    monkeypatch.delenv("DISPLAY", raising=False)
    return desktop


class CountingSelector(selectors.DefaultSelector):
    """The loop's selector, counting how often the loop woke up."""

    wakeups = 0

    def select(self, timeout: float | None = None) -> list[tuple[selectors.SelectorKey, int]]:
        ready = super().select(timeout)
        self.wakeups += 1
        return ready


class Events:
    def __init__(self) -> None:
        self.began = time.monotonic()
        self.seen: list[tuple[float, DeskEvent]] = []

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append((time.monotonic() - self.began, event))

    def kinds(self) -> list[str]:
        return [
            e.kind if e.idle_for is None else f"{e.kind} {e.idle_for.total_seconds():g}" for _, e in self.seen
        ]

    async def until(self, count: int, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            assert time.monotonic() < deadline, f"only {self.kinds()} within {timeout:g} s"
            await asyncio.sleep(0.02)


def test_the_globals_are_read_over_the_wire(on_sway: Sway) -> None:
    connection = WaylandConnection.connect(socket_path())
    try:
        names = {g.interface for g in connection.globals}
        assert {"wl_seat", "wl_compositor", "org_kde_kwin_idle"} <= names
        assert "ext_idle_notifier_v1" not in names  # wlroots 0.15: the KDE protocol only
    finally:
        connection.close()


def test_thresholds_in_order_then_active_at_input_then_again(on_sway: Sway) -> None:
    events = Events()

    async def scenario() -> str:
        watcher = WaylandIdleWatcher()
        watcher.set_thresholds([2 * SECOND, SECOND, -SECOND])
        events.began = time.monotonic()
        assert await watcher.start(events) is None
        try:
            await events.until(2)
            await asyncio.to_thread(on_sway.type_key)
            await events.until(3)
            await events.until(4)  # the next spell counts from the input
            return watcher.description
        finally:
            await watcher.close()

    description = asyncio.run(scenario())
    assert "org_kde_kwin_idle" in description
    assert events.kinds() == ["idle 1", "idle 2", "active", "idle 1"]
    (t1, _), (t2, _), (t_active, _), (t3, _) = events.seen
    assert 0.9 <= t1 < 1.8 and 1.9 <= t2 < 2.8
    assert 0.9 <= t3 - t_active < 1.8
    assert {e.source for _, e in events.seen} == {"wayland"}


def test_new_thresholds_take_over_at_once(on_sway: Sway) -> None:
    events = Events()

    async def scenario() -> None:
        watcher = WaylandIdleWatcher()
        watcher.set_thresholds([timedelta(minutes=10)])
        assert await watcher.start(events) is None
        try:
            watcher.set_thresholds([timedelta(milliseconds=500)])
            await events.until(1)
            await asyncio.sleep(1.0)  # the old ten minutes are gone: nothing else comes
        finally:
            await watcher.close()

    asyncio.run(scenario())
    assert events.kinds() == ["idle 0.5"]


def test_between_events_the_loop_sleeps(on_sway: Sway) -> None:
    """No periodic wake-ups: after the one threshold has fired, 3 s of nobody at the desk bring nothing
    on the Wayland socket, and the loop wakes only for the test's own sleep (which asyncio may end in
    two turns, as its timer resolution rounds)."""
    events = Events()
    selector = CountingSelector()
    loop = asyncio.SelectorEventLoop(selector)

    async def scenario() -> tuple[int, int]:
        watcher = WaylandIdleWatcher()
        watcher.set_thresholds([SECOND])
        assert await watcher.start(events) is None
        reads = 0
        on_readable = watcher._on_readable

        def counted() -> None:
            nonlocal reads
            reads += 1
            on_readable()

        try:
            await events.until(1)
            connection = watcher._connection
            assert connection is not None
            loop.remove_reader(connection.sock.fileno())
            loop.add_reader(connection.sock.fileno(), counted)
            before = selector.wakeups
            await asyncio.sleep(3)
            return selector.wakeups - before, reads
        finally:
            await watcher.close()

    try:
        wakeups, reads = loop.run_until_complete(scenario())
    finally:
        loop.close()
    assert events.kinds() == ["idle 1"]
    assert reads == 0
    assert wakeups <= 2, wakeups


def test_the_compositor_going_away_is_said_and_nothing_breaks(caplog: pytest.LogCaptureFixture) -> None:
    events = Events()

    async def scenario(desktop: Sway) -> None:
        watcher = WaylandIdleWatcher(str(desktop.runtime / desktop.env["WAYLAND_DISPLAY"]))
        watcher.set_thresholds([timedelta(minutes=5)])
        assert await watcher.start(events) is None
        await asyncio.to_thread(desktop.stop)
        deadline = time.monotonic() + 5
        while "the compositor closed the connection" not in caplog.text:
            assert time.monotonic() < deadline, caplog.text
            await asyncio.sleep(0.05)
        watcher.set_thresholds([SECOND])  # harmless now
        await watcher.close()
        await watcher.close()

    with caplog.at_level(logging.WARNING, logger="rustlamp.desk"), sway() as own:
        asyncio.run(scenario(own))
    assert events.seen == []


def test_no_compositor_says_where_it_looked(tmp_path: os.PathLike[str]) -> None:
    async def scenario() -> str | None:
        return await WaylandIdleWatcher(f"{tmp_path}/wayland-9").start(lambda event: None)

    reason = asyncio.run(scenario())
    assert reason is not None and reason.startswith(f"no Wayland compositor answers at {tmp_path}/wayland-9")


def test_on_sway_the_chooser_takes_the_compositors_idle_time(on_sway: Sway) -> None:
    async def scenario() -> tuple[str | None, str]:
        watcher, line = await choose_idle_watcher([SECOND], lambda event: None)
        if watcher is not None:
            await watcher.close()
        return (None if watcher is None else watcher.name), line

    name, line = asyncio.run(scenario())
    assert name == "wayland"
    assert (
        line
        == "idle time from the compositor's idle time (org_kde_kwin_idle; a playing video counts as presence)"
    )
