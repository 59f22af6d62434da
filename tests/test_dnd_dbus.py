"""The do-not-disturb watchers against real services, no mocks.

D-Bus: a private bus (bare_bus) with stand-ins that speak the real interfaces, written with dbus-fast:
org.freedesktop.Notifications with KDE Plasma's Inhibited property (and PropertiesChanged), and
org.xfce.Xfconf with GetProperty/SetProperty/ResetProperty and the PropertyChanged/PropertyRemoved
signals, as xfconfd has them. The tests flip them through the bus as the desktop would.

GNOME: the real `gsettings` with GLib's keyfile backend in a temporary XDG_CONFIG_HOME (it notices
changes made by other processes, as dconf does), flipped with `gsettings set` from the test.

"Nothing was emitted" is checked after a barrier, not by sleeping: messages from one connection reach
another in order, so once the watcher's connection has answered a Ping sent after a signal, it has
handled that signal.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Annotated, Any

import pytest
from dbus_fast import Message, MessageType, PropertyAccess, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal
from desktop import bare_bus

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.dnd_dbus import (
    GnomeDndWatcher,
    NotificationsInhibitedWatcher,
    XfconfDndWatcher,
    parse_show_banners,
)
from rustlamp.desk.dnd_select import choose_dnd_watchers

TIMEOUT = 10.0

Str = Annotated[str, DBusSignature("s")]
Bool = Annotated[bool, DBusSignature("b")]
UInt = Annotated[int, DBusSignature("u")]
Int = Annotated[int, DBusSignature("i")]
Strs = Annotated[list[str], DBusSignature("as")]
Hints = Annotated[dict[str, Variant], DBusSignature("a{sv}")]
Var = Annotated[Variant, DBusSignature("v")]
ServerInfo = Annotated[list[str], DBusSignature("ssss")]
ChangedArgs = Annotated[list[Any], DBusSignature("ssv")]
RemovedArgs = Annotated[list[str], DBusSignature("ss")]
NoArgs = Annotated[None, DBusSignature("")]


def hold(source: str) -> DeskEvent:
    return DeskEvent("hold", source, reason="dnd")


def release(source: str) -> DeskEvent:
    return DeskEvent("release", source, reason="dnd")


class Seen:
    """What a watcher emitted, in order."""

    def __init__(self) -> None:
        self.queue: asyncio.Queue[DeskEvent] = asyncio.Queue()

    def emit(self, event: DeskEvent) -> None:
        self.queue.put_nowait(event)

    async def next(self, timeout: float = TIMEOUT) -> DeskEvent:
        return await asyncio.wait_for(self.queue.get(), timeout)

    def none_yet(self) -> bool:
        return self.queue.empty()


async def barrier(sender: MessageBus, receiver: str) -> None:
    """Return once `receiver` has handled everything `sender` sent before this call."""
    reply = await sender.call(
        Message(destination=receiver, path="/", interface="org.freedesktop.DBus.Peer", member="Ping")
    )
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN


# ----- stand-ins ------------------------------------------------------------------------------------


class Notifications(ServiceInterface):
    """org.freedesktop.Notifications as KDE Plasma serves it, Inhibited property included."""

    def __init__(self, inhibited: bool = False) -> None:
        super().__init__("org.freedesktop.Notifications")
        self.inhibited = inhibited

    @dbus_method()
    def Notify(
        self,
        app_name: Str,
        replaces_id: UInt,
        app_icon: Str,
        summary: Str,
        body: Str,
        actions: Strs,
        hints: Hints,
        expire_timeout: Int,
    ) -> UInt:
        return 1

    @dbus_method()
    def CloseNotification(self, nid: UInt) -> NoArgs:
        pass

    @dbus_method()
    def GetCapabilities(self) -> Strs:
        return ["body", "actions", "inhibitions"]

    @dbus_method()
    def GetServerInformation(self) -> ServerInfo:
        return ["Plasma stand-in", "rustlamp tests", "1.0", "1.2"]

    @dbus_property(access=PropertyAccess.READ)
    def Inhibited(self) -> Bool:
        return self.inhibited

    def set(self, inhibited: bool) -> None:
        self.inhibited = inhibited
        self.emit_properties_changed({"Inhibited": inhibited})


class PlainNotifications(ServiceInterface):
    """A notification server without do-not-disturb over D-Bus (as dunst or GNOME Shell's)."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.Notifications")

    @dbus_method()
    def GetCapabilities(self) -> Strs:
        return ["body"]


class Xfconf(ServiceInterface):
    """org.xfce.Xfconf as xfconfd serves it (the parts xfconf-query uses)."""

    def __init__(self, values: dict[tuple[str, str], Variant] | None = None) -> None:
        super().__init__("org.xfce.Xfconf")
        self.values = dict(values or {})

    @dbus_method()
    def GetProperty(self, channel: Str, prop: Str) -> Var:
        if (channel, prop) not in self.values:
            raise DBusError(
                "org.xfce.Xfconf.Error.PropertyNotFound",
                f'Property "{prop}" does not exist on channel "{channel}"',
            )
        return self.values[channel, prop]

    @dbus_method()
    def SetProperty(self, channel: Str, prop: Str, value: Var) -> NoArgs:
        self.values[channel, prop] = value
        self.PropertyChanged(channel, prop, value)

    @dbus_method()
    def ResetProperty(self, channel: Str, prop: Str, recursive: Bool) -> NoArgs:
        if self.values.pop((channel, prop), None) is not None:
            self.PropertyRemoved(channel, prop)

    @dbus_method()
    def PropertyExists(self, channel: Str, prop: Str) -> Bool:
        return (channel, prop) in self.values

    @dbus_signal()
    def PropertyChanged(self, channel: str, prop: str, value: Variant) -> ChangedArgs:
        return [channel, prop, value]

    @dbus_signal()
    def PropertyRemoved(self, channel: str, prop: str) -> RemovedArgs:
        return [channel, prop]


@asynccontextmanager
async def serving(
    address: str, name: str, path: str, interface: ServiceInterface
) -> AsyncIterator[MessageBus]:
    bus = await MessageBus(bus_address=address).connect()
    try:
        bus.export(path, interface)
        await bus.request_name(name)
        yield bus
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]


@asynccontextmanager
async def client(address: str) -> AsyncIterator[MessageBus]:
    bus = await MessageBus(bus_address=address).connect()
    try:
        yield bus
    finally:
        bus.disconnect()
        await bus.wait_for_disconnect()  # type: ignore[no-untyped-call]


@pytest.fixture
def bus_address() -> Iterator[str]:
    with bare_bus() as address:
        yield address


# ----- org.freedesktop.Notifications' Inhibited -----------------------------------------------------

NOTIFICATIONS = ("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
INHIBITED = "notifications-inhibited"


@pytest.mark.desktop
def test_inhibited_holds_and_releases_on_change_only(bus_address: str) -> None:
    async def scenario() -> None:
        server = Notifications()
        async with serving(bus_address, *NOTIFICATIONS, server) as service:
            seen = Seen()
            watcher = NotificationsInhibitedWatcher(bus_address)
            assert await watcher.start(seen.emit) is None
            try:
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()  # off at start: nothing to say

                server.set(True)
                assert await seen.next() == hold(INHIBITED)
                server.set(True)  # said again: not a change
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()

                server.set(False)
                assert await seen.next() == release(INHIBITED)
                server.set(False)
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()
            finally:
                await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_inhibited_at_start_is_said_once(bus_address: str) -> None:
    async def scenario() -> None:
        server = Notifications(inhibited=True)
        async with serving(bus_address, *NOTIFICATIONS, server) as service:
            seen = Seen()
            watcher = NotificationsInhibitedWatcher(bus_address)
            assert await watcher.start(seen.emit) is None
            try:
                assert seen.queue.qsize() == 1
                assert await seen.next() == hold(INHIBITED)
                server.set(True)
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()
            finally:
                await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_inhibited_invalidated_is_read_again(bus_address: str) -> None:
    async def scenario() -> None:
        server = Notifications()
        async with serving(bus_address, *NOTIFICATIONS, server):
            seen = Seen()
            watcher = NotificationsInhibitedWatcher(bus_address)
            assert await watcher.start(seen.emit) is None
            try:
                server.inhibited = True
                server.emit_properties_changed({}, ["Inhibited"])  # "changed, ask me"
                assert await seen.next() == hold(INHIBITED)
            finally:
                await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_inhibited_from_anyone_but_the_server_is_ignored(bus_address: str) -> None:
    async def scenario() -> None:
        async with serving(bus_address, *NOTIFICATIONS, Notifications()), client(bus_address) as impostor:
            seen = Seen()
            watcher = NotificationsInhibitedWatcher(bus_address)
            assert await watcher.start(seen.emit) is None
            try:
                await impostor.send(
                    Message.new_signal(
                        NOTIFICATIONS[1],
                        "org.freedesktop.DBus.Properties",
                        "PropertiesChanged",
                        "sa{sv}as",
                        [NOTIFICATIONS[0], {"Inhibited": Variant("b", True)}, []],
                    )
                )
                await barrier(impostor, watcher.unique_name)
                assert seen.none_yet()
            finally:
                await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_inhibited_follows_the_server_going_and_coming_back(bus_address: str) -> None:
    async def scenario() -> None:
        seen = Seen()
        watcher = NotificationsInhibitedWatcher(bus_address)
        try:
            async with serving(bus_address, *NOTIFICATIONS, Notifications(inhibited=True)):
                assert await watcher.start(seen.emit) is None
                assert await seen.next() == hold(INHIBITED)
            # the server quit (a Plasma restart): nobody inhibits any more
            assert await seen.next() == release(INHIBITED)
            async with serving(bus_address, *NOTIFICATIONS, Notifications(inhibited=True)):
                assert await seen.next() == hold(INHIBITED)
            assert await seen.next() == release(INHIBITED)
        finally:
            await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_inhibited_is_not_available_without_the_property_or_the_server(bus_address: str) -> None:
    async def scenario() -> None:
        watcher = NotificationsInhibitedWatcher(bus_address)
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "No notification server" in reason
        async with serving(bus_address, *NOTIFICATIONS, PlainNotifications()):
            reason = await watcher.start(lambda event: None)
            assert reason is not None and "no Inhibited property" in reason
        await watcher.close()  # safe after a start that did not work

        watcher = NotificationsInhibitedWatcher("unix:path=/nonexistent/rustlamp-test-bus")
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "No D-Bus session bus" in reason

    asyncio.run(scenario())


# ----- XFCE: xfconf --------------------------------------------------------------------------------

XFCONF = ("org.xfce.Xfconf", "/org/xfce/Xfconf")
DND = ("xfce4-notifyd", "/do-not-disturb")


async def xfconf_set(bus: MessageBus, channel: str, prop: str, value: Variant) -> None:
    """As `xfconf-query -c CHANNEL -p PROP -s VALUE` does it."""
    reply = await bus.call(
        Message(
            destination=XFCONF[0],
            path=XFCONF[1],
            interface=XFCONF[0],
            member="SetProperty",
            signature="ssv",
            body=[channel, prop, value],
        )
    )
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply


async def xfconf_reset(bus: MessageBus, channel: str, prop: str) -> None:
    """As `xfconf-query -c CHANNEL -p PROP -r` does it."""
    reply = await bus.call(
        Message(
            destination=XFCONF[0],
            path=XFCONF[1],
            interface=XFCONF[0],
            member="ResetProperty",
            signature="ssb",
            body=[channel, prop, False],
        )
    )
    assert reply is not None and reply.message_type == MessageType.METHOD_RETURN, reply


@pytest.mark.desktop
def test_xfconf_do_not_disturb_holds_and_releases(bus_address: str) -> None:
    async def scenario() -> None:
        async with serving(bus_address, *XFCONF, Xfconf()) as service, client(bus_address) as settings:
            seen = Seen()
            watcher = XfconfDndWatcher(bus_address)
            assert await watcher.start(seen.emit) is None  # never set: off
            try:
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()

                await xfconf_set(settings, *DND, Variant("b", True))
                assert await seen.next() == hold("xfconf")

                # other settings of the same daemon, and of the same channel, change nothing
                await xfconf_set(settings, "xfce4-notifyd", "/theme", Variant("s", "Default"))
                await xfconf_set(settings, "xfce4-panel", "/do-not-disturb", Variant("b", False))
                await xfconf_set(settings, *DND, Variant("b", True))
                await barrier(service, watcher.unique_name)
                assert seen.none_yet()

                await xfconf_set(settings, *DND, Variant("b", False))
                assert await seen.next() == release("xfconf")
                await xfconf_set(settings, *DND, Variant("b", True))
                assert await seen.next() == hold("xfconf")
                await xfconf_reset(settings, *DND)  # back to the default: off
                assert await seen.next() == release("xfconf")
            finally:
                await watcher.close()

    asyncio.run(scenario())


@pytest.mark.desktop
def test_xfconf_on_at_start_and_absent(bus_address: str) -> None:
    async def scenario() -> None:
        watcher = XfconfDndWatcher(bus_address)
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "xfconfd" in reason

        async with serving(bus_address, *XFCONF, Xfconf({DND: Variant("b", True)})):
            seen = Seen()
            assert await watcher.start(seen.emit) is None
            try:
                assert seen.queue.qsize() == 1
                assert await seen.next() == hold("xfconf")
            finally:
                await watcher.close()

    asyncio.run(scenario())


# ----- the choice -------------------------------------------------------------------------------------


@pytest.mark.desktop
def test_choose_starts_what_works_and_says_why_the_rest_does_not(bus_address: str, tmp_path: Path) -> None:
    async def scenario() -> None:
        env = {
            "PATH": os.environ.get("PATH", ""),
            "DBUS_SESSION_BUS_ADDRESS": bus_address,
            "XDG_CURRENT_DESKTOP": "XFCE",
        }
        async with serving(bus_address, *XFCONF, Xfconf({DND: Variant("b", True)})):
            seen = Seen()
            watchers, lines = await choose_dnd_watchers(
                seen.emit, when_fullscreen=True, env=env, platform="linux"
            )
            try:
                assert [w.name for w in watchers] == [
                    "xfconf",
                    "linux-capture",
                ]  # during_calls: on by default
                assert await seen.next() == hold("xfconf")
                assert any(line.startswith("x11-fullscreen: ") and "DISPLAY" in line for line in lines)
                assert any(line.startswith("notifications-inhibited: ") for line in lines)
                assert any(line.startswith("gnome-gsettings: not a GNOME session") for line in lines)
                assert "sway-fullscreen: not a sway session (SWAYSOCK is not set)." in lines
                assert "mako-mode: cannot be asked here (no notification server is running)" in lines
            finally:
                for watcher in watchers:
                    await watcher.close()

        # Windows and macOS are asked, not followed; here (Linux) their questions say why they cannot be
        watchers, lines = await choose_dnd_watchers(
            seen.emit, when_fullscreen=False, during_calls=False, platform="win32"
        )
        assert watchers == [] and [line.split(":")[0] for line in lines] == ["windows-dnd"]
        assert "cannot be asked here" in lines[0]
        watchers, lines = await choose_dnd_watchers(
            seen.emit, when_fullscreen=True, during_calls=False, platform="darwin"
        )
        assert watchers == [] and [line.split(":")[0] for line in lines] == ["macos-dnd", "macos-fullscreen"]

    asyncio.run(scenario())


# ----- GNOME: gsettings -----------------------------------------------------------------------------

SCHEMA, KEY = "org.gnome.desktop.notifications", "show-banners"
GNOME = "gnome-gsettings"


def test_show_banners_lines_are_read_as_gsettings_prints_them() -> None:
    assert parse_show_banners("false\n") is False
    assert parse_show_banners("true") is True
    assert parse_show_banners("show-banners: false\n") is False
    assert parse_show_banners("show-banners: true") is True
    assert parse_show_banners("show-in-lock-screen: false") is None
    assert parse_show_banners("") is None


@pytest.fixture
def gsettings_env(tmp_path: Path) -> dict[str, str]:
    """GSettings in a private keyfile under tmp_path (the person's own settings are never touched)."""
    if shutil.which("gsettings") is None:
        pytest.fail("gsettings is missing: apt-get install libglib2.0-bin gsettings-desktop-schemas")
    env = {**os.environ, "GSETTINGS_BACKEND": "keyfile", "XDG_CONFIG_HOME": str(tmp_path / "config")}
    found = subprocess.run(["gsettings", "list-keys", SCHEMA], env=env, capture_output=True, text=True)
    if KEY not in found.stdout.split():
        pytest.fail(f"the {SCHEMA} schema is missing: apt-get install gsettings-desktop-schemas")
    return env


def gsettings_set(env: dict[str, str], value: str) -> None:
    subprocess.run(["gsettings", "set", SCHEMA, KEY, value], env=env, check=True)


def _listening(pid: int) -> bool:
    """The monitor's main thread sleeps in poll(): its GLib main loop runs, with its settings read and
    their file monitor (inotify) in place, so a change made now is reported."""
    try:
        wchan = Path(f"/proc/{pid}/task/{pid}/wchan").read_text()
        fds = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
    except OSError:
        return False
    return "poll" in wchan and "anon_inode:inotify" in fds


async def until(condition: Callable[[], bool], what: str, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.01)


async def started_gnome(env: dict[str, str], seen: Seen) -> GnomeDndWatcher:
    watcher = GnomeDndWatcher(env)
    assert await watcher.start(seen.emit) is None
    pid = watcher.monitor_pid
    assert pid is not None
    await until(lambda: _listening(pid), "gsettings monitor listening")
    return watcher


def test_gnome_do_not_disturb_holds_and_releases(gsettings_env: dict[str, str]) -> None:
    async def scenario() -> None:
        seen = Seen()
        watcher = await started_gnome(gsettings_env, seen)
        try:
            assert seen.none_yet()  # banners shown: not do not disturb
            gsettings_set(gsettings_env, "false")  # GNOME's "Do Not Disturb" switch
            assert await seen.next() == hold(GNOME)
            gsettings_set(gsettings_env, "true")
            assert await seen.next() == release(GNOME)
            gsettings_set(gsettings_env, "false")
            assert await seen.next() == hold(GNOME)
            subprocess.run(["gsettings", "reset", SCHEMA, KEY], env=gsettings_env, check=True)
            assert await seen.next() == release(GNOME)
        finally:
            await watcher.close()
        assert watcher.monitor_pid is None

    asyncio.run(scenario())


def test_gnome_on_at_start_is_said_once_and_a_lost_monitor_releases(
    gsettings_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> None:
        gsettings_set(gsettings_env, "false")
        seen = Seen()
        watcher = await started_gnome(gsettings_env, seen)
        try:
            assert seen.queue.qsize() == 1
            assert await seen.next() == hold(GNOME)
            pid = watcher.monitor_pid
            assert pid is not None
            with caplog.at_level("WARNING", logger="rustlamp.desk"):
                os.kill(pid, 9)  # the monitor we started (through the watcher) dies
                assert await seen.next() == release(GNOME)
            assert "monitor` ended" in caplog.text
        finally:
            await watcher.close()

    asyncio.run(scenario())


def test_gnome_is_not_available_without_the_program_the_schema_or_a_shared_store(
    gsettings_env: dict[str, str], tmp_path: Path
) -> None:
    async def scenario() -> None:
        reason = await GnomeDndWatcher(gsettings_env, program="gsettings-not-here").start(lambda event: None)
        assert reason is not None and "no gsettings-not-here program" in reason

        no_schemas = tmp_path / "no-schemas"
        no_schemas.mkdir()
        watcher = GnomeDndWatcher({**gsettings_env, "XDG_DATA_DIRS": str(no_schemas)})
        reason = await watcher.start(lambda event: None)
        assert reason is not None and "not here" in reason
        assert watcher.monitor_pid is None  # the monitor started first is gone again

        reason = await GnomeDndWatcher({**gsettings_env, "GSETTINGS_BACKEND": "memory"}).start(
            lambda event: None
        )
        assert reason is not None and "memory" in reason

    asyncio.run(scenario())


@pytest.mark.desktop
def test_choose_on_gnome_follows_gsettings(gsettings_env: dict[str, str], bus_address: str) -> None:
    async def scenario() -> None:
        env = {
            **gsettings_env,
            "DBUS_SESSION_BUS_ADDRESS": bus_address,
            "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
        }
        gsettings_set(gsettings_env, "false")
        seen = Seen()
        watchers, lines = await choose_dnd_watchers(
            seen.emit, when_fullscreen=False, during_calls=False, env=env, platform="linux"
        )
        try:
            assert [w.name for w in watchers] == [GNOME]
            assert await seen.next() == hold(GNOME)
            assert sorted(line.split(":")[0] for line in lines) == [
                "mako-mode",
                "notifications-inhibited",
                "xfconf",
            ]
        finally:
            for watcher in watchers:
                await watcher.close()

    asyncio.run(scenario())
