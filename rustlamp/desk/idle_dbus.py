"""Idle time over the D-Bus session bus: GNOME's idle monitor (event-driven) and org.freedesktop.ScreenSaver
(only asked; KDE Plasma on X11 and some others).

MutterIdleWatcher, GNOME on Wayland and X11: org.gnome.Mutter.IdleMonitor at
/org/gnome/Mutter/IdleMonitor/Core. AddIdleWatch(interval ms) returns a watch id that fires WatchFired(id)
each time the idle time reaches the interval (once per idle spell; at once when the idle time is already
past it). AddUserActiveWatch() fires once, at the next input, and is then gone, so it is added only when
the person becomes idle. Mutter sends WatchFired to the watch's owner alone, and forgets a client's watches
when it leaves the bus; we still remove ours on close. Cost: one signal per threshold crossed and one at
the return; nothing at all while the person works.

ScreenSaverIdleWatcher, org.freedesktop.ScreenSaver.GetSessionIdleTime: a question, not a notification.
It uses the scheduler in idle_other.py: ask once, sleep until the next threshold would be crossed without
input (threshold - idle), ask again; and while idle, ask every 2 s to notice the return. That is one
D-Bus round trip per threshold's worth of work while someone is at the desk (at most one a minute with
minute-long thresholds) and 30 a minute while nobody is. KDE answers in milliseconds, which is what we
read (the draft spec said seconds; KDE, the main user of this interface, has always sent milliseconds).
Plasma on Wayland refuses the call (NotSupported): then start() says so and another source is chosen.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any

from dbus_fast import Message, MessageType
from dbus_fast.aio import MessageBus

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.dbus_call import CallFailed, disconnect
from rustlamp.desk.dbus_call import call as _call
from rustlamp.desk.idle_other import POLL_WHILE_IDLE, CrossingIdleWatcher, clean_thresholds

log = logging.getLogger("rustlamp.desk")

MUTTER = "org.gnome.Mutter.IdleMonitor"
MUTTER_PATH = "/org/gnome/Mutter/IdleMonitor/Core"
SCREENSAVER = "org.freedesktop.ScreenSaver"
SCREENSAVER_PATHS = ("/org/freedesktop/ScreenSaver", "/ScreenSaver")  # KDE has both; others the first
DBUS = "org.freedesktop.DBus"
CONNECT_TIMEOUT = 2.0  # seconds; a session bus answers in milliseconds


async def _connect(address: str | None) -> MessageBus | str:
    """A connected bus, or why there is none."""
    try:
        return await asyncio.wait_for(MessageBus(bus_address=address).connect(), CONNECT_TIMEOUT)
    except Exception as exc:  # no address, refused, bad auth, no answer
        reason = "no answer" if isinstance(exc, asyncio.TimeoutError) else str(exc) or type(exc).__name__
        return f"no D-Bus session bus could be reached ({reason})"


def _millis(duration: timedelta) -> int:
    return max(1, round(duration.total_seconds() * 1000))


# --- GNOME ---------------------------------------------------------------------------------------


class MutterIdleWatcher:
    """The IdleWatcher over org.gnome.Mutter.IdleMonitor; see the module docstring."""

    name = "mutter"

    def __init__(self, bus_address: str | None = None) -> None:
        self._address = bus_address
        self._thresholds: list[timedelta] = []
        self._bus: MessageBus | None = None
        self._owner = ""  # Mutter's unique name: WatchFired must come from it
        self._emit: Emit | None = None
        self._watches: dict[int, timedelta] = {}  # idle watch id -> its threshold
        self._active_watch: int | None = None  # the one-shot "input again" watch, while idle
        self._fired: set[int] = set()  # idle watches that fired in this idle spell
        self._emitted: set[timedelta] = set()  # thresholds reported in this idle spell
        self._idle = False
        self._adding = 0  # Add*Watch calls waiting for their reply
        self._early: set[int] = set()  # ids that fired before their Add*Watch reply reached us
        self._lock: asyncio.Lock | None = None  # made in start(), on the loop that runs us
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def set_thresholds(self, thresholds: Sequence[timedelta]) -> None:
        self._thresholds = clean_thresholds(thresholds)
        if self._bus is not None:
            self._later(self._sync_watches())

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        bus = await _connect(self._address)
        if isinstance(bus, str):
            return bus
        try:
            [owner] = await _call(bus, DBUS, "/org/freedesktop/DBus", DBUS, "GetNameOwner", "s", [MUTTER])
        except CallFailed as exc:
            await disconnect(bus)
            if exc.error_name == "org.freedesktop.DBus.Error.NameHasNoOwner":
                return f"{MUTTER} is not on the session bus (this is not GNOME)"
            return f"{MUTTER} could not be asked: {exc}"
        self._bus, self._owner, self._emit = bus, str(owner), emit
        self._lock, self._loop = asyncio.Lock(), asyncio.get_running_loop()
        bus.add_message_handler(self._on_message)
        try:
            # WatchFired is sent to us alone, but a monitor that broadcasts it would need the rule; and
            # NameOwnerChanged tells when gnome-shell restarts (its watches are gone then).
            for rule in (
                f"type='signal',sender='{MUTTER}',interface='{MUTTER}',member='WatchFired'",
                f"type='signal',sender='{DBUS}',interface='{DBUS}',member='NameOwnerChanged',arg0='{MUTTER}'",
            ):
                await _call(bus, DBUS, "/org/freedesktop/DBus", DBUS, "AddMatch", "s", [rule])
            await self._sync_watches()
        except CallFailed as exc:
            await self.close()
            return f"{MUTTER} could not be used: {exc}"
        return None

    async def close(self) -> None:
        bus, self._bus = self._bus, None
        tasks, self._tasks = list(self._tasks), set()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # their clean-up runs before the reset below
        self._emit = None
        watches = [*self._watches, *([self._active_watch] if self._active_watch is not None else [])]
        self._watches.clear()
        self._active_watch = None
        self._fired.clear()
        self._emitted.clear()
        self._early.clear()
        self._idle = False
        self._adding = 0
        self._lock = self._loop = None
        if bus is None:
            return
        if bus.connected:  # Mutter would drop them when we leave the bus; tidy all the same
            await asyncio.gather(
                *(_call(bus, MUTTER, MUTTER_PATH, MUTTER, "RemoveWatch", "u", [watch]) for watch in watches),
                return_exceptions=True,
            )
        await disconnect(bus)

    # --- watches ----------------------------------------------------------------------------------

    async def _add_watch(self, member: str, signature: str = "", body: Sequence[Any] = ()) -> int:
        bus = self._bus
        if bus is None:
            raise CallFailed(f"{member}: not connected")
        self._adding += 1
        try:
            [watch] = await _call(bus, MUTTER, MUTTER_PATH, MUTTER, member, signature, body)
        finally:
            self._adding -= 1
        return int(watch)

    def _claim_early(self, watch: int) -> None:
        """The watch fired while its id was still on its way to us: handle that firing now."""
        if watch in self._early:
            self._early.discard(watch)
            self._on_fired(watch)
        if not self._adding:
            self._early.clear()

    async def _sync_watches(self) -> None:
        """One idle watch per threshold: remove those no longer wanted, add the missing ones."""
        bus, lock = self._bus, self._lock
        if bus is None or lock is None:
            return
        async with lock:
            for watch, threshold in list(self._watches.items()):
                if threshold not in self._thresholds:
                    del self._watches[watch]
                    self._fired.discard(watch)
                    with contextlib.suppress(CallFailed):
                        await _call(bus, MUTTER, MUTTER_PATH, MUTTER, "RemoveWatch", "u", [watch])
            have = set(self._watches.values())
            for threshold in self._thresholds:
                if threshold not in have and self._bus is bus:
                    watch = await self._add_watch("AddIdleWatch", "t", [_millis(threshold)])
                    self._watches[watch] = threshold
                    self._claim_early(watch)

    async def _watch_for_input(self, crossed: timedelta) -> None:
        """Add the one-shot user-active watch, then close the gap: input that came between the idle
        watch firing and this watch being in place shows as an idle time below the threshold."""
        try:
            watch = await self._add_watch("AddUserActiveWatch")
            if not self._idle or self._bus is None:  # back already, seen another way
                await self._remove(watch)
                return
            self._active_watch = watch
            self._claim_early(watch)
            if self._active_watch != watch:
                return  # it fired already
            [idle_ms] = await _call(self._bus, MUTTER, MUTTER_PATH, MUTTER, "GetIdletime")
            if self._active_watch == watch and int(idle_ms) < _millis(crossed):
                self._active_watch = None
                await self._remove(watch)
                self._became_active()
        except CallFailed as exc:
            log.warning("mutter: could not watch for the return from idle: %s", exc)

    async def _remove(self, watch: int) -> None:
        if self._bus is not None:
            with contextlib.suppress(CallFailed):
                await _call(self._bus, MUTTER, MUTTER_PATH, MUTTER, "RemoveWatch", "u", [watch])

    # --- signals ----------------------------------------------------------------------------------

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL:
            return
        if message.member == "WatchFired" and message.interface == MUTTER and message.sender == self._owner:
            if message.body:
                self._on_fired(int(message.body[0]))
        elif message.member == "NameOwnerChanged" and message.sender == DBUS and message.body[:1] == [MUTTER]:
            self._owner_changed(str(message.body[2]))

    def _on_fired(self, watch: int) -> None:
        if watch == self._active_watch:
            self._active_watch = None  # one-shot: Mutter has dropped it
            self._became_active()
            return
        threshold = self._watches.get(watch)
        if threshold is None:
            if self._adding:
                self._early.add(watch)
            return
        if watch in self._fired:
            # The same idle watch again: a new idle spell, so the person was back in between.
            self._became_active()
        self._fired.add(watch)
        if threshold in self._emitted:
            return  # a watch added while idle (new thresholds) for a threshold already told
        self._emitted.add(threshold)
        if not self._idle:
            self._idle = True
            self._later(self._watch_for_input(threshold))
        self._send(DeskEvent("idle", self.name, idle_for=threshold))

    def _became_active(self) -> None:
        if not self._idle:
            return
        self._idle = False
        self._fired.clear()
        self._emitted.clear()
        if self._active_watch is not None:
            watch, self._active_watch = self._active_watch, None
            self._later(self._remove(watch))
        self._send(DeskEvent("active", self.name))

    def _owner_changed(self, new_owner: str) -> None:
        """gnome-shell went away or restarted: its watches went with it."""
        self._watches.clear()
        self._fired.clear()
        self._active_watch = None
        self._owner = new_owner
        if not new_owner:
            log.info("mutter: the idle monitor left the bus; natural breaks wait for it to come back")
            return
        log.info("mutter: the idle monitor is back; watching again")
        self._later(self._sync_watches())
        if self._idle and self._emitted:
            self._later(self._watch_for_input(min(self._emitted)))

    def _send(self, event: DeskEvent) -> None:
        send(self._emit, event)

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        if self._loop is None:
            work.close()
            return
        task = self._loop.create_task(self._logged(work))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _logged(self, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except CallFailed as exc:
            log.warning("mutter: %s", exc)


# --- org.freedesktop.ScreenSaver -------------------------------------------------------------------


class ScreenSaverIdleWatcher(CrossingIdleWatcher):
    """The IdleWatcher over org.freedesktop.ScreenSaver.GetSessionIdleTime; see the module docstring."""

    def __init__(self, bus_address: str | None = None, poll_while_idle: float = POLL_WHILE_IDLE) -> None:
        super().__init__("freedesktop-screensaver", self._session_idle, poll_while_idle)
        self._address = bus_address
        self._bus: MessageBus | None = None
        self._path = SCREENSAVER_PATHS[0]

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        bus = await _connect(self._address)
        if isinstance(bus, str):
            return bus
        self._bus = bus
        problem = ""
        for path in SCREENSAVER_PATHS:  # find the object that answers, once
            try:
                await _call(bus, SCREENSAVER, path, SCREENSAVER, "GetSessionIdleTime")
            except CallFailed as exc:
                if exc.error_name == "org.freedesktop.DBus.Error.ServiceUnknown":
                    await self.close()
                    return f"{SCREENSAVER} is not on the session bus"
                problem = problem or str(exc)
                continue
            self._path = path
            reason = await super().start(emit)
            if reason is not None:
                await self.close()
            return reason
        await self.close()
        return f"{SCREENSAVER} does not tell the idle time here ({problem})"

    async def close(self) -> None:
        await super().close()
        bus, self._bus = self._bus, None
        if bus is not None:
            await disconnect(bus)

    async def _session_idle(self) -> float:
        if self._bus is None:
            raise CallFailed("GetSessionIdleTime: not connected")
        [millis] = await _call(self._bus, SCREENSAVER, self._path, SCREENSAVER, "GetSessionIdleTime")
        return int(millis) / 1000.0
