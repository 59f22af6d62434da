"""The fullscreen watcher against a real X server and a real window manager, no mocks.

Each test gets its own Xvfb (extra_display), so the shared test desktop is not disturbed, and runs
herbstluftwm on it: a small EWMH window manager from Debian that sets _NET_ACTIVE_WINDOW and honours the
_NET_WM_STATE requests that programs send to go fullscreen (the property it then sets on the window is
what the watcher reads). The windows are real Tk programs in their own processes, made fullscreen the
way a program does it (`wm attributes -fullscreen`, which sends the EWMH request to the root window).

"Nothing was emitted" is checked once the watcher has read the X event in question (its `wakeups`
counter, or the window it names `active`, has moved on), or once it has been quiet for half a second
(`settled`): a watcher that polled would never be, so that is also the check that it does not poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import Any

import pytest
import Xlib.display
import Xlib.error
import Xlib.X
from desktop import extra_display, require_programs

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.fullscreen_x11 import FullscreenX11Watcher

pytestmark = pytest.mark.desktop

TIMEOUT = 10.0  # for things that happen within milliseconds; generous for a loaded machine
HOLD = DeskEvent("hold", "x11-fullscreen", reason="fullscreen")
RELEASE = DeskEvent("release", "x11-fullscreen", reason="fullscreen")

# A Tk program with one window; it reads commands on stdin: fs, unfs, title; end of input closes it.
WINDOW_PROGRAM = r"""
import sys, tkinter as tk
title, class_name = sys.argv[1], sys.argv[2]
root = tk.Tk(className=class_name)
root.title(title)
root.geometry("200x100")
def on_input(*_):
    line = sys.stdin.readline()
    if not line:
        root.destroy()
        return
    command = line.strip()
    if command == "fs":
        root.attributes("-fullscreen", True)
    elif command == "unfs":
        root.attributes("-fullscreen", False)
    elif command == "title":
        root.title(title + " (changed)")
    root.update_idletasks()
    print("done", command, flush=True)
root.tk.createfilehandler(sys.stdin, tk.READABLE, on_input)
print("started", flush=True)
root.mainloop()
"""

# -noreset: Xvfb otherwise starts afresh whenever its last client leaves, dropping a client that is just
# connecting. Display numbers are reused quickly on a busy machine, and a stray client of an earlier
# server with the same number (one looking for its own windows, say) would make ours reset under us.
SERVER = ("640x480x24", "-noreset")

AUTOSTART = """#!/bin/sh
# like herbstluftwm's own autostart: new windows get the focus
herbstclient rule focus=on
"""


# ----- the desktop: an X server, a window manager, windows ------------------------------------------


def wait_for(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        time.sleep(0.02)


@contextmanager
def window_manager(display: str, folder: Path) -> Iterator[subprocess.Popen[bytes]]:
    """herbstluftwm on `display`, ready (its rule for new windows in place) when this yields."""
    require_programs(["herbstluftwm"])  # herbstclient comes with it
    autostart = folder / "autostart"
    autostart.write_text(AUTOSTART)
    autostart.chmod(0o755)
    env = {**os.environ, "DISPLAY": display}
    log = (folder / "herbstluftwm.log").open("wb")
    wm = subprocess.Popen(
        ["herbstluftwm", "--autostart", str(autostart)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )

    def ready() -> bool:
        assert wm.poll() is None, f"herbstluftwm exited: {(folder / 'herbstluftwm.log').read_text()}"
        rules = subprocess.run(["herbstclient", "list_rules"], env=env, capture_output=True, text=True)
        return rules.returncode == 0 and "focus=on" in rules.stdout

    try:
        wait_for(ready, "herbstluftwm")
        yield wm
    finally:
        wm.terminate()  # by PID
        wm.wait(5)
        log.close()


class Window:
    """A real Tk window in its own process."""

    def __init__(self, display: str, title: str, class_name: str = "Tkwindow") -> None:
        self.title = title
        self.proc = subprocess.Popen(
            [sys.executable, "-c", WINDOW_PROGRAM, title, class_name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "DISPLAY": display},
            start_new_session=True,
        )
        assert self._read() == "started"

    def _read(self) -> str:
        assert self.proc.stdout is not None
        return self.proc.stdout.readline().strip()

    def command(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        assert self._read() == f"done {command}"

    def close(self) -> None:
        """As a person closes a program: it destroys its window and exits."""
        if self.proc.poll() is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            self.proc.wait(5)

    def kill(self) -> None:
        """Gone at once, as after a crash: the X server destroys the window."""
        self.proc.kill()
        self.proc.wait(5)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.kill()
        for pipe in (self.proc.stdin, self.proc.stdout):
            if pipe is not None:
                pipe.close()


class Screen:
    """The test's own look at an X display: which window is active, by title."""

    def __init__(self, display: str) -> None:
        self.name = display
        self.x: Any = Xlib.display.Display(display)
        self.root = self.x.screen().root
        self.windows: list[Window] = []

    def open(self, title: str, class_name: str = "Tkwindow") -> Window:
        window = Window(self.name, title, class_name)
        self.windows.append(window)
        return window

    def active(self) -> int:
        prop = self.root.get_full_property(self.x.intern_atom("_NET_ACTIVE_WINDOW"), Xlib.X.AnyPropertyType)
        return int(prop.value[0]) if prop is not None and len(prop.value) else 0

    def title_of(self, window: int) -> str:
        try:
            name = self.x.create_resource_object("window", window).get_wm_name()
        except Xlib.error.XError:
            return ""
        return name.decode() if isinstance(name, bytes) else str(name or "")

    def wait_active(self, title: str) -> int:
        """Wait until the window manager names the window with this title active; its id."""
        wait_for(lambda: self.title_of(self.active()) == title, f"{title!r} active")
        return self.active()

    def close(self) -> None:
        for window in self.windows:
            window.stop()
        with contextlib.suppress(Exception):  # the server may be gone already
            self.x.close()


@contextmanager
def screen_with_wm(tmp_path: Path) -> Iterator[Screen]:
    with extra_display(*SERVER) as display, window_manager(display, tmp_path):
        screen = Screen(display)
        try:
            yield screen
        finally:
            screen.close()


# ----- the watcher in a loop ------------------------------------------------------------------------


class Seen:
    """What the watcher emitted, in order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[DeskEvent] = asyncio.Queue()

    def emit(self, event: DeskEvent) -> None:
        self.queue.put_nowait(event)

    async def next(self, timeout: float = TIMEOUT) -> DeskEvent:
        return await asyncio.wait_for(self.queue.get(), timeout)

    def none_yet(self) -> bool:
        return self.queue.empty()


@asynccontextmanager
async def watching(display: str) -> AsyncIterator[tuple[FullscreenX11Watcher, Seen]]:
    seen = Seen()
    watcher = FullscreenX11Watcher(display)
    assert await watcher.start(seen.emit) is None
    try:
        yield watcher, seen
    finally:
        await watcher.close()


async def until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    """Let the loop run (the watcher reads X events on it) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.01)


async def settled(watcher: FullscreenX11Watcher, quiet: float = 0.5, timeout: float = TIMEOUT) -> None:
    """Wait for `quiet` seconds in which the X connection does not wake the watcher at all."""
    deadline = time.monotonic() + timeout
    while True:
        woke = watcher.wakeups
        await asyncio.sleep(quiet)
        if watcher.wakeups == woke:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the watcher kept waking up ({watcher.wakeups} times so far)")


# ----- tests ----------------------------------------------------------------------------------------


def test_hold_while_fullscreen_and_release_when_it_leaves_fullscreen(tmp_path: Path) -> None:
    async def scenario(screen: Screen) -> None:
        async with watching(screen.name) as (watcher, seen):
            one = screen.open("one")
            one_id = screen.wait_active("one")
            await until(lambda: watcher.active == one_id, "the watcher sees 'one' active")
            assert seen.none_yet()

            one.command("fs")
            assert await seen.next() == HOLD
            assert watcher.holding

            # Nothing that matters changes: the title of the fullscreen window. The watcher wakes
            # for it (X cannot be asked for one property only) and says nothing.
            woke = watcher.wakeups
            one.command("title")
            await until(lambda: watcher.wakeups > woke, "the watcher read the title change")
            # And once nothing happens any more, it sleeps: a watcher that polled would never settle.
            await settled(watcher)
            assert seen.none_yet()

            one.command("unfs")
            assert await seen.next() == RELEASE
            one.command("fs")
            assert await seen.next() == HOLD

    with screen_with_wm(tmp_path) as screen:
        asyncio.run(scenario(screen))


def test_release_when_another_window_gets_the_focus_and_when_the_fullscreen_one_closes(
    tmp_path: Path,
) -> None:
    async def scenario(screen: Screen) -> None:
        async with watching(screen.name) as (watcher, seen):
            one = screen.open("one")
            one_id = screen.wait_active("one")
            one.command("fs")
            assert await seen.next() == HOLD

            screen.open("two")  # a new window takes the focus; "one" stays fullscreen behind it
            screen.wait_active("two")
            assert await seen.next() == RELEASE

            # back to the fullscreen window, as a taskbar or alt-tab does it (_NET_ACTIVE_WINDOW request)
            subprocess.run(
                ["xdotool", "windowactivate", str(one_id)], env={"DISPLAY": screen.name}, check=True
            )
            screen.wait_active("one")
            assert await seen.next() == HOLD

            one.close()
            assert await seen.next() == RELEASE
            await until(lambda: watcher.active != one_id, "the watcher no longer names 'one' active")
            assert seen.none_yet()

    with screen_with_wm(tmp_path) as screen:
        asyncio.run(scenario(screen))


def test_a_fullscreen_window_that_vanishes_is_released_and_watching_goes_on(tmp_path: Path) -> None:
    async def scenario(screen: Screen) -> None:
        async with watching(screen.name) as (watcher, seen):
            one = screen.open("one")
            screen.wait_active("one")
            one.command("fs")
            assert await seen.next() == HOLD
            one.kill()  # the window is destroyed by the server, without a word from its program
            assert await seen.next() == RELEASE

            three = screen.open("three")
            three_id = screen.wait_active("three")
            await until(lambda: watcher.active == three_id, "the watcher follows 'three'")
            three.command("fs")
            assert await seen.next() == HOLD

    with screen_with_wm(tmp_path) as screen:
        asyncio.run(scenario(screen))


def test_already_fullscreen_at_start_is_said_once(tmp_path: Path) -> None:
    async def scenario(screen: Screen) -> None:
        one = screen.open("one")
        screen.wait_active("one")
        one.command("fs")
        seen = Seen()
        watcher = FullscreenX11Watcher(screen.name)

        def fullscreen_set() -> bool:
            window = screen.x.create_resource_object("window", screen.active())
            state = window.get_full_property(screen.x.intern_atom("_NET_WM_STATE"), Xlib.X.AnyPropertyType)
            return state is not None and screen.x.intern_atom("_NET_WM_STATE_FULLSCREEN") in state.value

        wait_for(fullscreen_set, "the window manager made 'one' fullscreen")
        try:
            assert await watcher.start(seen.emit) is None
            assert seen.queue.qsize() == 1
            assert await seen.next() == HOLD
            woke = watcher.wakeups
            one.command("title")
            await until(lambda: watcher.wakeups > woke, "the watcher read the title change")
            assert seen.none_yet()
        finally:
            await watcher.close()

    with screen_with_wm(tmp_path) as screen:
        asyncio.run(scenario(screen))


def test_our_own_windows_change_nothing(tmp_path: Path) -> None:
    async def scenario(screen: Screen) -> None:
        async with watching(screen.name) as (watcher, seen):
            # one of ours, fullscreen on its own: not a bad moment
            ours = screen.open("rustlamp break", "RustlampBreak")
            ours_id = screen.wait_active("rustlamp break")
            await until(lambda: watcher.active == ours_id, "the watcher saw ours active")
            ours.command("fs")
            await settled(watcher)
            assert seen.none_yet() and not watcher.holding
            ours.close()

            # a presentation; then our menu opens over it and takes the focus: still held
            one = screen.open("one")
            one_id = screen.wait_active("one")
            one.command("fs")
            assert await seen.next() == HOLD
            screen.open("rustlamp menu", "RustlampMenu")
            menu_id = screen.wait_active("rustlamp menu")
            await until(lambda: watcher.active == menu_id, "the watcher saw our menu active")
            assert seen.none_yet()
            assert watcher.followed == one_id and watcher.holding

            # the presentation ends while our menu has the focus: that still counts
            one.command("unfs")
            assert await seen.next() == RELEASE

    with screen_with_wm(tmp_path) as screen:
        asyncio.run(scenario(screen))


def test_without_a_window_manager_it_watches_until_one_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario(display: str) -> None:
        screen = Screen(display)
        try:
            with caplog.at_level("INFO", logger="rustlamp.desk"):
                async with watching(display) as (watcher, seen):
                    assert "no window manager" in caplog.text
                    assert watcher.active == 0

                    with window_manager(display, tmp_path):
                        one = screen.open("one")
                        screen.wait_active("one")
                        one.command("fs")
                        assert await seen.next() == HOLD
                        one.close()
                        assert await seen.next() == RELEASE
        finally:
            screen.close()

    with extra_display(*SERVER) as display:
        asyncio.run(scenario(display))


def test_the_x_server_going_away_releases(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async def scenario() -> None:
        seen = Seen()
        watcher = None
        server = extra_display(*SERVER)
        display: str | None = server.__enter__()
        assert display is not None
        try:
            with window_manager(display, tmp_path):
                screen = Screen(display)
                watcher = FullscreenX11Watcher(display)
                assert await watcher.start(seen.emit) is None
                one = screen.open("one")
                screen.wait_active("one")
                one.command("fs")
                assert await seen.next() == HOLD
                # The X server stops while the window manager and the window are still there.
                display = None
                server.__exit__(None, None, None)
                with caplog.at_level("WARNING", logger="rustlamp.desk"):
                    assert await seen.next() == RELEASE
                assert "connection to the X display was lost" in caplog.text
                screen.close()
        finally:
            if display is not None:
                server.__exit__(None, None, None)
            if watcher is not None:
                await watcher.close()

    asyncio.run(scenario())


def test_no_display_is_a_reason_not_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    async def scenario() -> None:
        monkeypatch.delenv("DISPLAY", raising=False)
        watcher = FullscreenX11Watcher()
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "DISPLAY is not set" in reason
        await watcher.close()

        watcher = FullscreenX11Watcher(":4242")  # nobody there
        reason = await watcher.start(lambda event: None)
        assert reason is not None and ":4242" in reason
        await watcher.close()
        await watcher.close()  # twice is fine

    asyncio.run(scenario())


def test_it_loads_neither_tk_nor_pil() -> None:
    code = (
        "import sys, rustlamp.desk.fullscreen_x11; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tkinter', '_tkinter', 'PIL')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
