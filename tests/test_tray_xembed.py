"""The XEmbed tray and its popup menu against a real XEmbed tray host (trayer on the test desktop).

The tray runs on an asyncio loop in this process, so each test points this process's DISPLAY at the
test desktop (monkeypatch puts the person's own value back afterwards). Clicks and keys are real X
input (xdotool, through XTEST), as a person's would be.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from desktop import DesktopSession, extra_display
from PIL import Image, ImageChops

from rustlamp.core.menu import SEPARATOR, Lamp, MenuItem, Tooltip
from rustlamp.tray.popup import menu_ids, menu_to_json
from rustlamp.tray.xembed import DOCKED_DETAIL, XEmbedTray, png_size_for

MENU = (
    MenuItem("", "Next reminder at 12:30", enabled=False),
    SEPARATOR,
    MenuItem("break", "Take a break now"),
    MenuItem("checkin", "Check-in…", enabled=False),
    MenuItem("", "Snooze", children=(MenuItem("snooze:600s", "10 min"), MenuItem("snooze:today", "Today"))),
    SEPARATOR,
    MenuItem("quit", "Quit"),
)
CALM = Lamp("calm", 0)
TIP = Tooltip("rustlamp", "Next reminder at 12:30")
MENU_CLASSNAME = "rustlamp_menu"  # popup_menu's Tk menu window: WM_CLASS ("rustlamp_menu", "Menu")
ICON_CLASS = '("rustlampSystemTrayIcon" "rustlamp")'


@pytest.fixture
def xdisplay(desktop: DesktopSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    monkeypatch.setenv("DISPLAY", desktop.env["DISPLAY"])
    yield desktop
    desktop.run(["xdotool", "key", "Escape"], check=False)  # a menu a failed test left open


@dataclass(frozen=True)
class Box:
    window: str
    x: int
    y: int
    width: int
    height: int

    @property
    def centre(self) -> tuple[int, int]:
        return self.x + self.width // 2, self.y + self.height // 2


def icons_in_panel(desktop: DesktopSession) -> list[Box]:
    """Our icon windows inside trayer's panel, with their place on the screen."""
    panel = desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]
    tree = desktop.run(["xwininfo", "-id", panel, "-tree"]).stdout
    found = []
    for line in tree.splitlines():
        if ICON_CLASS in line:
            m = re.search(r"^\s*(0x[0-9a-f]+) .*\s(\d+)x(\d+)[+-]-?\d+[+-]-?\d+\s+\+(-?\d+)\+(-?\d+)", line)
            assert m, line
            window, width, height, x, y = m.groups()
            found.append(Box(window, int(x), int(y), int(width), int(height)))
    return found


def the_icon(desktop: DesktopSession) -> Box:
    boxes = icons_in_panel(desktop)
    assert len(boxes) == 1, boxes
    return boxes[0]


def crop(desktop: DesktopSession, box: Box, path: Path) -> Image.Image:
    desktop.screenshot(path)
    with Image.open(path) as shot:
        return shot.convert("RGB").crop((box.x, box.y, box.x + box.width, box.y + box.height))


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Let the loop run (so the tray's callbacks can fire) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.02)


async def xdo(desktop: DesktopSession, *args: str) -> str:
    """xdotool off the loop, so the tray's X thread and callbacks keep running meanwhile."""
    done = await asyncio.to_thread(desktop.run, ["xdotool", *args])
    return done.stdout


def menu_window(desktop: DesktopSession, timeout: float = 5.0) -> Box:
    """The popup menu's window once it is on screen."""
    found = desktop.run(
        [
            "timeout",
            str(timeout),
            "xdotool",
            "search",
            "--sync",
            "--onlyvisible",
            "--classname",
            MENU_CLASSNAME,
        ]
    ).stdout.split()
    assert len(found) == 1, found
    geometry = desktop.run(["xdotool", "getwindowgeometry", "--shell", found[0]]).stdout
    values = dict(line.split("=", 1) for line in geometry.split())
    return Box(found[0], int(values["X"]), int(values["Y"]), int(values["WIDTH"]), int(values["HEIGHT"]))


def menu_is_open(desktop: DesktopSession) -> bool:
    search = ["xdotool", "search", "--onlyvisible", "--classname", MENU_CLASSNAME]
    return desktop.run(search, check=False).returncode == 0


class Recorder:
    """The tray's handler: what it was called with, and on which thread."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.threads: set[int] = set()

    def __call__(self, ident: str) -> None:
        self.calls.append(ident)
        self.threads.add(threading.get_ident())


async def started(handler: Recorder, lamp: Lamp = CALM) -> XEmbedTray:
    tray = XEmbedTray(handler)
    status = await tray.start(lamp, MENU, TIP)
    assert status.ok, status.detail
    assert (status.backend, status.detail) == ("xembed", DOCKED_DETAIL)
    return tray


# ----- the tray in trayer -----------------------------------------------------------------------------


@pytest.mark.desktop
def test_docks_in_trayer_and_a_left_click_activates(xdisplay: DesktopSession, tmp_path: Path) -> None:
    handler = Recorder()

    async def scenario() -> None:
        began = time.monotonic()
        tray = await started(handler)
        assert time.monotonic() - began < 2
        try:
            box = the_icon(xdisplay)
            # trayer gives a 24-wide slot in its 32 px panel: the 24 px picture is drawn there.
            assert (box.width, png_size_for(min(box.width, box.height))) == (24, 24)
            picture = crop(xdisplay, box, tmp_path / "docked.png")
            assert len(picture.getcolors(maxcolors=24 * 30) or ()) > 5, "the slot shows no picture"
            corner = picture.getpixel((0, 0))
            panel = crop(xdisplay, Box("", box.x - 30, box.y, 10, 10), tmp_path / "panel.png")
            assert corner == panel.getpixel((5, 5)), "transparent pixels must show the panel"

            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "1")
            await until(lambda: handler.calls == ["activate"])
            assert handler.threads == {threading.get_ident()}, "the handler runs on the loop's thread"
        finally:
            await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_a_right_click_opens_the_menu_and_a_chosen_item_is_reported(
    xdisplay: DesktopSession, tmp_path: Path
) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        try:
            box = the_icon(xdisplay)
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await asyncio.to_thread(menu_window, xdisplay)
            xdisplay.screenshot(tmp_path / "menu.png")
            # It opens at the pointer, kept on the screen: right of the icon there is no room.
            assert menu.y == box.centre[1]
            assert menu.x + menu.width <= 1280
            assert handler.calls == []

            # Keyboard: Down skips the disabled status line and the separator.
            await xdo(xdisplay, "key", "Down", "Return")
            await until(lambda: handler.calls == ["break"])
            await until(lambda: not menu_is_open(xdisplay))

            # Mouse: the last row is "Quit".
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await asyncio.to_thread(menu_window, xdisplay)
            await xdo(xdisplay, "mousemove", str(menu.x + 20), str(menu.y + menu.height - 8), "click", "1")
            await until(lambda: handler.calls == ["break", "quit"])

            # A submenu's item.
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            await asyncio.to_thread(menu_window, xdisplay)
            await xdo(xdisplay, "key", "Down", "Down", "Right", "Down", "Return")
            await until(lambda: handler.calls == ["break", "quit", "snooze:today"])
            assert handler.threads == {threading.get_ident()}
        finally:
            await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_escape_and_a_click_elsewhere_dismiss_the_menu_without_a_call(xdisplay: DesktopSession) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        try:
            box = the_icon(xdisplay)
            for dismiss in (["key", "Escape"], ["mousemove", "300", "400", "click", "1"]):
                await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
                await asyncio.to_thread(menu_window, xdisplay)
                await xdo(xdisplay, *dismiss)
                await until(lambda: not menu_is_open(xdisplay))
                await until(lambda: not tray._popup.is_open)
            assert handler.calls == []
            # The tray still answers afterwards.
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "1")
            await until(lambda: handler.calls == ["activate"])
        finally:
            await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_update_changes_the_picture_only_when_the_lamp_changes_and_close_removes_it(
    xdisplay: DesktopSession, tmp_path: Path
) -> None:
    async def scenario() -> None:
        tray = await started(Recorder(), CALM)
        closed = False
        try:
            box = the_icon(xdisplay)
            calm = crop(xdisplay, box, tmp_path / "calm.png")
            assert xdisplay.run(["xdotool", "getwindowname", box.window]).stdout.strip() == (
                "rustlamp: Next reminder at 12:30"
            )

            # Same picture, new tooltip: only the title (pystray's window name) changes.
            tray.update(CALM, MENU, Tooltip("rustlamp", "Snoozed until 13:00"))
            await until(
                lambda: (
                    xdisplay.run(["xdotool", "getwindowname", box.window]).stdout.strip()
                    == "rustlamp: Snoozed until 13:00"
                )
            )
            assert ImageChops.difference(calm, crop(xdisplay, box, tmp_path / "same.png")).getbbox() is None

            tray.update(Lamp("waiting"), MENU, Tooltip("rustlamp", "Snoozed until 13:00"))
            await until(
                lambda: (
                    ImageChops.difference(calm, crop(xdisplay, box, tmp_path / "waiting.png")).getbbox()
                    is not None
                )
            )
            assert the_icon(xdisplay) == box, "the icon keeps its place (it was not docked again)"

            await tray.close()
            closed = True
            await until(lambda: icons_in_panel(xdisplay) == [])
        finally:
            if not closed:
                await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_close_ends_an_open_menu(xdisplay: DesktopSession) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        box = the_icon(xdisplay)
        await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
        await asyncio.to_thread(menu_window, xdisplay)
        await tray.close()
        await until(lambda: not menu_is_open(xdisplay))
        assert icons_in_panel(xdisplay) == []
        assert handler.calls == []

    asyncio.run(scenario())


# ----- no tray ---------------------------------------------------------------------------------------


@pytest.fixture
def bare_x() -> Iterator[str]:
    """A second X server with nothing on it (no tray manager); yields its display name."""
    with extra_display() as display:
        yield display


TRAYER = ["trayer", "--edge", "top", "--align", "right", "--widthtype", "pixel", "--width", "200"]
TRAYER += ["--height", "32", "--transparent", "false", "--SetDockType", "true"]


def spawn_trayer(display: str) -> subprocess.Popen[bytes]:
    """A trayer of this test's own on `display`, once its panel shows."""
    env = {**os.environ, "DISPLAY": display}
    trayer = subprocess.Popen(
        TRAYER, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 10
    search = ["xdotool", "search", "--onlyvisible", "--name", "^panel$"]
    while subprocess.run(search, env=env, capture_output=True, check=False).returncode != 0:
        assert time.monotonic() < deadline and trayer.poll() is None, "trayer did not start"
        time.sleep(0.05)
    return trayer


def window_state(display: str, window: int) -> tuple[bool, bool]:
    """(mapped, in a tray) for a window on `display`: in a tray its parent is not the root window."""

    def xwininfo(*args: str) -> str:
        env = {**os.environ, "DISPLAY": display}
        command = ["xwininfo", *args, "-id", str(window)]
        return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout

    parent = next(line for line in xwininfo("-children").splitlines() if "Parent window id:" in line)
    return "IsViewable" in xwininfo(), "(the root window)" not in parent


@pytest.mark.desktop
def test_the_lamp_goes_back_into_a_restarted_tray(bare_x: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", bare_x)
    trayer = spawn_trayer(bare_x)

    async def scenario() -> None:
        nonlocal trayer
        tray = await started(Recorder())
        try:
            window = tray._icon._window.id
            assert window_state(bare_x, window) == (True, True)

            trayer.kill()  # a crash, by PID: trayer cannot hand the window back itself
            trayer.wait(5)
            # The server gives the window back to the root; it must not sit on the screen there.
            await until(lambda: window_state(bare_x, window) == (False, False))

            trayer = spawn_trayer(bare_x)
            await until(lambda: window_state(bare_x, window) == (True, True))
        finally:
            await tray.close()

    try:
        asyncio.run(scenario())
    finally:
        trayer.terminate()
        trayer.wait(5)


@pytest.mark.desktop
def test_no_tray_manager_is_reported_quickly(bare_x: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", bare_x)

    async def scenario() -> tuple[bool, str, float]:
        tray = XEmbedTray(Recorder())
        began = time.monotonic()
        status = await tray.start(CALM, MENU, TIP)
        took = time.monotonic() - began
        await tray.close()
        return status.ok, status.detail, took

    ok, detail, took = asyncio.run(scenario())
    assert not ok
    assert detail.startswith(f"No XEmbed system tray runs on the X display {bare_x} (nothing owns ")
    assert took < 1.0


@pytest.mark.parametrize(("display", "expected"), [("", "There is no X display"), (":9876", "Could not")])
def test_no_display_is_reported_quickly(display: str, expected: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISPLAY", display)

    async def scenario() -> tuple[bool, str, float]:
        tray = XEmbedTray(Recorder())
        began = time.monotonic()
        status = await tray.start(CALM, MENU, TIP)
        took = time.monotonic() - began
        await tray.close()
        return status.ok, status.detail, took

    ok, detail, took = asyncio.run(scenario())
    assert not ok and detail.startswith(expected), detail
    assert took < 1.0


# ----- the popup menu as a program -------------------------------------------------------------------


def popup(desktop: DesktopSession, items: str, *extra: str) -> subprocess.Popen[str]:
    """The popup program with `items` already on its stdin (a pipe holds far more than a menu)."""
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "w") as pipe:
        pipe.write(items)
    with os.fdopen(read_end) as stdin:
        return subprocess.Popen(
            [sys.executable, "-m", "rustlamp.ui.popup_menu", "--x", "100", "--y", "120", *extra],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "DISPLAY": desktop.env["DISPLAY"]},
        )


@pytest.mark.desktop
@pytest.mark.parametrize(
    ("keys", "expected"),
    [
        (["Down", "Return"], (0, "break\n")),
        (["Down", "Down", "Right", "Return"], (0, "snooze:600s\n")),
        (["Escape"], (1, "")),
        (["Down", "Down", "Right", "Escape", "Escape"], (1, "")),
    ],
)
def test_popup_menu_program(desktop: DesktopSession, keys: list[str], expected: tuple[int, str]) -> None:
    process = popup(desktop, menu_to_json(MENU))
    menu = menu_window(desktop)
    assert (menu.x, menu.y) == (100, 120)
    desktop.run(["xdotool", "key", *keys])
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out) == expected, err


@pytest.mark.desktop
def test_popup_menu_closes_by_itself_and_rejects_bad_input(desktop: DesktopSession) -> None:
    began = time.monotonic()
    process = popup(desktop, menu_to_json(MENU), "--timeout", "0.5")
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out) == (1, ""), err
    assert time.monotonic() - began < 5

    process = popup(desktop, '{"not": "a list"}')
    out, err = process.communicate(timeout=10)
    assert (process.returncode, out) == (2, "")
    assert "JSON list" in err


def check_menu(on: bool) -> tuple[MenuItem, ...]:
    """MENU with the app's check item, placed as rustlamp.core.menu.menu() places it."""
    return (*MENU[:-1], MenuItem("autostart", "Start at login", checked=on), MENU[-1])


@pytest.mark.desktop
def test_popup_menu_shows_a_check_item_checked_or_not_and_reports_its_id(
    desktop: DesktopSession, tmp_path: Path
) -> None:
    pictures: dict[bool, Image.Image] = {}
    for on in (True, False):
        process = popup(desktop, menu_to_json(check_menu(on)))
        menu = menu_window(desktop)
        path = desktop.screenshot(tmp_path / f"check-{'on' if on else 'off'}.png")
        with Image.open(path) as shot:
            pictures[on] = shot.convert("RGB").crop(
                (menu.x, menu.y, menu.x + menu.width, menu.y + menu.height)
            )
        pictures[on].save(tmp_path / f"check-{'on' if on else 'off'}-menu.png")
        # Down: Take a break, Snooze, Start at login (the disabled rows and the separators are skipped).
        desktop.run(["xdotool", "key", "Down", "Down", "Down", "Return"])
        out, err = process.communicate(timeout=10)
        assert (process.returncode, out) == (0, "autostart\n"), err
    on, off = pictures[True], pictures[False]
    assert on.size == off.size, "the mark takes no room of its own: the menu keeps its size"
    box = ImageChops.difference(on, off).getbbox()
    assert box is not None, "a checked item must look different from an unchecked one"
    left, top, right, bottom = box
    # Only the mark differs: a small one in the indicator column left of the labels, in the row above
    # "Quit" (the last row; rows are about 21 px high with Tk's default font here).
    assert right - left <= 16 and bottom - top <= 16, box
    assert right <= 30, f"the mark is left of the labels, not at {box}"
    assert on.height * 0.6 < (top + bottom) / 2 < on.height - 20, (box, on.size)
    # The mark is drawn in the text colour: dark pixels where the unchecked row has only background.
    assert min(on.crop(box).convert("L").tobytes()) < 100
    assert min(off.crop(box).convert("L").tobytes()) > 150


def test_menu_json_round_trips_through_the_popup_reader() -> None:
    from rustlamp.ui.popup_menu import read_menu

    items = read_menu(menu_to_json(MENU))
    assert [i["label"] for i in items][2:5] == ["Take a break now", "Check-in…", "Snooze"]
    assert items[1]["separator"] and not items[3]["enabled"]
    assert [c["id"] for c in items[4]["children"]] == ["snooze:600s", "snooze:today"]
    assert all(item["checked"] is None for item in items), "plain items are not check items"
    for on in (True, False):
        (check,) = [i for i in read_menu(menu_to_json(check_menu(on))) if i["id"] == "autostart"]
        assert (check["label"], check["checked"]) == ("Start at login", on)
        assert "autostart" in menu_ids(check_menu(on)), "a click on it is passed on to the app"
    assert json.loads(menu_to_json(())) == []


def test_the_tray_process_never_loads_tk() -> None:
    code = "import sys, rustlamp.tray.xembed; print('tkinter' in sys.modules, 'pystray' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "False"]
