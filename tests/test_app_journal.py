"""The installed `rustlamp run` keeps its journal: check-ins from the real window, break outcomes, and the
week window, all in the test desktop, checked through `rustlamp journal export` as a person would."""

from __future__ import annotations

import json
import signal
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_process import QUIET_ALL_DAY, RunningApp, answer_break_window, window_child
from atspi import Accessibility
from desktop import DesktopSession
from run_cli import rustlamp

from rustlamp.system.control import send

pytestmark = pytest.mark.desktop

CHECKIN_TITLE = "A short check-in"


def start(desktop: DesktopSession, home: Path, extra: str = "") -> RunningApp:
    config = home / "config.toml"
    config.write_text(QUIET_ALL_DAY + extra, encoding="utf-8")
    app = RunningApp(home, desktop.env, config)
    app.wait_for_output(r"next reminder: ")
    return app


@pytest.fixture
def app(desktop_clean: DesktopSession, tmp_path: Path) -> Iterator[RunningApp]:
    running = start(desktop_clean, tmp_path)
    yield running
    running.stop()


def exported(app: RunningApp) -> list[dict[str, Any]]:
    result = rustlamp(["journal", "export", "--format", "json"], app.env)
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def journal_file(app: RunningApp) -> Path:
    return Path(app.env["XDG_DATA_HOME"]) / "rustlamp" / "journal.sqlite3"


def keys(desktop: DesktopSession, title: str, *pressed: str) -> None:
    """Find the window the app opened, give it the focus, and type as a person would."""
    found = desktop.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{title}$"])
    window = found.stdout.split()[0]
    desktop.run(["xdotool", "windowfocus", "--sync", window])
    desktop.run(["xdotool", "key", "--delay", "60", *pressed])


def fill_in_tired_and_hurried(desktop: DesktopSession, need: str) -> None:
    # the focus starts on the first body choice; arrows move within a question, Tab to the next one
    # (see the window's own tests): tired, past the signals, hurried, the need's line
    keys(desktop, CHECKIN_TITLE, "Right", "space", "Tab", "Tab", "Right", "space", "Tab")
    desktop.run(["xdotool", "type", "--delay", "30", need])
    desktop.run(["xdotool", "key", "Return"])


def test_a_check_in_from_the_command_line_goes_into_the_journal_and_leans_the_next_prompt(
    desktop_clean: DesktopSession, app: RunningApp
) -> None:
    result = rustlamp(["check-in"], app.env)
    assert result.returncode == 0, result.stderr
    fill_in_tired_and_hurried(desktop_clean, "tea, no screen")
    app.wait_for_output(r"check-in kept; the next prompt leans to breath")
    [entry] = exported(app)
    assert entry["kind"] == "checkin"
    assert entry["detail"] == {
        "body": "tired",
        "signals": [],
        "breath": "hurried",
        "need": "tea, no screen",
        "note": "",
    }
    path = journal_file(app)
    for kept in (path, path.with_name(path.name + "-wal")):
        assert stat.S_IMODE(kept.stat().st_mode) == 0o600, kept
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    status = json.loads(rustlamp(["status", "--json"], app.env).stdout)
    assert status["journal"] == str(path)


def test_a_break_and_the_check_in_it_offers_are_both_kept(
    desktop_clean: DesktopSession, app: RunningApp
) -> None:
    assert rustlamp(["break"], app.env).returncode == 0
    # Done, Later, Didn't work out this time, then the quiet "Check in…"
    answer_break_window(desktop_clean.env, "A moment of rest", "Tab")
    keys(desktop_clean, "A moment of rest", "Tab", "Tab", "space")
    app.wait_for_output(r"break outcome: done \(button\)")
    keys(desktop_clean, CHECKIN_TITLE, "Return")  # an empty check-in counts too
    app.wait_for_output(r"check-in kept")
    kinds = [(e["kind"], e["detail"].get("outcome")) for e in exported(app)]
    assert kinds == [("break", "done"), ("checkin", None)]


def test_a_second_check_in_brings_the_open_one_forward_and_a_cancel_keeps_nothing(
    desktop_clean: DesktopSession, app: RunningApp
) -> None:
    rustlamp(["check-in"], app.env)
    desktop_clean.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", f"^{CHECKIN_TITLE}$"])
    rustlamp(["check-in"], app.env)
    found = desktop_clean.run(["xdotool", "search", "--onlyvisible", "--name", f"^{CHECKIN_TITLE}$"])
    assert len(found.stdout.split()) == 1  # never two
    keys(desktop_clean, CHECKIN_TITLE, "Escape")
    app.wait_for_output(r"check-in: cancelled, nothing kept")
    assert exported(app) == []


def test_a_committed_check_in_survives_kill_9(desktop_clean: DesktopSession, app: RunningApp) -> None:
    rustlamp(["check-in"], app.env)
    fill_in_tired_and_hurried(desktop_clean, "a few minutes alone")
    app.wait_for_output(r"check-in kept")
    app.signal(signal.SIGKILL)
    app.proc.wait(10)
    assert [e["detail"]["need"] for e in exported(app)] == ["a few minutes alone"]


def test_with_the_journal_off_nothing_is_kept_at_all(desktop_clean: DesktopSession, tmp_path: Path) -> None:
    app = start(desktop_clean, tmp_path, "[journal]\nenabled = false\n")
    try:
        rustlamp(["check-in"], app.env)
        keys(desktop_clean, CHECKIN_TITLE, "Return")
        app.wait_for_output(r"check-in kept")  # it still counts as a rest moment for the lamp
        rustlamp(["pause", "30m"], app.env)
        status = json.loads(rustlamp(["status", "--json"], app.env).stdout)
        assert status["journal"] is None
    finally:
        app.stop()
    assert not (tmp_path / "data" / "rustlamp").exists()


def test_an_unreadable_journal_is_moved_aside_and_the_person_told(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    folder = tmp_path / "data" / "rustlamp"
    folder.mkdir(parents=True)
    (folder / "journal.sqlite3").write_text("my own notes, not a database\n" * 40)
    app = start(desktop_clean, tmp_path)
    try:
        shown = desktop_clean.wait_for_notification(lambda n: n["summary"] == "About your journal")
        assert "Nothing was thrown away" in shown["body"]
        assert "is not a database" not in shown["body"] and str(folder) not in shown["body"]  # for the log
        app.wait_for_output(r"journal: .*is not a database")
        rustlamp(["pause", "30m"], app.env)
        assert [e["kind"] for e in exported(app)] == ["pause"]
    finally:
        app.stop()
    [moved] = folder.glob("journal.sqlite3.unreadable-*")
    assert moved.read_text().startswith("my own notes")


def test_the_week_window_opens_from_the_menu_key_and_a_screen_reader_reads_the_day(
    desktop_clean: DesktopSession, app: RunningApp, a11y: Accessibility
) -> None:
    assert rustlamp(["break"], app.env).returncode == 0
    answer_break_window(desktop_clean.env, "A moment of rest", "Return")
    app.wait_for_output(r"break outcome: done")
    # the key the tray menu's "This week…" sends, over the command line's channel
    reply = send("week", Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp")
    assert reply is not None and reply["ok"]
    pid, _ = window_child(app, "week_window")
    seen = a11y.window(pid, timeout=30)
    seen.wait_for("list", "Day by day")
    today = seen.names("list item")[-1]  # the week's last day is today, with the break just done
    assert today.endswith(", today: 1 rest moment"), today
    keys(desktop_clean, "This week", "Escape")
    app.wait_for_output(r"this week asked for")
