"""Sleep and screen lock from systemd-logind (or elogind), on the D-Bus system bus.

- Sleep: the Manager's `PrepareForSleep(b)` signal, true just before a suspend or hibernate ("sleep"),
  false after resuming ("wake"; logind also sends it when a suspend failed, which is right for us too).
- Lock: our session's `LockedHint` property, followed through PropertiesChanged. The screen locker sets it
  (GNOME Shell, KDE's kscreenlocker, light-locker, ... call Session.SetLockedHint), so it says what the
  screen *is*. The session's `Lock`/`Unlock` signals are only *requests* to the locker (`loginctl
  lock-session`, a lid switch policy); the locker may refuse, be absent or take a while, so they are used
  only where logind has no LockedHint (systemd before 230, 2016), as the best there is.

Our session: GetSessionByPID(our pid) first; that fails for a process outside any session scope (GNOME
and KDE start autostart programs as systemd user units, for instance), so then the session named by
$XDG_SESSION_ID, then the user's graphical session (the User object's `Display`), which is what logind
itself uses for GetSession("auto") in newer versions. Without a session, sleep is still followed.

No inhibitor is taken: rustlamp does nothing slow before a sleep, so it never delays one. No polling:
between signals nothing runs. Events are sent only on a change; a "lock" from both logind and a screensaver
watcher is fine, as the core treats a second "lock" while locked as nothing. When the screen is already
locked at start, one "lock" is emitted during start().
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Coroutine
from typing import Any

from dbus_fast import BusType, Message, MessageType
from dbus_fast.aio import MessageBus

from rustlamp.desk.base import DeskEvent, Emit, EventKind, send
from rustlamp.desk.dbus_call import CallFailed, call, disconnect

log = logging.getLogger("rustlamp.desk")

DBUS = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
LOGIND = "org.freedesktop.login1"
MANAGER_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION = "org.freedesktop.login1.Session"
USER = "org.freedesktop.login1.User"
NO_OWNER = "org.freedesktop.DBus.Error.NameHasNoOwner"

CONNECT_TIMEOUT = 2.0  # seconds; a bus answers in milliseconds


class BusWatcher:
    """What the D-Bus desk watchers share: one connection of their own, calls with a timeout, match rules,
    the owners of well-known names (followed through NameOwnerChanged, so a signal is believed only from
    the name's owner), and an emit that never raises into dbus-fast.

    `note` is a line for the log when the watcher works only in part (None: fully)."""

    name = ""
    followed = ""  # for the log: "logind", "the screensaver"
    bus_type = BusType.SESSION
    bus_label = "session"

    def __init__(self, bus_address: str | None = None) -> None:
        self._address = bus_address  # None: dbus-fast's default ($DBUS_SESSION/SYSTEM_BUS_ADDRESS)
        self._bus: MessageBus | None = None
        self._emit_to: Emit | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._owners: dict[str, str] = {}  # followed well-known name -> its owner's unique name ("": none)
        self._owner_changes: dict[str, int] = {}  # NameOwnerChanged seen per name; see _follow
        self.note: str | None = None

    async def start(self, emit: Emit) -> str | None:
        await self.close()  # a second start begins afresh
        self.note = None
        self._emit_to = emit
        try:
            problem = await self._start()
        except Exception as exc:  # start() reports, it never raises
            log.warning("%s could not be followed", self.followed, exc_info=True)
            problem = f"{self.followed} could not be followed: {exc}"
        if problem is not None:
            await self.close()
        return problem

    async def _start(self) -> str | None:
        """Connect and subscribe; None when it works, else why not."""
        raise NotImplementedError

    # ----- connection ----------------------------------------------------------------------------

    async def _connect(self) -> str | None:
        """Connect; None when connected, else why not."""
        try:
            bus = MessageBus(bus_address=self._address, bus_type=self.bus_type)
        except Exception as exc:  # no address known
            return f"no D-Bus {self.bus_label} bus is known here ({exc})"
        try:
            await asyncio.wait_for(bus.connect(), CONNECT_TIMEOUT)
        except Exception as exc:  # refused, missing socket, bad auth, no answer
            with contextlib.suppress(Exception):
                bus.disconnect()
            reason = "no answer" if isinstance(exc, asyncio.TimeoutError) else str(exc) or type(exc).__name__
            return f"the D-Bus {self.bus_label} bus could not be reached ({reason})"
        self._bus = bus
        bus.add_message_handler(self._on_message)
        self._later(self._watch_connection(bus))
        return None

    async def _watch_connection(self, bus: MessageBus) -> None:
        with contextlib.suppress(Exception):
            # shielded: cancelling this task (close()) must not cancel the bus's own future
            await asyncio.shield(bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
        if self._bus is bus:  # not our own close()
            log.warning("%s: lost the D-Bus %s bus; nothing more is followed", self.name, self.bus_label)

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        bus, self._bus = self._bus, None
        self._emit_to = None
        self._owners.clear()
        self._owner_changes.clear()
        self._forget()
        if bus is None:
            return
        await disconnect(bus)

    def _forget(self) -> None:
        """Drop what a subclass knows about the desk (at close)."""

    # ----- calls ---------------------------------------------------------------------------------

    async def _call(
        self, destination: str, path: str, interface: str, member: str, signature: str = "", body: Any = ()
    ) -> list[Any]:
        return await call(self._bus, destination, path, interface, member, signature, body)

    async def _get_property(self, destination: str, path: str, interface: str, name: str) -> Any:
        (value,) = await self._call(destination, path, PROPERTIES, "Get", "ss", [interface, name])
        return value.value

    async def _add_match(self, rule: str) -> None:
        await self._call(DBUS, DBUS_PATH, DBUS, "AddMatch", "s", [rule])

    # ----- owners of names -----------------------------------------------------------------------

    async def _follow(self, name: str) -> str:
        """Follow who owns `name` from now on; return its owner now ("" when nobody)."""
        self._owner_changes.setdefault(name, 0)
        await self._add_match(
            f"type='signal',sender='{DBUS}',path='{DBUS_PATH}',interface='{DBUS}',"
            f"member='NameOwnerChanged',arg0='{name}'"
        )
        seen = self._owner_changes[name]
        try:
            (owner,) = await self._call(DBUS, DBUS_PATH, DBUS, "GetNameOwner", "s", [name])
        except CallFailed as exc:
            if exc.error_name != NO_OWNER:
                raise
            owner = ""
        # A NameOwnerChanged handled while we waited is newer than this answer: it wins.
        if self._owner_changes.get(name) == seen:
            self._owners[name] = str(owner)
        return self._owners.get(name, "")

    def owner(self, name: str) -> str:
        """The unique name that owns `name` now, as far as we know ("" when nobody)."""
        return self._owners.get(name, "")

    def _owner_changed(self, name: str, new_owner: str) -> None:
        """A followed name got a new owner, or none ("")."""

    # ----- incoming ------------------------------------------------------------------------------

    def _on_message(self, message: Message) -> None:
        # Runs inside dbus-fast's reader: an exception must be logged here, never reach the loop.
        if message.message_type != MessageType.SIGNAL:
            return
        try:
            if message.member == "NameOwnerChanged" and message.sender == DBUS and message.interface == DBUS:
                name, _old, new = message.body
                if name in self._owner_changes:
                    self._owner_changes[name] += 1
                    if self._owners.get(name, "") != new:
                        self._owners[name] = new
                        self._owner_changed(name, new)
            else:
                self._on_signal(message)
        except Exception:
            log.exception("%s: could not handle %s.%s", self.name, message.interface, message.member)

    def _on_signal(self, message: Message) -> None:
        """Any other signal that reached us (match rules, or sent to us directly: check the sender)."""

    def _emit(self, kind: EventKind, source: str) -> None:
        log.debug("%s: %s", source, kind)
        send(self._emit_to, DeskEvent(kind, source))

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` on the loop, keeping a reference so it is not collected; close() cancels it."""
        task = asyncio.get_running_loop().create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s: a background step failed", self.name)


class LogindWatcher(BusWatcher):
    """DeskWatcher for "sleep"/"wake" and "lock"/"unlock" from logind; see the module docstring.

    `bus_address` overrides the system bus (else $DBUS_SYSTEM_BUS_ADDRESS or the standard socket).
    After a successful start, `session_path` is our session's object path (None: lock not followed, and
    `note` says why) and `lock_via` says how the lock is followed."""

    name = "logind"
    followed = "logind"
    bus_type = BusType.SYSTEM
    bus_label = "system"

    def __init__(self, bus_address: str | None = None) -> None:
        super().__init__(bus_address)
        self._forget()

    def _forget(self) -> None:
        self.session_path: str | None = None
        self.lock_via: str | None = None  # "LockedHint" or "Lock/Unlock signals"
        self._sleeping = False
        self._locked = False
        self._has_locked_hint = False
        self._lock_news = 0  # lock changes seen in signals; see _read_locked_hint

    async def _start(self) -> str | None:
        problem = await self._connect()
        if problem is not None:
            return f"{problem}, so sleep and screen lock are not followed through logind"
        if not await self._follow(LOGIND):
            return f"logind ({LOGIND}) is not on the system bus, so sleep and screen lock are not followed"
        await self._add_match(
            f"type='signal',sender='{LOGIND}',path='{MANAGER_PATH}',interface='{MANAGER}',"
            "member='PrepareForSleep'"
        )
        path, problem = await self._find_session()
        if path is None:
            self.note = f"the screen lock is not followed: no login session found ({problem})"
            log.info("logind: following sleep only")  # why not the lock: `note`, logged by the caller
            return None
        self.session_path = path
        # Both rules before the first read, so no change can slip in between.
        await self._add_match(
            f"type='signal',sender='{LOGIND}',path='{path}',interface='{PROPERTIES}',"
            f"member='PropertiesChanged',arg0='{SESSION}'"
        )
        await self._add_match(f"type='signal',sender='{LOGIND}',path='{path}',interface='{SESSION}'")
        await self._read_locked_hint()
        self.lock_via = "LockedHint" if self._has_locked_hint else "Lock/Unlock signals"
        log.info("logind: following sleep, and the screen lock of %s through %s", path, self.lock_via)
        return None

    async def _find_session(self) -> tuple[str | None, str]:
        """Our session's object path, or None and what was tried."""
        tried: list[str] = []
        owner = self.owner(LOGIND)
        try:
            (path,) = await self._call(owner, MANAGER_PATH, MANAGER, "GetSessionByPID", "u", [os.getpid()])
            return str(path), ""
        except CallFailed as exc:
            tried.append(str(exc))
        session_id = os.environ.get("XDG_SESSION_ID", "")
        if session_id:
            try:
                (path,) = await self._call(owner, MANAGER_PATH, MANAGER, "GetSession", "s", [session_id])
                return str(path), ""
            except CallFailed as exc:
                tried.append(str(exc))
        else:
            tried.append("XDG_SESSION_ID is not set")
        try:
            (user_path,) = await self._call(owner, MANAGER_PATH, MANAGER, "GetUser", "u", [os.getuid()])
            _session_id, path = await self._get_property(owner, str(user_path), USER, "Display")
            if path and path != "/":
                return str(path), ""
            tried.append("the user has no graphical session")
        except (CallFailed, ValueError, TypeError) as exc:
            tried.append(str(exc))
        return None, "; ".join(tried)

    async def _read_locked_hint(self) -> None:
        """Read LockedHint now; unknown to this logind (before systemd 230): follow Lock/Unlock instead."""
        path = self.session_path
        if path is None:
            return
        news = self._lock_news
        try:
            locked = await self._get_property(self.owner(LOGIND), path, SESSION, "LockedHint")
        except CallFailed as exc:
            if not self._has_locked_hint:
                log.debug("logind: no LockedHint (%s)", exc)
            return
        self._has_locked_hint = True
        if self._lock_news == news:  # else a signal handled while we waited is newer than this answer
            self._set_locked(bool(locked))

    def _owner_changed(self, name: str, new_owner: str) -> None:
        if not new_owner:
            log.info("logind left the system bus; sleep and lock are followed again when it is back")
            if self._sleeping:  # nobody is left to say "wake", and we are running: the machine is awake
                self._sleeping = False
                self._emit("wake", self.name)
            return
        # A restarted logind keeps its sessions (and their LockedHint); it may have changed meanwhile.
        log.info("logind is on the system bus again")
        self._later(self._read_locked_hint())

    def _on_signal(self, message: Message) -> None:
        if not message.sender or message.sender != self.owner(LOGIND):
            return  # not from logind (anyone may send a signal to us directly)
        member, body = message.member, message.body
        if message.path == MANAGER_PATH and message.interface == MANAGER:
            if member == "PrepareForSleep" and message.signature == "b":
                self._set_sleeping(bool(body[0]))
            return
        if self.session_path is None or message.path != self.session_path:
            return
        if message.interface == PROPERTIES and member == "PropertiesChanged":
            interface, changed, invalidated = body
            if interface != SESSION:
                return
            if "LockedHint" in changed:
                self._has_locked_hint = True
                self._lock_news += 1
                self._set_locked(bool(changed["LockedHint"].value))
            elif "LockedHint" in invalidated:
                self._later(self._read_locked_hint())
        elif message.interface == SESSION and member in ("Lock", "Unlock") and not self._has_locked_hint:
            # Requests to the screen locker, not facts: only where LockedHint (the fact) does not exist.
            self._lock_news += 1
            self._set_locked(member == "Lock")

    def _set_sleeping(self, sleeping: bool) -> None:
        if sleeping != self._sleeping:
            self._sleeping = sleeping
            self._emit("sleep" if sleeping else "wake", self.name)

    def _set_locked(self, locked: bool) -> None:
        if locked != self._locked:
            self._locked = locked
            self._emit("lock" if locked else "unlock", self.name)
