"""The installed rustlamp inside sway 1.7 (headless), with swaybar's tray, mako for notifications and
XWayland, checked through sway's own ways: swaybar's StatusNotifierWatcher, a real right click on the
lamp (a virtual pointer), mako's list and makoctl, the compositor's idle time with a virtual keyboard,
mako's do-not-disturb mode and sway's fullscreen. Screenshots go to build/desktop-shots/.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_process import RunningApp
from PIL import Image
from real_desktop_app import (
    CALM,
    FAST,
    ROOT,
    SHOTS,
    WINDOW_TITLES,
    open_window,
    our_item,
    registered_items,
    start_app,
    status,
    wait,
)
from run_cli import rustlamp
from wayland_session import BTN_RIGHT, Sway, sway

pytestmark = pytest.mark.real_desktop

BAR = "bar {\n  position top\n  tray_output *\n}\n"
MENU_CLASS = "^rustlamp$"  # the popup menu's X window (rustlamp.ui.popup_menu, Qt on XWayland)


@pytest.fixture(scope="module")
def desktop() -> Iterator[Sway]:
    # XWayland from the start ("force"): a lazy one ends with its last X client and comes back without
    # the xhost grant that lets root's xdotool in ("Can't open display")
    with sway("xwayland force\n" + BAR) as running:
        running.start_mako()
        running.allow_root_on_x()
        yield running


@pytest.fixture
def app_home(tmp_path: Path) -> Path:
    return tmp_path / "home"


def lamp_in_bar(shot: Path) -> tuple[int, int]:
    """The centre of what is drawn at the right end of the (black) bar: the tray, with only our lamp."""
    with Image.open(shot) as image:
        rgb = image.convert("RGB")
        found = [
            (x, y)
            for x in range(rgb.width - 80, rgb.width)
            for y in range(0, 22)
            if sum(rgb.getpixel((x, y))) > 120  # type: ignore[arg-type]
        ]
    assert found, f"nothing drawn in the tray area of {shot}"
    xs, ys = [x for x, _ in found], [y for _, y in found]
    return (min(xs) + max(xs)) // 2, (min(ys) + max(ys)) // 2


def mako_list(desktop: Sway) -> list[dict[str, Any]]:
    raw = json.loads(desktop.run(["makoctl", "list"]).stdout)
    return [{k: v["data"] for k, v in item.items()} for item in raw["data"][0]]


def test_the_lamp_sits_in_swaybar_and_a_right_click_opens_its_menu(desktop: Sway, app_home: Path) -> None:
    app = start_app(desktop, app_home, CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        assert our_item(desktop, app).endswith("/StatusNotifierItem")
        time.sleep(0.5)  # swaybar draws the item once it has read its pixmaps
        shot = desktop.screenshot(SHOTS / "sway-lamp.png")
        x, y = lamp_in_bar(shot)
        assert x > 1200 and y < 22

        desktop.click(x, y, BTN_RIGHT)  # swaybar calls ContextMenu: rustlamp shows its own menu
        desktop.run(["timeout", "10", "xdotool", "search", "--sync", "--onlyvisible", "--class", MENU_CLASS])
        time.sleep(0.3)
        desktop.screenshot(SHOTS / "sway-menu.png")
        # The menu opens on Take a break now; then Check in, This week, Later: its first choice
        desktop.run(["xdotool", "key", "--delay", "80", "Down", "Down", "Down", "Right", "Return"])
        wait(lambda: status(app)["snoozed_until"], "the snooze chosen in the menu")
    finally:
        assert app.stop() == 0


def test_a_restarted_bar_gets_the_lamp_again(desktop: Sway, app_home: Path) -> None:
    app = start_app(desktop, app_home, CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        our_item(desktop, app)
        desktop.swaymsg("reload")  # swaybar and its watcher start afresh, knowing no items
        app.wait_for_output(r"tray: the lamp is in the panel again", timeout=20)
        our_item(desktop, app)
        assert status(app)["in_panel"] is True
    finally:
        assert app.stop() == 0
    wait(lambda: not any(str(app.proc.pid) in name for name in registered_items(desktop)), "the item leaving")


def test_a_reminder_comes_through_mako_with_the_lamp_and_its_button_works(
    desktop: Sway, app_home: Path
) -> None:
    desktop.run(["makoctl", "dismiss", "--all"])
    app = start_app(desktop, app_home, FAST)
    try:
        shown = wait(lambda: [n for n in mako_list(desktop) if n.get("app-name") == "rustlamp"], "a reminder")
        note = shown[0]
        assert note["summary"]
        assert str(note.get("app-icon", "")).endswith("waiting-128.png"), note
        actions: dict[str, str] = note["actions"]
        later = next(key for key, label in actions.items() if key.startswith("snooze:"))
        desktop.screenshot(SHOTS / "sway-reminder.png")
        desktop.run(["makoctl", "invoke", "-n", str(note["id"]), later])
        wait(lambda: status(app)["snoozed_until"], "the snooze from mako's button")
        # mako keeps a notification after its action; rustlamp withdraws the answered reminder
        wait(
            lambda: not [n for n in mako_list(desktop) if n.get("app-name") == "rustlamp"],
            "the reminder leaving",
        )
    finally:
        assert app.stop() == 0
        desktop.run(["makoctl", "dismiss", "--all"])


def test_time_away_from_the_keyboard_is_a_natural_break(desktop: Sway, app_home: Path) -> None:
    app = start_app(desktop, app_home, CALM + '[idle]\nnatural_break_after = "10s"\n')
    try:
        app.wait_for_output(r"natural breaks: idle time from the compositor's idle time \(org_kde_kwin_idle")
        desktop.type_key()  # at the desk: the idle time starts now
        app.wait_for_output(r"desk: idle \(wayland, idle 0:00:10\)", timeout=30)
        desktop.type_key()  # back
        app.wait_for_output(r"natural break: idle for 0:00:1\d")
    finally:
        assert app.stop() == 0


def test_makos_do_not_disturb_and_a_fullscreen_window_hold_reminders(desktop: Sway, app_home: Path) -> None:
    desktop.run(["makoctl", "dismiss", "--all"])
    desktop.run(["makoctl", "mode", "-a", "do-not-disturb"])
    app = start_app(desktop, app_home, FAST)
    try:
        app.wait_for_output(r"reminder held \(.*\)", timeout=30)
        assert not [n for n in mako_list(desktop) if n.get("app-name") == "rustlamp"]
        desktop.run(["makoctl", "mode", "-r", "do-not-disturb"])
        app.wait_for_output(r"the held reminder comes now", timeout=30)
        wait(lambda: [n for n in mako_list(desktop) if n.get("app-name") == "rustlamp"], "the held reminder")

        desktop.swaymsg("exec xmessage -name film 'a film'")
        wait(lambda: '"class": "Xmessage"' in desktop.swaymsg("-t", "get_tree"), "the X window")
        desktop.swaymsg('[class="Xmessage"] fullscreen enable')
        app.wait_for_output(r"sway-fullscreen: the focused window is fullscreen: holding reminders")
        desktop.swaymsg('[class="Xmessage"] kill')
        app.wait_for_output(r"sway-fullscreen: no fullscreen window has the focus any more: releasing")
    finally:
        desktop.run(["makoctl", "mode", "-s", "default"])
        assert app.stop() == 0
        desktop.run(["makoctl", "dismiss", "--all"])


def rustlamp_windows(desktop: Sway) -> list[dict[str, Any]]:
    """sway's view of rustlamp's windows (get_tree): native Wayland ones by app id, XWayland ones by
    WM_CLASS."""
    found: list[dict[str, Any]] = []

    def walk(node: dict[str, Any]) -> None:
        properties = node.get("window_properties") or {}
        if node.get("app_id") == "nl.rustlamp.Rustlamp" or properties.get("class") == "rustlamp":
            found.append(node)
        for child in node.get("nodes", []) + node.get("floating_nodes", []):
            walk(child)

    walk(json.loads(desktop.swaymsg("-t", "get_tree")))
    return found


def test_the_break_window_is_rustlamps_by_name(desktop: Sway, app_home: Path) -> None:
    """What sway (its window list, swaybar, any switcher) knows the break window by: rustlamp's app id,
    the same as its desktop file's name, and the window's own title, not a program's."""
    app = start_app(desktop, app_home, CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        assert rustlamp(["break"], app.env).returncode == 0
        [window] = wait(lambda: rustlamp_windows(desktop), "the break window in sway's tree")
        # a native Wayland window whose app id is the desktop entry's name (packaging/linux/)
        assert window["app_id"] == "nl.rustlamp.Rustlamp", window
        assert (ROOT / "packaging" / "linux" / f"{window['app_id']}.desktop").is_file()
        assert window["name"] == "A moment of rest"
        desktop.screenshot(SHOTS / "sway-break-window.png")
    finally:
        assert app.stop() == 0


def test_the_check_in_the_week_and_the_settings_are_rustlamps_and_close_with_esc(
    desktop: Sway, app_home: Path
) -> None:
    """Each window a person opens from the lamp (the check-in and the settings from the command line,
    the week from the lamp's menu, the row found by its label): in sway's tree by rustlamp's app id and
    its own title, focused, and closed by Esc from a virtual keyboard."""
    app = start_app(desktop, app_home, CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        item = our_item(desktop, app)
        with desktop.keyboard():
            open_three_and_close_them_with_esc(desktop, app, item)
    finally:
        assert app.stop() == 0


def open_three_and_close_them_with_esc(desktop: Sway, app: RunningApp, item: str) -> None:
    for which, title in WINDOW_TITLES.items():
        open_window(desktop, app, item, which)
        [window] = wait(
            lambda t=title: [w for w in rustlamp_windows(desktop) if w["name"] == t and w["focused"]],
            f"the {which} window, focused",
        )
        assert window["app_id"] == "nl.rustlamp.Rustlamp", window
        time.sleep(0.5)  # drawn
        desktop.screenshot(SHOTS / f"sway-{which}-window.png")
        desktop.type_key("Escape")
        wait(
            lambda t=title: not [w for w in rustlamp_windows(desktop) if w["name"] == t],
            f"Esc closing the {which} window",
        )
