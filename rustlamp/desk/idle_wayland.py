"""Idle time on Wayland without D-Bus: KDE Plasma (KWin) and wlroots desktops such as sway.

There the compositor alone sees input, and it tells idle time only through Wayland protocols:
- ext-idle-notify-v1 (KWin 5.27, wlroots 0.17 and later): a notification per timeout, "idled" when
  there was no input for that long, "resumed" at the next input. Version 2 adds
  get_input_idle_notification, which counts input only; the plain one also stays "not idle" while an
  app inhibits idling (a video playing), so where version 2 is offered we use it: a film is not a
  person at the desk.
- org_kde_kwin_idle (KWin; the only one in sway 1.7 / wlroots 0.15): the same idea, "idle" and
  "resumed" per timeout; it too stays "not idle" under an idle inhibitor.

One notification per threshold, each counting from when it was made (a threshold already passed when
rustlamp starts is not reported: the compositor counts from the request). Events come on the Wayland
socket, which the asyncio loop watches (add_reader): nothing wakes while nothing changes. The wire
protocol is spoken by wayland_wire.py.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Sequence
from datetime import timedelta

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.idle_other import clean_thresholds
from rustlamp.desk.wayland_wire import UINT, Global, WaylandConnection, WaylandError

log = logging.getLogger("rustlamp.desk")

EXT_NOTIFIER = "ext_idle_notifier_v1"
KDE_IDLE = "org_kde_kwin_idle"
SEAT = "wl_seat"

# ext_idle_notifier_v1 requests, ext_idle_notification_v1 request and events
_EXT_GET_IDLE_NOTIFICATION = 1
_EXT_GET_INPUT_IDLE_NOTIFICATION = 2  # since version 2
_EXT_NOTIFICATION_DESTROY = 0
_EXT_IDLED, _EXT_RESUMED = 0, 1
# org_kde_kwin_idle request, org_kde_kwin_idle_timeout request (its events are numbered as ext's)
_KDE_GET_IDLE_TIMEOUT = 0
_KDE_TIMEOUT_RELEASE = 0

SOURCES = {
    "ext-idle-notify-input": "the compositor's input idle time (ext-idle-notify-v1, input only)",
    "ext-idle-notify": "the compositor's idle time (ext-idle-notify-v1; a playing video counts as presence)",
    "kde-idle": "the compositor's idle time (org_kde_kwin_idle; a playing video counts as presence)",
}


def _millis(duration: timedelta) -> int:
    return max(1, min(0xFFFFFFFF, round(duration.total_seconds() * 1000)))


class WaylandIdleWatcher:
    """The IdleWatcher over ext-idle-notify-v1 or org_kde_kwin_idle; see the module docstring.
    `prefer` ("ext" or "kde") is for tests on a compositor that offers both."""

    name = "wayland"

    def __init__(self, socket_path: str | None = None, prefer: str = "ext") -> None:
        self._path = socket_path
        self._prefer = prefer
        self._thresholds: list[timedelta] = []
        self._connection: WaylandConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._seat = 0
        self._notifier = 0
        self._kind = ""  # a key of SOURCES once started
        self._notifications: dict[int, timedelta] = {}  # object id -> its threshold
        self._emitted: set[timedelta] = set()  # thresholds reported in this idle spell
        self._idle = False

    @property
    def source(self) -> str:
        """Which protocol is in use (a key of SOURCES), "" before start()."""
        return self._kind

    @property
    def description(self) -> str:
        """The protocol in use, for the log."""
        return SOURCES.get(self._kind, "")

    def set_thresholds(self, thresholds: Sequence[timedelta]) -> None:
        self._thresholds = clean_thresholds(thresholds)
        if self._connection is not None:
            self._renew()

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        try:
            connection = await asyncio.to_thread(WaylandConnection.connect, self._path)
        except WaylandError as exc:
            return str(exc)
        chosen = self._choose(connection)
        if isinstance(chosen, str):
            connection.close()
            return chosen
        notifier, seat = chosen
        try:
            self._seat = connection.bind(seat, 1)
            if notifier.interface == EXT_NOTIFIER:
                self._notifier = connection.bind(notifier, 2)
                input_only = notifier.version >= 2
                self._kind = "ext-idle-notify-input" if input_only else "ext-idle-notify"
            else:
                self._notifier = connection.bind(notifier, 1)
                self._kind = "kde-idle"
        except OSError as exc:
            connection.close()
            return f"the Wayland compositor could not be asked: {exc}"
        self._connection, self._emit = connection, emit
        self._loop = asyncio.get_running_loop()
        self._renew()
        self._loop.add_reader(connection.sock.fileno(), self._on_readable)
        log.debug("wayland idle: %s, thresholds %s", self._kind, self._thresholds)
        return None

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        self._emit = None
        self._notifications.clear()
        self._emitted.clear()
        self._idle = False
        if connection is None:
            return
        if self._loop is not None:
            self._loop.remove_reader(connection.sock.fileno())
        connection.close()  # the compositor drops our objects with the connection

    # ----- internals -------------------------------------------------------------------------------

    def _choose(self, connection: WaylandConnection) -> tuple[Global, Global] | str:
        seat = connection.find(SEAT)
        ext, kde = connection.find(EXT_NOTIFIER), connection.find(KDE_IDLE)
        order = [kde, ext] if self._prefer == "kde" else [ext, kde]
        notifier = next((found for found in order if found is not None), None)
        if notifier is None:
            return f"the Wayland compositor offers neither {EXT_NOTIFIER} nor {KDE_IDLE}"
        if seat is None:
            return "the Wayland compositor has no seat (wl_seat)"
        return notifier, seat

    def _renew(self) -> None:
        """Replace the notifications with one per threshold (after start, or new thresholds)."""
        connection = self._connection
        if connection is None:
            return
        try:
            for object_id in list(self._notifications):
                release = _EXT_NOTIFICATION_DESTROY if self._kind != "kde-idle" else _KDE_TIMEOUT_RELEASE
                connection.send(object_id, release)
                connection.forget(object_id)
            self._notifications.clear()
            self._emitted.clear()
            self._idle = False
            for threshold in self._thresholds:
                object_id = connection.new_object(functools.partial(self._on_event, threshold))
                millis = UINT.pack(_millis(threshold))
                if self._kind == "kde-idle":
                    args = UINT.pack(object_id) + UINT.pack(self._seat) + millis
                    connection.send(self._notifier, _KDE_GET_IDLE_TIMEOUT, args)
                else:
                    request = (
                        _EXT_GET_INPUT_IDLE_NOTIFICATION
                        if self._kind == "ext-idle-notify-input"
                        else _EXT_GET_IDLE_NOTIFICATION
                    )
                    connection.send(
                        self._notifier, request, UINT.pack(object_id) + millis + UINT.pack(self._seat)
                    )
                self._notifications[object_id] = threshold
        except OSError as exc:
            self._lost(f"sending to the compositor failed: {exc}")

    def _on_readable(self) -> None:
        connection = self._connection
        if connection is None:
            return
        try:
            alive = connection.receive()
        except WaylandError as exc:
            self._lost(str(exc))
            return
        if not alive:
            self._lost("the compositor closed the connection")

    def _lost(self, why: str) -> None:
        log.warning("wayland idle: %s; no natural breaks from it until rustlamp starts again", why)
        connection, self._connection = self._connection, None
        if connection is not None and self._loop is not None:
            self._loop.remove_reader(connection.sock.fileno())
            connection.close()

    def _on_event(self, threshold: timedelta, opcode: int, body: bytes) -> None:
        # Both protocols number their events alike: 0 idle(d), 1 resumed.
        if opcode == _EXT_IDLED:
            if threshold in self._emitted:
                return
            self._idle = True
            self._emitted.add(threshold)
            send(self._emit, DeskEvent("idle", self.name, idle_for=threshold))
        elif opcode == _EXT_RESUMED and self._idle:
            self._idle = False
            self._emitted.clear()
            send(self._emit, DeskEvent("active", self.name))
