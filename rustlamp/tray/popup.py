"""rustlamp's own menu, for trays whose host draws none: the XEmbed tray's right click, and a
StatusNotifierItem host that calls ContextMenu instead of reading our dbusmenu (swaybar).

The menu is a window process like the others (rustlamp.ui.popup_menu, asked with a MenuRequest), so this
process never loads a toolkit; it answers with the chosen id (MenuChosen). Only ids the person could
click are passed on, so a confused child cannot invent commands.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from rustlamp.core.menu import MenuItem
from rustlamp.system.windows import WindowProcess
from rustlamp.tray.base import CannotOpenHandler, TrayHandler
from rustlamp.ui.contract import MENU_OUTCOMES, CannotOpen, MenuChosen, MenuRequest

log = logging.getLogger("rustlamp.tray")

POPUP_TIMEOUT = 70.0  # the popup gives up by itself after 60 s; this only guards against a stuck child


def menu_ids(items: tuple[MenuItem, ...]) -> set[str]:
    """The ids a person can click: enabled leaves."""
    found: set[str] = set()
    for item in items:
        if item.id and item.enabled and not item.children:
            found.add(item.id)
        found |= menu_ids(item.children)
    return found


class PopupMenu:
    """Opens the menu as a child process and reports the chosen id to `on_action`; one at a time. When
    Qt cannot open it here, `on_cannot_open` hears why (the lamp tells the person what to install)."""

    def __init__(self, on_action: TrayHandler, on_cannot_open: CannotOpenHandler | None = None) -> None:
        self._on_action = on_action
        self._on_cannot_open = on_cannot_open
        self._window = WindowProcess(MenuRequest.module, MENU_OUTCOMES)
        self._task: asyncio.Task[None] | None = None
        self.opened = 0  # how many times a menu was opened (tests and the log read it)

    @property
    def process_id(self) -> int | None:
        """The open menu's process (tests find the menu on the accessibility bus by it)."""
        return self._window.pid

    @property
    def is_open(self) -> bool:
        return self._task is not None and not self._task.done()

    def open(self, menu: tuple[MenuItem, ...], x: int, y: int) -> None:
        """Show `menu` with its corner at (x, y); nothing when one is already open."""
        if self.is_open:
            return
        self.opened += 1
        self._task = asyncio.get_running_loop().create_task(self._run(MenuRequest(menu, x, y)))

    async def wait(self) -> None:
        """Until the open menu (if any) is closed and its choice passed on."""
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task

    async def close(self) -> None:
        await self._window.close()
        await self.wait()
        self._task = None

    async def _run(self, request: MenuRequest) -> None:
        try:
            outcome = await asyncio.wait_for(self._window.run(request, stdin=request.stdin()), POPUP_TIMEOUT)
        except asyncio.TimeoutError:
            await self._window.close()
            log.warning("the popup menu did not close within %g s", POPUP_TIMEOUT)
            return
        if isinstance(outcome, MenuChosen) and outcome.id in menu_ids(request.items):
            self._on_action(outcome.id)
        elif isinstance(outcome, CannotOpen):
            log.warning("the popup menu could not open: %s (%s)", outcome.sentence("en"), outcome.detail)
            if self._on_cannot_open is not None:
                self._on_cannot_open(outcome)
