"""The test desktop itself: notifications are recorded as sent, and buttons can really be pressed."""

from __future__ import annotations

import os
import subprocess

import pytest
from desktop import DesktopSession, markup_text

pytestmark = pytest.mark.desktop


def _wait_send(desktop: DesktopSession, *args: str) -> subprocess.Popen[str]:
    """notify-send --wait in the background: it prints the key of the action that was invoked."""
    return subprocess.Popen(
        ["notify-send", "--wait", *args], env=desktop.env, stdout=subprocess.PIPE, text=True
    )


def test_notify_send_is_recorded_as_sent(desktop_clean: DesktopSession) -> None:
    desktop_clean.run(
        ["notify-send", "--app-name=harness", "Tea & <b>cake</b>", 'body <i>as sent</i>\n"second" line']
    )
    n = desktop_clean.wait_for_notification(lambda n: n["app_name"] == "harness")
    assert n["summary"] == "Tea & <b>cake</b>"
    assert n["body"] == 'body <i>as sent</i>\n"second" line'  # newlines and quotes survive exactly
    assert n["actions"] == []
    assert n["hints"]["urgency"] == 1
    assert desktop_clean.displayed_count() == 1


def test_action_arrives_and_press_action_presses_it(desktop_clean: DesktopSession) -> None:
    sender = _wait_send(
        desktop_clean, "--action=later=Remind me later", "--action=rest=Rest now", "Break", "Stand up"
    )
    try:
        n = desktop_clean.wait_for_notification(lambda n: n["summary"] == "Break")
        assert n["body"] == "Stand up"
        assert n["actions"] == [("later", "Remind me later"), ("rest", "Rest now")]
        assert desktop_clean.press_action("Rest") == "rest"
        out, _ = sender.communicate(timeout=10)
    finally:
        sender.kill()  # by PID, in case the press never happened
        sender.wait()
    assert out.strip() == "rest"


def test_press_action_picks_the_newest_notification(desktop_clean: DesktopSession) -> None:
    first = _wait_send(desktop_clean, "--action=ok=OK", "first", "")
    desktop_clean.wait_for_notification(lambda n: n["summary"] == "first")
    second = _wait_send(desktop_clean, "--action=ok=OK", "second", "")
    try:
        desktop_clean.wait_for_notification(lambda n: n["summary"] == "second")
        desktop_clean.press_action("OK")
        out, _ = second.communicate(timeout=10)
        assert out.strip() == "ok"
        assert first.poll() is None  # the older one is still waiting
    finally:
        for sender in (first, second):
            sender.kill()
            sender.wait()


def test_click_notification_is_the_default_action(desktop_clean: DesktopSession) -> None:
    sender = _wait_send(desktop_clean, "--action=default=Open", "--action=x=Other", "Click me", "")
    try:
        desktop_clean.wait_for_notification(lambda n: n["summary"] == "Click me")
        assert desktop_clean.click_notification() == "default"
        out, _ = sender.communicate(timeout=10)
    finally:
        sender.kill()
        sender.wait()
    assert out.strip() == "default"


def test_history_and_markup(desktop_clean: DesktopSession) -> None:
    desktop_clean.run(["notify-send", "Marked", "<b>bold</b> &amp; plain"])
    desktop_clean.wait_for_notification(lambda n: n["summary"] == "Marked")
    desktop_clean.close_all()
    newest = desktop_clean.history()[0]
    assert newest["summary"] == "Marked"
    assert newest["body"] == "<b>bold</b> &amp; plain"
    assert markup_text(newest["message"]) == "Marked\nbold & plain"  # dunst interprets body markup


def test_env_is_private(desktop: DesktopSession) -> None:
    env = desktop.env
    assert env["DBUS_SESSION_BUS_ADDRESS"] == desktop.bus_address
    assert env["DBUS_SESSION_BUS_ADDRESS"] != os.environ.get("DBUS_SESSION_BUS_ADDRESS")
    assert str(desktop.tmp) in env["DBUS_SESSION_BUS_ADDRESS"]
    assert env["DISPLAY"] == desktop.display != os.environ.get("DISPLAY")
    assert env["NO_AT_BRIDGE"] == "1"
    for name in ("XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        assert env[name].startswith(str(desktop.tmp) + os.sep)
    assert os.stat(env["XDG_RUNTIME_DIR"]).st_mode & 0o777 == 0o700
    # The X server answers on that display, and the tray host is up.
    assert "1280x800" in desktop.run(["xdotool", "getdisplaygeometry"]).stdout.replace(" ", "x")
    desktop.run(["xdotool", "search", "--onlyvisible", "--name", "^panel$"])


def test_screenshot(desktop: DesktopSession) -> None:
    shot = desktop.screenshot(desktop.tmp / "screen.png")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_stop_leaves_nothing_behind() -> None:
    session = DesktopSession()
    with session:
        pids = session.pids
        tmp = session.tmp
        assert len(pids) == 5  # Xvfb, dbus-daemon, recorder, dunst, trayer
        assert all(os.path.exists(f"/proc/{pid}") for pid in pids)
    for pid in pids:
        # Popen.wait() reaped them, so the PIDs are gone rather than zombies.
        assert not os.path.exists(f"/proc/{pid}"), f"process {pid} outlived stop()"
    assert not tmp.exists()
    session.stop()  # a second stop is harmless
