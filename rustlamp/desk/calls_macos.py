"""A call on macOS: the microphone or a camera is running for some program. Reminders are held meanwhile.
ctypes only, no PyObjC, as in macos_desk.py.

- The microphone: CoreAudio's kAudioDevicePropertyDeviceIsRunningSomewhere ('gone') on the default input
  device, with a property listener on it, and one on the system object's default input device ('dIn ')
  so a new default (a headset plugged in) is followed. kAudioHardwarePropertyRunLoop is set to NULL
  first, so CoreAudio calls the listeners on a thread of its own rather than needing the main thread's
  run loop (which the tray owns).
- The cameras: CoreMediaIO's kCMIODevicePropertyDeviceIsRunningSomewhere ('gone') on every video device
  (kCMIOHardwarePropertyDevices, 'dev#', followed too, for cameras plugged in later), with property
  listeners. Asking whether a device runs needs no camera permission (only opening it does), so no new
  permission dialog appears.

The listeners only hand over (call_soon_threadsafe); the asyncio loop reads the devices again and
decides. Nothing runs between changes. CoreMediaIO's function-pointer listeners come on its own thread
or through the main thread's run loop (Apple does not say which); both work here, since the tray keeps
the main run loop running.

Limits: "running somewhere" is the whole device's state, so a headset whose microphone and speaker are
one device counts while it only plays sound. Which program runs it is not known (macOS 14's process
objects could say, but that is more than the hold needs), so the log says only which device.

The OS boundary is DeviceHal (one for CoreAudio, one for CoreMediaIO); tests pass fakes. Written and
tested without macOS: the ctypes layer is type-checked, not run.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import struct
import sys
from collections.abc import Callable
from typing import Any, Protocol

from rustlamp.desk.base import DeskEvent, Emit, send

log = logging.getLogger("rustlamp.desk")

NAME = "macos-calls"
REASON = "call"

COREAUDIO = "/System/Library/Frameworks/CoreAudio.framework/CoreAudio"
COREMEDIAIO = "/System/Library/Frameworks/CoreMediaIO.framework/CoreMediaIO"


def fourcc(code: str) -> int:
    """A four-character code as the UInt32 the headers mean ('gone' -> 0x676F6E65)."""
    return int.from_bytes(code.encode("ascii"), "big")


SYSTEM_OBJECT = 1  # kAudioObjectSystemObject, kCMIOObjectSystemObject
UNKNOWN_OBJECT = 0  # kAudioObjectUnknown
IS_RUNNING_SOMEWHERE = fourcc("gone")  # kAudioDevicePropertyDeviceIsRunningSomewhere, and CMIO's
DEFAULT_INPUT_DEVICE = fourcc("dIn ")  # kAudioHardwarePropertyDefaultInputDevice
HAL_RUN_LOOP = fourcc("rnlp")  # kAudioHardwarePropertyRunLoop
DEVICES = fourcc("dev#")  # kCMIOHardwarePropertyDevices
SCOPE_GLOBAL = fourcc("glob")
ELEMENT_MAIN = 0


def object_ids(raw: bytes) -> list[int]:
    """An array of AudioObjectID / CMIOObjectID (native UInt32s) as a list."""
    count = len(raw) // 4
    return [value for value in struct.unpack(f"={count}I", raw[: count * 4]) if value != UNKNOWN_OBJECT]


class DeviceHal(Protocol):
    """One kind of device (microphone or camera) as the OS shows it; each call may raise OSError.
    `on_change` is called from an OS thread."""

    kind: str  # "microphone" or "camera"

    def devices(self) -> list[int]:
        """The devices to follow now."""

    def running(self, device: int) -> bool:
        """Some program runs the device."""

    def watch_devices(self, on_change: Callable[[], None]) -> None:
        """Call on_change when the devices to follow may have changed."""

    def watch(self, device: int, on_change: Callable[[], None]) -> None:
        """Call on_change when the device starts or stops running."""

    def unwatch(self, device: int) -> None: ...

    def close(self) -> None:
        """Remove every listener."""


class MacCallWatcher:
    """DeskWatcher that holds while a microphone or camera runs; see the module docstring.
    `hals`: the OS boundary (None: CoreAudio and CoreMediaIO, on macOS)."""

    name = NAME

    def __init__(self, hals: list[Callable[[], DeviceHal]] | None = None) -> None:
        self._makers = hals if hals is not None else [coreaudio_hal, coremediaio_hal]
        self.note: str | None = None  # a line for the log when only one kind is followed
        self._hals: list[DeviceHal] = []
        self._watched: dict[str, set[int]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._emit: Emit | None = None
        self._failing: set[str] = set()
        self.holding = False
        self.running: list[str] = []  # the kinds running, when last looked

    async def start(self, emit: Emit) -> str | None:
        await self.close()
        self.note = None
        self._loop = asyncio.get_running_loop()
        problems: list[str] = []
        for make in self._makers:
            try:
                hal = make()
                hal.watch_devices(self._from_os)
            except (OSError, AttributeError) as exc:  # AttributeError: an older macOS without the function
                problems.append(str(exc) or type(exc).__name__)
                continue
            self._hals.append(hal)
            self._watched[hal.kind] = set()
        if not self._hals:
            await self.close()
            return f"neither the microphone nor a camera can be followed: {'; '.join(problems)}"
        if problems:
            self.note = f"not followed: {'; '.join(problems)}"
        self._refresh()
        self._emit = emit
        if self.holding:
            send(emit, DeskEvent("hold", NAME, reason=REASON))
        log.info("%s: following %s", NAME, " and ".join(hal.kind for hal in self._hals))
        return None

    async def close(self) -> None:
        self._emit = None
        for hal in self._hals:
            with contextlib.suppress(OSError):
                hal.close()
        self._hals = []
        self._watched = {}
        self._loop = None
        self.holding = False
        self.running = []

    def _from_os(self) -> None:
        # on CoreAudio's or CoreMediaIO's thread: hand over only
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop is closed
                loop.call_soon_threadsafe(self._refresh)

    def _refresh(self) -> None:
        if self._loop is None:
            return  # closed meanwhile
        running: list[str] = []
        for hal in self._hals:
            if self._running(hal):
                running.append(hal.kind)
        self._set(running)

    def _running(self, hal: DeviceHal) -> bool:
        """Follow the devices there are now; is any of them running?"""
        try:
            devices = set(hal.devices())
            watched = self._watched[hal.kind]
            for gone in watched - devices:
                with contextlib.suppress(OSError):
                    hal.unwatch(gone)
            for new in devices - watched:
                hal.watch(new, self._from_os)
            self._watched[hal.kind] = devices
            busy = any(hal.running(device) for device in devices)
        except OSError as exc:
            if hal.kind not in self._failing:
                log.warning("%s: cannot tell whether the %s runs (%s)", NAME, hal.kind, exc)
            self._failing.add(hal.kind)
            return False  # not known: it must not hold reminders
        self._failing.discard(hal.kind)
        return busy

    def _set(self, running: list[str]) -> None:
        self.running = running
        busy = bool(running)
        if busy == self.holding:
            return
        self.holding = busy
        if busy:
            verb = "are" if len(running) > 1 else "is"
            log.info("%s: the %s %s in use: holding reminders", NAME, " and the ".join(running), verb)
        else:
            log.info("%s: the microphone and cameras are free again: releasing reminders", NAME)
        send(self._emit, DeskEvent("hold" if busy else "release", NAME, reason=REASON))


# --- the real OS calls ---------------------------------------------------------------------------


class _Address(ctypes.Structure):  # AudioObjectPropertyAddress, CMIOObjectPropertyAddress
    _fields_ = [("selector", ctypes.c_uint32), ("scope", ctypes.c_uint32), ("element", ctypes.c_uint32)]


# OSStatus (*)(ObjectID, UInt32 inNumberAddresses, const PropertyAddress *inAddresses, void *inClientData)
_LISTENER = ctypes.CFUNCTYPE(
    ctypes.c_int32, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_void_p, ctypes.c_void_p
)


def _address(selector: int) -> _Address:
    return _Address(selector, SCOPE_GLOBAL, ELEMENT_MAIN)


def _check(status: int, what: str) -> None:
    if status != 0:
        code = struct.pack(">i", status)
        shown = code.decode("ascii") if all(32 <= b < 127 for b in code) else str(status)
        raise OSError(f"{what} failed ({shown})")


class _ListenedHal:
    """What both frameworks share: one listener function, added to objects and removed again."""

    kind = ""

    def __init__(self) -> None:
        self._on_change: Callable[[], None] = lambda: None
        self._listener: Any = _LISTENER(self._relay)  # kept referenced while the OS may call it
        self._listening: list[tuple[int, int]] = []  # (object, selector)

    def _relay(self, _object: int, _count: int, _addresses: int | None, _client: int | None) -> int:
        try:
            self._on_change()
        except Exception:  # never into ctypes
            log.exception("%s: the %s listener failed", NAME, self.kind)
        return 0

    def _add(self, obj: int, selector: int, on_change: Callable[[], None]) -> None:
        self._on_change = on_change
        _check(
            self._add_listener(obj, ctypes.byref(_address(selector)), self._listener, None),
            "adding a listener",
        )
        self._listening.append((obj, selector))

    def _remove(self, obj: int, selector: int) -> None:
        if (obj, selector) in self._listening:
            self._listening.remove((obj, selector))
            self._remove_listener(obj, ctypes.byref(_address(selector)), self._listener, None)

    def watch_devices(self, on_change: Callable[[], None]) -> None:
        self._add(SYSTEM_OBJECT, self._devices_selector, on_change)

    def watch(self, device: int, on_change: Callable[[], None]) -> None:
        self._add(device, IS_RUNNING_SOMEWHERE, on_change)

    def unwatch(self, device: int) -> None:
        self._remove(device, IS_RUNNING_SOMEWHERE)

    def close(self) -> None:
        for obj, selector in list(self._listening):
            self._remove(obj, selector)

    # set by the subclasses
    _devices_selector = 0
    _add_listener: Any = None
    _remove_listener: Any = None


class _CoreAudioHal(_ListenedHal):
    kind = "microphone"
    _devices_selector = DEFAULT_INPUT_DEVICE

    def __init__(self) -> None:
        super().__init__()
        c = ctypes
        audio: Any = c.CDLL(COREAUDIO)
        address_p = c.POINTER(_Address)
        audio.AudioObjectGetPropertyData.restype = c.c_int32
        audio.AudioObjectGetPropertyData.argtypes = [
            c.c_uint32, address_p, c.c_uint32, c.c_void_p, c.POINTER(c.c_uint32), c.c_void_p,
        ]  # fmt: skip
        audio.AudioObjectSetPropertyData.restype = c.c_int32
        audio.AudioObjectSetPropertyData.argtypes = [
            c.c_uint32, address_p, c.c_uint32, c.c_void_p, c.c_uint32, c.c_void_p,
        ]  # fmt: skip
        for name in ("AudioObjectAddPropertyListener", "AudioObjectRemovePropertyListener"):
            getattr(audio, name).restype = c.c_int32
            getattr(audio, name).argtypes = [c.c_uint32, address_p, _LISTENER, c.c_void_p]
        self._audio = audio
        self._add_listener = audio.AudioObjectAddPropertyListener
        self._remove_listener = audio.AudioObjectRemovePropertyListener
        # listeners on CoreAudio's own thread, not the main thread's run loop
        no_run_loop = c.c_void_p(None)
        _check(
            audio.AudioObjectSetPropertyData(
                SYSTEM_OBJECT,
                c.byref(_address(HAL_RUN_LOOP)),
                0,
                None,
                c.sizeof(no_run_loop),
                c.byref(no_run_loop),
            ),
            "setting CoreAudio's notification thread",
        )

    def _uint32(self, obj: int, selector: int) -> int:
        value = ctypes.c_uint32()
        size = ctypes.c_uint32(ctypes.sizeof(value))
        status = self._audio.AudioObjectGetPropertyData(
            obj, ctypes.byref(_address(selector)), 0, None, ctypes.byref(size), ctypes.byref(value)
        )
        _check(status, "reading a CoreAudio property")
        return int(value.value)

    def devices(self) -> list[int]:
        device = self._uint32(SYSTEM_OBJECT, DEFAULT_INPUT_DEVICE)
        return [] if device == UNKNOWN_OBJECT else [device]

    def running(self, device: int) -> bool:
        return self._uint32(device, IS_RUNNING_SOMEWHERE) != 0


class _CoreMediaIOHal(_ListenedHal):
    kind = "camera"
    _devices_selector = DEVICES

    def __init__(self) -> None:
        super().__init__()
        c = ctypes
        cmio: Any = c.CDLL(COREMEDIAIO)
        address_p = c.POINTER(_Address)
        cmio.CMIOObjectGetPropertyDataSize.restype = c.c_int32
        cmio.CMIOObjectGetPropertyDataSize.argtypes = [
            c.c_uint32, address_p, c.c_uint32, c.c_void_p, c.POINTER(c.c_uint32),
        ]  # fmt: skip
        cmio.CMIOObjectGetPropertyData.restype = c.c_int32
        cmio.CMIOObjectGetPropertyData.argtypes = [
            c.c_uint32, address_p, c.c_uint32, c.c_void_p, c.c_uint32, c.POINTER(c.c_uint32), c.c_void_p,
        ]  # fmt: skip
        for name in ("CMIOObjectAddPropertyListener", "CMIOObjectRemovePropertyListener"):
            getattr(cmio, name).restype = c.c_int32
            getattr(cmio, name).argtypes = [c.c_uint32, address_p, _LISTENER, c.c_void_p]
        self._cmio = cmio
        self._add_listener = cmio.CMIOObjectAddPropertyListener
        self._remove_listener = cmio.CMIOObjectRemovePropertyListener

    def _read(self, obj: int, selector: int) -> bytes:
        address = ctypes.byref(_address(selector))
        size = ctypes.c_uint32()
        _check(self._cmio.CMIOObjectGetPropertyDataSize(obj, address, 0, None, ctypes.byref(size)), "sizing")
        buffer = ctypes.create_string_buffer(max(size.value, 4))
        used = ctypes.c_uint32()
        status = self._cmio.CMIOObjectGetPropertyData(
            obj, address, 0, None, len(buffer), ctypes.byref(used), buffer
        )
        _check(status, "reading a CoreMediaIO property")
        return buffer.raw[: used.value]

    def devices(self) -> list[int]:
        return object_ids(self._read(SYSTEM_OBJECT, DEVICES))

    def running(self, device: int) -> bool:
        return any(self._read(device, IS_RUNNING_SOMEWHERE))


def coreaudio_hal() -> DeviceHal:
    if sys.platform != "darwin":
        raise OSError("the microphone is followed through CoreAudio, which exists on macOS only")
    return _CoreAudioHal()


def coremediaio_hal() -> DeviceHal:
    if sys.platform != "darwin":
        raise OSError("cameras are followed through CoreMediaIO, which exists on macOS only")
    return _CoreMediaIOHal()
