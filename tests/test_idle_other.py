"""The sleep-until-the-next-crossing scheduler that Windows, macOS (and org.freedesktop.ScreenSaver) use.

GetLastInputInfo and IOKit cannot run here, so the idle time comes from a fake desk that counts real
seconds since its last `input()`; everything else is real (the asyncio loop, its timers, real sleeps).
The OS functions themselves are checked only for what they do here: refuse, so the watchers say why.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Coroutine
from datetime import timedelta
from typing import Any, TypeVar

import pytest

from rustlamp.desk import idle_other
from rustlamp.desk.base import DeskEvent
from rustlamp.desk.idle_other import (
    CrossingIdleWatcher,
    clean_thresholds,
    macos_watcher,
    windows_watcher,
)

pytestmark = pytest.mark.windows

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def seconds(value: float) -> timedelta:
    return timedelta(seconds=value)


class FakeDesk:
    """Stands in for the OS call: idle time is the real time since the last input. Keeps the time of
    every question, and can be made to fail."""

    def __init__(self) -> None:
        self.last_input = time.monotonic()
        self.asked: list[float] = []
        self.failing = False

    async def idle(self) -> float:
        now = time.monotonic()
        self.asked.append(now)
        if self.failing:
            raise OSError("the fake OS call failed")
        return now - self.last_input

    def input(self) -> float:
        self.last_input = time.monotonic()
        return self.last_input

    def asked_between(self, start: float, end: float) -> int:
        return sum(1 for at in self.asked if start <= at <= end)


class Events:
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
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"wanted {count} events within {timeout:g} s, got {self.kinds()}")
            await asyncio.sleep(0.005)


def test_clean_thresholds() -> None:
    assert clean_thresholds([seconds(300), seconds(60), seconds(60), seconds(0), seconds(-5)]) == [
        seconds(60),
        seconds(300),
    ]


def test_sleeps_until_each_crossing_then_polls_only_while_idle() -> None:
    async def scenario() -> None:
        desk, events = FakeDesk(), Events()
        watcher = CrossingIdleWatcher("fake", desk.idle, poll_while_idle=0.25)
        watcher.set_thresholds([seconds(0.6), seconds(0.3)])
        started = desk.input()
        assert await watcher.start(events) is None
        try:
            await events.wait(2)
            assert events.kinds() == [("idle", 0.3), ("idle", 0.6)]
            assert all(e.source == "fake" for _, e in events.seen)
            for (at, _), threshold in zip(events.seen, (0.3, 0.6), strict=True):
                assert threshold <= at - started <= threshold + 0.5
            # one question at start, then none until the first crossing was due
            assert desk.asked_between(started, started + 0.29) == 1

            # idle past every threshold: a question every 0.25 s, for the return only
            await asyncio.sleep(1.0)
            polls = desk.asked_between(time.monotonic() - 1.0, time.monotonic())
            assert 2 <= polls <= 5
            assert len(events.seen) == 2

            touched = desk.input()
            await events.wait(3)
            at, event = events.seen[2]
            assert (event.kind, event.idle_for) == ("active", None)
            assert at - touched <= 0.25 + 0.3
        finally:
            await watcher.close()

    run(scenario())


def test_no_ticking_while_the_person_works() -> None:
    """Input every 50 ms for a second: the watcher asks only when the threshold could have been
    reached since its last answer (every ~0.5 s here), never on a tick."""

    async def scenario() -> None:
        desk, events = FakeDesk(), Events()
        watcher = CrossingIdleWatcher("fake", desk.idle, poll_while_idle=0.05)
        watcher.set_thresholds([seconds(0.5)])
        desk.input()
        assert await watcher.start(events) is None
        try:
            start = time.monotonic()
            for _ in range(20):
                desk.input()
                await asyncio.sleep(0.05)
            assert desk.asked_between(start, time.monotonic()) <= 3
            assert events.seen == []  # never idle, so never polling either

            touched = desk.input()
            await events.wait(1)
            assert events.seen[0][0] - touched >= 0.5
        finally:
            await watcher.close()

    run(scenario())


def test_input_is_seen_even_when_idle_grew_past_the_last_answer_again() -> None:
    """With a poll longer than the threshold, the idle time after an input can be larger than the last
    answer; the watcher compares with what it would be without input (last answer + time since)."""

    async def scenario() -> None:
        desk, events = FakeDesk(), Events()
        watcher = CrossingIdleWatcher("fake", desk.idle, poll_while_idle=0.6)
        watcher.set_thresholds([seconds(0.2)])
        desk.input()
        assert await watcher.start(events) is None
        try:
            await events.wait(1)  # answered ~0.25 s
            await asyncio.sleep(0.1)
            desk.input()  # the next question (~0.6 s later) finds ~0.5 s: more than 0.25, less than 0.85
            await events.wait(3, timeout=3)
            assert events.kinds() == [("idle", 0.2), ("active", None), ("idle", 0.2)]
        finally:
            await watcher.close()

    run(scenario())


def test_thresholds_set_while_running_wake_it() -> None:
    async def scenario() -> None:
        desk, events = FakeDesk(), Events()
        watcher = CrossingIdleWatcher("fake", desk.idle)
        assert await watcher.start(events) is None  # no thresholds: nothing to wait for, no questions
        try:
            await asyncio.sleep(0.3)
            assert len(desk.asked) == 1
            watcher.set_thresholds([seconds(0.1), seconds(60)])  # idle ~0.3 s: 0.1 s is past
            await events.wait(1)
            assert events.kinds() == [("idle", 0.1)]
            assert len(desk.asked) == 2
        finally:
            await watcher.close()

    run(scenario())


def test_a_failing_source_is_a_reason_at_start_and_a_logged_pause_later(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(idle_other, "RETRY_AFTER_ERROR", 0.1)
    caplog.set_level(logging.INFO, logger="rustlamp.desk")

    async def scenario() -> None:
        desk, events = FakeDesk(), Events()
        desk.failing = True
        watcher = CrossingIdleWatcher("fake", desk.idle)
        reason = await watcher.start(events)
        assert reason is not None and "the fake OS call failed" in reason
        await watcher.close()

        desk.failing = False
        watcher.set_thresholds([seconds(0.2)])
        assert await watcher.start(events) is None
        try:
            desk.failing = True
            await asyncio.sleep(0.5)  # the crossing's question fails, and the retries every 0.1 s
            desk.failing = False
            await events.wait(1)
            assert events.kinds() == [("idle", 0.2)]
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1  # said once, not per retry
            assert "can be read again" in caplog.text
        finally:
            await watcher.close()

    run(scenario())


@pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="there the OS call works")
def test_windows_and_macos_sources_say_why_they_do_not_work_here() -> None:
    async def scenario() -> None:
        for watcher, name, word in (
            (windows_watcher(), "windows", "Windows"),
            (macos_watcher(), "macos", "macOS"),
        ):
            assert watcher.name == name
            watcher.set_thresholds([seconds(60)])
            reason = await watcher.start(lambda event: None)
            assert reason is not None and word in reason
            await watcher.close()

    run(scenario())
