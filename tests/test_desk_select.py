"""The desk watchers chosen for Windows and macOS, from this Linux machine: their OS calls refuse here, so
each says why in the log; and with the Windows OS reads stood in for, the chain from a read to a held
reminder is the real one (the selector, the asked watcher, the desk events)."""

from __future__ import annotations

import asyncio

import pytest
from platforms import not_on_windows

from rustlamp.desk import windows_desk
from rustlamp.desk.asked_hold import AskedHoldWatcher
from rustlamp.desk.base import DeskEvent
from rustlamp.desk.dnd_select import choose_dnd_watchers
from rustlamp.desk.power_select import choose_power_watchers

pytestmark = pytest.mark.windows

QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_PRESENTATION_MODE = 4


def names(lines: list[str]) -> list[str]:
    return [line.split(":")[0] for line in lines]


def test_on_windows_focus_assist_that_cannot_be_read_is_said_once_and_presentation_mode_still_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    state = {"quns": QUNS_ACCEPTS_NOTIFICATIONS}

    def wnf_refused() -> bytes:
        raise OSError("NtQueryWnfStateData: STATUS_ACCESS_DENIED")

    monkeypatch.setattr(windows_desk, "read_quns", lambda: state["quns"])
    monkeypatch.setattr(windows_desk, "read_wnf_quiet_hours", wnf_refused)
    events: list[DeskEvent] = []

    async def scenario() -> list[str]:
        watchers, lines = await choose_dnd_watchers(
            events.append, when_fullscreen=True, during_calls=False, platform="win32"
        )
        assert [w.name for w in watchers] == ["windows-dnd", "windows-fullscreen"]
        dnd = watchers[0]
        assert isinstance(dnd, AskedHoldWatcher)
        await dnd.look()
        assert events == []
        state["quns"] = QUNS_PRESENTATION_MODE
        await dnd.look()
        for watcher in watchers:
            await watcher.close()
        return lines

    lines = asyncio.run(scenario())
    assert lines == [
        "windows-dnd: Focus Assist cannot be read (NtQueryWnfStateData: STATUS_ACCESS_DENIED); only "
        "presentation mode is followed"
    ]
    assert [(e.kind, e.source, e.reason) for e in events] == [("hold", "windows-dnd", "dnd")]


@pytest.mark.parametrize(
    ("platform", "when_fullscreen", "expected"),
    [
        ("win32", False, ["windows-dnd"]),
        ("win32", True, ["windows-dnd", "windows-fullscreen"]),
        ("darwin", True, ["macos-dnd", "macos-fullscreen"]),
    ],
)
@not_on_windows("there they are asked")
def test_here_the_windows_and_macos_questions_say_why_they_cannot_be_asked(
    platform: str, when_fullscreen: bool, expected: list[str]
) -> None:
    watchers, lines = asyncio.run(
        choose_dnd_watchers(lambda e: None, when_fullscreen, during_calls=False, platform=platform)
    )
    assert watchers == []
    assert names(lines) == expected
    assert all("cannot be asked here" in line for line in lines)


@not_on_windows("there it starts")
def test_here_the_windows_call_watcher_says_it_is_for_windows_and_only_when_asked_for() -> None:
    watchers, lines = asyncio.run(
        choose_dnd_watchers(lambda e: None, False, during_calls=True, platform="win32")
    )
    assert watchers == [] and names(lines) == ["windows-dnd", "windows-calls"]
    assert lines[1].startswith("windows-calls: calls cannot be followed this way here")
    watchers, lines = asyncio.run(
        choose_dnd_watchers(lambda e: None, False, during_calls=False, platform="win32")
    )
    assert names(lines) == ["windows-dnd"]


def test_here_the_macos_call_watcher_says_it_is_for_macos_and_only_when_asked_for() -> None:
    watchers, lines = asyncio.run(
        choose_dnd_watchers(lambda e: None, False, during_calls=True, platform="darwin")
    )
    assert watchers == [] and names(lines) == ["macos-dnd", "macos-calls"]
    assert "CoreAudio, which exists on macOS only" in lines[1]
    watchers, lines = asyncio.run(
        choose_dnd_watchers(lambda e: None, False, during_calls=False, platform="darwin")
    )
    assert names(lines) == ["macos-dnd"]


@not_on_windows("there it starts")
def test_here_the_windows_power_watcher_says_why_it_does_not_start() -> None:
    watchers, lines = asyncio.run(choose_power_watchers(lambda e: None, platform="win32"))
    assert watchers == [] and names(lines) == ["windows-power"]
    assert "Windows only" in lines[0]


def test_here_the_macos_power_and_lock_watchers_say_why_they_do_not_start() -> None:
    watchers, lines = asyncio.run(choose_power_watchers(lambda e: None, platform="darwin"))
    assert watchers == [] and names(lines) == ["macos-power", "macos-lock"]
    assert "macOS only" in lines[0] and "cannot be asked here" in lines[1]
