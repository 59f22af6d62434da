"""AskedHoldWatcher: a bad moment the OS can only be asked about is asked about when a reminder is due,
then only while it lasts. Real asyncio timers; the OS question is a plain function."""

from __future__ import annotations

import asyncio
import logging

import pytest

from rustlamp.desk.asked_hold import AskedHoldWatcher
from rustlamp.desk.base import AskedWatcher, DeskEvent

pytestmark = pytest.mark.windows


class Question:
    def __init__(self) -> None:
        self.answers: list[bool | Exception] = []
        self.default: bool | Exception = False
        self.asked = 0

    def __call__(self) -> bool:
        self.asked += 1
        answer = self.answers.pop(0) if self.answers else self.default
        if isinstance(answer, Exception):
            raise answer
        return answer


async def until(condition: object, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.005)


def test_it_is_an_asked_watcher() -> None:
    assert isinstance(AskedHoldWatcher("w", "dnd", Question()), AskedWatcher)


def test_start_says_why_when_the_question_cannot_be_asked_here() -> None:
    question = Question()
    question.default = OSError("SHQueryUserNotificationState exists on Windows only")
    watcher = AskedHoldWatcher("windows-fullscreen", "fullscreen", question)
    reason = asyncio.run(watcher.start(lambda event: None))
    assert reason == "cannot be asked here (SHQueryUserNotificationState exists on Windows only)"


def test_hold_then_release_asking_only_while_it_lasts() -> None:
    question = Question()
    events: list[DeskEvent] = []
    watcher = AskedHoldWatcher("mac-focus", "dnd", question, poll_while_held=0.01)

    async def scenario() -> None:
        await watcher.start(events.append)
        await watcher.look()
        assert events == []  # not busy: nothing held, and no asking goes on
        question.answers = [True, True, True, False]
        await watcher.look()
        assert [e.kind for e in events] == ["hold"]  # before look() returned
        await watcher.look()  # held already: not asked again by look
        await until(lambda: len(events) == 2)
        asked = question.asked
        await asyncio.sleep(0.05)
        assert question.asked == asked

    asyncio.run(scenario())
    assert [(e.kind, e.source, e.reason) for e in events] == [
        ("hold", "mac-focus", "dnd"),
        ("release", "mac-focus", "dnd"),
    ]
    assert question.asked == 1 + 1 + 4  # start, the free look, the busy look and three polls


def test_a_failing_question_while_holding_releases_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    question = Question()
    events: list[DeskEvent] = []
    watcher = AskedHoldWatcher("windows-dnd", "dnd", question, poll_while_held=0.01)
    caplog.set_level(logging.INFO, logger="rustlamp.desk")

    async def scenario() -> None:
        await watcher.start(events.append)
        question.answers = [True, OSError("gone")]
        await watcher.look()
        await until(lambda: len(events) == 2)
        question.answers = [OSError("still gone")]
        await watcher.look()  # cannot tell: nothing held
        await watcher.look()

    asyncio.run(scenario())
    assert [e.kind for e in events] == ["hold", "release"]
    warnings = [r.message for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == ["windows-dnd: cannot tell whether this is a bad moment (gone)"]
    assert any(r.message == "windows-dnd: can be asked again" for r in caplog.records)


def test_close_stops_the_asking() -> None:
    question = Question()
    question.default = True
    events: list[DeskEvent] = []
    watcher = AskedHoldWatcher("x", "fullscreen", question, poll_while_held=0.01)

    async def scenario() -> None:
        await watcher.start(events.append)
        await watcher.look()
        await watcher.close()
        asked = question.asked
        await asyncio.sleep(0.05)
        assert question.asked == asked
        await watcher.look()  # closed: nothing

    asyncio.run(scenario())
    assert [e.kind for e in events] == ["hold"]
