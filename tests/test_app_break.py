"""A break with the installed app in the real headless desktop with dunst: the window shows the sentence
that was clicked, the clicked reminder leaves the screen, no reminder comes while the break is open, and the
next one is planned from the break's end. Reminders come every 10 s here, so each wait is short; the one
wait that proves an absence is two reminders long."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from app_process import RunningApp, answer_break_window, window_child, window_request
from desktop import DesktopSession, markup_text
from run_cli import rustlamp
from test_app import FAST, REMINDER, reminders, wait_for_new_reminder

from rustlamp.core.content import load_content
from rustlamp.ui.contract import WAIT_FOR_REQUEST

pytestmark = pytest.mark.desktop

MILD = set(load_content("en").after_attempt)


@pytest.fixture
def app(desktop_clean: DesktopSession, tmp_path: Path) -> Iterator[RunningApp]:
    config = tmp_path / "config.toml"
    config.write_text(FAST, encoding="utf-8")
    running = RunningApp(tmp_path, desktop_clean.env, config)
    yield running
    running.stop()


def break_window_argv(app: RunningApp, timeout: float = 15.0) -> list[str]:
    """The arguments the app gave its break window (on its command line, or on stdin to the one started
    ahead while the reminder was on screen)."""
    window_child(app, "break_window", timeout)
    return window_request(app, "break_window", timeout)


def argument(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def closed(desktop: DesktopSession, nid: int, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for n in desktop.notifications():
            if n["id"] == nid and n["closed"] is not None:
                return n
        time.sleep(0.05)
    raise AssertionError(f"notification {nid} is still open: {desktop.notifications()}")


def test_the_break_shows_the_clicked_sentence_and_no_reminder_comes_during_it(
    app: RunningApp, desktop_clean: DesktopSession
) -> None:
    first = wait_for_new_reminder(desktop_clean, 0, app=app)
    assert desktop_clean.click_notification() == "default"
    clicked = desktop_clean.events("action")[-1]["id"]
    sentence = next(markup_text(n["body"]) for n in desktop_clean.notifications() if n["id"] == clicked)
    argv = break_window_argv(app)
    assert argument(argv, "--prompt") == sentence  # the sentence clicked is the sentence of the break
    assert argument(argv, "--attempt-reply") in MILD  # the mild words wait for "Didn't work out this time"
    assert sentence not in MILD
    closed(desktop_clean, first["id"])  # the reminder that was clicked left the screen

    seen = len(reminders(desktop_clean))
    time.sleep(22)  # two reminders' worth with the window open: none may come
    assert len(reminders(desktop_clean)) == seen, desktop_clean.notifications()
    assert "let go: a break is open" in app.output() or "next wake: none" in app.output()

    answer_break_window(desktop_clean.env, REMINDER)
    app.wait_for_output(r"break outcome: done")
    ended = datetime.now().astimezone()
    wait_for_new_reminder(desktop_clean, seen, timeout=20, app=app)
    came = datetime.now().astimezone()
    assert timedelta(seconds=8) <= came - ended <= timedelta(seconds=15)  # planned from the break's end


def test_a_break_from_the_command_line_keeps_the_reminders_away_and_a_newer_reminder_replaces_the_old(
    app: RunningApp, desktop_clean: DesktopSession
) -> None:
    first = wait_for_new_reminder(desktop_clean, 0, app=app)
    second = wait_for_new_reminder(desktop_clean, 1, timeout=20, app=app)  # nobody answered the first
    assert closed(desktop_clean, first["id"])["closed"] == 3  # withdrawn by rustlamp (CloseNotification)
    result = rustlamp(["break"], app.env)
    assert result.stdout == "Your break is ready for you.\n"
    argv = break_window_argv(app)
    assert argument(argv, "--prompt") == markup_text(second["body"])  # the one on screen
    closed(desktop_clean, second["id"])
    seen = len(reminders(desktop_clean))
    time.sleep(22)
    assert len(reminders(desktop_clean)) == seen
    answer_break_window(desktop_clean.env, REMINDER, key="Escape")  # Esc: the Later choices
    answer_break_window(desktop_clean.env, REMINDER, key="Escape")  # twice: the first one, 20 s
    app.wait_for_output(r"break outcome: later")
    plan = rustlamp(["plan"], app.env).stdout.splitlines()
    assert plan[0] == "What rustlamp has planned:"
    assert plan[1].endswith("reminder (snoozed)")


def gone(pid: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.05)
    return False


def test_the_break_window_waits_ready_while_a_reminder_is_on_screen_and_is_the_one_a_click_opens(
    app: RunningApp, desktop_clean: DesktopSession
) -> None:
    """A reminder readies the break window (started ahead, Qt up, waiting for its request); the click
    opens that very process; a reminder answered otherwise lets its window go, and so does quitting."""
    first = wait_for_new_reminder(desktop_clean, 0, app=app)
    waiting, argv = window_child(app, "break_window")
    assert argv[-1] == WAIT_FOR_REQUEST, argv
    assert desktop_clean.click_notification() == "default"
    app.wait_for_output(r"the break_window \(the one started ahead\) is asked for")
    assert window_child(app, "break_window")[0] == waiting
    answer_break_window(desktop_clean.env, REMINDER)
    app.wait_for_output(r"break outcome: done")
    assert gone(waiting)
    closed(desktop_clean, first["id"])

    wait_for_new_reminder(desktop_clean, len(reminders(desktop_clean)), timeout=30, app=app)
    readied, _ = window_child(app, "break_window")
    assert rustlamp(["snooze", "10 sec"], app.env).returncode == 0
    assert gone(readied), "a reminder answered by Later lets its readied window go"

    wait_for_new_reminder(desktop_clean, len(reminders(desktop_clean)), timeout=30, app=app)
    last, _ = window_child(app, "break_window")
    assert app.stop() == 0
    assert gone(last), "quitting lets the readied window go"
