"""rustlamp.desk.calls_macos on Linux: MacCallWatcher against fake CoreAudio and CoreMediaIO boundaries,
and the small decoders. The fakes call their listeners from a thread of their own, as the frameworks do;
the asyncio loop and the hand-over are real."""

from __future__ import annotations

import asyncio
import struct
import threading
import time
from collections.abc import Callable

import pytest

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.calls_macos import IS_RUNNING_SOMEWHERE, MacCallWatcher, fourcc, object_ids

WAIT = 5.0


class FakeHal:
    def __init__(self, kind: str, devices: list[int]) -> None:
        self.kind = kind
        self.present = list(devices)
        self.runs: set[int] = set()
        self.listeners: dict[object, Callable[[], None]] = {}  # "devices" or a device id
        self.broken: OSError | None = None

    # DeviceHal
    def devices(self) -> list[int]:
        return list(self.present)

    def running(self, device: int) -> bool:
        if self.broken is not None:
            raise self.broken
        return device in self.runs

    def watch_devices(self, on_change: Callable[[], None]) -> None:
        self.listeners["devices"] = on_change

    def watch(self, device: int, on_change: Callable[[], None]) -> None:
        assert device in self.present
        self.listeners[device] = on_change

    def unwatch(self, device: int) -> None:
        del self.listeners[device]

    def close(self) -> None:
        self.listeners.clear()

    # what the OS does
    def _tell(self, key: object) -> None:
        listener = self.listeners.get(key)
        if listener is not None:
            thread = threading.Thread(target=listener)  # the framework's own thread
            thread.start()
            thread.join()

    def run(self, device: int, running: bool = True) -> None:
        (self.runs.add if running else self.runs.discard)(device)
        self._tell(device)

    def replace_devices(self, devices: list[int]) -> None:
        self.present = devices
        self._tell("devices")


def maker(hal: FakeHal) -> Callable[[], FakeHal]:
    return lambda: hal


def failing(message: str) -> Callable[[], FakeHal]:
    def make() -> FakeHal:
        raise OSError(message)

    return make


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.01)


def test_four_character_codes_and_object_lists() -> None:
    assert IS_RUNNING_SOMEWHERE == fourcc("gone") == 0x676F6E65
    assert fourcc("dIn ") == 0x64496E20
    assert object_ids(struct.pack("=3I", 41, 0, 57)) == [41, 57]  # kObjectUnknown is no device
    assert object_ids(b"") == []


def test_the_microphone_or_a_camera_running_holds_and_both_stopping_releases() -> None:
    microphone, cameras = FakeHal("microphone", [41]), FakeHal("camera", [70, 71])
    seen: list[DeskEvent] = []
    watcher = MacCallWatcher([maker(microphone), maker(cameras)])

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        assert watcher.note is None and seen == []
        assert set(cameras.listeners) == {"devices", 70, 71}
        microphone.run(41)
        await until(lambda: watcher.holding)
        cameras.run(71)
        await until(lambda: watcher.running == ["microphone", "camera"])
        microphone.run(41, False)
        await until(lambda: watcher.running == ["camera"])
        assert watcher.holding
        cameras.run(71, False)
        await until(lambda: not watcher.holding)
        await watcher.close()

    asyncio.run(scenario())
    assert [(e.kind, e.source, e.reason) for e in seen] == [
        ("hold", "macos-calls", "call"),
        ("release", "macos-calls", "call"),
    ]
    assert microphone.listeners == {} and cameras.listeners == {}  # close removed them


def test_a_new_default_input_device_is_followed_and_the_old_one_let_go() -> None:
    microphone = FakeHal("microphone", [41])
    watcher = MacCallWatcher([maker(microphone)])

    async def scenario() -> None:
        assert await watcher.start(lambda event: None) is None
        microphone.runs.add(52)  # a headset, already recording
        microphone.replace_devices([52])  # becomes the default input
        await until(lambda: watcher.holding)
        assert set(microphone.listeners) == {"devices", 52}
        microphone.run(41)  # the old one no longer counts, nor is listened to
        microphone.run(52, False)
        await until(lambda: not watcher.holding)
        await watcher.close()

    asyncio.run(scenario())


def test_a_call_going_on_at_start_holds_at_once() -> None:
    microphone = FakeHal("microphone", [41])
    microphone.runs.add(41)
    seen: list[DeskEvent] = []

    async def scenario() -> None:
        watcher = MacCallWatcher([maker(microphone)])
        assert await watcher.start(seen.append) is None
        await watcher.close()

    asyncio.run(scenario())
    assert [e.kind for e in seen] == ["hold"]


def test_without_cameras_the_microphone_is_still_followed_and_the_log_says_so() -> None:
    watcher = MacCallWatcher(
        [maker(FakeHal("microphone", [41])), failing("CMIOObjectAddPropertyListener failed")]
    )
    assert asyncio.run(watcher.start(lambda event: None)) is None
    assert watcher.note == "not followed: CMIOObjectAddPropertyListener failed"


def test_a_device_that_cannot_be_asked_holds_nothing_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    microphone = FakeHal("microphone", [41])
    seen: list[DeskEvent] = []
    watcher = MacCallWatcher([maker(microphone)])

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        microphone.run(41)
        await until(lambda: watcher.holding)
        microphone.broken = OSError("reading a CoreAudio property failed (!obj)")
        microphone.run(41)
        await until(lambda: not watcher.holding)
        microphone.run(41)
        await asyncio.sleep(0.05)
        await watcher.close()

    caplog.set_level("INFO", logger="rustlamp.desk")
    asyncio.run(scenario())
    assert [e.kind for e in seen] == ["hold", "release"]
    warnings = [m for m in caplog.messages if "cannot tell" in m]
    assert warnings == [
        "macos-calls: cannot tell whether the microphone runs (reading a CoreAudio property failed (!obj))"
    ]


def test_off_macos_the_real_watcher_says_why() -> None:
    reason = asyncio.run(MacCallWatcher().start(lambda event: None))
    assert reason == (
        "neither the microphone nor a camera can be followed: the microphone is followed through CoreAudio, "
        "which exists on macOS only; cameras are followed through CoreMediaIO, which exists on macOS only"
    )
