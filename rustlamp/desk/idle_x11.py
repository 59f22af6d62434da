"""Idle time on X11, event-driven: the SYNC extension's IDLETIME counter with server-side alarms.

The X server keeps IDLETIME (milliseconds since the last keyboard or pointer input, XTEST input too) and
lets a client put alarms on it. We put one alarm per threshold ("idle time >= threshold", a
PositiveComparison) and, once the person is idle, one more for their return ("idle time <= threshold - 1",
a NegativeComparison). The server wakes us exactly when one of them trips: between events the
connection is silent and the asyncio loop sleeps on its socket (loop.add_reader). Nothing polls, here or
in the server (it computes when the next alarm is due and sleeps until then, or until input comes).

Alarm semantics (X Synchronization Extension Protocol, version 3.1, "CreateAlarm"/"AlarmNotify"):
- A Comparison trigger is checked when the alarm is created or changed, so an alarm for a threshold the
  idle time has already passed fires at once: starting (or changing thresholds) while the person is
  away still reports the thresholds they are past, in order.
- With delta 0 a Comparison alarm fires once and goes Inactive; ChangeAlarm makes it Active again. So
  each threshold alarm fires once per idle spell and is re-armed after "active", and the return alarm
  is armed only while idle: typing and moving the mouse while at work cost this process nothing.
- A Transition alarm (the other kind) would stay armed, but misses a threshold already passed when it
  is set, and a transition alarm for input would have to stay armed while the person works.

Why SYNC and not MIT-SCREEN-SAVER: the screen saver extension tells about one timeout only, the
server-wide screen saver timeout (setting it would change when the person's screen blanks), and its
notify events follow the saver, not the thresholds we need. SYNC gives any number of thresholds and
the return, without touching any setting. python-xlib (0.33) has no SYNC module, so the five requests
and the one event we use are written below with its protocol structures (rq).

Opening the display and the first round trips run in a short-lived thread with a timeout, so a hung X
server cannot hang the app's loop; the thread ends when they are done.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import struct
import threading
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

from Xlib.protocol import rq

from rustlamp.desk.base import DeskEvent, Emit, send
from rustlamp.desk.idle_other import clean_thresholds
from rustlamp.desk.x_display import PlainDisplay

log = logging.getLogger("rustlamp.desk")

SOURCE = "x11-sync"
OPEN_TIMEOUT = 5.0  # seconds for connecting and the set-up round trips; a local server needs milliseconds

# Protocol numbers from the SYNC specification (syncconst.h).
_ALARM_NOTIFY = 1  # event number, relative to the extension's first event
_CA_ALL = 0x3F  # Counter | ValueType | Value | TestType | Delta | Events
_ABSOLUTE = 0
_POSITIVE_COMPARISON = 2
_NEGATIVE_COMPARISON = 3


# --- the SYNC requests we use ---------------------------------------------------------------------
# python-xlib's classes are untyped (ignore_missing_imports), hence the ignores.


class _Initialize(rq.ReplyRequest):  # type: ignore[misc]
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(0),
        rq.RequestLength(),
        rq.Card8("major_version"),
        rq.Card8("minor_version"),
        rq.Pad(2),
    )
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Pad(1),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card8("major_version"),
        rq.Card8("minor_version"),
        rq.Pad(22),
    )


class _ListSystemCounters(rq.ReplyRequest):  # type: ignore[misc]
    _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(1), rq.RequestLength())
    _reply = rq.Struct(
        rq.ReplyCode(),
        rq.Pad(1),
        rq.Card16("sequence_number"),
        rq.ReplyLength(),
        rq.Card32("count"),
        rq.Pad(20),
        rq.Binary("counters"),  # SYSTEMCOUNTERs: id, resolution, name length, name, padded to 4 bytes
    )


class _CreateAlarm(rq.Request):  # type: ignore[misc]
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(8),
        rq.RequestLength(),
        rq.Card32("alarm"),
        rq.Card32("value_mask"),
        rq.List("values", rq.Card32Obj),
    )


class _ChangeAlarm(rq.Request):  # type: ignore[misc]
    _request = rq.Struct(
        rq.Card8("opcode"),
        rq.Opcode(9),
        rq.RequestLength(),
        rq.Card32("alarm"),
        rq.Card32("value_mask"),
        rq.List("values", rq.Card32Obj),
    )


class _DestroyAlarm(rq.Request):  # type: ignore[misc]
    _request = rq.Struct(rq.Card8("opcode"), rq.Opcode(11), rq.RequestLength(), rq.Card32("alarm"))


class _AlarmNotify(rq.Event):  # type: ignore[misc]
    _code = None
    _fields = rq.Struct(
        rq.Card8("type"),
        rq.Card8("kind"),
        rq.Card16("sequence_number"),
        rq.Card32("alarm"),
        rq.Int32("counter_value_hi"),
        rq.Card32("counter_value_lo"),
        rq.Int32("alarm_value_hi"),
        rq.Card32("alarm_value_lo"),
        rq.Card32("time"),
        rq.Card8("state"),
        rq.Pad(3),
    )


class SyncUnavailable(Exception):
    """This X server cannot tell idle time through SYNC (the message says why)."""


def _system_counters(data: bytes, count: int) -> dict[str, int]:
    """Names to ids, from ListSystemCounters' list (in the client's byte order, as python-xlib asks)."""
    counters: dict[str, int] = {}
    position = 0
    for _ in range(count):
        counter, _res_hi, _res_lo, length = struct.unpack_from("=IiIH", data, position)
        name = data[position + 14 : position + 14 + length].decode("latin-1")
        counters[name] = counter
        position += (14 + length + 3) & ~3
    return counters


def _alarm_values(counter: int, value_ms: int, test_type: int) -> list[int]:
    """A value list for Create/ChangeAlarm with every attribute: an absolute trigger, delta 0, events on."""
    return [counter, _ABSOLUTE, (value_ms >> 32) & 0xFFFFFFFF, value_ms & 0xFFFFFFFF, test_type, 0, 0, 1]


class _SyncConnection:
    """One X connection with SYNC initialised and the IDLETIME counter found."""

    def __init__(self, display: Any, opcode: int, alarm_event: int, idle_counter: int) -> None:
        self.display = display
        self.opcode = opcode
        self.alarm_event = alarm_event
        self.idle_counter = idle_counter

    @classmethod
    def open(cls, name: str) -> _SyncConnection:
        display = PlainDisplay(name)
        try:
            info = display.query_extension("SYNC")
            if info is None:
                raise SyncUnavailable(f"the X server on {name} has no SYNC extension")
            protocol = display.display
            _Initialize(display=protocol, opcode=info.major_opcode, major_version=3, minor_version=1)
            listed = _ListSystemCounters(display=protocol, opcode=info.major_opcode)
            counters = _system_counters(bytes(listed.counters), listed.count)
            if "IDLETIME" not in counters:
                raise SyncUnavailable(f"the X server on {name} keeps no IDLETIME counter")
            alarm_event = info.first_event + _ALARM_NOTIFY
            display.extension_add_event(alarm_event, _AlarmNotify)
            display.set_error_handler(_log_x_error)
            return cls(display, info.major_opcode, alarm_event, counters["IDLETIME"])
        except BaseException:
            display.close()
            raise

    def fileno(self) -> int:
        return int(self.display.fileno())

    def create_alarm(self, value_ms: int, test_type: int) -> int:
        alarm = int(self.display.display.allocate_resource_id())
        _CreateAlarm(
            display=self.display.display,
            opcode=self.opcode,
            alarm=alarm,
            value_mask=_CA_ALL,
            values=_alarm_values(self.idle_counter, value_ms, test_type),
        )
        return alarm

    def change_alarm(self, alarm: int, value_ms: int, test_type: int) -> None:
        _ChangeAlarm(
            display=self.display.display,
            opcode=self.opcode,
            alarm=alarm,
            value_mask=_CA_ALL,
            values=_alarm_values(self.idle_counter, value_ms, test_type),
        )

    def destroy_alarm(self, alarm: int) -> None:
        _DestroyAlarm(display=self.display.display, opcode=self.opcode, alarm=alarm)
        self.display.display.free_resource_id(alarm)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.display.close()  # the server destroys our alarms with the connection


def _log_x_error(error: Any, request: Any) -> None:
    log.warning("X error on the idle connection: %s", error)


T = TypeVar("T")


async def _in_thread(work: Callable[[], T], timeout: float, discard: Callable[[T], None]) -> T:
    """Run blocking `work` in a thread of its own that ends with it; give up after `timeout` (a late
    result is handed to `discard`)."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def deliver(result: T | None, error: BaseException | None) -> None:
        if future.done():
            if result is not None:
                discard(result)
        elif error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]  # None only comes with an error

    def run() -> None:
        result: T | None = None
        error: BaseException | None = None
        try:
            result = work()
        except BaseException as exc:
            error = exc
        try:
            loop.call_soon_threadsafe(deliver, result, error)
        except RuntimeError:  # the loop is closed: nobody wants it any more
            if result is not None:
                discard(result)

    threading.Thread(target=run, name="rustlamp-x11-idle-open", daemon=True).start()
    return await asyncio.wait_for(future, timeout)


class X11IdleWatcher:
    """The IdleWatcher for X11 (see the module docstring). `wakeups` counts how often the X connection
    woke the loop: once per alarm batch, never while nothing happens."""

    name = SOURCE

    def __init__(self, display: str | None = None) -> None:
        self._display_name = display
        self._thresholds: list[timedelta] = []
        self._x: _SyncConnection | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._alarms: dict[int, timedelta] = {}  # alarm id -> its threshold
        self._by_threshold: dict[timedelta, int] = {}
        self._return_alarm: int | None = None  # the "input again" alarm, armed while idle
        self._idle = False  # an "idle" was emitted and no "active" since
        self._emitted: set[timedelta] = set()  # thresholds reported in this idle spell
        self.wakeups = 0

    def set_thresholds(self, thresholds: Sequence[timedelta]) -> None:
        self._thresholds = clean_thresholds(thresholds)
        if self._x is not None:
            self._arm_thresholds()
            self._flush()

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        name = self._display_name or os.environ.get("DISPLAY", "")
        if not name:
            return "no X display ($DISPLAY is not set)"
        try:
            connection = await _in_thread(
                lambda: _SyncConnection.open(name), OPEN_TIMEOUT, _SyncConnection.close
            )
        except SyncUnavailable as exc:
            return str(exc)
        except asyncio.TimeoutError:
            return f"the X server on {name} did not answer within {OPEN_TIMEOUT:g} s"
        except Exception as exc:  # no server, refused, bad authorisation, protocol trouble
            return f"the X display {name} could not be opened: {exc}"
        self._x, self._emit, self._loop = connection, emit, asyncio.get_running_loop()
        try:
            self._arm_thresholds()
            self._loop.add_reader(connection.fileno(), self._on_readable)
        except Exception as exc:  # the connection broke right away
            await self.close()
            return f"the X display {name} could not be watched: {exc}"
        self._flush()
        return None

    async def close(self) -> None:
        connection, self._x = self._x, None
        self._emit = None
        self._alarms.clear()
        self._by_threshold.clear()
        self._return_alarm = None
        self._idle = False
        self._emitted.clear()
        if connection is None:
            return
        if self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(connection.fileno())
        connection.close()

    # --- alarms -----------------------------------------------------------------------------------

    def _arm_thresholds(self) -> None:
        """One PositiveComparison alarm per threshold, (re)armed; alarms for dropped thresholds go."""
        x = self._x
        assert x is not None
        for threshold in [t for t in self._by_threshold if t not in self._thresholds]:
            alarm = self._by_threshold.pop(threshold)
            del self._alarms[alarm]
            x.destroy_alarm(alarm)
        for threshold in self._thresholds:  # ascending: alarms already due fire in this order
            millis = _millis(threshold)
            existing = self._by_threshold.get(threshold)
            if existing is None:
                alarm = x.create_alarm(millis, _POSITIVE_COMPARISON)
                self._alarms[alarm] = threshold
                self._by_threshold[threshold] = alarm
            else:
                x.change_alarm(existing, millis, _POSITIVE_COMPARISON)

    def _arm_return(self, crossed: timedelta) -> None:
        """Fire at the first input: idle time back at or below just under the threshold crossed. Armed
        now, while the idle time is past it (input since then makes it fire at once)."""
        x = self._x
        assert x is not None
        millis = max(0, _millis(crossed) - 1)
        if self._return_alarm is None:
            self._return_alarm = x.create_alarm(millis, _NEGATIVE_COMPARISON)
        else:
            x.change_alarm(self._return_alarm, millis, _NEGATIVE_COMPARISON)

    def _flush(self) -> None:
        """Send what is queued. Xlib may read events while it writes; they would not wake the reader,
        so look at its queue on the next turn of the loop."""
        x = self._x
        if x is None:
            return
        try:
            x.display.flush()
        except Exception as exc:
            self._lost(exc)
            return
        if self._loop is not None:
            self._loop.call_soon(self._drain)

    # --- events -----------------------------------------------------------------------------------

    def _on_readable(self) -> None:
        self.wakeups += 1
        self._drain()

    def _drain(self) -> None:
        x = self._x
        if x is None:
            return
        try:
            # pending_events() reads what the socket has without blocking; flushing re-armed alarms may
            # read more into Xlib's queue, which would not wake the reader: so ask again after it.
            while x.display.pending_events():
                while x.display.pending_events():
                    event = x.display.next_event()
                    if event.type == x.alarm_event:
                        self._on_alarm(int(event.alarm))
                    if self._x is not x:
                        return  # closed by the handler
                x.display.flush()
        except Exception as exc:  # the server went away (ConnectionClosedError) or the stream broke
            self._lost(exc)

    def _on_alarm(self, alarm: int) -> None:
        threshold = self._alarms.get(alarm)
        if threshold is not None:
            if threshold in self._emitted:
                return  # re-armed while idle (new thresholds): already told
            self._emitted.add(threshold)
            if not self._idle:
                self._idle = True
                self._arm_return(threshold)
            self._send(DeskEvent("idle", SOURCE, idle_for=threshold))
        elif alarm == self._return_alarm and self._idle:
            self._idle = False
            self._emitted.clear()
            self._arm_thresholds()
            self._send(DeskEvent("active", SOURCE))

    def _send(self, event: DeskEvent) -> None:
        send(self._emit, event)

    def _lost(self, exc: BaseException) -> None:
        connection, self._x = self._x, None
        if connection is None:
            return
        log.warning("the X connection for idle time was lost (%s); natural breaks from X11 stop here", exc)
        if self._loop is not None:
            with contextlib.suppress(Exception):
                self._loop.remove_reader(connection.fileno())
        connection.close()


def _millis(duration: timedelta) -> int:
    return max(1, round(duration.total_seconds() * 1000))
