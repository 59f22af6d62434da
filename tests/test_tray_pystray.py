"""The pystray adapter (the tray on Windows and macOS), here on any platform.

Its menu translation is checked against pystray's real Menu/MenuItem classes, imported with pystray's
"dummy" backend (it loads anywhere, but cannot show an icon). Its threads and hand-offs are checked with
a stand-in icon that runs its loop and calls back as pystray's does.
"""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from rustlamp.core.menu import SEPARATOR, Lamp, MenuItem, Tooltip
from rustlamp.tray import pystray_tray
from rustlamp.tray.base import ACTIVATE
from rustlamp.tray.pystray_tray import PystrayTray, build_menu

pytestmark = pytest.mark.windows

MENU = (
    MenuItem("", "Next reminder at 12:30", enabled=False),
    SEPARATOR,
    MenuItem("break", "Take a break now"),
    MenuItem("checkin", "Check-in…", enabled=False),
    MenuItem("", "Snooze", children=(MenuItem("snooze:600s", "10 min"), MenuItem("snooze:today", "Today"))),
    MenuItem("", "Pause", enabled=False, children=(MenuItem("pause:1800s", "30 min"),)),
    SEPARATOR,
    MenuItem("autostart", "Start at login", checked=True),
    MenuItem("quit", "Quit"),
)
CALM = Lamp("calm", 0)
TIP = Tooltip("rustlamp", "Next reminder at 12:30")


@pytest.fixture(scope="module")
def pystray() -> Iterator[Any]:
    """pystray, imported with its dummy backend unless something imported it already (the classes
    used here are the same for every backend)."""
    with pytest.MonkeyPatch.context() as patch:
        if "pystray" not in sys.modules:
            patch.setenv("PYSTRAY_BACKEND", "dummy")
        import pystray

        yield pystray


def describe(menu: Any, pystray: Any) -> list[Any]:
    """A pystray menu as plain values: what a person sees (hidden items left out, as pystray does)."""
    out: list[Any] = []
    for item in menu:
        if item is pystray.Menu.SEPARATOR:
            out.append("---")
        elif item.submenu is not None:
            out.append((item.text, item.enabled, describe(item.submenu, pystray)))
        elif item.checked is not None:  # a check item: pystray draws its mark from `checked`
            out.append((item.text, item.enabled, "checked" if item.checked else "unchecked"))
        else:
            out.append((item.text, item.enabled))
    return out


def test_the_menu_keeps_labels_states_nesting_and_separators(pystray: Any) -> None:
    menu = build_menu(MENU, lambda ident: None)
    assert describe(menu, pystray) == [
        ("Next reminder at 12:30", False),
        "---",
        ("Take a break now", True),
        ("Check-in…", False),
        ("Snooze", True, [("10 min", True), ("Today", True)]),
        ("Pause", False, [("30 min", True)]),
        "---",
        ("Start at login", True, "checked"),
        ("Quit", True),
    ]
    # Only the check item is one; pystray's radio look is not used.
    assert [item.text for item in menu if item.checked is not None] == ["Start at login"]
    assert not any(item.radio for item in menu)


def test_a_check_item_shows_the_state_of_its_menu_and_reports_its_id(pystray: Any) -> None:
    reported: list[str] = []
    off = (MenuItem("autostart", "Start at login", checked=False),)
    (item,) = [i for i in build_menu(off, reported.append) if i.visible]
    assert item.checked is False
    item(object())
    assert reported == ["autostart"]
    assert item.checked is False, "a click does not flip it by itself: the app's next menu does"
    (item,) = [i for i in build_menu(MENU[-2:-1], reported.append) if i.visible]
    assert item.checked is True


def test_items_report_their_ids_and_the_default_action_reports_activate(pystray: Any) -> None:
    reported: list[str] = []
    menu = build_menu(MENU, reported.append)
    icon = object()  # pystray passes its icon to actions; ours take none

    by_text = {item.text: item for item in menu}
    by_text["Take a break now"](icon)
    by_text["Quit"](icon)
    snooze = {item.text: item for item in by_text["Snooze"].submenu}
    snooze["Today"](icon)
    by_text["Next reminder at 12:30"](icon)  # no id: nothing to report
    menu(icon)  # what pystray's icon does on a left click: call the default item
    assert reported == ["break", "quit", "snooze:today", ACTIVATE]

    defaults = [item for item in menu.items if item.default]
    assert len(defaults) == 1 and not defaults[0].visible, "the default item is hidden from the menu"


def test_ampersands_show_literally_on_windows(pystray: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    items = (MenuItem("a", "Tea & biscuits"),)
    monkeypatch.setattr(pystray_tray, "_on_windows", lambda: False)
    assert [item.text for item in build_menu(items, print)] == ["Tea & biscuits"]
    monkeypatch.setattr(pystray_tray, "_on_windows", lambda: True)
    assert [item.text for item in build_menu(items, print)] == ["Tea && biscuits"]


# ----- threads and hand-offs, with a stand-in for pystray's icon -------------------------------------


class FakeIcon:
    """Runs a loop until stop(), calls setup on a thread of its own, and records what was set, like
    pystray's icons do."""

    def __init__(self, image: Any, title: str, menu: Any) -> None:
        self.icon, self.title, self.menu = image, title, menu
        self.visible = False
        self.changes: list[str] = []
        self.run_thread: threading.Thread | None = None
        self.stopped = threading.Event()

    def __setattr__(self, name: str, value: Any) -> None:
        if name in ("icon", "title", "menu") and hasattr(self, "changes"):
            self.changes.append(name)
        object.__setattr__(self, name, value)

    def run(self, setup: Any) -> None:
        self.run_thread = threading.current_thread()
        threading.Thread(target=setup, args=(self,)).start()
        self.stopped.wait(10)
        self.visible = False

    def stop(self) -> None:
        self.stopped.set()

    def click(self, text: str) -> None:
        """A click from pystray's own thread."""
        item = next(i for i in self.menu if i.text == text) if text else None
        threading.Thread(target=item or self.menu, args=(self,)).start()


class FakePystrayTray(PystrayTray):
    def __init__(self, on_action: Any) -> None:
        super().__init__(on_action)
        self.icons: list[FakeIcon] = []

    def _make_icon(self, image: Any, title: str, menu: Any) -> Any:
        self.icons.append(FakeIcon(image, title, menu))
        return self.icons[-1]


async def until(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.01)


async def lifecycle(tray: FakePystrayTray, calls: list[tuple[str, int]]) -> FakeIcon:
    status = await tray.start(CALM, MENU, TIP)
    assert status.ok, status.detail
    icon = tray.icons[-1]
    assert icon.visible and icon.title == "rustlamp: Next reminder at 12:30"

    icon.click("Take a break now")
    icon.click("")  # a left click where the platform has a default action
    await until(lambda: [c[0] for c in calls] == ["break", ACTIVATE])
    assert {c[1] for c in calls} == {threading.get_ident()}, "the handler runs on the loop's thread"

    icon.changes.clear()
    tray.update(CALM, MENU, TIP)
    assert icon.changes == [], "nothing changed, nothing sent"
    tray.update(Lamp("waiting"), MENU, TIP)
    tray.update(Lamp("waiting"), MENU, Tooltip("rustlamp", "Snoozed"))
    tray.update(Lamp("waiting"), MENU[2:], Tooltip("rustlamp", "Snoozed"))
    assert icon.changes == ["icon", "title", "menu"]
    assert describe(icon.menu, sys.modules["pystray"])[0] == ("Take a break now", True)

    await tray.close()
    assert icon.stopped.is_set()
    icon.click("Quit")  # after close: not reported
    await asyncio.sleep(0.1)
    assert [c[0] for c in calls] == ["break", ACTIVATE]
    return icon


def test_start_update_and_close_in_a_thread_of_its_own(pystray: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pystray_tray, "_needs_main_thread", lambda: False)
    calls: list[tuple[str, int]] = []
    tray = FakePystrayTray(lambda ident: calls.append((ident, threading.get_ident())))
    icon = asyncio.run(lifecycle(tray, calls))
    assert icon.run_thread is not threading.main_thread()


def test_on_macos_the_icon_runs_on_the_main_thread(pystray: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pystray_tray, "_needs_main_thread", lambda: True)
    calls: list[tuple[str, int]] = []
    tray = FakePystrayTray(lambda ident: calls.append((ident, threading.get_ident())))

    # Without the main thread it says so instead of hanging.
    status = asyncio.run(tray.start(CALM, MENU, TIP))
    assert not status.ok and "main thread" in status.detail

    icons: list[FakeIcon] = []
    tray.run_on_main_thread(lambda: icons.append(asyncio.run(lifecycle(tray, calls))))
    assert icons[0].run_thread is threading.main_thread()


def test_run_on_main_thread_returns_and_reraises_when_the_app_fails(pystray: Any) -> None:
    def app() -> None:
        raise RuntimeError("the app broke")

    with pytest.raises(RuntimeError, match="the app broke"):
        FakePystrayTray(print).run_on_main_thread(app)
