"""The tray on Windows and macOS: pystray's own backend with pystray's own menu.

Windows: pystray's Win32 message loop runs in a thread of its own; a left click calls the menu's
(hidden) default item, which reports ACTIVATE, and a right click opens the menu.

macOS: AppKit must own the main thread. The runtime gives it to `run_on_main_thread`, which runs the
app (its asyncio loop) in another thread and the icon, once start() hands it over, on the main thread.
A click on a menu-bar item opens its menu there (pystray has no default action on macOS), so ACTIVATE
is never reported.

Every handler call happens on the asyncio loop that called start().
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image

from rustlamp.core.menu import Lamp, MenuItem, Tooltip
from rustlamp.tray.base import ACTIVATE, TrayHandler, TrayStatus
from rustlamp.tray.icons import png_path

log = logging.getLogger("rustlamp.tray")

BACKEND = "pystray"
APP_NAME = "rustlamp"
READY_TIMEOUT = 5.0  # seconds for the icon to appear once its loop runs
STOP_TIMEOUT = 5.0
ICON_SIZE = 64  # pystray scales it to the notification area / menu bar itself
WIN32_TIP_LIMIT = 127  # NOTIFYICONDATAW.szTip is 128 wide characters; pystray raises beyond that

IconFile = Callable[[str, int], Path]  # (lamp icon name, size) -> PNG file
_Handoff = tuple[Any, Callable[[Any], None]] | None  # (icon, setup) for the main thread; None: stop


def _on_windows() -> bool:
    return sys.platform == "win32"


def _needs_main_thread() -> bool:
    return sys.platform == "darwin"


def _label(text: str) -> str:
    # Win32 menus read "&" as "underline the next letter"; "&&" shows one "&".
    return text.replace("&", "&&") if _on_windows() else text


def _constant(value: bool) -> Callable[[Any], bool]:
    return lambda _item: value


def build_menu(items: tuple[MenuItem, ...], report: Callable[[str], None]) -> Any:
    """Our menu as a pystray.Menu: `report(id)` for a click on an item, `report(ACTIVATE)` from the hidden
    default item (what pystray calls on a left click where the platform has one)."""
    import pystray

    def reporter(ident: str) -> Callable[[], None]:
        # pystray counts an action's parameters (defaults too) to decide what to pass it, so a plain
        # closure without parameters: it is then called with nothing.
        return lambda: report(ident)

    def entries(level: tuple[MenuItem, ...]) -> list[Any]:
        out = []
        for item in level:
            if item.separator:
                out.append(pystray.Menu.SEPARATOR)
            elif item.children:
                submenu = pystray.Menu(*entries(item.children))
                out.append(pystray.MenuItem(_label(item.label), submenu, enabled=item.enabled))
            else:
                action = reporter(item.id) if item.id else None
                # pystray asks `checked(item)` whenever it draws the menu; None: not a check item.
                # The state is fixed per menu: a click reports the id, and the app's new state comes
                # back as a new menu (update() sets it).
                checked = None if item.checked is None else _constant(item.checked)
                out.append(
                    pystray.MenuItem(_label(item.label), action, checked=checked, enabled=item.enabled)
                )
        return out

    default = pystray.MenuItem(APP_NAME, lambda: report(ACTIVATE), default=True, visible=False)
    return pystray.Menu(default, *entries(items))


class PystrayTray:
    """The lamp through pystray (Windows, macOS); see the module docstring."""

    backend: str = BACKEND

    def __init__(self, on_action: TrayHandler, *, icon_file: IconFile | None = None) -> None:
        self._on_action = on_action
        self._icon_file = icon_file or png_path
        self._loop: asyncio.AbstractEventLoop | None = None
        self._icon: Any = None
        self._thread: threading.Thread | None = None
        self._lamp: Lamp | None = None
        self._menu: tuple[MenuItem, ...] = ()
        self._tooltip: Tooltip | None = None
        self._handoff: queue.Queue[_Handoff] = queue.Queue()
        self._main_thread_waiting = False

    # ----- macOS: the main thread ------------------------------------------------------------------

    def run_on_main_thread(self, run_app: Callable[[], object]) -> None:
        """Call this ON THE MAIN THREAD instead of running the app there (macOS needs it; harmless
        elsewhere): `run_app` (e.g. `lambda: asyncio.run(main())`) runs in a new thread, and whenever
        start() hands over an icon this thread runs pystray's loop for it until close(). Returns when
        run_app has returned; re-raises what it raised."""
        failure: list[BaseException] = []

        def app() -> None:
            try:
                run_app()
            except BaseException as exc:
                failure.append(exc)
            finally:
                self._handoff.put(None)

        self._main_thread_waiting = True
        thread = threading.Thread(target=app, name="rustlamp-app")
        thread.start()
        try:
            while (handoff := self._handoff.get()) is not None:  # blocks: no wake-ups while idle
                icon, setup = handoff
                try:
                    icon.run(setup=setup)  # until close() stops it
                except Exception:
                    log.exception("the tray's loop failed")
        finally:
            self._main_thread_waiting = False
        thread.join()
        if failure:
            raise failure[0]

    # ----- the Tray interface ------------------------------------------------------------------------

    @property
    def in_panel(self) -> bool:
        return self._icon is not None

    async def start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        loop = self._loop = asyncio.get_running_loop()
        self._lamp, self._menu, self._tooltip = lamp, menu, tooltip
        if _needs_main_thread() and not self._main_thread_waiting:
            return TrayStatus(
                False,
                BACKEND,
                "On macOS the menu-bar lamp needs the main thread, and the app did not give it "
                "(PystrayTray.run_on_main_thread).",
            )
        try:
            icon = self._make_icon(self._image(lamp.icon), self._title(tooltip), self._pystray_menu(menu))
        except Exception as exc:  # pystray finds no backend, or the picture is missing
            log.exception("could not make the pystray icon")
            return TrayStatus(False, BACKEND, f"Could not make the tray icon ({exc}).")

        shown = asyncio.Event()

        def setup(icon: Any) -> None:  # on pystray's setup thread, once its loop runs
            icon.visible = True
            loop.call_soon_threadsafe(shown.set)

        self._icon = icon
        if _needs_main_thread():
            self._handoff.put((icon, setup))
        else:
            self._thread = threading.Thread(
                target=icon.run, kwargs={"setup": setup}, name="rustlamp-pystray", daemon=True
            )
            self._thread.start()
        try:
            await asyncio.wait_for(shown.wait(), READY_TIMEOUT)
        except asyncio.TimeoutError:
            await self.close()
            return TrayStatus(False, BACKEND, f"The tray did not show the lamp within {READY_TIMEOUT:g} s.")
        return TrayStatus(True, BACKEND, self._where())

    def update(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> None:
        icon = self._icon
        try:
            if icon is not None and (self._lamp is None or lamp.icon != self._lamp.icon):
                icon.icon = self._image(lamp.icon)
            if icon is not None and tooltip != self._tooltip:
                icon.title = self._title(tooltip)
            if icon is not None and menu != self._menu:
                icon.menu = self._pystray_menu(menu)  # pystray's setter calls update_menu()
        except Exception:
            log.exception("could not update the pystray icon")
        self._lamp, self._menu, self._tooltip = lamp, menu, tooltip

    async def close(self) -> None:
        icon, self._icon = self._icon, None
        thread, self._thread = self._thread, None
        if icon is None:
            return
        loop = asyncio.get_running_loop()
        stopped = asyncio.Event()

        def stop() -> None:  # pystray's stop() joins its setup thread: keep that off the loop
            try:
                icon.stop()  # its loop hides the icon as it ends
                if thread is not None:
                    thread.join(STOP_TIMEOUT)
            except Exception:
                log.exception("the pystray icon did not stop cleanly")
            finally:
                with contextlib.suppress(RuntimeError):  # the loop is already gone
                    loop.call_soon_threadsafe(stopped.set)

        threading.Thread(target=stop, name="rustlamp-pystray-stop", daemon=True).start()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stopped.wait(), STOP_TIMEOUT + 1)

    # ----- internals ---------------------------------------------------------------------------------

    def _make_icon(self, image: Image.Image, title: str, menu: Any) -> Any:
        import pystray

        return pystray.Icon(APP_NAME, icon=image, title=title, menu=menu)

    def _pystray_menu(self, menu: tuple[MenuItem, ...]) -> Any:
        return build_menu(menu, self._report)

    def _report(self, ident: str) -> None:
        """From pystray's thread: hand the click to the loop."""
        loop = self._loop
        if loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has closed: nobody to tell
                loop.call_soon_threadsafe(self._deliver, ident)

    def _deliver(self, ident: str) -> None:
        if self._icon is not None:  # not after close()
            self._on_action(ident)

    def _image(self, name: str) -> Image.Image:
        with Image.open(self._icon_file(name, ICON_SIZE)) as image:
            return image.convert("RGBA")

    @staticmethod
    def _title(tooltip: Tooltip) -> str:
        title = f"{tooltip.title}: {tooltip.body}" if tooltip.body else tooltip.title
        if _on_windows() and len(title) > WIN32_TIP_LIMIT:
            title = title[: WIN32_TIP_LIMIT - 1] + "…"
        return title

    @staticmethod
    def _where() -> str:
        if sys.platform == "darwin":
            return "The lamp is in the menu bar."
        if _on_windows():
            return "The lamp is in the notification area of the taskbar."
        return "The lamp is in the panel (pystray)."
