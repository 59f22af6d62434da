"""The installed rustlamp inside KDE Plasma 5.27 on Wayland (kwin_wayland on a virtual framebuffer,
plasmashell, kded5), checked through Plasma's own ways: kded5's StatusNotifierWatcher, plasmashell's
tray drawing the lamp and its dbusmenu menu (a real right click through KWin's fake input), Plasma's
notification popup with the lamp and its button clicked, the compositor's idle time
(ext-idle-notify-v1) and Plasma's do-not-disturb (the notification server's Inhibit, as a
presentation program would ask for it). Screenshots through KWin's screenshot interface go to
build/desktop-shots/.
"""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus
from PIL import Image, ImageChops
from real_desktop_app import (
    CALM,
    FAST,
    SHOTS,
    WINDOW_TITLES,
    changed_box,
    open_window,
    our_item,
    registered_items,
    start_app,
    status,
    steady_change,
    wait,
)
from run_cli import rustlamp
from wayland_session import BTN_RIGHT, HEIGHT, WIDTH, FakeInput, Plasma, plasma

pytestmark = pytest.mark.real_desktop

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"
PANEL = 45  # the panel's height at the bottom of the screen, and then some
# what changes above the panel (the panel itself changes with the lamp's picture and the clock)
ABOVE_PANEL = (0, 0, WIDTH, HEIGHT - PANEL)


@pytest.fixture(scope="module")
def desktop() -> Iterator[Plasma]:
    with plasma() as running:
        running.start_recorder()
        running.wait_for(lambda: watcher_and_host_answer(running), "Plasma's tray", timeout=90)
        settle(running)
        yield running


def settle(desktop: Plasma, timeout: float = 60.0) -> None:
    """Until two screenshots a second apart show the same above the panel: the wallpaper is drawn a while
    after the tray answers, and a picture taken before it makes every later one look all changed."""
    with tempfile.TemporaryDirectory() as folder:
        last = desktop.screenshot(Path(folder) / "0.png")
        for number in itertools.count(1):
            assert number < timeout, f"the desktop still changes after {timeout:g} s"
            time.sleep(1.0)
            shot = desktop.screenshot(Path(folder) / f"{number}.png")
            if changed_box(last, shot, ABOVE_PANEL) is None:
                return
            last = shot


def watcher_and_host_answer(desktop: Plasma) -> bool:
    watcher = "org.kde.StatusNotifierWatcher"
    found = desktop.run(
        ["dbus-send", "--session", "--print-reply", "--reply-timeout=1000", f"--dest={watcher}",
         "/StatusNotifierWatcher", "org.freedesktop.DBus.Properties.Get", f"string:{watcher}",
         "string:IsStatusNotifierHostRegistered"],
        check=False, timeout=5,
    )  # fmt: skip
    return found.returncode == 0 and "true" in found.stdout


def warm_lamp(shot: Path) -> tuple[int, int]:
    """The centre of the waiting lamp (warm yellow, unlike anything else in the panel) in the panel."""
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        found = [
            (x, y)
            for x in range(rgb.width - 400, rgb.width)
            for y in range(rgb.height - 45, rgb.height)
            if (lambda p: p[0] > 200 and p[0] - p[2] > 90)(rgb.getpixel((x, y)))
        ]
    assert found, f"no lamp in the panel of {shot}"
    xs, ys = [x for x, _ in found], [y for _, y in found]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


def withdrawn(desktop: Plasma, note: dict[str, Any]) -> bool:
    """rustlamp asked the server to close this notification (CloseNotification with its id)."""
    ids = [
        e["id"]
        for e in desktop.events("reply")
        if e["reply_serial"] == note["serial"] and e["destination"] == note["sender"]
    ]
    closes = [e for e in desktop.events("call") if e["member"] == "CloseNotification"]
    return bool(ids) and any(e["args"] == [ids[0]] for e in closes)


def hover_popup(
    desktop: Plasma, fake: FakeInput, before: Path, path: Path, timeout: float = 40.0
) -> tuple[int, int, int, int]:
    """Where a reminder's popup is, with the pointer held over it: Plasma lets a popup go after a few
    seconds unless the pointer is on it, and a screenshot here takes one to three of them. (A popup
    that left first is not waited for: the next reminder, ten seconds later, brings another.)"""
    deadline = time.monotonic() + timeout
    while True:
        box = changed_box(before, desktop.screenshot(path), ABOVE_PANEL)
        if box is not None and box[2] - box[0] > 200 and box[3] - box[1] > 60:
            fake.move((box[0] + box[2]) // 2, (box[1] + box[3]) // 2)
            time.sleep(0.3)  # it may still have been sliding in: where it rests, under the pointer
            held = changed_box(before, desktop.screenshot(path), ABOVE_PANEL)
            if held is not None and held[2] - held[0] > 200 and held[3] - held[1] > 60:
                return held
        assert time.monotonic() < deadline, f"no popup held on screen within {timeout:g} s (last {box})"


def test_the_lamp_its_menu_and_a_reminder_in_plasma(desktop: Plasma, tmp_path: Path) -> None:
    before = desktop.screenshot(tmp_path / "before.png")
    app = start_app(desktop, tmp_path / "home", FAST)
    fake = desktop.fake_input()
    try:
        # The pointer waits where Plasma puts popups (the bottom row, above the lamp's corner of the
        # panel), so the first one is held from the moment it comes.
        fake.move(WIDTH - 200, HEIGHT - PANEL - 40)
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        item = our_item(desktop, app)
        app.wait_for_output(r"notifications: Notifications go to Plasma")

        # The reminder: Plasma's popup, with the lamp and rustlamp's buttons.
        app.wait_for_output(r"reminder shown: ", timeout=30)
        note = wait(lambda: [e for e in desktop.events("notify") if e["app_name"] == "rustlamp"], "Notify")[0]
        assert str(note["app_icon"]).endswith("waiting-128.png")
        labels = [label for _, label in note["actions"]]
        # The popup's buttons sit in its bottom row, in the order sent: the last is "Later".
        assert labels[-1].startswith("Later")
        for _ in range(3):  # a popup gone before the click: the next reminder's
            box = hover_popup(desktop, fake, before, SHOTS / "plasma-reminder.png")
            fake.click(box[2] - 60, box[3] - 18)
            with contextlib.suppress(AssertionError):
                wait(lambda: status(app)["snoozed_until"], "the snooze from Plasma's button", 8.0)
                break
        else:
            raise AssertionError("three clicks on Plasma's Later button, and no snooze")
        assert [e for e in desktop.events("action") if e["key"].startswith("snooze:")]
        wait(lambda: withdrawn(desktop, note), "the answered reminder withdrawn")

        # The lamp (waiting: warm) in the tray; a right click opens its menu, drawn by plasmashell
        # from rustlamp's dbusmenu.
        shot = desktop.screenshot(SHOTS / "plasma-lamp.png")
        x, y = warm_lamp(shot)
        fake.click(x, y, BTN_RIGHT)
        menu_shot = SHOTS / "plasma-menu.png"
        menu = steady_change(
            desktop.screenshot, shot, menu_shot, ABOVE_PANEL, "menu", lambda box: box[3] - box[1] > 150
        )
        # Quit, found by its label: the rows rustlamp offers (dbusmenu) placed on the drawn menu
        rows = menu_rows(desktop, item)
        fake.click(*row_centre(menu_shot, menu, rows, "Quit"))
        assert app.proc.wait(15) == 0
        assert "quit" in app.output().lower()
        assert item not in registered_items(desktop)
    finally:
        fake.close()
        assert app.stop() == 0


def test_when_kded_restarts_the_lamp_registers_again(desktop: Plasma, tmp_path: Path) -> None:
    app = start_app(desktop, tmp_path / "home", CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        our_item(desktop, app)
        desktop.restart("kded5", ["kded5"])  # the watcher goes, and a new one knows no items
        app.wait_for_output(r"tray: the lamp is in the panel again", timeout=60)
        our_item(desktop, app)
        assert status(app)["in_panel"] is True
    finally:
        assert app.stop() == 0


def test_time_away_from_the_keyboard_is_a_natural_break(desktop: Plasma, tmp_path: Path) -> None:
    app = start_app(desktop, tmp_path / "home", CALM + '[idle]\nnatural_break_after = "10s"\n')
    fake = desktop.fake_input()
    try:
        app.wait_for_output(r"natural breaks: idle time from the compositor's idle time \(ext-idle-notify-v1")
        fake.key()  # at the desk: the idle time starts now
        app.wait_for_output(r"desk: idle \(wayland, idle 0:00:10\)", timeout=30)
        fake.key()  # back
        app.wait_for_output(r"natural break: idle for 0:00:1\d")
    finally:
        fake.close()
        assert app.stop() == 0


def test_plasmas_do_not_disturb_holds_reminders_and_lets_one_come_after(
    desktop: Plasma, tmp_path: Path
) -> None:
    import asyncio

    async def inhibit() -> tuple[MessageBus, int]:
        bus = await MessageBus(bus_address=desktop.env["DBUS_SESSION_BUS_ADDRESS"]).connect()
        reply = await bus.call(
            Message(
                destination=NOTIFICATIONS, path=NOTIFICATIONS_PATH, interface=NOTIFICATIONS,
                member="Inhibit", signature="ssa{sv}", body=["org.kde.okular", "A presentation", {}],
            )
        )  # fmt: skip
        assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
        return bus, int(reply.body[0])

    loop = asyncio.new_event_loop()
    try:
        bus, cookie = loop.run_until_complete(inhibit())
        app = start_app(desktop, tmp_path / "home", FAST)
        try:
            app.wait_for_output(r"notifications-inhibited: do not disturb is on: holding reminders")
            app.wait_for_output(r"reminder held \(", timeout=30)
            loop.run_until_complete(
                bus.call(
                    Message(
                        destination=NOTIFICATIONS, path=NOTIFICATIONS_PATH, interface=NOTIFICATIONS,
                        member="UnInhibit", signature="u", body=[cookie],
                    )
                )
            )  # fmt: skip
            app.wait_for_output(r"notifications-inhibited: do not disturb is off: releasing reminders")
            app.wait_for_output(r"the held reminder comes now")
        finally:
            assert app.stop() == 0
        bus.disconnect()
    finally:
        loop.close()


def test_the_break_window_is_rustlamp_with_its_name_and_icon(desktop: Plasma, tmp_path: Path) -> None:
    """KWin knows the break window by rustlamp's desktop entry name (its Wayland app id), from which
    Plasma's task manager takes the name and the lamp; the title is the break's own."""
    app = start_app(desktop, tmp_path / "home", CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        assert rustlamp(["break"], app.env).returncode == 0
        [window] = wait(
            lambda: [w for w in desktop.windows() if w["caption"] == "A moment of rest"], "the break window"
        )
        assert window["desktopFileName"] == "nl.rustlamp.Rustlamp", window
        time.sleep(0.5)
        desktop.screenshot(SHOTS / "plasma-break-window.png")
    finally:
        assert app.stop() == 0


def menu_rows(desktop: Plasma, item: str) -> list[str]:
    """The lamp's menu as rustlamp offers it (com.canonical.dbusmenu GetLayout, the layout Plasma draws):
    the visible top-level rows in order, each its label without mnemonic, "" for a separator."""
    import asyncio

    async def read() -> list[str]:
        bus = await MessageBus(bus_address=desktop.env["DBUS_SESSION_BUS_ADDRESS"]).connect()
        try:
            reply = await bus.call(
                Message(destination=item.split("/", 1)[0], path="/MenuBar",
                        interface="com.canonical.dbusmenu", member="GetLayout", signature="iias",
                        body=[0, 1, []])
            )  # fmt: skip
            assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply and reply.body
            rows = []
            for child in reply.body[1][2]:
                props = {key: value.value for key, value in child.value[1].items()}
                if props.get("visible", True):
                    separator = props.get("type") == "separator"
                    rows.append("" if separator else str(props.get("label", "")).replace("_", ""))
            return rows
        finally:
            bus.disconnect()

    return asyncio.run(read())


def row_centre(shot: Path, box: tuple[int, int, int, int], rows: list[str], label: str) -> tuple[int, int]:
    """Where the row `label` is drawn in the menu at `box` on `shot`: the menu's separators are found in
    the picture (thin lines across it, unlike text), the rows between two of them share the space."""
    with Image.open(shot) as image:
        menu = image.convert("RGB").crop(box)
    background = max(menu.getcolors(menu.width * menu.height) or [], key=lambda c: c[0])[1]
    # the menu's own body: where its background colour is (the changed box holds shadow and wallpaper)
    solid = Image.new("RGB", menu.size, background)
    inside = ImageChops.difference(menu, solid).convert("L").point(lambda v: 255 if v == 0 else 0).getbbox()
    assert inside is not None
    box = (box[0] + inside[0], box[1] + inside[1], box[0] + inside[2], box[1] + inside[3])
    menu = menu.crop(inside)
    width, height = menu.size
    inner = range(width // 10, width - width // 10)

    def line(y: int) -> bool:  # nearly all of the row one colour, not the background's
        colours = [menu.getpixel((x, y)) for x in inner]
        top = max(set(colours), key=colours.count)
        return top != background and colours.count(top) > 0.9 * len(colours)

    lines = [y for y in range(2, height - 2) if line(y)]
    separators = [y for i, y in enumerate(lines) if i == 0 or lines[i - 1] != y - 1]  # one per line
    assert len(separators) == rows.count(""), (separators, rows)
    edges = [0, *separators, height]
    segments: list[list[str]] = [[]]
    for row in rows:
        if row:
            segments[-1].append(row)
        else:
            segments.append([])
    for (start, end), labels in zip(itertools.pairwise(edges), segments, strict=True):
        if label in labels:
            step = (end - start) / len(labels)
            return box[0] + width // 2, box[1] + start + int(step * (labels.index(label) + 0.5))
    raise AssertionError(f"no {label!r} in the menu {rows}")


ESC = 1  # evdev KEY_ESC


def test_the_check_in_the_week_and_the_settings_are_rustlamps_and_close_with_esc(
    desktop: Plasma, tmp_path: Path
) -> None:
    """Each window a person opens from the lamp (the check-in and the settings from the command line,
    the week from the lamp's menu): KWin knows it by rustlamp's desktop entry name, it has the focus, and
    Esc (a key from KWin's fake input) closes it."""
    app = start_app(desktop, tmp_path / "home", CALM)
    fake = desktop.fake_input()
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        item = our_item(desktop, app)
        for which, title in WINDOW_TITLES.items():
            open_window(desktop, app, item, which)
            window = wait(lambda t=title: kwin_window(desktop, t, active=True), f"the {which} window, active")
            assert window["desktopFileName"] == "nl.rustlamp.Rustlamp", window
            time.sleep(0.5)  # drawn
            desktop.screenshot(SHOTS / f"plasma-{which}-window.png")
            fake.key(ESC)
            wait(lambda t=title: not kwin_window(desktop, t), f"Esc closing the {which} window")
    finally:
        fake.close()
        assert app.stop() == 0


def kwin_window(desktop: Plasma, caption: str, active: bool = False) -> dict[str, Any] | None:
    found = [w for w in desktop.windows() if w["caption"] == caption and (w["active"] or not active)]
    return found[0] if found else None
