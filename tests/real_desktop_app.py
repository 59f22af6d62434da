"""The installed rustlamp inside a real Wayland desktop (wayland_session.py), and what the tests share:
where screenshots go, the watcher's list of items, the app's status."""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app_process import RunningApp
from PIL import Image, ImageChops
from run_cli import rustlamp
from wayland_session import WaylandDesktop

ROOT = Path(__file__).resolve().parents[1]
# Pictures of the lamp and its menu in each panel, kept after the run to be looked at.
SHOTS = Path(os.environ.get("RUSTLAMP_SHOTS", ROOT / "build" / "desktop-shots"))
WATCHER = "org.kde.StatusNotifierWatcher"
# every 45 minutes, all day: nothing comes by itself during a test unless the test says so
CALM = """language = "en"
[reminders]
every = "45m"
start = "00:00"
end = "00:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
"""
# every 10 s (the shortest allowed), nobody at the desk is no reason to wait: reminders come
FAST = CALM.replace('every = "45m"', 'every = "10s"') + "[idle]\nnatural_breaks = false\n"


def start_app(
    desktop: WaylandDesktop, home: Path, config_text: str, extra_env: dict[str, str] | None = None
) -> RunningApp:
    """`rustlamp run -v` inside `desktop`, with its own private XDG folders under `home`: the desktop's
    bus, Wayland socket (by its full path), X display and session variables."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    env = {
        key: desktop.env[key]
        for key in (
            "DBUS_SESSION_BUS_ADDRESS",
            "DISPLAY",
            "XDG_CURRENT_DESKTOP",
            "XDG_SESSION_TYPE",
            "SWAYSOCK",
            "XDG_DATA_DIRS",  # where the session's desktop entries are (rustlamp looks for its own there)
        )
        if key in desktop.env
    }
    env["WAYLAND_DISPLAY"] = str(desktop.runtime / desktop.env["WAYLAND_DISPLAY"])
    if "GSETTINGS_BACKEND" in desktop.env:  # GNOME's settings in a key file: the app must read the same one
        env["GSETTINGS_BACKEND"] = desktop.env["GSETTINGS_BACKEND"]
        env["XDG_CONFIG_HOME"] = str(desktop.home / ".config")
    return RunningApp(home, desktop.env, config, {**env, **(extra_env or {})})


def registered_items(desktop: WaylandDesktop) -> list[str]:
    """What the desktop's StatusNotifierWatcher lists (gdbus: busctl cannot read GNOME's watcher)."""
    found = desktop.run(
        [
            "gdbus", "call", "--session", "--dest", WATCHER, "--object-path", "/StatusNotifierWatcher",
            "--method", "org.freedesktop.DBus.Properties.Get", WATCHER, "RegisteredStatusNotifierItems",
        ],
        check=False,
    )  # fmt: skip
    if found.returncode != 0:
        return []
    return re.findall(r"'([^']*)'", found.stdout)


def our_item(desktop: WaylandDesktop, app: RunningApp, timeout: float = 15.0) -> str:
    """The watcher's name for the app's item, once it is listed."""
    deadline = time.monotonic() + timeout
    prefix = f"org.kde.StatusNotifierItem-{app.proc.pid}-"
    while time.monotonic() < deadline:
        for name in registered_items(desktop):
            if name.startswith(prefix) or prefix in name:
                return name
        time.sleep(0.1)
    raise AssertionError(f"the watcher does not list rustlamp's item: {registered_items(desktop)}")


def status(app: RunningApp) -> dict[str, Any]:
    result = rustlamp(["status", "--json"], app.env)
    assert result.returncode == 0, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout)
    return answer


# The windows a person opens from the lamp besides the break, each by its English title: the check-in and
# the settings from the command line (as from a terminal), the week from the lamp's menu.
WINDOW_TITLES = {"check-in": "A short check-in", "week": "This week", "settings": "Settings"}
MENU_WEEK = "This week…"


def menu_click(desktop: WaylandDesktop, item: str, label: str) -> None:
    """Click the lamp's menu row `label` the way a panel does once a person clicked it: the row found by its
    label in the menu rustlamp offers (com.canonical.dbusmenu GetLayout), then Event(id, "clicked")."""
    import asyncio

    from dbus_fast import Message, MessageType, Variant
    from dbus_fast.aio import MessageBus

    async def click() -> None:
        bus = await MessageBus(bus_address=desktop.env["DBUS_SESSION_BUS_ADDRESS"]).connect()
        try:

            async def call(member: str, signature: str, body: list[Any]) -> list[Any]:
                reply = await bus.call(
                    Message(destination=item.split("/", 1)[0], path="/MenuBar",
                            interface="com.canonical.dbusmenu", member=member, signature=signature,
                            body=body)
                )  # fmt: skip
                assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply
                return list(reply.body)

            layout = await call("GetLayout", "iias", [0, 1, []])
            labels = {
                str(child.value[1]["label"].value).replace("_", ""): int(child.value[0])
                for child in layout[1][2]
                if "label" in child.value[1]
            }
            assert label in labels, f"no {label!r} in the lamp's menu: {list(labels)}"
            await call("Event", "isvu", [labels[label], "clicked", Variant("i", 0), 0])
        finally:
            bus.disconnect()

    asyncio.run(click())


def open_window(desktop: WaylandDesktop, app: RunningApp, item: str, which: str) -> None:
    """Open the window `which` (a key of WINDOW_TITLES) from the lamp as a person would."""
    if which == "week":
        menu_click(desktop, item, MENU_WEEK)
    else:
        assert rustlamp([which], app.env).returncode == 0


def wait(condition: Any, what: str, timeout: float = 20.0) -> Any:
    """`condition()`'s first true value, asked every 0.1 s; fails with `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"{what}: not within {timeout:g} s"
        time.sleep(0.1)


Box = tuple[int, int, int, int]


def changed_box(before: Path, after: Path, area: Box) -> Box | None:
    """Where two screenshots differ inside `area` (left, top, right, bottom), in screen coordinates."""
    with Image.open(before) as a, Image.open(after) as b:
        found = ImageChops.difference(a.convert("RGB").crop(area), b.convert("RGB").crop(area)).getbbox()
    if found is None:
        return None
    return found[0] + area[0], found[1] + area[1], found[2] + area[0], found[3] + area[1]


def steady_change(
    screenshot: Callable[[Path], Path],
    before: Path,
    path: Path,
    area: Box,
    what: str,
    wanted: Callable[[Box], bool] = lambda box: True,
    timeout: float = 20.0,
) -> Box:
    """Where the screen differs from `before` inside `area` once something has come and stays put (slid
    or faded in): the same `wanted` box in two screenshots in a row (taken by the desktop's own
    `screenshot`), the last one kept at `path`."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        box = changed_box(before, screenshot(path), area)
        if box is not None and box == last and wanted(box):
            return box
        assert time.monotonic() < deadline, f"no {what} that stays put within {timeout:g} s (last {box})"
        last = box
