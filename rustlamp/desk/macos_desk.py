"""The desk on macOS: sleep and wake as they happen, and three questions asked on demand (a fullscreen
window, a Focus, a locked screen). ctypes only, no PyObjC.

Why sleep and wake matter here: macOS's monotonic clock stops while the machine sleeps, so the runtime's
wall-clock jump rule (rustlamp.runtime) sees a sleep only when the machine next wakes, and a reminder due
during the sleep fires late or at the wrong moment. MacPowerWatcher says "sleep" as the sleep begins and
"wake" when it is over, so reminders can be held through the sleep and the time away is known at once.

- MacPowerWatcher: IOKit's IORegisterForSystemPower. Its notification port is a run-loop source, added to
  the CFRunLoop of a daemon thread of our own that runs CFRunLoopRun(); the tray keeps the main thread's
  Cocoa run loop. Events reach `emit` on the asyncio loop's thread (call_soon_threadsafe). Nothing runs
  between notifications. kIOMessageCanSystemSleep and kIOMessageSystemWillSleep are answered with
  IOAllowPowerChange at once (unanswered, the system waits 30 s); rustlamp never vetoes a sleep.
- Screen lock is *not* followed by the watcher: the com.apple.screenIsLocked/screenIsUnlocked distributed
  notifications are delivered on the main thread (Apple: "Distributed notification centers deliver
  notifications on the main thread"), whose run loop the tray owns. screen_locked_now() asks instead.
- fullscreen_now(): CoreGraphics' window list, front to back; the frontmost normal window (layer 0, not
  ours) is fullscreen when it covers a whole display. A zoomed window leaves the menu bar: not fullscreen.
  Bounds, layer and owner need no permission; only window titles need Screen Recording, and we read none.
- focus_now(): there is no public API without an app bundle and the person's permission
  (INFocusStatusCenter), so it reads what the system keeps: on macOS 12 and later the Focus assertions
  file (a Focus turned on by hand is a "store assertion record"; readable only with Full Disk Access
  since macOS 13), on macOS 11 the `dnd_prefs` plist of com.apple.ncprefs, before that the `doNotDisturb`
  preference of com.apple.notificationcenterui.
- screen_locked_now(): CGSessionCopyCurrentDictionary()'s "CGSSessionScreenIsLocked" (absent: unlocked).

Each question raises OSError when it cannot tell. The decoding lives in small pure functions (tested on
sample documents); the ctypes wrappers around them are kept thin.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import functools
import json
import logging
import os
import platform
import plistlib
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol

from rustlamp.desk.base import DeskEvent, Emit, EventKind, send, settle_from_thread

log = logging.getLogger("rustlamp.desk")

NAME = "macos-power"
THREAD_NAME = "rustlamp-macos-power"
START_TIMEOUT = 5.0  # seconds for the thread to register with IOKit (milliseconds in practice)
JOIN_TIMEOUT = 2.0  # seconds for the thread to leave its run loop at close

IOKIT = "/System/Library/Frameworks/IOKit.framework/IOKit"
COREFOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
COREGRAPHICS = "/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics"


# --- IOKit power messages (IOKit/IOMessage.h) -------------------------------------------------------


def _iokit_common_msg(code: int) -> int:
    return 0xE0000000 | code  # sys_iokit (err_system(0x38) = 0x38 << 26) | sub_iokit_common (0) | code


CAN_SYSTEM_SLEEP = _iokit_common_msg(0x270)  # idle sleep is pondered; must be answered
SYSTEM_WILL_SLEEP = _iokit_common_msg(0x280)  # sleep is certain; must be answered
SYSTEM_WILL_NOT_SLEEP = _iokit_common_msg(0x290)  # an idle sleep was vetoed by someone
SYSTEM_HAS_POWERED_ON = _iokit_common_msg(0x300)  # the wake is complete
SYSTEM_WILL_POWER_ON = _iokit_common_msg(0x320)  # early in the wake; must not be answered

NEEDS_ANSWER = frozenset({CAN_SYSTEM_SLEEP, SYSTEM_WILL_SLEEP})
POWER_EVENTS: Mapping[int, EventKind] = {SYSTEM_WILL_SLEEP: "sleep", SYSTEM_HAS_POWERED_ON: "wake"}

LOCK_NOTE = (
    "the screen lock is not followed here: macOS delivers its lock notifications on the main thread, whose "
    "run loop the tray owns; it is asked (screen_locked_now) when a reminder is due"
)


# --- fullscreen: pure part ---------------------------------------------------------------------------


class Rect(NamedTuple):
    """A rectangle in global display coordinates (points; y grows downwards from the main display)."""

    x: float
    y: float
    width: float
    height: float

    def covers(self, other: Rect, slack: float = 0.5) -> bool:
        """Self contains `other`, give or take `slack` points of rounding."""
        return (
            self.x <= other.x + slack
            and self.y <= other.y + slack
            and self.x + self.width >= other.x + other.width - slack
            and self.y + self.height >= other.y + other.height - slack
        )


@dataclass(frozen=True)
class WindowInfo:
    """What fullscreen_in needs of one entry of CGWindowListCopyWindowInfo."""

    layer: int  # kCGWindowLayer: 0 for normal windows; the menu bar, Dock, overlays are above
    pid: int  # kCGWindowOwnerPID
    bounds: Rect  # kCGWindowBounds
    alpha: float = 1.0  # kCGWindowAlpha: 0 is an invisible window, which nobody is looking at


def frontmost_window(windows: Iterable[WindowInfo], own_pid: int) -> WindowInfo | None:
    """The first visible normal window of another process, in the window server's front-to-back order."""
    for window in windows:
        if window.layer == 0 and window.pid != own_pid and window.alpha > 0:
            return window
    return None


def fullscreen_in(windows: Iterable[WindowInfo], displays: Sequence[Rect], own_pid: int) -> bool:
    """The frontmost normal window (not ours) covers a whole display. A zoomed window stops below the
    menu bar, so it covers no display; a native fullscreen window covers its display exactly."""
    window = frontmost_window(windows, own_pid)
    return window is not None and any(window.bounds.covers(display) for display in displays)


# --- Focus: pure part --------------------------------------------------------------------------------

FocusSource = Literal["assertions", "ncprefs", "notificationcenterui"]

ASSERTIONS = "~/Library/DoNotDisturb/DB/Assertions.json"


def focus_source(mac_version: str) -> FocusSource:
    """Where this macOS keeps Do Not Disturb: the Focus assertions file from 12 (Monterey) on, the
    `dnd_prefs` of com.apple.ncprefs on 11 (which may call itself 10.16), else
    com.apple.notificationcenterui."""
    try:
        numbers = [int(part) for part in mac_version.split(".")[:2]]
    except ValueError:
        numbers = []
    if not numbers:
        raise OSError(f"the macOS version is unknown ({mac_version!r})")
    major, minor = numbers[0], (numbers[1] if len(numbers) > 1 else 0)
    if major >= 12:
        return "assertions"
    if major == 11 or (major == 10 and minor >= 16):
        return "ncprefs"
    return "notificationcenterui"


def load_assertions(raw: bytes) -> object:
    """The assertions document: JSON, or (should a version keep it so) a binary property list."""
    try:
        if raw.startswith(b"bplist"):
            return plistlib.loads(raw)
        return json.loads(raw)
    except (ValueError, plistlib.InvalidFileException) as exc:  # JSONDecodeError is a ValueError
        raise OSError(f"the Focus assertions cannot be decoded ({exc})") from exc


def focus_from_assertions(document: object) -> bool:
    """A Focus is on while any `data[*].storeAssertionRecords` list is not empty (each record is a Focus
    turned on by hand, with its mode in assertionDetails). Raises OSError for any other shape."""
    data = document.get("data") if isinstance(document, dict) else None
    if not isinstance(data, list):
        raise OSError("the Focus assertions have no `data` list")
    on = False
    for entry in data:
        if not isinstance(entry, dict):
            raise OSError("a Focus assertions entry is not a dictionary")
        records = entry.get("storeAssertionRecords", [])
        if not isinstance(records, list):
            raise OSError("storeAssertionRecords is not a list")
        on = on or bool(records)
    return on


def read_assertions(path: Path | None = None, read: Callable[[Path], bytes] = Path.read_bytes) -> object:
    """Read and decode the Focus assertions file; OSError saying why when that is not possible."""
    path = Path(os.path.expanduser(ASSERTIONS)) if path is None else path
    try:
        raw = read(path)
    except PermissionError as exc:
        raise OSError(
            f"{path} cannot be read ({exc.strerror or exc}): since macOS 13 it is readable only with Full "
            "Disk Access for the program that runs rustlamp"
        ) from exc
    except FileNotFoundError as exc:
        raise OSError(f"{path} does not exist: this macOS keeps its Focus state elsewhere") from exc
    return load_assertions(raw)


def _in_schedule(start: int, end: int, minute: int) -> bool:
    """`minute` of the day lies in [start, end), which may run over midnight; start == end is empty."""
    if start < end:
        return start <= minute < end
    if end < start:
        return minute >= start or minute < end
    return False


def dnd_from_ncprefs(blob: object, minute_of_day: int) -> bool:
    """macOS 11: com.apple.ncprefs' `dnd_prefs` holds a binary property list: `userPref.enabled` 1 when
    turned on by hand; `scheduledTime` {enabled, start, end} (minutes of the day) for the schedule.
    No blob: Do Not Disturb was never set, so it is off."""
    if blob is None:
        return False
    if not isinstance(blob, bytes):
        raise OSError("dnd_prefs is not data")
    try:
        prefs = plistlib.loads(blob)
    except (ValueError, plistlib.InvalidFileException) as exc:
        raise OSError(f"dnd_prefs cannot be decoded ({exc})") from exc
    if not isinstance(prefs, dict):
        raise OSError("dnd_prefs is not a dictionary")
    user = prefs.get("userPref")
    if isinstance(user, dict) and user.get("enabled") in (1, True):
        return True
    schedule = prefs.get("scheduledTime")
    if isinstance(schedule, dict) and schedule.get("enabled") in (1, True):
        start, end = schedule.get("start"), schedule.get("end")
        if isinstance(start, (int, float)) and isinstance(end, (int, float)):
            return _in_schedule(int(start), int(end), minute_of_day)
    return False


def dnd_from_notificationcenterui(value: object) -> bool:
    """macOS 10.15 and older: com.apple.notificationcenterui's `doNotDisturb` (absent: off)."""
    if value is None:
        return False
    if isinstance(value, (bool, int)):
        return bool(value)
    raise OSError(f"doNotDisturb is not a boolean ({type(value).__name__})")


# --- screen lock: pure part --------------------------------------------------------------------------

LOCKED_KEY = "CGSSessionScreenIsLocked"


def locked_from_session(session: Mapping[str, object] | None) -> bool:
    """The session dictionary says the screen is locked; no dictionary means no GUI session here."""
    if session is None:
        raise OSError("no window server session (CGSessionCopyCurrentDictionary gave nothing)")
    return bool(session.get(LOCKED_KEY, False))


# --- the questions -----------------------------------------------------------------------------------


def fullscreen_now() -> bool:
    """True while the frontmost normal window of another process covers a whole display."""
    if sys.platform != "darwin":
        raise OSError("CoreGraphics' window list exists on macOS only")
    quartz = _quartz()
    return fullscreen_in(quartz.windows(), quartz.displays(), os.getpid())


def focus_now() -> bool:
    """True while Do Not Disturb or another Focus is on. On macOS 12 and later only a Focus turned on by
    hand is seen for sure: one started by a schedule or another trigger may leave no assertion record."""
    if sys.platform != "darwin":
        raise OSError("macOS Focus exists on macOS only")
    source = focus_source(platform.mac_ver()[0])
    if source == "assertions":
        return focus_from_assertions(read_assertions())
    if source == "ncprefs":
        now = datetime.now()
        return dnd_from_ncprefs(_cf().app_value("dnd_prefs", "com.apple.ncprefs"), now.hour * 60 + now.minute)
    return dnd_from_notificationcenterui(_cf().app_value("doNotDisturb", "com.apple.notificationcenterui"))


def screen_locked_now() -> bool:
    """True while the screen of this login session is locked."""
    if sys.platform != "darwin":
        raise OSError("CGSessionCopyCurrentDictionary exists on macOS only")
    return locked_from_session(_quartz().session())


# --- the OS calls (ctypes; loaded on first use, on macOS only) ---------------------------------------


class _CGPoint(ctypes.Structure):
    _fields_ = (("x", ctypes.c_double), ("y", ctypes.c_double))


class _CGSize(ctypes.Structure):
    _fields_ = (("width", ctypes.c_double), ("height", ctypes.c_double))


class _CGRect(ctypes.Structure):
    _fields_ = (("origin", _CGPoint), ("size", _CGSize))


def _rect(rect: _CGRect) -> Rect:
    return Rect(rect.origin.x, rect.origin.y, rect.size.width, rect.size.height)


class _CoreFoundation:
    """The CoreFoundation calls the questions share: CFStrings for keys, and CFBoolean, CFNumber and CFData
    turned into Python values."""

    UTF8 = 0x08000100  # kCFStringEncodingUTF8
    SINT64 = 4  # kCFNumberSInt64Type
    FLOAT64 = 6  # kCFNumberFloat64Type

    def __init__(self) -> None:
        c = ctypes
        cf: Any = c.CDLL(COREFOUNDATION)
        cf.CFStringCreateWithCString.restype = c.c_void_p
        cf.CFStringCreateWithCString.argtypes = [c.c_void_p, c.c_char_p, c.c_uint32]
        cf.CFRelease.argtypes = [c.c_void_p]
        for name in ("CFGetTypeID", "CFBooleanGetTypeID", "CFNumberGetTypeID", "CFDataGetTypeID"):
            getattr(cf, name).restype = c.c_ulong
        cf.CFGetTypeID.argtypes = [c.c_void_p]
        cf.CFBooleanGetValue.restype = c.c_bool
        cf.CFBooleanGetValue.argtypes = [c.c_void_p]
        cf.CFNumberIsFloatType.restype = c.c_bool
        cf.CFNumberIsFloatType.argtypes = [c.c_void_p]
        cf.CFNumberGetValue.restype = c.c_bool
        cf.CFNumberGetValue.argtypes = [c.c_void_p, c.c_int, c.c_void_p]
        cf.CFDataGetLength.restype = c.c_long
        cf.CFDataGetLength.argtypes = [c.c_void_p]
        cf.CFDataGetBytePtr.restype = c.c_void_p
        cf.CFDataGetBytePtr.argtypes = [c.c_void_p]
        cf.CFDictionaryGetValue.restype = c.c_void_p
        cf.CFDictionaryGetValue.argtypes = [c.c_void_p, c.c_void_p]
        cf.CFArrayGetCount.restype = c.c_long
        cf.CFArrayGetCount.argtypes = [c.c_void_p]
        cf.CFArrayGetValueAtIndex.restype = c.c_void_p
        cf.CFArrayGetValueAtIndex.argtypes = [c.c_void_p, c.c_long]
        cf.CFPreferencesAppSynchronize.restype = c.c_bool
        cf.CFPreferencesAppSynchronize.argtypes = [c.c_void_p]
        cf.CFPreferencesCopyAppValue.restype = c.c_void_p
        cf.CFPreferencesCopyAppValue.argtypes = [c.c_void_p, c.c_void_p]
        self.lib = cf
        self._strings: dict[str, int] = {}

    def string(self, text: str) -> int:
        """A CFString kept for the life of the process: keys and domains are few, and asked for again."""
        if text not in self._strings:
            self._strings[text] = self.lib.CFStringCreateWithCString(None, text.encode(), self.UTF8)
        return self._strings[text]

    def get(self, dictionary: int, key: str) -> int | None:
        """A CFDictionary's value (not retained: valid while the dictionary is)."""
        value: int | None = self.lib.CFDictionaryGetValue(dictionary, self.string(key))
        return value

    def value(self, ref: int | None) -> object:
        """CFBoolean, CFNumber or CFData as bool, int or float, bytes; None for NULL."""
        cf = self.lib
        if not ref:
            return None
        kind = cf.CFGetTypeID(ref)
        if kind == cf.CFBooleanGetTypeID():
            return bool(cf.CFBooleanGetValue(ref))
        if kind == cf.CFNumberGetTypeID():
            if cf.CFNumberIsFloatType(ref):
                real = ctypes.c_double()
                cf.CFNumberGetValue(ref, self.FLOAT64, ctypes.byref(real))
                return real.value
            whole = ctypes.c_int64()
            cf.CFNumberGetValue(ref, self.SINT64, ctypes.byref(whole))
            return whole.value
        if kind == cf.CFDataGetTypeID():
            return ctypes.string_at(cf.CFDataGetBytePtr(ref), cf.CFDataGetLength(ref))
        raise OSError(f"an unexpected CoreFoundation type ({kind})")

    def app_value(self, key: str, domain: str) -> object:
        """A preference of another program, searched like NSUserDefaults does (this host, then any)."""
        cf, app = self.lib, self.string(domain)
        cf.CFPreferencesAppSynchronize(app)  # else a long-running process keeps an old copy
        ref = cf.CFPreferencesCopyAppValue(self.string(key), app)
        try:
            return self.value(ref)
        finally:
            if ref:
                cf.CFRelease(ref)


class _Quartz:
    """The CoreGraphics calls: the window list, the displays, the session dictionary."""

    ON_SCREEN_ONLY = 1 << 0  # kCGWindowListOptionOnScreenOnly: front to back
    EXCLUDE_DESKTOP = 1 << 4  # kCGWindowListExcludeDesktopElements
    NULL_WINDOW = 0  # kCGNullWindowID
    MAX_DISPLAYS = 32

    def __init__(self, cf: _CoreFoundation) -> None:
        c = ctypes
        cg: Any = c.CDLL(COREGRAPHICS)
        cg.CGWindowListCopyWindowInfo.restype = c.c_void_p
        cg.CGWindowListCopyWindowInfo.argtypes = [c.c_uint32, c.c_uint32]
        cg.CGRectMakeWithDictionaryRepresentation.restype = c.c_bool
        cg.CGRectMakeWithDictionaryRepresentation.argtypes = [c.c_void_p, c.POINTER(_CGRect)]
        cg.CGGetActiveDisplayList.restype = c.c_int32
        cg.CGGetActiveDisplayList.argtypes = [c.c_uint32, c.POINTER(c.c_uint32), c.POINTER(c.c_uint32)]
        cg.CGDisplayBounds.restype = _CGRect
        cg.CGDisplayBounds.argtypes = [c.c_uint32]
        cg.CGSessionCopyCurrentDictionary.restype = c.c_void_p
        cg.CGSessionCopyCurrentDictionary.argtypes = []
        self._cg, self._cf = cg, cf

    def windows(self) -> list[WindowInfo]:
        cg, cf = self._cg, self._cf
        array = cg.CGWindowListCopyWindowInfo(self.ON_SCREEN_ONLY | self.EXCLUDE_DESKTOP, self.NULL_WINDOW)
        if not array:
            raise OSError("no window list: not in a GUI session, or no window server")
        try:
            count = cf.lib.CFArrayGetCount(array)
            return [self._window(cf.lib.CFArrayGetValueAtIndex(array, i)) for i in range(count)]
        finally:
            cf.lib.CFRelease(array)

    def _window(self, entry: int) -> WindowInfo:
        cf = self._cf
        layer = cf.value(cf.get(entry, "kCGWindowLayer"))
        pid = cf.value(cf.get(entry, "kCGWindowOwnerPID"))
        alpha = cf.value(cf.get(entry, "kCGWindowAlpha"))
        bounds, rect = cf.get(entry, "kCGWindowBounds"), _CGRect()
        if not isinstance(layer, int) or not isinstance(pid, int) or not bounds:
            raise OSError("a window without a layer, an owner or bounds")
        if not self._cg.CGRectMakeWithDictionaryRepresentation(bounds, ctypes.byref(rect)):
            raise OSError("a window's bounds are not a rectangle")
        return WindowInfo(layer, pid, _rect(rect), float(alpha) if isinstance(alpha, (int, float)) else 1.0)

    def displays(self) -> list[Rect]:
        ids, count = (ctypes.c_uint32 * self.MAX_DISPLAYS)(), ctypes.c_uint32()
        error = self._cg.CGGetActiveDisplayList(self.MAX_DISPLAYS, ids, ctypes.byref(count))
        if error:
            raise OSError(f"CGGetActiveDisplayList failed (CGError {error})")
        return [_rect(self._cg.CGDisplayBounds(ids[i])) for i in range(count.value)]

    def session(self) -> dict[str, object] | None:
        cf = self._cf
        session = self._cg.CGSessionCopyCurrentDictionary()
        if not session:
            return None
        try:
            locked = cf.get(session, LOCKED_KEY)
            return {LOCKED_KEY: cf.value(locked)} if locked else {}
        finally:
            cf.lib.CFRelease(session)


@functools.cache
def _cf() -> _CoreFoundation:
    return _CoreFoundation()


@functools.cache
def _quartz() -> _Quartz:
    return _Quartz(_cf())


# --- sleep and wake ----------------------------------------------------------------------------------

PowerMessage = Callable[[int, int], None]  # (message type, message argument), on the run-loop thread


class MacPowerApi(Protocol):
    """The OS boundary of MacPowerWatcher. All but stop() are called on the watcher's own thread, in this
    order: register, run (returns after stop), deregister (always, also when register failed)."""

    def register(self, on_message: PowerMessage) -> None:
        """IORegisterForSystemPower, its port's source on this thread's run loop; OSError when refused."""

    def run(self) -> None:
        """CFRunLoopRun: deliver messages to `on_message` on this thread until stop()."""

    def stop(self) -> None:
        """From any thread: make run() return, even when it has not begun yet."""

    def allow(self, argument: int) -> None:
        """IOAllowPowerChange for a message that needs an answer."""

    def deregister(self) -> None:
        """IODeregisterForSystemPower, IONotificationPortDestroy, IOServiceClose (what register made)."""


class MacPowerWatcher:
    """DeskWatcher for "sleep" and "wake" from IOKit; see the module docstring. No "lock"/"unlock": `note`
    says why. `api` is the OS boundary (None: IOKit through ctypes, made in start() on macOS)."""

    name = NAME

    def __init__(self, api: MacPowerApi | None = None) -> None:
        self._given = api
        self._api: MacPowerApi | None = None  # the running one; a stale thread's messages name another
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._asleep = False
        self.note: str | None = None

    async def start(self, emit: Emit) -> str | None:
        await self.close()  # a second start begins afresh
        self.note = None
        try:
            problem = await self._start(emit)
        except Exception as exc:  # start() reports, it never raises
            log.warning("%s: could not start", self.name, exc_info=True)
            problem = f"sleep and wake cannot be followed ({exc or type(exc).__name__})"
        if problem is not None:
            await self.close()
            return problem
        self.note = LOCK_NOTE
        log.info("%s: following sleep and wake through IOKit", self.name)
        return None

    async def _start(self, emit: Emit) -> str | None:
        api = self._given
        if api is None:
            try:
                api = _iokit_power_api()
            except OSError as exc:
                return str(exc)
        loop = asyncio.get_running_loop()
        registered: asyncio.Future[str | None] = loop.create_future()
        self._api, self._loop, self._emit = api, loop, emit
        self._thread = threading.Thread(
            target=self._serve, args=(api, loop, registered), name=THREAD_NAME, daemon=True
        )
        self._thread.start()
        try:
            return await asyncio.wait_for(registered, START_TIMEOUT)
        except asyncio.TimeoutError:
            return f"IOKit did not register us for sleep notifications within {START_TIMEOUT:g} s"

    async def close(self) -> None:
        api, thread = self._api, self._thread
        self._api = self._thread = self._loop = self._emit = None
        self._asleep = False
        if api is not None:
            try:
                api.stop()
            except Exception:
                log.exception("%s: could not stop the run loop", self.name)
        if thread is not None and thread.is_alive():
            await asyncio.to_thread(thread.join, JOIN_TIMEOUT)
            if thread.is_alive():
                log.warning("%s: the run loop thread did not end within %g s", self.name, JOIN_TIMEOUT)

    # ----- on the run-loop thread ------------------------------------------------------------------

    def _serve(
        self, api: MacPowerApi, loop: asyncio.AbstractEventLoop, registered: asyncio.Future[str | None]
    ) -> None:
        try:
            try:
                api.register(functools.partial(self._on_message, api, loop))
            except Exception as exc:
                settle_from_thread(
                    loop, registered, f"IOKit refused to register us for sleep notifications ({exc})"
                )
                return
            settle_from_thread(loop, registered, None)
            if self._api is not api:
                return  # closed while IOKit was registering us: its stop() found no run loop yet
            api.run()
        except Exception:
            log.exception("%s: the run loop failed; sleep and wake are no longer followed", NAME)
        finally:
            try:
                api.deregister()
            except Exception:
                log.exception("%s: could not deregister from IOKit", NAME)

    def _on_message(
        self, api: MacPowerApi, loop: asyncio.AbstractEventLoop, message: int, argument: int
    ) -> None:
        # Called from IOKit through ctypes: nothing may escape. Answer first, whatever we are doing, so the
        # system never waits for us.
        try:
            if message in NEEDS_ANSWER:
                api.allow(argument)
        except Exception:
            log.exception("%s: IOAllowPowerChange failed", NAME)
        kind = POWER_EVENTS.get(message)
        if kind is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody is listening any more
            # the moment now: the loop may only hear of a "sleep" after the machine woke
            loop.call_soon_threadsafe(self._deliver, api, kind, datetime.now(timezone.utc))

    # ----- on the asyncio loop's thread ------------------------------------------------------------

    def _deliver(self, api: MacPowerApi, kind: EventKind, at: datetime | None = None) -> None:
        if api is not self._api or self._emit is None:
            return  # from a watcher run that was closed since
        if (kind == "sleep") == self._asleep:
            return  # a second "sleep", or a wake without a sleep: one wake per sleep
        self._asleep = kind == "sleep"
        log.debug("%s: %s", self.name, kind)
        send(self._emit, DeskEvent(kind, self.name, at=at))


def _iokit_power_api() -> MacPowerApi:
    if sys.platform != "darwin":
        raise OSError("sleep and wake come from IOKit, which exists on macOS only")
    return _IOKitPowerApi()


class _IOKitPowerApi:
    """MacPowerApi through ctypes: a line or two per call, no decisions."""

    def __init__(self) -> None:
        c = ctypes
        iokit: Any = c.CDLL(IOKIT)
        cf: Any = c.CDLL(COREFOUNDATION)
        # void (*IOServiceInterestCallback)(void *refcon, io_service_t, uint32_t type, void *argument)
        self._callback_type = c.CFUNCTYPE(None, c.c_void_p, c.c_uint32, c.c_uint32, c.c_void_p)
        iokit.IORegisterForSystemPower.restype = c.c_uint32
        iokit.IORegisterForSystemPower.argtypes = [
            c.c_void_p,
            c.POINTER(c.c_void_p),
            self._callback_type,
            c.POINTER(c.c_uint32),
        ]
        iokit.IONotificationPortGetRunLoopSource.restype = c.c_void_p
        iokit.IONotificationPortGetRunLoopSource.argtypes = [c.c_void_p]
        iokit.IOAllowPowerChange.restype = c.c_int32
        iokit.IOAllowPowerChange.argtypes = [c.c_uint32, c.c_void_p]  # intptr_t notificationID
        iokit.IODeregisterForSystemPower.restype = c.c_int32
        iokit.IODeregisterForSystemPower.argtypes = [c.POINTER(c.c_uint32)]
        iokit.IONotificationPortDestroy.restype = None
        iokit.IONotificationPortDestroy.argtypes = [c.c_void_p]
        iokit.IOServiceClose.restype = c.c_int32
        iokit.IOServiceClose.argtypes = [c.c_uint32]
        cf.CFRunLoopGetCurrent.restype = c.c_void_p
        cf.CFRunLoopGetCurrent.argtypes = []
        for name in ("CFRunLoopAddSource", "CFRunLoopRemoveSource"):
            getattr(cf, name).argtypes = [c.c_void_p, c.c_void_p, c.c_void_p]
        cf.CFRunLoopRun.argtypes = []
        cf.CFRunLoopStop.argtypes = [c.c_void_p]
        cf.CFRunLoopWakeUp.argtypes = [c.c_void_p]
        self._iokit, self._cf = iokit, cf
        self._mode = c.c_void_p.in_dll(cf, "kCFRunLoopDefaultMode").value
        self._port = c.c_void_p()
        self._notifier = c.c_uint32()
        self._root = 0
        self._source: int | None = None
        self._run_loop: int | None = None  # the thread's; None once it may be gone
        self._lock = threading.Lock()  # stop() from another thread against deregister()
        self._callback: Any = None  # kept referenced while IOKit may call it

    def register(self, on_message: PowerMessage) -> None:
        def relay(_refcon: int | None, _service: int, message: int, argument: int | None) -> None:
            on_message(message, argument or 0)  # ctypes gives None for a NULL pointer

        self._callback = self._callback_type(relay)
        byref = ctypes.byref
        self._root = self._iokit.IORegisterForSystemPower(
            None, byref(self._port), self._callback, byref(self._notifier)
        )
        if not self._root:
            raise OSError("IORegisterForSystemPower failed")
        self._source = self._iokit.IONotificationPortGetRunLoopSource(self._port)
        with self._lock:
            self._run_loop = self._cf.CFRunLoopGetCurrent()
            self._cf.CFRunLoopAddSource(self._run_loop, self._source, self._mode)

    def run(self) -> None:
        self._cf.CFRunLoopRun()

    def stop(self) -> None:
        with self._lock:
            if self._run_loop is None:
                return
            # Without its only source the run loop has nothing to wait for, so CFRunLoopRun returns at once
            # even if it had not begun yet; CFRunLoopStop alone would be lost then.
            self._cf.CFRunLoopRemoveSource(self._run_loop, self._source, self._mode)
            self._cf.CFRunLoopStop(self._run_loop)
            self._cf.CFRunLoopWakeUp(self._run_loop)

    def allow(self, argument: int) -> None:
        self._iokit.IOAllowPowerChange(self._root, argument)

    def deregister(self) -> None:
        with self._lock:
            self._run_loop = None
        if self._root:
            self._iokit.IODeregisterForSystemPower(ctypes.byref(self._notifier))
            self._iokit.IONotificationPortDestroy(self._port)
            self._iokit.IOServiceClose(self._root)
            self._root = 0
