"""Idle time where it can only be asked for: Windows (GetLastInputInfo), macOS (IOKit's HIDIdleTime), and
org.freedesktop.ScreenSaver's GetSessionIdleTime (idle_dbus.py uses the scheduler here).

None of them can notify, so CrossingIdleWatcher asks as seldom as the answers allow:
- While the person works, it asks once, then sleeps exactly until the next threshold would be crossed if
  no input came (threshold - idle time), and asks again. Input in between only means the next sleep is
  computed from the new, smaller idle time. With thresholds of a minute or more that is at most one
  question a minute, however busy the keyboard is; never a fixed tick.
- While the person is idle (an "idle" was sent) the first input is the thing to notice, and no OS call
  here reports it, so it asks every `poll_while_idle` seconds (2 s) until the idle time is found smaller
  than it would be without input. That is the honest cost: about 30 short calls a minute while nobody is
  at the desk, none while someone is. A call is microseconds on Windows and macOS (no process, no file).
- Each "idle" comes up to ~50 ms after its crossing (MARGIN: waking a hair late avoids a second question
  when a timer or the OS's idle clock is a tick early); "active" comes within `poll_while_idle`.

The OS calls are behind windows_idle_seconds() and macos_idle_seconds(), loaded lazily (ctypes only).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from rustlamp.desk.base import DeskEvent, Emit, send

log = logging.getLogger("rustlamp.desk")

POLL_WHILE_IDLE = 2.0  # seconds between questions while idle, to notice the return
MARGIN = 0.05  # seconds added to a sleep until a crossing
TOLERANCE = 0.25  # seconds an idle time may fall short of the expected one before it counts as input
RETRY_AFTER_ERROR = 60.0  # seconds before asking again when the source failed

IdleQuery = Callable[[], Awaitable[float]]  # idle time in seconds; raises when it cannot tell


def clean_thresholds(thresholds: Sequence[timedelta]) -> list[timedelta]:
    """Positive thresholds, each once, ascending (the order their "idle" events come in)."""
    return sorted({t for t in thresholds if t > timedelta(0)})


class CrossingIdleWatcher:
    """An IdleWatcher over a source that can only be asked; see the module docstring.

    `queries` counts the questions asked (for tests and benchmarks)."""

    def __init__(self, name: str, query: IdleQuery, poll_while_idle: float = POLL_WHILE_IDLE) -> None:
        self.name = name
        self._query = query
        self._poll = poll_while_idle
        self._thresholds: list[timedelta] = []
        self._emit: Emit | None = None
        self._task: asyncio.Task[None] | None = None
        self._changed: asyncio.Event | None = None  # made in start(), on the loop that runs us
        self._idle = False  # an "idle" was emitted and no "active" since
        self._emitted: set[timedelta] = set()
        self.queries = 0

    def set_thresholds(self, thresholds: Sequence[timedelta]) -> None:
        self._thresholds = clean_thresholds(thresholds)
        if self._changed is not None:
            self._changed.set()  # the running watcher asks again and plans its next sleep

    async def start(self, emit: Emit) -> str | None:
        await self._stop_asking()
        try:
            first = await self._ask()
        except Exception as exc:
            return f"{self.name}: the idle time cannot be read ({exc or type(exc).__name__})"
        self._emit = emit
        self._changed = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(first))
        return None

    async def close(self) -> None:
        await self._stop_asking()

    async def _stop_asking(self) -> None:
        task, self._task = self._task, None
        self._emit = None
        self._changed = None
        self._idle = False
        self._emitted.clear()
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _ask(self) -> float:
        self.queries += 1
        return float(await self._query())

    async def _run(self, idle: float) -> None:
        asked_at = time.monotonic()
        while True:
            self._report(idle)
            await self._sleep(self._next_question(idle))
            fresh = await self._ask_until_it_answers()
            now = time.monotonic()
            # Without input the idle time grows with the clock; smaller than that means input came.
            if self._idle and fresh + TOLERANCE < idle + (now - asked_at):
                self._became_active()
            idle, asked_at = fresh, now

    async def _ask_until_it_answers(self) -> float:
        failing = False
        while True:
            assert self._changed is not None
            self._changed.clear()  # before asking: a change during the question wakes the next sleep
            try:
                idle = await self._ask()
            except Exception as exc:
                if not failing:
                    log.warning("%s: the idle time cannot be read (%s); trying again later", self.name, exc)
                failing = True
                await self._sleep(RETRY_AFTER_ERROR)
                continue
            if failing:
                log.info("%s: the idle time can be read again", self.name)
            return idle

    def _report(self, idle: float) -> None:
        for threshold in self._thresholds:
            if threshold.total_seconds() <= idle and threshold not in self._emitted:
                self._emitted.add(threshold)
                self._idle = True
                self._send(DeskEvent("idle", self.name, idle_for=threshold))

    def _next_question(self, idle: float) -> float | None:
        """Seconds until the next question: the next crossing, and while idle the poll for input."""
        waits = [
            threshold.total_seconds() - idle + MARGIN
            for threshold in self._thresholds
            if threshold not in self._emitted
        ]
        if self._idle:
            waits.append(self._poll)
        return max(0.0, min(waits)) if waits else None

    async def _sleep(self, seconds: float | None) -> None:
        assert self._changed is not None
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(self._changed.wait(), seconds)

    def _became_active(self) -> None:
        self._idle = False
        self._emitted.clear()
        self._send(DeskEvent("active", self.name))

    def _send(self, event: DeskEvent) -> None:
        send(self._emit, event)


# --- the OS calls ----------------------------------------------------------------------------------


def windows_idle_seconds() -> float:
    """Seconds since the last input in this session (GetLastInputInfo)."""
    if sys.platform != "win32":
        raise OSError("GetLastInputInfo exists on Windows only")
    import ctypes
    from ctypes import wintypes

    class LastInputInfo(ctypes.Structure):
        _fields_ = [("cbSize", wintypes.UINT), ("dwTime", wintypes.DWORD)]

    info = LastInputInfo()
    info.cbSize = ctypes.sizeof(info)
    if not ctypes.windll.user32.GetLastInputInfo(ctypes.byref(info)):
        raise ctypes.WinError()
    ticks = ctypes.windll.kernel32.GetTickCount() & 0xFFFFFFFF  # both wrap after 49.7 days, together
    return float((ticks - info.dwTime) & 0xFFFFFFFF) / 1000.0


class _MacHID:
    """IOHIDSystem's HIDIdleTime (nanoseconds since the last input) through IOKit, with ctypes: no
    process per question (as `ioreg -c IOHIDSystem` would be) and no PyObjC."""

    UTF8 = 0x08000100  # kCFStringEncodingUTF8
    SINT64 = 4  # kCFNumberSInt64Type

    def __init__(self) -> None:
        import ctypes

        iokit: Any = ctypes.CDLL("/System/Library/Frameworks/IOKit.framework/IOKit")
        cf: Any = ctypes.CDLL("/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation")
        iokit.IOServiceMatching.restype = ctypes.c_void_p
        iokit.IOServiceMatching.argtypes = [ctypes.c_char_p]
        iokit.IOServiceGetMatchingService.restype = ctypes.c_uint32
        iokit.IOServiceGetMatchingService.argtypes = [ctypes.c_uint32, ctypes.c_void_p]
        iokit.IORegistryEntryCreateCFProperty.restype = ctypes.c_void_p
        iokit.IORegistryEntryCreateCFProperty.argtypes = [
            ctypes.c_uint32,
            ctypes.c_void_p,
            ctypes.c_void_p,
            ctypes.c_uint32,
        ]
        cf.CFStringCreateWithCString.restype = ctypes.c_void_p
        cf.CFStringCreateWithCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
        cf.CFNumberGetValue.restype = ctypes.c_bool
        cf.CFNumberGetValue.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p]
        cf.CFRelease.argtypes = [ctypes.c_void_p]
        self._ctypes = ctypes
        self._iokit, self._cf = iokit, cf
        # kIOMainPortDefault is 0; IOServiceGetMatchingService consumes the matching dictionary.
        self._service = iokit.IOServiceGetMatchingService(0, iokit.IOServiceMatching(b"IOHIDSystem"))
        if not self._service:
            raise OSError("IOKit has no IOHIDSystem service")
        self._key = cf.CFStringCreateWithCString(None, b"HIDIdleTime", self.UTF8)

    def __call__(self) -> float:
        ctypes = self._ctypes
        number = self._iokit.IORegistryEntryCreateCFProperty(self._service, self._key, None, 0)
        if not number:
            raise OSError("IOHIDSystem has no HIDIdleTime")
        try:
            nanoseconds = ctypes.c_int64()
            if not self._cf.CFNumberGetValue(number, self.SINT64, ctypes.byref(nanoseconds)):
                raise OSError("HIDIdleTime is not a number")
        finally:
            self._cf.CFRelease(number)
        return float(nanoseconds.value) / 1e9


_mac_hid: _MacHID | None = None


def macos_idle_seconds() -> float:
    """Seconds since the last input (IOHIDSystem's HIDIdleTime)."""
    global _mac_hid
    if sys.platform != "darwin":
        raise OSError("IOHIDSystem exists on macOS only")
    if _mac_hid is None:
        _mac_hid = _MacHID()
    return _mac_hid()


def _asked(function: Callable[[], float]) -> IdleQuery:
    async def query() -> float:
        return function()  # microseconds: no thread needed

    return query


def windows_watcher() -> CrossingIdleWatcher:
    return CrossingIdleWatcher("windows", _asked(windows_idle_seconds))


def macos_watcher() -> CrossingIdleWatcher:
    return CrossingIdleWatcher("macos", _asked(macos_idle_seconds))
