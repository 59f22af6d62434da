"""rustlamp.desk.windows_desk on Linux: the decoding of Windows' raw answers, and WindowsPowerWatcher
against a fake OS boundary.

FakeApi stands in for PowerApi only. Like Windows, it calls the suspend/resume callback on a thread of
its own, and runs the window procedure on the thread that made the window (the watcher's window thread,
inside run_messages). Everything else is real: the asyncio loop, the threads, the hand-over between them.
"""

from __future__ import annotations

import asyncio
import queue
import struct
import threading
import time
from collections.abc import Callable, Coroutine
from datetime import datetime, timedelta, timezone
from typing import Any, TypeVar

import pytest
from platforms import not_on_windows

from rustlamp.desk import windows_desk
from rustlamp.desk.base import DeskEvent
from rustlamp.desk.windows_desk import (
    PBT_APMRESUMEAUTOMATIC,
    PBT_APMRESUMESUSPEND,
    PBT_APMSUSPEND,
    WM_WTSSESSION_CHANGE,
    WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED,
    WTS_SESSION_LOCK,
    WTS_SESSION_UNLOCK,
    FocusAssist,
    WindowsPowerWatcher,
    do_not_disturb_now,
    focus_assist_from_wnf,
    focus_assist_problem,
    fullscreen_now,
    power_event,
    quns_fullscreen,
    quns_presentation,
    session_event,
)

pytestmark = pytest.mark.windows

T = TypeVar("T")
WINDOW = "the window"
WTS_SESSION_LOGON = 0x5
WM_TIMER = 0x0113
PBT_APMPOWERSTATUSCHANGE = 0x000A
WAIT = 5.0  # seconds to wait for something that takes milliseconds


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def dword(value: int) -> bytes:
    return value.to_bytes(4, "little")


# --- decoding ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "fullscreen", "presentation"),
    [
        (1, False, False),  # not present: locked, screen saver
        (2, True, False),  # busy: a fullscreen application (or presentation settings)
        (3, True, False),  # a fullscreen Direct3D application
        (4, False, True),  # presentation mode
        (5, False, False),  # accepts notifications
        (6, False, False),  # quiet time after a first login
        (7, False, False),  # a Windows Store app
    ],
)
def test_notification_states(state: int, fullscreen: bool, presentation: bool) -> None:
    assert quns_fullscreen(state) is fullscreen
    assert quns_presentation(state) is presentation


@pytest.mark.parametrize("state", [0, 8, -1, 0x7FFFFFFF])
def test_unknown_notification_states_are_refused(state: int) -> None:
    with pytest.raises(ValueError, match="unknown notification state"):
        quns_fullscreen(state)
    with pytest.raises(ValueError, match="unknown notification state"):
        quns_presentation(state)


def test_the_wnf_state_name_is_the_two_ulongs_in_memory_order() -> None:
    assert WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED == 0x0D83063EA3BF1C75
    as_two_ulongs = struct.pack("<II", 0xA3BF1C75, 0x0D83063E)
    assert struct.pack("<Q", WNF_SHEL_QUIETHOURS_ACTIVE_PROFILE_CHANGED) == as_two_ulongs


@pytest.mark.parametrize(
    ("data", "profile"),
    [
        (dword(0), FocusAssist.OFF),
        (dword(1), FocusAssist.PRIORITY_ONLY),
        (dword(2), FocusAssist.ALARMS_ONLY),
        (b"", FocusAssist.OFF),  # never published: never turned on
    ],
)
def test_focus_assist_profiles(data: bytes, profile: FocusAssist) -> None:
    assert focus_assist_from_wnf(data) is profile


@pytest.mark.parametrize(
    "data",
    [
        b"\x01",  # short
        b"\x01\x00\x00",
        b"\x01\x00\x00\x00\x00",  # long: another layout
        dword(0) * 2,
        dword(3),  # a profile we do not know
        dword(0xFFFFFFFF),
        b"\x00\x00\x00\x01",  # 1 in the wrong byte order is 0x01000000
    ],
)
def test_focus_assist_data_of_another_shape_is_refused(data: bytes) -> None:
    with pytest.raises(ValueError):
        focus_assist_from_wnf(data)


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        (PBT_APMSUSPEND, "sleep"),
        (PBT_APMRESUMEAUTOMATIC, "wake"),
        (PBT_APMRESUMESUSPEND, "wake"),
        (PBT_APMPOWERSTATUSCHANGE, None),
        (0, None),
    ],
)
def test_power_codes(code: int, kind: str | None) -> None:
    assert power_event(code) == kind


def test_session_messages() -> None:
    assert session_event(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK) == "lock"
    assert session_event(WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK) == "unlock"
    assert session_event(WM_WTSSESSION_CHANGE, WTS_SESSION_LOGON) is None
    assert session_event(WM_TIMER, WTS_SESSION_LOCK) is None  # another message with the same wparam


# --- fullscreen_now and do_not_disturb_now -------------------------------------------------------


class Readers:
    """Stands in for the two OS reads; None makes one fail."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, quns: int | None, wnf: bytes | None) -> None:
        self.quns, self.wnf = quns, wnf
        monkeypatch.setattr(windows_desk, "read_quns", self.read_quns)
        monkeypatch.setattr(windows_desk, "read_wnf_quiet_hours", self.read_wnf)

    def read_quns(self) -> int:
        if self.quns is None:
            raise OSError("SHQueryUserNotificationState failed (HRESULT 0x80004005)")
        return self.quns

    def read_wnf(self) -> bytes:
        if self.wnf is None:
            raise OSError("NtQueryWnfStateData failed (NTSTATUS 0xC0000022)")
        return self.wnf


@not_on_windows("off Windows only")
def test_off_windows_nothing_can_be_told() -> None:
    with pytest.raises(OSError):
        fullscreen_now()
    with pytest.raises(OSError, match=r"neither Focus Assist .* nor presentation mode .* can be read"):
        do_not_disturb_now()
    assert "Focus Assist cannot be read" in (focus_assist_problem() or "")


@pytest.mark.parametrize(("state", "expected"), [(2, True), (3, True), (4, False), (5, False)])
def test_fullscreen_now(monkeypatch: pytest.MonkeyPatch, state: int, expected: bool) -> None:
    Readers(monkeypatch, quns=state, wnf=dword(0))
    assert fullscreen_now() is expected


def test_fullscreen_now_cannot_tell(monkeypatch: pytest.MonkeyPatch) -> None:
    readers = Readers(monkeypatch, quns=None, wnf=dword(0))
    with pytest.raises(OSError, match="HRESULT"):
        fullscreen_now()
    readers.quns = 42
    with pytest.raises(OSError, match="unknown notification state 42"):
        fullscreen_now()


@pytest.mark.parametrize(
    ("wnf", "quns", "expected"),
    [
        (dword(1), 5, True),  # priority only
        (dword(2), 5, True),  # alarms only
        (dword(1), None, True),  # Focus Assist alone is enough
        (dword(0), 4, True),  # presentation mode
        (dword(0), 2, False),  # a fullscreen application is not a request for quiet
        (dword(0), 5, False),
        (dword(0), None, False),  # Focus Assist is known to be off
    ],
)
def test_do_not_disturb_now(
    monkeypatch: pytest.MonkeyPatch, wnf: bytes, quns: int | None, expected: bool
) -> None:
    Readers(monkeypatch, quns=quns, wnf=wnf)
    assert do_not_disturb_now() is expected
    assert focus_assist_problem() is None


@pytest.mark.parametrize("wnf", [None, dword(7), b"\x01\x00"])
def test_do_not_disturb_falls_back_to_presentation_mode(
    monkeypatch: pytest.MonkeyPatch, wnf: bytes | None
) -> None:
    readers = Readers(monkeypatch, quns=4, wnf=wnf)
    assert do_not_disturb_now() is True
    problem = focus_assist_problem()
    assert problem is not None and "only presentation mode is followed" in problem
    readers.quns = 5
    assert do_not_disturb_now() is False
    assert focus_assist_problem() == problem


def test_do_not_disturb_fails_only_when_neither_can_be_read(monkeypatch: pytest.MonkeyPatch) -> None:
    readers = Readers(monkeypatch, quns=None, wnf=None)
    with pytest.raises(OSError) as raised:
        do_not_disturb_now()
    assert "NTSTATUS" in str(raised.value) and "HRESULT" in str(raised.value)
    readers.wnf = dword(0)
    readers.quns = 5
    assert do_not_disturb_now() is False
    assert focus_assist_problem() is None  # readable again: the problem is gone


# --- the watcher ---------------------------------------------------------------------------------


class FakeApi:
    """PowerApi without Windows. Records which thread made each call (native ids, as Windows uses)."""

    def __init__(
        self, *, power_fails: bool = False, window_fails: bool = False, session_fails: bool = False
    ) -> None:
        self.power_fails = power_fails
        self.window_fails = window_fails
        self.session_fails = session_fails
        self.on_power: Callable[[int], None] | None = None
        self.registrations: list[str] = []
        self.unregistered: list[object] = []
        self.on_message: Callable[[int, int], None] | None = None
        self.window_thread: threading.Thread | None = None
        self.calls: list[tuple[str, int]] = []  # (what, native id of the calling thread)
        self.quits: list[int] = []
        self.callback_threads: list[int] = []  # threading.get_ident() of each "Windows" callback thread
        self._messages: queue.Queue[tuple[int, int] | None] = queue.Queue()

    def _record(self, what: str) -> None:
        self.calls.append((what, threading.get_native_id()))

    def called(self, what: str) -> list[int]:
        """The native ids of the threads that called `what`."""
        return [thread for name, thread in self.calls if name == what]

    # --- PowerApi

    def register_suspend_resume(self, on_event: Callable[[int], None]) -> object:
        if self.power_fails:
            raise OSError("[WinError 5] Access is denied")
        self.on_power = on_event
        self.registrations.append(f"registration {len(self.registrations) + 1}")
        return self.registrations[-1]

    def unregister_suspend_resume(self, registration: object) -> None:
        self.unregistered.append(registration)

    def create_window(self, on_message: Callable[[int, int], None]) -> object:
        self._record("create_window")
        if self.window_fails:
            raise OSError("[WinError 1400] Invalid window handle")
        self.on_message = on_message
        self.window_thread = threading.current_thread()
        return WINDOW

    def register_session(self, window: object) -> None:
        assert window == WINDOW
        self._record("register_session")
        if self.session_fails:
            raise OSError("[WinError 1722] The RPC server is unavailable")

    def unregister_session(self, window: object) -> None:
        assert window == WINDOW
        self._record("unregister_session")

    def destroy_window(self, window: object) -> None:
        assert window == WINDOW
        self._record("destroy_window")

    def run_messages(self) -> None:
        self._record("run_messages")
        while (message := self._messages.get()) is not None:
            assert self.on_message is not None
            self.on_message(*message)  # the window procedure, on the window's own thread

    def post_quit(self, thread_id: int) -> None:
        self.quits.append(thread_id)
        self._messages.put(None)

    # --- Windows' side, for the tests

    def fire(self, *codes: int, callback: Callable[[int], None] | None = None) -> None:
        """Windows calls the suspend/resume callback on a thread of its own."""
        target = callback or self.on_power
        assert target is not None

        def calls() -> None:
            self.callback_threads.append(threading.get_ident())
            for code in codes:
                target(code)

        thread = threading.Thread(target=calls)
        thread.start()
        thread.join(WAIT)

    def send(self, message: int, wparam: int) -> None:
        """A message for the window, dispatched by run_messages on the window's thread."""
        self._messages.put((message, wparam))

    @property
    def window_native_id(self) -> int | None:
        return self.window_thread.native_id if self.window_thread is not None else None


class Events:
    """The emit callback: every event, and the thread it came on."""

    def __init__(self, fail_first: bool = False) -> None:
        self.seen: list[DeskEvent] = []
        self.threads: list[int] = []
        self.fail_first = fail_first
        self._changed = asyncio.Event()

    def __call__(self, event: DeskEvent) -> None:
        self.seen.append(event)
        self.threads.append(threading.get_ident())
        self._changed.set()
        if self.fail_first and len(self.seen) == 1:
            raise RuntimeError("a handler that fails")

    def kinds(self) -> list[str]:
        return [event.kind for event in self.seen]

    async def wait(self, count: int) -> list[str]:
        deadline = time.monotonic() + WAIT
        while len(self.seen) < count:
            self._changed.clear()
            await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))
        return self.kinds()


async def started(fake: FakeApi, events: Events) -> WindowsPowerWatcher:
    watcher = WindowsPowerWatcher(fake)
    assert await watcher.start(events) is None
    return watcher


def test_the_constructor_touches_nothing() -> None:
    fake = FakeApi()
    watcher = WindowsPowerWatcher(fake)
    assert watcher.name == "windows-power"
    assert watcher.note is None
    assert fake.calls == [] and fake.registrations == []


def test_sleep_and_wake_come_on_the_loop_thread() -> None:
    async def main() -> None:
        loop_thread = threading.get_ident()
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            fake.fire(PBT_APMSUSPEND)
            assert await events.wait(1) == ["sleep"]
            fake.fire(PBT_APMRESUMEAUTOMATIC)
            assert await events.wait(2) == ["sleep", "wake"]
        finally:
            await watcher.close()
        assert all(event.source == "windows-power" for event in events.seen)
        assert fake.callback_threads and loop_thread not in fake.callback_threads
        assert events.threads == [loop_thread, loop_thread]
        assert watcher.note is None

    run(main())


def test_a_sleep_carries_the_moment_windows_told_it() -> None:
    # On the way into a suspend the loop may not run again before the machine sleeps; the runtime needs
    # to know when the sleep began, not when it heard of it.
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            before = datetime.now(timezone.utc)
            fake.fire(PBT_APMSUSPEND)  # returns once Windows' thread has called back
            after = datetime.now(timezone.utc)
            time.sleep(0.3)  # the loop does not run meanwhile, as when the machine goes to sleep
            await events.wait(1)
            heard = datetime.now(timezone.utc)
        finally:
            await watcher.close()
        told = events.seen[0].at
        assert told is not None and before <= told <= after
        assert heard - told >= timedelta(seconds=0.3)

    run(main())


def test_one_wake_per_sleep_when_both_resume_codes_come() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            # A resume by a person: PBT_APMRESUMEAUTOMATIC, then PBT_APMRESUMESUSPEND. The next sleep
            # comes after them, so a second "wake" would be seen before it.
            fake.fire(PBT_APMSUSPEND, PBT_APMRESUMEAUTOMATIC, PBT_APMRESUMESUSPEND, PBT_APMSUSPEND)
            assert await events.wait(3) == ["sleep", "wake", "sleep"]
            # Asleep now: a second suspend code is no news, nor is a power status change.
            fake.fire(PBT_APMSUSPEND, PBT_APMPOWERSTATUSCHANGE, PBT_APMRESUMESUSPEND)
            fake.fire(PBT_APMSUSPEND)
            assert await events.wait(5) == ["sleep", "wake", "sleep", "wake", "sleep"]
        finally:
            await watcher.close()

    run(main())


def test_a_resume_without_a_suspend_is_no_wake() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            fake.fire(PBT_APMRESUMEAUTOMATIC, PBT_APMRESUMESUSPEND, PBT_APMSUSPEND)
            assert await events.wait(1) == ["sleep"]
        finally:
            await watcher.close()

    run(main())


def test_lock_and_unlock_come_from_the_window_thread_to_the_loop_thread() -> None:
    async def main() -> None:
        loop_thread = threading.get_ident()
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)  # no news
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOGON)  # not ours
            fake.send(WM_TIMER, WTS_SESSION_UNLOCK)  # not a session change
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK)
            assert await events.wait(2) == ["lock", "unlock"]
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
            assert await events.wait(3) == ["lock", "unlock", "lock"]
        finally:
            await watcher.close()
        assert all(event.source == "windows-power" for event in events.seen)
        assert events.threads == [loop_thread] * 3
        window_thread = fake.window_thread
        assert window_thread is not None and window_thread.ident != loop_thread
        assert window_thread.daemon
        # the window was made, registered, served and undone on its own thread, in that order
        assert [what for what, _ in fake.calls] == [
            "create_window",
            "register_session",
            "run_messages",
            "unregister_session",
            "destroy_window",
        ]
        assert {thread for _, thread in fake.calls} == {window_thread.native_id}

    run(main())


def test_the_first_unlock_counts_when_the_state_was_unknown() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)  # started while locked: the first news is an unlock
        try:
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_UNLOCK)
            assert await events.wait(1) == ["unlock"]
        finally:
            await watcher.close()

    run(main())


def test_close_unregisters_and_ends_the_window_thread() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
        assert await events.wait(1) == ["lock"]  # the message loop is running
        window_thread = fake.window_thread
        assert window_thread is not None and window_thread.is_alive()
        await watcher.close()
        assert not window_thread.is_alive()
        assert fake.unregistered == ["registration 1"]
        assert fake.quits == [window_thread.native_id]
        assert fake.called("unregister_session") == [window_thread.native_id]
        assert fake.called("destroy_window") == [window_thread.native_id]
        # news after close() goes nowhere
        fake.fire(PBT_APMSUSPEND)
        await asyncio.sleep(0)
        assert events.kinds() == ["lock"]
        await watcher.close()  # twice is fine
        assert fake.unregistered == ["registration 1"] and len(fake.quits) == 1

    run(main())


def test_a_second_start_drops_news_from_the_first() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events()
        watcher = await started(fake, events)
        try:
            old_callback = fake.on_power
            first_window = fake.window_thread
            assert await watcher.start(events) is None
            assert fake.unregistered == ["registration 1"]
            assert first_window is not None and not first_window.is_alive()
            assert fake.window_thread is not first_window
            fake.fire(PBT_APMSUSPEND, callback=old_callback)  # late news from the first start: dropped
            fake.fire(PBT_APMRESUMEAUTOMATIC)  # so this wakes nothing
            fake.fire(PBT_APMSUSPEND)
            assert await events.wait(1) == ["sleep"]
            await asyncio.sleep(0)
            assert events.kinds() == ["sleep"]
        finally:
            await watcher.close()

    run(main())


def test_a_failing_handler_does_not_stop_the_watcher() -> None:
    async def main() -> None:
        fake, events = FakeApi(), Events(fail_first=True)
        watcher = await started(fake, events)
        try:
            fake.fire(PBT_APMSUSPEND, PBT_APMRESUMEAUTOMATIC)
            assert await events.wait(2) == ["sleep", "wake"]
        finally:
            await watcher.close()

    run(main())


@not_on_windows("off Windows only")
def test_on_linux_the_real_api_says_why_not() -> None:
    async def main() -> None:
        watcher = WindowsPowerWatcher()
        problem = await watcher.start(Events())
        assert problem is not None and "Windows only" in problem and "linux" in problem
        assert "\n" not in problem
        assert watcher.note is None
        assert not [t for t in threading.enumerate() if t.name == "rustlamp-session-window"]
        await watcher.close()

    run(main())


def test_sleep_without_lock() -> None:
    async def main() -> None:
        fake, events = FakeApi(session_fails=True), Events()
        watcher = await started(fake, events)
        try:
            assert watcher.note is not None
            assert watcher.note.startswith("the screen lock is not followed")
            assert "The RPC server is unavailable" in watcher.note
            window_thread = fake.window_thread
            assert window_thread is not None
            window_thread.join(WAIT)  # it ends by itself, its window undone
            assert not window_thread.is_alive()
            assert fake.called("destroy_window") == [window_thread.native_id]
            assert not fake.called("run_messages") and not fake.called("unregister_session")
            fake.fire(PBT_APMSUSPEND)
            assert await events.wait(1) == ["sleep"]
        finally:
            await watcher.close()
        assert fake.quits == []  # nothing to post to
        assert fake.unregistered == ["registration 1"]

    run(main())


def test_lock_without_sleep() -> None:
    async def main() -> None:
        fake, events = FakeApi(power_fails=True), Events()
        watcher = await started(fake, events)
        try:
            assert watcher.note is not None
            assert watcher.note.startswith("sleep is not followed")
            assert "Access is denied" in watcher.note
            fake.send(WM_WTSSESSION_CHANGE, WTS_SESSION_LOCK)
            assert await events.wait(1) == ["lock"]
        finally:
            await watcher.close()
        assert fake.unregistered == []  # nothing was registered

    run(main())


@pytest.mark.parametrize("window_fails", [True, False])
def test_neither_half(window_fails: bool) -> None:
    async def main() -> None:
        fake = FakeApi(power_fails=True, window_fails=window_fails, session_fails=not window_fails)
        watcher = WindowsPowerWatcher(fake)
        problem = await watcher.start(Events())
        assert problem is not None and problem.startswith("neither sleep nor the screen lock")
        assert "Access is denied" in problem
        assert ("Invalid window handle" if window_fails else "RPC server") in problem
        window_thread = fake.window_thread
        if window_thread is not None:
            assert not window_thread.is_alive()
        assert fake.called("destroy_window") == ([] if window_fails else [fake.window_native_id])
        await watcher.close()

    run(main())


def test_start_never_raises_even_for_a_broken_api() -> None:
    async def main() -> None:
        watcher = WindowsPowerWatcher(object())  # type: ignore[arg-type]
        problem = await watcher.start(Events())
        assert problem is not None and "neither" in problem
        await watcher.close()

    run(main())


def test_a_window_too_slow_to_come_is_given_up_and_cleans_up(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(windows_desk, "START_TIMEOUT", 0.05)
    release = threading.Event()

    class SlowWindow(FakeApi):
        slow_thread: threading.Thread | None = None

        def create_window(self, on_message: Callable[[int, int], None]) -> object:
            self.slow_thread = threading.current_thread()
            release.wait(WAIT)
            return super().create_window(on_message)

    async def main() -> None:
        fake, events = SlowWindow(), Events()
        watcher = await started(fake, events)
        try:
            assert watcher.note is not None and "not made within" in watcher.note
            assert fake.slow_thread is not None and fake.slow_thread.is_alive()
            release.set()  # the window comes late; its thread sees it was given up
            fake.slow_thread.join(WAIT)
            assert not fake.slow_thread.is_alive()
            assert not fake.called("run_messages")
            assert (
                fake.called("unregister_session") == fake.called("destroy_window") == [fake.window_native_id]
            )
        finally:
            await watcher.close()
        assert fake.quits == []

    run(main())
