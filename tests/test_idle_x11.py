"""The X11 idle watcher on a real X server (a bare Xvfb of its own, so only the test makes input), with
real idle time: the test really waits, and really moves the pointer with xdotool (XTEST input resets the
server's IDLETIME counter as a person's would). No mocks.

Timing is checked with generous bounds: events must come in order, not before their threshold, and
within a second or so after it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Coroutine, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from desktop import extra_display, require_programs

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.idle_x11 import X11IdleWatcher

pytestmark = pytest.mark.desktop

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[1]
LATE = 1.0  # seconds an event may come after its moment on a busy test machine


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


class Timeline:
    """An emit that keeps each event with the monotonic time it came."""

    def __init__(self) -> None:
        self.seen: list[tuple[float, DeskEvent]] = []
        self._arrived: asyncio.Event | None = None

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append((time.monotonic(), event))
        if self._arrived is not None:
            self._arrived.set()

    def kinds(self, start: int = 0) -> list[tuple[str, float | None]]:
        return [
            (e.kind, e.idle_for.total_seconds() if e.idle_for is not None else None)
            for _, e in self.seen[start:]
        ]

    async def wait(self, count: int, timeout: float) -> None:
        self._arrived = asyncio.Event()
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"wanted {count} events within {timeout:g} s, got {self.kinds()}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                continue


@pytest.fixture(scope="module")
def display() -> Iterator[str]:
    require_programs(["Xvfb", "xdotool"])
    with extra_display("640x480x24", "-noreset") as name:  # no reset when the last client leaves
        yield name


_position = [0]


def touch(display: str) -> float:
    """Real input: move the pointer (somewhere new each time). Returns the time just before, which is
    no later than the moment the server saw the input."""
    _position[0] = (_position[0] + 37) % 400
    before = time.monotonic()
    subprocess.run(
        ["xdotool", "mousemove", str(_position[0] + 10), str(_position[0] + 20)],
        env={**os.environ, "DISPLAY": display},
        check=True,
        timeout=10,
    )
    return before


def voluntary_switches_of_this_thread() -> int:
    status = Path(f"/proc/self/task/{threading.get_native_id()}/status").read_text()
    for line in status.splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches in /proc")


def test_idle_at_each_threshold_then_active_at_input_and_idle_again(display: str) -> None:
    async def scenario() -> None:
        events = Timeline()
        watcher = X11IdleWatcher(display)
        watcher.set_thresholds([seconds(1.2), seconds(0.5)])  # any order: events come ascending
        touched = touch(display)
        assert await watcher.start(events) is None
        try:
            await events.wait(2, timeout=1.2 + 5)
            assert events.kinds() == [("idle", 0.5), ("idle", 1.2)]
            for (at, event), threshold in zip(events.seen, (0.5, 1.2), strict=True):
                assert event.source == "x11-sync"
                assert threshold - 0.05 <= at - touched <= threshold + LATE, (threshold, at - touched)

            await asyncio.sleep(0.3)  # idle past every threshold: nothing more comes
            assert len(events.seen) == 2

            touched = touch(display)
            await events.wait(3, timeout=5)
            at, event = events.seen[2]
            assert (event.kind, event.idle_for) == ("active", None)
            assert at - touched <= LATE

            # the thresholds are armed again: a second idle spell reports them again, timed from the input
            await events.wait(5, timeout=1.2 + 5)
            assert events.kinds(3) == [("idle", 0.5), ("idle", 1.2)]
            for (at, _), threshold in zip(events.seen[3:], (0.5, 1.2), strict=True):
                assert threshold - 0.05 <= at - touched <= threshold + LATE

            # input before the first threshold is no "active": there was no "idle" in between
            touched = touch(display)
            await events.wait(6, timeout=5)
            await asyncio.sleep(0.2)
            touch(display)
            await asyncio.sleep(0.2)
            touched = touch(display)
            await events.wait(7, timeout=5)
            assert events.kinds(5) == [("active", None), ("idle", 0.5)]
            assert events.seen[6][0] - touched >= 0.45
        finally:
            await watcher.close()

    run(scenario())


def test_no_wakeups_while_nothing_happens(display: str) -> None:
    """Between crossings the X connection is silent: the loop's reader for it never runs, and the loop's
    thread sleeps (its voluntary context switches are those of the test's own sleep, not one a tick)."""

    async def scenario() -> None:
        events = Timeline()
        watcher = X11IdleWatcher(display)
        watcher.set_thresholds([seconds(2.0)])
        touched = touch(display)
        assert await watcher.start(events) is None
        try:
            await asyncio.sleep(0.1)  # let start-up's own traffic settle
            woken, switches = watcher.wakeups, voluntary_switches_of_this_thread()
            await asyncio.sleep(1.0)  # a quiet second before the threshold
            assert watcher.wakeups - woken == 0
            assert voluntary_switches_of_this_thread() - switches <= 3  # the sleep's own wake-up, and slack
            assert events.seen == []

            await events.wait(1, timeout=5)
            assert events.kinds() == [("idle", 2.0)]
            assert events.seen[0][0] - touched >= 1.95
            assert watcher.wakeups - woken == 1  # one wake-up: the alarm
        finally:
            await watcher.close()

    run(scenario())


def test_already_idle_at_start_and_thresholds_changed_while_idle(display: str) -> None:
    """Starting while the person is away reports the thresholds already passed, at once and in order;
    thresholds added during an idle spell report what is passed, and nothing is reported twice."""

    async def scenario() -> None:
        events = Timeline()
        watcher = X11IdleWatcher(display)
        watcher.set_thresholds([seconds(0.3), seconds(0.6)])
        touch(display)
        await asyncio.sleep(0.9)
        started = time.monotonic()
        assert await watcher.start(events) is None
        try:
            await events.wait(2, timeout=5)
            assert events.kinds() == [("idle", 0.3), ("idle", 0.6)]
            assert events.seen[1][0] - started < LATE

            watcher.set_thresholds([seconds(0.6), seconds(0.2), seconds(30)])  # idle for ~1 s by now
            await events.wait(3, timeout=5)
            await asyncio.sleep(0.3)
            assert events.kinds(2) == [("idle", 0.2)]  # 0.6 was told already; 30 s is far off

            touched = touch(display)
            await events.wait(6, timeout=5)
            assert events.kinds(3) == [("active", None), ("idle", 0.2), ("idle", 0.6)]
            assert events.seen[4][0] - touched >= 0.15

            watcher.set_thresholds([])  # no thresholds: no alarms; the return is still noticed
            touch(display)
            await events.wait(7, timeout=5)
            await asyncio.sleep(0.8)
            assert events.kinds(6) == [("active", None)]
        finally:
            await watcher.close()

    run(scenario())


def test_no_display_or_no_server_is_a_reason_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        monkeypatch.delenv("DISPLAY", raising=False)
        watcher = X11IdleWatcher()
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "DISPLAY" in reason
        await watcher.close()

        watcher = X11IdleWatcher(":4097")  # nothing listens there
        reason = await watcher.start(lambda event: None)
        assert reason is not None and ":4097" in reason
        await watcher.close()
        await watcher.close()  # twice is fine

    run(scenario())


def test_the_server_going_away_ends_the_watcher_quietly(caplog: pytest.LogCaptureFixture) -> None:
    """When the X server dies, the watcher logs it once and lets go of the socket (no busy loop on a
    closed connection)."""
    caplog.set_level(logging.WARNING, logger="rustlamp.desk")

    async def scenario() -> None:
        with extra_display() as name:
            watcher = X11IdleWatcher(name)
            watcher.set_thresholds([seconds(60)])
            assert await watcher.start(lambda event: None) is None
        # the Xvfb is gone now
        await asyncio.sleep(0.5)
        assert watcher.wakeups <= 2
        assert "lost" in caplog.text
        await watcher.close()

    run(scenario())


def test_loads_neither_tk_nor_pil(display: str) -> None:
    code = """
import asyncio, sys
from datetime import timedelta
from rustlamp.desk.idle_select import choose_idle_watcher

async def main():
    watcher, line = await choose_idle_watcher([timedelta(minutes=1)], lambda event: None)
    assert watcher is not None and watcher.name == "x11-sync", line
    await watcher.close()

asyncio.run(main())
heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tkinter", "_tkinter", "PIL"))
print(heavy)
"""
    env = {k: v for k, v in os.environ.items() if k not in ("WAYLAND_DISPLAY", "XDG_SESSION_TYPE")}
    env.update(DISPLAY=display, DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent/rustlamp-test-bus")
    result = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
