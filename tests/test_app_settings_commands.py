"""`rustlamp reload` and `rustlamp autostart`, against the installed app in a private home."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from app_process import QUIET_ALL_DAY, RunningApp
from desktop import DesktopSession
from run_cli import private_env, rustlamp

from rustlamp.system.control import send

pytestmark = pytest.mark.desktop


def status(app: RunningApp) -> dict[str, Any]:
    result = rustlamp(["status", "--json"], app.env)
    assert result.returncode == 0, result.stderr
    reply: dict[str, Any] = json.loads(result.stdout)
    return reply


def test_reload_reads_the_file_again_and_a_broken_one_keeps_the_settings_it_had(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    app = RunningApp(tmp_path, desktop_clean.env, config)
    try:
        app.wait_for_output(r"next reminder: ")
        before = status(app)["next_reminder"]
        config.write_text(QUIET_ALL_DAY.replace('every = "45m"', 'every = "20m"'), encoding="utf-8")
        result = rustlamp(["reload", "--config", str(config)], app.env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "The settings have been read again."
        after = status(app)["next_reminder"]
        assert after < before  # 20 minutes after the start instead of 45

        config.write_text(QUIET_ALL_DAY.replace('every = "45m"', 'every = "banana"'), encoding="utf-8")
        result = rustlamp(["reload"], app.env)
        assert result.returncode == 1
        assert f"{config}:3: reminders.every: 'banana' is not a duration" in result.stderr
        assert "keeps the settings it had" in result.stderr
        assert status(app)["next_reminder"] == after  # still the last good settings
        assert app.proc.poll() is None
    finally:
        app.stop()


def test_reload_with_nothing_running_says_so(tmp_path: Path) -> None:
    result = rustlamp(["reload"], private_env(tmp_path))
    assert result.returncode == 1
    assert "rustlamp is not running" in result.stderr


def test_autostart_on_off_from_the_command_line_and_the_menu(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    env = private_env(tmp_path)
    entry = tmp_path / "config" / "autostart" / "rustlamp.desktop"
    assert rustlamp(["autostart", "status"], env).stdout.strip() == "Start at login is off."
    assert not entry.exists()  # looking writes nothing
    result = rustlamp(["autostart", "on"], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "rustlamp will now start by itself when you log in.\n"  # no path in it
    assert "X-Rustlamp-Autostart=true" in entry.read_text(encoding="utf-8")
    assert rustlamp(["autostart", "status"], env).stdout.strip() == "Start at login is on."

    config = tmp_path / "config.toml"
    config.write_text(QUIET_ALL_DAY, encoding="utf-8")
    app = RunningApp(tmp_path, desktop_clean.env, config)
    try:
        app.wait_for_output(r"next reminder: ")
        reply = send("autostart", Path(app.env["XDG_RUNTIME_DIR"]) / "rustlamp")  # the menu item's key
        assert reply is not None and reply["ok"]
        app.wait_for_output(r"start at login: .*removed")
        assert not entry.exists()
    finally:
        app.stop()


def test_autostart_refuses_what_it_does_not_know(tmp_path: Path) -> None:
    result = rustlamp(["autostart", "maybe"], private_env(tmp_path))
    assert result.returncode == 2
    assert "'maybe' does not fit here; you can choose from 'on', 'off', 'status'" in result.stderr
