"""The installed `rustlamp run` with its lamp in a real panel: Debian's status-notifier-watcher and the
gtk-sni-tray-standalone host on the test desktop. The lamp is clicked with the mouse (xdotool); the menu
is clicked the way a panel does it, over dbusmenu, since the GTK menu itself is proven in
test_tray_sni_host.py.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_process import QUIET_ALL_DAY, RunningApp, answer_break_window
from dbus_fast import Variant
from desktop import DesktopSession
from PIL import Image, ImageChops
from run_cli import rustlamp
from sni_host import ITEM, MENU, Host, connected_host, flatten, id_of

from rustlamp.core.catalog import catalog

pytestmark = pytest.mark.desktop

CONFIG = QUIET_ALL_DAY


@pytest.fixture
def panel(desktop_clean: DesktopSession) -> Iterator[DesktopSession]:
    desktop_clean.start_sni_tray()
    yield desktop_clean


@pytest.fixture
def app(panel: DesktopSession, tmp_path: Path) -> Iterator[RunningApp]:
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    running = RunningApp(tmp_path, panel.env, config)
    running.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
    yield running
    running.stop()


def capture(desktop: DesktopSession, window: str, path: Path) -> Image.Image:
    subprocess.run(["import", "-window", window, str(path)], env=desktop.env, check=True, timeout=10)
    with Image.open(path) as image:
        return image.convert("RGB")


async def our_item(host: Host, pid: int) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for name in await host.registered_items():
            if name.startswith(f"org.kde.StatusNotifierItem-{pid}-"):
                return name
        await asyncio.sleep(0.05)
    raise AssertionError("rustlamp's item is not registered with the watcher")


async def click_menu(host: Host, item: str, label: str) -> None:
    _, root = await host.ok(item, "/MenuBar", MENU, "GetLayout", "iias", [0, -1, []])
    row = id_of(flatten(root), label)
    await host.ok(item, "/MenuBar", MENU, "Event", "isvu", [row, "clicked", Variant("i", 0), 0])


async def labels(host: Host, item: str) -> list[str]:
    _, root = await host.ok(item, "/MenuBar", MENU, "GetLayout", "iias", [0, -1, []])
    return [props.get("label", "") for _, props, _ in flatten(root)]


def test_clicking_the_lamp_in_the_panel_takes_a_break(
    panel: DesktopSession, tmp_path: Path, app: RunningApp
) -> None:
    bar = panel.sni_tray_window()
    assert bar is not None
    # the lamp is the only item, so it is where the bar shows anything at all
    deadline = time.monotonic() + 10
    box: tuple[int, int, int, int] | None = None
    while box is None and time.monotonic() < deadline:
        shot = capture(panel, bar, tmp_path / "bar.png")
        box = ImageChops.difference(shot, Image.new("RGB", shot.size, shot.getpixel((0, 0)))).getbbox()
    assert box is not None, "the lamp never appeared in the panel"
    panel.screenshot(tmp_path / "desktop.png")
    x, y, _, _ = panel.window_geometry(bar)
    centre_x, centre_y = x + (box[0] + box[2]) // 2, y + (box[1] + box[3]) // 2
    mark = len(app.output())
    panel.run(["xdotool", "mousemove", str(centre_x), str(centre_y), "click", "1"])
    app.wait_for_output(r"break requested \(tray\)", after=mark)
    answer_break_window(panel.env, "A moment of rest")
    app.wait_for_output(r"break outcome: done", after=mark)
    # The window was Qt in a process of its own: the lamp itself never loaded Qt.
    maps = Path(f"/proc/{app.proc.pid}/maps").read_text()
    for library in ("libQt6", "PySide6", "shiboken6", "libxcb-cursor"):
        assert library not in maps, library


def test_the_lamp_over_sni_loads_no_image_library(app: RunningApp) -> None:
    # the icons are prepared ahead: the resident process must not pay for Pillow (or X, or Tk)
    maps = Path(f"/proc/{app.proc.pid}/maps").read_text()
    # nor for OpenSSL, which it never uses (rustlamp/system/lean.py)
    for library in ("PIL/_imaging", "_tkinter", "libtk", "libQt6", "libX11", "libssl", "libcrypto"):
        assert library not in maps, library


def test_the_menu_pauses_resumes_and_quits_and_its_labels_follow(
    panel: DesktopSession, app: RunningApp
) -> None:
    async def scenario() -> None:
        async with connected_host(panel.env["DBUS_SESSION_BUS_ADDRESS"]) as host:
            item = await our_item(host, app.proc.pid)
            props = await host.props(item, "/StatusNotifierItem", ITEM)
            assert props["ItemIsMenu"] is False
            assert props["ToolTip"][2] == "rustlamp"
            assert props["ToolTip"][3].startswith("Next reminder at ")
            assert "Take a break now" in await labels(host, item)

            await click_menu(host, item, "1 hour")  # the first "1 hour" in the menu is Later ▸ 1 hour
            app.wait_for_output(r"snoozed \(tray\) until ")

            await click_menu(host, item, "2 hours")  # only under Pause reminders
            match = app.wait_for_output(r"paused \(tray\) until (\S+)")
            until = datetime.fromisoformat(match.group(1))
            assert abs(until - (datetime.now().astimezone() + timedelta(hours=2))) < timedelta(seconds=30)
            # after 22:00 two hours from now is tomorrow, and the menu says so
            when = f"{until:%H:%M}" if until.date() == datetime.now().date() else f"{until:%H:%M} tomorrow"
            resume = "Resume reminders"
            await wait_for_label(host, item, resume)
            tip = (await host.props(item, "/StatusNotifierItem", ITEM))["ToolTip"]
            assert tip[3] == f"Reminders paused until {when}"

            await click_menu(host, item, resume)
            app.wait_for_output(r"resumed \(tray\)")
            await wait_for_label(host, item, "Pause reminders")

            await click_menu(host, item, "Quit")
        assert app.proc.wait(10) == 0
        assert "quit (tray)" in app.output()

    asyncio.run(scenario())


async def wait_for_label(host: Host, item: str, label: str) -> None:
    deadline = time.monotonic() + 10
    found: list[Any] = []
    while time.monotonic() < deadline:
        found = await labels(host, item)
        if label in found:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"no {label!r} in the menu: {found}")


def test_about_and_settings_from_the_menu_where_no_window_can_be_shown(
    panel: DesktopSession, tmp_path: Path
) -> None:
    # no display for windows (the panel is on D-Bus): "Settings…" falls back to the file itself; with no
    # --config it creates ~/.config/rustlamp/config.toml from the example, then opens it
    opened = tmp_path / "opened"
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text(f'#!/bin/sh\nprintf "%s" "$1" > {opened}\n', encoding="utf-8")
    opener.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    app = RunningApp(
        home,
        panel.env,
        None,
        {"PATH": f"{opener.parent}:{os.environ['PATH']}", "LANG": "nl_NL.UTF-8", "DISPLAY": ""},
    )
    try:
        app.wait_for_output(r"tray: The lamp is in the panel")

        async def scenario() -> None:
            async with connected_host(panel.env["DBUS_SESSION_BUS_ADDRESS"]) as host:
                item = await our_item(host, app.proc.pid)
                await click_menu(host, item, "Over rustlamp")
                await click_menu(host, item, "Instellingen…")

        asyncio.run(scenario())
        note = panel.wait_for_notification(lambda n: n["summary"].startswith("rustlamp 0."))
        assert "Elke poging telt." in note["body"]
        config = home / "config" / "rustlamp" / "config.toml"
        app.wait_for_output(r"opened .*config\.toml in the desktop's editor")
        deadline = time.monotonic() + 5
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text(encoding="utf-8") == str(config)
        assert config.read_text(encoding="utf-8").startswith("# rustlamp settings / instellingen")
    finally:
        assert app.stop() == 0


def test_settings_from_the_menu_opens_the_settings_window_once(
    panel: DesktopSession, app: RunningApp
) -> None:
    async def scenario() -> None:
        async with connected_host(panel.env["DBUS_SESSION_BUS_ADDRESS"]) as host:
            item = await our_item(host, app.proc.pid)
            await click_menu(host, item, "Settings…")
            panel.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", "^Settings$"])
            await click_menu(host, item, "Settings…")  # again: the open one comes forward, no second

    asyncio.run(scenario())
    found = panel.run(["xdotool", "search", "--onlyvisible", "--name", "^Settings$"]).stdout.split()
    assert len(found) == 1
    panel.run(["xdotool", "windowfocus", "--sync", found[0]])
    panel.run(["xdotool", "key", "Escape"])  # nothing changed: it closes at once
    deadline = time.monotonic() + 10
    search = ["xdotool", "search", "--onlyvisible", "--name", "^Settings$"]
    while subprocess.run(search, env=panel.env, capture_output=True).returncode == 0:
        assert time.monotonic() < deadline, "the settings window did not close on Esc"
        time.sleep(0.05)
    assert app.proc.poll() is None
    assert "settings reloaded" not in app.output()  # nothing was saved, so nothing to read again


def test_without_any_tray_it_says_so_once_and_keeps_going(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    desktop_clean.stop_sni_tray()
    desktop_clean.stop_sni_watcher()
    config = tmp_path / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    app = RunningApp(tmp_path, desktop_clean.env, config, {"DISPLAY": ""})  # no XEmbed tray either
    try:
        app.wait_for_output(r"tray: No tray was found.*AppIndicator")
        note = desktop_clean.wait_for_notification(lambda n: n["summary"] == "The lamp is not in the panel")
        assert "GNOME" in note["body"]
        app.wait_for_output(r"next reminder: ")
        assert app.proc.poll() is None
        told = [n for n in desktop_clean.notifications() if n["summary"] == "The lamp is not in the panel"]
        assert len(told) == 1
        assert "as soon as there is one" in note["body"]
        assert json.loads(rustlamp(["status", "--json"], app.env).stdout)["in_panel"] is False

        # The panel comes later (autostart raced it, or the GNOME extension was switched on): it gets
        # the lamp, and the log and status say so.
        desktop_clean.start_sni_watcher()
        app.wait_for_output(r"tray: the lamp is in the panel \(registered with the StatusNotifierWatcher\)")
        assert json.loads(rustlamp(["status", "--json"], app.env).stdout)["in_panel"] is True

        async def listed() -> str:
            async with connected_host(desktop_clean.env["DBUS_SESSION_BUS_ADDRESS"]) as host:
                return await our_item(host, app.proc.pid)

        assert asyncio.run(listed())
    finally:
        assert app.stop() == 0


@pytest.mark.parametrize("language", ["nl", "de"])
def test_no_english_in_the_lamps_menu_and_its_submenus(
    panel: DesktopSession, tmp_path: Path, language: str
) -> None:
    """The menu as a panel shows it (dbusmenu's whole layout, the Later and Pause submenus' choices
    included), in Dutch and German: none of its rows is an English source message."""
    from test_no_english_in_windows import english_in

    config = tmp_path / "config.toml"
    config.write_text(CONFIG.replace('language = "en"', f'language = "{language}"'), encoding="utf-8")
    running = RunningApp(tmp_path, panel.env, config)
    try:
        running.wait_for_output(r"tray: ")

        async def layout() -> list[tuple[int, dict[str, Any], int]]:
            async with connected_host(panel.env["DBUS_SESSION_BUS_ADDRESS"]) as host:
                item = await our_item(host, running.proc.pid)
                _, root = await host.ok(item, "/MenuBar", MENU, "GetLayout", "iias", [0, -1, []])
                return flatten(root)

        rows = asyncio.run(layout())
    finally:
        running.stop()
    shown = {props["label"] for _, props, _ in rows if props.get("label")}
    submenu_rows = [props.get("label", "") for _, props, depth in rows if depth == 1]
    words = catalog(language)
    # the submenus were read, in the language: Later's and Pause's last choices are among their rows
    assert words.word("app.menu_rest_of_today") in submenu_rows
    assert words.word("app.menu_until_tomorrow") in submenu_rows
    assert len(submenu_rows) >= 6, submenu_rows
    assert english_in(shown, language) == [], f"English in the {language} menu: {sorted(shown)}"
