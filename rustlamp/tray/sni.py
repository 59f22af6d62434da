"""The lamp as a StatusNotifierItem (SNI): the tray of KDE Plasma, Xfce, LXQt, Cinnamon, MATE, waybar,
GNOME with the AppIndicator extension, and others, spoken directly over D-Bus with dbus-fast.

The item draws nothing itself: it publishes its icon (prepared ARGB32 pixmaps), tooltip and menu
(com.canonical.dbusmenu, see dbusmenu.py) and registers with the desktop's StatusNotifierWatcher; the
panel (the "host") draws them and calls back on clicks. Idle, it costs no wake-ups: it only answers.

The item follows the watcher for as long as it runs, on signals alone: it registers whenever a watcher
appears (also one that comes after rustlamp: autostart racing the panel, a GNOME extension switched on
later), and when the watcher drops it (StatusNotifierItemUnregistered naming it, or a list of
registered items without it: GNOME's AppIndicator extension now and then drops an item just after it
registers) it registers again, sooner the first time and more slowly should drops repeat.
A host that draws no dbusmenu menus calls ContextMenu instead (swaybar): it gets rustlamp's own menu
(rustlamp.tray.popup), the one the XEmbed tray shows.

Status stays "Active" in every lamp state. "NeedsAttention" is, by the spec, for things like a battery
running out, and hosts make it loud (Plasma pulls the item out of the hidden area, some blink it); a
waiting invitation to rest is shown by the lamp's own picture instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from dbus_fast import Message, MessageType, NameFlag, PropertyAccess, RequestNameReply
from dbus_fast.aio import MessageBus
from dbus_fast.annotations import DBusSignature
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property, dbus_signal

from rustlamp.core.menu import Lamp, MenuItem, Tooltip
from rustlamp.tray.base import ACTIVATE, CannotOpenHandler, TrayHandler, TrayStatus
from rustlamp.tray.dbusmenu import MENU_PATH, DBusMenu
from rustlamp.tray.popup import PopupMenu

log = logging.getLogger("rustlamp.tray")

BACKEND = "sni"
ITEM_INTERFACE = "org.kde.StatusNotifierItem"
ITEM_PATH = "/StatusNotifierItem"  # where hosts look when we register with a bus name
WATCHER = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
CONNECT_TIMEOUT = 2.0  # seconds; a session bus answers in milliseconds
CALL_TIMEOUT = 1.0
# A watcher owns its bus name a moment before it answers on it (status-notifier-watcher does), so
# registration is retried for a while; short at start(), so a desktop without a tray costs little.
REGISTER_TIMEOUT = 2.0
REREGISTER_TIMEOUT = 10.0  # after a watcher restart nobody waits on us: be patient
RETRY_INTERVAL = 0.1
# After a drop the item registers again after FIRST_RETURN, doubling while drops come within STEADY of
# the last registration, up to LAST_RETURN: a watcher that drops us at once cannot make us spin.
FIRST_RETURN = 0.5
LAST_RETURN = 300.0
STEADY = 60.0
UNREGISTERED_SIGNALS = ("StatusNotifierItemUnregistered", "ServiceUnregistered")  # the latter: old GNOME
LIST_CHANGE_SIGNALS = ("StatusNotifierItemRegistered", "StatusNotifierHostRegistered", "ServiceRegistered")

Pixmap = tuple[int, int, bytes]  # width, height, ARGB32 in network byte order, row-major
IconLoader = Callable[[str], list[Pixmap]]

Int32 = Annotated[int, DBusSignature("i")]
Str = Annotated[str, DBusSignature("s")]
Bool = Annotated[bool, DBusSignature("b")]
ObjectPath = Annotated[str, DBusSignature("o")]
Pixmaps = Annotated[list[list[Any]], DBusSignature("a(iiay)")]
ToolTipValue = Annotated[list[Any], DBusSignature("(sa(iiay)ss)")]
NoArgs = Annotated[None, DBusSignature("")]  # a plain "-> None" reads as a missing signature to dbus-fast


class _Item(ServiceInterface):
    """org.kde.StatusNotifierItem: read-only properties, clicks go to `on_action`."""

    def __init__(
        self, app_id: str, title: str, on_action: TrayHandler, on_context_menu: Callable[[int, int], None]
    ) -> None:
        super().__init__(ITEM_INTERFACE)
        self.app_id = app_id
        self.title = title
        self.pixmaps: list[list[Any]] = []
        self.tooltip = Tooltip("", "")
        self._on_action = on_action
        self._on_context_menu = on_context_menu

    @dbus_property(access=PropertyAccess.READ)
    def Category(self) -> Str:
        return "ApplicationStatus"

    @dbus_property(access=PropertyAccess.READ)
    def Id(self) -> Str:
        return self.app_id

    @dbus_property(access=PropertyAccess.READ)
    def Title(self) -> Str:
        return self.title

    @dbus_property(access=PropertyAccess.READ)
    def Status(self) -> Str:
        return "Active"  # always: see the module docstring

    @dbus_property(access=PropertyAccess.READ)
    def WindowId(self) -> Int32:
        return 0

    @dbus_property(access=PropertyAccess.READ)
    def IconThemePath(self) -> Str:
        return ""  # not in the freedesktop text but asked for by most hosts (a KDE extension)

    @dbus_property(access=PropertyAccess.READ)
    def IconName(self) -> Str:
        return ""  # empty: hosts use IconPixmap, so the lamp looks the same in every icon theme

    @dbus_property(access=PropertyAccess.READ)
    def IconPixmap(self) -> Pixmaps:
        return self.pixmaps

    @dbus_property(access=PropertyAccess.READ)
    def OverlayIconName(self) -> Str:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def OverlayIconPixmap(self) -> Pixmaps:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconName(self) -> Str:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def AttentionIconPixmap(self) -> Pixmaps:
        return []

    @dbus_property(access=PropertyAccess.READ)
    def AttentionMovieName(self) -> Str:
        return ""

    @dbus_property(access=PropertyAccess.READ)
    def ToolTip(self) -> ToolTipValue:
        # (icon name, icon pixmaps, title, body); no icon: hosts show the text
        return ["", [], self.tooltip.title, self.tooltip.body]

    @dbus_property(access=PropertyAccess.READ)
    def ItemIsMenu(self) -> Bool:
        return False  # else hosts open the menu on a left click instead of calling Activate

    @dbus_property(access=PropertyAccess.READ)
    def Menu(self) -> ObjectPath:
        return MENU_PATH

    @dbus_method()
    def ContextMenu(self, x: Int32, y: Int32) -> NoArgs:
        # Hosts that draw dbusmenu menus never call this; swaybar does, on a right click.
        self._on_context_menu(x, y)

    @dbus_method()
    def Activate(self, x: Int32, y: Int32) -> NoArgs:
        self._on_action(ACTIVATE)

    @dbus_method()
    def SecondaryActivate(self, x: Int32, y: Int32) -> NoArgs:
        self._on_action(ACTIVATE)  # a middle click: the same gentle "take a break" as a left click

    @dbus_method()
    def Scroll(self, delta: Int32, orientation: Str) -> NoArgs:
        pass

    @dbus_signal()
    def NewIcon(self) -> NoArgs:
        pass

    @dbus_signal()
    def NewToolTip(self) -> NoArgs:
        pass

    @dbus_signal()
    def NewTitle(self) -> NoArgs:
        pass

    @dbus_signal()
    def NewStatus(self, status: str) -> Str:
        return status


class _CallFailed(Exception):
    """A D-Bus call got an error reply, no reply in time, or could not be sent. `final` when trying
    again cannot help."""

    def __init__(self, message: str, final: bool = False) -> None:
        super().__init__(message)
        self.final = final


def _pixmap_list(pixmaps: list[Pixmap]) -> list[list[Any]]:
    return [[width, height, bytes(data)] for width, height, data in pixmaps]


class SniTray:
    """The Tray that puts the lamp in a StatusNotifierItem panel; see the module docstring."""

    backend: str = BACKEND

    def __init__(
        self,
        on_action: TrayHandler,
        icons: IconLoader | None = None,
        app_id: str = "rustlamp",
        title: str = "rustlamp",
        on_cannot_open: CannotOpenHandler | None = None,
    ) -> None:
        self._on_action = on_action
        self._icons = icons
        self._icon_cache: dict[str, list[list[Any]]] = {}
        self._app_id = app_id
        self._title = title
        self._bus: MessageBus | None = None
        self._item: _Item | None = None
        self._menu: DBusMenu | None = None
        self._menu_items: tuple[MenuItem, ...] = ()
        self.bus_name = ""  # org.kde.StatusNotifierItem-PID-N once started
        self.registered = False  # the watcher has our item (as far as we know)
        self.registrations = 0  # successful RegisterStatusNotifierItem calls since start()
        self._registered_at = 0.0  # monotonic time of the last registration
        self._return_delay = FIRST_RETURN  # how long to wait before registering again after a drop
        self._lamp: Lamp | None = None
        self._tooltip: Tooltip | None = None
        self._registering: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.popup = PopupMenu(self._dispatch, on_cannot_open)

    @property
    def in_panel(self) -> bool:
        return self.registered

    @property
    def follows_watcher(self) -> bool:
        """Started, on the bus, and registering as soon as a watcher appears (also while none is here)."""
        return self._bus is not None and self._item is not None

    # ----- the Tray protocol ---------------------------------------------------------------------

    async def start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        """Not ok when no panel answered; the item then still follows the watcher (`follows_watcher`)
        and goes in the first panel that appears, unless close() is called."""
        await self.close()  # a second start begins afresh
        try:
            return await self._start(lamp, menu, tooltip)
        except Exception as exc:  # start() reports, it never raises
            log.warning("the StatusNotifierItem tray could not start", exc_info=True)
            await self.close()
            return TrayStatus(False, BACKEND, f"The StatusNotifierItem tray could not start: {exc}.")

    def update(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> None:
        item, menu_object = self._item, self._menu
        if item is None or menu_object is None:
            return  # not started (or closed): start() shows the state it is given
        self._menu_items = menu  # what ContextMenu shows
        if self._lamp is None or lamp.icon != self._lamp.icon:
            try:
                item.pixmaps = self._pixmaps(lamp.icon)
            except Exception:  # a missing picture must not take the menu and tooltip with it
                log.exception("no icon for the lamp state %r", lamp.icon)
            else:
                self._lamp = lamp
                item.NewIcon()
        if tooltip != self._tooltip:
            item.tooltip = self._tooltip = tooltip
            item.NewToolTip()
        menu_object.set_menu(menu)  # it signals only what changed

    async def close(self) -> None:
        for task in [*self._tasks, *([self._registering] if self._registering else [])]:
            task.cancel()
        self._tasks.clear()
        self._registering = None
        await self.popup.close()
        bus, self._bus = self._bus, None
        self._item = self._menu = None
        self._lamp = self._tooltip = None
        self.registered = False
        if bus is None:
            return
        if self.bus_name and bus.connected:
            # Releasing the name is what takes the item out of the panel: the watcher forgets items
            # whose name loses its owner (disconnecting alone would do too, but later).
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bus.release_name(self.bus_name), CALL_TIMEOUT)
        self.bus_name = ""
        bus.disconnect()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(bus.wait_for_disconnect(), CALL_TIMEOUT)  # type: ignore[no-untyped-call]

    # ----- starting ------------------------------------------------------------------------------

    async def _start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        try:
            bus = await asyncio.wait_for(MessageBus().connect(), CONNECT_TIMEOUT)
        except Exception as exc:  # no address, refused connection, bad auth, no answer
            reason = "no answer" if isinstance(exc, asyncio.TimeoutError) else str(exc) or type(exc).__name__
            return TrayStatus(
                False,
                BACKEND,
                f"No D-Bus session bus could be reached ({reason}), so the lamp cannot go in a "
                "StatusNotifierItem panel; check that DBUS_SESSION_BUS_ADDRESS is set.",
            )
        self._bus = bus
        item = _Item(self._app_id, self._title, self._dispatch, self._context_menu)
        item.pixmaps = self._pixmaps(lamp.icon)
        item.tooltip = tooltip
        menu_object = DBusMenu(menu, self._dispatch)
        bus.export(ITEM_PATH, item)
        bus.export(MENU_PATH, menu_object)
        self._item, self._menu, self._lamp, self._tooltip = item, menu_object, lamp, tooltip
        self._menu_items = menu
        self.bus_name = await self._request_item_name(bus)

        # Follow the watcher: its coming and going, and what it says about the items it holds.
        bus.add_message_handler(self._on_message)
        for rule in (
            "type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
            f"member='NameOwnerChanged',arg0='{WATCHER}'",
            f"type='signal',interface='{WATCHER}',path='{WATCHER_PATH}'",
        ):
            await self._call(
                Message(
                    destination="org.freedesktop.DBus",
                    path="/org/freedesktop/DBus",
                    interface="org.freedesktop.DBus",
                    member="AddMatch",
                    signature="s",
                    body=[rule],
                )
            )

        problem, final = await self._register(REGISTER_TIMEOUT)
        if problem is not None:
            if not final:  # a watcher is there but slow: keep trying in the background
                self._register_later(0.0, REREGISTER_TIMEOUT)
            return TrayStatus(
                False,
                BACKEND,
                f"No StatusNotifierItem panel answered on the D-Bus session bus ({problem}), so the lamp "
                "cannot go there.",
            )
        return TrayStatus(True, BACKEND, "The lamp is in the panel (StatusNotifierItem).")

    async def _request_item_name(self, bus: MessageBus) -> str:
        # The spec's PID-N form; N goes up only when another SniTray in this process holds the name.
        for number in range(1, 100):
            name = f"org.kde.StatusNotifierItem-{os.getpid()}-{number}"
            reply = await asyncio.wait_for(bus.request_name(name, NameFlag.DO_NOT_QUEUE), CALL_TIMEOUT)
            if reply in (RequestNameReply.PRIMARY_OWNER, RequestNameReply.ALREADY_OWNER):
                return name
        raise RuntimeError("every org.kde.StatusNotifierItem-PID-N name of this process is taken")

    async def _call(self, message: Message, timeout: float = CALL_TIMEOUT) -> list[Any]:
        bus = self._bus
        if bus is None:
            raise _CallFailed("not connected")
        try:
            reply = await asyncio.wait_for(bus.call(message), timeout)
        except asyncio.TimeoutError:
            raise _CallFailed(f"{message.member}: no answer within {timeout:g} s") from None
        except Exception as exc:
            raise _CallFailed(f"{message.member}: {exc}") from exc
        # dbus-fast returns error replies instead of raising them.
        if reply is None:
            raise _CallFailed(f"{message.member}: no reply")
        if reply.message_type == MessageType.ERROR:
            if reply.error_name == "org.freedesktop.DBus.Error.ServiceUnknown":
                raise _CallFailed(f"{WATCHER} is not running", final=True)
            text = reply.body[0] if reply.body else ""
            raise _CallFailed(f"{reply.error_name}: {text}".rstrip(": "))
        return list(reply.body)

    async def _register(self, timeout: float) -> tuple[str | None, bool]:
        """Register with the watcher, retrying until `timeout`: (None, _) on success, else (why not,
        whether trying again soon is pointless because no watcher is running)."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            try:
                await self._call(
                    Message(
                        destination=WATCHER,
                        path=WATCHER_PATH,
                        interface=WATCHER,
                        member="RegisterStatusNotifierItem",
                        signature="s",
                        body=[self.bus_name],
                    ),
                    max(0.05, min(CALL_TIMEOUT, remaining)),
                )
            except _CallFailed as exc:
                # nobody owns the watcher's name: no panel, no point waiting (a starting watcher owns its
                # name before it answers, and that is what the retries are for)
                if exc.final or time.monotonic() + RETRY_INTERVAL >= deadline:
                    self.registered = False
                    return str(exc), exc.final
                log.debug("registering with the StatusNotifierWatcher: %s; trying again", exc)
                await asyncio.sleep(RETRY_INTERVAL)
            else:
                self.registered = True
                self.registrations += 1
                self._registered_at = time.monotonic()
                return None, False

    def _register_later(self, delay: float, timeout: float) -> None:
        """Register (again) after `delay` seconds; replaces a registration already waiting."""
        if self._registering is not None:
            self._registering.cancel()
        self._registering = asyncio.get_running_loop().create_task(self._register_after(delay, timeout))

    async def _register_after(self, delay: float, timeout: float) -> None:
        if delay > 0:
            await asyncio.sleep(delay)
        again = " again" if self.registrations else ""
        problem, _ = await self._register(timeout)
        if problem is None:
            log.info("tray: the lamp is in the panel%s (registered with the StatusNotifierWatcher)", again)
        else:
            log.warning(
                "tray: the lamp is not in the panel: registering with the StatusNotifierWatcher failed (%s); "
                "it is tried again when the watcher restarts",
                problem,
            )

    # ----- events --------------------------------------------------------------------------------

    def _dispatch(self, key: str) -> None:
        # Runs inside dbus-fast's method handling: an exception here must be logged, never reach the
        # loop (nor turn into an error reply the host would log instead of us).
        try:
            self._on_action(key)
        except Exception:
            log.exception("the handler for the tray action %r failed", key)

    def _context_menu(self, x: int, y: int) -> None:
        log.debug("the panel asked for our own menu at %d, %d", x, y)
        self.popup.open(self._menu_items, x, y)

    def _names_us(self, service: str) -> bool:
        """Whether a watcher's name for an item is ours: the name we registered or our connection's
        unique name, alone or followed by the object path (GNOME's extension lists "name/path")."""
        bus = self._bus
        ours = {self.bus_name, *([bus.unique_name] if bus is not None and bus.unique_name else [])}
        name = service.split("/", 1)[0]
        return name in ours

    def _on_message(self, message: Message) -> None:
        if message.message_type != MessageType.SIGNAL:
            return
        if message.member == "NameOwnerChanged" and message.sender == "org.freedesktop.DBus":
            if message.body and message.body[0] == WATCHER:
                self._watcher_changed(message.body[2])
        elif message.interface == WATCHER and message.path == WATCHER_PATH:
            service = message.body[0] if message.body and isinstance(message.body[0], str) else ""
            if message.member in UNREGISTERED_SIGNALS and self._names_us(service):
                self._dropped(f"{message.member} named it")
            elif message.member in (*UNREGISTERED_SIGNALS, *LIST_CHANGE_SIGNALS) and self.registered:
                self._spawn(self._check_listed())

    def _watcher_changed(self, new_owner: str) -> None:
        if self._registering is not None:
            self._registering.cancel()
            self._registering = None
        self._return_delay = FIRST_RETURN
        if not new_owner:
            self.registered = False
            log.info(
                "tray: the StatusNotifierWatcher went away, and the lamp with it; "
                "it comes back when a watcher does"
            )
            return
        log.info("tray: a StatusNotifierWatcher appeared; the lamp registers with it")
        self._register_later(0.0, REREGISTER_TIMEOUT)

    def _dropped(self, how: str) -> None:
        if not self.registered and self._registering is not None and not self._registering.done():
            return  # already on its way back
        self.registered = False
        # Drops in a row, each soon after registering, wait longer and longer; a steady spell resets.
        if time.monotonic() - self._registered_at > STEADY:
            self._return_delay = FIRST_RETURN
        delay = self._return_delay
        self._return_delay = min(LAST_RETURN, self._return_delay * 2)
        log.info("tray: the panel dropped the lamp (%s); it registers again in %g s", how, delay)
        self._register_later(delay, REREGISTER_TIMEOUT)

    async def _check_listed(self) -> None:
        """The watcher's list changed: are we still in it? (a drop it did not announce)"""
        try:
            (listed,) = await self._call(
                Message(
                    destination=WATCHER,
                    path=WATCHER_PATH,
                    interface="org.freedesktop.DBus.Properties",
                    member="Get",
                    signature="ss",
                    body=[WATCHER, "RegisteredStatusNotifierItems"],
                )
            )
        except (_CallFailed, ValueError) as exc:
            log.debug("could not read the watcher's items: %s", exc)
            return
        items = listed.value if hasattr(listed, "value") else listed
        if self.registered and not any(self._names_us(str(name)) for name in items):
            self._dropped("the watcher no longer lists it")

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # ----- icons ---------------------------------------------------------------------------------

    def _pixmaps(self, icon: str) -> list[list[Any]]:
        cached = self._icon_cache.get(icon)
        if cached is None:
            if self._icons is None:
                from rustlamp.tray.icons import pixmaps  # only now: it reads the prepared files

                self._icons = pixmaps
            cached = self._icon_cache[icon] = _pixmap_list(self._icons(icon))
        return cached
