"""The screensaver watcher against stand-ins for org.freedesktop.ScreenSaver and org.gnome.ScreenSaver
(tests/bus_standins.py) on a private session bus: real connections and match rules, no mocks.

Signals from one connection arrive in the order they were sent, so a signal that must change nothing is
followed by one that must change something; signals from two services are compared only after waiting.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest
from bus_standins import (
    Events,
    FreedesktopScreenSaver,
    GnomeScreenSaver,
    InhibitOnlyScreenSaver,
    StandIn,
    screensaver,
    send_signal,
    until,
)
from dbus_fast.service import ServiceInterface
from desktop import bare_bus

from rustlamp.desk.screensaver import ScreenSaverWatcher

T = TypeVar("T")
FREEDESKTOP = "org.freedesktop.ScreenSaver"
GNOME = "org.gnome.ScreenSaver"
FD = "freedesktop-screensaver"
GN = "gnome-screensaver"


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[str]:
    """A private session bus; the person's own is out of reach (a watcher that ignored its address
    would fail)."""
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", f"unix:path={tmp_path}/no-session-bus")
    with bare_bus() as address:
        yield address


@asynccontextmanager
async def started(address: str, events: Events) -> AsyncIterator[ScreenSaverWatcher]:
    watcher = ScreenSaverWatcher(address)
    try:
        problem = await watcher.start(events)
        assert problem is None, problem
        yield watcher
    finally:
        await watcher.close()


async def asked_whether_active(service: StandIn) -> None:
    """The watcher subscribes before it asks GetActive: once it asked, its match rule is in place."""
    await until(lambda: any(member == "GetActive" for _s, member, _a in service.calls), "GetActive asked")


def test_both_screensavers_report_lock_and_unlock_only_on_change(session_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, FreedesktopScreenSaver()) as fd,
            screensaver(session_bus, GnomeScreenSaver()) as gnome,
            started(session_bus, events) as watcher,
        ):
            assert watcher.subscribed == {FREEDESKTOP, GNOME}
            assert watcher.note is None
            assert events.seen == []  # neither active at start
            for active in (True, True, False, False, True):
                gnome.announce(active)
            assert await events.wait(3) == ["lock", "unlock", "lock"]
            for active in (False, True, True, False):
                fd.announce(active)
            await events.wait(5)
            assert events.pairs() == [
                ("lock", GN),
                ("unlock", GN),
                ("lock", GN),
                ("lock", FD),
                ("unlock", FD),
            ]

    run(scenario())


def test_only_screensavers_on_the_bus_are_followed_and_a_late_one_is_picked_up(session_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, GnomeScreenSaver()) as gnome,
            started(session_bus, events) as watcher,
        ):
            assert watcher.subscribed == {GNOME}
            # started after us, already active: told when it appears
            async with screensaver(session_bus, FreedesktopScreenSaver(active=True)) as fd:
                assert await events.wait(1) == ["lock"]
                assert watcher.subscribed == {FREEDESKTOP, GNOME}
                fd.set_active(False)
                assert await events.wait(2) == ["lock", "unlock"]
            gnome.set_active(True)
            await events.wait(3)
            assert events.pairs() == [("lock", FD), ("unlock", FD), ("lock", GN)]

    run(scenario())


def test_with_no_screensaver_yet_the_watcher_waits_for_one(session_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with started(session_bus, events) as watcher:
            assert watcher.subscribed == set()
            assert watcher.note is not None and watcher.note.startswith("neither")
            async with screensaver(session_bus, GnomeScreenSaver()) as gnome:
                await asked_whether_active(gnome)
                assert watcher.subscribed == {GNOME}
                gnome.set_active(True)
                assert await events.wait(1) == ["lock"]
                assert events.pairs() == [("lock", GN)]

    run(scenario())


def test_a_screensaver_active_at_start_is_told_at_once(session_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, GnomeScreenSaver(active=True)) as gnome,
            started(session_bus, events),
        ):
            assert events.pairs() == [("lock", GN)]  # during start()
            gnome.set_active(False)
            assert await events.wait(2) == ["lock", "unlock"]

    run(scenario())


def test_a_screensaver_leaving_while_active_counts_as_unlock(session_bus: str) -> None:
    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, GnomeScreenSaver()) as first,
            started(session_bus, events) as watcher,
        ):
            first.set_active(True)
            assert await events.wait(1) == ["lock"]
            await first.stop()
            assert await events.wait(2) == ["lock", "unlock"]
            assert watcher.owner(GNOME) == ""
            async with screensaver(session_bus, GnomeScreenSaver()) as second:
                await asked_whether_active(second)  # inactive: nothing to say
                await second.stop()  # leaving while inactive: nothing either
            async with screensaver(session_bus, GnomeScreenSaver()) as third:
                await asked_whether_active(third)
                third.set_active(True)
                assert await events.wait(3) == ["lock", "unlock", "lock"]

    run(scenario())


def test_gnomes_inhibit_only_proxy_does_no_harm(session_bus: str) -> None:
    """On GNOME, org.freedesktop.ScreenSaver is gsd-screensaver-proxy: no GetActive, no ActiveChanged."""

    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, InhibitOnlyScreenSaver()) as proxy,
            screensaver(session_bus, GnomeScreenSaver()) as gnome,
            started(session_bus, events),
        ):
            assert [m for _s, m, _a in proxy.calls] == ["GetActive"]  # asked, refused, and that is fine
            gnome.set_active(True)
            assert await events.wait(1) == ["lock"]
            assert events.pairs() == [("lock", GN)]

    run(scenario())


def test_a_screensaver_at_two_paths_gives_one_event_per_change(session_bus: str) -> None:
    """KDE serves org.freedesktop.ScreenSaver at /ScreenSaver too; each change then comes twice."""

    async def scenario() -> None:
        events = Events()
        also_at: dict[str, ServiceInterface] = {"/ScreenSaver": FreedesktopScreenSaver()}
        async with (
            screensaver(session_bus, FreedesktopScreenSaver(), also_at) as fd,
            started(session_bus, events),
        ):
            fd.set_active(True)
            fd.set_active(False)
            fd.set_active(True)
            assert await events.wait(3) == ["lock", "unlock", "lock"]
            assert events.pairs() == [("lock", FD), ("unlock", FD), ("lock", FD)]

    run(scenario())


def test_active_changed_from_anyone_but_the_screensaver_is_ignored(session_bus: str) -> None:
    """Anyone may send a signal straight to our connection, with GNOME's interface and path."""

    async def scenario() -> None:
        events = Events()
        async with (
            screensaver(session_bus, FreedesktopScreenSaver()) as fd,
            screensaver(session_bus, GnomeScreenSaver()) as gnome,
            started(session_bus, events),
        ):
            (watcher_name,) = gnome.callers()
            path = "/org/gnome/ScreenSaver"
            await send_signal(session_bus, watcher_name, path, GNOME, "ActiveChanged", "b", [True])
            fd.set_active(True)  # routed after the impostor's signal
            await events.wait(1)
            gnome.set_active(True)
            await events.wait(2)
            assert events.pairs() == [("lock", FD), ("lock", GN)]

    run(scenario())


def test_an_unreachable_session_bus_is_a_reason_not_an_error(tmp_path: Path) -> None:
    async def scenario() -> None:
        events = Events()
        watcher = ScreenSaverWatcher(f"unix:path={tmp_path}/nothing-here")
        problem = await watcher.start(events)
        assert problem is not None and "session bus could not be reached" in problem
        await watcher.close()
        await watcher.close()
        assert events.seen == []

    run(scenario())
