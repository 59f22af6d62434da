"""The app's side of the break window: a child process, one at a time, brought forward on a second ask."""

from __future__ import annotations

import asyncio
import sys
from datetime import timedelta

import pytest
from app_process import answer_break_window
from desktop import DesktopSession

from rustlamp.system.windows import WindowProcess, break_window
from rustlamp.ui.contract import BreakDone, BreakRequest, Closed

pytestmark = pytest.mark.desktop

REQUEST = BreakRequest(
    language="en",
    prompt="Breathe.",
    length=timedelta(minutes=5),
    inhale=timedelta(seconds=4),
    exhale=timedelta(seconds=6),
    snooze=(timedelta(minutes=10),),
)


def test_a_second_ask_at_once_brings_the_window_forward_and_does_not_end_it(
    desktop_clean: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DISPLAY", desktop_clean.env["DISPLAY"])

    async def scenario() -> object:
        window = break_window()
        running = asyncio.create_task(window.run(REQUEST))
        while not window.is_open:
            await asyncio.sleep(0.001)
        window.bring_to_front()  # the quick second click: before the window has set its own handler
        await asyncio.to_thread(answer_break_window, desktop_clean.env, "A moment of rest")
        return await asyncio.wait_for(running, 20)

    assert asyncio.run(scenario()) == BreakDone()


# A window that has told its outcome and takes its time to exit, as a real process does while Tk tears down.
ANSWERS_THEN_LINGERS = [
    sys.executable,
    "-c",
    "import json, sys, time; print(json.dumps({'outcome': sys.argv[1]}), flush=True); "
    "time.sleep(float(sys.argv[2]))",
]


def test_a_window_that_has_answered_no_longer_counts_as_open() -> None:
    """The race from issue 4: an ask while the closing window's process exits must open a new window,
    not send SIGUSR1 to one that is going away (which would drop the ask)."""

    async def scenario() -> tuple[bool, bool, object]:
        window = WindowProcess("break_window", (BreakDone,), program=ANSWERS_THEN_LINGERS)
        running = asyncio.create_task(window.run(["done", "1.5"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        opened = window.is_open
        while window.is_open:  # becomes False when the answer line arrives, while the process lives on
            await asyncio.sleep(0.001)
        lingering = not running.done()
        return opened, lingering, await asyncio.wait_for(running, 10)

    opened, lingering, outcome = asyncio.run(scenario())
    assert opened and lingering
    assert outcome == BreakDone()


def test_a_new_window_while_the_last_one_exits_is_its_own() -> None:
    async def scenario() -> tuple[object, object]:
        window = WindowProcess("break_window", (BreakDone, Closed), program=ANSWERS_THEN_LINGERS)
        first = asyncio.create_task(window.run(["done", "1.0"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        while window.is_open:
            await asyncio.sleep(0.001)
        second = asyncio.create_task(window.run(["closed", "0.2"]))
        while not window.is_open:
            await asyncio.sleep(0.001)
        results = await asyncio.wait_for(asyncio.gather(first, second), 10)
        assert not window.is_open
        return results[0], results[1]

    assert asyncio.run(scenario()) == (BreakDone(), Closed())


def test_a_window_that_ends_without_an_answer_gives_none() -> None:
    window = WindowProcess("break_window", (BreakDone,), program=[sys.executable, "-c", "print('oops')"])
    assert asyncio.run(window.run([])) is None
