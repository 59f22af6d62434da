"""The logind watcher against a stand-in logind (tests/bus_standins.py) on a private dbus-daemon that plays
the system bus: real connections, real match rules, the real names, paths and signatures; no mocks.

A signal that must change nothing is followed by one that must change something, from the same
connection: signals arrive in the order they were sent, so the full list of events shows both.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from bus_standins import (
    LOGIND,
    MANAGER_PATH,
    SESSION_PATH,
    Events,
    LogindSession,
    logind,
    send_signal,
)
from dbus_fast import Variant
from desktop import bare_bus

from rustlamp.desk.logind import LogindWatcher
from rustlamp.desk.power_select import choose_power_watchers

T = TypeVar("T")
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def system_bus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A private bus in the system bus's role. The real system bus is out of reach (a watcher that
    ignored its address would fail), and no session id leaks in from the environment."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-system-bus")
    monkeypatch.delenv("XDG_SESSION_ID", raising=False)
    with bare_bus() as address:
        yield address


@asynccontextmanager
async def started(address: str | None, events: Events) -> AsyncIterator[LogindWatcher]:
    watcher = LogindWatcher(address)
    try:
        problem = await watcher.start(events)
        assert problem is None, problem
        yield watcher
    finally:
        await watcher.close()


def test_sleep_and_wake_follow_prepare_for_sleep_only_on_change(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with logind(system_bus) as service, started(system_bus, events):
            for start in (True, True, False, False, True):
                service.manager.PrepareForSleep(start)
            assert await events.wait(3) == ["sleep", "wake", "sleep"]
            assert {e.source for e in events.seen} == {"logind"}

    run(scenario())


def test_locked_hint_gives_lock_and_unlock_only_on_change(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with logind(system_bus) as service, started(system_bus, events) as watcher:
            assert watcher.session_path == SESSION_PATH
            assert watcher.lock_via == "LockedHint"
            assert watcher.note is None
            assert events.seen == []  # unlocked at start: nothing to say
            session = service.session
            assert isinstance(session, LogindSession)
            session.announce_locked(True)
            session.announce_locked(True)
            session.announce_locked(False)
            session.announce_locked(False)
            session.emit_properties_changed({"IdleHint": True})  # another property: nothing
            session.Lock()  # a request to the locker; LockedHint is what counts here
            session.Unlock()
            session.Lock()
            session.SetLockedHint(True)  # as a locker does: PropertiesChanged with the new value
            assert await events.wait(3) == ["lock", "unlock", "lock"]
            assert [e.source for e in events.seen] == ["logind"] * 3
        # found by our process, the first way tried
        assert [(member, args) for _sender, member, args in service.calls][:1] == [
            ("GetSessionByPID", [os.getpid()])
        ]
        assert not [m for _s, m, _a in service.calls if m in ("GetSession", "GetUser")]

    run(scenario())


def test_lock_and_unlock_signals_count_where_logind_has_no_locked_hint(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with logind(system_bus, locked_hint=False) as service, started(system_bus, events) as watcher:
            assert watcher.lock_via == "Lock/Unlock signals"
            session = service.session
            for signal in (session.Lock, session.Lock, session.Unlock, session.Unlock, session.Lock):
                signal()
            assert await events.wait(3) == ["lock", "unlock", "lock"]

    run(scenario())


def test_a_screen_locked_at_start_is_told_at_once(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with logind(system_bus, locked=True) as service, started(system_bus, events):
            assert events.kinds() == ["lock"]  # during start()
            service.set_locked(False)
            assert await events.wait(2) == ["lock", "unlock"]

    run(scenario())


def test_the_session_comes_from_xdg_session_id_when_the_pid_has_none(
    system_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_SESSION_ID", "1")

    async def scenario() -> None:
        events = Events()
        async with (
            logind(system_bus, pid_known=False, user_display=False) as service,
            started(system_bus, events) as watcher,
        ):
            assert watcher.session_path == SESSION_PATH
            service.set_locked(True)
            assert await events.wait(1) == ["lock"]
        members = [(member, args) for _sender, member, args in service.calls if member.startswith("Get")]
        assert members[:2] == [("GetSessionByPID", [os.getpid()]), ("GetSession", ["1"])]
        assert "GetUser" not in [m for m, _a in members]

    run(scenario())


def test_the_session_comes_from_the_users_display_as_a_last_resort(system_bus: str) -> None:
    """A program started as a systemd user unit (GNOME and KDE autostart) is in no session, and often
    has no XDG_SESSION_ID either: the user's graphical session is the one that locks."""

    async def scenario() -> None:
        events = Events()
        async with (
            logind(system_bus, pid_known=False, session_ids=frozenset()) as service,
            started(system_bus, events) as watcher,
        ):
            assert watcher.session_path == SESSION_PATH
            service.set_locked(True)
            assert await events.wait(1) == ["lock"]
        assert ("GetUser", [os.getuid()]) in [(m, a) for _s, m, a in service.calls]

    run(scenario())


def test_without_a_session_sleep_is_still_followed(system_bus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_SESSION_ID", "7")  # a session logind does not know

    async def scenario() -> None:
        events = Events()
        async with (
            logind(system_bus, pid_known=False, session_ids=frozenset(), user_display=False) as service,
            started(system_bus, events) as watcher,
        ):
            assert watcher.session_path is None
            assert watcher.note is not None and "no login session" in watcher.note
            assert "NoSessionForPID" in watcher.note and "NoSuchSession" in watcher.note
            service.set_locked(True)  # our session is unknown: not ours to report
            service.manager.PrepareForSleep(True)
            assert await events.wait(1) == ["sleep"]

    run(scenario())


def test_logind_missing_from_the_bus_is_a_reason_not_an_error(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        watcher = LogindWatcher(system_bus)
        problem = await watcher.start(events)
        assert problem is not None and LOGIND in problem and "not on the system bus" in problem
        await watcher.close()
        await watcher.close()  # safe twice
        assert events.seen == []

    run(scenario())


def test_an_unreachable_system_bus_is_a_reason_not_an_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        watcher = LogindWatcher(f"unix:path={tmp_path}/nothing-here")
        problem = await watcher.start(Events())
        assert problem is not None and "system bus could not be reached" in problem
        await watcher.close()

    run(scenario())


def test_the_system_bus_address_comes_from_the_environment(
    system_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dbus-fast honours DBUS_SYSTEM_BUS_ADDRESS for BusType.SYSTEM; the watcher leaves it to it."""
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system_bus)

    async def scenario() -> None:
        events = Events()
        async with logind(system_bus) as service, started(None, events):
            service.manager.PrepareForSleep(True)
            assert await events.wait(1) == ["sleep"]

    run(scenario())


def test_signals_from_anyone_but_logind_are_ignored(system_bus: str) -> None:
    """Anyone may send a signal straight to our connection, with logind's path and interface."""

    async def scenario() -> None:
        events = Events()
        async with logind(system_bus) as service, started(system_bus, events):
            (watcher_name,) = service.callers()
            await send_signal(system_bus, watcher_name, MANAGER_PATH, MANAGER, "PrepareForSleep", "b", [True])
            service.set_locked(True)
            assert await events.wait(1) == ["lock"]
            await send_signal(
                system_bus,
                watcher_name,
                SESSION_PATH,
                "org.freedesktop.DBus.Properties",
                "PropertiesChanged",
                "sa{sv}as",
                [SESSION, {"LockedHint": Variant("b", False)}, []],
            )
            await send_signal(system_bus, watcher_name, SESSION_PATH, SESSION, "Unlock", "", [])
            service.manager.PrepareForSleep(True)
            assert await events.wait(2) == ["lock", "sleep"]

    run(scenario())


def test_logind_leaving_and_coming_back_does_not_break_the_watcher(system_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with logind(system_bus) as first, started(system_bus, events) as watcher:
            first.manager.PrepareForSleep(True)
            assert await events.wait(1) == ["sleep"]
            await first.stop()
            # nobody is left to say "wake", and we are running: the machine is awake
            assert await events.wait(2) == ["sleep", "wake"]
            assert watcher.owner(LOGIND) == ""
            # A restarted logind keeps its sessions; the screen was locked meanwhile.
            async with logind(system_bus, locked=True) as second:
                assert await events.wait(3) == ["sleep", "wake", "lock"]
                second.manager.PrepareForSleep(True)
                second.set_locked(False)
                assert await events.wait(5) == ["sleep", "wake", "lock", "sleep", "unlock"]

    run(scenario())


# ----- choosing the watchers ------------------------------------------------------------------------


def test_choose_power_watchers_starts_logind_and_the_screensaver_watcher(
    system_bus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", system_bus)

    async def scenario() -> None:
        events = Events()
        with bare_bus() as session_bus:
            monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", session_bus)
            async with logind(system_bus) as service:
                watchers, lines = await choose_power_watchers(events)
                try:
                    assert [w.name for w in watchers] == ["logind", "screensaver"]
                    # the screensaver watcher works, but nothing is there to follow yet
                    assert len(lines) == 1 and lines[0].startswith("screensaver: neither")
                    service.manager.PrepareForSleep(True)
                    assert await events.wait(1) == ["sleep"]
                finally:
                    for watcher in watchers:
                        await watcher.close()

    run(scenario())


def test_choose_power_watchers_without_buses_gives_reasons(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", f"unix:path={tmp_path}/no-system-bus")
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-session-bus")
    watchers, lines = run(choose_power_watchers(Events()))
    assert watchers == []
    assert [line.split(":")[0] for line in lines] == ["logind", "screensaver"]
    assert "system bus could not be reached" in lines[0]
    assert "session bus could not be reached" in lines[1]
