"""The installed rustlamp inside GNOME Shell 43 on Wayland (headless, a virtual monitor) with the
AppIndicator extension on, as Ubuntu ships it, checked through GNOME's own ways: the extension's
StatusNotifierWatcher and the shell reading the lamp's menu (com.canonical.dbusmenu calls from the
shell), the extension dropping the lamp and rustlamp registering again, GNOME's notification server
(the lamp as icon, the buttons sent), Mutter's idle monitor with input through Mutter's remote
desktop, and GNOME's do-not-disturb switch. Screenshots through the shell's screenshot interface go
to build/desktop-shots/.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_process import window_child, window_request
from real_desktop_app import (
    CALM,
    FAST,
    SHOTS,
    WINDOW_TITLES,
    open_window,
    our_item,
    registered_items,
    start_app,
    status,
    steady_change,
    wait,
)
from run_cli import rustlamp
from wayland_session import APPINDICATOR_UUID, WIDTH, Gnome, gnome

pytestmark = pytest.mark.real_desktop


@pytest.fixture(scope="module")
def desktop() -> Iterator[Gnome]:
    with gnome() as running:
        running.wait_for(lambda: watcher_answers(running), "the AppIndicator extension's watcher", timeout=60)
        running.start_notifications()
        running.start_recorder()
        yield running


def watcher_answers(desktop: Gnome) -> bool:
    found = desktop.run(
        ["gdbus", "introspect", "--session", "--dest", "org.kde.StatusNotifierWatcher", "--object-path",
         "/StatusNotifierWatcher"],
        check=False, timeout=5,
    )  # fmt: skip
    return found.returncode == 0


def notification_id(desktop: Gnome, note: dict[str, Any]) -> list[int]:
    return [
        e["id"]
        for e in desktop.events("reply")
        if e["reply_serial"] == note["serial"] and e["destination"] == note["sender"]
    ]


def listed_for(desktop: Gnome, pid: int, seconds: float) -> bool:
    """The item stays in the watcher's list for `seconds` on end (the extension may drop it meanwhile)."""
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        if not any(f"-{pid}-" in name for name in registered_items(desktop)):
            return False
        time.sleep(0.2)
    return True


def test_the_lamp_stays_in_gnomes_panel_and_the_shell_reads_its_menu(desktop: Gnome, tmp_path: Path) -> None:
    monitor_log = tmp_path / "dbusmenu.log"
    with monitor_log.open("w") as out:
        monitor = subprocess.Popen(
            ["dbus-monitor", "--session", "type='method_call',interface='com.canonical.dbusmenu'"],
            env=desktop.env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    app = start_app(desktop, tmp_path / "home", CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        our_item(desktop, app)
        # The extension drops an item now and then just after it registers (v46); whatever it does, the
        # lamp ends up listed, and the log says each drop and each return.
        wait(lambda: listed_for(desktop, app.proc.pid, 5.0), "the lamp staying in the panel", timeout=90)
        assert status(app)["in_panel"] is True
        log = app.output()
        assert log.count("tray: the panel dropped the lamp") == log.count(
            "tray: the lamp is in the panel again"
        )
        # The shell reads the lamp's menu from rustlamp (the extension's dbusmenu client).
        wait(lambda: "member=GetLayout" in monitor_log.read_text(), "the shell reading the menu")
        desktop.screenshot(SHOTS / "gnome-lamp.png")

        # Switched off and on again (as in Extensions): its watcher goes and a new one comes.
        desktop.gsettings("set", "org.gnome.shell", "enabled-extensions", "[]")
        app.wait_for_output(r"tray: the StatusNotifierWatcher went away")
        assert status(app)["in_panel"] is False
        desktop.gsettings("set", "org.gnome.shell", "enabled-extensions", f"['{APPINDICATOR_UUID}']")
        app.wait_for_output(r"tray: a StatusNotifierWatcher appeared", timeout=30)
        wait(lambda: listed_for(desktop, app.proc.pid, 3.0), "the lamp back in the panel", timeout=90)
    finally:
        monitor.terminate()
        monitor.wait(5)
        assert app.stop() == 0


def test_a_reminder_reaches_gnomes_notifications_with_the_lamp_and_buttons(
    desktop: Gnome, tmp_path: Path
) -> None:
    app = start_app(desktop, tmp_path / "home", FAST)
    try:
        app.wait_for_output(r"notifications: Notifications go to gnome-shell 43")
        app.wait_for_output(r"reminder shown: ", timeout=30)
        note = wait(lambda: [e for e in desktop.events("notify") if e["app_name"] == "rustlamp"], "Notify")[0]
        assert str(note["app_icon"]).endswith("waiting-128.png")
        assert [key.split(":")[0] for key, _ in note["actions"]][-1] == "snooze"
        time.sleep(0.5)
        desktop.screenshot(SHOTS / "gnome-reminder.png")
        # Answered (here from the command line), it is withdrawn from GNOME's message list.
        assert rustlamp(["snooze", "10m"], app.env).returncode == 0
        [nid] = wait(lambda: notification_id(desktop, note), "the notification's id")

        def closed_by_us() -> bool:
            return any(
                e["member"] == "CloseNotification" and e["args"] == [nid] for e in desktop.events("call")
            )

        wait(closed_by_us, "CloseNotification")
        wait(lambda: [e for e in desktop.events("closed") if e["id"] == nid], "GNOME closing it")
    finally:
        assert app.stop() == 0


def test_time_away_from_the_keyboard_is_a_natural_break(desktop: Gnome, tmp_path: Path) -> None:
    app = start_app(desktop, tmp_path / "home", CALM + '[idle]\nnatural_break_after = "10s"\n')
    try:
        app.wait_for_output(r"natural breaks: idle time from GNOME's idle monitor")
        desktop.press_key()  # at the desk: the idle time starts now
        app.wait_for_output(r"desk: idle \(mutter, idle 0:00:10\)", timeout=30)
        desktop.press_key()  # back
        app.wait_for_output(r"natural break: idle for 0:00:1\d")
    finally:
        assert app.stop() == 0


def test_gnomes_do_not_disturb_holds_reminders_and_lets_one_come_after(
    desktop: Gnome, tmp_path: Path
) -> None:
    desktop.gsettings("set", "org.gnome.desktop.notifications", "show-banners", "false")
    try:
        app = start_app(desktop, tmp_path / "home", FAST)
        try:
            app.wait_for_output(r"gnome-gsettings: do not disturb is on: holding reminders")
            app.wait_for_output(r"reminder held \(", timeout=30)
            desktop.gsettings("set", "org.gnome.desktop.notifications", "show-banners", "true")
            app.wait_for_output(r"gnome-gsettings: do not disturb is off: releasing reminders")
            app.wait_for_output(r"the held reminder comes now")
        finally:
            assert app.stop() == 0
    finally:
        desktop.gsettings("set", "org.gnome.desktop.notifications", "show-banners", "true")


def test_the_break_window_is_rustlamp_with_its_name_and_icon(desktop: Gnome, tmp_path: Path) -> None:
    """GNOME's window tracker maps the break window to rustlamp's desktop entry (its app id is the
    entry's name), so the top bar, the overview and Alt+Tab show rustlamp's name and lamp, not a
    program's name; the window's title is the break's own."""
    app = start_app(desktop, tmp_path / "home", CALM)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
        assert rustlamp(["break"], app.env).returncode == 0
        [window] = wait(
            lambda: [
                w for w in desktop.windows() if w.get("title") == "A moment of rest" and not w["is-hidden"]
            ],
            "the break window",
        )
        # the app the shell tracks it to: the entry installed as a package would (wayland_session's
        # install_desktop_entry), found by the window's app id; without it the shell invents "window:N"
        # and shows the app id as the name, with a generic icon
        assert window["app-id"] == "nl.rustlamp.Rustlamp.desktop", window
        assert window["wm-class"] == "nl.rustlamp.Rustlamp", window
        time.sleep(0.5)
        desktop.screenshot(SHOTS / "gnome-break-window.png")
    finally:
        assert app.stop() == 0


def test_a_click_on_the_banners_break_button_opens_the_break_with_its_sentence(
    desktop: Gnome, tmp_path: Path
) -> None:
    """A real pointer (Mutter's remote desktop) over the reminder's banner, which unfolds its buttons,
    and a click on "Take a break now": the break window opens with the sentence of that reminder."""
    # A fresh session shows "Screen Lock disabled" (no GDM here) and keeps it while nobody moves: its
    # close button is where a banner's is; a click there on an empty top bar does nothing.
    desktop.point_at(866, 59)
    desktop.click()
    app = start_app(desktop, tmp_path / "home", FAST)
    try:
        app.wait_for_output(r"tray: The lamp is in the panel")
        before = desktop.screenshot(tmp_path / "before.png")  # the first reminder comes 10 s after start
        app.wait_for_output(r"reminder shown: ", timeout=30)
        wait(lambda: [e for e in desktop.events("notify") if e["app_name"] == "rustlamp"], "Notify")
        time.sleep(0.6)  # the banner slides in
        # Over the banner at once: it unfolds its buttons and stays while the pointer is on it (a
        # screenshot first took long enough, on a busy machine, for the banner to leave).
        desktop.point_at(640, 70)
        box = steady_change(
            desktop.screenshot, before, SHOTS / "gnome-banner-buttons.png", BANNERS, "unfolded banner"
        )
        left, _, right, bottom = box
        # The buttons share the banner's bottom row in the order sent: "Take a break now" first.
        buttons = [label for key, label in last_actions(desktop) if key != "default"]
        assert buttons[0] == "Take a break now", buttons
        desktop.point_at(left + (right - left) // (2 * len(buttons)), bottom - 20)
        desktop.click()
        invoked = wait(lambda: desktop.events("action"), "ActionInvoked from the banner")[0]
        # (GNOME's helper and the shell both send the signal: the same id and key)
        assert {(e["id"], e["key"]) for e in desktop.events("action")} == {(invoked["id"], "break")}
        clicked = next(n for n in rustlamp_notes(desktop) if notification_id(desktop, n) == [invoked["id"]])
        window_child(app, "break_window")
        argv = window_request(app, "break_window")
        assert clicked["body"] in argv, (clicked["body"], argv)
        wait(
            lambda: [w for w in desktop.windows() if w.get("title") == "A moment of rest"], "the break window"
        )
        time.sleep(0.5)
        desktop.screenshot(SHOTS / "gnome-break-from-banner.png")
    finally:
        assert app.stop() == 0


BANNERS = (0, 40, WIDTH, 300)  # where banners come, below the top bar (whose clock changes by itself)


def rustlamp_notes(desktop: Gnome) -> list[dict[str, Any]]:
    return [e for e in desktop.events("notify") if e["app_name"] == "rustlamp"]


def last_actions(desktop: Gnome) -> list[tuple[str, str]]:
    return [(key, label) for key, label in rustlamp_notes(desktop)[-1]["actions"]]


ESCAPE = 0xFF1B  # XK_Escape


def test_a_pip_install_writes_its_entry_and_gnome_shows_the_three_windows_as_rustlamps(
    desktop: Gnome, tmp_path: Path
) -> None:
    """As after `pipx install rustlamp`: no entry with rustlamp's app id anywhere, so GNOME tracks a
    window of it to no app ("window:N", a generic icon, the app id as its name). `rustlamp run` writes
    the user's own entry and lamp into the session's XDG_DATA_HOME; from then on the shell tracks the
    check-in, the week and the settings window to rustlamp (its name and lamp in the top bar), each with
    the keyboard's focus, and Esc closes each of them."""
    packaged = desktop.directory / "share" / "applications" / "nl.rustlamp.Rustlamp.desktop"
    aside = desktop.directory / "packaged.desktop"
    packaged.rename(aside)
    data_home = desktop.home / ".local" / "share"
    try:
        # Without any entry (this app's data home is its own, out of the shell's sight): no app for it.
        app = start_app(desktop, tmp_path / "before", CALM)
        try:
            app.wait_for_output(r"tray: The lamp is in the panel \(StatusNotifierItem\)")
            assert rustlamp(["break"], app.env).returncode == 0
            # (once the shell has noticed the packaged entry is gone, which it may not have yet)
            wait(
                lambda: (titled(desktop, "A moment of rest") or {}).get("app-id", "").startswith("window:"),
                "the break window tracked to no app",
            )
        finally:
            assert app.stop() == 0
        wait(lambda: not titled(desktop, "A moment of rest"), "the break window closing with the lamp")

        app = start_app(desktop, tmp_path / "home", CALM, {"XDG_DATA_HOME": str(data_home)})
        try:
            app.wait_for_output(r"desktop entry: written ")
            assert (data_home / "applications" / "nl.rustlamp.Rustlamp.desktop").is_file()
            item = our_item(desktop, app)
            # a fresh session shows the overview, where a new window gets no focus: Esc leaves it (and is
            # nothing elsewhere)
            desktop.type_key(ESCAPE)
            for which, title in WINDOW_TITLES.items():
                open_window(desktop, app, item, which)
                # first no app, then rustlamp, once the shell has read the new entry (about a second)
                window = wait(
                    lambda t=title: tracked_to_rustlamp(desktop, t), f"the {which} window as rustlamp's"
                )
                assert window["wm-class"] == "nl.rustlamp.Rustlamp", window
                wait(
                    lambda t=title: (titled(desktop, t) or {}).get("has-focus"), f"the {which} window's focus"
                )
                time.sleep(0.5)  # drawn
                desktop.screenshot(SHOTS / f"gnome-{which}-window.png")
                desktop.type_key(ESCAPE)
                wait(lambda t=title: not titled(desktop, t), f"Esc closing the {which} window")
        finally:
            assert app.stop() == 0
        # the entry's own sentence in the log, once
        assert app.output().count("desktop entry: ") == 1
    finally:
        aside.rename(packaged)
        shutil.rmtree(data_home / "applications", ignore_errors=True)
        shutil.rmtree(data_home / "icons", ignore_errors=True)
        shutil.rmtree(data_home / "rustlamp", ignore_errors=True)  # that lamp's journal


def titled(desktop: Gnome, title: str) -> dict[str, Any] | None:
    """The shown window of that title, as the shell lists it."""
    found = [w for w in desktop.windows() if w.get("title") == title and not w["is-hidden"]]
    return found[0] if found else None


def tracked_to_rustlamp(desktop: Gnome, title: str) -> dict[str, Any] | None:
    window = titled(desktop, title)
    return window if window and window["app-id"] == "nl.rustlamp.Rustlamp.desktop" else None
