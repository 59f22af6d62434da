"""Choose the best tray this desktop offers: StatusNotifierItem, then XEmbed (Linux); pystray elsewhere."""

from __future__ import annotations

import functools
import logging
import sys
from collections.abc import Callable

from rustlamp.core.menu import Lamp, MenuItem, Tooltip
from rustlamp.tray.base import CannotOpenHandler, Tray, TrayHandler, TrayStatus

log = logging.getLogger("rustlamp.tray")

if sys.platform.startswith("linux"):
    NO_TRAY_DETAIL = (
        "No tray was found, so the lamp is not in the panel; reminders, their buttons and the command "
        "line still work. On GNOME, install the 'AppIndicator and KStatusNotifierItem Support' "
        "extension; on other desktops, add a system tray (status notifier) to the panel."
    )
else:
    NO_TRAY_DETAIL = "No tray could be shown; reminders, their buttons and the command line still work."
# Said after NO_TRAY_DETAIL when the StatusNotifierItem waits on the bus for a panel to appear.
LATER_DETAIL = " The lamp goes into the panel by itself as soon as there is one."


class NullTray:
    """No panel to show the lamp in: the app runs on without it."""

    backend: str = "none"
    in_panel: bool = False

    async def start(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> TrayStatus:
        return TrayStatus(False, self.backend, NO_TRAY_DETAIL)

    def update(self, lamp: Lamp, menu: tuple[MenuItem, ...], tooltip: Tooltip) -> None:
        pass

    async def close(self) -> None:
        pass


def _sni(on_action: TrayHandler, on_cannot_open: CannotOpenHandler | None = None) -> Tray:
    from rustlamp.tray.sni import SniTray

    return SniTray(on_action, on_cannot_open=on_cannot_open)


def _xembed(on_action: TrayHandler, on_cannot_open: CannotOpenHandler | None = None) -> Tray:
    from rustlamp.tray.xembed import XEmbedTray  # brings python-xlib and Pillow: only when needed

    return XEmbedTray(on_action, on_cannot_open=on_cannot_open)


def _pystray(on_action: TrayHandler) -> Tray:
    from rustlamp.tray.pystray_tray import PystrayTray

    return PystrayTray(on_action)


async def choose_tray(
    on_action: TrayHandler,
    lamp: Lamp,
    menu: tuple[MenuItem, ...],
    tooltip: Tooltip,
    made: Tray | None = None,
    on_cannot_open: CannotOpenHandler | None = None,
) -> tuple[Tray, TrayStatus]:
    """Start the first tray that works here; never raises. The returned tray is started. Each backend is
    imported only when it is tried, so the lamp over SNI costs no image or X library. `made` is a tray
    the caller had to make beforehand (on macOS, pystray's, which owns the main thread).
    When none works but the StatusNotifierItem is on the bus, that one is returned (status not ok): it
    goes into the first panel that appears. `on_cannot_open` hears why a tray's own menu (XEmbed,
    swaybar) could not open, so the person is told what to install."""
    factories: list[Callable[[TrayHandler], Tray]]
    if made is not None:
        factories = [lambda _handler: made]
    elif sys.platform.startswith("linux"):
        factories = [
            functools.partial(_sni, on_cannot_open=on_cannot_open),
            functools.partial(_xembed, on_cannot_open=on_cannot_open),
        ]
    else:
        factories = [_pystray]
    waiting: Tray | None = None  # a tray that follows its panel's coming, kept should nothing else work
    for factory in factories:
        try:
            tray = factory(on_action)
        except ImportError as exc:  # e.g. pystray or python-xlib missing: the others do not need them
            log.info("a tray backend is not available: %s", exc)
            continue
        try:
            status = await tray.start(lamp, menu, tooltip)
        except Exception:  # a backend's bug must not keep the app from running without it
            log.exception("the %s tray failed to start", tray.backend)
            continue
        if status.ok:
            if waiting is not None:
                await waiting.close()
            return tray, status
        log.info("tray %s: %s", tray.backend, status.detail)
        if waiting is None and getattr(tray, "follows_watcher", False):
            waiting = tray
        else:
            await tray.close()
    if waiting is not None:
        return waiting, TrayStatus(False, waiting.backend, NO_TRAY_DETAIL + LATER_DETAIL)
    null = NullTray()
    return null, await null.start(lamp, menu, tooltip)
