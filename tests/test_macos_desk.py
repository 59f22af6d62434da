"""macOS desk: the pure decoders on sample documents, and MacPowerWatcher over a fake OS boundary.

IOKit, CoreGraphics and CoreFoundation cannot run here. Everything past them is real: the asyncio loop,
the watcher's own run-loop thread, call_soon_threadsafe. FakePowerApi plays IOKit: its run() delivers the
messages fired at it on the watcher's thread, one after another, as a CFRunLoop would, until stop().
The OS functions themselves are checked only for what they do here: refuse with a reason.
"""

from __future__ import annotations

import asyncio
import json
import plistlib
import queue
import sys
import threading
from collections.abc import Coroutine
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TypeVar

import pytest

from rustlamp.desk import macos_desk
from rustlamp.desk.base import DeskEvent
from rustlamp.desk.macos_desk import (
    CAN_SYSTEM_SLEEP,
    LOCKED_KEY,
    SYSTEM_HAS_POWERED_ON,
    SYSTEM_WILL_NOT_SLEEP,
    SYSTEM_WILL_POWER_ON,
    SYSTEM_WILL_SLEEP,
    THREAD_NAME,
    MacPowerWatcher,
    PowerMessage,
    Rect,
    WindowInfo,
    dnd_from_ncprefs,
    dnd_from_notificationcenterui,
    focus_from_assertions,
    focus_source,
    fullscreen_in,
    load_assertions,
    locked_from_session,
    read_assertions,
)

T = TypeVar("T")
OWN = 4242
OTHER = 777
MAIN = Rect(0, 0, 1440, 900)
SIDE = Rect(1440, -180, 1920, 1080)  # a second display to the right, its top higher than the main one's


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def window(bounds: Rect, layer: int = 0, pid: int = OTHER, alpha: float = 1.0) -> WindowInfo:
    return WindowInfo(layer=layer, pid=pid, bounds=bounds, alpha=alpha)


# --- fullscreen --------------------------------------------------------------------------------------


def test_a_window_covering_its_display_is_fullscreen() -> None:
    assert fullscreen_in([window(MAIN)], [MAIN], OWN)
    assert fullscreen_in([window(Rect(0, 0, 1440.2, 899.8))], [MAIN], OWN)  # rounding of the points


def test_a_zoomed_window_leaves_the_menu_bar_and_is_not_fullscreen() -> None:
    zoomed = Rect(0, 25, 1440, 875)  # below the menu bar, down to the bottom
    assert not fullscreen_in([window(zoomed)], [MAIN], OWN)
    assert not fullscreen_in([window(Rect(0, 0, 1440, 800))], [MAIN], OWN)  # short of the bottom


def test_only_the_frontmost_normal_window_counts() -> None:
    small = Rect(100, 100, 600, 400)
    assert not fullscreen_in([window(small), window(MAIN)], [MAIN], OWN)  # a fullscreen one behind it
    assert not fullscreen_in([], [MAIN], OWN)
    assert not fullscreen_in([window(MAIN)], [], OWN)  # no active display: nothing to cover


def test_our_own_windows_are_looked_through() -> None:
    assert not fullscreen_in([window(MAIN, pid=OWN)], [MAIN], OWN)  # our break window over the desk
    assert fullscreen_in([window(MAIN, pid=OWN), window(MAIN)], [MAIN], OWN)  # over a fullscreen film
    assert not fullscreen_in([window(MAIN, pid=OWN), window(Rect(0, 25, 1440, 875))], [MAIN], OWN)


def test_windows_off_the_normal_layer_and_invisible_ones_are_looked_through() -> None:
    menu_bar = window(Rect(0, 0, 1440, 25), layer=24)
    overlay = window(MAIN, layer=1000)  # a screen saver or shield window covering everything
    invisible = window(MAIN, alpha=0.0)
    zoomed = window(Rect(0, 25, 1440, 875))
    assert not fullscreen_in([overlay, menu_bar, invisible, zoomed], [MAIN], OWN)
    assert fullscreen_in([menu_bar, invisible, window(MAIN)], [MAIN], OWN)


def test_a_fullscreen_window_on_the_second_display() -> None:
    assert fullscreen_in([window(SIDE)], [MAIN, SIDE], OWN)
    assert not fullscreen_in([window(SIDE)], [MAIN], OWN)  # that display is gone
    assert not fullscreen_in([window(Rect(1440, -155, 1920, 1055))], [MAIN, SIDE], OWN)  # zoomed there
    # spanning both displays covers each of them
    assert fullscreen_in([window(Rect(0, -180, 3360, 1080))], [MAIN, SIDE], OWN)


# --- Focus -------------------------------------------------------------------------------------------

MODE = "com.apple.donotdisturb.mode.default"


def assertions(*records: object) -> dict[str, object]:
    return {
        "data": [{"storeAssertionRecords": list(records)}],
        "header": {"version": 3, "timestamp": 700000000.0},
    }


def record(mode: str = MODE) -> dict[str, object]:
    return {
        "assertionDetails": {
            "assertionDetailsModeIdentifier": mode,
            "assertionDetailsIdentifier": "com.apple.controlcenter.dnd",
        },
        "assertionStartDateTimestamp": 700000000.0,
    }


def test_a_focus_turned_on_by_hand_is_a_store_assertion_record() -> None:
    assert focus_from_assertions(assertions(record()))
    assert focus_from_assertions(assertions(record("com.apple.focus.work"), record()))
    assert focus_from_assertions({"data": [{}, {"storeAssertionRecords": [record()]}]})


def test_no_store_assertion_record_means_no_focus() -> None:
    assert not focus_from_assertions(assertions())
    assert not focus_from_assertions({"data": [{"storeInvalidationRecords": [{"x": 1}]}]})
    assert not focus_from_assertions({"data": []})


@pytest.mark.parametrize(
    "document",
    [
        [],
        "on",
        {},
        {"data": {"storeAssertionRecords": [record()]}},
        {"data": ["storeAssertionRecords"]},
        {"data": [{"storeAssertionRecords": {"0": record()}}]},
    ],
)
def test_a_focus_document_of_another_shape_cannot_tell(document: object) -> None:
    with pytest.raises(OSError):
        focus_from_assertions(document)


def test_the_assertions_file_is_json_or_a_binary_plist() -> None:
    document = assertions(record())
    assert load_assertions(json.dumps(document).encode()) == document
    assert load_assertions(plistlib.dumps(document, fmt=plistlib.FMT_BINARY)) == document
    for broken in (b"", b"{not json", b"bplist00 broken"):
        with pytest.raises(OSError, match="cannot be decoded"):
            load_assertions(broken)


def test_reading_the_assertions_file(tmp_path: Path) -> None:
    path = tmp_path / "Assertions.json"
    path.write_text(json.dumps(assertions(record())))
    assert focus_from_assertions(read_assertions(path))
    path.write_text(json.dumps(assertions()))
    assert not focus_from_assertions(read_assertions(path))
    with pytest.raises(OSError, match="does not exist"):
        read_assertions(tmp_path / "missing.json")


def test_an_assertions_file_behind_full_disk_access_says_so() -> None:
    def refused(path: Path) -> bytes:
        raise PermissionError(1, "Operation not permitted", str(path))

    with pytest.raises(OSError, match="Full Disk Access") as caught:
        read_assertions(Path("/Users/me/Library/DoNotDisturb/DB/Assertions.json"), read=refused)
    assert "Operation not permitted" in str(caught.value)


def ncprefs(prefs: dict[str, object]) -> bytes:
    return plistlib.dumps(prefs, fmt=plistlib.FMT_BINARY)


def test_big_sur_do_not_disturb_by_hand() -> None:
    assert dnd_from_ncprefs(ncprefs({"userPref": {"enabled": 1, "date": 0}}), 12 * 60)
    assert dnd_from_ncprefs(ncprefs({"userPref": {"enabled": True}}), 12 * 60)
    assert not dnd_from_ncprefs(ncprefs({"userPref": {"enabled": 0}}), 12 * 60)
    assert not dnd_from_ncprefs(ncprefs({}), 12 * 60)
    assert not dnd_from_ncprefs(None, 12 * 60)  # never set


def test_big_sur_do_not_disturb_by_schedule() -> None:
    evening = ncprefs({"scheduledTime": {"enabled": 1, "start": 22 * 60, "end": 7 * 60}})
    assert dnd_from_ncprefs(evening, 23 * 60)
    assert dnd_from_ncprefs(evening, 6 * 60 + 59)
    assert not dnd_from_ncprefs(evening, 7 * 60)  # the end is not in it
    assert not dnd_from_ncprefs(evening, 12 * 60)
    lunch = ncprefs({"scheduledTime": {"enabled": 1, "start": 12 * 60, "end": 13 * 60}})
    assert dnd_from_ncprefs(lunch, 12 * 60)
    assert not dnd_from_ncprefs(lunch, 13 * 60)
    off = ncprefs({"scheduledTime": {"enabled": 0, "start": 0, "end": 24 * 60}})
    assert not dnd_from_ncprefs(off, 12 * 60)


@pytest.mark.parametrize("blob", [b"not a plist", "text", ncprefs({"a": 1})[:10]])
def test_big_sur_prefs_that_cannot_be_read(blob: object) -> None:
    with pytest.raises(OSError):
        dnd_from_ncprefs(blob, 0)


def test_older_macos_do_not_disturb_preference() -> None:
    assert dnd_from_notificationcenterui(True)
    assert not dnd_from_notificationcenterui(False)
    assert not dnd_from_notificationcenterui(None)  # never set
    with pytest.raises(OSError):
        dnd_from_notificationcenterui(b"\x01")


@pytest.mark.parametrize(
    ("version", "source"),
    [
        ("10.14.6", "notificationcenterui"),
        ("10.15.7", "notificationcenterui"),
        ("10.16", "ncprefs"),  # Big Sur to a program built for older systems
        ("11.7.10", "ncprefs"),
        ("12.0.1", "assertions"),
        ("14.5", "assertions"),
        ("15", "assertions"),
    ],
)
def test_where_each_macos_keeps_do_not_disturb(version: str, source: str) -> None:
    assert focus_source(version) == source


@pytest.mark.parametrize("version", ["", "x.y"])
def test_an_unknown_macos_version_cannot_tell(version: str) -> None:
    with pytest.raises(OSError):
        focus_source(version)


# --- screen lock -------------------------------------------------------------------------------------


def test_the_session_dictionary_says_whether_the_screen_is_locked() -> None:
    assert locked_from_session({LOCKED_KEY: True, "kCGSSessionOnConsoleKey": True})
    assert locked_from_session({LOCKED_KEY: 1})
    assert not locked_from_session({LOCKED_KEY: False})
    assert not locked_from_session({"kCGSSessionOnConsoleKey": True})  # absent: unlocked
    with pytest.raises(OSError, match="no window server session"):
        locked_from_session(None)


@pytest.mark.skipif(sys.platform == "darwin", reason="checks what the questions do off macOS")
def test_the_questions_refuse_off_macos_with_a_reason() -> None:
    for question in (macos_desk.fullscreen_now, macos_desk.focus_now, macos_desk.screen_locked_now):
        with pytest.raises(OSError, match="macOS"):
            question()


# --- MacPowerWatcher ---------------------------------------------------------------------------------


class FakePowerApi:
    """Plays IOKit and a CFRunLoop: fire() queues a message, and run() delivers the queue to the watcher's
    callback on the thread that called it, until stop() (which, like the real one, also works before run()
    began). Records which thread did what, the IOAllowPowerChange answers, and each call."""

    def __init__(self, refuse: bool = False, hold_register: threading.Event | None = None) -> None:
        self.refuse = refuse
        self.hold_register = hold_register  # register() waits for it: IOKit slow to answer
        self.registering = threading.Event()
        self.running = threading.Event()  # run() began: the loop is there to be stopped
        self.calls: list[str] = []
        self.allowed: list[tuple[int, int]] = []  # (the message being answered, its argument)
        self.threads: dict[str, int] = {}
        self._messages: queue.Queue[tuple[int, int] | None] = queue.Queue()  # None: stop
        self._on_message: PowerMessage | None = None
        self._current: int | None = None
        self._handled = threading.Condition()
        self.handled = 0

    # MacPowerApi
    def register(self, on_message: PowerMessage) -> None:
        self._note("register")
        self.registering.set()
        if self.hold_register is not None:
            self.hold_register.wait(10)
        if self.refuse:
            raise OSError("IORegisterForSystemPower failed")
        self._on_message = on_message

    def run(self) -> None:
        self._note("run")
        self.running.set()
        while (item := self._messages.get()) is not None:
            assert self._on_message is not None
            self._current, argument = item
            self._on_message(self._current, argument)
            with self._handled:
                self.handled += 1
                self._handled.notify_all()
        self.calls.append("run returned")

    def stop(self) -> None:
        self._note("stop")
        self._messages.put(None)

    def allow(self, argument: int) -> None:
        assert self._current is not None
        self.allowed.append((self._current, argument))

    def deregister(self) -> None:
        self._note("deregister")

    # for the tests
    def fire(self, message: int, argument: int = 0) -> None:
        self._messages.put((message, argument))

    def wait_handled(self, count: int, timeout: float = 5.0) -> None:
        with self._handled:
            if not self._handled.wait_for(lambda: self.handled >= count, timeout):
                raise TimeoutError(f"wanted {count} messages handled, got {self.handled}")

    def _note(self, call: str) -> None:
        self.calls.append(call)
        self.threads[call] = threading.get_ident()


class Events:
    """The emit callback: keeps each event and the thread it came on; waits for a count, with a timeout."""

    def __init__(self) -> None:
        self.seen: list[DeskEvent] = []
        self.threads: set[int] = set()
        self._changed = asyncio.Event()  # made on the test's loop

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append(event)
        self.threads.add(threading.get_ident())
        self._changed.set()

    def kinds(self) -> list[str]:
        return [e.kind for e in self.seen]

    async def wait(self, count: int, timeout: float = 5.0) -> None:
        async def enough() -> None:
            while len(self.seen) < count:
                self._changed.clear()
                await self._changed.wait()

        try:
            await asyncio.wait_for(enough(), timeout)
        except asyncio.TimeoutError:
            raise TimeoutError(f"wanted {count} events within {timeout:g} s, got {self.kinds()}") from None


def power_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == THREAD_NAME]


def test_sleep_and_wake_reach_emit_on_the_loop_thread() -> None:
    async def scenario() -> None:
        api, events = FakePowerApi(), Events()
        watcher = MacPowerWatcher(api)
        assert await watcher.start(events) is None
        try:
            before = datetime.now(timezone.utc)
            api.fire(SYSTEM_WILL_SLEEP, 0x1234)
            api.fire(SYSTEM_WILL_POWER_ON)
            api.fire(SYSTEM_HAS_POWERED_ON)
            await events.wait(2)
            assert events.kinds() == ["sleep", "wake"]
            told = events.seen[0].at  # when IOKit said it, for a loop that hears of it only after waking
            assert told is not None and before <= told <= datetime.now(timezone.utc)
            assert all(e.source == "macos-power" for e in events.seen)
            assert events.threads == {threading.get_ident()}  # the loop's thread, this one
            # ... while IOKit's side ran on the watcher's own thread
            assert api.threads["register"] == api.threads["run"] != threading.get_ident()
            assert power_threads() and all(t.daemon for t in power_threads())
        finally:
            await watcher.close()

    run(scenario())


def test_the_two_messages_that_need_an_answer_are_allowed_at_once_with_their_argument() -> None:
    async def scenario() -> None:
        api, events = FakePowerApi(), Events()
        watcher = MacPowerWatcher(api)
        assert await watcher.start(events) is None
        try:
            api.fire(CAN_SYSTEM_SLEEP, 11)  # idle sleep pondered: allowed, nothing said
            api.fire(SYSTEM_WILL_NOT_SLEEP, 12)  # someone else vetoed it: still nothing
            api.fire(CAN_SYSTEM_SLEEP, 13)
            api.fire(SYSTEM_WILL_SLEEP, 14)
            api.fire(SYSTEM_WILL_POWER_ON, 15)  # must not be answered
            api.fire(SYSTEM_HAS_POWERED_ON, 16)  # must not be answered
            await asyncio.to_thread(api.wait_handled, 6)
            assert api.allowed == [(CAN_SYSTEM_SLEEP, 11), (CAN_SYSTEM_SLEEP, 13), (SYSTEM_WILL_SLEEP, 14)]
            await events.wait(2)
            assert events.kinds() == ["sleep", "wake"]
        finally:
            await watcher.close()

    run(scenario())


def test_a_failing_handler_does_not_keep_the_system_waiting() -> None:
    async def scenario() -> None:
        api, seen = FakePowerApi(), Events()

        def handler(event: DeskEvent) -> None:
            seen(event)
            raise RuntimeError("the core failed")

        watcher = MacPowerWatcher(api)
        assert await watcher.start(handler) is None
        try:
            api.fire(SYSTEM_WILL_SLEEP, 1)
            api.fire(SYSTEM_HAS_POWERED_ON)
            api.fire(SYSTEM_WILL_SLEEP, 2)
            await seen.wait(3)
            assert seen.kinds() == ["sleep", "wake", "sleep"]
            assert api.allowed == [(SYSTEM_WILL_SLEEP, 1), (SYSTEM_WILL_SLEEP, 2)]
        finally:
            await watcher.close()

    run(scenario())


def test_one_wake_per_sleep() -> None:
    """Repeats are dropped. The last message is one that must come through: the messages are handled in
    order, so by the time it arrives any wrongly sent event would be in the list too."""

    async def scenario() -> None:
        api, events = FakePowerApi(), Events()
        watcher = MacPowerWatcher(api)
        assert await watcher.start(events) is None
        try:
            api.fire(SYSTEM_HAS_POWERED_ON)  # a wake without a sleep
            api.fire(SYSTEM_WILL_SLEEP, 1)
            api.fire(SYSTEM_WILL_SLEEP, 2)  # a second one before the wake
            api.fire(SYSTEM_HAS_POWERED_ON)
            api.fire(SYSTEM_HAS_POWERED_ON)  # and a second wake
            api.fire(SYSTEM_WILL_SLEEP, 3)
            await events.wait(3)
            assert events.kinds() == ["sleep", "wake", "sleep"]
        finally:
            await watcher.close()

    run(scenario())


def test_close_stops_the_run_loop_thread_and_deregisters() -> None:
    async def scenario() -> None:
        api, events = FakePowerApi(), Events()
        watcher = MacPowerWatcher(api)
        assert await watcher.start(events) is None
        assert len(power_threads()) == 1
        # close() once the loop runs (before, the thread skips run() itself: a busy machine showed it)
        assert await asyncio.to_thread(api.running.wait, 10)
        await watcher.close()
        assert api.calls == ["register", "run", "stop", "run returned", "deregister"]
        assert api.threads["deregister"] == api.threads["run"]  # IOKit is left on the thread it was joined
        assert power_threads() == []
        # after close nothing is said, but IOKit's questions would still be answered
        await watcher.close()  # twice is fine
        assert api.calls.count("stop") == 1

    run(scenario())


def test_a_refused_registration_is_a_reason_at_start() -> None:
    async def scenario() -> None:
        api = FakePowerApi(refuse=True)
        watcher = MacPowerWatcher(api)
        problem = await watcher.start(Events())
        assert problem is not None and "IORegisterForSystemPower failed" in problem
        assert watcher.note is None
        assert "run" not in api.calls and "deregister" in api.calls  # what register made is undone
        assert power_threads() == []
        await watcher.close()

    run(scenario())


def test_a_registration_that_comes_too_late_is_a_reason_and_is_undone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(macos_desk, "START_TIMEOUT", 0.2)
    monkeypatch.setattr(macos_desk, "JOIN_TIMEOUT", 0.2)

    async def scenario() -> None:
        held = threading.Event()
        api = FakePowerApi(hold_register=held)
        watcher = MacPowerWatcher(api)
        problem = await watcher.start(Events())
        assert problem is not None and "did not register" in problem
        (thread,) = power_threads()  # still waiting for IOKit
        held.set()  # IOKit answers late, after close(): the thread must not enter the run loop
        await asyncio.to_thread(thread.join, 5.0)
        assert not thread.is_alive()
        assert "run" not in api.calls and api.calls[-1] == "deregister"

    run(scenario())


def test_the_note_says_the_screen_lock_is_not_followed() -> None:
    async def scenario() -> None:
        watcher = MacPowerWatcher(FakePowerApi())
        assert watcher.note is None
        assert await watcher.start(Events()) is None
        try:
            assert watcher.note is not None
            assert "screen lock is not followed" in watcher.note and "main thread" in watcher.note
        finally:
            await watcher.close()

    run(scenario())


def test_a_second_start_begins_afresh() -> None:
    async def scenario() -> None:
        api = FakePowerApi()
        first, second = Events(), Events()
        watcher = MacPowerWatcher(api)
        assert await watcher.start(first) is None
        api.fire(SYSTEM_WILL_SLEEP)
        await first.wait(1)
        assert await watcher.start(second) is None  # closes the first run: its sleep is forgotten
        try:
            assert api.calls.count("run returned") == 1 and len(power_threads()) == 1
            api.fire(SYSTEM_HAS_POWERED_ON)  # no sleep seen in this run
            api.fire(SYSTEM_WILL_SLEEP)
            await second.wait(1)
            assert second.kinds() == ["sleep"] and first.kinds() == ["sleep"]
        finally:
            await watcher.close()

    run(scenario())


@pytest.mark.skipif(sys.platform == "darwin", reason="checks what the real watcher does off macOS")
def test_the_real_watcher_says_why_not_here_without_raising() -> None:
    async def scenario() -> None:
        watcher = MacPowerWatcher()
        problem = await watcher.start(Events())
        assert problem is not None and "macOS only" in problem
        assert watcher.note is None and power_threads() == []
        await watcher.close()

    run(scenario())
