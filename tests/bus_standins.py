"""Stand-ins for logind and the screensaver services, with the real D-Bus names, paths, signatures and
behaviour we rely on, written with dbus-fast's ServiceInterface. Each runs on a connection of its own to
a private bus (tests/desktop.py's bare_bus), in the test's own event loop, and is driven from the test.

Signals from one connection reach a listener in the order they were sent, so a test proves that a
signal changed nothing by sending one that does change something after it and looking at the whole list.
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Annotated, Any

from dbus_fast import DBusError, Message, MessageType, NameFlag, PropertyAccess, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from rustlamp.desk.base import DeskEvent

Bool = Annotated[bool, DBusSignature("b")]
UInt32 = Annotated[int, DBusSignature("u")]
Str = Annotated[str, DBusSignature("s")]
ObjectPath = Annotated[str, DBusSignature("o")]
SessionRef = Annotated[list[Any], DBusSignature("(so)")]
NoArgs = Annotated[None, DBusSignature("")]

LOGIND = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
SESSION_ID = "1"
SESSION_PATH = "/org/freedesktop/login1/session/_31"  # logind escapes the id "1" as "_31"


def user_path(uid: int) -> str:
    return f"/org/freedesktop/login1/user/_{uid}"


# ----- logind ---------------------------------------------------------------------------------------


class LogindManager(ServiceInterface):
    """org.freedesktop.login1.Manager: the session lookups and PrepareForSleep."""

    def __init__(self, pids: set[int], session_ids: set[str], display_users: set[int]) -> None:
        super().__init__("org.freedesktop.login1.Manager")
        self.pids = pids  # processes that are in our session
        self.session_ids = session_ids  # session ids GetSession knows
        self.users = display_users  # users that GetUser knows

    @dbus_method()
    def GetSessionByPID(self, pid: UInt32) -> ObjectPath:
        if pid not in self.pids:
            raise DBusError(
                "org.freedesktop.login1.NoSessionForPID", f"PID {pid} does not belong to any known session"
            )
        return SESSION_PATH

    @dbus_method()
    def GetSession(self, session_id: Str) -> ObjectPath:
        if session_id not in self.session_ids:
            raise DBusError("org.freedesktop.login1.NoSuchSession", f"No session '{session_id}' known")
        return SESSION_PATH

    @dbus_method()
    def GetUser(self, uid: UInt32) -> ObjectPath:
        if uid not in self.users:
            raise DBusError("org.freedesktop.login1.NoSuchUser", f"User ID {uid} is not logged in")
        return user_path(uid)

    @dbus_signal()
    def PrepareForSleep(self, start: bool) -> Bool:
        return start


class _SessionSignals(ServiceInterface):
    """What every logind session has: the Lock and Unlock signals (requests to the screen locker)."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.login1.Session")

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> Str:
        return SESSION_ID

    @dbus_property(access=PropertyAccess.READ)
    def IdleHint(self) -> Bool:
        return False

    @dbus_signal()
    def Lock(self) -> NoArgs:
        pass

    @dbus_signal()
    def Unlock(self) -> NoArgs:
        pass


class LogindSession(_SessionSignals):
    """org.freedesktop.login1.Session as in systemd 230 and later: with LockedHint (emits change)."""

    def __init__(self, locked: bool = False) -> None:
        super().__init__()
        self.locked = locked

    @dbus_property(access=PropertyAccess.READ)
    def LockedHint(self) -> Bool:
        return self.locked

    @dbus_method()
    def SetLockedHint(self, locked: Bool) -> NoArgs:
        self.set_locked(locked)

    def set_locked(self, locked: bool) -> None:
        """What a screen locker causes: logind sends PropertiesChanged only when the value changes."""
        if locked != self.locked:
            self.locked = locked
            self.emit_properties_changed({"LockedHint": locked})

    def announce_locked(self, locked: bool) -> None:
        """Send PropertiesChanged with this value whether or not it changed (a test's duplicate)."""
        self.locked = locked
        self.emit_properties_changed({"LockedHint": locked})


class OldLogindSession(_SessionSignals):
    """A session of a logind before systemd 230: no LockedHint, only the Lock/Unlock requests."""


class LogindUser(ServiceInterface):
    """org.freedesktop.login1.User: Display is the user's graphical session, ("", "/") when none."""

    def __init__(self, display: tuple[str, str]) -> None:
        super().__init__("org.freedesktop.login1.User")
        self.display = display

    @dbus_property(access=PropertyAccess.READ)
    def Display(self) -> SessionRef:
        return list(self.display)


class StandIn:
    """A service on its own connection; `calls` records (sender, member, args) of every method call."""

    def __init__(self, bus: MessageBus) -> None:
        self.bus = bus
        self.calls: list[tuple[str, str, list[Any]]] = []
        bus.add_message_handler(self._record)

    def _record(self, message: Message) -> None:  # returns None: the service still answers the call
        standard = (message.interface or "").startswith("org.freedesktop.DBus")
        if message.message_type == MessageType.METHOD_CALL and not standard:
            self.calls.append((str(message.sender), str(message.member), list(message.body)))

    def callers(self) -> set[str]:
        return {sender for sender, _member, _args in self.calls}

    async def stop(self) -> None:
        """Leave the bus (the name loses its owner), as a crashed or restarted service does."""
        if self.bus.connected:
            self.bus.disconnect()
            await asyncio.wait_for(self.bus.wait_for_disconnect(), 5)  # type: ignore[no-untyped-call]


class Logind(StandIn):
    def __init__(self, bus: MessageBus, manager: LogindManager, session: _SessionSignals) -> None:
        super().__init__(bus)
        self.manager = manager
        self.session = session

    def set_locked(self, locked: bool) -> None:
        assert isinstance(self.session, LogindSession)
        self.session.set_locked(locked)


async def _own(bus: MessageBus, name: str) -> None:
    reply = await bus.request_name(name, NameFlag.DO_NOT_QUEUE)
    assert reply == RequestNameReply.PRIMARY_OWNER, reply


@asynccontextmanager
async def logind(
    address: str,
    *,
    pid_known: bool = True,
    session_ids: frozenset[str] = frozenset({SESSION_ID}),
    user_display: bool = True,
    locked: bool = False,
    locked_hint: bool = True,
) -> AsyncIterator[Logind]:
    """A logind with one session, "1". `pid_known`: GetSessionByPID knows this process; `session_ids`:
    what GetSession knows; `user_display`: GetUser knows us and our Display is that session;
    `locked_hint`: a logind of systemd 230 or later."""
    bus = await MessageBus(bus_address=address).connect()
    uid = os.getuid()
    manager = LogindManager({os.getpid()} if pid_known else set(), set(session_ids), {uid})
    session: _SessionSignals = LogindSession(locked) if locked_hint else OldLogindSession()
    user = LogindUser((SESSION_ID, SESSION_PATH) if user_display else ("", "/"))
    bus.export(MANAGER_PATH, manager)
    bus.export(SESSION_PATH, session)
    bus.export(user_path(uid), user)
    service = Logind(bus, manager, session)
    try:
        await _own(bus, LOGIND)
        yield service
    finally:
        await service.stop()


# ----- screensavers ---------------------------------------------------------------------------------


class _ScreenSaverBase(ServiceInterface):
    """What org.freedesktop.ScreenSaver and org.gnome.ScreenSaver share: GetActive, SetActive, Lock and
    the ActiveChanged(b) signal, sent when the active state changes."""

    def __init__(self, interface: str, active: bool) -> None:
        super().__init__(interface)
        self.active = active

    @dbus_method()
    def GetActive(self) -> Bool:
        return self.active

    @dbus_method()
    def Lock(self) -> NoArgs:
        self.set_active(True)

    @dbus_signal()
    def ActiveChanged(self, active: bool) -> Bool:
        return active

    def set_active(self, active: bool) -> None:
        if active != self.active:
            self.active = active
            self.ActiveChanged(active)

    def announce(self, active: bool) -> None:
        """Send ActiveChanged whether or not it changed (a test's duplicate)."""
        self.active = active
        self.ActiveChanged(active)


class FreedesktopScreenSaver(_ScreenSaverBase):
    """org.freedesktop.ScreenSaver, as KDE's ksmserver or xfce4-screensaver serve it."""

    def __init__(self, active: bool = False) -> None:
        super().__init__("org.freedesktop.ScreenSaver", active)

    @dbus_method()
    def SetActive(self, active: Bool) -> Bool:
        self.set_active(active)
        return True

    @dbus_method()
    def GetActiveTime(self) -> UInt32:
        return 0

    @dbus_method()
    def Inhibit(self, application: Str, reason: Str) -> UInt32:
        return 1

    @dbus_method()
    def UnInhibit(self, cookie: UInt32) -> NoArgs:
        pass


class GnomeScreenSaver(_ScreenSaverBase):
    """org.gnome.ScreenSaver, as GNOME Shell serves it."""

    def __init__(self, active: bool = False) -> None:
        super().__init__("org.gnome.ScreenSaver", active)

    @dbus_method()
    def SetActive(self, active: Bool) -> NoArgs:
        self.set_active(active)

    @dbus_method()
    def GetActiveTime(self) -> UInt32:
        return 0

    @dbus_signal()
    def WakeUpScreen(self) -> NoArgs:
        pass


class InhibitOnlyScreenSaver(ServiceInterface):
    """org.freedesktop.ScreenSaver as GNOME's gsd-screensaver-proxy serves it: Inhibit/UnInhibit only,
    no GetActive and never an ActiveChanged."""

    def __init__(self) -> None:
        super().__init__("org.freedesktop.ScreenSaver")

    @dbus_method()
    def Inhibit(self, application: Str, reason: Str) -> UInt32:
        return 1

    @dbus_method()
    def UnInhibit(self, cookie: UInt32) -> NoArgs:
        pass


class ScreenSaverService(StandIn):
    def __init__(self, bus: MessageBus, savers: list[ServiceInterface]) -> None:
        super().__init__(bus)
        self.savers = savers  # one per path; each change goes to all of them, in order

    def _each(self) -> list[_ScreenSaverBase]:
        found = [s for s in self.savers if isinstance(s, _ScreenSaverBase)]
        assert found, "this stand-in has no ActiveChanged"
        return found

    def set_active(self, active: bool) -> None:
        for saver in self._each():
            saver.set_active(active)

    def announce(self, active: bool) -> None:
        for saver in self._each():
            saver.announce(active)


@asynccontextmanager
async def screensaver(
    address: str, saver: ServiceInterface, also_at: dict[str, ServiceInterface] | None = None
) -> AsyncIterator[ScreenSaverService]:
    """Serve `saver` under its interface's name at its standard path, and the same interface at more
    paths if asked (KDE serves org.freedesktop.ScreenSaver at /ScreenSaver too). dbus-fast exports an
    instance at one path only, so each extra path has an instance of its own."""
    name = saver.name
    bus = await MessageBus(bus_address=address).connect()
    exported = {"/" + name.replace(".", "/"): saver, **(also_at or {})}
    for path, instance in exported.items():
        bus.export(path, instance)
    service = ScreenSaverService(bus, list(exported.values()))
    try:
        await _own(bus, name)
        yield service
    finally:
        await service.stop()


# ----- the test's side ------------------------------------------------------------------------------


class Events:
    """An emit that keeps what it is given; `wait(n)` lets the loop run until there are n events."""

    def __init__(self) -> None:
        self.seen: list[DeskEvent] = []
        self._arrived = asyncio.Event()

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append(event)
        self._arrived.set()

    def kinds(self) -> list[str]:
        return [e.kind for e in self.seen]

    def pairs(self) -> list[tuple[str, str]]:
        return [(e.kind, e.source) for e in self.seen]

    async def wait(self, count: int, timeout: float = 5.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"wanted {count} desk events within {timeout:g} s, got {self.pairs()}")
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except asyncio.TimeoutError:
                continue
        return self.kinds()


async def until(condition: Callable[[], bool], what: str, timeout: float = 5.0) -> None:
    """Let the loop run until `condition` holds (for states that no event marks)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.01)


async def send_signal(
    address: str, destination: str, path: str, interface: str, member: str, signature: str, body: list[Any]
) -> None:
    """From a connection of its own (an impostor), send a signal straight to `destination`."""
    bus = await MessageBus(bus_address=address).connect()
    try:
        await bus.send(
            Message(
                message_type=MessageType.SIGNAL,
                destination=destination,
                path=path,
                interface=interface,
                member=member,
                signature=signature,
                body=body,
            )
        )
        # a round trip to the bus after it: the signal has been routed by then
        await bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="GetId",
            )
        )
    finally:
        bus.disconnect()


# ----- a StatusNotifierWatcher that drops items, as GNOME's AppIndicator extension does -------------

SNI_WATCHER = "org.kde.StatusNotifierWatcher"
SNI_WATCHER_PATH = "/StatusNotifierWatcher"
StrList = Annotated[list[str], DBusSignature("as")]


class DroppingWatcher(ServiceInterface):
    """org.kde.StatusNotifierWatcher as GNOME's AppIndicator extension (v46) speaks it: items are listed
    as "bus name" + "/StatusNotifierItem", and the test can drop one, announced (the extension's
    StatusNotifierItemUnregistered) or silently (only gone from the list), while its name stays."""

    def __init__(self) -> None:
        super().__init__(SNI_WATCHER)
        self.items: list[str] = []
        self.registered_at: list[tuple[str, float]] = []  # (service as sent, monotonic time)

    @dbus_method()
    def RegisterStatusNotifierItem(self, service: Str) -> NoArgs:
        self.registered_at.append((service, time.monotonic()))
        listed = f"{service}/StatusNotifierItem"
        if listed not in self.items:
            self.items.append(listed)
            self.StatusNotifierItemRegistered(listed)

    @dbus_method()
    def RegisterStatusNotifierHost(self, service: Str) -> NoArgs:
        pass

    @dbus_property(access=PropertyAccess.READ)
    def RegisteredStatusNotifierItems(self) -> StrList:
        return list(self.items)

    @dbus_property(access=PropertyAccess.READ)
    def IsStatusNotifierHostRegistered(self) -> Bool:
        return True

    @dbus_signal()
    def StatusNotifierItemRegistered(self, service: str) -> Str:
        return service

    @dbus_signal()
    def StatusNotifierItemUnregistered(self, service: str) -> Str:
        return service

    def drop(self, bus_name: str, announce: bool = True) -> None:
        listed = f"{bus_name}/StatusNotifierItem"
        self.items.remove(listed)
        if announce:
            self.StatusNotifierItemUnregistered(listed)

    def registrations(self, bus_name: str) -> list[float]:
        return [at for service, at in self.registered_at if service == bus_name]


@asynccontextmanager
async def dropping_watcher(address: str | None = None) -> AsyncIterator[DroppingWatcher]:
    """The watcher stand-in on the bus at `address` (default: this process's session bus)."""
    bus = await MessageBus(bus_address=address).connect()
    watcher = DroppingWatcher()
    bus.export(SNI_WATCHER_PATH, watcher)
    reply = await bus.request_name(SNI_WATCHER, NameFlag.DO_NOT_QUEUE)
    assert reply == RequestNameReply.PRIMARY_OWNER, reply
    try:
        yield watcher
    finally:
        bus.disconnect()
