"""The app's side of the break window: a child process, one at a time, brought forward on a second ask."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from app_process import answer_break_window
from desktop import DesktopSession

from rustlamp.system.windows import BreakRequest, BreakWindow

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
        window = BreakWindow()
        running = asyncio.create_task(window.run(REQUEST))
        while not window.is_open:
            await asyncio.sleep(0.001)
        window.bring_to_front()  # the quick second click: before the window has set its own handler
        await asyncio.to_thread(answer_break_window, desktop_clean.env, "A moment of rest")
        return await asyncio.wait_for(running, 20)

    assert asyncio.run(scenario()) == {"outcome": "done"}
