"""The StatusNotifierItem tray in a real panel: Debian's gtk-sni-tray-standalone (a GTK 3 SNI host whose
menus are libdbusmenu-gtk3's) on the headless test desktop, driven with the mouse through xdotool.

Nothing is located by guessing coordinates: the lamp is found as the part of the (otherwise empty) tray
bar that changed when the item registered, and menu rows are found by hovering down the open menu and
seeing which band GTK highlights. A click on a row is retried (bounded) should GTK not have taken it;
how many attempts it took is printed.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from desktop import DesktopSession
from PIL import Image, ImageChops

from rustlamp.core.menu import SEPARATOR, Lamp, MenuItem, Tooltip
from rustlamp.tray.sni import SniTray

pytestmark = pytest.mark.desktop

T = TypeVar("T")
RED, BLUE = (255, 0, 0), (0, 0, 255)
ICON_SIZE = 32  # the bar is started with --size 32
TIP = Tooltip("rustlamp", "Next reminder at 15:00")
MENU = (
    MenuItem("", "Next reminder at 15:00", enabled=False),
    SEPARATOR,
    MenuItem("break", "Take a break"),
    MenuItem("checkin", "Check in", enabled=False),
    MenuItem(
        "",
        "Snooze",
        children=(MenuItem("snooze:600s", "10 minutes"), MenuItem("snooze:today", "Rest of today")),
    ),
    SEPARATOR,
    MenuItem("settings", "Settings"),
    MenuItem("quit", "Quit"),
)
# The rows GTK lets a pointer select (not the disabled ones, not separators), top to bottom.
SELECTABLE = ["break", "Snooze", "settings", "quit"]


def two_colour_icons(state: str) -> list[tuple[int, int, bytes]]:
    """Left half red, right half blue, as ARGB32 in network byte order: shows the host reads the bytes
    the way the spec says (a swapped byte order would show blue on the left)."""
    pixmaps = []
    for size in (16, ICON_SIZE, 48):
        left = bytes([255, *RED]) * (size // 2)
        right = bytes([255, *BLUE]) * (size - size // 2)
        pixmaps.append((size, size, (left + right) * size))
    return pixmaps


class Screen:
    """Pictures of windows and the pointer, on the test desktop."""

    def __init__(self, desktop: DesktopSession, directory: Path) -> None:
        self.desktop = desktop
        self.directory = directory
        self._count = 0

    def capture(self, window: str) -> Image.Image:
        self._count += 1
        path = self.directory / f"capture-{self._count}.png"
        subprocess.run(["import", "-window", window, str(path)], env=self.desktop.env, check=True, timeout=10)
        with Image.open(path) as image:
            return image.convert("RGB")

    def pointer(self, *args: str) -> None:
        self.desktop.run(["xdotool", *args])

    def windows(self) -> set[str]:
        found = self.desktop.run(["xdotool", "search", "--onlyvisible", "--name", ".*"], check=False)
        return set(found.stdout.split())


def changed(before: Image.Image, after: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of what differs, None when nothing does."""
    if before.size != after.size:
        return (0, 0, *after.size)
    return ImageChops.difference(before, after).getbbox()


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.02)


async def poll(produce: Callable[[], T | None], timeout: float, what: str) -> T:
    """Run the blocking `produce` off the loop (the tray answers the host on it) until it gives a value."""
    deadline = time.monotonic() + timeout
    while True:
        value = await asyncio.to_thread(produce)
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.05)


@pytest.fixture(scope="module")
def bar(
    desktop: DesktopSession, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Image.Image]]:
    """A running gtk-sni-tray-standalone: its window id and a picture of it with no items."""
    desktop.stop_sni_tray()  # a fresh host, knowing no items from earlier tests
    window = desktop.start_sni_tray()
    screen = Screen(desktop, tmp_path_factory.mktemp("bar"))
    time.sleep(0.3)  # let GTK draw the empty bar once
    yield window, screen.capture(window)
    desktop.stop_sni_tray()


@pytest.fixture
def screen(
    desktop: DesktopSession, bar: tuple[str, Image.Image], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Screen]:
    for name in ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NO_AT_BRIDGE"]:
        monkeypatch.setenv(name, desktop.env[name])
    screen = Screen(desktop, tmp_path)
    screen.pointer("mousemove", "10", "10")  # away from the bar: no tooltip, no highlighted row
    known = screen.windows()
    yield screen
    for _ in range(3):
        if not screen.windows() - known:
            break
        screen.pointer("key", "Escape")  # close any menu a failed test left open
        time.sleep(0.2)
    screen.pointer("mousemove", "10", "10")
    # The next test starts from an empty bar (the host removes the icon when the item goes).
    window, empty = bar
    deadline = time.monotonic() + 5
    while changed(empty, screen.capture(window)) is not None:
        assert time.monotonic() < deadline, "the lamp stayed in the bar after close()"
        time.sleep(0.05)


async def lamp_in_bar(screen: Screen, bar: tuple[str, Image.Image]) -> tuple[int, int, Image.Image]:
    """Wait until the lamp is drawn in the bar; its centre in screen coordinates and its picture."""
    window, empty = bar
    x, y, _, _ = screen.desktop.window_geometry(window)

    def icon() -> tuple[tuple[int, int, int, int], Image.Image] | None:
        now = screen.capture(window)
        box = changed(empty, now)
        return (box, now) if box is not None and box[2] - box[0] >= ICON_SIZE // 2 else None

    box, picture = await poll(icon, 5, "the lamp in the bar")
    left, top, right, bottom = box
    return x + (left + right) // 2, y + (top + bottom) // 2, picture.crop(box)


async def new_window(
    screen: Screen, known: set[str], min_height: int, what: str
) -> tuple[str, tuple[int, int, int, int]]:
    """The biggest window not in `known`, once its geometry holds still: libdbusmenu fills a menu
    (and resizes its window) after the window appears. Skips GTK's 1x1 helpers and tooltips."""
    last: list[tuple[str, tuple[int, int, int, int]]] = []

    def settled() -> tuple[str, tuple[int, int, int, int]] | None:
        new = [(w, screen.desktop.window_geometry(w)) for w in screen.windows() - known]
        menus = [(w, g) for w, g in new if g[3] >= min_height]
        if not menus:
            return None
        biggest = max(menus, key=lambda wg: wg[1][2] * wg[1][3])
        stable = bool(last) and last[-1] == biggest
        last.append(biggest)
        return biggest if stable else None

    return await poll(settled, 5, what)


async def open_menu(
    screen: Screen, at: tuple[int, int], known: set[str]
) -> tuple[str, tuple[int, int, int, int]]:
    """Right-click at `at`; the menu window that opens and its geometry."""
    await asyncio.to_thread(screen.pointer, "mousemove", str(at[0]), str(at[1]), "click", "3")
    return await new_window(screen, known, 60, "the menu window")


async def selectable_rows(screen: Screen, window: str, geometry: tuple[int, int, int, int]) -> list[int]:
    """Hover down the menu; the screen y of the middle of every row GTK highlights, top to bottom.

    Only the column under the pointer is compared: a submenu that opens (here to the left, the menu being
    at the screen's right edge) covers the menu's left border in the capture, and that change, with the
    row's own highlight, once made a band between "Snooze" and "Settings" look like one more row."""
    x, y, width, height = geometry
    column = (width // 2 - 4, 0, width // 2 + 4, height)
    plain = (await asyncio.to_thread(screen.capture, window)).crop(column)
    rows: list[tuple[int, int]] = []
    for dy in range(3, height - 2, 6):
        await asyncio.to_thread(screen.pointer, "mousemove", str(x + width // 2), str(y + dy))
        box = changed(plain, (await asyncio.to_thread(screen.capture, window)).crop(column))
        if box is None or not 12 <= box[3] - box[1] <= 60:
            continue
        if not any(abs(box[1] - top) <= 3 for top, _ in rows):
            rows.append((box[1], box[3]))
    return [y + (top + bottom) // 2 for top, bottom in rows]


async def click_row(
    screen: Screen, at: tuple[int, int], pressed: list[str], want: str, attempts: int = 3
) -> tuple[int, Image.Image]:
    """Open the menu, find `want` among the selectable rows and click it, until the handler got it.
    Returns the attempts it took and a picture of the open menu."""
    known = screen.windows()
    for attempt in range(1, attempts + 1):
        window, geometry = await open_menu(screen, at, known)
        picture = await asyncio.to_thread(screen.capture, window)
        rows = await selectable_rows(screen, window, geometry)
        assert len(rows) == len(SELECTABLE), f"selectable rows at {rows}, expected {SELECTABLE}"
        row_y = rows[SELECTABLE.index(want)]
        await asyncio.to_thread(screen.pointer, "mousemove", str(geometry[0] + geometry[2] // 2), str(row_y))
        await asyncio.sleep(0.1)
        await asyncio.to_thread(screen.pointer, "click", "1")
        try:
            await until(lambda: bool(pressed), 3, f"the handler hearing {want!r}")
        except TimeoutError:
            await asyncio.to_thread(screen.pointer, "key", "Escape")
            await asyncio.sleep(0.3)
            continue
        return attempt, picture
    raise AssertionError(f"clicking {want!r} in the menu reached no handler in {attempts} attempts")


def test_the_lamp_appears_and_a_left_click_activates(
    screen: Screen, bar: tuple[str, Image.Image], tmp_path: Path
) -> None:
    pressed: list[str] = []

    async def scenario() -> tuple[int, int, Image.Image]:
        tray = SniTray(pressed.append, icons=two_colour_icons)
        try:
            assert (await tray.start(Lamp("calm", 1), MENU, TIP)).ok
            x, y, lamp = await lamp_in_bar(screen, bar)
            await asyncio.to_thread(screen.desktop.screenshot, tmp_path / "lamp-in-bar.png")
            await asyncio.to_thread(screen.pointer, "mousemove", str(x), str(y), "click", "1")
            await until(lambda: bool(pressed), 5, "Activate from a left click")
            await asyncio.sleep(0.2)  # a second, wrong report would show up by now
            return x, y, lamp
        finally:
            await tray.close()

    x, y, lamp = run(scenario())
    assert pressed == ["activate"]
    # The bar runs along the bottom (y 768..800) with icons at its right end; the host scaled nothing.
    assert lamp.size == (ICON_SIZE, ICON_SIZE)
    assert 768 <= y < 800 and x > 1280 - 3 * ICON_SIZE
    assert lamp.getpixel((4, ICON_SIZE // 2)) == RED
    assert lamp.getpixel((ICON_SIZE - 5, ICON_SIZE // 2)) == BLUE


def test_a_right_click_opens_the_menu_and_a_row_click_reports_its_id(
    screen: Screen, bar: tuple[str, Image.Image], tmp_path: Path
) -> None:
    pressed: list[str] = []

    async def scenario() -> int:
        tray = SniTray(pressed.append, icons=two_colour_icons)
        try:
            assert (await tray.start(Lamp("calm", 1), MENU, TIP)).ok
            x, y, _ = await lamp_in_bar(screen, bar)
            attempts, picture = await click_row(screen, (x, y), pressed, "settings")
            picture.save(tmp_path / "menu.png")
            await asyncio.sleep(0.2)
            return attempts
        finally:
            await tray.close()

    attempts = run(scenario())
    print(f"the menu row was clicked in {attempts} attempt(s)")
    assert pressed == ["settings"]


def test_a_row_in_a_submenu_reports_its_id(
    screen: Screen, bar: tuple[str, Image.Image], tmp_path: Path
) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        tray = SniTray(pressed.append, icons=two_colour_icons)
        try:
            assert (await tray.start(Lamp("calm", 1), MENU, TIP)).ok
            x, y, _ = await lamp_in_bar(screen, bar)
            known = screen.windows()
            for _attempt in range(3):
                window, geometry = await open_menu(screen, (x, y), known)
                rows = await selectable_rows(screen, window, geometry)
                assert len(rows) == len(SELECTABLE)
                # Hovering "Snooze" opens its submenu: a second new window.
                await asyncio.to_thread(
                    screen.pointer, "mousemove", str(geometry[0] + geometry[2] // 2), str(rows[1])
                )
                sub, sub_geometry = await new_window(screen, known | {window}, 40, "the submenu window")
                await asyncio.to_thread(screen.desktop.screenshot, tmp_path / "submenu.png")
                sub_rows = await selectable_rows(screen, sub, sub_geometry)
                assert len(sub_rows) == 2
                await asyncio.to_thread(
                    screen.pointer,
                    "mousemove",
                    str(sub_geometry[0] + sub_geometry[2] // 2),
                    str(sub_rows[1]),
                    "click",
                    "1",
                )
                try:
                    await until(lambda: bool(pressed), 3, "the handler hearing 'snooze:today'")
                except TimeoutError:
                    await asyncio.to_thread(screen.pointer, "key", "Escape", "key", "Escape")
                    continue
                await asyncio.sleep(0.2)
                return
        finally:
            await tray.close()

    run(scenario())
    assert pressed == ["snooze:today"]


def test_the_real_lamp_is_drawn_and_follows_the_state(
    screen: Screen, bar: tuple[str, Image.Image], tmp_path: Path
) -> None:
    """The shipped pictures (rustlamp.tray.icons, the default loader), and NewIcon: the host redraws."""

    async def scenario() -> tuple[Image.Image, Image.Image]:
        tray = SniTray(lambda key: None)
        try:
            assert (await tray.start(Lamp("calm", 2), MENU, TIP)).ok
            _, _, calm = await lamp_in_bar(screen, bar)
            tray.update(Lamp("waiting"), MENU, Tooltip("rustlamp", "Time for a rest"))

            def redrawn() -> Image.Image | None:
                window, empty = bar
                now = screen.capture(window)
                box = changed(empty, now)
                picture = now.crop(box) if box is not None else None
                return picture if picture is not None and changed(calm, picture) is not None else None

            waiting = await poll(redrawn, 5, "the waiting lamp")
            await asyncio.to_thread(screen.desktop.screenshot, tmp_path / "waiting-lamp.png")
            return calm, waiting
        finally:
            await tray.close()

    calm, waiting = run(scenario())
    calm.save(tmp_path / "calm.png")
    waiting.save(tmp_path / "waiting.png")
    # The lamp has transparent margins: what changed in the bar is at most the 32 px square.
    assert ICON_SIZE // 2 < calm.size[1] <= ICON_SIZE and waiting.size[1] <= ICON_SIZE
    assert len(calm.getcolors(maxcolors=4096) or []) > 8  # a picture, not a blank or solid square


def test_a_check_item_is_drawn_checked_or_not_as_the_app_says(
    screen: Screen, bar: tuple[str, Image.Image], tmp_path: Path
) -> None:
    """libdbusmenu-gtk makes a check item of toggle-type "checkmark" and draws toggle-state; a flip
    reaches the open host as ItemsPropertiesUpdated, and the next menu shows it."""

    def with_check(on: bool) -> tuple[MenuItem, ...]:
        return (*MENU[:-1], MenuItem("autostart", "Start at login", checked=on), MENU[-1])

    async def scenario() -> dict[bool, Image.Image]:
        tray = SniTray(lambda key: None, icons=two_colour_icons)
        pictures: dict[bool, Image.Image] = {}
        try:
            assert (await tray.start(Lamp("calm", 1), with_check(True), TIP)).ok
            x, y, _ = await lamp_in_bar(screen, bar)
            known = screen.windows()
            for on in (True, False):
                tray.update(Lamp("calm", 1), with_check(on), TIP)
                await asyncio.sleep(0.3)  # the host applies the new state
                window, _ = await open_menu(screen, (x, y), known)
                await asyncio.sleep(0.3)
                pictures[on] = await asyncio.to_thread(screen.capture, window)
                pictures[on].save(tmp_path / f"menu-check-{'on' if on else 'off'}.png")
                await asyncio.to_thread(screen.pointer, "key", "Escape")
                await until(lambda: not (screen.windows() - known), 5, "the menu closing")
        finally:
            await tray.close()
        return pictures

    pictures = run(scenario())
    on, off = pictures[True], pictures[False]
    assert on.size == off.size
    box = changed(off, on)
    assert box is not None, "the checked item must look different from the unchecked one"
    left, top, right, bottom = box
    # Only the mark differs: in GTK's indicator column left of the labels, in the row above "Quit".
    assert right - left <= 20 and bottom - top <= 20 and right <= 30, (box, on.size)
    assert on.size[1] * 0.6 < (top + bottom) / 2 < on.size[1] - 20, (box, on.size)
