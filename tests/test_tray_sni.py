"""The StatusNotifierItem tray at the protocol level, against Debian's real status-notifier-watcher on
the test desktop's private bus, no mocks. The test plays the panel (the SNI "host") itself: it reads
what the watcher lists and what the item publishes, calls Activate, reads the dbusmenu layout, sends
clicks and listens for the signals a panel acts on.

Signals from one connection reach us in the order they were sent, so "nothing was emitted" is checked
by a round trip to the item after the update (any signal sent before the reply would be there by
then), not by sleeping.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import pytest
from atspi import Accessibility
from bus_standins import DroppingWatcher, dropping_watcher
from dbus_fast import Message, MessageType, Variant
from desktop import DesktopSession
from sni_host import ITEM, MENU, Host, connected_host, flatten, id_of
from test_tray_xembed import opened_menu

from rustlamp.core.menu import SEPARATOR, Lamp, MenuItem, Tooltip
from rustlamp.tray.dbusmenu import DBusMenu
from rustlamp.tray.select import choose_tray
from rustlamp.tray.sni import FIRST_RETURN, SniTray

T = TypeVar("T")
PROPERTIES = "org.freedesktop.DBus.Properties"

CALM = Lamp("calm", 1)
TIP = Tooltip("rustlamp", "Next reminder at 15:00")


def menu_items(
    status: str = "Next reminder at 15:00", paused: bool = False, autostart: bool | None = None
) -> tuple[MenuItem, ...]:
    """Shaped like rustlamp.core.menu.menu(): a status line, submenus, disabled rows, separators, and
    (unless `autostart` is None) a check item."""
    pause: MenuItem = (
        MenuItem("resume", "Resume now")
        if paused
        else MenuItem(
            "",
            "Pause",
            children=(MenuItem("pause:1800s", "30 minutes"), MenuItem("pause:tomorrow", "Until tomorrow")),
        )
    )
    return (
        MenuItem("", status, enabled=False),
        SEPARATOR,
        MenuItem("break", "Take a break"),
        MenuItem("checkin", "Check in", enabled=False),
        MenuItem(
            "",
            "Snooze",
            enabled=not paused,
            children=(MenuItem("snooze:600s", "10 minutes"), MenuItem("snooze:today", "Rest of today")),
        ),
        pause,
        SEPARATOR,
        MenuItem("settings", "Settings"),
        *(() if autostart is None else (MenuItem("autostart", "Start at login", checked=autostart),)),
        MenuItem("quit", "Quit"),
    )


# Each state its own colour, two sizes, so a test can tell which picture the item publishes.
COLOURS = {
    "calm-0": (255, 200, 120),
    "calm-1": (255, 170, 80),
    "waiting": (240, 90, 40),
    "paused": (120, 120, 140),
}


def synthetic_icons(state: str) -> list[tuple[int, int, bytes]]:
    """Solid squares as ARGB32 in network byte order (what IconPixmap carries)."""
    r, g, b = COLOURS.get(state, (0, 0, 0))
    return [(size, size, bytes([255, r, g, b]) * (size * size)) for size in (16, 32)]


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


async def until(condition: Callable[[], bool], timeout: float = 5.0, what: str = "condition") -> None:
    """Let the loop run (the tray answers on it) until `condition` holds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:g} s")
        await asyncio.sleep(0.01)


@pytest.fixture
def session(desktop: DesktopSession, monkeypatch: pytest.MonkeyPatch) -> Iterator[DesktopSession]:
    """The test desktop with an SNI watcher on its bus, and this process pointed at that bus."""
    desktop.start_sni_watcher()
    for name in ["DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NO_AT_BRIDGE"]:
        monkeypatch.setenv(name, desktop.env[name])
    yield desktop
    desktop.start_sni_watcher()  # a test that stopped it leaves it running for the next one


@asynccontextmanager
async def started_tray(
    handler: Callable[[str], None] = lambda key: None, menu: tuple[MenuItem, ...] | None = None
) -> AsyncIterator[tuple[SniTray, Host]]:
    """A started SniTray (registered with the watcher) and a host listening to its signals."""
    async with connected_host() as host:
        tray = SniTray(handler, icons=synthetic_icons, title="rustlamp")
        try:
            status = await tray.start(CALM, menu_items() if menu is None else menu, TIP)
            assert status.ok, status.detail
            await host.listen(f"type='signal',path='/StatusNotifierItem',interface='{ITEM}'")
            await host.listen(f"type='signal',path='/MenuBar',interface='{MENU}'")
            yield tray, host
        finally:
            await tray.close()


async def layout(host: Host, tray: SniTray, parent: int = 0, depth: int = -1) -> tuple[int, list[Any]]:
    revision, root = await host.ok(tray.bus_name, "/MenuBar", MENU, "GetLayout", "iias", [parent, depth, []])
    return revision, root


async def round_trip(host: Host, tray: SniTray) -> None:
    """After this, every signal the tray sent before it has reached the host."""
    await host.ok(tray.bus_name, "/MenuBar", PROPERTIES, "Get", "ss", [MENU, "Version"])


# ----- registration and properties ------------------------------------------------------------------


@pytest.mark.desktop
def test_the_item_registers_and_publishes_icon_tooltip_and_menu(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            assert tray.bus_name.startswith("org.kde.StatusNotifierItem-")
            assert tray.bus_name in await host.registered_items()
            props = await host.props(tray.bus_name, "/StatusNotifierItem", ITEM)
            assert props["Category"] == "ApplicationStatus"
            assert props["Id"] == "rustlamp"
            assert props["Title"] == "rustlamp"
            assert props["Status"] == "Active"
            assert props["WindowId"] == 0
            assert props["IconName"] == ""
            assert props["ItemIsMenu"] is False  # so a left click is Activate, not the menu
            assert props["Menu"] == "/MenuBar"
            assert list(props["ToolTip"]) == ["", [], "rustlamp", "Next reminder at 15:00"]
            assert props["AttentionIconName"] == props["OverlayIconName"] == ""
            assert props["AttentionIconPixmap"] == props["OverlayIconPixmap"] == []
            pixmaps = props["IconPixmap"]
            assert [(w, h) for w, h, _ in pixmaps] == [(16, 16), (32, 32)]
            for w, h, data in pixmaps:
                assert data == bytes([255, 255, 170, 80]) * (w * h)  # ARGB, alpha first
            menu_props = await host.props(tray.bus_name, "/MenuBar", MENU)
            assert menu_props == {
                "Version": 3,
                "TextDirection": "ltr",
                "Status": "normal",
                "IconThemePath": [],
            }

    run(scenario())


@pytest.mark.desktop
def test_the_shipped_lamp_pictures_are_published_by_default(session: DesktopSession) -> None:
    async def scenario() -> list[Any]:
        async with connected_host() as host:
            tray = SniTray(lambda key: None)  # the default loader: rustlamp.tray.icons.pixmaps
            try:
                assert (await tray.start(Lamp("waiting"), menu_items(), TIP)).ok
                return list(await host.prop(tray.bus_name, "/StatusNotifierItem", ITEM, "IconPixmap"))
            finally:
                await tray.close()

    pixmaps = run(scenario())
    sizes = [(w, h) for w, h, _ in pixmaps]
    assert (16, 16) in sizes and (32, 32) in sizes
    for w, h, data in pixmaps:
        assert len(data) == w * h * 4


@pytest.mark.desktop
def test_close_takes_the_item_out_of_the_watcher(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with connected_host() as host:
            tray = SniTray(lambda key: None, icons=synthetic_icons)
            assert (await tray.start(CALM, menu_items(), TIP)).ok
            name = tray.bus_name
            assert name in await host.registered_items()
            await tray.close()
            deadline = time.monotonic() + 5
            while name in await host.registered_items():
                assert time.monotonic() < deadline, "the watcher still lists the closed item"
                await asyncio.sleep(0.02)
            await tray.close()  # closing twice is harmless

    run(scenario())


# ----- clicks ---------------------------------------------------------------------------------------


@pytest.mark.desktop
def test_activate_and_secondary_activate_call_the_handler(session: DesktopSession) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        async with started_tray(pressed.append) as (tray, host):
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "Activate", "ii", [10, 20])
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "SecondaryActivate", "ii", [10, 20])
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "Scroll", "is", [1, "vertical"])

    run(scenario())
    assert pressed == ["activate", "activate"]


@pytest.mark.desktop
def test_the_layout_carries_our_labels_separators_and_submenus(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            revision, root = await layout(host, tray)
            assert root[0] == 0
            assert root[1]["children-display"].value == "submenu"  # without it libdbusmenu shows nothing
            rows = flatten(root)
            shown = [("---" if p.get("type") == "separator" else p["label"], depth) for _, p, depth in rows]
            assert shown == [
                ("Next reminder at 15:00", 0),
                ("---", 0),
                ("Take a break", 0),
                ("Check in", 0),
                ("Snooze", 0),
                ("10 minutes", 1),
                ("Rest of today", 1),
                ("Pause", 0),
                ("30 minutes", 1),
                ("Until tomorrow", 1),
                ("---", 0),
                ("Settings", 0),
                ("Quit", 0),
            ]
            ids = [item_id for item_id, _, _ in rows]
            assert len(set(ids)) == len(ids) and 0 not in ids
            props = {p.get("label"): p for _, p, _ in rows}
            assert props["Next reminder at 15:00"]["enabled"] is False
            assert props["Check in"]["enabled"] is False
            assert "enabled" not in props["Take a break"]  # the default is not sent
            assert props["Snooze"]["children-display"] == "submenu"

            # A subtree, and no recursion: what hosts ask for when they open a submenu lazily.
            snooze = id_of(rows, "Snooze")
            same_revision, node = await layout(host, tray, parent=snooze, depth=1)
            assert same_revision == revision
            assert [child.value[1]["label"].value for child in node[2]] == ["10 minutes", "Rest of today"]
            _, flat = await layout(host, tray, depth=0)
            assert flat[2] == []
            (group,) = await host.ok(
                tray.bus_name, "/MenuBar", MENU, "GetGroupProperties", "aias", [[snooze], ["label"]]
            )
            assert [[i, {k: v.value for k, v in p.items()}] for i, p in group] == [
                [snooze, {"label": "Snooze"}]
            ]
            (label,) = await host.ok(tray.bus_name, "/MenuBar", MENU, "GetProperty", "is", [snooze, "label"])
            assert label.value == "Snooze"
            (need_update,) = await host.ok(tray.bus_name, "/MenuBar", MENU, "AboutToShow", "i", [0])
            assert need_update is False
            updates, errors = await host.ok(
                tray.bus_name, "/MenuBar", MENU, "AboutToShowGroup", "ai", [[0, snooze, 9999]]
            )
            assert (updates, errors) == ([], [9999])
            unknown = await host.call(tray.bus_name, "/MenuBar", MENU, "GetLayout", "iias", [9999, -1, []])
            assert unknown.message_type == MessageType.ERROR

    run(scenario())


@pytest.mark.desktop
def test_clicking_an_enabled_leaf_reports_its_id_and_nothing_else_does(session: DesktopSession) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        async with started_tray(pressed.append, menu=menu_items(paused=True)) as (tray, host):
            _, root = await layout(host, tray)
            rows = flatten(root)

            async def click(item_id: int) -> Message:
                return await host.call(
                    tray.bus_name, "/MenuBar", MENU, "Event", "isvu", [item_id, "clicked", Variant("i", 0), 0]
                )

            assert (await click(id_of(rows, "Take a break"))).message_type == MessageType.METHOD_RETURN
            assert pressed == ["break"]
            # Disabled rows, the status line, a separator, a submenu row, and a child of a disabled
            # submenu (Snooze while paused): answered, but nothing happens.
            separator = next(i for i, p, _ in rows if p.get("type") == "separator")
            for item_id in (
                id_of(rows, "Check in"),
                id_of(rows, "Next reminder at 15:00"),
                separator,
                id_of(rows, "Snooze"),
                id_of(rows, "Rest of today"),
            ):
                assert (await click(item_id)).message_type == MessageType.METHOD_RETURN
            # Events other than "clicked" (a host sends "hovered", "opened", ...) are not clicks.
            await host.ok(
                tray.bus_name,
                "/MenuBar",
                MENU,
                "Event",
                "isvu",
                [id_of(rows, "Quit"), "hovered", Variant("i", 0), 0],
            )
            assert pressed == ["break"]
            assert (await click(9999)).message_type == MessageType.ERROR

            # libdbusmenu (gtk-sni-tray, Xfce, ...) sends clicks through EventGroup.
            (missing,) = await host.ok(
                tray.bus_name,
                "/MenuBar",
                MENU,
                "EventGroup",
                "a(isvu)",
                [
                    [
                        [id_of(rows, "Resume now"), "clicked", Variant("i", 0), 0],
                        [9999, "clicked", Variant("i", 0), 0],
                    ]
                ],
            )
            assert missing == [9999]
            assert pressed == ["break", "resume"]

    run(scenario())


@pytest.mark.desktop
def test_a_failing_handler_is_logged_and_the_item_goes_on(
    session: DesktopSession, caplog: pytest.LogCaptureFixture
) -> None:
    pressed: list[str] = []

    def handler(key: str) -> None:
        pressed.append(key)
        if len(pressed) == 1:
            raise RuntimeError("handler broke")

    async def scenario() -> None:
        async with started_tray(handler) as (tray, host):
            # The host gets a normal reply: the failure is ours to log, not the panel's.
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "Activate", "ii", [0, 0])
            _, root = await layout(host, tray)
            await host.ok(
                tray.bus_name,
                "/MenuBar",
                MENU,
                "Event",
                "isvu",
                [id_of(flatten(root), "Settings"), "clicked", Variant("i", 0), 0],
            )

    with caplog.at_level(logging.ERROR, logger="rustlamp.tray"):
        run(scenario())
    assert pressed == ["activate", "settings"]
    failures = [r for r in caplog.records if r.name == "rustlamp.tray" and r.exc_info]
    assert len(failures) == 1 and "'activate'" in failures[0].getMessage()


# ----- updates: only what changed -------------------------------------------------------------------


@pytest.mark.desktop
def test_a_new_label_sends_only_that_property(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            revision, root = await layout(host, tray)
            rows = flatten(root)
            status, checkin = id_of(rows, "Next reminder at 15:00"), id_of(rows, "Check in")

            new_menu = list(menu_items(status="Next reminder at 15:30"))
            new_menu[3] = MenuItem("checkin", "Check in")  # enabled now
            tray.update(CALM, tuple(new_menu), TIP)
            await round_trip(host, tray)

            assert host.received("LayoutUpdated") == []
            (signal,) = host.received("ItemsPropertiesUpdated")
            updated, removed = signal.body
            got = {item_id: {k: v.value for k, v in props.items()} for item_id, props in updated}
            # Only the changed properties; "enabled" going back to its default is sent as True.
            assert got == {status: {"label": "Next reminder at 15:30"}, checkin: {"enabled": True}}
            assert removed == []
            new_revision, new_root = await layout(host, tray)
            assert new_revision == revision  # the shape did not change
            assert id_of(flatten(new_root), "Next reminder at 15:30") == status

    run(scenario())


@pytest.mark.desktop
def test_a_new_shape_sends_layout_updated_with_a_newer_revision(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            revision, root = await layout(host, tray)
            before = {p.get("label"): i for i, p, _ in flatten(root)}

            tray.update(Lamp("paused"), menu_items(paused=True), TIP)  # the Pause submenu becomes one row
            await round_trip(host, tray)

            (signal,) = host.received("LayoutUpdated")
            new_revision, parent = signal.body
            assert new_revision > revision and parent == 0
            assert host.received("ItemsPropertiesUpdated") == []
            got_revision, new_root = await layout(host, tray)
            assert got_revision == new_revision
            after = {p.get("label"): i for i, p, _ in flatten(new_root)}
            assert "Resume now" in after and "Pause" not in after
            # Items with an id keep their number, so a host's open menu still clicks the right thing.
            for label in ("Take a break", "Check in", "Settings", "Quit", "10 minutes"):
                assert after[label] == before[label]

    run(scenario())


@pytest.mark.desktop
def test_the_same_state_sends_nothing(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            tray.update(Lamp("calm", 1), menu_items(), Tooltip("rustlamp", "Next reminder at 15:00"))
            await round_trip(host, tray)
            assert [m.member for m in host.signals if m.path in ("/MenuBar", "/StatusNotifierItem")] == []

    run(scenario())


@pytest.mark.desktop
def test_new_icon_only_when_the_picture_changes_and_new_tooltip_only_when_it_does(
    session: DesktopSession,
) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):

            def sent() -> list[str]:
                return [str(m.member) for m in host.signals if m.path == "/StatusNotifierItem"]

            tray.update(Lamp("waiting"), menu_items(), TIP)
            await round_trip(host, tray)
            assert sent() == ["NewIcon"]
            pixmaps = await host.prop(tray.bus_name, "/StatusNotifierItem", ITEM, "IconPixmap")
            assert pixmaps[0][2][:4] == bytes([255, 240, 90, 40])
            # Still "Active": waiting shows in the picture, not as NeedsAttention (see sni.py).
            assert await host.prop(tray.bus_name, "/StatusNotifierItem", ITEM, "Status") == "Active"

            tray.update(Lamp("waiting"), menu_items(), TIP)
            tray.update(Lamp("waiting"), menu_items(), Tooltip("rustlamp", "Time for a rest"))
            await round_trip(host, tray)
            assert sent() == ["NewIcon", "NewToolTip"]
            tip = await host.prop(tray.bus_name, "/StatusNotifierItem", ITEM, "ToolTip")
            assert list(tip) == ["", [], "rustlamp", "Time for a rest"]

            tray.update(Lamp("calm", 2), menu_items(), Tooltip("rustlamp", "Time for a rest"))
            await round_trip(host, tray)
            assert sent() == ["NewIcon", "NewToolTip", "NewIcon"]

    run(scenario())


@pytest.mark.desktop
def test_a_check_item_shows_its_state_and_a_flip_sends_only_that(session: DesktopSession) -> None:
    pressed: list[str] = []

    async def scenario() -> None:
        async with started_tray(pressed.append, menu=menu_items(autostart=False)) as (tray, host):
            revision, root = await layout(host, tray)
            rows = flatten(root)
            check = id_of(rows, "Start at login")
            props = {p.get("label"): p for _, p, _ in rows}
            # The spec's names and types: toggle-type "checkmark" (s), toggle-state 0 off / 1 on (i).
            assert props["Start at login"]["toggle-type"] == "checkmark"
            assert props["Start at login"]["toggle-state"] == 0
            for label in ("Take a break", "Settings", "Snooze", "10 minutes"):
                assert "toggle-type" not in props[label] and "toggle-state" not in props[label]
            (state,) = await host.ok(
                tray.bus_name, "/MenuBar", MENU, "GetProperty", "is", [check, "toggle-state"]
            )
            assert (state.signature, state.value) == ("i", 0)
            # The spec's defaults for a plain item: not a check item, state unset.
            settings = id_of(rows, "Settings")
            (kind,) = await host.ok(
                tray.bus_name, "/MenuBar", MENU, "GetProperty", "is", [settings, "toggle-type"]
            )
            assert kind.value == ""

            # A click reports the key like any item's; the app answers with the new state.
            await host.ok(
                tray.bus_name, "/MenuBar", MENU, "Event", "isvu", [check, "clicked", Variant("i", 0), 0]
            )
            assert pressed == ["autostart"]
            tray.update(CALM, menu_items(autostart=True), TIP)
            await round_trip(host, tray)
            assert host.received("LayoutUpdated") == []
            (signal,) = host.received("ItemsPropertiesUpdated")
            updated, removed = signal.body
            assert [(i, {k: (v.signature, v.value) for k, v in p.items()}) for i, p in updated] == [
                (check, {"toggle-state": ("i", 1)})
            ]
            assert removed == []
            same_revision, new_root = await layout(host, tray)
            assert same_revision == revision
            on = {p.get("label"): p for _, p, _ in flatten(new_root)}["Start at login"]
            assert (on["toggle-type"], on["toggle-state"]) == ("checkmark", 1)

            # Where it cannot work the app leaves the item out: a new shape.
            tray.update(CALM, menu_items(), TIP)
            await round_trip(host, tray)
            assert len(host.received("LayoutUpdated")) == 1
            _, gone = await layout(host, tray)
            assert "Start at login" not in [p.get("label") for _, p, _ in flatten(gone)]

    run(scenario())


# ----- the watcher comes and goes -------------------------------------------------------------------


@pytest.mark.desktop
def test_the_item_registers_again_when_the_watcher_restarts(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with started_tray() as (tray, host):
            assert tray.bus_name in await host.registered_items()
            await asyncio.to_thread(session.stop_sni_watcher)
            await until(lambda: not tray.registered, what="the item noticing the watcher left")
            began = time.monotonic()
            await asyncio.to_thread(session.start_sni_watcher)  # a fresh watcher knows no items
            deadline = time.monotonic() + 5
            while tray.bus_name not in await host.registered_items():
                assert time.monotonic() < deadline, "the item did not register with the new watcher"
                await asyncio.sleep(0.02)
            assert tray.registered
            assert time.monotonic() - began < 5

    run(scenario())


@pytest.mark.desktop
def test_start_without_a_watcher_says_so_quickly(session: DesktopSession) -> None:
    session.stop_sni_watcher()

    async def scenario() -> tuple[bool, str, float]:
        tray = SniTray(lambda key: None, icons=synthetic_icons)
        began = time.monotonic()
        status = await tray.start(CALM, menu_items(), TIP)
        took = time.monotonic() - began
        await tray.close()
        return status.ok, status.detail, took

    ok, detail, took = run(scenario())
    assert not ok
    assert took < 3
    assert detail == (
        "No StatusNotifierItem panel answered on the D-Bus session bus "
        "(org.kde.StatusNotifierWatcher is not running), so the lamp cannot go there."
    )


@pytest.mark.desktop
def test_start_without_a_session_bus_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    monkeypatch.delenv("DISPLAY", raising=False)

    async def scenario() -> tuple[bool, str, float]:
        tray = SniTray(lambda key: None, icons=synthetic_icons)
        began = time.monotonic()
        status = await tray.start(CALM, menu_items(), TIP)
        took = time.monotonic() - began
        tray.update(CALM, menu_items(), TIP)  # harmless on a tray that did not start
        await tray.close()
        return status.ok, status.detail, took

    ok, detail, took = run(scenario())
    assert not ok and took < 3
    assert detail.startswith("No D-Bus session bus could be reached (")
    assert detail.endswith("check that DBUS_SESSION_BUS_ADDRESS is set.")


@pytest.mark.desktop
def test_context_menu_opens_our_own_menu_and_a_choice_reaches_the_handler(
    session: DesktopSession, a11y: Accessibility
) -> None:
    """swaybar draws no dbusmenu menus: a right click there calls ContextMenu(x, y)."""
    pressed: list[str] = []

    async def scenario() -> None:
        async with started_tray(pressed.append) as (tray, host):
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "ContextMenu", "ii", [100, 120])
            menu = await opened_menu(a11y.ready(), tray.popup)
            assert menu.find("popup menu", "rustlamp")["extents"][:2] == [100, 120]
            # A second call while it is open opens no second menu.
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "ContextMenu", "ii", [300, 300])
            await asyncio.to_thread(session.run, ["xdotool", "key", "Return"])  # it opens on Take a break
            await until(lambda: pressed == ["break"], what="the chosen item reaching the handler")
            assert tray.popup.opened == 1
            await until(lambda: not tray.popup.is_open, what="the menu closing")

            # The menu shows the state of the moment: paused, it offers "Resume now".
            tray.update(Lamp("paused"), menu_items(paused=True), TIP)
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "ContextMenu", "ii", [100, 120])
            menu = await opened_menu(a11y, tray.popup)
            await asyncio.to_thread(menu.press, "menu item", "Resume now")
            await until(lambda: len(pressed) == 2, what="the second choice")
            assert pressed == ["break", "resume"]

            # Closing the tray closes an open menu, and its choice goes nowhere.
            await host.ok(tray.bus_name, "/StatusNotifierItem", ITEM, "ContextMenu", "ii", [100, 120])
            menu = await opened_menu(a11y, tray.popup)
            await tray.close()
            assert not tray.popup.is_open and menu.tree_or_none() is None
            assert pressed == ["break", "resume"]

    run(scenario())


@asynccontextmanager
async def tray_with_dropping_watcher(
    session: DesktopSession,
) -> AsyncIterator[tuple[SniTray, DroppingWatcher]]:
    await asyncio.to_thread(session.stop_sni_watcher)
    async with dropping_watcher() as watcher:
        tray = SniTray(lambda key: None, icons=synthetic_icons)
        try:
            assert (await tray.start(CALM, menu_items(), TIP)).ok
            assert watcher.items == [f"{tray.bus_name}/StatusNotifierItem"]
            yield tray, watcher
        finally:
            await tray.close()


@pytest.mark.desktop
def test_a_drop_the_watcher_announces_is_answered_by_registering_again(
    session: DesktopSession, caplog: pytest.LogCaptureFixture
) -> None:
    async def scenario() -> list[float]:
        async with tray_with_dropping_watcher(session) as (tray, watcher):
            name = tray.bus_name
            # Another item's going is not ours.
            watcher.items.append("org.kde.StatusNotifierItem-1-1/StatusNotifierItem")
            watcher.drop("org.kde.StatusNotifierItem-1-1")
            watcher.drop(name)
            await until(lambda: not tray.in_panel, what="the item noticing the drop")
            await until(lambda: len(watcher.registrations(name)) == 2, what="registering again")
            # the watcher has the call; the tray knows it is in once the answer is back
            await until(lambda: tray.in_panel, what="the tray hearing it is in again")
            # Dropped again at once (as the GNOME extension may do): it comes back, after a longer wait.
            watcher.drop(name)
            await until(lambda: len(watcher.registrations(name)) == 3, what="registering a third time")
            await until(lambda: tray.in_panel, what="the tray hearing it is in a third time")
            assert watcher.items == [f"{name}/StatusNotifierItem"]
            return watcher.registrations(name)

    with caplog.at_level(logging.INFO, logger="rustlamp.tray"):
        first, second, third = run(scenario())
    assert FIRST_RETURN <= second - first < FIRST_RETURN + 1
    assert 2 * FIRST_RETURN <= third - second < 2 * FIRST_RETURN + 1
    said = [r.getMessage() for r in caplog.records if r.name == "rustlamp.tray"]
    assert (
        said.count(
            "tray: the panel dropped the lamp (StatusNotifierItemUnregistered named it); "
            f"it registers again in {FIRST_RETURN:g} s"
        )
        == 1
    )
    assert said.count("tray: the lamp is in the panel again (registered with the StatusNotifierWatcher)") == 2


@pytest.mark.desktop
def test_a_silent_drop_is_seen_in_the_watchers_list_when_it_changes(session: DesktopSession) -> None:
    async def scenario() -> None:
        async with tray_with_dropping_watcher(session) as (tray, watcher):
            name = tray.bus_name
            watcher.drop(name, announce=False)
            assert tray.in_panel  # nothing said yet: the tray cannot know (and does not poll)
            watcher.RegisterStatusNotifierItem("org.kde.StatusNotifierItem-1-1")  # the list changes
            await until(lambda: len(watcher.registrations(name)) == 2, what="registering again")
            assert f"{name}/StatusNotifierItem" in watcher.items
            assert tray.in_panel

    run(scenario())


@pytest.mark.desktop
def test_a_panel_that_comes_later_gets_the_lamp(session: DesktopSession) -> None:
    session.stop_sni_watcher()

    async def scenario() -> None:
        async with connected_host() as host:
            tray = SniTray(lambda key: None, icons=synthetic_icons)
            try:
                status = await tray.start(CALM, menu_items(), TIP)
                assert not status.ok and tray.follows_watcher and not tray.in_panel
                tray.update(Lamp("waiting"), menu_items(status="Time for a rest"), TIP)
                await asyncio.to_thread(session.start_sni_watcher)
                await until(lambda: tray.in_panel, what="registering with the watcher that came")
                assert tray.bus_name in await host.registered_items()
                # What the panel reads is the state of now, not of the start.
                pixmaps = await host.prop(tray.bus_name, "/StatusNotifierItem", ITEM, "IconPixmap")
                assert pixmaps[0][2][:4] == bytes([255, 240, 90, 40])
                _, root = await layout(host, tray)
                assert flatten(root)[0][1]["label"] == "Time for a rest"
            finally:
                await tray.close()

    run(scenario())


@pytest.mark.desktop
def test_with_no_tray_at_all_the_chooser_keeps_the_item_waiting_for_a_panel(
    session: DesktopSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.stop_sni_watcher()
    monkeypatch.setenv("DISPLAY", "")  # no XEmbed tray either

    async def scenario() -> None:
        tray, status = await choose_tray(lambda key: None, CALM, menu_items(), TIP)
        try:
            assert (status.ok, status.backend, tray.in_panel) == (False, "sni", False)
            assert status.detail.startswith("No tray was found, so the lamp is not in the panel;")
            assert status.detail.endswith(" The lamp goes into the panel by itself as soon as there is one.")
            await asyncio.to_thread(session.start_sni_watcher)
            await until(lambda: tray.in_panel, what="the waiting item registering")
        finally:
            await tray.close()

    run(scenario())


# ----- the dbusmenu object on its own (no bus) ------------------------------------------------------


def test_menu_ids_stay_put_for_named_items_across_changes() -> None:
    menu = DBusMenu(menu_items(), lambda key: None)
    first = {n.key: n.id for n in menu._root.walk() if n.key}
    assert menu.set_menu(menu_items(paused=True)) == "layout"
    assert menu.set_menu(menu_items()) == "layout"
    assert {n.key: n.id for n in menu._root.walk() if n.key} == first
    assert menu.set_menu(menu_items(status="Next reminder at 16:00")) == "properties"
    assert menu.set_menu(menu_items(status="Next reminder at 16:00")) is None
    assert menu.revision == 3


def test_underscores_in_labels_are_shown_as_written() -> None:
    menu = DBusMenu((MenuItem("x", "snake_case"),), lambda key: None)
    (row,) = menu._root.children
    assert row.props["label"] == "snake__case"  # dbusmenu reads a single "_" as an access key


def test_turning_an_item_into_a_check_item_is_a_new_shape_and_a_flip_is_not() -> None:
    menu = DBusMenu(menu_items(autostart=None), lambda key: None)
    assert menu.set_menu(menu_items(autostart=False)) == "layout"
    assert menu.set_menu(menu_items(autostart=True)) == "properties"
    (check,) = [n for n in menu._root.walk() if n.key == "autostart"]
    assert check.props["toggle-type"] == "checkmark" and check.props["toggle-state"] == 1
    assert menu.set_menu((MenuItem("autostart", "Start at login"),)) == "layout"  # a plain item again
