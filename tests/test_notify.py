"""The notifier adapters against a real notification daemon (dunst on the test desktop), no mocks.

The notifiers run on an asyncio loop in this process, so each test points this process's environment
at the test desktop (monkeypatch puts the person's own values back afterwards).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from desktop import DesktopSession, bare_bus, markup_text
from PIL import Image

from rustlamp.notify import Button, Message, Notifier
from rustlamp.notify.desktop import DesktopNotifierBackend, probe_freedesktop_server
from rustlamp.notify.plyer_backend import PlyerBackend
from rustlamp.notify.select import NullNotifier, choose_notifier

pytestmark = pytest.mark.desktop

APP = "rustlamp-test"
T = TypeVar("T")


@pytest.fixture
def session(desktop_clean: DesktopSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    """The clean desktop, with this process's environment pointing at its display and bus."""
    names = ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NO_AT_BRIDGE"]
    names += [k for k in desktop_clean.env if k.startswith("XDG_")]
    for name in names:
        monkeypatch.setenv(name, desktop_clean.env[name])
    yield desktop_clean


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Let the loop run (so notifier callbacks can fire) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"condition not met within {timeout:g} s")
        await asyncio.sleep(0.02)


async def started(notifier: Notifier) -> Notifier:
    status = await notifier.start()
    assert status.ok, status.detail
    return notifier


def test_two_buttons_arrive_with_their_labels(session: DesktopSession) -> None:
    async def scenario() -> dict[str, Any]:
        notifier = await started(DesktopNotifierBackend(APP, lambda key: None))
        try:
            await notifier.show(
                Message(
                    "Time for a rest",
                    "Look into the distance for a moment.",
                    buttons=(Button("break", "Take a break"), Button("snooze:10m", "In 10 minutes")),
                    click_key="open",
                )
            )
            return await asyncio.to_thread(session.wait_for_notification, lambda n: n["app_name"] == APP)
        finally:
            await notifier.close()

    n = run(scenario())
    assert n["summary"] == "Time for a rest"
    assert n["body"] == "Look into the distance for a moment."
    # Our keys travel as the D-Bus action keys; "default" is desktop-notifier's body click.
    assert ("break", "Take a break") in n["actions"]
    assert ("snooze:10m", "In 10 minutes") in n["actions"]
    assert [key for key, _ in n["actions"]] == ["default", "break", "snooze:10m"]


def test_withdraw_takes_the_notification_off_the_screen_and_twice_is_no_problem(
    session: DesktopSession,
) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        notifier = await started(DesktopNotifierBackend(APP, lambda key: None))
        try:
            shown = await notifier.show(Message("Withdrawn", "This one goes away.", click_key="open"))
            kept = await notifier.show(Message("Kept", "This one stays."))
            assert shown is not None and kept is not None
            seen = await asyncio.to_thread(
                session.wait_for_notification, lambda n: n["summary"] == "Withdrawn"
            )
            await notifier.withdraw(shown)
            await notifier.withdraw(shown)  # gone already: nothing happens, nothing is raised

            def closed() -> dict[str, Any]:
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline:
                    for n in session.notifications():
                        if n["id"] == seen["id"] and n["closed"] is not None:
                            return n
                    time.sleep(0.05)
                raise AssertionError(f"not closed: {session.notifications()}")

            gone = await asyncio.to_thread(closed)
            other = next(n for n in session.notifications() if n["summary"] == "Kept")
            return gone, other
        finally:
            await notifier.close()

    gone, other = run(scenario())
    assert gone["closed"] == 3  # the spec's reason: closed by a call to CloseNotification
    assert other["closed"] is None  # only the one asked for


def test_withdraw_still_works_after_a_button_was_pressed(session: DesktopSession) -> None:
    # desktop-notifier forgets a notification once a button is pressed; dunst keeps showing it
    async def scenario() -> dict[str, Any]:
        pressed: list[str] = []
        notifier = await started(DesktopNotifierBackend(APP, pressed.append))
        try:
            shown = await notifier.show(
                Message("Pressed", "Then withdrawn.", buttons=(Button("later", "Later"),))
            )
            assert shown is not None
            seen = await asyncio.to_thread(session.wait_for_notification, lambda n: n["summary"] == "Pressed")
            assert await asyncio.to_thread(session.press_action, "Later") == "later"
            await notifier.withdraw(shown)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                found = [
                    n for n in session.notifications() if n["id"] == seen["id"] and n["closed"] is not None
                ]
                if found:
                    return found[0]
                await asyncio.sleep(0.05)
            raise AssertionError(f"still open: {session.notifications()}")
        finally:
            await notifier.close()

    assert run(scenario())["closed"] == 3  # closed by us (CloseNotification), not left on screen


def test_plyer_cannot_withdraw_and_says_so_by_returning_nothing() -> None:
    backend = PlyerBackend(APP, lambda key: None)
    assert asyncio.run(backend.show(Message("t", "b"))) is None  # not started: nothing shown, no handle
    asyncio.run(backend.withdraw("anything"))  # a no-op, never an error


def test_body_is_escaped_for_a_markup_server_and_title_is_not(session: DesktopSession) -> None:
    async def scenario() -> None:
        assert "body-markup" in (await probe_freedesktop_server()).capabilities  # dunst reads markup
        notifier = await started(DesktopNotifierBackend(APP, lambda key: None))
        try:
            await notifier.show(Message("Tom & <i>Jerry</i>", "<b>bold</b> & co"))
        finally:
            await notifier.close()

    run(scenario())
    n = session.wait_for_notification(lambda n: n["app_name"] == APP)
    assert n["body"] == "&lt;b&gt;bold&lt;/b&gt; &amp; co"
    assert n["summary"] == "Tom & <i>Jerry</i>"  # plain text by the spec: sent as is
    session.close_all()  # dunst's history lists only closed notifications
    shown = session.history()[0]
    assert shown["appname"] == APP
    assert markup_text(shown["message"]) == "Tom & <i>Jerry</i>\n<b>bold</b> & co"


@contextlib.contextmanager
def plain_text_dunst(
    session: DesktopSession, settings: str = "[global]\n    markup = no\n"
) -> Iterator[dict[str, str]]:
    """A second dunst, on a bus of its own, configured to show bodies as plain text (no body-markup),
    or with the [global] `settings` given.

    Yields the environment that reaches it."""
    with bare_bus() as address, tempfile.TemporaryDirectory(prefix="rustlamp-dunst-") as directory:
        env = dict(session.env, DBUS_SESSION_BUS_ADDRESS=address)
        config = Path(directory) / "dunstrc"
        config.write_text(settings + "[urgency_normal]\n    timeout = 0\n")
        dunst = subprocess.Popen(
            ["dunst", "-config", str(config)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 10
            while subprocess.run(["dunstctl", "is-paused"], env=env, capture_output=True).returncode != 0:
                assert time.monotonic() < deadline and dunst.poll() is None, "the second dunst did not start"
                time.sleep(0.05)
            yield env
        finally:
            dunst.terminate()  # by PID
            dunst.wait(5)


def test_body_is_sent_as_is_when_the_server_reads_no_markup(
    session: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    with plain_text_dunst(session) as env:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])

        async def scenario() -> frozenset[str]:
            capabilities = (await probe_freedesktop_server()).capabilities
            notifier = await started(DesktopNotifierBackend(APP, lambda key: None))
            try:
                await notifier.show(Message("Plain", "<b>bold</b> & co"))
            finally:
                await notifier.close()
            return capabilities

        assert "body-markup" not in run(scenario())
        subprocess.run(["dunstctl", "close-all"], env=env, check=True)
        history = json.loads(subprocess.run(["dunstctl", "history"], env=env, capture_output=True).stdout)
        shown = {k: v["data"] for k, v in history["data"][0][0].items()}
    assert shown["body"] == "<b>bold</b> & co"  # as sent: no escaping
    assert markup_text(shown["message"]) == "Plain\n<b>bold</b> & co"  # and shown literally


def test_dunst_that_reads_markup_without_saying_so_gets_the_body_escaped(
    session: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dunst with no `markup` line draws the body as markup and does not advertise body-markup: what the
    person wrote must still show as written, with no hidden link."""
    written = "<b>bold</b> &amp; co <a href='https://example.org'>link</a>"
    with plain_text_dunst(session, "[global]\n    font = Sans 9\n") as env:
        monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", env["DBUS_SESSION_BUS_ADDRESS"])

        async def scenario() -> frozenset[str]:
            capabilities = (await probe_freedesktop_server()).capabilities
            notifier = await started(DesktopNotifierBackend(APP, lambda key: None))
            try:
                await notifier.show(Message("Plain", written))
            finally:
                await notifier.close()
            return capabilities

        assert "body-markup" not in run(scenario())
        subprocess.run(["dunstctl", "close-all"], env=env, check=True)
        history = json.loads(subprocess.run(["dunstctl", "history"], env=env, capture_output=True).stdout)
        shown = {k: v["data"] for k, v in history["data"][0][0].items()}
    assert markup_text(shown["message"]) == f"Plain\n{written}"  # as written, tags and entity and all


def test_pressing_a_button_reports_its_key(session: DesktopSession) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        notifier = await started(DesktopNotifierBackend(APP, pressed.append))
        try:
            await notifier.show(
                Message(
                    "Rest?",
                    "",
                    buttons=(Button("break", "Take a break"), Button("snooze:10m", "Later")),
                    click_key="open",
                )
            )
            await asyncio.to_thread(session.wait_for_notification, lambda n: n["app_name"] == APP)
            assert await asyncio.to_thread(session.press_action, "Later") == "snooze:10m"
            await until(lambda: bool(pressed))
            await asyncio.sleep(0.2)  # a second, wrong report would show up by now
        finally:
            await notifier.close()

    run(scenario())
    assert pressed == ["snooze:10m"]


def test_clicking_the_body_reports_click_key(session: DesktopSession) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        notifier = await started(DesktopNotifierBackend(APP, pressed.append))
        try:
            await notifier.show(
                Message("Rest?", "Click me", buttons=(Button("break", "Break"),), click_key="open")
            )
            await asyncio.to_thread(session.wait_for_notification, lambda n: n["app_name"] == APP)
            assert await asyncio.to_thread(session.click_notification) == "default"
            await until(lambda: bool(pressed))
            await asyncio.sleep(0.2)
        finally:
            await notifier.close()

    run(scenario())
    assert pressed == ["open"]


def test_a_failing_handler_is_logged_and_the_loop_goes_on(
    session: DesktopSession, caplog: pytest.LogCaptureFixture
) -> None:
    pressed: list[str] = []

    def handler(key: str) -> None:
        pressed.append(key)
        if key == "boom":
            raise RuntimeError("handler broke")

    async def scenario() -> None:
        notifier = await started(DesktopNotifierBackend(APP, handler))
        try:
            await notifier.show(Message("First", "", buttons=(Button("boom", "Explode"),)))
            await asyncio.to_thread(session.wait_for_notification, lambda n: n["summary"] == "First")
            await asyncio.to_thread(session.press_action, "Explode")
            await until(lambda: pressed == ["boom"])
            # The same notifier and loop still work afterwards.
            await notifier.show(Message("Second", "", buttons=(Button("fine", "Fine"),)))
            await asyncio.to_thread(session.wait_for_notification, lambda n: n["summary"] == "Second")
            await asyncio.to_thread(session.press_action, "Fine")
            await until(lambda: pressed == ["boom", "fine"])
        finally:
            await notifier.close()

    with caplog.at_level(logging.ERROR, logger="rustlamp.notify"):
        run(scenario())
    failures = [r for r in caplog.records if r.name == "rustlamp.notify" and r.exc_info]
    assert len(failures) == 1
    assert "'boom'" in failures[0].getMessage()


def test_choose_notifier_picks_desktop_notifier_when_dunst_runs(session: DesktopSession) -> None:
    async def scenario() -> tuple[str, bool, str]:
        notifier, status = await choose_notifier(APP, lambda key: None)
        try:
            return notifier.backend, status.ok, status.detail
        finally:
            await notifier.close()

    backend, ok, detail = run(scenario())
    assert (backend, ok) == ("desktop-notifier", True)
    # e.g. "Notifications go to dunst 1.9.0 (2022-06-27), with buttons and clicks."
    assert detail.startswith("Notifications go to dunst ")
    assert detail.endswith(", with buttons and clicks.")


def test_every_notification_carries_the_lamp_as_its_icon(session: DesktopSession) -> None:
    async def scenario() -> None:
        notifier, status = await choose_notifier(APP, lambda key: None)
        try:
            assert status.ok
            await notifier.show(Message("Time for a rest", "Stand up and look outside."))
        finally:
            await notifier.close()

    run(scenario())
    note = session.wait_for_notification(lambda n: n["summary"] == "Time for a rest")
    icon = str(note["app_icon"])
    shown = Path(icon.removeprefix("file://"))
    assert shown.name == "waiting-128.png" and shown.is_file(), icon
    with Image.open(shown) as picture:
        assert picture.size == (128, 128)


# Owns the notification service's name on the bus it is given, and never answers a call.
SILENT_SERVICE = """
import asyncio, sys
from dbus_fast import MessageType
from dbus_fast.aio import MessageBus

async def main():
    bus = await MessageBus(bus_address=sys.argv[1]).connect()
    bus.add_message_handler(lambda msg: msg.message_type == MessageType.METHOD_CALL)
    await bus.request_name("org.freedesktop.Notifications")
    print("ready", flush=True)
    await asyncio.Event().wait()

asyncio.run(main())
"""


@contextlib.contextmanager
def silent_service() -> Iterator[str]:
    """A bus whose notification service never answers; yields its address."""
    with bare_bus() as address:
        service = subprocess.Popen(
            [sys.executable, "-c", SILENT_SERVICE, address], stdout=subprocess.PIPE, text=True
        )
        try:
            assert service.stdout is not None and service.stdout.readline().strip() == "ready"
            yield address
        finally:
            service.terminate()  # by PID
            service.wait(5)


@pytest.mark.parametrize("bus", ["bare", "silent", "unset"])
def test_choose_notifier_without_a_service_says_what_to_do(
    bus: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> tuple[Notifier, bool, str, float]:
        began = time.monotonic()
        notifier, status = await choose_notifier(APP, lambda key: None)
        took = time.monotonic() - began
        await notifier.show(Message("Time for a rest", "Stand up"))  # must not raise
        await notifier.close()
        return notifier, status.ok, status.detail, took

    with caplog.at_level(logging.INFO, logger="rustlamp.notify"):
        if bus in ("bare", "silent"):
            # a session bus with no notification daemon on it, or one that never answers
            with bare_bus() if bus == "bare" else silent_service() as address:
                monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
                notifier, ok, detail, took = run(scenario())
        else:
            monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
            monkeypatch.delenv("DISPLAY", raising=False)
            notifier, ok, detail, took = run(scenario())

    assert took < 5
    assert isinstance(notifier, NullNotifier) and notifier.backend == "none"
    assert not ok
    assert detail == (
        "No notification service answered, so reminders only go to the log: start a notification "
        "daemon such as dunst, or your desktop's own; check that DBUS_SESSION_BUS_ADDRESS is set."
    )
    assert "Time for a rest: Stand up" in caplog.text  # the reminder still reaches the log


def test_plyer_fallback_shows_title_and_escaped_body(session: DesktopSession) -> None:
    async def scenario() -> str:
        notifier = PlyerBackend(APP, lambda key: None)
        status = await notifier.start()
        assert status.ok, status.detail
        await notifier.show(Message("From plyer", "<b>bold</b> & co", buttons=(Button("x", "Never shown"),)))
        await notifier.close()
        return status.detail

    detail = run(scenario())
    assert "buttons and clicks on notifications are unavailable" in detail
    n = session.wait_for_notification(lambda n: n["summary"] == "From plyer")
    assert n["app_name"] == APP
    assert n["body"] == "&lt;b&gt;bold&lt;/b&gt; &amp; co"
    assert n["actions"] == []
