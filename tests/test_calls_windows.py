"""rustlamp.desk.calls_windows on Linux: the consent store's records decoded, and WindowsCallWatcher
against a fake OS boundary.

FakeConsent stands in for ConsentApi only, and behaves as Windows does where it matters: a change
notification fires once and must be asked for again, events are waited on by the watcher's own thread,
and a key that does not exist cannot be opened. Everything else is real: the asyncio loop, the thread,
the hand-over between them.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence

import pytest
from platforms import not_on_windows

from rustlamp.desk.base import DeskEvent
from rustlamp.desk.calls_windows import AppUse, WindowsCallWatcher, app_label, users

pytestmark = pytest.mark.windows

ZOOM = "C:#Program Files#Zoom#bin#Zoom.exe"
TEAMS = "MSTeams_8wekyb3d8bbwe"
WAIT = 5.0


class FakeConsent:
    def __init__(self, *capabilities: str) -> None:
        self.records: dict[str, dict[str, AppUse]] = {c: {} for c in capabilities}
        self.armed: dict[str, threading.Event] = {}  # capability -> the event its notification will signal
        self.changed = threading.Condition()
        self.signalled: set[int] = set()
        self.events: list[threading.Event] = []
        self.closed_keys: list[str] = []
        self.fail_reading: Exception | None = None
        self.reads = 0

    # ConsentApi
    def open_key(self, capability: str) -> object:
        if capability not in self.records:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return capability

    def read_apps(self, key: object) -> list[AppUse]:
        self.reads += 1
        if self.fail_reading is not None:
            raise self.fail_reading
        return list(self.records[str(key)].values())

    def notify_on_change(self, key: object, event: object) -> None:
        assert threading.current_thread().name == "rustlamp-calls"
        assert isinstance(event, threading.Event)
        self.armed[str(key)] = event

    def new_event(self) -> object:
        event = threading.Event()
        self.events.append(event)
        return event

    def wait_any(self, events: Sequence[object]) -> int:
        with self.changed:
            while True:
                for index, event in enumerate(events):
                    assert isinstance(event, threading.Event)
                    if event.is_set():
                        event.clear()  # auto-reset
                        return index
                self.changed.wait()

    def signal(self, event: object) -> None:
        assert isinstance(event, threading.Event)
        with self.changed:
            event.set()
            self.changed.notify_all()

    def close_key(self, key: object) -> None:
        self.closed_keys.append(str(key))

    def close_event(self, event: object) -> None:
        pass

    # what an app does
    def use(self, capability: str, app: str, start: int, stop: int) -> None:
        self.records[capability][app] = AppUse(app, start, stop)
        event = self.armed.pop(capability, None)  # fires once
        if event is not None:
            self.signal(event)


async def until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT
    while not condition():
        assert time.monotonic() < deadline, "not in time"
        await asyncio.sleep(0.01)


def test_an_app_uses_a_device_while_its_last_start_is_after_its_last_stop() -> None:
    assert AppUse(ZOOM, start=200, stop=0).in_use
    assert AppUse(ZOOM, start=200, stop=100).in_use
    assert not AppUse(ZOOM, start=200, stop=300).in_use
    assert not AppUse(ZOOM, start=0, stop=0).in_use  # allowed, never used
    assert users([AppUse(ZOOM, 5, 0), AppUse(TEAMS, 5, 9), AppUse(ZOOM + "x", 1, 2)]) == ["Zoom.exe"]


def test_the_log_names_a_program_by_its_file_and_a_store_app_by_its_package() -> None:
    assert app_label(ZOOM) == "Zoom.exe"
    assert app_label(TEAMS) == "MSTeams"
    assert app_label("Microsoft.WindowsCamera_8wekyb3d8bbwe") == "Microsoft.WindowsCamera"


def test_a_call_holds_and_its_end_releases_as_the_registry_changes() -> None:
    api = FakeConsent("microphone", "webcam")
    seen: list[DeskEvent] = []
    watcher = WindowsCallWatcher(api)

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        assert watcher.note is None and seen == []
        api.use("microphone", ZOOM, start=100, stop=0)
        await until(lambda: watcher.holding)
        assert watcher.in_use == {"microphone": ["Zoom.exe"]}
        api.use("webcam", TEAMS, start=110, stop=0)  # the camera too: still one hold
        await until(lambda: len(watcher.in_use) == 2)
        api.use("microphone", ZOOM, start=100, stop=150)
        await until(lambda: list(watcher.in_use) == ["camera"])
        assert watcher.holding
        api.use("webcam", TEAMS, start=110, stop=160)
        await until(lambda: not watcher.holding)
        api.use("webcam", TEAMS, start=200, stop=0)  # the notification was asked for again each time
        await until(lambda: watcher.holding)
        await watcher.close()

    asyncio.run(scenario())
    assert [(e.kind, e.source, e.reason) for e in seen] == [
        ("hold", "windows-calls", "call"),
        ("release", "windows-calls", "call"),
        ("hold", "windows-calls", "call"),
    ]
    assert sorted(api.closed_keys) == ["microphone", "webcam"]  # by the thread, as it ended


def test_a_call_going_on_at_start_holds_at_once_and_close_ends_the_thread() -> None:
    api = FakeConsent("microphone", "webcam")
    api.use("microphone", ZOOM, start=100, stop=0)
    seen: list[DeskEvent] = []
    watcher = WindowsCallWatcher(api)

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        await until(lambda: watcher.holding)
        await watcher.close()

    asyncio.run(scenario())
    assert [e.kind for e in seen] == ["hold"]
    assert not [t for t in threading.enumerate() if t.name == "rustlamp-calls"]


def test_without_a_webcam_key_the_microphone_is_still_followed_and_the_log_says_so() -> None:
    api = FakeConsent("microphone")
    watcher = WindowsCallWatcher(api)

    async def scenario() -> None:
        assert await watcher.start(lambda event: None) is None
        await watcher.close()

    asyncio.run(scenario())
    assert watcher.note is not None and watcher.note.startswith("not followed: camera (")


def test_without_either_key_it_says_why() -> None:
    reason = asyncio.run(WindowsCallWatcher(FakeConsent()).start(lambda event: None))
    assert reason is not None and reason.startswith(
        "Windows' record of apps using them cannot be read: microphone ("
    )


def test_a_first_read_that_fails_is_said_and_nothing_is_left_running() -> None:
    api = FakeConsent("microphone", "webcam")
    api.fail_reading = PermissionError(5, "Access is denied")

    async def scenario() -> str | None:
        return await WindowsCallWatcher(api).start(lambda event: None)

    reason = asyncio.run(scenario())
    assert reason is not None and "Access is denied" in reason
    assert not [t for t in threading.enumerate() if t.name == "rustlamp-calls"]


def test_a_read_failing_during_a_call_lets_the_held_reminder_come(caplog: pytest.LogCaptureFixture) -> None:
    api = FakeConsent("microphone", "webcam")
    seen: list[DeskEvent] = []
    watcher = WindowsCallWatcher(api)

    async def scenario() -> None:
        assert await watcher.start(seen.append) is None
        api.use("microphone", ZOOM, start=100, stop=0)
        await until(lambda: watcher.holding)
        api.fail_reading = OSError("the key was deleted")
        api.use("microphone", ZOOM, start=100, stop=120)
        await until(lambda: not watcher.holding)
        await watcher.close()

    caplog.set_level("INFO", logger="rustlamp.desk")
    asyncio.run(scenario())
    assert [e.kind for e in seen] == ["hold", "release"]
    assert "windows-calls: no longer following calls (the key was deleted)" in caplog.messages


@not_on_windows("off Windows only")
def test_off_windows_the_real_watcher_says_it_is_for_windows() -> None:
    reason = asyncio.run(WindowsCallWatcher().start(lambda event: None))
    assert reason is not None and reason.startswith("calls cannot be followed this way here: not Windows")
