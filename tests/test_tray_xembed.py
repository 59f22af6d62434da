"""The XEmbed tray and its popup menu against a real XEmbed tray host (trayer on the test desktop).

The tray runs on an asyncio loop in this process, so each test points this process's DISPLAY at the
test desktop (monkeypatch puts the person's own value back afterwards). Clicks and keys are real X
input (xdotool, through XTEST), as a person's would be; the menu (a Qt popup in a process of its own) is
read and its items chosen the way a screen reader and voice control do, through AT-SPI (tests/atspi.py).
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
from datetime import timedelta
from pathlib import Path

import pytest
from app_process import QUIET_ALL_DAY, RunningApp, window_child
from atspi import Accessibility, AccessibleApp
from desktop import DesktopSession, extra_display
from PIL import Image, ImageChops

from rustlamp.core.menu import SEPARATOR, Lamp, MenuItem, Tooltip
from rustlamp.tray.popup import PopupMenu
from rustlamp.tray.xembed import DOCKED_DETAIL, XEmbedTray, png_size_for
from rustlamp.ui.contract import CannotOpen, MenuRequest

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
ICON_CLASS = '("rustlampSystemTrayIcon" "rustlamp")'


@pytest.fixture
def xdisplay(accessible_desktop: DesktopSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    """The test desktop for this process's tray; its menus register on the accessibility bus."""
    monkeypatch.setenv("DISPLAY", accessible_desktop.env["DISPLAY"])
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", accessible_desktop.env["DBUS_SESSION_BUS_ADDRESS"])
    yield accessible_desktop
    accessible_desktop.run(["xdotool", "key", "Escape"], check=False)  # a menu a failed test left open


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


async def opened_menu(a11y: Accessibility, popup: PopupMenu) -> AccessibleApp:
    """The menu the popup opened, once a screen reader can read it (its first choice has the focus)."""
    await until(lambda: popup.process_id is not None, 10)
    assert popup.process_id is not None
    menu = await asyncio.to_thread(a11y.window, popup.process_id)
    await asyncio.to_thread(menu.wait_for, "popup menu", "rustlamp")
    return menu


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


def check_menu(on: bool) -> tuple[MenuItem, ...]:
    """MENU with the app's check item, placed as rustlamp.core.menu.menu() places it."""
    return (*MENU[:-1], MenuItem("autostart", "Start at login", checked=on), MENU[-1])


@pytest.mark.desktop
def test_a_right_click_opens_the_menu_at_the_pointer_as_a_screen_reader_reads_it(
    xdisplay: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        tray.update(CALM, check_menu(True), TIP)
        try:
            box = the_icon(xdisplay)
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await opened_menu(a11y.ready(), tray._popup)
            xdisplay.screenshot(tmp_path / "menu.png")
            found = menu.find("popup menu", "rustlamp")
            x, y, width, _ = found["extents"]
            # It opens at the pointer, kept on the screen: right of the icon there is no room.
            assert y == box.centre[1] and x + width <= 1280, (found, box)
            items = {node["name"]: node["states"] for node in menu.nodes("menu item")}
            assert list(items) == [
                "Next reminder at 12:30", "Take a break now", "Check-in…", "Snooze", "Start at login", "Quit",
            ]  # fmt: skip
            # The status line is read as its sentence, and says it cannot be chosen; so does Check-in.
            assert "enabled" not in items["Next reminder at 12:30"]
            assert "enabled" not in items["Check-in…"] and "enabled" in items["Take a break now"]
            assert {"checkable", "checked"} <= set(items["Start at login"])
            # What a screen reader says as the menu opens: the first thing there is to choose.
            await asyncio.to_thread(menu.wait_for_focus, "menu item", "Take a break now")
            assert handler.calls == []

            # "Click Take a break now", as voice control says it.
            await asyncio.to_thread(menu.press, "menu item", "Take a break now")
            await until(lambda: handler.calls == ["break"])
            await until(lambda: not tray._popup.is_open)
            assert handler.threads == {threading.get_ident()}, "the handler runs on the loop's thread"
        finally:
            await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_the_menu_by_keyboard_by_name_and_by_mouse(xdisplay: DesktopSession, a11y: Accessibility) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        tray.update(CALM, check_menu(False), TIP)
        try:
            box = the_icon(xdisplay)
            # Keyboard alone: Up reaches the status line (read, not chosen: Enter leaves the menu open),
            # Down past Take a break and the disabled Check-in to Snooze, Right into it, Down, Enter.
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await opened_menu(a11y.ready(), tray._popup)
            await xdo(xdisplay, "key", "Up")
            await asyncio.to_thread(menu.wait_for_focus, "menu item", "Next reminder at 12:30")
            await xdo(xdisplay, "key", "Return", "Down", "Down", "Down")
            await asyncio.to_thread(menu.wait_for_focus, "menu item", "Snooze")
            await xdo(xdisplay, "key", "Right", "Down")
            await asyncio.to_thread(menu.wait_for_focus, "menu item", "Today")
            assert handler.calls == []
            await xdo(xdisplay, "key", "Return")
            await until(lambda: handler.calls == ["snooze:today"])
            await until(lambda: not tray._popup.is_open)

            # By name: open the submenu, then choose in it.
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await opened_menu(a11y, tray._popup)
            await asyncio.to_thread(menu.press, "menu item", "Snooze", "Show Menu")
            await asyncio.to_thread(menu.press, "menu item", "10 min")
            await until(lambda: handler.calls == ["snooze:today", "snooze:600s"])
            await until(lambda: not tray._popup.is_open)

            # The mouse: a check item reports its id (the app flips the state; the next menu shows it).
            await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
            menu = await opened_menu(a11y, tray._popup)
            x, y, width, height = menu.find("menu item", "Start at login")["extents"]
            await xdo(xdisplay, "mousemove", str(x + width // 2), str(y + height // 2), "click", "1")
            await until(lambda: handler.calls == ["snooze:today", "snooze:600s", "autostart"])
        finally:
            await tray.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_escape_a_click_elsewhere_and_focus_elsewhere_close_the_menu_without_a_call(
    xdisplay: DesktopSession, a11y: Accessibility
) -> None:
    handler = Recorder()
    panel = xdisplay.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"]).stdout.split()[0]

    async def scenario() -> None:
        tray = await started(handler)
        try:
            box = the_icon(xdisplay)
            for dismiss in (
                ["key", "Escape"],
                ["mousemove", "300", "400", "click", "1"],
                ["windowfocus", panel],
            ):
                await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
                await opened_menu(a11y.ready(), tray._popup)
                await xdo(xdisplay, *dismiss)
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
def test_close_ends_an_open_menu(xdisplay: DesktopSession, a11y: Accessibility) -> None:
    handler = Recorder()

    async def scenario() -> None:
        tray = await started(handler)
        box = the_icon(xdisplay)
        await xdo(xdisplay, "mousemove", *map(str, box.centre), "click", "3")
        menu = await opened_menu(a11y.ready(), tray._popup)
        await tray.close()
        assert menu.tree_or_none() is None, "the menu is gone"
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


def popup(
    desktop: DesktopSession, request: MenuRequest | None, stdin: bytes = b""
) -> subprocess.Popen[bytes]:
    """The popup program, through the launcher as the lamp starts it, with its stdin already written."""
    args = request.to_argv() if request is not None else ["--x", "100", "--y", "120"]
    read_end, write_end = os.pipe()
    with os.fdopen(write_end, "wb") as pipe:
        pipe.write(request.stdin() if request is not None else stdin)
    with os.fdopen(read_end, "rb") as pipe_in:
        return subprocess.Popen(
            [sys.executable, "-m", "rustlamp.ui.launch", "rustlamp.ui.popup_menu", *args],
            stdin=pipe_in,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=desktop.env,
        )


@pytest.mark.desktop
def test_the_menu_closes_by_itself_and_bad_input_gets_a_reason(desktop: DesktopSession) -> None:
    began = time.monotonic()
    process = popup(desktop, MenuRequest(MENU, 100, 120, timeout=timedelta(seconds=0.5)))
    out, err = process.communicate(timeout=15)
    assert (process.returncode, json.loads(out)) == (0, {"outcome": "closed"}), err
    assert time.monotonic() - began < 10

    for stdin, reason in [
        (b'{"not": "a list"}', "the menu on stdin: the menu must be a JSON list of items"),
        (b'[{"label": 3}]', "the menu on stdin: item 1: label must be a str, not 3"),
        (b"[", "the menu on stdin: the menu is not JSON"),
    ]:
        process = popup(desktop, None, stdin)
        out, err = process.communicate(timeout=15)
        assert (process.returncode, out) == (2, b""), err
        assert reason in err.decode(), err


def test_the_tray_process_never_loads_qt_or_tk() -> None:
    code = (
        "import sys, rustlamp.tray.xembed, rustlamp.tray.popup\n"
        "print(sorted(m for m in ('PySide6', 'shiboken6', 'tkinter', 'pystray') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# ----- the lamp itself in trayer ----------------------------------------------------------------------


@pytest.fixture
def no_sni_host(desktop: DesktopSession) -> DesktopSession:
    """The shared desktop without a status-notifier watcher (an earlier test may have left one on its
    bus, and the lamp rightly prefers it to XEmbed)."""
    desktop.stop_sni_tray()
    desktop.stop_sni_watcher()
    return desktop


@pytest.mark.desktop
def test_the_lamp_in_trayer_does_what_its_menu_is_told(
    accessible_desktop: DesktopSession, no_sni_host: DesktopSession, a11y: Accessibility, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    app = RunningApp(tmp_path, accessible_desktop.env, config)  # no status-notifier watcher: XEmbed
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(XEmbed")
        a11y.ready()
        deadline = time.monotonic() + 10
        while not icons_in_panel(accessible_desktop):
            assert time.monotonic() < deadline, "the lamp is not in trayer"
            time.sleep(0.05)
        box = the_icon(accessible_desktop)
        accessible_desktop.run(["xdotool", "mousemove", *map(str, box.centre), "click", "3"])
        pid, _ = window_child(app, "popup_menu")
        menu = a11y.window(pid)
        menu.wait_for_focus("menu item", "Take a break now")
        status_line = menu.names("menu item")[0]
        assert status_line.startswith("Next reminder at "), status_line
        menu.press("menu item", "Later", "Show Menu")
        menu.press("menu item", "10 min")
        app.wait_for_output(r"snoozed \(tray\) until ")
        # The menu was Qt in a process of its own: the lamp itself never loaded Qt.
        maps = Path(f"/proc/{app.proc.pid}/maps").read_text()
        for library in ("libQt6", "PySide6", "shiboken6", "_tkinter"):
            assert library not in maps, library
    finally:
        app.stop()


@pytest.mark.desktop
def test_a_menu_that_cannot_open_is_said_in_a_notification(
    desktop_clean: DesktopSession, no_sni_host: DesktopSession, tmp_path: Path
) -> None:
    """Where Qt cannot load, a right click on the lamp is never a silent nothing: the lamp says why."""
    fake = tmp_path / "fake" / "PySide6"  # a Qt that does not load, for the window processes only
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text('raise ImportError("libQt6Core.so.6: cannot open shared object file")')
    config = tmp_path / "config.toml"
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    extra = {"PYTHONPATH": os.pathsep.join([str(tmp_path / "fake"), *sys.path])}
    app = RunningApp(tmp_path / "home", desktop_clean.env, config, extra)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(XEmbed")
        deadline = time.monotonic() + 10
        while not icons_in_panel(desktop_clean):
            assert time.monotonic() < deadline, "the lamp is not in trayer"
            time.sleep(0.05)
        box = the_icon(desktop_clean)
        desktop_clean.run(["xdotool", "mousemove", *map(str, box.centre), "click", "3"])
        told = desktop_clean.wait_for_notification(lambda n: n["summary"] == CannotOpen().title("en"))
        assert told["body"] == CannotOpen().sentence("en")
        app.wait_for_output(r"the popup menu could not open: .*libQt6Core")
        assert app.proc.poll() is None, "the lamp goes on"
    finally:
        app.stop()
