"""Do not disturb and fullscreen on sway: sway's IPC (a fullscreen window has the focus) and mako's
do-not-disturb mode, inside a real headless sway 1.7 with mako 1.7 and an X program under XWayland.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterator

import pytest
from wayland_session import Sway, sway

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.dnd_mako import MakoModeWatcher
from rustlamp.desk.dnd_select import choose_dnd_watchers
from rustlamp.desk.fullscreen_sway import SwayFullscreenWatcher

pytestmark = pytest.mark.real_desktop


@pytest.fixture(scope="module")
def desktop() -> Iterator[Sway]:
    with sway("xwayland enable") as running:
        running.start_mako()
        yield running


async def until(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout:g} s"
        await asyncio.sleep(0.02)


def window_open(desktop: Sway, app_class: str) -> bool:
    return f'"class": "{app_class}"' in desktop.swaymsg("-t", "get_tree")


def test_a_fullscreen_window_with_the_focus_holds_and_leaving_it_releases(desktop: Sway) -> None:
    events: list[DeskEvent] = []

    async def scenario() -> None:
        watcher = SwayFullscreenWatcher(desktop.env["SWAYSOCK"])
        assert await watcher.start(events.append) is None
        try:
            desktop.swaymsg("exec xmessage -name rustlamp-test 'a film'")
            await until(lambda: window_open(desktop, "Xmessage"), "the X window")
            await asyncio.sleep(0.3)
            assert events == []  # open, not fullscreen
            desktop.swaymsg('[class="Xmessage"] fullscreen enable')
            await until(lambda: len(events) == 1, "hold")
            desktop.swaymsg("workspace 2")  # away from it: nothing fullscreen has the focus
            await until(lambda: len(events) == 2, "release")
            desktop.swaymsg("workspace 1")
            await until(lambda: len(events) == 3, "hold again")
            desktop.swaymsg('[class="Xmessage"] fullscreen disable')
            await until(lambda: len(events) == 4, "release again")
            desktop.swaymsg('[class="Xmessage"] kill')
        finally:
            await watcher.close()

    asyncio.run(scenario())
    assert [(e.kind, e.source, e.reason) for e in events] == [
        ("hold", "sway-fullscreen", "fullscreen"),
        ("release", "sway-fullscreen", "fullscreen"),
        ("hold", "sway-fullscreen", "fullscreen"),
        ("release", "sway-fullscreen", "fullscreen"),
    ]


def test_makos_do_not_disturb_mode_is_asked_when_a_reminder_is_due(desktop: Sway) -> None:
    events: list[DeskEvent] = []

    async def scenario() -> None:
        watcher = MakoModeWatcher(desktop.env["DBUS_SESSION_BUS_ADDRESS"])
        assert await watcher.start(events.append) is None
        watcher._poll = 0.2  # while holding it asks again; 10 s in the app
        try:
            assert await watcher.modes() == ["default"]
            await watcher.look()
            assert events == []
            desktop.run(["makoctl", "mode", "-a", "do-not-disturb"])
            await watcher.look()
            assert [e.kind for e in events] == ["hold"]  # before look() returned: before the reminder
            desktop.run(["makoctl", "mode", "-r", "do-not-disturb"])
            await until(lambda: len(events) == 2, "release")
        finally:
            await watcher.close()
            desktop.run(["makoctl", "mode", "-s", "default"])

    asyncio.run(scenario())
    assert [(e.kind, e.source, e.reason) for e in events] == [
        ("hold", "mako-mode", "dnd"),
        ("release", "mako-mode", "dnd"),
    ]


def test_on_sway_the_chooser_follows_sway_and_mako(desktop: Sway) -> None:
    async def scenario() -> tuple[list[str], list[str]]:
        watchers, lines = await choose_dnd_watchers(
            lambda event: None, when_fullscreen=True, during_calls=False, env=desktop.env, platform="linux"
        )
        for watcher in watchers:
            await watcher.close()
        return [w.name for w in watchers], lines

    names, lines = asyncio.run(scenario())
    assert "sway-fullscreen" in names and "mako-mode" in names
    assert not any(line.startswith(("sway-fullscreen", "mako-mode")) for line in lines)
