"""A bad moment the person chose: the desktop's own "do not disturb". Reminders are held while it is on.

Three sources, one watcher each, all event-driven (the process sleeps until the setting changes):

- `NotificationsInhibitedWatcher`: the `Inhibited` property of org.freedesktop.Notifications, which
  KDE Plasma's notification server has (and others that copy it): true while do-not-disturb is on, and
  on Plasma 6.4+ also while a fullscreen window is focused, if the person chose that. Followed with
  PropertiesChanged. Used only when the running notification server has that property.
- `XfconfDndWatcher`: XFCE's xfce4-notifyd keeps its do-not-disturb switch in xfconf (channel
  "xfce4-notifyd", property "/do-not-disturb"), which xfconfd serves on the session bus
  (org.xfce.Xfconf: GetProperty, and the PropertyChanged signal).
- `GnomeDndWatcher`: GNOME Shell's do-not-disturb switch is the GSettings key
  org.gnome.desktop.notifications show-banners, inverted (false means do not disturb). GSettings
  cannot be read over D-Bus (dconf's own bus API hands out raw database changes, not values), so this
  one reads it with `gsettings get` once and then keeps one `gsettings monitor` process, which sleeps
  until the key changes and then prints a line ("show-banners: false"). That is a few MB for a small
  GLib process and no wake-ups; it runs only where the schema is installed and GSettings has a real
  (shared) backend.

None of them starts a service: calls carry NO_AUTOSTART, so asking on a desktop without xfconfd (or
without a notification server) does not launch one.

Left out on purpose: Windows Focus Assist has no documented API (its state is an undocumented WNF
state; the public SHQueryUserNotificationState sends no change notification, so it would have to be
polled), and macOS Focus is only readable through INFocusStatusCenter, which needs an app bundle and
the person's permission. See dnd_select.py for the lines rustlamp logs about them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shutil
from collections.abc import Mapping
from typing import Any

from dbus_fast import Message, MessageType, Variant
from dbus_fast.aio import MessageBus

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.dbus_call import CallFailed, call, disconnect

log = logging.getLogger("rustlamp.desk")

REASON = "dnd"
CONNECT_TIMEOUT = 2.0  # seconds; a session bus answers in milliseconds
GSETTINGS_TIMEOUT = 5.0

BUS = "org.freedesktop.DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"


class _DndState:
    """Whether do-not-disturb is on, told to the runtime only when it changes."""

    name = ""

    def __init__(self) -> None:
        self._emit: Emit | None = None
        self.holding = False

    def _set(self, on: bool) -> None:
        if on == self.holding:
            return
        self.holding = on
        log.info(
            "%s: do not disturb is %s: %s reminders",
            self.name,
            "on" if on else "off",
            "holding" if on else "releasing",
        )
        send(self._emit, DeskEvent("hold" if on else "release", self.name, reason=REASON))


class _BusWatcher(_DndState):
    """What the D-Bus watchers share: a connection of their own, following one service (by its
    well-known name, across restarts), a value read with a call and kept fresh by a signal."""

    name = ""
    service = ""  # the well-known name whose owner we follow
    what = ""  # for log lines: what the value is

    def __init__(self, bus_address: str | None = None) -> None:
        super().__init__()
        self._bus_address = bus_address  # None: the session bus
        self._bus: MessageBus | None = None
        self._owner = ""  # the unique name that owns `service` now ("" when nobody does)
        self._tasks: set[asyncio.Task[None]] = set()
        self._changes = 0  # signals that carried a value, so far: a read they overtook is read again

    @property
    def unique_name(self) -> str:
        """Our connection's name on the bus while started ("" otherwise): for the log and for tests."""
        return self._bus.unique_name if self._bus is not None and self._bus.unique_name else ""

    # ----- the DeskWatcher protocol ----------------------------------------------------------------

    async def start(self, emit: Emit) -> str | None:
        await self.close()  # a second start begins afresh
        try:
            bus = await asyncio.wait_for(MessageBus(bus_address=self._bus_address).connect(), CONNECT_TIMEOUT)
        except Exception as exc:  # no address, refused connection, bad auth, no answer
            problem = "no answer" if isinstance(exc, asyncio.TimeoutError) else str(exc) or type(exc).__name__
            return f"No D-Bus session bus could be reached ({problem}), so {self.what} cannot be followed."
        self._bus = bus
        try:
            reason = await self._start(bus, emit)
        except Exception as exc:
            log.warning("%s: could not start", self.name, exc_info=True)
            reason = f"Could not follow {self.what} ({exc})."
        if reason is not None:
            await self.close()
        return reason

    async def close(self) -> None:
        for task in self._tasks:
            task.cancel()
        self._tasks.clear()
        bus, self._bus = self._bus, None
        self._emit = None
        self._owner = ""
        self.holding = False
        if bus is None:
            return
        bus.remove_message_handler(self._on_message)
        await disconnect(bus)

    # ----- for subclasses --------------------------------------------------------------------------

    def _rules(self) -> list[str]:
        """Match rules for the signals that carry changes."""
        raise NotImplementedError

    async def _read(self) -> bool | None:
        """The value now: True while do-not-disturb is on; None when the service cannot say."""
        raise NotImplementedError

    def _on_signal(self, message: Message) -> bool | None:
        """A signal from the service's owner that matched one of `_rules`: the new value, or None when
        it says nothing about it."""
        raise NotImplementedError

    # ----- the shared parts ------------------------------------------------------------------------

    async def _start(self, bus: MessageBus, emit: Emit) -> str | None:
        # Listen first, then read: a change after the read always reaches us.
        bus.add_message_handler(self._on_message)
        rules = [
            f"type='signal',sender='{BUS}',interface='{BUS}',member='NameOwnerChanged',arg0='{self.service}'",
            *self._rules(),
        ]
        for rule in rules:
            await self._call(BUS, "/org/freedesktop/DBus", BUS, "AddMatch", "s", [rule])
        try:
            (self._owner,) = await self._call(
                BUS, "/org/freedesktop/DBus", BUS, "GetNameOwner", "s", [self.service]
            )
        except CallFailed as exc:
            if exc.error_name == "org.freedesktop.DBus.Error.NameHasNoOwner":
                return self._absent()
            raise
        value = await self._read_settled()
        if value is None:
            return self._unsupported()
        self._emit = emit
        self._set(value)
        return None

    async def _read_settled(self) -> bool | None:
        """`_read`, again if a signal came in meanwhile: it may have been sent before or after the
        answer, so only an answer to a question asked after the last signal is sure to be current."""
        value = None
        for _ in range(5):
            changes = self._changes
            value = await self._read()
            if changes == self._changes:
                break
        return value

    def _absent(self) -> str:
        return f"Nothing owns {self.service} on the session bus, so {self.what} cannot be followed."

    def _unsupported(self) -> str:
        return f"{self.service} cannot say {self.what}."

    async def _call(
        self, destination: str, path: str, interface: str, member: str, signature: str, body: list[Any]
    ) -> list[Any]:
        # never start a service just to ask it
        return await call(self._bus, destination, path, interface, member, signature, body, autostart=False)

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL:
            return
        if message.sender == BUS and message.member == "NameOwnerChanged":
            if message.body and message.body[0] == self.service:
                self._owner_changed(str(message.body[2]))
            return
        if self._owner and message.sender == self._owner:
            try:
                value = self._on_signal(message)
            except Exception:  # a strange signal must not reach the bus's loop
                log.exception("%s: could not read the signal %s", self.name, message.member)
                return
            if value is not None:
                self._changes += 1
                if self._emit is not None:  # while starting, the read (done again) tells
                    self._set(value)

    def _owner_changed(self, owner: str) -> None:
        self._owner = owner
        if self._emit is None:  # still starting: the read there is done again, of the new owner
            self._changes += 1
            return
        if not owner:
            log.info("%s: %s went away; not holding for it", self.name, self.service)
            self._set(False)
            return
        log.info("%s: %s is back; reading %s again", self.name, self.service, self.what)
        self._reread()

    def _reread(self) -> None:
        task = asyncio.get_running_loop().create_task(self._read_and_set())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _read_and_set(self) -> None:
        try:
            value = await self._read_settled()
        except CallFailed as exc:
            log.info("%s: could not read %s (%s)", self.name, self.what, exc)
            value = None
        self._set(bool(value))


# ----- KDE Plasma and others: org.freedesktop.Notifications' Inhibited property -----------------------

NOTIFICATIONS = "org.freedesktop.Notifications"
NOTIFICATIONS_PATH = "/org/freedesktop/Notifications"


class NotificationsInhibitedWatcher(_BusWatcher):
    """Holds while the notification server says it is Inhibited (do not disturb)."""

    name = "notifications-inhibited"
    service = NOTIFICATIONS
    what = "whether notifications are inhibited (do not disturb)"

    def _rules(self) -> list[str]:
        return [
            f"type='signal',interface='{PROPERTIES}',member='PropertiesChanged',"
            f"path='{NOTIFICATIONS_PATH}',arg0='{NOTIFICATIONS}'"
        ]

    def _absent(self) -> str:
        return (
            "No notification server runs on the session bus, so its do-not-disturb state cannot be followed."
        )

    def _unsupported(self) -> str:
        return (
            "The notification server has no Inhibited property (that is KDE Plasma's), so its "
            "do-not-disturb state cannot be read from it."
        )

    async def _read(self) -> bool | None:
        try:
            (value,) = await self._call(
                self._owner, NOTIFICATIONS_PATH, PROPERTIES, "Get", "ss", [NOTIFICATIONS, "Inhibited"]
            )
        except CallFailed as exc:
            log.debug("%s: no Inhibited property: %s", self.name, exc)
            return None
        return _boolean(value)

    def _on_signal(self, message: Message) -> bool | None:
        if message.member != "PropertiesChanged" or message.path != NOTIFICATIONS_PATH:
            return None
        interface, changed, invalidated = message.body
        if interface != NOTIFICATIONS:
            return None
        if "Inhibited" in changed:
            return bool(_boolean(changed["Inhibited"]))
        if "Inhibited" in invalidated:  # "it changed, ask me"
            if self._emit is not None:
                self._reread()
            else:
                self._changes += 1  # still starting: the read there is done again
        return None


# ----- XFCE: xfconf's xfce4-notifyd /do-not-disturb --------------------------------------------------

XFCONF = "org.xfce.Xfconf"
XFCONF_PATH = "/org/xfce/Xfconf"
XFCONF_CHANNEL = "xfce4-notifyd"
XFCONF_PROPERTY = "/do-not-disturb"
# xfconfd's answers for "never set" (a fresh profile has not even the channel): do not disturb is off
XFCONF_NOT_SET = ("org.xfce.Xfconf.Error.PropertyNotFound", "org.xfce.Xfconf.Error.ChannelNotFound")


class XfconfDndWatcher(_BusWatcher):
    """Holds while XFCE's notification daemon is set to do not disturb."""

    name = "xfconf"
    service = XFCONF
    what = "XFCE's do-not-disturb setting"

    def _rules(self) -> list[str]:
        return [
            f"type='signal',interface='{XFCONF}',member='{member}',path='{XFCONF_PATH}',"
            f"arg0='{XFCONF_CHANNEL}',arg1='{XFCONF_PROPERTY}'"
            for member in ("PropertyChanged", "PropertyRemoved")
        ]

    def _absent(self) -> str:
        return (
            "xfconfd (XFCE's settings service) is not running, so XFCE's do-not-disturb cannot be followed."
        )

    async def _read(self) -> bool | None:
        try:
            (value,) = await self._call(
                self._owner, XFCONF_PATH, XFCONF, "GetProperty", "ss", [XFCONF_CHANNEL, XFCONF_PROPERTY]
            )
        except CallFailed as exc:
            if exc.error_name in XFCONF_NOT_SET:
                return False  # never switched on: xfce4-notifyd's default is off
            log.debug("%s: GetProperty failed: %s", self.name, exc)
            return None
        return bool(_boolean(value))

    def _on_signal(self, message: Message) -> bool | None:
        if message.path != XFCONF_PATH or message.body[:2] != [XFCONF_CHANNEL, XFCONF_PROPERTY]:
            return None
        if message.member == "PropertyChanged":
            return bool(_boolean(message.body[2]))
        if message.member == "PropertyRemoved":
            return False  # reset to the default: off
        return None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, Variant):
        value = value.value
    return value if isinstance(value, bool) else None


# ----- GNOME: the show-banners key, through gsettings -------------------------------------------------

GNOME_SCHEMA = "org.gnome.desktop.notifications"
GNOME_KEY = "show-banners"
MEMORY_BACKEND = (
    "GSettings keeps its settings in memory here (GSETTINGS_BACKEND=memory, or no backend to share them), "
    "so GNOME's do-not-disturb cannot be read."
)


def parse_show_banners(line: str) -> bool | None:
    """show-banners from a line of `gsettings get` ("false") or `gsettings monitor` ("show-banners:
    false"); None for anything else."""
    text = line.strip()
    if text.startswith(GNOME_KEY + ":"):
        text = text[len(GNOME_KEY) + 1 :].strip()
    return {"true": True, "false": False}.get(text)


class GnomeDndWatcher(_DndState):
    """Holds while GNOME's do-not-disturb is on (show-banners is false); see the module docstring.

    If rustlamp is killed outright, the monitor notices only at the next change of the key (its output
    then goes nowhere and it ends); a normal stop ends it at once."""

    name = "gnome-gsettings"

    def __init__(self, env: Mapping[str, str] | None = None, program: str = "gsettings") -> None:
        super().__init__()
        self._env = dict(env) if env is not None else None  # None: ours
        self._program = program
        self._monitor: asyncio.subprocess.Process | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False

    @property
    def monitor_pid(self) -> int | None:
        """The `gsettings monitor` process, while it runs."""
        return self._monitor.pid if self._monitor is not None and self._monitor.returncode is None else None

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        env = self._env if self._env is not None else os.environ
        program = shutil.which(self._program, path=env.get("PATH"))
        if program is None:
            return f"There is no {self._program} program here, so GNOME's do-not-disturb cannot be read."
        if env.get("GSETTINGS_BACKEND") == "memory":
            return MEMORY_BACKEND
        try:
            # The monitor first, then the value: a change in between reaches us through the monitor.
            self._monitor = await asyncio.create_subprocess_exec(
                program,
                "monitor",
                GNOME_SCHEMA,
                GNOME_KEY,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                env=self._env,
            )
            reason = await self._read_now(program, emit)
        except Exception as exc:
            log.warning("%s: could not start", self.name, exc_info=True)
            reason = f"Could not run {self._program} ({exc}), so GNOME's do-not-disturb cannot be read."
        if reason is not None:
            await self.close()
            return reason
        assert self._monitor is not None and self._monitor.stdout is not None
        self._task = asyncio.get_running_loop().create_task(self._follow(self._monitor.stdout))
        return None

    async def _read_now(self, program: str, emit: Emit) -> str | None:
        get = await asyncio.create_subprocess_exec(
            program,
            "get",
            GNOME_SCHEMA,
            GNOME_KEY,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._env,
        )
        try:
            out, err = await asyncio.wait_for(get.communicate(), GSETTINGS_TIMEOUT)
        except asyncio.TimeoutError:
            get.kill()
            await get.wait()
            return f"`{self._program} get` gave no answer within {GSETTINGS_TIMEOUT:g} s."
        errors = err.decode(errors="replace").strip()
        if get.returncode != 0:
            first = errors.splitlines()[0] if errors else f"status {get.returncode}"
            return (
                f"GNOME's notification settings are not here ({first}), so its do-not-disturb cannot be read."
            )
        if "'memory' GSettings backend" in errors:
            return MEMORY_BACKEND
        show_banners = parse_show_banners(out.decode(errors="replace"))
        if show_banners is None:
            return f"`{self._program} get {GNOME_SCHEMA} {GNOME_KEY}` said {out!r}, not true or false."
        self._emit = emit
        self._set(not show_banners)
        return None

    async def _follow(self, stdout: asyncio.StreamReader) -> None:
        while True:
            line = await stdout.readline()
            if not line:
                break
            show_banners = parse_show_banners(line.decode(errors="replace"))
            if show_banners is not None:
                self._set(not show_banners)
        if not self._closing:
            log.warning(
                "%s: `%s monitor` ended; GNOME's do-not-disturb is no longer followed",
                self.name,
                self._program,
            )
            self._set(False)  # we cannot see it any more: do not hold forever

    async def close(self) -> None:
        self._closing = True
        monitor, self._monitor = self._monitor, None
        if monitor is not None and monitor.returncode is None:
            monitor.terminate()  # by PID
            try:
                await asyncio.wait_for(monitor.wait(), GSETTINGS_TIMEOUT)
            except asyncio.TimeoutError:
                monitor.kill()
                await monitor.wait()
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._emit = None
        self.holding = False
        self._closing = False
