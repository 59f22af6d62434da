"""A call on Windows: an app is using the microphone or a camera. Reminders are held meanwhile.

Windows keeps its own record of which apps use them, for the privacy indicator in the taskbar and the
"recent activity" list in Settings: the capability access manager's consent store, under
HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\CapabilityAccessManager\\ConsentStore\\microphone
(and ...\\webcam). Each app has a subkey (a Store app under its package family name, a desktop program
under NonPackaged\\<its path with # for \\>) with two FILETIMEs, LastUsedTimeStart and LastUsedTimeStop;
while the app uses the device, Stop is 0 (or older than Start). Windows 10 1903 and later.

Followed without polling: RegNotifyChangeKeyValue on each of the two keys (with their subkeys) signals
an event of ours when anything under them changes; one thread of ours waits on those events and a stop
event (WaitForMultipleObjects, no timeout), re-arms the notification (it fires once), reads the apps
again and hands the result to the asyncio loop. The notification must be asked for by a thread that
lives as long as it is wanted (Windows drops it when that thread ends), hence the thread.

Only which apps use a device is read, for the log; never the sound or the picture.

The OS boundary is ConsentApi, a handful of thin calls; the real one (winreg and ctypes) exists only on
Windows, tests pass a fake. Written and tested without Windows: the ctypes layer is type-checked
(mypy --platform win32), not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

from rustlamp.desk.base import DeskEvent, Emit, send, settle_from_thread

log = logging.getLogger("rustlamp.desk")

NAME = "windows-calls"
REASON = "call"
CAPABILITIES = {"microphone": "microphone", "webcam": "camera"}  # consent store key -> what a person calls it
START_TIMEOUT = 5.0  # seconds for the first read; it takes milliseconds
JOIN_TIMEOUT = 2.0


@dataclass(frozen=True)
class AppUse:
    """One app's record under a capability's key."""

    key: str  # "Microsoft.WindowsCamera_8wekyb3d8bbwe", or a NonPackaged program's path with # for \
    start: int  # LastUsedTimeStart, a FILETIME (0: never)
    stop: int  # LastUsedTimeStop (0 while in use)

    @property
    def in_use(self) -> bool:
        return self.start > self.stop


def app_label(key: str) -> str:
    """A short name for the log: the program's file name, or the package's name without its publisher id."""
    if "#" in key:
        return key.rsplit("#", 1)[-1]
    return key.split("_", 1)[0]


def users(apps: Sequence[AppUse]) -> list[str]:
    """The apps using the device now, by their short names."""
    return sorted({app_label(app.key) for app in apps if app.in_use})


class ConsentApi(Protocol):
    """The OS calls WindowsCallWatcher makes; each may raise OSError. Keys and events are opaque."""

    def open_key(self, capability: str) -> object:
        """The consent store's key for "microphone" or "webcam" (FileNotFoundError when there is none)."""

    def read_apps(self, key: object) -> list[AppUse]:
        """Every app's record under the key, NonPackaged programs included."""

    def notify_on_change(self, key: object, event: object) -> None:
        """RegNotifyChangeKeyValue: signal `event` once when anything under `key` changes."""

    def new_event(self) -> object: ...

    def wait_any(self, events: Sequence[object]) -> int:
        """Block until one of `events` is signalled; its index."""

    def signal(self, event: object) -> None:
        """From any thread."""

    def close_key(self, key: object) -> None: ...

    def close_event(self, event: object) -> None: ...


class WindowsCallWatcher:
    """DeskWatcher that holds while an app uses the microphone or a camera; see the module docstring.
    `api`: the OS boundary (None: the real one, on Windows)."""

    name = NAME

    def __init__(self, api: ConsentApi | None = None) -> None:
        self._api = api
        self.note: str | None = None  # a line for the log when only one of the two devices is followed
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._generation = 0  # news from an earlier start() carries an older number and is dropped
        self._thread: threading.Thread | None = None
        self._stop: object | None = None
        self.holding = False
        self.in_use: dict[str, list[str]] = {}  # "microphone"/"camera" -> the apps using it

    # ----- the DeskWatcher protocol ----------------------------------------------------------------

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        try:
            api = self._api if self._api is not None else windows_consent_api()
        except OSError as exc:
            return f"calls cannot be followed this way here: {exc}"
        self._api = api
        keys: dict[str, object] = {}
        missing: list[str] = []
        for capability in CAPABILITIES:
            try:
                keys[capability] = api.open_key(capability)
            except OSError as exc:
                missing.append(f"{CAPABILITIES[capability]} ({exc.strerror or exc})")
        if not keys:
            return f"Windows' record of apps using them cannot be read: {', '.join(missing)}"
        if missing:
            self.note = f"not followed: {', '.join(missing)}"
        loop = asyncio.get_running_loop()
        self._loop, self._emit = loop, emit
        ready: asyncio.Future[str | None] = loop.create_future()
        try:
            events = {capability: api.new_event() for capability in keys}
            self._stop = api.new_event()
        except OSError as exc:
            for key in keys.values():
                api.close_key(key)
            await self.close()
            return f"no event could be made to wait on ({exc})"
        self._thread = threading.Thread(
            target=self._watch,
            args=(api, keys, events, self._stop, self._generation, loop, ready),
            name="rustlamp-calls",
            daemon=True,
        )
        self._thread.start()
        try:
            problem = await asyncio.wait_for(ready, START_TIMEOUT)
        except asyncio.TimeoutError:
            problem = "the first read did not answer"
        if problem is not None:
            await self.close()
            return f"Windows' record of apps using the microphone and camera cannot be followed: {problem}"
        log.info("%s: following %s", NAME, " and ".join(CAPABILITIES[c] for c in keys))
        return None

    async def close(self) -> None:
        self._generation += 1
        self._emit = None
        self.holding = False
        self.in_use = {}
        thread, self._thread = self._thread, None
        stop, self._stop = self._stop, None
        if stop is not None and self._api is not None:
            with contextlib.suppress(OSError):
                self._api.signal(stop)
        if thread is not None:
            await asyncio.to_thread(thread.join, JOIN_TIMEOUT)

    # ----- the watching thread ---------------------------------------------------------------------

    def _watch(
        self,
        api: ConsentApi,
        keys: dict[str, object],
        events: dict[str, object],
        stop: object,
        generation: int,
        loop: asyncio.AbstractEventLoop,
        ready: asyncio.Future[str | None],
    ) -> None:
        capabilities = list(keys)
        waiting = [events[c] for c in capabilities] + [stop]
        started = False
        try:
            for capability in capabilities:  # ask to be told first, then read: no change slips between
                api.notify_on_change(keys[capability], events[capability])
            self._read(api, keys, generation, loop)
            settle_from_thread(loop, ready, None)
            started = True
            while True:
                index = api.wait_any(waiting)
                if index >= len(capabilities):  # the stop event
                    return
                capability = capabilities[index]
                api.notify_on_change(keys[capability], events[capability])  # it fires once: again first
                self._read(api, keys, generation, loop)
        except Exception as exc:
            if not started:
                settle_from_thread(loop, ready, str(exc) or type(exc).__name__)
            else:
                log.warning("%s: no longer following calls (%s)", NAME, exc)
                self._to_loop(loop, generation, {})  # what we cannot see must not hold forever
        finally:
            for key in keys.values():
                with contextlib.suppress(OSError):
                    api.close_key(key)
            for event in [*events.values(), stop]:
                with contextlib.suppress(OSError):
                    api.close_event(event)

    def _read(
        self, api: ConsentApi, keys: dict[str, object], generation: int, loop: asyncio.AbstractEventLoop
    ) -> None:
        in_use: dict[str, list[str]] = {}
        for capability, key in keys.items():
            apps = users(api.read_apps(key))
            if apps:
                in_use[CAPABILITIES[capability]] = apps
        self._to_loop(loop, generation, in_use)

    def _to_loop(
        self, loop: asyncio.AbstractEventLoop, generation: int, in_use: dict[str, list[str]]
    ) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody listens any more
            loop.call_soon_threadsafe(self._set, generation, in_use)

    # ----- on the loop -----------------------------------------------------------------------------

    def _set(self, generation: int, in_use: dict[str, list[str]]) -> None:
        if generation != self._generation:
            return
        self.in_use = in_use
        busy = bool(in_use)
        if busy == self.holding:
            return
        self.holding = busy
        if busy:
            devices = " and the ".join(sorted(in_use))
            apps = sorted({app for names in in_use.values() for app in names})
            verb = "are" if len(in_use) > 1 else "is"
            log.info("%s: the %s %s in use (by %s): holding reminders", NAME, devices, verb, ", ".join(apps))
        else:
            log.info("%s: no app uses the microphone or a camera any more: releasing reminders", NAME)
        send(self._emit, DeskEvent("hold" if busy else "release", NAME, reason=REASON))


# --- the real OS calls ---------------------------------------------------------------------------

if sys.platform != "win32":

    def windows_consent_api() -> ConsentApi:
        """Raises OSError: only Windows has a consent store."""
        raise OSError(f"not Windows (this is {sys.platform})")

else:
    import ctypes
    import winreg
    from ctypes import wintypes

    CONSENT_STORE = r"Software\Microsoft\Windows\CurrentVersion\CapabilityAccessManager\ConsentStore"
    REG_NOTIFY_CHANGE_NAME = 0x1  # a subkey added or removed: an app used the device for the first time
    REG_NOTIFY_CHANGE_LAST_SET = 0x4  # a value written: LastUsedTimeStart, LastUsedTimeStop
    WAIT_OBJECT_0 = 0
    WAIT_FAILED = 0xFFFFFFFF
    INFINITE = 0xFFFFFFFF

    def _fn(dll: str, name: str, restype: Any, *argtypes: Any) -> Any:
        function = getattr(ctypes.WinDLL(dll, use_last_error=True), name)
        function.restype = restype
        function.argtypes = argtypes
        return function

    def _subkeys(key: winreg.HKEYType) -> list[str]:
        count = winreg.QueryInfoKey(key)[0]
        names: list[str] = []
        for index in range(count):
            with contextlib.suppress(OSError):  # removed meanwhile
                names.append(winreg.EnumKey(key, index))
        return names

    def _filetime(key: winreg.HKEYType, value: str) -> int:
        try:
            data, _kind = winreg.QueryValueEx(key, value)
        except FileNotFoundError:
            return 0
        return data if isinstance(data, int) else 0

    def _use(parent: winreg.HKEYType, name: str) -> AppUse | None:
        try:
            with winreg.OpenKey(parent, name) as app:
                return AppUse(name, _filetime(app, "LastUsedTimeStart"), _filetime(app, "LastUsedTimeStop"))
        except OSError:  # removed meanwhile
            return None

    class _Win32ConsentApi:
        def __init__(self) -> None:
            # the OS calls, made when the watcher starts: a failure there is said, never raised at import
            self._notify = _fn(
                "advapi32", "RegNotifyChangeKeyValue", wintypes.LONG,
                wintypes.HKEY, wintypes.BOOL, wintypes.DWORD, wintypes.HANDLE, wintypes.BOOL,
            )  # fmt: skip
            self._create_event = _fn(
                "kernel32",
                "CreateEventW",
                wintypes.HANDLE,
                ctypes.c_void_p,
                wintypes.BOOL,
                wintypes.BOOL,
                wintypes.LPCWSTR,
            )
            self._set_event = _fn("kernel32", "SetEvent", wintypes.BOOL, wintypes.HANDLE)
            self._close_handle = _fn("kernel32", "CloseHandle", wintypes.BOOL, wintypes.HANDLE)
            self._wait = _fn(
                "kernel32", "WaitForMultipleObjects", wintypes.DWORD,
                wintypes.DWORD, ctypes.POINTER(wintypes.HANDLE), wintypes.BOOL, wintypes.DWORD,
            )  # fmt: skip

        def open_key(self, capability: str) -> object:
            return winreg.OpenKey(
                winreg.HKEY_CURRENT_USER, f"{CONSENT_STORE}\\{capability}", 0, winreg.KEY_READ
            )

        def read_apps(self, key: object) -> list[AppUse]:
            assert isinstance(key, winreg.HKEYType)
            apps: list[AppUse | None] = []
            for name in _subkeys(key):
                if name == "NonPackaged":
                    with winreg.OpenKey(key, name) as programs:
                        apps += [_use(programs, program) for program in _subkeys(programs)]
                else:
                    apps.append(_use(key, name))
            return [app for app in apps if app is not None]

        def notify_on_change(self, key: object, event: object) -> None:
            assert isinstance(key, winreg.HKEYType)
            filter_ = REG_NOTIFY_CHANGE_NAME | REG_NOTIFY_CHANGE_LAST_SET
            status = self._notify(key.handle, True, filter_, event, True)
            if status != 0:
                raise ctypes.WinError(status)

        def new_event(self) -> object:
            handle = self._create_event(None, False, False, None)  # auto-reset: one wake per signal
            if not handle:
                raise ctypes.WinError(ctypes.get_last_error())
            return handle

        def wait_any(self, events: Sequence[object]) -> int:
            handles = (wintypes.HANDLE * len(events))(*(cast(int, event) for event in events))
            result = int(self._wait(len(events), handles, False, INFINITE))
            if result == WAIT_FAILED or not WAIT_OBJECT_0 <= result < WAIT_OBJECT_0 + len(events):
                raise ctypes.WinError(ctypes.get_last_error())
            return result - WAIT_OBJECT_0

        def signal(self, event: object) -> None:
            if not self._set_event(event):
                raise ctypes.WinError(ctypes.get_last_error())

        def close_key(self, key: object) -> None:
            assert isinstance(key, winreg.HKEYType)
            key.Close()

        def close_event(self, event: object) -> None:
            self._close_handle(event)

    def windows_consent_api() -> ConsentApi:
        try:
            return _Win32ConsentApi()
        except AttributeError as exc:  # a function this Windows does not have
            raise OSError(str(exc)) from exc
