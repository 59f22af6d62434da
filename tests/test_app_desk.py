"""The installed `rustlamp run` knows the desk: real idle time on the test desktop's X server (xdotool
input), and a locked screen told by a logind stand-in on a private system bus; reminders go to dunst."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from app_process import QUIET_ALL_DAY, RunningApp
from bus_standins import logind
from desktop import DesktopSession, bare_bus
from run_cli import rustlamp

pytestmark = pytest.mark.desktop

REMINDER_TITLE = "A moment of rest"


def exported(app: RunningApp) -> list[dict[str, Any]]:
    result = rustlamp(["journal", "export", "--format", "json"], app.env)
    assert result.returncode == 0, result.stderr
    entries: list[dict[str, Any]] = json.loads(result.stdout)
    return entries


def test_time_away_from_the_desk_counts_as_a_natural_break(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(QUIET_ALL_DAY + '[idle]\nnatural_break_after = "10s"\n', encoding="utf-8")
    app = RunningApp(tmp_path, desktop_clean.env, config)
    try:
        app.wait_for_output(r"natural breaks: idle time from")
        desktop_clean.run(["xdotool", "mousemove", "10", "10"])  # at the desk: the idle time starts now
        app.wait_for_output(r"desk: idle \(x11-sync, idle 0:00:10\)", timeout=30)
        desktop_clean.run(["xdotool", "mousemove", "200", "200"])  # back
        app.wait_for_output(r"natural break: idle for 0:00:1\d")
        [entry] = [e for e in exported(app) if e["kind"] == "break"]
        assert entry["detail"]["outcome"] == "natural" and entry["detail"]["how"] == "idle"
    finally:
        app.stop()


def test_a_reminder_due_while_the_screen_is_locked_comes_once_after_unlocking(
    desktop_clean: DesktopSession, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    # a reminder every 10 s; natural breaks off, so only the lock holds it (nobody touches the test desktop)
    config.write_text(
        QUIET_ALL_DAY.replace('every = "45m"', 'every = "10s"') + "[idle]\nnatural_breaks = false\n",
        encoding="utf-8",
    )

    async def scenario() -> None:
        with bare_bus() as system_bus:
            async with logind(system_bus, pid_known=False) as service:
                app = RunningApp(tmp_path, desktop_clean.env, config, {"DBUS_SYSTEM_BUS_ADDRESS": system_bus})
                try:
                    await asyncio.to_thread(app.wait_for_output, r"desk watchers: .*logind")
                    service.set_locked(True)
                    await asyncio.to_thread(app.wait_for_output, r"desk: lock \(logind\)")
                    held = await asyncio.to_thread(app.wait_for_output, r"reminder held \(locked\)", 30)
                    await asyncio.to_thread(app.wait_for_output, r"reminder held \(locked\)", 30, held.end())
                    assert not [n for n in desktop_clean.notifications() if n["summary"] == REMINDER_TITLE]
                    service.set_locked(False)
                    await asyncio.to_thread(app.wait_for_output, r"the held reminder comes now")
                    shown = await asyncio.to_thread(
                        desktop_clean.wait_for_notification, lambda n: n["summary"] == REMINDER_TITLE
                    )
                    assert shown["body"]
                finally:
                    await asyncio.to_thread(app.stop)
        reminders = [n for n in desktop_clean.notifications() if n["summary"] == REMINDER_TITLE]
        assert len(reminders) in (1, 2)  # the held one; perhaps the next, `every` later, before stopping
        log = app.output()
        assert log.count("the held reminder comes now") == 1  # two were held: one came, never a burst

    asyncio.run(scenario())
