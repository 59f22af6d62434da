"""The Linux fallback tray: the lamp in an XEmbed system tray (trayer, stalonetray, older panels).

Chosen when no StatusNotifierItem host is on the session bus but an X tray manager is. It stands on
pystray's X11 backend (`pystray._xorg`), which docks an icon but, as shipped (0.19.5), never selects
button events on its window (clicks are lost, pystray issue #151) and has no menu. A subclass adds what
rustlamp needs, through pystray's own per-event dispatch table (`_message_handlers`):

- button events are selected on the icon window, and acted on at release: a left click reports
  ACTIVATE, a right click opens our own menu in a child process (rustlamp.tray.popup), so this
  process never loads a toolkit;
- the icon is drawn over the panel's own background (pystray paints transparent pixels black);
- it asks to be docked once (pystray asks on every show and icon change, and trayer re-embeds the
  window each time, which flickers), and again when a restarted tray announces itself;
- only pystray's X thread uses pystray's X connection: other threads post requests to it through a
  connection of their own and never wait (python-xlib can hang when threads share one, see
  DockedIcon.__init__), so the app's loop never blocks on X.

Every handler call happens on the asyncio loop that called start().
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import importlib.util
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import Xlib.display
import Xlib.error
import Xlib.protocol.event
import Xlib.X
from PIL import Image

from rustlamp.core.menu import Lamp, MenuItem, Tooltip
from rustlamp.tray.base import ACTIVATE, CannotOpenHandler, TrayHandler, TrayStatus
from rustlamp.tray.icons import SIZES, png_path
from rustlamp.tray.popup import PopupMenu

if importlib.util.find_spec("pystray") is None:  # select.py skips this fallback on ImportError
    raise ImportError("pystray is not installed")

log = logging.getLogger("rustlamp.tray")

BACKEND = "xembed"
DOCKED_DETAIL = "The lamp is in the panel (XEmbed system tray)."
APP_NAME = "rustlamp"
PROBE_TIMEOUT = 2.0  # seconds; a local X server answers in milliseconds
DOCK_TIMEOUT = 5.0  # trayer embeds within ~50 ms
STOP_TIMEOUT = 5.0
DEFAULT_SLOT = 24  # icon size assumed until the tray has given the icon its place

IconFile = Callable[[str, int], Path]  # (lamp icon name, size) -> PNG file
T = TypeVar("T")


# ----- helpers ------------------------------------------------------------------------------------


def png_size_for(slot: int) -> int:
    """The smallest prepared PNG size that fills a tray slot of `slot` pixels (downscaling stays sharp)."""
    return next((size for size in SIZES if size >= slot), SIZES[-1])


def _probe_tray() -> str | None:
    """None when an XEmbed tray manager runs on $DISPLAY, else a sentence saying what is missing."""
    name = os.environ.get("DISPLAY", "")
    if not name:
        return "There is no X display (DISPLAY is not set), so there is no XEmbed system tray here."
    try:
        display = Xlib.display.Display()
    except Exception as exc:  # DisplayNameError, DisplayConnectionError, an auth failure, ...
        return f"Could not connect to the X display {name} ({exc})."
    try:
        selection = f"_NET_SYSTEM_TRAY_S{display.get_default_screen()}"
        owner = display.get_selection_owner(display.intern_atom(selection))
        if owner == Xlib.X.NONE:
            return (
                f"No XEmbed system tray runs on the X display {name} (nothing owns {selection}); "
                "add a system tray to the panel, or start one such as trayer or stalonetray."
            )
        return None
    finally:
        display.close()


async def _in_daemon_thread(work: Callable[[], T], timeout: float) -> T:
    """Run blocking X work off the loop in a daemon thread, so a stuck X server can neither block the
    loop nor (as an executor thread would) keep the process from exiting."""
    result: concurrent.futures.Future[T] = concurrent.futures.Future()

    def run() -> None:
        if not result.set_running_or_notify_cancel():
            return
        try:
            value = work()
        except BaseException as exc:
            with contextlib.suppress(concurrent.futures.InvalidStateError):  # cancelled by the timeout
                result.set_exception(exc)
        else:
            with contextlib.suppress(concurrent.futures.InvalidStateError):
                result.set_result(value)

    threading.Thread(target=run, name="rustlamp-xembed-work", daemon=True).start()
    return await asyncio.wait_for(asyncio.wrap_future(result), timeout)


@contextlib.contextmanager
def _xorg_backend_selected() -> Iterator[None]:
    """Importing any part of pystray runs its backend choice; on Linux that would try AppIndicator and
    GTK first (loading GTK into this process), so ask for the X11 backend while it is imported."""
    if "pystray" in sys.modules:
        yield
        return
    before = os.environ.get("PYSTRAY_BACKEND")
    os.environ["PYSTRAY_BACKEND"] = "xorg"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("PYSTRAY_BACKEND", None)
        else:
            os.environ["PYSTRAY_BACKEND"] = before


# ----- pystray's X11 icon, with clicks ---------------------------------------------------------------


class _IconEvents:
    """What the icon reports, called on pystray's X thread."""

    def __init__(self, docked: Callable[[], None], clicked: Callable[[int, int, int], None]) -> None:
        self.docked = docked
        self.clicked = clicked  # (button, root x, root y)


_icon_class: type[Any] | None = None


def _docked_icon_class() -> type[Any]:
    """The subclass of pystray._xorg.Icon; made on first use, because importing pystray._xorg opens
    (and needs) an X connection."""
    global _icon_class
    if _icon_class is not None:
        return _icon_class
    with _xorg_backend_selected():
        import pystray._xorg as xorg

    class DockedIcon(xorg.Icon):  # type: ignore[misc]  # pystray has no type hints
        """pystray's X11 icon, driven only from its own X thread; other threads use post()."""

        _systray_manager: Any  # pystray's: the tray's window, None while there is none

        def __init__(self, image: Image.Image, title: str, events: _IconEvents) -> None:
            # Our attributes start with _rl_: pystray's own private names (e.g. _events) must not be hit.
            self._rl_events = events
            self._rl_embedded = False
            self._rl_pressed = 0  # the button pressed on our window and not yet released
            self._rl_pending: dict[str, Any] = {}
            self._rl_lock = threading.Lock()
            self.slot = 0  # the short side of the place the tray gave us; 0 until docked
            super().__init__(APP_NAME, icon=image, title=title)
            self._rl_apply_atom = self._display.intern_atom("_RUSTLAMP_APPLY")
            # Other threads wake the X thread through a connection of their own. python-xlib's
            # hand-over between threads sharing a connection can leave one waiting for a reply forever
            # (seen here: pystray's loop stuck in a GetImage while another thread read a reply), so
            # pystray's connection is used by its X thread alone, and pystray's cross-thread calls
            # (visible=, icon=, stop(), ...) are never made from elsewhere.
            self._rl_waker: Any = Xlib.display.Display(self._display.get_display_name())
            self._rl_target = self._rl_waker.create_resource_object("window", self._window.id)
            handlers = self._message_handlers  # pystray's mainloop dispatches X events by type here
            handlers[Xlib.X.ButtonRelease] = self._on_button_release
            handlers[Xlib.X.ReparentNotify] = self._on_reparent
            handlers[Xlib.X.MapNotify] = self._on_map
            pystray_messages = handlers[Xlib.X.ClientMessage]

            def on_client_message(event: Any) -> None:
                if event.client_type == self._rl_apply_atom:
                    self._apply_pending()
                elif event.client_type == self._rl_manager_atom:
                    self._on_new_manager(event)
                else:
                    pystray_messages(event)

            handlers[Xlib.X.ClientMessage] = on_client_message
            # A tray that starts later announces itself to the root window (MANAGER, system tray spec);
            # pystray only looks for one when the old one goes, so a restarted panel would lose the lamp.
            self._rl_manager_atom = self._display.intern_atom("MANAGER")
            self._display.screen().root.change_attributes(event_mask=Xlib.X.StructureNotifyMask)

        def __del__(self) -> None:
            pass  # disconnect() closes the connections; pystray's __del__ would close one twice

        # -- fixes to pystray's behaviour --

        def _create_window(self) -> Any:
            window = super()._create_window()
            # pystray selects only Exposure and StructureNotify, so the server never sends clicks.
            # ParentRelative: clearing the window shows the panel, which _draw blends the icon onto.
            window.change_attributes(
                event_mask=Xlib.X.ExposureMask
                | Xlib.X.StructureNotifyMask
                | Xlib.X.ButtonPressMask
                | Xlib.X.ButtonReleaseMask,
                background_pixmap=Xlib.X.ParentRelative,
            )
            return window

        def _mark_ready(self) -> None:
            # pystray sets _thread only after _mark_ready() has released the setup thread, which may
            # read it at once; set it first.
            self._thread = threading.current_thread()
            super()._mark_ready()

        def _dock_window(self) -> None:
            # Ask once; pystray forgets the manager (sets None) when it goes away, and asks again.
            if self._systray_manager is None:
                super()._dock_window()

        def _on_destroy_notify(self, event: Any) -> None:
            # pystray's fails when it knows no tray, and logs a traceback when no new tray is there yet;
            # a tray that starts later announces itself (see _on_new_manager).
            if self._systray_manager is None or event.window.id != self._systray_manager.id:
                return
            self._systray_manager = None
            self._dock_window()  # a tray that has already taken over the selection, if any

        def _draw(self) -> None:
            try:
                geometry = self._window.get_geometry()
                width, height = geometry.width, geometry.height
                self._window.clear_area(0, 0, width, height)
                if geometry.depth == 24:
                    shot = self._window.get_image(0, 0, width, height, Xlib.X.ZPixmap, 0xFFFFFFFF)
                    canvas = Image.frombytes("RGB", (width, height), shot.data, "raw", "BGRX")
                else:
                    canvas = Image.new("RGB", (width, height))
                side = min(width, height)
                picture = self._icon.convert("RGBA").resize((side, side), Image.Resampling.LANCZOS)
                canvas.paste(picture, ((width - side) // 2, (height - side) // 2), picture)
                self._window.put_pil_image(self._gc, 0, 0, canvas)
            except Xlib.error.XError:
                pass  # not viewable yet (BadMatch) or already gone: the next Expose draws it

        # -- additions (on the X thread, but post() and disconnect()) --

        def _on_reparent(self, event: Any) -> None:
            if event.window.id != self._window.id:
                return
            was_embedded = self._rl_embedded
            self._rl_embedded = event.parent.id != self._display.screen().root.id
            if was_embedded and not self._rl_embedded:
                # The tray went away and the server gave the window back to the root (the tray's
                # save-set). GTK trays ask for it unmapped, others leave it mapped there, a stray
                # square on the screen: keep it hidden until a tray takes it again.
                self._window.unmap()
                self._display.flush()

        def _on_new_manager(self, event: Any) -> None:
            selection = event.data[1][1]
            if selection == self._net_system_tray_sx and self.visible and not self._rl_embedded:
                self._systray_manager = None  # ask the new tray, even if pystray still knows the old
                try:
                    self._assert_docked()
                except AssertionError:
                    log.info("a new XEmbed tray announced itself but does not own the selection")

        def _on_map(self, event: Any) -> None:
            if event.window.id == self._window.id and self._rl_embedded:
                geometry = self._window.get_geometry()
                self.slot = int(min(geometry.width, geometry.height))
                self._rl_events.docked()

        def _on_button_press(self, event: Any) -> None:
            self._rl_pressed = event.detail  # replaces pystray's: it acts on release instead

        def _on_button_release(self, event: Any) -> None:
            button, self._rl_pressed = self._rl_pressed, 0
            if event.detail != button or button not in (1, 3):
                return
            geometry = self._window.get_geometry()
            # A press that ends outside the icon is a change of mind, as with any button.
            if 0 <= event.event_x < geometry.width and 0 <= event.event_y < geometry.height:
                self._rl_events.clicked(button, event.root_x, event.root_y)

        def _apply_pending(self) -> None:
            with self._rl_lock:
                changes, self._rl_pending = self._rl_pending, {}
            # On this thread pystray's setters do their work at once (no hand-over).
            if "icon" in changes:
                self.icon = changes["icon"]
            if "title" in changes:
                self.title = changes["title"]
            if changes.get("visible"):
                self.visible = True
            if changes.get("stop"):
                self.stop()  # destroys the window: the tray drops the icon and the loop ends

        def show_when_ready(self, _icon: object) -> None:
            """pystray's setup callback (on its setup thread): show the icon, from the X thread."""
            self.post(visible=True)

        def post(self, **changes: Any) -> None:
            """Any thread: have the X thread apply icon=, title=, visible=True or stop=True, soon;
            returns at once."""
            with self._rl_lock:
                self._rl_pending.update(changes)
                if self._rl_waker is None:
                    return
                message = Xlib.protocol.event.ClientMessage(
                    window=self._rl_target, client_type=self._rl_apply_atom, data=(32, [0, 0, 0, 0, 0])
                )
                # No event mask: the server hands it to the window's creator, pystray's connection.
                self._rl_target.send_event(message, event_mask=Xlib.X.NoEventMask)
                self._rl_waker.flush()

        def disconnect(self) -> None:
            """Close both connections, once the X thread has ended."""
            with self._rl_lock:
                waker, self._rl_waker = self._rl_waker, None
            for display in (waker, self._display):
                if display is not None:
                    with contextlib.suppress(Exception):
                        display.close()

    _icon_class = DockedIcon
    return DockedIcon


# ----- the tray ---------------------------------------------------------------------------------------


class XEmbedTray:
    """The lamp in an XEmbed system tray; see the module docstring."""

    backend: str = BACKEND

    def __init__(
        self,
        on_action: TrayHandler,
        *,
        icon_file: IconFile | None = None,
        on_cannot_open: CannotOpenHandler | None = None,
    ) -> None:
        self._on_action = on_action
        self._icon_file = icon_file or png_path
        self._loop: asyncio.AbstractEventLoop | None = None
        self._icon: Any = None  # the DockedIcon while started
        self._thread: threading.Thread | None = None
        self._lamp: Lamp | None = None
        self._menu: tuple[MenuItem, ...] = ()
        self._tooltip: Tooltip | None = None
        self._size = DEFAULT_SLOT
        self._docked: asyncio.Event | None = None
        self._popup = PopupMenu(self._chosen, on_cannot_open)

    @property
    def in_panel(self) -> bool:
        return self._icon is not None and self._docked is not None and self._docked.is_set()

    async def start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        self._loop = asyncio.get_running_loop()
        self._lamp, self._menu, self._tooltip = lamp, menu, tooltip
        try:
            problem = await _in_daemon_thread(_probe_tray, PROBE_TIMEOUT)
        except asyncio.TimeoutError:
            problem = f"The X display did not answer within {PROBE_TIMEOUT:g} s."
        if problem is not None:
            return TrayStatus(False, BACKEND, problem)

        self._docked = asyncio.Event()
        try:
            image = self._image(lamp.icon)
            self._icon = await _in_daemon_thread(lambda: self._make_icon(image, tooltip), PROBE_TIMEOUT)
        except Exception as exc:
            log.exception("could not make the XEmbed icon")
            return TrayStatus(False, BACKEND, f"Could not make the tray icon ({exc}).")
        # pystray's run() blocks in its X event loop; on X11 that may be any thread.
        self._thread = threading.Thread(
            target=self._icon.run,
            kwargs={"setup": self._icon.show_when_ready},
            name="rustlamp-xembed",
            daemon=True,
        )
        self._thread.start()
        try:
            await asyncio.wait_for(self._docked.wait(), DOCK_TIMEOUT)
        except asyncio.TimeoutError:
            await self.close()
            return TrayStatus(
                False, BACKEND, f"The XEmbed system tray did not take the lamp within {DOCK_TIMEOUT:g} s."
            )
        # The tray has now given the icon its place: use the prepared size that fits it.
        size = png_size_for(self._icon.slot or DEFAULT_SLOT)
        if size != self._size:
            self._size = size
            self._icon.post(icon=self._image(lamp.icon))
        return TrayStatus(True, BACKEND, DOCKED_DETAIL)

    def _make_icon(self, image: Image.Image, tooltip: Tooltip) -> Any:
        loop = self._loop
        assert loop is not None and self._docked is not None
        docked = self._docked

        def was_docked() -> None:
            loop.call_soon_threadsafe(docked.set)

        def clicked(button: int, x: int, y: int) -> None:
            loop.call_soon_threadsafe(self._clicked, button, x, y)

        events = _IconEvents(docked=was_docked, clicked=clicked)
        return _docked_icon_class()(image, self._title(tooltip), events)

    def update(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> None:
        self._menu = menu  # read when the popup opens
        changes: dict[str, Any] = {}
        if self._lamp is None or lamp.icon != self._lamp.icon:
            try:
                changes["icon"] = self._image(lamp.icon)
            except Exception:
                log.exception("no icon for the lamp state %r", lamp.icon)
        if tooltip != self._tooltip:
            changes["title"] = self._title(tooltip)
        self._lamp, self._tooltip = lamp, tooltip
        if changes and self._icon is not None:
            try:
                self._icon.post(**changes)
            except Exception:  # the X connection is gone; the lamp is already out of the panel
                log.exception("could not update the XEmbed icon")

    async def close(self) -> None:
        await self._popup.close()
        icon, self._icon = self._icon, None
        thread, self._thread = self._thread, None
        if icon is not None:
            try:
                await _in_daemon_thread(lambda: self._stop_icon(icon, thread), STOP_TIMEOUT + 1)
            except Exception:
                log.exception("the XEmbed icon did not stop cleanly")

    @staticmethod
    def _stop_icon(icon: Any, thread: threading.Thread | None) -> None:
        if thread is not None and thread.is_alive():
            icon.post(stop=True)
            thread.join(STOP_TIMEOUT)
        icon.disconnect()

    # ----- internals ---------------------------------------------------------------------------------

    def _image(self, name: str) -> Image.Image:
        with Image.open(self._icon_file(name, self._size)) as image:
            return image.convert("RGBA")

    @staticmethod
    def _title(tooltip: Tooltip) -> str:
        return f"{tooltip.title}: {tooltip.body}" if tooltip.body else tooltip.title

    def _clicked(self, button: int, x: int, y: int) -> None:
        if self._icon is None:
            return
        if button == 1:
            self._on_action(ACTIVATE)
        elif button == 3:
            self._popup.open(self._menu, x, y)

    def _chosen(self, key: str) -> None:
        if self._icon is not None:  # a choice arriving after close() is dropped
            self._on_action(key)
