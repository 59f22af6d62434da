"""Windows: fullscreen, do-not-disturb, sleep and screen lock.

Asked, not followed (the selector decides how often to ask):
- fullscreen_now(): shell32's SHQueryUserNotificationState. QUNS_BUSY (a fullscreen application, or
  presentation settings) and QUNS_RUNNING_D3D_FULL_SCREEN count. Windows sends no notification when a
  fullscreen application starts or stops, so this can only be asked.
- do_not_disturb_now(): Focus Assist ("Do not disturb" on Windows 11), or presentation mode
  (QUNS_PRESENTATION_MODE). Focus Assist has no documented API; its active profile is the undocumented
  WNF state WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED, read (never written) with ntdll's
  NtQueryWnfStateData, as other break and notification apps do. A Windows update may change or drop it:
  then only presentation mode is followed, and focus_assist_problem() says why (for the log).

Followed, without polling: WindowsPowerWatcher, a DeskWatcher for "sleep"/"wake" and "lock"/"unlock".
- Sleep: powrprof's PowerRegisterSuspendResumeNotification (Windows 8 and later) calls us back on a thread
  of Windows' own: PBT_APMSUSPEND is "sleep"; PBT_APMRESUMEAUTOMATIC (every resume) and
  PBT_APMRESUMESUSPEND (after it, when a person woke the machine) are one "wake".
- Lock: WTSRegisterSessionNotification sends WM_WTSSESSION_CHANGE to a window, so a thread of ours owns a
  message-only window (parent HWND_MESSAGE: invisible, no broadcasts, which WTS does not need as it
  sends to the registered window itself) and sits in GetMessageW until close() posts WM_QUIT to it.
Both hand their news to the asyncio loop (call_soon_threadsafe); everything that decides happens there.

Why sleep events matter here: before Python 3.13, time.monotonic() on Windows is GetTickCount64, which
counts through a suspend (PEP 418), so the wall clock and the monotonic clock move alike and the runtime's
wall-clock-jump rule cannot see a sleep. The "sleep" and "wake" events tell it.

The OS boundary is PowerApi: a handful of thin calls. The real one (ctypes) exists only on Windows; tests
pass a fake. Limits: written and tested without Windows (the ctypes layer is type-checked, not run);
not tried on Modern Standby (S0 low-power idle) machines, whose sleep may be announced differently.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import functools
import itertools
import logging
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, Protocol

from rustlamp.desk.base import DeskEvent, Emit, send, settle_from_thread

log = logging.getLogger("rustlamp.desk")

# --- fullscreen and do-not-disturb: pure decoding ------------------------------------------------

# QUERY_USER_NOTIFICATION_STATE (shellapi.h)
QUNS_NOT_PRESENT = 1  # screen saver, locked, or another user's session
QUNS_BUSY = 2  # a fullscreen application, or presentation settings
QUNS_RUNNING_D3D_FULL_SCREEN = 3
QUNS_PRESENTATION_MODE = 4
QUNS_ACCEPTS_NOTIFICATIONS = 5
QUNS_QUIET_TIME = 6  # the first hour after a new user's first login
QUNS_APP = 7  # a Windows Store app (Windows 8)

# The state's 64-bit name, as WNF_STATE_NAME's two ULONGs {0xA3BF1C75, 0x0D83063E} lie in memory.
WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED = 0x0D83063EA3BF1C75
WNF_PROFILE_SIZE = 4  # the profile is one little-endian DWORD


class FocusAssist(enum.IntEnum):
    """The active quiet-hours profile."""

    OFF = 0
    PRIORITY_ONLY = 1  # also what Windows 11's "Do not disturb" is said to publish
    ALARMS_ONLY = 2


def _why(exc: BaseException) -> str:
    return str(exc) or type(exc).__name__


def _known_quns(state: int) -> int:
    if not QUNS_NOT_PRESENT <= state <= QUNS_APP:
        raise ValueError(f"unknown notification state {state}")
    return state


def quns_fullscreen(state: int) -> bool:
    """A QUERY_USER_NOTIFICATION_STATE means a fullscreen application has the screen."""
    return _known_quns(state) in (QUNS_BUSY, QUNS_RUNNING_D3D_FULL_SCREEN)


def quns_presentation(state: int) -> bool:
    """A QUERY_USER_NOTIFICATION_STATE means presentation mode is on."""
    return _known_quns(state) == QUNS_PRESENTATION_MODE


def focus_assist_from_wnf(data: bytes) -> FocusAssist:
    """The profile in the WNF state's data. Raises ValueError for data of another shape, so a changed
    Windows is noticed rather than read wrong."""
    if not data:
        return FocusAssist.OFF  # nothing published since the session began: Focus Assist was never on
    if len(data) != WNF_PROFILE_SIZE:
        raise ValueError(f"the Focus Assist state has {len(data)} bytes, not {WNF_PROFILE_SIZE}")
    value = int.from_bytes(data, "little")
    try:
        return FocusAssist(value)
    except ValueError:
        raise ValueError(f"unknown Focus Assist profile {value}") from None


# --- fullscreen and do-not-disturb: asking --------------------------------------------------------


# read_quns() and read_wnf_quiet_hours(), the OS calls, are at the end of the module.


def fullscreen_now() -> bool:
    """A fullscreen application has the foreground (or presentation settings are on: Windows does not
    tell the two apart in QUNS_BUSY). Raises OSError when that cannot be told."""
    try:
        return quns_fullscreen(read_quns())
    except ValueError as exc:
        raise OSError(str(exc)) from exc


_focus_error: str | None = None  # why the last read of Focus Assist failed (None: it did not)


def focus_assist_problem() -> str | None:
    """Why the last do_not_disturb_now() could not read Focus Assist (None: it could, or not asked yet).
    A line for the log; do_not_disturb_now() then answers from presentation mode alone."""
    if _focus_error is None:
        return None
    return f"Focus Assist cannot be read ({_focus_error}); only presentation mode is followed"


def _focus_assist_on() -> bool | None:
    """Focus Assist is on; None when it cannot be read (focus_assist_problem() says why)."""
    global _focus_error
    try:
        profile = focus_assist_from_wnf(read_wnf_quiet_hours())
    except (OSError, ValueError) as exc:
        _focus_error = _why(exc)
        return None
    _focus_error = None
    return profile is not FocusAssist.OFF


def do_not_disturb_now() -> bool:
    """The person asked not to be disturbed: Focus Assist / Do not disturb, or presentation mode.
    Raises OSError only when neither can be read."""
    focus = _focus_assist_on()
    if focus:
        return True
    try:
        return quns_presentation(read_quns())
    except (OSError, ValueError) as exc:
        if focus is None:
            raise OSError(
                f"neither Focus Assist ({_focus_error}) nor presentation mode ({_why(exc)}) can be read"
            ) from exc
        return False  # Focus Assist is known to be off; presentation mode is not known to be on


# --- sleep and lock: what the OS says, and what it means ------------------------------------------

PBT_APMSUSPEND = 0x0004
PBT_APMRESUMESUSPEND = 0x0007
PBT_APMRESUMEAUTOMATIC = 0x0012
WM_WTSSESSION_CHANGE = 0x02B1
WTS_SESSION_LOCK = 0x7
WTS_SESSION_UNLOCK = 0x8

START_TIMEOUT = 5.0  # seconds for the window thread to make its window; it takes milliseconds
JOIN_TIMEOUT = 2.0  # seconds close() waits for that thread to end

PowerKind = Literal["sleep", "wake"]
LockKind = Literal["lock", "unlock"]


def power_event(code: int) -> PowerKind | None:
    """The event a suspend/resume callback's Type means (None: nothing for us)."""
    if code == PBT_APMSUSPEND:
        return "sleep"
    if code in (PBT_APMRESUMEAUTOMATIC, PBT_APMRESUMESUSPEND):
        return "wake"
    return None


def session_event(message: int, wparam: int) -> LockKind | None:
    """The event a window message means (None: nothing for us)."""
    if message == WM_WTSSESSION_CHANGE and wparam == WTS_SESSION_LOCK:
        return "lock"
    if message == WM_WTSSESSION_CHANGE and wparam == WTS_SESSION_UNLOCK:
        return "unlock"
    return None  # other messages, and other session changes (logon, remote connect, ...)


class PowerApi(Protocol):
    """The OS calls WindowsPowerWatcher makes; each may raise (OSError). Windows, as opaque objects."""

    def register_suspend_resume(self, on_event: Callable[[int], None]) -> object:
        """Call on_event(PBT code) from an OS thread at each suspend and resume; returns the registration."""

    def unregister_suspend_resume(self, registration: object) -> None: ...

    def create_window(self, on_message: Callable[[int, int], None]) -> object:
        """A message-only window owned by the calling thread, whose window procedure calls
        on_message(message, wparam) on that thread."""

    def register_session(self, window: object) -> None:
        """WTSRegisterSessionNotification(window, NOTIFY_FOR_THIS_SESSION)."""

    def unregister_session(self, window: object) -> None: ...

    def destroy_window(self, window: object) -> None:
        """On the thread that made it."""

    def run_messages(self) -> None:
        """Dispatch the calling thread's messages until a WM_QUIT."""

    def post_quit(self, thread_id: int) -> None:
        """Post WM_QUIT to a thread (its native id), from any thread."""


@dataclass
class _WindowThread:
    """The thread that owns the session window, and how close() reaches it."""

    thread: threading.Thread | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    native_id: int | None = None  # set before the thread says it is ready


class WindowsPowerWatcher:
    """DeskWatcher for "sleep"/"wake" and "lock"/"unlock" on Windows; see the module docstring.

    `api`: the OS boundary (None: the real one, made in start() on Windows). `note` is a line for the log
    when only one half works (None: both do)."""

    name = "windows-power"

    def __init__(self, api: PowerApi | None = None) -> None:
        self._api = api
        self.note: str | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit_to: Emit | None = None
        self._generation = 0  # news from an earlier start() carries an older number and is dropped
        self._registration: object | None = None
        self._window = _WindowThread()
        self._sleeping = False
        self._locked: bool | None = None  # unknown until the first lock or unlock

    # ----- start and close -----------------------------------------------------------------------

    async def start(self, emit: Emit) -> str | None:
        try:
            await self.close()  # a second start begins afresh
            self.note = None
            return await self._start(emit)
        except Exception as exc:  # start() reports, it never raises
            log.warning("%s: could not start", self.name, exc_info=True)
            with contextlib.suppress(Exception):
                await self.close()
            return f"sleep and screen lock could not be followed ({_why(exc)})"

    async def _start(self, emit: Emit) -> str | None:
        try:
            api = self._api if self._api is not None else windows_power_api()
        except OSError as exc:
            return f"sleep and screen lock are followed this way on Windows only: {_why(exc)}"
        self._api = api
        self._loop = asyncio.get_running_loop()
        self._emit_to = emit
        sleep_problem = self._register_power(api)
        lock_problem = await self._start_window(api)
        if sleep_problem and lock_problem:
            await self.close()
            return f"neither sleep nor the screen lock can be followed: {sleep_problem}; {lock_problem}"
        if sleep_problem:
            self.note = f"sleep is not followed: {sleep_problem}"
        elif lock_problem:
            self.note = f"the screen lock is not followed: {lock_problem}"
        followed = (
            "the screen lock" if sleep_problem else "sleep" if lock_problem else "sleep and the screen lock"
        )
        log.info("%s: following %s", self.name, followed)  # what is not: `note`, logged by the caller
        return None

    async def close(self) -> None:
        self._generation += 1
        self._emit_to = None
        self._sleeping = False
        self._locked = None
        registration, self._registration = self._registration, None
        if registration is not None and self._api is not None:
            self._quietly(
                "PowerUnregisterSuspendResumeNotification", self._api.unregister_suspend_resume, registration
            )
        window, self._window = self._window, _WindowThread()
        await self._stop_window(window)

    # ----- sleep ---------------------------------------------------------------------------------

    def _register_power(self, api: PowerApi) -> str | None:
        generation = self._generation
        try:
            self._registration = api.register_suspend_resume(
                lambda code: self._power_from_os(generation, code)
            )
        except Exception as exc:
            return f"PowerRegisterSuspendResumeNotification failed ({_why(exc)})"
        return None

    def _power_from_os(self, generation: int, code: int) -> None:
        # On Windows' callback thread: decide nothing here, only hand over.
        kind = power_event(code)
        if kind is not None:
            # the time now: the loop may only run this after the machine has slept
            self._to_loop(self._power_changed, generation, kind, datetime.now(timezone.utc))

    def _power_changed(self, generation: int, kind: PowerKind, at: datetime) -> None:
        if generation != self._generation:
            return
        sleeping = kind == "sleep"
        if sleeping == self._sleeping:
            return  # the second resume code of one wake; or a resume we never saw the suspend of
        self._sleeping = sleeping
        self._send(kind, at)

    # ----- lock ----------------------------------------------------------------------------------

    async def _start_window(self, api: PowerApi) -> str | None:
        """Start the window thread and wait until it has its window; None when it works, else why not."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[str | None] = loop.create_future()
        window = self._window
        window.thread = threading.Thread(
            target=self._window_thread,
            args=(api, window, self._generation, functools.partial(settle_from_thread, loop, ready)),
            name="rustlamp-session-window",
            daemon=True,
        )
        try:
            window.thread.start()
        except RuntimeError as exc:  # no more threads to be had
            window.thread = None
            return f"no thread for the session window ({_why(exc)})"
        await asyncio.wait({ready}, timeout=START_TIMEOUT)  # not wait_for: the future must stay settable
        if not ready.done():
            window.stopping.set()  # should the window still come, its thread cleans up and ends
            return f"the session window was not made within {START_TIMEOUT:g} s"
        return ready.result()

    def _window_thread(
        self, api: PowerApi, window: _WindowThread, generation: int, tell: Callable[[str | None], None]
    ) -> None:
        try:
            handle = api.create_window(lambda message, wparam: self._message(generation, message, wparam))
        except Exception as exc:
            tell(f"no message window could be made ({_why(exc)})")
            return
        try:
            try:
                api.register_session(handle)
            except Exception as exc:
                tell(f"WTSRegisterSessionNotification failed ({_why(exc)})")
                return
            window.native_id = threading.get_native_id()
            tell(None)
            if not window.stopping.is_set():  # close() may have come before the id was known
                self._quietly("the session window's message loop", api.run_messages)
            self._quietly("WTSUnRegisterSessionNotification", api.unregister_session, handle)
        finally:
            self._quietly("DestroyWindow", api.destroy_window, handle)

    def _message(self, generation: int, message: int, wparam: int) -> None:
        # On the window thread, inside the window procedure: only hand over.
        kind = session_event(message, wparam)
        if kind is not None:
            self._to_loop(self._lock_changed, generation, kind)

    def _lock_changed(self, generation: int, kind: LockKind) -> None:
        if generation != self._generation:
            return
        locked = kind == "lock"
        if locked == self._locked:
            return
        self._locked = locked
        self._send(kind)

    async def _stop_window(self, window: _WindowThread) -> None:
        thread = window.thread
        if thread is None:
            return
        window.stopping.set()  # before reading native_id; the thread sets that before checking this
        if window.native_id is not None and self._api is not None and thread.is_alive():
            self._quietly("PostThreadMessageW(WM_QUIT)", self._api.post_quit, window.native_id)
        try:
            await asyncio.to_thread(thread.join, JOIN_TIMEOUT)
        except RuntimeError:  # the loop's executor is shut down (the loop is ending): wait here
            thread.join(JOIN_TIMEOUT)
        if thread.is_alive():
            log.warning("%s: the session window's thread did not end within %g s", self.name, JOIN_TIMEOUT)

    # ----- on the loop -----------------------------------------------------------------------------

    def _to_loop(self, handler: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
            loop.call_soon_threadsafe(handler, *args)

    def _send(self, kind: PowerKind | LockKind, at: datetime | None = None) -> None:
        log.debug("%s: %s", self.name, kind)
        send(self._emit_to, DeskEvent(kind, self.name, at=at))

    def _quietly(self, what: str, call: Callable[..., None], *args: Any) -> None:
        """Make an OS call whose failure can only be logged."""
        try:
            call(*args)
        except OSError as exc:  # the OS said no (Wine stubs WTSUnRegisterSessionNotification): one line
            log.warning("%s: %s failed: %s", self.name, what, exc)
        except Exception:
            log.warning("%s: %s failed", self.name, what, exc_info=True)


# --- the OS calls (ctypes, Windows only) ----------------------------------------------------------
# One definition for Windows, one that refuses elsewhere: the type checker reads only the one for the
# platform it checks.

if sys.platform != "win32":

    def read_quns() -> int:
        """SHQueryUserNotificationState's answer. Raises OSError when it fails (here: always)."""
        raise OSError("SHQueryUserNotificationState exists on Windows only")

    def read_wnf_quiet_hours() -> bytes:
        """The raw data of WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED. Raises OSError when it fails."""
        raise OSError("WNF exists on Windows only")

    def windows_power_api() -> PowerApi:
        """The real PowerApi. Raises OSError off Windows."""
        raise OSError(f"not Windows (this is {sys.platform})")

else:
    import ctypes
    from ctypes import wintypes

    _DEVICE_NOTIFY_CALLBACK = 2
    _NOTIFY_FOR_THIS_SESSION = 0
    _WM_QUIT = 0x0012
    _HWND_MESSAGE = wintypes.HWND(-3)
    _LRESULT = ctypes.c_ssize_t
    _WNDPROC = ctypes.WINFUNCTYPE(_LRESULT, wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM)
    _NOTIFY_ROUTINE = ctypes.WINFUNCTYPE(wintypes.ULONG, ctypes.c_void_p, wintypes.ULONG, ctypes.c_void_p)
    _class_serial = itertools.count(1)
    # Registrations ended by close(): Windows does not say no callback is in flight once Unregister
    # returns, so their callbacks are never freed (a few hundred bytes per start).
    _retired: list[object] = []

    class _WndClassW(ctypes.Structure):
        _fields_ = [
            ("style", wintypes.UINT),
            ("lpfnWndProc", _WNDPROC),
            ("cbClsExtra", ctypes.c_int),
            ("cbWndExtra", ctypes.c_int),
            ("hInstance", wintypes.HINSTANCE),
            ("hIcon", wintypes.HICON),
            ("hCursor", wintypes.HANDLE),
            ("hbrBackground", wintypes.HBRUSH),
            ("lpszMenuName", wintypes.LPCWSTR),
            ("lpszClassName", wintypes.LPCWSTR),
        ]

    class _SubscribeParameters(ctypes.Structure):  # DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS
        _fields_ = [("Callback", _NOTIFY_ROUTINE), ("Context", ctypes.c_void_p)]

    @functools.cache
    def _dll(name: str) -> Any:
        return ctypes.WinDLL(name, use_last_error=True)  # our own: windll's are shared with others

    def _fn(dll: str, name: str, restype: Any, *argtypes: Any) -> Any:
        function = getattr(_dll(dll), name)
        function.restype = restype
        function.argtypes = argtypes
        return function

    def _check(ok: Any) -> None:
        if not ok:
            raise ctypes.WinError(ctypes.get_last_error())

    def read_quns() -> int:
        state = ctypes.c_int()
        query = _fn("shell32", "SHQueryUserNotificationState", ctypes.c_long, ctypes.POINTER(ctypes.c_int))
        result = query(ctypes.byref(state))
        if result < 0:
            raise OSError(f"SHQueryUserNotificationState failed (HRESULT 0x{result & 0xFFFFFFFF:08X})")
        return int(state.value)

    def read_wnf_quiet_hours() -> bytes:
        ulong_p = ctypes.POINTER(wintypes.ULONG)
        query = _fn(
            "ntdll",
            "NtQueryWnfStateData",
            ctypes.c_long,  # NTSTATUS
            ctypes.POINTER(ctypes.c_uint64),  # the state name's two ULONGs, as one little-endian number
            ctypes.c_void_p,  # type id: none
            ctypes.c_void_p,  # explicit scope: none
            ulong_p,  # change stamp
            ctypes.c_void_p,
            ulong_p,  # in: the buffer's size; out: the data's
        )
        name = ctypes.c_uint64(WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED)
        stamp = wintypes.ULONG()
        buffer = ctypes.create_string_buffer(16)  # room for more than expected, so a change is seen
        size = wintypes.ULONG(len(buffer))
        status = query(ctypes.byref(name), None, None, ctypes.byref(stamp), buffer, ctypes.byref(size))
        if status < 0:
            raise OSError(f"NtQueryWnfStateData failed (NTSTATUS 0x{status & 0xFFFFFFFF:08X})")
        return bytes(buffer.raw[: size.value])

    @dataclass
    class _Window:
        hwnd: Any
        class_name: str
        instance: Any
        procedure: Any  # the WNDPROC: kept while the window lives

    @dataclass
    class _PowerRegistration:
        handle: Any
        callback: Any  # kept: Windows holds a pointer to it
        parameters: Any

    class _Win32PowerApi:
        def register_suspend_resume(self, on_event: Callable[[int], None]) -> object:
            def routine(_context: Any, kind: int, _setting: Any) -> int:
                try:
                    on_event(int(kind))
                except Exception:  # never into ctypes
                    log.exception("the suspend/resume callback failed")
                return 0

            callback = _NOTIFY_ROUTINE(routine)
            parameters = _SubscribeParameters(callback, None)
            handle = ctypes.c_void_p()
            register = _fn(
                "powrprof",
                "PowerRegisterSuspendResumeNotification",
                wintypes.DWORD,
                wintypes.DWORD,
                ctypes.c_void_p,
                ctypes.POINTER(ctypes.c_void_p),
            )
            error = register(_DEVICE_NOTIFY_CALLBACK, ctypes.byref(parameters), ctypes.byref(handle))
            if error:
                raise ctypes.WinError(error)
            return _PowerRegistration(handle, callback, parameters)

        def unregister_suspend_resume(self, registration: object) -> None:
            assert isinstance(registration, _PowerRegistration)
            _retired.append(registration)
            unregister = _fn(
                "powrprof", "PowerUnregisterSuspendResumeNotification", wintypes.DWORD, ctypes.c_void_p
            )
            error = unregister(registration.handle)
            if error:
                raise ctypes.WinError(error)

        def create_window(self, on_message: Callable[[int, int], None]) -> object:
            h = wintypes
            default = _fn("user32", "DefWindowProcW", _LRESULT, h.HWND, h.UINT, h.WPARAM, h.LPARAM)

            def procedure(hwnd: Any, message: int, wparam: int, lparam: int) -> int:
                try:
                    on_message(message, wparam)
                except Exception:  # never into ctypes
                    log.exception("the session window's handler failed")
                return int(default(hwnd, message, wparam, lparam))

            wndproc = _WNDPROC(procedure)
            instance = _fn("kernel32", "GetModuleHandleW", h.HMODULE, h.LPCWSTR)(None)
            class_name = f"rustlamp.session.{next(_class_serial)}"
            window_class = _WndClassW(lpfnWndProc=wndproc, hInstance=instance, lpszClassName=class_name)
            _check(
                _fn("user32", "RegisterClassW", h.ATOM, ctypes.POINTER(_WndClassW))(
                    ctypes.byref(window_class)
                )
            )
            create = _fn(
                "user32",
                "CreateWindowExW",
                h.HWND,
                h.DWORD,
                h.LPCWSTR,
                h.LPCWSTR,
                h.DWORD,
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_int,
                ctypes.c_int,
                h.HWND,
                h.HMENU,
                h.HINSTANCE,
                h.LPVOID,
            )
            hwnd = create(0, class_name, "rustlamp", 0, 0, 0, 0, 0, _HWND_MESSAGE, None, instance, None)
            if not hwnd:
                error = ctypes.WinError(ctypes.get_last_error())
                _fn("user32", "UnregisterClassW", h.BOOL, h.LPCWSTR, h.HINSTANCE)(class_name, instance)
                raise error
            return _Window(hwnd, class_name, instance, wndproc)

        def register_session(self, window: object) -> None:
            assert isinstance(window, _Window)
            register = _fn(
                "wtsapi32", "WTSRegisterSessionNotification", wintypes.BOOL, wintypes.HWND, wintypes.DWORD
            )
            _check(register(window.hwnd, _NOTIFY_FOR_THIS_SESSION))

        def unregister_session(self, window: object) -> None:
            assert isinstance(window, _Window)
            _check(
                _fn("wtsapi32", "WTSUnRegisterSessionNotification", wintypes.BOOL, wintypes.HWND)(window.hwnd)
            )

        def destroy_window(self, window: object) -> None:
            assert isinstance(window, _Window)
            h = wintypes
            _check(_fn("user32", "DestroyWindow", h.BOOL, h.HWND)(window.hwnd))
            _check(
                _fn("user32", "UnregisterClassW", h.BOOL, h.LPCWSTR, h.HINSTANCE)(
                    window.class_name, window.instance
                )
            )

        def run_messages(self) -> None:
            message = wintypes.MSG()
            get = _fn(
                "user32",
                "GetMessageW",
                wintypes.BOOL,
                ctypes.POINTER(wintypes.MSG),
                wintypes.HWND,
                wintypes.UINT,
                wintypes.UINT,
            )
            dispatch = _fn("user32", "DispatchMessageW", _LRESULT, ctypes.POINTER(wintypes.MSG))
            while True:
                got = get(ctypes.byref(message), None, 0, 0)
                if got == 0:  # WM_QUIT
                    return
                if got == -1:
                    raise ctypes.WinError(ctypes.get_last_error())
                dispatch(ctypes.byref(message))

        def post_quit(self, thread_id: int) -> None:
            h = wintypes
            post = _fn("user32", "PostThreadMessageW", h.BOOL, h.DWORD, h.UINT, h.WPARAM, h.LPARAM)
            _check(post(thread_id, _WM_QUIT, 0, 0))

    def windows_power_api() -> PowerApi:
        return _Win32PowerApi()
