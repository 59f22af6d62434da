"""The installed `rustlamp run`, driven as a person would, in the real headless desktop.

Reminders here come every 10 s (the shortest allowed) all day, so real notifications arrive within
seconds; the waits below wait for real events, with generous limits, and never sleep to pass time.
"""

from __future__ import annotations

import glob
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_process import RunningApp, answer_break_window
from desktop import DesktopSession, bare_bus, markup_text

from rustlamp.core.content import load_content

pytestmark = pytest.mark.desktop

FAST = """language = "en"
[reminders]
every = "10s"
start = "00:00"
end = "00:00"
days = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
snooze = ["20s", "1h"]
[break]
length = "1m"
[idle]
natural_breaks = false  # nobody touches the test desktop: with natural breaks on, reminders would wait
"""
REMINDER = "A moment of rest"
PROMPTS_EN = set(load_content("en").prompts)

Start = Callable[..., RunningApp]


@pytest.fixture
def start_app(desktop_clean: DesktopSession, tmp_path: Path) -> Iterator[Start]:
    started: list[RunningApp] = []

    def start(config_text: str | None = FAST, **extra_env: str) -> RunningApp:
        home = tmp_path / f"home{len(started)}"
        home.mkdir()
        config = None
        if config_text is not None:
            config = home / "config.toml"
            config.write_text(config_text, encoding="utf-8")
        app = RunningApp(home, desktop_clean.env, config, extra_env)
        started.append(app)
        return app

    yield start
    for app in started:
        app.stop()


def is_reminder(n: dict[str, Any]) -> bool:
    return bool(n["summary"] == REMINDER)


def reminders(desktop: DesktopSession) -> list[dict[str, Any]]:
    return [n for n in desktop.notifications() if is_reminder(n)]


def wait_for_new_reminder(
    desktop: DesktopSession, seen: int, timeout: float = 25.0, app: RunningApp | None = None
) -> dict[str, Any]:
    """Reminder number `seen + 1` once dunst has given it an id (the recorder sees the call before the
    answer; a test that waits for its closing needs the id)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = reminders(desktop)
        if len(found) > seen and found[seen]["id"] is not None:  # dunst has answered with its id
            return found[seen]
        time.sleep(0.05)
    told = f"\nrustlamp's log:\n{app.output()}" if app is not None else ""
    raise AssertionError(f"no reminder number {seen + 1} within {timeout} s: {desktop.notifications()}{told}")


def test_a_reminder_arrives_with_its_buttons_and_stops_cleanly(
    start_app: Start, desktop_clean: DesktopSession
) -> None:
    app = start_app()
    app.wait_for_output("notifications: Notifications go to dunst")
    note = desktop_clean.wait_for_notification(is_reminder, timeout=20)
    assert note["app_name"] == "rustlamp"
    assert markup_text(note["body"]) in PROMPTS_EN
    labels = dict(note["actions"])
    assert labels["break"] == "Take a break now"
    assert labels["snooze:20s"] == "Later (20 sec)"
    assert app.stop() == 0
    assert "rustlamp stopped" in app.output()
    # the log names moments of rest: the person's business only
    assert app.log_file.stat().st_mode & 0o777 == 0o600
    assert "reminder shown" in app.log_file.read_text(encoding="utf-8")


def test_later_really_postpones_the_next_reminder(start_app: Start, desktop_clean: DesktopSession) -> None:
    app = start_app()
    wait_for_new_reminder(desktop_clean, 0)
    pressed_at = datetime.now().astimezone()
    assert desktop_clean.press_action("Later") == "snooze:20s"
    match = app.wait_for_output(r"snoozed \(notification\) until (\S+)")
    until = datetime.fromisoformat(match.group(1))
    assert timedelta(seconds=18) <= until - pressed_at <= timedelta(seconds=22)
    # without the snooze the next one would come 10 s after the first; now it waits for the snooze
    wait_for_new_reminder(desktop_clean, 1, timeout=35)
    assert datetime.now().astimezone() >= until - timedelta(seconds=1)


def test_clicking_the_reminder_opens_the_break_window_and_done_restarts_the_clock(
    start_app: Start, desktop_clean: DesktopSession
) -> None:
    app = start_app()
    wait_for_new_reminder(desktop_clean, 0)
    offset = len(app.output())
    desktop_clean.click_notification()
    app.wait_for_output(r"break requested \(notification\)", after=offset)
    answer_break_window(desktop_clean.env, "A moment of rest")
    app.wait_for_output(r"break outcome: done", after=offset)
    done_at = datetime.now().astimezone()
    match = app.wait_for_output(r"break outcome: done.*\n.*next reminder: (\S+);", after=offset)
    assert abs(datetime.fromisoformat(match.group(1)) - (done_at + timedelta(seconds=10))) < timedelta(
        seconds=2
    )


def test_a_broken_file_at_start_is_told_once_and_defaults_keep_running(
    start_app: Start, desktop_clean: DesktopSession
) -> None:
    broken = 'language = "en"\n[reminders]\nevery = "banana"\nstart = "9am"\n'
    app = start_app(broken)
    note = desktop_clean.wait_for_notification(
        lambda n: n["summary"] == "Something in your settings is not right"
    )
    config = app.home / "config.toml"
    body = markup_text(note["body"])
    # named as the settings window names it, without the file's path or key
    assert "How often: 'banana' is not a duration" in body
    assert str(config) not in body and "reminders.every" not in body and "`" not in body
    assert "(and 1 more)" in body
    assert "the built-in defaults" in body
    # still running, on the defaults: the next reminder is 45 minutes away
    match = app.wait_for_output(r"next reminder: (\S+);")
    assert app.proc.poll() is None
    assert datetime.fromisoformat(match.group(1)) > datetime.now().astimezone() + timedelta(minutes=40)
    assert config.read_text(encoding="utf-8") == broken  # never rewritten
    assert app.stop() == 0
    told = [n for n in desktop_clean.notifications() if "in your settings" in n["summary"]]
    assert len(told) == 1


def test_a_file_broken_while_running_keeps_the_last_good_settings(
    start_app: Start, desktop_clean: DesktopSession
) -> None:
    app = start_app()
    wait_for_new_reminder(desktop_clean, 0)
    config = app.home / "config.toml"
    broken = FAST.replace('every = "10s"', 'every = "10s')
    config.write_text(broken, encoding="utf-8")
    app.signal(signal.SIGHUP)
    note = desktop_clean.wait_for_notification(
        lambda n: n["summary"] == "Something in your settings is not right"
    )
    assert "not valid TOML" in markup_text(note["body"])
    assert "your previous settings" in markup_text(note["body"])
    # the 10 s reminders go on: the last good settings are still in force
    seen = len(reminders(desktop_clean))
    wait_for_new_reminder(desktop_clean, seen, timeout=25)
    assert app.proc.poll() is None
    assert config.read_text(encoding="utf-8") == broken


def test_without_a_notification_service_it_says_so_and_finds_one_that_starts_later(
    start_app: Start, desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    with bare_bus() as address:
        app = start_app(DBUS_SESSION_BUS_ADDRESS=address)
        app.wait_for_output(r"(?i)no notification service answered.*start a notification daemon")
        app.wait_for_output(r"reminder shown")
        assert app.proc.poll() is None
        # the desktop's daemon comes up late (as at login): the next reminder finds it, without polling
        env = {**desktop_clean.env, "DBUS_SESSION_BUS_ADDRESS": address}
        late = subprocess.Popen(
            ["dunst", "-config", "/dev/null"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            app.wait_for_output(r"notifications: Notifications go to dunst", timeout=25)
        finally:
            late.terminate()
            late.wait()
        assert app.stop() == 0


def _libfaketime() -> str:
    found = glob.glob("/usr/lib/*/faketime/libfaketime.so.1")
    if not found:
        pytest.fail(
            "libfaketime is missing: apt-get install libfaketime (tests/setup/debian-packages.sh does)"
        )
    return found[0]


def test_waking_from_a_long_sleep_counts_as_rest_and_brings_no_burst(
    start_app: Start, desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    # libfaketime moves the process's wall clock while its monotonic clock keeps going, as a suspend does
    offset_file = tmp_path / "faketime"
    offset_file.write_text("+0", encoding="utf-8")
    app = start_app(
        LD_PRELOAD=_libfaketime(),
        FAKETIME_TIMESTAMP_FILE=str(offset_file),
        FAKETIME_DONT_FAKE_MONOTONIC="1",
        FAKETIME_NO_CACHE="1",
        # no X: the XEmbed tray's and the X watchers' threads under libfaketime crashed the process (SIGSEGV
        # in one full run in three); this test is about the clock, and notifications need only D-Bus
        DISPLAY="",
    )
    # the first reminder comes `every` after the app is up; wait for that, so a slow start on a busy
    # machine is not taken for a missing reminder (the log is in the message when it fails)
    app.wait_for_output(r"next reminder: ", timeout=30)
    wait_for_new_reminder(desktop_clean, 0, app=app)
    before_sleep = len(reminders(desktop_clean))
    mark = len(app.output())
    # atomically: libfaketime rereads the file on every clock call and must never see it half written
    staged = tmp_path / "faketime.next"
    staged.write_text("+3h", encoding="utf-8")
    staged.replace(offset_file)
    app.wait_for_output(r"woke: the wall clock moved 3:00:\d\d.* counted as rest", after=mark, timeout=20)
    woke_at = time.monotonic()
    # three hours of missed reminders are not replayed: the next one comes `every` after waking
    wait_for_new_reminder(desktop_clean, before_sleep, timeout=25, app=app)
    assert time.monotonic() - woke_at >= 9
    assert len(reminders(desktop_clean)) == before_sleep + 1
